// @edgeauth/guard against a stand-in edgeauth: the token rules, the revocation bound,
// roles, CSRF, key rollover, failing closed.

import assert from "node:assert/strict";
import { test } from "node:test";

import { createGuard, GuardError, requireRole, REVOCATION_BOUND_MS } from "../index.js";
import { bearer, clock, cookieRequest, FakeEdgeauth, keyPair, ORIGIN, SESSION, START_MS, token, USER } from "./fakes.mjs";

function setup(options = {}) {
  const key = keyPair("sig-a");
  const edgeauth = new FakeEdgeauth([key]);
  const now = clock();
  const guard = createGuard({ origin: ORIGIN, now, ...options });
  const check = (request) => guard.verify(request, { binding: edgeauth });
  return { key, edgeauth, now, guard, check };
}

async function refused(promise, code) {
  await assert.rejects(promise, (error) => error instanceof GuardError && error.code === code);
}

test("a valid bearer token of a live session yields the principal with stored roles", async () => {
  const { key, edgeauth, check } = setup();
  edgeauth.sessions.get(SESSION).roles = ["user", "admin"];
  const principal = await check(bearer("GET", token(key)));
  assert.equal(principal.userId, USER);
  assert.equal(principal.sessionId, SESSION);
  assert.deepEqual(principal.roles, ["user", "admin"], "edgeauth's stored roles, not the token's");
  assert.equal(principal.via, "bearer");
  assert.equal(principal.checkedAtMs, START_MS);
  requireRole(principal, "admin");
});

test("an expired token is refused", async () => {
  const { key, now, check } = setup();
  const value = token(key);
  await check(bearer("GET", value));
  now.advance(900_000 + 31_000);
  await refused(check(bearer("GET", value)), "unauthenticated");
  await refused(check(bearer("GET", token(key, { claims: { exp: undefined } }))), "unauthenticated");
  await refused(check(bearer("GET", token(key, { claims: { iat: Math.floor(now() / 1000) + 3600 } }))), "unauthenticated");
});

test("a token for another audience is refused and the audience is configurable", async () => {
  const own = setup();
  await refused(own.check(bearer("GET", token(own.key, { claims: { aud: "https://api.example.com" } }))), "unauthenticated");
  await refused(own.check(bearer("GET", token(own.key, { claims: { aud: [ORIGIN] } }))), "unauthenticated");
  const api = setup({ audience: "https://api.example.com" });
  await refused(api.check(bearer("GET", token(api.key))), "unauthenticated");
  assert.equal(api.edgeauth.count("/auth/introspect"), 0, "refused before asking edgeauth");
  const principal = await api.check(bearer("GET", token(api.key, { claims: { aud: "https://api.example.com" } })));
  assert.equal(principal.userId, USER);
});

test("a token under a key the set does not hold is refused, with one fetch per cool-down", async () => {
  const { key, edgeauth, now, check } = setup();
  await check(bearer("GET", token(key)));
  const stranger = keyPair("sig-x");
  now.advance(30_000);
  for (let i = 0; i < 5; i++) await refused(check(bearer("GET", token(stranger, { nowMs: now() }))), "unauthenticated");
  assert.equal(edgeauth.count("jwks.json"), 2, "first fetch, then one refetch for the unknown kid");
  // Same kid, another key: the signature fails.
  const impostor = { ...keyPair("sig-a") };
  await refused(check(bearer("GET", token(impostor, { nowMs: now() }))), "unauthenticated");
});

test("a new signing key is picked up at once, a removed one at the next fetch", async () => {
  const { key, edgeauth, now, check } = setup();
  await check(bearer("GET", token(key)));
  const next = keyPair("sig-b");
  edgeauth.keys = [next, key];
  now.advance(30_000);
  await check(bearer("GET", token(next, { nowMs: now() })));
  const old = token(key, { nowMs: now() });
  await check(bearer("GET", old));
  edgeauth.keys = [next];
  now.advance(300_000);
  await refused(check(bearer("GET", old)), "unauthenticated");
});

test("alg none, HS256, a crit header and another typ are refused before any key is used", async () => {
  const { key, check } = setup();
  for (const header of [{ alg: "none" }, { alg: "HS256" }, { crit: ["exp"] }, { typ: "JWT" }, { kid: undefined }]) {
    await refused(check(bearer("GET", token(key, { header }))), "unauthenticated");
  }
  const parts = token(key).split(".");
  await refused(check(bearer("GET", `${parts[0]}.${parts[1]}.${"A".repeat(86)}`)), "unauthenticated");
  await refused(check(bearer("GET", token(key) + "x".repeat(4096))), "unauthenticated");
});

test("a revoked session is refused by reads within the bound and by writes at once", async () => {
  const { key, edgeauth, now, check } = setup();
  const value = token(key);
  await check(bearer("GET", value));
  edgeauth.sessions.get(SESSION).live = false;
  await refused(check(bearer("DELETE", value)), "unauthenticated");
  now.advance(REVOCATION_BOUND_MS - 1);
  await check(bearer("GET", value));
  now.advance(1);
  await refused(check(bearer("GET", value)), "unauthenticated");
});

test("the age of edgeauth's own snapshot counts against the bound", async () => {
  const { key, edgeauth, now, check } = setup();
  const value = token(key);
  edgeauth.ageMs = 4_000;
  const principal = await check(bearer("GET", value));
  assert.equal(principal.checkedAtMs, START_MS - 4_000);
  edgeauth.sessions.get(SESSION).live = false;
  now.advance(999);
  await check(bearer("GET", value));
  now.advance(1);
  await refused(check(bearer("GET", value)), "unauthenticated");
});

