// The form's side of the outbox. The sending logic itself lives once, in /sw.js (loaded by the
// page as a classic script → globalThis.TillbudOutbox), so the page and Background Sync share it.

const outbox = () => globalThis.TillbudOutbox;

export function available() {
  return Boolean(outbox()) && 'indexedDB' in window;
}

export function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// One record per report. The Idempotency-Key is made here, once, and travels with the report.
export function makeRecord({ body, photos, orgUnitLabel, lang }) {
  return {
    local_id: uuid(),
    created_at: new Date().toISOString(),
    state: 'queued',
    idempotency_key: uuid(),
    body,
    org_unit_label: orgUnitLabel || '',
    lang: lang || 'sv', // for Accept-Language: the server words its messages in it
    photos: photos.map((p, i) => ({ name: `bild-${i + 1}.jpg`, label: p.name, key: uuid(), blob: p.blob, done: false, failed: false })),
    incident: null,
  };
}

let running = null;
// Never two sends from this page at once; across tabs and the service worker a Web Lock
// (inside TillbudOutbox.flush) does the same.
export function flush() {
  if (!available()) return Promise.resolve(null);
  if (!running) {
    running = outbox()
      .flush()
      .catch(() => null)
      .finally(() => {
        running = null;
      });
  }
  return running;
}

// Store first (so nothing is lost if the tab dies), then try to send.
// → { outcome: 'sent', receipt } | { outcome: 'queued' } | { outcome: 'rejected', rec }
export async function submit(rec, replaceId) {
  await outbox().replace(replaceId, rec);
  if (navigator.onLine !== false) {
    const first = await flush();
    // A flush already running when we stored it may not have seen the new record.
    if (!first || !first.tried.includes(rec.local_id)) await flush();
  }
  const receipt = await outbox().getSent(rec.local_id);
  if (receipt) return { outcome: 'sent', receipt };
  const now = await outbox().get(rec.local_id);
  if (now && now.state === 'needs_fix') return { outcome: 'rejected', rec: now };
  outbox().registerSync();
  return { outcome: 'queued' };
}

export async function snapshot() {
  if (!available()) return { queued: [], needsFix: [], sent: [] };
  const [all, sent] = await Promise.all([outbox().list(), outbox().sent()]);
  return {
    queued: all.filter((r) => r.state === 'queued'),
    needsFix: all.filter((r) => r.state === 'needs_fix').sort((a, b) => (a.created_at < b.created_at ? 1 : -1)),
    sent,
  };
}

export function markSeen(id) {
  return available() ? outbox().markSeen(id) : Promise.resolve();
}

export function remove(id) {
  return outbox().remove(id);
}

// Calls fn when another tab or the service worker changed the outbox.
export function onChange(fn) {
  if (typeof BroadcastChannel !== 'function' || !available()) return;
  const ch = new BroadcastChannel(outbox().CHANNEL);
  ch.addEventListener('message', () => fn());
}

// Send waiting reports when the network comes back, when the page is shown again, and every
// minute while something waits (a server that answered 5xx comes back without an online event).
export function autoFlush(after) {
  const run = () => flush().then(after);
  window.addEventListener('online', run);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') run();
  });
  setInterval(async () => {
    if (navigator.onLine === false) return;
    const s = await snapshot();
    if (s.queued.length) run();
  }, 60000);
  run();
}
