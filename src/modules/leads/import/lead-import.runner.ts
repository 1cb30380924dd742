import { createReadStream } from 'node:fs';
import { stat, unlink } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Transform, TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { CountryCode } from 'libphonenumber-js/max';
import { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../../../config/app-config';
import { CsvRecord, CsvRecordStream } from './csv-reader';
import { ImportStatus, LeadImportEntity } from './lead-import.entity';
import { ResolvedMapping, resolveMapping } from './lead-row';
import { NormalisedBatch, normaliseBatch } from './normalise-batch';
import { NormalisePool } from './normalise-pool';

export interface ImportProgress {
  rowsRead: number;
  rejected: number;
  valid: number;
}

export interface ImportSummary {
  importId: string;
  status: ImportStatus;
  listId: string | null;
  rowsRead: number;
  inserted: number;
  updated: number;
  rejected: number;
  duplicates: number;
  /** Where the time went (set on the run that completed the import). */
  timings?: { stageSeconds: number; mergeSeconds: number; mergeSteps: Record<string, number> };
}

export class ImportCancelled extends Error {
  constructor() {
    super('import cancelled');
  }
}
/** Another run of the same import (a stalled job picked up twice) committed first; this run's work is discarded. */
class CompletedElsewhere extends Error {}
/** A failure that running the job again cannot fix (the file's header no longer matches, the list is gone). */
export class ImportRefused extends Error {}

const STAGE_COLUMNS = `kind char(1) NOT NULL, line integer NOT NULL, phone text, phone_type text, alt_phones jsonb, country text,
  first_name text, last_name text, postal_code text, timezone text, tz_candidates text[], tz_ambiguous boolean, custom_fields jsonb,
  err_column text, err_reason text, err_action text`;

/**
 * Normalises parsed records into COPY lines for the staging table; counts as it goes and stops when cancelled.
 * Small files are normalised on this thread; big ones on a pool of worker threads, a few batches in flight.
 */
class StageTransform extends Transform {
  mapping: ResolvedMapping | null = null;
  readonly progress: ImportProgress = { rowsRead: 0, rejected: 0, valid: 0 };
  cancelled = false;
  readonly customNames = new Set<string>();
  private pool: NormalisePool | null = null;
  private inflight = 0;
  private waiting: TransformCallback | null = null;
  private flushed: TransformCallback | null = null;

  constructor(
    private readonly columnMapping: LeadImportEntity['mapping'],
    private readonly defaultCountry: CountryCode,
    private readonly threads: number,
  ) {
    super({ writableObjectMode: true, writableHighWaterMark: 4 });
  }

  _transform(records: CsvRecord[], _enc: BufferEncoding, cb: TransformCallback): void {
    if (this.cancelled) return cb(new ImportCancelled());
    if (!this.mapping) {
      const { mapping, errors } = resolveMapping(records[0].fields, this.columnMapping);
      if (errors.length) return cb(new ImportRefused(errors.map((e) => `${e.field}: ${e.reason}`).join('; ')));
      this.mapping = mapping;
      if (this.threads > 0) this.pool = NormalisePool.start(this.threads, { header: records[0].fields, mapping: this.columnMapping, defaultCountry: this.defaultCountry });
      records = records.slice(1);
    }
    if (!this.pool) {
      const batch = normaliseBatch(records, this.mapping, this.defaultCountry);
      this.count(batch);
      // Yield to the event loop between batches: progress ticks, cancellation checks, the BullMQ lock renewal and,
      // in RUN_MODE=all, HTTP requests all get their turn during a long import.
      setImmediate(() => cb(null, batch.out.length ? batch.out : undefined));
      return;
    }
    this.inflight++;
    this.pool.run(records).then(
      (batch) => {
        this.inflight--;
        this.count(batch);
        if (batch.out.length && !this.destroyed) this.push(batch.out);
        this.release();
      },
      (err: Error) => this.destroy(err),
    );
    if (this.inflight < this.threads * BATCHES_PER_THREAD) cb();
    else this.waiting = cb;
  }

  _flush(cb: TransformCallback): void {
    if (this.inflight === 0) cb();
    else this.flushed = cb;
  }

  _destroy(err: Error | null, cb: (error: Error | null) => void): void {
    void this.close().finally(() => cb(err));
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    await pool?.close();
  }

  private count(batch: NormalisedBatch): void {
    this.progress.rowsRead += batch.rowsRead;
    this.progress.rejected += batch.rejected;
    this.progress.valid += batch.valid;
    for (const name of batch.customNames) this.customNames.add(name);
  }

  private release(): void {
    if (this.waiting && this.inflight < this.threads * BATCHES_PER_THREAD) {
      const cb = this.waiting;
      this.waiting = null;
      cb(this.cancelled ? new ImportCancelled() : null);
    }
    if (this.flushed && this.inflight === 0) {
      const cb = this.flushed;
      this.flushed = null;
      cb();
    }
  }
}

/** Two batches per thread keep every thread busy while bounding memory (a batch is one 64 KB read). */
const BATCHES_PER_THREAD = 2;

/**
 * Runs one import from its file to the leads table: stream the file, normalise each row, COPY every outcome into a
 * temporary staging table, then merge set-based (dedupe within the file, the list and optionally the campaign) and
 * record the result, all in ONE transaction. So a failed or cancelled run leaves nothing (not even the new list it
 * was to create) and a second run of a completed import is a no-op.
 */
@Injectable()
export class LeadImportRunner {
  private readonly logger = new Logger(LeadImportRunner.name);
  /** How often progress is written to lead_imports (and cancellation is checked) while the file is read. */
  progressIntervalMs = 500;
  /** Files at least this big are normalised on worker threads (startup costs ~0.1-1 s, so not for small files). */
  poolMinBytes = 8 * 1024 * 1024;
  /**
   * Normalisation threads for a big file: LEAD_IMPORT_THREADS, else one per core beyond two (one core stays with
   * this thread, which reads the file and feeds COPY, and one with PostgreSQL). 0 = normalise on this thread.
   * On the 2-core benchmark machine threads did not help (see bench/RESULTS.md), hence 0 there.
   */
  threads: number;

  constructor(
    private readonly db: DataSource,
    @Optional() @Inject(APP_CONFIG) config?: Pick<AppConfig, 'LEAD_IMPORT_THREADS'>,
  ) {
    this.threads = config?.LEAD_IMPORT_THREADS ?? Math.max(0, availableParallelism() - 2);
  }

  async run(importId: string, onProgress?: (p: ImportProgress) => Promise<void> | void): Promise<ImportSummary> {
    const imp = await this.db.getRepository(LeadImportEntity).findOneBy({ id: importId });
    if (!imp) throw new ImportRefused(`import ${importId} does not exist`);
    if (imp.status === ImportStatus.Completed || imp.status === ImportStatus.Cancelled) return summary(imp);
    if (imp.cancelRequested) return this.finishCancelled(imp);

    await this.db.query(
      `UPDATE lead_imports SET status = 'running', started_at = now(), rows_read = 0, rejected = 0, error = NULL, updated_at = now()
        WHERE id = $1 AND status <> 'completed'`,
      [importId],
    );
    const qr = this.db.createQueryRunner();
    const client = (await qr.connect()) as PoolClient;
    const size = await stat(imp.filePath).then((st) => st.size, () => 0);
    const stage = new StageTransform(imp.mapping, imp.defaultCountry as CountryCode, size >= this.poolMinBytes ? this.threads : 0);
    let ticking = Promise.resolve();
    const ticker = setInterval(() => {
      ticking = ticking.then(() => this.tick(importId, stage, onProgress)).catch(() => undefined);
    }, this.progressIntervalMs);
    const stopTicker = async () => {
      clearInterval(ticker);
      await ticking;
    };
    try {
      await client.query('BEGIN');
      await client.query(`SET LOCAL work_mem = '256MB'`);
      await client.query(`CREATE TEMP TABLE lead_import_stage (${STAGE_COLUMNS}) ON COMMIT DROP`);
      const copy = client.query(copyFrom('COPY lead_import_stage FROM STDIN'));
      const t0 = Date.now();
      await pipeline(createReadStream(imp.filePath, { highWaterMark: 64 * 1024 }), new CsvRecordStream(imp.delimiter), stage, copy);
      await stopTicker();
      if (!stage.mapping) throw new ImportRefused('the file is empty: no header row');
      const t1 = Date.now();
      const result = await this.merge(client, imp, stage);
      await client.query('COMMIT');
      result.timings = { stageSeconds: (t1 - t0) / 1000, mergeSeconds: (Date.now() - t1) / 1000, mergeSteps: result.timings?.mergeSteps ?? {} };
      await onProgress?.(stage.progress);
      await unlink(imp.filePath).catch(() => undefined);
      this.logger.log({ ...result }, 'lead import completed');
      return result;
    } catch (err) {
      await stopTicker();
      await client.query('ROLLBACK').catch(() => undefined);
      if (err instanceof ImportCancelled) return this.finishCancelled(imp);
      // Another run of this import may have completed meanwhile (and removed the file this run was reading).
      const now = await this.db.getRepository(LeadImportEntity).findOneBy({ id: importId });
      if (err instanceof CompletedElsewhere || now?.status === ImportStatus.Completed) return summary(now!);
      const message = err instanceof ImportRefused ? err.message : 'the import failed: internal error (it can be run again)';
      this.logger.error({ importId, err: { type: (err as Error)?.name, code: (err as { code?: string })?.code } }, 'lead import failed');
      await this.db.query(
        `UPDATE lead_imports SET status = 'failed', error = $2, finished_at = now(), updated_at = now() WHERE id = $1 AND status <> 'completed'`,
        [importId, message],
      );
      throw err;
    } finally {
      await stage.close();
      await qr.release();
    }
  }

  /** Removes the uploaded file of an import that will not run again. */
  async discardFile(importId: string): Promise<void> {
    const imp = await this.db.getRepository(LeadImportEntity).findOneBy({ id: importId });
    if (imp && imp.status !== ImportStatus.Running) await unlink(imp.filePath).catch(() => undefined);
  }

  private async tick(importId: string, stage: StageTransform, onProgress?: (p: ImportProgress) => Promise<void> | void): Promise<void> {
    const p = stage.progress;
    const [row] = await this.db.query(
      `UPDATE lead_imports SET rows_read = $2, rejected = $3, updated_at = now() WHERE id = $1 RETURNING cancel_requested`,
      [importId, p.rowsRead, p.rejected],
    );
    if (row?.cancel_requested) stage.cancelled = true;
    await onProgress?.(p);
  }

  private async finishCancelled(imp: LeadImportEntity): Promise<ImportSummary> {
    await this.db.query(
      `UPDATE lead_imports SET status = 'cancelled', finished_at = now(), updated_at = now() WHERE id = $1 AND status <> 'completed'`,
      [imp.id],
    );
    await unlink(imp.filePath).catch(() => undefined);
    const fresh = await this.db.getRepository(LeadImportEntity).findOneByOrFail({ id: imp.id });
    return summary(fresh);
  }

  /** Set-based merge of the staging table into leads; runs inside the import's transaction. */
  private async merge(pg: PoolClient, imp: LeadImportEntity, stage: StageTransform): Promise<ImportSummary> {
    const id = imp.id;
    // Each statement's duration, by its first words (no parameters: nothing personal), for the benchmark and the log.
    const steps: Record<string, number> = {};
    const client = {
      query: async (sql: string, params?: unknown[]) => {
        const t = Date.now();
        const res = await pg.query(sql, params);
        const label = sql.replace(/\s+/g, ' ').trim().slice(0, 48);
        steps[label] = (steps[label] ?? 0) + (Date.now() - t) / 1000;
        return res;
      },
    };
    // Serialises with a concurrent run of the same import (a stalled job picked up twice): only one can complete it.
    const [current] = (await client.query(`SELECT status, cancel_requested FROM lead_imports WHERE id = $1 FOR UPDATE`, [id])).rows;
    if (current.status === ImportStatus.Completed) throw new CompletedElsewhere();
    // Last chance to honour a cancel that arrived after the final progress tick.
    if (current.cancel_requested) throw new ImportCancelled();

    // The list row is locked (or created) in this transaction, so imports into one list run one after the other.
    let listId = imp.listId;
    if (listId) {
      const found = await client.query(`SELECT id FROM lead_lists WHERE id = $1 AND deleted_at IS NULL FOR UPDATE`, [listId]);
      if (!found.rowCount) throw new ImportRefused('the list was deleted while the file was being imported');
    } else {
      const created = await client.query(
        `INSERT INTO lead_lists (name, default_country, created_by) VALUES ($1, $2, $3) RETURNING id`,
        [imp.newListName, imp.defaultCountry, imp.createdBy],
      );
      listId = created.rows[0].id as string;
    }
    const phoneColumn = stage.mapping!.header[stage.mapping!.phone];

    // The planner needs the staging table's size (a temporary table has no statistics until analysed): without it
    // it sorts the million rows on disk instead of hashing them in memory.
    await client.query(`ANALYZE lead_import_stage`);
    // The first row of each number in the file is the one kept; later rows are duplicates of it.
    await client.query(
      `CREATE TEMP TABLE lead_import_firsts ON COMMIT DROP AS
       SELECT phone, min(line) AS line, count(*) AS n FROM lead_import_stage WHERE kind = 'l' GROUP BY phone`,
    );
    await client.query(`ANALYZE lead_import_firsts`);
    // Per-row issues, then the duplicates within the file, in one statement (one pass over the staging table).
    await client.query(
      `INSERT INTO lead_import_errors (import_id, line, column_name, reason, action)
       SELECT $1::uuid, line, err_column, err_reason, err_action FROM lead_import_stage WHERE kind = 'e'
       UNION ALL
       SELECT $1::uuid, s.line, $2, 'duplicate: same phone number as line ' || f.line, 'duplicate'
         FROM lead_import_stage s JOIN lead_import_firsts f ON f.phone = s.phone
        WHERE s.kind = 'l' AND f.n > 1 AND s.line <> f.line`,
      [id, phoneColumn],
    );
    if (imp.dedupeCampaignId) {
      await client.query(
        `WITH hit AS (
           SELECT DISTINCT ON (f.phone) f.phone, f.line, ll.name
             FROM lead_import_firsts f
             JOIN leads l ON l.phone = f.phone AND l.deleted_at IS NULL AND l.list_id <> $3
             JOIN campaign_lists cl ON cl.list_id = l.list_id AND cl.campaign_id = $2
             JOIN lead_lists ll ON ll.id = l.list_id
            ORDER BY f.phone, ll.name),
         gone AS (DELETE FROM lead_import_firsts f USING hit WHERE f.phone = hit.phone RETURNING hit.line, hit.name)
         INSERT INTO lead_import_errors (import_id, line, column_name, reason, action)
         SELECT $1, line, $4, 'duplicate: number already in list "' || name || '" of the campaign (skipped)', 'duplicate' FROM gone`,
        [id, imp.dedupeCampaignId, listId, phoneColumn],
      );
    }
    let updated = 0;
    if (imp.duplicatePolicy === 'update') {
      const res = await client.query(
        `WITH u AS (
           UPDATE leads l SET
             first_name = coalesce(s.first_name, l.first_name),
             last_name = coalesce(s.last_name, l.last_name),
             postal_code = coalesce(s.postal_code, l.postal_code),
             phone_type = coalesce(s.phone_type, l.phone_type),
             country = coalesce(s.country, l.country),
             alt_phones = CASE WHEN jsonb_array_length(s.alt_phones) > 0 THEN s.alt_phones ELSE l.alt_phones END,
             timezone = s.timezone, tz_candidates = s.tz_candidates, tz_ambiguous = s.tz_ambiguous,
             custom_fields = l.custom_fields || s.custom_fields,
             updated_at = now()
           FROM lead_import_firsts f JOIN lead_import_stage s ON s.kind = 'l' AND s.line = f.line
           WHERE l.list_id = $1 AND l.phone = f.phone AND l.deleted_at IS NULL
           RETURNING 1)
         SELECT count(*)::int AS n FROM u`,
        [listId],
      );
      updated = res.rows[0].n;
      await client.query(
        `DELETE FROM lead_import_firsts f USING leads l WHERE l.list_id = $1 AND l.phone = f.phone AND l.deleted_at IS NULL`,
        [listId],
      );
    } else {
      await client.query(
        `WITH gone AS (
           DELETE FROM lead_import_firsts f USING leads l
            WHERE l.list_id = $2 AND l.phone = f.phone AND l.deleted_at IS NULL RETURNING f.line)
         INSERT INTO lead_import_errors (import_id, line, column_name, reason, action)
         SELECT $1, line, $3, 'duplicate: number already in this list (skipped)', 'duplicate' FROM gone`,
        [id, listId, phoneColumn],
      );
    }
    // A file line holds at most one lead, so the kept row is found by its line alone (a hash join on an integer).
    const ins = await client.query(
      `INSERT INTO leads (list_id, phone, phone_type, alt_phones, country, first_name, last_name, postal_code,
                          timezone, tz_candidates, tz_ambiguous, custom_fields, import_job_id, source_line)
       SELECT $1, s.phone, s.phone_type, s.alt_phones, s.country, s.first_name, s.last_name, s.postal_code,
              s.timezone, s.tz_candidates, s.tz_ambiguous, s.custom_fields, $2, s.line
         FROM lead_import_firsts f JOIN lead_import_stage s ON s.kind = 'l' AND s.line = f.line
        ORDER BY s.phone -- index-friendly order: the (list_id, phone) and phone btrees fill left to right
       ON CONFLICT (list_id, phone) WHERE deleted_at IS NULL DO NOTHING`,
      [listId, id],
    );
    const inserted: number = ins.rowCount ?? 0;
    if (stage.customNames.size) {
      await client.query(
        `UPDATE lead_lists SET custom_fields = (
           SELECT coalesce(jsonb_agg(x ORDER BY x), '[]'::jsonb)
             FROM (SELECT jsonb_array_elements_text(custom_fields) AS x UNION SELECT unnest($2::text[])) t),
           updated_at = now()
         WHERE id = $1`,
        [listId, [...stage.customNames]],
      );
    }
    const counts = await client.query(
      `SELECT count(*) FILTER (WHERE action = 'duplicate')::int AS duplicates, count(*) FILTER (WHERE action = 'rejected')::int AS rejected
         FROM lead_import_errors WHERE import_id = $1`,
      [id],
    );
    const { duplicates, rejected } = counts.rows[0];
    await client.query(
      `UPDATE lead_imports SET status = 'completed', list_id = $2, rows_read = $3, inserted = $4, updated = $5, rejected = $6,
              duplicates = $7, finished_at = now(), updated_at = now()
        WHERE id = $1`,
      [id, listId, stage.progress.rowsRead, inserted, updated, rejected, duplicates],
    );
    return {
      importId: id, status: ImportStatus.Completed, listId, rowsRead: stage.progress.rowsRead, inserted, updated, rejected, duplicates,
      timings: { stageSeconds: 0, mergeSeconds: 0, mergeSteps: steps },
    };
  }
}

function summary(imp: LeadImportEntity): ImportSummary {
  return {
    importId: imp.id,
    status: imp.status,
    listId: imp.listId,
    rowsRead: imp.rowsRead,
    inserted: imp.inserted,
    updated: imp.updated,
    rejected: imp.rejected,
    duplicates: imp.duplicates,
  };
}
