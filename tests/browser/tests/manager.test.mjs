// 6. Manager pages: a manager logs in with the link from the real mail, acknowledges a case of
// her unit, rates the risk, adds a corrective action — and cannot open a sibling unit's case.
// axe (WCAG 2.0/2.1 A + AA) on /login, /cases and /cases/{id}, under the served CSP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { useBrowser, newPage, screenshot, assertNoProblems, createCaseIn, waitForMail, BASE, AXE_PATH, AXE_TAGS } from './helpers.mjs';

const browser = useBrowser();

// axe through the DevTools protocol, which the page's CSP does not govern: the pages keep
// their real CSP here, so the same run also shows that they work under it.
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

function inDays(n) {
  const d = new Date(Date.now() + n * 86400e3);
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm', year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
}

test('manager: mailed login link, inbox, acknowledge, risk, action; sibling case is not found', { timeout: 180000 }, async () => {
  const { context, page } = await newPage(browser);
  const stamp = Date.now() % 1000000;
  const mine = await createCaseIn(context.request, 'Lyckeby skola', { title: `Halka vid entrén ${stamp}` });
  const sibling = await createCaseIn(context.request, 'Nättraby skola', { title: `Trasig grind ${stamp}` });

  // --- /login: ask for a link
  const asked = Date.now() - 1000;
  await page.goto('/login');
  await page.waitForFunction(() => !document.getElementById('lang-toggle').hidden);
  // Demo mode: the one-click logins are offered (the CI server runs with --demo).
  await page.locator('#demo-users button').first().waitFor({ timeout: 10000 });
  await noViolations(page, '/login');
  await screenshot(page, 'manager-login');
  await page.fill('#email', 'petra.lindgren@example.se');
  await page.click('#request-submit');
  await page.locator('#request-status:not(:empty)').waitFor();
  assert.match(await page.textContent('#request-status'), /petra\.lindgren@example\.se/);

  // --- the real mail, written by the server's mail worker
  const mail = await waitForMail('petra.lindgren@example.se', /\/login\?token=/, { after: asked });
  const link = /https?:\/\/\S+\/login\?token=[\w-]+/.exec(mail)?.[0];
  assert.ok(link, `a login link in the mail:\n${mail}`);
  // The link carries the configured base_url; the server under test may listen elsewhere.
  const url = new URL(link);
  await page.goto(`${BASE}${url.pathname}${url.search}`);
  await page.getByRole('button', { name: 'Logga in', exact: true }).click();

  // --- the inbox
  await page.waitForURL(/\/cases$/, { timeout: 15000 });
  const item = page.getByRole('link', { name: `Halka vid entrén ${stamp}` });
  await item.waitFor({ timeout: 15000 });
  assert.match(await page.textContent('#who'), /Petra Lindgren/);
  assert.equal(await page.getByRole('link', { name: `Trasig grind ${stamp}` }).count(), 0, 'no sibling case in the inbox');
  await noViolations(page, '/cases');
  await screenshot(page, 'manager-inbox');

  // --- the case page
  await item.click();
  await page.waitForURL(new RegExp(`/cases/${mine.id}$`));
  await page.locator('#case').waitFor({ state: 'visible', timeout: 15000 });
  assert.equal((await page.textContent('#case-title')).trim(), `Halka vid entrén ${stamp}`);
  await noViolations(page, '/cases/{id} (new)');
  await screenshot(page, 'manager-case-new');

  // Acknowledge.
  await page.click('#ack-button');
  await page.locator('#ack-status:not(:empty)').waitFor();
  assert.equal((await page.textContent('#case-status')).trim(), 'Mottagen av chef');
  assert.equal(await page.isVisible('#sec-ack'), false);

  // Rate the risk: likelihood 3 × consequence 2 = high; the level shows before saving.
  await page.check('#likelihood-3');
  await page.check('#consequence-2');
  assert.match(await page.textContent('#risk-result'), /Hög/);
  assert.equal(await page.locator('#matrix td.chosen').count(), 1);
  await page.click('#risk-submit');
  await page.locator('#risk-status:not(:empty)').waitFor();
  assert.match(await page.textContent('#case-risk-badge'), /Hög/);

  // A corrective action without the required fields first: the error summary, then a real one.
  await page.click('#action-submit');
  await page.locator('#actions-errors .error-summary').waitFor();
  assert.equal(await page.getAttribute('#a-title', 'aria-invalid'), 'true');
  await noViolations(page, '/cases/{id} (action errors)');
  await page.fill('#a-title', 'Sätt halkskydd vid huvudentrén');
  await page.fill('#a-owner', 'fastighet@example.se');
  await page.fill('#a-due', inDays(14));
  await page.fill('#a-cost', '2 500,50');
  await page.click('#action-submit');
  await page.locator('#action-list li', { hasText: 'Sätt halkskydd vid huvudentrén' }).waitFor({ timeout: 15000 });
  assert.equal(await page.locator('#actions-errors .error-summary').count(), 0);
  assert.match(await page.textContent('#action-list'), /2\s500,50\skr/);
  // The next states come from the API (allowed_transitions), in the server's words.
  const nextStates = await page.locator('#action-list li select option').allTextContents();
  assert.deepEqual(nextStates, ['Pågår', 'Utförd', 'Avbruten']);

  // What the API now holds (the page's cookie).
  const api = (p) => page.request.get(`${BASE}/api/v1${p}`);
  const c = await (await api(`/incidents/${mine.id}`)).json();
  assert.equal(c.status, 'acknowledged');
  assert.deepEqual([c.risk.likelihood, c.risk.consequence, c.risk.level], [3, 2, 'high']);
  const actions = (await (await api(`/incidents/${mine.id}/actions`)).json()).items;
  assert.equal(actions.length, 1);
  assert.equal(actions[0].cost_estimate_ore, 250050);
  assert.equal(actions[0].owner_email, 'fastighet@example.se');
  assert.ok((await page.locator('#history li').count()) >= 3, 'the history lists the changes');
  await noViolations(page, '/cases/{id} (handled)');
  await screenshot(page, 'manager-case-handled');

  // English is one tap away, and passes the same checks.
  await page.click('#lang-toggle');
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  await page.locator('#case-status', { hasText: 'Acknowledged' }).waitFor();
  await noViolations(page, '/cases/{id} (English)');
  await page.click('#lang-toggle');
  await page.waitForFunction(() => document.documentElement.lang === 'sv');

  // --- a case of the sibling unit Nättraby skola: not found, page and API alike
  assert.equal((await api(`/incidents/${sibling.id}`)).status(), 404);
  await page.goto(`/cases/${sibling.id}`);
  await page.locator('#case-problem').waitFor({ state: 'visible', timeout: 15000 });
  assert.equal((await page.textContent('#case-problem-heading')).trim(), 'Ärendet finns inte');
  assert.equal(await page.isVisible('#case'), false);
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'case-problem-heading');
  await noViolations(page, '/cases/{id} (sibling: not found)');
  await screenshot(page, 'manager-case-sibling');

  // --- log out
  await page.click('#logout');
  await page.waitForURL(/\/login\?out=1$/);
  assert.equal((await api('/me')).status(), 401);
  assertNoProblems(page);
  await context.close();
});

