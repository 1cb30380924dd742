import { lognormCdf, normCdf } from './distributions';
import { DurationStats, PacingState } from './pacing.types';

/** Forecast resolution: the pacer decides about once a second, so a one-second step is fine enough. */
export const STEP_MS = 1_000;

/**
 * A CDF tabulated on a fixed grid (linear interpolation). Tables are memoised with the mean and sd rounded to 0.5%
 * (the running estimates move a little with every call; a table costs a few hundred log-normal evaluations).
 */
class CdfTable {
  private static readonly memo = new Map<string, CdfTable>();
  static of(d: DurationStats, maxResolutionMs: number, spanMs: number): CdfTable {
    // Fine enough for short durations too (the integration tests shrink every duration a hundredfold).
    const resolutionMs = Math.max(1, Math.min(maxResolutionMs, Math.round(d.meanMs / 20)));
    // The table is built from the rounded stats, so the result depends on the inputs only, not on earlier calls.
    const q = (x: number) => Math.round(Math.log(Math.max(x, 1)) / 0.005);
    const key = `${q(d.meanMs)}:${q(d.sdMs)}:${resolutionMs}:${Math.ceil(spanMs / 10_000)}`;
    let t = CdfTable.memo.get(key);
    if (!t) {
      if (CdfTable.memo.size > 64) CdfTable.memo.clear();
      const rounded = { meanMs: Math.exp(q(d.meanMs) * 0.005), sdMs: Math.exp(q(d.sdMs) * 0.005) };
      t = new CdfTable(rounded, resolutionMs, Math.ceil(spanMs / 10_000) * 10_000);
      CdfTable.memo.set(key, t);
    }
    return t;
  }
  private readonly values: Float64Array;
  private constructor(private readonly d: DurationStats, private readonly resolutionMs: number, private readonly spanMs: number) {
    const n = Math.ceil(spanMs / resolutionMs) + 1;
    this.values = new Float64Array(n);
    for (let i = 0; i < n; i++) this.values[i] = lognormCdf(d, i * resolutionMs);
  }
  at(x: number): number {
    if (x <= 0) return 0;
    if (x >= this.spanMs) return lognormCdf(this.d, x);
    const f = x / this.resolutionMs;
    const i = Math.floor(f);
    return this.values[i] + (this.values[i + 1] - this.values[i]) * (f - i);
  }
}

/**
 * What the next seconds hold for one campaign, step by step (step j ends at (j + 1) x STEP_MS from now):
 *  - answers: cumulative human answers from calls already placed (waiting ones count at once), mean and variance;
 *  - free: cumulative agents that are or become free (Ready now, wrap-up ending, talk + wrap-up ending), mean and variance;
 *  - newAnswerCdf: the chance a call placed now has been answered by a person by the end of each step, given human.
 *
 * Each ringing call's chance of still being answered by a person falls as it rings on (Bayes on its elapsed ring
 * time); each wrap-up's chance of ending soon rises with its elapsed time (the hazard of the fitted log-normal); a
 * talking agent frees up only after the rest of the talk and a whole wrap-up.
 */
export interface Forecast {
  steps: number;
  answersMean: Float64Array;
  answersVar: Float64Array;
  freeMean: Float64Array;
  freeVar: Float64Array;
  newAnswerCdf: Float64Array;
  /** Share of calls that a person answers (the estimate), and the relative variance of that estimate. */
  p: number;
  pRelVar: number;
  /**
   * Small teams only: the distributions themselves, step by step (answers: exact Poisson-binomial of the calls in
   * flight; free agents: Ready + Poisson-binomial of the wrap-ups + Poisson of the talks), since a normal
   * approximation of a handful of Bernoulli trials misjudges the tail the abandon risk lives in (one Ready agent and
   * nothing in flight: the normal says 1-2% for the first call, the truth is 0). The error of the answer-rate
   * estimate is left out here; the abandon budget absorbs it.
   */
  exact?: { waiting: number; ready: number; answerPmf: Float64Array[]; freePmf: Float64Array[] };
}

/** Talks observed before the forecast trusts the talk estimate (see PacingState.observedTalks). */
export const MIN_TALKS_OBSERVED = 30;

/** Up to this many agents logged in, the forecast keeps exact distributions (cheap for small counts). */
export const EXACT_MAX_AGENTS = 30;

