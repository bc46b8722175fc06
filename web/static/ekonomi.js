// /ekonomi: the finance desk. One filter (period type, range, unit subtree, basis) drives
// everything on the page: the trend by period, the breakdown by category, the drill-down by
// child unit, the cases with costs and the pending claims. The filter lives in the address,
// so the back button and a bookmark give the same view; exports ask the same endpoints with
// the same filter, so the files hold the numbers on the screen.
import { fmtPct, kr, krAxis, periodShort, stampText } from './costs-i18n.js';
import { initPage, t, onLangChange } from './i18n.js';
import { ErrorDisplay } from './errors.js';
import { $, api, answerErrors, loadMe, setupStaffHeader, mayReadCosts, mayHandleClaims } from './staff.js';
import { OrgUnitPicker } from './orgunits.js';
import { fitText, legend, periodChart, rowChart } from './charts.js';

initPage();

const PERIODS = ['month', 'quarter', 'year'];
const BASES = ['actual', 'estimate', 'both'];
const S = {
  me: null,
  filter: { period: 'month', from: '', to: '', unit: '', basis: 'actual' },
  trend: null, // group_by=category: the periods (totals) and the categories
  drill: null, // group_by=unit: the unit shown and its children
  cases: { items: [], next: null },
  claims: { items: [], next: null, allowed: false },
  loading: 0,
};

const FIELDS = {
  period: { focus: 'f-period', wrapper: 'f-period-field', before: 'f-period' },
  from: { focus: 'f-from', wrapper: 'f-from-field', before: 'f-from' },
  to: { focus: 'f-to', wrapper: 'f-to-field', before: 'f-to' },
  unit: { focus: 'f-unit', wrapper: 'f-unit-field', before: 'f-unit-combo' },
  basis: { focus: 'f-basis', wrapper: 'f-basis-field', before: 'f-basis' },
};
const errors = new ErrorDisplay($('error-summary-slot'), (f) => FIELDS[f] || null);

const picker = new OrgUnitPicker({
  input: $('f-unit'),
  listbox: $('f-unit-listbox'),
  hidden: $('f-unit-id'),
  status: $('f-unit-status'),
  note: $('f-unit-load'),
});

// ---------- the filter and the address ----------
function readAddress() {
  const q = new URLSearchParams(location.search);
  const month = (v) => (/^\d{4}-(0[1-9]|1[0-2])$/.test(v || '') ? v : '');
  S.filter = {
    period: PERIODS.includes(q.get('period')) ? q.get('period') : 'month',
    from: month(q.get('from')),
    to: month(q.get('to')),
    unit: /^[0-9a-f-]{36}$/i.test(q.get('unit') || '') ? q.get('unit').toLowerCase() : '',
    basis: BASES.includes(q.get('basis')) ? q.get('basis') : 'actual',
  };
}

function params(f = S.filter, extra = {}) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...f, ...extra })) if (v) p.set(k, v);
  return p;
}

function deskHref(f) {
  const p = params(f);
  if (p.get('period') === 'month') p.delete('period');
  if (p.get('basis') === 'actual') p.delete('basis');
  const s = p.toString();
  return s ? `/ekonomi?${s}` : '/ekonomi';
}

// Quarters start in January, April, July or October and end in March, June, September or
// December; years start in January. Rounded here so the API never has to refuse a range.
function snap(f) {
  const out = { ...f };
  const parts = (m) => m.split('-').map(Number);
  const fmt = (y, m) => `${y}-${String(m).padStart(2, '0')}`;
  if (out.from && out.period !== 'month') {
    const [y, m] = parts(out.from);
    out.from = fmt(y, out.period === 'year' ? 1 : m - ((m - 1) % 3));
  }
  if (out.to && out.period === 'quarter') {
    const [y, m] = parts(out.to);
    out.to = fmt(y, m + ((3 - (m % 3)) % 3));
  }
  return out;
}

function fillForm() {
  const f = S.filter;
  $('f-period').value = f.period;
  $('f-basis').value = f.basis;
  // The range the API answered with (its defaults when the address has none).
  $('f-from').value = S.trend?.from || f.from;
  $('f-to').value = S.trend?.to || f.to;
  if (picker.loaded) picker.setValue(f.unit, '');
}

