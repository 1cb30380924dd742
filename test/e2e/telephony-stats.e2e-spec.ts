import { getQueueToken } from '@nestjs/bullmq';
import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Queue } from 'bullmq';
import type Redis from 'ioredis';
import { AppModule } from '../../src/app.module';
import { QueueName } from '../../src/common/queue/queue-names';
import { loadConfig } from '../../src/config/env.schema';
import { REDIS } from '../../src/common/redis/redis.module';
import { TelephonyStatsPublisher } from '../../src/modules/telephony/stats/telephony-stats.publisher';
import { STATS_TTL_S, TelephonyStatsStore } from '../../src/modules/telephony/stats/telephony-stats.store';
import { Role } from '../../src/modules/users/user.entity';
import { isolateDatabase } from '../setup/isolated-db';
import { createTestApp, TestApp } from '../setup/test-app';
import { waitFor } from '../setup/wait';

/**
 * GET /api/telephony/sip-stats: the calls live in the dialer workers, so each worker publishes its telephony figures
 * to Redis and the API process (no telephony of its own) lists them, per worker. Here an API-only process and a
 * worker-only process (simulated carrier) share one database and Redis prefix, as in production.
 */
// This file boots a dialer worker: it gets a database and Redis prefix of its own.
isolateDatabase();

describe('workers\' telephony figures (GET /api/telephony/sip-stats)', () => {
  let api: TestApp;
  let worker: INestApplicationContext;
  let workerName: string;
  let manager: string;
  const get = (token: string) => api.http.get('/api/telephony/sip-stats').set('Authorization', `Bearer ${token}`);

  beforeAll(async () => {
    // a dialer worker process (src/worker.ts): no HTTP, the simulated carrier
    const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(loadConfig(process.env), { api: false, worker: true })] }).compile();
    worker = moduleRef.createNestApplication({ logger: false });
    await worker.init();
    await Promise.all(Object.values(QueueName).map((n) => worker.get<Queue>(getQueueToken(n)).waitUntilReady()));
    workerName = worker.get(TelephonyStatsPublisher).worker;
    api = await createTestApp({ api: true, worker: false });
    manager = await api.tokenFor(Role.Manager);
  });
  afterAll(async () => {
    await api?.close();
    await worker?.close().catch(() => undefined);
  });

  it('shows a manager the worker\'s simulated carrier: connected, when it was sampled, its live calls and agent legs', async () => {
    const before = Date.now();
    const res = await get(manager).expect(200);
    expect(res.body.workers).toEqual([
      { worker: workerName, telephony: 'simulated', connected: true, sampledAt: expect.any(String), stats: { liveCalls: 0, agentLegs: 0, connected: true } },
    ]);
    const sampledAt = new Date(res.body.workers[0].sampledAt).getTime();
    expect(sampledAt).toBeLessThanOrEqual(before);
    expect(before - sampledAt).toBeLessThan(10_000);
    // the sample expires unless the worker keeps publishing (a crashed worker drops out)
    const ttl = await api.app.get<Redis>(REDIS).ttl(`telephony:stats:${workerName}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(STATS_TTL_S);
  });

  it('is refreshed every few seconds by the worker', async () => {
    const first = (await get(manager).expect(200)).body.workers[0].sampledAt as string;
    const next = await waitFor(async () => {
      const now = (await get(manager).expect(200)).body.workers[0]?.sampledAt as string | undefined;
      return now && now !== first ? now : null;
    }, 8_000, 'a newer sample');
    expect(new Date(next).getTime()).toBeGreaterThan(new Date(first).getTime());
  });

  it('lists every worker on its own line, drachtio figures included, and an admin may read them too', async () => {
    const other = {
      worker: 'zz-sip-host:4242:abcdef', telephony: 'drachtio' as const, connected: false, sampledAt: new Date().toISOString(),
      stats: {
        liveCalls: 0, agentLegs: 0, connected: false, linkDrops: 2, reconciledCalls: 3, cancel200Races: 1,
        bridge: { count: 4, lastMs: 12, p50Ms: 10, p95Ms: 30, maxMs: 31, over300ms: 0 },
      },
    };
    await api.app.get(TelephonyStatsStore).publish(other);
    try {
      const res = await get(await api.tokenFor(Role.Admin)).expect(200);
      expect(res.body.workers.map((w: { worker: string }) => w.worker)).toEqual([workerName, other.worker]);
      expect(res.body.workers[1]).toEqual(other);
    } finally {
      await api.app.get(TelephonyStatsStore).forget(other.worker);
    }
  });

  it('refuses agents and compliance officers (403) and anonymous callers (401)', async () => {
    for (const role of [Role.Agent, Role.Compliance]) await get(await api.tokenFor(role)).expect(403);
    await api.http.get('/api/telephony/sip-stats').expect(401);
  });

  it('drops a worker that shuts down', async () => {
    await worker.close();
    const res = await get(manager).expect(200);
    expect(res.body.workers).toEqual([]);
  });
});
