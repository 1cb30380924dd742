/**
 * npm run simulate -- --agents 50 --answer-rate 0.25 --hours 8 --mode predictive [--seed 1] [--out shift.svg]
 *   [--answer-rate-end 0.12]   (drift linearly from --answer-rate to this over the shift)
 * A discrete-event simulation in virtual time: the pure pacing engine and the simulated carrier, no database.
 */
import { writeFileSync } from 'node:fs';
import { shiftChartSvg } from '../src/modules/dialer/simulation/shift-chart';
import { simulateShift } from '../src/modules/dialer/simulation/shift-simulation';
import { PacingMode } from '../src/modules/dialer/pacing/pacing.types';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

const agents = Number(arg('agents', '50'));
const start = Number(arg('answer-rate', '0.25'));
const end = Number(arg('answer-rate-end', String(start)));
const hours = Number(arg('hours', '8'));
const mode = arg('mode', 'predictive') as PacingMode;
const seed = Number(arg('seed', '1'));
const out = arg('out', `simulation-${mode}-${agents}.svg`);
if (!['preview', 'progressive', 'predictive'].includes(mode) || !(agents > 0) || !(hours > 0) || !(start > 0 && start < 1)) {
  process.stderr.write('usage: --agents N --answer-rate 0..1 --hours H --mode preview|progressive|predictive\n');
  process.exit(2);
}

const t0 = Date.now();
const r = simulateShift({ agents, hours, mode, seed, answerRate: (f) => start + (end - start) * f });
const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
const lines = [
  `simulated shift: ${agents} agents, ${hours} h, ${mode}, human answer rate ${start}${end !== start ? ` -> ${end}` : ''}, seed ${seed} (${Date.now() - t0} ms)`,
  `attempts                     ${r.attempts}  (${r.attemptsPerAgentHour.toFixed(1)} per agent-hour)`,
  `human-answered               ${r.humanAnswered}`,
  `occupancy                    ${pct(r.occupancy)}`,
  `talk minutes per agent-hour  ${r.talkMinutesPerAgentHour.toFixed(2)}  (ceiling talk/(talk+wrap-up) x 60 = ${r.ceilingTalkMinutesPerAgentHour.toFixed(2)})`,
  `abandoned                    ${r.abandoned}`,
  `abandon rate, shift          ${pct(r.abandonRateShift)}`,
  `abandon rate, worst 1 h      ${pct(r.worstHourAbandonRate)}`,
  `chart                        ${out}`,
];
writeFileSync(out, shiftChartSvg(r));
process.stdout.write(`${lines.join('\n')}\n`);
