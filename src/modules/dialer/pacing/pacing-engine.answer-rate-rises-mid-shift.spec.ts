import { simulateShift } from '../simulation/shift-simulation';

/** The dangerous drift: answers jump from 12% to 30%, so calls dialled at the old rate answer in a burst. */
describe('pacing engine: answer rate rises mid-shift', () => {
  const answerRate = (f: number) => (f < 0.5 ? 0.12 : 0.3);

  it.each([
    [10, 1, 8],
    [50, 2, 8],
    [200, 1, 3],
  ])('holds the 3%% cap in every 1-hour window with %i agents (seed %i, %i h)', (agents, seed, hours) => {
    const r = simulateShift({ agents, hours, mode: 'predictive', seed, answerRate });
    expect(r.worstHourAbandonRate).toBeLessThanOrEqual(0.03);
    expect(r.abandoned).toBeGreaterThan(0); // it did dial ahead, not just progressively
  });

  it('dials less per free agent after the rise', () => {
    const r = simulateShift({ agents: 50, hours: 8, mode: 'predictive', seed: 4, answerRate });
    const mean = (from: number, to: number) => {
      const s = r.samples.filter((x) => x.minute >= from && x.minute < to);
      return s.reduce((a, x) => a + x.ringing, 0) / s.length;
    };
    expect(mean(300, 480)).toBeLessThan(mean(60, 240) * 0.6);
  });
});
