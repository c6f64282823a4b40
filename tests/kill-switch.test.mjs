// The audited kill switch, POST /api/admin/sessions/revoke-all (docs/runbooks/
// revoke-all-sessions.md), against the built functions. It ends every session, so it
// gets a server of its own.
//
// What is proved: only an admin may pull it; afterwards every session from before —
// token and cookie, every user, the admin's own — is refused by every function (the
// api function and the refresh function, which serves the session routes), within the
// stated bound of 5 s per isolate; accounts are untouched (a new login works at once);
// and the audit log names the admin.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { configWith, start, TARGET } from "./harness/target.mjs";
import { Client } from "./harness/http.mjs";
import { assertProblem } from "./harness/assertions.mjs";
import { startMailSink } from "./harness/mail.mjs";
import { login, newSession, uniqueEmail } from "./harness/flows.mjs";
import { call } from "./harness/api.mjs";

const ROUTE = "/api/admin/sessions/revoke-all";
/** The stated bound (kill_switch::REFRESH_MS) plus slack for a loaded machine. */
const BOUND_MS = 5_000 + 3_000;
const ADMIN_EMAIL = uniqueEmail("root");
let sink;
let server;
/** The bootstrap admin's first session (`email`, `password` for signing in again). */
let root;

before(async () => {
  sink = await startMailSink();
  server = await start({ vars: configWith({ ...sink.vars(), BOOTSTRAP_ADMIN_EMAILS: ADMIN_EMAIL }) });
  root = await newSession(server.url, sink, { mode: "token", email: ADMIN_EMAIL });
});
after(async () => {
  await server?.stop();
  await sink?.close();
});

const as = (session, method, path, json) => call(server.url, session, method, path, json);

/** Polls `probe` until it answers `status` or the bound passes; returns the time taken. */
async function within(label, probe, status) {
  const started = Date.now();
  for (;;) {
    const response = await probe();
    if (response.status === status) return Date.now() - started;
    assert.ok(Date.now() - started < BOUND_MS, `${label}: still ${response.status} after ${BOUND_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe(`${TARGET}: the kill switch (POST ${ROUTE})`, () => {
  test("only an admin may pull it; everyone else's answer changes nothing", async () => {
    const user = await newSession(server.url, sink, { mode: "token", email: uniqueEmail("user") });
    assertProblem(await as(null, "POST", ROUTE), 401, "unauthenticated");
    assertProblem(await as(user, "POST", ROUTE), 403, "forbidden");
    assertProblem(await as(root, "POST", ROUTE, { everyone: true }), 400, "invalid_request");
    assert.equal((await as(user, "GET", "/api/me")).status, 200, "nothing was revoked");
    assert.equal((await as(root, "GET", "/api/me")).status, 200, "nothing was revoked");
  });

  test("every session from before ends on every function; accounts stay; audited", async () => {
    const admin = await login(new Client(server.url), root.email, root.password, "token");
    const bob = await newSession(server.url, sink, { mode: "token", email: uniqueEmail("bob") });
    const carol = await newSession(server.url, sink, { mode: "cookie", email: uniqueEmail("carol") });
    for (const session of [admin, bob, carol]) assert.equal((await as(session, "GET", "/api/me")).status, 200);
    // Warm every function's copy of the cut-off first, so the times below measure the
    // staleness bound, not a cold read.
    assert.equal((await bob.client.get("/auth/session", bob.auth())).status, 200);
    assert.equal((await bob.refresh()).status, 200);
    assert.equal((await carol.refresh()).status, 200);

    const pulled = await as(admin, "POST", ROUTE);
    assert.equal(pulled.status, 200, pulled.text);
    assert.match(pulled.json.sessions_revoked_before, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const cutoff = Date.parse(pulled.json.sessions_revoked_before);
    assert.ok(Math.abs(cutoff - Date.now()) < 60_000, "the cut-off is now");

    // The api function's isolate pulled it: at once there.
    assertProblem(await as(admin, "GET", "/api/me"), 401, "unauthenticated");
    const times = {
      "bob, Bearer, api": await within("bob /api/me", () => as(bob, "GET", "/api/me"), 401),
      "carol, cookie, api": await within("carol POST /api/documents",
        () => as(carol, "POST", "/api/documents", { title: "t", body: "b" }), 401),
      "bob, Bearer, refresh function (GET /auth/session)": await within("bob /auth/session",
        () => bob.client.get("/auth/session", bob.auth()), 401),
      "bob, refresh token, refresh function": await within("bob refresh", () => bob.refresh(), 401),
      "carol, refresh cookie, refresh function": await within("carol refresh", () => carol.refresh(), 401),
    };
    console.log(`kill switch (${TARGET}): ms until refused, per credential and function: ${JSON.stringify(times)}`);

    // Accounts are untouched: signing in again works at once, and that session lives.
    const again = await login(new Client(server.url), bob.email, bob.password, "token");
    assert.equal((await as(again, "GET", "/api/me")).status, 200);
    assert.equal((await again.refresh()).status, 200);

    assertProblem(await as(root, "GET", "/api/me"), 401, "unauthenticated");
    const adminAgain = await login(new Client(server.url), root.email, root.password, "token");
    const audit = await as(adminAgain, "GET", "/api/admin/audit?event=all_sessions_revoked");
    assert.equal(audit.status, 200, audit.text);
    assert.equal(audit.json.events.length, 1);
    const [event] = audit.json.events;
    assert.equal(event.actor_id, admin.user.id);
    assert.equal(event.detail.sessions_revoked_before, pulled.json.sessions_revoked_before);
  });
});
