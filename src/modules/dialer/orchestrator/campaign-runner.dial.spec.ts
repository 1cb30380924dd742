import { CampaignEntity } from '../../campaigns/campaign.entity';
import { LeadEntity } from '../../leads/lead.entity';
import { CallHandle, DialEvents, DialRequest, Telephony } from '../../telephony/telephony.port';
import { CallRecordWriter, SqlRunner } from './call-record-writer';
import { CampaignRunner, RunnerDeps } from './campaign-runner';

/**
 * The launch path of the campaign runner against a database held by the test: the records of one launch go in
 * one group-committed statement, the adapter prepares every call meanwhile, and no INVITE leaves before that
 * statement has committed (nor ever, for a record that did not).
 */

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}
const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

/** Opening statements wait for the test's answer; every other statement is answered at once and logged. */
class HeldInserts implements SqlRunner {
  readonly inserts: { ids: string[]; answer: ReturnType<typeof deferred<unknown>> }[] = [];
  readonly others: string[] = [];
  query(sql: string, params: unknown[] = []): Promise<unknown> {
    if (sql.includes('INSERT INTO calls')) {
      const answer = deferred<unknown>();
      this.inserts.push({ ids: params[0] as string[], answer });
      return answer.promise;
    }
    this.others.push(sql.trim().split(/\s+/).slice(0, 3).join(' '));
    if (sql.startsWith('SELECT attempts')) return Promise.resolve([{ attempts: 1 }]);
    if (sql.includes('UPDATE calls c SET')) return Promise.resolve([[{ id: params[0] && (params[0] as string[])[0] }], 1]);
    return Promise.resolve([]);
  }
}

/** Keeps the port's promise: prepares at once, sends (records an INVITE) only once sendAfter resolves. */
class RecordingCarrier implements Partial<Telephony> {
  readonly name = 'simulated' as const;
  readonly prepared: string[] = [];
  readonly invites: string[] = [];
  readonly events = new Map<string, DialEvents>();
  async dial(req: DialRequest, events: DialEvents): Promise<CallHandle> {
    this.prepared.push(req.callId);
    this.events.set(req.callId, events);
    try {
      await req.sendAfter;
    } catch {
      events.onFailed(new Date(), 'cancelled', null, 'not sent');
      return { callId: req.callId, providerCallId: '' };
    }
    this.invites.push(req.callId);
    return { callId: req.callId, providerCallId: `sip-${req.callId}` };
  }
}

function setup() {
  const db = new HeldInserts();
  const carrier = new RecordingCarrier();
  const leads = [1, 2, 3].map((i) => ({ id: String(i), phone: `+1202555014${i}`, attempts: 0 }) as LeadEntity);
  const released: string[] = [];
  const settled: { leadId: string; outcome: string | null }[] = [];
  const deps = {
    db, redis: {}, clock: { now: () => new Date() }, telephony: carrier, events: { publish: () => undefined }, workerId: 'w1', tickMs: 1000,
    agents: {}, records: new CallRecordWriter(db, { concurrency: 1 }),
    gate: { check: async (ls: LeadEntity[]) => new Map(ls.map((l) => [l.id, { allowed: true as const }])) },
    leaser: {
      lease: async (_c: unknown, n: number) => leads.slice(0, n),
      releaseUntouched: async (l: LeadEntity) => void released.push(l.id),
      releaseBlocked: async () => undefined,
    },
    calls: { settleLead: async (leadId: string, _next: unknown, outcome: string | null) => void settled.push({ leadId, outcome }) },
  } as unknown as RunnerDeps;
  const campaign = {
    id: 'c0ffee00-0000-4000-8000-000000000001', dialMode: 'progressive', callerId: '+12025550100', gatewayId: null, ringTimeoutS: 25,
    recordCalls: false, retryRules: null, maxAttempts: 5, maxAttemptsPerDay: 3,
  } as unknown as CampaignEntity;
  const runner = new CampaignRunner(campaign, deps);
  const launch = (n: number) => (runner as unknown as { launch(n: number, now: Date): Promise<number> }).launch(n, new Date());
  return { db, carrier, runner, released, settled, launch, leads };
}

