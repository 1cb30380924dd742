import { $, api, ApiError, errorText, fmt, h, showError, subscribe, t, toast, tOr } from './shell.js';
import { safeFragment, textFragment } from './sanitize.js';

// The agent's own endpoints (dialer/agent API). The agent never asks for a lead by id: only "my current call".
// The dialer's agent API (state, hang-up, disposition) and the web module's desk API, which adds to the current
// call what the screen shows: the rendered script, rebuttals, the outcome list, objections already raised.
const EP = {
  state: '/api/agent/state',
  desk: '/api/web/agent/desk',
  callbacks: '/api/web/agent/callbacks',
  campaigns: '/api/web/agent/campaigns',
  objections: (callId) => `/api/web/agent/calls/${callId}/objections`,
  disposition: (callId) => `/api/agent/calls/${callId}/disposition`,
  hangup: (callId) => `/api/agent/calls/${callId}/hangup`,
  dial: (callId) => `/api/agent/calls/${callId}/dial`,
  skip: (callId) => `/api/agent/calls/${callId}/skip`,
  beat: '/api/agent/desk/beat',
};

const ui = {
  stateLabel: $('#state-label'),
  stateTimer: $('#state-timer'),
  ready: $('#btn-ready'),
  pause: $('#btn-pause'),
  pauseReason: $('#pause-reason'),
  campaign: $('#agent-campaign'),
  campaignField: $('#campaign-field'),
  announcer: $('#call-announcer'),
  noCall: $('#no-call'),
  call: $('#call'),
  callStatus: $('#call-status'),
  callTimer: $('#call-timer'),
  previewCountdown: $('#preview-countdown'),
  dial: $('#btn-dial'),
  skip: $('#btn-skip'),
  hangup: $('#btn-hangup'),
  lead: $('#lead-details'),
  scriptNav: $('#script-nav'),
  scriptBody: $('#script-body'),
  objButtons: $('#objection-buttons'),
  rebuttal: $('#rebuttal'),
  raised: $('#raised-objections'),
  dispoFields: $('#dispo-fields'),
  dispoForm: $('#disposition-form'),
  outcome: $('#dispo-outcome'),
  overcomeSet: $('#overcome-set'),
  overcomeEmpty: $('#overcome-empty'),
  dispoError: $('#dispo-error'),
  wrapup: $('#wrapup'),
  wrapupTimer: $('#wrapup-timer'),
  callbacksBody: $('#callbacks-table tbody'),
  callbacksEmpty: $('#callbacks-empty'),
};

const model = {
  state: 'logged_out',
  stateSince: Date.now(),
  call: null,
  /** objectionId -> label, in the order raised */
  raised: new Map(),
  /** objections the server already has as overcome (a reloaded page ticks them once) */
  overcomeToTick: new Set(),
  wrapupSince: null,
  wrapupEndsAt: null,
};

// ---- state -------------------------------------------------------------------------------------------------
function renderState(s) {
  if (!s) return;
  const state = s.state ?? 'logged_out';
  if (state !== model.state) model.stateSince = Date.now();
  if (s.since || s.at) model.stateSince = new Date(s.since ?? s.at).getTime();
  model.state = state;
  ui.stateLabel.dataset.state = state;
  const reason = state === 'paused' && s.reason ? ` · ${tOr(`pause.${s.reason}`, s.reason)}` : '';
  ui.stateLabel.textContent = tOr(`state.${state}`, state) + reason;
  // Wrap-up ends with the disposition, not with Ready.
  ui.ready.disabled = ['ready', 'on_call', 'reserved', 'on_hold', 'wrap_up'].includes(state);
  ui.pause.disabled = state === 'paused' || state === 'on_call';
  if (s.campaignId && ui.campaign.querySelector(`option[value="${CSS.escape(s.campaignId)}"]`)) ui.campaign.value = s.campaignId;
  if (state === 'wrap_up') startWrapup(s.wrapUpEndsAt ?? s.wrapupEndsAt ?? null, s.since);
  else if (!model.call || model.call.ended !== true) stopWrapup();
}

