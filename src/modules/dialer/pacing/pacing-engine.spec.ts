import { decideDials } from './pacing-engine';
import { PacingPolicy, PacingState } from './pacing.types';

const policy: PacingPolicy = { mode: 'predictive', abandonTargetPct: 3, maxLinesPerAgent: 3, warmupAnsweredCalls: 30 };

function state(over: Partial<PacingState> = {}): PacingState {
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

describe('decideDials', () => {
  it('never dials in preview mode: the agent clicks', () => {
    const d = decideDials(state({ readyAgents: 10 }), { ...policy, mode: 'preview' });
    expect(d).toMatchObject({ launch: 0, reason: 'preview_mode' });
  });

  it('dials nothing without agents logged in', () => {
    expect(decideDials(state(), policy)).toMatchObject({ launch: 0, reason: 'no_agents' });
  });

  it('progressive: one call per free agent minus calls already in flight', () => {
    const d = decideDials(state({ readyAgents: 5, ringingElapsedMs: [1_000, 2_000], talkingElapsedMs: [10_000] }), { ...policy, mode: 'progressive' });
    expect(d).toMatchObject({ launch: 3, reason: 'progressive' });
  });

  it('predictive starts cautious (progressive) until enough answered calls are observed', () => {
    const d = decideDials(state({ readyAgents: 4, observedAnswers: 10 }), policy);
    expect(d).toMatchObject({ launch: 4, reason: 'warming_up' });
  });

  it('predictive dials ahead: more calls than free agents at a 25% answer rate, fewer at 60%', () => {
    const low = decideDials(state({ readyAgents: 4, talkingElapsedMs: Array(20).fill(60_000) }), policy);
    expect(low.reason).toBe('predictive');
    expect(low.launch).toBeGreaterThan(4);
    const high = decideDials(state({ readyAgents: 4, talkingElapsedMs: Array(20).fill(60_000), humanAnswerRate: 0.6 }), policy);
    expect(high.launch).toBeLessThan(low.launch);
    expect(low.predictedAbandonRate).toBeLessThanOrEqual(low.allowedAbandonRate);
  });

  it('counts agents about to finish wrap-up as soon free', () => {
    const none = decideDials(state({ readyAgents: 0, wrapUpElapsedMs: Array(10).fill(1_000), talkingElapsedMs: Array(20).fill(60_000) }), policy);
    const soon = decideDials(state({ readyAgents: 0, wrapUpElapsedMs: Array(10).fill(28_000), talkingElapsedMs: Array(20).fill(60_000) }), policy);
    expect(soon.launch).toBeGreaterThan(none.launch);
    expect(soon.expectedFreeAgents).toBeGreaterThan(5);
  });

  it('launches nothing more while calls already in flight will cover the free agents', () => {
    const d = decideDials(state({ readyAgents: 2, ringingElapsedMs: Array(30).fill(2_000), talkingElapsedMs: Array(20).fill(60_000) }), policy);
    expect(d.launch).toBe(0);
  });

  it('backs off to progressive when the last hour nears the cap', () => {
    const d = decideDials(
      state({ readyAgents: 4, talkingElapsedMs: Array(20).fill(60_000), abandons: { ...state().abandons, lastHour: { abandoned: 9, answered: 400 } } }),
      policy,
    );
    expect(d).toMatchObject({ launch: 4, reason: 'abandon_cap_guard' });
  });

  it('also guards the 30-day window (US rule) even when the last hour is clean', () => {
    const d = decideDials(
      state({ readyAgents: 4, talkingElapsedMs: Array(20).fill(60_000), abandons: { lastHour: { abandoned: 0, answered: 400 }, last24h: { abandoned: 0, answered: 3000 }, last30d: { abandoned: 2600, answered: 90_000 } } }),
      policy,
    );
    expect(d.reason).toBe('abandon_cap_guard');
  });

  it("never launches more in one decision than the trunk's calls-per-second limit allows", () => {
    const many = state({ readyAgents: 40, talkingElapsedMs: Array(10).fill(60_000) });
    expect(decideDials(many, policy).launch).toBeGreaterThan(5);
    expect(decideDials(many, { ...policy, maxLaunchPerDecision: 5 }).launch).toBe(5);
    expect(decideDials(many, { ...policy, mode: 'progressive', maxLaunchPerDecision: 5 }).launch).toBe(5);
  });

  it('holds the line cap per agent', () => {
    const d = decideDials(state({ readyAgents: 2, humanAnswerRate: 0.02 }), { ...policy, maxLinesPerAgent: 2 });
    expect(d.launch).toBe(4);
    expect(d.reason).toBe('line_cap');
  });
});
