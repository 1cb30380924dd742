import { once } from 'node:events';
import { AddressInfo, createServer, Server, Socket } from 'node:net';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { DatabaseTimeouts, connectForBulkWork, serviceTimeouts } from '../../src/database/pg-timeouts';
import { typeOrmOptions } from '../../src/database/typeorm-options';
import { Role } from '../../src/modules/users/user.entity';
import { isolateDatabase } from '../setup/isolated-db';
import { createTestApp, TestApp } from '../setup/test-app';
import { waitFor } from '../setup/wait';

/**
 * PostgreSQL timeouts (src/database/pg-timeouts.ts). A primary that silently vanishes (failover, a dropped route)
 * must make queries fail within the configured time, not after ~15 min of TCP retries; a slow statement is cut by the
 * server; lead imports and registry imports, whose statements run long on purpose, are not cut.
 */
jest.setTimeout(90_000);

// This file boots a dialer worker: it gets a database and Redis prefix of its own.
isolateDatabase();

/** A TCP proxy to the test PostgreSQL that can stop passing bytes (both ways) without closing anything. */
class BlackHoleProxy {
  blackHoled = false;
  private server!: Server;
  private readonly sockets = new Set<Socket>();
  constructor(private readonly target: { host: string; port: number }) {}

  async start(): Promise<number> {
    this.server = createServer((client) => {
      const upstream = new Socket();
      upstream.connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => this.sockets.delete(s));
      }
      // Bytes sent while black-holed are dropped for good: the connection can never make sense again.
      let dead = false;
      client.on('data', (b) => (this.blackHoled || dead ? (dead = true) : upstream.write(b)));
      upstream.on('data', (b) => (this.blackHoled || dead ? (dead = true) : client.write(b)));
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.server.close();
  }
}

function viaPort(url: string, port: number): string {
  const u = new URL(url);
  u.hostname = '127.0.0.1';
  u.port = String(port);
  return u.toString();
}

async function timeIt(p: Promise<unknown>): Promise<{ ms: number; err: Error | null }> {
  const t0 = Date.now();
  const err = await p.then(() => null, (e: Error) => e);
  return { ms: Date.now() - t0, err };
}

describe('PostgreSQL timeouts of the service pool', () => {
  const closers: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
  });
  async function dataSource(url: string, t: DatabaseTimeouts): Promise<DataSource> {
    const ds = await new DataSource(typeOrmOptions(url, t)).initialize();
    closers.push(() => ds.destroy());
    return ds;
  }

  it('gives up connecting to a server that accepts the connection and never answers, within the connect timeout', async () => {
    const silent = createServer(() => undefined); // accepts, reads nothing, says nothing
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    closers.push(async () => silent.close());
    const url = viaPort(process.env.DATABASE_URL!, (silent.address() as AddressInfo).port);
    const { ms, err } = await timeIt(new DataSource(typeOrmOptions(url, serviceTimeouts(30_000, 1_500))).initialize());
    expect(err).not.toBeNull();
    expect(ms).toBeGreaterThanOrEqual(1_400);
    expect(ms).toBeLessThan(4_000);
  });

  it('fails a query whose server went silent mid-connection within the read timeout, then works on a fresh connection', async () => {
    const target = new URL(process.env.DATABASE_URL!);
    const proxy = new BlackHoleProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const port = await proxy.start();
    closers.push(() => proxy.stop());
    // statement_timeout 1 s, so the read timeout is 6 s.
    const t = serviceTimeouts(1_000, 2_000);
    expect(t.readMs).toBe(6_000);
    const ds = await dataSource(viaPort(process.env.DATABASE_URL!, port), t);
    expect(await ds.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);

    proxy.blackHoled = true;
    const { ms, err } = await timeIt(ds.query('SELECT 1 AS one'));
    expect(err?.message).toMatch(/no answer from PostgreSQL within 6000 ms/);
    expect(ms).toBeGreaterThanOrEqual(5_900);
    expect(ms).toBeLessThan(9_000);

    // The dead connection left the pool: once the network is back, the next query opens a new one and answers.
    proxy.blackHoled = false;
    const again = await timeIt(ds.query('SELECT 2 AS two'));
    expect(again.err).toBeNull();
    expect(again.ms).toBeLessThan(2_000);
  });

  it('lets the server cut a slow statement at the statement timeout, and the connection stays usable', async () => {
    const ds = await dataSource(process.env.DATABASE_URL!, serviceTimeouts(1_000, 2_000));
    const { ms, err } = await timeIt(ds.query('SELECT pg_sleep(5)'));
    expect((err as { driverError?: { code?: string } })?.driverError?.code).toBe('57014'); // query_canceled
    expect(ms).toBeLessThan(3_000);
    expect(await ds.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });

  it('runs bulk work without the timeouts, and gives the connection back with them', async () => {
    const ds = await dataSource(process.env.DATABASE_URL!, { ...serviceTimeouts(1_000, 2_000), readMs: 1_500 });
    const qr = ds.createQueryRunner();
    const client = await connectForBulkWork(qr);
    const pid = (await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    // 2.5 s: past both the statement timeout (1 s) and the read timeout (1.5 s) of the service's connections.
    await client.query('SELECT pg_sleep(2.5)');
    await qr.release();
    // The pool's one idle connection is that same connection, with its timeout back.
    const [row] = await ds.query('SELECT pg_backend_pid() AS pid, current_setting(\'statement_timeout\') AS st');
    expect(row).toEqual({ pid, st: '1s' });
  });

  it('leaves migrations and the CLI data source untimed', async () => {
    const ds = await dataSource(process.env.DATABASE_URL!, undefined as unknown as DatabaseTimeouts);
    const [row] = await ds.query(`SELECT current_setting('statement_timeout') AS st`);
    expect(row.st).toBe('0');
  });
});

