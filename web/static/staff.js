// Shared by the staff pages (/login, /cases, /cases/{id}): API calls, the signed-in header,
// and turning API answers into messages.
import './staff-i18n.js'; // registers the staff texts before any page calls initPage()
import { t, lang, fmtDate, onLangChange } from './i18n.js';
import { problemErrors } from './errors.js';

export const $ = (id) => document.getElementById(id);
const ACCEPT = 'application/json, application/problem+json';

// One call to /api/v1. Never throws: a network failure is status 0. The browser adds
// Sec-Fetch-Site itself, which is what the server's CSRF check wants for cookie sessions.
export async function api(method, path, { body, etag, key } = {}) {
  const headers = { Accept: ACCEPT, 'Accept-Language': lang() };
  if (key) headers['Idempotency-Key'] = key;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (etag) headers['If-Match'] = etag;
  let res;
  try {
    res = await fetch(`/api/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    return { status: 0, ok: false, json: null, etag: null };
  }
  let json = null;
  if (res.status !== 204) {
    try {
      json = await res.json();
    } catch {
      json = null;
    }
  }
  return { status: res.status, ok: res.ok, json, etag: res.headers.get('ETag') };
}

export function toLogin() {
  location.assign(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
}

// Who is signed in; sends the browser to /login when nobody is.
export async function loadMe() {
  const r = await api('GET', '/me');
  if (r.status === 401) {
    toLogin();
    return null;
  }
  return r.ok ? r.json : { failed: r.status };
}

// Who may open the finance desk: finance (group-wide or by a grant), safety coordinators, and
// managers (their subtrees' totals) — /me's `can.read_costs`. The API decides again on every
// request.
export function mayReadCosts(me) {
  return Boolean(me && !me.failed && me.can?.read_costs);
}

// Insurance claims are finance's and the coordinators' (a manager enters costs only).
export function mayHandleClaims(me) {
  return Boolean(me && !me.failed && me.can?.handle_claims);
}

// Links between the staff pages, for those who have more than one.
function staffNav(me) {
  if (!mayReadCosts(me)) return;
  const bar = $('staff-bar')?.querySelector('.staff-bar-row');
  if (!bar) return;
  const nav = document.createElement('nav');
  nav.className = 'staff-nav';
  const links = [
    ['/cases', 'staff.nav.cases'],
    ['/ekonomi', 'staff.nav.costs'],
  ];
  const label = () => {
    nav.setAttribute('aria-label', t('staff.nav'));
    for (const a of nav.querySelectorAll('a')) a.textContent = t(a.dataset.key);
  };
  for (const [href, key] of links) {
    const a = document.createElement('a');
    a.href = href;
    a.dataset.key = key;
    const here = location.pathname === href || location.pathname.startsWith(`${href}/`);
    if (here) a.setAttribute('aria-current', 'page');
    nav.append(a);
  }
  label();
  onLangChange(label);
  bar.insertBefore(nav, $('logout'));
}

export function setupStaffHeader(me) {
  const who = $('who');
  if (!who || !me || me.failed) return;
  who.textContent = me.name || me.email;
  $('staff-bar').hidden = false;
  staffNav(me);
  $('logout').addEventListener('click', async () => {
    $('logout').disabled = true;
    const r = await api('DELETE', '/auth/session');
    // A session begun with the municipal account ends at the provider too; otherwise,
    // whatever the answer, the cookie is gone or was already worthless.
    location.assign(r.ok && r.json?.logout_url ? r.json.logout_url : '/login?out=1');
  });
}

// Errors for an answer that was not ok, in the ErrorDisplay's shape.
export function answerErrors(r, fallbackKey = 'err.notsaved') {
  if (r.status === 0) return [{ field: null, text: t('err.network') }];
  if (r.status === 401) return [{ field: null, text: t('err.session') }];
  if (r.status === 412) return [{ field: null, text: t('err.stale') }];
  if (r.status === 403) return [{ field: null, text: t('err.forbidden') }];
  if (r.status >= 500 || r.status === 429) return [{ field: null, text: t('err.server') }];
  return problemErrors(r.json, r.status, fallbackKey);
}

// The server's words for statuses and states (GET /api/v1/labels), per language, so the pages
// keep no copy of them. Loaded once per language; a failed load is tried again next time.
const serverWords = {};
export async function loadLabels() {
  const l = lang();
  if (serverWords[l]) return serverWords[l];
  const r = await api('GET', '/labels');
  if (!r.ok || !r.json) return null;
  const map = (list, key) => Object.fromEntries((list || []).map((x) => [x[key], x.label]));
  serverWords[l] = {
    cstatus: map(r.json.statuses, 'status'),
    astate: map(r.json.action_states, 'state'),
    dutystate: map(r.json.duty_states, 'state'),
    risk: map(r.json.risk_levels, 'level'),
    kind: map(r.json.kinds, 'kind'),
    open: (r.json.statuses || []).filter((x) => x.open).map((x) => x.status),
    matrix: r.json.risk_matrix || [],
  };
  return serverWords[l];
}

// The statuses in which a case is open, and the risk matrix (rows likelihood 1–4, columns
// consequence 1–4), as the server has them.
export function openStatuses() {
  return serverWords[lang()]?.open || Object.values(serverWords).find((w) => w.open)?.open || [];
}
export function riskLevel(likelihood, consequence) {
  const m = serverWords[lang()]?.matrix || Object.values(serverWords).find((w) => w.matrix)?.matrix || [];
  return m[likelihood - 1]?.[consequence - 1];
}

// The server's statuses in its order, as [value, words] (for a filter's options).
export function statusChoices() {
  return Object.entries(serverWords[lang()]?.cstatus || {});
}

// Words for an enum value: the server's words for it in the page's current language
// (loadLabels), else the label the document carried (same words, perhaps in the language it
// was read in), else the page's own text (values the server has no words for, e.g.
// consequences), else the raw value.
export function label(prefix, value, serverLabel) {
  const theirs = serverWords[lang()]?.[prefix]?.[String(value)];
  if (theirs) return theirs;
  if (serverLabel) return serverLabel;
  const key = `${prefix}.${value}`;
  const ours = t(key);
  if (ours !== key) return ours;
  return String(value ?? '');
}

// A calendar date (YYYY-MM-DD) in the reader's language.
export function fmtDay(ymd) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd || '');
  if (!m) return ymd || '';
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], 12));
  return new Intl.DateTimeFormat(lang() === 'en' ? 'en-GB' : 'sv-SE', { dateStyle: 'long', timeZone: 'UTC' }).format(d);
}

export { fmtDate };

// Öre to "1 234,50 kr" (exact: integer arithmetic, no floats).
export function fmtKr(ore) {
  if (ore === null || ore === undefined) return '';
  const neg = ore < 0;
  const abs = Math.abs(ore);
  const kr = Math.floor(abs / 100);
  const rest = abs % 100;
  const whole = new Intl.NumberFormat(lang() === 'en' ? 'en-GB' : 'sv-SE').format(kr);
  const sep = lang() === 'en' ? '.' : ',';
  return `${neg ? '−' : ''}${whole}${rest ? `${sep}${String(rest).padStart(2, '0')}` : ''} kr`;
}

// "1 234,50" / "1234.5" / "1 234 kr" → öre, or null when it is not an amount. Parsed as text
// so that 0.1 + 0.2 never happens to money.
export function parseKr(text) {
  const s = String(text || '')
    .replace(/kr|sek/gi, '')
    .replace(/[\s\u00a0\u202f]/g, '')
    .replace(',', '.');
  if (!s) return undefined;
  const m = /^(\d{1,12})(?:\.(\d{1,2}))?$/.exec(s);
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] || '0').padEnd(2, '0'));
}

// A fresh UUID (Idempotency-Key for creating requests).
export function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// Today's date in Stockholm as YYYY-MM-DD (the API's calendar).
export function todayYmd() {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}