function navigate(f, { push = true } = {}) {
  S.filter = f;
  if (push) history.pushState(null, '', deskHref(f));
  return load();
}

// ---------- loading ----------
async function load() {
  const ticket = ++S.loading;
  errors.clear();
  $('desk-status').textContent = t('desk.loading');
  const f = S.filter;
  const [trend, drill] = await Promise.all([
    api('GET', `/costs/trends?${params(f, { group_by: 'category' })}`),
    api('GET', `/costs/trends?${params(f, { group_by: 'unit' })}`),
  ]);
  if (ticket !== S.loading) return;
  if (trend.status === 401) {
    location.assign(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
    return;
  }
  if (trend.status === 403) {
    problem('desk.forbidden.h', trend.json?.detail || t('desk.forbidden.p'));
    return;
  }
  if (!trend.ok || !drill.ok) {
    $('desk-status').textContent = '';
    errors.show(answerErrors(trend.ok ? drill : trend, 'desk.failed'));
    return;
  }
  try {
    // The case view's back link returns to this very view.
    sessionStorage.setItem('tillbud.desk', location.pathname + location.search);
  } catch {
    /* private mode: the back link goes to the desk's default view */
  }
  S.trend = trend.json;
  S.drill = drill.json;
  // The range as answered: exports and lists use it, so they match the charts exactly.
  S.range = { from: S.trend.from, to: S.trend.to };
  $('desk').hidden = false;
  $('desk-loading').hidden = true;
  fillForm();
  render();
  await Promise.all([loadCases(false), loadClaims(false)]);
  if (ticket !== S.loading) return;
  $('desk-status').textContent = t('desk.shown', { what: scopeText() });
}

function listParams(cursor) {
  const p = params({ from: S.range.from, to: S.range.to, unit: S.filter.unit, basis: S.filter.basis });
  if (cursor) p.set('cursor', cursor);
  return p;
}

async function loadCases(more) {
  const p = listParams(more ? S.cases.next : null);
  p.set('limit', '25');
  const r = await api('GET', `/costs/cases?${p}`);
  if (!r.ok) {
    errors.show(answerErrors(r, 'desk.failed'), { focus: false });
    return;
  }
  const items = r.json?.items || [];
  S.cases = { items: more ? S.cases.items.concat(items) : items, next: r.json?.next_cursor || null };
  renderCases();
}

async function loadClaims(more) {
  if (!S.claims.allowed) return;
  const p = new URLSearchParams({ state: 'pending', limit: '25' });
  if (S.filter.unit) p.set('unit', S.filter.unit);
  if (more && S.claims.next) p.set('cursor', S.claims.next);
  const r = await api('GET', `/costs/claims?${p}`);
  if (r.status === 403) {
    // Managers enter costs but not claims: the list is finance's.
    S.claims.allowed = false;
    $('sec-claims').hidden = true;
    return;
  }
  if (!r.ok) {
    errors.show(answerErrors(r, 'desk.failed'), { focus: false });
    return;
  }
  const items = r.json?.items || [];
  S.claims = { ...S.claims, items: more ? S.claims.items.concat(items) : items, next: r.json?.next_cursor || null };
  renderClaims();
}

function problem(headingKey, text) {
  $('desk-loading').hidden = true;
  $('desk').hidden = true;
  $('desk-problem').hidden = false;
  $('desk-problem-heading').textContent = t(headingKey);
  $('desk-problem-text').textContent = text;
  $('desk-problem-heading').focus();
}

// ---------- helpers for rendering ----------
function unitName() {
  return S.drill?.unit?.name || S.trend?.unit?.name || t('desk.allunits');
}

function rangeText() {
  const pts = S.trend?.points || [];
  if (!pts.length) return '';
  const a = pts[0].label;
  const b = pts[pts.length - 1].label;
  return a === b ? a : `${a} – ${b}`;
}

function scopeText() {
  return `${unitName()}, ${rangeText()}, ${S.trend?.basis_label || ''}`.replace(/, $/, '');
}

function change(ore, bp) {
  if (bp === null || bp === undefined) return ore === 0 ? t('desk.change.none') : t('desk.change.nobase', { kr: kr(ore, { sign: true }) });
  return `${kr(ore, { sign: true })} (${fmtPct(bp, { sign: true })})`;
}

function cell(tr, value, { th = false, num = false, cls = '' } = {}) {
  const c = document.createElement(th ? 'th' : 'td');
  if (th) c.scope = 'row';
  if (num) c.className = 'num';
  if (cls) c.className = `${c.className} ${cls}`.trim();
  if (value instanceof Node) c.append(value);
  else c.textContent = value ?? '';
  tr.append(c);
  return c;
}

function head(table, keys) {
  const tr = document.createElement('tr');
  keys.forEach((k, i) => {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = t(k);
    if (i > 0 && k.startsWith('desk.col.num.')) th.className = 'num';
    tr.append(th);
  });
  table.tHead.replaceChildren(tr);
}

function emptyRow(table, cols, key) {
  const tr = document.createElement('tr');
  const td = document.createElement('td');
  td.colSpan = cols;
  td.textContent = t(key);
  tr.append(td);
  table.tBodies[0].append(tr);
}

function chartWidth(box) {
  return box.clientWidth || box.parentElement?.clientWidth || 320;
}

function mount(box, svg) {
  box.replaceChildren(svg);
  fitText(svg);
}

function sumGroups(view) {
  const by = new Map();
  for (const g of view.groups) by.set(g.key, { ...g, cost: 0, recovery: 0, net: 0, prevCost: 0, prevRecovery: 0, prev: 0 });
  for (const p of view.points) {
    for (const g of p.groups) {
      const s = by.get(g.key);
      if (!s) continue;
      s.cost += g.cost_ore;
      s.recovery += g.recovery_ore;
      s.net += g.net_ore;
      s.prevCost += g.previous_year.cost_ore;
      s.prevRecovery += g.previous_year.recovery_ore;
      s.prev += g.previous_year.net_ore;
    }
  }
  return [...by.values()];
}

// ---------- rendering ----------
function render() {
  renderCrumbs();
  renderKpis();
  renderTrend();
  renderCategories();
  renderUnits();
  renderExports();
}

// The breadcrumb: from the top the caller may see down to the unit shown.
function renderCrumbs() {
  const ol = $('crumbs-list');
  ol.replaceChildren();
  const chain = [];
  const current = S.drill?.unit?.id || S.filter.unit;
  const seen = new Set();
  for (let id = current; id && !seen.has(id); id = picker.byId.get(id)?.parent_id) {
    seen.add(id);
    const u = picker.byId.get(id) || (id === S.drill?.unit?.id ? S.drill.unit : null);
    if (!u) break;
    chain.unshift({ id, name: u.name });
  }
  const visible = chain.filter((c, i) => i === chain.length - 1 || mayOpen(c.id));
  // "All my units" only means something above several units of one's own (a manager of two
  // units, say); for those who see everything it is the group's root, already in the chain.
  const all = { id: '', name: t('desk.allunits') };
  const several = !S.me?.can?.read_costs && (S.me?.managed_units || []).length > 1;
  const items = !visible.length ? [all] : several ? [all, ...visible] : visible;
  items.forEach((c, i) => {
    const li = document.createElement('li');
    if (i === items.length - 1) {
      const span = document.createElement('span');
      span.setAttribute('aria-current', 'location');
      span.textContent = c.name;
      li.append(span);
    } else {
      const a = document.createElement('a');
      a.href = deskHref({ ...S.filter, unit: c.id });
      a.textContent = c.name;
      a.addEventListener('click', (ev) => {
        ev.preventDefault();
        drillTo(c.id, c.name);
      });
      li.append(a);
    }
    ol.append(li);
  });
}

// Whether the caller may see a unit's costs (an ancestor in the breadcrumb): those who see
// everything may; others their managed units' subtrees, or the parent the API names.
function mayOpen(id) {
  if (S.me?.can?.read_costs) return true;
  if (S.drill?.parent?.id === id) return true;
  const managed = new Set((S.me?.managed_units || []).map((u) => u.id));
  const seen = new Set();
  for (let u = id; u && !seen.has(u); u = picker.byId.get(u)?.parent_id) {
    if (managed.has(u)) return true;
    seen.add(u);
  }
  return false;
}

function renderKpis() {
  const tot = S.trend.total;
  $('kpi-heading').textContent = t('desk.kpi.h', { unit: unitName(), range: rangeText() });
  const dl = $('kpis');
  dl.replaceChildren();
  const add = (key, value, cls) => {
    const div = document.createElement('div');
    div.className = `kpi ${cls || ''}`.trim();
    const dt = document.createElement('dt');
    dt.textContent = t(key);
    const dd = document.createElement('dd');
    dd.textContent = value;
    div.append(dt, dd);
    dl.append(div);
  };
  add('desk.kpi.net', kr(tot.net_ore), 'kpi-main');
  add('desk.kpi.cost', kr(tot.cost_ore));
  add('desk.kpi.recovery', kr(tot.recovery_ore));
  add('desk.kpi.prev', kr(tot.previous_year.net_ore));
  add('desk.kpi.change', change(tot.change_ore, tot.change_basis_points));
}

function renderTrend() {
  const v = S.trend;
  const pts = v.points;
  const biggest = pts.reduce((m, p) => (m === null || p.net_ore > m.net_ore ? p : m), null);
  const tot = v.total;
  const parts = [
    t('desk.trend.sum', { range: rangeText(), net: kr(tot.net_ore), cost: kr(tot.cost_ore), rec: kr(tot.recovery_ore) }),
    t('desk.trend.sum.prev', { prev: kr(tot.previous_year.net_ore), change: change(tot.change_ore, tot.change_basis_points) }),
  ];
  if (biggest && biggest.net_ore > 0) parts.push(t('desk.trend.sum.max', { period: biggest.label, net: kr(biggest.net_ore) }));
  $('trend-summary').textContent = parts.join(' ');
  legend($('trend-legend'), [
    ['now', t('desk.legend.net')],
    ['rec', t('desk.legend.rec')],
    ['prev', t('desk.legend.prev')],
  ]);
  const box = $('trend-chart');
  const data = pts.map((p, i) => ({
    label: p.label,
    short: periodShort(v.period, p, i),
    net: p.net_ore,
    recovery: p.recovery_ore,
    prev: p.previous_year.net_ore,
    src: p,
  }));
  mount(
    box,
    periodChart({
      width: chartWidth(box),
      points: data,
      axis: krAxis,
      labelledBy: 'trend-heading trend-summary',
      tip: (p, s) =>
        s === 'now'
          ? `${p.label}: ${t('desk.col.net')} ${kr(p.net)}`
          : s === 'rec'
            ? `${p.label}: ${t('desk.col.recovery')} ${kr(p.recovery)}`
            : `${p.src.previous_year.period}: ${t('desk.col.net')} ${kr(p.prev)}`,
    }),
  );
  const table = $('trend-table');
  head(table, ['desk.col.period', 'desk.col.num.cost', 'desk.col.num.recovery', 'desk.col.num.net', 'desk.col.num.cases', 'desk.col.num.prev', 'desk.col.num.change', 'desk.col.num.changepct']);
  const body = table.tBodies[0];
  body.replaceChildren();
  for (const p of pts) {
    const tr = document.createElement('tr');
    cell(tr, p.label, { th: true });
    cell(tr, kr(p.cost_ore), { num: true });
    cell(tr, kr(p.recovery_ore), { num: true });
    cell(tr, kr(p.net_ore), { num: true });
    cell(tr, String(p.cases), { num: true });
    cell(tr, kr(p.previous_year.net_ore), { num: true });
    cell(tr, kr(p.previous_year.change_ore, { sign: true }), { num: true });
    cell(tr, p.previous_year.change_basis_points === null ? '–' : fmtPct(p.previous_year.change_basis_points, { sign: true }), { num: true });
    body.append(tr);
  }
  const tr = document.createElement('tr');
  tr.className = 'total-row';
  cell(tr, t('desk.total'), { th: true });
  cell(tr, kr(tot.cost_ore), { num: true });
  cell(tr, kr(tot.recovery_ore), { num: true });
  cell(tr, kr(tot.net_ore), { num: true });
  cell(tr, '', { num: true });
  cell(tr, kr(tot.previous_year.net_ore), { num: true });
  cell(tr, kr(tot.change_ore, { sign: true }), { num: true });
  cell(tr, tot.change_basis_points === null ? '–' : fmtPct(tot.change_basis_points, { sign: true }), { num: true });
  body.append(tr);
}

function renderCategories() {
  const groups = sumGroups(S.trend).map((g) => {
    const rec = g.direction === 'recovery';
    return { ...g, rec, amount: rec ? g.recovery : g.cost, prevAmount: rec ? g.prevRecovery : g.prevCost };
  });
  groups.sort((a, b) => Number(a.rec) - Number(b.rec) || b.amount - a.amount);
  const costs = groups.filter((g) => !g.rec && g.amount > 0);
  const total = costs.reduce((s, g) => s + g.amount, 0);
  const top = costs[0];
  $('cat-summary').textContent = !groups.length
    ? t('desk.none')
    : [
        top ? t('desk.cat.sum', { cat: top.label, amount: kr(top.amount), share: fmtPct(Math.round((top.amount * 10000) / Math.max(total, 1))) }) : '',
        t('desk.cat.sum.n', { n: costs.length }),
      ]
        .filter(Boolean)
        .join(' ');
  legend($('cat-legend'), [
    ['now', t('desk.legend.cost')],
    ['rec', t('desk.legend.recovery')],
    ['prev', t('desk.legend.prevamount')],
  ]);
  const box = $('cat-chart');
  if (groups.length) {
    mount(
      box,
      rowChart({
        width: chartWidth(box),
        labelledBy: 'cat-heading cat-summary',
        rows: groups.map((g) => ({
          label: g.rec ? `${g.label} (${t('desk.recovery.short')})` : g.label,
          value: g.amount,
          prev: g.prevAmount,
          series: g.rec ? 'rec' : 'now',
          valueText: kr(g.amount),
        })),
      }),
    );
  } else box.replaceChildren();
  const table = $('cat-table');
  head(table, ['desk.col.category', 'desk.col.direction', 'desk.col.num.amount', 'desk.col.num.prevamount', 'desk.col.num.change']);
  const body = table.tBodies[0];
  body.replaceChildren();
  for (const g of groups) {
    const tr = document.createElement('tr');
    cell(tr, g.label, { th: true });
    cell(tr, t(g.rec ? 'desk.dir.recovery' : 'desk.dir.cost'));
    cell(tr, kr(g.amount), { num: true });
    cell(tr, kr(g.prevAmount), { num: true });
    cell(tr, kr(g.amount - g.prevAmount, { sign: true }), { num: true });
    body.append(tr);
  }
  if (!groups.length) emptyRow(table, 5, 'desk.none');
}

function hasChildren(id) {
  for (const u of picker.byId.values()) if (u.parent_id === id) return true;
  return false;
}

function renderUnits() {
  const v = S.drill;
  const here = v.unit?.name || t('desk.allunits');
  $('units-heading').textContent = t('desk.units.h.in', { unit: here });
  $('units-caption').textContent = t('desk.units.caption', { unit: here });
  const groups = sumGroups(v);
  groups.sort((a, b) => Number(a.own) - Number(b.own) || b.net - a.net);
  const children = groups.filter((g) => !g.own);
  const total = groups.reduce((s, g) => s + g.net, 0);
  const top = children[0];
  const noChildren = v.unit && !hasChildren(v.unit.id);
  $('units-hint').hidden = noChildren || !children.length;
  $('units-summary').textContent = noChildren
    ? t('desk.units.leaf', { unit: here })
    : !groups.length
      ? t('desk.none')
      : top
        ? t('desk.units.sum', { unit: top.label, net: kr(top.net), total: kr(total), n: children.length })
        : t('desk.none');
  legend($('units-legend'), [
    ['now', t('desk.legend.unitnet')],
    ['prev', t('desk.legend.prev')],
  ]);
  const box = $('units-chart');
  if (groups.length) {
    mount(
      box,
      rowChart({
        width: chartWidth(box),
        labelledBy: 'units-heading units-summary',
        rows: groups.map((g) => ({
          label: g.label,
          value: g.net,
          prev: g.prev,
          series: 'now',
          valueText: kr(g.net),
          href: g.own ? null : deskHref({ ...S.filter, unit: g.key }),
          describedBy: 'units-hint',
          key: g.key,
        })),
        onPick: (r) => drillTo(r.key, r.label),
      }),
    );
  } else box.replaceChildren();
  const table = $('units-table');
  head(table, ['desk.col.unit', 'desk.col.num.cost', 'desk.col.num.recovery', 'desk.col.num.net', 'desk.col.num.prev', 'desk.col.num.change']);
  const body = table.tBodies[0];
  body.replaceChildren();
  for (const g of groups) {
    const tr = document.createElement('tr');
    let name = g.label;
    if (!g.own) {
      const a = document.createElement('a');
      a.href = deskHref({ ...S.filter, unit: g.key });
      a.textContent = g.label;
      a.addEventListener('click', (ev) => {
        ev.preventDefault();
        drillTo(g.key, g.label);
      });
      name = a;
    }
    cell(tr, name, { th: true });
    cell(tr, kr(g.cost), { num: true });
    cell(tr, kr(g.recovery), { num: true });
    cell(tr, kr(g.net), { num: true });
    cell(tr, kr(g.prev), { num: true });
    cell(tr, kr(g.net - g.prev, { sign: true }), { num: true });
    body.append(tr);
  }
  if (!groups.length) emptyRow(table, 6, 'desk.none');
}

async function drillTo(unit, name) {
  await navigate({ ...S.filter, unit });
  // The links that were activated are gone; the unit's section is where the reader was.
  $('units-heading').focus();
  $('desk-status').textContent = t('desk.drilled', { unit: name || unitName() });
}

function caseLink(c) {
  const a = document.createElement('a');
  a.href = `/ekonomi/cases/${encodeURIComponent(c.id)}`;
  a.textContent = c.title || c.id;
  return a;
}

function renderCases() {
  const table = $('cases-table');
  $('cases-caption').textContent = t('desk.cases.caption', { what: scopeText() });
  head(table, ['desk.col.case', 'desk.col.unit', 'desk.col.date', 'desk.col.status', 'desk.col.num.cost', 'desk.col.num.recovery', 'desk.col.num.net', 'desk.col.claim']);
  const body = table.tBodies[0];
  body.replaceChildren();
  for (const i of S.cases.items) {
    const tr = document.createElement('tr');
    cell(tr, caseLink(i.case), { th: true });
    cell(tr, i.case.unit.name);
    cell(tr, i.case.occurred_on, { cls: 'nowrap' });
    cell(tr, i.case.status_label);
    cell(tr, kr(i.cost_ore), { num: true });
    cell(tr, kr(i.recovery_ore), { num: true });
    cell(tr, kr(i.net_ore), { num: true });
    cell(tr, i.claim_state === 'none' ? '–' : i.claim_state_label);
    body.append(tr);
  }
  if (!S.cases.items.length) emptyRow(table, 8, 'desk.cases.none');
  $('cases-more').hidden = !S.cases.next;
}

function renderClaims() {
  $('sec-claims').hidden = !S.claims.allowed;
  if (!S.claims.allowed) return;
  const table = $('claims-table');
  $('claims-caption').textContent = t('desk.claims.caption', { unit: unitName() });
  head(table, ['desk.col.case', 'desk.col.insurer', 'desk.col.claimno', 'desk.col.status', 'desk.col.num.expected', 'desk.col.num.recovered', 'desk.col.num.outstanding', 'desk.col.updated']);
  const body = table.tBodies[0];
  body.replaceChildren();
  for (const i of S.claims.items) {
    const tr = document.createElement('tr');
    cell(tr, caseLink(i.case), { th: true });
    cell(tr, i.claim.insurer || '');
    cell(tr, i.claim.claim_number || '');
    cell(tr, i.claim.state_label);
    cell(tr, i.claim.expected_recovery_ore === null ? '–' : kr(i.claim.expected_recovery_ore), { num: true });
    cell(tr, kr(i.recovered_ore), { num: true });
    cell(tr, i.outstanding_ore === null ? '–' : kr(i.outstanding_ore), { num: true });
    cell(tr, stampText(i.claim.updated_at), { cls: 'nowrap' });
    body.append(tr);
  }
  if (!S.claims.items.length) emptyRow(table, 8, 'desk.claims.none');
  $('claims-more').hidden = !S.claims.next;
}

// ---------- exports ----------
const EXPORTS = {
  trend: { path: '/costs/trends', extra: { group_by: 'none' }, what: 'desk.trend.h' },
  category: { path: '/costs/trends', extra: { group_by: 'category' }, what: 'desk.cat.h' },
  unit: { path: '/costs/trends', extra: { group_by: 'unit' }, what: 'desk.units.h' },
  cases: { path: '/costs/cases', extra: {}, what: 'desk.cases.h' },
};

function exportUrl(name, format) {
  const e = EXPORTS[name];
  const f = { ...S.filter, from: S.range.from, to: S.range.to };
  if (name === 'cases') delete f.period;
  return `${e.path}?${params(f, { ...e.extra, format })}`;
}

function renderExports() {
  for (const p of document.querySelectorAll('.exports[data-export]')) {
    const name = p.dataset.export;
    p.replaceChildren();
    for (const format of ['csv', 'xlsx']) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'button button-secondary';
      b.dataset.format = format;
      b.append(t(`desk.export.${format}`));
      const hidden = document.createElement('span');
      hidden.className = 'visually-hidden';
      hidden.textContent = `: ${t(EXPORTS[name].what)}`;
      b.append(hidden);
      b.addEventListener('click', () => download(b, name, format));
      p.append(b, ' ');
    }
    const note = document.createElement('span');
    note.className = 'hint export-note';
    note.textContent = t(name === 'cases' ? 'desk.export.note.cases' : name === 'trend' ? 'desk.export.note.trend' : 'desk.export.note.groups');
    p.append(note);
  }
}

