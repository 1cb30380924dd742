import { $, api, errorText, fmt, h, setupTabs, t, toast, tOr } from './shell.js';

// Read-only views of the compliance record; each can be exported as CSV with the same filters.
const VIEWS = {
  dnc: {
    path: '/api/compliance/dnc-log',
    csv: '/api/compliance/dnc-log.csv',
    reasons: ['added', 'removed', 'agent_request', 'registry_import', 'expired'],
    columns: [
      ['occurredAt', 'cmp.col.at', (v) => fmt.dateTime(v)],
      ['type', 'cmp.col.change', (v) => tOr(`cmp.event.${v}`, v)],
      ['phone', 'cmp.col.phone'],
      ['scope', 'cmp.col.scope', (v) => tOr(`scope.${v}`, v ?? '')],
      ['campaignName', 'cmp.col.campaign'],
      ['actor', 'cmp.col.actor'],
      ['reason', 'cmp.col.reason'],
    ],
  },
  blocked: {
    path: '/api/compliance/blocked-dials',
    csv: '/api/compliance/blocked-dials.csv',
    reasons: ['dnc_internal', 'dnc_campaign', 'dnc_registry', 'outside_hours', 'holiday', 'attempts_exhausted', 'daily_attempts_exhausted', 'frequency_cap', 'no_timezone'],
    columns: [
      ['occurredAt', 'cmp.col.at', (v) => fmt.dateTime(v)],
      ['phone', 'cmp.col.phone'],
      ['reasonCode', 'cmp.col.reason', (v) => tOr(`block.${v}`, v)],
      ['campaignName', 'cmp.col.campaign'],
      ['agentName', 'cmp.col.agent'],
      ['stage', 'cmp.col.stage'],
    ],
  },
  abandon: {
    path: '/api/compliance/abandon-report',
    csv: '/api/compliance/abandon-report.csv',
    reasons: null,
    columns: [
      ['campaignName', 'cmp.col.campaign'],
      ['fcc30d', 'cmp.col.fcc30d', (v) => rateCell(v)],
      ['ofcom24h', 'cmp.col.ofcom24h', (v) => rateCell(v)],
      ['day', 'cmp.col.day', (v) => rateCell(v)],
    ],
  },
  hours: {
    path: '/api/compliance/outside-hours',
    csv: '/api/compliance/outside-hours.csv',
    reasons: null,
    columns: [
      ['startedAt', 'cmp.col.at', (v) => fmt.dateTime(v)],
      ['phone', 'cmp.col.phone'],
      ['leadLocalTime', 'cmp.col.localTime'],
      ['timezone', 'cmp.col.timezone'],
      ['campaignName', 'cmp.col.campaign'],
      ['agentName', 'cmp.col.agent'],
    ],
  },
};

const CAP = 0.03;
function rateCell(v) {
  if (!v || typeof v !== 'object') return v === undefined || v === null ? '–' : fmt.percent(Number(v) > 1 ? Number(v) / 100 : Number(v), 2);
  const rate = Number(v.rate ?? (v.answered ? v.abandoned / v.answered : 0));
  const r = rate > 1 ? rate / 100 : rate;
  return h(
    'span',
    { class: r > CAP ? 'rate over' : 'rate' },
    fmt.percent(r, 2),
    h('small', { class: 'muted' }, ` (${fmt.number(v.abandoned ?? 0)} / ${fmt.number(v.answered ?? 0)})`),
    r > CAP ? h('span', { class: 'visually-hidden' }, ` ${t('cmp.overCap')}`) : '',
  );
}

const q = { view: 'dnc', page: 1, pageSize: 50, total: 0 };

function filters() {
  const f = $('#cmp-filters');
  const val = (n) => f.elements[n].value.trim();
  const from = val('from');
  const to = val('to');
  return {
    phone: val('phone'),
    from: from ? new Date(`${from}T00:00:00`).toISOString() : '',
    to: to ? new Date(`${to}T23:59:59.999`).toISOString() : '',
    campaignId: val('campaignId'),
    agentId: val('agentId'),
    reason: val('reason'),
  };
}

function queryString(extra) {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...filters(), ...extra })) if (v !== '' && v !== undefined && v !== null) qs.set(k, String(v));
  return qs.toString();
}

function setupReasons() {
  const view = VIEWS[q.view];
  const sel = $('#f-reason');
  sel.closest('.field').hidden = !view.reasons;
  sel.replaceChildren(h('option', { value: '' }, t('common.all')), ...(view.reasons ?? []).map((r) => h('option', { value: r }, tOr(q.view === 'dnc' ? `cmp.event.${r}` : `block.${r}`, r))));
  $('#f-phone').closest('.field').hidden = q.view === 'abandon';
  $('#f-agent').closest('.field').hidden = q.view === 'abandon' || q.view === 'dnc';
}

async function load() {
  const view = VIEWS[q.view];
  $('#cmp-export').href = `${view.csv}?${queryString({})}`;
  $('#cmp-table thead').replaceChildren(h('tr', {}, ...view.columns.map(([, label]) => h('th', { scope: 'col' }, t(label)))));
  const body = $('#cmp-table tbody');
  $('#cmp-table').setAttribute('aria-busy', 'true');
  try {
    const res = await api(`${view.path}?${queryString({ page: q.page, pageSize: q.pageSize })}`);
    const rows = Array.isArray(res) ? res : res?.items ?? res?.rows ?? [];
    q.total = Number(res?.total ?? rows.length);
    body.replaceChildren(
      ...rows.map((r) =>
        h(
          'tr',
          {},
          ...view.columns.map(([key, , format]) => {
            const v = r[key];
            const out = format ? format(v, r) : v ?? '';
            return h('td', {}, out instanceof Node ? out : String(out ?? ''));
          }),
        ),
      ),
    );
    $('#cmp-empty').hidden = rows.length > 0;
    const pages = Math.max(1, Math.ceil(q.total / q.pageSize));
    $('#page-info').textContent = t('cmp.pageOf', { page: fmt.number(q.page), pages: fmt.number(pages) });
    $('#cmp-count').textContent = t('cmp.count', { n: fmt.number(q.total) });
    $('#page-prev').disabled = q.page <= 1;
    $('#page-next').disabled = q.page >= pages;
    renderSummary(res);
  } catch (err) {
    body.replaceChildren();
    $('#cmp-empty').hidden = false;
    toast(errorText(err), 'error');
  } finally {
    $('#cmp-table').removeAttribute('aria-busy');
  }
}

function renderSummary(res) {
  const box = $('#cmp-summary');
  box.replaceChildren();
  if (q.view === 'hours') {
    const zero = Number(res?.total ?? 0) === 0;
    box.append(h('p', { class: zero ? 'callout ok' : 'callout bad' }, zero ? t('cmp.hours.none') : t('cmp.hours.some', { n: fmt.number(res.total) })));
  }
  if (q.view === 'abandon') box.append(h('p', { class: 'muted small' }, t('cmp.abandon.explain')));
}

async function loadCampaigns() {
  try {
    const res = await api('/api/compliance/campaigns');
    const list = Array.isArray(res) ? res : res?.items ?? [];
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
$('#cmp-filters').addEventListener('reset', () =>
  setTimeout(() => {
    q.page = 1;
    load();
  }),
);
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
  q.view = tab;
  q.page = 1;
  setupReasons();
  load();
});
