// 8. The yearly follow-up (/uppfoljning/{år}) and the open statistics (/statistik): axe finds
// nothing on either (Swedish and English), no CSP problems, and the follow-up printed to PDF
// by Chromium holds its headline figures (read back with pdftotext) on a sane number of pages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BASE, useBrowser, newPage, axe, assertNoProblems, screenshot } from './helpers.mjs';

const browser = useBrowser();
const YEAR = new Date().getFullYear();

async function demoLogin(page, name) {
  await page.goto('/login');
  const button = page.locator('#demo-users button', { hasText: name });
  await button.waitFor({ timeout: 10000 });
  await button.click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 15000 });
}

async function noViolations(page, label) {
  const v = await axe(page, label);
  assert.equal(v.length, 0, `${label}: ${v.map((x) => x.id).join(', ')}`);
}

const ready = (page) => page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 30000 });

test('the open statistics: readable, accessible, no login', { timeout: 120000 }, async () => {
  // The server computes the statistics at start; wait for the first refresh.
  let ok = false;
  for (let i = 0; i < 90 && !ok; i++) {
    const r = await fetch(`${BASE}/api/v1/public/statistics`);
    ok = r.status === 200;
    if (!ok) await new Promise((res) => setTimeout(res, 500));
  }
  assert.ok(ok, 'the open statistics are computed');
  const plain = await newPage(browser);
  await plain.page.goto('/statistik');
  await ready(plain.page);
  assert.equal(await plain.page.locator('#st').isVisible(), true);
  // A sentence under every chart, and a table with its numbers.
  const sections = await plain.page.locator('#st-sections section').count();
  assert.ok(sections >= 5);
  assert.equal(await plain.page.locator('#st-sections .chart-sentence').count(), sections);
  assert.match(await plain.page.textContent('#st-meta'), /CC0/);
  assertNoProblems(plain.page);
  await screenshot(plain.page, 'statistik');
  await plain.context.close();

  const { context, page } = await newPage(browser, { bypassCSP: true });
  await page.goto('/statistik');
  await ready(page);
  await noViolations(page, '/statistik');
  await page.click('#lang-toggle');
  await ready(page);
  await noViolations(page, '/statistik (English)');
  await context.close();
});

test('the printable follow-up: accessible, and its PDF holds the headline figures', { timeout: 180000 }, async () => {
  const { context, page } = await newPage(browser, { viewport: { width: 1200, height: 900 } });
  await demoLogin(page, 'Mikael Strand');
  await page.goto(`/uppfoljning/${YEAR}`);
  await ready(page);
  assert.equal(await page.locator('#report').isVisible(), true, 'the coordinator sees the follow-up');
  assertNoProblems(page);
  const r = await context.request.get(`${BASE}/api/v1/reports/yearly?year=${YEAR}`);
  assert.equal(r.status(), 200);
  const report = await r.json();
  const toc = await page.locator('#toc li').count();
  assert.equal(toc, 7, 'seven sections in the table of contents');
  await screenshot(page, 'uppfoljning');

  await page.emulateMedia({ media: 'print' });
  const pdf = await page.pdf({ format: 'A4', printBackground: true });
  const dir = mkdtempSync(path.join(tmpdir(), 'tillbud-pdf-'));
  const file = path.join(dir, 'uppfoljning.pdf');
  writeFileSync(file, pdf);
  const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
  const pages = Number(/Pages:\s+(\d+)/.exec(info)[1]);
  console.log(`follow-up PDF: ${pages} pages, ${pdf.length} bytes`);
  assert.ok(pages >= 7 && pages <= 40, `a sane page count (${pages})`);
  for (const want of [
    report.municipality,
    `Uppföljning av säkerhetsarbetet ${YEAR}`,
    report.unit.name,
    'Innehåll',
    'Visionen: noll är målet',
    'Skadekostnader',
  ]) {
    assert.ok(text.includes(want), `the PDF says “${want}”`);
  }
  // The year's number of reports, written the Swedish way.
  const reports = new Intl.NumberFormat('sv-SE').format(report.cases.reporting.reports);
  assert.ok(text.includes(`${reports} (året före`), `the PDF gives ${reports} reports`);
  await context.close();

  const a = await newPage(browser, { bypassCSP: true, viewport: { width: 1200, height: 900 } });
  await demoLogin(a.page, 'Mikael Strand');
  await a.page.goto(`/uppfoljning/${YEAR}`);
  await ready(a.page);
  await noViolations(a.page, '/uppfoljning');
  await a.page.click('#lang-toggle');
  await ready(a.page);
  await noViolations(a.page, '/uppfoljning (English)');
  await a.context.close();
});

test('a reporter gets no follow-up', { timeout: 60000 }, async () => {
  const { context, page } = await newPage(browser);
  await demoLogin(page, 'Eva Ek');
  await page.goto(`/uppfoljning/${YEAR}`);
  await ready(page);
  assert.equal(await page.locator('#yr-problem').isVisible(), true);
  assert.equal(await page.locator('#report').isVisible(), false);
  assertNoProblems(page);
  await context.close();
});
