/**
 * Where the time of a lead import goes, one part at a time (not a test; see bench/RESULTS.md, "Lead import"):
 *
 *   1. Node alone: read + parse the CSV; then read + parse + normalise into staging COPY text (written to a file).
 *   2. PostgreSQL alone: COPY that text into the staging table.
 *   3. PostgreSQL alone: the merge into `leads` (in-file dedupe, error rows, INSERT), one chunk, statement by statement;
 *      then the same INSERT into a copy of `leads` without its indexes and constraints (the heap-only floor) and
 *      into `leads` without each index or constraint in turn (every variant rolled back).
 *
 *   npx tsc -p tsconfig.json && node dist/bench/import/import-breakdown.js [rows=1000000] [--variants]
 *
 * Uses the file of import-bench.ts (/tmp/bench-leads-<rows>.csv; run that first) and its own throw-away database.
 */
import { createReadStream, createWriteStream, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CountryCode } from 'libphonenumber-js/max';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { CsvRecord, CsvRecordStream } from '../../src/modules/leads/import/csv-reader';
import { resolveMapping, ResolvedMapping } from '../../src/modules/leads/import/lead-row';
import { normaliseBatch } from '../../src/modules/leads/import/normalise-batch';
import { createScratchDatabase } from './scratch-database';

const MAPPING = { phone: 'Phone', firstName: 'First Name', lastName: 'Last Name', postalCode: 'ZIP', timezone: 'Time Zone', altPhones: ['Mobile'], custom: { product: 'Product', notes: 'Notes' } };
const STAGE_COLUMNS = `kind char(1) NOT NULL, line integer NOT NULL, phone text, phone_type text, alt_phones jsonb, country text,
  first_name text, last_name text, postal_code text, timezone text, tz_candidates text[], tz_ambiguous boolean, custom_fields jsonb,
  err_column text, err_reason text, err_action text`;

const seconds = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;
const report: string[] = [];
const say = (s: string) => {
  report.push(s);
  process.stdout.write(s + '\n');
};

/** Read + parse only: how long the byte-level CSV reader takes over the whole file. */
async function readParse(file: string): Promise<number> {
  let n = 0;
  await pipeline(createReadStream(file, { highWaterMark: 64 * 1024 }), new CsvRecordStream(','), new Writable({
    objectMode: true,
    write(records: CsvRecord[], _e, cb) {
      n += records.length;
      cb();
    },
  }));
  return n;
}

/** Read + parse + normalise into staging COPY text, written to `out` (what the runner feeds COPY). */
async function readNormalise(file: string, out: string): Promise<{ rows: number; valid: number; normaliseSeconds: number }> {
  let mapping: ResolvedMapping | null = null;
  let rows = 0;
  let valid = 0;
  let normaliseNs = 0n;
  const sink = createWriteStream(out);
  await pipeline(createReadStream(file, { highWaterMark: 64 * 1024 }), new CsvRecordStream(','), async function* (source: AsyncIterable<CsvRecord[]>) {
    for await (let records of source) {
      if (!mapping) {
        mapping = resolveMapping(records[0].fields, MAPPING).mapping;
        records = records.slice(1);
      }
      const t = process.hrtime.bigint();
      const batch = normaliseBatch(records, mapping, 'US' as CountryCode);
      normaliseNs += process.hrtime.bigint() - t;
      rows += batch.rowsRead;
      valid += batch.valid;
      yield batch.out;
    }
  }, sink);
  return { rows, valid, normaliseSeconds: Number(normaliseNs) / 1e9 };
}

async function copyFile(pg: Client, sql: string, file: string): Promise<void> {
  await pipeline(createReadStream(file, { highWaterMark: 256 * 1024 }), pg.query(copyFrom(sql)));
}

async function timed(pg: Client, label: string, sql: string, params?: unknown[]): Promise<number> {
  const t = process.hrtime.bigint();
  const res = await pg.query(sql, params);
  const s = seconds(t);
  say(`  ${s.toFixed(2).padStart(6)} s  ${label}${res.rowCount !== null ? ` (${res.rowCount} rows)` : ''}`);
  return s;
}

const INSERT_LEADS = (table: string) => `INSERT INTO ${table} (list_id, phone, phone_type, alt_phones, country, first_name, last_name, postal_code,
       timezone, tz_candidates, tz_ambiguous, custom_fields, import_job_id, source_line)
  SELECT $1, s.phone, s.phone_type, s.alt_phones, s.country, s.first_name, s.last_name, s.postal_code,
         s.timezone, s.tz_candidates, s.tz_ambiguous, s.custom_fields, 'bench', s.line
    FROM kept f JOIN lead_import_stage s ON s.kind = 'l' AND s.line = f.line
   ORDER BY s.phone`;