describe('CampaignRunner launch with group-committed call records', () => {
  it('opens the records of one launch in one statement, prepares every call meanwhile, sends each INVITE only after the commit', async () => {
    const s = setup();
    const launched = s.launch(3);
    await settle();
    expect(s.db.inserts).toHaveLength(1);
    expect(s.db.inserts[0].ids).toHaveLength(3);
    expect(s.carrier.prepared).toEqual(s.db.inserts[0].ids); // the adapter works while the row commits
    expect(s.carrier.invites).toEqual([]);
    expect(s.runner.leadsInFlight.sort()).toEqual(['1', '2', '3']); // no record yet: not taken for a stale lease
    // The second call's number is live in another campaign: its row was skipped.
    const [a, , c] = s.db.inserts[0].ids;
    s.db.inserts[0].answer.resolve([{ id: a }, { id: c }]);
    await expect(launched).resolves.toBe(2);
    await settle();
    expect(s.carrier.invites.sort()).toEqual([a, c].sort());
    expect(s.released).toEqual(['2']); // the refused call's lead goes back untouched
    expect(s.runner.liveCallIds.sort()).toEqual([a, c].sort());
    expect(s.runner.leadsInFlight).toEqual([]);
  });

  it('a record that did not commit: no INVITE, the call is dropped as cancelled without a write, every lead released', async () => {
    const s = setup();
    const launched = s.launch(3);
    await settle();
    s.db.inserts[0].answer.reject(new Error('could not extend file: No space left on device'));
    await expect(launched).resolves.toBe(0);
    await settle();
    expect(s.carrier.prepared).toHaveLength(3);
    expect(s.carrier.invites).toEqual([]); // sendAfter rejected: nothing sent
    expect(s.released.sort()).toEqual(['1', '2', '3']);
    expect(s.runner.liveCallIds).toEqual([]);
    expect(s.runner.leadsInFlight).toEqual([]);
    // The adapter's 'cancelled' events found no record to close: no UPDATE, no settle, nothing claimed persisted.
    expect(s.db.others).toEqual([]);
    expect(s.settled).toEqual([]);
  });

  it('a call that fails after its record committed is closed through the writer and its lead settled', async () => {
    const s = setup();
    const launched = s.launch(1);
    await settle();
    const [id] = s.db.inserts[0].ids;
    s.db.inserts[0].answer.resolve([{ id }]);
    await expect(launched).resolves.toBe(1);
    s.carrier.events.get(id)!.onFailed(new Date(), 'busy', 486, 'Busy Here');
    await settle();
    expect(s.db.others).toEqual(['UPDATE calls c', 'SELECT attempts FROM']);
    expect(s.settled).toEqual([{ leadId: s.leads[0].id, outcome: 'busy' }]);
    expect(s.runner.liveCallIds).toEqual([]);
    expect(s.released).toEqual([]);
  });
});

describe("CampaignRunner: a call an agent asked for (preview Dial, own callback) that cannot be opened", () => {
  it('sends no INVITE, closes the call as cancelled, frees the lead and makes the waiting agent Ready again', async () => {
    const s = setup();
    const agentMoves: { agentId: string; state: string }[] = [];
    const callMoves: { callId: string; to: string; outcome?: unknown }[] = [];
    const d = (s.runner as unknown as { d: RunnerDeps }).d as unknown as Record<string, unknown>;
    // The opening transaction fails (the store went away half-way): nothing of it commits.
    d.db = Object.assign(s.db, { transaction: async () => Promise.reject(new Error('terminating connection due to administrator command')) });
    d.agents = {
      get: async (agentId: string) => ({ agentId, state: 'reserved', callId: 'call-1' }),
      transition: async (agentId: string, state: string) => void agentMoves.push({ agentId, state }),
    };
    d.calls = {
      transition: async (callId: string, to: string, set: { outcome?: unknown } = {}) => void callMoves.push({ callId, to, outcome: set.outcome }),
      settleLead: async () => undefined,
    };
    await (s.runner as unknown as { dialReserved(id: string, l: LeadEntity, a: string): Promise<void> }).dialReserved('call-1', s.leads[0], 'agent-7');
    await settle();
    expect(s.carrier.invites).toEqual([]);
    expect(callMoves).toEqual([{ callId: 'call-1', to: 'failed', outcome: 'cancelled' }]);
    expect(s.released).toEqual(['1']);
    // Without this the agent stayed 'reserved' for good: no call on the desk, and pausing or logging out refused.
    expect(agentMoves).toEqual([{ agentId: 'agent-7', state: 'ready' }]);
    expect(s.runner.liveCallIds).toEqual([]);
  });
});

