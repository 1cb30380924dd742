import { $, $$, api, debounce, errorText, fmt, h, setupTabs, showError, subscribe, t, toast, tOr } from './shell.js';
import { barChart, capChart, lineChart } from './charts.js';
import { safeFragment, textFragment } from './sanitize.js';

// The manager's endpoints, in one place (campaigns, lists/import, scripts, objections, live stats).
const EP = {
  campaigns: '/api/campaigns',
  campaign: (id) => `/api/campaigns/${id}`,
  status: (id) => `/api/campaigns/${id}/status`,
  live: (id) => `/api/campaigns/${id}/live`,
  liveEvents: (id) => `/api/events/campaigns/${id}`,
  lists: '/api/lead-lists',
  imports: '/api/lead-imports',
  importJob: (id) => `/api/lead-imports/${id}`,
  importCancel: (id) => `/api/lead-imports/${id}/cancel`,
  importErrors: (id) => `/api/lead-imports/${id}/errors.csv`,
  scripts: '/api/scripts',
  script: (id) => `/api/scripts/${id}`,
  scriptVersions: (id) => `/api/scripts/${id}/versions`,
  // Renders unsaved sections (the scripts API previews saved versions only): served by the web module.
  scriptPreview: '/api/web/script-preview',
  objections: (campaignId) => `/api/campaigns/${campaignId}/objections`,
  objection: (campaignId, id) => `/api/campaigns/${campaignId}/objections/${id}`,
  gateways: '/api/gateways',
  objectionStats: (campaignId) => `/api/campaigns/${campaignId}/objections/stats`,
  kpis: (campaignId) => `/api/reports/campaigns/${campaignId}/kpis`,
  kpiAgentsCsv: (campaignId) => `/api/reports/campaigns/${campaignId}/kpis/agents.csv`,
  wrapUps: '/api/wrap-ups',
  wrapUpDisposition: (callId) => `/api/wrap-ups/${callId}/disposition`,
};

const items = (res) => (Array.isArray(res) ? res : res?.items ?? res?.data ?? []);
// campaignVersion: the edit version the form was loaded at (sent as If-Match: a save over someone else's change is refused).
const state = { campaigns: [], lists: [], scripts: [], gateways: [], campaignId: null, campaignVersion: null };

function campaignOptions(select, { withEmpty = false } = {}) {
  const keep = select.value;
  select.replaceChildren(
    ...(withEmpty ? [h('option', { value: '' }, t('common.none'))] : []),
    ...state.campaigns.map((c) => h('option', { value: c.id }, c.name)),
  );
  if (keep && state.campaigns.some((c) => c.id === keep)) select.value = keep;
}

async function loadCampaigns() {
  try {
    state.campaigns = items(await api(EP.campaigns));
  } catch (err) {
    state.campaigns = [];
    toast(errorText(err), 'error');
  }
  for (const sel of [$('#dash-campaign'), $('#obj-campaign')]) campaignOptions(sel);
  renderCampaignTable();
}

// ---- live dashboard ----------------------------------------------------------------------------------------
const dash = { es: null, history: [], campaignId: undefined, lastStats: null };
const AGENT_STATES = ['ready', 'reserved', 'on_call', 'wrap_up', 'paused'];
/** 47 CFR 64.1200(a)(7) and Ofcom: 3% of human-answered calls. */
const LEGAL_ABANDON_CAP = 0.03;
const STATE_COLORS = { ready: '#16a34a', reserved: '#0891b2', on_call: '#2563eb', wrap_up: '#f59e0b', paused: '#64748b', on_hold: '#9333ea' };

function num(...vals) {
  for (const v of vals) if (v !== undefined && v !== null && !Number.isNaN(Number(v))) return Number(v);
  return null;
}

/** The dialer's live figures (GET /api/campaigns/:id/live and the SSE ticks): ratios are 0..1. */
function renderStats(s) {
  if (!s) return;
  dash.lastStats = s;
  const agents = s.agents ?? {};
  const today = s.today ?? {};
  const abandon = s.abandonRate ?? {};
  const ringing = num(s.tick?.ringing, s.callsRinging);
  const dialLevel = num(s.tick?.dialLevel, s.pacing?.dialLevel);
  $('#kpi-ringing').textContent = fmt.number(ringing);
  $('#kpi-dial-level').textContent = fmt.decimal(dialLevel, 2);
  $('#kpi-contact').textContent = fmt.percent(num(today.contactRate));
  $('#kpi-attempts').textContent = fmt.number(num(today.attempts));
  $('#kpi-conversions').textContent = fmt.number(num(today.conversions));
  $('#kpi-conversion-rate').textContent = fmt.percent(num(today.conversionRate));
  if (s.status) setStatusBadge($('#dash-status'), s.status);

  barChart(
    $('#chart-agents'),
    AGENT_STATES.map((st) => ({ label: tOr(`state.${st}`, st), value: num(agents[st]) ?? 0, color: STATE_COLORS[st] })),
    { format: fmt.number, empty: t('mgr.dash.noData') },
  );
  capChart(
    $('#chart-abandon'),
    [
      { label: t('mgr.dash.abandonNow'), value: num(abandon.lastHour) },
      { label: t('mgr.dash.abandon24h'), value: num(abandon.last24h) },
      { label: t('mgr.dash.abandon30d'), value: num(abandon.last30d) },
    ],
    LEGAL_ABANDON_CAP,
    { format: (v) => fmt.percent(v, 2), capLabel: t('mgr.dash.cap') },
  );
  // The snapshot a page opens with carries the last 5 minutes (the orchestrator keeps them); pushes add a point each.
  if (Array.isArray(s.history)) dash.history = s.history.map((p) => ({ t: p.t, ringing: p.ringing, dialLevel: p.dialLevel, talking: p.talking }));
  if (s.campaignId || s.at) {
    dash.history.push({ t: s.at ? new Date(s.at).getTime() : Date.now(), ringing: ringing ?? 0, dialLevel: dialLevel ?? 0, talking: num(agents.on_call) ?? 0 });
    dash.history = dash.history.filter((p) => p.t > Date.now() - 5 * 60_000);
  }
  renderTrend();
}

/** Most frequent objections of the campaign, from the objection statistics. */
async function refreshObjections(campaignId) {
  let rows = [];
  try {
    const stats = await api(EP.objectionStats(campaignId));
    rows = (stats.objections ?? []).filter((o) => o.raised > 0).sort((a, b) => b.raised - a.raised).slice(0, 6);
  } catch {
    /* shown as "no objections" */
  }
  if (dash.campaignId !== campaignId) return;
  barChart(
    $('#chart-objections'),
    rows.map((o) => ({ label: o.label, value: o.raised })),
    { format: fmt.number, empty: t('mgr.dash.noObjections') },
  );
}

