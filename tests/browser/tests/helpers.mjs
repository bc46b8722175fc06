// Shared helpers for the browser tests. Uses Debian's Chromium; never downloads a browser.
import { chromium } from 'playwright-core';
import { createRequire } from 'node:module';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { before, after } from 'node:test';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));

export const BASE = (process.env.TILLBUD_URL || 'http://127.0.0.1:18080').replace(/\/+$/, '');
export const SHOTS = path.join(here, '..', 'screenshots');
export const AXE_PATH = require.resolve('axe-core/axe.min.js');
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  });
}

// One browser for the tests of a file: launched before them, closed after them. What it
// returns opens contexts on that browser (what newPage needs).
export function useBrowser() {
  let browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });
  return { newContext: (options) => browser.newContext(options) };
}

// A phone-sized context. CSP violations and uncaught page errors are collected so each test
// can assert the pages work under the strict CSP the server sends.
export async function newPage(browser, options = {}) {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    locale: 'sv-SE',
    timezoneId: 'Europe/Stockholm',
    baseURL: BASE,
    ...options,
  });
  const page = await context.newPage();
  page.problems = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy|Refused to/i.test(msg.text())) page.problems.push(`CSP: ${msg.text()}`);
  });
  page.on('pageerror', (err) => page.problems.push(`pageerror: ${err.message}`));
  return { context, page };
}

export function assertNoProblems(page) {
  assert.deepEqual(page.problems, [], `page problems:\n${page.problems.join('\n')}`);
}

export async function screenshot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  const file = path.join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`screenshot: ${file}`);
  return file;
}

// axe-core must be injected as a <script>; the served CSP forbids inline scripts, so contexts
// used for axe are made with bypassCSP (the other tests keep the CSP and check for violations).
export async function axe(page, label) {
  await page.addScriptTag({ path: AXE_PATH });
  const result = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
    AXE_TAGS,
  );
  if (result.violations.length) {
    console.log(`axe violations on ${label}:`);
    for (const v of result.violations) {
      console.log(`  [${v.impact}] ${v.id}: ${v.help}`);
      for (const n of v.nodes) console.log(`     ${n.target.join(' ')} — ${n.failureSummary.replace(/\n/g, ' ')}`);
    }
  }
  return result.violations;
}

export async function gotoForm(page) {
  await page.goto('/');
  await page.waitForFunction(() => document.getElementById('lang-toggle') && !document.getElementById('lang-toggle').hidden);
}

// Pick the first unit the combobox offers for the text (typed, as a person would).
export async function pickUnit(page, text = 'Lyckeby') {
  await page.fill('#org_unit', '');
  await page.locator('#org_unit').pressSequentially(text, { delay: 20 });
  const option = page.locator('#org_unit-listbox [role="option"]').first();
  await option.waitFor({ state: 'visible', timeout: 10000 });
  const label = (await option.textContent()).trim();
  await option.click();
  const id = await page.inputValue('#org_unit_id');
  assert.ok(id, 'an org unit id is set after choosing an option');
  return { id, label };
}

// A phone-sized page (newPage) with the report form open.
export async function formPage(browser, options = {}) {
  const opened = await newPage(browser, options);
  await gotoForm(opened.page);
  return opened;
}

export async function fillReport(page, over = {}) {
  const r = {
    kind: 'near_miss',
    title: `Halkade nästan i trappan ${Date.now() % 100000}`,
    description: 'Isfläck vid entrén, ingen sandning gjord på morgonen. Kollega höll på att ramla.',
    location: 'Entré B',
    ...over,
  };
  await page.check(`#kind-${r.kind}`);
  const unit = await pickUnit(page, r.unit || 'Lyckeby');
  await page.fill('#title', r.title);
  await page.fill('#description', r.description);
  await page.fill('#location', r.location);
  await page.check('#cons-person');
  await page.fill('#reporter_name', 'Test Testsson');
  await page.fill('#reporter_email', 'test@example.se');
  return { ...r, unit };
}

export const isIncidentPost = (req) => req.method() === 'POST' && new URL(req.url()).pathname === '/api/v1/incidents';

// How many incidents the server's database holds, read with `tillbud stats` against the same
// database the server uses (TILLBUD_BIN and TILLBUD_DATABASE_URL, set by .ci/run). No test-only
// route on the server: the count comes from the database itself.
export function incidentCount() {
  const bin = process.env.TILLBUD_BIN;
  assert.ok(bin, 'TILLBUD_BIN must name the tillbud binary (and TILLBUD_DATABASE_URL its database)');
  const out = execFileSync(bin, ['stats'], { env: process.env, encoding: 'utf8' });
  const counts = JSON.parse(out.trim().split('\n').pop());
  assert.equal(typeof counts.incidents, 'number', `tillbud stats answered ${out}`);
  return counts.incidents;
}

