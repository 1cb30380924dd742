import { expectedPositivePart } from './distributions';
import { Forecast, forecast, marginalAbandonRisk, STEP_MS } from './forecast';
import { AbandonWindow, DialDecision, PacingPolicy, PacingState } from './pacing.types';

const DEFAULT_GRACE_MS = 2_000;
/**
 * Marginal abandon risk allowed per launched call: MAX_RISK while the abandon budget is ample, falling
 * geometrically to MIN_RISK as the budget of the tightest window runs out, and 0 (no dialing ahead) when one more
 * abandon could break the cap. Geometric because throughput grows with the log of the risk (bench/pacing: at 50
 * agents a fixed risk of 0.03% still gives ~90% of the ceiling, 0.5% ~93%, 2% ~94.5%), so a small risk is far better than
 * falling back to progressive dialing, and the budget is best spent steadily.
 */
const MAX_RISK = 0.015;
const MIN_RISK = 0.0003;
/** By default the pacer spends at full risk while a window stays under two thirds of the cap. */
const DEFAULT_AIM_FRACTION = 2 / 3;
/** The room is spread over at least this many abandons, so a small team slows down before its last few. */
const MIN_SPREAD_ABANDONS = 3;
/** Share of the window's answered calls kept in reserve: a fixed 3% plus 1/sqrt(n) for small windows, whose
 * denominator shrinks noticeably when the pacer backs off (fewer answers, same abandons). */
const MARGIN_FIXED = 0.03;
const MARGIN_SQRT = 1;
/** Below this many answered calls a window's rate is not a rate. */
const MIN_ANSWERS_FOR_WINDOW = 20;

/**
 * How many calls to launch now, and why. Called about once a second per campaign.
 *
 * Predictive model (`forecast.ts`): second by second over the next ~25 s it forecasts the human answers of the calls
 * already placed (each ringing call's chance falls as it rings on) and the agents free (Ready now, wrap-ups ending by
 * their elapsed time, talks ending then a whole wrap-up). The k-th new call is placed only if its marginal risk -
 * the chance that, once answered, every agent free by its answer + 2 s grace (47 CFR 64.1200(a)(7)(i)) is taken by
 * the answers before it - stays within the allowed risk. The allowed risk comes from the abandon budget: how many
 * more abandons the last hour (and 24 h, 30 days) can absorb at the cap, counting the ones the calls in flight may
 * still cause, so every rolling window holds the cap, small teams included (one abandon is ~0.7 point an hour
 * for 10 agents).
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

  const grace = policy.abandonGraceMs ?? DEFAULT_GRACE_MS;
  const horizon = Math.min(30_000, lognormQuantile995(state.answerDelay)) + grace;
  const fc = forecast(state, horizon, policy.answerRateSpan ?? 300);
  // An answer inside step j is judged against the agents free by the end of step j + grace - 1 (the safe side).
  const graceSteps = Math.max(1, Math.round(grace / STEP_MS) - 1);
  const inflight = state.answeredWaiting + inflightAbandons(fc);
  const allowed = allowedRisk(state, policy, staffed, inflight);
  if (allowed <= 0) {
    return {
      ...base, launch: progressive, reason: 'abandon_cap_guard',
      detail: `one more abandon could break the ${Math.min(policy.abandonTargetPct, 3).toFixed(1)}% cap (1 h ${pct(state.abandons.lastHour)}, 24 h ${pct(state.abandons.last24h)}, ~${inflight.toFixed(1)} in flight); dialing progressively`,
    };
  }

  const limit = Math.min(lineRoom, maxBurst);
  let k = 0;
  let risk = 0;
  while (k < limit) {
    const next = marginalAbandonRisk(fc, k + 1, graceSteps);
    if (next > allowed) break;
    k++;
    risk = next;
  }
  const reason = k < progressive ? 'progressive' : k >= lineRoom && lineRoom < maxBurst ? 'line_cap' : 'predictive';
  const launch = Math.max(k, progressive);
  const last = fc.steps - 1;
  const expectedAnswers = fc.answersMean[last] + launch * fc.p * fc.newAnswerCdf[last];
  return {
    launch,
    reason,
    detail: `p=${fc.p.toFixed(3)} answers~${expectedAnswers.toFixed(1)} free~${fc.freeMean[last].toFixed(1)} in ${Math.round(horizon / 1000)} s; marginal risk ${(risk * 100).toFixed(2)}% (allowed ${(allowed * 100).toFixed(2)}%)`,
    dialLevel: (ringing + launch) / Math.max(fc.freeMean[last], 1),
    expectedAnswers,
    expectedFreeAgents: fc.freeMean[last],
    predictedAbandonRate: risk,
    allowedAbandonRate: allowed,
  };
}

/**
 * The marginal risk the pacer may take now: the tightest of the 1 h / 24 h / 30 d windows. For each, the room is
 * the abandons it can still absorb at the cap (less a reserve) minus those already counted, those the calls in
 * flight may still cause, and the next one; 0 when there is no room.
 */
function allowedRisk(state: PacingState, policy: PacingPolicy, staffed: number, inflight: number): number {
  const cap = Math.min(policy.abandonTargetPct, 3) / 100;
  const full = cap * (policy.aimFraction ?? DEFAULT_AIM_FRACTION);
  const windows: AbandonWindow[] = [state.abandons.lastHour, state.abandons.last24h, state.abandons.last30d];
  let allowed = MAX_RISK;
  windows.forEach((w) => {
    // Each window is judged by the answers it holds now, never by answers still expected: a campaign may stop (or its
    // agents log off) at any minute, and then its 24 h / 30 day rates are what they are. So a new campaign stays
    // cautious until it has answers enough to absorb an abandon.
    const answered = Math.max(w.answered, MIN_ANSWERS_FOR_WINDOW);
    const absorbable = cap * answered * (1 - MARGIN_FIXED - MARGIN_SQRT / Math.sqrt(answered));
    const room = absorbable - w.abandoned - inflight - 1;
    if (room < 0) {
      allowed = 0;
      return;
    }
    const u = Math.min(1, room / Math.max((cap - full) * answered, MIN_SPREAD_ABANDONS));
    allowed = Math.min(allowed, MIN_RISK * (MAX_RISK / MIN_RISK) ** u);
  });
  return allowed;
}

/** Abandons the calls already placed may still cause: the largest expected shortfall of agents over the horizon. */
function inflightAbandons(fc: Forecast): number {
  let worst = 0;
  for (let j = 0; j < fc.steps; j++) {
    worst = Math.max(worst, expectedPositivePart(fc.answersMean[j] - fc.freeMean[j], Math.sqrt(fc.answersVar[j] + fc.freeVar[j])));
  }
  return worst;
}

/** 99.5th percentile of a (moment-matched) log-normal duration. */
function lognormQuantile995(d: { meanMs: number; sdMs: number }): number {
  const mean = Math.max(d.meanMs, 1);
  const sigma2 = Math.log(1 + Math.max((d.sdMs / mean) ** 2, 1e-4));
  return Math.exp(Math.log(mean) - sigma2 / 2 + 2.576 * Math.sqrt(sigma2));
}

function pct(w: AbandonWindow): string {
  return w.answered ? `${((w.abandoned / w.answered) * 100).toFixed(2)}%` : 'n/a';
}
