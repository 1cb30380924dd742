/**
 * Load benchmark (issue 9): `npx ts-node -T bench/load/load-bench.ts [--agents 500] [--seconds 240] [--scale 0.5] [--answer 0.05] [--ring 60] [--lines 6] [--split 1]`
 *
 * The defaults model a low-contact list (5 % of dials answered by a person, unanswered calls ringing 60 s before the
 * ring timeout), so the predictive pacer itself keeps several lines per agent: about 2,000 real simulated calls
 * through the orchestrator and carrier at once, with every agent busy.
 *
 * On this machine, loopback only, bounded in time (about 4-6 minutes with the defaults):
 * - a database of its own (bench_load_<random>, migrations by the TypeORM DataSource, dropped at the end) and a Redis
 *   QUEUE_PREFIX of its own (its keys deleted at the end);
 * - the app: API (src/main.ts RUN_MODE=api) and dialer worker (src/worker.ts) as two child processes (--split 0: one
 *   RUN_MODE=all process), simulated carrier at SIMULATED_TIME_SCALE, each `node -r ts-node/register/transpile-only`;
 * - N agents created in the database (one argon2 hash via hashPassword, shared), logged in via POST /api/auth/login,
 *   each with a live SSE connection to GET /api/events/agent (Accept: text/event-stream, Bearer token);
 * - one predictive campaign (maxLinesPerAgent --lines) with enough leads; agents on autopilot: Ready, take the call
 *   (SSE call.offered / call.connected), on call.ended wait a short wrap-up, POST the disposition; one in five then
 *   pauses and goes Ready again (POST /api/agent/state twice).
 * Prints: p50/p95/p99/max of POST /api/agent/state and POST /api/agent/calls/:id/disposition, the answer-to-screen-pop
 * latency (calls.answer_at -> SSE call.offered arriving; calls.connect_at -> SSE call.connected arriving), and the
 * maximum number of calls in flight (sampled from the calls table), each beside its reference.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import http from 'node:http';
import { AddressInfo, createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { typeOrmOptions } from '../../src/database/typeorm-options';
import { hashPassword } from '../../src/modules/users/users.service';
import { zoneWhere } from '../../test/integration/dialer-fixtures';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}
const AGENTS = arg('agents', 500);
const SECONDS = arg('seconds', 240);
const SCALE = arg('scale', 0.5);
const ANSWER = arg('answer', 0.05);
const RING_S = arg('ring', 60);
const LINES = arg('lines', 6);
/** 1: API and dialer worker in two processes (the production layout: main.ts RUN_MODE=api + worker.ts); 0: one process. */
const SPLIT = arg('split', 1) === 1;
/** LOAD_TRACE=1: print the pacer's decision once a second and every 15 s bucket of the call timeline. */
const TRACE = process.env.LOAD_TRACE === '1';
const TARGET_CALLS = 2000;
const PASSWORD = 'load-bench-password-1';
const BASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/dialer';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (m: string) => process.stdout.write(`[load ${new Date().toISOString().slice(11, 19)}] ${m}\n`);

function dbUrl(name: string): string {
  const u = new URL(BASE_URL);
  u.pathname = `/${name}`;
  return u.toString();
}
async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}
function pct(xs: number[], p: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

interface Agent { id: string; email: string; token: string; callId: string | null; stream?: http.ClientRequest; open: boolean }
const stateMs: number[] = [];
/** The shift-start burst: all N agents going Ready within about a second (kept apart from the steady state). */
const burstMs: number[] = [];
const dispoMs: number[] = [];
const errors: Record<string, number> = {};
const offeredAt = new Map<string, number>();
const connectedAt = new Map<string, number>();
/** call.offered carries no time of its own: its `at` is when the API's live bridge got it from Redis (API -> client part). */
const bridgeLat: number[] = [];
let port = 0;
let stopping = false;

async function api(token: string, path: string, body: unknown, sink: number[] | null): Promise<{ status: number; body: any }> {
  const t0 = performance.now();
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
  const text = await res.text();
  const ms = performance.now() - t0;
  if (res.status >= 200 && res.status < 300) sink?.push(ms);
  else errors[`${path.replace(/[0-9a-f-]{36}/, ':id')} ${res.status}`] = (errors[`${path.replace(/[0-9a-f-]{36}/, ':id')} ${res.status}`] ?? 0) + 1;
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

function openStream(a: Agent, campaignId: string): void {
  let buf = '';
  const req = http.get({ host: '127.0.0.1', port, path: '/api/events/agent', agent: false, headers: { Accept: 'text/event-stream', Authorization: `Bearer ${a.token}` } }, (res) => {
    if (res.statusCode !== 200) {
      errors[`SSE ${res.statusCode}`] = (errors[`SSE ${res.statusCode}`] ?? 0) + 1;
      return;
    }
    a.open = true;
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      const now = Date.now();
      buf += chunk;
      let i: number;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        let type = 'message';
        let data = '';
        for (const line of block.split('\n')) {
          if (line.startsWith('event:')) type = line.slice(6).trim();
          else if (line.startsWith('data:')) data += line.slice(5).trim();
        }
        if (!data) continue;
        let d: any;
        try { d = JSON.parse(data); } catch { continue; }
        onEvent(a, type, d, now, campaignId);
      }
    });
    res.on('close', () => (a.open = false));
  });
  req.on('error', () => (a.open = false));
  a.stream = req;
}