/** KPIs of the last 24 hours from the records (GET /api/reports/campaigns/:id/kpis): totals and one row an agent. */
async function refreshKpis(campaignId) {
  let report = null;
  if (campaignId) {
    try {
      report = await api(EP.kpis(campaignId));
    } catch {
      /* shown as no data */
    }
    if (dash.campaignId !== campaignId) return;
  }
  const k = report?.totals ?? {};
  $('#kpi-aht').textContent = report ? fmt.duration(k.averageHandleS) : '–';
  $('#kpi-acw').textContent = report ? fmt.duration(k.averageWrapUpS) : '–';
  $('#kpi-talk').textContent = report ? fmt.duration(k.averageTalkS) : '–';
  $('#kpi-occupancy').textContent = fmt.percent(num(k.occupancy));
  $('#kpi-talk-per-hour').textContent = fmt.decimal(num(k.talkMinutesPerAgentHour), 1);
  $('#kpi-calls-per-hour').textContent = fmt.decimal(num(k.callsPerAgentHour), 1);
  $('#kpi-wait').textContent = report ? fmt.duration(k.averageWaitS) : '–';
  $('#kpi-penetration').textContent = fmt.percent(num(report?.lists?.penetration));
  const agents = report?.agents ?? [];
  $('#kpi-agents tbody').replaceChildren(
    ...agents.map((a) =>
      h('tr', { 'data-agent-id': a.agentId }, [
        h('th', { scope: 'row' }, a.displayName),
        h('td', {}, fmt.number(a.handled)),
        h('td', {}, fmt.number(a.conversions)),
        h('td', {}, fmt.duration(a.averageHandleS)),
        h('td', {}, fmt.percent(a.occupancy)),
        h('td', {}, fmt.decimal(a.talkMinutesPerAgentHour, 1)),
        h('td', {}, fmt.duration(a.averageWaitS)),
        h('td', {}, fmt.duration(a.pausedS)),
      ]),
    ),
  );
  $('#kpi-agents-empty').hidden = agents.length > 0;
  const csv = $('#kpi-csv');
  csv.hidden = !campaignId;
  csv.href = campaignId ? EP.kpiAgentsCsv(campaignId) : '#';
}

function renderTrend() {
  lineChart(
    $('#chart-trend'),
    [
      { name: t('mgr.dash.ringing'), color: '#f59e0b', points: dash.history.map((p) => ({ t: p.t, v: p.ringing })) },
      { name: t('mgr.dash.dialLevel'), color: '#9333ea', points: dash.history.map((p) => ({ t: p.t, v: p.dialLevel })) },
      { name: t('state.on_call'), color: '#2563eb', points: dash.history.map((p) => ({ t: p.t, v: p.talking })) },
    ],
    { format: (v) => fmt.decimal(v, v < 10 ? 1 : 0), empty: t('mgr.dash.noData') },
  );
}

async function openDashboard(campaignId) {
  if (dash.es) dash.es.close();
  clearInterval(dash.objTimer);
  dash.es = null;
  dash.history = [];
  dash.campaignId = campaignId;
  refreshKpis(campaignId);
  if (!campaignId) {
    renderStats({});
    barChart($('#chart-objections'), [], { empty: t('mgr.dash.noObjections') });
    return;
  }
  refreshObjections(campaignId);
  dash.objTimer = setInterval(() => {
    refreshObjections(campaignId);
    refreshKpis(campaignId);
  }, 10_000);
  try {
    renderStats(await api(EP.live(campaignId)));
  } catch (err) {
    renderStats({});
    toast(errorText(err), 'error');
  }
  const conn = $('#dash-conn');
  dash.es = subscribe(
    EP.liveEvents(campaignId),
    {
      'campaign.stats': (d) => {
        if (dash.campaignId === campaignId) renderStats(d);
      },
      'campaign.status': (d) => {
        if (d.status) setStatusBadge($('#dash-status'), d.status);
      },
    },
    (st) => {
      conn.textContent = st === 'open' ? t('mgr.dash.live') : t('mgr.dash.reconnecting');
      conn.dataset.state = st;
    },
  );
}
$('#dash-campaign').addEventListener('change', (ev) => openDashboard(ev.target.value));

function setStatusBadge(el, status) {
  el.textContent = tOr(`status.${status}`, status);
  el.dataset.status = status;
}

// ---- campaigns ---------------------------------------------------------------------------------------------
async function loadGateways() {
  try {
    state.gateways = items(await api(EP.gateways));
  } catch {
    state.gateways = [];
  }
}

/** API field paths (as in the 400 body) -> the control that edits them. */
const FIELD_CONTROLS = {
  name: 'camp-name',
  dialMode: 'camp-mode',
  timezone: 'camp-tz',
  'pacing.abandonTargetPct': 'camp-abandon',
  'pacing.maxLinesPerAgent': 'camp-lines',
  'pacing.ringTimeoutS': 'camp-ring',
  'retryRules.maxAttempts': 'camp-attempts',
  'retryRules.maxAttemptsPerDay': 'camp-attempts-day',
  'retryRules.busyRetryMinutes': 'camp-busy',
  'retryRules.noAnswerRetryHours': 'camp-noanswer',
  'retryRules.machineRetryShiftHours': 'camp-machine',
  'retryRules.carrierFailureRetryMinutes': 'camp-carrier',
  callbackPolicy: 'camp-callback',
  previewTimeLimitSeconds: 'camp-preview-limit',
  previewTimeoutAction: 'camp-preview-action',
  startsAt: 'camp-starts',
  endsAt: 'camp-ends',
  recordCalls: 'camp-record',
  'schedule.blackoutDates': 'camp-blackout-add',
  gatewayId: 'camp-gateway',
  callerId: 'camp-callerid',
  scriptId: 'camp-script',
};

function controlFor(field) {
  const f = String(field ?? '').replace(/\[(\d+)\]/g, '.$1');
  if (FIELD_CONTROLS[f]) return $(`#${FIELD_CONTROLS[f]}`);
  // Rows are addressed by their index in the body that was sent.
  const l = /^lists\.(\d+)(?:\.(\w+))?/.exec(f);
  if (l) {
    const row = $(`#camp-lists tbody tr[data-list-id="${campForm.sentLists[Number(l[1])]}"]`);
    return row?.querySelector(`[data-key="${l[2] && l[2] !== 'listId' ? l[2] : 'use'}"]`) ?? row?.querySelector('[data-key="use"]') ?? null;
  }
  if (f === 'lists') return $('#camp-lists tbody [data-key="use"]');
  if (f.startsWith('schedule.windows')) return $('#win-mon-on');
  const b = /^schedule\.blackoutDates\.(\d+)/.exec(f);
  if (b) return campForm.sentBlackouts[Number(b[1])] ?? null;
  const m = /^outcomes\.(\d+)(?:\.(\w+))?/.exec(f);
  if (m) {
    const row = $$('#camp-outcomes tbody tr')[Number(m[1])];
    if (!row) return null;
    return row.querySelector(`[data-key="${m[2] ?? 'code'}"]`) ?? row.querySelector('[data-key="code"]');
  }
  return null;
}

/** Shows each 400 field error next to its control (aria-invalid + aria-describedby); returns those without a control. */
function showFieldErrors(errors) {
  for (const el of $$('#camp-form .field-error')) el.remove();
  for (const el of $$('#camp-form [aria-invalid]')) {
    el.removeAttribute('aria-invalid');
    const d = (el.getAttribute('aria-describedby') ?? '').split(' ').filter((x) => x && !x.endsWith('-ferr')).join(' ');
    if (d) el.setAttribute('aria-describedby', d);
    else el.removeAttribute('aria-describedby');
  }
  let first = null;
  for (const e of errors) {
    const ctl = controlFor(e.field);
    if (!ctl) continue;
    const id = `${ctl.id}-ferr`;
    let p = document.getElementById(id);
    if (!p) {
      p = h('span', { id, class: 'field-error' });
      (ctl.closest('.field, td, li') ?? ctl.parentElement).append(p);
    }
    p.textContent = [p.textContent, e.reason].filter(Boolean).join('; ');
    ctl.setAttribute('aria-invalid', 'true');
    ctl.setAttribute('aria-describedby', [ctl.getAttribute('aria-describedby'), id].filter(Boolean).join(' '));
    first ??= ctl;
  }
  first?.focus();
}

