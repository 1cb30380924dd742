/**
 * Call attempts per second through drachtio-server to a sipp answering peer on loopback.
 *   DRACHTIO_BIN=/path/to/drachtio npx ts-node -P tsconfig.json bench/sip/attempts-per-second.ts   (or DRACHTIO_HOST=...)
 * Figure: attempts/s of the full adapter (gateway read from PostgreSQL through the adapter's GatewayCache, pacer,
 * rtpengine offer/answer/delete, INVITE, 200, ACK, BYE, and every attempt persisted in PostgreSQL: a row committed
 * before its INVITE (DialRequest.sendAfter), updated with outcome, SIP code and times at the end, both written by
 * group commit), beside its
 * reference in the same run: a bare drachtio-srf loop (createUAC + BYE, fixed SDP, nothing else).
 * Targets: >= 200 attempts/s and >= 0.7x the bare loop.
 */
import { Pool } from 'pg';
import { DrachtioTelephony } from '../../src/modules/telephony/drachtio/drachtio-telephony';
import { SrfLike } from '../../src/modules/telephony/drachtio/sip-types';
import { GatewayCache } from '../../src/modules/telephony/gateways/gateway-cache';
import { GatewayConfig } from '../../src/modules/telephony/gateways/gateway-config';
import { GroupCommit } from '../../src/modules/telephony/group-commit';
import { RtpEngineNgClient } from '../../src/modules/telephony/rtpengine/rtpengine-ng.client';
import { DRACHTIO_SKIP_LINE, drachtioConfigured, LOCAL_SIP_IP, reachDrachtio } from '../../test/sip/support/drachtio-server';
import { startRtpEngine } from '../../test/sip/support/rtpengine-daemon';
import { sipp, sippAvailable } from '../../test/sip/support/sipp';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const Srf = require('drachtio-srf') as new () => SrfLike;

