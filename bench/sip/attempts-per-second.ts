/**
 * Call attempts per second through drachtio-server to a sipp answering peer on loopback.
 *   DRACHTIO_BIN=/path/to/drachtio npx ts-node -P tsconfig.json bench/sip/attempts-per-second.ts   (or DRACHTIO_HOST=...)
 * Figure: attempts/s of the full adapter (pacer, rtpengine offer/answer/delete, INVITE, 200, ACK, BYE, and every
 * attempt persisted in PostgreSQL: a row at dial, updated at the end), beside its reference in the same run: a bare
 * drachtio-srf loop (createUAC + BYE, fixed SDP, nothing else). Targets: >= 200 attempts/s and >= 0.7x the bare loop.
 */
import { Pool } from 'pg';
import { DrachtioTelephony } from '../../src/modules/telephony/drachtio/drachtio-telephony';
import { SrfLike } from '../../src/modules/telephony/drachtio/sip-types';
import { GatewayConfig } from '../../src/modules/telephony/gateways/gateway-config';
import { RtpEngineNgClient } from '../../src/modules/telephony/rtpengine/rtpengine-ng.client';
import { DRACHTIO_SKIP_LINE, drachtioConfigured, LOCAL_SIP_IP, reachDrachtio } from '../../test/sip/support/drachtio-server';
import { startRtpEngine } from '../../test/sip/support/rtpengine-daemon';
import { sipp, sippAvailable } from '../../test/sip/support/sipp';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const Srf = require('drachtio-srf') as new () => SrfLike;

const ATTEMPTS = Number(process.env.BENCH_ATTEMPTS ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
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
  const stopAll = async () => {
    await db.end().catch(() => undefined);
    await rtpe.stop();
    await server.stop();
  };
  let peer: Awaited<ReturnType<typeof sipp>>;
  try {
    await db.query(`CREATE TABLE ${table} (
      id text PRIMARY KEY, sip_call_id text, outcome text, sip_code int, reason text, dial_at timestamptz NOT NULL, answer_at timestamptz, end_at timestamptz)`);
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
    const gateway: GatewayConfig = {
      id: 'bench', name: 'sipp', host: LOCAL_SIP_IP, port: peer.port, transport: 'udp', username: null, password: null,
      numberFormat: 'e164', prefix: '', callerIdRules: {}, cpsLimit: 100_000, channelLimit: CONCURRENCY * 2,
    };
    const tel = new DrachtioTelephony(new Srf(), new RtpEngineNgClient('127.0.0.1', rtpe.ngPort), { forDial: async () => gateway },
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
    // Subject: the adapter, every attempt persisted (row before the INVITE, updated at the end).
    let seq = 0;
    const adapterRound = async () => {
      let ok = 0;
      const sec = await pool(ATTEMPTS, CONCURRENCY, () => new Promise<void>((resolve, reject) => {
        const callId = `bench-${process.pid}-${++seq}`;
        void db.query(`INSERT INTO ${table} (id, dial_at) VALUES ($1, now())`, [callId]).then(() =>
          tel.dial({ callId, campaignId: 'bench', to: '+12025550143', callerId: '+12025550100', gatewayId: 'bench', ringTimeoutMs: 10_000 }, {
            onRinging: () => undefined,
            onAnswered: () => void tel.hangup(callId),
            onFailed: (_at, result, code, reason) => void db.query(`UPDATE ${table} SET outcome = $2, sip_code = $3, reason = $4, end_at = now() WHERE id = $1`, [callId, result, code, reason]).then(() => resolve(), reject),
            onEnded: () => void db.query(`UPDATE ${table} SET outcome = 'answered', sip_code = 200, answer_at = now(), end_at = now() WHERE id = $1`, [callId]).then(() => (ok++, resolve()), reject),
          }),
        );
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
    tel.stop();
    bare.disconnect();
    const [{ n }] = (await db.query(`SELECT count(*)::int AS n FROM ${table} WHERE outcome = 'answered' AND end_at IS NOT NULL`)).rows;
    const failures = (await db.query(`SELECT outcome, sip_code, reason, count(*)::int AS n FROM ${table} WHERE outcome IS DISTINCT FROM 'answered' GROUP BY 1, 2, 3`)).rows;
    await db.query(`DROP TABLE ${table}`);

    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
    const bareRate = median(bareRates);
    const rate = median(rates);
    console.log(`  reference  bare drachtio-srf loop : ${bareRate.toFixed(1)} attempts/s (median of ${ROUNDS})`);
    console.log(`  figure     DrachtioTelephony      : ${rate.toFixed(1)} attempts/s (median of ${ROUNDS}; ${n} of ${ROUNDS * ATTEMPTS} attempts answered and persisted)`);
    if (failures.length) console.log(`  attempts not answered: ${JSON.stringify(failures)}`);
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