let outcomeSeq = 0;
function outcomeRow(o = {}) {
  const n = ++outcomeSeq;
  const id = (k) => `out-${n}-${k}`;
  const rowName = () => tr.querySelector('[data-key="code"]').value || String(n);
  const cell = (k, label, control) => h('td', {}, h('label', { for: id(k), class: 'visually-hidden' }, label), control);
  const check = (k, label, on) => cell(k, label, h('input', { type: 'checkbox', id: id(k), dataset: { key: k }, checked: !!on }));
  const tr = h(
    'tr',
    {},
    cell('code', t('mgr.out.code'), h('input', { id: id('code'), dataset: { key: 'code' }, value: o.code ?? '', class: 'mono', maxlength: 40, size: 12 })),
    cell('label', t('mgr.out.label'), h('input', { id: id('label'), dataset: { key: 'label' }, value: o.label ?? '', maxlength: 80 })),
    check('isFinal', t('mgr.out.final'), o.isFinal),
    check('isSuccess', t('mgr.out.success'), o.isSuccess),
    check('isDnc', t('mgr.out.dnc'), o.isDnc),
    cell('retryAfterMinutes', t('mgr.out.retry'), h('input', { id: id('retryAfterMinutes'), dataset: { key: 'retryAfterMinutes' }, type: 'number', min: 1, max: 43200, value: o.retryAfterMinutes ?? '', size: 6 })),
    h('td', {}, h('button', { type: 'button', class: 'ghost small icon', title: t('mgr.out.remove'), onclick: () => tr.remove() }, '✕')),
  );
  // Row-specific names for assistive tech ("Code sale", "Final sale", ...).
  const relabel = () => {
    for (const l of tr.querySelectorAll('label')) l.textContent = `${l.dataset.base} · ${rowName()}`;
  };
  for (const l of tr.querySelectorAll('label')) l.dataset.base = l.textContent;
  const relabelAll = () => {
    relabel();
    tr.querySelector('button').setAttribute('aria-label', `${t('mgr.out.remove')} · ${rowName()}`);
  };
  tr.querySelector('[data-key="code"]').addEventListener('input', relabelAll);
  relabelAll();
  return tr;
}

function readOutcomes() {
  return $$('#camp-outcomes tbody tr').map((tr) => {
    const v = (k) => tr.querySelector(`[data-key="${k}"]`);
    const retry = v('retryAfterMinutes').value.trim();
    return {
      code: v('code').value.trim(),
      label: v('label').value.trim(),
      isFinal: v('isFinal').checked,
      isSuccess: v('isSuccess').checked,
      isDnc: v('isDnc').checked,
      retryAfterMinutes: retry === '' ? null : Number(retry),
    };
  });
}

$('#camp-outcome-add').addEventListener('click', () => {
  const tr = outcomeRow();
  $('#camp-outcomes tbody').append(tr);
  tr.querySelector('input').focus();
});

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

const DEFAULT_WINDOWS = { mon: [['09:00', '20:00']], tue: [['09:00', '20:00']], wed: [['09:00', '20:00']], thu: [['09:00', '20:00']], fri: [['09:00', '20:00']] };

function renderWindows(schedule) {
  const windows = schedule?.windows ?? DEFAULT_WINDOWS;
  $('#camp-windows').replaceChildren(
    ...DAYS.map((d) => {
      const w = (windows[d] ?? [])[0];
      return h(
        'div',
        { class: 'window-row' },
        h('label', { class: 'check' }, h('input', { type: 'checkbox', id: `win-${d}-on`, checked: !!w }), ` ${t(`day.${d}`)}`),
        h('label', { for: `win-${d}-from`, class: 'visually-hidden' }, `${t(`day.${d}`)} ${t('mgr.camp.from')}`),
        h('input', { type: 'time', id: `win-${d}-from`, value: w?.[0] ?? '09:00' }),
        h('span', { 'aria-hidden': 'true' }, '–'),
        h('label', { for: `win-${d}-to`, class: 'visually-hidden' }, `${t(`day.${d}`)} ${t('mgr.camp.to')}`),
        h('input', { type: 'time', id: `win-${d}-to`, value: w?.[1] ?? '20:00' }),
      );
    }),
  );
}

function readWindows() {
  const windows = {};
  for (const d of DAYS) if ($(`#win-${d}-on`).checked) windows[d] = [[$(`#win-${d}-from`).value, $(`#win-${d}-to`).value]];
  return { windows };
}

// ---- campaign dates in the campaign's own time zone (Intl; no date library needed for a wall-clock conversion) ----
/** Wall-clock parts of an instant in an IANA zone. */
function zonedParts(ts, zone) {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(new Date(ts));
  return Object.fromEntries(parts.map((p) => [p.type, p.value]));
}
const zoneOffsetMs = (ts, zone) => {
  const p = zonedParts(ts, zone);
  return Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second) - Math.floor(ts / 1000) * 1000;
};
function validZone(zone) {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone;
  } catch {
    return 'UTC';
  }
}
/** "YYYY-MM-DDTHH:MM" read in `zone` -> ISO instant (null when empty). */
function zonedToIso(local, zone) {
  if (!local) return null;
  const z = validZone(zone);
  const [d, tm] = local.split('T');
  const [y, mo, da] = d.split('-').map(Number);
  const [h, mi] = (tm ?? '00:00').split(':').map(Number);
  const wall = Date.UTC(y, mo - 1, da, h, mi);
  let ts = wall - zoneOffsetMs(wall, z);
  // Across a DST change the offset at the result may differ from the first guess.
  const second = wall - zoneOffsetMs(ts, z);
  if (second !== ts) ts = second;
  return new Date(ts).toISOString();
}
/** ISO instant -> "YYYY-MM-DDTHH:MM" in `zone` (for a datetime-local input). */
function isoToZoned(iso, zone) {
  if (!iso) return '';
  const p = zonedParts(Date.parse(iso), validZone(zone));
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}
function updateZoneHints() {
  const zone = $('#camp-tz').value.trim() || 'UTC';
  $('#camp-starts-hint').textContent = t('mgr.camp.startsHint', { zone });
  $('#camp-ends-hint').textContent = t('mgr.camp.endsHint', { zone });
}
/** The zone the date fields were last shown in: changing the zone keeps the wall-clock times typed. */
$('#camp-tz').addEventListener('input', updateZoneHints);

// ---- blackout dates and lead lists of the campaign form ----
const campForm = { sentLists: [], sentBlackouts: [] };
let blackoutSeq = 0;
function blackoutRow(date = '') {
  const id = `blackout-${++blackoutSeq}`;
  const li = h(
    'li',
    { class: 'blackout-row' },
    h('label', { for: id, class: 'visually-hidden' }, `${t('mgr.camp.blackoutDate')} ${blackoutSeq}`),
    h('input', { type: 'date', id, value: date, dataset: { key: 'blackout' } }),
    h('button', { type: 'button', class: 'ghost small icon', 'aria-label': `${t('mgr.camp.blackoutRemove')} ${date}`.trim(), title: t('mgr.camp.blackoutRemove'), onclick: () => li.remove() }, '✕'),
  );
  const input = li.querySelector('input');
  input.addEventListener('change', () => li.querySelector('button').setAttribute('aria-label', `${t('mgr.camp.blackoutRemove')} ${input.value}`.trim()));
  return li;
}
$('#camp-blackout-add').addEventListener('click', () => {
  const li = blackoutRow();
  $('#camp-blackouts').append(li);
  li.querySelector('input').focus();
});

