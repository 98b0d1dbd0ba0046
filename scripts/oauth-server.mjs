// The test OAuth2 / OpenID Connect authorization server, started by scripts/oauth.sh (which copies
// this file next to its node_modules and runs it there). It is the npm package oauth2-mock-server
// plus, through the package's event hooks, what mail login tests need from a real provider:
//
// - one fixed RS256 key (kid MAILDESK_OAUTH_KID, PEM at MAILDESK_OAUTH_KEY, made by
//   scripts/dovecot.sh, whose Dovecot checks the tokens locally with its public half);
// - identity: GET /authorize?login_hint=<email> logs that user in; every token issued from that
//   code (and its refresh tokens) carries email, sub, preferred_username and upn = <email>.
//   A login_hint starting with "deny" refuses consent (error=access_denied), none: login_required;
// - codes: single use, 60 s, redirect_uri and client_id must match, PKCE (S256 or plain) checked;
// - refresh tokens: every refresh returns new tokens; older ones of the family stay valid until
//   one of them is revoked (POST /revoke token=...), which kills the whole family;
// - client_ids starting with "short-" get access tokens that live 30 s instead of 3600 s;
// - GET /_control/stats?email=<addr> -> {"code_exchanges":N,"refreshes":N} (successful grants).
// Token-endpoint errors are RFC 6749 JSON: 400 {"error":"invalid_grant","error_description":...}.
// Codes, refresh tokens and stats live in memory: a restart forgets them (tokens stay valid).
import { createPrivateKey, createPublicKey, createHash, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { OAuth2Server } from 'oauth2-mock-server';

const port = Number(process.env.MAILDESK_OAUTH_PORT || 10180);
const kid = process.env.MAILDESK_OAUTH_KID || 'maildesk-test-rs256';
const pem = readFileSync(process.env.MAILDESK_OAUTH_KEY, 'utf8');
const CODE_TTL = 60, LONG_TTL = 3600, SHORT_TTL = 30;

const codes = new Map(); // code -> {email, clientId, redirectUri, scope, challenge, method, at}
const refreshTokens = new Map(); // refresh token -> family {email, clientId, scope, revoked}
const stats = new Map(); // email -> {code_exchanges, refreshes}
const now = () => Math.floor(Date.now() / 1000);
const log = (...a) => console.log(new Date().toISOString(), ...a);
const statsOf = (email) => {
  if (!stats.has(email)) stats.set(email, { code_exchanges: 0, refreshes: 0 });
  return stats.get(email);
};

const server = new OAuth2Server();
await server.issuer.keys.add({ ...createPrivateKey(pem).export({ format: 'jwk' }), kid, alg: 'RS256' });
server.issuer.url = `http://127.0.0.1:${port}`; // the package would say "localhost"
const service = server.service;

// Identity and consent: remember who logged in for the code the package put in the redirect.
service.on('beforeAuthorizeRedirect', ({ url }, req) => {
  const q = req.query, code = url.searchParams.get('code');
  if (!code) return; // the package already answered with an error (e.g. unsupported_response_type)
  const hint = typeof q.login_hint === 'string' ? q.login_hint.trim().toLowerCase() : '';
  if (!hint || hint.startsWith('deny')) {
    url.searchParams.delete('code');
    url.searchParams.set('error', hint ? 'access_denied' : 'login_required');
    url.searchParams.set('error_description', hint ? 'the user denied consent' : 'login_hint names the user and is required');
    return;
  }
  codes.set(code, {
    email: hint, clientId: q.client_id, redirectUri: q.redirect_uri, scope: q.scope || '',
    challenge: q.code_challenge, method: q.code_challenge_method || 'plain', at: now(),
  });
  log('authorize', hint, 'client', q.client_id);
});

const send = (res, status, body) => {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
};
const invalidGrant = (res, why) => send(res, 400, { error: 'invalid_grant', error_description: why });
const readBody = (req) => new Promise((resolve, reject) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c)).on('end', () => resolve(Buffer.concat(chunks).toString())).on('error', reject);
});
const clientIdOf = (req, body) => {
  const m = /^Basic\s+(\S+)/i.exec(req.headers.authorization || '');
  if (!m) return body.client_id;
  return decodeURIComponent(Buffer.from(m[1], 'base64').toString().split(':')[0].replace(/\+/g, ' '));
};

