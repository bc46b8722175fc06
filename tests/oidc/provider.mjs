// A real OpenID Connect provider for tillbud's end-to-end SSO tests: oauth2-mock-server 8
// (pinned in package.json) on loopback, with a small control API so a test can say who logs in
// next and how the provider should misbehave. Prints "READY <port>" once it listens.
//
//   node provider.mjs [PORT] [--until-stdin-closes]      (PORT 0 or nothing: any free port)
//
// Control API (JSON, same port, only for tests):
//   POST /_test/scenario {email?, email_claim?, email_verified?, groups?, group_claim?, aud?,
//                         expired?, tamper?, deny?}   who the next logins are, and what goes wrong
//   POST /_test/rotate                      sign from now on with a fresh key (new kid)
//   GET  /_test/log                         the end-session requests seen so far
import http from 'node:http';
import { OAuth2Issuer, OAuth2Service } from 'oauth2-mock-server';

const DEFAULT = {
  email: 'anna.andersson@example.se',
  email_claim: 'email',
  groups: [],
  group_claim: 'groups',
  aud: null, // null: the client id the token endpoint was called with
  expired: false,
  tamper: false,
  deny: false,
};
let scenario = { ...DEFAULT };
const endSessions = [];

const issuer = new OAuth2Issuer();
let signingKey = await issuer.keys.generate('RS256');
// Sign with the newest key, so a rotation shows the client a key id it has not seen.
const store = issuer.keys;
const pick = store.get.bind(store);
store.get = (kid) => (kid === undefined ? signingKey : pick(kid));

const service = new OAuth2Service(issuer);

service.on('beforeAuthorizeRedirect', (redirect) => {
  if (scenario.deny) {
    redirect.url.searchParams.delete('code');
    redirect.url.searchParams.set('error', 'access_denied');
    redirect.url.searchParams.set('error_description', 'The user declined');
  }
});

service.on('beforeTokenSigning', (token) => {
  const p = token.payload;
  // The access token carries `scope`; the ID token does not.
  if ('scope' in p) return;
  p.sub = `sub-${scenario.email}`;
  p[scenario.email_claim] = scenario.email;
  if (scenario.groups.length) p[scenario.group_claim] = scenario.groups;
  if (scenario.aud) p.aud = scenario.aud;
  if (scenario.email_verified !== undefined) p.email_verified = scenario.email_verified;
  if (scenario.expired) {
    const now = Math.floor(Date.now() / 1000);
    p.iat = now - 7200;
    p.nbf = now - 7200;
    p.exp = now - 3600;
  }
});

service.on('beforeResponse', (response) => {
  if (!scenario.tamper || !response.body.id_token) return;
  // Another payload under the same signature: the claims say someone else.
  const [h, payload, sig] = response.body.id_token.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
  claims[scenario.email_claim] = 'intruder@example.se';
  const forged = Buffer.from(JSON.stringify(claims)).toString('base64url');
  response.body.id_token = `${h}.${forged}.${sig}`;
});

service.on('beforePostLogoutRedirect', (_redirect, req) => {
  const url = new URL(req.url, 'http://127.0.0.1');
  endSessions.push(Object.fromEntries(url.searchParams));
});

function body(req) {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (c) => {
      text += c;
      if (text.length > 65536) reject(new Error('too large'));
    });
    req.on('end', () => resolve(text ? JSON.parse(text) : {}));
    req.on('error', reject);
  });
}

async function control(req, res) {
  try {
    if (req.method === 'POST' && req.url === '/_test/scenario') {
      scenario = { ...DEFAULT, ...(await body(req)) };
    } else if (req.method === 'POST' && req.url === '/_test/rotate') {
      signingKey = await issuer.keys.generate('RS256');
    } else if (req.method === 'GET' && req.url === '/_test/log') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ end_sessions: endSessions, kid: signingKey.kid }));
      return;
    } else {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ok: true, kid: signingKey.kid }));
  } catch (e) {
    res.writeHead(400, { 'content-type': 'text/plain' }).end(String(e));
  }
}

const server = http.createServer((req, res) => {
  if (req.url.startsWith('/_test/')) return control(req, res);
  return service.requestHandler(req, res);
});
const port = Number(process.argv[2] || 0);
server.listen(port, '127.0.0.1', () => {
  const actual = server.address().port;
  issuer.url = `http://127.0.0.1:${actual}`;
  process.stdout.write(`READY ${actual}\n`);
});
// The tests kill this process when they are done. With --until-stdin-closes (the Rust tests
// hold its stdin) a closed stdin ends it as well, so no provider outlives a test run that died.
if (process.argv.includes('--until-stdin-closes')) {
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
}
process.on('SIGTERM', () => process.exit(0));
