// Texts of the finance desk (/ekonomi), the case cost view (/ekonomi/cases/{id}) and the cost
// panel on the case page, and how money, percentages and dates are written there. Kept apart
// from staff-i18n.js so the case page loads them only for those who may see costs.
import { addMessages, lang } from './i18n.js';

const NBSP = '\u00a0';
const MINUS = '\u2212';

function group(digits, sep) {
  let out = '';
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += sep;
    out += digits[i];
  }
  return out;
}

// Öre as the server writes kronor: `1 234 567 kr`, `−12 300,50 kr` (no-break spaces, U+2212
// minus, öre only when there are some). Integer arithmetic only: no float touches money.
export function kr(ore, { sign = false } = {}) {
  if (ore === null || ore === undefined || !Number.isFinite(ore)) return '';
  const en = lang() === 'en';
  const abs = Math.abs(ore);
  const whole = group(String(Math.floor(abs / 100)), en ? ',' : NBSP);
  const rest = abs % 100;
  const dec = rest ? `${en ? '.' : ','}${String(rest).padStart(2, '0')}` : '';
  const s = ore < 0 ? MINUS : sign && ore > 0 ? '+' : '';
  return `${s}${whole}${dec}${NBSP}kr`;
}

// Short amounts for a chart's axis: `250 tkr`, `1,5 mnkr`.
export function krAxis(ore) {
  const en = lang() === 'en';
  const abs = Math.abs(ore);
  const s = ore < 0 ? MINUS : '';
  const dec = (n) => String(Math.round(n * 10) / 10).replace('.', en ? '.' : ',');
  if (abs >= 1e8) return `${s}${dec(abs / 1e8)}${NBSP}${en ? 'm kr' : 'mnkr'}`;
  if (abs >= 1e5) return `${s}${dec(abs / 1e5)}${NBSP}${en ? 'k kr' : 'tkr'}`;
  return `${s}${Math.round(abs / 100)}${NBSP}kr`;
}

// Basis points as a percentage with one decimal: 1250 → `12,5 %`.
export function fmtPct(bp, { sign = false } = {}) {
  if (bp === null || bp === undefined) return '–';
  const en = lang() === 'en';
  const tenths = Math.round(Math.abs(bp) / 10);
  const s = bp < 0 && tenths ? MINUS : sign && bp > 0 ? '+' : '';
  return `${s}${group(String(Math.floor(tenths / 10)), en ? ',' : NBSP)}${en ? '.' : ','}${tenths % 10}${en ? '%' : `${NBSP}%`}`;
}

