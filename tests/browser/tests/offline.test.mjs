// 3. Offline: the report is kept on the device, counted, and sent exactly once when back online.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, useBrowser, newPage, gotoForm, fillReport, screenshot, assertNoProblems, isIncidentPost, incidentCount } from './helpers.mjs';

const browser = useBrowser();

async function outboxSize(page) {
  return page.evaluate(() => window.TillbudOutbox.list().then((l) => l.length));
}

// Records every POST /api/v1/incidents this context makes (page and service worker) and its answer.
function recordPosts(context) {
  const posts = [];
  context.on('requestfinished', async (req) => {
    if (!isIncidentPost(req)) return;
    const res = await req.response();
    const entry = { key: req.headers()['idempotency-key'], body: req.postData(), status: res?.status() };
    posts.push(entry);
    if (res && res.status() === 201) entry.json = await res.json().catch(() => null);
  });
  return posts;
}

test('offline submit is queued, then sent exactly once when online', { timeout: 120000 }, async () => {
  const { context, page } = await newPage(browser);
  const posts = recordPosts(context);
  const countBefore = incidentCount();

  await gotoForm(page);
  // Let the service worker take control so Background Sync is in play too.
  await page.evaluate(() => navigator.serviceWorker?.ready);
  const r = await fillReport(page);

  await context.setOffline(true);
  await page.click('#submit');
  await page.locator('#saved-view').waitFor({ state: 'visible', timeout: 15000 });
  assert.match(await page.textContent('#saved-heading'), /Sparad på enheten – skickas när du har nätverk/);
  await page.locator('#outbox-waiting').waitFor({ state: 'visible' });
  assert.match(await page.textContent('#outbox-status'), /1 rapport är sparad på enheten/);
  assert.equal(await outboxSize(page), 1);
  await screenshot(page, 'saved-offline');

  // Reloading while offline still shows the form (service worker) and the count.
  await page.reload();
  await page.locator('#outbox-waiting').waitFor({ state: 'visible', timeout: 15000 });
  assert.match(await page.textContent('#outbox-status'), /1 rapport/);

  await context.setOffline(false);
  // The page announces the background send with the tracking link.
  await page.locator('#outbox-status a[href^="/t/"]').waitFor({ state: 'visible', timeout: 30000 });
  await page.waitForFunction(() => window.TillbudOutbox.list().then((l) => l.length === 0));
  const href = await page.getAttribute('#outbox-status a[href^="/t/"]', 'href');
  const code = decodeURIComponent(href.slice(3));

  // Give any second sender (service worker sync, another flush) time to misbehave.
  await page.waitForTimeout(3000);
  const created = posts.filter((p) => p.status === 201);
  console.log(`POST /api/v1/incidents seen: ${posts.map((p) => p.status).join(', ') || 'none'}`);
  const ids = new Set(created.map((p) => p.json?.id));
  const keys = new Set(posts.map((p) => p.key));
  assert.equal(keys.size, 1, 'every attempt used the same Idempotency-Key');
  if (created.length) {
    assert.equal(ids.size, 1, `exactly one incident id among ${created.length} 201 answers`);
    assert.equal(created[0].json.tracking_code, code);
  }

  // A replay with the same key must return the same incident.
  const key = [...keys][0];
  const replay = await context.request.post(`${BASE}/api/v1/incidents`, {
    headers: { 'Idempotency-Key': key, 'Content-Type': 'application/json' },
    data: posts[posts.length - 1].body,
  });
  assert.ok(replay.ok(), `replay answered ${replay.status()}`);
  const again = await replay.json();
  assert.equal(again.tracking_code, code);
  if (created.length) assert.equal(again.id, created[0].json.id);

  assert.equal(incidentCount() - countBefore, 1, 'exactly one incident created in the database');

  const track = await (await context.request.get(`${BASE}/api/v1/track/${encodeURIComponent(code)}`)).json();
  assert.equal(track.title, r.title);
  assertNoProblems(page);
  await context.close();
});

