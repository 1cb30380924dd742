import { readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

/** CPU seconds (user + system) used so far by the processes of each group, read from /proc (Linux only). */
export type CpuSample = Record<string, number>;

/** Clock ticks per second of /proc's CPU times (USER_HZ; 100 on Linux unless `getconf CLK_TCK` says otherwise). */
const HZ = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** The processes that share the machine's cores during the bench, by the name the kernel gives them. */
const GROUPS: [string, RegExp][] = [
  ['drachtio-server', /^drachtio$/],
  ['sipp', /^sipp$/],
  ['rtpengine', /rtpengine/],
  ['postgres', /^postgres$/],
];

/** Whether this machine has a readable /proc with per-process CPU times. */
export function cpuAccountingAvailable(): boolean {
  try {
    readFileSync(`/proc/${process.pid}/stat`, 'utf8');
    return true;
  } catch {
    return false;
  }
}

/**
 * CPU time per group now. Threads are counted with their process (/proc/<pid>/stat sums them), so rtpengine's
 * worker threads ('poller') are inside 'rtpengine'. This process is 'bench (node)'; anything else is 'other'.
 */
export function sampleCpu(): CpuSample {
  const out: CpuSample = {};
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const seconds = (Number(fields[11]) + Number(fields[12])) / HZ; // utime, stime
    const group = Number(pid) === process.pid ? 'bench (node)' : GROUPS.find(([, re]) => re.test(name))?.[0] ?? 'other';
    out[group] = (out[group] ?? 0) + seconds;
  }
  return out;
}

/** Milliseconds of CPU per attempt by group between two samples, and the cores they kept busy over `sec`. */
export function cpuPerAttempt(before: CpuSample, after: CpuSample, attempts: number, sec: number): { perAttempt: Record<string, number>; total: number; cores: number } {
  const perAttempt: Record<string, number> = {};
  let total = 0;
  for (const k of Object.keys(after)) {
    const used = after[k] - (before[k] ?? 0);
    perAttempt[k] = (used * 1000) / Math.max(1, attempts);
    total += used;
  }
  return { perAttempt, total: (total * 1000) / Math.max(1, attempts), cores: total / sec };
}