async function setState(body) {
  try {
    renderState(await api(EP.state, { method: 'POST', body }));
  } catch (err) {
    toast(errorText(err), 'error');
  }
}

ui.ready.addEventListener('click', () => {
  const body = { state: 'ready' };
  if (!ui.campaignField.hidden && ui.campaign.value) body.campaignId = ui.campaign.value;
  setState(body);
});
ui.pause.addEventListener('click', () => setState({ state: 'paused', reason: ui.pauseReason.value }));

function startWrapup(endsAt, since) {
  model.wrapupSince = since ? new Date(since).getTime() : model.wrapupSince ?? Date.now();
  model.wrapupEndsAt = endsAt ? new Date(endsAt).getTime() : null;
  ui.wrapup.hidden = false;
}
function stopWrapup() {
  model.wrapupSince = null;
  model.wrapupEndsAt = null;
  ui.wrapup.hidden = true;
}

/** "Dialling in 0:23" / "Skipping in 0:23" on a preview whose campaign has a time limit; hidden otherwise. */
let expiryAskedAt = 0;
function renderPreviewCountdown() {
  const call = model.call;
  if (!call?.preview || call.previewDeadline === null || call.previewDeadline === undefined) {
    ui.previewCountdown.hidden = true;
    ui.previewCountdown.textContent = '';
    return;
  }
  const left = Math.max(0, Math.ceil((call.previewDeadline - performance.now()) / 1000));
  const key = call.previewTimeoutAction === 'dial' ? 'agent.preview.dialIn' : 'agent.preview.skipIn';
  ui.previewCountdown.textContent = t(key, { time: fmt.duration(left) });
  ui.previewCountdown.dataset.kind = 'info';
  ui.previewCountdown.hidden = false;
  // Time is up: the dialer acts within a second or so; ask what it did rather than wait for the 5 s safety net.
  if (left === 0 && performance.now() - expiryAskedAt >= 1000) {
    expiryAskedAt = performance.now();
    refreshCall();
  }
}

setInterval(() => {
  const now = Date.now();
  renderPreviewCountdown();
  ui.stateTimer.textContent = fmt.duration((now - model.stateSince) / 1000);
  if (model.call?.connectedAt && !model.call.ended) ui.callTimer.textContent = fmt.duration((now - model.call.connectedAt) / 1000);
  if (model.wrapupSince) {
    ui.wrapupTimer.textContent = model.wrapupEndsAt
      ? fmt.duration(Math.max(0, (model.wrapupEndsAt - now) / 1000))
      : fmt.duration((now - model.wrapupSince) / 1000);
  }
}, 1000);

// ---- the call ----------------------------------------------------------------------------------------------
const LEAD_FIELDS = [
  ['firstName', 'lead.firstName'],
  ['lastName', 'lead.lastName'],
  ['phone', 'lead.phone'],
  ['postalCode', 'lead.postalCode'],
  ['timezone', 'lead.timezone'],
  ['attempts', 'lead.attempts'],
];

function normaliseCall(raw) {
  if (!raw) return null;
  const c = raw.call ?? raw;
  if (!c || !c.id) return null;
  return {
    id: c.id,
    state: c.state ?? 'connected',
    dialMode: c.dialMode ?? raw.dialMode,
    preview: (c.state ?? '') === 'preview' || c.preview === true,
    connectedAt: c.connectAt || c.connectedAt ? new Date(c.connectAt ?? c.connectedAt).getTime() : null,
    // The campaign's preview time limit, from the server's offer time: a reload counts down from the same point. The
    // server sends the time left; the deadline is on this page's monotonic clock (performance.now()), so a PC clock
    // that is off (or changes) does not show 0:00 at once, or count an hour.
    previewDeadline: c.previewRemainingMs !== null && c.previewRemainingMs !== undefined ? performance.now() + c.previewRemainingMs : null,
    previewTimeoutAction: c.previewTimeoutAction ?? null,
    ended: ['ended', 'wrap_up'].includes(c.state),
    campaignName: c.campaignName ?? raw.campaign?.name ?? '',
    lead: raw.lead ?? c.lead ?? {},
    script: raw.script ?? c.script ?? null,
    objections: raw.objections ?? c.objections ?? [],
    outcomes: raw.outcomes ?? c.outcomes ?? [],
    raised: raw.raisedObjections ?? c.raisedObjections ?? [],
  };
}

