import { $, api, errorText, fmt, h, setupTabs, t, toast, tOr } from './shell.js';

// Read-only views of the compliance record (compliance module API); each exports as CSV with the same filters.
const campaignNames = new Map();
const campaignName = (id) => (id ? campaignNames.get(id) ?? id.slice(0, 8) : '–');
const shortId = (id) => (id ? id.slice(0, 8) : '–');
const BLOCK_REASONS = ['dnc_internal', 'dnc_campaign', 'dnc_registry', 'outside_hours', 'holiday', 'attempts_exhausted', 'daily_attempts_exhausted', 'frequency_cap', 'retry_not_due', 'lead_not_dialable', 'no_timezone', 'campaign_not_running'];

const VIEWS = {
  dnc: {
    path: '/api/compliance/log/dnc',
    paged: true,
    csv: '/api/compliance/log/dnc/export',
    reasons: ['internal', 'campaign', 'registry'],
    reasonKey: (r) => `scope.${r}`,
    columns: [
      ['occurredAt', 'cmp.col.at', (v) => fmt.dateTime(v)],
      ['type', 'cmp.col.change', (v) => tOr(`cmp.event.${v}`, v)],
      ['phone', 'cmp.col.phone'],
      ['reasonCode', 'cmp.col.scope', (v) => tOr(`scope.${v}`, v ?? '')],
      ['campaignId', 'cmp.col.campaign', (v) => campaignName(v)],
      ['actorName', 'cmp.col.actor', (v, r) => v ?? tOr(`actor.${r.actor}`, r.actor)],
      ['details', 'cmp.col.reason', (v) => v?.reason ?? ''],
    ],
  },
  blocked: {
    path: '/api/compliance/log/blocked',
    paged: true,
    csv: '/api/compliance/log/blocked/export',
    reasons: BLOCK_REASONS,
    reasonKey: (r) => `block.${r}`,
    columns: [
      ['occurredAt', 'cmp.col.at', (v) => fmt.dateTime(v)],
      ['phone', 'cmp.col.phone'],
      ['reasonCode', 'cmp.col.reason', (v) => tOr(`block.${v}`, v)],
      ['details', 'cmp.col.detail', (v) => v?.detail ?? ''],
      ['campaignId', 'cmp.col.campaign', (v) => campaignName(v)],
      ['agentId', 'cmp.col.agent', (v, r) => r.agentName ?? shortId(v)],
      ['actor', 'cmp.col.stage', (v) => tOr(`actor.${v}`, v)],
    ],
  },
  abandon: {
    path: '/api/compliance/reports/abandon-rates',
    csv: '/api/compliance/reports/abandon-rates/export',
    reasons: null,
    rows: (res) => res?.campaigns ?? [],
    columns: [
      ['campaignName', 'cmp.col.campaign'],
      ['fcc30d', 'cmp.col.fcc30d', (v) => rateCell(v)],
      ['ofcom24h', 'cmp.col.ofcom24h', (v) => rateCell(v)],
      ['calendarDay', 'cmp.col.day', (v) => rateCell(v)],
      ['targetPct', 'cmp.col.target', (v) => (v === undefined || v === null ? '–' : fmt.percent(Number(v) / 100, 1))],
    ],
  },
  access: {
    // Who read which customer data through the API (compliance events of type data_access).
    path: '/api/compliance/log/events',
    paged: true,
    csv: '/api/compliance/log/events/export',
    fixed: { type: 'data_access' },
    reasons: ['lead_view', 'lead_search', 'lead_list_page', 'lead_dialability', 'script_preview', 'objection_preview', 'compliance_log'],
    reasonKey: (r) => `access.${r}`,
    columns: [
      ['occurredAt', 'cmp.col.at', (v) => fmt.dateTime(v)],
      ['actorName', 'cmp.col.user', (v, r) => v ?? shortId(r.actorUserId)],
      ['details', 'cmp.col.role', (v) => tOr(`role.${v?.role}`, v?.role ?? '')],
      ['reasonCode', 'cmp.col.access', (v) => tOr(`access.${v}`, v)],
      ['phone', 'cmp.col.phone'],
      ['leadId', 'cmp.col.lead', (v) => v ?? '–'],
      ['details', 'cmp.col.detail', (v) => accessDetail(v)],
    ],
  },
  hours: {
    path: '/api/compliance/reports/outside-hours',
    paged: true,
    csv: '/api/compliance/reports/outside-hours/export',
    reasons: null,
    needsRange: true,
    columns: [
      ['dialAt', 'cmp.col.at', (v) => fmt.dateTime(v)],
      ['phone', 'cmp.col.phone'],
      ['zones', 'cmp.col.timezone', (v) => (v ?? []).join(', ')],
      ['kind', 'cmp.col.kind', (v) => tOr(`cmp.kind.${v}`, v)],
      ['reason', 'cmp.col.reason', (v, r) => [v, r.detail].filter(Boolean).join(': ')],
      ['campaignId', 'cmp.col.campaign', (v) => campaignName(v)],
    ],
  },
};

