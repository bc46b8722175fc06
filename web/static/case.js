// /cases/{id}: the case page. Reads the case (with its ETag), its actions and its history, and
// offers every change the API allows; each change sends If-Match from the last read.
import { initPage, t, onLangChange } from './i18n.js';
import { ErrorDisplay } from './errors.js';
import { $, api, answerErrors, loadMe, setupStaffHeader, toLogin, label, loadLabels, openStatuses, riskLevel, fmtDate, fmtDay, fmtKr, parseKr, todayYmd, uuid, mayReadCosts } from './staff.js';

initPage();

const caseId = (() => {
  try {
    return decodeURIComponent(location.pathname.split('/')[2] || '').trim();
  } catch {
    return '';
  }
})();
const base = `/incidents/${encodeURIComponent(caseId)}`;
const AUTHORITIES = ['arbetsmiljoverket', 'forsakringskassan'];
// The risk matrix and which statuses are open come from the server (GET /labels, staff.js).
const isOpen = (status) => openStatuses().includes(status);

const S = { me: null, c: null, etag: null, problem: null, actions: [], events: [], causes: [], units: [], said: {} };

// ---------- one error display and one status line per section ----------
function fieldAt(id, extra = {}) {
  return { focus: id, wrapper: `${id}-field`, before: id, ...extra };
}
function group(id, first) {
  return { focus: first, wrapper: `${id}-field`, before: `${id}-choices`, describe: `${id}-field`, invalid: [] };
}
const SECTIONS = {
  ack: { to: null },
  status: {
    to: group('to', 'to-choices'),
    reason: fieldAt('reason'),
    duplicate_of: fieldAt('duplicate_of'),
  },
  risk: {
    risk: group('likelihood', 'likelihood-1'),
    'risk.likelihood': group('likelihood', 'likelihood-1'),
    'risk.consequence': group('consequence', 'consequence-1'),
  },
  cause: { cause_category: fieldAt('cause_category'), investigation: fieldAt('investigation') },
  duties: {
    injury_severity: fieldAt('injury_severity'),
    ...Object.fromEntries(
      AUTHORITIES.flatMap((a) => [
        [`duties.${a}.reported_at`, fieldAt(`${a}-reported_at`)],
        [`duties.${a}.reference`, fieldAt(`${a}-reference`)],
        [`duties.${a}.confirmed`, { focus: `${a}-confirmed-yes`, wrapper: `${a}-confirmed-field`, before: `${a}-confirmed-yes`, describe: `${a}-confirmed-field`, invalid: [] }],
      ]),
    ),
  },
  move: { org_unit_id: fieldAt('org_unit_id') },
  actions: {
    title: fieldAt('a-title'),
    description: fieldAt('a-description'),
    owner_email: fieldAt('a-owner'),
    due_date: fieldAt('a-due'),
    cost_estimate_ore: fieldAt('a-cost'),
  },
  comment: { text: fieldAt('comment') },
};
const displays = {};
for (const [name, fields] of Object.entries(SECTIONS)) {
  // Field names get the section as a prefix, so "title" of an action finds the action's
  // message (err.actions.title), not the report form's.
  displays[name] = new ErrorDisplay($(`${name}-errors`), (f) => fields[f.slice(name.length + 1)] || null);
}
function showErrors(name, list) {
  for (const [n, d] of Object.entries(displays)) if (n !== name && d.active) d.clear();
  displays[name].show(list.map((e) => ({ ...e, field: e.field ? `${name}.${e.field}` : null })));
}
function say(name, key, vars) {
  S.said[name] = key ? [key, vars] : null;
  const el = $(`${name}-status`);
  if (el) el.textContent = key ? t(key, vars) : '';
}
function clearSection(name) {
  displays[name].clear();
  say(name, null);
}

// ---------- loading ----------
async function loadCase() {
  const r = await api('GET', base);
  if (r.status === 401) {
    toLogin();
    return false;
  }
  if (r.status === 404 || r.status === 403 || r.status === 422 || r.status === 400) S.problem = 'notfound';
  else if (!r.ok) S.problem = r.status === 0 ? 'network' : 'server';
  else {
    S.problem = null;
    S.c = r.json;
    S.etag = r.etag || `"${r.json.version}"`;
  }
  return !S.problem;
}

async function loadActions() {
  const r = await api('GET', `${base}/actions`);
  S.actions = r.ok && Array.isArray(r.json?.items) ? r.json.items : [];
}

