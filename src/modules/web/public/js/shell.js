// Shared by every page: page data, translations, Intl formatting, the API client, DOM helpers, header controls.
const dataEl = document.getElementById('page-data');
const pageData = dataEl ? JSON.parse(dataEl.textContent) : { lang: 'en', messages: {}, user: null };

export const lang = pageData.lang;
export const user = pageData.user;
const messages = pageData.messages;

/** Translate a key; {name} placeholders are filled from vars. An unknown key shows itself (and is easy to spot). */
export function t(key, vars) {
  let s = messages[key] ?? key;
  if (vars) for (const [k, v] of Object.entries(vars)) s = s.split(`{${k}}`).join(String(v));
  return s;
}

/** t() for a key that may not exist (e.g. an outcome code): falls back to the given text. */
export function tOr(key, fallback) {
  return key in messages ? messages[key] : fallback;
}

const nf = new Intl.NumberFormat(lang);
const dtf = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' });
const df = new Intl.DateTimeFormat(lang, { dateStyle: 'medium' });
const tf = new Intl.DateTimeFormat(lang, { timeStyle: 'medium' });

export const fmt = {
  number: (n) => (n === null || n === undefined || Number.isNaN(Number(n)) ? '–' : nf.format(Number(n))),
  decimal: (n, digits = 1) =>
    n === null || n === undefined || Number.isNaN(Number(n))
      ? '–'
      : new Intl.NumberFormat(lang, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(Number(n)),
  /** A ratio 0..1 as a percentage. */
  percent: (x, digits = 1) =>
    x === null || x === undefined || Number.isNaN(Number(x))
      ? '–'
      : new Intl.NumberFormat(lang, { style: 'percent', minimumFractionDigits: digits, maximumFractionDigits: digits }).format(Number(x)),
  dateTime: (d) => (d ? dtf.format(new Date(d)) : '–'),
  date: (d) => (d ? df.format(new Date(d)) : '–'),
  time: (d) => (d ? tf.format(new Date(d)) : '–'),
  /** Seconds as m:ss or h:mm:ss. */
  duration: (sec) => {
    const s = Math.max(0, Math.floor(sec));
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const ss = String(s % 60).padStart(2, '0');
    return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
  },
};

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.body = body || {};
    this.errors = (body && body.errors) || [];
  }
}

/**
 * JSON API call with the session cookie. 401 sends the user to the login page. ifMatch: the edit version the change
 * is based on (sent as If-Match; the API answers 412 when someone else changed the row since).
 */
export async function api(path, { method = 'GET', body, query, raw = false, signal, ifMatch } = {}) {
  let url = path;
  if (query) {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
    const s = qs.toString();
    if (s) url += (url.includes('?') ? '&' : '?') + s;
  }
  const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json' }, signal };
  if (Number.isInteger(ifMatch)) init.headers['If-Match'] = `"${ifMatch}"`;
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(url, init);
  if (res.status === 401 && !path.startsWith('/api/auth/')) {
    location.assign(`/login?next=${encodeURIComponent(location.pathname)}`);
    throw new ApiError(401, { message: t('common.sessionExpired') });
  }
  if (raw) return res;
  const text = await res.text();
  let parsed = null;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = { message: text };
    }
  }
  if (!res.ok) throw new ApiError(res.status, parsed);
  return parsed;
}

/** Build a DOM element; children are nodes or text (never parsed as HTML). */
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
    else if (k in node && typeof v !== 'string') node[k] = v;
    else node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

let toastTimer;
/** A short message in the polite live region at the bottom of the page. */
export function toast(message, kind = 'info') {
  const box = document.getElementById('toast');
  if (!box) return;
  box.textContent = message;
  box.dataset.kind = kind;
  box.classList.add('show');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => box.classList.remove('show'), kind === 'error' ? 8000 : 4000);
}

/** A readable message for an API error: the field errors when there are any. */
export function errorText(err) {
  if (err instanceof ApiError) {
    if (err.status === 403) return t('common.forbidden');
    if (err.status === 412) return t('common.staleEdit');
    if (err.errors.length) {
      return err.errors
        .map((e) => [e.field, e.line ? t('common.atLine', { line: e.line, column: e.column ?? 1 }) : '', e.reason].filter(Boolean).join(' '))
        .join('; ');
    }
    return err.message;
  }
  return t('common.networkError');
}

/** Shows an error in a form's alert box; a 412 (stale edit) also gets a Reload button when onReload is given. */
export function showError(el, err, { onReload } = {}) {
  if (!el) return;
  if (!err) {
    el.hidden = true;
    el.textContent = '';
    return;
  }
  el.hidden = false;
  el.textContent = typeof err === 'string' ? err : errorText(err);
  if (err instanceof ApiError && err.status === 412) {
    el.dataset.kind = 'stale';
    if (onReload) el.append(' ', h('button', { type: 'button', class: 'ghost small', onclick: onReload }, t('common.reload')));
  } else delete el.dataset.kind;
}

