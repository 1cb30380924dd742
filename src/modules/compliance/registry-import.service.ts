import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Queue, UnrecoverableError } from 'bullmq';
import { createReadStream, promises as fs } from 'node:fs';
import { bulkQuery, connectForBulkWork } from '../../database/pg-timeouts';
import { from as copyFrom } from 'pg-copy-streams';
import { DataSource } from 'typeorm';
import { DateTime } from 'luxon';
import { notFound } from '../../common/errors/domain-error';
import { QueueName } from '../../common/queue/queue-names';
import { ComplianceEventsService } from './compliance-events.service';
import { registryLineToNumber } from './phone';
import { RegistryLookupService } from './registry-lookup.service';

/** 16 CFR 310.4(b)(3)(iv): sellers must use a registry copy obtained no more than 31 days before the call. */
export const REGISTRY_MAX_AGE_DAYS = 31;

export interface RegistryImportJob {
  importId: string;
  path: string;
  /** The uploader confirmed that a copy with under half the numbers of the one in force is not a truncated file. */
  allowShrink?: boolean;
}

/**
 * A file that must not replace the copy in force: it gave no number at all (empty, or every line rejected), or
 * under half as many as the copy in force without the uploader saying so (a truncated download looks like that).
 * The message is ours (counts only, never a line of the file) and is shown as the import's error.
 */
export class RegistryImportRefused extends UnrecoverableError {
  constructor(
    readonly code: 'no_numbers' | 'shrank',
    message: string,
  ) {
    super(message);
    this.name = 'RegistryImportRefused';
  }
}

export interface RegistryImportView {
  id: string;
  source: string;
  country: string;
  fileDate: string;
  fileName: string | null;
  status: string;
  linesRead: number;
  imported: number;
  rejected: number;
  progressPct: number;
  error: string | null;
  createdBy: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export interface RegistryStatus {
  maxAgeDays: number;
  stale: boolean;
  warning: string | null;
  sources: { source: string; country: string; fileDate: string; ageDays: number; stale: boolean; numbers: number; importId: string }[];
}


@Injectable()
export class RegistryImportService {
  private readonly logger = new Logger(RegistryImportService.name);
  /** Progress is saved and reported every this many lines. */
  progressEveryLines = 250_000;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectQueue(QueueName.DncImport) private readonly queue: Queue<RegistryImportJob>,
    private readonly events: ComplianceEventsService,
    private readonly lookup: RegistryLookupService,
  ) {}

