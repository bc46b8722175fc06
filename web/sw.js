/* tillbud – service worker AND the outbox for unsent reports.
 *
 * This one file is loaded two ways:
 *   1. as the service worker (scope "/"): app-shell cache + Background Sync;
 *   2. by the report form as a plain <script src="/sw.js">, which exposes window.TillbudOutbox.
 * Both run the same outbox code, so a report queued offline is sent by the same logic whether
 * the page is open (the "online" event, page load) or not (Background Sync). A Web Lock keeps
 * the two from sending at the same time; the Idempotency-Key kept with each report makes a
 * retried POST return the incident that was already created instead of a second one.
 *
 * Outbox record (IndexedDB "tillbud" / store "outbox", key local_id):
 *   { local_id, created_at, state: 'queued' | 'needs_fix', idempotency_key, body, org_unit_label, lang,
 *     photos: [{ name, key, blob, done, failed }], incident: null | { id, tracking_code },
 *     problem, http_status }
 * A record leaves the outbox only when the incident got a 2xx and every photo got its own
 * answer (2xx, or a 4xx that no retry can fix). It is then summarised in store "sent".
 */
(function (scope) {
  'use strict';

  var DB_NAME = 'tillbud';
  var DB_VERSION = 1;
  var OUTBOX = 'outbox';
  var SENT = 'sent';
  var LOCK = 'tillbud-outbox';
  var SYNC_TAG = 'tillbud-outbox';
  var CHANNEL = 'tillbud-outbox';
  var KEEP_SENT = 20;

  // ---------- IndexedDB ----------
  var dbPromise = null;
  function openDb() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var req = indexedDB.open(DB_NAME, DB_VERSION);
        req.onupgradeneeded = function () {
          var db = req.result;
          if (!db.objectStoreNames.contains(OUTBOX)) db.createObjectStore(OUTBOX, { keyPath: 'local_id' });
          if (!db.objectStoreNames.contains(SENT)) db.createObjectStore(SENT, { keyPath: 'local_id' });
        };
        req.onsuccess = function () { resolve(req.result); };
        req.onerror = function () { dbPromise = null; reject(req.error); };
      });
    }
    return dbPromise;
  }

  // Runs fn(stores...) in one transaction and resolves when it commits, with the result of the
  // IDBRequest that fn returned (if any).
  function tx(names, mode, fn) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(names, mode);
        var r = fn.apply(null, names.map(function (n) { return t.objectStore(n); }));
        t.oncomplete = function () { resolve(r && 'result' in r ? r.result : undefined); };
        t.onerror = function () { reject(t.error); };
        t.onabort = function () { reject(t.error); };
      });
    });
  }
  function getAll(store) {
    return tx([store], 'readonly', function (s) { return s.getAll(); }).then(function (v) { return v || []; });
  }
  function getOne(store, key) {
    return tx([store], 'readonly', function (s) { return s.get(key); });
  }
  function putOne(store, value) {
    return tx([store], 'readwrite', function (s) { s.put(value); }).then(function () {});
  }
  function delOne(store, key) {
    return tx([store], 'readwrite', function (s) { s.delete(key); }).then(function () {});
  }

  // ---------- HTTP ----------
  // Classifies an answer: ok (2xx), retry (no network, timeout, 408, 429, 5xx) or reject (other 4xx).
  function send(url, init, timeoutMs) {
    if (scope.navigator && scope.navigator.onLine === false) return Promise.resolve({ kind: 'retry' });
    var ctrl = typeof AbortController === 'function' ? new AbortController() : null;
    var timer = ctrl ? setTimeout(function () { ctrl.abort(); }, timeoutMs) : null;
    if (ctrl) init.signal = ctrl.signal;
    init.credentials = 'same-origin';
    init.cache = 'no-store';
    return fetch(url, init).then(function (res) {
      return res.text().then(function (text) {
        var json = null;
        try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
        if (res.status >= 200 && res.status < 300) return { kind: 'ok', status: res.status, json: json };
        if (res.status === 408 || res.status === 429 || res.status >= 500) return { kind: 'retry', status: res.status };
        return { kind: 'reject', status: res.status, problem: json };
      });
    }, function () {
      return { kind: 'retry' };
    }).then(function (r) {
      if (timer) clearTimeout(timer);
      return r;
    });
  }

  var ACCEPT = 'application/json, application/problem+json';

  function sendRecord(rec) {
    var step = Promise.resolve('next');
    if (!rec.incident) {
      step = send('/api/v1/incidents', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: ACCEPT, 'Accept-Language': rec.lang || 'sv', 'Idempotency-Key': rec.idempotency_key },
        body: JSON.stringify(rec.body),
      }, 30000).then(function (r) {
        if (r.kind === 'retry') return 'retry';
        if (r.kind === 'reject') {
          rec.state = 'needs_fix';
          rec.problem = r.problem;
          rec.http_status = r.status;
          return putOne(OUTBOX, rec).then(function () { return 'rejected'; });
        }
        if (!r.json || !r.json.id || !r.json.tracking_code) return 'retry';
        rec.incident = { id: r.json.id, tracking_code: r.json.tracking_code };
        return putOne(OUTBOX, rec).then(function () { return 'next'; });
      });
    }
    return step.then(function (s) {
      if (s !== 'next') return s;
      return sendPhotos(rec, 0);
    });
  }

  function sendPhotos(rec, i) {
    var photos = rec.photos || [];
    while (i < photos.length && photos[i].done) i++;
    if (i >= photos.length) return finish(rec);
    var p = photos[i];
    var fd = new FormData();
    fd.append('file', p.blob, p.name || 'bild.jpg');
    return send('/api/v1/incidents/' + encodeURIComponent(rec.incident.id) + '/attachments', {
      method: 'POST',
      headers: { Accept: ACCEPT, 'X-Tracking-Code': rec.incident.tracking_code, 'Idempotency-Key': p.key },
      body: fd,
    }, 120000).then(function (r) {
      if (r.kind === 'retry') return 'retry';
      // A 4xx for a photo (too large, wrong type) will not change on retry: give up on that one.
      p.done = true;
      p.failed = r.kind === 'reject';
      p.blob = null;
      return putOne(OUTBOX, rec).then(function () { return sendPhotos(rec, i + 1); });
    });
  }

  function finish(rec) {
    var failed = (rec.photos || []).filter(function (p) { return p.failed; }).length;
    var summary = {
      local_id: rec.local_id,
      id: rec.incident.id,
      tracking_code: rec.incident.tracking_code,
      title: rec.body && rec.body.title,
      photo_failures: failed,
      sent_at: new Date().toISOString(),
      seen: false,
    };
    return tx([OUTBOX, SENT], 'readwrite', function (outbox, sent) {
      sent.put(summary);
      outbox.delete(rec.local_id);
    }).then(pruneSent).then(function () { return 'sent'; });
  }

  function pruneSent() {
    return getAll(SENT).then(function (all) {
      if (all.length <= KEEP_SENT) return;
      all.sort(function (a, b) { return a.sent_at < b.sent_at ? 1 : -1; });
      return tx([SENT], 'readwrite', function (s) {
        all.slice(KEEP_SENT).forEach(function (r) { s.delete(r.local_id); });
      });
    });
  }

  // ---------- one sender at a time ----------
  var chain = Promise.resolve();
  function withLock(fn) {
    if (scope.navigator && scope.navigator.locks) return scope.navigator.locks.request(LOCK, fn);
    var p = chain.then(fn, fn);
    chain = p.catch(function () {});
    return p;
  }

  function flush() {
    return withLock(function () {
      var result = { tried: [], sent: [], rejected: [], remaining: 0 };
      return getAll(OUTBOX).then(function (recs) {
        var ids = recs.filter(function (r) { return r.state === 'queued'; })
          .sort(function (a, b) { return a.created_at < b.created_at ? -1 : 1; })
          .map(function (r) { return r.local_id; });
        function next(k) {
          if (k >= ids.length) return 'done';
          // Re-read under the lock: another context may have sent or replaced it meanwhile.
          return getOne(OUTBOX, ids[k]).then(function (rec) {
            if (!rec || rec.state !== 'queued') return next(k + 1);
            result.tried.push(rec.local_id);
            return sendRecord(rec).then(function (s) {
              if (s === 'sent') result.sent.push(rec.local_id);
              if (s === 'rejected') result.rejected.push(rec.local_id);
              if (s === 'retry') return 'stopped'; // no network or server trouble: try later
              return next(k + 1);
            });
          });
        }
        return next(0);
      }).then(function () {
        return getAll(OUTBOX);
      }).then(function (left) {
        result.remaining = left.filter(function (r) { return r.state === 'queued'; }).length;
        if (result.sent.length || result.rejected.length) notify();
        return result;
      });
    });
  }

  function notify() {
    if (typeof BroadcastChannel === 'function') {
      var ch = new BroadcastChannel(CHANNEL);
      ch.postMessage('changed');
      ch.close();
    }
  }

  function registerSync() {
    if (!scope.navigator || !scope.navigator.serviceWorker) return Promise.resolve(false);
    return scope.navigator.serviceWorker.getRegistration('/').then(function (reg) {
      if (!reg || !reg.sync) return false;
      return reg.sync.register(SYNC_TAG).then(function () { return true; });
    }).catch(function () { return false; });
  }

  scope.TillbudOutbox = {
    CHANNEL: CHANNEL,
    put: function (rec) { return putOne(OUTBOX, rec).then(notify); },
    get: function (id) { return getOne(OUTBOX, id); },
    list: function () { return getAll(OUTBOX); },
    remove: function (id) { return delOne(OUTBOX, id).then(notify); },
    // Replace a corrected report: the new one is stored before the old one goes, in one step.
    replace: function (oldId, rec) {
      return tx([OUTBOX], 'readwrite', function (s) { s.put(rec); if (oldId) s.delete(oldId); }).then(notify);
    },
    sent: function () { return getAll(SENT); },
    getSent: function (id) { return getOne(SENT, id); },
    forgetSent: function (id) { return delOne(SENT, id); },
    // Once the reporter has been shown the receipt, keep only the code (not the title).
    markSeen: function (id) {
      return getOne(SENT, id).then(function (r) {
        if (!r || r.seen) return;
        r.seen = true;
        delete r.title;
        return putOne(SENT, r);
      });
    },
    flush: flush,
    registerSync: registerSync,
  };

  // ---------- service worker part ----------
  var isServiceWorker = typeof ServiceWorkerGlobalScope !== 'undefined' && scope instanceof ServiceWorkerGlobalScope;
  if (!isServiceWorker) return;

  var CACHE = 'tillbud-shell-v1';
  var PAGES = ['/', '/tillganglighet', '/personuppgifter'];
  var STATIC_RE = /(?:href|src)="(\/static\/[^"]+)"/g;
  // A regex, not a quoted string: the server rewrites quoted /static/ paths in this file to the
  // versioned one, and these checks must match every version.
  var STATIC_PATH = /^\/static\//;

  function isPage(path) {
    return path === '/' || path === '/index.html' || path === '/tillganglighet' || path === '/personuppgifter' || path.indexOf('/t/') === 0;
  }
  // Every /t/{code} is the same shell; the script reads the code from the address.
  function pageKey(path) {
    if (path.indexOf('/t/') === 0) return '/t/';
    if (path === '/index.html') return '/';
    return path;
  }
  function staticUrls(html) {
    var out = [];
    var m;
    STATIC_RE.lastIndex = 0;
    while ((m = STATIC_RE.exec(html))) out.push(m[1]);
    return out;
  }

  function precache() {
    return caches.open(CACHE).then(function (cache) {
      return Promise.all(PAGES.map(function (page) {
        return fetch(page, { cache: 'no-cache', credentials: 'same-origin' }).then(function (res) {
          if (!res.ok) return [];
          return cache.put(page, res.clone()).then(function () { return res.text(); }).then(staticUrls);
        }).catch(function () { return []; });
      })).then(function (lists) {
        var urls = Array.from(new Set([].concat.apply([], lists).concat(['/sw.js'])));
        return Promise.all(urls.map(function (u) {
          return fetch(u, { credentials: 'same-origin' }).then(function (res) {
            if (res.ok) return cache.put(u, res);
          }).catch(function () {});
        }));
      });
    });
  }

  // Drop cached /static/ files that no cached page refers to any more (old versions).
  function pruneStatic(cache) {
    return cache.keys().then(function (reqs) {
      var pageReqs = reqs.filter(function (r) { return isPage(new URL(r.url).pathname); });
      return Promise.all(pageReqs.map(function (r) {
        return cache.match(r).then(function (res) { return res ? res.text() : ''; }).then(staticUrls);
      })).then(function (lists) {
        var keep = new Set([].concat.apply([], lists));
        return Promise.all(reqs.map(function (r) {
          var u = new URL(r.url);
          if (STATIC_PATH.test(u.pathname) && !keep.has(u.pathname + u.search)) return cache.delete(r);
        }));
      });
    });
  }

  function networkFirst(request, key, waitMs) {
    return caches.open(CACHE).then(function (cache) {
      var fromNetwork = fetch(request).then(function (res) {
        if (res.ok && res.type === 'basic') {
          var copy = res.clone();
          cache.put(key, copy).then(function () { if (key === '/') return pruneStatic(cache); }).catch(function () {});
          return res;
        }
        return cache.match(key).then(function (hit) { return hit || res; });
      });
      var fallback = function () {
        return cache.match(key).then(function (hit) { return hit || Response.error(); });
      };
      if (!waitMs) return fromNetwork.catch(fallback);
      // On a weak mobile signal do not keep the reporter waiting: after waitMs use the cached shell.
      return new Promise(function (resolve) {
        var done = false;
        var timer = setTimeout(function () {
          cache.match(key).then(function (hit) {
            if (hit && !done) { done = true; resolve(hit); }
          });
        }, waitMs);
        fromNetwork.then(function (res) {
          clearTimeout(timer);
          if (!done) { done = true; resolve(res); }
        }, function () {
          clearTimeout(timer);
          if (!done) { done = true; resolve(fallback()); }
        });
      });
    });
  }

  function cacheFirst(request) {
    return caches.open(CACHE).then(function (cache) {
      return cache.match(request).then(function (hit) {
        if (hit) return hit;
        return fetch(request).then(function (res) {
          if (res.ok && res.type === 'basic') cache.put(request, res.clone()).catch(function () {});
          return res;
        });
      });
    });
  }

  scope.addEventListener('install', function (event) {
    event.waitUntil(precache().catch(function () {}).then(function () { return scope.skipWaiting(); }));
  });

  scope.addEventListener('activate', function (event) {
    event.waitUntil(caches.keys().then(function (names) {
      return Promise.all(names.filter(function (n) { return n.indexOf('tillbud-') === 0 && n !== CACHE; })
        .map(function (n) { return caches.delete(n); }));
    }).then(function () { return scope.clients.claim(); }));
  });

  scope.addEventListener('fetch', function (event) {
    var req = event.request;
    if (req.method !== 'GET') return;
    var url = new URL(req.url);
    if (url.origin !== scope.location.origin) return;
    var path = url.pathname;
    // The API is never cached: answers must be live, and reports may hold personal data.
    if (path.indexOf('/api/') === 0) return;
    if (STATIC_PATH.test(path)) {
      event.respondWith(cacheFirst(req));
    } else if (isPage(path) && (req.mode === 'navigate' || req.destination === 'document')) {
      event.respondWith(networkFirst(req, pageKey(path), 6000));
    } else if (path === '/sw.js' || path === '/manifest.webmanifest') {
      event.respondWith(networkFirst(req, path, 0));
    }
  });

  scope.addEventListener('sync', function (event) {
    if (event.tag !== SYNC_TAG) return;
    event.waitUntil(flush().then(function (r) {
      // Rejecting asks the browser to retry the sync later with backoff.
      if (r.remaining) throw new Error('reports still waiting');
    }));
  });

  scope.addEventListener('message', function (event) {
    if (event.data && event.data.type === 'flush') event.waitUntil(flush());
  });
})(self);
