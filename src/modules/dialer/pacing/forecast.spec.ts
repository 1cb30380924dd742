import { forecast, marginalAbandonRisk } from './forecast';
import { PacingState } from './pacing.types';
import { pacingState } from './pacing-state.fixture';

const NO_ABANDONS = { abandoned: 0, answered: 0 };
function state(over: Partial<PacingState> = {}): PacingState {
  return pacingState({ machineRate: 0.15, abandons: { lastHour: NO_ABANDONS, last24h: NO_ABANDONS, last30d: NO_ABANDONS }, ...over });
}

describe('pacing forecast', () => {
  it('small team: one Ready agent and nothing in flight, the first call cannot be abandoned, the second can', () => {
    const fc = forecast(state({ readyAgents: 1, wrapUpElapsedMs: [5_000], talkingElapsedMs: Array(8).fill(100_000) }), 27_000, 300);
    expect(fc.exact).toBeDefined();
    expect(marginalAbandonRisk(fc, 1, 1)).toBe(0);
    // The second call is abandoned only if the first was answered first by a person and no wrap-up ended in time.
    const second = marginalAbandonRisk(fc, 2, 1);
    expect(second).toBeGreaterThan(0.02);
    expect(second).toBeLessThan(0.25);
  });

  it('a wrap-up 28 s in frees its agent within seconds; one 2 s in does not', () => {
    const late = forecast(state({ wrapUpElapsedMs: [28_000] }), 20_000, 300);
    const early = forecast(state({ wrapUpElapsedMs: [2_000] }), 20_000, 300);
    expect(late.freeMean[9]).toBeGreaterThan(0.4);
    expect(early.freeMean[9]).toBeLessThan(0.05);
  });

  it('a call ringing for 20 s is far less likely to be answered by a person than one just placed', () => {
    const fc = (e: number) => forecast(state({ ringingElapsedMs: [e] }), 27_000, 300);
    expect(fc(1_000).answersMean[26]).toBeGreaterThan(0.2);
    expect(fc(20_000).answersMean[26]).toBeLessThan(0.05);
  });

  it('large teams use the normal approximation, and it agrees with the exact one on a mid-sized case', () => {
    const busy = { readyAgents: 3, wrapUpElapsedMs: [10_000, 15_000, 20_000, 25_000], talkingElapsedMs: Array(20).fill(90_000), ringingElapsedMs: Array(12).fill(3_000) };
    const exact = forecast(state(busy), 27_000, 300);
    const normal = { ...exact, exact: undefined };
    for (const k of [1, 4, 8]) {
      expect(Math.abs(marginalAbandonRisk(exact, k, 1) - marginalAbandonRisk(normal, k, 1))).toBeLessThan(0.05);
    }
    expect(forecast(state({ ...busy, talkingElapsedMs: Array(60).fill(90_000) }), 27_000, 300).exact).toBeUndefined();
  });

  it('works on a hundredfold shorter time scale (the integration tests shrink every duration)', () => {
    const scaled = state({
      answerDelay: { meanMs: 90, sdMs: 40 },
      talk: { meanMs: 1_800, sdMs: 900 },
      wrapUp: { meanMs: 300, sdMs: 100 },
      wrapUpElapsedMs: [290, 20],
      ringingElapsedMs: [10, 200],
    });
    const fc = forecast(scaled, 2_300, 300);
    expect(fc.freeMean[0]).toBeGreaterThan(1.5); // both wrap-ups end within the first second
    expect(fc.answersMean[0]).toBeGreaterThan(0.2); // the fresh call is answered (or not) within a second
    expect(fc.newAnswerCdf[0]).toBeGreaterThan(0.99);
  });
});