describe('CampaignRunner: an answered call the agent could not be joined to', () => {
  function joinFails(customerStillThere: boolean) {
    const s = setup();
    const moves: string[] = [];
    const events: { type: string; reasonCode?: string }[] = [];
    const telephony: string[] = [];
    const d = (s.runner as unknown as { d: RunnerDeps }).d as unknown as Record<string, unknown>;
    d.agents = { transition: async (agentId: string, state: string, _c: string, o: { reason?: string } = {}) => void moves.push(`${agentId}:${state}${o.reason ? `:${o.reason}` : ''}`) };
    d.calls = {
      transition: async (_id: string, to: string) => void moves.push(`call:${to}`),
      complianceEvent: async (e: { type: string; reasonCode?: string }) => void events.push({ type: e.type, reasonCode: e.reasonCode }),
    };
    d.telephony = {
      name: 'drachtio',
      bridge: async () => { throw new Error('488 Not Acceptable Here'); },
      abandon: async (id: string) => void telephony.push(`abandon:${id}`),
    };
    const runner = s.runner as unknown as { live: Map<string, unknown>; connect(c: unknown, a: string): Promise<void> };
    const call = { id: 'call-9', lead: s.leads[0], launchedAt: Date.now() - 9000, answeredAt: Date.now() - 100, answerType: 'human', chain: Promise.resolve() };
    if (customerStillThere) runner.live.set(call.id, call);
    return { run: () => runner.connect(call, 'agent-4'), moves, events, telephony };
  }

  it('does not leave the person in silence: abandoned with the message (counted, logged), the agent paused for a technical problem', async () => {
    const t = joinFails(true);
    await t.run();
    expect(t.moves).toEqual(['agent-4:reserved', 'agent-4:paused:technical', 'call:abandoned']);
    expect(t.events).toEqual([{ type: 'abandon', reasonCode: 'agent_join_failed' }]);
    expect(t.telephony).toEqual(['abandon:call-9']);
  });

  it('puts the agent back to Ready when the person had already hung up', async () => {
    const t = joinFails(false);
    await t.run();
    expect(t.moves).toEqual(['agent-4:reserved', 'agent-4:ready']);
    expect(t.telephony).toEqual([]);
  });
});

describe('CampaignRunner: agent phone legs shared by the campaigns of one worker', () => {
  function twoCampaigns() {
    const log: string[] = [];
    const legOwners = new Map<string, string>();
    const telephony = {
      name: 'drachtio',
      ensureAgentLeg: async (id: string) => void log.push(`ensure:${id}`),
      releaseAgentLeg: async (id: string) => void log.push(`release:${id}`),
    };
    const runner = (id: string) => {
      const d = { db: new HeldInserts(), redis: {}, clock: { now: () => new Date() }, telephony, events: { publish: () => undefined }, workerId: 'w1', tickMs: 1000, legOwners } as unknown as RunnerDeps;
      const r = new CampaignRunner({ id, dialMode: 'progressive', ringTimeoutS: 25 } as unknown as CampaignEntity, d);
      return { sync: (ids: string[]) => (r as unknown as { syncAgentLegs(a: string[]): Promise<void> }).syncAgentLegs(ids), stop: () => r.stop() };
    };
    return { log, a: runner('campaign-a'), b: runner('campaign-b') };
  }

  it('keeps the leg of an agent who moved to another campaign (before: the first campaign hung up the phone the second relied on)', async () => {
    const { log, a, b } = twoCampaigns();
    await a.sync(['agent-1']);
    await b.sync(['agent-1']); // the agent logged in to campaign B
    await a.sync([]); // ... and is no longer in campaign A
    expect(log).toEqual(['ensure:agent-1', 'ensure:agent-1']);
    await b.sync([]); // logged out: B holds the leg, B tears it down
    expect(log).toEqual(['ensure:agent-1', 'ensure:agent-1', 'release:agent-1']);
  });

  it("tears down its agents' legs when the campaign stops (paused or completed), not another campaign's", async () => {
    const { log, a, b } = twoCampaigns();
    await a.sync(['agent-1', 'agent-2']);
    await b.sync(['agent-3']);
    await a.stop();
    expect(log.filter((l) => l.startsWith('release')).sort()).toEqual(['release:agent-1', 'release:agent-2']);
  });
});
