import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, createWriteStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { typeOrmOptions } from '../../src/database/typeorm-options';

/**
 * A private PostgreSQL (initdb into a temp dir) and a private redis-server, on free ports, that a test may kill and
 * restart at will without touching the shared servers on 5432/6379.
 */
export const PG_BIN = process.env.PG_BIN ?? ['/usr/lib/postgresql/17/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/15/bin'].find((d) => existsSync(join(d, 'initdb'))) ?? '';
export const REDIS_BIN = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find(existsSync) ?? '';

/** Why the private servers cannot run here, or null. */
export function missingBinaries(): string | null {
  if (!PG_BIN) return 'PostgreSQL server binaries (initdb, pg_ctl) not found under /usr/lib/postgresql/*/bin';
  if (!REDIS_BIN) return 'redis-server not found';
  return null;
}

export { freePort } from '../setup/wait';

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;
/** initdb and postgres refuse to run as root: run them as the postgres user then. */
function pgCmd(bin: string, args: string[]): [string, string[]] {
  return isRoot() ? ['runuser', ['-u', 'postgres', '--', join(PG_BIN, bin), ...args]] : [join(PG_BIN, bin), args];
}

export class PrivatePostgres {
  readonly dir: string;
  constructor(readonly port: number) {
    this.dir = mkdtempSync(join(tmpdir(), 'dialer-pg-'));
    if (isRoot()) {
      const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
      chownSync(this.dir, uid, gid);
    }
    chmodSync(this.dir, 0o700);
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/dialer`;
  }

  init(): void {
    const [cmd, args] = pgCmd('initdb', ['-D', join(this.dir, 'data'), '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
    execFileSync(cmd, args, { stdio: 'ignore' });
  }

  start(): void {
    const opts = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
    const [cmd, args] = pgCmd('pg_ctl', ['-D', join(this.dir, 'data'), '-o', opts, '-l', join(this.dir, 'log'), '-w', '-t', '60', 'start']);
    execFileSync(cmd, args, { stdio: 'ignore' });
  }

  /** Creates the `dialer` database and runs every migration; returns a connection to it (the caller destroys it). */
  async createMigratedDatabase(): Promise<DataSource> {
    const admin = new Client({ connectionString: this.url.replace(/\/dialer$/, '/postgres') });
    await admin.connect();
    await admin.query('CREATE DATABASE dialer');
    await admin.end();
    const ds = new DataSource(typeOrmOptions(this.url));
    await ds.initialize();
    await ds.runMigrations({ transaction: 'each' });
    return ds;
  }

  /** mode immediate: like a crash (no clean shutdown, crash recovery on the next start). */
  stop(mode: 'fast' | 'immediate' = 'fast'): void {
    const [cmd, args] = pgCmd('pg_ctl', ['-D', join(this.dir, 'data'), '-m', mode, '-w', '-t', '60', 'stop']);
    try {
      execFileSync(cmd, args, { stdio: 'ignore' });
    } catch {
      /* already stopped */
    }
  }

  destroy(): void {
    this.stop('immediate');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export class PrivateRedis {
  private proc?: ChildProcess;
  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    // No persistence: a restart loses everything Redis held (locks, agent states, queues) - the worst case.
    this.proc = spawn(REDIS_BIN, ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'], { stdio: 'ignore' });
    const end = Date.now() + 10_000;
    while (Date.now() < end) {
      try {
        execFileSync('redis-cli', ['-p', String(this.port), 'ping'], { stdio: 'ignore' });
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    throw new Error('private redis did not start');
  }

  async kill(): Promise<void> {
    if (!this.proc || this.proc.exitCode !== null) return;
    const exited = once(this.proc, 'exit');
    this.proc.kill('SIGKILL');
    await exited;
  }
}

/** A dialer worker process (src/worker.ts) on the private servers; its output goes to a log file. */
export function spawnWorker(env: NodeJS.ProcessEnv, logFile: string): ChildProcess {
  const root = join(__dirname, '../..');
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join(root, 'src/worker.ts')], {
    env: { ...process.env, ...env, RUN_MODE: 'worker', TS_NODE_PROJECT: join(root, 'tsconfig.json') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = createWriteStream(logFile, { flags: 'a' });
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  return child;
}
