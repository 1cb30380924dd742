/**
 * The numbers a centre lives by (../shared/DOMAIN.md, "KPIs"), from counted calls and timed agent states. Pure: the
 * report service sums the rows, this turns sums into rates and averages, with one definition for every consumer.
 */

/** Sums over a period for a campaign, or for one agent in it. Seconds are clipped to the period. */
export interface KpiTotals {
  /** Calls placed (a dial was sent). */
  attempts: number;
  humanAnswered: number;
  machineAnswered: number;
  abandoned: number;
  /** Calls joined to an agent. */
  handled: number;
  /** Handled calls that have ended: the base of the handle-time averages. */
  handledEnded: number;
  /** Connect to hang-up of the ended handled calls (hold included). */
  talkS: number;
  /** Hang-up to disposition of the ended handled calls. */
  wrapUpS: number;
  /** Handled calls whose outcome is a success outcome of the campaign. */
  conversions: number;
  /** Agent time by state from agent_state_events: ready, reserved, on_call, on_hold, wrap_up, paused. */
  stateS: Partial<Record<'ready' | 'reserved' | 'on_call' | 'on_hold' | 'wrap_up' | 'paused', number>>;
  /** Paused seconds by reason code ('' when none was given). */
  pausedByReason: Record<string, number>;
}

export interface Kpis {
  attempts: number;
  humanAnswered: number;
  machineAnswered: number;
  abandoned: number;
  handled: number;
  conversions: number;
  /** human-answered / attempts */
  contactRate: number;
  /** abandoned / human-answered */
  abandonRate: number;
  /** conversions / handled */
  conversionRate: number;
  /** talk seconds / ended handled calls */
  averageTalkS: number;
  /** ACW: wrap-up seconds / ended handled calls */
  averageWrapUpS: number;
  /** AHT: (talk + hold + wrap-up) seconds / ended handled calls */
  averageHandleS: number;
  /** logged in (any state but logged out), paused included */
  loggedInS: number;
  pausedS: number;
  pausedByReason: Record<string, number>;
  /** (on call + on hold + wrap-up) / (logged in - paused) */
  occupancy: number;
  /** (on call + on hold) minutes / logged-in hours */
  talkMinutesPerAgentHour: number;
  /** handled calls / logged-in hours */
  callsPerAgentHour: number;
  /** ready + reserved seconds / handled calls: how long an agent waited for each call */
  averageWaitS: number;
}

const ratio = (a: number, b: number): number => (b > 0 ? a / b : 0);
const round = (x: number, digits: number): number => Number(x.toFixed(digits));

export function computeKpis(t: KpiTotals): Kpis {
  const s = (k: keyof KpiTotals['stateS']) => t.stateS[k] ?? 0;
  const pausedS = s('paused');
  const loggedInS = s('ready') + s('reserved') + s('on_call') + s('on_hold') + s('wrap_up') + pausedS;
  const talkingS = s('on_call') + s('on_hold');
  const loggedInH = loggedInS / 3600;
  return {
    attempts: t.attempts,
    humanAnswered: t.humanAnswered,
    machineAnswered: t.machineAnswered,
    abandoned: t.abandoned,
    handled: t.handled,
    conversions: t.conversions,
    contactRate: round(ratio(t.humanAnswered, t.attempts), 4),
    abandonRate: round(ratio(t.abandoned, t.humanAnswered), 4),
    conversionRate: round(ratio(t.conversions, t.handled), 4),
    averageTalkS: round(ratio(t.talkS, t.handledEnded), 1),
    averageWrapUpS: round(ratio(t.wrapUpS, t.handledEnded), 1),
    averageHandleS: round(ratio(t.talkS + t.wrapUpS, t.handledEnded), 1),
    loggedInS: round(loggedInS, 1),
    pausedS: round(pausedS, 1),
    pausedByReason: Object.fromEntries(Object.entries(t.pausedByReason).map(([k, v]) => [k, round(v, 1)])),
    occupancy: round(ratio(talkingS + s('wrap_up'), loggedInS - pausedS), 4),
    talkMinutesPerAgentHour: round(ratio(talkingS / 60, loggedInH), 2),
    callsPerAgentHour: round(ratio(t.handled, loggedInH), 2),
    averageWaitS: round(ratio(s('ready') + s('reserved'), t.handled), 1),
  };
}

export const emptyTotals = (): KpiTotals => ({
  attempts: 0, humanAnswered: 0, machineAnswered: 0, abandoned: 0, handled: 0, handledEnded: 0, talkS: 0, wrapUpS: 0, conversions: 0,
  stateS: {}, pausedByReason: {},
});