async function loadEvents() {
  const r = await api('GET', `${base}/events`);
  S.events = r.ok && Array.isArray(r.json?.items) ? r.json.items : [];
  renderHistory();
}

async function loadLists() {
  const [causes, units] = await Promise.all([api('GET', '/cause-categories'), api('GET', '/org-units')]);
  S.causes = causes.ok && Array.isArray(causes.json?.items) ? causes.json.items : [];
  S.units = units.ok && Array.isArray(units.json?.items) ? units.json.items : [];
}

// ---------- rendering ----------
function text(id, value) {
  $(id).textContent = value ?? '';
}

function renderProblem() {
  $('case-loading').hidden = true;
  const p = S.problem;
  $('case-problem').hidden = !p;
  $('case').hidden = Boolean(p) || !S.c;
  if (!p) return;
  const heading = { notfound: 'case.notfound.h', movedaway: 'case.movedaway.h' }[p] || 'case.failed.h';
  document.title = `${t(heading)} – Tillbud`;
  text('case-problem-heading', t(heading));
  const body = { notfound: 'case.notfound.p', movedaway: 'case.movedaway.p', network: 'err.network' }[p] || 'err.server';
  text('case-problem-text', t(body, { unit: S.movedTo || '' }));
}

// The reporter's own case (`access: "reporter"`): what the tracking page shows, no more —
// the API sends nothing else, so every staff part of the page stays hidden.
function renderReporter(c) {
  document.title = `${c.title} – ${t('case.doctitle.suffix')}`;
  text('case-title', c.title);
  text('case-status', label('cstatus', c.status, c.status_label));
  text('case-kind', label('kind', c.kind, c.kind_label));
  text('case-unit', c.org_unit_name);
  text('case-created', fmtDate(c.created_at));
  $('readonly-note').hidden = false;
  for (const id of ['case-risk-badge', 'case-overdue', 'sec-ack', 'sec-status', 'sec-risk', 'sec-cause',
    'sec-duties', 'sec-move', 'sec-actions', 'sec-comment', 'case-immediate-block', 'case-description',
    'case-status-reason-row', 'case-duplicate-row']) $(id).hidden = true;
  $('case-description').previousElementSibling.hidden = true;
  for (const id of ['case-occurred', 'case-location', 'case-consequences', 'case-reporter']) $(id).parentElement.hidden = true;
  for (const a of document.querySelectorAll('.toc a')) {
    a.parentElement.hidden = !['#details-heading', '#history-heading'].includes(a.getAttribute('href'));
  }
  renderHistory();
}

function render() {
  renderProblem();
  const c = S.c;
  if (S.problem || !c) return;
  if (c.access === 'reporter') {
    renderReporter(c);
    return;
  }
  const manage = Boolean(c.can_manage);
  document.title = `${c.title} – ${t('case.doctitle.suffix')}`;
  text('case-title', c.title);
  text('case-status', label('cstatus', c.status, c.status_label));
  text('case-risk-badge', c.risk ? t('case.risk.level', { level: label('risk', c.risk.level) }) : t('case.risk.unrated'));
  $('case-risk-badge').className = c.risk ? `risk-badge level-${c.risk.level}` : 'risk-badge';
  $('case-overdue').hidden = !c.overdue;
  text('case-overdue', c.overdue ? t('case.overdue') : '');
  $('readonly-note').hidden = manage;

  const allowed = manage && Array.isArray(c.allowed_transitions) ? c.allowed_transitions : [];
  $('sec-ack').hidden = !(c.status === 'new' && allowed.includes('acknowledged'));

  text('case-kind', label('kind', c.kind, c.kind_label));
  text('case-unit', c.org_unit_name);
  text('case-occurred', fmtDate(c.occurred_at));
  text('case-created', fmtDate(c.created_at));
  text('case-location', c.location || t('case.none'));
  text('case-consequences', (c.consequences || []).map((x) => label('cons', x)).join(', ') || t('case.none'));
  const rep = c.reporter;
  text('case-reporter', rep ? [rep.name, rep.email, rep.phone].filter(Boolean).join(', ') || t('case.reporter.noname') : t('case.anonymous'));
  $('case-status-reason-row').hidden = !c.status_reason;
  text('case-status-reason', c.status_reason);
  $('case-duplicate-row').hidden = !c.duplicate_of;
  $('case-duplicate').replaceChildren();
  if (c.duplicate_of) {
    const a = document.createElement('a');
    a.href = `/cases/${encodeURIComponent(c.duplicate_of)}`;
    a.textContent = c.duplicate_of;
    $('case-duplicate').append(a);
  }
  text('case-description', c.description);
  $('case-immediate-block').hidden = !c.immediate_action;
  text('case-immediate', c.immediate_action);

  renderStatus(allowed);
  renderRisk(manage);
  renderCause(manage);
  renderDuties(manage);
  renderMove(manage);
  renderActions(manage);
  // Managers, coordinators and skyddsombud may comment; a reporter reading their own case
  // adds to it on the tracking page instead.
  $('sec-comment').hidden = !(manage || S.me?.can?.read_cases);
  $('toc-comment').hidden = $('sec-comment').hidden;
  $('toc-status').hidden = !manage;
  renderHistory();
}