  /** Records the file and queues its import; the job does the work (a worker process). */
  async enqueue(
    file: { path: string; originalName: string; size: number },
    meta: { source: string; country: string; fileDate: string; allowShrink?: boolean },
    userId: string | null,
  ): Promise<RegistryImportView> {
    const allowShrink = meta.allowShrink === true;
    const [row] = await this.db.query(
      `INSERT INTO dnc_registry_imports (source, country, file_date, file_name, total_bytes, created_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [meta.source, meta.country.toUpperCase(), meta.fileDate, file.originalName, file.size, userId],
    );
    const importId = String(row.id);
    const job = await this.queue.add('import', { importId, path: file.path, allowShrink }, { jobId: `dnc-import-${importId}`, attempts: 1 });
    await this.db.query(`UPDATE dnc_registry_imports SET job_id = $2 WHERE id = $1`, [importId, job.id]);
    await this.events.record({
      type: 'registry_import', reasonCode: 'queued', actorUserId: userId, actor: 'user',
      details: { importId, source: meta.source, country: meta.country.toUpperCase(), fileDate: meta.fileDate, fileName: file.originalName, allowShrink },
    });
    return this.get(importId);
  }

  async get(id: string): Promise<RegistryImportView> {
    const rows = await this.db.query(`SELECT *, to_char(file_date, 'YYYY-MM-DD') AS file_date_text FROM dnc_registry_imports WHERE id = $1`, [id]);
    if (!rows.length) throw notFound('registry import');
    return toView(rows[0]);
  }

  async list(limit = 50): Promise<RegistryImportView[]> {
    const rows = await this.db.query(`SELECT *, to_char(file_date, 'YYYY-MM-DD') AS file_date_text FROM dnc_registry_imports ORDER BY id DESC LIMIT $1`, [limit]);
    return rows.map(toView);
  }

  /** The newest completed copy per source and whether it is too old to rely on. */
  async status(now: Date): Promise<RegistryStatus> {
    const rows: { id: string; source: string; country: string; file_date: string; imported: string }[] = await this.db.query(
      `SELECT DISTINCT ON (source) id, source, country, to_char(file_date, 'YYYY-MM-DD') AS file_date, imported
         FROM dnc_registry_imports WHERE status = 'completed' ORDER BY source, file_date DESC, id DESC`,
    );
    const today = DateTime.fromJSDate(now, { zone: 'utc' }).startOf('day');
    const sources = rows.map((r) => {
      const ageDays = Math.floor(today.diff(DateTime.fromISO(r.file_date, { zone: 'utc' }), 'days').days);
      return { source: r.source, country: r.country, fileDate: r.file_date, ageDays, stale: ageDays > REGISTRY_MAX_AGE_DAYS, numbers: Number(r.imported), importId: String(r.id) };
    });
    const staleOnes = sources.filter((s) => s.stale);
    let warning: string | null = null;
    if (sources.length === 0) warning = 'no national DNC registry copy has been imported';
    else if (staleOnes.length) {
      warning = `registry copy older than ${REGISTRY_MAX_AGE_DAYS} days: ${staleOnes.map((s) => `${s.source} (${s.fileDate})`).join(', ')}`;
    }
    return { maxAgeDays: REGISTRY_MAX_AGE_DAYS, stale: warning !== null, warning, sources };
  }

  /**
   * Streams the file into dnc_registry_numbers with COPY, reporting progress; on success the import becomes the
   * source's current copy and older copies of that source are superseded and purged. A file with no number, or with
   * under half the numbers of the copy in force (unless job.allowShrink), fails instead: the copy in force stays.
   */
  async run(job: RegistryImportJob, onProgress: (pct: number) => Promise<void> | void = () => undefined): Promise<RegistryImportView> {
    const imp = await this.get(job.importId);
    if (imp.status === 'completed') return imp;
    await this.db.query(`UPDATE dnc_registry_imports SET status = 'running', started_at = now(), error = NULL WHERE id = $1`, [imp.id]);
    // A retried job starts over.
    await bulkQuery(this.db, `DELETE FROM dnc_registry_numbers WHERE import_id = $1`, [imp.id]);
    let size = 0;
    let lines = 0;
    let imported = 0;
    let rejected = 0;
    const qr = this.db.createQueryRunner();
    let sink: ReturnType<typeof copyFrom> | null = null;
    try {
      size = (await fs.stat(job.path)).size;
      const client = await connectForBulkWork(qr);
      const copy = client.query(copyFrom(`COPY dnc_registry_numbers (import_id, phone) FROM STDIN`));
      sink = copy;
      let failed: Error | null = null;
      const done = new Promise<void>((resolve, reject) => {
        copy.on('finish', resolve);
        copy.on('error', (err: Error) => {
          failed = err;
          reject(err);
        });
      });
      done.catch(() => undefined);
      const input = createReadStream(job.path, { highWaterMark: 1 << 20 });
      const prefix = `${imp.id}\t`;
      let rest = '';
      let out: string[] = [];
      const flush = async () => {
        if (failed) throw failed;
        if (!out.length) return;
        const ok = copy.write(out.join(''));
        out = [];
        if (!ok) await Promise.race([new Promise((r) => copy.once('drain', r)), done]);
      };
      for await (const chunk of input as AsyncIterable<Buffer>) {
        const text = rest + chunk.toString('utf8');
        const parts = text.split(/\r?\n/);
        rest = parts.pop() ?? '';
        for (const line of parts) {
          lines++;
          const n = registryLineToNumber(line, imp.country);
          if (n === null) {
            if (line.trim() !== '') rejected++;
          } else {
            imported++;
            out.push(prefix, String(n), '\n');
          }
          if (lines % this.progressEveryLines === 0) {
            await flush();
            await this.progress(imp.id, lines, imported, rejected, input.bytesRead, size, onProgress);
          }
        }
        if (out.length > 30_000) await flush();
      }
      if (rest.trim() !== '') {
        lines++;
        const n = registryLineToNumber(rest, imp.country);
        if (n === null) rejected++;
        else (imported++, out.push(prefix, String(n), '\n'));
      }
      await flush();
      copy.end();
      await done;
    } catch (err) {
      // Abort an unfinished COPY (pg-copy-streams sends CopyFail) so the connection goes back to the pool clean.
      if (sink && !sink.writableFinished) {
        const s = sink;
        await new Promise<void>((resolve) => {
          s.once('close', () => resolve());
          s.destroy(err as Error);
          setTimeout(resolve, 5000).unref();
        });
      }
      await qr.release().catch(() => undefined);
      await this.fail(imp, err as Error);
      throw err;
    }
    await qr.release();
    try {
      await this.db.transaction(async (m) => {
        // The copy in force, locked so that two imports of one source cannot both judge against it.
        const [current]: { id: string; imported: string; file_date: string }[] = await m.query(
          `SELECT id, imported, to_char(file_date, 'YYYY-MM-DD') AS file_date FROM dnc_registry_imports
            WHERE source = $1 AND status = 'completed' AND id <> $2 ORDER BY file_date DESC, id DESC LIMIT 1 FOR UPDATE`,
          [imp.source, imp.id],
        );
        const inForce = current ? { id: String(current.id), imported: Number(current.imported), fileDate: current.file_date } : null;
        const refused = refusal({ lines, imported, rejected }, inForce, job.allowShrink === true);
        if (refused) throw refused;
        await m.query(
          `UPDATE dnc_registry_imports SET status = 'completed', finished_at = now(), lines_read = $2, imported = $3, rejected = $4, bytes_read = $5 WHERE id = $1`,
          [imp.id, lines, imported, rejected, size],
        );
        await m.query(
          `UPDATE dnc_registry_imports SET status = 'superseded' WHERE source = $1 AND status = 'completed' AND id <> (
             SELECT id FROM dnc_registry_imports WHERE source = $1 AND status = 'completed' ORDER BY file_date DESC, id DESC LIMIT 1)`,
          [imp.source],
        );
        await this.events.record(
          {
            type: 'registry_import', reasonCode: 'completed', actor: 'registry_import', actorUserId: imp.createdBy,
            details: { importId: imp.id, source: imp.source, country: imp.country, fileDate: imp.fileDate, lines, imported, rejected },
          },
          m,
        );
      });
    } catch (err) {
      await this.fail(imp, err as Error, { lines, imported, rejected, size });
      if (err instanceof RegistryImportRefused) await fs.unlink(job.path).catch(() => undefined);
      throw err;
    }
    await onProgress(100);
    await this.lookup.invalidate();
    await bulkQuery(
      this.db,
      `DELETE FROM dnc_registry_numbers WHERE import_id IN (SELECT id FROM dnc_registry_imports WHERE source = $1 AND status = 'superseded')`,
      [imp.source],
    );
    await fs.unlink(job.path).catch(() => undefined);
    this.logger.log({ importId: imp.id, lines, imported, rejected }, 'registry import completed');
    return this.get(imp.id);
  }

  private async progress(
    id: string, lines: number, imported: number, rejected: number, bytes: number, size: number, onProgress: (pct: number) => Promise<void> | void,
  ): Promise<void> {
    await this.db.query(`UPDATE dnc_registry_imports SET lines_read = $2, imported = $3, rejected = $4, bytes_read = $5 WHERE id = $1`, [
      id, lines, imported, rejected, bytes,
    ]);
    await onProgress(size ? Math.min(99, Math.floor((bytes / size) * 100)) : 0);
  }

  private async fail(
    imp: RegistryImportView, err: Error, counts?: { lines: number; imported: number; rejected: number; size: number },
  ): Promise<void> {
    const id = imp.id;
    // A driver's message may quote a line of the file: keep the error type only. A refusal's message is ours.
    const refused = err instanceof RegistryImportRefused ? err : null;
    const error = refused ? refused.message : err.name;
    await this.db.query(`UPDATE dnc_registry_imports SET status = 'failed', finished_at = now(), error = $2 WHERE id = $1`, [id, error]);
    if (counts) {
      await this.db.query(`UPDATE dnc_registry_imports SET lines_read = $2, imported = $3, rejected = $4, bytes_read = $5 WHERE id = $1`, [
        id, counts.lines, counts.imported, counts.rejected, counts.size,
      ]);
    }
    await bulkQuery(this.db, `DELETE FROM dnc_registry_numbers WHERE import_id = $1`, [id]);
    await this.events.record({
      type: 'registry_import', reasonCode: 'failed', actor: 'registry_import', actorUserId: imp.createdBy,
      details: {
        importId: id, source: imp.source, country: imp.country, fileDate: imp.fileDate, error,
        ...(refused ? { refused: refused.code, ...counts } : {}),
      },
    });
    this.logger.error({ importId: id, err: { type: err.name, ...(refused ? { code: refused.code } : {}) } }, 'registry import failed');
  }
}

/** Why a finished file must not become the source's copy, or null when it may. */
export function refusal(
  file: { lines: number; imported: number; rejected: number },
  inForce: { id: string; imported: number; fileDate: string } | null,
  allowShrink: boolean,
): RegistryImportRefused | null {
  const keep = inForce ? `; the copy in force (import ${inForce.id}, ${inForce.fileDate}) stays` : '';
  if (file.imported === 0) {
    return new RegistryImportRefused(
      'no_numbers',
      file.lines === 0
        ? `the file is empty: no number imported${keep}`
        : `no number accepted: all ${file.rejected} non-empty lines of ${file.lines} rejected (check the country and the file format)${keep}`,
    );
  }
  if (inForce && !allowShrink && file.imported * 2 < inForce.imported) {
    return new RegistryImportRefused(
      'shrank',
      `${file.imported} numbers, under half the ${inForce.imported} of the copy in force (import ${inForce.id}, ${inForce.fileDate}), which stays; ` +
        'if the file is complete, upload it again with allowShrink=true',
    );
  }
  return null;
}

function toView(r: Record<string, unknown>): RegistryImportView {
  const total = Number(r.total_bytes ?? 0);
  const status = r.status as string;
  const pct = status === 'completed' || status === 'superseded' ? 100 : total ? Math.min(99, Math.floor((Number(r.bytes_read) / total) * 100)) : 0;
  return {
    id: String(r.id),
    source: r.source as string,
    country: r.country as string,
    fileDate: r.file_date_text as string,
    fileName: (r.file_name as string) ?? null,
    status,
    linesRead: Number(r.lines_read),
    imported: Number(r.imported),
    rejected: Number(r.rejected),
    progressPct: pct,
    error: (r.error as string) ?? null,
    createdBy: (r.created_by as string) ?? null,
    createdAt: r.created_at as Date,
    startedAt: (r.started_at as Date) ?? null,
    finishedAt: (r.finished_at as Date) ?? null,
  };
}
