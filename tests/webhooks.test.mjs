// Security webhooks end to end (docs/monitoring.md), on both runtimes:
// - a lockout produces a Standard Webhooks delivery the npm reference library
//   verifies (the request as the receiver saw it is printed: the resolution note's
//   transcript);
// - a delivery answered 500 is retried with the same webhook-id and body, and a
//   deduplicating receiver processes it once;
// - with two secrets configured (a rotation) every delivery carries two signatures and
//   a receiver holding either secret accepts it;
// - after WEBHOOK_MAX_ATTEMPTS the delivery is listed by
//   GET /api/admin/webhooks/deliveries?status=failed (admins only);
// - no secret, password, token, code or address in any payload of a scripted session
//   with many alerts;
// - rotating the signing key raises keys.signing_rotated once.
// Workers carries deliveries through the Miniflare Queue (consumed by `refresh`);
// Spin attempts them at once and keeps retry records, retried here by the admin route.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { configWith, start, TARGET } from "./harness/target.mjs";
import { Client } from "./harness/http.mjs";
import { startMailSink } from "./harness/mail.mjs";
import { attemptLogin, newSession, strongPassword, uniqueEmail } from "./harness/flows.mjs";
import { call } from "./harness/api.mjs";
import { newSecret, startWebhookReceiver, verifiesWith } from "./harness/webhooks.mjs";

const FAST_RETRIES = { WEBHOOK_RETRY_BASE_SECS: "1", WEBHOOK_RETRY_MAX_SECS: "2" };

/** Five wrong passwords for a fresh address (the default lockout), from one client. */
async function lockOut(server, email) {
  const client = new Client(server.url);
  for (let i = 0; i < 5; i++) {
    const response = await attemptLogin(client, email, `wrong password number ${i}`, "token");
    assert.equal(response.status, 401, response.text);
  }
  const locked = await attemptLogin(client, email, "wrong password again", "token");
  assert.equal(locked.status, 429, locked.text);
}

/** Runs the due retries where there is no queue (Spin); the Queue retries by itself on Workers. */
async function retryDue(server, admin) {
  if (TARGET !== "spin") return;
  const response = await call(server.url, admin, "POST", "/api/admin/webhooks/retry");
  assert.equal(response.status, 202, response.text);
}

describe(`${TARGET}: security webhooks`, () => {
  let sink; let receiver; let server; let admin;
  const ADMIN_EMAIL = uniqueEmail("root");

  before(async () => {
    sink = await startMailSink();
    receiver = await startWebhookReceiver({ name: "siem", secrets: [newSecret(), newSecret()] });
    server = await start({
      vars: configWith({ ...sink.vars(), ...receiver.vars(), ...FAST_RETRIES, BOOTSTRAP_ADMIN_EMAILS: ADMIN_EMAIL }),
    });
    admin = await newSession(server.url, sink, { mode: "token", email: ADMIN_EMAIL });
  });
  after(async () => {
    await server?.stop();
    await receiver?.close();
    await sink?.close();
  });

  test("a lockout produces a signed webhook that the reference library verifies (transcript printed)", async () => {
    const email = uniqueEmail("locked");
    await lockOut(server, email);
    const [delivery] = await receiver.waitFor((r) => r.type === "lockout.engaged" && r.status < 300);
    console.log(`--- ${TARGET}: the lockout webhook as the receiver saw it\n`
      + `POST /hook\n${Object.entries(delivery.headers).map(([k, v]) => `${k}: ${v}`).join("\n")}\n\n${delivery.body}\n`
      + `verified by npm standardwebhooks with each secret: ${receiver.secrets.map((s) => verifiesWith(s, delivery)).join(", ")}`);
    assert.ok(delivery.verified, "both secrets verify");
    assert.match(delivery.id, /^msg_[0-9a-f]{32}$/);
    assert.ok(Math.abs(delivery.timestamp - Date.now() / 1000) < 60, "the timestamp is the attempt's");
    assert.equal(delivery.headers["content-type"], "application/json");
    assert.deepEqual(Object.keys(delivery.json).sort(), ["data", "timestamp", "type"]);
    assert.equal(delivery.json.data.subject_id, null, "an unknown address has no subject");
    assert.equal(delivery.json.data.detail.lock_number, "1");
    assert.ok(!delivery.body.includes(email), "no address");
  });

  test("two secrets mean two signatures, and a receiver holding either one accepts", async () => {
    const [delivery] = await receiver.waitFor((r) => r.type === "lockout.engaged" && r.status < 300);
    const signatures = delivery.signature.split(" ");
    assert.equal(signatures.length, 2);
    assert.ok(signatures.every((s) => s.startsWith("v1,")));
    for (const secret of receiver.secrets) assert.ok(verifiesWith(secret, delivery));
    assert.ok(!verifiesWith(newSecret(), delivery), "a stranger's secret does not");
    const tampered = { ...delivery, body: delivery.body.replace("lockout", "lockput") };
    assert.ok(!verifiesWith(receiver.secrets[0], tampered), "nor a changed body");
  });

  test("a 500 is retried with the same id and body, and the receiver processes it once", async () => {
    receiver.answers.push(500);
    const before = receiver.requests.length;
    const ADMIN_OTHER = await newSession(server.url, sink, { mode: "token", email: uniqueEmail("target") });
    const disabled = await call(server.url, admin, "POST", `/api/admin/users/${ADMIN_OTHER.user.id}/disable`);
    assert.equal(disabled.status, 204, disabled.text);
    await receiver.until((requests) => requests.slice(before).some((r) => r.type === "user.disabled" && r.status === 500));
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await retryDue(server, admin);
    const attempts = await receiver.waitFor((r) => r.type === "user.disabled", { count: 2 });
    assert.equal(attempts[0].status, 500);
    assert.ok(attempts[1].status < 300);
    assert.equal(attempts[1].id, attempts[0].id, "the webhook-id is stable across retries");
    assert.equal(attempts[1].body, attempts[0].body, "so is the body");
    assert.ok(attempts.every((a) => a.verified), "each attempt is signed afresh");
    assert.equal(receiver.unique().filter((r) => r.type === "user.disabled").length, 1, "processed once");
    assert.equal(attempts[0].json.data.actor_id, admin.user.id);
    assert.equal(attempts[0].json.data.subject_id, ADMIN_OTHER.user.id);
  });

  test("a role change raises its alert, naming the roles granted", async () => {
    const someone = await newSession(server.url, sink, { mode: "token" });
    const granted = await call(server.url, admin, "PUT", `/api/admin/users/${someone.user.id}/roles`, { roles: ["auditor"] });
    assert.equal(granted.status, 200, granted.text);
    const [role] = await receiver.waitFor((r) => r.type === "user.role_changed" && r.json.data.subject_id === someone.user.id);
    assert.equal(role.json.data.detail.granted, "auditor");
  });
});

