import { Rng } from './random';
import { DEFAULT_CARRIER_PROFILE, SimulatedCarrier } from './simulated-carrier';
import { VirtualTimers } from './timers';

function run(n: number, humanAnswerRate: number) {
  const timers = new VirtualTimers();
  const carrier = new SimulatedCarrier(timers, new Rng(42), { ...DEFAULT_CARRIER_PROFILE, humanAnswerRate });
  const results: Record<string, number> = {};
  const codes = new Set<number | null>();
  for (let i = 0; i < n; i++) {
    void carrier.dial({ callId: `c${i}`, campaignId: 'x', to: '+15550000000', callerId: null, gatewayId: null, ringTimeoutMs: 25_000 }, {
      onRinging: () => undefined,
      onAnswered: (_at, type) => {
        results[type] = (results[type] ?? 0) + 1;
        void carrier.hangup(`c${i}`);
      },
      onFailed: (_at, r, code) => {
        results[r] = (results[r] ?? 0) + 1;
        codes.add(code);
      },
      onEnded: () => undefined,
    });
  }
  timers.runUntil(60_000);
  return { results, codes, live: carrier.liveCalls().length };
}

describe('simulated carrier', () => {
  it('answers about the configured share of calls by a person, the rest by fate with SIP codes', () => {
    const { results, codes, live } = run(4000, 0.3);
    expect(results.human / 4000).toBeGreaterThan(0.26);
    expect(results.human / 4000).toBeLessThan(0.32); // a few people answer after the 25 s ring timeout
    expect(results.machine / 4000).toBeGreaterThan(0.12);
    expect(results.busy / 4000).toBeGreaterThan(0.06);
    expect(results.no_answer).toBeGreaterThan(0);
    expect([...codes].sort()).toEqual([404, 486, 487, 503]);
    expect(live).toBe(0);
  });

  it('places a call only once sendAfter resolves, and cancels it when sendAfter rejects', async () => {
    const timers = new VirtualTimers();
    const carrier = new SimulatedCarrier(timers, new Rng(7), { ...DEFAULT_CARRIER_PROFILE, humanAnswerRate: 1 });
    const seen: string[] = [];
    const events = {
      onRinging: () => void seen.push('ringing'), onAnswered: () => void seen.push('answered'),
      onFailed: (_at: Date, r: string) => void seen.push(`failed ${r}`), onEnded: () => void seen.push('ended'),
    };
    let commit!: () => void;
    const committed = new Promise<void>((r) => (commit = r));
    const req = { callId: 'a', campaignId: 'x', to: '+15550000000', callerId: null, gatewayId: null, ringTimeoutMs: 25_000 };
    const dialled = carrier.dial({ ...req, sendAfter: committed }, events);
    timers.runUntil(60_000);
    expect(seen).toEqual([]); // nothing happens on the line before the commit
    commit();
    await dialled;
    timers.runUntil(120_000);
    expect(seen[0]).toBe('ringing');
    await carrier.dial({ ...req, callId: 'b', sendAfter: Promise.reject(new Error('db down')) }, events);
    expect(seen[seen.length - 1]).toBe('failed cancelled');
  });

  it('replays the same shift from the same seed', () => {
    expect(run(500, 0.25).results).toEqual(run(500, 0.25).results);
  });

  it('ends a bridged call after the talk time, reporting who hung up', async () => {
    const timers = new VirtualTimers();
    const carrier = new SimulatedCarrier(timers, new Rng(1), { ...DEFAULT_CARRIER_PROFILE, humanAnswerRate: 1, machineRate: 0 });
    const ended: string[] = [];
    await carrier.dial({ callId: 'a', campaignId: 'x', to: '+15550000000', callerId: null, gatewayId: null, ringTimeoutMs: 120_000 }, {
      onRinging: () => undefined,
      onAnswered: () => void carrier.bridge('a', 'agent-1'),
      onFailed: () => ended.push('failed'),
      onEnded: (_at, by) => ended.push(by),
    });
    timers.runUntil(3_600_000);
    expect(ended).toEqual(['customer']);
  });
});
