// Photos in the form: at most 5, thumbnails with named remove buttons, focus handled on removal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, assertNoProblems, drawnImage, formPage } from './helpers.mjs';

const browser = useBrowser();

test('at most 5 photos; each has a remove button with an accessible name', { timeout: 60000 }, async () => {
  const { context, page } = await formPage(browser);
  // A large PNG: it must come out as a JPEG with its long edge at most 2048 px.
  const png = await drawnImage(page, { width: 3000, height: 1000, rects: [['#c33', 0, 0, 3000, 1000]] });
  const files = Array.from({ length: 6 }, (_, i) => ({ name: `bild${i + 1}.png`, mimeType: 'image/png', buffer: png }));
  await page.setInputFiles('#photos', files);
  await page.locator('.error-summary').waitFor({ timeout: 20000 });
  assert.match(await page.textContent('.error-summary'), /högst 5 bilder/);
  assert.equal(await page.locator('#thumbs li').count(), 5);
  const names = await page.locator('#thumbs button').allTextContents();
  assert.deepEqual(names, [1, 2, 3, 4, 5].map((n) => `Ta bort bild ${n}`));

  // The thumbnail shows the downscaled blob itself (fetch(blob:) is outside connect-src).
  const size = await page.evaluate(async () => {
    const img = document.querySelector('#thumbs img');
    await img.decode();
    return { scheme: img.src.split(':')[0], w: img.naturalWidth, h: img.naturalHeight };
  });
  assert.deepEqual(size, { scheme: 'blob', w: 2048, h: 683 });

  // Removing photo 2 moves focus to the button that now is "Ta bort bild 2".
  await page.locator('#thumbs button').nth(1).focus();
  await page.keyboard.press('Enter');
  assert.equal(await page.locator('#thumbs li').count(), 4);
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Ta bort bild 2');
  assert.match(await page.textContent('#photos-status'), /Bild borttagen. 4 av 5/);
  assertNoProblems(page);
  await context.close();
});
