/**
 * Call attempts per second through drachtio-server to a sipp answering peer on loopback.
 *   DRACHTIO_BIN=/path/to/drachtio npx ts-node -P tsconfig.json bench/sip/attempts-per-second.ts   (or DRACHTIO_HOST=...)
 * Figure: attempts/s of the full adapter (gateway read from PostgreSQL through the adapter's GatewayCache, pacer,
 * rtpengine offer/answer/delete, INVITE, 200, ACK, BYE), every attempt persisted by the campaign runner's own
 * CallRecordWriter on the product schema (a scratch database, migrated): the call record opened before its INVITE
 * (DialRequest.sendAfter) with the attempt counted on the lead and its 'attempt' compliance event, then the closing
 * update carrying the answer, each group-committed: the path of a call the runner hangs up at answer (answering
 * machine), two statements per attempt as for a busy or unanswered one (BENCH_SEPARATE_ANSWER=1: the earlier path with
 * the answer in a statement of its own, three per attempt). A call holds its place among the calls in flight from its
 * record's opening to its end (BYE answered), as in the runner; a round's time runs until every record has closed, and
 * only the attempts whose closing update committed count.
 * Not in the figure: the lead's settle after the call (two statements per call in the runner, not batched).
 * Reference in the same run: a bare drachtio-srf loop (createUAC + BYE, fixed SDP, nothing else).
 * Targets: >= 200 attempts/s and >= 0.7x the bare loop.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import * as os from 'node:os';
import { Client, Pool } from 'pg';
import { DataSource } from 'typeorm';
import { typeOrmOptions } from '../../src/database/typeorm-options';
import { CallRecordWriter } from '../../src/modules/dialer/orchestrator/call-record-writer';
import { DrachtioTelephony } from '../../src/modules/telephony/drachtio/drachtio-telephony';
import { SrfLike } from '../../src/modules/telephony/drachtio/sip-types';
import { GatewayCache } from '../../src/modules/telephony/gateways/gateway-cache';
import { GatewayConfig } from '../../src/modules/telephony/gateways/gateway-config';
import { RtpEngineNgClient } from '../../src/modules/telephony/rtpengine/rtpengine-ng.client';
import { cpuAccountingAvailable, cpuPerAttempt, sampleCpu } from './cpu-usage';
import { DRACHTIO_SKIP_LINE, drachtioConfigured, LOCAL_SIP_IP, reachDrachtio } from '../../test/sip/support/drachtio-server';
import { startRtpEngine } from '../../test/sip/support/rtpengine-daemon';
import { sipp, sippAvailable } from '../../test/sip/support/sipp';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const Srf = require('drachtio-srf') as new () => SrfLike;

const ATTEMPTS = Number(process.env.BENCH_ATTEMPTS ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
// Group-commit statements in flight at once per kind (each on its own connection).
const WRITERS = Number(process.env.BENCH_WRITERS ?? 2);
// 1: the answer recorded by a statement of its own (the runner's path before it folded a machine's answer into the close).
const SEPARATE_ANSWER = process.env.BENCH_SEPARATE_ANSWER === '1';
const SDP = ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 40000 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000', ''].join('\r\n');

/** Runs `total` items `concurrency` at a time; seconds until all are done and `drain` (inside the timed span) has settled. */
async function pool(total: number, concurrency: number, one: (i: number) => Promise<void>, drain?: () => Promise<void>): Promise<number> {
  let next = 0;
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < total) await one(next++);
  }));
  if (drain) await drain();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