describe(`${TARGET}: deliveries that keep failing`, () => {
  let sink; let receiver; let server; let admin; let user;
  const ADMIN_EMAIL = uniqueEmail("root");

  before(async () => {
    sink = await startMailSink();
    receiver = await startWebhookReceiver({ name: "pager", answers: Array(20).fill(503) });
    server = await start({
      vars: configWith({
        ...sink.vars(), ...receiver.vars({ alerts: ["lockout.engaged"] }), ...FAST_RETRIES,
        WEBHOOK_MAX_ATTEMPTS: "2", BOOTSTRAP_ADMIN_EMAILS: ADMIN_EMAIL,
      }),
    });
    admin = await newSession(server.url, sink, { mode: "token", email: ADMIN_EMAIL });
    user = await newSession(server.url, sink, { mode: "token" });
  });
  after(async () => {
    await server?.stop();
    await receiver?.close();
    await sink?.close();
  });

  test("after WEBHOOK_MAX_ATTEMPTS the delivery is listed as failed, for admins only", async () => {
    await lockOut(server, uniqueEmail("failing"));
    await receiver.waitFor((r) => r.type === "lockout.engaged");
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await retryDue(server, admin);
    await receiver.waitFor((r) => r.type === "lockout.engaged", { count: 2 });
    let listed;
    for (let i = 0; i < 100; i++) {
      listed = await call(server.url, admin, "GET", "/api/admin/webhooks/deliveries?status=failed");
      assert.equal(listed.status, 200, listed.text);
      if (listed.json.deliveries.length > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(listed.json.status, "failed");
    const [failed] = listed.json.deliveries;
    assert.ok(failed, "a failed delivery is listed");
    assert.equal(failed.endpoint, "pager");
    assert.equal(failed.type, "lockout.engaged");
    assert.equal(failed.attempts, 2);
    assert.equal(failed.last_status, 503);
    assert.equal(JSON.parse(failed.payload).type, "lockout.engaged");
    assert.equal(receiver.requests.length, 2, "no third attempt");
    const forbidden = await call(server.url, user, "GET", "/api/admin/webhooks/deliveries?status=failed");
    assert.equal(forbidden.status, 403);
  });
});

describe(`${TARGET}: no secret in any payload`, () => {
  test("a scripted session's alerts hold no password, token, code, secret or address", async () => {
    const sink = await startMailSink();
    const secret = newSecret();
    const receiver = await startWebhookReceiver({ secrets: [secret] });
    const ADMIN_EMAIL = uniqueEmail("root");
    const server = await start({
      vars: configWith({ ...sink.vars(), ...receiver.vars(), BOOTSTRAP_ADMIN_EMAILS: ADMIN_EMAIL, ALERT_ERROR_BURST: "1/60" }),
    });
    try {
      const admin = await newSession(server.url, sink, { mode: "token", email: ADMIN_EMAIL });
      const password = strongPassword();
      const victim = await newSession(server.url, sink, { mode: "token", password });
      // A new device (another user agent): sign_in.new_device.
      const phone = new Client(server.url, { headers: { "User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Safari/604.1" } });
      const other = await attemptLogin(phone, victim.email, password, "token");
      assert.equal(other.status, 200, other.text);
      // Refresh-token reuse: session.refresh_reuse_detected.
      const first = victim.refreshToken;
      assert.equal((await victim.refresh()).status, 200);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const reuse = await victim.client.post("/auth/session/refresh", { refresh_token: first }, { cookies: false });
      // Within the grace window the answer is the same successor; the reuse is detected after it.
      assert.ok([200, 401].includes(reuse.status));
      // A lockout, role changes, a disable, the kill switch.
      await lockOut(server, uniqueEmail("stuffed"));
      await call(server.url, admin, "PUT", `/api/admin/users/${victim.user.id}/roles`, { roles: ["auditor"] });
      await call(server.url, admin, "POST", `/api/admin/users/${victim.user.id}/disable`);
      await call(server.url, admin, "POST", "/api/admin/sessions/revoke-all");
      await receiver.waitFor((r) => r.type === "sessions.kill_switch_pulled");
      await receiver.waitFor((r) => r.type === "sign_in.new_device");
      const payloads = receiver.requests.map((r) => r.body).join("\n");
      const forbidden = [
        password, victim.accessToken, victim.refreshToken, first, admin.accessToken, admin.refreshToken,
        other.json.access_token, other.json.refresh_token, secret, secret.slice("whsec_".length),
        victim.email, ADMIN_EMAIL, "OpNVg-oJ8i", "whsec_", "Bearer", "password",
      ];
      for (const value of forbidden.filter(Boolean)) {
        assert.ok(!payloads.includes(value), `a payload holds ${value.slice(0, 12)}…`);
      }
      assert.ok(!/\b\d{1,3}\.\d{1,3}\.\d{1,3}\.(?!0\/24)\d{1,3}\b/.test(payloads), "only /24 prefixes, never a full address");
      const types = new Set(receiver.requests.map((r) => r.type));
      for (const type of ["lockout.engaged", "user.role_changed", "user.disabled", "sessions.kill_switch_pulled", "sign_in.new_device"]) {
        assert.ok(types.has(type), `${type} among ${[...types]}`);
      }
      assert.ok(receiver.requests.every((r) => r.verified));
    } finally {
      await server.stop();
      await receiver.close();
      await sink.close();
    }
  });
});

describe(`${TARGET}: signing-key rotation`, () => {
  test("a new first signing key raises keys.signing_rotated once, naming the key ids", async () => {
    const state = mkdtempSync(join(tmpdir(), "edgeauth-rotation-"));
    const receiver = await startWebhookReceiver();
    const sink = await startMailSink();
    const OLD = "rot-1:OpNVg-oJ8i_iLspEsXio__A2CI-duFJGXxP1Bh-0m3c";
    const NEW = "rot-2:ZVVV4f0TrU4rsRpAWk4cLk3RkBOso06T_LSpHOxSIUU";
    try {
      const vars = (keys) => configWith({ ...sink.vars(), ...receiver.vars(), JWT_SIGNING_KEYS: keys });
      let server = await start({ vars: vars(OLD), state });
      assert.equal((await new Client(server.url).get("/.well-known/jwks.json")).status, 200);
      await new Promise((resolve) => setTimeout(resolve, 500));
      await server.stop();
      assert.equal(receiver.requests.length, 0, "the first key is learned, not reported");
      server = await start({ vars: vars(`${NEW},${OLD}`), state });
      for (let i = 0; i < 3; i++) assert.equal((await new Client(server.url).get("/.well-known/jwks.json")).status, 200);
      const [rotated] = await receiver.waitFor((r) => r.type === "keys.signing_rotated");
      assert.deepEqual(rotated.json.data.detail, { kid: "rot-2", previous_kid: "rot-1" });
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal(receiver.requests.filter((r) => r.type === "keys.signing_rotated").length, 1, "once");
      await server.stop();
    } finally {
      await receiver.close();
      await sink.close();
      rmSync(state, { recursive: true, force: true });
    }
  });
});
