import { Logger } from '@nestjs/common';
import { CampaignLockService, CAMPAIGN_LOCK_TTL_MS, WORKER_ALIVE_TTL_MS } from './campaign-lock.service';
import { DialerWorkerService } from './dialer-worker.service';

/**
 * The worker's survival of store outages, on fakes and Jest's clock: the campaign locks live in an in-memory Redis
 * stand-in whose keys expire on the fake clock, the database is a fake that can be "down".
 */

/** The lock keys of CampaignLockService, with their expiry, on Date.now() (faked by Jest). */
class FakeLocks {
  redisDown = false;
  /** Cut off as ioredis with maxRetriesPerRequest: null is: commands wait in its offline queue until it reconnects. */
  private offline?: { promise: Promise<void>; resolve: () => void };
  constructor(readonly keys = new Map<string, { owner: string; until: number }>()) {}
  cut() {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    this.offline = { promise, resolve };
  }
  reconnect() {
    this.offline?.resolve();
    this.offline = undefined;
  }
  private live(k: string) {
    const v = this.keys.get(k);
    if (v && v.until <= Date.now()) this.keys.delete(k);
    return this.keys.get(k);
  }
  private async up() {
    if (this.offline) await this.offline.promise;
    if (this.redisDown) throw new Error('Connection is closed.');
  }
  pttl(campaignId: string): number {
    const v = this.live(`campaign-lock:${campaignId}`);
    return v ? v.until - Date.now() : -2;
  }
  async acquire(campaignId: string, owner: string) {
    await this.up();
    if (this.live(`campaign-lock:${campaignId}`)) return false;
    this.keys.set(`campaign-lock:${campaignId}`, { owner, until: Date.now() + CAMPAIGN_LOCK_TTL_MS });
    return true;
  }
  async renew(campaignId: string, owner: string) {
    await this.up();
    const v = this.live(`campaign-lock:${campaignId}`);
    if (v?.owner !== owner) return false;
    v.until = Date.now() + CAMPAIGN_LOCK_TTL_MS;
    return true;
  }
  async release(campaignId: string, owner: string) {
    await this.up();
    if (this.live(`campaign-lock:${campaignId}`)?.owner === owner) this.keys.delete(`campaign-lock:${campaignId}`);
  }
  async holder(campaignId: string) {
    return this.live(`campaign-lock:${campaignId}`)?.owner ?? null;
  }
  async heartbeat(workerId: string) {
    await this.up();
    this.keys.set(`worker:${workerId}`, { owner: '1', until: Date.now() + WORKER_ALIVE_TTL_MS });
  }
  async isAlive(workerId: string) {
    await this.up();
    return !!this.live(`worker:${workerId}`);
  }
  async forget() {}
}

beforeAll(() => Logger.overrideLogger(false));

const CAMPAIGN = 'c0ffee00-0000-4000-8000-000000000001';

function setup(store?: Map<string, { owner: string; until: number }>) {
  let dbDownUntil = 0;
  const db = {
    query: jest.fn(async (_sql: string, _params?: unknown[]): Promise<unknown[]> => {
      if (Date.now() < dbDownUntil) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
      return [];
    }),
    getRepository: () => ({ findOne: async () => null }),
  };
  const sub = { on: jest.fn(), subscribe: async () => undefined, quit: async () => undefined };
  const redis = { duplicate: () => sub, options: {} };
  const locks = new FakeLocks(store);
  const telephony = { liveCalls: () => [] as string[], hangup: jest.fn(async () => undefined) };
  const agents = { campaignAgents: async () => [] };
  const presence = { gone: async () => [] };
  const worker = new DialerWorkerService(
    db as never, redis as never, { now: () => new Date() }, telephony as never, {} as never, {} as never, {} as never,
    agents as never, {} as never, locks as unknown as CampaignLockService, presence as never,
  );
  // A campaign this worker already runs (its runner stands in: stopping it is what hangs up the calls).
  const runner = { finished: false, stop: jest.fn(async () => undefined), liveCallIds: [] as string[], leadsInFlight: [] as string[] };
  const hold = async () => {
    await locks.acquire(CAMPAIGN, worker.workerId);
    (worker as unknown as { runners: Map<string, unknown> }).runners.set(CAMPAIGN, runner);
    (worker as unknown as { held?: Set<string> }).held?.add(CAMPAIGN);
  };
  return { worker, db, sub, locks, telephony, runner, hold, dbDown: (ms: number) => (dbDownUntil = Date.now() + ms) };
}

