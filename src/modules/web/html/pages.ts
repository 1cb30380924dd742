import { Lang, MessageKey, translate } from '../i18n/messages';
import { html, SafeHtml } from './html';

type T = (k: MessageKey) => string;
const tr = (lang: Lang): T => (k) => translate(lang, k);

/** A labelled control: every input on every page has a <label for>. */
const field = (id: string, label: string, control: SafeHtml, hint?: string) =>
  html`<div class="field"><label for="${id}">${label}</label>${control}${hint ? html`<small class="hint" id="${id}-hint">${hint}</small>` : ''}</div>`;

export function loginBody(lang: Lang, next: string): SafeHtml {
  const t = tr(lang);
  return html`<div class="login-wrap">
  <section class="card login-card" aria-labelledby="login-h">
    <h1 id="login-h">${t('login.title')}</h1>
    <p class="muted">${t('login.subtitle')}</p>
    <form id="login-form" novalidate data-next="${next}">
      ${field('login-email', t('login.email'), html`<input id="login-email" name="email" type="email" autocomplete="username" required>`)}
      ${field('login-password', t('login.password'), html`<input id="login-password" name="password" type="password" autocomplete="current-password" required>`)}
      <p id="login-error" class="form-error" role="alert" hidden></p>
      <button type="submit" class="primary wide" id="login-submit">${t('login.submit')}</button>
    </form>
  </section>
</div>`;
}

export function errorBody(lang: Lang, status: number, home: string | null): SafeHtml {
  const t = tr(lang);
  const title = status === 403 ? t('error.403.title') : status === 404 ? t('error.404.title') : t('error.other.title');
  const text = status === 403 ? t('error.403.text') : status === 404 ? t('error.404.text') : t('error.other.text');
  return html`<div class="login-wrap"><section class="card error-card" aria-labelledby="err-h">
  <p class="error-code">${status}</p>
  <h1 id="err-h">${title}</h1>
  <p>${text}</p>
  ${home ? html`<p><a class="button primary" href="${home}">${t('error.home')}</a></p>` : html`<p><a class="button primary" href="/login">${t('login.submit')}</a></p>`}
</section></div>`;
}

const PAUSE_REASONS = ['break', 'lunch', 'meeting', 'training', 'not_ready', 'technical'] as const;

