import { createReadStream, ReadStream } from 'node:fs';
import { stat, unlink } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Transform, TransformCallback, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { CountryCode } from 'libphonenumber-js/max';
import { PoolClient } from 'pg';
import { connectForBulkWork } from '../../../database/pg-timeouts';
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
  timings?: { stageSeconds: number; mergeSeconds: number; mergeSteps: Record<string, number>; chunks: number };
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
  private submitted = 0;
  private passed = 0;
  private readonly finished = new Map<number, NormalisedBatch>();
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
    // Batches may finish out of order; they are passed on in file order, which the chunked merge relies on (the
    // first row of a number must reach the staging table no later than its duplicates' chunk).
    const seq = this.submitted++;
    this.inflight++;
    this.pool.run(records).then(
      (batch) => {
        this.finished.set(seq, batch);
        for (let next = this.finished.get(this.passed); next; next = this.finished.get(this.passed)) {
          this.finished.delete(this.passed++);
          this.inflight--;
          this.count(next);
          if (next.out.length && !this.destroyed) this.push(next.out);
        }
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
   * Staged rows are merged into leads every this many characters of COPY text (~120,000 rows of a typical file),
   * while the next ones are read: bigger chunks keep the index inserts in order, smaller ones overlap sooner and
   * hold less in memory (rows read during a merge wait in memory, up to one chunk: ~60 MB of RSS at 16 MB).
   */
  mergeChunkBytes = 16 * 1024 * 1024;
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

    const size = await stat(imp.filePath).then((st) => st.size, () => 0);
    await this.db.query(
      `UPDATE lead_imports SET status = 'running', started_at = now(), rows_read = 0, rejected = 0, bytes_read = 0, bytes_total = $2,
              error = NULL, updated_at = now()
        WHERE id = $1 AND status <> 'completed'`,
      [importId, size],
    );
    const qr = this.db.createQueryRunner();
    // One transaction of long statements (COPY, set-based merges): not under the service's statement timeout.
    const client = await connectForBulkWork(qr);
    // fs.ReadStream counts the bytes it has read: the progress percentage is that over the file's size.
    let file: ReadStream | null = null;
    const stage = new StageTransform(imp.mapping, imp.defaultCountry as CountryCode, size >= this.poolMinBytes ? this.threads : 0);
    let ticking = Promise.resolve();
    const ticker = setInterval(() => {
      ticking = ticking.then(() => this.tick(importId, stage, onProgress, file?.bytesRead)).catch(() => undefined);
    }, this.progressIntervalMs);
    const stopTicker = async () => {
      clearInterval(ticker);
      await ticking;
    };
    try {
      await client.query('BEGIN');
      await client.query(`SET LOCAL work_mem = '256MB'`);
      await client.query(`CREATE TEMP TABLE lead_import_stage (${STAGE_COLUMNS}) ON COMMIT DROP`);
      const copy = new StagedMerge(client, imp, stage, this.mergeChunkBytes);
      const t0 = Date.now();
      file = createReadStream(imp.filePath, { highWaterMark: 64 * 1024 });
      await pipeline(file, new CsvRecordStream(imp.delimiter), stage, copy);
      await stopTicker();
      await this.db.query(`UPDATE lead_imports SET bytes_read = $2, updated_at = now() WHERE id = $1`, [importId, file.bytesRead]);
      if (!stage.mapping) throw new ImportRefused('the file is empty: no header row');
      const t1 = Date.now();
      const result = await copy.finish();
      await client.query('COMMIT');
      result.timings = { stageSeconds: (t1 - t0) / 1000, mergeSeconds: (Date.now() - t1) / 1000, mergeSteps: copy.steps, chunks: copy.chunks };
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

  private async tick(importId: string, stage: StageTransform, onProgress?: (p: ImportProgress) => Promise<void> | void, bytesRead = 0): Promise<void> {
    const p = stage.progress;
    // DataSource.query answers an UPDATE ... RETURNING with [rows, affected count] on PostgreSQL.
    const [rows] = (await this.db.query(
      `UPDATE lead_imports SET rows_read = $2, rejected = $3, bytes_read = $4, updated_at = now() WHERE id = $1 RETURNING cancel_requested`,
      [importId, p.rowsRead, p.rejected, bytesRead],
    )) as [{ cancel_requested: boolean }[], number];
    if (rows?.[0]?.cancel_requested) stage.cancelled = true;
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
}

/**
 * The COPY into staging and the set-based merge into leads, chunk by chunk, inside the import's ONE transaction.
 *
 * Rows arrive in file order. Every `chunkBytes` of COPY text the chunk is merged (dedupe within the file, the list and
 * optionally the campaign; INSERT into leads) while the next chunk is being read and normalised: PostgreSQL writes
 * leads while Node parses phone numbers, instead of one waiting for the other. Rows that arrive during a merge wait
 * in memory (up to one chunk, then the reading pauses). The first row of a number in the file is the one kept,
 * whichever chunk its later duplicates fall in: `lead_import_firsts` holds the first line of every number seen.
 * Nothing is committed until `finish`, so a failure or a cancel still rolls back everything, the list included.
 */
class StagedMerge extends Writable {
  /** Each statement's duration, by its first words (no parameters: nothing personal), for the benchmark and the log. */
  readonly steps: Record<string, number> = {};
  /** How many chunks were merged. */
  chunks = 0;
  private copy: Writable | null = null;
  private copyBytes = 0;
  private pending: string[] = [];
  private pendingBytes = 0;
  private merging: Promise<void> | null = null;
  private failed: Error | null = null;
  private listId: string | null = null;
  private inserted = 0;
  private updated = 0;

  constructor(
    private readonly pg: PoolClient,
    private readonly imp: LeadImportEntity,
    private readonly stage: StageTransform,
    private readonly chunkBytes: number,
  ) {
    super({ decodeStrings: false, highWaterMark: 1 });
  }

  _write(chunk: string | Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.accept(typeof chunk === 'string' ? chunk : chunk.toString('utf8')).then(() => cb(), cb);
  }

  /** The file is read: wait for the merge under way and stage what waited for it; `finish` merges the last chunk. */
  _final(cb: (err?: Error | null) => void): void {
    void (async () => {
      while (this.merging || this.pending.length) {
        await this.settle();
        await this.flushPending();
      }
    })().then(() => cb(), cb);
  }

  _destroy(err: Error | null, cb: (error: Error | null) => void): void {
    // A failed or cancelled pipeline must leave the connection ready for its ROLLBACK: no merge still running and no
    // COPY left open (destroying it sends CopyFail, which ends the COPY with an error).
    void (async () => {
      await this.merging?.catch(() => undefined);
      // Without an error this is the normal end of writing (autoDestroy): the open COPY is `finish`'s last chunk.
      if (!err) return;
      const copy = this.copy;
      this.copy = null;
      if (copy && !copy.destroyed && !copy.writableFinished) {
        await new Promise<void>((resolve) => {
          copy.once('close', () => resolve());
          copy.destroy(new Error('import stopped'));
        });
      }
    })().finally(() => cb(err));
  }

  private async accept(text: string): Promise<void> {
    if (this.failed) throw this.failed;
    if (this.merging) {
      // Wait in memory; once a whole chunk waits, so does the reading. (A quarter chunk saved ~45 MB of RSS but
      // left Node idle for most of each merge: 45-56 s against 36-49 s for the 1M-row benchmark.)
      this.pending.push(text);
      this.pendingBytes += text.length;
      if (this.pendingBytes < this.chunkBytes) return;
      await this.settle();
      return this.flushPending();
    }
    await this.flushPending();
    await this.toCopy(text);
  }

  private async settle(): Promise<void> {
    await this.merging;
    if (this.failed) throw this.failed;
  }

  private async flushPending(): Promise<void> {
    const texts = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    for (const t of texts) await this.toCopy(t);
  }

  private async toCopy(text: string): Promise<void> {
    if (this.merging) {
      // A chunk filled up while flushing: the rest waits for that merge.
      this.pending.push(text);
      this.pendingBytes += text.length;
      return;
    }
    if (!this.copy) {
      this.copy = this.pg.query(copyFrom('COPY lead_import_stage FROM STDIN'));
      // Kept for the next write or the end of the chunk to throw (an unheard 'error' would crash the process).
      this.copy.on('error', (err: Error) => void (this.failed ??= err));
    }
    const copy = this.copy;
    this.copyBytes += text.length;
    if (!copy.write(text)) await new Promise<void>((resolve) => {
      const done = () => {
        copy.off('drain', done);
        copy.off('error', done);
        resolve();
      };
      copy.on('drain', done);
      copy.on('error', done);
    });
    if (this.failed) throw this.failed;
    if (this.copyBytes >= this.chunkBytes) {
      // Merge in the background; the next rows are read and normalised meanwhile.
      this.merging = this.mergeChunk().then(
        () => void (this.merging = null),
        (err: Error) => {
          this.failed = err;
          this.merging = null;
        },
      );
    }
  }

  private async endCopy(): Promise<void> {
    const copy = this.copy!;
    this.copy = null;
    this.copyBytes = 0;
    if (this.failed) throw this.failed;
    // 'finish' comes once PostgreSQL has taken every row and the connection is free for the next statement.
    await new Promise<void>((resolve, reject) => {
      copy.once('finish', resolve);
      copy.once('error', reject);
      copy.end();
    });
  }

  private async q(sql: string, params?: unknown[]) {
    const t = Date.now();
    const res = await this.pg.query(sql, params);
    const label = sql.replace(/\s+/g, ' ').trim().slice(0, 48);
    this.steps[label] = (this.steps[label] ?? 0) + (Date.now() - t) / 1000;
    return res;
  }

  /**
   * The list row is locked (or created) in this transaction, so imports into one list run one after the other. The
   * lock is taken at the first chunk, so it is FOR NO KEY UPDATE: it still keeps a second import and the list's
   * deletion out, but not a lead added to the list meanwhile (its foreign key check takes FOR KEY SHARE).
   */
  private async lockList(): Promise<string> {
    if (this.listId) return this.listId;
    const imp = this.imp;
    if (imp.listId) {
      const found = await this.q(`SELECT id FROM lead_lists WHERE id = $1 AND deleted_at IS NULL FOR NO KEY UPDATE`, [imp.listId]);
      if (!found.rowCount) throw new ImportRefused('the list was deleted while the file was being imported');
      this.listId = imp.listId;
    } else {
      const created = await this.q(
        `INSERT INTO lead_lists (name, default_country, created_by) VALUES ($1, $2, $3) RETURNING id`,
        [imp.newListName, imp.defaultCountry, imp.createdBy],
      );
      this.listId = created.rows[0].id as string;
    }
    // The first line of every number seen so far in the file (across chunks).
    await this.q(`CREATE TEMP TABLE lead_import_firsts (phone text NOT NULL, line integer NOT NULL) ON COMMIT DROP`);
    return this.listId;
  }

  /** Merges the rows staged so far (one chunk of the file, in file order) and empties the staging table. */
  private async mergeChunk(): Promise<void> {
    await this.endCopy();
    this.chunks++;
    const listId = await this.lockList();
    const id = this.imp.id;
    const phoneColumn = this.stage.mapping!.header[this.stage.mapping!.phone];
    // A temporary table has no statistics until analysed. Without them the planner takes `kind = 'l'` for a rare
    // value and picks nested loops that took 35 s on a 64 MB chunk; the columns the merge filters and joins on are
    // enough (a third of the cost of a full ANALYZE).
    await this.q(`ANALYZE lead_import_stage (kind, phone, line)`);
    // This chunk's numbers: their first line here, how many rows carry each, and the line of an earlier chunk's row
    // with the same number (then every row of it here is a duplicate).
    await this.q(
      `CREATE TEMP TABLE lead_import_chunk ON COMMIT DROP AS
       SELECT c.phone, c.line, c.n, f.line AS earlier
         FROM (SELECT phone, min(line) AS line, count(*) AS n FROM lead_import_stage WHERE kind = 'l' GROUP BY phone) c
         LEFT JOIN lead_import_firsts f ON f.phone = c.phone`,
    );
    await this.q(`ANALYZE lead_import_chunk`);
    // Per-row issues, then the duplicates within the file, in one statement (one pass over the staging table).
    await this.q(
      `INSERT INTO lead_import_errors (import_id, line, column_name, reason, action)
       SELECT $1::uuid, line, err_column, err_reason, err_action FROM lead_import_stage WHERE kind = 'e'
       UNION ALL
       SELECT $1::uuid, s.line, $2, 'duplicate: same phone number as line ' || coalesce(c.earlier, c.line), 'duplicate'
         FROM lead_import_stage s JOIN lead_import_chunk c ON c.phone = s.phone
        WHERE s.kind = 'l' AND (c.earlier IS NOT NULL OR (c.n > 1 AND s.line <> c.line))`,
      [id, phoneColumn],
    );
    await this.q(`DELETE FROM lead_import_chunk WHERE earlier IS NOT NULL`);
    await this.q(`INSERT INTO lead_import_firsts (phone, line) SELECT phone, line FROM lead_import_chunk`);
    if (this.imp.dedupeCampaignId) {
      await this.q(
        `WITH hit AS (
           SELECT DISTINCT ON (f.phone) f.phone, f.line, ll.name
             FROM lead_import_chunk f
             JOIN leads l ON l.phone = f.phone AND l.deleted_at IS NULL AND l.list_id <> $3
             JOIN campaign_lists cl ON cl.list_id = l.list_id AND cl.campaign_id = $2
             JOIN lead_lists ll ON ll.id = l.list_id
            ORDER BY f.phone, ll.name),
         gone AS (DELETE FROM lead_import_chunk f USING hit WHERE f.phone = hit.phone RETURNING hit.line, hit.name)
         INSERT INTO lead_import_errors (import_id, line, column_name, reason, action)
         SELECT $1, line, $4, 'duplicate: number already in list "' || name || '" of the campaign (skipped)', 'duplicate' FROM gone`,
        [id, this.imp.dedupeCampaignId, listId, phoneColumn],
      );
    }
    // Numbers already in the list: only an existing list can hold them (a list created by this import holds only the
    // leads of earlier chunks, whose numbers were taken out of this chunk above).
    const existingList = this.imp.listId !== null;
    if (existingList && this.imp.duplicatePolicy === 'update') {
      const res = await this.q(
        `UPDATE leads l SET
           first_name = coalesce(s.first_name, l.first_name),
           last_name = coalesce(s.last_name, l.last_name),
           postal_code = coalesce(s.postal_code, l.postal_code),
           phone_type = coalesce(s.phone_type, l.phone_type),
           country = coalesce(s.country, l.country),
           alt_phones = CASE WHEN jsonb_array_length(s.alt_phones) > 0 THEN s.alt_phones ELSE l.alt_phones END,
           timezone = s.timezone, tz_candidates = s.tz_candidates, tz_ambiguous = s.tz_ambiguous,
           custom_fields = l.custom_fields || s.custom_fields,
           updated_at = now()
         FROM lead_import_chunk f JOIN lead_import_stage s ON s.kind = 'l' AND s.line = f.line
         WHERE l.list_id = $1 AND l.phone = f.phone AND l.deleted_at IS NULL`,
        [listId],
      );
      this.updated += res.rowCount ?? 0;
      await this.q(
        `DELETE FROM lead_import_chunk f USING leads l WHERE l.list_id = $1 AND l.phone = f.phone AND l.deleted_at IS NULL`,
        [listId],
      );
    } else if (existingList) {
      await this.q(
        `WITH gone AS (
           DELETE FROM lead_import_chunk f USING leads l
            WHERE l.list_id = $2 AND l.phone = f.phone AND l.deleted_at IS NULL RETURNING f.line)
         INSERT INTO lead_import_errors (import_id, line, column_name, reason, action)
         SELECT $1, line, $3, 'duplicate: number already in this list (skipped)', 'duplicate' FROM gone`,
        [id, listId, phoneColumn],
      );
    }
    // A file line holds at most one lead, so the kept row is found by its line alone (a hash join on an integer).
    const ins = await this.q(
      `INSERT INTO leads (list_id, phone, phone_type, alt_phones, country, first_name, last_name, postal_code,
                          timezone, tz_candidates, tz_ambiguous, custom_fields, import_job_id, source_line)
       SELECT $1, s.phone, s.phone_type, s.alt_phones, s.country, s.first_name, s.last_name, s.postal_code,
              s.timezone, s.tz_candidates, s.tz_ambiguous, s.custom_fields, $2, s.line
         FROM lead_import_chunk f JOIN lead_import_stage s ON s.kind = 'l' AND s.line = f.line
        ORDER BY s.phone -- index-friendly order: the (list_id, phone) and phone btrees fill left to right
       ON CONFLICT (list_id, phone) WHERE deleted_at IS NULL DO NOTHING`,
      [listId, id],
    );
    this.inserted += ins.rowCount ?? 0;
    await this.q(`DROP TABLE lead_import_chunk`);
    await this.q(`TRUNCATE lead_import_stage`);
  }

  /** Merges the last chunk, then the list's custom field names, the import's counts and status (still uncommitted). */
  async finish(): Promise<ImportSummary> {
    const id = this.imp.id;
    if (this.copy) await this.mergeChunk();
    // Serialises with a concurrent run of the same import (a stalled job picked up twice): only one can complete it.
    // Taken last (after the list), so the progress ticks and the cancel request can update the row until now.
    const listId = await this.lockList();
    const [current] = (await this.q(`SELECT status, cancel_requested FROM lead_imports WHERE id = $1 FOR UPDATE`, [id])).rows;
    if (current.status === ImportStatus.Completed) throw new CompletedElsewhere();
    // Last chance to honour a cancel that arrived after the final progress tick.
    if (current.cancel_requested) throw new ImportCancelled();
    if (this.stage.customNames.size) {
      await this.q(
        `UPDATE lead_lists SET custom_fields = (
           SELECT coalesce(jsonb_agg(x ORDER BY x), '[]'::jsonb)
             FROM (SELECT jsonb_array_elements_text(custom_fields) AS x UNION SELECT unnest($2::text[])) t),
           updated_at = now()
         WHERE id = $1`,
        [listId, [...this.stage.customNames]],
      );
    }
    const counts = await this.q(
      `SELECT count(*) FILTER (WHERE action = 'duplicate')::int AS duplicates, count(*) FILTER (WHERE action = 'rejected')::int AS rejected
         FROM lead_import_errors WHERE import_id = $1`,
      [id],
    );
    const { duplicates, rejected } = counts.rows[0];
    const rowsRead = this.stage.progress.rowsRead;
    await this.q(
      `UPDATE lead_imports SET status = 'completed', list_id = $2, rows_read = $3, inserted = $4, updated = $5, rejected = $6,
              duplicates = $7, finished_at = now(), updated_at = now()
        WHERE id = $1`,
      [id, listId, rowsRead, this.inserted, this.updated, rejected, duplicates],
    );
    return { importId: id, status: ImportStatus.Completed, listId, rowsRead, inserted: this.inserted, updated: this.updated, rejected, duplicates };
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