describe('DialerWorkerService: a PostgreSQL outage longer than the lock TTL', () => {
  beforeEach(() => jest.useFakeTimers({ now: new Date('2026-03-02T15:00:00Z') }));
  afterEach(() => jest.useRealTimers());

  it('keeps its campaign locks and its runners (before: the round failed before renewing; the lock lapsed and every call was hung up)', async () => {
    const s = setup();
    await s.hold();
    s.dbDown(8_000);
    await s.worker.onApplicationBootstrap();
    const ttls: number[] = [];
    for (let t = 0; t < 12; t++) {
      await jest.advanceTimersByTimeAsync(1_000);
      ttls.push(s.locks.pttl(CAMPAIGN));
    }
    expect(s.db.query).toHaveBeenCalled(); // the rounds did meet the outage
    expect(Math.min(...ttls)).toBeGreaterThan(0);
    expect(await s.locks.holder(CAMPAIGN)).toBe(s.worker.workerId);
    expect(s.runner.stop).not.toHaveBeenCalled();
    await s.worker.onModuleDestroy();
  });

  it('takes a lapsed lock again when nobody else took it (a Redis outage outlived its TTL), and stops only when another worker holds it', async () => {
    const s = setup();
    await s.hold();
    await s.worker.onApplicationBootstrap();
    s.locks.redisDown = true;
    await jest.advanceTimersByTimeAsync(CAMPAIGN_LOCK_TTL_MS + 2_000);
    expect(s.locks.pttl(CAMPAIGN)).toBe(-2); // lapsed meanwhile
    s.locks.redisDown = false;
    await jest.advanceTimersByTimeAsync(2_000);
    expect(await s.locks.holder(CAMPAIGN)).toBe(s.worker.workerId);
    expect(s.runner.stop).not.toHaveBeenCalled();

    // Now another worker holds it: this one's runner stops.
    s.locks.keys.set(`campaign-lock:${CAMPAIGN}`, { owner: 'other-worker', until: Date.now() + 60_000 });
    await jest.advanceTimersByTimeAsync(3_000);
    expect(s.runner.stop).toHaveBeenCalledTimes(1);
    expect(await s.locks.holder(CAMPAIGN)).toBe('other-worker');
    await s.worker.onModuleDestroy();
  });
});

describe('DialerWorkerService: call commands from the API', () => {
  it('a hangup that fails is logged, not left as an unhandled rejection (Node 20 exits on one)', async () => {
    const s = setup();
    await s.worker.onApplicationBootstrap();
    (s.telephony as { liveCalls: () => string[] }).liveCalls = () => ['call-1'];
    s.telephony.hangup.mockRejectedValueOnce(new Error('drachtio connection lost'));
    const unhandled = jest.fn();
    process.on('unhandledRejection', unhandled);
    try {
      const onMessage = s.sub.on.mock.calls.find((c) => c[0] === 'message')![1] as (ch: string, raw: string) => void;
      onMessage('calls', JSON.stringify({ type: 'hangup', callId: 'call-1' }));
      for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
      expect(s.telephony.hangup).toHaveBeenCalledWith('call-1');
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
      await s.worker.onModuleDestroy();
    }
  });
});