function renderStatus(allowed) {
  $('sec-status').hidden = !S.c.can_manage;
  $('no-transitions').hidden = allowed.length > 0;
  $('status-form').hidden = !allowed.length;
  const box = $('to-choices');
  const chosen = box.querySelector('input:checked')?.value;
  box.replaceChildren();
  for (const to of allowed) {
    const div = document.createElement('div');
    div.className = 'choice';
    const input = document.createElement('input');
    input.type = 'radio';
    input.name = 'to';
    input.id = `to-${to}`;
    input.value = to;
    input.checked = to === chosen;
    const lab = document.createElement('label');
    lab.htmlFor = input.id;
    const reopen = !isOpen(S.c.status) && isOpen(to);
    const verb = reopen ? 'to.reopen' : `to.${to}`;
    lab.textContent = t(verb) === verb ? label('cstatus', to) : t(verb);
    div.append(input, lab);
    box.append(div);
  }
  // The error summary links to the first choice.
  SECTIONS.status.to.focus = allowed.length ? `to-${allowed[0]}` : 'to-choices';
  $('duplicate_of-field').hidden = box.querySelector('input:checked')?.value !== 'duplicate';
}

function setRadio(name, value) {
  for (const el of document.querySelectorAll(`input[name="${name}"]`)) el.checked = String(el.value) === String(value ?? '');
}
function radioValue(name) {
  return document.querySelector(`input[name="${name}"]:checked`)?.value ?? null;
}

function renderMatrix() {
  const body = $('matrix-body');
  const l = Number(radioValue('likelihood'));
  const k = Number(radioValue('consequence'));
  body.replaceChildren();
  for (let row = 4; row >= 1; row--) {
    const tr = document.createElement('tr');
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = t(`risk.l${row}`);
    tr.append(th);
    for (let col = 1; col <= 4; col++) {
      const level = riskLevel(row, col);
      const td = document.createElement('td');
      td.className = `level-${level}`;
      td.textContent = label('risk', level);
      if (row === l && col === k) {
        td.classList.add('chosen');
        const mark = document.createElement('span');
        mark.className = 'visually-hidden';
        mark.textContent = ` (${t('risk.chosen')})`;
        td.append(mark);
      }
      tr.append(td);
    }
    body.append(tr);
  }
  const out = $('risk-result');
  if (l && k) {
    out.textContent = t('risk.result', { l, k, level: label('risk', riskLevel(l, k)) });
    out.className = `risk-result level-${riskLevel(l, k)}`;
  } else {
    out.textContent = t('risk.choose');
    out.className = 'risk-result';
  }
}

function fillRisk() {
  setRadio('likelihood', S.c.risk?.likelihood);
  setRadio('consequence', S.c.risk?.consequence);
}

function renderRisk(manage) {
  $('risk-form').hidden = !manage;
  $('risk-readonly').hidden = manage;
  const r = S.c.risk;
  text('risk-readonly', r ? t('risk.result', { l: r.likelihood, k: r.consequence, level: label('risk', r.level) }) : t('case.risk.unrated'));
  renderMatrix();
}

function fillCause() {
  const sel = $('cause_category');
  const current = S.c.cause_category || '';
  const options = [...S.causes];
  if (current && !options.includes(current)) options.push(current);
  sel.replaceChildren();
  const none = document.createElement('option');
  none.value = '';
  none.textContent = t('case.cause.none');
  sel.append(none);
  for (const c of options) {
    const o = document.createElement('option');
    o.value = c;
    o.textContent = label('cause', c, c);
    sel.append(o);
  }
  sel.value = current;
  $('investigation').value = S.c.investigation || '';
}

