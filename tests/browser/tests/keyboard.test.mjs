// 6. Keyboard only: Tab through the form, fill it and send it without a pointer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, newPage, gotoForm, screenshot, assertNoProblems } from './helpers.mjs';

const browser = useBrowser();

const activeId = (page) => page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName);

// Press Tab until the element with this id has focus; returns the ids passed on the way.
async function tabTo(page, id, max = 80) {
  const seen = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const now = await activeId(page);
    seen.push(now);
    if (now === id) return seen;
  }
  throw new Error(`never reached #${id} with Tab; went through: ${seen.join(' → ')}`);
}

test('the whole report can be made with the keyboard alone', { timeout: 90000 }, async () => {
  const { context, page } = await newPage(browser);
  const bodies = [];
  page.on('request', (req) => {
    if (req.method() === 'POST' && req.url().endsWith('/api/v1/incidents')) bodies.push(JSON.parse(req.postData()));
  });
  // Details saved by an earlier report on this device are filled in (and must not be sent).
  await gotoForm(page);
  await page.evaluate(() => localStorage.setItem('tillbud.reporter', JSON.stringify({ name: 'Ska inte skickas', email: 'a@example.se' })));
  await gotoForm(page);
  assert.equal(await page.inputValue('#reporter_name'), 'Ska inte skickas');

  // First Tab: the skip link, which moves focus to <main>.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.className), 'skip-link');
  await page.keyboard.press('Enter');
  assert.equal(await activeId(page), 'main');

  // The kind radio group: Tab in, arrow keys choose.
  await tabTo(page, 'kind-accident');
  await page.keyboard.press('ArrowDown');
  assert.equal(await activeId(page), 'kind-near_miss');
  assert.equal(await page.isChecked('#kind-near_miss'), true);

  // The combobox: type, arrow down, Enter.
  const path = await tabTo(page, 'org_unit');
  assert.ok(!path.includes('kind-risk_observation'), 'a radio group is one tab stop');
  await page.keyboard.type('Lyckeby', { delay: 20 });
  await page.locator('#org_unit-listbox [role="option"]').first().waitFor();
  await page.keyboard.press('ArrowDown');
  const active = await page.getAttribute('#org_unit', 'aria-activedescendant');
  assert.ok(active, 'aria-activedescendant points at the highlighted option');
  assert.equal(await page.getAttribute(`#${active}`, 'aria-selected'), 'true');
  await page.keyboard.press('Enter');
  assert.ok(await page.inputValue('#org_unit_id'), 'Enter chose the unit');
  assert.match(await page.inputValue('#org_unit'), /Lyckeby/);
  assert.equal(await page.getAttribute('#org_unit', 'aria-expanded'), 'false');

  await tabTo(page, 'title');
  await page.keyboard.type('Trasig stege i förrådet');
  await tabTo(page, 'description');
  await page.keyboard.type('Ett steg på stegen har spruckit. Den är nu märkt och undanställd.');
  await tabTo(page, 'cons-person');
  await page.keyboard.press('Space');
  assert.equal(await page.isChecked('#cons-person'), true);

  // Anonymous: Space toggles it and the reporter fields leave the tab order.
  await tabTo(page, 'anonymous');
  await page.keyboard.press('Space');
  assert.equal(await page.isVisible('#reporter_name'), false);

  const seen = await tabTo(page, 'submit');
  assert.ok(!seen.includes('reporter_name'), 'hidden reporter fields are skipped');
  await screenshot(page, 'keyboard-before-submit');
  await page.keyboard.press('Enter');
  await page.locator('#receipt-view').waitFor({ state: 'visible', timeout: 30000 });
  assert.equal(await activeId(page), 'receipt-heading');

  assert.equal(bodies.length, 1);
  assert.equal(bodies[0].anonymous, true);
  assert.equal(bodies[0].reporter, undefined, 'no reporter data is sent for an anonymous report');

  // From the receipt, the tracking link is reachable by Tab.
  await tabTo(page, 'receipt-link');
  assertNoProblems(page);
  await context.close();
});
