// 5. axe-core (WCAG 2.0/2.1 A + AA) on every page and state; narrow screens, text zoom, dark mode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, newPage, gotoForm, fillReport, screenshot, axe } from './helpers.mjs';

const browser = useBrowser();

// bypassCSP only so that axe can be injected; see helpers.axe.
const axeContext = (extra = {}) => newPage(browser, { bypassCSP: true, ...extra });

async function noViolations(page, label) {
  const v = await axe(page, label);
  assert.equal(v.length, 0, `${label}: ${v.map((x) => x.id).join(', ')}`);
}

test('axe: form, form with errors, receipt, tracking page, statement', { timeout: 120000 }, async () => {
  const { context, page } = await axeContext();
  await gotoForm(page);
  await noViolations(page, 'form');

  await page.click('#submit');
  await page.locator('.error-summary').waitFor();
  await noViolations(page, 'form with errors');

  // Open combobox state.
  await page.locator('#org_unit').pressSequentially('Lyckeby', { delay: 20 });
  await page.locator('#org_unit-listbox [role="option"]').first().waitFor();
  await page.keyboard.press('ArrowDown');
  await noViolations(page, 'form with open combobox');
  await page.keyboard.press('Escape');

  await page.reload();
  await fillReport(page);
  await page.click('#submit');
  await page.locator('#receipt-view').waitFor({ state: 'visible', timeout: 30000 });
  await noViolations(page, 'receipt');

  await page.click('#receipt-link');
  await page.locator('#case').waitFor({ state: 'visible', timeout: 15000 });
  await noViolations(page, 'tracking page');
  await page.click('#comment-submit');
  await page.locator('.error-summary').waitFor();
  await noViolations(page, 'tracking page with errors');

  await page.goto('/t/FINNSINTE123');
  await page.locator('#track-problem').waitFor({ state: 'visible' });
  await noViolations(page, 'tracking page, unknown code');

  await page.goto('/personuppgifter');
  await page.waitForFunction(() => !document.getElementById('lang-toggle').hidden);
  await noViolations(page, 'privacy page');
  assert.match(await page.textContent('main'), /anonymt/);
  await page.click('#lang-toggle');
  await noViolations(page, 'privacy page (English)');
  await page.click('#lang-toggle');

  await page.goto('/tillganglighet');
  await page.waitForFunction(() => !document.getElementById('lang-toggle').hidden);
  await noViolations(page, 'accessibility statement');
  assert.match(await page.textContent('main'), /tillganglighet@example\.se/);
  assert.equal(await page.locator('a[href^="mailto:tillganglighet@example.se"]').count() >= 1, true);
  await screenshot(page, 'statement');

  await page.click('#lang-toggle');
  await noViolations(page, 'accessibility statement (English)');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  await page.goto('/');
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  await noViolations(page, 'form (English)');
  await context.close();
});

test('axe in dark mode', { timeout: 60000 }, async () => {
  const { context, page } = await axeContext({ colorScheme: 'dark' });
  await gotoForm(page);
  await page.click('#submit');
  await page.locator('.error-summary').waitFor();
  await noViolations(page, 'form with errors (dark)');
  await screenshot(page, 'form-errors-dark');
  await context.close();
});

test('320 px wide and 200 % text: nothing scrolls sideways', { timeout: 60000 }, async () => {
  for (const [label, opts, zoom] of [
    ['form-320', { viewport: { width: 320, height: 640 } }, false],
    ['form-zoom200', { viewport: { width: 390, height: 844 } }, true],
  ]) {
    const { context, page } = await axeContext(opts);
    await gotoForm(page);
    // Text-only zoom (as in browser text-size settings): the root font size doubles.
    if (zoom) await page.addStyleTag({ content: 'html { font-size: 200% !important; }' });
    await page.click('#submit');
    await page.locator('.error-summary').waitFor();
    await page.locator('#org_unit').pressSequentially('Lyckeby', { delay: 10 });
    await page.locator('#org_unit-listbox [role="option"]').first().waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    await screenshot(page, label);
    assert.ok(overflow <= 0, `${label}: horizontal overflow of ${overflow}px`);
    await noViolations(page, label);
    await context.close();
  }
});