/** Hash tabs: links with data-tab show the matching #tab-<id> panel; keyboard and back button work as links do. */
export function setupTabs(defaultTab, onShow) {
  const links = $$('[data-tab]');
  const show = () => {
    const wanted = location.hash.slice(1);
    const id = links.some((l) => l.dataset.tab === wanted) ? wanted : defaultTab;
    for (const l of links) {
      if (l.dataset.tab === id) l.setAttribute('aria-current', 'page');
      else l.removeAttribute('aria-current');
    }
    for (const p of $$('.tab-panel')) p.hidden = p.id !== `tab-${id}`;
    onShow?.(id);
  };
  window.addEventListener('hashchange', show);
  show();
}

/** Where a page goes when the server ends its session: the login page (which sends a user whose role changed on to their new home). */
async function sessionEnded(reason) {
  if (reason === 'account_disabled' || reason === 'session_ended') await fetch('/api/auth/session', { method: 'DELETE', credentials: 'same-origin' }).catch(() => undefined);
  location.assign(`/login?next=${encodeURIComponent(location.pathname)}`);
}

/**
 * Server-sent events with automatic reconnect and a status callback. EventSource reconnects by itself after a dropped
 * connection, or one the server ended (it ends every stream when it shuts down); it gives up for good when the
 * reconnect is answered with an error (a proxy's 502 while the service restarts, 503 from a server shutting down),
 * so the page opens a new one, waiting a little longer each time (2 s up to 30 s).
 * The server closes a stream with 'session.ended' when an admin disables the account or changes its role: the page
 * leaves for the login page. A stream the server refused to reopen because the session is gone (401) ends the same
 * way: api() sends a 401 to the login page. Returns a handle whose close() stops it for good.
 */
export function subscribe(url, handlers, onStatus) {
  let es = null;
  let stopped = false;
  let retryMs = 2000;
  let retryTimer;
  const open = () => {
    es = new EventSource(url, { withCredentials: true });
    es.onopen = () => {
      retryMs = 2000;
      onStatus?.('open');
    };
    es.onerror = () => {
      const closed = es.readyState === EventSource.CLOSED;
      onStatus?.(closed ? 'closed' : 'reconnecting');
      if (!closed || stopped) return;
      api('/api/auth/me')
        .catch((err) => {
          if (err instanceof ApiError && err.status === 401) {
            // The session is over (expired, signed out elsewhere): api() leaves /api/auth/ answers to the caller.
            stopped = true;
            location.assign(`/login?next=${encodeURIComponent(location.pathname)}`);
          }
        })
        .finally(() => {
          if (stopped) return;
          retryTimer = setTimeout(open, retryMs);
          retryMs = Math.min(retryMs * 2, 30_000);
        });
    };
    es.addEventListener('session.ended', (ev) => {
      stop();
      let reason = null;
      try {
        reason = JSON.parse(ev.data).reason;
      } catch {
        /* no reason: the login page all the same */
      }
      onStatus?.('ended');
      void sessionEnded(reason);
    });
    for (const [type, fn] of Object.entries(handlers)) {
      es.addEventListener(type, (ev) => {
        let data = null;
        try {
          data = JSON.parse(ev.data);
        } catch {
          data = ev.data;
        }
        fn(data);
      });
    }
  };
  const stop = () => {
    stopped = true;
    clearTimeout(retryTimer);
    es?.close();
  };
  open();
  return { close: stop };
}

export function debounce(fn, ms) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

export function download(url) {
  const a = h('a', { href: url, download: '' });
  document.body.append(a);
  a.click();
  a.remove();
}

// Header controls present on every page.
document.getElementById('lang-select')?.addEventListener('change', (ev) => {
  document.cookie = `dialer_lang=${encodeURIComponent(ev.target.value)}; path=/; max-age=31536000; SameSite=Strict`;
  location.reload();
});
document.getElementById('logout')?.addEventListener('click', async () => {
  // On the agent desk, leaving the page logs the agent out of the dialer too (no answered calls for an empty seat);
  // refused, with the reason, while a call is on or still waits for its outcome.
  if (document.body.classList.contains('page-agent')) {
    try {
      await api('/api/agent/state', { method: 'POST', body: { state: 'logged_out' } });
    } catch (err) {
      toast(errorText(err), 'error');
      return;
    }
  }
  await fetch('/api/auth/session', { method: 'DELETE', credentials: 'same-origin' }).catch(() => undefined);
  location.assign('/login');
});