function renderCampaignLists(links) {
  const byId = new Map((links ?? []).map((l) => [l.listId, l]));
  // Attached lists first (as the dialer drains them: priority, then weight), then the others by name.
  const rows = [...state.lists].sort((a, b) => {
    const la = byId.get(a.id);
    const lb = byId.get(b.id);
    if (!!la !== !!lb) return la ? -1 : 1;
    if (la && lb && la.priority !== lb.priority) return lb.priority - la.priority;
    if (la && lb && la.weight !== lb.weight) return lb.weight - la.weight;
    return String(a.name).localeCompare(String(b.name));
  });
  $('#camp-lists tbody').replaceChildren(
    ...rows.map((l, i) => {
      const link = byId.get(l.id);
      const id = (k) => `cl-${i}-${k}`;
      const num = (k, label, value, min) =>
        h('td', {}, h('label', { for: id(k), class: 'visually-hidden' }, `${label} · ${l.name}`), h('input', { type: 'number', id: id(k), dataset: { key: k }, min, max: 1000, step: 1, value, size: 5 }));
      return h(
        'tr',
        { dataset: { listId: l.id } },
        h('th', { scope: 'row' }, l.name),
        h('td', {}, h('label', { for: id('use'), class: 'visually-hidden' }, `${t('mgr.camp.listUse')} · ${l.name}`), h('input', { type: 'checkbox', id: id('use'), dataset: { key: 'use' }, checked: !!link && link.active !== false })),
        num('priority', t('mgr.camp.listPriority'), link?.priority ?? 1, 0),
        num('weight', t('mgr.camp.listWeight'), link?.weight ?? 1, 1),
        h('td', { class: 'num' }, fmt.number(l.total ?? 0)),
      );
    }),
  );
  if (!rows.length) $('#camp-lists tbody').append(h('tr', {}, h('td', { colspan: 5, class: 'empty' }, t('mgr.camp.noLists'))));
}

function readCampaignLists() {
  const out = $$('#camp-lists tbody tr[data-list-id]')
    .filter((tr) => tr.querySelector('[data-key="use"]').checked)
    .map((tr) => {
      const v = (k) => tr.querySelector(`[data-key="${k}"]`).value.trim();
      const n = (k) => (v(k) === '' ? undefined : Number(v(k)));
      return { listId: tr.dataset.listId, priority: n('priority'), weight: n('weight') };
    });
  campForm.sentLists = out.map((l) => l.listId);
  return out;
}

function readBlackouts() {
  const inputs = $$('#camp-blackouts input').filter((i) => i.value);
  campForm.sentBlackouts = inputs;
  return inputs.map((i) => i.value);
}

function renderCampaignTable() {
  const body = $('#camp-table tbody');
  body.replaceChildren(
    ...state.campaigns.map((c) =>
      h(
        'tr',
        { class: c.id === state.campaignId ? 'selected' : '' },
        h('td', {}, h('button', { type: 'button', class: 'link', onclick: () => editCampaign(c.id) }, c.name)),
        h('td', {}, h('span', { class: 'badge', dataset: { status: c.status } }, tOr(`status.${c.status}`, c.status))),
        h('td', {}, tOr(`mode.${c.dialMode}`, c.dialMode)),
      ),
    ),
  );
}

async function editCampaign(id) {
  state.campaignId = id;
  // Busy until the campaign is shown (assistive tech, and tests, wait for it).
  $('#camp-form').setAttribute('aria-busy', 'true');
  renderCampaignTable();
  showError($('#camp-error'), null);
  showFieldErrors([]);
  let c = state.campaigns.find((x) => x.id === id) ?? {};
  // Fresh each time: an admin may have added a gateway since the page loaded.
  await loadGateways();
  if (id) {
    try {
      c = await api(EP.campaign(id));
    } catch (err) {
      toast(errorText(err), 'error');
    }
  }
  state.campaignVersion = id ? c.version ?? null : null;
  const f = $('#camp-form');
  f.elements.name.value = c.name ?? '';
  f.elements.dialMode.value = c.dialMode ?? 'progressive';
  f.elements.timezone.value = c.timezone ?? 'UTC';
  f.elements.abandonTarget.value = c.pacing?.abandonTargetPct ?? 3;
  f.elements.maxLinesPerAgent.value = c.pacing?.maxLinesPerAgent ?? 3;
  f.elements.ringTimeoutS.value = c.pacing?.ringTimeoutS ?? 25;
  f.elements.maxAttempts.value = c.retryRules?.maxAttempts ?? 5;
  f.elements.maxAttemptsPerDay.value = c.retryRules?.maxAttemptsPerDay ?? 3;
  f.elements.busyRetryMinutes.value = c.retryRules?.busyRetryMinutes ?? 15;
  f.elements.noAnswerRetryHours.value = c.retryRules?.noAnswerRetryHours ?? 4;
  f.elements.machineRetryShiftHours.value = c.retryRules?.machineRetryShiftHours ?? 3;
  f.elements.carrierFailureRetryMinutes.value = c.retryRules?.carrierFailureRetryMinutes ?? 30;
  f.elements.callbackPolicy.value = c.callbackPolicy ?? 'agent_or_anyone';
  // Empty = no limit (null), the default.
  f.elements.previewTimeLimitSeconds.value = c.previewTimeLimitSeconds ?? '';
  f.elements.previewTimeoutAction.value = c.previewTimeoutAction ?? 'skip';
  f.elements.recordCalls.checked = !!c.recordCalls;
  updateZoneHints();
  f.elements.startsAt.value = isoToZoned(c.startsAt, c.timezone ?? 'UTC');
  f.elements.endsAt.value = isoToZoned(c.endsAt, c.timezone ?? 'UTC');
  $('#camp-blackouts').replaceChildren(...(c.schedule?.blackoutDates ?? []).map((d) => blackoutRow(d)));
  $('#camp-gateway').replaceChildren(h('option', { value: '' }, t('mgr.camp.gatewayDefault')), ...state.gateways.map((g) => h('option', { value: g.id }, g.active === false ? `${g.name} (${t('mgr.camp.gatewayInactive')})` : g.name)));
  $('#camp-gateway').value = c.gatewayId ?? '';
  $('#camp-outcomes tbody').replaceChildren(...(c.outcomes ?? []).map((o) => outcomeRow(o)));
  f.elements.callerId.value = c.callerId ?? '';
  $('#camp-script').replaceChildren(h('option', { value: '' }, t('common.none')), ...state.scripts.map((s) => h('option', { value: s.id }, s.name)));
  $('#camp-script').value = c.scriptId ?? '';
  renderCampaignLists(c.lists);
  renderWindows(c.schedule);
  setStatusBadge($('#camp-status-badge'), c.status ?? 'draft');
  $('#camp-start').disabled = !id || c.status === 'running' || c.status === 'completed';
  $('#camp-schedule').disabled = !id || c.status !== 'draft';
  $('#camp-pause').disabled = !id || c.status !== 'running';
  $('#camp-stop').disabled = !id || c.status === 'completed' || c.status === 'draft';
  if (state.campaignId === id) $('#camp-form').removeAttribute('aria-busy');
}

$('#camp-new').addEventListener('click', () => {
  editCampaign(null);
  $('#camp-name').focus();
});

