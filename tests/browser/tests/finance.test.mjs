// 7. The finance desk (/ekonomi) and the cost panel. The demo finance user logs in, sees the
// trend for Utbildningsförvaltningen, drills down to a school (a click, then the keyboard),
// goes back up by the breadcrumb and the browser's back button, and downloads the trend and
// the cases as CSV and XLSX: the files are read (the XLSX with openpyxl) and compared, number
// for number, with the API. A manager adds a cost on her case page and sees the totals change,
// then reverses it; finance saves an insurance claim with If-Match and meets a stale one.
// axe (WCAG 2.0/2.1 A + AA) on /ekonomi at 390×844 and 1280×800, on the case cost view and on
// the case page with its panel — all under the served CSP.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { launch, newPage, screenshot, assertNoProblems, BASE, AXE_PATH, AXE_TAGS } from './helpers.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const AXE_SOURCE = readFileSync(AXE_PATH, 'utf8');
async function noViolations(page, label) {
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
    AXE_TAGS,
  );
  for (const v of result.violations) {
    console.log(`axe on ${label}: [${v.impact}] ${v.id}: ${v.help}`);
    for (const n of v.nodes) console.log(`     ${n.target.join(' ')} — ${n.failureSummary.replace(/\n/g, ' ')}`);
  }
  assert.equal(result.violations.length, 0, `${label}: ${result.violations.map((x) => x.id).join(', ')}`);
}

// Kronor as the server writes them: no-break spaces, U+2212 minus, öre only when there are some.
function kr(ore) {
  const abs = Math.abs(ore);
  const whole = String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, '\u00a0');
  const rest = abs % 100 ? `,${String(abs % 100).padStart(2, '0')}` : '';
  return `${ore < 0 ? '\u2212' : ''}${whole}${rest}\u00a0kr`;
}
// The CSV's plain decimal comma: -12300,50.
const decimalComma = (ore) => `${ore < 0 ? '-' : ''}${Math.floor(Math.abs(ore) / 100)},${String(Math.abs(ore) % 100).padStart(2, '0')}`;

async function demoLogin(page, name) {
  await page.goto('/login');
  const button = page.locator('#demo-users button', { hasText: name });
  await button.waitFor({ timeout: 10000 });
  await button.click();
}

async function json(context, url) {
  const r = await context.request.get(`${BASE}/api/v1${url}`);
  assert.equal(r.status(), 200, `${url}: ${await r.text()}`);
  return r.json();
}

async function waitShown(page, unit) {
  await page.waitForFunction((u) => document.getElementById('kpi-heading')?.textContent.includes(u) && !document.getElementById('desk-status').textContent.startsWith('Hämtar'), unit, { timeout: 15000 });
}

// The filter the page shows, as the API's query (period, from, to, unit, basis).
async function shownQuery(page) {
  return page.evaluate(() => {
    const q = new URLSearchParams(location.search);
    q.set('from', document.getElementById('f-from').value);
    q.set('to', document.getElementById('f-to').value);
    return q.toString();
  });
}

async function download(page, section, format, dir) {
  const [file] = await Promise.all([page.waitForEvent('download', { timeout: 15000 }), page.locator(`${section} .exports button[data-format="${format}"]`).click()]);
  const to = path.join(dir, file.suggestedFilename());
  await file.saveAs(to);
  return to;
}

// openpyxl (PyPI, pinned in .ci/run) reads the workbook: rows, number formats, frozen pane,
// filter. TILLBUD_PYTHON names a python with it installed.
function readXlsx(file) {
  const py = process.env.TILLBUD_PYTHON || 'python3';
  const script = [
    'import json, sys, openpyxl',
    'wb = openpyxl.load_workbook(sys.argv[1])',
    'ws = wb.active',
    'rows = [[c.value for c in r] for r in ws.iter_rows()]',
    'fmts = [c.number_format for c in ws[2]] if ws.max_row > 1 else []',
    'print(json.dumps({"rows": rows, "formats": fmts, "freeze": ws.freeze_panes, "filter": ws.auto_filter.ref}, default=str))',
  ].join('\n');
  try {
    return JSON.parse(execFileSync(py, ['-c', script, file], { encoding: 'utf8' }));
  } catch (e) {
    throw new Error(`reading the XLSX needs openpyxl (pip install openpyxl==3.1.5; TILLBUD_PYTHON=${py}): ${e.message}`);
  }
}

function readCsv(file) {
  const bytes = readFileSync(file);
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'the CSV starts with a UTF-8 BOM');
  const lines = bytes.subarray(3).toString('utf8').split('\r\n').filter(Boolean);
  return lines.map((l) => l.split(';'));
}

