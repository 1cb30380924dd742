/// <reference types="multer" />
import { mkdirSync } from 'node:fs';
import { open, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import { Queue } from 'bullmq';
import { plainToInstance } from 'class-transformer';
import { validate, ValidationError } from 'class-validator';
import { stringify } from 'csv-stringify';
import { DataSource } from 'typeorm';
import { AuthUser } from '../../../common/auth/auth-user';
import { DomainError, FieldError, invalid, notFound } from '../../../common/errors/domain-error';
import { QueueName } from '../../../common/queue/queue-names';
import { csvSafe } from '../../../common/csv-export';
import { APP_CONFIG, AppConfig } from '../../../config/app-config';
import { LeadListEntity } from '../lead.entity';
import { CsvReader, detectDelimiter } from './csv-reader';
import { ColumnMappingDto, CreateImportDto, ImportResponse } from './lead-import.dto';
import { ColumnMapping, DuplicatePolicy, ImportStatus, LeadImportEntity } from './lead-import.entity';
import { resolveMapping } from './lead-row';
import { isCountryCode } from './phone-normalizer';

export interface LeadImportJob {
  importId: string;
}
export const importJobId = (importId: string) => `lead-import-${importId}`;

/** Where uploads wait for their job; shared by the API (multer) and the worker. */
export function leadImportDir(config: Pick<AppConfig, 'LEAD_IMPORT_DIR'>): string {
  const dir = config.LEAD_IMPORT_DIR ?? join(tmpdir(), 'dialer-lead-imports');
  mkdirSync(dir, { recursive: true });
  return dir;
}

const SAMPLE_BYTES = 1024 * 1024;

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    return Object.values(e.constraints ?? {}).map((reason) => ({ field, reason })).concat(flatten(e.children ?? [], field));
  });
}