// An image drawn by the page's own canvas encoder: rectangles [colour, x, y, w, h] on a
// width × height canvas, as PNG or JPEG bytes.
export async function drawnImage(page, { width, height, rects, type = 'image/png', quality }) {
  const dataUrl = await page.evaluate(
    ({ width, height, rects, type, quality }) => {
      const c = document.createElement('canvas');
      c.width = width;
      c.height = height;
      const g = c.getContext('2d');
      for (const [colour, x, y, w, h] of rects) {
        g.fillStyle = colour;
        g.fillRect(x, y, w, h);
      }
      return c.toDataURL(type, quality);
    },
    { width, height, rects, type, quality },
  );
  return Buffer.from(dataUrl.split(',')[1], 'base64');
}

// A report made straight through the API, for tests that start on the tracking page; returns
// its tracking code.
export async function createCase(request, over = {}) {
  return (await createCaseIn(request, 'Lyckeby skola', over)).tracking_code;
}

// Sets a case's status in the server's SQLite database (python3's sqlite3 module; WAL lets it
// write beside the running server). For states only manager pages will reach.
export function setCaseStatus(code, status) {
  const db = process.env.TILLBUD_DATABASE_URL;
  assert.ok(db && !db.startsWith('postgres'), 'TILLBUD_DATABASE_URL must be the SQLite file the server uses');
  const script = [
    'import sqlite3, sys',
    'c = sqlite3.connect(sys.argv[1], timeout=10)',
    'n = c.execute("UPDATE incidents SET status = ? WHERE tracking_code = ?", (sys.argv[2], sys.argv[3])).rowcount',
    'c.commit()',
    'sys.exit(0 if n == 1 else 1)',
  ].join('\n');
  execFileSync('python3', ['-c', script, db.replace(/^sqlite:\/\//, ''), status, code]);
}

// A report straight through the API in the named demo unit; returns { id, tracking_code }.
export async function createCaseIn(request, unitName, over = {}) {
  const units = await (await request.get(`${BASE}/api/v1/org-units`)).json();
  const unit = units.items.find((u) => u.name === unitName);
  assert.ok(unit, `the demo unit ${unitName} exists`);
  const res = await request.post(`${BASE}/api/v1/incidents`, {
    headers: { 'Content-Type': 'application/json' },
    data: {
      kind: 'near_miss',
      org_unit_id: unit.id,
      occurred_at: new Date(Date.now() - 3600e3).toISOString(),
      title: 'Halka vid entrén',
      description: 'Isfläcken vid huvudentrén var inte sandad.',
      consequences: ['person'],
      anonymous: true,
      ...over,
    },
  });
  assert.equal(res.status(), 201, await res.text());
  return res.json();
}

// The newest mail to `to` in the server's mail folder (TILLBUD_MAIL_DIR, the `file` transport:
// one .eml per mail) whose text matches `pattern`; waits for the mail worker. Returns the
// decoded text/plain part.
export async function waitForMail(to, pattern, { timeoutMs = 15000, after = 0 } = {}) {
  const dir = process.env.TILLBUD_MAIL_DIR;
  assert.ok(dir, 'TILLBUD_MAIL_DIR must name the mail folder of the server under test');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let names = [];
    try {
      names = readdirSync(dir).filter((n) => n.endsWith('.eml'));
    } catch {
      names = [];
    }
    const found = names
      .map((n) => ({ n, at: statSync(path.join(dir, n)).mtimeMs }))
      .filter((f) => f.at >= after)
      .sort((a, b) => b.at - a.at)
      .map((f) => mailText(readFileSync(path.join(dir, f.n), 'utf8')))
      .find((m) => m.to.toLowerCase().includes(to.toLowerCase()) && pattern.test(m.text));
    if (found) return found.text;
    if (Date.now() > deadline) throw new Error(`no mail to ${to} matching ${pattern} in ${dir} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

// Just enough MIME for our own mails: the To header and the text/plain part (base64 or
// quoted-printable).
function mailText(raw) {
  const to = /^To:\s*(.+)$/im.exec(raw)?.[1] || '';
  const parts = raw.split(/\r?\n--[^\r\n]+\r?\n/);
  for (const part of parts) {
    if (!/Content-Type:\s*text\/plain/i.test(part)) continue;
    const [head, ...rest] = part.split(/\r?\n\r?\n/);
    let body = rest.join('\n\n');
    if (/Content-Transfer-Encoding:\s*base64/i.test(head)) body = Buffer.from(body.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64').toString('utf8');
    else if (/quoted-printable/i.test(head)) body = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (m, h) => String.fromCharCode(parseInt(h, 16)));
    return { to, text: body };
  }
  return { to, text: raw };
}
