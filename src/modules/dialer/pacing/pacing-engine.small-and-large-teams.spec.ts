import { simulateShift } from '../simulation/shift-simulation';

describe('pacing engine: whole shifts for small and large teams', () => {
  it.each([
    [10, 0.25, 8],
    [200, 0.15, 2],
  ])('%i agents at %f answer rate: cap held, more talk than progressive', (agents, answerRate, hours) => {
    const pred = simulateShift({ agents, hours, mode: 'predictive', seed: 11, answerRate });
    const prog = simulateShift({ agents, hours, mode: 'progressive', seed: 11, answerRate });
    expect(pred.worstHourAbandonRate).toBeLessThanOrEqual(0.03);
    expect(pred.talkMinutesPerAgentHour).toBeGreaterThan(prog.talkMinutesPerAgentHour);
    expect(pred.occupancy).toBeLessThanOrEqual(1);
  });

  it('preview mode launches nothing on its own', () => {
    const r = simulateShift({ agents: 5, hours: 1, mode: 'preview', seed: 1, answerRate: 0.3 });
    expect(r.attempts).toBe(0);
  });
});