function renderCause(manage) {
  $('cause-form').hidden = !manage;
  $('cause-readonly').hidden = manage;
  if ($('cause_category').options.length) $('cause_category').options[0].textContent = t('case.cause.none');
  text('cause-ro-category', S.c.cause_category ? label('cause', S.c.cause_category, S.c.cause_category) : t('case.none'));
  text('cause-ro-investigation', S.c.investigation || t('case.none'));
}

// A datetime-local value ("2026-11-26T09:30") for an RFC 3339 time, in the browser's zone.
function toLocalInput(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

function fillDuties() {
  const c = S.c;
  $('injury_severity').value = c.injury_severity || 'none';
  $('several_injured').checked = Boolean(c.several_injured);
  $('serious_danger').checked = Boolean(c.serious_danger);
  for (const a of AUTHORITIES) {
    const d = c.duty_details?.[a] || {};
    setRadio(`${a}-confirmed`, d.confirmed === true ? 'true' : d.confirmed === false ? 'false' : '');
    $(`${a}-reported_at`).value = toLocalInput(d.reported_at);
    $(`${a}-reference`).value = d.reference || '';
  }
}

function renderDuties(manage) {
  for (const el of $('duties-form').querySelectorAll('input, select, textarea, button')) el.disabled = !manage;
  $('duties-submit').hidden = !manage;
  for (const a of AUTHORITIES) {
    const d = S.c.duty_details?.[a] || {};
    const st = d.state || S.c.duties?.[a] || 'not_applicable';
    const parts = [t('duty.state', { state: label('dutystate', st) })];
    if (d.suggested) parts.push(t('duty.suggested'));
    if (d.due_at && (st === 'due' || st === 'overdue' || st === 'suggested')) parts.push(t('duty.dueat', { at: fmtDate(d.due_at) }));
    const el = $(`duty-${a}-state`);
    el.textContent = parts.join(' ');
    el.className = `duty-state duty-${st}`;
  }
}

function fillMove() {
  const sel = $('org_unit_id');
  sel.replaceChildren();
  const units = [...S.units].sort((x, y) => x.name.localeCompare(y.name, 'sv'));
  if (!units.some((u) => u.id === S.c.org_unit_id)) units.unshift({ id: S.c.org_unit_id, name: S.c.org_unit_name });
  for (const u of units) {
    const o = document.createElement('option');
    o.value = u.id;
    o.textContent = u.code ? `${u.name} (${u.code})` : u.name;
    sel.append(o);
  }
  sel.value = S.c.org_unit_id;
}

function renderMove(manage) {
  $('sec-move').hidden = !manage || !S.units.length;
}

function fillAll(except) {
  if (except !== 'risk') fillRisk();
  if (except !== 'cause') fillCause();
  if (except !== 'duties') fillDuties();
  if (except !== 'move') fillMove();
}

function renderActions(manage) {
  $('action-form').hidden = !manage;
  $('a-due').min = todayYmd();
  const ul = $('action-list');
  ul.replaceChildren();
  $('actions-none').hidden = S.actions.length > 0;
  for (const a of S.actions) {
    const li = document.createElement('li');
    li.className = a.overdue ? 'action action-overdue' : 'action';
    const h = document.createElement('h3');
    h.textContent = a.title;
    const p = document.createElement('p');
    const badge = document.createElement('strong');
    badge.className = 'status-badge';
    badge.textContent = label('astate', a.state, a.state_label);
    p.append(badge);
    if (a.overdue) {
      const f = document.createElement('span');
      f.className = 'flag flag-warn flag-inline';
      f.textContent = t('action.overdue');
      p.append(' ', f);
    }
    const dl = document.createElement('dl');
    dl.className = 'facts';
    const row = (k, v) => {
      const div = document.createElement('div');
      const dt = document.createElement('dt');
      dt.textContent = t(k);
      const dd = document.createElement('dd');
      dd.textContent = v;
      div.append(dt, dd);
      dl.append(div);
    };
    row('action.owner.short', a.owner_email);
    row('action.due.short', fmtDay(a.due_date));
    if (a.cost_estimate_ore !== null && a.cost_estimate_ore !== undefined) row('action.cost.short', fmtKr(a.cost_estimate_ore));
    if (a.state_reason) row('action.reason.short', a.state_reason);
    li.append(h, p, dl);
    if (a.description) {
      const d = document.createElement('p');
      d.className = 'prewrap';
      d.textContent = a.description;
      li.append(d);
    }
    // The API says where the action may go next (src/domain/action.rs's rules), in its words.
    const next = a.allowed_transitions || [];
    if (manage && next.length) li.append(actionStateForm(a, next));
    ul.append(li);
  }
}

function actionStateForm(a, next) {
  const form = document.createElement('form');
  form.className = 'action-state';
  form.noValidate = true;
  const sid = `as-${a.id}`;
  const rid = `ar-${a.id}`;
  const f1 = document.createElement('div');
  f1.className = 'field';
  const l1 = document.createElement('label');
  l1.className = 'label';
  l1.htmlFor = sid;
  l1.textContent = t('action.move', { title: a.title });
  const sel = document.createElement('select');
  sel.className = 'input';
  sel.id = sid;
  for (const n of next) {
    const o = document.createElement('option');
    o.value = n.state;
    o.textContent = label('astate', n.state, n.label);
    sel.append(o);
  }
  f1.append(l1, sel);
  const f2 = document.createElement('div');
  f2.className = 'field';
  const l2 = document.createElement('label');
  l2.className = 'label';
  l2.htmlFor = rid;
  l2.textContent = t('action.reason');
  const reason = document.createElement('input');
  reason.className = 'input';
  reason.id = rid;
  reason.type = 'text';
  f2.append(l2, reason);
  const b = document.createElement('button');
  b.type = 'submit';
  b.className = 'button button-secondary';
  b.textContent = t('action.move.button');
  form.append(f1, f2, b);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearSection('actions');
    const to = sel.value;
    const why = reason.value.trim();
    if (to === 'cancelled' && !why) {
      showErrors('actions', [{ field: null, text: t('err.action.reason') }]);
      return;
    }
    b.disabled = true;
    const r = await api('POST', `/actions/${encodeURIComponent(a.id)}/transitions`, {
      body: why ? { to, reason: why } : { to },
      etag: `"${a.version}"`,
    });
    b.disabled = false;
    if (!r.ok) {
      showErrors('actions', answerErrors(r));
      await loadActions();
      renderActions(Boolean(S.c.can_manage));
      return;
    }
    await afterActionChange('action.moved', { title: a.title, state: label('astate', to) });
  });
  return form;
}

