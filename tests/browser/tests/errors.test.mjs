// 2. Missing fields → GOV.UK-style error summary that has focus and links to the fields.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, newPage, gotoForm, fillReport, screenshot, assertNoProblems, isIncidentPost, formPage } from './helpers.mjs';

const browser = useBrowser();

test('empty submit shows the error summary, focused, linking to each field', { timeout: 60000 }, async () => {
  const { context, page } = await newPage(browser);
  let posted = 0;
  page.on('request', (req) => {
    if (isIncidentPost(req)) posted++;
  });
  await gotoForm(page);
  await page.click('#submit');
  const summary = page.locator('.error-summary');
  await summary.waitFor({ state: 'visible' });
  assert.equal(await summary.getAttribute('role'), 'alert');
  assert.equal((await summary.locator('h2').textContent()).trim(), 'Det finns problem');
  assert.ok(await summary.evaluate((el) => el === document.activeElement), 'the summary has focus');
  assert.match(await page.title(), /^Fel: /);

  const hrefs = await summary.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  for (const want of ['#kind-accident', '#org_unit', '#title', '#description']) {
    assert.ok(hrefs.includes(want), `summary links to ${want} (got ${hrefs.join(', ')})`);
  }
  // Every link points at an element that exists.
  for (const h of hrefs) assert.equal(await page.locator(h).count(), 1, `${h} exists`);

  // Inline message: described-by and aria-invalid.
  assert.equal(await page.getAttribute('#title', 'aria-invalid'), 'true');
  assert.match(await page.getAttribute('#title', 'aria-describedby'), /\btitle-error\b/);
  assert.match(await page.textContent('#title-error'), /Skriv en rubrik/);
  assert.match(await page.getAttribute('#kind-group', 'aria-describedby'), /kind-accident-error/);
  await screenshot(page, 'form-errors');

  // Following a link moves focus to the field.
  await summary.locator('a[href="#title"]').click();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'title');

  // Too short is a different message than missing.
  await page.fill('#title', 'ab');
  await page.click('#submit');
  await page.locator('#title-error').waitFor();
  assert.match(await page.textContent('#title-error'), /3–120 tecken/);
  assert.equal(posted, 0, 'nothing is sent while the client finds errors');
  assertNoProblems(page);
  await context.close();
});

test('422 problem+json from the server is shown the same way', { timeout: 60000 }, async () => {
  const { context, page } = await formPage(browser);
  await fillReport(page);
  // The page checks what it can before sending; these two only the server refuses. The
  // request is altered on its way, and the server's real 422 answer comes back to the page.
  await page.route('**/api/v1/incidents', (route) => {
    const body = JSON.parse(route.request().postData());
    body.reporter = { ...body.reporter, email: 'eva.exempel.se' };
    body.latitude = 95;
    body.longitude = 15.6;
    return route.continue({ postData: JSON.stringify(body) });
  });
  const answer = page.waitForResponse((res) => isIncidentPost(res.request()));
  await page.click('#submit');
  const summary = page.locator('.error-summary');
  await summary.waitFor({ state: 'visible', timeout: 15000 });
  assert.ok(await summary.evaluate((el) => el === document.activeElement));
  const res = await answer;
  assert.equal(res.status(), 422);
  const fields = (await res.json()).errors.map((e) => e.field).sort();
  assert.deepEqual(fields, ['latitude', 'reporter.email']);
  const hrefs = await summary.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  assert.deepEqual(hrefs.sort(), ['#reporter_email', '#use-position']);
  assert.equal(await page.getAttribute('#reporter_email', 'aria-invalid'), 'true');
  // The values stay in the form.
  assert.equal(await page.inputValue('#reporter_email'), 'test@example.se');
  assert.ok((await page.inputValue('#title')).length > 3);
  await page.unroute('**/api/v1/incidents');
  assertNoProblems(page);
  await context.close();
});