/** softphone: real SIP telephony is configured, so the browser phone (/softphone) is offered beside the state controls. */
export function agentBody(lang: Lang, opts: { softphone?: boolean } = {}): SafeHtml {
  const t = tr(lang);
  return html`<h1 class="visually-hidden">${t('agent.title')}</h1>
<section class="state-bar card" aria-label="${t('agent.state.label')}">
  <div class="state-now">
    <span class="muted">${t('agent.state.label')}</span>
    <strong id="state-label" class="state-badge" data-state="logged_out">${t('state.logged_out')}</strong>
    <span id="state-timer" class="timer" role="timer" aria-label="${t('agent.state.timer')}">0:00</span>
  </div>
  <div class="state-controls">
    <div class="field inline" id="campaign-field">
      <label for="agent-campaign">${t('agent.campaign')}</label>
      <select id="agent-campaign"></select>
    </div>
    <button type="button" id="btn-ready" class="primary">${t('agent.ready')}</button>
    <div class="field inline">
      <label for="pause-reason">${t('agent.pauseReason')}</label>
      <select id="pause-reason">${PAUSE_REASONS.map((r) => html`<option value="${r}">${t(`pause.${r}` as MessageKey)}</option>`)}</select>
    </div>
    <button type="button" id="btn-pause">${t('agent.pause')}</button>
    ${opts.softphone ? html`<a id="softphone-link" href="/softphone" target="dialer-softphone" rel="noopener">${t('agent.softphone')}</a>` : ''}
  </div>
</section>

<div class="agent-grid">
  <section class="card call-card" aria-labelledby="call-h">
    <h2 id="call-h">${t('agent.call.title')}</h2>
    <div id="call-announcer" class="visually-hidden" aria-live="assertive" aria-atomic="true"></div>
    <p id="no-call" class="empty">${t('agent.call.none')}</p>
    <div id="call" hidden>
      <div class="call-head">
        <span id="call-status" class="badge"></span>
        <span id="call-timer" class="timer" role="timer" aria-label="${t('agent.call.duration')}"></span>
        <span id="preview-countdown" class="badge" role="timer" aria-label="${t('agent.preview.countdown')}" hidden></span>
        <span class="spacer"></span>
        <button type="button" id="btn-dial" class="primary" hidden>${t('agent.call.dial')}</button>
        <button type="button" id="btn-skip" hidden>${t('agent.call.skip')}</button>
        <button type="button" id="btn-hangup" class="danger">${t('agent.call.hangup')}</button>
      </div>
      <dl id="lead-details" class="lead-details"></dl>
    </div>
  </section>

  <section class="card script-card" aria-labelledby="script-h">
    <h2 id="script-h">${t('agent.script.title')}</h2>
    <nav id="script-nav" class="script-nav" aria-label="${t('agent.script.sections')}"></nav>
    <div id="script-body" class="script-body"><p class="empty">${t('agent.script.none')}</p></div>
  </section>

  <section class="card objections-card" aria-labelledby="obj-h">
    <h2 id="obj-h">${t('agent.objections.title')}</h2>
    <div id="objection-buttons" class="chip-row" role="group" aria-labelledby="obj-h"></div>
    <div id="rebuttal" class="rebuttal" aria-live="polite" hidden></div>
    <ul id="raised-objections" class="raised" aria-label="${t('agent.objections.raised')}"></ul>
  </section>

  <section class="card dispo-card" aria-labelledby="dispo-h">
    <h2 id="dispo-h">${t('agent.dispo.title')} <span id="wrapup" class="wrapup" hidden>${t('agent.wrapup')} <span id="wrapup-timer" class="timer" role="timer">0:00</span></span></h2>
    <form id="disposition-form" novalidate>
      <fieldset disabled id="dispo-fields">
        <div class="field"><label for="dispo-outcome">${t('agent.dispo.outcome')}</label><select id="dispo-outcome" name="outcome" required></select></div>
        <fieldset class="checks" id="overcome-set"><legend>${t('agent.dispo.overcome')}</legend><p class="muted small" id="overcome-empty">${t('agent.dispo.noObjections')}</p></fieldset>
        <div class="field"><label for="dispo-notes">${t('agent.dispo.notes')}</label><textarea id="dispo-notes" name="notes" rows="3" maxlength="2000"></textarea></div>
        <div class="row">
          <div class="field"><label for="dispo-callback">${t('agent.dispo.callbackAt')}</label><input id="dispo-callback" name="callbackAt" type="datetime-local"></div>
          <fieldset class="radios"><legend>${t('agent.dispo.callbackFor')}</legend>
            <label><input type="radio" name="callbackScope" value="own" checked> ${t('agent.dispo.callbackOwn')}</label>
            <label><input type="radio" name="callbackScope" value="anyone"> ${t('agent.dispo.callbackAnyone')}</label>
          </fieldset>
        </div>
        <label class="check danger-check"><input type="checkbox" id="dispo-dnc" name="dnc"> ${t('agent.dispo.dnc')}</label>
        <p id="dispo-error" class="form-error" role="alert" hidden></p>
        <button type="submit" class="primary" id="dispo-submit">${t('agent.dispo.submit')}</button>
      </fieldset>
    </form>
  </section>

  <section class="card callbacks-card" aria-labelledby="cb-h">
    <h2 id="cb-h">${t('agent.callbacks.title')}</h2>
    <table class="table" id="callbacks-table"><thead><tr><th scope="col">${t('agent.callbacks.due')}</th><th scope="col">${t('agent.callbacks.lead')}</th><th scope="col">${t('agent.callbacks.campaign')}</th></tr></thead><tbody></tbody></table>
    <p id="callbacks-empty" class="empty">${t('agent.callbacks.none')}</p>
  </section>
</div>`;
}

