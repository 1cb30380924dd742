/**
 * Registry check speed: imports a 10M-number national DNC registry file through the real import code
 * (RegistryImportService.run: file -> COPY into dnc_registry_numbers), loads it the way every dialer process does
 * (RegistryLookupService.refresh), then times the per-dial registry check through the exact call the dial gate
 * makes (RegistryLookupService.hasMany([phone])), plus the PostgreSQL fallback path for comparison.
 *
 *   npx ts-node --transpile-only bench/dnc/registry-lookup.bench.ts          # BENCH_NUMBERS=10000000 by default
 *
 * Uses its own throw-away database on TEST_ADMIN_DATABASE_URL (default postgres://postgres:postgres@127.0.0.1:5432/postgres).
 */
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { createWriteStream, promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { Queue } from 'bullmq';
import { typeOrmOptions } from '../../src/database/typeorm-options';
import { ComplianceEventsService } from '../../src/modules/compliance/compliance-events.service';
import { RegistryImportJob, RegistryImportService } from '../../src/modules/compliance/registry-import.service';
import { RegistryLookupService } from '../../src/modules/compliance/registry-lookup.service';

const TARGET_P99_MS = 1;
const N = Number(process.env.BENCH_NUMBERS ?? 10_000_000);
const LOOKUPS = Number(process.env.BENCH_LOOKUPS ?? 200_000);
const DB_LOOKUPS = Number(process.env.BENCH_DB_LOOKUPS ?? 5_000);
const ADMIN_URL = process.env.TEST_ADMIN_DATABASE_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres';

/** Deterministic NANP ten-digit numbers: area 200-999 with first digit >= 2, exchange 200-999. */
function numberAt(i: number): string {
  const x = (i * 2654435761) % 4294967296;
  const area = 200 + (x % 800);
  const exchange = 200 + (Math.floor(x / 800) % 800);
  const line = i % 10000;
  return `${area}${exchange}${String(line).padStart(4, '0')}`;
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
const ms = (ns: bigint) => Number(ns) / 1e6;
const fmt = (x: number) => (x < 0.01 ? `${(x * 1000).toFixed(2)} µs` : `${x.toFixed(3)} ms`);

async function main(): Promise<void> {
  Logger.overrideLogger(['error']);
  const dbName = `dialer_bench_dnc_${randomBytes(3).toString('hex')}`;
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${dbName}`;
  const ds = new DataSource(typeOrmOptions(url.toString()));
  const file = join(tmpdir(), `${dbName}.txt`);
  try {
    await ds.initialize();
    await ds.runMigrations({ transaction: 'each' });

    let t0 = process.hrtime.bigint();
    const out = createWriteStream(file);
    const chunk: string[] = [];
    for (let i = 0; i < N; i++) {
      chunk.push(numberAt(i));
      if (chunk.length === 100_000) {
        if (!out.write(`${chunk.join('\n')}\n`)) await once(out, 'drain');
        chunk.length = 0;
      }
    }
    out.end(chunk.length ? `${chunk.join('\n')}\n` : '');
    await once(out, 'finish');
    console.log(`registry file: ${N.toLocaleString()} numbers, ${((await fs.stat(file)).size / 1e6).toFixed(0)} MB, written in ${(ms(process.hrtime.bigint() - t0) / 1000).toFixed(1)} s`);

    const events = new ComplianceEventsService(ds);
    const lookup = new RegistryLookupService(ds);
    const imports = new RegistryImportService(ds, { add: async () => ({ id: 'bench' }) } as unknown as Queue<RegistryImportJob>, events, lookup);
    const [row] = await ds.query(
      `INSERT INTO dnc_registry_imports (source, country, file_date, total_bytes) VALUES ('bench', 'US', current_date, $1) RETURNING id`,
      [(await fs.stat(file)).size],
    );
    t0 = process.hrtime.bigint();
    let lastPct = -1;
    const done = await imports.run({ importId: String(row.id), path: file }, (p) => {
      if (p >= lastPct + 25) (lastPct = p, console.log(`  import progress ${p}%`));
    });
    const importS = ms(process.hrtime.bigint() - t0) / 1000;
    console.log(`import job: ${done.imported.toLocaleString()} numbers in ${importS.toFixed(1)} s (${Math.round(done.imported / importS).toLocaleString()}/s), status ${done.status}`);

    // The import already loaded the index (invalidate -> refresh); time a cold load the way a starting process does.
    const cold = new RegistryLookupService(ds);
    t0 = process.hrtime.bigint();
    await cold.refresh();
    const loadS = ms(process.hrtime.bigint() - t0) / 1000;
    const mem = process.memoryUsage();
    console.log(`in-memory index: ${cold.size.toLocaleString()} distinct numbers loaded in ${loadS.toFixed(1)} s; process arrayBuffers ${(mem.arrayBuffers / 1e6).toFixed(0)} MB`);

    // Per-dial checks: half listed numbers, half not listed, in random order; the gate's own call.
    const probes: string[] = [];
    for (let i = 0; i < LOOKUPS; i++) {
      probes.push(i % 2 === 0 ? `+1${numberAt(Math.floor(Math.random() * N))}` : `+1${numberAt(N + Math.floor(Math.random() * N))}`);
    }
    for (let i = 0; i < 20_000; i++) await cold.hasMany([probes[i % probes.length]]); // warm-up (JIT)
    const times: number[] = new Array(LOOKUPS);
    let hits = 0;
    for (let i = 0; i < LOOKUPS; i++) {
      const s = process.hrtime.bigint();
      const r = await cold.hasMany([probes[i]]);
      times[i] = ms(process.hrtime.bigint() - s);
      hits += r.size;
    }
    times.sort((a, b) => a - b);
    if (!cold.inMemory) throw new Error('lookups did not use the in-memory index');

    const dbTimes: number[] = [];
    for (let i = 0; i < DB_LOOKUPS; i++) {
      const s = process.hrtime.bigint();
      await cold.hasManyInDb([probes[i]]);
      dbTimes.push(ms(process.hrtime.bigint() - s));
    }
    dbTimes.sort((a, b) => a - b);

    const p99 = pct(times, 0.99);
    console.log(`\nper-dial registry check (RegistryLookupService.hasMany, in-memory), ${LOOKUPS.toLocaleString()} checks, ${hits.toLocaleString()} listed:`);
    console.log(`  p50 ${fmt(pct(times, 0.5))}  p99 ${fmt(p99)}  p99.9 ${fmt(pct(times, 0.999))}  max ${fmt(times[times.length - 1])}`);
    console.log(`PostgreSQL fallback path (hasManyInDb, btree), ${DB_LOOKUPS.toLocaleString()} checks:`);
    console.log(`  p50 ${fmt(pct(dbTimes, 0.5))}  p99 ${fmt(pct(dbTimes, 0.99))}  max ${fmt(dbTimes[dbTimes.length - 1])}`);
    console.log(`\nRESULT registry check p99 = ${fmt(p99)} (target < ${TARGET_P99_MS} ms) over ${cold.size.toLocaleString()} numbers: ${p99 < TARGET_P99_MS ? 'PASS' : 'FAIL'}`);
    await lookup.onApplicationShutdown();
  } finally {
    await fs.unlink(file).catch(() => undefined);
    if (ds.isInitialized) await ds.destroy();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
