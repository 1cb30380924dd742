import { simulateShift } from '../simulation/shift-simulation';

/** 50 agents, 8 hours: half the shift at 30% human answers, then 12% (a list of worse numbers comes up). */
describe('pacing engine: answer rate drops mid-shift', () => {
  const answerRate = (f: number) => (f < 0.5 ? 0.3 : 0.12);

  it.each([1, 2])('keeps every 1-hour window under 3%% and beats progressive (seed %i)', (seed) => {
    const predictive = simulateShift({ agents: 50, hours: 8, mode: 'predictive', seed, answerRate });
    const progressive = simulateShift({ agents: 50, hours: 8, mode: 'progressive', seed, answerRate });
    expect(predictive.worstHourAbandonRate).toBeLessThanOrEqual(0.03);
    expect(progressive.abandoned).toBe(0);
    expect(predictive.talkMinutesPerAgentHour).toBeGreaterThan(progressive.talkMinutesPerAgentHour * 1.2);
    // The second half still runs near the ceiling: the pacer followed the lower rate instead of starving agents.
    expect(predictive.talkMinutesPerAgentHour).toBeGreaterThan(0.85 * predictive.ceilingTalkMinutesPerAgentHour);
  });

  it('sees the drop within minutes: the estimate is near 12% ten minutes after the change', () => {
    const r = simulateShift({ agents: 50, hours: 8, mode: 'predictive', seed: 5, answerRate });
    const at = (minute: number) => r.samples.find((s) => s.minute === minute)!.answerRateEstimate;
    expect(at(235)).toBeGreaterThan(0.25);
    expect(at(250)).toBeLessThan(0.16);
  });
});
