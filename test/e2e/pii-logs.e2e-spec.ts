import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as argon2 from 'argon2';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { typeOrmOptions } from '../../src/database/typeorm-options';
import { zoneWhere } from '../integration/dialer-fixtures';
import { ADMIN_DATABASE_URL, databaseUrlFor } from '../setup/test-env';
import { freePort, waitFor } from '../setup/wait';

/**
 * No PII in logs: the real API + worker process (src/main.ts, LOG_LEVEL=debug, JSON lines on stdout) runs a full flow
 * - CSV import over HTTP, a predictive campaign on the simulated carrier, agents going Ready, taking calls and
 * recording dispositions with notes - and then every phone number (E.164 and national forms), name and e-mail it used
 * is searched for in everything the process wrote. The process gets a database and Redis prefix of its own so its
 * worker never touches the campaigns of tests running beside it.
 */
jest.setTimeout(150_000);

const N = 24;
const FIRST = Array.from({ length: N }, (_, i) => `Zorbalin${String.fromCharCode(97 + i)}`);
const LAST = Array.from({ length: N }, (_, i) => `Quixotrem${String.fromCharCode(97 + i)}`);
const PHONES = Array.from({ length: N }, (_, i) => `212555${String(100 + i).padStart(4, '0')}`); // national, 10 digits
const ALT = Array.from({ length: N }, (_, i) => `646555${String(200 + i).padStart(4, '0')}`);
const EMAILS = Array.from({ length: N }, (_, i) => `zq.lead${i}@pii-example.org`);
const AGENT_EMAILS = [0, 1, 2].map((i) => `pii-agent-${i}-${process.pid}@pii-example.org`);
const AGENT_NAMES = ['Agentina Florbix', 'Agentino Wumpfel', 'Agentara Pizzlewick'];
const PASSWORD = 'correct horse battery staple';

function phoneForms(national: string): string[] {
  const [a, b, c] = [national.slice(0, 3), national.slice(3, 6), national.slice(6)];
  return [`+1${national}`, national, `${a}-${b}-${c}`, `(${a}) ${b}-${c}`, `${a} ${b} ${c}`, `${a}.${b}.${c}`, `${b}-${c}`, `${b}${c}`];
}



