// /login: ask for a login link; with ?token=… confirm it with a click (so a mail scanner that
// follows links does not use it up); in demo mode, one-click logins as the demo users.
import { initPage, t, onLangChange } from './i18n.js';
import { ErrorDisplay } from './errors.js';
import { $, api, answerErrors } from './staff.js';

initPage();

const params = new URLSearchParams(location.search);
const token = params.get('token');
// Only our own paths: an open redirect would let a link send a fresh login anywhere.
const nextRaw = params.get('next') || '';
const asked = /^\/(cases|admin|ekonomi)(\/[\w-]*){0,2}$/.test(nextRaw.split('?')[0]) ? nextRaw : null;

// Where to go after logging in: the page asked for, else finance's desk for finance and the
// cases for everyone else.
async function landing() {
  if (asked) return asked;
  const r = await api('GET', '/me');
  return r.ok && r.json?.roles?.includes('finance') ? '/ekonomi' : '/cases';
}
if (token) {
  // Keep the token out of the history and any later Referer.
  history.replaceState(null, '', '/login');
}

const errors = new ErrorDisplay($('error-summary-slot'), (field) =>
  field === 'email' ? { focus: 'email', wrapper: 'email-field', before: 'email' } : null,
);
let status = null;
function say(key, vars) {
  status = key ? [key, vars] : null;
  $('request-status').textContent = key ? t(key, vars) : '';
}

async function checkSignedIn() {
  const r = await api('GET', '/me');
  if (!r.ok) return;
  $('already').hidden = false;
  $('already-text').textContent = t('login.already', { name: r.json.name || r.json.email });
}

if (token) {
  $('confirm').hidden = false;
  $('request').hidden = true;
} else if (params.get('out')) {
  say('login.loggedout');
}

$('login-confirm').addEventListener('click', async () => {
  $('login-confirm').disabled = true;
  const r = await api('POST', '/auth/session', { body: { token } });
  $('login-confirm').disabled = false;
  if (r.ok) {
    location.assign(await landing());
    return;
  }
  // A used or expired link: say so, and offer a new one right here.
  errors.show(r.status === 422 ? [{ field: null, text: t('login.badlink') }] : answerErrors(r, 'err.notsent'));
  $('confirm').hidden = true;
  $('request').hidden = false;
});

$('request-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  say(null);
  const email = $('email').value.trim();
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
    errors.show([{ field: 'email' }]);
    return;
  }
  $('request-submit').disabled = true;
  const r = await api('POST', '/auth/login-link', { body: { email } });
  $('request-submit').disabled = false;
  if (r.status === 202 || r.ok) {
    errors.clear();
    say('login.sent', { email });
    return;
  }
  errors.show(r.status === 429 ? [{ field: null, text: t('login.toomany') }] : answerErrors(r, 'err.notsent'));
});

let demoUsers = [];
function renderDemo() {
  const ul = $('demo-users');
  ul.replaceChildren();
  for (const u of demoUsers) {
    const li = document.createElement('li');
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'button button-secondary demo-user';
    b.dataset.email = u.email;
    const name = document.createElement('span');
    name.className = 'demo-name';
    name.textContent = t('login.demo.as', { name: u.name });
    const role = document.createElement('span');
    role.className = 'demo-role';
    role.textContent = u.role || '';
    b.append(name, role);
    b.addEventListener('click', async () => {
      b.disabled = true;
      const r = await api('POST', '/auth/demo-login', { body: { email: u.email } });
      b.disabled = false;
      if (r.ok) location.assign(await landing());
      else errors.show(answerErrors(r, 'err.notsent'));
    });
    li.append(b);
    ul.append(li);
  }
  $('demo').hidden = !demoUsers.length;
}

async function loadDemo() {
  // 404 outside demo mode: the section then stays hidden.
  const r = await api('GET', '/auth/demo-users');
  demoUsers = r.ok && Array.isArray(r.json?.items) ? r.json.items : [];
  renderDemo();
}

// With the municipal account configured (GET /auth/methods), its button comes first and the
// mailed link second; when staff may not use the link, the page says whom it is for.
let methods = null;
function renderMethods() {
  if (!methods?.sso_login_url) return;
  const url = asked ? `${methods.sso_login_url}?next=${encodeURIComponent(asked)}` : methods.sso_login_url;
  $('sso-login').href = url;
  $('sso').hidden = false;
  $('request-heading').textContent = t('login.request.h.sso');
  $('request-staffsso').hidden = methods.mailed_link_for_staff;
  $('request-staffsso').textContent = methods.mailed_link_for_staff ? '' : t('login.request.staffsso');
}
async function loadMethods() {
  const r = await api('GET', '/auth/methods');
  methods = r.ok ? r.json : null;
  renderMethods();
}

onLangChange(() => {
  errors.rerender();
  renderMethods();
  if (status) say(...status);
  loadDemo(); // the roles come from the server in the chosen language
  checkSignedIn();
});

checkSignedIn();
loadMethods();
loadDemo();