describe('DialerWorkerService: stopping orchestrators lets their conversations end', () => {
  beforeEach(() => jest.useFakeTimers({ now: new Date('2026-03-02T15:00:00Z') }));
  afterEach(() => jest.useRealTimers());

  it('a campaign taken by another worker: its runner drains in the background, its calls stay followed, the rounds go on', async () => {
    const s = setup();
    await s.hold();
    let endDrain!: () => void;
    s.runner.stop.mockImplementation(() => new Promise<undefined>((r) => (endDrain = () => r(undefined))));
    s.runner.liveCallIds = ['call-x']; // a conversation still going
    const sqls: string[] = [];
    s.db.query.mockImplementation((async (sql: string) => {
      sqls.push(sql.trim().split(/\s+/).slice(0, 4).join(' '));
      return sql.includes('AND updated_at < now()') ? [{ id: 'call-x' }] : [];
    }) as never);
    await s.worker.onApplicationBootstrap();
    s.locks.keys.set(`campaign-lock:${CAMPAIGN}`, { owner: 'other-worker', until: Date.now() + 60_000 });
    await jest.advanceTimersByTimeAsync(2_000);
    expect(s.runner.stop).toHaveBeenCalledTimes(1);
    sqls.length = 0;
    await jest.advanceTimersByTimeAsync(6_000);
    // Rounds still run (before: the round waited for the stop) and the orphan pass does not close the live call.
    expect(sqls.filter((q) => q.startsWith('SELECT id FROM calls')).length).toBeGreaterThan(0);
    expect(sqls.filter((q) => q.startsWith('UPDATE calls c SET'))).toEqual([]);
    endDrain();
    await jest.advanceTimersByTimeAsync(0);
    await s.worker.onModuleDestroy();
  });

  it('on shutdown, one runner failing to stop does not cut the others short: they drain, release their campaign, the worker is forgotten', async () => {
    const s = setup();
    await s.hold();
    const otherId = 'c0ffee00-0000-4000-8000-000000000002';
    const other = { ...s.runner, stop: jest.fn(() => new Promise<undefined>((r) => setTimeout(() => r(undefined), 3_000))) };
    s.runner.stop.mockImplementation(async () => {
      throw new Error('database down');
    });
    (s.worker as unknown as { runners: Map<string, unknown> }).runners.set(otherId, other);
    s.locks.keys.set(`campaign-lock:${otherId}`, { owner: (s.worker as unknown as { workerId: string }).workerId, until: Date.now() + 60_000 });
    await s.worker.onApplicationBootstrap();
    let done = false;
    const destroyed = s.worker.onModuleDestroy().then(() => (done = true), () => (done = true));
    await jest.advanceTimersByTimeAsync(1_000);
    expect(done).toBe(false); // still waiting for the other runner's drain
    await jest.advanceTimersByTimeAsync(2_500);
    await destroyed;
    expect(other.stop).toHaveBeenCalled();
    expect(s.locks.keys.has(`campaign-lock:${otherId}`)).toBe(false);
  });

  it('on shutdown stops its runners all at once (before: one after another, each waiting for its calls)', async () => {
    const s = setup();
    await s.hold();
    const other = { ...s.runner, stop: jest.fn(() => new Promise<undefined>((r) => setTimeout(() => r(undefined), 3_000))) };
    s.runner.stop.mockImplementation(() => new Promise<undefined>((r) => setTimeout(() => r(undefined), 3_000)));
    (s.worker as unknown as { runners: Map<string, unknown> }).runners.set('c0ffee00-0000-4000-8000-000000000002', other);
    await s.worker.onApplicationBootstrap();
    let done = false;
    const destroyed = s.worker.onModuleDestroy().then(() => (done = true));
    await jest.advanceTimersByTimeAsync(3_500);
    expect(done).toBe(true);
    await destroyed;
  });
});

describe('DialerWorkerService: two workers cut off from Redis for 8 s, one back before the other', () => {
  beforeEach(() => jest.useFakeTimers({ now: new Date('2026-03-02T15:00:00Z') }));
  afterEach(() => jest.useRealTimers());

  it.each([1_500, 5_000])("back %i ms apart: the first back neither takes the other's campaign nor closes its calls (before: it closed them as a dead worker's)", async (apart) => {
    const redis = new Map<string, { owner: string; until: number }>();
    const w1 = setup(redis);
    const w2 = setup(redis);
    await w2.hold(); // W2 runs the campaign and has calls open
    const statements: string[] = [];
    w1.db.query.mockImplementation(async (sql: string) => {
      statements.push(sql.trim().split(/\s+/).slice(0, 4).join(' '));
      if (sql.includes('SELECT DISTINCT worker_id FROM calls')) return [{ worker_id: w2.worker.workerId }];
      if (sql.includes("FROM campaigns WHERE status = 'running'")) return [{ id: CAMPAIGN }];
      return [];
    });
    const acquire = jest.spyOn(w1.locks, 'acquire');
    await w1.worker.onApplicationBootstrap();
    await w2.worker.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(2_000);
    expect(acquire).toHaveBeenCalledWith(CAMPAIGN, w1.worker.workerId); // W1 does try for it: it is held
    acquire.mockClear();

    w1.locks.cut();
    w2.locks.cut();
    await jest.advanceTimersByTimeAsync(8_000);
    w1.locks.reconnect();
    await jest.advanceTimersByTimeAsync(apart);
    w2.locks.reconnect();
    await jest.advanceTimersByTimeAsync(15_000);

    expect(statements.filter((q) => q.startsWith('UPDATE calls c SET'))).toEqual([]);
    expect(await w1.locks.holder(CAMPAIGN)).toBe(w2.worker.workerId);
    expect(w2.runner.stop).not.toHaveBeenCalled();
    await w1.worker.onModuleDestroy();
    await w2.worker.onModuleDestroy();
  });
});
