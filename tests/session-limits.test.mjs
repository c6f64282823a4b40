// The per-user budget of the refresh function's session routes
// (RATE_LIMIT_SESSIONS_PER_USER; docs/abuse.md): GET /auth/session, GET /auth/sessions,
// DELETE /auth/sessions/{id} and POST /auth/session/logout-all share one budget per
// user, counted after authentication; past it they answer 429 with Retry-After.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { configWith, start, TARGET } from "./harness/target.mjs";
import { startMailSink } from "./harness/mail.mjs";
import { newSession } from "./harness/flows.mjs";
import { assertProblem } from "./harness/assertions.mjs";

let sink;
let server;
before(async () => {
  sink = await startMailSink();
  server = await start({ vars: configWith({ ...sink.vars(), RATE_LIMIT_SESSIONS_PER_USER: "3/60" }) });
});
after(async () => { await server.stop(); await sink.close(); });

test(`${TARGET}: the session routes answer 429 past the user's budget, and only for that user`, async () => {
  const ada = await newSession(server.url, sink, { mode: "token" });
  const bob = await newSession(server.url, sink, { mode: "token" });
  assert.equal((await ada.client.get("/auth/sessions", ada.auth())).status, 200);
  assert.equal((await ada.client.get("/auth/session", ada.auth())).status, 200);
  assert.equal((await ada.client.get("/auth/sessions", ada.auth())).status, 200);
  const limited = await ada.client.get("/auth/sessions", ada.auth());
  assertProblem(limited, 429, "rate_limited");
  assert.ok(Number(limited.headers.get("retry-after")) > 0);
  assertProblem(await ada.client.get("/auth/session", ada.auth()), 429, "rate_limited");
  assertProblem(await ada.client.delete(`/auth/sessions/${ada.sessionId}`, ada.auth()), 429, "rate_limited");
  assertProblem(await ada.client.post("/auth/session/logout-all", undefined, ada.auth()), 429, "rate_limited");
  // Nothing was revoked by the refused calls, and another user is not affected.
  assert.equal((await ada.client.get("/api/me", ada.auth())).status, 200);
  assert.equal((await bob.client.get("/auth/sessions", bob.auth())).status, 200);
});
