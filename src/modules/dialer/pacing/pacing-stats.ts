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
  /** An attempt with no result this long after its launch (a lost event) stops holding back the ones after it. */
  staleAfterMs?: number;
}

export type AttemptResult = 'human' | 'machine' | 'other';

/** An attempt launched and followed by the stats, waiting for the attempts launched before it to resolve. */
interface PendingAttempt {
  seq: number;
  launchedAt: number;
  result?: AttemptResult | 'void';
  answerDelayMs?: number;
}

/**
 * The pacer's running estimates for one campaign, updated from call events. Pure: the caller passes the facts and
 * their times, nothing here reads a clock. The answer rate is an EWMA over attempts, so a drift shows within a few
 * hundred attempts (minutes even for small teams).
 *
 * Attempts enter the estimates in the order they were launched, not the order their results arrive. Results arrive
 * sorted by how long they take: answers after a few seconds, busies at once, no-answers only at the ring timeout. Fed
 * as they come, a burst of launches shows its answers first (the rate looks high) and its no-answers a ring timeout
 * later, all together (the rate looks near zero): the pacer, trusting the low figure, then launches many times too many
 * calls. A campaign's opening wave is exactly such a burst (seen: 3.6-10% abandoned in the first minutes of 500 agents
 * on a 5%-answer list). In launch order, each attempt counts only once every attempt before it has resolved, so the
 * estimate lags by about a ring timeout but is never skewed by how long outcomes take.
 */
export class PacingStats {
  private human = 0;
  private machine = 0;
  private attempts = 0;
  private answers = 0;
  private readonly span: number;
  private readonly staleMs: number;
  private nextSeq = 0;
  private pending: PendingAttempt[] = [];
  private pendingHead = 0;
  private readonly bySeq = new Map<number, PendingAttempt>();
  readonly answerDelay: EwmaStat;
  readonly talk: EwmaStat;
  readonly wrapUp: EwmaStat;

  constructor(opts: PacingStatsOptions = {}) {
    this.span = opts.answerRateSpan ?? 300;
    this.staleMs = opts.staleAfterMs ?? 180_000;
    this.answerDelay = new EwmaStat(opts.priors?.answerDelay ?? { meanMs: 10_000, sdMs: 5_000 }, 200);
    this.talk = new EwmaStat(opts.priors?.talk ?? { meanMs: 180_000, sdMs: 120_000 }, 200);
    this.wrapUp = new EwmaStat(opts.priors?.wrapUp ?? { meanMs: 30_000, sdMs: 15_000 }, 200);
  }

  /** An attempt was launched at `at` (ms): returns its ticket for `resolve`. */
  launched(at: number): number {
    const a: PendingAttempt = { seq: this.nextSeq++, launchedAt: at };
    this.pending.push(a);
    this.bySeq.set(a.seq, a);
    return a.seq;
  }

  /**
   * The attempt's result is known: a person, a machine, anything else (busy, no answer, failure), or `void` for an
   * attempt that says nothing about the list (cancelled before it was placed). It enters the estimates once every
   * attempt launched before it has resolved; one left unresolved for `staleAfterMs` (a lost event) is skipped.
   */
  resolve(ticket: number, result: AttemptResult | 'void', at: number, answerDelayMs?: number): void {
    const a = this.bySeq.get(ticket);
    if (!a || a.result !== undefined) return;
    a.result = result;
    a.answerDelayMs = answerDelayMs;
    this.drain(at);
  }

  /** Attempts launched and not yet counted (waiting for their own result or an earlier one). */
  get pendingAttempts(): number {
    return this.pending.length - this.pendingHead;
  }

  /** Counts one result at once: for history replayed in launch order (a new campaign holder seeding its estimates). */
  recordResult(result: AttemptResult, answerDelayMs?: number): void {
    this.attempts++;
    const a = Math.max(1 / this.attempts, 1 / this.span);
    this.human += a * ((result === 'human' ? 1 : 0) - this.human);
    this.machine += a * ((result === 'machine' ? 1 : 0) - this.machine);
    if (result === 'human') {
      this.answers++;
      if (answerDelayMs !== undefined) this.answerDelay.add(answerDelayMs);
    }
  }

  private drain(now: number): void {
    while (this.pendingHead < this.pending.length) {
      const head = this.pending[this.pendingHead];
      if (head.result === undefined && now - head.launchedAt < this.staleMs) break;
      this.pendingHead++;
      this.bySeq.delete(head.seq);
      if (head.result !== undefined && head.result !== 'void') this.recordResult(head.result, head.answerDelayMs);
    }
    if (this.pendingHead > 4_096 && this.pendingHead * 2 > this.pending.length) {
      this.pending = this.pending.slice(this.pendingHead);
      this.pendingHead = 0;
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