$('#camp-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const f = ev.target;
  const timezone = f.elements.timezone.value.trim();
  const body = {
    name: f.elements.name.value.trim(),
    dialMode: f.elements.dialMode.value,
    timezone,
    startsAt: zonedToIso(f.elements.startsAt.value, timezone),
    endsAt: zonedToIso(f.elements.endsAt.value, timezone),
    recordCalls: f.elements.recordCalls.checked,
    pacing: {
      abandonTargetPct: Number(f.elements.abandonTarget.value),
      maxLinesPerAgent: Number(f.elements.maxLinesPerAgent.value),
      ringTimeoutS: Number(f.elements.ringTimeoutS.value),
    },
    retryRules: {
      maxAttempts: Number(f.elements.maxAttempts.value),
      maxAttemptsPerDay: Number(f.elements.maxAttemptsPerDay.value),
      busyRetryMinutes: Number(f.elements.busyRetryMinutes.value),
      noAnswerRetryHours: Number(f.elements.noAnswerRetryHours.value),
      machineRetryShiftHours: Number(f.elements.machineRetryShiftHours.value),
      carrierFailureRetryMinutes: Number(f.elements.carrierFailureRetryMinutes.value),
    },
    callbackPolicy: f.elements.callbackPolicy.value,
    previewTimeLimitSeconds: f.elements.previewTimeLimitSeconds.value.trim() === '' ? null : Number(f.elements.previewTimeLimitSeconds.value),
    previewTimeoutAction: f.elements.previewTimeoutAction.value,
    gatewayId: $('#camp-gateway').value || null,
    callerId: f.elements.callerId.value.trim() || null,
    scriptId: $('#camp-script').value || null,
    schedule: { ...readWindows(), blackoutDates: readBlackouts() },
    lists: readCampaignLists(),
  };
  // A new campaign without rows gets the default outcome set from the API.
  const outcomes = readOutcomes();
  if (state.campaignId || outcomes.length) body.outcomes = outcomes;
  try {
    const saved = state.campaignId
      ? await api(EP.campaign(state.campaignId), { method: 'PATCH', body, ifMatch: state.campaignVersion })
      : await api(EP.campaigns, { method: 'POST', body });
    toast(t('common.saved'));
    await loadCampaigns();
    await editCampaign(saved?.id ?? state.campaignId);
  } catch (err) {
    // Changed by someone else since the form was loaded: say so, keep what was typed, offer a reload.
    const id = state.campaignId;
    showError($('#camp-error'), err, { onReload: () => editCampaign(id) });
    showFieldErrors(err.status === 412 ? [] : err.errors ?? []);
  }
});

for (const [btn, action, status] of [['#camp-start', 'start', 'running'], ['#camp-schedule', 'schedule', 'scheduled'], ['#camp-pause', 'pause', 'paused'], ['#camp-stop', 'stop', 'completed']]) {
  $(btn).addEventListener('click', async () => {
    if (!state.campaignId) return;
    try {
      await api(EP.status(state.campaignId), { method: 'POST', body: { status } });
      toast(t(`mgr.camp.did.${action}`));
      await loadCampaigns();
      await editCampaign(state.campaignId);
    } catch (err) {
      showError($('#camp-error'), err);
      // A refused start/schedule names the missing settings: mark them at their controls too.
      showFieldErrors(err.errors ?? []);
    }
  });
}

// ---- lists and import --------------------------------------------------------------------------------------
const MAP_TARGETS = ['', 'phone', 'altPhone', 'firstName', 'lastName', 'postalCode', 'timezone', 'custom'];
const GUESS = [
  [/^(phone|tel|telephone|mobile|number|电话|手机)/i, 'phone'],
  [/^(alt|other|phone2|secondary)/i, 'altPhone'],
  [/^(first|given|fname|名)/i, 'firstName'],
  [/^(last|surname|family|lname|姓)/i, 'lastName'],
  [/^(zip|postal|postcode|邮编)/i, 'postalCode'],
  [/^(tz|time ?zone|时区)/i, 'timezone'],
];

async function loadLists() {
  try {
    state.lists = items(await api(EP.lists));
  } catch (err) {
    state.lists = [];
    toast(errorText(err), 'error');
  }
  $('#lists-table tbody').replaceChildren(
    ...state.lists.map((l) => h('tr', {}, h('td', {}, l.name), h('td', { class: 'num' }, fmt.number(l.total ?? 0)), h('td', {}, fmt.dateTime(l.createdAt)))),
  );
  const target = $('#upload-target');
  const keep = target.value;
  target.replaceChildren(h('option', { value: '' }, t('mgr.lists.newList')), ...state.lists.map((l) => h('option', { value: l.id }, l.name)));
  target.value = keep;
}

function splitCsvLine(line, delim) {
  const out = [];
  let cur = '';
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (q) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') q = false;
      else cur += ch;
    } else if (ch === '"') q = true;
    else if (ch === delim) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((s) => s.trim());
}

/** Reads only the first bytes of the file (never the whole file) to offer the column mapping. */
async function readHeader(file) {
  const head = (await file.slice(0, 64 * 1024).text()).replace(/^\uFEFF/, '');
  const first = head.split(/\r?\n/)[0] ?? '';
  const delim = [',', ';', '\t', '|'].map((d) => [d, first.split(d).length]).sort((a, b) => b[1] - a[1])[0][0];
  return { columns: splitCsvLine(first, delim), delimiter: delim };
}

$('#upload-target').addEventListener('change', (ev) => {
  $('#upload-name').closest('.field').hidden = ev.target.value !== '';
});

$('#upload-file').addEventListener('change', async (ev) => {
  const file = ev.target.files[0];
  const box = $('#mapping');
  if (!file) {
    box.hidden = true;
    return;
  }
  const { columns } = await readHeader(file);
  $('#mapping-rows').replaceChildren(
    ...columns.map((col, i) => {
      const guess = GUESS.find(([re]) => re.test(col))?.[1] ?? 'custom';
      const id = `map-${i}`;
      return h(
        'div',
        { class: 'mapping-row' },
        h('label', { for: id }, col || `#${i + 1}`),
        h('select', { id, dataset: { column: col } }, ...MAP_TARGETS.map((m) => h('option', { value: m, selected: m === guess }, t(`map.${m || 'ignore'}`)))),
      );
    }),
  );
  box.hidden = false;
  if (!$('#upload-name').value) $('#upload-name').value = file.name.replace(/\.[^.]+$/, '');
});

/** The lead import's column mapping: field -> CSV header; custom fields keep a name derived from their header. */
function readMapping() {
  const mapping = {};
  for (const sel of $$('#mapping-rows select')) {
    const col = sel.dataset.column;
    const to = sel.value;
    if (!to) continue;
    if (to === 'custom') {
      const name = col.trim().replace(/[^\p{L}\p{N}]+/gu, '_').replace(/^_+|_+$/g, '').toLowerCase() || `field${Object.keys(mapping.custom ?? {}).length + 1}`;
      (mapping.custom ??= {})[name] = col;
    } else if (to === 'altPhone') (mapping.altPhones ??= []).push(col);
    else mapping[to] = col;
  }
  return mapping;
}

let importPoll = null;
let currentXhr = null;

/** The bar and its figure: `pct` is a whole percentage 0-100. */
function setProgress(labelKey, pct) {
  $('#upload-progress').hidden = false;
  $('#upload-bar-label').textContent = t(labelKey);
  const bar = $('#upload-bar');
  bar.max = 100;
  bar.value = pct;
  $('#upload-pct').textContent = fmt.percent(pct / 100, 0);
}

const MB = 1024 * 1024;
const fmtBytes = (n) => (n >= MB ? `${fmt.decimal(n / MB, 1)} MB` : `${fmt.decimal(n / 1024, 0)} KB`);

