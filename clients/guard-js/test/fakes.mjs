// A stand-in for edgeauth's refresh Worker (key set + introspection) and a token
// signer with node:crypto's Ed25519, for the guard's unit tests.

import { generateKeyPairSync, sign, randomBytes } from "node:crypto";

export const ORIGIN = "https://auth.example.com";
export const USER = "0123456789abcdef0123456789abcdef";
export const SESSION = "fedcba9876543210fedcba9876543210";
export const START_MS = 1_767_225_600_000;

const b64url = (buffer) => Buffer.from(buffer).toString("base64url");

export function keyPair(kid) {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const jwk = publicKey.export({ format: "jwk" });
  return { kid, privateKey, jwk: { kty: "OKP", crv: "Ed25519", x: jwk.x, kid, alg: "EdDSA", use: "sig" } };
}

/** A compact JWS with `header` and `claims` overrides, signed by `key`. */
export function token(key, { header = {}, claims = {}, nowMs = START_MS } = {}) {
  const iat = Math.floor(nowMs / 1000);
  const h = { alg: "EdDSA", kid: key.kid, typ: "at+jwt", ...header };
  const c = { iss: ORIGIN, aud: ORIGIN, sub: USER, sid: SESSION, roles: ["user"], iat, exp: iat + 900,
    jti: b64url(randomBytes(16)), ...claims };
  for (const [k, v] of Object.entries(c)) if (v === undefined) delete c[k];
  const input = `${b64url(JSON.stringify(h))}.${b64url(JSON.stringify(c))}`;
  return `${input}.${b64url(sign(null, Buffer.from(input), key.privateKey))}`;
}

/** The stand-in: `keys` published, `sessions` by id, a CSRF token per session. */
export class FakeEdgeauth {
  constructor(keys) {
    this.keys = keys;
    this.sessions = new Map([[SESSION, { sub: USER, roles: ["user"], live: true, csrf: "csrf-of-session" }]]);
    this.ageMs = 0;
    this.down = false;
    this.rateLimited = false;
    this.calls = [];
  }

  count(fragment) {
    return this.calls.filter((call) => call.includes(fragment)).length;
  }

  async fetch(request) {
    const url = new URL(request.url);
    const body = request.method === "POST" ? await request.text() : "";
    this.calls.push(`${request.method} ${url.pathname} ${body}`);
    if (this.down) throw new TypeError("network down");
    if (url.pathname === "/.well-known/jwks.json") {
      return Response.json({ keys: this.keys.map((k) => k.jwk) }, { headers: { "Cache-Control": "public, max-age=300" } });
    }
    if (url.pathname !== "/auth/introspect") return new Response("", { status: 404 });
    const problem = (status, code, headers = {}) => Response.json({ code }, { status, headers });
    const bearer = /^Bearer (.+)$/.exec(request.headers.get("authorization") ?? "")?.[1];
    // The stand-in trusts the token's claims (the guard verified it); edgeauth checks it again.
    let claims;
    try { claims = JSON.parse(Buffer.from(bearer.split(".")[1], "base64url")); } catch { return problem(401, "unauthenticated"); }
    const session = this.sessions.get(claims.sid);
    if (!session?.live || session.sub !== claims.sub) return problem(401, "unauthenticated");
    if (this.rateLimited) return problem(429, "rate_limited", { "Retry-After": "7" });
    if (body) {
      const { csrf_token: csrf } = JSON.parse(body);
      if (csrf !== undefined && csrf !== session.csrf) return problem(403, "csrf_failed");
    }
    return Response.json({ active: true, sub: claims.sub, sid: claims.sid, roles: session.roles,
      email_verified: true, age_ms: this.ageMs, session_check: "cached" });
  }
}

/** A clock the test moves. */
export function clock(start = START_MS) {
  let now = start;
  const fn = () => now;
  fn.advance = (ms) => { now += ms; };
  return fn;
}

export function bearer(method, value) {
  return new Request(`${ORIGIN}/app/notes`, { method, headers: { Authorization: `Bearer ${value}` } });
}

export function cookieRequest(method, accessToken, { csrfCookie = "csrf-of-session", csrfHeader, origin } = {}) {
  const headers = { Cookie: `__Host-access=${accessToken}; __Host-csrf=${csrfCookie}` };
  if (csrfHeader !== undefined) headers["X-CSRF-Token"] = csrfHeader;
  if (origin !== undefined) headers.Origin = origin;
  return new Request(`${ORIGIN}/app/notes`, { method, headers });
}
