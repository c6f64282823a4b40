// The client in Node against the real built functions (Workers in Miniflare, or the
// Spin host with EDGEAUTH_TARGET=spin): what needs no cookie. Node's fetch keeps no
// cookie jar (and a browser would refuse `__Host-` cookies from plain http to a
// non-loopback host anyway), so the cookie flows — refresh, CSRF writes, sign-out,
// two tabs — run in Chromium: tests/e2e/client.test.mjs.
//
// Needs `node tools/build.mjs --with-test-workers` first.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Client, freshIp } from "../../../tests/harness/http.mjs";
import { login, registerAndVerify, strongPassword, uniqueEmail, verificationToken } from "../../../tests/harness/flows.mjs";
import { startMailSink } from "../../../tests/harness/mail.mjs";
import { configWith, start } from "../../../tests/harness/target.mjs";
import { TotpClock, base32Decode } from "../../../tests/harness/totp.mjs";
import { createClient, EdgeauthError } from "../index.js";

let sink;
let server;

before(async () => {
  sink = await startMailSink();
  server = await start({ vars: configWith(sink.vars()) });
});

after(async () => {
  await server?.stop();
  await sink?.close();
});

/** A client as one browser would be: its own client address (the rate limits are per IP). */
function client() {
  const ip = freshIp();
  return createClient({
    baseUrl: server.url, location: null, document: null, locks: null, BroadcastChannel: null,
    fetch: (request) => {
      const headers = new Headers(request.headers);
      headers.set("CF-Connecting-IP", ip);
      return fetch(new Request(request, { headers }));
    },
  });
}

test("register answers accepted and verifyEmail redeems the mailed token once", async () => {
  const auth = client();
  const email = uniqueEmail("client");
  assert.deepEqual(await auth.register({ email, password: strongPassword() }), { status: "accepted" });
  const token = await verificationToken(sink, email);
  assert.deepEqual(await auth.verifyEmail({ token }), { status: "verified" });
  const again = await auth.verifyEmail({ token }).catch((error) => error);
  assert.ok(again instanceof EdgeauthError);
  assert.deepEqual([again.status, again.code], [400, "invalid_request"]);
  assert.match(again.requestId, /^[0-9a-f]{32}$/);
});

test("a weak password surfaces as weak_password with the server's detail", async () => {
  const error = await client().register({ email: uniqueEmail("weak"), password: "short" }).catch((e) => e);
  assert.ok(error instanceof EdgeauthError);
  assert.deepEqual([error.status, error.code], [400, "weak_password"]);
  assert.equal(typeof error.detail, "string");
});

test("signIn answers signed_in with the user, the session id and a future access expiry", async () => {
  const email = uniqueEmail("client");
  const password = strongPassword();
  await registerAndVerify(new Client(server.url), email, password, sink);
  const result = await client().signIn({ email, password });
  assert.equal(result.status, "signed_in");
  assert.equal(result.user.email, email);
  assert.deepEqual(result.user.roles, ["user"]);
  assert.match(result.sessionId, /^[0-9a-f]{32}$/);
  assert.ok(result.accessExpiresAt > new Date());
  assert.deepEqual(Object.keys(result).sort(), ["accessExpiresAt", "sessionId", "status", "user"]);
});

test("a wrong password rejects as invalid_credentials carrying the response's X-Request-Id", async () => {
  const seen = [];
  const auth = createClient({
    baseUrl: server.url, location: null, document: null, locks: null, BroadcastChannel: null,
    fetch: async (request) => { const response = await fetch(request); seen.push(response.headers.get("x-request-id")); return response; },
  });
  const error = await auth.signIn({ email: uniqueEmail("nobody"), password: strongPassword() }).catch((e) => e);
  assert.ok(error instanceof EdgeauthError);
  assert.deepEqual([error.status, error.code], [401, "invalid_credentials"]);
  assert.equal(error.requestId, seen.at(-1));
});

test("a TOTP account gets mfa_required, and completeMfa with a fresh code signs in", async () => {
  const email = uniqueEmail("mfa");
  const password = strongPassword();
  const setupClient = new Client(server.url);
  await registerAndVerify(setupClient, email, password, sink);
  const session = await login(setupClient, email, password, "token");
  const setup = await setupClient.post("/api/me/mfa/totp/setup", undefined, session.auth());
  assert.equal(setup.status, 200, setup.text);
  const clock = new TotpClock(base32Decode(setup.json.secret));
  const confirm = await setupClient.post("/api/me/mfa/totp/confirm", { code: (await clock.next()).code }, session.auth());
  assert.equal(confirm.status, 200, confirm.text);

  const auth = client();
  const first = await auth.signIn({ email, password });
  assert.equal(first.status, "mfa_required");
  const wrong = await auth.completeMfa({ mfaToken: first.mfaToken, code: clock.wrong() }).catch((e) => e);
  assert.deepEqual([wrong.status, wrong.code], [401, "invalid_mfa"]);
  const second = await auth.signIn({ email, password });
  const done = await auth.completeMfa({ mfaToken: second.mfaToken, code: (await clock.next()).code });
  assert.equal(done.status, "signed_in");
  assert.equal(done.user.email, email);
});

test("forgotPassword answers accepted for known and unknown addresses alike", async () => {
  const auth = client();
  assert.deepEqual(await auth.forgotPassword({ email: uniqueEmail("unknown") }), { status: "accepted" });
});

test("without a session currentUser is null and client.fetch of /api/me rejects unauthenticated, with no refresh", async () => {
  const routes = [];
  const auth = createClient({
    baseUrl: server.url, location: null, document: { cookie: "" }, locks: null, BroadcastChannel: null,
    fetch: (request) => { routes.push(`${request.method} ${new URL(request.url).pathname}`); return fetch(request); },
  });
  assert.equal(await auth.currentUser(), null);
  await assert.rejects(auth.fetch("/api/me"), (error) => error instanceof EdgeauthError && error.code === "unauthenticated");
  assert.deepEqual(routes, ["GET /auth/session", "GET /api/me"]);
});

test("client.fetch resolves a public route and rejects an unknown one with not_found", async () => {
  const auth = client();
  const health = await auth.fetch("/api/health");
  assert.deepEqual(await health.json(), { status: "ok" });
  await assert.rejects(auth.fetch("/nowhere"), { status: 404, code: "not_found" });
});
