import { decideDials } from './pacing-engine';
import { PacingPolicy } from './pacing.types';
import { pacingState } from './pacing-state.fixture';

const policy: PacingPolicy = { mode: 'predictive', abandonTargetPct: 3, maxLinesPerAgent: 3, warmupAnsweredCalls: 30 };

const state = pacingState;

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

  it('slows down as the last hour uses up its abandon budget, and stops dialing ahead before one more abandon could break the cap', () => {
    const busy = { readyAgents: 4, talkingElapsedMs: Array(20).fill(60_000) };
    const withHour = (abandoned: number) => decideDials(state({ ...busy, abandons: { ...state().abandons, lastHour: { abandoned, answered: 400 } } }), policy);
    const ample = withHour(2);
    const tight = withHour(9);
    expect(ample.reason).toBe('predictive');
    expect(tight.allowedAbandonRate).toBeLessThan(ample.allowedAbandonRate / 5);
    expect(tight.launch).toBeLessThan(ample.launch);
    // 11 of 400 is 2.75%: a twelfth abandon would be 3%.
    expect(withHour(11)).toMatchObject({ launch: 4, reason: 'abandon_cap_guard' });
  });

  it('also guards the 30-day window (US rule) even when the last hour is clean', () => {
    const d = decideDials(
      state({ readyAgents: 4, talkingElapsedMs: Array(20).fill(60_000), abandons: { lastHour: { abandoned: 0, answered: 400 }, last24h: { abandoned: 0, answered: 3000 }, last30d: { abandoned: 2690, answered: 90_000 } } }),
      policy,
    );
    expect(d.reason).toBe('abandon_cap_guard');
  });

  it('small team: with 3 abandons among 140 answers this hour it dials no call ahead (a 4th could break 3% as the hour rolls on)', () => {
    const small = { readyAgents: 1, wrapUpElapsedMs: [20_000, 25_000, 28_000], talkingElapsedMs: Array(6).fill(150_000), observedAnswers: 500 };
    const at = (abandoned: number) =>
      decideDials(state({ ...small, abandons: { lastHour: { abandoned, answered: 140 }, last24h: { abandoned, answered: 900 }, last30d: { abandoned: 20, answered: 9000 } } }), policy);
    expect(at(0).allowedAbandonRate).toBeGreaterThan(0.005);
    expect(at(2).allowedAbandonRate).toBeLessThan(at(0).allowedAbandonRate / 5);
    expect(at(3)).toMatchObject({ launch: 1, reason: 'abandon_cap_guard' });
  });

  it("a new campaign's first hour is judged by the answers it has, not by those the team may still take", () => {
    const team = { readyAgents: 2, wrapUpElapsedMs: [20_000, 25_000, 28_000], talkingElapsedMs: Array(5).fill(150_000) };
    // 1 abandon in 25 answers is 4% if the campaign stops now (its 24 h and 30 day rates would be 4%): no dialing ahead,
    // although 10 agents could answer ~170 calls by the end of the hour.
    const hour = { abandoned: 1, answered: 25 };
    const young = decideDials(state({ ...team, abandons: { lastHour: hour, last24h: hour, last30d: hour } }), policy);
    expect(young.reason).toBe('abandon_cap_guard');
    // With answers enough to absorb the next abandon, it dials ahead again.
    const grown = { abandoned: 1, answered: 250 };
    const later = decideDials(state({ ...team, abandons: { lastHour: grown, last24h: grown, last30d: grown } }), policy);
    expect(later.reason).not.toBe('abandon_cap_guard');
    expect(later.allowedAbandonRate).toBeGreaterThan(0);
  });

  it('takes the chance of each ringing call from its ring time: calls ringing 20 s will hardly be answered any more', () => {
    const talking = Array(20).fill(60_000);
    const fresh = decideDials(state({ readyAgents: 4, talkingElapsedMs: talking, ringingElapsedMs: Array(12).fill(1_000) }), policy);
    const stale = decideDials(state({ readyAgents: 4, talkingElapsedMs: talking, ringingElapsedMs: Array(12).fill(20_000) }), policy);
    expect(stale.launch).toBeGreaterThan(fresh.launch);
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