$('#upload-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const errBox = $('#upload-error');
  showError(errBox, null);
  const file = $('#upload-file').files[0];
  if (!file) {
    showError(errBox, t('mgr.lists.needFile'));
    $('#upload-file').focus();
    return;
  }
  const mapping = readMapping();
  if (!mapping.phone) {
    showError(errBox, t('mgr.lists.needPhone'));
    return;
  }
  const listId = $('#upload-target').value;
  const newName = $('#upload-name').value.trim();
  if (!listId && !newName) {
    showError(errBox, t('mgr.lists.needName'));
    $('#upload-name').focus();
    return;
  }
  const fd = new FormData();
  // Fields first: the server reads them before the (streamed) file.
  if (listId) fd.append('listId', listId);
  else fd.append('newListName', newName);
  fd.append('mapping', JSON.stringify(mapping));
  fd.append('defaultCountry', $('#upload-country').value.trim().toUpperCase() || 'US');
  fd.append('duplicatePolicy', $('#upload-dedupe').value);
  fd.append('file', file);
  $('#upload-submit').disabled = true;
  $('#upload-errors-link').hidden = true;
  setProgress('mgr.lists.uploading', 0);
  const xhr = new XMLHttpRequest();
  currentXhr = xhr;
  xhr.open('POST', EP.imports);
  xhr.setRequestHeader('Accept', 'application/json');
  xhr.upload.onprogress = (e) => {
    if (e.lengthComputable) setProgress('mgr.lists.uploading', Math.floor((100 * e.loaded) / (e.total || 1)));
    $('#upload-counts').textContent = t('mgr.lists.uploaded', { pct: fmt.percent(e.loaded / (e.total || 1), 0) });
  };
  xhr.onerror = () => {
    showError(errBox, t('common.networkError'));
    $('#upload-submit').disabled = false;
  };
  xhr.onabort = () => {
    currentXhr = null;
    $('#upload-progress').hidden = true;
    $('#upload-cancel').hidden = true;
    $('#upload-submit').disabled = false;
  };
  xhr.onload = () => {
    currentXhr = null;
    let body = null;
    try {
      body = JSON.parse(xhr.responseText);
    } catch {
      /* not JSON */
    }
    if (xhr.status >= 400) {
      const errs = body?.errors ?? [];
      showError(errBox, errs.length ? errs.map((e) => `${e.field}: ${e.reason}`).join('; ') : body?.message ?? `HTTP ${xhr.status}`);
      $('#upload-submit').disabled = false;
      $('#upload-cancel').hidden = true;
      return;
    }
    pollImport(body.id, body);
  };
  $('#upload-cancel').hidden = false;
  xhr.send(fd);
});

function renderImport(jobId, job) {
  const read = job.rowsRead ?? 0;
  const accepted = (job.inserted ?? 0) + (job.updated ?? 0);
  const rejected = job.rejected ?? 0;
  const status = job.status;
  // The import reports the bytes of the file it has read: the percentage (100 once the rows are in the list).
  setProgress(status === 'queued' ? 'mgr.lists.queued' : 'mgr.lists.importing', Number(job.percent) || 0);
  $('#upload-counts').textContent = t('mgr.lists.counts', { read: fmt.number(read), accepted: fmt.number(accepted), rejected: fmt.number(rejected) }) +
    (job.duplicates ? ` · ${t('mgr.lists.duplicates', { n: fmt.number(job.duplicates) })}` : '') +
    (job.bytesTotal ? ` · ${t('mgr.lists.bytes', { read: fmtBytes(job.bytesRead ?? 0), total: fmtBytes(job.bytesTotal) })}` : '');
  const done = ['completed', 'failed', 'cancelled'].includes(status);
  if (done) {
    $('#upload-bar-label').textContent = status === 'completed' ? t('mgr.lists.done') : tOr(`import.${status}`, status);
    if (job.error) showError($('#upload-error'), job.error);
    if (rejected > 0) {
      const link = $('#upload-errors-link');
      link.href = EP.importErrors(jobId);
      link.hidden = false;
    }
  }
  return done;
}

function pollImport(jobId, first) {
  clearInterval(importPoll);
  if (first && renderImport(jobId, first)) return finishImport();
  $('#upload-cancel').onclick = async () => {
    try {
      await api(EP.importCancel(jobId), { method: 'POST' });
    } catch (err) {
      toast(errorText(err), 'error');
    }
  };
  importPoll = setInterval(async () => {
    try {
      const job = await api(EP.importJob(jobId));
      if (renderImport(jobId, job)) finishImport();
    } catch (err) {
      showError($('#upload-error'), err);
      finishImport();
    }
  }, 600);
}

function finishImport() {
  clearInterval(importPoll);
  $('#upload-submit').disabled = false;
  $('#upload-cancel').hidden = true;
  loadLists();
}
$('#upload-cancel').addEventListener('click', () => {
  if (currentXhr) currentXhr.abort();
});

// ---- scripts -----------------------------------------------------------------------------------------------
const SECTION_KEYS = ['greeting', 'qualify', 'pitch', 'objections', 'close', 'goodbye'];
// editVersion: the script's edit version when opened (If-Match on save); not the sections version number.
const scriptState = { id: null, version: null, name: null, editVersion: null };
const SAMPLE_LEAD = { firstName: 'Alex', lastName: 'Morgan', postalCode: '94105', timezone: 'America/Los_Angeles', custom: { plan: 'Gold' } };

function sectionEditor(sec, idx) {
  const id = `sec-${idx}`;
  const wrap = h('fieldset', { class: 'section-editor', dataset: { idx } });
  const lines = h('div', { class: 'gutter', 'aria-hidden': 'true' });
  const area = h('textarea', { id: `${id}-template`, rows: 5, class: 'mono', spellcheck: 'false', 'aria-describedby': `${id}-err` });
  area.value = sec.template ?? '';
  const syncGutter = () => {
    const n = area.value.split('\n').length;
    lines.replaceChildren(...Array.from({ length: n }, (_, i) => h('span', { dataset: { line: i + 1 } }, String(i + 1))));
    lines.scrollTop = area.scrollTop;
  };
  area.addEventListener('input', () => {
    syncGutter();
    schedulePreview();
  });
  area.addEventListener('scroll', () => (lines.scrollTop = area.scrollTop));
  syncGutter();
  wrap.append(
    h('legend', {}, t('mgr.scripts.section', { n: idx + 1 })),
    h(
      'div',
      { class: 'row' },
      h('div', { class: 'field' }, h('label', { for: `${id}-key` }, t('mgr.scripts.key')), h('input', { id: `${id}-key`, value: sec.key ?? SECTION_KEYS[idx] ?? `section${idx + 1}`, class: 'mono', oninput: () => schedulePreview() })),
      h('div', { class: 'field grow' }, h('label', { for: `${id}-title` }, t('mgr.scripts.sectionTitle')), h('input', { id: `${id}-title`, value: sec.title ?? '', oninput: () => schedulePreview() })),
    ),
    h('label', { for: `${id}-template` }, t('mgr.scripts.template')),
    h('div', { class: 'code-editor' }, lines, area),
    h('p', { id: `${id}-err`, class: 'form-error', role: 'alert', hidden: true }),
    h('div', { class: 'field' }, h('label', { for: `${id}-branches` }, t('mgr.scripts.branches')), h('input', { id: `${id}-branches`, value: (sec.branches ?? []).map((b) => `${b.label}=${b.goto}`).join('; '), placeholder: t('mgr.scripts.branchesHint'), oninput: () => schedulePreview() })),
    h('button', { type: 'button', class: 'ghost small', onclick: () => { wrap.remove(); schedulePreview(); } }, t('mgr.scripts.removeSection')),
  );
  return wrap;
}

function readSections() {
  return $$('#script-sections .section-editor').map((fs) => {
    const idx = fs.dataset.idx;
    const branches = $(`#sec-${idx}-branches`, fs)
      .value.split(';')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((s) => {
        const [label, goto] = s.split('=').map((x) => x.trim());
        return { label, goto };
      });
    return { key: $(`#sec-${idx}-key`, fs).value.trim(), title: $(`#sec-${idx}-title`, fs).value.trim(), template: $(`#sec-${idx}-template`, fs).value, ...(branches.length ? { branches } : {}) };
  });
}