test('finance desk: trend for Utbildningsförvaltningen, drill-down to a school, CSV and XLSX exports, axe at 390 and 1280', { timeout: 240000 }, async () => {
  const { context, page } = await newPage(browser);
  const dir = mkdtempSync(path.join(tmpdir(), 'tillbud-exports-'));
  await demoLogin(page, 'Lars Nyström');
  // Finance lands on the desk.
  await page.waitForURL(/\/ekonomi$/, { timeout: 15000 });
  await page.locator('#desk').waitFor({ state: 'visible', timeout: 15000 });
  assert.equal(await page.locator('.staff-nav a[aria-current="page"]').textContent(), 'Ekonomi');

  // The desk is light: everything it loads, on an empty cache, under 100 KB transferred.
  const fresh = await browser.newContext({ storageState: await context.storageState(), baseURL: BASE, viewport: { width: 390, height: 844 } });
  const weighed = await fresh.newPage();
  const sizes = [];
  weighed.on('requestfinished', (r) => sizes.push(r.sizes().then((s) => s.responseBodySize + s.responseHeadersSize)));
  await weighed.goto('/ekonomi');
  await weighed.locator('#cases-table tbody tr').first().waitFor({ timeout: 15000 });
  await weighed.waitForLoadState('networkidle');
  const bytes = (await Promise.all(sizes)).reduce((a, b) => a + b, 0);
  console.log(`/ekonomi transferred ${bytes} bytes in ${sizes.length} requests`);
  assert.ok(bytes < 100 * 1024, `/ekonomi transferred ${bytes} bytes`);
  await fresh.close();

  // A range the API refuses is shown at its field; a quarter range is rounded to quarters.
  await page.fill('#f-from', '2026-06');
  await page.fill('#f-to', '2026-01');
  await page.click('#f-submit');
  await page.locator('#error-summary-slot .error-summary a[href="#f-to"]').waitFor({ timeout: 15000 });
  assert.equal(await page.getAttribute('#f-to', 'aria-invalid'), 'true');
  await page.selectOption('#f-period', 'quarter');
  await page.fill('#f-from', '2025-02');
  await page.fill('#f-to', '2025-11');
  await page.click('#f-submit');
  await page.waitForFunction(() => document.getElementById('f-from').value === '2025-01' && document.getElementById('f-to').value === '2025-12', null, { timeout: 15000 });
  assert.equal(await page.locator('#trend-table tbody tr').count(), 5, 'four quarters and the total');
  assert.equal(await page.locator('#error-summary-slot .error-summary').count(), 0);

  // --- the filter: years, Utbildningsförvaltningen (typed and picked, as a person would)
  await page.selectOption('#f-period', 'year');
  await page.fill('#f-from', '');
  await page.fill('#f-to', '');
  await page.locator('#f-unit').pressSequentially('Utbildningsförv', { delay: 20 });
  await page.locator('#f-unit-listbox [role="option"]', { hasText: 'Utbildningsförvaltningen' }).first().click();
  await page.click('#f-submit');
  await waitShown(page, 'Utbildningsförvaltningen');
  const units = (await json(context, '/org-units')).items;
  const unitId = (name) => units.find((u) => u.name === name).id;
  const utb = unitId('Utbildningsförvaltningen');
  assert.match(page.url(), new RegExp(`unit=${utb}`));

  // The trend's table and summary are the API's numbers, in Swedish kronor.
  const q = await shownQuery(page);
  const trend = await json(context, `/costs/trends?${q}&group_by=none`);
  assert.ok(trend.points.length >= 3, 'several years of demo costs');
  assert.ok(trend.total.net_ore > 0, 'Utbildningsförvaltningen has costs in the demo');
  const rows = page.locator('#trend-table tbody tr');
  assert.equal(await rows.count(), trend.points.length + 1);
  for (const [i, p] of trend.points.entries()) {
    const cells = await rows.nth(i).locator('th, td').allTextContents();
    assert.equal(cells[0], p.label);
    assert.equal(cells[1], kr(p.cost_ore), `${p.period} cost`);
    assert.equal(cells[3], kr(p.net_ore), `${p.period} net`);
    assert.equal(cells[5], kr(p.previous_year.net_ore), `${p.period} a year earlier`);
  }
  assert.ok((await page.textContent('#trend-summary')).includes(kr(trend.total.net_ore)));
  // Every chart: a picture with a name, a summary and a table with a caption.
  for (const id of ['trend', 'cat', 'units']) {
    assert.equal(await page.locator(`#${id}-chart svg`).count(), 1, `${id} chart drawn`);
    assert.ok((await page.getAttribute(`#${id}-chart svg`, 'aria-labelledby')).includes(`${id}-summary`));
    assert.ok((await page.textContent(`#${id}-summary`)).trim().length > 20, `${id} summary`);
    assert.ok((await page.textContent(`#${id}-caption`)).trim().length > 5, `${id} caption`);
  }
  // Three series, three fills: solid, dots, hatching (not colour alone).
  const fills = await page.$$eval('#trend-chart rect.bar-rec, #trend-chart rect.bar-prev', (els) => [...new Set(els.map((e) => e.getAttribute('fill').replace(/#c\d+-/, '#')))]);
  assert.deepEqual(fills.sort(), ['url(#dots)', 'url(#hatch)']);
  await noViolations(page, '/ekonomi 390×844');
  await screenshot(page, 'finance-desk-390');
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.waitForTimeout(400); // the charts are redrawn for the width
  await noViolations(page, '/ekonomi 1280×800');
  await screenshot(page, 'finance-desk-1280');
  await page.setViewportSize({ width: 390, height: 844 });

  // --- exports of exactly what is shown: the trend as CSV and XLSX
  const csv = readCsv(await download(page, '#sec-trend', 'csv', dir));
  assert.equal(csv[0].join(';'), 'Period;Från;Till;Grupp;Kostnad (kr);Återvunnet (kr);Netto (kr);Ärenden;Netto föregående år (kr);Förändring (kr);Förändring (%)');
  assert.equal(csv.length - 1, trend.points.length, 'one row per period, as on the screen');
  for (const p of trend.points) {
    const row = csv.find((r) => r[0] === p.period);
    assert.ok(row, `CSV row for ${p.period}`);
    assert.deepEqual([row[4], row[5], row[6], row[7], row[8]], [decimalComma(p.cost_ore), decimalComma(p.recovery_ore), decimalComma(p.net_ore), String(p.cases), decimalComma(p.previous_year.net_ore)], p.period);
  }
  const xlsx = readXlsx(await download(page, '#sec-trend', 'xlsx', dir));
  assert.equal(xlsx.freeze, 'A2', 'header row frozen');
  assert.ok(xlsx.filter, 'filters on');
  assert.match(xlsx.formats[6], /kr/, 'net in kronor with a SEK format');
  for (const p of trend.points) {
    const row = xlsx.rows.find((r) => r[0] === p.period);
    assert.ok(row, `XLSX row for ${p.period}`);
    assert.equal(row[4], p.cost_ore / 100, `${p.period} cost is a number`);
    assert.equal(row[6], p.net_ore / 100, `${p.period} net is a number`);
    assert.equal(row[7], p.cases);
  }

  // --- drill down: a click on Grundskola in the chart
  await page.locator('#units-chart a', { hasText: /^Grundskola / }).click();
  await waitShown(page, 'Grundskola');
  assert.equal((await page.textContent('#units-heading')).trim(), 'Per enhet under Grundskola');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'units-heading', 'focus stays where the reader was');
  // … then the keyboard: Tab to Lyckeby skola in the chart, Enter.
  let reached = false;
  for (let i = 0; i < 40 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement.closest('#units-chart') !== null && document.activeElement.textContent.startsWith('Lyckeby skola'));
  }
  assert.ok(reached, 'Lyckeby skola is reached with Tab');
  await page.keyboard.press('Enter');
  await waitShown(page, 'Lyckeby skola');
  const crumbs = await page.locator('#crumbs-list li').allTextContents();
  assert.deepEqual(crumbs, ['Karlskrona kommunkoncern', 'Utbildningsförvaltningen', 'Grundskola', 'Lyckeby skola']);
  assert.equal(await page.getAttribute('#crumbs-list li:last-child span', 'aria-current'), 'location');
  const school = await json(context, `/costs/trends?${await shownQuery(page)}&group_by=none`);
  assert.equal(school.unit.name, 'Lyckeby skola');
  assert.equal(await page.locator('#trend-table tbody tr.total-row td').nth(2).textContent(), kr(school.total.net_ore));
  assert.match(await page.textContent('#units-summary'), /inga underenheter/);
  // The school's cases, and its case cost view.
  const cases = await json(context, `/costs/cases?${await shownQuery(page)}&limit=100`);
  assert.ok(cases.items.length >= 1, 'the school has a case with costs');
  assert.equal(await page.locator('#cases-table tbody tr').count(), cases.items.length);
  await screenshot(page, 'finance-desk-school');

  // The cases list as CSV and XLSX: every case of the filter.
  const casesCsv = readCsv(await download(page, '#sec-cases', 'csv', dir));
  assert.equal(casesCsv.length - 1, cases.items.length);
  for (const i of cases.items) {
    const row = casesCsv.find((r) => r[0] === i.case.id);
    assert.ok(row, `CSV has case ${i.case.id}`);
    assert.equal(row[8], decimalComma(i.net_ore));
  }
  const casesXlsx = readXlsx(await download(page, '#sec-cases', 'xlsx', dir));
  assert.equal(casesXlsx.rows.length - 1, cases.items.length);
  for (const i of cases.items) assert.equal(casesXlsx.rows.find((r) => r[0] === i.case.id)?.[8], i.net_ore / 100);

  // --- back up: the browser's back button, then the breadcrumb
  await page.goBack();
  await waitShown(page, 'Grundskola');
  await page.locator('#crumbs-list a', { hasText: 'Utbildningsförvaltningen' }).click();
  await waitShown(page, 'Utbildningsförvaltningen');
  assert.equal((await page.textContent('#units-heading')).trim(), 'Per enhet under Utbildningsförvaltningen');

  // --- a case's cost view: the cost view only
  await page.locator('#cases-table tbody th a').first().click();
  await page.waitForURL(/\/ekonomi\/cases\//);
  await page.locator('#sec-costs').waitFor({ state: 'visible', timeout: 15000 });
  assert.equal(await page.locator('#fcase-open').isHidden(), true, 'finance gets no link to the whole case');
  await noViolations(page, '/ekonomi/cases/{id}');
  await screenshot(page, 'finance-case');
  await page.click('#back');
  await waitShown(page, 'Utbildningsförvaltningen');

  // --- dark mode
  await page.emulateMedia({ colorScheme: 'dark' });
  await noViolations(page, '/ekonomi (dark)');
  await screenshot(page, 'finance-desk-dark');
  await page.emulateMedia({ colorScheme: 'light' });

  // --- English
  await page.click('#lang-toggle');
  await page.waitForFunction(() => document.getElementById('trend-heading').textContent === 'Net cost per period');
  await waitShownEn(page);
  await noViolations(page, '/ekonomi (English)');
  await page.click('#lang-toggle');
  assertNoProblems(page);
  await context.close();
});

async function waitShownEn(page) {
  await page.waitForFunction(() => document.getElementById('desk-status').textContent.startsWith('Showing'), null, { timeout: 15000 });
}

test('cost panel: a manager adds a cost and reverses it; finance saves the claim with If-Match', { timeout: 180000 }, async () => {
  const { context, page } = await newPage(browser);
  await demoLogin(page, 'Petra Lindgren');
  await page.waitForURL(/\/cases$/, { timeout: 15000 });
  const lyckeby = (await json(context, '/org-units')).items.find((u) => u.name === 'Lyckeby skola').id;
  const list = await json(context, `/costs/cases?unit=${lyckeby}&from=2020-01&limit=100`);
  const mine = list.items.find((i) => i.case.unit.id === lyckeby);
  assert.ok(mine, 'the demo has a Lyckeby skola case with costs');
  const id = mine.case.id;
  const before = (await json(context, `/incidents/${id}/costs`)).totals;

  await page.goto(`/cases/${id}`);
  await page.locator('#cp-add-form').waitFor({ state: 'visible', timeout: 15000 });
  assert.equal(await page.locator('#toc-costs').isVisible(), true);
  const net = (basis) => page.textContent(`#sec-costs td[data-basis="${basis}"][data-field="net_ore"]`);
  assert.equal(await net('actual'), kr(before.actual.net_ore));
  // A manager enters costs but does not set the claim.
  assert.equal(await page.locator('#cp-claim-form').isHidden(), true);

  // An empty form is refused on the page, naming the fields.
  await page.click('#cp-add-submit');
  await page.locator('#cp-add-errors .error-summary').waitFor();
  assert.equal(await page.getAttribute('#cp-amount', 'aria-invalid'), 'true');

  await page.selectOption('#cp-category', 'sjuklon');
  await page.fill('#cp-amount', '12 300,50');
  await page.check('#cp-basis-actual');
  await page.fill('#cp-voucher', 'V-BROWSER-1');
  await page.click('#cp-add-submit');
  await page.waitForFunction(() => document.getElementById('cp-status').textContent.startsWith('Posten är inlagd'), null, { timeout: 15000 });
  assert.equal(await net('actual'), kr(before.actual.net_ore + 1230050), 'the totals change');
  assert.equal(await net('all'), kr(before.all.net_ore + 1230050));
  const afterAdd = await json(context, `/incidents/${id}/costs`);
  assert.equal(afterAdd.totals.actual.net_ore, before.actual.net_ore + 1230050);
  const entry = afterAdd.entries.find((e) => e.voucher_ref === 'V-BROWSER-1');
  assert.equal(entry.amount_ore, 1230050);
  assert.equal(entry.basis, 'actual');
  const row = page.locator(`#sec-costs tr[data-entry="${entry.id}"]`);
  assert.ok((await row.textContent()).includes('12\u00a0300,50\u00a0kr'));
  await noViolations(page, '/cases/{id} with the cost panel');
  await screenshot(page, 'manager-cost-panel');

  // Reverse it, with a reason: the history keeps both, the totals are back.
  await row.locator('button').click();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'cp-reverse-heading');
  await page.fill('#cp-reason', 'Fel belopp, testets post');
  await page.click('#cp-reverse-submit');
  await page.waitForFunction(() => document.getElementById('cp-status').textContent.startsWith('Posten är rättad'), null, { timeout: 15000 });
  assert.equal(await net('actual'), kr(before.actual.net_ore));
  assert.ok((await page.textContent('#sec-costs')).includes('Rättelse: Fel belopp, testets post'));
  assert.equal(await row.locator('button').count(), 0, 'a reversed entry cannot be reversed again');

  // Her desk shows her own unit; the claims list is finance's.
  await page.locator('.staff-nav a', { hasText: 'Ekonomi' }).click();
  await waitShown(page, 'Lyckeby skola');
  assert.equal(await page.locator('#sec-claims').isHidden(), true);
  assert.match(await page.textContent('#cases-caption'), /Lyckeby skola/);
  assert.deepEqual(await page.locator('#crumbs-list li').allTextContents(), ['Lyckeby skola'], 'no levels above her own');
  assertNoProblems(page);
  await context.close();

  // --- finance: the claim, saved whole with If-Match; a stale version is refused (412)
  const fin = await newPage(browser, { viewport: { width: 1280, height: 800 } });
  await demoLogin(fin.page, 'Lars Nyström');
  await fin.page.waitForURL(/\/ekonomi$/, { timeout: 15000 });
  await fin.page.goto(`/ekonomi/cases/${id}`);
  await fin.page.locator('#cp-claim-form').waitFor({ state: 'visible', timeout: 15000 });
  // Someone else saves the claim meanwhile.
  const current = await fin.context.request.get(`${BASE}/api/v1/incidents/${id}/costs`);
  const claim = (await current.json()).claim;
  const put = await fin.context.request.put(`${BASE}/api/v1/incidents/${id}/insurance-claim`, {
    headers: { 'If-Match': current.headers().etag, 'Content-Type': 'application/json', 'Sec-Fetch-Site': 'same-origin' },
    data: { state: 'filed', insurer: 'Annat Bolag AB', claim_number: claim.claim_number || 'X-1', expected_recovery_ore: 100000 },
  });
  assert.equal(put.status(), 200, await put.text());
  await fin.page.selectOption('#cp-state', 'approved');
  await fin.page.fill('#cp-insurer', 'Länsförsäkringar Blekinge');
  await fin.page.fill('#cp-expected', '48 000');
  await fin.page.click('#cp-claim-submit');
  await fin.page.locator('#cp-claim-errors .error-summary').waitFor({ timeout: 15000 });
  assert.match(await fin.page.textContent('#cp-claim-errors'), /Någon annan har ändrat försäkringsärendet/);
  // The page now shows the latest; saving again is an explicit choice.
  assert.equal(await fin.page.inputValue('#cp-insurer'), 'Annat Bolag AB');
  await fin.page.selectOption('#cp-state', 'approved');
  await fin.page.fill('#cp-insurer', 'Länsförsäkringar Blekinge');
  await fin.page.fill('#cp-expected', '48 000');
  await fin.page.click('#cp-claim-submit');
  await fin.page.waitForFunction(() => document.getElementById('cp-status').textContent.startsWith('Försäkringsärendet är sparat'), null, { timeout: 15000 });
  const saved = (await json(fin.context, `/incidents/${id}/costs`)).claim;
  assert.deepEqual([saved.state, saved.insurer, saved.expected_recovery_ore], ['approved', 'Länsförsäkringar Blekinge', 4800000]);
  await noViolations(fin.page, '/ekonomi/cases/{id} (claim form)');
  await screenshot(fin.page, 'finance-claim');
  assertNoProblems(fin.page);
  await fin.context.close();
});
