import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { typeOrmOptions } from '../../src/database/typeorm-options';
import { hashPassword } from '../../src/modules/users/users.service';
import { makeCampaign } from '../integration/dialer-fixtures';
import { isolateDatabase } from '../setup/isolated-db';
import { openStream, Stream } from '../setup/sse-client';
import { freePort, waitFor } from '../setup/wait';

/**
 * SIGTERM (docker stop, a deploy) on the service in RUN_MODE=all while an agent's event stream is open: the process
 * must run its shutdown (orchestrators stopped, campaign locks released, connections closed) and exit within seconds,
 * not hang on the open stream until the supervisor's SIGKILL.
 */
jest.setTimeout(120_000);

// This file boots a dialer worker (in the spawned service): it gets a database and Redis prefix of its own.
isolateDatabase();

const ROOT = join(__dirname, '../..');


async function post(port: number, path: string, body: object): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('graceful shutdown on SIGTERM (the service spawned from its sources)', () => {
  let child: ChildProcess | undefined;
  let stream: Stream | undefined;
  let db: DataSource;
  let redis: Redis;
  let log = '';

  beforeAll(async () => {
    db = await new DataSource(typeOrmOptions(process.env.DATABASE_URL!)).initialize();
    redis = new Redis(process.env.REDIS_URL!, { keyPrefix: `${process.env.QUEUE_PREFIX}:` });
  });
  afterAll(async () => {
    stream?.close();
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await redis?.quit();
    await db?.destroy();
  });

  beforeEach(() => {
    log = '';
  });
  afterEach(() => {
    stream?.close();
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  /** The service from its sources, as `node dist/...` would run it, on this file's database and Redis prefix. */
  function start(entry: string, env: NodeJS.ProcessEnv): Promise<[number | null, NodeJS.Signals | null]> {
    child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join(ROOT, entry)], {
      cwd: ROOT,
      env: { ...process.env, ...env, LOG_LEVEL: 'info', TELEPHONY: 'simulated', TS_NODE_PROJECT: join(ROOT, 'tsconfig.json') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (c: Buffer) => (log += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (log += c.toString()));
    return once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  }

  async function terminate(exited: Promise<[number | null, NodeJS.Signals | null]>): Promise<{ code: number | null; signal: NodeJS.Signals | null; took: number }> {
    const t0 = Date.now();
    child!.kill('SIGTERM');
    const [code, signal] = await Promise.race([
      exited,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no exit 5 s after SIGTERM (log tail: ${log.slice(-1500)})`)), 5_000)),
    ]);
    return { code, signal, took: Date.now() - t0 };
  }

  it('RUN_MODE=all with an agent event stream open: exits 0 within 5 s of SIGTERM, having stopped its orchestrator and released its campaign lock', async () => {
    const fx = await makeCampaign(db, { ok: 5, mode: 'progressive' });
    const email = `shutdown-agent-${Date.now()}@test.local`;
    const password = 'correct horse battery staple';
    await db.query(`INSERT INTO users (email, display_name, password_hash, role) VALUES ($1, 'Shutdown Agent', $2, 'agent')`, [email, await hashPassword(password)]);

    const port = await freePort();
    const exited = start('src/main.ts', { RUN_MODE: 'all', PORT: String(port) });

    await waitFor(async () => log.includes('outbound dialer API listening'), 90_000, `the service to start (log: ${log.slice(-2000)})`);
    // Its dialer worker holds the running campaign.
    await waitFor(async () => (await redis.exists(`campaign-lock:${fx.campaignId}`)) === 1, 20_000, 'the orchestrator to take the campaign');

    const login = await post(port, '/api/auth/login', { email, password });
    expect(login.status).toBe(200);
    stream = openStream(port, '/api/events/agent', login.body.accessToken as string);
    await waitFor(async () => stream!.status === 200, 10_000, 'the event stream to open');
    expect(stream.ended).toBe(false);

    const { code, signal, took } = await terminate(exited);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(took).toBeLessThan(5_000);
    // app.close() resolved: destroy hooks, the HTTP server, then the shutdown hooks (queues, PostgreSQL, Redis).
    expect(log).toContain('SIGTERM: shutting down');
    expect(log).toContain('shut down cleanly');
    expect(stream.ended).toBe(true);
    // Released, not left to expire: another worker can take the campaign at once.
    expect(await redis.exists(`campaign-lock:${fx.campaignId}`)).toBe(0);
  });

  it('the dialer worker alone (RUN_MODE=worker) exits 0 within 5 s of SIGTERM, its campaign lock released', async () => {
    const fx = await makeCampaign(db, { ok: 5, mode: 'progressive' });
    const exited = start('src/worker.ts', { RUN_MODE: 'worker' });
    await waitFor(async () => log.includes('dialer worker started'), 90_000, `the worker to start (log: ${log.slice(-2000)})`);
    await waitFor(async () => (await redis.exists(`campaign-lock:${fx.campaignId}`)) === 1, 20_000, 'the orchestrator to take the campaign');
    const { code, signal, took } = await terminate(exited);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(took).toBeLessThan(5_000);
    expect(log).toContain('shut down cleanly');
    expect(await redis.exists(`campaign-lock:${fx.campaignId}`)).toBe(0);
  });
});