@Injectable()
export class LeadImportsService {
  constructor(
    private readonly db: DataSource,
    @InjectQueue(QueueName.LeadImport) private readonly queue: Queue<LeadImportJob>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Checks the form and the file's header against the mapping, records the import and queues its job.
   * The uploaded file is removed when anything is refused.
   */
  async create(file: Express.Multer.File | undefined, body: unknown, user: AuthUser): Promise<ImportResponse> {
    try {
      if (!file) throw invalid('file', 'is required (multipart field "file")');
      const dto = plainToInstance(CreateImportDto, body ?? {});
      const formErrors = await validate(dto, { whitelist: true, forbidNonWhitelisted: true });
      if (formErrors.length) throw new DomainError('VALIDATION', 'invalid import form', flatten(formErrors));
      if (!dto.listId === !dto.newListName) throw invalid('listId', 'give either listId (an existing list) or newListName (a new one), not both');

      let mappingRaw: unknown;
      try {
        mappingRaw = JSON.parse(dto.mapping);
      } catch {
        throw invalid('mapping', 'must be a JSON object');
      }
      if (!mappingRaw || typeof mappingRaw !== 'object' || Array.isArray(mappingRaw)) throw invalid('mapping', 'must be a JSON object');
      const mappingDto = plainToInstance(ColumnMappingDto, mappingRaw);
      const mappingErrors = await validate(mappingDto, { whitelist: true, forbidNonWhitelisted: true });
      const errors = flatten(mappingErrors, 'mapping');
      for (const [name, column] of Object.entries(mappingDto.custom ?? {})) {
        if (!/^[A-Za-z][A-Za-z0-9_]{0,62}$/.test(name)) errors.push({ field: `mapping.custom.${name}`, reason: 'custom field names are letters, digits and _ (starting with a letter)' });
        if (typeof column !== 'string' || !column) errors.push({ field: `mapping.custom.${name}`, reason: 'must name a CSV column' });
      }
      if (errors.length) throw new DomainError('VALIDATION', 'invalid column mapping', errors);

      let list: LeadListEntity | null = null;
      if (dto.listId) {
        list = await this.db.getRepository(LeadListEntity).findOneBy({ id: dto.listId });
        if (!list || list.deletedAt) throw new DomainError('NOT_FOUND', 'list not found', [{ field: 'listId', reason: 'no such list' }]);
      }
      if (dto.dedupeCampaignId) {
        const [c] = await this.db.query(`SELECT 1 FROM campaigns WHERE id = $1 AND deleted_at IS NULL`, [dto.dedupeCampaignId]);
        if (!c) throw new DomainError('NOT_FOUND', 'campaign not found', [{ field: 'dedupeCampaignId', reason: 'no such campaign' }]);
      }
      const defaultCountry = dto.defaultCountry ?? list?.defaultCountry ?? 'US';
      if (!isCountryCode(defaultCountry)) throw invalid('defaultCountry', `${defaultCountry} is not a country libphonenumber knows`);

      const sample = await readSample(file.path);
      // UTF-16 (Excel's "Unicode text") and binary files are refused whole: read as UTF-8 every row would be junk.
      const head = sample.bytes.subarray(0, 4096);
      if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff) || head.includes(0)) {
        throw invalid('file', 'is UTF-16 or binary, not a UTF-8 CSV file (save it as "CSV UTF-8")');
      }
      let delimiter = dto.delimiter === 'tab' ? '\t' : dto.delimiter;
      if (!delimiter) {
        // A header that no candidate splits is a one-column file.
        delimiter = detectDelimiter(sample.bytes) ?? ',';
      }
      const reader = new CsvReader(delimiter);
      const records = reader.write(sample.bytes);
      if (sample.whole) records.push(...reader.end());
      if (!records.length) throw invalid('file', 'has no header row (or its first row is longer than 1 MB)');
      const { errors: headerErrors } = resolveMapping(records[0].fields, mappingDto as ColumnMapping);
      if (headerErrors.length) throw new DomainError('VALIDATION', 'the mapping names columns the file does not have', headerErrors);

      const saved = await this.db.getRepository(LeadImportEntity).save({
        listId: list?.id ?? null,
        newListName: list ? null : dto.newListName!,
        status: ImportStatus.Queued,
        filePath: file.path,
        fileName: file.originalname?.slice(0, 255) ?? null,
        fileSize: String(file.size),
        bytesTotal: String(file.size),
        delimiter,
        defaultCountry,
        mapping: { ...mappingDto } as ColumnMapping,
        duplicatePolicy: dto.duplicatePolicy ?? DuplicatePolicy.Skip,
        dedupeCampaignId: dto.dedupeCampaignId ?? null,
        createdBy: user.id,
      });
      await this.queue.add('import', { importId: saved.id }, { jobId: importJobId(saved.id), attempts: 3, backoff: { type: 'exponential', delay: 5000 } });
      return toResponse(await this.get(saved.id));
    } catch (err) {
      if (file) await unlink(file.path).catch(() => undefined);
      throw err;
    }
  }

  async get(id: string): Promise<LeadImportEntity> {
    const imp = await this.db.getRepository(LeadImportEntity).findOneBy({ id });
    if (!imp) throw notFound('import');
    return imp;
  }

  async find(id: string): Promise<ImportResponse> {
    return toResponse(await this.get(id));
  }

  async list(listId?: string): Promise<ImportResponse[]> {
    const rows = await this.db.getRepository(LeadImportEntity).find({
      where: listId ? { listId } : {},
      order: { createdAt: 'DESC' },
      take: 200,
    });
    return rows.map(toResponse);
  }

  /** Asks a queued or running import to stop; it then rolls back and leaves the list as it was. */
  async cancel(id: string): Promise<ImportResponse> {
    const imp = await this.get(id);
    if (imp.status !== ImportStatus.Queued && imp.status !== ImportStatus.Running) {
      throw new DomainError('INVALID_STATE', `import is ${imp.status}`, [{ field: 'status', reason: `a ${imp.status} import cannot be cancelled` }]);
    }
    await this.db.query(`UPDATE lead_imports SET cancel_requested = true, updated_at = now() WHERE id = $1`, [id]);
    if (imp.status === ImportStatus.Queued) {
      const job = await this.queue.getJob(importJobId(id));
      // A job already picked up by a worker is locked; the runner sees cancel_requested instead.
      const removed = job ? await job.remove().then(() => true, () => false) : true;
      if (removed) {
        await this.db.query(`UPDATE lead_imports SET status = 'cancelled', finished_at = now(), updated_at = now() WHERE id = $1 AND status = 'queued'`, [id]);
        await unlink(imp.filePath).catch(() => undefined);
      }
    }
    return this.find(id);
  }

  /**
   * The per-row report as CSV (line, column, reason, action), streamed page by page from the database. Column names come
   * from the uploaded file's header: written formula-safe, like every other export, since the report is opened in Excel.
   */
  async writeErrorReport(id: string, out: Writable): Promise<void> {
    await this.get(id);
    const csv = stringify({ header: true, columns: ['line', 'column', 'reason', 'action'] });
    csv.pipe(out);
    let after = { line: 0, id: '0' };
    for (;;) {
      const rows: { id: string; line: number; column_name: string | null; reason: string; action: string }[] = await this.db.query(
        `SELECT id, line, column_name, reason, action FROM lead_import_errors
          WHERE import_id = $1 AND (line, id) > ($2, $3::bigint) ORDER BY line, id LIMIT 5000`,
        [id, after.line, after.id],
      );
      for (const r of rows) {
        if (!csv.write([r.line, csvSafe(r.column_name ?? ''), csvSafe(r.reason), r.action])) await new Promise((res) => csv.once('drain', res));
      }
      if (rows.length < 5000) break;
      after = { line: rows[rows.length - 1].line, id: rows[rows.length - 1].id };
    }
    await new Promise<void>((resolve, reject) => {
      out.once('finish', resolve);
      out.once('error', reject);
      csv.end();
    });
  }
}

