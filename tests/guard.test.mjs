// "Protect your own API" (README): the examples that guard their own routes with
// edgeauth sessions, on the built artifacts beside the built functions — on Workers
// the Rust Worker (examples/guard-worker, edgeauth-guard) and the Hono Worker
// (examples/guard-hono, @edgeauth/guard), each reaching edgeauth's refresh Worker over
// the service binding EDGEAUTH; on Spin the component (examples/guard-spin) reaching
// edgeauth over HTTP.
//
// For each: a protected route (401 without a credential, 200 for Bearer and cookie),
// an admin-only route (403 for a user, 200 for an admin), a CSRF-protected write (the
// header required for cookies and checked against the session by edgeauth, Bearer
// exempt), and the revocation policy (a write refused at once after logout, a read
// within the 5 s bound).

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { configWith, start, TARGET } from "./harness/target.mjs";
import { assertProblem } from "./harness/assertions.mjs";
import { startMailSink } from "./harness/mail.mjs";
import { COOKIES, newSession, uniqueEmail } from "./harness/flows.mjs";

const EXAMPLES = TARGET === "spin"
  ? [{ name: "Spin component", prefix: "/spin-app" }]
  : [{ name: "Rust Worker", prefix: "/rust-app" }, { name: "Hono Worker", prefix: "/hono-app" }];
/** The stated bound plus slack for a loaded machine. */
const BOUND_MS = 5_000 + 3_000;
const ADMIN_EMAIL = uniqueEmail("guard-admin");
let sink;
let server;
let user;
let cookieUser;
let admin;

before(async () => {
  sink = await startMailSink();
  server = await start({ vars: configWith({ ...sink.vars(), BOOTSTRAP_ADMIN_EMAILS: ADMIN_EMAIL }) });
  user = await newSession(server.url, sink, { mode: "token" });
  cookieUser = await newSession(server.url, sink, { mode: "cookie" });
  admin = await newSession(server.url, sink, { mode: "token", email: ADMIN_EMAIL });
});
after(async () => {
  await server?.stop();
  await sink?.close();
});

const bearer = (session) => ({ headers: { Authorization: `Bearer ${session.accessToken}` }, cookies: false });

for (const { name, prefix } of EXAMPLES) {
  describe(`${TARGET}: ${name} guarding ${prefix}/`, () => {
    test("the protected route refuses anonymous callers and names Bearer and cookie callers", async () => {
      const anonymous = await user.client.get(`${prefix}/me`, { cookies: false });
      assertProblem(anonymous, 401, "unauthenticated");
      assertProblem(await user.client.get(`${prefix}/me`, { headers: { Authorization: "Bearer nope" }, cookies: false }),
        401, "unauthenticated");
      const viaBearer = await user.client.get(`${prefix}/me`, bearer(user));
      assert.equal(viaBearer.status, 200, viaBearer.text);
      assert.equal(viaBearer.json.user_id, user.user.id);
      assert.equal(viaBearer.json.session_id, user.sessionId);
      assert.deepEqual(viaBearer.json.roles, ["user"]);
      assert.equal(viaBearer.json.via, "bearer");
      assert.equal(viaBearer.headers.get("cache-control"), "no-store");
      const viaCookie = await cookieUser.client.get(`${prefix}/me`);
      assert.equal(viaCookie.status, 200, viaCookie.text);
      assert.equal(viaCookie.json.via, "cookie");
      assert.equal(viaCookie.json.user_id, cookieUser.user.id);
    });

    test("the admin route is for admins only (edgeauth's stored roles)", async () => {
      assertProblem(await user.client.get(`${prefix}/admin`, bearer(user)), 403, "forbidden");
      const allowed = await admin.client.get(`${prefix}/admin`, bearer(admin));
      assert.equal(allowed.status, 200, allowed.text);
      assert.deepEqual(allowed.json, { admin: true, user_id: admin.user.id });
    });

    test("a cookie write needs the CSRF header, bound to the session; Bearer writes are exempt", async () => {
      const path = `${prefix}/notes`;
      const headers = { "Content-Type": "text/plain" };
      assertProblem(await cookieUser.client.request("POST", path, { headers, body: "x" }), 403, "csrf_failed");
      assertProblem(await cookieUser.client.request("POST", path, {
        headers: { ...headers, "X-CSRF-Token": "not-the-cookie" }, body: "x" }), 403, "csrf_failed");
      assertProblem(await cookieUser.client.request("POST", path, {
        headers: { ...headers, "X-CSRF-Token": cookieUser.csrfToken, Origin: "https://evil.example.net" }, body: "x" }),
      403, "csrf_failed");
      // Cookie tossing: a pair the attacker chose — equal, but not the session's token.
      const tossed = `${COOKIES.access}=${cookieUser.accessToken}; ${COOKIES.csrf}=chosen`;
      assertProblem(await cookieUser.client.request("POST", path, {
        headers: { ...headers, Cookie: tossed, "X-CSRF-Token": "chosen" }, cookies: false, body: "x" }), 403, "csrf_failed");
      const saved = await cookieUser.client.request("POST", path, {
        headers: { ...headers, "X-CSRF-Token": cookieUser.csrfToken }, body: "a note" });
      assert.equal(saved.status, 201, saved.text);
      assert.equal(saved.json.by, cookieUser.user.id);
      const viaBearer = await user.client.request("POST", path, { ...bearer(user), body: "a note" });
      assert.equal(viaBearer.status, 201, viaBearer.text);
    });
  });
}

describe(`${TARGET}: the guards apply edgeauth's revocation policy`, () => {
  test("after a logout every guard refuses a write at once and a read within the bound", async () => {
    const victim = await newSession(server.url, sink, { mode: "token" });
    for (const { prefix } of EXAMPLES) {
      assert.equal((await victim.client.get(`${prefix}/me`, bearer(victim))).status, 200);
    }
    const logout = await victim.client.post("/auth/session/logout", {}, bearer(victim));
    assert.equal(logout.status, 204, logout.text);
    for (const { prefix } of EXAMPLES) {
      assertProblem(await victim.client.request("POST", `${prefix}/notes`, { ...bearer(victim), body: "x" }),
        401, "unauthenticated");
    }
    const started = Date.now();
    for (const { prefix } of EXAMPLES) {
      for (;;) {
        const read = await victim.client.get(`${prefix}/me`, bearer(victim));
        if (read.status === 401) break;
        assert.equal(read.status, 200);
        assert.ok(Date.now() - started < BOUND_MS, `${prefix}: still accepted after ${BOUND_MS} ms`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  });
});