async function afterActionChange(key, vars) {
  // Action changes can change the case (its version, allowed transitions) and its history.
  await Promise.all([loadActions(), loadCase(), loadEvents()]);
  render();
  say('actions', key, vars);
  $('actions-status').scrollIntoView({ block: 'nearest' });
}

// ---------- history ----------
// Events are append-only rows written by the API: {kind, actor, data}. Known kinds get a
// sentence; field changes show "field: before → after" in words.
function fieldName(path) {
  return String(path)
    .split('.')
    .filter((p) => p !== 'duties')
    .map((p) => (t(`field.${p}`) === `field.${p}` ? p : t(`field.${p}`)))
    .join(' – ');
}

function show(v, field = '') {
  if (v === null || v === undefined || v === '') return '–';
  const last = String(field).split('.').pop();
  if (typeof v === 'boolean') return t(v ? 'case.yes' : 'case.no');
  if (typeof v === 'object' && 'likelihood' in v && 'consequence' in v) {
    return t('risk.short', { l: v.likelihood, k: v.consequence, level: label('risk', v.level || riskLevel(v.likelihood, v.consequence)) });
  }
  if (typeof v === 'object') return emails(v).join(', ') || '…';
  const s = String(v);
  if (last === 'org_unit_id') return S.units.find((u) => u.id === s)?.name || s;
  if (last === 'injury_severity') return label('sev', s);
  if (last === 'reported_at') return fmtDate(s) || s;
  if (last === 'cost_estimate_ore' && typeof v === 'number') return fmtKr(v);
  if (last === 'investigation' && s.length > 200) return `${s.slice(0, 200)} …`;
  if (last === 'cause_category') return label('cause', s, s);
  if (last === 'due_date') return fmtDay(s);
  // A status or action state in a history entry: the server's words for it.
  for (const prefix of ['cstatus', 'astate']) {
    const words = label(prefix, s);
    if (words !== s) return words;
  }
  return s;
}