function renderCall(call, { announce = false } = {}) {
  const previous = model.call;
  model.call = call;
  if (!call) {
    renderPreviewCountdown();
    if (model.state !== 'wrap_up') stopWrapup(); // e.g. a supervisor recorded the outcome of the call in wrap-up
    ui.call.hidden = true;
    ui.noCall.hidden = false;
    ui.scriptNav.replaceChildren();
    ui.scriptBody.replaceChildren(h('p', { class: 'empty' }, t('agent.script.none')));
    ui.objButtons.replaceChildren();
    ui.rebuttal.hidden = true;
    ui.raised.replaceChildren();
    model.raised.clear();
    ui.dispoFields.disabled = true;
    renderOvercome();
    return;
  }
  if (!previous || previous.id !== call.id) {
    model.raised.clear();
    model.overcomeToTick.clear();
    for (const r of call.raised) {
      const id = r.objectionId ?? r.id;
      model.raised.set(id, r.label ?? call.objections.find((o) => o.id === id)?.label ?? '');
      if (r.overcome) model.overcomeToTick.add(id);
    }
    ui.dispoForm.reset();
    showError(ui.dispoError, null);
  }
  ui.noCall.hidden = true;
  ui.call.hidden = false;
  // A previewed lead that was just dialled rings first: "Connected" only once the person is on the line.
  const ringing = !call.preview && !call.ended && ['queued', 'dialing', 'ringing', 'answered'].includes(call.state);
  ui.callStatus.textContent = call.preview ? t('agent.call.preview') : call.ended ? t('agent.call.ended') : ringing ? t('agent.call.dialling') : t('agent.call.connected');
  ui.callStatus.dataset.kind = call.preview || ringing ? 'info' : call.ended ? 'muted' : 'live';
  ui.dial.hidden = !call.preview;
  ui.skip.hidden = !call.preview;
  ui.hangup.hidden = call.preview || call.ended;
  if (!call.connectedAt || call.preview || call.ended) ui.callTimer.textContent = '';
  renderPreviewCountdown();

  const lead = call.lead || {};
  const rows = [];
  for (const [key, label] of LEAD_FIELDS) {
    if (lead[key] === undefined || lead[key] === null || lead[key] === '') continue;
    rows.push(h('div', {}, h('dt', {}, t(label)), h('dd', {}, String(lead[key]))));
  }
  for (const [k, v] of Object.entries(lead.customFields ?? {})) rows.push(h('div', {}, h('dt', {}, k), h('dd', {}, String(v))));
  ui.lead.replaceChildren(...rows);

  renderScript(call.script, previous?.id === call.id ? model.scriptKey : null);
  renderObjections(call.objections);
  // The server records objections only once the person is on the line: not on a preview, not while it rings.
  for (const b of ui.objButtons.querySelectorAll('button')) b.disabled = call.preview || ringing;
  renderOutcomes(call.outcomes);
  renderRaised();
  ui.dispoFields.disabled = call.preview;

  if (announce) {
    const name = [lead.firstName, lead.lastName].filter(Boolean).join(' ');
    ui.announcer.textContent = call.preview ? t('agent.announce.preview', { name }) : t('agent.announce.connected', { name });
    if (!call.preview) document.title = `● ${document.title.replace(/^● /, '')}`;
  }
}