// Runs before the package's own routes (it validates what the package does not, and owns /_control).
// Returns true when it answered the request itself.
async function front(req, res) {
  const url = new URL(req.url, server.issuer.url);
  if (req.method === 'GET' && url.pathname === '/_control/stats') {
    const email = url.searchParams.get('email');
    const zero = { code_exchanges: 0, refreshes: 0 };
    send(res, 200, email ? stats.get(email.toLowerCase()) ?? zero : Object.fromEntries(stats));
    return true;
  }
  if (req.method === 'GET' && url.pathname === '/.well-known/openid-configuration') {
    // The package's document says clients cannot authenticate and cannot refresh: say what we do.
    const end = res.end.bind(res);
    res.end = (chunk, ...rest) => {
      if (!chunk) return end(chunk, ...rest); // HEAD, 304
      const doc = JSON.parse(chunk);
      doc.token_endpoint_auth_methods_supported = ['client_secret_basic', 'client_secret_post', 'none'];
      doc.grant_types_supported = [...doc.grant_types_supported, 'refresh_token'];
      doc.scopes_supported = ['openid', 'email', 'profile', 'offline_access'];
      chunk = JSON.stringify(doc);
      res.setHeader('content-length', Buffer.byteLength(chunk));
      return end(chunk, ...rest);
    };
    return false;
  }
  if (req.method !== 'POST' || (url.pathname !== '/token' && url.pathname !== '/revoke')) return false;
  // Parse the form here; the package's body parsers then see a finished request and keep req.body.
  const raw = await readBody(req);
  const body = /json/i.test(req.headers['content-type'] || '') ? JSON.parse(raw || '{}')
    : Object.fromEntries(new URLSearchParams(raw));
  req.body = body;
  if (url.pathname === '/revoke') { // RFC 7009: always 200; a known refresh token's family dies
    const family = refreshTokens.get(body.token);
    if (family) { family.revoked = true; log('revoke', family.email); }
    return false;
  }
  const clientId = clientIdOf(req, body);
  if (typeof body.grant_type !== 'string') return send(res, 400, { error: 'invalid_request', error_description: 'grant_type is missing' }), true;
  if (body.grant_type === 'authorization_code') {
    const c = codes.get(body.code);
    codes.delete(body.code); // single use, even when this attempt fails
    if (!c) return invalidGrant(res, 'unknown or already used authorization code'), true;
    if (now() - c.at > CODE_TTL) return invalidGrant(res, 'authorization code expired'), true;
    if (clientId !== c.clientId) return invalidGrant(res, 'code was issued to another client_id'), true;
    if (body.redirect_uri !== c.redirectUri) return invalidGrant(res, 'redirect_uri does not match the authorize request'), true;
    const v = body.code_verifier;
    if (c.challenge) {
      if (!v) return invalidGrant(res, 'code_verifier is required (PKCE)'), true;
      const expected = c.method === 'S256' ? createHash('sha256').update(v).digest('base64url') : v;
      if (expected !== c.challenge) return invalidGrant(res, 'code_verifier does not match code_challenge'), true;
    } else if (v !== undefined) {
      return invalidGrant(res, 'code_verifier sent but the authorize request had no code_challenge'), true;
    }
    delete body.code_verifier; // checked: keep the package's own (answer-twice) PKCE check out of it
    body.scope ??= c.scope;
    req.maildesk = { email: c.email, clientId, scope: body.scope, kind: 'code_exchanges' };
  } else if (body.grant_type === 'refresh_token') {
    const f = refreshTokens.get(body.refresh_token);
    if (!f) return invalidGrant(res, 'unknown refresh token'), true;
    if (f.revoked) return invalidGrant(res, 'refresh token has been revoked'), true;
    if (clientId !== f.clientId) return invalidGrant(res, 'refresh token was issued to another client_id'), true;
    body.scope ??= f.scope;
    req.maildesk = { email: f.email, clientId, scope: body.scope, family: f, kind: 'refreshes' };
  }
  return false;
}

const app = service.requestHandler; // an express app; its handle() is what the HTTP server calls
const handle = app.handle.bind(app);
app.handle = (req, res, next) => {
  front(req, res).then((done) => done || handle(req, res, next))
    .catch((e) => { log('error', e); send(res, 400, { error: 'invalid_request', error_description: String(e.message) }); });
};

const ttlOf = (ctx) => (ctx.clientId?.startsWith('short-') ? SHORT_TTL : LONG_TTL);

// Both the access token and the ID token pass here: put the user in, and set the lifetime.
service.on('beforeTokenSigning', (token, req) => {
  const ctx = req.maildesk;
  if (!ctx) return;
  const p = token.payload, e = ctx.email;
  Object.assign(p, { sub: e, email: e, email_verified: true, preferred_username: e, upn: e });
  if (p.scope !== undefined) p.client_id = ctx.clientId; // the access token (the ID token has no scope)
  p.exp = p.iat + ttlOf(ctx);
});

service.on('beforeResponse', (resp, req) => {
  const ctx = req.maildesk;
  if (!ctx || resp.statusCode !== 200) return;
  const b = resp.body;
  b.expires_in = ttlOf(ctx);
  if (!ctx.scope.split(' ').includes('openid')) delete b.id_token;
  const family = ctx.family ?? { email: ctx.email, clientId: ctx.clientId, scope: ctx.scope, revoked: false };
  refreshTokens.set(b.refresh_token, family);
  statsOf(ctx.email)[ctx.kind] += 1;
  log(ctx.kind === 'refreshes' ? 'refresh' : 'code exchange', ctx.email, 'client', ctx.clientId);
});

// userinfo: who the (unexpired, our-key-signed) bearer token belongs to.
const publicKey = createPublicKey(pem);
service.on('beforeUserinfo', (resp, req) => {
  const [h, p, s] = (/^Bearer\s+(\S+)/i.exec(req.headers.authorization || '')?.[1] || '').split('.');
  let claims;
  try {
    if (!verify('sha256', Buffer.from(`${h}.${p}`), publicKey, Buffer.from(s, 'base64url'))) throw 0;
    claims = JSON.parse(Buffer.from(p, 'base64url').toString());
  } catch { claims = null; }
  if (!claims || claims.exp <= now()) {
    resp.statusCode = 401;
    resp.body = { error: 'invalid_token', error_description: 'missing, forged or expired access token' };
    return;
  }
  resp.body = { sub: claims.sub, email: claims.email, email_verified: true, preferred_username: claims.email };
});

await server.start(port, '127.0.0.1');
log(`issuer ${server.issuer.url}, kid ${kid}`);
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => server.stop().finally(() => process.exit(0)));
