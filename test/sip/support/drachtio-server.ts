import { mkdtempSync, writeFileSync } from 'fs';
import { connect } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { Daemon, freeTcpPort, freeUdpPort, selfSignedCertificate, startDaemon, waitFor } from './processes';

/**
 * Where the SIP tests find a drachtio-server: DRACHTIO_HOST (+ DRACHTIO_PORT, DRACHTIO_SECRET) to reach a running
 * one, or DRACHTIO_BIN to start one on loopback. drachtio-server is in no package registry here, so without either
 * the SIP tests are skipped, loudly.
 */
export interface DrachtioTarget {
  host: string;
  port: number;
  secret: string;
  /** The SIP address drachtio-server listens on (what our sipp peers send REGISTERs to). */
  sipHost: string;
  sipPort: number;
  /** SIP over WebSocket port (browser softphones); null when unknown (set DRACHTIO_WS_PORT for an external server). */
  wsPort: number | null;
  /**
   * SIP over secure WebSocket (WSS) port; null when unknown (set DRACHTIO_WSS_PORT for an external server) or when no
   * certificate could be made (openssl missing). A server started here uses a self-signed certificate for 127.0.0.1.
   */
  wssPort: number | null;
  /** Restart the server (only when this run started it); null when reaching an external one. */
  restart: (() => Promise<void>) | null;
  stop: () => Promise<void>;
}

export const DRACHTIO_SKIP_LINE = 'SKIPPED: no drachtio-server (set DRACHTIO_HOST or DRACHTIO_BIN)';

export function drachtioConfigured(): boolean {
  return !!(process.env.DRACHTIO_HOST || process.env.DRACHTIO_BIN);
}

/** The address our sipp peers bind to: must be reachable from drachtio-server (loopback when it runs here). */
export const LOCAL_SIP_IP = process.env.SIP_TEST_LOCAL_IP ?? '127.0.0.1';

function tcpReachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port }, () => (s.destroy(), resolve(true)));
    s.on('error', () => resolve(false));
    s.setTimeout(1000, () => (s.destroy(), resolve(false)));
  });
}

export async function reachDrachtio(): Promise<DrachtioTarget> {
  const secret = process.env.DRACHTIO_SECRET ?? 'cymru';
  if (process.env.DRACHTIO_HOST) {
    const host = process.env.DRACHTIO_HOST;
    const port = Number(process.env.DRACHTIO_PORT ?? 9022);
    if (!(await tcpReachable(host, port))) throw new Error(`DRACHTIO_HOST=${host}:${port} is set but not reachable`);
    return {
      host, port, secret, sipHost: process.env.DRACHTIO_SIP_HOST ?? host, sipPort: Number(process.env.DRACHTIO_SIP_PORT ?? 5060),
      wsPort: process.env.DRACHTIO_WS_PORT ? Number(process.env.DRACHTIO_WS_PORT) : null,
      wssPort: process.env.DRACHTIO_WSS_PORT ? Number(process.env.DRACHTIO_WSS_PORT) : null,
      restart: null, stop: async () => undefined,
    };
  }
  const bin = process.env.DRACHTIO_BIN!;
  const port = await freeTcpPort();
  const sipPort = await freeUdpPort();
  const wsPort = await freeTcpPort();
  const dir = mkdtempSync(join(tmpdir(), 'drachtio-'));
  const conf = join(dir, 'drachtio.conf.xml');
  const tls = selfSignedCertificate(dir);
  const wssPort = tls ? await freeTcpPort() : null;
  writeFileSync(conf, `<drachtio><admin port="${port}" secret="${secret}">127.0.0.1</admin><sip><contacts></contacts></sip><cdrs>false</cdrs><logging><console/><loglevel>notice</loglevel></logging></drachtio>`);
  const args = [
    '-f', conf, '--stdout', '--loglevel', process.env.DRACHTIO_LOGLEVEL ?? 'notice', '--sofia-loglevel', '0',
    '--address', '127.0.0.1', '--port', String(port), '--secret', secret,
    '--contact', `sip:127.0.0.1:${sipPort};transport=udp`, '--contact', `sip:127.0.0.1:${wsPort};transport=ws`, '--disable-nat-detection',
    ...(tls && wssPort ? ['--contact', `sips:127.0.0.1:${wssPort};transport=wss`, '--key-file', tls.key, '--cert-file', tls.cert] : []),
  ];
  let daemon: Daemon = startDaemon(bin, args);
  const up = async () => {
    try {
      await waitFor('drachtio-server admin port', () => tcpReachable('127.0.0.1', port), 10_000, 100);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${daemon.output()}`);
    }
  };
  await up();
  return {
    host: '127.0.0.1', port, secret, sipHost: '127.0.0.1', sipPort, wsPort, wssPort,
    restart: async () => {
      await daemon.stop();
      daemon = startDaemon(bin, args);
      await up();
    },
    stop: () => daemon.stop(),
  };
}

