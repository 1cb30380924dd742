import { computeKpis, emptyTotals } from './kpi';

describe('computeKpis', () => {
  it('turns an agent-hour of records into the centre\'s KPIs', () => {
    // One hour logged in: 10 min paused (8 break + 2 no reason), 30 min on calls, 5 min on hold, 10 min wrap-up, 5 min ready.
    const k = computeKpis({
      ...emptyTotals(),
      attempts: 40, humanAnswered: 10, machineAnswered: 6, abandoned: 1, handled: 9, handledEnded: 8,
      talkS: 8 * 240, wrapUpS: 8 * 60, conversions: 3,
      stateS: { paused: 600, on_call: 1800, on_hold: 300, wrap_up: 600, ready: 300 },
      pausedByReason: { break: 480, '': 120 },
    });
    expect(k).toMatchObject({
      contactRate: 0.25, abandonRate: 0.1, conversionRate: 0.3333,
      averageTalkS: 240, averageWrapUpS: 60, averageHandleS: 300,
      loggedInS: 3600, pausedS: 600, pausedByReason: { break: 480, '': 120 },
      occupancy: 0.9, talkMinutesPerAgentHour: 35, callsPerAgentHour: 9, averageWaitS: 33.3,
    });
  });

  it('gives 0, not NaN or Infinity, when nothing happened', () => {
    const k = computeKpis(emptyTotals());
    for (const v of Object.values(k)) if (typeof v === 'number') expect(v).toBe(0);
  });
});
