import { expectedPositivePart, lognormCdf, probEndsWithin } from './distributions';
import { DialDecision, PacingPolicy, PacingState } from './pacing.types';

const DEFAULT_GRACE_MS = 2_000;
/**
 * The model's risk (a normal approximation over one horizon) understates realized abandons two to three times
 * (answers and free agents are not aligned within the horizon; the answer rate is an estimate), so it aims at a
 * small share of the cap; the guards below then hold the observed windows. Tuned on the simulator (bench/pacing).
 */
const DEFAULT_AIM_FRACTION = 0.15;
/** Guards start to bite at this share of the cap and reach zero risk (progressive) at GUARD_STOP. */
const GUARD_STOP = 0.92;
/** Below this many answered calls in a window its rate is too noisy to steer by (the next wider window decides). */
const MIN_ANSWERS_FOR_WINDOW = 20;

/**
 * How many calls to launch now, and why. Called about once a second per campaign.
 *
 * Predictive model: a call launched now is answered (if at all) after about answerDelay; it must then find an agent
 * within the 2 s grace (47 CFR 64.1200(a)(7)(i)). Over that horizon H the pacer forecasts
 *   X = answers: the ones waiting now + each ringing call's chance of still being answered + p per new call,
 *   A = agents free: Ready ones + each wrap-up/talking agent's chance of finishing within H (log-normal durations),
 * approximates X - A as normal and launches the largest k whose expected abandons E[(X - A)+] stay within the
 * allowed share of E[X]. The allowed share is a fraction of the cap, cut down to zero (progressive) as the observed
 * abandon rate of the last hour, 24 h or 30 days nears the cap, so every rolling window holds the cap.
 */
