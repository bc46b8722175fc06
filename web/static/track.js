// The tracking page at /t/{tracking_code}: status, timeline, and adding a comment or a photo.
import { initPage, t, lang, fmtDate, onLangChange } from './i18n.js';
import { ErrorDisplay, problemErrors } from './errors.js';
import { downscale } from './photos.js';

const $ = (id) => document.getElementById(id);
const ACCEPT = 'application/json, application/problem+json';

initPage();

const code = (() => {
  try {
    return decodeURIComponent(location.pathname.split('/')[2] || '').trim();
  } catch {
    return '';
  }
})();
const api = `/api/v1/track/${encodeURIComponent(code)}`;

const state = { data: null, problem: null, status: '' };

$('comment_text').closest('.field').id = 'comment_text-field';
$('track_photo').closest('.field').id = 'track_photo-field';
$('track_photo').parentElement.id = 'track_photo-wrap';
const errors = new ErrorDisplay($('error-summary-slot'), (field) => {
  if (field === 'text') return { focus: 'comment_text', wrapper: 'comment_text-field', before: 'comment_text' };
  if (field === 'file') return { focus: 'track_photo', wrapper: 'track_photo-field', before: 'track_photo-wrap', describe: 'track_photo', invalid: [] };
  return null;
});

function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return [...crypto.getRandomValues(new Uint8Array(16))].map((x) => x.toString(16).padStart(2, '0')).join('');
}

async function load() {
  if (!code) {
    state.problem = 'nocode';
    render();
    return;
  }
  let res;
  try {
    res = await fetch(api, { headers: { Accept: ACCEPT, 'Accept-Language': lang() }, cache: 'no-store', credentials: 'same-origin' });
  } catch {
    state.problem = 'network';
    render();
    return;
  }
  if (res.status === 404) state.problem = 'notfound';
  else if (!res.ok) state.problem = 'server';
  else {
    try {
      state.data = await res.json();
      state.problem = null;
    } catch {
      state.problem = 'server';
    }
  }
  render();
}

function render() {
  $('track-loading').hidden = true;
  const p = state.problem;
  $('track-problem').hidden = !p;
  $('case').hidden = Boolean(p) || !state.data;
  if (p) {
    $('track-problem-heading').textContent = t(p === 'notfound' || p === 'nocode' ? 'track.notfound.h' : 'track.failed.h');
    const text = {
      notfound: t('track.notfound.p', { code }),
      nocode: t('track.nocode.p'),
      network: t('err.network'),
      server: t('err.server'),
    }[p];
    $('track-problem-text').textContent = text;
    $('track-retry').hidden = p === 'notfound' || p === 'nocode';
    return;
  }
  const d = state.data;
  if (!d) return;
  $('case-code').textContent = code;
  $('case-title').textContent = d.title || '';
  // The server's words for the status, in the language the case was read in (a language
  // change reads it again).
  $('case-status').textContent = d.status_label || d.status || '';
  const hint = `statushint.${d.status}`;
  $('case-status-hint').textContent = t(hint) === hint ? '' : t(hint);
  $('case-kind').textContent = t(`kind.${d.kind}`) === `kind.${d.kind}` ? d.kind || '' : t(`kind.${d.kind}`);
  $('case-unit').textContent = d.org_unit_name || '';
  $('case-created').textContent = fmtDate(d.created_at);

  const tl = $('timeline');
  tl.replaceChildren();
  const updates = [...(d.updates || [])].sort((a, b) => (a.at < b.at ? -1 : 1));
  for (const u of updates) {
    const li = document.createElement('li');
    const time = document.createElement('time');
    time.dateTime = u.at;
    time.textContent = fmtDate(u.at);
    const text = document.createElement('p');
    text.textContent = u.text || '';
    li.append(time, text);
    tl.append(li);
  }
  if (!updates.length) {
    const li = document.createElement('li');
    li.textContent = t('track.noupdates');
    tl.append(li);
  }

  const atts = (d.attachments || []).filter((a) => a.url && String(a.content_type || 'image/').startsWith('image/'));
  $('attachments-block').hidden = !atts.length;
  const ul = $('attachments');
  ul.replaceChildren();
  atts.forEach((a, i) => {
    const li = document.createElement('li');
    const link = document.createElement('a');
    link.href = a.url;
    const img = document.createElement('img');
    img.src = a.url;
    img.alt = t('track.photo.alt', { n: i + 1 });
    img.loading = 'lazy';
    link.append(img);
    li.append(link);
    ul.append(li);
  });

  // The server says whether the case is open (its status rule, not a copy here).
  const open = d.open === true;
  $('add-info').hidden = !open;
  $('closed-note').hidden = open;
  $('closed-note').textContent = open ? '' : t('track.closed');
}

$('track-retry').addEventListener('click', () => {
  $('track-loading').hidden = false;
  load();
});

// ---------- adding information ----------
function say(key) {
  $('add-status').textContent = key ? t(key) : '';
  state.status = key;
}

async function post(url, init) {
  let res;
  try {
    res = await fetch(url, { ...init, headers: { ...init.headers, 'Accept-Language': lang() }, credentials: 'same-origin', cache: 'no-store' });
  } catch {
    return [{ field: null, text: t('err.network') }];
  }
  if (res.ok) return null;
  if (res.status >= 500 || res.status === 408 || res.status === 429) return [{ field: null, text: t('err.server') }];
  let problem = null;
  try {
    problem = await res.json();
  } catch {
    problem = null;
  }
  return problemErrors(problem, res.status, 'err.notsent');
}

// A retry of the same comment reuses its Idempotency-Key, so a lost answer cannot double it.
let commentKey = { text: null, key: null };
$('comment-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  say(null);
  const text = $('comment_text').value.trim();
  if (!text || [...text].length > 5000) {
    errors.show([{ field: 'text' }]);
    return;
  }
  if (commentKey.text !== text) commentKey = { text, key: uuid() };
  const errs = await post(`${api}/comments`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: ACCEPT, 'Idempotency-Key': commentKey.key },
    body: JSON.stringify({ text }),
  });
  if (errs) {
    errors.show(errs);
    return;
  }
  errors.clear();
  $('comment_text').value = '';
  commentKey = { text: null, key: null };
  say('track.comment.sent');
  await load();
});

let chosen = null;
let photoKey = null;
$('track_photo').addEventListener('change', () => {
  chosen = $('track_photo').files[0] || null;
  photoKey = null;
  $('track_photo-name').textContent = chosen ? t('track.photo.chosen', { name: chosen.name }) : '';
});
$('photo-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  say(null);
  if (!chosen) {
    errors.show([{ field: 'file' }]);
    return;
  }
  let blob;
  try {
    blob = await downscale(chosen);
  } catch {
    errors.show([{ field: 'file', text: t('err.photos.read', { name: chosen.name }) }]);
    return;
  }
  if (!photoKey) photoKey = uuid();
  const fd = new FormData();
  fd.append('file', blob, 'bild.jpg');
  const errs = await post(`${api}/attachments`, {
    method: 'POST',
    headers: { Accept: ACCEPT, 'Idempotency-Key': photoKey },
    body: fd,
  });
  if (errs) {
    errors.show(errs);
    return;
  }
  errors.clear();
  chosen = null;
  photoKey = null;
  $('track_photo').value = '';
  $('track_photo-name').textContent = '';
  say('track.photo.sent');
  await load();
});

onLangChange(() => {
  render();
  if (state.data) load(); // update texts come from the server in the chosen language
  errors.rerender();
  say(state.status);
  if (chosen) $('track_photo-name').textContent = t('track.photo.chosen', { name: chosen.name });
});

load();