/** What a data_access event says beyond who and what: the log searched, rows of a list page, leads found by a search. */
function accessDetail(d) {
  if (!d) return '';
  if (d.log) {
    const log = { dnc: 'cmp.tab.dnc', blocked: 'cmp.tab.blocked', data_access: 'cmp.tab.access', outside_hours: 'cmp.tab.hours' }[d.log];
    return t('cmp.access.log', { log: log ? t(log) : d.log, n: fmt.number(d.returned ?? 0) });
  }
  if (d.returned !== undefined) return t('cmp.access.returned', { n: fmt.number(d.returned), list: shortId(d.listId) });
  if (d.found !== undefined) return t('cmp.access.found', { n: fmt.number(d.found) });
  return '';
}

function rateCell(w) {
  if (!w || typeof w !== 'object') return '–';
  const cap = CAP_PCT;
  const pct = w.ratePct;
  const over = w.overCap === true || (pct !== null && pct !== undefined && pct > cap);
  return h(
    'span',
    { class: over ? 'rate over' : 'rate' },
    pct === null || pct === undefined ? '–' : fmt.percent(pct / 100, 2),
    h('small', { class: 'muted' }, ` (${fmt.number(w.abandoned ?? 0)} / ${fmt.number(w.humanAnswered ?? 0)})`),
    over ? h('span', { class: 'visually-hidden' }, ` ${t('cmp.overCap')}`) : '',
  );
}

let CAP_PCT = 3;

const q = { view: 'dnc', page: 1, pageSize: 50, total: 0 };

function filters() {
  const f = $('#cmp-filters');
  const val = (n) => f.elements[n].value.trim();
  const view = VIEWS[q.view];
  const from = val('from');
  const to = val('to');
  const out = {
    from: from ? new Date(`${from}T00:00:00`).toISOString() : '',
    // "to" is exclusive in the API: the day after the chosen date.
    to: to ? new Date(new Date(`${to}T00:00:00`).getTime() + 86_400_000).toISOString() : '',
    campaignId: val('campaignId'),
  };
  if (view.needsRange) {
    if (!out.to) out.to = new Date().toISOString();
    if (!out.from) out.from = new Date(Date.now() - 30 * 86_400_000).toISOString();
  }
  if (q.view === 'dnc' || q.view === 'blocked' || q.view === 'access') {
    out.phone = val('phone');
    out.reason = val('reason');
  }
  if (q.view === 'blocked' || q.view === 'access') out.agentId = val('agentId');
  if (q.view === 'abandon') {
    delete out.from;
    delete out.to;
    if (to) out.at = new Date(new Date(`${to}T00:00:00`).getTime() + 86_400_000).toISOString();
  }
  return out;
}

function queryString(extra) {
  const qs = new URLSearchParams();
  if (!VIEWS[q.view].paged) {
    delete extra.page;
    delete extra.pageSize;
  }
  for (const [k, v] of Object.entries({ ...VIEWS[q.view].fixed, ...filters(), ...extra })) if (v !== '' && v !== undefined && v !== null) qs.set(k, String(v));
  return qs.toString();
}

function setupReasons() {
  const view = VIEWS[q.view];
  const sel = $('#f-reason');
  sel.closest('.field').hidden = !view.reasons;
  sel.replaceChildren(h('option', { value: '' }, t('common.all')), ...(view.reasons ?? []).map((r) => h('option', { value: r }, tOr(view.reasonKey(r), r))));
  $('#f-phone').closest('.field').hidden = q.view === 'abandon' || q.view === 'hours';
  $('#f-agent').closest('.field').hidden = q.view !== 'blocked' && q.view !== 'access';
  $('label[for="f-agent"]').textContent = q.view === 'access' ? t('cmp.f.user') : t('cmp.f.agent');
  $('#f-agent').placeholder = q.view === 'access' ? t('cmp.f.userHint') : t('cmp.f.agentHint');
  $('#f-from').closest('.field').hidden = q.view === 'abandon';
  $('label[for="f-to"]').textContent = q.view === 'abandon' ? t('cmp.f.asOf') : t('cmp.f.to');
  $('#cmp-filters').elements.reason.value = '';
}

