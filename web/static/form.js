// The report form at "/".
import { initPage, t, tn, lang, onLangChange } from './i18n.js';
import { ErrorDisplay, problemErrors } from './errors.js';
import { OrgUnitPicker } from './orgunits.js';
import { PhotoList } from './photos.js';
import * as queue from './queue.js';

const $ = (id) => document.getElementById(id);
const REPORTER_KEY = 'tillbud.reporter';
// Characters as the server counts them (NFC, code points), not UTF-16 units.
const len = (s) => [...s.normalize('NFC')].length;

initPage();

const form = $('report-form');
const views = { form: $('form-view'), receipt: $('receipt-view'), saved: $('saved-view') };
const outboxStatus = $('outbox-status');
const submitButton = $('submit');
$('form-heading').tabIndex = -1;

const state = {
  view: 'form',
  busy: false,
  dirty: false,
  editingId: null, // outbox id of a rejected report loaded back into the form
  restored: false, // ...and it came back from the outbox (not a direct submit)
  savedId: null, // outbox id shown on the "saved on this device" view
  receipt: null,
  position: null,
  positionMsg: null,
  inFlight: null, // outbox id being sent by this page's own submit
  shown: new Set(), // outbox ids whose receipt this page has shown
  copyMsg: null,
  backgroundSent: [],
  snapshot: { queued: [], needsFix: [], sent: [] },
};

// ---------- errors ----------
const ALIAS = { longitude: 'latitude', reporter: 'reporter.name', file: 'photos', attachments: 'photos' };
function fieldKey(field) {
  const f = String(field).replace(/\[\d+\]$/, '');
  return ALIAS[f] || f;
}
const INPUT_FOR = {
  occurred_at: 'occurred_at',
  title: 'title',
  description: 'description',
  location: 'location',
  immediate_action: 'immediate_action',
  'reporter.name': 'reporter_name',
  'reporter.email': 'reporter_email',
  'reporter.phone': 'reporter_phone',
};
function resolveField(field) {
  switch (field) {
    case 'kind': {
      const checked = form.querySelector('input[name="kind"]:checked');
      return { focus: checked ? checked.id : 'kind-accident', wrapper: 'kind-group', before: 'kind', describe: 'kind-group', invalid: [] };
    }
    case 'org_unit_id':
      return { focus: 'org_unit', wrapper: 'org_unit-field', before: 'org_unit-combo' };
    case 'consequences':
      return { focus: 'cons-person', wrapper: 'consequences', before: 'consequences-choices', describe: 'consequences', invalid: [] };
    case 'latitude':
      return { focus: 'use-position', wrapper: 'position-field', before: 'use-position', invalid: [] };
    case 'photos':
      return { focus: 'photos', wrapper: 'photos-group', before: 'photo-buttons', describe: 'photos-group', invalid: [] };
    case 'anonymous':
      return { focus: 'anonymous', wrapper: 'reporter-group', before: 'anonymous-choice', invalid: [] };
    default: {
      const id = INPUT_FOR[field];
      if (!id) return null;
      return { focus: id, wrapper: `${id}-field`, before: id };
    }
  }
}
// Give every simple field wrapper an id the error display can find.
for (const id of Object.values(INPUT_FOR)) {
  const wrap = $(id).closest('.field');
  if (!wrap.id) wrap.id = `${id}-field`;
}
$('org_unit').parentElement.id = 'org_unit-combo';
$('consequences').querySelector('.choices').id = 'consequences-choices';
form.querySelector('.photo-buttons').id = 'photo-buttons';
$('anonymous').parentElement.id = 'anonymous-choice';

const errors = new ErrorDisplay($('error-summary-slot'), resolveField);

// ---------- org unit ----------
const picker = new OrgUnitPicker({
  input: $('org_unit'),
  listbox: $('org_unit-listbox'),
  hidden: $('org_unit_id'),
  status: $('org_unit-status'),
  note: $('org_unit-load'),
  onChange: () => {
    state.dirty = true;
  },
});
picker.load();
window.addEventListener('online', () => {
  if (!picker.loaded) picker.load();
});