test("reads within the bound cost one introspection; writes ask every time", async () => {
  const { key, edgeauth, now, check } = setup();
  const value = token(key);
  for (let i = 0; i < 10; i++) { now.advance(400); await check(bearer("GET", value)); }
  assert.equal(edgeauth.count("GET /auth/introspect"), 1);
  for (let i = 0; i < 3; i++) await check(bearer("PUT", value));
  assert.equal(edgeauth.count("POST /auth/introspect"), 3);
});

test("strict mode asks edgeauth for every request", async () => {
  const { key, edgeauth, check } = setup({ sessionCheck: "strict" });
  const value = token(key);
  await check(bearer("GET", value));
  edgeauth.sessions.get(SESSION).live = false;
  await refused(check(bearer("GET", value)), "unauthenticated");
  assert.equal(edgeauth.count("POST /auth/introspect"), 2);
});

test("a caller without the role is forbidden", async () => {
  const { key, check } = setup();
  const principal = await check(bearer("GET", token(key)));
  assert.throws(() => requireRole(principal, "admin"), (error) => error.code === "forbidden" && error.status === 403);
  assert.throws(() => requireRole(principal, "Admin"), (error) => error.code === "forbidden");
  assert.equal(principal.hasRole("user"), true);
});

test("a cookie write needs the CSRF header equal to the cookie, from an allowed origin", async () => {
  const { key, edgeauth, check } = setup();
  const value = token(key);
  await refused(check(cookieRequest("POST", value)), "csrf_failed");
  await refused(check(cookieRequest("POST", value, { csrfHeader: "other" })), "csrf_failed");
  await refused(check(cookieRequest("POST", value, { csrfHeader: "csrf-of-session", origin: "https://evil.example.net" })), "csrf_failed");
  await refused(check(cookieRequest("POST", value, { csrfHeader: "csrf-of-session", origin: "null" })), "csrf_failed");
  assert.equal(edgeauth.count("/auth/introspect"), 0, "refused before asking");
  const principal = await check(cookieRequest("POST", value, { csrfHeader: "csrf-of-session", origin: ORIGIN }));
  assert.equal(principal.via, "cookie");
  assert.equal(edgeauth.count('"csrf_token":"csrf-of-session"'), 1, "the binding is edgeauth's to check");
  // A pair the attacker chose (cookie tossing): equal, but not the session's.
  await refused(check(cookieRequest("POST", value, { csrfCookie: "chosen", csrfHeader: "chosen" })), "csrf_failed");
  // Bearer writes and cookie reads are exempt.
  await check(bearer("POST", value));
  await check(cookieRequest("GET", value, { origin: "https://evil.example.net" }));
});

test("allowed origins pass the Origin rule", async () => {
  const { key, check } = setup({ allowedOrigins: ["https://app.example.com"] });
  await check(cookieRequest("POST", token(key), { csrfHeader: "csrf-of-session", origin: "https://app.example.com" }));
});

test("an unreachable or odd edgeauth fails closed; 429 is passed on", async () => {
  const { key, edgeauth, check } = setup();
  edgeauth.down = true;
  await refused(check(bearer("GET", token(key))), "unavailable");
  edgeauth.down = false;
  edgeauth.rateLimited = true;
  await assert.rejects(check(bearer("GET", token(key))), (error) => error.code === "rate_limited" && error.retryAfter === 7);
  edgeauth.rateLimited = false;
  const original = edgeauth.fetch.bind(edgeauth);
  edgeauth.fetch = async (request) => (new URL(request.url).pathname === "/auth/introspect"
    ? Response.json({ active: true, sub: "f".repeat(32), sid: SESSION, roles: ["admin"] })
    : original(request));
  await refused(check(bearer("POST", token(key))), "unauthenticated");
});

test("requests without a usable credential are refused without asking edgeauth", async () => {
  const { edgeauth, check } = setup();
  for (const headers of [{}, { Authorization: "Basic dXNlcjpwYXNz", Cookie: "__Host-access=x" }, { Authorization: "Bearer" }, { Cookie: "__Host-access=" }]) {
    await refused(check(new Request(`${ORIGIN}/x`, { headers })), "unauthenticated");
  }
  assert.equal(edgeauth.calls.length, 0);
});

test("the problem response is edgeauth's shape", async () => {
  const response = GuardError.rateLimited(7).toResponse();
  assert.equal(response.status, 429);
  assert.equal(response.headers.get("content-type"), "application/problem+json");
  assert.equal(response.headers.get("retry-after"), "7");
  const body = await response.json();
  assert.equal(body.code, "rate_limited");
  assert.equal(body.type, "https://edgeauth.dev/problems/rate_limited");
  assert.match(body.request_id, /^[0-9a-f]{32}$/);
});

test("configuration is validated", () => {
  for (const options of [{}, { origin: "http://auth.example.com" }, { origin: ORIGIN, sessionCheck: "sometimes" },
    { origin: ORIGIN, allowedOrigins: ["*"] }, { origin: `${ORIGIN}/path` }]) {
    assert.throws(() => createGuard(options), TypeError);
  }
  assert.equal(createGuard({ origin: "http://127.0.0.1:8787" }).options.audience, "http://127.0.0.1:8787");
});
