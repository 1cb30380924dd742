import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Daemon, freeTcpPort, freeUdpPort, selfSignedCertificate, startDaemon, waitFor, which } from './processes';

export interface TurnServerUnderTest {
  /** e.g. turn:127.0.0.1:34567?transport=udp */
  url: string;
  /** TURN over TLS (a turns: URI, RFC 7065: the browser's leg to the TURN server in TLS over TCP), e.g. turns:127.0.0.1:34568?transport=tcp */
  tlsUrl: string;
  /** The TURN REST API shared secret (TURN_SECRET). */
  secret: string;
  daemon: Daemon;
  /** Allocations the server granted so far (read from its log). */
  allocations(): number;
  stop(): Promise<void>;
}

export function turnServerAvailable(): boolean {
  return !!which('turnserver');
}

/**
 * Debian coturn (`turnserver`) on loopback for one spec file: TURN over UDP, and over TLS with a throwaway self-signed
 * certificate (openssl); TURN REST API credentials (use-auth-secret, as the dialer mints them); loopback peers allowed
 * because rtpengine listens on 127.0.0.1 here. Relayed media to the peer is UDP either way.
 */
export async function startTurnServer(): Promise<TurnServerUnderTest> {
  const bin = which('turnserver');
  if (!bin) throw new Error('turnserver not installed (apt-get install coturn, or scripts/setup.sh --with-sip)');
  const port = await freeUdpPort();
  const tlsPort = await freeTcpPort();
  const secret = `turn-test-secret-${process.pid}-${Date.now()}`;
  const dir = mkdtempSync(join(tmpdir(), 'turnserver-'));
  const tls = selfSignedCertificate(dir);
  if (!tls) throw new Error('openssl could not make a certificate for the TURN server (apt-get install openssl)');
  const relayMin = 50000 + (process.pid % 100) * 100;
  const daemon = startDaemon(bin, [
    '-n', '--listening-ip=127.0.0.1', `--listening-port=${port}`, `--tls-listening-port=${tlsPort}`, `--cert=${tls.cert}`, `--pkey=${tls.key}`,
    '--relay-ip=127.0.0.1', `--min-port=${relayMin}`, `--max-port=${relayMin + 99}`,
    '--use-auth-secret', `--static-auth-secret=${secret}`, '--realm=dialer.test', '--fingerprint', '--allow-loopback-peers',
    '--no-dtls', '--no-tcp-relay', '--no-cli', '--log-file=stdout', '--simple-log', '--verbose',
    `--pidfile=${join(dir, 'turnserver.pid')}`, `--userdb=${join(dir, 'turndb')}`,
  ]);
  await waitFor('turnserver to listen', async () => (/UDP listener opened on/.test(daemon.output()) && /TLS\/TCP listener opened on/.test(daemon.output())) || daemon.proc.exitCode !== null, 8000, 100);
  if (daemon.proc.exitCode !== null) throw new Error(`turnserver exited:\n${daemon.output()}`);
  return {
    url: `turn:127.0.0.1:${port}?transport=udp`,
    tlsUrl: `turns:127.0.0.1:${tlsPort}?transport=tcp`,
    secret,
    daemon,
    allocations: () => (daemon.output().match(/ALLOCATE processed, success/g) ?? []).length,
    stop: () => daemon.stop(),
  };
}
