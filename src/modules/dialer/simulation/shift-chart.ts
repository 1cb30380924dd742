import { ShiftResult } from './shift-simulation';

/** A self-contained SVG chart of a simulated shift: dial level, free agents and the rolling 1-hour abandon rate. */
export function shiftChartSvg(r: ShiftResult): string {
  const W = 900;
  const H = 420;
  const pad = { l: 50, r: 60, t: 40, b: 40 };
  const w = W - pad.l - pad.r;
  const h = H - pad.t - pad.b;
  const s = r.samples;
  const maxMin = Math.max(1, s.length ? s[s.length - 1].minute : 1);
  const maxLeft = Math.max(1, ...s.map((x) => Math.max(x.dialLevel, x.readyAgents)));
  const x = (m: number) => pad.l + (m / maxMin) * w;
  const yl = (v: number) => pad.t + h - (v / maxLeft) * h;
  const yr = (v: number) => pad.t + h - (v / 0.05) * h; // right axis: 0..5 %
  const line = (pts: [number, number][], color: string) =>
    `<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${pts.map(([a, b]) => `${a.toFixed(1)},${b.toFixed(1)}`).join(' ')}"/>`;
  const c = r.config;
  const title = `${c.agents} agents, ${c.mode}, ${c.hours} h: ${r.talkMinutesPerAgentHour.toFixed(1)} talk min/agent-hour, abandon ${(r.abandonRateShift * 100).toFixed(2)}% (worst hour ${(r.worstHourAbandonRate * 100).toFixed(2)}%)`;
  const ticks = Array.from({ length: Math.floor(maxMin / 60) + 1 }, (_, i) => i * 60);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">
<rect width="100%" height="100%" fill="white"/>
<text x="${pad.l}" y="20" font-size="13">${title}</text>
<line x1="${pad.l}" y1="${pad.t + h}" x2="${pad.l + w}" y2="${pad.t + h}" stroke="#888"/>
${ticks.map((m) => `<text x="${x(m)}" y="${pad.t + h + 15}" text-anchor="middle">${m / 60}h</text>`).join('\n')}
<line x1="${pad.l}" y1="${yr(0.03)}" x2="${pad.l + w}" y2="${yr(0.03)}" stroke="#d33" stroke-dasharray="4 3"/>
<text x="${pad.l + w + 5}" y="${yr(0.03) + 4}" fill="#d33">3% cap</text>
<text x="${pad.l + w + 5}" y="${pad.t + 10}" fill="#d33">5%</text>
<text x="10" y="${pad.t + 10}">${maxLeft.toFixed(0)}</text>
${line(s.map((p) => [x(p.minute), yl(p.dialLevel)]), '#2a6fdb')}
${line(s.map((p) => [x(p.minute), yl(p.readyAgents)]), '#2a9d57')}
${line(s.map((p) => [x(p.minute), yr(p.abandonRate1h)]), '#d33')}
<text x="${pad.l}" y="${H - 8}"><tspan fill="#2a6fdb">dial level (lines per agent free in the horizon)</tspan>  <tspan fill="#2a9d57">free agents</tspan>  <tspan fill="#d33">abandon rate, last hour (right axis)</tspan></text>
</svg>
`;
}
