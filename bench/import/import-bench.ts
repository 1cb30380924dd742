/**
 * Imports a messy 1,000,000-row CSV through the import code path (LeadImportRunner: stream, normalise, COPY into
 * staging, set-based merge, one transaction) and, in the same run, times a plain `psql \copy` of the same file into
 * a plain table of text columns. Prints rows/s, both times, their ratio and the peak RSS of this process.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/import/import-bench.js [rows=1000000]   (compiled: the RSS figure
 *                                                                                      is not inflated by ts-node)
 *   npx ts-node --transpile-only bench/import/import-bench.ts [rows=1000000]
 *
 * Uses its own throw-away database (dialer_bench_<time>) on the PostgreSQL of TEST_ADMIN_DATABASE_URL
 * (default postgres://postgres:postgres@127.0.0.1:5432/postgres) and drops it at the end.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LeadImportRunner } from '../../src/modules/leads/import/lead-import.runner';
import { createScratchDatabase } from './scratch-database';


async function main(): Promise<void> {
  const rows = Number(process.argv[2] ?? 1_000_000);
  const file = join(tmpdir(), `bench-leads-${rows}.csv`);
  if (!existsSync(file)) {
    // A separate process, so that generating the file does not count in this process's peak RSS.
    const compiled = __filename.endsWith('.js');
    const generator = join(__dirname, `generate-messy-csv.${compiled ? 'js' : 'ts'}`);
    if (compiled) execFileSync(process.execPath, [generator, file, String(rows)], { stdio: 'inherit' });
    else execFileSync('npx', ['ts-node', '--transpile-only', generator, file, String(rows)], { stdio: 'inherit' });
  }
  const { dbName, url, admin, ds } = await createScratchDatabase('dialer_bench');
  try {
    await ds.runMigrations({ transaction: 'each' });

    // Reference: psql \copy of the same file into a plain table (8 text columns, no checks, no indexes).
    await ds.query(`CREATE TABLE bench_plain (phone text, first_name text, last_name text, zip text, tz text, mobile text, product text, notes text)`);
    const t0 = process.hrtime.bigint();
    const psql = spawnSync('psql', [url.toString(), '-v', 'ON_ERROR_STOP=1', '-c', `\\copy bench_plain FROM '${file}' WITH (FORMAT csv, HEADER true)`], { encoding: 'utf8' });
    const copySeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    if (psql.status !== 0) throw new Error(`psql \\copy failed: ${psql.stderr}`);

    const [imp] = await ds.query(
      `INSERT INTO lead_imports (new_list_name, file_path, delimiter, default_country, mapping)
       VALUES ('bench', $1, ',', 'US', $2) RETURNING id`,
      [file, JSON.stringify({ phone: 'Phone', firstName: 'First Name', lastName: 'Last Name', postalCode: 'ZIP', timezone: 'Time Zone', altPhones: ['Mobile'], custom: { product: 'Product', notes: 'Notes' } })],
    );
    // The runner deletes its file when done; import a copy.
    const work = `${file}.import`;
    execFileSync('cp', [file, work]);
    await ds.query(`UPDATE lead_imports SET file_path = $2 WHERE id = $1`, [imp.id, work]);

    const rssBefore = process.memoryUsage().rss;
    let peakRss = rssBefore;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
    const t1 = process.hrtime.bigint();
    const runner = new LeadImportRunner(ds, process.env.LEAD_IMPORT_THREADS ? { LEAD_IMPORT_THREADS: Number(process.env.LEAD_IMPORT_THREADS) } : undefined);
    if (process.env.LEAD_IMPORT_CHUNK_MB) runner.mergeChunkBytes = Number(process.env.LEAD_IMPORT_CHUNK_MB) * 1048576;
    const result = await runner.run(imp.id);
    const importSeconds = Number(process.hrtime.bigint() - t1) / 1e9;
    clearInterval(sampler);
    const maxRssKb = process.resourceUsage().maxRSS;

    const [tz] = await ds.query(
      `SELECT count(*) FILTER (WHERE tz_ambiguous)::int AS ambiguous, count(*) FILTER (WHERE timezone IS NOT NULL)::int AS zoned FROM leads`,
    );
    const mb = (statSync(file).size / 1e6).toFixed(1);
    const lines = [
      `normalisation threads: ${runner.threads} (0 = inline; LEAD_IMPORT_THREADS to change)`,
      `file: ${file} (${mb} MB, ${rows} rows)`,
      `psql \\copy into a plain table: ${copySeconds.toFixed(2)} s (${Math.round(rows / copySeconds)} rows/s)`,
      `import (parse, normalise E.164 + type, time zone, COPY to staging, dedupe, merge, commit): ${importSeconds.toFixed(2)} s (${Math.round(rows / importSeconds)} rows/s)`,
      `ratio import / \\copy: ${(importSeconds / copySeconds).toFixed(2)}x (target <= 5x)`,
      `peak RSS: ${(maxRssKb / 1024).toFixed(0)} MB (process max; sampled during import ${(peakRss / 1048576).toFixed(0)} MB, of which ${(rssBefore / 1048576).toFixed(0)} MB before the import started; target < 300 MB)`,
      `phases: read+normalise+COPY to staging, merging each ${(runner.mergeChunkBytes / 1048576).toFixed(0)} MB chunk meanwhile (${result.timings?.chunks} chunks) ${result.timings?.stageSeconds.toFixed(2)} s; last chunk's merge+commit ${result.timings?.mergeSeconds.toFixed(2)} s`,
      `merge statements, summed over the chunks (${Object.values(result.timings?.mergeSteps ?? {}).reduce((a, b) => a + b, 0).toFixed(2)} s in all):`,
      ...Object.entries(result.timings?.mergeSteps ?? {}).filter(([, sec]) => sec >= 0.05).map(([sql, sec]) => `  ${sec.toFixed(2)} s  ${sql}`),
      `result: ${JSON.stringify({ inserted: result.inserted, rejected: result.rejected, duplicates: result.duplicates, rowsRead: result.rowsRead })}`,
      `time zones: ${tz.zoned} leads with one zone, ${tz.ambiguous} ambiguous`,
    ];
    process.stdout.write(lines.join('\n') + '\n');
  } finally {
    await ds.destroy();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