function renderSections(sections) {
  $('#script-sections').replaceChildren(...sections.map((s, i) => sectionEditor(s, i)));
}

/** Marks each error at its section and line; errors look like { field: 'sections[2].template', line, column, reason }. */
function showScriptErrors(errors) {
  for (const p of $$('#script-sections .form-error')) {
    p.hidden = true;
    p.textContent = '';
  }
  for (const g of $$('#script-sections .gutter span.bad')) g.classList.remove('bad');
  const general = [];
  for (const e of errors) {
    const m = /sections\.?\[?(\d+)\]?/.exec(e.field ?? '');
    const fs = m ? $$('#script-sections .section-editor')[Number(m[1])] : null;
    if (!fs) {
      general.push(`${e.field ? `${e.field}: ` : ''}${e.reason}`);
      continue;
    }
    const p = fs.querySelector('.form-error');
    p.hidden = false;
    const where = e.line ? t('common.atLine', { line: e.line, column: e.column ?? 1 }) : '';
    p.textContent = [p.textContent, [where, e.reason].filter(Boolean).join(': ')].filter(Boolean).join(' · ');
    if (e.line) fs.querySelector(`.gutter span[data-line="${e.line}"]`)?.classList.add('bad');
  }
  showError($('#script-error'), general.length ? general.join('; ') : null);
}

const schedulePreview = debounce(async () => {
  const box = $('#script-preview');
  let lead = SAMPLE_LEAD;
  try {
    lead = JSON.parse($('#preview-lead').value || '{}');
  } catch {
    box.replaceChildren(h('p', { class: 'form-error' }, t('mgr.scripts.badSample')));
    return;
  }
  const sections = readSections();
  try {
    const res = await api(EP.scriptPreview, { method: 'POST', body: { sections, lead, ...(scriptState.id ? { scriptId: scriptState.id } : {}) } });
    showScriptErrors([]);
    const rendered = res.sections ?? [];
    box.replaceChildren(
      ...rendered.map((s) => h('section', { class: 'preview-section' }, h('h4', {}, s.title ?? s.key), s.html !== undefined ? safeFragment(s.html) : textFragment(s.text ?? ''), (s.branches ?? []).length ? h('p', { class: 'muted small' }, s.branches.map((b) => `→ ${b.label}`).join('  ')) : '')),
    );
  } catch (err) {
    if (err.errors?.length) showScriptErrors(err.errors);
    else showError($('#script-error'), err);
  }
}, 350);

$('#preview-lead').value = JSON.stringify(SAMPLE_LEAD, null, 1);
$('#preview-lead').addEventListener('input', schedulePreview);

async function loadScripts() {
  try {
    state.scripts = items(await api(EP.scripts));
  } catch (err) {
    state.scripts = [];
    toast(errorText(err), 'error');
  }
  const sel = $('#script-select');
  sel.replaceChildren(h('option', { value: '' }, t('mgr.scripts.newScript')), ...state.scripts.map((s) => h('option', { value: s.id }, s.name)));
  if (scriptState.id) sel.value = scriptState.id;
}

async function openScript(id) {
  scriptState.id = id || null;
  scriptState.name = null;
  scriptState.editVersion = null;
  showScriptErrors([]);
  if (!id) {
    $('#script-name').value = '';
    $('#script-version').textContent = '';
    renderSections(
      SECTION_KEYS.slice(0, 3).map((k, i) => ({
        key: k,
        title: t(`mgr.scripts.default.${k}`),
        template: i === 0 ? t('mgr.scripts.default.greetingText') : '',
      })),
    );
    schedulePreview();
    return;
  }
  try {
    const s = await api(EP.script(id));
    $('#script-name').value = s.name ?? '';
    scriptState.name = s.name ?? '';
    scriptState.editVersion = s.version ?? null;
    const version = s.currentVersion ?? s.version;
    $('#script-version').textContent = version ? t('mgr.scripts.version', { n: version }) : '';
    renderSections(s.current?.sections ?? []);
    schedulePreview();
  } catch (err) {
    toast(errorText(err), 'error');
  }
}

$('#script-select').addEventListener('change', (ev) => openScript(ev.target.value));
$('#script-new').addEventListener('click', () => {
  $('#script-select').value = '';
  openScript(null);
  $('#script-name').focus();
});
$('#script-add-section').addEventListener('click', () => {
  const n = $$('#script-sections .section-editor').length;
  const ed = sectionEditor({ key: SECTION_KEYS[n] ?? `section${n + 1}`, title: '', template: '' }, n + Date.now() % 1000);
  $('#script-sections').append(ed);
  ed.querySelector('input').focus();
});

$('#script-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const name = $('#script-name').value.trim();
  const sections = readSections();
  if (scriptState.id && !name) {
    showError($('#script-error'), t('mgr.scripts.needName'));
    $('#script-name').focus();
    return;
  }
  try {
    let saved;
    if (scriptState.id) {
      saved = await api(EP.scriptVersions(scriptState.id), { method: 'POST', body: { sections }, ifMatch: scriptState.editVersion });
      // A version holds sections only: a new name goes to the script itself (after the version, so that a
      // template error leaves both unsaved).
      if (name !== scriptState.name) saved = await api(EP.script(scriptState.id), { method: 'PATCH', body: { name }, ifMatch: saved?.version });
    } else saved = await api(EP.scripts, { method: 'POST', body: { name, sections } });
    showScriptErrors([]);
    scriptState.id = saved?.id ?? scriptState.id;
    toast(t('mgr.scripts.saved'));
    await loadScripts();
    await openScript(scriptState.id);
  } catch (err) {
    const id = scriptState.id;
    if (err.status === 412) showError($('#script-error'), err, { onReload: () => openScript(id) });
    else if (err.errors?.length) showScriptErrors(err.errors);
    else showError($('#script-error'), err);
  }
});

// ---- objections --------------------------------------------------------------------------------------------
async function loadObjections() {
  const campaignId = $('#obj-campaign').value;
  const body = $('#obj-table tbody');
  if (!campaignId) {
    body.replaceChildren();
    return;
  }
  try {
    const list = items(await api(EP.objections(campaignId)));
    // Deleting only deactivates (calls keep their objections for the statistics) and the list has both: agents see
    // the active ones; deleted ones come last, marked, with Restore instead of Edit and Delete.
    const deleted = (o) => o.active === false;
    body.replaceChildren(
      ...[...list.filter((o) => !deleted(o)), ...list.filter(deleted)].map((o) =>
        h(
          'tr',
          { class: deleted(o) ? 'muted' : undefined, dataset: { status: deleted(o) ? 'deleted' : 'active' } },
          h('td', {}, o.category),
          h('td', {}, o.label, deleted(o) ? ' ' : '', deleted(o) ? h('span', { class: 'badge', dataset: { status: 'deleted' } }, t('mgr.obj.deleted')) : ''),
          h('td', { class: 'clip' }, o.rebuttalTemplate ?? o.rebuttal ?? ''),
          h(
            'td',
            {},
            deleted(o)
              ? h('button', { type: 'button', class: 'ghost small', 'aria-label': `${t('mgr.obj.restore')} ${o.label}`, onclick: () => restoreObjection(campaignId, o.id, o.version) }, t('mgr.obj.restore'))
              : [
                  h('button', { type: 'button', class: 'ghost small', 'aria-label': `${t('mgr.obj.edit')} ${o.label}`, onclick: () => startObjectionEdit(o) }, t('mgr.obj.edit')),
                  h('button', { type: 'button', class: 'ghost small', 'aria-label': `${t('common.delete')} ${o.label}`, onclick: () => deleteObjection(campaignId, o.id) }, t('common.delete')),
                ],
          ),
        ),
      ),
    );
  } catch (err) {
    toast(errorText(err), 'error');
  }
}