export function decideDials(state: PacingState, policy: PacingPolicy): DialDecision {
  const ringing = state.ringingElapsedMs.length;
  const staffed = state.readyAgents + state.talkingElapsedMs.length + state.wrapUpElapsedMs.length;
  const lineRoom = Math.max(0, Math.floor(policy.maxLinesPerAgent * staffed) - ringing);
  const maxBurst = policy.maxLaunchPerDecision ?? Number.POSITIVE_INFINITY;
  const progressive = Math.min(lineRoom, maxBurst, Math.max(0, state.readyAgents - ringing - state.answeredWaiting));
  const base = {
    dialLevel: state.readyAgents > 0 ? (ringing + progressive) / state.readyAgents : 0,
    expectedAnswers: 0,
    expectedFreeAgents: state.readyAgents,
    predictedAbandonRate: 0,
    allowedAbandonRate: 0,
  };

  if (policy.mode === 'preview') return { ...base, launch: 0, dialLevel: 0, reason: 'preview_mode', detail: 'preview: agents dial themselves' };
  if (staffed === 0) return { ...base, launch: 0, dialLevel: 0, reason: 'no_agents', detail: 'no agent logged in' };
  if (policy.mode === 'progressive') {
    return { ...base, launch: progressive, reason: 'progressive', detail: `${state.readyAgents} ready, ${ringing} in flight` };
  }
  if (state.observedAnswers < policy.warmupAnsweredCalls || state.humanAnswerRate <= 0) {
    return {
      ...base, launch: progressive, reason: 'warming_up',
      detail: `${state.observedAnswers}/${policy.warmupAnsweredCalls} answered calls observed; dialing progressively`,
    };
  }

  const cap = Math.min(policy.abandonTargetPct, 3) / 100;
  const aim = cap * (policy.aimFraction ?? DEFAULT_AIM_FRACTION);
  const allowed = aim * guardFactor(state, cap, aim);
  if (allowed <= aim * 0.05) {
    return {
      ...base, launch: progressive, reason: 'abandon_cap_guard',
      detail: `abandon rate near the ${(cap * 100).toFixed(1)}% cap (1 h ${pct(state.abandons.lastHour)}, 24 h ${pct(state.abandons.last24h)}); dialing progressively`,
    };
  }

  const p = state.humanAnswerRate;
  const horizon = state.answerDelay.meanMs + (policy.abandonGraceMs ?? DEFAULT_GRACE_MS);

  // Agents free within the horizon.
  let freeMean = state.readyAgents;
  let freeVar = 0;
  for (const e of state.wrapUpElapsedMs) {
    const f = probEndsWithin(state.wrapUp, e, horizon);
    freeMean += f;
    freeVar += f * (1 - f);
  }
  const talkWindow = horizon - state.wrapUp.meanMs;
  if (talkWindow > 0) {
    for (const e of state.talkingElapsedMs) {
      const g = probEndsWithin(state.talk, e, talkWindow);
      freeMean += g;
      freeVar += g * (1 - g);
    }
  }

  // Answers expected from calls already in flight: a ringing call's chance of a human answer falls as it rings on.
  let ansMean = state.answeredWaiting;
  let ansVar = 0;
  for (const e of state.ringingElapsedMs) {
    const stillPossible = 1 - cdfAnswerDelay(state, e);
    const q = (p * stillPossible) / (p * stillPossible + (1 - p));
    ansMean += q;
    ansVar += q * (1 - q);
  }

  // The answer rate is itself an estimate: its error moves every ringing call's chance together.
  const pRelVar = state.observedAttempts > 0 ? (1 - p) / (p * Math.min(state.observedAttempts, policy.answerRateSpan ?? 300)) : 0;
  const risk = (k: number) => {
    const mx = ansMean + k * p;
    const fromRate = mx - state.answeredWaiting;
    const vx = ansVar + k * p * (1 - p) + fromRate * fromRate * pRelVar;
    const abandons = expectedPositivePart(mx - freeMean, Math.sqrt(vx + freeVar));
    return { rate: mx > 0 ? abandons / Math.max(mx, 1) : 0, mx };
  };

  const limit = Math.min(lineRoom, maxBurst);
  let k = 0;
  while (k < limit && risk(k + 1).rate <= allowed) k++;
  const reason = k < progressive ? 'progressive' : k >= lineRoom && lineRoom < maxBurst ? 'line_cap' : 'predictive';
  const launch = Math.max(k, progressive);
  const chosen = risk(launch);
  return {
    launch,
    reason,
    detail: `p=${p.toFixed(3)} horizon=${Math.round(horizon)}ms answers~${chosen.mx.toFixed(1)} free~${freeMean.toFixed(1)} risk=${(chosen.rate * 100).toFixed(2)}%`,
    dialLevel: (ringing + launch) / Math.max(freeMean, 1),
    expectedAnswers: chosen.mx,
    expectedFreeAgents: freeMean,
    predictedAbandonRate: chosen.rate,
    allowedAbandonRate: allowed,
  };
}

function cdfAnswerDelay(state: PacingState, elapsedMs: number): number {
  return lognormCdf(state.answerDelay, elapsedMs);
}

/** 1 while every window is at or under the aim; falls linearly to 0 as the worst window nears GUARD_STOP x cap. */
function guardFactor(state: PacingState, cap: number, aim: number): number {
  const stop = cap * GUARD_STOP;
  let factor = 1;
  const windows = [state.abandons.lastHour, state.abandons.last24h, state.abandons.last30d];
  for (const w of windows) {
    // Judged as if two more abandons had already happened (calls still ringing may yet abandon): with small
    // teams a single abandon moves the 1-hour rate by most of a percent.
    const rate = (w.abandoned + 2) / Math.max(w.answered, MIN_ANSWERS_FOR_WINDOW);
    if (rate <= aim) continue;
    factor = Math.min(factor, Math.max(0, (stop - rate) / (stop - aim)));
  }
  return factor;
}

function pct(w: { abandoned: number; answered: number }): string {
  return w.answered ? `${((w.abandoned / w.answered) * 100).toFixed(2)}%` : 'n/a';
}