test('manager pages: dark mode, 320 px and 200 % text without sideways scrolling', { timeout: 120000 }, async () => {
  for (const [label, opts, zoom] of [
    ['manager-case-dark', { colorScheme: 'dark' }, false],
    ['manager-case-320', { viewport: { width: 320, height: 640 } }, false],
    ['manager-case-zoom200', {}, true],
  ]) {
    // bypassCSP only for the zoom style tag (see helpers.axe); the flow above runs under the CSP.
    const { context, page } = await newPage(browser, { bypassCSP: true, ...opts });
    const mine = await createCaseIn(context.request, 'Lyckeby skola', { title: `Zoom ${label}` });
    const login = await context.request.post(`${BASE}/api/v1/auth/demo-login`, {
      headers: { 'Sec-Fetch-Site': 'same-origin' },
      data: { email: 'petra.lindgren@example.se' },
    });
    assert.equal(login.status(), 201, await login.text());
    for (const path of ['/cases', `/cases/${mine.id}`]) {
      await page.goto(path);
      await page.locator(path === '/cases' ? '#case-list li' : '#case').first().waitFor({ state: 'visible', timeout: 15000 });
      if (zoom) await page.addStyleTag({ content: 'html { font-size: 200% !important; }' });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `${label} ${path}: horizontal overflow of ${overflow}px`);
      await noViolations(page, `${label} ${path}`);
    }
    await screenshot(page, label);
    await context.close();
  }
});
