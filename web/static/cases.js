// /cases: the inbox. The API lists newest first; overdue cases are moved to the top of what
// has been loaded (100 at a time, which covers a unit's open cases in practice).
import { initPage, t, tn, onLangChange } from './i18n.js';
import { ErrorDisplay } from './errors.js';
import { $, api, answerErrors, loadMe, setupStaffHeader, label, loadLabels, statusChoices, fmtDate } from './staff.js';

initPage();

const errors = new ErrorDisplay($('error-summary-slot'), () => null);
const state = { items: [], next: null, loading: false, filter: { q: '', state: '' } };

function query(cursor) {
  const p = new URLSearchParams({ limit: '100' });
  if (state.filter.q) p.set('q', state.filter.q);
  if (state.filter.state) p.set('state', state.filter.state);
  if (cursor) p.set('cursor', cursor);
  return `/incidents?${p}`;
}

async function load(more = false) {
  if (state.loading) return;
  state.loading = true;
  $('cases-status').textContent = t('cases.loading');
  const r = await api('GET', query(more ? state.next : null));
  state.loading = false;
  if (r.status === 401) {
    location.assign('/login?next=%2Fcases');
    return;
  }
  if (!r.ok) {
    $('cases-status').textContent = '';
    errors.show(answerErrors(r, 'cases.failed'));
    return;
  }
  errors.clear();
  const items = Array.isArray(r.json?.items) ? r.json.items : [];
  state.items = more ? state.items.concat(items) : items;
  state.next = r.json?.next_cursor || null;
  render();
}

// The status filter offers the server's statuses in its words; the choice survives a refill.
function fillStatusFilter() {
  const sel = $('f-state');
  const chosen = sel.value;
  const all = sel.querySelector('option[value=""]');
  sel.replaceChildren(all);
  for (const [value, words] of statusChoices()) {
    const o = document.createElement('option');
    o.value = value;
    o.textContent = words;
    sel.append(o);
  }
  sel.value = chosen;
}

function sorted() {
  // Stable: within each group the API's newest-first order stays.
  return [...state.items.filter((c) => c.overdue), ...state.items.filter((c) => !c.overdue)];
}

function dutyNotes(c) {
  const out = [];
  for (const [auth, st] of Object.entries(c.duties || {})) {
    if (st === 'due' || st === 'overdue' || st === 'suggested') out.push(t(`duty.short.${auth}`) + ': ' + label('dutystate', st));
  }
  return out;
}

function render() {
  const ul = $('case-list');
  ul.replaceChildren();
  for (const c of sorted()) {
    const li = document.createElement('li');
    li.className = c.overdue ? 'case-item case-overdue' : 'case-item';
    const h = document.createElement('h2');
    h.className = 'case-title';
    const a = document.createElement('a');
    a.href = `/cases/${encodeURIComponent(c.id)}`;
    a.textContent = c.title || t('case.untitled');
    h.append(a);
    li.append(h);
    if (c.overdue) {
      const f = document.createElement('p');
      f.className = 'flag flag-warn';
      f.textContent = t('cases.overdue');
      li.append(f);
    }
    const meta = document.createElement('p');
    meta.className = 'case-meta';
    const badge = document.createElement('span');
    badge.className = `status-badge status-${c.status}`;
    badge.textContent = label('cstatus', c.status, c.status_label);
    meta.append(badge, ` ${label('kind', c.kind, c.kind_label)} · ${c.org_unit_name || ''}`);
    li.append(meta);
    const meta2 = document.createElement('p');
    meta2.className = 'case-meta';
    const parts = [t('cases.created', { at: fmtDate(c.created_at) })];
    if (c.risk_level) parts.push(t('case.risk.level', { level: label('risk', c.risk_level) }));
    meta2.textContent = parts.join(' · ');
    li.append(meta2);
    const duties = dutyNotes(c);
    if (duties.length) {
      const d = document.createElement('p');
      d.className = 'case-meta case-duties';
      d.textContent = duties.join(' · ');
      li.append(d);
    }
    ul.append(li);
  }
  const n = state.items.length;
  const overdue = state.items.filter((c) => c.overdue).length;
  $('cases-status').textContent = n
    ? tn('cases.count', n) + (overdue ? ` ${tn('cases.overduecount', overdue)}` : '')
    : t('cases.none');
  $('more').hidden = !state.next;
}

$('filter-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  state.filter = { q: $('f-q').value.trim(), state: $('f-state').value };
  load(false);
});
$('more').addEventListener('click', () => load(true));

onLangChange(async () => {
  errors.rerender();
  await loadLabels();
  fillStatusFilter();
  if (state.items.length || state.next !== null) render();
});

// The lead says whose cases these are: a coordinator sees all, an employee their own reports.
function lead(me) {
  const which = me?.can?.read_all_cases ? 'cases.lead.all' : me?.can?.read_cases ? null : 'cases.lead.own';
  if (which) $('cases-lead').textContent = t(which);
}

const me = await loadMe();
onLangChange(() => lead(me));
if (me) {
  setupStaffHeader(me);
  lead(me);
  await loadLabels();
  fillStatusFilter();
  load(false);
}
