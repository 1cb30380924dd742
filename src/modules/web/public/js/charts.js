// Small SVG charts without a library: each has role="img", a text summary for screen readers and a <title>.
const NS = 'http://www.w3.org/2000/svg';

function s(tag, attrs = {}, text) {
  const n = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v));
  if (text !== undefined) n.textContent = text;
  return n;
}

function frame(container, width, height, summary) {
  container.replaceChildren();
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': summary, class: 'chart-svg', preserveAspectRatio: 'xMidYMid meet' });
  svg.append(s('title', {}, summary));
  container.append(svg);
  return svg;
}

export const PALETTE = ['#2563eb', '#16a34a', '#f59e0b', '#9333ea', '#0891b2', '#dc2626', '#64748b', '#db2777'];

/** Horizontal bars: items [{ label, value, color? }]; format(value) for the value text. */
export function barChart(container, items, { format = String, max, empty = '–' } = {}) {
  const rowH = 28;
  const width = 420;
  const labelW = 130;
  const valueW = 64;
  const height = Math.max(1, items.length) * rowH + 8;
  const summary = items.length ? items.map((i) => `${i.label}: ${format(i.value)}`).join(', ') : empty;
  const svg = frame(container, width, height, summary);
  if (!items.length) {
    svg.append(s('text', { x: width / 2, y: height / 2 + 4, 'text-anchor': 'middle', class: 'chart-empty' }, empty));
    return;
  }
  const top = max ?? Math.max(1, ...items.map((i) => i.value));
  items.forEach((item, idx) => {
    const y = 4 + idx * rowH;
    const w = Math.max(item.value > 0 ? 2 : 0, ((width - labelW - valueW) * item.value) / top);
    svg.append(s('text', { x: labelW - 8, y: y + 18, 'text-anchor': 'end', class: 'chart-label' }, item.label));
    svg.append(s('rect', { x: labelW, y: y + 5, width: width - labelW - valueW, height: rowH - 10, rx: 4, class: 'chart-track' }));
    svg.append(s('rect', { x: labelW, y: y + 5, width: w, height: rowH - 10, rx: 4, fill: item.color ?? PALETTE[idx % PALETTE.length] }));
    svg.append(s('text', { x: width - valueW + 8, y: y + 18, class: 'chart-value' }, format(item.value)));
  });
}

/** Rates (0..1) against a cap (0..1): one bar per window, a dashed cap line, bars over the cap in red. */
export function capChart(container, items, cap, { format, capLabel }) {
  const rowH = 34;
  const width = 420;
  const labelW = 110;
  const valueW = 70;
  const height = items.length * rowH + 26;
  const summary = `${capLabel}: ${format(cap)}. ` + items.map((i) => `${i.label}: ${format(i.value)}`).join(', ');
  const svg = frame(container, width, height, summary);
  const scaleMax = Math.max(cap * 1.6, ...items.map((i) => i.value ?? 0)) || 0.05;
  const plotW = width - labelW - valueW;
  items.forEach((item, idx) => {
    const y = 4 + idx * rowH;
    const v = item.value ?? 0;
    const over = v > cap;
    svg.append(s('text', { x: labelW - 8, y: y + 21, 'text-anchor': 'end', class: 'chart-label' }, item.label));
    svg.append(s('rect', { x: labelW, y: y + 7, width: plotW, height: rowH - 14, rx: 4, class: 'chart-track' }));
    svg.append(s('rect', { x: labelW, y: y + 7, width: Math.max(v > 0 ? 2 : 0, (plotW * v) / scaleMax), height: rowH - 14, rx: 4, fill: over ? '#dc2626' : v > cap * 0.8 ? '#f59e0b' : '#16a34a' }));
    svg.append(s('text', { x: width - valueW + 8, y: y + 21, class: over ? 'chart-value over' : 'chart-value' }, item.value === null || item.value === undefined ? '–' : format(v)));
  });
  const capX = labelW + (plotW * cap) / scaleMax;
  svg.append(s('line', { x1: capX, x2: capX, y1: 0, y2: height - 20, class: 'chart-cap' }));
  svg.append(s('text', { x: capX, y: height - 6, 'text-anchor': 'middle', class: 'chart-cap-label' }, `${capLabel} ${format(cap)}`));
}

/** Lines over time: series [{ name, color, points: [{ t: ms, v }] }]. */
export function lineChart(container, series, { format = String, windowMs = 5 * 60_000, empty = '–' } = {}) {
  // Drawn at the container's own width so the text keeps its size on wide screens.
  const width = Math.max(480, Math.round(container.clientWidth || 860));
  const height = 220;
  const pad = { l: 44, r: 12, t: 24, b: 28 };
  const now = Date.now();
  const t0 = now - windowMs;
  const all = series.flatMap((x) => x.points.filter((p) => p.t >= t0));
  const last = series.map((x) => `${x.name}: ${x.points.length ? format(x.points[x.points.length - 1].v) : '–'}`).join(', ');
  const svg = frame(container, width, height, last || empty);
  const yMax = Math.max(1, ...all.map((p) => p.v)) * 1.15;
  const X = (t) => pad.l + ((t - t0) / windowMs) * (width - pad.l - pad.r);
  const Y = (v) => height - pad.b - (v / yMax) * (height - pad.t - pad.b);
  for (let i = 0; i <= 4; i++) {
    const v = (yMax * i) / 4;
    svg.append(s('line', { x1: pad.l, x2: width - pad.r, y1: Y(v), y2: Y(v), class: 'chart-grid' }));
    svg.append(s('text', { x: pad.l - 6, y: Y(v) + 4, 'text-anchor': 'end', class: 'chart-axis' }, format(v)));
  }
  for (let m = 0; m <= windowMs / 60_000; m++) {
    const x = X(t0 + m * 60_000);
    svg.append(s('text', { x, y: height - 8, 'text-anchor': 'middle', class: 'chart-axis' }, m === windowMs / 60_000 ? '0' : `-${windowMs / 60_000 - m}m`));
  }
  series.forEach((ser, idx) => {
    const pts = ser.points.filter((p) => p.t >= t0);
    if (!pts.length) return;
    const d = pts.map((p, i) => `${i ? 'L' : 'M'}${X(p.t).toFixed(1)},${Y(p.v).toFixed(1)}`).join(' ');
    svg.append(s('path', { d, fill: 'none', stroke: ser.color ?? PALETTE[idx], 'stroke-width': 2.5, 'stroke-linejoin': 'round' }));
  });
  const legend = s('g', { class: 'chart-legend' });
  let lx = pad.l;
  series.forEach((ser, idx) => {
    legend.append(s('rect', { x: lx, y: 2, width: 10, height: 10, rx: 2, fill: ser.color ?? PALETTE[idx] }));
    legend.append(s('text', { x: lx + 14, y: 11, class: 'chart-axis' }, ser.name));
    lx += 24 + ser.name.length * 8;
  });
  svg.append(legend);
}