function renderScript(script, keepKey) {
  const sections = script?.sections ?? [];
  if (!sections.length) {
    ui.scriptNav.replaceChildren();
    ui.scriptBody.replaceChildren(h('p', { class: 'empty' }, t('agent.script.none')));
    return;
  }
  const show = (key, focus) => {
    const sec = sections.find((x) => x.key === key) ?? sections[0];
    model.scriptKey = sec.key;
    for (const b of ui.scriptNav.querySelectorAll('button')) b.setAttribute('aria-current', b.dataset.key === sec.key ? 'step' : 'false');
    const body = sec.html !== undefined ? safeFragment(sec.html) : textFragment(sec.text ?? sec.rendered ?? sec.template ?? '');
    const branches = (sec.branches ?? []).map((br) =>
      h('button', { type: 'button', class: 'branch', onclick: () => show(br.goto, true) }, `→ ${br.label}`),
    );
    const heading = h('h3', { tabindex: '-1' }, sec.title ?? sec.key);
    ui.scriptBody.replaceChildren(heading, h('div', { class: 'script-text' }, body), branches.length ? h('div', { class: 'branches', role: 'group', 'aria-label': t('agent.script.branches') }, branches) : '');
    if (focus) heading.focus();
  };
  ui.scriptNav.replaceChildren(
    ...sections.map((sec, i) => h('button', { type: 'button', dataset: { key: sec.key }, onclick: () => show(sec.key, true) }, `${i + 1}. ${sec.title ?? sec.key}`)),
  );
  show(keepKey ?? sections[0].key, false);
}

function renderObjections(objections) {
  ui.objButtons.replaceChildren(
    ...objections.map((o) =>
      h('button', { type: 'button', class: 'chip', dataset: { id: o.id }, onclick: () => raiseObjection(o) }, o.label),
    ),
  );
  if (!objections.length) ui.objButtons.append(h('p', { class: 'muted small' }, t('agent.objections.none')));
}

async function raiseObjection(o) {
  const call = model.call;
  if (!call) return;
  ui.rebuttal.hidden = false;
  ui.rebuttal.replaceChildren(
    h('p', { class: 'rebuttal-title' }, o.label),
    o.rebuttalHtml !== undefined ? safeFragment(o.rebuttalHtml) : textFragment(o.rebuttal ?? o.rebuttalText ?? ''),
  );
  if (model.raised.has(o.id)) return;
  try {
    await api(EP.objections(call.id), { method: 'POST', body: { objections: [{ objectionId: o.id, overcome: false }] } });
    model.raised.set(o.id, o.label);
    renderRaised();
    toast(t('agent.objections.recorded', { label: o.label }));
  } catch (err) {
    toast(errorText(err), 'error');
  }
}

function renderRaised() {
  ui.raised.replaceChildren(...[...model.raised.values()].map((label) => h('li', {}, label)));
  for (const b of ui.objButtons.querySelectorAll('button')) b.setAttribute('aria-pressed', model.raised.has(b.dataset.id) ? 'true' : 'false');
  renderOvercome();
}

function renderOvercome() {
  // Re-rendering (a refresh of the call) must not undo what the agent has already ticked.
  const ticked = new Set([...ui.overcomeSet.querySelectorAll('input:checked')].map((i) => i.value), ...model.overcomeToTick);
  model.overcomeToTick.clear();
  for (const n of [...ui.overcomeSet.querySelectorAll('label')]) n.remove();
  ui.overcomeEmpty.hidden = model.raised.size > 0;
  for (const [id, label] of model.raised) {
    ui.overcomeSet.append(h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'overcome', value: id, checked: ticked.has(id) }), ` ${label}`));
  }
}

