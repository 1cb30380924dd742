import { ChildProcess, spawn, spawnSync } from 'child_process';
import { createSocket } from 'dgram';
import { createServer } from 'net';
import { join } from 'path';

/** Helpers for test/sip: real daemons (rtpengine, sipp, drachtio-server) started on loopback for one spec file. */

export function which(bin: string): string | null {
  const r = spawnSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** A free UDP port (and the next one free too when `pair`, for RTP+RTCP style ranges). */
export async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export async function freeTcpPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

export interface Daemon {
  proc: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
}

export function startDaemon(bin: string, args: string[], opts: { cwd?: string } = {}): Daemon {
  const proc = spawn(bin, args, { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout?.on('data', (d) => (out = (out + d.toString()).slice(-20000)));
  proc.stderr?.on('data', (d) => (out = (out + d.toString()).slice(-20000)));
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  return {
    proc,
    output: () => out,
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        const t = setTimeout(() => proc.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(t);
      }
    },
  };
}

export async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined | false>, ms = 5000, every = 50): Promise<T> {
  const end = Date.now() + ms;
  let lastErr: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      lastErr = err;
    }
    await new Promise((r) => setTimeout(r, every));
  }
  throw new Error(`timed out waiting for ${what}${lastErr ? `: ${(lastErr as Error).message}` : ''}`);
}

/** A throwaway key and self-signed certificate for 127.0.0.1 in `dir` (WSS, TURN over TLS); null when openssl is missing. */
export function selfSignedCertificate(dir: string): { key: string; cert: string } | null {
  const key = join(dir, 'tls.key');
  const cert = join(dir, 'tls.crt');
  const r = spawnSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1',
  ], { stdio: 'ignore' });
  return r.status === 0 ? { key, cert } : null;
}