describe('no PII in the logs of a full run (API + worker process, LOG_LEVEL=debug)', () => {
  const dbName = `${process.env.TEST_DB_NAME ?? 'dialer_test'}_pii`;
  let db: DataSource;
  let child: ChildProcess | undefined;
  let output = '';
  let base = '';

  beforeAll(async () => {
    const admin = new Client({ connectionString: ADMIN_DATABASE_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName}`);
    await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.end();
    db = new DataSource(typeOrmOptions(databaseUrlFor(dbName)));
    await db.initialize();
    await db.runMigrations({ transaction: 'each' });
  });

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await db?.destroy();
    const admin = new Client({ connectionString: ADMIN_DATABASE_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  });

  it('imports leads, runs a campaign, takes dispositions: no phone number, name or e-mail in any log line', async () => {
    const hash = await argon2.hash(PASSWORD, { type: argon2.argon2id });
    const [manager] = await db.query(`INSERT INTO users (email, display_name, password_hash, role) VALUES ($1, 'Managera Blintzova', $2, 'manager') RETURNING id`, [`pii-manager-${process.pid}@pii-example.org`, hash]);
    const agentIds: string[] = [];
    for (const [i, email] of AGENT_EMAILS.entries()) {
      const [a] = await db.query(`INSERT INTO users (email, display_name, password_hash, role) VALUES ($1, $2, $3, 'agent') RETURNING id`, [email, AGENT_NAMES[i], hash]);
      agentIds.push(a.id);
    }
    expect(manager.id).toBeTruthy();

    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join(__dirname, '../../src/main.ts')], {
      env: {
        ...process.env, DATABASE_URL: databaseUrlFor(dbName), QUEUE_PREFIX: `${process.env.QUEUE_PREFIX ?? 'test'}_pii`, PORT: String(port),
        RUN_MODE: 'all', LOG_LEVEL: 'debug', NODE_ENV: 'production', TELEPHONY: 'simulated',
        SIMULATED_TIME_SCALE: '0.01', SIMULATED_ANSWER_RATE: '0.7', TS_NODE_PROJECT: join(__dirname, '../../tsconfig.json'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d: Buffer) => (output += d.toString('utf8')));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString('utf8')));
    await waitFor(async () => (await fetch(`${base}/health`)).ok, 60_000, 'the API to listen');

    const login = async (email: string) => {
      const res = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }) });
      expect(res.status).toBe(200);
      return ((await res.json()) as { accessToken: string }).accessToken;
    };
    const mtoken = await login(`pii-manager-${process.pid}@pii-example.org`);
    const api = async (token: string, method: string, path: string, body?: unknown) => {
      const res = await fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    };

    // 1. CSV import over HTTP: names, national phone numbers, alt phones and an e-mail column; two bad rows.
    const csv = ['phone,first,last,mobile,email',
      ...PHONES.map((p, i) => `"(${p.slice(0, 3)}) ${p.slice(3, 6)}-${p.slice(6)}",${FIRST[i]},${LAST[i]},${ALT[i]},${EMAILS[i]}`),
      `not-a-phone ${PHONES[0]}x,${FIRST[0]},${LAST[0]},,${EMAILS[0]}`, `${PHONES[1]},${FIRST[1]}`].join('\n');
    const form = new FormData();
    form.append('newListName', `PII list ${Date.now()}`);
    form.append('mapping', JSON.stringify({ phone: 'phone', firstName: 'first', lastName: 'last', altPhones: ['mobile'], custom: { email: 'email' } }));
    form.append('defaultCountry', 'US');
    form.append('file', new Blob([csv], { type: 'text/csv' }), `leads-${FIRST[0]}.csv`);
    const up = await fetch(`${base}/api/lead-imports`, { method: 'POST', headers: { authorization: `Bearer ${mtoken}` }, body: form });
    expect(up.status).toBe(201);
    const job = (await up.json()) as { id: string };
    const done = await waitFor(async () => {
      const r = await api(mtoken, 'GET', `/api/lead-imports/${job.id}`);
      return ['completed', 'failed'].includes(r.body.status) ? r.body : null;
    }, 30_000, 'the import');
    expect(done).toMatchObject({ status: 'completed', inserted: N });
    const errors = await fetch(`${base}/api/lead-imports/${job.id}/errors.csv`, { headers: { authorization: `Bearer ${mtoken}` } });
    expect(errors.status).toBe(200);
    const [list] = await db.query(`SELECT list_id AS id FROM leads WHERE phone = $1`, [`+1${PHONES[0]}`]);
    // Keep every lead inside calling hours whatever the time of the test run: one zone, no other candidate zone from
    // the number or ZIP code (the dial gate checks the window in every zone a lead may be in).
    await db.query(`UPDATE leads SET timezone = $1, tz_candidates = NULL, tz_ambiguous = false WHERE list_id = $2`, [zoneWhere(true), list.id]);

    // Lead searches and reads (numbers and names travel in query strings and bodies).
    expect((await api(mtoken, 'GET', `/api/leads?search=${encodeURIComponent(`+1${PHONES[2]}`)}`)).status).toBeLessThan(500);
    expect((await api(mtoken, 'GET', `/api/leads?search=${FIRST[3]}`)).status).toBeLessThan(500);
    const [lead4] = await db.query(`SELECT id::text FROM leads WHERE phone = $1`, [`+1${PHONES[4]}`]);
    expect((await api(mtoken, 'GET', `/api/leads/${lead4.id}`)).status).toBe(200);
    expect((await api(mtoken, 'PATCH', `/api/leads/${lead4.id}`, { firstName: FIRST[5], phone: `+1${PHONES[4]}x` })).status).toBe(400);

    // 2. A predictive campaign with an all-day schedule, on the imported list.
    const ALL_DAY = { windows: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [['00:00', '23:59']]])) };
    const [c] = await db.query(
      `INSERT INTO campaigns (name, status, dial_mode, schedule, pacing, caller_id, ring_timeout_s, max_attempts)
       VALUES ('PII campaign', 'running', 'predictive', $1, $2, '+12025550100', 25, 1) RETURNING id`,
      [ALL_DAY, { warmupAnsweredCalls: 2, maxLinesPerAgent: 2 }],
    );
    await db.query(`INSERT INTO campaign_lists (campaign_id, list_id) VALUES ($1, $2)`, [c.id, list.id]);
    for (const [i, o] of [['sale', true, true, false, null], ['no_sale', true, false, false, null], ['call_later', false, false, false, 60], ['dnc', true, false, true, null]].entries()) {
      await db.query(`INSERT INTO campaign_outcomes (campaign_id, code, label, is_final, is_success, is_dnc, retry_after_minutes, sort_order) VALUES ($1, $2, $2, $3, $4, $5, $6, $7)`, [c.id, ...o, i]);
    }

    // 3. Agents log in, go Ready, and disposition each call with notes naming the person and the number.
    const tokens = await Promise.all(AGENT_EMAILS.map(login));
    for (const tk of tokens) expect((await api(tk, 'POST', '/api/agent/state', { state: 'ready', campaignId: c.id })).status).toBe(200);
    const outcomes = ['sale', 'no_sale', 'call_later', 'dnc'];
    let dispositions = 0;
    const deadline = Date.now() + 60_000;
    while (dispositions < 8 && Date.now() < deadline) {
      for (const tk of tokens) {
        const cur = await api(tk, 'GET', '/api/agent/current-call');
        const call = cur.body?.call;
        if (!call || !['connected', 'wrap_up'].includes(call.state)) continue;
        const i = PHONES.findIndex((p) => cur.body.lead?.phone?.includes(p.slice(6)) || call.phone?.includes(p)) ;
        const who = i >= 0 ? `${FIRST[i]} ${LAST[i]} ${EMAILS[i]} +1${PHONES[i]}` : '';
        const outcome = outcomes[dispositions % outcomes.length];
        const body: Record<string, unknown> = { outcome, notes: `Spoke with ${who}, call back on ${ALT[Math.max(i, 0)]}` };
        if (outcome === 'call_later') Object.assign(body, { callbackAt: new Date(Date.now() + 3_600_000).toISOString(), callbackScope: 'own' });
        if (outcome === 'dnc') body.dnc = true;
        const r = await api(tk, 'POST', `/api/agent/calls/${call.id}/disposition`, body);
        if (r.status === 200) dispositions++;
        else expect(r.status).toBeLessThan(500);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(dispositions).toBeGreaterThanOrEqual(8);
    // A manager adds a number to the DNC list by hand, and an agent pauses and logs out.
    expect((await api(mtoken, 'POST', '/api/compliance/dnc', { phone: `+1${PHONES[N - 1]}`, scope: 'internal', reason: `asked by ${FIRST[N - 1]}` })).status).toBe(201);
    expect((await api(mtoken, 'GET', `/api/compliance/dnc/lookup?phone=${encodeURIComponent(`+1${PHONES[N - 1]}`)}`)).status).toBe(200);
    for (const tk of tokens) expect((await api(tk, 'POST', '/api/agent/state', { state: 'logged_out' })).status).toBeLessThan(500);
    await db.query(`UPDATE campaigns SET status = 'paused' WHERE id = $1`, [c.id]);
    await waitFor(async () => (await db.query(`SELECT 1 FROM calls WHERE campaign_id = $1 AND end_at IS NULL`, [c.id])).length === 0, 20_000, 'calls to end');
    const [{ n: placed }] = await db.query(`SELECT count(*)::int AS n FROM calls WHERE campaign_id = $1`, [c.id]);
    expect(placed).toBeGreaterThanOrEqual(8);

    child.kill('SIGTERM');
    await Promise.race([once(child, 'exit'), new Promise((r) => setTimeout(r, 10_000))]);

    // The process did log, at debug level, as JSON lines (the check below would pass trivially on an empty log).
    if (process.env.PII_LOG_DUMP) writeFileSync(process.env.PII_LOG_DUMP, output); // to inspect the captured log
    const lines = output.split('\n').filter((l) => l.trim());
    expect(lines.length).toBeGreaterThan(20);
    expect(lines.filter((l) => l.startsWith('{')).length / lines.length).toBeGreaterThan(0.9);
    expect(output).toContain('request completed');

    const needles = [
      ...PHONES.flatMap(phoneForms), ...ALT.flatMap(phoneForms), ...FIRST, ...LAST, ...EMAILS, ...AGENT_EMAILS, ...[...EMAILS, ...AGENT_EMAILS].map(encodeURIComponent),
      ...AGENT_NAMES.flatMap((n) => n.split(' ')), 'Managera', 'Blintzova', `pii-manager-${process.pid}`, PASSWORD,
    ];
    const leaks = needles.flatMap((n) => lines.filter((l) => l.includes(n)).slice(0, 2).map((l) => `${n} in: ${l.slice(0, 300)}`));
    expect(leaks).toEqual([]);
  });
});
