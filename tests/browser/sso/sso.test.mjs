// Single sign-on in a real browser: a manager clicks "Logga in med kommunens konto" on /login,
// goes through the OpenID Connect provider (oauth2-mock-server, tests/oidc/provider.mjs), lands
// in her inbox with her unit's case listed, and logs out through the provider back to /login.
// Needs a server configured for the provider at TILLBUD_OIDC_PROVIDER (see .ci/run).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { useBrowser, newPage, screenshot, assertNoProblems, createCaseIn, AXE_PATH, AXE_TAGS } from '../tests/helpers.mjs';

const PROVIDER = (process.env.TILLBUD_OIDC_PROVIDER || '').replace(/\/+$/, '');
const browser = useBrowser();

const AXE_SOURCE = readFileSync(AXE_PATH, 'utf8');
async function noViolations(page, label) {
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
    AXE_TAGS,
  );
  for (const v of result.violations) console.log(`axe on ${label}: [${v.impact}] ${v.id}: ${v.help}`);
  assert.equal(result.violations.length, 0, `${label}: ${result.violations.map((x) => x.id).join(', ')}`);
}

test('sso: a manager logs in with the municipal account, sees her inbox, logs out at the provider', { timeout: 120000 }, async () => {
  assert.ok(PROVIDER, 'TILLBUD_OIDC_PROVIDER names the provider the server is configured for');
  const who = await fetch(`${PROVIDER}/_test/scenario`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'petra.lindgren@example.se' }),
  });
  assert.equal(who.status, 200);
  const { context, page } = await newPage(browser);
  const stamp = Date.now() % 1000000;
  await createCaseIn(context.request, 'Lyckeby skola', { title: `Lös kabel i korridoren ${stamp}` });
  const visited = [];
  page.on('request', (r) => visited.push(r.url()));

  // --- /login: the municipal account first, the mailed link second
  await page.goto('/login');
  const sso = page.getByRole('link', { name: 'Logga in med kommunens konto' });
  await sso.waitFor({ timeout: 10000 });
  const order = await page.evaluate(() => {
    const a = document.getElementById('sso');
    const b = document.getElementById('request');
    return Boolean(a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING);
  });
  assert.ok(order, 'the SSO section comes before the mailed link');
  assert.match(await page.textContent('#request-heading'), /Eller/);
  await noViolations(page, '/login with SSO');
  await screenshot(page, 'sso-login');

  // --- through the provider into the inbox
  await sso.click();
  await page.waitForURL(/\/cases$/, { timeout: 15000 });
  assert.ok(visited.some((u) => u.startsWith(`${PROVIDER}/authorize?`)), 'the browser went to the provider');
  await page.getByRole('link', { name: `Lös kabel i korridoren ${stamp}` }).waitFor({ timeout: 15000 });
  assert.match(await page.textContent('#who'), /Petra Lindgren/);
  const me = await page.evaluate(async () => (await fetch('/api/v1/me')).json());
  assert.equal(me.email, 'petra.lindgren@example.se');
  assert.ok(me.roles.includes('manager'), JSON.stringify(me.roles));
  await screenshot(page, 'sso-inbox');

  // --- logout ends the session here and at the provider
  await page.click('#logout');
  await page.waitForURL(/\/login$/, { timeout: 15000 });
  const endSession = visited.find((u) => u.startsWith(`${PROVIDER}/endsession?`));
  assert.ok(endSession, `the provider's logout was visited: ${visited.join('\n')}`);
  assert.ok(new URL(endSession).searchParams.get('id_token_hint'), 'with the ID token as hint');
  const after = await page.evaluate(async () => (await fetch('/api/v1/me')).status);
  assert.equal(after, 401);
  assertNoProblems(page);
  await context.close();
});