const MANAGER_TABS: { id: string; label: MessageKey }[] = [
  { id: 'dashboard', label: 'mgr.tab.dashboard' },
  { id: 'campaigns', label: 'mgr.tab.campaigns' },
  { id: 'lists', label: 'mgr.tab.lists' },
  { id: 'scripts', label: 'mgr.tab.scripts' },
  { id: 'objections', label: 'mgr.tab.objections' },
  { id: 'wrapups', label: 'mgr.tab.wrapups' },
];

/** Figure tiles of the dashboard: a label and the element the script fills in. */
function kpiTiles(t: T, tiles: [MessageKey, string][]): SafeHtml[] {
  return tiles.map(([label, id]) => html`<div class="kpi"><span class="kpi-label">${t(label)}</span><span class="kpi-value" id="${id}">–</span></div>`);
}

export function managerBody(lang: Lang): SafeHtml {
  const t = tr(lang);
  return html`<div class="page-head"><h1>${t('mgr.title')}</h1>
<nav class="tabs" aria-label="${t('mgr.sections')}">${MANAGER_TABS.map((x) => html`<a href="#${x.id}" data-tab="${x.id}">${t(x.label)}</a>`)}</nav></div>

<section id="tab-dashboard" class="tab-panel" aria-labelledby="dash-h" hidden>
  <div class="panel-head"><h2 id="dash-h">${t('mgr.dash.title')}</h2>
    <div class="field inline"><label for="dash-campaign">${t('mgr.campaign')}</label><select id="dash-campaign"></select></div>
    <span id="dash-status" class="badge"></span>
    <span id="dash-conn" class="conn" aria-live="polite"></span>
  </div>
  <div class="kpis">
    ${kpiTiles(t, [
      ['mgr.dash.ringing', 'kpi-ringing'], ['mgr.dash.dialLevel', 'kpi-dial-level'], ['mgr.dash.contactRate', 'kpi-contact'],
      ['mgr.dash.attempts', 'kpi-attempts'], ['mgr.dash.conversions', 'kpi-conversions'], ['mgr.dash.conversionRate', 'kpi-conversion-rate'],
    ])}
  </div>
  <div class="dash-grid">
    <figure class="card chart-card"><figcaption>${t('mgr.dash.agentsByState')}</figcaption><div id="chart-agents" class="chart"></div></figure>
    <figure class="card chart-card"><figcaption>${t('mgr.dash.abandon')}</figcaption><div id="chart-abandon" class="chart"></div></figure>
    <figure class="card chart-card"><figcaption>${t('mgr.dash.topObjections')}</figcaption><div id="chart-objections" class="chart"></div></figure>
    <figure class="card chart-card wide"><figcaption>${t('mgr.dash.trend')}</figcaption><div id="chart-trend" class="chart"></div></figure>
  </div>
  <section class="card" id="kpi-report" aria-labelledby="kpi-h">
    <div class="panel-head"><h3 id="kpi-h">${t('mgr.kpi.title')}</h3><a id="kpi-csv" href="#" download>${t('mgr.kpi.csv')}</a></div>
    <div class="kpis">
      ${kpiTiles(t, [
        ['mgr.kpi.aht', 'kpi-aht'], ['mgr.kpi.acw', 'kpi-acw'], ['mgr.kpi.talk', 'kpi-talk'], ['mgr.kpi.occupancy', 'kpi-occupancy'],
        ['mgr.kpi.talkPerHour', 'kpi-talk-per-hour'], ['mgr.kpi.callsPerHour', 'kpi-calls-per-hour'], ['mgr.kpi.wait', 'kpi-wait'],
        ['mgr.kpi.penetration', 'kpi-penetration'],
      ])}
    </div>
    <table class="table" id="kpi-agents"><caption class="visually-hidden">${t('mgr.kpi.byAgent')}</caption><thead><tr>
      <th scope="col">${t('mgr.kpi.agent')}</th><th scope="col">${t('mgr.kpi.handled')}</th><th scope="col">${t('mgr.dash.conversions')}</th>
      <th scope="col">${t('mgr.kpi.aht')}</th><th scope="col">${t('mgr.kpi.occupancy')}</th><th scope="col">${t('mgr.kpi.talkPerHour')}</th>
      <th scope="col">${t('mgr.kpi.wait')}</th><th scope="col">${t('mgr.kpi.paused')}</th></tr></thead><tbody></tbody></table>
    <p id="kpi-agents-empty" class="empty">${t('mgr.kpi.none')}</p>
  </section>
</section>

<section id="tab-campaigns" class="tab-panel" aria-labelledby="camp-h" hidden>
  <div class="panel-head"><h2 id="camp-h">${t('mgr.camp.title')}</h2><button type="button" id="camp-new" class="primary">${t('mgr.camp.new')}</button></div>
  <div class="split">
    <div class="card"><table class="table selectable" id="camp-table"><caption class="visually-hidden">${t('mgr.camp.title')}</caption><thead><tr><th scope="col">${t('mgr.camp.name')}</th><th scope="col">${t('mgr.camp.status')}</th><th scope="col">${t('mgr.camp.mode')}</th></tr></thead><tbody></tbody></table></div>
    <form id="camp-form" class="card form-grid" novalidate aria-labelledby="camp-form-h">
      <h3 id="camp-form-h">${t('mgr.camp.settings')}</h3>
      <div class="lifecycle" role="group" aria-label="${t('mgr.camp.lifecycle')}">
        <span id="camp-status-badge" class="badge"></span>
        <button type="button" id="camp-start" class="primary">${t('mgr.camp.start')}</button>
        <button type="button" id="camp-schedule">${t('mgr.camp.schedule')}</button>
        <button type="button" id="camp-pause">${t('mgr.camp.pause')}</button>
        <button type="button" id="camp-stop" class="danger">${t('mgr.camp.stop')}</button>
      </div>
      ${field('camp-name', t('mgr.camp.name'), html`<input id="camp-name" name="name" required maxlength="200">`)}
      ${field('camp-mode', t('mgr.camp.mode'), html`<select id="camp-mode" name="dialMode"><option value="preview">${t('mode.preview')}</option><option value="progressive">${t('mode.progressive')}</option><option value="predictive">${t('mode.predictive')}</option></select>`)}
      ${field('camp-tz', t('mgr.camp.timezone'), html`<input id="camp-tz" name="timezone" value="UTC">`)}
      <div class="field check-field"><label class="check"><input type="checkbox" id="camp-record" name="recordCalls"> ${t('mgr.camp.recordCalls')}</label></div>
      ${field('camp-starts', t('mgr.camp.startsAt'), html`<input id="camp-starts" name="startsAt" type="datetime-local" aria-describedby="camp-starts-hint">`, t('mgr.camp.startsHint').replace('{zone}', 'UTC'))}
      ${field('camp-ends', t('mgr.camp.endsAt'), html`<input id="camp-ends" name="endsAt" type="datetime-local" aria-describedby="camp-ends-hint">`, t('mgr.camp.endsHint').replace('{zone}', 'UTC'))}
      ${field('camp-abandon', t('mgr.camp.abandonTarget'), html`<input id="camp-abandon" name="abandonTarget" type="number" min="0" max="3" step="0.1" value="3">`, t('mgr.camp.abandonHint'))}
      ${field('camp-lines', t('mgr.camp.maxLines'), html`<input id="camp-lines" name="maxLinesPerAgent" type="number" min="1" max="10" step="0.5" value="3">`)}
      ${field('camp-ring', t('mgr.camp.ringTimeout'), html`<input id="camp-ring" name="ringTimeoutS" type="number" min="15" max="60" value="25">`, t('mgr.camp.ringHint'))}
      ${field('camp-attempts', t('mgr.camp.maxAttempts'), html`<input id="camp-attempts" name="maxAttempts" type="number" min="1" max="20" value="5">`)}
      ${field('camp-attempts-day', t('mgr.camp.maxAttemptsDay'), html`<input id="camp-attempts-day" name="maxAttemptsPerDay" type="number" min="1" max="10" value="3">`)}
      ${field('camp-busy', t('mgr.camp.busyMinutes'), html`<input id="camp-busy" name="busyRetryMinutes" type="number" min="1" max="1440" value="15">`)}
      ${field('camp-noanswer', t('mgr.camp.noAnswerHours'), html`<input id="camp-noanswer" name="noAnswerRetryHours" type="number" min="1" max="168" value="4">`)}
      ${field('camp-machine', t('mgr.camp.machineShift'), html`<input id="camp-machine" name="machineRetryShiftHours" type="number" min="1" max="23" value="3">`, t('mgr.camp.machineHint'))}
      ${field('camp-carrier', t('mgr.camp.carrierMinutes'), html`<input id="camp-carrier" name="carrierFailureRetryMinutes" type="number" min="1" max="1440" value="30">`)}
      ${field('camp-preview-limit', t('mgr.camp.previewLimit'), html`<input id="camp-preview-limit" name="previewTimeLimitSeconds" type="number" min="10" max="3600" step="1" aria-describedby="camp-preview-limit-hint">`, t('mgr.camp.previewLimitHint'))}
      ${field('camp-preview-action', t('mgr.camp.previewAction'), html`<select id="camp-preview-action" name="previewTimeoutAction"><option value="skip">${t('previewAction.skip')}</option><option value="dial">${t('previewAction.dial')}</option></select>`)}
      ${field('camp-callback', t('mgr.camp.callbackPolicy'), html`<select id="camp-callback" name="callbackPolicy"><option value="agent_or_anyone">${t('callback.agent_or_anyone')}</option><option value="agent_only">${t('callback.agent_only')}</option><option value="anyone_only">${t('callback.anyone_only')}</option></select>`)}
      ${field('camp-gateway', t('mgr.camp.gateway'), html`<select id="camp-gateway" name="gatewayId"></select>`)}
      ${field('camp-callerid', t('mgr.camp.callerId'), html`<input id="camp-callerid" name="callerId" placeholder="+15550100000">`)}
      ${field('camp-script', t('mgr.camp.script'), html`<select id="camp-script" name="scriptId"></select>`)}
      <fieldset class="wide camp-lists"><legend>${t('mgr.camp.lists')}</legend>
        <p class="muted small" id="camp-lists-hint">${t('mgr.camp.listsHint')}</p>
        <table class="table" id="camp-lists" aria-describedby="camp-lists-hint"><thead><tr><th scope="col">${t('mgr.camp.list')}</th><th scope="col">${t('mgr.camp.listUse')}</th><th scope="col">${t('mgr.camp.listPriority')}</th><th scope="col">${t('mgr.camp.listWeight')}</th><th scope="col" class="num">${t('mgr.lists.leads')}</th></tr></thead><tbody></tbody></table>
      </fieldset>
      <fieldset class="windows wide"><legend>${t('mgr.camp.windows')}</legend><div id="camp-windows" class="windows-grid"></div></fieldset>
      <fieldset class="wide blackouts"><legend>${t('mgr.camp.blackouts')}</legend>
        <p class="muted small">${t('mgr.camp.blackoutsHint')}</p>
        <ul id="camp-blackouts" class="blackout-list"></ul>
        <button type="button" id="camp-blackout-add" class="ghost small">${t('mgr.camp.blackoutAdd')}</button>
      </fieldset>
      <fieldset class="wide outcomes"><legend>${t('mgr.camp.outcomes')}</legend>
        <table class="table" id="camp-outcomes"><thead><tr><th scope="col">${t('mgr.out.code')}</th><th scope="col">${t('mgr.out.label')}</th><th scope="col">${t('mgr.out.final')}</th><th scope="col">${t('mgr.out.success')}</th><th scope="col">${t('mgr.out.dnc')}</th><th scope="col">${t('mgr.out.retry')}</th><th scope="col"><span class="visually-hidden">${t('common.delete')}</span></th></tr></thead><tbody></tbody></table>
        <button type="button" id="camp-outcome-add" class="ghost small">${t('mgr.out.add')}</button>
      </fieldset>
      <p id="camp-error" class="form-error wide" role="alert" hidden></p>
      <div class="wide actions"><button type="submit" class="primary" id="camp-save">${t('common.save')}</button></div>
    </form>
  </div>
</section>

<section id="tab-lists" class="tab-panel" aria-labelledby="lists-h" hidden>
  <div class="panel-head"><h2 id="lists-h">${t('mgr.lists.title')}</h2></div>
  <div class="split">
    <div class="card"><table class="table" id="lists-table"><caption class="visually-hidden">${t('mgr.lists.title')}</caption><thead><tr><th scope="col">${t('mgr.lists.name')}</th><th scope="col" class="num">${t('mgr.lists.leads')}</th><th scope="col">${t('mgr.lists.created')}</th></tr></thead><tbody></tbody></table></div>
    <form id="upload-form" class="card" novalidate aria-labelledby="upload-h">
      <h3 id="upload-h">${t('mgr.lists.upload')}</h3>
      ${field('upload-target', t('mgr.lists.target'), html`<select id="upload-target"><option value="">${t('mgr.lists.newList')}</option></select>`)}
      ${field('upload-name', t('mgr.lists.newName'), html`<input id="upload-name" maxlength="200">`)}
      ${field('upload-country', t('mgr.lists.country'), html`<input id="upload-country" value="US" maxlength="2" size="3">`)}
      ${field('upload-dedupe', t('mgr.lists.dedupe'), html`<select id="upload-dedupe"><option value="skip">${t('mgr.lists.dedupeSkip')}</option><option value="update">${t('mgr.lists.dedupeUpdate')}</option></select>`)}
      ${field('upload-file', t('mgr.lists.file'), html`<input id="upload-file" type="file" accept=".csv,text/csv" required>`)}
      <fieldset id="mapping" class="mapping" hidden><legend>${t('mgr.lists.mapping')}</legend><div id="mapping-rows" class="mapping-grid"></div></fieldset>
      <div id="upload-progress" class="progress-block" hidden>
        <label for="upload-bar" id="upload-bar-label">${t('mgr.lists.uploading')}</label>
        <div class="progress-row"><progress id="upload-bar" max="100" value="0"></progress> <output id="upload-pct" for="upload-bar">0%</output></div>
        <p id="upload-counts" class="muted" aria-live="polite"></p>
      </div>
      <p id="upload-error" class="form-error" role="alert" hidden></p>
      <div class="actions"><button type="submit" class="primary" id="upload-submit">${t('mgr.lists.import')}</button>
      <button type="button" id="upload-cancel" hidden>${t('common.cancel')}</button>
      <a id="upload-errors-link" class="button" hidden download>${t('mgr.lists.errorReport')}</a></div>
    </form>
  </div>
</section>

<section id="tab-scripts" class="tab-panel" aria-labelledby="scripts-h" hidden>
  <div class="panel-head"><h2 id="scripts-h">${t('mgr.scripts.title')}</h2>
    <div class="field inline"><label for="script-select">${t('mgr.scripts.script')}</label><select id="script-select"></select></div>
    <button type="button" id="script-new">${t('mgr.scripts.new')}</button>
  </div>
  <div class="split even">
    <form id="script-form" class="card" novalidate aria-labelledby="script-edit-h">
      <h3 id="script-edit-h">${t('mgr.scripts.editor')} <span id="script-version" class="muted small"></span></h3>
      ${field('script-name', t('mgr.scripts.name'), html`<input id="script-name" required maxlength="200">`)}
      <div id="script-sections"></div>
      <button type="button" id="script-add-section">${t('mgr.scripts.addSection')}</button>
      <p id="script-error" class="form-error" role="alert" hidden></p>
      <div class="actions"><button type="submit" class="primary" id="script-save">${t('mgr.scripts.saveVersion')}</button></div>
    </form>
    <section class="card" aria-labelledby="preview-h">
      <h3 id="preview-h">${t('mgr.scripts.preview')}</h3>
      ${field('preview-lead', t('mgr.scripts.sampleLead'), html`<textarea id="preview-lead" rows="4" class="mono" spellcheck="false"></textarea>`, t('mgr.scripts.sampleHint'))}
      <div id="script-preview" class="script-body" aria-live="polite"></div>
    </section>
  </div>
</section>

<section id="tab-objections" class="tab-panel" aria-labelledby="obj-h" hidden>
  <div class="panel-head"><h2 id="obj-h">${t('mgr.obj.title')}</h2>
    <div class="field inline"><label for="obj-campaign">${t('mgr.campaign')}</label><select id="obj-campaign"></select></div></div>
  <div class="split">
    <div class="card"><table class="table" id="obj-table"><caption class="visually-hidden">${t('mgr.obj.title')}</caption><thead><tr><th scope="col">${t('mgr.obj.category')}</th><th scope="col">${t('mgr.obj.label')}</th><th scope="col">${t('mgr.obj.rebuttal')}</th><th scope="col"><span class="visually-hidden">${t('common.actions')}</span></th></tr></thead><tbody></tbody></table></div>
    <form id="obj-form" class="card" novalidate aria-labelledby="obj-form-h">
      <h3 id="obj-form-h">${t('mgr.obj.add')}</h3>
      ${field('obj-category', t('mgr.obj.category'), html`<input id="obj-category" required maxlength="100" placeholder="price">`)}
      ${field('obj-label', t('mgr.obj.label'), html`<input id="obj-label" required maxlength="200">`)}
      ${field('obj-rebuttal', t('mgr.obj.rebuttal'), html`<textarea id="obj-rebuttal" rows="4" required></textarea>`)}
      <p id="obj-error" class="form-error" role="alert" hidden></p>
      <div class="actions"><button type="submit" class="primary">${t('common.save')}</button></div>
    </form>
  </div>
</section>

<section id="tab-wrapups" class="tab-panel" aria-labelledby="wu-h" hidden>
  <div class="panel-head"><h2 id="wu-h">${t('mgr.wu.title')}</h2><button type="button" id="wu-refresh">${t('mgr.wu.refresh')}</button></div>
  <p class="muted">${t('mgr.wu.intro')}</p>
  <div class="split">
    <div class="card"><table class="table" id="wu-table"><caption class="visually-hidden">${t('mgr.wu.title')}</caption><thead><tr>
      <th scope="col">${t('mgr.campaign')}</th><th scope="col">${t('mgr.wu.agent')}</th><th scope="col">${t('mgr.wu.account')}</th>
      <th scope="col">${t('mgr.wu.since')}</th><th scope="col"><span class="visually-hidden">${t('common.actions')}</span></th></tr></thead><tbody></tbody></table>
      <p id="wu-empty" class="empty" hidden>${t('mgr.wu.none')}</p></div>
    <form id="wu-form" class="card" novalidate aria-labelledby="wu-form-h" hidden>
      <h3 id="wu-form-h">${t('mgr.wu.formTitle')}</h3>
      <p id="wu-form-call" class="muted"></p>
      ${field('wu-outcome', t('mgr.wu.outcome'), html`<select id="wu-outcome" name="outcome" required></select>`)}
      ${field('wu-reason', t('mgr.wu.reason'), html`<textarea id="wu-reason" name="reason" rows="2" required minlength="3" maxlength="500" aria-describedby="wu-reason-hint"></textarea>`, t('mgr.wu.reasonHint'))}
      ${field('wu-notes', t('mgr.wu.notes'), html`<textarea id="wu-notes" name="notes" rows="2" maxlength="4000"></textarea>`)}
      ${field('wu-callback', t('mgr.wu.callbackAt'), html`<input id="wu-callback" name="callbackAt" type="datetime-local">`)}
      ${field('wu-scope', t('mgr.wu.callbackScope'), html`<select id="wu-scope" name="callbackScope"><option value="anyone">${t('mgr.wu.scopeAnyone')}</option><option value="own">${t('mgr.wu.scopeAgent')}</option></select>`)}
      <div class="field check-field"><label class="check"><input type="checkbox" id="wu-dnc" name="dnc"> ${t('mgr.wu.dnc')}</label></div>
      <p id="wu-error" class="form-error" role="alert" hidden></p>
      <div class="actions"><button type="submit" class="primary">${t('mgr.wu.submit')}</button><button type="button" id="wu-cancel" class="ghost">${t('common.cancel')}</button></div>
    </form>
  </div>
</section>`;
}