export function forecast(state: PacingState, horizonMs: number, answerRateSpan: number): Forecast {
  const staffed = state.readyAgents + state.talkingElapsedMs.length + state.wrapUpElapsedMs.length;
  const exactOn = staffed <= EXACT_MAX_AGENTS;
  const ringProbs: number[][] = [];
  const wrapProbs: number[][] = [];
  const steps = Math.max(1, Math.ceil(horizonMs / STEP_MS));
  const p = Math.min(0.99, Math.max(1e-3, state.humanAnswerRate));
  const m = Math.min(0.99 - p, Math.max(0, state.machineRate));
  const answerDelay = CdfTable.of(state.answerDelay, 250, 60_000 + horizonMs);
  const wrap = CdfTable.of(state.wrapUp, 250, Math.max(4 * state.wrapUp.meanMs, 60_000) + horizonMs);

  const answersMean = new Float64Array(steps);
  const answersVar = new Float64Array(steps);
  const freeMean = new Float64Array(steps);
  const freeVar = new Float64Array(steps);
  const newAnswerCdf = new Float64Array(steps);
  for (let j = 0; j < steps; j++) newAnswerCdf[j] = answerDelay.at((j + 1) * STEP_MS);

  // Answers from calls in flight. A call still ringing after e ms is a person's call with probability
  // p S(e) / (p S(e) + m S(e) + (1 - p - m)) (machines answer on the same clock; the rest ring until the timeout).
  for (let j = 0; j < steps; j++) answersMean[j] = state.answeredWaiting;
  for (const e of state.ringingElapsedMs) {
    const s = 1 - answerDelay.at(e);
    if (s < 1e-6) continue;
    const q = (p * s) / ((p + m) * s + (1 - p - m));
    const row: number[] = [];
    for (let j = 0; j < steps; j++) {
      const a = (q * (answerDelay.at(e + (j + 1) * STEP_MS) - (1 - s))) / s;
      answersMean[j] += a;
      answersVar[j] += a * (1 - a);
      row.push(a);
    }
    if (exactOn) ringProbs.push(row);
  }
  // The answer rate is an estimate: its error moves every ringing call's chance together.
  const pRelVar = state.observedAttempts > 0 ? (1 - p) / (p * Math.min(state.observedAttempts, answerRateSpan)) : 1;
  for (let j = 0; j < steps; j++) {
    const fromRate = answersMean[j] - state.answeredWaiting;
    answersVar[j] += fromRate * fromRate * pRelVar;
  }

  // Agents: Ready now, then wrap-ups ending (conditional on the time already spent).
  for (let j = 0; j < steps; j++) freeMean[j] = state.readyAgents;
  for (const e of state.wrapUpElapsedMs) {
    const f0 = wrap.at(e);
    const s = 1 - f0;
    const row: number[] = [];
    for (let j = 0; j < steps; j++) {
      const f = s < 1e-6 ? 1 : Math.min(1, (wrap.at(e + (j + 1) * STEP_MS) - f0) / s);
      freeMean[j] += f;
      freeVar[j] += f * (1 - f);
      row.push(f);
    }
    if (exactOn) wrapProbs.push(row);
  }
  // Talking agents: the chance the talk ends within the horizon, spread evenly over it (the hazard of a 3-minute
  // talk hardly changes within half a minute), then a whole wrap-up. Rare events: variance ~ mean.
  const talkFree = new Float64Array(steps);
  if (state.talkingElapsedMs.length && (state.observedTalks ?? MIN_TALKS_OBSERVED) >= MIN_TALKS_OBSERVED) {
    const talk = CdfTable.of(state.talk, 1_000, Math.max(6 * state.talk.meanMs, 600_000));
    let endsPerStep = 0;
    for (const e of state.talkingElapsedMs) {
      const s = 1 - talk.at(e);
      endsPerStep += s < 1e-9 ? 1 / steps : (talk.at(e + steps * STEP_MS) - (1 - s)) / s / steps;
    }
    for (let j = 0; j < steps; j++) {
      let f = 0;
      for (let i = 0; i <= j; i++) f += wrap.at((j - i + 0.5) * STEP_MS);
      freeMean[j] += endsPerStep * f;
      freeVar[j] += endsPerStep * f;
      talkFree[j] = endsPerStep * f;
    }
  }
  let exact: Forecast['exact'];
  if (exactOn) {
    const answerPmf: Float64Array[] = [];
    const freePmf: Float64Array[] = [];
    for (let j = 0; j < steps; j++) {
      answerPmf.push(poissonBinomial(ringProbs.map((r) => r[j]), 0));
      freePmf.push(poissonBinomial(wrapProbs.map((r) => r[j]), talkFree[j]));
    }
    exact = { waiting: state.answeredWaiting, ready: state.readyAgents, answerPmf, freePmf };
  }
  return { steps, answersMean, answersVar, freeMean, freeVar, newAnswerCdf, p, pRelVar, exact };
}

