// 4. Photos: a JPEG with GPS EXIF goes in; what the server stores and serves has no EXIF.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, useBrowser, newPage, gotoForm, fillReport, screenshot, assertNoProblems, isIncidentPost, drawnImage } from './helpers.mjs';

const browser = useBrowser();

// GPSLatitude 56°10'30.12" as three RATIONALs (little endian) – a byte pattern to look for.
const LAT = [[56, 1], [10, 1], [3012, 100]];
const LON = [[15, 1], [35, 1], [1234, 100]];

function rationals(list) {
  const b = Buffer.alloc(list.length * 8);
  list.forEach(([n, d], i) => {
    b.writeUInt32LE(n, i * 8);
    b.writeUInt32LE(d, i * 8 + 4);
  });
  return b;
}

// APP1 "Exif" segment: TIFF header, IFD0 with a GPSInfo pointer, GPS IFD with lat/lon.
function exifSegment() {
  const tiff = Buffer.alloc(140);
  tiff.write('II', 0, 'latin1');
  tiff.writeUInt16LE(42, 2);
  tiff.writeUInt32LE(8, 4);
  // IFD0: one entry, GPSInfo (0x8825, LONG) → GPS IFD at 26.
  tiff.writeUInt16LE(1, 8);
  tiff.writeUInt16LE(0x8825, 10);
  tiff.writeUInt16LE(4, 12);
  tiff.writeUInt32LE(1, 14);
  tiff.writeUInt32LE(26, 18);
  tiff.writeUInt32LE(0, 22);
  // GPS IFD at 26: 5 entries (2 + 5*12 + 4 = 66 bytes) → data at 92.
  let o = 26;
  tiff.writeUInt16LE(5, o);
  o += 2;
  const entry = (tag, type, count, valueWriter) => {
    tiff.writeUInt16LE(tag, o);
    tiff.writeUInt16LE(type, o + 2);
    tiff.writeUInt32LE(count, o + 4);
    valueWriter(o + 8);
    o += 12;
  };
  entry(0x0000, 1, 4, (at) => tiff.set([2, 3, 0, 0], at)); // GPSVersionID
  entry(0x0001, 2, 2, (at) => tiff.write('N\0', at, 'latin1')); // GPSLatitudeRef
  entry(0x0002, 5, 3, (at) => tiff.writeUInt32LE(92, at)); // GPSLatitude
  entry(0x0003, 2, 2, (at) => tiff.write('E\0', at, 'latin1')); // GPSLongitudeRef
  entry(0x0004, 5, 3, (at) => tiff.writeUInt32LE(116, at)); // GPSLongitude
  tiff.writeUInt32LE(0, o); // no next IFD
  rationals(LAT).copy(tiff, 92);
  rationals(LON).copy(tiff, 116);
  const payload = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const head = Buffer.alloc(4);
  head.writeUInt16BE(0xffe1, 0);
  head.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([head, payload]);
}

// A real, decodable JPEG (made by the browser's encoder) with the EXIF block spliced in after SOI.
async function gpsJpeg(page) {
  const jpeg = await drawnImage(page, {
    width: 96,
    height: 64,
    rects: [
      ['#2a6fb0', 0, 0, 96, 64],
      ['#ffdd00', 20, 12, 56, 40],
    ],
    type: 'image/jpeg',
    quality: 0.9,
  });
  assert.equal(jpeg.readUInt16BE(0), 0xffd8);
  return Buffer.concat([jpeg.subarray(0, 2), exifSegment(), jpeg.subarray(2)]);
}

function assertNoExif(bytes, label) {
  assert.ok(bytes.length > 100, `${label}: got an image (${bytes.length} bytes)`);
  assert.equal(bytes.indexOf(Buffer.from('Exif\0\0', 'latin1')), -1, `${label}: no Exif header`);
  assert.equal(bytes.indexOf(rationals(LAT)), -1, `${label}: no GPS latitude bytes`);
  assert.equal(bytes.indexOf(rationals(LON)), -1, `${label}: no GPS longitude bytes`);
}

test('stored photos carry no EXIF/GPS, whether sent by the form or posted raw', { timeout: 120000 }, async () => {
  const { context, page } = await newPage(browser);
  let incident = null;
  page.on('response', async (res) => {
    if (isIncidentPost(res.request()) && res.status() === 201) incident = await res.json();
  });
  await gotoForm(page);
  const fixture = await gpsJpeg(page);
  assert.ok(fixture.length < 20000, 'fixture stays small');
  assert.notEqual(fixture.indexOf(Buffer.from('Exif\0\0', 'latin1')), -1, 'fixture has EXIF');
  assert.notEqual(fixture.indexOf(rationals(LAT)), -1, 'fixture has GPS');

  await fillReport(page, { kind: 'property_damage', title: 'Krossad ruta i personalrummet' });
  await page.setInputFiles('#photos', { name: 'gps.jpg', mimeType: 'image/jpeg', buffer: fixture });
  await page.locator('#thumbs li').first().waitFor({ timeout: 15000 });
  assert.equal(await page.getAttribute('#thumbs li button', 'type'), 'button');
  assert.match(await page.textContent('#thumbs li button'), /Ta bort bild 1/);
  await screenshot(page, 'form-photo');
  await page.click('#submit');
  await page.locator('#receipt-view').waitFor({ state: 'visible', timeout: 30000 });
  assert.ok(incident, 'saw the 201 for the incident');
  const code = incident.tracking_code;

  // The raw file, straight to both attachment routes (the browser's canvas would strip EXIF).
  const raw1 = await context.request.post(`${BASE}/api/v1/incidents/${incident.id}/attachments`, {
    headers: { 'X-Tracking-Code': code },
    multipart: { file: { name: 'gps.jpg', mimeType: 'image/jpeg', buffer: fixture } },
  });
  assert.ok(raw1.ok(), `raw upload (incident route) answered ${raw1.status()}`);
  const raw2 = await context.request.post(`${BASE}/api/v1/track/${encodeURIComponent(code)}/attachments`, {
    multipart: { file: { name: 'gps.jpg', mimeType: 'image/jpeg', buffer: fixture } },
  });
  assert.ok(raw2.ok(), `raw upload (track route) answered ${raw2.status()}`);

  const track = await (await context.request.get(`${BASE}/api/v1/track/${encodeURIComponent(code)}`)).json();
  assert.ok(Array.isArray(track.attachments), 'track answer lists attachments');
  assert.equal(track.attachments.length, 3, 'one from the form, two raw');
  for (const [i, a] of track.attachments.entries()) {
    const res = await context.request.get(new URL(a.url, BASE).href, { headers: { 'X-Tracking-Code': code } });
    assert.ok(res.ok(), `attachment ${i} served (${res.status()})`);
    assertNoExif(await res.body(), `attachment ${i}`);
  }

  // The tracking page shows them.
  await page.goto(`/t/${encodeURIComponent(code)}`);
  await page.locator('#attachments img').first().waitFor({ timeout: 15000 });
  assertNoProblems(page);
  await context.close();
});
