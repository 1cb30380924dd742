import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { connectForBulkWork } from '../../database/pg-timeouts';
import { to as copyTo } from 'pg-copy-streams';
import { DataSource } from 'typeorm';
import { e164ToNumber } from './phone';
import { RegistryIndex } from './registry-index';

/** How often each process asks whether a registry import completed elsewhere. */
export const REGISTRY_POLL_MS = 10_000;

/**
 * Registry membership for the dial gate. Design: the current registry copies live in PostgreSQL
 * (dnc_registry_numbers, the source of truth, written by the import job) and each process keeps an in-memory
 * RegistryIndex of them, so the per-dial lookup is a binary search with no I/O (p99 in microseconds, see
 * bench/dnc). Until the index is loaded, and from the moment a newer import is seen until it is reloaded, lookups
 * go to PostgreSQL instead (btree index), so a lookup is never answered from a copy older than the database's.
 * Internal and campaign lists are never cached: they are read from dnc_entries on every check.
 */
@Injectable()
export class RegistryLookupService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RegistryLookupService.name);
  private index: RegistryIndex | null = null;
  private indexVersion: string | null = null;
  private dbVersion: string | null = null;
  private loading: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  onApplicationBootstrap(): void {
    void this.refresh().catch((err: Error) => this.logger.error({ err: { type: err.name } }, 'registry index load failed'));
    this.timer = setInterval(() => void this.poll(), REGISTRY_POLL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** True when lookups are answered from memory. */
  get inMemory(): boolean {
    return this.index !== null && this.indexVersion === this.dbVersion;
  }

  get size(): number {
    return this.index?.size ?? 0;
  }

  /** The completed imports that make up the current copy, as a version string. */
  private async currentVersion(): Promise<{ version: string; ids: string[]; count: number }> {
    const rows: { id: string; imported: string }[] = await this.db.query(
      `SELECT id, imported FROM dnc_registry_imports WHERE status = 'completed' ORDER BY id`,
    );
    return { version: rows.map((r) => r.id).join(','), ids: rows.map((r) => String(r.id)), count: rows.reduce((s, r) => s + Number(r.imported), 0) };
  }

  private async poll(): Promise<void> {
    try {
      const { version } = await this.currentVersion();
      this.dbVersion = version;
      if (version !== this.indexVersion) await this.refresh();
    } catch (err) {
      this.logger.warn({ err: { type: (err as Error).name } }, 'registry version check failed');
    }
  }

  /** Loads the current registry copy into memory (one COPY, parsed without per-row objects). */
  refresh(): Promise<void> {
    this.loading ??= this.load().finally(() => (this.loading = null));
    return this.loading;
  }

  private async load(): Promise<void> {
    const { version, ids, count } = await this.currentVersion();
    this.dbVersion = version;
    if (version === this.indexVersion && this.index) return;
    let numbers = new Float64Array(Math.max(count, 1024));
    let n = 0;
    if (ids.length) {
      const qr = this.db.createQueryRunner();
      try {
        const client = await connectForBulkWork(qr);
        const idList = ids.map((id) => String(BigInt(id))).join(',');
        const stream = client.query(copyTo(`COPY (SELECT phone FROM dnc_registry_numbers WHERE import_id IN (${idList})) TO STDOUT`));
        let cur = 0;
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          for (let i = 0; i < chunk.length; i++) {
            const c = chunk[i];
            if (c === 10) {
              if (n === numbers.length) {
                const grown = new Float64Array(numbers.length * 2);
                grown.set(numbers);
                numbers = grown;
              }
              numbers[n++] = cur;
              cur = 0;
            } else cur = cur * 10 + (c - 48);
          }
        }
      } finally {
        await qr.release();
      }
    }
    this.index = RegistryIndex.build(numbers, n);
    this.indexVersion = version;
    this.logger.log({ numbers: this.index.size, imports: ids.length }, 'registry index loaded');
  }

  /** Synchronous in-memory check, or undefined when the in-memory copy is not current (the caller must ask the DB). */
  hasInMemory(e164: string): boolean | undefined {
    if (!this.inMemory) return undefined;
    return (this.index as RegistryIndex).has(e164ToNumber(e164));
  }

  /** The numbers among `phones` (E.164) that are on a current registry copy. */
  async hasMany(phones: string[]): Promise<Set<string>> {
    const hits = new Set<string>();
    if (phones.length === 0) return hits;
    if (this.inMemory) {
      const idx = this.index as RegistryIndex;
      for (const p of phones) if (idx.has(e164ToNumber(p))) hits.add(p);
      return hits;
    }
    return this.hasManyInDb(phones);
  }

  /** The PostgreSQL path (btree on dnc_registry_numbers.phone), used while the in-memory copy is not current. */
  async hasManyInDb(phones: string[]): Promise<Set<string>> {
    const hits = new Set<string>();
    const rows: { phone: string }[] = await this.db.query(
      `SELECT DISTINCT r.phone::text AS phone FROM dnc_registry_numbers r
         JOIN dnc_registry_imports i ON i.id = r.import_id AND i.status = 'completed'
        WHERE r.phone = ANY($1::bigint[])`,
      [phones.map((p) => p.slice(1))],
    );
    for (const r of rows) hits.add(`+${r.phone}`);
    return hits;
  }

  /** Called by the import job in this process once an import completed: later lookups use the DB until reloaded. */
  async invalidate(): Promise<void> {
    const { version } = await this.currentVersion();
    this.dbVersion = version;
    await this.refresh();
  }
}
