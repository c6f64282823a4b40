// The revocation bound (docs/sessions.md §5): after a session is ended, how long until
// every function that accepts its access token refuses it — measured, in both
// SESSION_CHECK modes, on the runtime under test.
//
// Every reader is warmed first (its isolate holds a fresh session check), then the
// session is ended and each reader is polled until it refuses. The readers: edgeauth's
// own `api` (GET /api/me) and `refresh` (GET /auth/session), and the guard examples
// (GET <prefix>/me: on Workers the Rust and the Hono Worker, on Spin the component).
// Two revocations: a logout (the session record), and an admin disabling the user
// (the user record and the session epoch).
//
// What is asserted: `strict` — refused by the very next request everywhere; `cached` —
// refused by every reader within the bound (5 s; the poll adds up to one interval and a
// request's time), and a write refused at once. On Spin an instance serves one request,
// so both modes refuse at once. The measured times are printed (`revocation:` lines),
// the figures docs/benchmarks.md quotes.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { configWith, start, TARGET } from "./harness/target.mjs";
import { startMailSink } from "./harness/mail.mjs";
import { newSession, uniqueEmail } from "./harness/flows.mjs";
import { call } from "./harness/api.mjs";

const BOUND_MS = 5_000;
/** Poll interval, and the slack a request's own time needs on a loaded machine. */
const POLL_MS = 100;
const SLACK_MS = 1_500;

const READERS = [
  { name: "api", path: "/api/me" },
  { name: "refresh", path: "/auth/session" },
  ...(TARGET === "spin"
    ? [{ name: "guard (Spin component)", path: "/spin-app/me" }]
    : [{ name: "guard (Rust Worker)", path: "/rust-app/me" }, { name: "guard (Hono Worker)", path: "/hono-app/me" }]),
];

/**
 * Polls every reader until it refuses `session`. Returns `{refused: {name: ms}, accepted:
 * {name: ms}}`: per reader, the time from `since` to the start of the first refused
 * request, and to the start of the last accepted one (the bound is about the latter: no
 * request started 5 s after the revocation is accepted; the former adds the poll's
 * granularity). Fails past the bound + slack.
 */
async function untilRefused(session, since) {
  const times = {};
  const accepted = {};
  const pending = new Set(READERS);
  for (;;) {
    for (const reader of [...pending]) {
      const sent = Date.now();
      const response = await call(session.client.base, session, "GET", reader.path);
      if (response.status === 401) {
        times[reader.name] = sent - since;
        pending.delete(reader);
      } else {
        assert.equal(response.status, 200, `${reader.name}: ${response.text}`);
        accepted[reader.name] = sent - since;
      }
    }
    if (pending.size === 0) return { refused: times, accepted };
    const waited = Date.now() - since;
    assert.ok(waited < BOUND_MS + SLACK_MS,
      `still accepted after ${waited} ms: ${[...pending].map((r) => r.name).join(", ")}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

async function warm(session) {
  for (let round = 0; round < 3; round++) {
    for (const reader of READERS) {
      const response = await call(session.client.base, session, "GET", reader.path);
      assert.equal(response.status, 200, `${reader.name} before the revocation: ${response.text}`);
    }
  }
}

for (const mode of ["cached", "strict"]) {
  describe(`${TARGET}, SESSION_CHECK=${mode}: time until every function refuses a revoked token`, () => {
    const adminEmail = uniqueEmail("revoker");
    let sink;
    let server;
    let admin;
    before(async () => {
      sink = await startMailSink();
      server = await start({ vars: configWith({ ...sink.vars(), SESSION_CHECK: mode, BOOTSTRAP_ADMIN_EMAILS: adminEmail }) });
      admin = await newSession(server.url, sink, { mode: "token", email: adminEmail });
    });
    after(async () => {
      await server?.stop();
      await sink?.close();
    });

    const check = (label, { refused, accepted }) => {
      const worst = Math.max(...Object.values(refused));
      const lastAccepted = Math.max(-1, ...Object.values(accepted));
      console.log(`revocation: ${TARGET} ${mode} ${label}: first refused ${JSON.stringify(refused)}; ` +
        `last accepted ${JSON.stringify(accepted)} (worst ${worst} ms, last accepted ${lastAccepted} ms)`);
      if (mode === "strict" || TARGET === "spin") {
        // The first request after the revocation already refuses.
        assert.deepEqual(accepted, {}, "nothing accepted after the revocation");
        for (const [name, ms] of Object.entries(refused)) assert.ok(ms < 1_000, `${name}: ${ms} ms`);
      } else {
        // No request that started 5 s after the revocation was accepted (50 ms for the
        // runtimes' clock steps), and every reader refused soon after.
        assert.ok(lastAccepted < BOUND_MS + 50, `accepted ${lastAccepted} ms after the revocation`);
        assert.ok(worst <= BOUND_MS + POLL_MS + SLACK_MS, `worst ${worst} ms`);
      }
    };

    test("a logout", async () => {
      const session = await newSession(server.url, sink, { mode: "token" });
      await warm(session);
      const logout = await call(server.url, session, "POST", "/auth/session/logout", {});
      assert.equal(logout.status, 204, logout.text);
      const since = Date.now();
      // A write never uses a remembered check.
      const write = await call(server.url, session, "POST", "/auth/session/logout-all", {});
      assert.equal(write.status, 401, write.text);
      check("logout", await untilRefused(session, since));
    });

    test("an admin disabling the user", async () => {
      const session = await newSession(server.url, sink, { mode: "token" });
      await warm(session);
      const disabled = await call(server.url, admin, "POST", `/api/admin/users/${session.user.id}/disable`);
      assert.equal(disabled.status, 204, disabled.text);
      check("disable", await untilRefused(session, Date.now()));
    });
  });
}
