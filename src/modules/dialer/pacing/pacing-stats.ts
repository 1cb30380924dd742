import { AbandonWindow, DurationStats } from './pacing.types';

/** Exponentially weighted mean and variance; warm-starts as a plain average over the first 1/alpha samples. */
export class EwmaStat {
  private n = 0;
  private m: number;
  private v: number;
  constructor(prior: DurationStats, private readonly span: number) {
    this.m = prior.meanMs;
    this.v = prior.sdMs ** 2;
  }
  add(x: number): void {
    this.n++;
    const a = Math.max(1 / this.n, 1 / this.span);
    const d = x - this.m;
    this.m += a * d;
    this.v = (1 - a) * (this.v + a * d * d);
  }
  get count(): number {
    return this.n;
  }
  get stats(): DurationStats {
    return { meanMs: this.m, sdMs: Math.sqrt(Math.max(this.v, 1)) };
  }
}

export interface PacingStatsOptions {
  /** Attempts the answer-rate estimate effectively averages over (EWMA span). Smaller reacts faster, noisier. */
  answerRateSpan?: number;
  priors?: { answerDelay?: DurationStats; talk?: DurationStats; wrapUp?: DurationStats };
}

/**
 * The pacer's running estimates for one campaign, updated from call events. Pure: the caller passes the facts,
 * nothing here reads a clock. The answer rate is an EWMA over attempts, so a drift shows within a few hundred
 * attempts (minutes even for small teams).
 */
export class PacingStats {
  private human = 0;
  private machine = 0;
  private attempts = 0;
  private answers = 0;
  private readonly span: number;
  readonly answerDelay: EwmaStat;
  readonly talk: EwmaStat;
  readonly wrapUp: EwmaStat;

  constructor(opts: PacingStatsOptions = {}) {
    this.span = opts.answerRateSpan ?? 300;
    this.answerDelay = new EwmaStat(opts.priors?.answerDelay ?? { meanMs: 10_000, sdMs: 5_000 }, 200);
    this.talk = new EwmaStat(opts.priors?.talk ?? { meanMs: 180_000, sdMs: 120_000 }, 200);
    this.wrapUp = new EwmaStat(opts.priors?.wrapUp ?? { meanMs: 30_000, sdMs: 15_000 }, 200);
  }

  /** An attempt reached its result: a person, a machine, or anything else (busy, no answer, failure). */
  recordResult(result: 'human' | 'machine' | 'other', answerDelayMs?: number): void {
    this.attempts++;
    const a = Math.max(1 / this.attempts, 1 / this.span);
    this.human += a * ((result === 'human' ? 1 : 0) - this.human);
    this.machine += a * ((result === 'machine' ? 1 : 0) - this.machine);
    if (result === 'human') {
      this.answers++;
      if (answerDelayMs !== undefined) this.answerDelay.add(answerDelayMs);
    }
  }

  get humanAnswerRate(): number {
    return this.human;
  }
  get machineRate(): number {
    return this.machine;
  }
  get observedAttempts(): number {
    return this.attempts;
  }
  get observedAnswers(): number {
    return this.answers;
  }
}

/** Abandon and human-answer counts over rolling windows, from event times (ms) the caller supplies. */
export class AbandonLedger {
  private readonly answeredAt: number[] = [];
  private readonly abandonedAt: number[] = [];
  private answeredHead = 0;
  private abandonedHead = 0;
  private total: AbandonWindow = { abandoned: 0, answered: 0 };

  answered(at: number): void {
    this.answeredAt.push(at);
    this.total.answered++;
  }
  abandoned(at: number): void {
    this.abandonedAt.push(at);
    this.total.abandoned++;
  }

  /** Counts within (now - windowMs, now]. Times must be recorded in non-decreasing order. */
  window(now: number, windowMs: number): AbandonWindow {
    return { answered: countSince(this.answeredAt, now - windowMs), abandoned: countSince(this.abandonedAt, now - windowMs) };
  }

  /** Drops events older than keepMs (bounded memory for long runs). */
  prune(now: number, keepMs: number): void {
    while (this.answeredHead < this.answeredAt.length && this.answeredAt[this.answeredHead] <= now - keepMs) this.answeredHead++;
    while (this.abandonedHead < this.abandonedAt.length && this.abandonedAt[this.abandonedHead] <= now - keepMs) this.abandonedHead++;
    if (this.answeredHead > 10_000) this.answeredAt.splice(0, this.answeredHead), (this.answeredHead = 0);
    if (this.abandonedHead > 10_000) this.abandonedAt.splice(0, this.abandonedHead), (this.abandonedHead = 0);
  }

  get totals(): AbandonWindow {
    return { ...this.total };
  }
}

function countSince(sorted: number[], after: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] <= after) lo = mid + 1;
    else hi = mid;
  }
  return sorted.length - lo;
}