// Every e-mail address somewhere in a value (routing and reminder events list recipients).
function emails(v, out = []) {
  if (typeof v === 'string' && /^[^\s@]+@[^\s@]+$/.test(v)) {
    if (!out.includes(v)) out.push(v);
  } else if (Array.isArray(v)) v.forEach((x) => emails(x, out));
  else if (v && typeof v === 'object') Object.values(v).forEach((x) => emails(x, out));
  return out;
}

function eventLines(e) {
  const d = e.data && typeof e.data === 'object' ? e.data : {};
  switch (e.kind) {
    case 'created':
    case 'photo_added':
      return [];
    case 'field_changed':
      return [`${fieldName(d.field)}: ${show(d.before, d.field)} → ${show(d.after, d.field)}`];
    case 'acknowledged':
    case 'status_changed': {
      const out = [`${show(d.from)} → ${show(d.to)}`];
      if (d.reason) out.push(t('event.reason', { reason: d.reason }));
      if (d.duplicate_of) out.push(t('event.duplicate', { id: d.duplicate_of }));
      return out;
    }
    case 'comment':
    case 'reporter_comment': {
      const out = [];
      if (d.by_reporter || e.kind === 'reporter_comment') out.push(t('event.byreporter'));
      if (typeof d.text === 'string') out.push(d.text);
      return out;
    }
    case 'action_created':
      return [t('event.action', { title: d.title || '' }), `${t('action.owner.short')}: ${d.owner_email || '–'} · ${t('action.due.short')}: ${fmtDay(d.due_date)}` + (typeof d.cost_estimate_ore === 'number' ? ` · ${fmtKr(d.cost_estimate_ore)}` : '')];
    case 'action_state_changed': {
      const out = [`${t('event.action', { title: d.title || '' })}: ${show(d.before)} → ${show(d.after)}`];
      if (d.reason) out.push(t('event.reason', { reason: d.reason }));
      return out;
    }
    default: {
      if (e.kind.startsWith('action_') && d.title) {
        const to = emails(d.mails || d.to || []);
        return [t('event.action', { title: d.title }), ...(to.length ? [t('event.to', { to: to.join(', ') })] : [])];
      }
      if (e.kind.startsWith('duty_') && d.authority) {
        const to = emails(d.mails || d.to || []);
        return [t(`duty.short.${d.authority}`), ...(to.length ? [t('event.to', { to: to.join(', ') })] : [])];
      }
      if ('field' in d && ('before' in d || 'after' in d)) return [`${fieldName(d.field)}: ${show(d.before, d.field)} → ${show(d.after, d.field)}`];
      if (typeof d.text === 'string') return [d.text];
      const to = emails(d);
      return to.length ? [t('event.to', { to: to.join(', ') })] : [];
    }
  }
}

function renderHistory() {
  const ol = $('history');
  if (!ol) return;
  ol.replaceChildren();
  for (const e of S.events) {
    const li = document.createElement('li');
    const time = document.createElement('time');
    time.dateTime = e.at;
    time.textContent = fmtDate(e.at);
    const head = document.createElement('p');
    head.className = 'event-head';
    const kind = t(`event.${e.kind}`) === `event.${e.kind}` ? e.kind : t(`event.${e.kind}`);
    head.textContent = [kind, e.actor ? t('event.by', { actor: e.actor }) : ''].filter(Boolean).join(' ');
    li.append(time, head);
    if (e.public) {
      const pub = document.createElement('p');
      pub.className = 'hint';
      pub.textContent = t('event.public');
      li.append(pub);
    }
    for (const line of eventLines(e)) {
      const p = document.createElement('p');
      p.textContent = line;
      li.append(p);
    }
    ol.append(li);
  }
  if (!S.events.length) {
    const li = document.createElement('li');
    li.textContent = t('case.history.none');
    ol.append(li);
  }
}

// ---------- changes to the case ----------
// Handles the answer to a PATCH or a transition: the new case and ETag, or errors. A stale
// ETag (412) reloads the case but keeps what the user typed in the section they were saving.
async function caseAnswer(name, r, okKey) {
  if (r.ok && r.json) {
    S.c = r.json;
    S.etag = r.etag || `"${r.json.version}"`;
    displays[name].clear();
    fillAll();
    render();
    say(name, okKey);
    loadEvents();
    return true;
  }
  if (r.status === 401) {
    toLogin();
    return false;
  }
  if (r.status === 404) {
    S.problem = 'notfound';
    render();
    return false;
  }
  showErrors(name, answerErrors(r));
  if (r.status === 412 || r.status === 409) {
    if (await loadCase()) {
      fillAll(name);
      render();
    }
  }
  return false;
}