/** Distribution of a sum of independent Bernoulli(probs) plus a Poisson(poissonMean) (tail below 1e-12 dropped). */
function poissonBinomial(probs: number[], poissonMean: number): Float64Array {
  let pmf: Float64Array = new Float64Array([1]);
  for (const q of probs) {
    if (q <= 1e-12) continue;
    const next = new Float64Array(pmf.length + 1);
    for (let i = 0; i < pmf.length; i++) {
      next[i] += pmf[i] * (1 - q);
      next[i + 1] += pmf[i] * q;
    }
    pmf = next;
  }
  if (poissonMean > 1e-9) {
    const terms: number[] = [];
    let t = Math.exp(-poissonMean);
    for (let i = 0; i < 60 && (i <= poissonMean || t > 1e-12); i++) {
      terms.push(t);
      t *= poissonMean / (i + 1);
    }
    pmf = convolve(pmf, Float64Array.from(terms));
  }
  return pmf;
}

function convolve(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length - 1);
  for (let i = 0; i < a.length; i++) {
    if (a[i] < 1e-14) continue;
    for (let j = 0; j < b.length; j++) out[i + j] += a[i] * b[j];
  }
  return out;
}

function binomialPmf(n: number, q: number): Float64Array {
  const pmf = new Float64Array(n + 1);
  pmf[0] = (1 - q) ** n;
  for (let i = 1; i <= n; i++) pmf[i] = q >= 1 ? (i === n ? 1 : 0) : (pmf[i - 1] * (n - i + 1) * q) / (i * (1 - q));
  return pmf;
}

/** P(waiting + answers + newBefore >= ready + free), all exact distributions. */
function exactDeficitChance(ex: NonNullable<Forecast['exact']>, j: number, g: number, newBefore: Float64Array): number {
  const answers = convolve(ex.answerPmf[j], newBefore);
  // tail[i] = P(answers >= i)
  const tail = new Float64Array(answers.length + 1);
  for (let i = answers.length - 1; i >= 0; i--) tail[i] = tail[i + 1] + answers[i];
  const free = ex.freePmf[g];
  let chance = 0;
  for (let f = 0; f < free.length; f++) {
    const need = Math.max(0, ex.ready + f - ex.waiting);
    if (need < tail.length) chance += free[f] * tail[need];
  }
  return chance;
}

/**
 * Chance that the k-th new call launched now, if a person answers it, finds no agent within the grace: the answers
 * before it (calls in flight and the k - 1 new calls before it) use up every agent free by its answer + grace.
 * Normal approximation of (answers before - agents free) with a continuity correction; abandoned calls are counted
 * as if they had taken an agent, which errs on the safe side.
 */
export function marginalAbandonRisk(fc: Forecast, k: number, graceSteps: number): number {
  const last = fc.steps - 1;
  const total = fc.newAnswerCdf[last];
  if (total <= 0) return 0;
  let risk = 0;
  let prev = 0;
  for (let j = 0; j < fc.steps; j++) {
    const w = fc.newAnswerCdf[j] - prev;
    prev = fc.newAnswerCdf[j];
    if (w <= 1e-9) continue;
    const g = Math.min(last, j + graceSteps);
    const b = fc.p * fc.newAnswerCdf[j];
    const mean = fc.answersMean[j] + (k - 1) * b - fc.freeMean[g];
    const fromNew = (k - 1) * b;
    const variance = fc.answersVar[j] + (k - 1) * b * (1 - b) + fromNew * fromNew * fc.pRelVar + fc.freeVar[g];
    if (fc.exact) {
      risk += (w / total) * exactDeficitChance(fc.exact, j, g, binomialPmf(k - 1, b));
      continue;
    }
    risk += (w / total) * (variance < 1e-9 ? (mean > -0.5 ? 1 : 0) : normCdf((mean + 0.5) / Math.sqrt(variance)));
  }
  return risk;
}
