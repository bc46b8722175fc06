// /uppfoljning/{år}: the yearly follow-up as a printable document. One request to
// /api/v1/reports/yearly (which decides what the caller sees: coordinators the group,
// managers their subtree, finance the costs); every chart has its table and a sentence that
// says what it shows. Printing (or "save as PDF") gives an A4 document, one section a page.
import { addMessages, initPage, t, lang, onLangChange, fmtDate } from './i18n.js';
import { kr } from './costs-i18n.js';
import { barChart, table, node } from './bars.js';

addMessages({
  enStatic: {
    'yr.doctitle': 'Yearly follow-up – Tillbud',
    'yr.service': 'Tillbud – follow-up',
    'yr.loading': 'Fetching the follow-up …',
    'yr.year': 'Year',
    'yr.show': 'Show',
    'yr.print': 'Print or save as PDF',
    'yr.csv': 'Download the figures (CSV for Excel)',
    'yr.toc': 'Contents',
    'yr.public': 'Open statistics',
  },
  sv: {
    title: 'Uppföljning av säkerhetsarbetet {year}',
    unit: 'Enhet',
    period: 'Period',
    previous: 'Jämförs med',
    generated: 'Framtagen',
    asof: 'Månadssiffror beräknade',
    forbidden: 'Du har inte tillgång till uppföljningen',
    failed: 'Uppföljningen kunde inte hämtas',
    's.vision': 'Visionen: noll är målet',
    's.reporting': 'Rapporteringskultur',
    's.handling': 'Hantering',
    's.duties': 'Anmälningar till myndigheter',
    's.actions': 'Åtgärder',
    's.costs': 'Skadekostnader',
    's.children': 'Per förvaltning, bolag och enhet',
    'v.deaths': 'Omkomna',
    'v.serious_injuries': 'Allvarligt skadade',
    'v.serious_environmental_damage': 'Allvarliga miljöskador',
    'v.large_losses': 'Stora förluster av kultur- eller ekonomiska värden',
    'v.extraordinary_events': 'Extraordinära händelser',
    'v.lead': 'Policyns vision är att ingen människa ska omkomma eller skada sig allvarligt, att inga allvarliga miljöskador ska uppstå och att inga stora kultur- eller ekonomiska värden ska gå förlorade. Stor förlust: nettokostnad på minst {kr}.',
    'v.caption': 'Händelser mot visionen, med ärenden',
    line: 'Visionens linje',
    cases: 'Ärenden',
    reports: 'Rapporter',
    'r.chart': 'Rapporter per månad',
    'r.sentence': 'Diagrammet visar hur många händelser som rapporterades varje månad under perioden.',
    'r.kind.caption': 'Rapporter per slag, perioden och året före',
    'r.cons.caption': 'Rapporter per konsekvensområde',
    'r.month.caption': 'Rapporter per månad',
    'r.ratio': 'Tillbud och riskobservationer per olycka',
    'r.per100': 'Rapporter per 100 anställda',
    month: 'Månad',
    kind: 'Slag',
    area: 'Område',
    'h.cases': 'Ärenden under perioden',
    'h.median': 'Tid till kvittens, median',
    'h.p90': 'Tid till kvittens, 90:e percentilen',
    'h.within': 'Kvitterade inom tidsgränsen',
    'h.deadlines': 'Tidsgräns: {h} timmar för allvarliga händelser, {d} arbetsdagar för övriga.',
    'h.escalated': 'Eskalerade',
    'h.closed': 'Avslutade',
    'h.open': 'Öppna vid periodens slut',
    'h.openage': 'Öppna ärendens ålder',
    'h.days': 'Dagar',
    'h.matrix': 'Riskbedömningar: sannolikhet (rader) × konsekvens (kolumner)',
    'h.likelihood': 'Sannolikhet {n}',
    'h.consequence': 'Konsekvens {n}',
    'h.unrated': 'Utan riskbedömning: {n}',
    'h.causes': 'Vanligaste orsakskategorierna',
    'h.cause': 'Orsak',
    'h.unclassified': '(ej klassad)',
    'd.caption': 'Anmälningar till Arbetsmiljöverket (inom 24 timmar) och Försäkringskassan',
    'd.who': 'Myndighet',
    'd.due': 'Skulle anmälas',
    'd.on_time': 'I tid',
    'd.late': 'Sent',
    'd.open': 'Inte anmält',
    arbetsmiljoverket: 'Arbetsmiljöverket',
    forsakringskassan: 'Försäkringskassan',
    'a.caption': 'Åtgärder som skapades under perioden, och var de står nu',
    'a.state': 'Läge',
    'a.created': 'Skapade',
    'a.planned': 'Planerade',
    'a.in_progress': 'Pågår',
    'a.done': 'Utförda',
    'a.verified': 'Verifierade',
    'a.cancelled': 'Avbrutna',
    'a.bydue': 'Utförda senast förfallodagen',
    'a.overdue': 'Försenade vid periodens slut',
    'c.chart': 'Nettokostnad per kategori, perioden och året före',
    'c.sentence': 'Diagrammet visar nettokostnaden (kostnad minus försäkringsersättning) per kategori; den grå stapeln är samma period året före.',
    'c.cat.caption': 'Kostnader per kategori',
    'c.unit.caption': 'Kostnader per enhet',
    'c.category': 'Kategori',
    'c.cost': 'Kostnad',
    'c.recovery': 'Återvunnet',
    'c.net': 'Netto',
    'c.prev': 'Netto året före',
    'c.total': 'Totalt',
    own: '{name} (egna ärenden)',
    'u.caption': 'Nyckeltal per enhet',
    'u.unit': 'Enhet',
    'u.accidents': 'Olyckor',
    'u.proactive': 'Tillbud och riskobs.',
    'u.within': 'Kvitterade i tid',
    'u.open': 'Öppna',
    'u.av': 'AV-anmälningspliktiga',
    'u.overdue': 'Försenade åtgärder',
    'u.per100': 'Per 100 anställda',
    now: 'Perioden',
    prev: 'Året före',
    min: '{n} min',
    hours: '{n} tim',
    none: '–',
  },
  en: {
    title: 'Follow-up of the safety work {year}',
    unit: 'Unit',
    period: 'Period',
    previous: 'Compared with',
    generated: 'Produced',
    asof: 'Monthly figures computed',
    forbidden: 'You have no access to the follow-up',
    failed: 'The follow-up could not be fetched',
    's.vision': 'The vision: zero is the goal',
    's.reporting': 'Reporting culture',
    's.handling': 'Handling',
    's.duties': 'Reports to the authorities',
    's.actions': 'Corrective actions',
    's.costs': 'Damage costs',
    's.children': 'Per administration, company and unit',
    'v.deaths': 'Deaths',
    'v.serious_injuries': 'Serious injuries',
    'v.serious_environmental_damage': 'Serious environmental damage',
    'v.large_losses': 'Large losses of cultural or economic value',
    'v.extraordinary_events': 'Extraordinary events',
    'v.lead': 'The policy’s vision: no one is killed or seriously injured, no serious environmental damage, no large cultural or economic values lost. A large loss: a net cost of at least {kr}.',
    'v.caption': 'Events against the vision, with cases',
    line: 'Vision line',
    cases: 'Cases',
    reports: 'Reports',
    'r.chart': 'Reports per month',
    'r.sentence': 'The chart shows how many events were reported each month of the period.',
    'r.kind.caption': 'Reports by kind, the period and the year before',
    'r.cons.caption': 'Reports by consequence area',
    'r.month.caption': 'Reports per month',
    'r.ratio': 'Near-misses and risk observations per accident',
    'r.per100': 'Reports per 100 employees',
    month: 'Month',
    kind: 'Kind',
    area: 'Area',
    'h.cases': 'Cases in the period',
    'h.median': 'Time to acknowledge, median',
    'h.p90': 'Time to acknowledge, 90th percentile',
    'h.within': 'Acknowledged within the deadline',
    'h.deadlines': 'Deadline: {h} hours for serious events, {d} working days for others.',
    'h.escalated': 'Escalated',
    'h.closed': 'Closed',
    'h.open': 'Open at the end of the period',
    'h.openage': 'Age of open cases',
    'h.days': 'Days',
    'h.matrix': 'Risk ratings: likelihood (rows) × consequence (columns)',
    'h.likelihood': 'Likelihood {n}',
    'h.consequence': 'Consequence {n}',
    'h.unrated': 'Not rated: {n}',
    'h.causes': 'Most common cause categories',
    'h.cause': 'Cause',
    'h.unclassified': '(not classified)',
    'd.caption': 'Reports to Arbetsmiljöverket (within 24 hours) and Försäkringskassan',
    'd.who': 'Authority',
    'd.due': 'Due',
    'd.on_time': 'On time',
    'd.late': 'Late',
    'd.open': 'Not reported',
    arbetsmiljoverket: 'Swedish Work Environment Authority',
    forsakringskassan: 'Swedish Social Insurance Agency',
    'a.caption': 'Actions created in the period, and where they are now',
    'a.state': 'State',
    'a.created': 'Created',
    'a.planned': 'Planned',
    'a.in_progress': 'In progress',
    'a.done': 'Done',
    'a.verified': 'Verified',
    'a.cancelled': 'Cancelled',
    'a.bydue': 'Done by the due date',
    'a.overdue': 'Overdue at the end of the period',
    'c.chart': 'Net cost by category, the period and the year before',
    'c.sentence': 'The chart shows the net cost (cost minus insurance payments) by category; the grey bar is the same period a year earlier.',
    'c.cat.caption': 'Costs by category',
    'c.unit.caption': 'Costs by unit',
    'c.category': 'Category',
    'c.cost': 'Cost',
    'c.recovery': 'Recovered',
    'c.net': 'Net',
    'c.prev': 'Net the year before',
    'c.total': 'Total',
    own: '{name} (own cases)',
    'u.caption': 'Key figures per unit',
    'u.unit': 'Unit',
    'u.accidents': 'Accidents',
    'u.proactive': 'Near-misses and obs.',
    'u.within': 'Acknowledged in time',
    'u.open': 'Open',
    'u.av': 'Reportable to AV',
    'u.overdue': 'Overdue actions',
    'u.per100': 'Per 100 employees',
    now: 'The period',
    prev: 'The year before',
    min: '{n} min',
    hours: '{n} h',
    none: '–',
  },
});