function renderOutcomes(outcomes) {
  const current = ui.outcome.value;
  ui.outcome.replaceChildren(
    h('option', { value: '' }, t('agent.dispo.choose')),
    ...outcomes.map((o) => h('option', { value: o.code, dataset: { dnc: o.isDnc ? '1' : '' } }, o.label ?? tOr(`outcome.${o.code}`, o.code))),
  );
  if (current) ui.outcome.value = current;
}

// "Do not call" puts the number on the internal DNC list: it is ticked by the agent, or by a do-not-call outcome
// while that outcome is chosen. Moving to another outcome unticks it, unless the agent ticked it themselves.
const dncBox = $('#dispo-dnc');
let dncByOutcome = false;
ui.outcome.addEventListener('change', () => {
  const isDnc = ui.outcome.selectedOptions[0]?.dataset.dnc === '1';
  if (isDnc && !dncBox.checked) {
    dncBox.checked = true;
    dncByOutcome = true;
  } else if (!isDnc && dncByOutcome) {
    dncBox.checked = false;
    dncByOutcome = false;
  }
});
dncBox.addEventListener('change', () => {
  dncByOutcome = false;
});
ui.dispoForm.addEventListener('reset', () => {
  dncByOutcome = false;
});

ui.hangup.addEventListener('click', async () => {
  if (!model.call) return;
  try {
    await api(EP.hangup(model.call.id), { method: 'POST' });
    model.call.ended = true;
    renderCall(model.call);
    startWrapup(null);
  } catch (err) {
    toast(errorText(err), 'error');
  }
});

ui.dial.addEventListener('click', async () => {
  if (!model.call) return;
  ui.dial.disabled = true;
  try {
    const res = await api(EP.dial(model.call.id), { method: 'POST' });
    // The answer holds the call and its lead only: the script, rebuttals and outcomes of the preview stay on screen.
    const was = model.call;
    const dialled = normaliseCall(res);
    const next = dialled
      ? {
          ...dialled,
          campaignName: dialled.campaignName || was.campaignName,
          script: dialled.script ?? was.script,
          objections: dialled.objections.length ? dialled.objections : was.objections,
          outcomes: dialled.outcomes.length ? dialled.outcomes : was.outcomes,
        }
      : { ...was, preview: false, state: 'dialing' };
    renderCall(next);
  } catch (err) {
    toast(errorText(err), 'error');
    // Blocked by the dial gate (e.g. the number went on DNC while previewed): the lead is gone; show what is current.
    refreshCall();
  } finally {
    ui.dial.disabled = false;
  }
});

ui.skip.addEventListener('click', async () => {
  if (!model.call) return;
  try {
    await api(EP.skip(model.call.id), { method: 'POST' });
    renderCall(null);
  } catch (err) {
    toast(errorText(err), 'error');
  }
});

ui.dispoForm.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const call = model.call;
  if (!call) return;
  const fd = new FormData(ui.dispoForm);
  const outcome = String(fd.get('outcome') ?? '');
  if (!outcome) {
    showError(ui.dispoError, t('agent.dispo.needOutcome'));
    ui.outcome.focus();
    return;
  }
  const body = {
    outcome,
    notes: String(fd.get('notes') ?? '').trim() || undefined,
    dnc: dncBox.checked,
  };
  const cb = String(fd.get('callbackAt') ?? '');
  if (cb) {
    body.callbackAt = new Date(cb).toISOString();
    body.callbackScope = String(fd.get('callbackScope') ?? 'own');
  }
  showError(ui.dispoError, null);
  const overcome = new Set(fd.getAll('overcome').map(String));
  try {
    if (model.raised.size) {
      await api(EP.objections(call.id), {
        method: 'POST',
        body: { objections: [...model.raised.keys()].map((objectionId) => ({ objectionId, overcome: overcome.has(objectionId) })) },
      });
    }
    await api(EP.disposition(call.id), { method: 'POST', body });
    toast(t('agent.dispo.saved'));
    document.title = document.title.replace(/^● /, '');
    stopWrapup();
    renderCall(null);
    ui.announcer.textContent = t('agent.dispo.saved');
    await Promise.all([refreshState(), loadCallbacks()]);
  } catch (err) {
    showError(ui.dispoError, err);
  }
});