async function patch(name, body, okKey, button) {
  clearSection(name);
  if (button) button.disabled = true;
  const r = await api('PATCH', base, { body, etag: S.etag });
  if (button) button.disabled = false;
  return caseAnswer(name, r, okKey);
}

async function transition(name, body, okKey, button) {
  clearSection(name);
  if (button) button.disabled = true;
  const r = await api('POST', `${base}/transitions`, { body, etag: S.etag });
  if (button) button.disabled = false;
  return caseAnswer(name, r, okKey);
}

$('ack-button').addEventListener('click', async () => {
  if (await transition('ack', { to: 'acknowledged' }, 'case.ack.done', $('ack-button'))) {
    $('case-title').focus();
  }
});

$('to-choices').addEventListener('change', () => {
  $('duplicate_of-field').hidden = radioValue('to') !== 'duplicate';
});
$('status-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const to = radioValue('to');
  const reason = $('reason').value.trim();
  const dup = $('duplicate_of').value.trim();
  const errs = [];
  if (!to) errs.push({ field: 'to', text: t('err.status.to') });
  const reopen = to && !isOpen(S.c.status) && isOpen(to);
  if ((to === 'rejected' || reopen) && !reason) errs.push({ field: 'reason', text: t('err.status.reason') });
  if (to === 'duplicate' && !dup) errs.push({ field: 'duplicate_of', text: t('err.status.duplicate_of') });
  if (errs.length) {
    say('status', null);
    showErrors('status', errs);
    return;
  }
  const body = { to };
  if (reason) body.reason = reason;
  if (to === 'duplicate') body.duplicate_of = dup;
  if (await transition('status', body, 'case.status.done', $('status-submit'))) {
    $('reason').value = '';
    $('duplicate_of').value = '';
  }
});

for (const name of ['likelihood', 'consequence']) $(`${name}-choices`).addEventListener('change', renderMatrix);
$('risk-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const l = radioValue('likelihood');
  const k = radioValue('consequence');
  const errs = [];
  if (!l) errs.push({ field: 'risk.likelihood', text: t('err.risk.likelihood') });
  if (!k) errs.push({ field: 'risk.consequence', text: t('err.risk.consequence') });
  if (errs.length) {
    say('risk', null);
    showErrors('risk', errs);
    return;
  }
  await patch('risk', { risk: { likelihood: Number(l), consequence: Number(k) } }, 'case.risk.done', $('risk-submit'));
});

$('five-whys').addEventListener('click', () => {
  const area = $('investigation');
  const lines = [t('fivewhys.what'), ...[1, 2, 3, 4, 5].map((n) => t('fivewhys.why', { n })), t('fivewhys.root')];
  const template = lines.map((l) => `${l} `).join('\n');
  area.value = area.value.trim() ? `${area.value.replace(/\s+$/, '')}\n\n${template}` : template;
  area.focus();
});
$('cause-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const inv = $('investigation').value;
  if ([...inv].length > 20000) {
    showErrors('cause', [{ field: 'investigation', text: t('err.cause.investigation') }]);
    return;
  }
  const body = { cause_category: $('cause_category').value || null, investigation: inv.trim() ? inv : null };
  await patch('cause', body, 'case.cause.done', $('cause-submit'));
});

$('duties-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const duties = {};
  for (const a of AUTHORITIES) {
    const conf = radioValue(`${a}-confirmed`);
    const at = $(`${a}-reported_at`).value;
    const when = at ? new Date(at) : null;
    duties[a] = {
      confirmed: conf === 'true' ? true : conf === 'false' ? false : null,
      reported_at: when && !Number.isNaN(when.getTime()) ? when.toISOString() : null,
      reference: $(`${a}-reference`).value.trim() || null,
    };
  }
  const body = {
    injury_severity: $('injury_severity').value,
    several_injured: $('several_injured').checked,
    serious_danger: $('serious_danger').checked,
    duties,
  };
  await patch('duties', body, 'case.duties.done', $('duties-submit'));
});

