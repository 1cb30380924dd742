import { join } from 'path';
import { Daemon, freeUdpPort, startDaemon, which } from './processes';

export const SCENARIOS = join(__dirname, '..', 'scenarios');

export interface SippRun {
  port: number;
  /** Resolves with sipp's exit code (0: the scenario ran to its end) and its output. */
  done: Promise<{ code: number | null; output: string }>;
  stop: () => Promise<void>;
}

export function sippAvailable(): boolean {
  return !!which('sipp');
}

/** Starts sipp with one of test/sip/scenarios/*.xml on a loopback port of its own. */
export async function sipp(scenario: string, opts: { ip: string; remote?: string; calls?: number; args?: string[]; timeoutSec?: number; port?: number }): Promise<SippRun> {
  const port = opts.port ?? (await freeUdpPort());
  const mediaPort = await freeUdpPort();
  const args = [
    '-sf', join(SCENARIOS, `${scenario}.xml`), '-i', opts.ip, '-p', String(port), '-mp', String(mediaPort), '-m', String(opts.calls ?? 1),
    '-nostdin', '-timeout', `${opts.timeoutSec ?? 20}s`, '-timeout_error', '-trace_err', '-error_file', `/tmp/sipp-${scenario}-${port}.err`,
    ...(opts.args ?? []),
  ];
  if (opts.remote) args.push(opts.remote);
  const d: Daemon = startDaemon('sipp', args);
  const done = new Promise<{ code: number | null; output: string }>((resolve) => d.proc.once('exit', (code) => resolve({ code, output: d.output() })));
  await new Promise((r) => setTimeout(r, 200)); // sipp has bound its port (a UAS started later would be refused with 503)
  return { port, done, stop: () => d.stop() };
}