// ---- callbacks ---------------------------------------------------------------------------------------------
async function loadCallbacks() {
  try {
    const res = await api(EP.callbacks);
    const items = Array.isArray(res) ? res : res?.items ?? [];
    ui.callbacksBody.replaceChildren(
      ...items.map((c) =>
        h('tr', {}, h('td', {}, fmt.dateTime(c.dueAt)), h('td', {}, [c.lead?.firstName, c.lead?.lastName].filter(Boolean).join(' ') || c.leadName || '–'), h('td', {}, c.campaignName ?? c.campaign?.name ?? '')),
      ),
    );
    ui.callbacksEmpty.hidden = items.length > 0;
  } catch {
    ui.callbacksEmpty.hidden = false;
  }
}

// ---- loading and live events -------------------------------------------------------------------------------
async function loadCampaigns() {
  try {
    const res = await api(EP.campaigns);
    const items = Array.isArray(res) ? res : res?.items ?? [];
    ui.campaign.replaceChildren(...items.map((c) => h('option', { value: c.id }, c.name)));
    ui.campaignField.hidden = items.length === 0;
  } catch {
    ui.campaignField.hidden = true;
  }
}

async function refreshState() {
  try {
    renderState(await api(EP.state));
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 404)) toast(errorText(err), 'error');
  }
}

async function beat() {
  try {
    await api(EP.beat, { method: 'POST' });
  } catch {
    /* the next ping tries again; a 401 already went to the login page */
  }
}

async function refreshCall() {
  try {
    const res = await api(EP.desk);
    const call = normaliseCall(res);
    if (call?.id !== model.call?.id || call?.state !== model.call?.state) renderCall(call, { announce: !!call && call.id !== model.call?.id });
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 404)) toast(errorText(err), 'error');
  }
}

subscribe(
  '/api/events/agent',
  {
    'agent.state': (d) => {
      renderState(d);
      // The preview left the agent (the dialer skipped it at its time limit, or it was dialled): show what is current.
      if (model.call?.preview && d.state !== 'reserved') refreshCall();
      // A call in wrap-up that the agent left for a state other than wrap-up or a pause they chose: a supervisor
      // recorded its outcome. The desk drops the form (its Submit would be refused) and says so.
      if (model.call?.ended && d.state !== 'wrap_up') {
        if (d.reason === 'outcome_by_supervisor') toast(t('agent.dispo.bySupervisor'), 'info');
        refreshCall();
      }
    },
    // Events carry ids; the desk endpoint gives the lead and script of the agent's own current call.
    'call.offered': () => refreshCall(),
    'call.connected': () => refreshCall(),
    'call.ended': (d) => {
      const id = d.callId ?? d.call?.id ?? d.id;
      if (model.call && (!id || id === model.call.id)) {
        model.call.ended = true;
        renderCall(model.call);
        startWrapup(d.wrapUpEndsAt ?? null, d.at);
        ui.announcer.textContent = t('agent.announce.ended');
      }
    },
    'callbacks.changed': () => loadCallbacks(),
    // The desk's presence: answering the stream's pings tells the dialer this page is still here. A browser gone
    // without closing the connection stops answering, and its Ready agent is paused instead of handed answered calls.
    ping: () => beat(),
  },
  (status) => {
    if (status === 'open') {
      refreshState();
      refreshCall();
    }
  },
);

await loadCampaigns();
await Promise.all([refreshState(), refreshCall(), loadCallbacks()]);
// A safety net when the event stream is interrupted: the server stays the source of truth.
setInterval(() => {
  if (model.state === 'ready' || model.state === 'reserved' || model.call) refreshCall();
}, 5000);
