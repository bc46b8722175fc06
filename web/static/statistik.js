// /statistik: the open statistics for residents and journalists. No login; one request to
// /api/v1/public/statistics per year chosen. Every chart has a sentence saying what it shows
// and a table with its numbers; hidden cells read "< 5" or "x", as the API marks them.
import { addMessages, initPage, t, lang, onLangChange, fmtDate } from './i18n.js';
import { kr } from './costs-i18n.js';
import { barChart, table, node } from './bars.js';

addMessages({
  enStatic: {
    'st.doctitle': 'Open statistics on accidents and near-misses',
    'st.service': 'Tillbud – open statistics',
    'st.h1': 'Open statistics on accidents and near-misses',
    'st.lead': 'How many accidents, near-misses and other events are reported in the municipality’s administrations and companies, and how quickly they are dealt with. No personal data leaves the system.',
    'st.small': 'Small numbers are not shown: a count below the limit reads “< 5”. Sometimes another figure is hidden too and reads “x”, so that no one can work out a hidden number from the totals. A cost where a single case makes up nearly all of it is not shown either.',
    'st.loading': 'Fetching the statistics …',
    'st.year': 'Year',
    'st.report': 'Report an event',
  },
  sv: {
    licence: 'Licens',
    asof: 'Uppgifterna gäller',
    download: 'Ladda ner',
    failed: 'Statistiken kunde inte hämtas just nu. Försök igen om en stund.',
    'm.h': 'Rapporterade händelser per månad',
    'm.s': 'Diagrammet visar hur många händelser som rapporterades varje månad {year} i hela kommunkoncernen.',
    'k.h': 'Händelser per slag',
    'k.s': 'Diagrammet visar hur många händelser av varje slag som rapporterades {year}. Många rapporterade tillbud och riskobservationer är bra: då upptäcks risker innan någon skadas.',
    'u.h': 'Per förvaltning och bolag',
    'u.s': 'Tabellen visar hur många händelser varje förvaltning och bolag rapporterade {year}, och hur stor del som chefen tog emot inom tidsgränsen.',
    'av.h': 'Allvarliga händelser som ska anmälas till Arbetsmiljöverket',
    'av.s': 'Diagrammet visar hur många händelser per år som var så allvarliga att de ska anmälas till Arbetsmiljöverket.',
    'c.h': 'Kostnader för skador per år',
    'c.s': 'Diagrammet visar vad skadorna kostade kommunkoncernen per år, efter försäkringsersättningar.',
    month: 'Månad',
    kind: 'Slag',
    reports: 'Rapporter',
    unit: 'Förvaltning eller bolag',
    handled: 'Mottagna i tid',
    year: 'År',
    all: 'Hela koncernen',
    events: 'Händelser',
    cost: 'Nettokostnad',
  },
  en: {
    licence: 'Licence',
    asof: 'Figures as of',
    download: 'Download',
    failed: 'The statistics could not be fetched just now. Try again shortly.',
    'm.h': 'Reported events per month',
    'm.s': 'The chart shows how many events were reported each month of {year} in the whole municipal group.',
    'k.h': 'Events by kind',
    'k.s': 'The chart shows how many events of each kind were reported in {year}. Many reported near-misses and risk observations are good: risks are found before anyone is hurt.',
    'u.h': 'Per administration and company',
    'u.s': 'The table shows how many events each administration and company reported in {year}, and the share the manager acknowledged within the deadline.',
    'av.h': 'Serious events to be reported to the Work Environment Authority',
    'av.s': 'The chart shows how many events per year were serious enough to be reported to the Swedish Work Environment Authority.',
    'c.h': 'Cost of damage per year',
    'c.s': 'The chart shows what damage cost the municipal group per year, after insurance payments.',
    month: 'Month',
    kind: 'Kind',
    reports: 'Reports',
    unit: 'Administration or company',
    handled: 'Acknowledged in time',
    year: 'Year',
    all: 'The whole group',
    events: 'Events',
    cost: 'Net cost',
  },
});

const KINDS = {
  sv: { accident: 'Olycka', near_miss: 'Tillbud', risk_observation: 'Riskobservation', threat_violence: 'Hot och våld', work_illness: 'Arbetssjukdom', commuting_accident: 'Färdolycksfall', property_damage: 'Egendomsskada', environmental: 'Miljöhändelse', extraordinary_event: 'Extraordinär händelse', security: 'Säkerhet' },
  en: { accident: 'Accident', near_miss: 'Near-miss', risk_observation: 'Risk observation', threat_violence: 'Threat or violence', work_illness: 'Work-related illness', commuting_accident: 'Commuting accident', property_damage: 'Property damage', environmental: 'Environmental event', extraordinary_event: 'Extraordinary event', security: 'Security' },
};

initPage();
const $ = (id) => document.getElementById(id);
const fmt = (n) => new Intl.NumberFormat(lang() === 'en' ? 'en-GB' : 'sv-SE').format(n);
let data = null;

function shown(p, threshold, money = false) {
  if (p.value !== null && p.value !== undefined) return money ? kr(p.value) : fmt(p.value);
  return p.protected === 'small' ? `< ${threshold}` : 'x';
}

