import { Logger } from '@nestjs/common';
import { CampaignEntity } from '../../campaigns/campaign.entity';
import { LeadEntity } from '../../leads/lead.entity';
import { CallHandle, DialEvents, DialRequest } from '../../telephony/telephony.port';
import { CallRecordWriter, SqlRunner } from './call-record-writer';
import { CampaignRunner, RunnerDeps } from './campaign-runner';

/**
 * The 2-second abandon rule (47 CFR 64.1200(a)(7)(i)) when a store stalls, on fakes and Jest's clock: a person who
 * answered is put through to an agent within 2 s or gets the abandonment message; an agent found later is given back.
 */

beforeAll(() => Logger.overrideLogger(false));
// GroupCommit batches on a microtask: only the timers and the date are faked.
beforeEach(() => jest.useFakeTimers({ now: new Date('2026-03-02T15:00:00Z'), doNotFake: ['queueMicrotask', 'nextTick', 'setImmediate'] }));
afterEach(() => jest.useRealTimers());

function deferred<T = void>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((res) => (resolve = res));
  return { promise, resolve };
}

const CAMPAIGN = 'c0ffee00-0000-4000-8000-000000000001';

function setup() {
  /** What the person and the agent live through (telephony) and what is recorded, in order, with the fake time. */
  const log: string[] = [];
  const t0 = Date.now();
  const at = (s: string) => log.push(`${((Date.now() - t0) / 1000).toFixed(1)}s ${s}`);
  const stalls: { answered?: Promise<void>; ringing?: Promise<void> } = {};
  const db: SqlRunner & { transaction?: unknown } = {
    async query(sql: string, params: unknown[] = []) {
      if (sql.includes('INSERT INTO calls')) return (params[0] as string[]).map((id) => ({ id }));
      if (sql.includes("SET state = 'answered'")) {
        await stalls.answered;
        at('record:answered');
        return (params[0] as string[]).map((id) => ({ id }));
      }
      if (sql.startsWith('SELECT attempts')) return [{ attempts: 1 }];
      return [];
    },
  };
  let events!: DialEvents;
  const callIds: string[] = [];
  const telephony = {
    name: 'drachtio',
    async dial(req: DialRequest, ev: DialEvents): Promise<CallHandle> {
      events = ev;
      callIds.push(req.callId);
      await req.sendAfter;
      return { callId: req.callId, providerCallId: 'sip-1' };
    },
    bridge: jest.fn(async (_id: string, agentId: string) => void at(`bridge:${agentId}`)),
    abandon: jest.fn(async () => void at('abandon message')),
    hangup: jest.fn(async (_id: string) => undefined),
    ensureAgentLeg: async () => undefined,
    releaseAgentLeg: async () => undefined,
  };
  let takeDelayMs = 0;
  const agents = {
    takeLongestWaiting: jest.fn(async () => {
      if (takeDelayMs) await new Promise((r) => setTimeout(r, takeDelayMs));
      at('agent taken');
      return 'agent-1';
    }),
    get: async (agentId: string) => ({ agentId, state: 'ready', campaignId: CAMPAIGN, since: t0 - 60_000, callId: null }),
    putBack: jest.fn(async (_c: string, agentId: string) => void at(`putBack:${agentId}`)),
    transition: jest.fn(async (agentId: string, state: string) => void at(`agent:${agentId}:${state}`)),
  };
  const calls = {
    transition: jest.fn(async (_id: string, to: string) => {
      if (to === 'ringing') await stalls.ringing;
      at(`record:${to}`);
      return true;
    }),
    complianceEvent: jest.fn(async (e: { type: string; reasonCode?: string }) => void at(`compliance:${e.type}:${e.reasonCode}`)),
    settleLead: async () => undefined,
  };
  const lead = { id: '1', phone: '+12025550141', attempts: 0 } as LeadEntity;
  const deps = {
    db, redis: {}, clock: { now: () => new Date() }, telephony, events: { publish: () => undefined }, workerId: 'w1', tickMs: 1000,
    agents, calls, records: new CallRecordWriter(db, { concurrency: 1 }),
    gate: { check: async (ls: LeadEntity[]) => new Map(ls.map((l) => [l.id, { allowed: true as const }])) },
    leaser: { lease: async () => [lead], releaseUntouched: async () => undefined, releaseBlocked: async () => undefined },
  } as unknown as RunnerDeps;
  const campaign = { id: CAMPAIGN, dialMode: 'progressive', callerId: '+12025550100', gatewayId: null, ringTimeoutS: 25, recordCalls: false, retryRules: null, maxAttempts: 5, maxAttemptsPerDay: 3 } as unknown as CampaignEntity;
  const runner = new CampaignRunner(campaign, deps);
  const launch = async () => {
    await (runner as unknown as { launch(n: number, now: Date): Promise<number> }).launch(1, new Date());
    await jest.advanceTimersByTimeAsync(0);
    log.length = 0;
    return events;
  };
  return { log, runner, callIds, telephony, agents, calls, stalls, launch, setTakeDelay: (ms: number) => (takeDelayMs = ms) };
}

