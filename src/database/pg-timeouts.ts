import { Client, ClientConfig, PoolClient } from 'pg';
import { DataSource, QueryRunner } from 'typeorm';

/**
 * How long the service waits on PostgreSQL. Without these a failover that silently drops the old primary's traffic
 * leaves every query waiting ~15 min for TCP to give up (the dialer round stays busy, shutdown waits for it).
 */
export interface DatabaseTimeouts {
  /** Opening a connection (TCP + startup + auth) and waiting for a free one in the pool. */
  connectMs: number;
  /** Server-side statement_timeout for every statement; 0: none. Bulk jobs lift it (connectForBulkWork). */
  statementMs: number;
  /**
   * Client-side: no answer at all this long after a statement was sent (the server is gone, not just slow) and the
   * connection is destroyed, its queries failing, so the pool opens a fresh one. Longer than statementMs, so a live
   * server cancels a slow statement first and the connection stays usable. 0: none.
   */
  readMs: number;
  /** TCP keepalive on every connection, from this much idle time: finds a dead peer while a connection waits. */
  keepAliveDelayMs: number;
}

/** For the CLI, migrations and tests' own data sources: fail to connect fast, but never cut a statement. */
export const UNTIMED: DatabaseTimeouts = { connectMs: 10_000, statementMs: 0, readMs: 0, keepAliveDelayMs: 10_000 };

/** The service's: statementMs from DATABASE_STATEMENT_TIMEOUT_MS, the read timeout a few seconds past it. */
export function serviceTimeouts(statementMs: number, connectMs: number): DatabaseTimeouts {
  return { connectMs, statementMs, readMs: statementMs ? statementMs + 5_000 : 0, keepAliveDelayMs: 10_000 };
}

/** The pg `extra` options (the pool's and each connection's) for these timeouts. */
export function poolTimeoutOptions(t: DatabaseTimeouts): Record<string, unknown> {
  return {
    Client: TimedClient,
    connectionTimeoutMillis: t.connectMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: t.keepAliveDelayMs,
    ...(t.statementMs ? { statement_timeout: t.statementMs } : {}),
    readTimeoutMs: t.readMs,
  };
}

type Callback = (err: Error | null, res?: unknown) => void;

/**
 * pg's Client with a read timeout that gives the connection up. pg's own `query_timeout` fails the query but keeps
 * the connection, still waiting for the lost answer, and the pool hands it out again; here the socket is destroyed,
 * every query on it fails, and the pool drops it. Streams (COPY, cursors) are never timed: they are bulk work.
 */
export class TimedClient extends Client {
  /** 0: no read timeout on this connection (bulk work holds it). */
  readTimeoutMs: number;

  constructor(config?: ClientConfig & { readTimeoutMs?: number }) {
    super(config);
    this.readTimeoutMs = config?.readTimeoutMs ?? 0;
  }

  // pg's query() has a dozen overloads; this only wraps whichever form it was called in.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  query(config: any, values?: any, callback?: any): any {
    const ms = this.readTimeoutMs;
    if (!ms || typeof config?.submit === 'function') return super.query(config, values, callback);
    const timer = setTimeout(() => this.giveUp(ms), ms);
    const done = () => clearTimeout(timer);
    if (typeof values === 'function') {
      return super.query(config, (err: Error | null, res: unknown) => (done(), (values as Callback)(err, res)));
    }
    if (typeof callback === 'function') {
      return super.query(config, values, (err: Error | null, res: unknown) => (done(), (callback as Callback)(err, res)));
    }
    const result: Promise<unknown> = super.query(config, values);
    result.then(done, done);
    return result;
  }

  private giveUp(ms: number): void {
    const stream = (this as unknown as { connection?: { stream?: { destroy(err?: Error): void } } }).connection?.stream;
    stream?.destroy(new DatabaseReadTimeout(ms));
  }
}

export class DatabaseReadTimeout extends Error {
  constructor(ms: number) {
    super(`no answer from PostgreSQL within ${ms} ms: connection given up`);
    this.name = 'DatabaseReadTimeout';
  }
}

/**
 * Connects the query runner and lifts the statement and read timeouts on its connection, for bulk work that runs
 * long statements on purpose (lead imports' merge, registry COPY and purges). qr.release() puts them back first; a
 * connection whose settings cannot be put back is dropped from the pool instead.
 */
export async function connectForBulkWork(qr: QueryRunner): Promise<PoolClient> {
  const client = (await qr.connect()) as PoolClient;
  const timed = client instanceof TimedClient ? client : null;
  const readMs = timed?.readTimeoutMs ?? 0;
  const pg = qr as unknown as { releasePostgresConnection?: (err?: Error) => Promise<void> };
  try {
    await client.query('SET statement_timeout = 0');
  } catch (err) {
    // Not lifted: hand the connection back (destroyed) rather than leave it checked out for good.
    await (pg.releasePostgresConnection ? pg.releasePostgresConnection(err as Error) : qr.release()).catch(() => undefined);
    throw err;
  }
  if (timed) timed.readTimeoutMs = 0;
  const release = qr.release.bind(qr);
  qr.release = async () => {
    try {
      if (timed) timed.readTimeoutMs = readMs;
      await client.query('RESET statement_timeout');
    } catch (err) {
      if (pg.releasePostgresConnection) return pg.releasePostgresConnection(err as Error);
    }
    return release();
  };
  return client;
}

/** One long statement (a bulk DELETE, say) on a connection without the service's timeouts. */
export async function bulkQuery<T = unknown>(db: DataSource, sql: string, params: unknown[] = []): Promise<T> {
  const qr = db.createQueryRunner();
  try {
    const client = await connectForBulkWork(qr);
    return (await client.query(sql, params)).rows as T;
  } finally {
    await qr.release();
  }
}
