import { PacingState } from './pacing.types';

/** A campaign's live state for pacing specs: 1,000 attempts observed, the simulator's time distributions. */
export function pacingState(over: Partial<PacingState> = {}): PacingState {
  return {
    readyAgents: 0,
    talkingElapsedMs: [],
    wrapUpElapsedMs: [],
    ringingElapsedMs: [],
    answeredWaiting: 0,
    humanAnswerRate: 0.25,
    machineRate: 0.1,
    observedAttempts: 1000,
    observedAnswers: 250,
    answerDelay: { meanMs: 9_000, sdMs: 4_000 },
    talk: { meanMs: 180_000, sdMs: 90_000 },
    wrapUp: { meanMs: 30_000, sdMs: 10_000 },
    abandons: { lastHour: { abandoned: 2, answered: 400 }, last24h: { abandoned: 10, answered: 3000 }, last30d: { abandoned: 100, answered: 90_000 } },
    ...over,
  };
}