describe('CampaignRunner: a person answers while a store stalls', () => {
  it('Redis hands out an agent only after 5 s: the person gets the message at 2 s, is not connected, and the agent goes back to Ready', async () => {
    const s = setup();
    const ev = await s.launch();
    s.setTakeDelay(5_000);
    ev.onAnswered(new Date(), 'human');
    await jest.advanceTimersByTimeAsync(2_000);
    expect(s.telephony.abandon).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(4_000);
    expect(s.telephony.bridge).not.toHaveBeenCalled();
    expect(s.log).toEqual([
      '0.0s record:answered',
      '2.0s abandon message',
      '2.0s record:abandoned',
      '2.0s compliance:abandon:no_agent_within_2s',
      '5.0s agent taken',
      '5.0s putBack:agent-1', // at the head of the Ready queue again, as when it was taken
    ]);
  });

  it('PostgreSQL takes 10 s to write the answer: the agent is joined at once, the records follow in order', async () => {
    const s = setup();
    const ev = await s.launch();
    const stall = deferred();
    s.stalls.answered = stall.promise;
    ev.onAnswered(new Date(), 'human');
    await jest.advanceTimersByTimeAsync(1_000);
    expect(s.telephony.bridge).toHaveBeenCalledWith(expect.any(String), 'agent-1');
    expect(s.telephony.abandon).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(9_000);
    stall.resolve();
    await jest.advanceTimersByTimeAsync(0);
    expect(s.log).toEqual([
      '0.0s agent taken',
      '0.0s agent:agent-1:reserved',
      '0.0s bridge:agent-1',
      '10.0s record:answered',
      '10.0s record:connected',
      '10.0s agent:agent-1:on_call',
    ]);
  });

  it('a call dialled for its agent (preview Dial, own callback) is joined at once while PostgreSQL takes 10 s to write the answer', async () => {
    const s = setup();
    const ev = await s.launch();
    for (const c of (s.runner as unknown as { live: Map<string, { reservedAgent?: string }> }).live.values()) c.reservedAgent = 'agent-1';
    const stall = deferred();
    s.stalls.answered = stall.promise;
    ev.onAnswered(new Date(), 'human');
    await jest.advanceTimersByTimeAsync(1_000);
    expect(s.telephony.bridge).toHaveBeenCalledWith(expect.any(String), 'agent-1');
    expect(s.agents.takeLongestWaiting).not.toHaveBeenCalled();
    stall.resolve();
    await jest.advanceTimersByTimeAsync(0);
    expect(s.log).toEqual([
      '0.0s agent:agent-1:reserved',
      '0.0s bridge:agent-1',
      '1.0s record:answered',
      '1.0s record:connected',
      '1.0s agent:agent-1:on_call',
    ]);
  });

  it("a call's earlier event still being recorded (ringing, PostgreSQL stalled) does not hold up the answer", async () => {
    const s = setup();
    const ev = await s.launch();
    const stall = deferred();
    s.stalls.ringing = stall.promise;
    ev.onRinging(new Date());
    await jest.advanceTimersByTimeAsync(3_000);
    ev.onAnswered(new Date(), 'human');
    await jest.advanceTimersByTimeAsync(1_000);
    expect(s.telephony.bridge).toHaveBeenCalledWith(expect.any(String), 'agent-1');
    stall.resolve();
    await jest.advanceTimersByTimeAsync(0);
    expect(s.log).toEqual([
      '3.0s agent taken',
      '3.0s agent:agent-1:reserved',
      '3.0s bridge:agent-1',
      '4.0s record:ringing',
      '4.0s record:answered',
      '4.0s record:connected',
      '4.0s agent:agent-1:on_call',
    ]);
  });

  it('the agent cannot be reserved within 2 s (agent state store stalled): abandoned with the message, the agent Ready again', async () => {
    const s = setup();
    const ev = await s.launch();
    const stall = deferred();
    s.agents.transition.mockImplementationOnce(async (agentId: string, state: string) => {
      await stall.promise;
      s.log.push(`late agent:${agentId}:${state}`);
    });
    ev.onAnswered(new Date(), 'human');
    await jest.advanceTimersByTimeAsync(2_500);
    expect(s.telephony.abandon).toHaveBeenCalledTimes(1);
    stall.resolve();
    await jest.advanceTimersByTimeAsync(0);
    expect(s.telephony.bridge).not.toHaveBeenCalled();
    expect(s.log).toEqual([
      '0.0s agent taken',
      '0.0s record:answered',
      '2.0s abandon message',
      '2.0s record:abandoned',
      '2.0s compliance:abandon:no_agent_within_2s',
      'late agent:agent-1:reserved',
      '2.5s agent:agent-1:ready',
    ]);
  });
});