// ---------- when ----------
function localInputValue(date) {
  const p = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())}T${p(date.getHours())}:${p(date.getMinutes())}`;
}
function setNow() {
  $('occurred_at').value = localInputValue(new Date());
}

// ---------- reporter ----------
function loadReporter() {
  try {
    const r = JSON.parse(localStorage.getItem(REPORTER_KEY) || 'null');
    if (r) {
      $('reporter_name').value = r.name || '';
      $('reporter_email').value = r.email || '';
      $('reporter_phone').value = r.phone || '';
    }
  } catch {
    /* nothing saved */
  }
}
function saveReporter(rep) {
  try {
    if (rep) localStorage.setItem(REPORTER_KEY, JSON.stringify(rep));
  } catch {
    /* storage unavailable: prefill is a convenience only */
  }
}
function syncAnonymous() {
  $('reporter-fields').hidden = $('anonymous').checked;
}
$('anonymous').addEventListener('change', syncAnonymous);

// ---------- position ----------
function renderPosition() {
  const st = $('position-status');
  if (state.position) {
    const { latitude, longitude, accuracy } = state.position;
    st.textContent = t('pos.set', { lat: latitude.toFixed(5), lon: longitude.toFixed(5), acc: Math.round(accuracy || 0) });
  } else {
    st.textContent = state.positionMsg ? t(state.positionMsg) : '';
  }
  $('clear-position').hidden = !state.position;
}
$('use-position').addEventListener('click', () => {
  if (!('geolocation' in navigator)) {
    state.positionMsg = 'pos.unsupported';
    renderPosition();
    return;
  }
  state.positionMsg = 'pos.getting';
  renderPosition();
  navigator.geolocation.getCurrentPosition(
    (pos) => {
      const r6 = (x) => Math.round(x * 1e6) / 1e6;
      state.position = { latitude: r6(pos.coords.latitude), longitude: r6(pos.coords.longitude), accuracy: pos.coords.accuracy };
      state.positionMsg = null;
      state.dirty = true;
      renderPosition();
    },
    () => {
      state.positionMsg = 'pos.denied';
      renderPosition();
    },
    { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 },
  );
});
$('clear-position').addEventListener('click', () => {
  state.position = null;
  state.positionMsg = 'pos.cleared';
  renderPosition();
  $('use-position').focus();
});

// ---------- photos ----------
const photos = new PhotoList({
  list: $('thumbs'),
  status: $('photos-status'),
  fallbackFocus: $('photos'),
  onChange: () => {
    state.dirty = true;
  },
});
for (const input of [$('photos'), $('photo-camera')]) {
  input.addEventListener('change', async () => {
    const files = [...input.files];
    input.value = '';
    const errs = await photos.addFiles(files);
    if (errs.length) errors.show(errs);
  });
}

// ---------- validation and the request body ----------
function readForm() {
  const v = (id) => $(id).value.trim();
  return {
    kind: form.querySelector('input[name="kind"]:checked')?.value || '',
    org_unit_id: picker.value,
    occurred_at: $('occurred_at').value,
    title: v('title'),
    description: v('description'),
    location: v('location'),
    immediate_action: v('immediate_action'),
    consequences: [...form.querySelectorAll('input[name="consequences"]:checked')].map((c) => c.value),
    anonymous: $('anonymous').checked,
    reporter: { name: v('reporter_name'), email: v('reporter_email'), phone: v('reporter_phone') },
  };
}

function validate(f) {
  const errs = [];
  if (!f.kind) errs.push({ field: 'kind' });
  // Without the list (never loaded, offline) the report may still be saved; the server decides.
  if (!f.org_unit_id && (picker.loaded || navigator.onLine !== false)) {
    errs.push({ field: 'org_unit_id', code: picker.loaded ? null : 'nolist' });
  }
  const when = new Date(f.occurred_at);
  if (!f.occurred_at || Number.isNaN(when.getTime())) errs.push({ field: 'occurred_at' });
  else if (when.getTime() > Date.now() + 5 * 60 * 1000) errs.push({ field: 'occurred_at', code: 'in_future' });
  if (!f.title) errs.push({ field: 'title', code: 'required' });
  else if (len(f.title) < 3 || len(f.title) > 120) errs.push({ field: 'title' });
  if (!f.description) errs.push({ field: 'description', code: 'required' });
  else if (len(f.description) < 10 || len(f.description) > 5000) errs.push({ field: 'description' });
  if (len(f.location) > 200) errs.push({ field: 'location' });
  if (len(f.immediate_action) > 2000) errs.push({ field: 'immediate_action' });
  if (!f.anonymous) {
    if (f.reporter.email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(f.reporter.email)) errs.push({ field: 'reporter.email' });
    if (len(f.reporter.name) > 200) errs.push({ field: 'reporter.name' });
    // Same rule as the server: digits, spaces, dashes, parentheses, a leading +; 5–20 digits.
    const digits = f.reporter.phone.replace(/\D/g, '').length;
    if (f.reporter.phone && (!/^\+?[0-9 ()-]+$/.test(f.reporter.phone) || digits < 5 || digits > 20 || f.reporter.phone.length > 30)) {
      errs.push({ field: 'reporter.phone' });
    }
  }
  return errs;
}

function toRfc3339(localValue) {
  return new Date(localValue).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function buildBody(f) {
  const body = {
    kind: f.kind,
    org_unit_id: f.org_unit_id || null,
    occurred_at: toRfc3339(f.occurred_at),
    title: f.title,
    description: f.description,
    consequences: f.consequences,
    anonymous: f.anonymous,
  };
  if (f.location) body.location = f.location;
  if (f.immediate_action) body.immediate_action = f.immediate_action;
  if (state.position) {
    body.latitude = state.position.latitude;
    body.longitude = state.position.longitude;
  }
  if (!f.anonymous) {
    const rep = {};
    for (const k of ['name', 'email', 'phone']) if (f.reporter[k]) rep[k] = f.reporter[k];
    if (Object.keys(rep).length) body.reporter = rep;
  }
  return body;
}

// Put a stored report back into the form (after the server refused it).
function fillForm(rec) {
  const b = rec.body;
  form.reset();
  for (const r of form.querySelectorAll('input[name="kind"]')) r.checked = r.value === b.kind;
  picker.setValue(b.org_unit_id || '', rec.org_unit_label || '');
  $('occurred_at').value = b.occurred_at ? localInputValue(new Date(b.occurred_at)) : '';
  $('title').value = b.title || '';
  $('description').value = b.description || '';
  $('location').value = b.location || '';
  $('immediate_action').value = b.immediate_action || '';
  for (const c of form.querySelectorAll('input[name="consequences"]')) c.checked = (b.consequences || []).includes(c.value);
  $('anonymous').checked = Boolean(b.anonymous);
  $('reporter_name').value = b.reporter?.name || '';
  $('reporter_email').value = b.reporter?.email || '';
  $('reporter_phone').value = b.reporter?.phone || '';
  if (b.anonymous) loadReporter();
  syncAnonymous();
  state.position = b.latitude != null && b.longitude != null ? { latitude: b.latitude, longitude: b.longitude, accuracy: 0 } : null;
  state.positionMsg = null;
  renderPosition();
  photos.setItems((rec.photos || []).filter((p) => p.blob).map((p) => ({ blob: p.blob, name: p.label || p.name })));
  state.editingId = rec.local_id;
  state.dirty = false;
}

function resetForm() {
  form.reset();
  picker.clear();
  photos.clear();
  state.position = null;
  state.positionMsg = null;
  renderPosition();
  loadReporter();
  syncAnonymous();
  setNow();
  errors.clear();
  state.editingId = null;
  state.restored = false;
  state.dirty = false;
}

// ---------- views ----------
function showView(name, focusEl) {
  state.view = name;
  for (const [k, el] of Object.entries(views)) el.hidden = k !== name;
  if (focusEl) {
    focusEl.focus();
    window.scrollTo(0, 0);
  }
}

function renderReceipt() {
  const r = state.receipt;
  if (!r) return;
  const path = `/t/${encodeURIComponent(r.tracking_code)}`;
  $('receipt-code').textContent = r.tracking_code;
  const a = $('receipt-link');
  a.href = path;
  a.textContent = `${location.origin}${path}`;
  const note = $('receipt-photos');
  note.hidden = !r.photo_failures;
  note.textContent = r.photo_failures ? tn('receipt.photosfailed', r.photo_failures) : '';
  $('copy-status').textContent = state.copyMsg ? t(state.copyMsg) : '';
}

$('copy-link').addEventListener('click', async () => {
  try {
    await navigator.clipboard.writeText($('receipt-link').href);
    state.copyMsg = 'receipt.copied';
  } catch {
    state.copyMsg = 'receipt.copyfailed';
  }
  renderReceipt();
});

function showReceipt(receipt) {
  state.copyMsg = null;
  state.receipt = receipt;
  state.savedId = null;
  renderReceipt();
  errors.clear();
  showView('receipt', $('receipt-heading'));
}

function newReport() {
  resetForm();
  showView('form', $('form-heading'));
}
$('new-report').addEventListener('click', newReport);
$('new-report-2').addEventListener('click', newReport);

// ---------- outbox status ----------
function notice(cls, text, action, onClick) {
  const div = document.createElement('div');
  div.className = `notice ${cls}`;
  const p = document.createElement('p');
  p.append(text);
  div.append(p);
  if (action) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'button button-secondary';
    b.textContent = action;
    b.addEventListener('click', onClick);
    div.append(b);
  }
  return div;
}

function renderOutbox() {
  const s = state.snapshot;
  const nodes = [];
  for (const r of state.backgroundSent) {
    const div = notice('notice-ok', t('outbox.sent', { title: r.title || '', code: r.tracking_code }));
    const a = document.createElement('a');
    a.href = `/t/${encodeURIComponent(r.tracking_code)}`;
    a.textContent = t('outbox.sent.link');
    div.querySelector('p').append(' ', a);
    nodes.push(div);
  }
  if (s.queued.length) {
    const n = notice('notice-warn', tn('outbox.waiting', s.queued.length), t('outbox.sendnow'), () => runFlush());
    n.id = 'outbox-waiting';
    nodes.push(n);
  }
  const fixes = s.needsFix.filter((r) => r.local_id !== state.editingId);
  if (fixes.length) {
    nodes.push(notice('notice-warn', tn('outbox.fix', fixes.length), t('outbox.openfix'), () => restore(fixes[0])));
  }
  if (state.restored && state.editingId && state.view === 'form') nodes.push(notice('notice-warn', t('outbox.restored')));
  outboxStatus.replaceChildren(...nodes);
}

function restore(rec) {
  fillForm(rec);
  state.restored = true;
  showView('form');
  renderOutbox();
  errors.show(problemErrors(rec.problem, rec.http_status).map((e) => ({ ...e, field: e.field && fieldKey(e.field) })));
}

// After any change to the outbox: refresh counts, announce background sends, reopen refused reports.
async function refresh() {
  state.snapshot = await queue.snapshot();
  const s = state.snapshot;
  // Reports sent without this page watching (another tab, Background Sync while it was closed):
  // show each receipt once.
  for (const sent of s.sent) {
    if (sent.seen || sent.local_id === state.inFlight || state.shown.has(sent.local_id)) continue;
    if (state.view === 'saved' && state.savedId === sent.local_id) showReceipt(sent);
    else state.backgroundSent.push(sent);
    state.shown.add(sent.local_id);
    queue.markSeen(sent.local_id);
  }
  const fix = s.needsFix.find((r) => r.local_id !== state.editingId);
  if (fix && !state.busy && ((state.view === 'form' && !state.dirty) || (state.view === 'saved' && state.savedId === fix.local_id))) {
    restore(fix);
    return;
  }
  renderOutbox();
}

async function runFlush() {
  await queue.flush();
  await refresh();
}

// ---------- submit ----------
form.addEventListener('input', () => {
  state.dirty = true;
});
form.addEventListener('change', () => {
  state.dirty = true;
});

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  if (state.busy) return;
  const f = readForm();
  const errs = validate(f);
  if (errs.length) {
    errors.show(errs);
    return;
  }
  if (!queue.available()) {
    errors.show([{ field: null, text: t('err.network') }]);
    return;
  }
  errors.clear();
  state.busy = true;
  submitButton.textContent = t('form.sending');
  try {
    const rec = queue.makeRecord({ body: buildBody(f), photos: photos.items, orgUnitLabel: picker.label, lang: lang() });
    const replaced = state.editingId;
    state.inFlight = rec.local_id;
    const result = await queue.submit(rec, replaced);
    state.inFlight = null;
    if (!f.anonymous) saveReporter(rec.body.reporter || { name: '', email: '', phone: '' });
    if (result.outcome === 'sent') {
      state.shown.add(rec.local_id);
      queue.markSeen(rec.local_id);
      resetForm();
      showReceipt(result.receipt);
    } else if (result.outcome === 'queued') {
      resetForm();
      state.savedId = rec.local_id;
      showView('saved', $('saved-heading'));
    } else {
      state.editingId = rec.local_id;
      state.restored = false;
      errors.show(problemErrors(result.rec.problem, result.rec.http_status).map((e) => ({ ...e, field: e.field && fieldKey(e.field) })));
    }
  } catch {
    errors.show([{ field: null, text: t('err.network') }]);
  } finally {
    state.inFlight = null;
    state.busy = false;
    submitButton.textContent = t('form.submit');
    await refresh();
  }
});

// ---------- language ----------
onLangChange(() => {
  errors.rerender();
  photos.render();
  renderPosition();
  renderReceipt();
  renderOutbox();
  if (!state.busy) submitButton.textContent = t('form.submit');
});

// ---------- start ----------
setNow();
loadReporter();
syncAnonymous();
queue.onChange(refresh);
queue.autoFlush(refresh);