const COMPLIANCE_TABS: { id: string; label: MessageKey }[] = [
  { id: 'dnc', label: 'cmp.tab.dnc' },
  { id: 'blocked', label: 'cmp.tab.blocked' },
  { id: 'abandon', label: 'cmp.tab.abandon' },
  { id: 'hours', label: 'cmp.tab.hours' },
  { id: 'access', label: 'cmp.tab.access' },
];

export function complianceBody(lang: Lang): SafeHtml {
  const t = tr(lang);
  return html`<div class="page-head"><h1>${t('cmp.title')}</h1>
<nav class="tabs" aria-label="${t('cmp.sections')}">${COMPLIANCE_TABS.map((x) => html`<a href="#${x.id}" data-tab="${x.id}">${t(x.label)}</a>`)}</nav></div>
<p class="muted readonly-note">${t('cmp.readonly')}</p>
<section class="card" aria-labelledby="cmp-filter-h">
  <h2 id="cmp-filter-h" class="visually-hidden">${t('cmp.filters')}</h2>
  <form id="cmp-filters" class="filters" novalidate>
    ${field('f-phone', t('cmp.f.phone'), html`<input id="f-phone" name="phone" inputmode="tel" placeholder="+1…">`)}
    ${field('f-from', t('cmp.f.from'), html`<input id="f-from" name="from" type="date">`)}
    ${field('f-to', t('cmp.f.to'), html`<input id="f-to" name="to" type="date">`)}
    ${field('f-campaign', t('cmp.f.campaign'), html`<select id="f-campaign" name="campaignId"><option value="">${t('common.all')}</option></select>`)}
    ${field('f-agent', t('cmp.f.agent'), html`<input id="f-agent" name="agentId" placeholder="${t('cmp.f.agentHint')}">`)}
    ${field('f-reason', t('cmp.f.reason'), html`<select id="f-reason" name="reason"><option value="">${t('common.all')}</option></select>`)}
    <div class="actions filter-actions"><button type="submit" class="primary">${t('cmp.search')}</button><button type="reset">${t('cmp.reset')}</button>
    <a id="cmp-export" class="button" href="#" download>${t('cmp.export')}</a></div>
  </form>
</section>
<section class="card" aria-labelledby="cmp-results-h">
  <div class="panel-head"><h2 id="cmp-results-h">${t('cmp.results')}</h2><span id="cmp-count" class="muted" aria-live="polite"></span></div>
  <div id="cmp-summary"></div>
  <div class="table-wrap"><table class="table" id="cmp-table"><thead></thead><tbody></tbody></table></div>
  <p id="cmp-empty" class="empty" hidden>${t('cmp.empty')}</p>
  <nav class="pager" aria-label="${t('cmp.paging')}">
    <button type="button" id="page-prev">${t('cmp.prev')}</button>
    <span id="page-info" aria-live="polite"></span>
    <button type="button" id="page-next">${t('cmp.next')}</button>
    <label for="page-size">${t('cmp.pageSize')}</label>
    <select id="page-size"><option>25</option><option selected>50</option><option>100</option></select>
  </nav>
</section>`;
}