async function readSample(path: string): Promise<{ bytes: Buffer; whole: boolean }> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(SAMPLE_BYTES);
    const { bytesRead } = await fh.read(buf, 0, SAMPLE_BYTES, 0);
    const { size } = await fh.stat();
    return { bytes: buf.subarray(0, bytesRead), whole: bytesRead >= size };
  } finally {
    await fh.close();
  }
}

/**
 * Share of the file read, 0-100 (whole percent, rounded down). A completed import is 100; a running one stays at 99
 * at most once its file is read, while its rows are merged into the list.
 */
export function importPercent(i: Pick<LeadImportEntity, 'status' | 'bytesRead' | 'bytesTotal'>): number {
  if (i.status === ImportStatus.Completed) return 100;
  const total = Number(i.bytesTotal);
  if (!(total > 0)) return 0;
  const pct = Math.floor((Number(i.bytesRead) * 100) / total);
  return Math.max(0, Math.min(i.status === ImportStatus.Running || i.status === ImportStatus.Queued ? 99 : 100, pct));
}

export function toResponse(i: LeadImportEntity): ImportResponse {
  return {
    id: i.id,
    status: i.status,
    listId: i.listId,
    newListName: i.newListName,
    fileName: i.fileName,
    delimiter: i.delimiter,
    defaultCountry: i.defaultCountry,
    duplicatePolicy: i.duplicatePolicy,
    dedupeCampaignId: i.dedupeCampaignId,
    mapping: i.mapping as ColumnMappingDto,
    rowsRead: i.rowsRead,
    bytesRead: Number(i.bytesRead),
    bytesTotal: Number(i.bytesTotal),
    percent: importPercent(i),
    inserted: i.inserted,
    updated: i.updated,
    rejected: i.rejected,
    duplicates: i.duplicates,
    cancelRequested: i.cancelRequested,
    error: i.error,
    createdAt: i.createdAt,
    startedAt: i.startedAt,
    finishedAt: i.finishedAt,
  };
}