const KINDS = {
  sv: { accident: 'Olycka', near_miss: 'Tillbud', risk_observation: 'Riskobservation', threat_violence: 'Hot och våld', work_illness: 'Arbetssjukdom', commuting_accident: 'Färdolycksfall', property_damage: 'Egendomsskada', environmental: 'Miljöhändelse', extraordinary_event: 'Extraordinär händelse', security: 'Säkerhet' },
  en: { accident: 'Accident', near_miss: 'Near-miss', risk_observation: 'Risk observation', threat_violence: 'Threat or violence', work_illness: 'Work-related illness', commuting_accident: 'Commuting accident', property_damage: 'Property damage', environmental: 'Environmental event', extraordinary_event: 'Extraordinary event', security: 'Security' },
};
const AREAS = {
  sv: { person: 'Människa', environment: 'Miljö', cultural: 'Kulturvärden', economic: 'Ekonomiska värden', service: 'Kommunal service' },
  en: { person: 'People', environment: 'Environment', cultural: 'Cultural values', economic: 'Economic values', service: 'Municipal service' },
};

initPage();

const $ = (id) => document.getElementById(id);
const num = (n) => (n === null || n === undefined ? t('none') : new Intl.NumberFormat(lang() === 'en' ? 'en-GB' : 'sv-SE').format(n));
const pct = (bp) => (bp === null || bp === undefined ? t('none') : `${new Intl.NumberFormat(lang() === 'en' ? 'en-GB' : 'sv-SE', { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(bp / 100)} %`);
const x100 = (v) => (v === null || v === undefined ? t('none') : new Intl.NumberFormat(lang() === 'en' ? 'en-GB' : 'sv-SE', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(v / 100));
const minutes = (m) => (m === null || m === undefined ? t('none') : m < 120 ? t('min', { n: m }) : t('hours', { n: Math.round(m / 60) }));
const monthName = (ym) => new Intl.DateTimeFormat(lang() === 'en' ? 'en-GB' : 'sv-SE', { month: 'short', timeZone: 'UTC' }).format(new Date(`${ym}-01T00:00:00Z`));

function yearOfPath() {
  const m = /^\/uppfoljning\/(\d{4})$/.exec(location.pathname);
  return m ? Number(m[1]) : new Date().getFullYear();
}
const YEAR = yearOfPath();
const UNIT = /^[0-9a-f-]{36}$/i.test(new URLSearchParams(location.search).get('unit') || '') ? new URLSearchParams(location.search).get('unit') : '';

function query(extra = {}) {
  const q = new URLSearchParams({ year: String(YEAR), ...extra });
  if (UNIT) q.set('unit', UNIT);
  return q.toString();
}

function figures(pairs) {
  const dl = node('dl', undefined, 'figures');
  for (const [label, value] of pairs) {
    const div = node('div', undefined, 'figure');
    div.append(node('dt', label), node('dd', value));
    dl.append(div);
  }
  return dl;
}

function section(id, title, parts) {
  const s = node('section', undefined, 'report-section');
  s.id = id;
  s.setAttribute('aria-labelledby', `${id}-h`);
  const h = node('h2', title);
  h.id = `${id}-h`;
  s.append(h, ...parts.filter(Boolean));
  return s;
}

function vision(r) {
  const c = r.cases;
  return section('vision', t('s.vision'), [
    node('p', t('v.lead', { kr: kr(r.costs?.large_loss_threshold_ore ?? 0) })),
    table({
      caption: t('v.caption'),
      head: [t('line'), t('now'), t('prev'), t('cases')],
      rows: c.vision.map((v) => [t(`v.${v.line}`), num(v.count), num(v.previous), v.cases.join(', ') || t('none')]),
    }),
  ]);
}

function reporting(r) {
  const rep = r.cases.reporting;
  const perMonth = rep.months.map((m, i) => rep.by_kind.reduce((s, k) => s + k.months[i], 0));
  const L = lang();
  return section('reporting', t('s.reporting'), [
    figures([
      [t('reports'), `${num(rep.reports)} (${t('prev').toLowerCase()} ${num(rep.previous_reports)})`],
      [t('r.ratio'), x100(rep.proactive_per_accident_x100)],
      [t('r.per100'), x100(rep.per_100_employees_x100)],
    ]),
    node('p', r.reporting_note),
    node('h3', t('r.chart')),
    barChart({
      items: rep.months.map((m, i) => ({ label: monthName(m), value: perMonth[i], text: num(perMonth[i]) })),
      title: t('r.chart'),
      desc: t('r.sentence'),
    }),
    node('p', t('r.sentence'), 'chart-sentence'),
    table({ caption: t('r.month.caption'), head: [t('month'), t('reports')], rows: rep.months.map((m, i) => [m, num(perMonth[i])]) }),
    table({
      caption: t('r.kind.caption'),
      head: [t('kind'), t('now'), t('prev')],
      rows: rep.by_kind.map((k) => [KINDS[L][k.key] || k.key, num(k.total), num(k.previous)]),
    }),
    table({
      caption: t('r.cons.caption'),
      head: [t('area'), t('now'), t('prev')],
      rows: rep.by_consequence.map((k) => [AREAS[L][k.key] || k.key, num(k.total), num(k.previous)]),
    }),
  ]);
}

function handling(r) {
  const h = r.cases.handling;
  return section('handling', t('s.handling'), [
    figures([
      [t('h.cases'), num(h.cases)],
      [t('h.median'), minutes(h.ack_median_minutes)],
      [t('h.p90'), minutes(h.ack_p90_minutes)],
      [t('h.within'), pct(h.within_deadline_bp)],
      [t('h.escalated'), pct(h.escalated_bp)],
      [t('h.closed'), pct(h.closed_bp)],
      [t('h.open'), num(h.open_at_end)],
    ]),
    node('p', t('h.deadlines', { h: r.deadlines.serious_hours, d: r.deadlines.working_days })),
    table({ caption: t('h.openage'), head: [t('h.days'), t('cases')], rows: h.open_age.map((b) => [b.days, num(b.cases)]) }),
    table({
      caption: t('h.matrix'),
      head: ['', 1, 2, 3, 4].map((n) => (n ? t('h.consequence', { n }) : '')),
      rows: [3, 2, 1, 0].map((l) => [t('h.likelihood', { n: l + 1 }), ...h.risk_matrix[l].map(num)]),
    }),
    node('p', t('h.unrated', { n: num(h.unrated) })),
    table({
      caption: t('h.causes'),
      head: [t('h.cause'), t('cases')],
      rows: h.top_causes.map((c) => [c.category || t('h.unclassified'), num(c.cases)]),
    }),
  ]);
}

function duties(r) {
  return section('duties', t('s.duties'), [
    table({
      caption: t('d.caption'),
      head: [t('d.who'), t('d.due'), t('d.on_time'), t('d.late'), t('d.open')],
      rows: r.cases.duties.map((d) => [t(d.authority), num(d.due), num(d.on_time), num(d.late), num(d.open)]),
    }),
  ]);
}

function actions(r) {
  const a = r.cases.actions;
  return section('actions', t('s.actions'), [
    figures([
      [t('a.bydue'), pct(a.done_by_due_bp)],
      [t('a.overdue'), num(a.overdue_at_end)],
    ]),
    table({
      caption: t('a.caption'),
      head: [t('a.state'), t('cases')],
      rows: ['created', 'planned', 'in_progress', 'done', 'verified', 'cancelled'].map((k) => [t(`a.${k}`), num(a[k])]),
    }),
  ]);
}

function unitName(u, own) {
  return own ? t('own', { name: u.name }) : u.name;
}

function costs(r) {
  const c = r.costs;
  const money = (m) => [kr(m.cost_ore), kr(m.recovery_ore), kr(m.net_ore), kr(m.previous_net_ore)];
  const head = (first) => [first, t('c.cost'), t('c.recovery'), t('c.net'), t('c.prev')];
  return section('costs', t('s.costs'), [
    figures([
      [t('c.net'), kr(c.total.net_ore)],
      [t('c.prev'), kr(c.total.previous_net_ore)],
    ]),
    node('h3', t('c.chart')),
    barChart({
      items: c.by_category.map((k) => ({ label: k.category, value: Math.max(0, k.net_ore), prev: Math.max(0, k.previous_net_ore), text: kr(k.net_ore), prevText: '' })),
      title: t('c.chart'),
      desc: t('c.sentence'),
    }),
    node('p', t('c.sentence'), 'chart-sentence'),
    table({ caption: t('c.cat.caption'), head: head(t('c.category')), rows: [...c.by_category.map((k) => [k.category, ...money(k)]), [t('c.total'), ...money(c.total)]] }),
    table({ caption: t('c.unit.caption'), head: head(t('u.unit')), rows: c.by_unit.map((u) => [unitName(u.unit, u.own), ...money(u)]) }),
  ]);
}

function children(r) {
  return section('children', t('s.children'), [
    table({
      caption: t('u.caption'),
      head: [t('u.unit'), t('reports'), t('u.accidents'), t('u.proactive'), t('u.within'), t('u.open'), t('u.av'), t('u.overdue'), t('u.per100')],
      rows: r.cases.children.map((u) => [
        unitName(u.unit, u.own),
        num(u.reports),
        num(u.accidents),
        num(u.near_misses_and_observations),
        pct(u.within_deadline_bp),
        num(u.open_at_end),
        num(u.av_due),
        num(u.overdue_actions),
        x100(u.per_100_employees_x100),
      ]),
    }),
  ]);
}

function meta(r) {
  const dl = $('yr-meta');
  dl.replaceChildren();
  const add = (k, v) => dl.append(node('dt', k), node('dd', v));
  add(t('unit'), r.unit.name);
  add(t('period'), `${r.period.from} – ${r.period.to}`);
  add(t('previous'), `${r.period.previous_from} – ${r.period.previous_to}`);
  add(t('generated'), fmtDate(r.generated_at));
  if (r.rollup_at) add(t('asof'), fmtDate(r.rollup_at));
}

function render(r) {
  $('yr-municipality').textContent = r.municipality;
  $('yr-title').textContent = t('title', { year: YEAR });
  document.title = `${t('title', { year: YEAR })} – ${r.unit.name}`;
  meta(r);
  $('yr-year').value = String(YEAR);
  $('yr-csv').href = `/api/v1/reports/yearly?${query({ format: 'csv' })}`;
  const parts = [];
  if (r.cases) parts.push(vision(r), reporting(r), handling(r), duties(r), actions(r));
  if (r.costs) parts.push(costs(r));
  if (r.cases) parts.push(children(r));
  $('sections').replaceChildren(...parts);
  const toc = $('toc');
  toc.replaceChildren(...parts.map((s) => {
    const li = node('li');
    const a = node('a', s.querySelector('h2').textContent);
    a.href = `#${s.id}`;
    li.append(a);
    return li;
  }));
  $('report').hidden = false;
  document.body.dataset.ready = 'true';
}

function problem(title, text) {
  $('yr-problem-heading').textContent = title;
  $('yr-problem-text').textContent = text || '';
  $('yr-problem').hidden = false;
  $('report').hidden = true;
  $('yr-problem-heading').focus();
  document.body.dataset.ready = 'true';
}

async function load() {
  let res;
  try {
    res = await fetch(`/api/v1/reports/yearly?${query()}`, {
      headers: { Accept: 'application/json, application/problem+json', 'Accept-Language': lang() },
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    res = null;
  }
  $('yr-loading').hidden = true;
  if (res && res.status === 401) {
    location.assign(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
    return;
  }
  const body = res ? await res.json().catch(() => null) : null;
  if (res && res.ok && body) {
    render(body);
  } else if (res && res.status === 403) {
    problem(t('forbidden'), body?.detail);
  } else {
    problem(t('failed'), body?.detail);
  }
}

$('yr-controls').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const y = $('yr-year').value.trim();
  if (/^\d{4}$/.test(y)) location.assign(`/uppfoljning/${y}${UNIT ? `?unit=${UNIT}` : ''}`);
});
$('yr-print').addEventListener('click', () => window.print());
onLangChange(() => load());
load();