describe('imports on a service whose statement timeout is 1 s, made to wait longer than that on a lock', () => {
  let t: TestApp;
  let locker: Client;
  beforeAll(async () => {
    t = await createTestApp({ api: true, worker: true }, { DATABASE_STATEMENT_TIMEOUT_MS: '1000' });
    locker = new Client({ connectionString: process.env.DATABASE_URL });
    await locker.connect();
  });
  afterAll(async () => {
    await locker?.end();
    await t?.close();
  });
  const auth = async (role: Role) => ({ Authorization: `Bearer ${await t.tokenFor(role)}` });

  /** Holds `table` against writers (readers pass), as a long concurrent transaction would. */
  async function lock(table: string): Promise<void> {
    await locker.query('BEGIN');
    await locker.query(`LOCK TABLE ${table} IN EXCLUSIVE MODE`);
  }
  /** Once the import waits on the lock, keeps it waiting 1.5 s more (past the 1 s statement timeout), then lets it go. */
  async function releaseAfterImportWaited(table: string): Promise<void> {
    await waitFor(async () => {
      const [w] = (await locker.query(`SELECT count(*)::int AS n FROM pg_locks WHERE relation = $1::regclass AND NOT granted`, [table])).rows;
      return w.n > 0;
    }, 20_000, `the import to wait on ${table}`);
    await new Promise((r) => setTimeout(r, 1_500));
    await locker.query('COMMIT');
  }

  it('a lead import whose merge waits still completes', async () => {
    const rows = Array.from({ length: 500 }, (_, i) => `312${4000000 + i},Name`).join('\n');
    await lock('leads');
    const res = await t.http.post('/api/lead-imports').set(await auth(Role.Manager))
      .field('newListName', `Timeouts ${Date.now()}`).field('mapping', JSON.stringify({ phone: 'phone', firstName: 'name' }))
      .attach('file', Buffer.from(`phone,name\n${rows}\n`), 'leads.csv').expect(201);
    await releaseAfterImportWaited('leads');
    const done = await waitFor(async () => {
      const s = await t.http.get(`/api/lead-imports/${res.body.id}`).set(await auth(Role.Manager)).expect(200);
      return ['completed', 'failed', 'cancelled'].includes(s.body.status) && s.body;
    }, 30_000, 'the lead import to finish');
    expect(done).toMatchObject({ status: 'completed', inserted: 500 });
  });

  it('a national registry import that waits on a lock (purge of a retried copy, COPY) still completes', async () => {
    const lines = Array.from({ length: 2_000 }, (_, i) => `31370${String(10000 + i).slice(-5)}`);
    await lock('dnc_registry_numbers');
    const res = await t.http.post('/api/compliance/registry/imports').set(await auth(Role.Admin))
      .field('source', 'us-national-dnc').field('country', 'US').field('fileDate', new Date().toISOString().slice(0, 10))
      .attach('file', Buffer.from(lines.join('\n')), 'dnc-registry.txt').expect(201);
    await releaseAfterImportWaited('dnc_registry_numbers');
    const done = await waitFor(async () => {
      const s = await t.http.get(`/api/compliance/registry/imports/${res.body.id}`).set(await auth(Role.Compliance)).expect(200);
      return ['completed', 'failed'].includes(s.body.status) && s.body;
    }, 30_000, 'the registry import to finish');
    expect(done).toMatchObject({ status: 'completed', imported: 2_000 });
  });
});
