import { $, api, ApiError, errorText, showError, t } from './shell.js';

const form = $('#login-form');
const errorBox = $('#login-error');

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  showError(errorBox, null);
  const email = $('#login-email').value.trim();
  const password = $('#login-password').value;
  if (!email || !password) {
    showError(errorBox, t('login.missing'));
    (email ? $('#login-password') : $('#login-email')).focus();
    return;
  }
  const button = $('#login-submit');
  button.disabled = true;
  try {
    const login = await api('/api/auth/login', { method: 'POST', body: { email, password } });
    // Hand the token to the server once; from here on it lives only in an HttpOnly cookie.
    const res = await fetch('/api/auth/session', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { Authorization: `Bearer ${login.accessToken}`, Accept: 'application/json' },
    });
    if (!res.ok) throw new ApiError(res.status, await res.json().catch(() => null));
    const session = await res.json();
    const next = form.dataset.next;
    location.assign(next || session.home);
  } catch (err) {
    showError(errorBox, err instanceof ApiError && err.status === 401 ? t('login.wrong') : err instanceof ApiError && err.status === 429 ? t('login.tooMany') : errorText(err));
    button.disabled = false;
    $('#login-password').select();
  }
});
$('#login-email').focus();