function section(id, title, sentence, parts) {
  const s = node('section', undefined, 'report-section');
  s.setAttribute('aria-labelledby', `${id}-h`);
  const h = node('h2', title);
  h.id = `${id}-h`;
  s.append(h, ...parts, node('p', sentence, 'chart-sentence'));
  return s;
}

function render() {
  const d = data;
  const th = d.threshold;
  const y = d.year;
  const cell = (rows, f) => rows.find(f);
  const total = (month, kind) => cell(d.reports, (c) => c.unit === null && c.month === month && c.kind === kind).reports;
  const months = [...new Set(d.reports.filter((c) => c.month).map((c) => c.month))].sort();
  const monthLabel = (ym) => new Intl.DateTimeFormat(lang() === 'en' ? 'en-GB' : 'sv-SE', { month: 'short', timeZone: 'UTC' }).format(new Date(`${ym}-01T00:00:00Z`));
  const perMonth = months.map((m) => ({ m, p: total(m, null) }));
  const kinds = Object.keys(KINDS.sv).map((k) => ({ k, p: total(null, k) }));
  const units = d.units;
  const yearsAv = d.years.map((yy) => ({ yy, p: cell(d.av_reportable, (c) => c.year === yy && c.unit === null).value }));
  const yearsCost = d.years.map((yy) => ({ yy, p: cell(d.net_cost, (c) => c.year === yy && c.unit === null).value }));
  const meta = $('st-meta');
  meta.replaceChildren(
    node('dt', t('licence')), node('dd', d.licence),
    node('dt', t('asof')), node('dd', fmtDate(d.data_as_of)),
    node('dt', t('download')),
  );
  const dl = node('dd');
  for (const [label, fmtq] of [['JSON', 'json'], ['CSV', 'csv']]) {
    const a = node('a', `${label} (${y})`);
    a.href = `/api/v1/public/statistics?year=${y}&format=${fmtq}`;
    dl.append(a, document.createTextNode(' '));
  }
  meta.append(dl);
  const L = lang();
  const bars = (items, title, desc) => barChart({ items, title, desc });
  $('st-sections').replaceChildren(
    section('st-m', t('m.h'), t('m.s', { year: y }), [
      bars(perMonth.map(({ m, p }) => ({ label: monthLabel(m), value: p.value, text: shown(p, th) })), t('m.h'), t('m.s', { year: y })),
      table({ caption: t('m.h'), head: [t('month'), t('reports')], rows: perMonth.map(({ m, p }) => [m, shown(p, th)]) }),
    ]),
    section('st-k', t('k.h'), t('k.s', { year: y }), [
      table({ caption: t('k.h'), head: [t('kind'), t('reports')], rows: kinds.map(({ k, p }) => [KINDS[L][k], shown(p, th)]) }),
    ]),
    section('st-u', t('u.h'), t('u.s', { year: y }), [
      table({
        caption: t('u.h'),
        head: [t('unit'), t('reports'), t('handled')],
        rows: [...units.map((u) => u.code), null].map((code) => {
          const p = cell(d.reports, (c) => c.unit === code && c.month === null && c.kind === null).reports;
          const h = cell(d.handled_within_deadline, (c) => c.unit === code);
          const share = h.share_bp === null ? (h.protected === 'small' ? `< ${th}` : 'x') : `${(h.share_bp / 100).toFixed(0)} %`;
          const name = code === null ? t('all') : units.find((u) => u.code === code).name;
          return [name, shown(p, th), share];
        }),
      }),
    ]),
    section('st-av', t('av.h'), t('av.s'), [
      bars(yearsAv.map(({ yy, p }) => ({ label: String(yy), value: p.value, text: shown(p, th) })), t('av.h'), t('av.s')),
      table({ caption: t('av.h'), head: [t('year'), t('events')], rows: yearsAv.map(({ yy, p }) => [String(yy), shown(p, th)]) }),
    ]),
    section('st-c', t('c.h'), t('c.s'), [
      bars(yearsCost.map(({ yy, p }) => ({ label: String(yy), value: p.value === null ? null : Math.max(0, p.value), text: shown(p, th, true) })), t('c.h'), t('c.s')),
      table({ caption: t('c.h'), head: [t('year'), t('cost')], rows: yearsCost.map(({ yy, p }) => [String(yy), shown(p, th, true)]) }),
    ]),
  );
  const sel = $('st-year');
  sel.replaceChildren(...[...d.years].reverse().map((yy) => {
    const o = node('option', String(yy));
    o.value = String(yy);
    o.selected = yy === y;
    return o;
  }));
  $('st').hidden = false;
  document.body.dataset.ready = 'true';
}

async function load(year) {
  const q = year ? `?year=${year}` : '';
  let res = null;
  try {
    res = await fetch(`/api/v1/public/statistics${q}`, { headers: { Accept: 'application/json', 'Accept-Language': lang() } });
  } catch {
    res = null;
  }
  $('st-loading').hidden = true;
  const body = res && res.ok ? await res.json().catch(() => null) : null;
  if (!body) {
    $('st-problem-text').textContent = t('failed');
    $('st-problem').hidden = false;
    document.body.dataset.ready = 'true';
    return;
  }
  data = body;
  render();
}

$('st-year').addEventListener('change', () => load($('st-year').value));
onLangChange(() => data && render());
load(new URLSearchParams(location.search).get('year'));