describe('CampaignRunner.stop: connected calls end by themselves (a shutdown, or the campaign taken by another worker)', () => {
  async function twoCalls() {
    const s = setup();
    const ringing = await s.launch();
    const connected = await s.launch();
    connected.onAnswered(new Date(), 'human');
    await jest.advanceTimersByTimeAsync(0);
    expect(s.telephony.bridge).toHaveBeenCalledTimes(1);
    // The carrier answers a hang-up with the call's end.
    s.telephony.hangup.mockImplementation(async (id: string) => {
      s.log.push(`hangup:${id === s.callIds[0] ? 'ringing' : 'connected'}`);
      if (id === s.callIds[0]) ringing.onFailed(new Date(), 'cancelled', null, null);
      else connected.onEnded(new Date(), 'system');
    });
    s.log.length = 0;
    return { s, ringing, connected };
  }

  it('cancels the ringing call at once and leaves the conversation alone until it ends (before: both hung up)', async () => {
    const { s, connected } = await twoCalls();
    let stopped = false;
    const stop = s.runner.stop().then(() => (stopped = true));
    await jest.advanceTimersByTimeAsync(5_000);
    expect(s.log.filter((l) => l.startsWith('hangup'))).toEqual(['hangup:ringing']);
    expect(stopped).toBe(false);
    connected.onEnded(new Date(), 'customer'); // the conversation ends after 5 s
    await jest.advanceTimersByTimeAsync(500);
    expect(stopped).toBe(true);
    expect(s.log.filter((l) => l.startsWith('hangup'))).toEqual(['hangup:ringing']);
  });

  it('hangs up a conversation still going when the drain time is over', async () => {
    const { s } = await twoCalls();
    const stop = s.runner.stop(10_000);
    await jest.advanceTimersByTimeAsync(9_000);
    expect(s.log.filter((l) => l.startsWith('hangup'))).toEqual(['hangup:ringing']);
    await jest.advanceTimersByTimeAsync(1_500);
    expect(s.log.filter((l) => l.startsWith('hangup'))).toEqual(['hangup:ringing', 'hangup:connected']);
    await jest.advanceTimersByTimeAsync(500);
    await stop;
  });
});