async function main() {
  if (!drachtioConfigured()) {
    console.log(`bench/sip: ${DRACHTIO_SKIP_LINE}; no figure produced.`);
    return;
  }
  if (!sippAvailable()) {
    console.log('bench/sip: SKIPPED: sipp not installed (apt-get install sip-tester); no figure produced.');
    return;
  }
  const server = await reachDrachtio();
  const rtpe = await startRtpEngine({ ports: 2000 }).catch(async (err) => {
    await server.stop();
    throw err;
  });
  // A scratch database with the product's schema (migrations), dropped at the end.
  const adminUrl = process.env.TEST_ADMIN_DATABASE_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres';
  const dbName = `dialer_bench_sip_${randomBytes(3).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  const ds = new DataSource(typeOrmOptions(url.toString()));
  const db = new Pool({ connectionString: url.toString(), max: 4 });
  const gwTable = 'bench_sip_gateways';
  const stopAll = async () => {
    await db.end().catch(() => undefined);
    if (ds.isInitialized) await ds.destroy().catch(() => undefined);
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
    await admin.end().catch(() => undefined);
    await rtpe.stop();
    await server.stop();
  };
  let peer: Awaited<ReturnType<typeof sipp>>;
  let campaignId: string;
  try {
    await ds.initialize();
    await ds.runMigrations({ transaction: 'each' });
    [{ id: campaignId }] = await ds.query(
      `INSERT INTO campaigns (name, status, dial_mode, caller_id, ring_timeout_s, max_attempts) VALUES ('bench', 'running', 'progressive', '+12025550100', 25, 5) RETURNING id`,
    );
    const [list] = await ds.query(`INSERT INTO lead_lists (name) VALUES ('bench') RETURNING id`);
    // One lead per attempt, each its own number (one live dial per number).
    await ds.query(
      `INSERT INTO leads (list_id, phone, country, timezone, status, lease_owner)
       SELECT $1, '+1202' || lpad(i::text, 7, '0'), 'US', 'America/New_York', 'leased', 'bench' FROM generate_series(1, $2) i`,
      [list.id, ATTEMPTS * ROUNDS],
    );
    await db.query(`CREATE TABLE ${gwTable} (id text PRIMARY KEY, host text NOT NULL, port int NOT NULL, cps_limit int NOT NULL, channel_limit int NOT NULL, active boolean NOT NULL)`);
    peer = await sipp('answer', { ip: LOCAL_SIP_IP, calls: ATTEMPTS * 2 * ROUNDS + 10, timeoutSec: 600, args: ['-buff_size', '4194304'] });
  } catch (err) {
    await stopAll();
    throw err;
  }
  await new Promise((r) => setTimeout(r, 300));
  const target = `sip:+12025550143@${LOCAL_SIP_IP}:${peer.port}`;

  try {
    const bare = new Srf();
    await new Promise<void>((resolve, reject) => {
      bare.on('connect', (err) => (err ? reject(err) : resolve()));
      bare.connect({ host: server.host, port: server.port, secret: server.secret });
    });
    // The gateway is a row read through the same cache GatewaysService.forDial uses (5 s TTL).
    await db.query(`INSERT INTO ${gwTable} VALUES ('bench', $1, $2, 100000, $3, true)`, [LOCAL_SIP_IP, peer.port, CONCURRENCY * 2]);
    let gatewayReads = 0;
    const gateways = new GatewayCache(async (id): Promise<GatewayConfig | null> => {
      gatewayReads++;
      const row = (await db.query(`SELECT * FROM ${gwTable} WHERE active AND ($1::text IS NULL OR id = $1)`, [id])).rows[0];
      return row ? {
        id: row.id, name: 'sipp', host: row.host, port: row.port, transport: 'udp', username: null, password: null,
        numberFormat: 'e164', prefix: '', callerIdRules: {}, cpsLimit: row.cps_limit, channelLimit: row.channel_limit,
      } : null;
    });
    // rtpengine commands that succeeded, counted, so the figure shows every attempt had its media anchored.
    const ng = new RtpEngineNgClient('127.0.0.1', rtpe.ngPort);
    const anchored = { offer: 0, answer: 0, delete: 0 };
    for (const cmd of ['offer', 'answer', 'delete'] as const) {
      const real = ng[cmd].bind(ng) as (...a: unknown[]) => Promise<unknown>;
      (ng as unknown as Record<string, unknown>)[cmd] = async (...a: unknown[]) => {
        const r = await real(...a);
        anchored[cmd]++;
        return r;
      };
    }
    const tel = new DrachtioTelephony(new Srf(), ng, gateways,
      { phoneOf: async () => null, credentialsOf: async () => null },
      { drachtio: { host: server.host, port: server.port, secret: server.secret }, realm: 'bench', abandonMessageFile: '/dev/null' });
    await tel.start();

    // Reference: bare drachtio-srf loop (createUAC with a fixed SDP, then BYE; no media server, no database).
    const bareRound = async () => {
      let ok = 0;
      const sec = await pool(ATTEMPTS, CONCURRENCY, async () => {
        const d = await bare.createUAC(target, { localSdp: SDP });
        await d.destroy();
        ok++;
      });
      return { ok, sec };
    };
    // Subject: the adapter, every attempt persisted by the runner's CallRecordWriter (the same calls the runner
    // makes, in the same order): the record is opened while the adapter prepares the call (gateway, pacing slot,
    // rtpengine offer) and the INVITE waits for its commit (sendAfter); the call is hung up at its answer (an answering
    // machine); the call leaves its place among the CONCURRENCY calls in flight when it ends (as the runner drops it
    // from its live calls, which the pacing counts, before closing its record), and the attempt counts only once the
    // closing update, which carries the answer, has committed: a round's time runs until the last of them has. Records
    // of attempts in flight together are written together (group commit: one statement per batch, each attempt waits
    // for its own).
    const records = new CallRecordWriter(ds, { concurrency: WRITERS });
    const leads: { id: string; phone: string }[] = await ds.query(`SELECT id::text AS id, phone FROM leads ORDER BY id`);
    let seq = 0;
    const adapterRound = async () => {
      let ok = 0;
      // Closing updates still in flight: the round's clock stops only once every one has committed.
      const closing: Promise<unknown>[] = [];
      const sec = await pool(ATTEMPTS, CONCURRENCY, () => new Promise<void>((resolve, reject) => {
        const callId = randomUUID();
        const lead = leads[seq++];
        const committed = records.open({
          callId, campaignId, leadId: lead.id, phone: lead.phone, attempt: 1, dialMode: 'progressive', callerId: '+12025550100',
          gatewayId: null, workerId: 'bench', at: new Date(),
        }).then((opened) => {
          if (!opened) throw new Error('record refused: number already live');
        });
        committed.catch(reject);
        // The call's writes in the order of its events, as the runner's per-call chain keeps them.
        let chain: Promise<unknown> = committed;
        let answer: { at: Date; type: 'machine' } | null = null;
        const then = (fn: () => Promise<unknown>) => (chain = chain.then(fn));
        // The call leaves the line when it ends, as it leaves the runner's live calls (and the pacing's count) then,
        // before its record is closed; the closing update is counted once it has committed.
        const ended = (close: () => Promise<boolean>) => {
          closing.push(then(close).then((closed) => void (closed && ok++)));
          resolve();
        };
        // The callee is reached at the sipp peer whatever the lead's number (the gateway's host and port).
        void tel.dial({ callId, campaignId, to: '+12025550143', callerId: '+12025550100', gatewayId: 'bench', ringTimeoutMs: 10_000, sendAfter: committed }, {
            onRinging: () => undefined,
            // As the runner does with an answering machine: hung up at once, the answer written by the closing update
            // (BENCH_SEPARATE_ANSWER=1: the earlier path, the answer recorded by a statement of its own while hanging up).
            onAnswered: (at) => {
              answer = { at, type: 'machine' };
              void then(() => (SEPARATE_ANSWER ? Promise.all([records.answered({ callId, at, type: 'machine' }), tel.hangup(callId)]) : tel.hangup(callId))).catch(reject);
            },
            onFailed: (at, result, code, reason) => ended(() => records.close({ callId, to: 'failed', endAt: at, outcome: result, sipCode: code, sipReason: reason, hangupBy: 'carrier', answer: SEPARATE_ANSWER ? null : answer })),
            onEnded: (at, by) => ended(() => records.close({ callId, to: 'ended', endAt: at, outcome: 'machine', hangupBy: by, answer: SEPARATE_ANSWER ? null : answer })),
          }).catch(reject);
      }).then(() => undefined), async () => {
        await Promise.all(closing);
      });
      return { ok, sec };
    };

    // Rounds alternate reference and subject so load from elsewhere on the machine falls on both alike.
    console.log(`bench/sip: ${ROUNDS} rounds of ${ATTEMPTS} attempts each way, ${CONCURRENCY} in flight, sipp answering on loopback; answer ${SEPARATE_ANSWER ? 'recorded apart (BENCH_SEPARATE_ANSWER=1)' : 'written by the closing update'}`);
    const bareRates: number[] = [];
    const rates: number[] = [];
    // CPU used by each process sharing the cores (drachtio-server, sipp, rtpengine, PostgreSQL, this process), per
    // attempt, so the figure says whether a side was short of CPU or waiting.
    const withCpu = cpuAccountingAvailable();
    const cpu: { bare: ReturnType<typeof cpuPerAttempt>[]; adapter: ReturnType<typeof cpuPerAttempt>[] } = { bare: [], adapter: [] };
    const cpuText = (c: ReturnType<typeof cpuPerAttempt>) => `${c.total.toFixed(2)} ms CPU/attempt, ${c.cores.toFixed(2)} cores busy`;
    for (let r = 1; r <= ROUNDS; r++) {
      const c0 = withCpu ? sampleCpu() : {};
      const b = await bareRound();
      const c1 = withCpu ? sampleCpu() : {};
      const a = await adapterRound();
      const c2 = withCpu ? sampleCpu() : {};
      bareRates.push(b.ok / b.sec);
      rates.push(a.ok / a.sec);
      console.log(`  round ${r}: bare ${(b.ok / b.sec).toFixed(1)}/s (${b.ok} in ${b.sec.toFixed(2)} s)   adapter ${(a.ok / a.sec).toFixed(1)}/s (${a.ok} in ${a.sec.toFixed(2)} s)   ratio ${(a.ok / a.sec / (b.ok / b.sec)).toFixed(2)}`);
      if (withCpu) {
        cpu.bare.push(cpuPerAttempt(c0, c1, ATTEMPTS, b.sec));
        cpu.adapter.push(cpuPerAttempt(c1, c2, ATTEMPTS, a.sec));
        console.log(`           bare ${cpuText(cpu.bare[r - 1])}   adapter ${cpuText(cpu.adapter[r - 1])}`);
      }
    }
    await new Promise((r) => setTimeout(r, 500)); // the last rtpengine deletes (sent after each call's end)
    tel.stop();
    bare.disconnect();
    const [{ n, events }] = (await db.query(
      `SELECT count(*)::int AS n, (SELECT count(*)::int FROM compliance_events WHERE type = 'attempt') AS events FROM calls
        WHERE state = 'ended' AND outcome = 'machine' AND answer_at IS NOT NULL AND end_at IS NOT NULL`,
    )).rows;
    const failures = (await db.query(`SELECT state, outcome, sip_code, sip_reason, count(*)::int AS n FROM calls WHERE state <> 'ended' GROUP BY 1, 2, 3, 4`)).rows;

    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
    const bareRate = median(bareRates);
    const rate = median(rates);
    console.log(`  reference  bare drachtio-srf loop : ${bareRate.toFixed(1)} attempts/s (median of ${ROUNDS})`);
    console.log(`  figure     DrachtioTelephony + CallRecordWriter: ${rate.toFixed(1)} attempts/s (median of ${ROUNDS}; ${n} of ${ROUNDS * ATTEMPTS} attempts answered and persisted, ${events} attempt events)`);
    if (failures.length) console.log(`  attempts not answered: ${JSON.stringify(failures)}`);
    const st = records.stats();
    const avg = (g: { batches: number; rows: number }) => (g.rows / Math.max(1, g.batches)).toFixed(1);
    console.log(`  media: rtpengine offer ${anchored.offer}, answer ${anchored.answer}, delete ${anchored.delete} (succeeded)`);
    console.log(`  persistence (CallRecordWriter): ${st.opens.batches} open, ${st.answers.batches} answer and ${st.closes.batches} close statements (average batch ${avg(st.opens)}, ${avg(st.answers)} and ${avg(st.closes)} rows); gateway read from the database ${gatewayReads} times`);
    if (withCpu) {
      const groups = [...new Set([...cpu.bare, ...cpu.adapter].flatMap((c) => Object.keys(c.perAttempt)))].sort();
      const med = (xs: ReturnType<typeof cpuPerAttempt>[], k: string) => median(xs.map((c) => c.perAttempt[k] ?? 0));
      console.log(`  CPU per attempt, median of ${ROUNDS} rounds (ms; ${os.cpus().length} cores on this machine):`);
      for (const k of groups) console.log(`    ${k.padEnd(16)} bare ${med(cpu.bare, k).toFixed(3)}   adapter ${med(cpu.adapter, k).toFixed(3)}`);
      console.log(`    ${'all'.padEnd(16)} bare ${median(cpu.bare.map((c) => c.total)).toFixed(3)}   adapter ${median(cpu.adapter.map((c) => c.total)).toFixed(3)}` +
        `   (cores busy: bare ${median(cpu.bare.map((c) => c.cores)).toFixed(2)}, adapter ${median(cpu.adapter.map((c) => c.cores)).toFixed(2)})`);
    }
    const paired = median(rates.map((r, i) => r / bareRates[i]));
    console.log(`  (median of the per-round ratios, each round's pair run back to back: ${paired.toFixed(2)}x; informational)`);
    console.log(`  ratio ${(rate / bareRate).toFixed(2)}x (target >= 0.7x): ${rate / bareRate >= 0.7 ? 'MET' : 'NOT MET'}; >= 200 attempts/s: ${rate >= 200 ? 'MET' : 'NOT MET'}`);
  } finally {
    await peer.stop();
    await stopAll();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