// Fetched rather than linked, so a refusal (a too large export, an ended session) is shown
// on the page instead of being saved as a file.
async function download(button, name, format) {
  button.disabled = true;
  let res = null;
  try {
    res = await fetch(`/api/v1${exportUrl(name, format)}`, { credentials: 'same-origin', cache: 'no-store' });
  } catch {
    res = null;
  }
  button.disabled = false;
  if (!res || !res.ok) {
    let json = null;
    try {
      json = res ? await res.json() : null;
    } catch {
      json = null;
    }
    errors.show(answerErrors({ status: res ? res.status : 0, json }, 'desk.export.failed'));
    return;
  }
  const blob = await res.blob();
  const file = /filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') || '')?.[1] || `tillbud.${format}`;
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = file;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  $('desk-status').textContent = t('desk.export.done', { file });
}

// ---------- events ----------
$('filters').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const f = snap({
    period: $('f-period').value,
    from: $('f-from').value,
    to: $('f-to').value,
    unit: picker.value,
    basis: $('f-basis').value,
  });
  if ($('f-unit').value.trim() && !picker.value) {
    errors.show([{ field: 'unit', text: t('desk.err.unit') }]);
    return;
  }
  navigate(f);
});
$('cases-more').addEventListener('click', () => loadCases(true));
$('claims-more').addEventListener('click', () => loadClaims(true));
window.addEventListener('popstate', () => {
  readAddress();
  load();
});

