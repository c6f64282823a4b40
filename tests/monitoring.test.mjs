// Error tracking and metrics (docs/monitoring.md), on both runtimes:
// - an unexpected error (500 internal, provoked by a corrupt stored document) is sent
//   to a local Sentry-compatible receiver as an envelope: request id, function, route,
//   cause — no body, no token; without SENTRY_DSN nothing leaves;
// - a burst of 5xx answers raises errors.burst once per window (a signed webhook);
// - GET /api/admin/metrics summarises the isolates' flushed counts on Workers (with
//   METRICS_FLUSH_SECS=1), and is empty on Spin, whose instances flush nothing.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { configWith, start, TARGET } from "./harness/target.mjs";
import { startMailSink } from "./harness/mail.mjs";
import { newSession, uniqueEmail } from "./harness/flows.mjs";
import { call } from "./harness/api.mjs";
import { startSentryReceiver } from "./harness/sentry.mjs";
import { startWebhookReceiver } from "./harness/webhooks.mjs";

const ADMIN_EMAIL = uniqueEmail("root");
let sink; let sentry; let receiver; let server; let admin; let owner;

before(async () => {
  sink = await startMailSink();
  sentry = await startSentryReceiver();
  receiver = await startWebhookReceiver({ name: "ops" });
  server = await start({
    withContractWorker: true,
    vars: configWith({
      ...sink.vars(), ...receiver.vars({ alerts: ["errors.burst"] }), SENTRY_DSN: sentry.dsn,
      BOOTSTRAP_ADMIN_EMAILS: ADMIN_EMAIL, ALERT_ERROR_BURST: "3/60", METRICS_FLUSH_SECS: "1",
    }),
  });
  admin = await newSession(server.url, sink, { mode: "token", email: ADMIN_EMAIL });
  owner = await newSession(server.url, sink, { mode: "token" });
});
after(async () => {
  await server?.stop();
  await sink?.close();
  await sentry?.close();
  await receiver?.close();
});

/** A document of `owner` whose stored record is then corrupted (through the contract worker). */
async function corruptDocument() {
  const created = await call(server.url, owner, "POST", "/api/documents", { title: "t", body: "private body text" });
  assert.equal(created.status, 201, created.text);
  const id = created.json.id;
  const shard = `doc/${id}`;
  const read = await fetch(`${server.url}/__contract/get?shard=${encodeURIComponent(shard)}&name=document`);
  const { value } = await read.json();
  const query = [["shard", shard], ["name", "document"], ["expected", value], ["new", "not json"]]
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join("&");
  const swapped = await fetch(`${server.url}/__contract/swap?${query}`, { method: "POST" });
  assert.equal((await swapped.json()).swapped, true);
  return id;
}

test(`${TARGET}: an internal error reaches the Sentry-compatible endpoint as an envelope, without body or token`, async () => {
  const id = await corruptDocument();
  const failed = await call(server.url, owner, "GET", `/api/documents/${id}`);
  assert.equal(failed.status, 500);
  assert.equal(failed.json.code, "internal");
  const requestId = failed.json.request_id;
  const [envelope] = (await sentry.waitForEnvelopes(1)).filter((e) => e.header.event_id === requestId);
  assert.ok(envelope, "the envelope of that request");
  assert.equal(envelope.contentType, "application/x-sentry-envelope");
  assert.match(envelope.auth, /sentry_version=7/);
  assert.equal(envelope.items.length, 1);
  const [{ header, payload }] = envelope.items;
  assert.equal(header.type, "event");
  assert.equal(payload.event_id, requestId);
  assert.equal(payload.level, "error");
  assert.deepEqual(payload.tags, { function: "api", method: "GET", route: "/api/documents/{id}", request_id: requestId });
  assert.equal(payload.exception.values[0].value, "document record corrupt");
  for (const secret of ["private body text", owner.accessToken, owner.email, id]) {
    assert.ok(!envelope.raw.includes(secret), `the envelope holds ${secret.slice(0, 10)}…`);
  }
  assert.equal(sentry.refused, 0);
});

test(`${TARGET}: a burst of 5xx answers raises one errors.burst webhook per window`, async () => {
  const id = await corruptDocument();
  for (let i = 0; i < 4; i++) assert.equal((await call(server.url, owner, "GET", `/api/documents/${id}`)).status, 500);
  const [burst] = await receiver.waitFor((r) => r.type === "errors.burst");
  assert.ok(burst.verified);
  assert.equal(burst.json.data.detail.window_secs, "60");
  assert.equal(burst.json.data.detail.count, "3");
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.equal(receiver.requests.filter((r) => r.type === "errors.burst").length, 1, "once per window");
});

test(`${TARGET}: the admin metrics summary shows what the runtime's isolates flushed`, async () => {
  for (let i = 0; i < 5; i++) assert.equal((await call(server.url, null, "GET", "/api/health")).status, 200);
  await new Promise((resolve) => setTimeout(resolve, 1_200));
  let summary;
  for (let i = 0; i < 40; i++) {
    // Each request may flush its isolate's counts (after the response): one to api,
    // one to login (an idle isolate flushes with its next request).
    await call(server.url, null, "GET", "/api/health");
    await call(server.url, null, "POST", "/auth/login", { email: uniqueEmail("nobody"), password: "not the password" });
    summary = await call(server.url, admin, "GET", "/api/admin/metrics?minutes=60");
    assert.equal(summary.status, 200, summary.text);
    const flushed = (route) => summary.json.routes.some((r) => r.route === route && r.count >= 1);
    if (TARGET !== "workers" || (flushed("/api/health") && flushed("/auth/login"))) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  console.log(`--- ${TARGET}: GET /api/admin/metrics\n${JSON.stringify(summary.json).slice(0, 1500)}`);
  if (TARGET === "workers") {
    const health = summary.json.routes.find((r) => r.function === "api" && r.route === "/api/health");
    assert.ok(health && health.count >= 5 && health.status_2xx >= 5, "the health checks are counted");
    assert.ok(summary.json.snapshots >= 1);
    assert.ok(summary.json.per_minute.length >= 1);
    assert.ok(summary.json.outcomes.logins_succeeded >= 2, "sign-ins are counted");
    assert.ok(summary.json.outcomes.logins_failed >= 1, "failed sign-ins are counted");
    assert.ok(summary.json.hash.count >= 3, "password hashes are timed");
  } else {
    assert.equal(summary.json.snapshots, 0, "Spin instances serve one request each and flush nothing");
  }
  const forbidden = await call(server.url, owner, "GET", "/api/admin/metrics");
  assert.equal(forbidden.status, 403);
});