async function main(): Promise<void> {
  const rows = Number(process.argv[2] ?? 1_000_000);
  const variants = process.argv.includes('--variants');
  const file = join(tmpdir(), `bench-leads-${rows}.csv`);
  if (!existsSync(file)) throw new Error(`${file} is missing: run import-bench.js ${rows} first`);
  const staged = join(tmpdir(), `bench-leads-${rows}.stage-${process.pid}.copy`);

  say(`file: ${file} (${(statSync(file).size / 1e6).toFixed(1)} MB)`);
  say('1. Node (this thread, no database):');
  let t = process.hrtime.bigint();
  const records = await readParse(file);
  const parseS = seconds(t);
  say(`  ${parseS.toFixed(2).padStart(6)} s  read + parse ${records} records (${((parseS / records) * 1e6).toFixed(2)} us/row)`);
  t = process.hrtime.bigint();
  const norm = await readNormalise(file, staged);
  const allS = seconds(t);
  say(`  ${allS.toFixed(2).padStart(6)} s  read + parse + normalise + write COPY text (${norm.rows} rows, ${norm.valid} valid; ` +
    `normaliseBatch alone ${norm.normaliseSeconds.toFixed(2)} s = ${((norm.normaliseSeconds / norm.rows) * 1e6).toFixed(2)} us/row)`);

  const { dbName, url, admin, ds } = await createScratchDatabase('dialer_breakdown');
  const pg = new Client({ connectionString: url.toString() });
  try {
    await ds.runMigrations({ transaction: 'each' });
    await pg.connect();
    await pg.query(`SET work_mem = '256MB'`);
    say('2. COPY of the normalised text into the staging table (temporary, as the runner makes it):');
    await pg.query(`CREATE ${process.argv.includes('--keep') ? 'UNLOGGED' : 'TEMP'} TABLE lead_import_stage (${STAGE_COLUMNS})`);
    t = process.hrtime.bigint();
    await copyFile(pg, 'COPY lead_import_stage FROM STDIN', staged);
    say(`  ${seconds(t).toFixed(2).padStart(6)} s  COPY lead_import_stage (${(statSync(staged).size / 1e6).toFixed(1)} MB of COPY text)`);

    say('3. Merge into leads, one chunk, new list (statement by statement):');
    const [list] = (await pg.query(`INSERT INTO lead_lists (name) VALUES ('breakdown') RETURNING id`)).rows;
    await timed(pg, 'ANALYZE lead_import_stage (kind, phone, line)', `ANALYZE lead_import_stage (kind, phone, line)`);
    await timed(pg, 'first line per number (CREATE TEMP TABLE kept)',
      `CREATE ${process.argv.includes('--keep') ? 'UNLOGGED' : 'TEMP'} TABLE kept AS SELECT phone, min(line) AS line, count(*) AS n FROM lead_import_stage WHERE kind = 'l' GROUP BY phone`);
    await timed(pg, 'ANALYZE kept', `ANALYZE kept`);
    const [imp] = (await pg.query(`INSERT INTO lead_imports (new_list_name, file_path, delimiter, default_country, mapping) VALUES ('b', '/dev/null', ',', 'US', '{}') RETURNING id`)).rows;
    await timed(pg, 'INSERT INTO lead_import_errors (issues + in-file duplicates)',
      `INSERT INTO lead_import_errors (import_id, line, column_name, reason, action)
       SELECT $1::uuid, line, err_column, err_reason, err_action FROM lead_import_stage WHERE kind = 'e'
       UNION ALL
       SELECT $1::uuid, s.line, 'Phone', 'duplicate: same phone number as line ' || c.line, 'duplicate'
         FROM lead_import_stage s JOIN kept c ON c.phone = s.phone
        WHERE s.kind = 'l' AND c.n > 1 AND s.line <> c.line`, [imp.id]);
    await pg.query('BEGIN');
    await timed(pg, 'INSERT INTO leads ... SELECT (all indexes, CHECK, FK)', INSERT_LEADS('leads'), [list.id]);
    await timed(pg, 'COMMIT', 'COMMIT');
    if (!variants) return;

    say('3b. The same INSERT into other targets (each rolled back, into a new list):');
    await pg.query(`INSERT INTO lead_lists (name) VALUES ('breakdown 2') RETURNING id`);
    const [list2] = (await pg.query(`SELECT id FROM lead_lists WHERE name = 'breakdown 2'`)).rows;
    const variant = async (label: string, prepare: string[], table = 'leads') => {
      await pg.query('BEGIN');
      for (const sql of prepare) await pg.query(sql);
      const lsn = (await pg.query(`SELECT pg_current_wal_lsn() AS l`)).rows[0].l;
      await timed(pg, label, INSERT_LEADS(table), [list2.id]);
      const [w] = (await pg.query(`SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1) AS b`, [lsn])).rows;
      say(`          WAL ${(Number(w.b) / 1e6).toFixed(0)} MB`);
      await pg.query('ROLLBACK');
    };
    await variant('leads, populated (862k rows of another list), all indexes', []);
    await variant('heap only: CREATE TABLE (LIKE leads INCLUDING DEFAULTS), no index/constraint', [`CREATE TABLE leads_plain (LIKE leads INCLUDING DEFAULTS)`], 'leads_plain');
    await variant('without CHECK (phone regex)', [`ALTER TABLE leads DROP CONSTRAINT leads_phone_check`]);
    await variant('without FK list_id', [`ALTER TABLE leads DROP CONSTRAINT leads_list_id_fkey`]);
    for (const idx of ['leads_list_phone_uq', 'leads_dialable_idx', 'leads_phone_idx', 'leads_list_status_idx', 'leads_lease_idx']) {
      await variant(`without ${idx}`, [`DROP INDEX ${idx}`]);
    }
    await variant('only pkey + leads_list_phone_uq', ['leads_dialable_idx', 'leads_phone_idx', 'leads_list_status_idx', 'leads_lease_idx'].map((i) => `DROP INDEX ${i}`)
      .concat(`ALTER TABLE leads DROP CONSTRAINT leads_phone_check`, `ALTER TABLE leads DROP CONSTRAINT leads_list_id_fkey`));
  } finally {
    await pg.end().catch(() => undefined);
    await ds.destroy();
    if (process.argv.includes('--keep')) say(`kept database ${dbName} and ${staged} (--keep)`);
    else {
      await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await import('node:fs/promises').then((fs) => fs.unlink(staged)).catch(() => undefined);
    }
    await admin.end();
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