let resizeTimer = 0;
let lastWidth = 0;
const observer = new ResizeObserver(() => {
  const w = $('trend-chart').clientWidth;
  if (!S.trend || Math.abs(w - lastWidth) < 8) return;
  lastWidth = w;
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => {
    renderTrend();
    renderCategories();
    renderUnits();
  }, 120);
});

onLangChange(() => {
  errors.rerender();
  // Labels of periods, categories and states come from the server in the chosen language.
  if (S.trend) load();
});

async function start() {
  readAddress();
  S.me = await loadMe();
  if (!S.me) return;
  setupStaffHeader(S.me);
  if (S.me.failed) {
    problem('desk.failed.h', t('err.server'));
    return;
  }
  if (!mayReadCosts(S.me)) {
    problem('desk.forbidden.h', t('desk.forbidden.p'));
    return;
  }
  S.claims.allowed = mayHandleClaims(S.me);
  await picker.load();
  onlyOwnUnits();
  await load();
  lastWidth = $('trend-chart').clientWidth;
  observer.observe($('trend-chart'));
}

// A manager picks among the units they may see; finance and coordinators among all.
function onlyOwnUnits() {
  if (S.me.can?.read_costs || S.me.roles?.includes('finance')) return;
  const managed = new Set((S.me.managed_units || []).map((u) => u.id));
  const within = (id) => {
    const seen = new Set();
    for (let u = id; u && !seen.has(u); u = picker.byId.get(u)?.parent_id) {
      if (managed.has(u)) return true;
      seen.add(u);
    }
    return false;
  };
  picker.units = picker.units.filter((u) => within(u.id));
}

start();