/** Only the latest request renders: a slow answer for another view or older filters is dropped. */
let loadSeq = 0;
let shownView = null;

async function load() {
  const seq = ++loadSeq;
  const view = VIEWS[q.view];
  $('#cmp-export').href = `${view.csv}?${queryString({})}`;
  $('#cmp-table thead').replaceChildren(h('tr', {}, ...view.columns.map(([, label]) => h('th', { scope: 'col' }, t(label)))));
  const body = $('#cmp-table tbody');
  // Another view's rows never stand under this view's headings.
  if (shownView !== q.view) {
    body.replaceChildren();
    $('#cmp-summary').replaceChildren();
    shownView = q.view;
  }
  $('#cmp-table').setAttribute('aria-busy', 'true');
  try {
    const res = await api(`${view.path}?${queryString({ page: q.page, pageSize: q.pageSize })}`);
    if (seq !== loadSeq) return;
    const rows = view.rows ? view.rows(res) : Array.isArray(res) ? res : res?.items ?? [];
    if (res?.capPct !== undefined) CAP_PCT = Number(res.capPct);
    q.total = Number(res?.total ?? rows.length);
    body.replaceChildren(
      ...rows.map((r) =>
        h(
          'tr',
          {},
          ...view.columns.map(([key, , format]) => {
            const v = r[key];
            const out = format ? format(v, r) : v ?? '';
            if (key === 'phone') return h('td', { class: 'mono' }, String(out ?? ''));
            return h('td', {}, out instanceof Node ? out : String(out ?? ''));
          }),
        ),
      ),
    );
    $('#cmp-empty').hidden = rows.length > 0;
    const pages = Math.max(1, Math.ceil(q.total / q.pageSize));
    $('#page-info').textContent = t('cmp.pageOf', { page: fmt.number(q.page), pages: fmt.number(pages) });
    $('#cmp-count').textContent = t('cmp.count', { n: fmt.number(q.total) });
    $('.pager').hidden = !view.paged;
    $('#page-prev').disabled = q.page <= 1;
    $('#page-next').disabled = q.page >= pages;
    renderSummary(res);
  } catch (err) {
    if (seq !== loadSeq) return;
    body.replaceChildren();
    $('#cmp-empty').hidden = false;
    toast(errorText(err), 'error');
  } finally {
    if (seq === loadSeq) $('#cmp-table').removeAttribute('aria-busy');
  }
}

function renderSummary(res) {
  const box = $('#cmp-summary');
  box.replaceChildren();
  if (q.view === 'hours') {
    const zero = Number(res?.total ?? 0) === 0;
    const period = `${fmt.date(res?.from)} – ${fmt.date(res?.to)}`;
    box.append(
      h('p', { class: zero ? 'callout ok' : 'callout bad' }, zero ? t('cmp.hours.none') : t('cmp.hours.some', { n: fmt.number(res.total) })),
      h('p', { class: 'muted small' }, t('cmp.hours.checked', { n: fmt.number(res?.checked ?? 0), period })),
    );
  }
  if (q.view === 'abandon') box.append(h('p', { class: 'muted small' }, t('cmp.abandon.explain')));
}

async function loadCampaigns() {
  try {
    const res = await api('/api/campaigns');
    const list = Array.isArray(res) ? res : res?.items ?? [];
    for (const c of list) campaignNames.set(c.id, c.name);
    $('#f-campaign').append(...list.map((c) => h('option', { value: c.id }, c.name)));
  } catch {
    /* the filter still works by leaving it on "all" */
  }
}

$('#cmp-filters').addEventListener('submit', (ev) => {
  ev.preventDefault();
  q.page = 1;
  load();
});
let quietReset = false;
$('#cmp-filters').addEventListener('reset', () => {
  if (quietReset) return;
  setTimeout(() => {
    q.page = 1;
    load();
  });
});
$('#page-prev').addEventListener('click', () => {
  q.page = Math.max(1, q.page - 1);
  load();
});
$('#page-next').addEventListener('click', () => {
  q.page += 1;
  load();
});
$('#page-size').addEventListener('change', (ev) => {
  q.pageSize = Number(ev.target.value);
  q.page = 1;
  load();
});

await loadCampaigns();
setupTabs('dnc', (tab) => {
  // Each view starts unfiltered: a number searched in one log must not silently filter the next.
  if (q.view !== tab) {
    quietReset = true;
    $('#cmp-filters').reset();
    quietReset = false;
  }
  q.view = tab;
  q.page = 1;
  setupReasons();
  load();
});