$('move-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const to = $('org_unit_id').value;
  if (!to || to === S.c.org_unit_id) {
    showErrors('move', [{ field: 'org_unit_id', text: t('err.move.same') }]);
    return;
  }
  const unitName = $('org_unit_id').selectedOptions[0]?.textContent || '';
  if (!(await patch('move', { org_unit_id: to }, 'case.move.done', $('move-submit')))) return;
  // A manager who moves a case out of their own units can no longer see it: say so plainly.
  if (!(await loadCase()) && S.problem === 'notfound') {
    S.problem = 'movedaway';
    S.movedTo = unitName;
    render();
    $('case-problem-heading').focus();
  }
});

let actionKey = { sig: null, key: null };
$('action-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  clearSection('actions');
  const title = $('a-title').value.trim();
  const description = $('a-description').value.trim();
  const owner = $('a-owner').value.trim();
  const due = $('a-due').value;
  const cost = parseKr($('a-cost').value);
  const errs = [];
  const n = [...title].length;
  if (n < 3 || n > 200) errs.push({ field: 'title', text: t('err.action.title') });
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(owner)) errs.push({ field: 'owner_email', text: t('err.action.owner') });
  if (!/^\d{4}-\d{2}-\d{2}$/.test(due)) errs.push({ field: 'due_date', text: t('err.action.due') });
  else if (due < todayYmd()) errs.push({ field: 'due_date', text: t('err.action.due.past') });
  if (cost === null) errs.push({ field: 'cost_estimate_ore', text: t('err.action.cost') });
  if (errs.length) {
    showErrors('actions', errs);
    return;
  }
  const body = { title, owner_email: owner, due_date: due };
  if (description) body.description = description;
  if (cost !== undefined) body.cost_estimate_ore = cost;
  // The same action sent again (a lost answer, a double tap) reuses its key: created once.
  const sig = JSON.stringify(body);
  if (actionKey.sig !== sig) actionKey = { sig, key: uuid() };
  $('action-submit').disabled = true;
  const r = await api('POST', `${base}/actions`, { body, key: actionKey.key });
  $('action-submit').disabled = false;
  if (!r.ok) {
    if (r.status === 401) toLogin();
    else showErrors('actions', answerErrors(r));
    return;
  }
  actionKey = { sig: null, key: null };
  for (const id of ['a-title', 'a-description', 'a-owner', 'a-due', 'a-cost']) $(id).value = '';
  await afterActionChange('action.added', { title });
});

$('comment-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  clearSection('comment');
  const body = { text: $('comment').value.trim(), public: $('comment-public').checked };
  if (!body.text) {
    showErrors('comment', [{ field: 'text', text: t('err.comment.text') }]);
    return;
  }
  $('comment-submit').disabled = true;
  const r = await api('POST', `${base}/comments`, { body });
  $('comment-submit').disabled = false;
  if (!r.ok) {
    if (r.status === 401) toLogin();
    else showErrors('comment', answerErrors(r));
    return;
  }
  $('comment').value = '';
  $('comment-public').checked = false;
  say('comment', body.public ? 'case.comment.donepublic' : 'case.comment.done');
  loadEvents();
});

onLangChange(async () => {
  for (const d of Object.values(displays)) d.rerender();
  for (const [name, said] of Object.entries(S.said)) if (said) say(name, ...said);
  // Labels from the server (status, kind, actions) come in the chosen language. The forms
  // keep what the user has typed: only texts change.
  await loadLabels();
  if (S.c && (await loadCase())) await loadActions();
  render();
});

// The cost panel lives in its own module, loaded only for those who may see money.
async function loadCostPanel() {
  if (!S.c || S.c.access === 'reporter' || !(mayReadCosts(S.me) || S.c.can_manage)) return;
  const { mountCostPanel } = await import('./costs-panel.js');
  $('toc-costs').hidden = !(await mountCostPanel($('sec-costs'), caseId, { onChange: loadEvents }));
}

async function start() {
  if (!caseId) {
    S.problem = 'notfound';
    render();
    return;
  }
  S.me = await loadMe();
  if (!S.me) return;
  setupStaffHeader(S.me);
  const [ok] = await Promise.all([loadCase(), loadLists(), loadLabels()]);
  if (ok) {
    await Promise.all([loadActions(), loadEvents()]);
    fillAll();
  }
  render();
  if (S.problem) $('case-problem-heading').focus();
  else loadCostPanel();
}

start();