const ATTEMPTS = Number(process.env.BENCH_ATTEMPTS ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
// Group-commit writers in flight at once per statement kind (each on its own connection).
const WRITERS = Number(process.env.BENCH_WRITERS ?? 2);
const SDP = ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 40000 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000', ''].join('\r\n');

async function pool(total: number, concurrency: number, one: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < total) await one(next++);
  }));
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
  const db = new Pool({ connectionString: process.env.DATABASE_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres', max: 10 });
  const table = `bench_sip_attempts_${process.pid}`;
  const gwTable = `bench_sip_gateways_${process.pid}`;
  const stopAll = async () => {
    await db.end().catch(() => undefined);
    await rtpe.stop();
    await server.stop();
  };
  let peer: Awaited<ReturnType<typeof sipp>>;
  try {
    await db.query(`CREATE TABLE ${table} (
      id text PRIMARY KEY, sip_call_id text, outcome text, sip_code int, reason text, dial_at timestamptz NOT NULL, answer_at timestamptz, end_at timestamptz)`);
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
    // Subject: the adapter, every attempt persisted: its row is committed before the INVITE and updated when the
    // attempt ends; the attempt counts only once the update has committed. Rows of attempts in flight together are
    // written together (group commit: one statement and one WAL flush per batch, each attempt waits for its own).
    type Opened = { id: string; at: Date };
    type Closed = { id: string; outcome: string; code: number | null; reason: string | null; answerAt: Date | null; endAt: Date };
    const inserts = new GroupCommit<Opened>(async (rows) => {
      await db.query(`INSERT INTO ${table} (id, dial_at) SELECT * FROM unnest($1::text[], $2::timestamptz[])`, [rows.map((r) => r.id), rows.map((r) => r.at)]);
    }, 500, WRITERS);
    const updates = new GroupCommit<Closed>(async (rows) => {
      await db.query(
        `UPDATE ${table} t SET outcome = v.outcome, sip_code = v.code, reason = v.reason, answer_at = v.answer_at, end_at = v.end_at
           FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::timestamptz[], $6::timestamptz[]) AS v(id, outcome, code, reason, answer_at, end_at)
          WHERE t.id = v.id`,
        [rows.map((r) => r.id), rows.map((r) => r.outcome), rows.map((r) => r.code), rows.map((r) => r.reason), rows.map((r) => r.answerAt), rows.map((r) => r.endAt)],
      );
    }, 500, WRITERS);
    let seq = 0;
    const adapterRound = async () => {
      let ok = 0;
      const sec = await pool(ATTEMPTS, CONCURRENCY, () => new Promise<void>((resolve, reject) => {
        const callId = `bench-${process.pid}-${++seq}`;
        let answerAt: Date | null = null;
        // The row is written while the adapter prepares the call (gateway, pacing, rtpengine offer); the INVITE waits
        // for its commit (sendAfter).
        const opened = inserts.submit({ id: callId, at: new Date() });
        opened.catch(reject);
        void tel.dial({ callId, campaignId: 'bench', to: '+12025550143', callerId: '+12025550100', gatewayId: 'bench', ringTimeoutMs: 10_000, sendAfter: opened }, {
            onRinging: () => undefined,
            onAnswered: (at) => ((answerAt = at), void tel.hangup(callId)),
            onFailed: (at, result, code, reason) => void updates.submit({ id: callId, outcome: result, code, reason, answerAt: null, endAt: at }).then(() => resolve(), reject),
            onEnded: (at) => void updates.submit({ id: callId, outcome: 'answered', code: 200, reason: null, answerAt, endAt: at }).then(() => (ok++, resolve()), reject),
          }).catch(reject);
      }));
      return { ok, sec };
    };

    // Rounds alternate reference and subject so load from elsewhere on the machine falls on both alike.
    console.log(`bench/sip: ${ROUNDS} rounds of ${ATTEMPTS} attempts each way, ${CONCURRENCY} in flight, sipp answering on loopback`);
    const bareRates: number[] = [];
    const rates: number[] = [];
    for (let r = 1; r <= ROUNDS; r++) {
      const b = await bareRound();
      const a = await adapterRound();
      bareRates.push(b.ok / b.sec);
      rates.push(a.ok / a.sec);
      console.log(`  round ${r}: bare ${(b.ok / b.sec).toFixed(1)}/s (${b.ok} in ${b.sec.toFixed(2)} s)   adapter ${(a.ok / a.sec).toFixed(1)}/s (${a.ok} in ${a.sec.toFixed(2)} s)   ratio ${(a.ok / a.sec / (b.ok / b.sec)).toFixed(2)}`);
    }
    await new Promise((r) => setTimeout(r, 500)); // the last rtpengine deletes (sent after each call's end)
    tel.stop();
    bare.disconnect();
    const [{ n }] = (await db.query(`SELECT count(*)::int AS n FROM ${table} WHERE outcome = 'answered' AND end_at IS NOT NULL`)).rows;
    const failures = (await db.query(`SELECT outcome, sip_code, reason, count(*)::int AS n FROM ${table} WHERE outcome IS DISTINCT FROM 'answered' GROUP BY 1, 2, 3`)).rows;
    await db.query(`DROP TABLE ${table}; DROP TABLE ${gwTable}`);

    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
    const bareRate = median(bareRates);
    const rate = median(rates);
    console.log(`  reference  bare drachtio-srf loop : ${bareRate.toFixed(1)} attempts/s (median of ${ROUNDS})`);
    console.log(`  figure     DrachtioTelephony      : ${rate.toFixed(1)} attempts/s (median of ${ROUNDS}; ${n} of ${ROUNDS * ATTEMPTS} attempts answered and persisted)`);
    if (failures.length) console.log(`  attempts not answered: ${JSON.stringify(failures)}`);
    const avg = (g: { stats(): { batches: number; rows: number } }) => (g.stats().rows / Math.max(1, g.stats().batches)).toFixed(1);
    console.log(`  media: rtpengine offer ${anchored.offer}, answer ${anchored.answer}, delete ${anchored.delete} (succeeded)`);
    console.log(`  persistence: ${inserts.stats().batches} INSERT and ${updates.stats().batches} UPDATE statements (average batch ${avg(inserts)} and ${avg(updates)} rows); gateway read from the database ${gatewayReads} times`);
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
