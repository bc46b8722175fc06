// 1. Fill in and send a report end to end, see the receipt, open the tracking page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, newPage, gotoForm, fillReport, screenshot, assertNoProblems, isIncidentPost, createCase, setCaseStatus, formPage } from './helpers.mjs';

const browser = useBrowser();

test('report end to end: form → receipt → tracking page', { timeout: 90000 }, async () => {
  const { context, page } = await newPage(browser, {
    geolocation: { latitude: 56.1612, longitude: 15.5869, accuracy: 12 },
    permissions: ['geolocation'],
  });
  const sent = [];
  page.on('request', (req) => {
    if (isIncidentPost(req)) sent.push({ key: req.headers()['idempotency-key'], body: JSON.parse(req.postData()) });
  });
  await gotoForm(page);
  assert.equal(await page.getAttribute('html', 'lang'), 'sv');
  assert.equal((await page.textContent('h1')).trim(), 'Rapportera en händelse');
  await screenshot(page, 'form');

  const r = await fillReport(page);
  assert.match(r.unit.label, /Lyckeby/);
  await page.click('#use-position');
  await page.locator('#position-status').filter({ hasText: '56.16120' }).waitFor();
  assert.equal(await page.isVisible('#clear-position'), true);
  await page.click('#submit');
  await page.locator('#receipt-view').waitFor({ state: 'visible', timeout: 30000 });
  assert.equal(await page.evaluate(() => document.activeElement.id), 'receipt-heading');
  const code = (await page.textContent('#receipt-code')).trim();
  assert.ok(code.length >= 4, 'a tracking code is shown');
  const href = await page.getAttribute('#receipt-link', 'href');
  assert.equal(href, `/t/${encodeURIComponent(code)}`);
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.click('#copy-link');
  await page.locator('#copy-status').filter({ hasText: 'kopierad' }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), `${new URL(page.url()).origin}${href}`);
  await screenshot(page, 'receipt');

  // What went over the wire: the documented body and an Idempotency-Key.
  assert.equal(sent.length, 1);
  assert.match(sent[0].key, /^[0-9a-f-]{36}$/);
  const b = sent[0].body;
  assert.equal(b.kind, 'near_miss');
  assert.equal(b.title, r.title);
  assert.equal(b.anonymous, false);
  assert.deepEqual(b.consequences, ['person']);
  assert.equal(b.reporter.email, 'test@example.se');
  assert.match(b.occurred_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.ok(Math.abs(Date.parse(b.occurred_at) - Date.now()) < 10 * 60 * 1000, 'defaults to now');
  assert.equal(b.latitude, 56.1612);
  assert.equal(b.longitude, 15.5869);
  assert.equal(b.location, 'Entré B');

  await page.click('#receipt-link');
  await page.waitForURL(`**/t/${encodeURIComponent(code)}`);
  await page.locator('#case').waitFor({ state: 'visible', timeout: 15000 });
  assert.equal((await page.textContent('#case-title')).trim(), r.title);
  assert.equal((await page.textContent('#case-status')).trim(), 'Mottagen');
  assert.equal((await page.textContent('#case-code')).trim(), code);

  assert.equal(await page.isVisible('#add-info'), true, 'an open case offers to add information');
  await screenshot(page, 'track');

  // Reporter details are remembered for the next report on this device.
  await page.goto('/');
  await page.waitForFunction(() => document.getElementById('reporter_email').value === 'test@example.se');
  assertNoProblems(page);
  await context.close();
});

test('the reporter adds a comment on the tracking page', { timeout: 90000 }, async () => {
  const { context, page } = await formPage(browser);
  await fillReport(page);
  await page.click('#submit');
  await page.locator('#receipt-view').waitFor({ state: 'visible', timeout: 30000 });
  await page.click('#receipt-link');
  await page.locator('#case').waitFor({ state: 'visible', timeout: 15000 });
  const text = `Det var ingen sand i hinken heller (${Date.now() % 10000}).`;
  await page.fill('#comment_text', text);
  await page.click('#comment-submit');
  await page.locator('#add-status').filter({ hasText: 'kommentar' }).waitFor({ timeout: 15000 });
  await page.locator('#timeline li', { hasText: text }).waitFor({ timeout: 15000 });
  assert.equal(await page.inputValue('#comment_text'), '');
  await screenshot(page, 'track-comment');
  assertNoProblems(page);
  await context.close();
});

test('language toggle: English one tap away and remembered', { timeout: 60000 }, async () => {
  const { context, page } = await formPage(browser);
  const toggle = page.locator('#lang-toggle');
  assert.equal((await toggle.textContent()).trim(), 'English');
  await toggle.click();
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.equal((await page.textContent('h1')).trim(), 'Report an incident');
  assert.equal(await page.title(), 'Report an incident – Tillbud');
  await page.reload();
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  assert.equal((await page.textContent('label[for="kind-near_miss"]')).trim(), 'Near miss');
  await screenshot(page, 'form-en');
  await page.click('#lang-toggle');
  assert.equal(await page.getAttribute('html', 'lang'), 'sv');
  assert.equal((await page.textContent('h1')).trim(), 'Rapportera en händelse');
  assertNoProblems(page);
  await context.close();
});

test('unknown tracking code shows a friendly message', { timeout: 30000 }, async () => {
  const { context, page } = await newPage(browser);
  await page.goto('/t/FINNSINTE123');
  await page.locator('#track-problem').waitFor({ state: 'visible', timeout: 15000 });
  assert.match(await page.textContent('#track-problem'), /Vi hittar inte ärendet/);
  assertNoProblems(page);
  await context.close();
});

test('a closed case shows its status in words and no longer offers to add information', { timeout: 30000 }, async () => {
  const { context, page } = await newPage(browser);
  // A real case on the server, closed in its database (no manager pages yet to close it).
  const code = await createCase(context.request, { kind: 'accident', title: 'Skar mig på en glasskärva' });
  setCaseStatus(code, 'closed');
  await page.goto(`/t/${encodeURIComponent(code)}`);
  await page.locator('#case').waitFor({ state: 'visible', timeout: 15000 });
  assert.equal((await page.textContent('#case-status')).trim(), 'Avslutad');
  assert.equal((await page.textContent('#case-kind')).trim(), 'Olycka');
  assert.equal(await page.isVisible('#add-info'), false);
  assert.equal(await page.isVisible('#closed-note'), true);
  // Swedish dates in Stockholm time, e.g. "26 november 2026 kl. 03:15".
  const swedishDate = /^\d{1,2} (januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|november|december) \d{4} kl\. \d{2}:\d{2}$/;
  assert.match((await page.textContent('#case-created')).trim(), swedishDate);
  const times = (await page.locator('#timeline time').allTextContents()).map((x) => x.trim());
  assert.equal(times.length, 1);
  assert.match(times[0], swedishDate);
  await screenshot(page, 'track-closed');
  assertNoProblems(page);
  await context.close();
});