test('Background Sync sends a queued report while the page is closed; the next visit shows it', { timeout: 90000 }, async () => {
  const { context, page } = await newPage(browser);
  const posts = recordPosts(context);
  await gotoForm(page);
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.reload();
  await page.waitForFunction(() => Boolean(navigator.serviceWorker.controller));
  const r = await fillReport(page);
  await context.setOffline(true);
  await page.click('#submit');
  await page.locator('#saved-view').waitFor({ state: 'visible', timeout: 15000 });
  await page.close();

  await context.setOffline(false);
  // Only the service worker is left to send it.
  const deadline = Date.now() + 30000;
  while (!posts.some((p) => p.status === 201) && Date.now() < deadline) await new Promise((ok) => setTimeout(ok, 250));
  assert.ok(posts.some((p) => p.status === 201), 'the service worker sent the report');

  const again = await context.newPage();
  again.problems = [];
  await again.goto('/');
  const link = again.locator('#outbox-status a[href^="/t/"]');
  await link.waitFor({ state: 'visible', timeout: 15000 });
  assert.match(await again.textContent('#outbox-status'), new RegExp(r.title));
  assert.equal(await again.evaluate(() => window.TillbudOutbox.list().then((l) => l.length)), 0);
  // Shown once: the next visit does not repeat it.
  await again.reload();
  await again.waitForFunction(() => !document.getElementById('lang-toggle').hidden);
  await again.waitForTimeout(1000);
  assert.equal(await again.locator('#outbox-status a[href^="/t/"]').count(), 0);
  await context.close();
});

test('5xx keeps the report queued and it is retried with the same key', { timeout: 90000 }, async () => {
  const { context, page } = await newPage(browser, { serviceWorkers: 'block' });
  const keys = [];
  let fail = true;
  await page.route('**/api/v1/incidents', (route) => {
    keys.push(route.request().headers()['idempotency-key']);
    if (fail) return route.fulfill({ status: 503, contentType: 'application/problem+json', body: '{"status":503,"title":"Service Unavailable"}' });
    return route.continue();
  });
  await gotoForm(page);
  await fillReport(page);
  await page.click('#submit');
  await page.locator('#saved-view').waitFor({ state: 'visible', timeout: 15000 });
  assert.equal(await outboxSize(page), 1);
  fail = false;
  await page.click('#outbox-waiting button');
  await page.locator('#receipt-view').waitFor({ state: 'visible', timeout: 20000 });
  assert.equal(await outboxSize(page), 0);
  assert.equal(keys.length, 2);
  assert.equal(keys[0], keys[1]);
  assertNoProblems(page);
  await context.close();
});

test('a queued report the server refuses (422) comes back into the form with errors', { timeout: 90000 }, async () => {
  const { context, page } = await newPage(browser, { serviceWorkers: 'block' });
  await gotoForm(page);
  const r = await fillReport(page);
  await context.setOffline(true);
  await page.click('#submit');
  await page.locator('#saved-view').waitFor({ state: 'visible', timeout: 15000 });
  // The server's real 422: the queued body is altered on its way to an empty title.
  await page.route('**/api/v1/incidents', (route) => {
    const body = JSON.parse(route.request().postData());
    body.title = '   ';
    return route.continue({ postData: JSON.stringify(body) });
  });
  await context.setOffline(false);
  await page.locator('.error-summary').waitFor({ state: 'visible', timeout: 20000 });
  assert.equal(await page.isVisible('#form-view'), true);
  assert.equal(await page.inputValue('#title'), r.title);
  assert.equal(await page.inputValue('#description'), r.description);
  assert.ok(await page.inputValue('#org_unit_id'));
  assert.equal(await page.isChecked(`#kind-${r.kind}`), true);
  assert.equal(await page.getAttribute('#title', 'aria-invalid'), 'true');
  assert.match(await page.textContent('#outbox-status'), /kunde inte tas emot/);

  // Correcting and sending again uses a new key (the body changed) and empties the outbox.
  await page.unroute('**/api/v1/incidents');
  const keys = [];
  page.on('request', (req) => {
    if (isIncidentPost(req)) keys.push(req.headers()['idempotency-key']);
  });
  await page.fill('#title', `${r.title} (rättad)`);
  await page.click('#submit');
  await page.locator('#receipt-view').waitFor({ state: 'visible', timeout: 20000 });
  assert.equal(await outboxSize(page), 0);
  assert.equal(keys.length, 1);
  assertNoProblems(page);
  await context.close();
});