function onEvent(a: Agent, type: string, d: any, now: number, campaignId: string): void {
  if (type === 'call.offered' && d.callId) {
    if (!offeredAt.has(d.callId)) offeredAt.set(d.callId, now);
    if (d.at) bridgeLat.push(now - Date.parse(d.at));
    a.callId = d.callId;
  } else if (type === 'call.connected' && d.callId) {
    if (!connectedAt.has(d.callId)) connectedAt.set(d.callId, now);
  } else if (type === 'call.ended' && d.callId) {
    const callId = d.callId as string;
    void (async () => {
      await sleep(200 + Math.random() * 800); // wrap-up
      if (stopping) return;
      await api(a.token, `/api/agent/calls/${callId}/disposition`, { outcome: Math.random() < 0.2 ? 'sale' : 'no_sale' }, dispoMs).catch(() => undefined);
      if (!stopping && Math.random() < 0.2) {
        await api(a.token, '/api/agent/state', { state: 'paused', reason: 'break' }, stateMs).catch(() => undefined);
        await sleep(300 + Math.random() * 700);
        if (!stopping) await api(a.token, '/api/agent/state', { state: 'ready', campaignId }, stateMs).catch(() => undefined);
      }
    })();
  }
}

async function main(): Promise<void> {
  const tag = randomBytes(4).toString('hex');
  const dbName = `bench_load_${tag}`;
  const prefix = `bench_load_${tag}`;
  const admin = new Client({ connectionString: dbUrl('postgres') });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const procs: ChildProcess[] = [];
  const logFile = join(tmpdir(), `load-bench-${tag}.log`);
  const db = new Client({ connectionString: dbUrl(dbName) });
  const agents: Agent[] = [];
  try {
    const ds = new DataSource(typeOrmOptions(dbUrl(dbName)));
    await ds.initialize();
    await ds.runMigrations({ transaction: 'each' });
    await ds.destroy();
    await db.connect();
    const campaignId = await seed(db);
    const hash = await hashPassword(PASSWORD);
    const { rows } = await db.query(
      `INSERT INTO users (email, display_name, password_hash, role)
       SELECT 'load-agent-' || g || '@bench.local', 'Load Agent ' || g, $1, 'agent' FROM generate_series(1, $2::int) g RETURNING id::text, email`,
      [hash, AGENTS],
    );
    for (const r of rows) agents.push({ id: r.id, email: r.email, token: '', callId: null, open: false });
    log(`database ${dbName} migrated; ${AGENTS} agents, campaign ${campaignId.slice(0, 8)}; predictive, ${LINES} lines/agent, answer rate ${ANSWER}, ring timeout ${RING_S} s, time scale ${SCALE}, ${SPLIT ? 'API and worker processes' : 'one process'}`);

    port = await freePort();
    const out = createWriteStream(logFile);
    const env = {
      ...process.env, DATABASE_URL: dbUrl(dbName), REDIS_URL, QUEUE_PREFIX: prefix, PORT: String(port), NODE_ENV: 'production',
      LOG_LEVEL: 'warn', TELEPHONY: 'simulated', SIMULATED_TIME_SCALE: String(SCALE), SIMULATED_ANSWER_RATE: String(ANSWER), SIMULATED_AGENTS: '',
      LOGIN_RATE_LIMIT: '100000', JWT_SECRET: `load-bench-secret-${tag}-0123456789abcdef0123456789`,
    };
    const entries: [string, string][] = SPLIT ? [['src/main.ts', 'api'], ['src/worker.ts', 'worker']] : [['src/main.ts', 'all']];
    for (const [entry, mode] of entries) {
      const p = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', entry], {
        cwd: join(__dirname, '..', '..'), env: { ...env, RUN_MODE: mode }, stdio: ['ignore', 'pipe', 'pipe'],
      });
      p.stdout!.pipe(out, { end: false });
      p.stderr!.pipe(out, { end: false });
      procs.push(p);
    }
    const bootBy = Date.now() + 120_000;
    for (;;) {
      const dead = procs.find((p) => p.exitCode !== null);
      if (dead) throw new Error(`app exited (${dead.exitCode}); see ${logFile}`);
      const ok = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.status < 500, () => false);
      if (ok) break;
      if (Date.now() > bootBy) throw new Error(`app did not start in 120 s; see ${logFile}`);
      await sleep(500);
    }
    log(`app up on :${port} (log ${logFile}); logging in ${AGENTS} agents`);

    // Log in (argon2 verify is CPU-bound: a few at a time), then open every SSE stream.
    let next = 0;
    await Promise.all(Array.from({ length: 4 }, async () => {
      while (next < agents.length) {
        const a = agents[next++];
        const res = await fetch(`http://127.0.0.1:${port}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: a.email, password: PASSWORD }) });
        if (res.status !== 200) throw new Error(`login ${res.status}: ${await res.text()}`);
        a.token = ((await res.json()) as { accessToken: string }).accessToken;
      }
    }));
    for (const a of agents) openStream(a, campaignId);
    const sseBy = Date.now() + 60_000;
    while (agents.some((a) => !a.open) && Date.now() < sseBy) await sleep(200);
    log(`${agents.filter((a) => a.open).length}/${AGENTS} SSE streams open; agents going Ready; steady state for ${SECONDS} s`);

    const start = Date.now();
    for (const a of agents) {
      void api(a.token, '/api/agent/state', { state: 'ready', campaignId }, burstMs).catch(() => undefined);
      await sleep(2);
    }
    // Sample the calls in flight (not ended: queued/dialing/ringing/answered/connected; wrap_up counted apart).
    let maxInFlight = 0;
    let maxWithWrap = 0;
    let maxConnected = 0;
    let lastLog = 0;
    const samples: number[] = [];
    // The pacer's own view, once a second from Redis: lines per agent it asked for, and why it stopped there.
    const pacer = new Redis(REDIS_URL, { keyPrefix: `${prefix}:` });
    const levels: number[] = [];
    const reasons: Record<string, number> = {};
    while (Date.now() - start < SECONDS * 1000) {
      const raw = await pacer.get(`pacing:${campaignId}`).catch(() => null);
      if (raw) {
        const d = JSON.parse(raw) as { dialLevel?: number; reason?: string; detail?: string };
        if (TRACE) log(`pacer: ${d.reason} ${d.detail ?? ''}`);
        if (typeof d.dialLevel === 'number') levels.push(d.dialLevel);
        if (d.reason) reasons[d.reason] = (reasons[d.reason] ?? 0) + 1;
      }
      const { rows: s } = await db.query(
        `SELECT count(*) FILTER (WHERE state IN ('queued','dialing','ringing','answered','connected'))::int AS flight,
                count(*) FILTER (WHERE state = 'connected')::int AS connected,
                count(*)::int AS open
           FROM calls WHERE end_at IS NULL OR state = 'wrap_up'`,
      );
      maxInFlight = Math.max(maxInFlight, s[0].flight);
      maxWithWrap = Math.max(maxWithWrap, s[0].open);
      maxConnected = Math.max(maxConnected, s[0].connected);
      samples.push(s[0].flight);
      if (Date.now() - lastLog > 20_000) {
        lastLog = Date.now();
        log(`t+${Math.round((Date.now() - start) / 1000)} s: in flight ${s[0].flight} (connected ${s[0].connected}), open incl. wrap-up ${s[0].open}; ${stateMs.length + burstMs.length} state changes, ${dispoMs.length} dispositions, SSE open ${agents.filter((a) => a.open).length}`);
      }
      await sleep(500);
    }
    stopping = true;
    await pacer.quit();
    await db.query(`UPDATE campaigns SET status = 'paused' WHERE id = $1`, [campaignId]);
    const openAtEnd = agents.filter((a) => a.open).length;
    await sleep(1500);

    // Screen pop: the server's answer / connect timestamps against the arrival of the event on that agent's stream.
    const { rows: calls } = await db.query(
      `SELECT id::text, agent_id::text AS agent, extract(epoch FROM answer_at) * 1000 AS answer, extract(epoch FROM connect_at) * 1000 AS connect
         FROM calls WHERE campaign_id = $1 AND answer_at IS NOT NULL`,
      [campaignId],
    );
    const { rows: tot } = await db.query(
      `SELECT count(*)::int AS dialed, count(*) FILTER (WHERE answer_at IS NOT NULL)::int AS answered, count(*) FILTER (WHERE connect_at IS NOT NULL)::int AS connected,
              count(*) FILTER (WHERE abandon_at IS NOT NULL)::int AS abandoned FROM calls WHERE campaign_id = $1`,
      [campaignId],
    );
    // When the abandons happened: 15 s buckets from the start of the steady state (dials, person answers, abandons).
    const { rows: timeline } = await db.query(
      `SELECT floor(extract(epoch FROM queued_at - to_timestamp($2 / 1000.0)) / 15)::int AS b, count(*)::int AS dialed,
              count(*) FILTER (WHERE answer_type = 'human')::int AS human, count(*) FILTER (WHERE abandon_at IS NOT NULL)::int AS abandoned
         FROM calls WHERE campaign_id = $1 GROUP BY 1 ORDER BY 1`,
      [campaignId, start],
    );
    const buckets = timeline.filter((r: { abandoned: number }) => r.abandoned > 0 || TRACE);
    process.stdout.write(`\ncalls by launch time (15 s buckets: dialled / answered by a person / abandoned)${buckets.length ? '' : ': no abandons'}\n`);
    for (const r of buckets) process.stdout.write(`  t+${String(r.b * 15).padStart(4)} s  ${String(r.dialed).padStart(5)} / ${String(r.human).padStart(4)} / ${r.abandoned}\n`);
    const offerLat: number[] = [];
    const connLat: number[] = [];
    let connectedNoEvent = 0;
    for (const c of calls) {
      if (!c.connect) continue;
      const o = offeredAt.get(c.id);
      const k = connectedAt.get(c.id);
      if (o !== undefined) offerLat.push(o - Number(c.answer));
      if (k !== undefined) connLat.push(k - Number(c.connect));
      else connectedNoEvent++;
    }
    const elapsed = (Date.now() - start) / 1000;
    const avgFlight = samples.reduce((s, x) => s + x, 0) / Math.max(1, samples.length);
    const row = (name: string, xs: number[], ref: number, refText: string) => {
      const p99 = pct(xs, 99);
      process.stdout.write(
        `${name.padEnd(44)} n=${String(xs.length).padStart(6)}  p50 ${pct(xs, 50).toFixed(1).padStart(7)}  p95 ${pct(xs, 95).toFixed(1).padStart(7)}  p99 ${p99.toFixed(1).padStart(7)}  max ${Math.max(...xs).toFixed(1).padStart(7)} ms   ${refText.padEnd(18)} ${p99 < ref ? 'MET' : 'MISSED'}\n`,
      );
    };
    process.stdout.write(`\nload average (1/5/15 min, shared 2-core box): ${loadavg().map((x) => x.toFixed(2)).join(' / ')}`);
    process.stdout.write(`\n=== Load (issue 9): ${AGENTS} agents with live SSE connections, ${elapsed.toFixed(0)} s steady state, time scale ${SCALE}, answer rate ${ANSWER}, ring timeout ${RING_S} s, ${SPLIT ? 'API + worker processes' : 'one process'} ===\n`);
    row('POST /api/agent/state (steady: pause/ready)', stateMs, 200, 'ref p99 < 200 ms');
    row('POST /api/agent/state (shift start burst)', burstMs, 200, 'ref p99 < 200 ms');
    row('POST /api/agent/calls/:id/disposition', dispoMs, 200, 'ref p99 < 200 ms');
    row('screen pop: answer_at -> SSE call.offered', offerLat, 300, 'ref p99 < 300 ms');
    row('screen pop: connect_at -> SSE call.connected', connLat, 300, 'ref p99 < 300 ms');
    row('SSE leg: API bridge -> SSE call.offered', bridgeLat, 300, 'ref p99 < 300 ms');
    process.stdout.write(
      `calls in flight (queued..connected), max of ${samples.length} samples: ${maxInFlight} (mean ${avgFlight.toFixed(0)}; connected max ${maxConnected}; incl. wrap-up max ${maxWithWrap})   ref ${TARGET_CALLS} concurrent   ${maxInFlight >= TARGET_CALLS ? 'MET' : 'NOT REACHED'}\n`,
    );
    const half = samples.slice(Math.floor(samples.length / 2));
    process.stdout.write(
      `second half of the run: calls in flight mean ${(half.reduce((a, x) => a + x, 0) / Math.max(1, half.length)).toFixed(0)}, min ${Math.min(...half)}; samples at or above ${TARGET_CALLS}: ${samples.filter((x) => x >= TARGET_CALLS).length} of ${samples.length} (second half ${half.filter((x) => x >= TARGET_CALLS).length} of ${half.length})\n`,
    );
    process.stdout.write(`pacer dial level (lines per agent asked for), ${levels.length} samples: p50 ${pct(levels, 50)?.toFixed(2)}, max ${Math.max(...levels).toFixed(2)}; reasons ${JSON.stringify(reasons)}\n`);
    process.stdout.write(`calls: ${tot[0].dialed} dialed, ${tot[0].answered} answered, ${tot[0].connected} connected to an agent, ${tot[0].abandoned} abandoned; connected calls with no call.connected event seen: ${connectedNoEvent}\n`);
    process.stdout.write(`SSE streams open at the end: ${openAtEnd}/${AGENTS}; non-2xx: ${JSON.stringify(errors)}\n`);
  } finally {
    stopping = true;
    for (const a of agents) a.stream?.destroy();
    for (const p of procs) {
      if (p.exitCode !== null) continue;
      p.kill('SIGTERM');
      await Promise.race([new Promise((r) => p.once('exit', r)), sleep(10_000)]);
      if (p.exitCode === null) p.kill('SIGKILL');
    }
    await db.end().catch(() => undefined);
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch((e) => log(`drop failed: ${e.message}`));
    await admin.end();
    const redis = new Redis(REDIS_URL);
    let cursor = '0';
    let n = 0;
    do {
      const [c, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = c;
      if (keys.length) n += await redis.del(...keys);
    } while (cursor !== '0');
    await redis.quit();
    log(`dropped ${dbName}, deleted ${n} Redis keys under ${prefix}`);
  }
}

/** A running predictive campaign with its outcomes and a list of leads in a zone inside calling hours. */
async function seed(db: Client): Promise<string> {
  const ALL_DAY = { windows: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [['00:00', '23:59']]])) };
  const [list] = (await db.query(`INSERT INTO lead_lists (name) VALUES ('load-list') RETURNING id`)).rows;
  const [c] = (await db.query(
    `INSERT INTO campaigns (name, status, dial_mode, schedule, pacing, caller_id, ring_timeout_s, max_attempts)
     VALUES ('load-campaign', 'running', 'predictive', $1, $2, '+12025550100', $3, 5) RETURNING id::text`,
    [ALL_DAY, { warmupAnsweredCalls: 20, maxLinesPerAgent: LINES }, RING_S],
  )).rows;
  await db.query(`INSERT INTO campaign_lists (campaign_id, list_id) VALUES ($1, $2)`, [c.id, list.id]);
  for (const [i, o] of [['sale', true, true, false, null], ['no_sale', true, false, false, null], ['call_later', false, false, false, 60]].entries()) {
    await db.query(
      `INSERT INTO campaign_outcomes (campaign_id, code, label, is_final, is_success, is_dnc, retry_after_minutes, sort_order) VALUES ($1, $2, $2, $3, $4, $5, $6, $7)`,
      [c.id, ...o, i],
    );
  }
  await db.query(
    `INSERT INTO leads (list_id, phone, country, first_name, timezone, priority)
     SELECT $1, '+1555' || lpad(g::text, 7, '0'), 'US', 'Load', $2, 0 FROM generate_series(1, 80000) g`,
    [list.id, zoneWhere(true)],
  );
  return c.id;
}

main().then(() => process.exit(0), (err) => {
  process.stderr.write(`load bench failed: ${err?.stack ?? err}\n`);
  process.exit(1);
});
