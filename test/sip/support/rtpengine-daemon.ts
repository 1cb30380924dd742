import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { RtpEngineNgClient } from '../../../src/modules/telephony/rtpengine/rtpengine-ng.client';
import { Daemon, freeTcpPort, freeUdpPort, startDaemon, waitFor, which } from './processes';

export interface RtpEngineUnderTest {
  ngPort: number;
  recordingDir: string;
  portMin: number;
  portMax: number;
  daemon: Daemon;
  stop(): Promise<void>;
}

/** Debian rtpengine-daemon in userspace mode (no kernel module), on loopback ports of this run. */
export async function startRtpEngine(opts: { ports?: number } = {}): Promise<RtpEngineUnderTest> {
  const bin = which('rtpengine');
  if (!bin) throw new Error('rtpengine not installed (apt-get install rtpengine-daemon, or scripts/setup.sh --with-sip)');
  const ngPort = await freeUdpPort();
  const cliPort = await freeTcpPort();
  const span = opts.ports ?? 100;
  const portMin = 20000 + (process.pid % Math.floor(30000 / span)) * span;
  const portMax = portMin + span - 1;
  const recordingDir = mkdtempSync(join(tmpdir(), 'rtpe-rec-'));
  const daemon = startDaemon(bin, [
    '--config-file=none', '--foreground', '--log-stderr', `--listen-cli=127.0.0.1:${cliPort}`, '--table=-1', '--interface=127.0.0.1', `--listen-ng=127.0.0.1:${ngPort}`,
    `--port-min=${portMin}`, `--port-max=${portMax}`, `--recording-dir=${recordingDir}`, '--recording-method=pcap',
    '--log-level=5', '--delete-delay=0', '--num-threads=2',
  ]);
  const probe = new RtpEngineNgClient('127.0.0.1', ngPort, 300);
  try {
    await waitFor('rtpengine to answer ping', async () => (await probe.ping(), true), 8000, 100);
  } catch (err) {
    await daemon.stop();
    throw new Error(`${(err as Error).message}\n${daemon.output()}`);
  } finally {
    probe.close();
  }
  return { ngPort, recordingDir, portMin, portMax, daemon, stop: () => daemon.stop() };
}
