import { AbandonWindow, DurationStats } from './pacing.types';

/**
 * Exponentially weighted mean and variance; warm-starts as a plain average over the first samples, with the prior
 * counted as PRIOR_WEIGHT samples of its own: otherwise the first sample replaces the prior outright and the variance
 * falls to zero (one 132 s talk observed made every talk exactly 132 s long, and every agent talking longer "about to
 * free up").
 */
const PRIOR_WEIGHT = 10;
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
    const a = Math.max(1 / (this.n + PRIOR_WEIGHT), 1 / this.span);
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

/**
 * Results counted in the order their subjects started (attempts launched, talks and wrap-ups begun), not the order
 * they end. Ended-first order is biased whenever the starts bunch up: the short ones end first, so a young campaign's
 * finished calls, talks and wrap-ups are its quick ones. A result enters once everything started before it has
 * ended; a subject still open `staleMs` after its start (a lost event, an endless talk) is skipped.
 */
export class StartOrder<R> {
  private nextSeq = 0;
  private pending: { seq: number; at: number; settled: boolean; result?: R }[] = [];
  private head = 0;
  private readonly bySeq = new Map<number, { seq: number; at: number; settled: boolean; result?: R }>();

  constructor(private readonly apply: (result: R, startedAt: number) => void) {}

  started(at: number): number {
    const e = { seq: this.nextSeq++, at, settled: false };
    this.pending.push(e);
    this.bySeq.set(e.seq, e);
    return e.seq;
  }

  /** `result` undefined: the subject says nothing (e.g. an attempt cancelled before it was placed). */
  settle(ticket: number, result: R | undefined, now: number, staleMs: number): void {
    const e = this.bySeq.get(ticket);
    if (!e || e.settled) return;
    e.settled = true;
    e.result = result;
    this.drain(now, staleMs);
  }

  get open(): number {
    return this.pending.length - this.head;
  }

  private drain(now: number, staleMs: number): void {
    while (this.head < this.pending.length) {
      const e = this.pending[this.head];
      if (!e.settled && now - e.at < staleMs) break;
      this.head++;
      this.bySeq.delete(e.seq);
      if (e.settled && e.result !== undefined) this.apply(e.result, e.at);
    }
    if (this.head > 4_096 && this.head * 2 > this.pending.length) {
      this.pending = this.pending.slice(this.head);
      this.head = 0;
    }
  }
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
  private readonly attemptOrder = new StartOrder<{ result: AttemptResult; answerDelayMs?: number }>((r) => this.recordResult(r.result, r.answerDelayMs));
  private readonly talkOrder = new StartOrder<number>((ms) => this.talk.add(ms));
  private readonly wrapUpOrder = new StartOrder<number>((ms) => this.wrapUp.add(ms));
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
    return this.attemptOrder.started(at);
  }

  /**
   * The attempt's result is known: a person, a machine, anything else (busy, no answer, failure), or `void` for an
   * attempt that says nothing about the list (cancelled before it was placed). It enters the estimates once every
   * attempt launched before it has resolved; one left unresolved for `staleAfterMs` (a lost event) is skipped.
   */
  resolve(ticket: number, result: AttemptResult | 'void', at: number, answerDelayMs?: number): void {
    this.attemptOrder.settle(ticket, result === 'void' ? undefined : { result, answerDelayMs }, at, this.staleMs);
  }

  /** Attempts launched and not yet counted (waiting for their own result or an earlier one). */
  get pendingAttempts(): number {
    return this.attemptOrder.open;
  }

  /**
   * Talks and wrap-ups, in the order they began. Fed as they end, a campaign's first minutes would know only its
   * short talks (the long ones are still going): the talk estimate then reads a fraction of the truth and the pacer
   * expects most talking agents to free up within seconds (seen: 500 agents, ~200 expected free, 20 abandons in 10 s).
   * A talk still going after four mean talks (ten minutes at least) stops holding the others back.
   */
  talkStarted(at: number): number {
    return this.talkOrder.started(at);
  }
  talkEnded(ticket: number, at: number, durationMs: number): void {
    this.talkOrder.settle(ticket, durationMs, at, Math.max(600_000, 4 * this.talk.stats.meanMs));
  }
  wrapUpStarted(at: number): number {
    return this.wrapUpOrder.started(at);
  }
  wrapUpEnded(ticket: number, at: number, durationMs: number): void {
    this.wrapUpOrder.settle(ticket, durationMs, at, Math.max(600_000, 4 * this.wrapUp.stats.meanMs));
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