// A time as `2026-12-01 14:05` in Stockholm.
export function stampText(iso) {
  const d = new Date(iso || '');
  if (Number.isNaN(d.getTime())) return '';
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('sv-SE', {
      timeZone: 'Europe/Stockholm',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(d)
      .map((x) => [x.type, x.value]),
  );
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

const MONTHS = {
  sv: ['jan', 'feb', 'mar', 'apr', 'maj', 'jun', 'jul', 'aug', 'sep', 'okt', 'nov', 'dec'],
  en: ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'],
};

// A period's label under a chart's bar, in one or two lines: `jan` / `2026`, `K1` / `2026`,
// `2026` / `jan–nov` (a year to date).
export function periodShort(kind, p, i) {
  const l = lang() === 'en' ? 'en' : 'sv';
  const year = String(p.period).slice(0, 4);
  if (kind === 'month') {
    const m = Number(String(p.period).slice(5, 7));
    return [MONTHS[l][m - 1] || p.period, i === 0 || m === 1 ? year : ''];
  }
  if (kind === 'quarter') {
    const q = String(p.period).slice(-1);
    return [`${l === 'en' ? 'Q' : 'K'}${q}`, i === 0 || q === '1' ? year : ''];
  }
  if (p.year_to_date) {
    const last = Number(String(p.end).slice(5, 7));
    return [year, `${MONTHS[l][0]}–${MONTHS[l][last - 1]}`];
  }
  return [year, ''];
}

const enStatic = {
  'desk.doctitle': 'Damage costs – Tillbud',
  'desk.service': 'Tillbud – finance',
  'desk.h1': 'Damage costs',
  'desk.lead': 'Costs and insurance recoveries booked on the cases, by period, category and unit. Amounts in kronor; net is cost minus what has been recovered.',
  'desk.loading': 'Loading the costs …',
  'desk.tocases': 'Go to the cases',
  'desk.filters': 'Selection',
  'desk.period': 'Period',
  'desk.period.month': 'Month',
  'desk.period.quarter': 'Quarter',
  'desk.period.year': 'Year',
  'desk.from': 'From month',
  'desk.to': 'To month (inclusive)',
  'desk.month.placeholder': 'YYYY-MM',
  'desk.unit': 'Unit (with its sub-units)',
  'desk.unit.list': 'Units',
  'desk.unit.hint': 'Type part of the name. Empty: every unit you have access to.',
  'desk.range.hint': 'Quarters start in January, April, July or October and years in January; the page rounds for you. Empty fields: the last 12 months, 8 quarters or 5 years.',
  'desk.basis': 'Amounts',
  'desk.basis.actual': 'Actual (booked)',
  'desk.basis.estimate': 'Estimates',
  'desk.basis.both': 'Actual and estimates',
  'desk.show': 'Show',
  'desk.crumbs': 'Unit levels',
  'desk.trend.h': 'Net cost per period',
  'desk.trend.caption': 'Cost, recovered and net per period, with the same period a year earlier',
  'desk.cat.h': 'By category',
  'desk.cat.caption': 'Amounts per category for the whole selection, with the same period a year earlier',
  'desk.units.h': 'By unit',
  'desk.units.hint': 'Choose a unit in the chart or the table to go one level down. The levels above are in the row of units at the top.',
  'desk.cases.h': 'Cases with costs',
  'desk.cases.hint': 'Largest net cost first. Open a case to see its entries and insurance claim.',
  'desk.more': 'Show more',
  'desk.claims.h': 'Insurance recoveries still pending',
  'desk.claims.hint': 'Claims that are filed or approved but not yet paid, the longest waiting first.',
  'fcase.doctitle': 'Costs of a case – Tillbud',
  'fcase.back': '← Back to damage costs',
  'fcase.loading': 'Loading the case …',
  'fcase.facts': 'The case',
  'fcase.ref': 'Reference',
  'fcase.kind': 'Kind of event',
  'fcase.unit': 'Unit',
  'fcase.date': 'Happened on',
  'fcase.status': 'Status',
  'fcase.open': 'Open the whole case',
};

const sv = {
  'desk.loading': 'Hämtar kostnaderna …',
  'desk.failed': 'Kostnaderna kunde inte hämtas ({status}).',
  'desk.failed.h': 'Kostnaderna kunde inte hämtas',
  'desk.forbidden.h': 'Du har inte tillgång till kostnader',
  'desk.forbidden.p': 'Sidan är för ekonomi, säkerhetssamordnare och chefer (för sina enheter). Be en administratör om behörighet om du behöver den.',
  'desk.shown': 'Visar {what}.',
  'desk.drilled': 'Visar {unit}.',
  'desk.allunits': 'Alla mina enheter',
  'desk.total': 'Hela perioden',
  'desk.none': 'Inga kostnader i urvalet.',
  'desk.change.none': 'ingen förändring',
  'desk.change.nobase': '{kr} (inget att jämföra med året innan)',
  'desk.kpi.h': 'Sammanfattning: {unit}, {range}',
  'desk.kpi.net': 'Nettokostnad',
  'desk.kpi.cost': 'Kostnader',
  'desk.kpi.recovery': 'Återvunnet',
  'desk.kpi.prev': 'Netto samma period året innan',
  'desk.kpi.change': 'Förändring',
  'desk.trend.sum': 'Nettokostnad {range}: {net} ({cost} i kostnader minus {rec} återvunnet).',
  'desk.trend.sum.prev': 'Samma period ett år tidigare: {prev}; förändring {change}.',
  'desk.trend.sum.max': 'Högst var {period} med {net}.',
  'desk.legend.net': 'Nettokostnad (hel färg)',
  'desk.legend.rec': 'Återvunnet, under nollinjen (prickar)',
  'desk.legend.prev': 'Netto samma period året innan (streckat)',
  'desk.legend.cost': 'Kostnad (hel färg)',
  'desk.legend.recovery': 'Återvunnet (prickar)',
  'desk.legend.prevamount': 'Samma period året innan (streckat, tunn stapel)',
  'desk.legend.unitnet': 'Nettokostnad (hel färg)',
  'desk.recovery.short': 'återvinning',
  'desk.cat.sum': 'Störst kostnad: {cat}, {amount} ({share} av kostnaderna).',
  'desk.cat.sum.n': 'Kostnader i {n} kategorier.',
  'desk.units.h.in': 'Per enhet under {unit}',
  'desk.units.caption': 'Nettokostnad per enhet under {unit}, för hela urvalet',
  'desk.units.sum': 'Störst nettokostnad av {n} grupper: {unit}, {net} av totalt {total}.',
  'desk.units.leaf': '{unit} har inga underenheter; här syns enhetens egna ärenden.',
  'desk.col.period': 'Period',
  'desk.col.num.cost': 'Kostnad',
  'desk.col.num.recovery': 'Återvunnet',
  'desk.col.num.net': 'Netto',
  'desk.col.num.cases': 'Ärenden',
  'desk.col.num.prev': 'Netto året innan',
  'desk.col.num.change': 'Förändring',
  'desk.col.num.changepct': 'Förändring (%)',
  'desk.col.num.amount': 'Belopp',
  'desk.col.num.prevamount': 'Året innan',
  'desk.col.num.expected': 'Väntad ersättning',
  'desk.col.num.recovered': 'Inkommet',
  'desk.col.num.outstanding': 'Återstår',
  'desk.col.category': 'Kategori',
  'desk.col.direction': 'Slag',
  'desk.col.unit': 'Enhet',
  'desk.col.case': 'Ärende',
  'desk.col.date': 'Inträffade',
  'desk.col.status': 'Status',
  'desk.col.claim': 'Försäkring',
  'desk.col.insurer': 'Försäkringsbolag',
  'desk.col.claimno': 'Skadenummer',
  'desk.col.updated': 'Senast ändrad',
  'desk.col.net': 'netto',
  'desk.col.recovery': 'återvunnet',
  'desk.dir.cost': 'Kostnad',
  'desk.dir.recovery': 'Återvinning',
  'desk.cases.caption': 'Ärenden med kostnader: {what}',
  'desk.cases.none': 'Inga ärenden med kostnader i urvalet.',
  'desk.claims.caption': 'Väntande försäkringsersättningar: {unit}',
  'desk.claims.none': 'Inga försäkringsärenden väntar på ersättning.',
  'desk.export.csv': 'Ladda ner CSV',
  'desk.export.xlsx': 'Ladda ner Excel (XLSX)',
  'desk.export.note.trend': 'Samma rader som tabellen.',
  'desk.export.note.groups': 'Per period och grupp, med samma urval; summorna i tabellen är summan av dem.',
  'desk.export.note.cases': 'Alla ärenden i urvalet, inte bara de som visas.',
  'desk.export.done': 'Filen {file} är nedladdad.',
  'desk.export.failed': 'Filen kunde inte skapas ({status}).',
  'desk.err.unit': 'Välj en enhet i listan, eller töm fältet för alla enheter',
  'fcase.doctitle.suffix': 'kostnader – Tillbud',
  'fcase.notfound.h': 'Ärendet finns inte',
  'fcase.notfound.p': 'Det finns inget ärende med den adressen bland dem vars kostnader du kan se.',
  'fcase.forbidden.h': 'Du kan inte se ärendets kostnader',
  'cp.h': 'Kostnader och försäkring',
  'cp.loading': 'Hämtar kostnaderna …',
  'cp.totals.caption': 'Summor för ärendet',
  'cp.totals.actual': 'Utfall',
  'cp.totals.estimate': 'Uppskattning',
  'cp.totals.all': 'Sammanlagt',
  'cp.totals.cost': 'Kostnader',
  'cp.totals.recovery': 'Återvunnet',
  'cp.totals.net': 'Netto',
  'cp.entries.h': 'Poster',
  'cp.entries.hint': 'En post ändras aldrig. Ett fel rättas med en rättelse som tar ut posten; båda syns här.',
  'cp.entries.caption': 'Poster, äldst först',
  'cp.entries.none': 'Inga poster ännu.',
  'cp.col.date': 'Datum',
  'cp.col.category': 'Kategori',
  'cp.col.basis': 'Utfall eller uppskattning',
  'cp.col.amount': 'Belopp',
  'cp.col.voucher': 'Verifikation och anteckning',
  'cp.col.by': 'Inlagd',
  'cp.col.action': 'Rätta',
  'cp.entry.reversal': 'Rättelse: {reason}',
  'cp.entry.reversed': 'Rättad {at}',
  'cp.entry.movedout': 'Flyttad med ärendet {at}',
  'cp.entry.moveout': 'Ärendet flyttades från {unit}',
  'cp.entry.movein': 'Ärendet flyttades till {unit}',
  'cp.reverse': 'Rätta',
  'cp.reverse.which': 'posten {category}, {amount}, {date}',
  'cp.reverse.h': 'Rätta en post',
  'cp.reverse.what': 'Posten {category}, {amount} ({basis}) från {date} tas ut med en rättelse. Lägg sedan in rätt belopp som en ny post.',
  'cp.reverse.reason': 'Varför är posten fel?',
  'cp.reverse.reason.hint': '3–500 tecken, till exempel ”Fel belopp, fakturan var 12 300 kr”.',
  'cp.reverse.button': 'Rätta posten',
  'cp.reverse.cancel': 'Avbryt',
  'cp.reverse.done': 'Posten är rättad: {category}, {amount}.',
  'cp.add.h': 'Lägg in en kostnad eller ersättning',
  'cp.add.category': 'Kategori',
  'cp.add.costs': 'Kostnader',
  'cp.add.recoveries': 'Ersättningar (minskar nettot)',
  'cp.add.choose': 'Välj kategori',
  'cp.add.amount': 'Belopp i kronor',
  'cp.add.amount.hint': 'Till exempel 12 300 eller 12 300,50. Alltid positivt; en ersättning räknas av.',
  'cp.add.basis': 'Är beloppet bokfört eller uppskattat?',
  'cp.add.basis.actual': 'Utfall – bokfört',
  'cp.add.basis.estimate': 'Uppskattning – väntad kostnad',
  'cp.add.date': 'Datum då kostnaden uppstod',
  'cp.add.voucher': 'Verifikationsnummer (frivilligt)',
  'cp.add.note': 'Anteckning (frivillig)',
  'cp.add.button': 'Lägg in posten',
  'cp.add.done': 'Posten är inlagd: {category}, {amount} ({basis}).',
  'cp.claim.h': 'Försäkringsärende',
  'cp.claim.state': 'Läge',
  'cp.claim.insurer': 'Försäkringsbolag',
  'cp.claim.number': 'Skadenummer',
  'cp.claim.deductible': 'Självrisk i kronor',
  'cp.claim.expected': 'Väntad ersättning i kronor',
  'cp.claim.hint': 'Ersättningen bokas som en post i kategorin Försäkringsersättning när den betalas ut.',
  'cp.claim.button': 'Spara försäkringsärendet',
  'cp.claim.done': 'Försäkringsärendet är sparat: {state}.',
  'cp.claim.readonly': 'Försäkringsärendet sköts av ekonomi och säkerhetssamordnare.',
  'cp.claim.updated': 'Senast ändrat {at} av {by}',
  'cp.none': '–',
  'cp.stale': 'Någon annan har ändrat försäkringsärendet sedan du öppnade det. Sidan visar nu det senaste – kontrollera och spara igen.',
  'cp.conflict': 'Posten är redan rättad, eller är själv en rättelse. Sidan visar nu det senaste.',
  'cp.forbidden': 'Du får inte göra den ändringen.',
  'err.cp.category': 'Välj en kategori',
  'err.cp.amount_ore': 'Ange beloppet i kronor, större än 0, till exempel 12 300 eller 12 300,50',
  'err.cp.basis': 'Välj utfall eller uppskattning',
  'err.cp.incurred_on': 'Ange ett datum som inte ligger i framtiden, som 2026-12-01',
  'err.cp.incurred_on.in_future': 'Datumet får inte ligga i framtiden',
  'err.cp.voucher_ref': 'Verifikationsnumret får vara högst 50 tecken',
  'err.cp.note': 'Anteckningen får vara högst 1 000 tecken',
  'err.cp.reason': 'Skriv varför posten är fel, 3–500 tecken',
  'err.cp.state': 'Välj ett läge',
  'err.cp.insurer': 'Ange försäkringsbolaget',
  'err.cp.claim_number': 'Skadenumret får vara högst 50 tecken',
  'err.cp.deductible_ore': 'Ange självrisken i kronor, till exempel 10 000',
  'err.cp.expected_recovery_ore': 'Ange den väntade ersättningen i kronor, till exempel 48 000',
};

const en = {
  'desk.loading': 'Loading the costs …',
  'desk.failed': 'The costs could not be loaded ({status}).',
  'desk.failed.h': 'The costs could not be loaded',
  'desk.forbidden.h': 'You have no access to costs',
  'desk.forbidden.p': 'This page is for finance, safety coordinators and managers (for their units). Ask an administrator for access if you need it.',
  'desk.shown': 'Showing {what}.',
  'desk.drilled': 'Showing {unit}.',
  'desk.allunits': 'All my units',
  'desk.total': 'Whole period',
  'desk.none': 'No costs in the selection.',
  'desk.change.none': 'no change',
  'desk.change.nobase': '{kr} (nothing to compare with a year earlier)',
  'desk.kpi.h': 'Summary: {unit}, {range}',
  'desk.kpi.net': 'Net cost',
  'desk.kpi.cost': 'Costs',
  'desk.kpi.recovery': 'Recovered',
  'desk.kpi.prev': 'Net in the same period a year earlier',
  'desk.kpi.change': 'Change',
  'desk.trend.sum': 'Net cost {range}: {net} ({cost} in costs minus {rec} recovered).',
  'desk.trend.sum.prev': 'The same period a year earlier: {prev}; change {change}.',
  'desk.trend.sum.max': 'Highest was {period} with {net}.',
  'desk.legend.net': 'Net cost (solid)',
  'desk.legend.rec': 'Recovered, below the zero line (dots)',
  'desk.legend.prev': 'Net in the same period a year earlier (hatched)',
  'desk.legend.cost': 'Cost (solid)',
  'desk.legend.recovery': 'Recovered (dots)',
  'desk.legend.prevamount': 'The same period a year earlier (hatched, thin bar)',
  'desk.legend.unitnet': 'Net cost (solid)',
  'desk.recovery.short': 'recovery',
  'desk.cat.sum': 'Largest cost: {cat}, {amount} ({share} of the costs).',
  'desk.cat.sum.n': 'Costs in {n} categories.',
  'desk.units.h.in': 'By unit under {unit}',
  'desk.units.caption': 'Net cost per unit under {unit}, for the whole selection',
  'desk.units.sum': 'Largest net cost of {n} groups: {unit}, {net} of {total} in all.',
  'desk.units.leaf': '{unit} has no sub-units; this shows the unit’s own cases.',
  'desk.col.period': 'Period',
  'desk.col.num.cost': 'Cost',
  'desk.col.num.recovery': 'Recovered',
  'desk.col.num.net': 'Net',
  'desk.col.num.cases': 'Cases',
  'desk.col.num.prev': 'Net a year earlier',
  'desk.col.num.change': 'Change',
  'desk.col.num.changepct': 'Change (%)',
  'desk.col.num.amount': 'Amount',
  'desk.col.num.prevamount': 'A year earlier',
  'desk.col.num.expected': 'Expected recovery',
  'desk.col.num.recovered': 'Received',
  'desk.col.num.outstanding': 'Outstanding',
  'desk.col.category': 'Category',
  'desk.col.direction': 'Type',
  'desk.col.unit': 'Unit',
  'desk.col.case': 'Case',
  'desk.col.date': 'Happened',
  'desk.col.status': 'Status',
  'desk.col.claim': 'Insurance',
  'desk.col.insurer': 'Insurer',
  'desk.col.claimno': 'Claim number',
  'desk.col.updated': 'Last changed',
  'desk.col.net': 'net',
  'desk.col.recovery': 'recovered',
  'desk.dir.cost': 'Cost',
  'desk.dir.recovery': 'Recovery',
  'desk.cases.caption': 'Cases with costs: {what}',
  'desk.cases.none': 'No cases with costs in the selection.',
  'desk.claims.caption': 'Pending insurance recoveries: {unit}',
  'desk.claims.none': 'No insurance claim is waiting for payment.',
  'desk.export.csv': 'Download CSV',
  'desk.export.xlsx': 'Download Excel (XLSX)',
  'desk.export.note.trend': 'The same rows as the table.',
  'desk.export.note.groups': 'Per period and group, with the same selection; the table’s sums are their totals.',
  'desk.export.note.cases': 'Every case in the selection, not only those shown.',
  'desk.export.done': 'The file {file} has been downloaded.',
  'desk.export.failed': 'The file could not be made ({status}).',
  'desk.err.unit': 'Choose a unit from the list, or empty the field for all units',
  'fcase.doctitle.suffix': 'costs – Tillbud',
  'fcase.notfound.h': 'The case does not exist',
  'fcase.notfound.p': 'There is no case at this address among those whose costs you may see.',
  'fcase.forbidden.h': 'You may not see this case’s costs',
  'cp.h': 'Costs and insurance',
  'cp.loading': 'Loading the costs …',
  'cp.totals.caption': 'Totals of the case',
  'cp.totals.actual': 'Actual',
  'cp.totals.estimate': 'Estimate',
  'cp.totals.all': 'Together',
  'cp.totals.cost': 'Costs',
  'cp.totals.recovery': 'Recovered',
  'cp.totals.net': 'Net',
  'cp.entries.h': 'Entries',
  'cp.entries.hint': 'An entry is never changed. A mistake is corrected by a reversal that takes the entry out; both are shown here.',
  'cp.entries.caption': 'Entries, oldest first',
  'cp.entries.none': 'No entries yet.',
  'cp.col.date': 'Date',
  'cp.col.category': 'Category',
  'cp.col.basis': 'Actual or estimate',
  'cp.col.amount': 'Amount',
  'cp.col.voucher': 'Voucher and note',
  'cp.col.by': 'Entered',
  'cp.col.action': 'Correct',
  'cp.entry.reversal': 'Reversal: {reason}',
  'cp.entry.reversed': 'Reversed {at}',
  'cp.entry.movedout': 'Moved with the case {at}',
  'cp.entry.moveout': 'The case was moved from {unit}',
  'cp.entry.movein': 'The case was moved to {unit}',
  'cp.reverse': 'Correct',
  'cp.reverse.which': 'the entry {category}, {amount}, {date}',
  'cp.reverse.h': 'Correct an entry',
  'cp.reverse.what': 'The entry {category}, {amount} ({basis}) of {date} is taken out by a reversal. Then enter the right amount as a new entry.',
  'cp.reverse.reason': 'Why is the entry wrong?',
  'cp.reverse.reason.hint': '3–500 characters, for example “Wrong amount, the invoice was 12,300 kr”.',
  'cp.reverse.button': 'Reverse the entry',
  'cp.reverse.cancel': 'Cancel',
  'cp.reverse.done': 'The entry is reversed: {category}, {amount}.',
  'cp.add.h': 'Enter a cost or a recovery',
  'cp.add.category': 'Category',
  'cp.add.costs': 'Costs',
  'cp.add.recoveries': 'Recoveries (reduce the net)',
  'cp.add.choose': 'Choose a category',
  'cp.add.amount': 'Amount in kronor',
  'cp.add.amount.hint': 'For example 12300 or 12300.50. Always positive; a recovery is subtracted.',
  'cp.add.basis': 'Is the amount booked or estimated?',
  'cp.add.basis.actual': 'Actual – booked',
  'cp.add.basis.estimate': 'Estimate – expected cost',
  'cp.add.date': 'Date the cost arose',
  'cp.add.voucher': 'Voucher number (optional)',
  'cp.add.note': 'Note (optional)',
  'cp.add.button': 'Add the entry',
  'cp.add.done': 'The entry is added: {category}, {amount} ({basis}).',
  'cp.claim.h': 'Insurance claim',
  'cp.claim.state': 'State',
  'cp.claim.insurer': 'Insurer',
  'cp.claim.number': 'Claim number',
  'cp.claim.deductible': 'Deductible in kronor',
  'cp.claim.expected': 'Expected recovery in kronor',
  'cp.claim.hint': 'The recovery is booked as an entry of the category Insurance recovery when it is paid.',
  'cp.claim.button': 'Save the insurance claim',
  'cp.claim.done': 'The insurance claim is saved: {state}.',
  'cp.claim.readonly': 'Insurance claims are handled by finance and the safety coordinators.',
  'cp.claim.updated': 'Last changed {at} by {by}',
  'cp.none': '–',
  'cp.stale': 'Someone else changed the insurance claim after you opened it. The page now shows the latest – check and save again.',
  'cp.conflict': 'The entry is already reversed, or is itself a reversal. The page now shows the latest.',
  'cp.forbidden': 'You may not make that change.',
  'err.cp.category': 'Choose a category',
  'err.cp.amount_ore': 'Enter the amount in kronor, above 0, for example 12300 or 12300.50',
  'err.cp.basis': 'Choose actual or estimate',
  'err.cp.incurred_on': 'Enter a date that is not in the future, like 2026-12-01',
  'err.cp.incurred_on.in_future': 'The date may not be in the future',
  'err.cp.voucher_ref': 'The voucher number may be at most 50 characters',
  'err.cp.note': 'The note may be at most 1,000 characters',
  'err.cp.reason': 'Write why the entry is wrong, 3–500 characters',
  'err.cp.state': 'Choose a state',
  'err.cp.insurer': 'Enter the insurer',
  'err.cp.claim_number': 'The claim number may be at most 50 characters',
  'err.cp.deductible_ore': 'Enter the deductible in kronor, for example 10000',
  'err.cp.expected_recovery_ore': 'Enter the expected recovery in kronor, for example 48000',
};

addMessages({ enStatic, sv, en });