/** Loads an objection into the form; saving then PATCHes it instead of adding one. */
const objEdit = { id: null, version: null };
function startObjectionEdit(o) {
  objEdit.id = o.id;
  objEdit.version = o.version ?? null;
  $('#obj-category').value = o.category ?? '';
  $('#obj-label').value = o.label ?? '';
  $('#obj-rebuttal').value = o.rebuttalTemplate ?? o.rebuttal ?? '';
  $('#obj-form-h').textContent = t('mgr.obj.update');
  $('#obj-cancel-edit').hidden = false;
  $('#obj-category').focus();
}
function endObjectionEdit() {
  objEdit.id = null;
  objEdit.version = null;
  $('#obj-form').reset();
  $('#obj-form-h').textContent = t('mgr.obj.add');
  $('#obj-cancel-edit').hidden = true;
}
$('#obj-form .actions').append(h('button', { type: 'button', id: 'obj-cancel-edit', class: 'ghost', hidden: true, onclick: endObjectionEdit }, t('mgr.obj.cancelEdit')));

async function deleteObjection(campaignId, id) {
  try {
    await api(EP.objection(campaignId, id), { method: 'DELETE' });
    if (objEdit.id === id) endObjectionEdit();
    toast(t('mgr.obj.deletedToast'));
    await loadObjections();
  } catch (err) {
    toast(errorText(err), 'error');
  }
}

async function restoreObjection(campaignId, id, version) {
  try {
    await api(EP.objection(campaignId, id), { method: 'PATCH', body: { active: true }, ifMatch: version });
    toast(t('mgr.obj.restoredToast'));
    await loadObjections();
  } catch (err) {
    toast(errorText(err), 'error');
    // Changed by someone else meanwhile: show the list as it is now.
    if (err.status === 412) await loadObjections();
  }
}

$('#obj-campaign').addEventListener('change', () => {
  endObjectionEdit();
  loadObjections();
});
$('#obj-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const campaignId = $('#obj-campaign').value;
  if (!campaignId) return showError($('#obj-error'), t('mgr.obj.needCampaign'));
  try {
    const body = { category: $('#obj-category').value.trim(), label: $('#obj-label').value.trim(), rebuttalTemplate: $('#obj-rebuttal').value };
    if (objEdit.id) await api(EP.objection(campaignId, objEdit.id), { method: 'PATCH', body, ifMatch: objEdit.version });
    else await api(EP.objections(campaignId), { method: 'POST', body });
    showError($('#obj-error'), null);
    endObjectionEdit();
    toast(t('common.saved'));
    await loadObjections();
  } catch (err) {
    // A 412 keeps the form as typed; Reload refreshes the list (Edit on the row then loads the current text).
    showError($('#obj-error'), err, { onReload: () => { endObjectionEdit(); showError($('#obj-error'), null); loadObjections(); } });
  }
});

// ---- calls waiting for an outcome (their agent disabled, gone or silent) ---------------------------------------
const wu = { list: null, call: null };
const WU_FIELDS = { outcome: '#wu-outcome', reason: '#wu-reason', notes: '#wu-notes', callbackAt: '#wu-callback', callbackScope: '#wu-scope', dnc: '#wu-dnc' };

function waited(seconds) {
  const m = Math.floor(seconds / 60);
  return m ? `${m} min ${seconds % 60} s` : `${seconds} s`;
}

async function loadWrapUps() {
  try {
    wu.list = await api(EP.wrapUps);
  } catch (err) {
    toast(errorText(err), 'error');
    return;
  }
  const rows = wu.list.calls.map((c) => {
    const account = tOr(`mgr.wu.account.${c.agentAccount}`, c.agentAccount) + (c.agentAccount === 'active' && c.agentState === 'logged_out' ? ` (${t('mgr.wu.loggedOut')})` : '');
    const action = c.actionable
      ? h('button', { type: 'button', class: 'primary', dataset: { callId: c.callId }, onclick: () => openWrapUp(c) }, t('mgr.wu.record'))
      : h('span', { class: 'muted' }, t('mgr.wu.wait'));
    return h('tr', { dataset: { callId: c.callId } },
      h('td', {}, c.campaignName), h('td', {}, c.agentName ?? '–'), h('td', {}, account),
      h('td', {}, `${fmt.dateTime(c.waitingSince)} (${waited(c.waitingSeconds)})`), h('td', {}, action));
  });
  $('#wu-table tbody').replaceChildren(...rows);
  $('#wu-empty').hidden = rows.length > 0;
  if (wu.call && !wu.list.calls.some((c) => c.callId === wu.call.callId)) closeWrapUp();
}

function clearWrapUpErrors() {
  showError($('#wu-error'), null);
  for (const sel of Object.values(WU_FIELDS)) $(sel).removeAttribute('aria-invalid');
}

function openWrapUp(c) {
  wu.call = c;
  const form = $('#wu-form');
  form.reset();
  clearWrapUpErrors();
  $('#wu-outcome').replaceChildren(...(wu.list.outcomes[c.campaignId] ?? []).map((o) => h('option', { value: o.code }, o.label)));
  $('#wu-form-call').textContent = t('mgr.wu.formCall', { campaign: c.campaignName, agent: c.agentName ?? '–', duration: waited(c.waitingSeconds) });
  form.hidden = false;
  $('#wu-outcome').focus();
}

function closeWrapUp() {
  wu.call = null;
  $('#wu-form').hidden = true;
}

$('#wu-refresh').addEventListener('click', () => loadWrapUps());
$('#wu-cancel').addEventListener('click', () => closeWrapUp());
$('#wu-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  if (!wu.call) return;
  clearWrapUpErrors();
  const body = { outcome: $('#wu-outcome').value, reason: $('#wu-reason').value.trim() };
  if ($('#wu-notes').value.trim()) body.notes = $('#wu-notes').value.trim();
  if ($('#wu-callback').value) {
    body.callbackAt = new Date($('#wu-callback').value).toISOString();
    body.callbackScope = $('#wu-scope').value;
  }
  if ($('#wu-dnc').checked) body.dnc = true;
  try {
    await api(EP.wrapUpDisposition(wu.call.callId), { method: 'POST', body });
    toast(t('mgr.wu.saved', { agent: wu.call.agentName ?? '–' }));
    closeWrapUp();
    await loadWrapUps();
  } catch (err) {
    showError($('#wu-error'), err);
    // Each field the server named is marked where it is, and the first one gets the focus.
    const named = (err.errors ?? []).map((e) => WU_FIELDS[e.field]).filter(Boolean);
    for (const sel of named) $(sel).setAttribute('aria-invalid', 'true');
    if (named.length) $(named[0]).focus();
  }
});

// ---- start -------------------------------------------------------------------------------------------------
await Promise.all([loadCampaigns(), loadLists(), loadScripts(), loadGateways()]);
setupTabs('dashboard', (tab) => {
  if (tab === 'dashboard' && dash.campaignId !== ($('#dash-campaign').value || null)) openDashboard($('#dash-campaign').value || null);
  if (tab === 'campaigns' && state.campaignId === null) editCampaign(state.campaigns[0]?.id ?? null);
  if (tab === 'objections') loadObjections();
  if (tab === 'wrapups') loadWrapUps();
  if (tab === 'scripts' && !$$('#script-sections .section-editor').length) openScript($('#script-select').value || null);
});
