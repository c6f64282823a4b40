// docs/contract.md §6 on the built `api` function — roles and administration:
// - every /api route × {anonymous, user, auditor, admin} → status (printed: the
//   resolution note's table);
// - the last-admin guard; a disabled user is locked out at once; revoking a user's
//   sessions; every admin action audited with the actor, and shown to its subject
//   without the admin's id, address prefix or user agent;
// - the audit log: filter by user and by event, cursor pagination that walks every
//   event once, newest first;
// - the no-secrets scan: after a scripted session, the whole audit log holds none of
//   the passwords, tokens, codes or emails used, and only address prefixes;
// - the retention sweep runs from the Workers cron trigger.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { configWith, start, TARGET } from "./harness/target.mjs";
import { Client } from "./harness/http.mjs";
import { assertProblem } from "./harness/assertions.mjs";
import { fragmentToken, startMailSink } from "./harness/mail.mjs";
import {
  Session, attemptLogin, login, newSession, register, strongPassword, uniqueEmail, verificationToken, verifyEmail,
} from "./harness/flows.mjs";
import { TotpClock, base32Decode } from "./harness/totp.mjs";
import { call, markdownTable, walk } from "./harness/api.mjs";

const ADMIN_EMAIL = uniqueEmail("root");
/** A second bootstrap address, registered only by the bootstrap test. */
const SECOND_ROOT = uniqueEmail("root2");
let sink;
let server;
let admin; let auditor; let user; let target;

before(async () => {
  sink = await startMailSink();
  server = await start({ vars: configWith({ ...sink.vars(), BOOTSTRAP_ADMIN_EMAILS: `${ADMIN_EMAIL},${SECOND_ROOT}` }) });
  [admin, auditor, user, target] = await Promise.all([
    newSession(server.url, sink, { mode: "token", email: ADMIN_EMAIL }),
    newSession(server.url, sink, { mode: "token", email: uniqueEmail("auditor") }),
    newSession(server.url, sink, { mode: "cookie", email: uniqueEmail("user") }),
    newSession(server.url, sink, { mode: "token", email: uniqueEmail("target") }),
  ]);
  const granted = await as(admin, "PUT", `/api/admin/users/${auditor.user.id}/roles`, { roles: ["auditor"] });
  assert.equal(granted.status, 200, granted.text);
  assert.deepEqual(granted.json.roles, ["user", "auditor"]);
});
after(async () => {
  await server?.stop();
  await sink?.close();
});

const as = (session, method, path, json) => call(server.url, session, method, path, json);

/** Every event of the whole audit log, newest first (walked with the admin's cursor). */
async function wholeAuditLog(limit = 200) {
  return (await walk(server.url, admin, `/api/admin/audit?limit=${limit}`, "events")).items;
}

describe(`${TARGET}: routes × roles`, () => {
  test("each role gets exactly what §6 grants on every /api route (printed)", async () => {
    const someoneElses = await as(target, "POST", "/api/documents", { title: "target's", body: "t" });
    const t = target.user.id;
    // [label, method, path, body, expected statuses for anonymous, user, auditor, admin]
    const routes = [
      ["GET /api/health", "GET", "/api/health", undefined, [200, 200, 200, 200]],
      ["GET /api/me", "GET", "/api/me", undefined, [401, 200, 200, 200]],
      ["GET /api/me/export", "GET", "/api/me/export", undefined, [401, 200, 200, 200]],
      ["GET /api/me/activity", "GET", "/api/me/activity", undefined, [401, 200, 200, 200]],
      ["GET /api/me/consents", "GET", "/api/me/consents", undefined, [401, 200, 200, 200]],
      ["PUT /api/me/consents", "PUT", "/api/me/consents",
        { consents: { analytics: { granted: false, version: "v1" } } }, [401, 200, 200, 200]],
      ["DELETE /api/me (body without password)", "DELETE", "/api/me", {}, [401, 400, 400, 400]],
      ["POST /api/me/mfa/totp/setup", "POST", "/api/me/mfa/totp/setup", undefined, [401, 200, 200, 200]],
      ["DELETE /api/me/mfa/totp (body without password)", "DELETE", "/api/me/mfa/totp", {}, [401, 400, 400, 400]],
      ["GET /api/documents", "GET", "/api/documents", undefined, [401, 200, 200, 200]],
      ["POST /api/documents", "POST", "/api/documents", { title: "t", body: "b" }, [401, 201, 201, 201]],
      ["GET /api/documents/{id} (another user's)", "GET", `/api/documents/${someoneElses.json.id}`, undefined,
        [401, 404, 404, 200]],
      ["GET /api/admin/users", "GET", "/api/admin/users", undefined, [401, 403, 403, 200]],
      ["PUT /api/admin/users/{id}/roles", "PUT", `/api/admin/users/${t}/roles`, { roles: ["user"] }, [401, 403, 403, 200]],
      ["POST /api/admin/users/{id}/disable", "POST", `/api/admin/users/${t}/disable`, undefined, [401, 403, 403, 204]],
      ["POST /api/admin/users/{id}/enable", "POST", `/api/admin/users/${t}/enable`, undefined, [401, 403, 403, 204]],
      ["DELETE /api/admin/users/{id}/sessions", "DELETE", `/api/admin/users/${t}/sessions`, undefined, [401, 403, 403, 204]],
      ["GET /api/admin/audit", "GET", "/api/admin/audit", undefined, [401, 403, 200, 200]],
      ["POST /api/admin/data-keys/sweep (dry run)", "POST", "/api/admin/data-keys/sweep", { dry_run: true },
        [401, 403, 403, 200]],
    ];
    const roles = { anonymous: null, user, auditor, admin };
    const rows = [];
    const mismatches = [];
    for (const [label, method, path, body, expected] of routes) {
      const statuses = [];
      for (const session of Object.values(roles)) statuses.push((await as(session, method, path, body)).status);
      rows.push([label, ...statuses.map(String)]);
      if (JSON.stringify(statuses) !== JSON.stringify(expected)) mismatches.push(`${label}: ${statuses} ≠ ${expected}`);
    }
    console.log(`\nRoutes × roles (${TARGET}), status each gets:\n${markdownTable(["route", ...Object.keys(roles)], rows)}\n`);
    assert.deepEqual(mismatches, []);
  });

  test("a forbidden answer is the standard problem and changes nothing", async () => {
    for (const session of [user, auditor]) {
      const response = await as(session, "POST", `/api/admin/users/${target.user.id}/disable`);
      assertProblem(response, 403, "forbidden");
    }
    const review = await as(admin, "GET", "/api/admin/users?limit=200");
    const row = review.json.users.find((u) => u.id === target.user.id);
    assert.equal(row.disabled, false);
  });
});

describe(`${TARGET}: administration`, () => {
  test("the access review shows every account's roles, state, MFA and last login", async () => {
    const { items } = await walk(server.url, admin, "/api/admin/users?limit=2", "users");
    const byId = Object.fromEntries(items.map((u) => [u.id, u]));
    for (const session of [admin, auditor, user, target]) {
      const row = byId[session.user.id];
      assert.ok(row, `${session.email} listed`);
      assert.equal(row.email, session.email);
      assert.deepEqual(Object.keys(row).sort(),
        ["created_at", "disabled", "email", "email_verified", "id", "last_login_at", "mfa_enabled", "roles"]);
      assert.match(row.last_login_at, /Z$/);
      assert.equal(typeof row.mfa_enabled, "boolean");
    }
    assert.deepEqual(byId[admin.user.id].roles, ["user", "admin"]);
    assert.deepEqual(byId[auditor.user.id].roles, ["user", "auditor"]);
  });

  test("the last admin cannot be demoted, disabled or erased; a second admin changes that", async () => {
    const demote = await as(admin, "PUT", `/api/admin/users/${admin.user.id}/roles`, { roles: ["user"] });
    assertProblem(demote, 400, "invalid_request");
    assert.equal(demote.json.detail, "roles: the last administrator cannot be removed");
    assertProblem(await as(admin, "POST", `/api/admin/users/${admin.user.id}/disable`), 400, "invalid_request");
    const erase = await as(admin, "DELETE", "/api/me", { password: admin.password });
    assertProblem(erase, 400, "invalid_request");
    assert.equal((await as(admin, "GET", "/api/me")).status, 200, "still here");

    const second = await newSession(server.url, sink, { mode: "token", email: uniqueEmail("second") });
    assert.equal((await as(admin, "PUT", `/api/admin/users/${second.user.id}/roles`, { roles: ["admin"] })).status, 200);
    const stepDown = await as(admin, "PUT", `/api/admin/users/${admin.user.id}/roles`, { roles: ["user"] });
    assert.equal(stepDown.status, 200, stepDown.text);
    assertProblem(await as(admin, "GET", "/api/admin/users"), 403, "forbidden");
    const last = await as(second, "PUT", `/api/admin/users/${second.user.id}/roles`, { roles: ["user"] });
    assertProblem(last, 400, "invalid_request");
    // Restore for the other tests; the second admin leaves.
    assert.equal((await as(second, "PUT", `/api/admin/users/${admin.user.id}/roles`, { roles: ["admin"] })).status, 200);
    assert.equal((await as(admin, "PUT", `/api/admin/users/${second.user.id}/roles`, { roles: [] })).status, 200);
    const { events } = (await as(admin, "GET", `/api/admin/audit?event=role_changed&user_id=${admin.user.id}`)).json;
    assert.ok(events.some((e) => e.actor_id === admin.user.id && e.detail.revoked === "admin"), "stepped down");
    assert.ok(events.some((e) => e.actor_id === second.user.id && e.detail.granted === "admin"), "restored");
  });

  test("a disabled user is locked out at once: token, refresh and login", async () => {
    const victim = await newSession(server.url, sink, { mode: "token", email: uniqueEmail("victim") });
    const browser = await login(new Client(server.url), victim.email, victim.password, "cookie");
    assert.equal((await as(victim, "GET", "/api/me")).status, 200);
    assert.equal((await as(browser, "GET", "/api/documents")).status, 200);

    const disabled = await as(admin, "POST", `/api/admin/users/${victim.user.id}/disable`);
    assert.equal(disabled.status, 204);
    // The very next request with the still-unexpired access tokens.
    assertProblem(await as(victim, "GET", "/api/me"), 401, "unauthenticated");
    assertProblem(await as(browser, "POST", "/api/documents", { title: "t", body: "b" }), 401, "unauthenticated");
    assertProblem(await victim.client.get("/auth/session", victim.auth()), 401, "unauthenticated");
    assert.equal((await victim.refresh()).status, 401);
    assert.equal((await browser.refresh()).status, 401);
    assertProblem(await attemptLogin(new Client(server.url), victim.email, victim.password, "token"), 401,
      "invalid_credentials");

    const audit = await as(admin, "GET", `/api/admin/audit?user_id=${victim.user.id}&event=user_disabled`);
    const [event] = audit.json.events;
    assert.equal(event.actor_id, admin.user.id);
    assert.equal(event.subject_id, victim.user.id);
    assert.equal(event.detail.sessions_revoked, "2");

    assert.equal((await as(admin, "POST", `/api/admin/users/${victim.user.id}/enable`)).status, 204);
    assertProblem(await as(victim, "GET", "/api/me"), 401, "unauthenticated");
    const again = await login(new Client(server.url), victim.email, victim.password, "token");
    assert.equal((await as(again, "GET", "/api/me")).status, 200, "enabled: can sign in again");
    const enabled = await as(admin, "GET", `/api/admin/audit?user_id=${victim.user.id}&event=user_enabled`);
    assert.equal(enabled.json.events[0].actor_id, admin.user.id);
  });

  test("revoking a user's sessions ends them at the next request, audited", async () => {
    const victim = await newSession(server.url, sink, { mode: "token", email: uniqueEmail("revoked") });
    const response = await as(admin, "DELETE", `/api/admin/users/${victim.user.id}/sessions`);
    assert.equal(response.status, 204);
    assertProblem(await as(victim, "GET", "/api/me"), 401, "unauthenticated");
    assert.equal((await victim.refresh()).status, 401);
    const again = await login(new Client(server.url), victim.email, victim.password, "token");
    assert.equal((await as(again, "GET", "/api/me")).status, 200, "not disabled");
    const audit = await as(admin, "GET", `/api/admin/audit?user_id=${victim.user.id}&event=session_revoked`);
    assert.equal(audit.json.events[0].actor_id, admin.user.id);
    assertProblem(await as(admin, "DELETE", "/api/admin/users/0123456789abcdef0123456789abcdef/sessions"), 404,
      "not_found");
  });
});

describe(`${TARGET}: bootstrap admins (issue 12)`, () => {
  /** forgot → mail → reset for `email`; the reset's answer. */
  async function resetPassword(email, password) {
    const client = new Client(server.url);
    assert.equal((await client.post("/auth/password/forgot", { email })).status, 202);
    const mail = await sink.waitForMail(email, (m) => m.text.includes("/reset-password#token="));
    return client.post("/auth/password/reset", { token: fragmentToken(mail.text, "/reset-password"), password });
  }

  test("a demoted bootstrap admin stays demoted after a password reset", async () => {
    const lines = [];
    const log = (label, response) => lines.push(`${label}\n  → ${response.status} ${response.text}`);
    try {
      await demotedBootstrapAdminResets(log);
    } finally {
      console.log(`\n--- bootstrap admin across resets (${TARGET}) ---\n${lines.join("\n")}\n---`);
    }
  });

  async function demotedBootstrapAdminResets(log) {
    // Registered, never verified by its link: the reset is its first verification.
    const password = strongPassword();
    const client = new Client(server.url);
    assert.equal((await register(client, SECOND_ROOT, password)).status, 202);
    let newPassword = strongPassword();
    const first = await resetPassword(SECOND_ROOT, newPassword);
    log('POST /auth/password/reset {"token":"«first reset token»","password":"…"} (the address\'s first verification)', first);
    assert.equal(first.status, 200, first.text);
    let root2 = await login(new Client(server.url), SECOND_ROOT, newPassword, "token");
    log("POST /auth/login (second bootstrap address) → user.roles", { status: 200, text: JSON.stringify(root2.user.roles) });
    assert.deepEqual(root2.user.roles, ["user", "admin"], "bootstrap applies at the first verification");

    // The last-admin guard knows the new admin: the first admin may step down.
    const stepDown = await as(admin, "PUT", `/api/admin/users/${admin.user.id}/roles`, { roles: ["user"] });
    log("PUT /api/admin/users/«first admin»/roles {\"roles\":[\"user\"]} (as the first admin)", stepDown);
    if (stepDown.status === 200) {
      assert.equal((await as(root2, "PUT", `/api/admin/users/${admin.user.id}/roles`, { roles: ["admin"] })).status, 200);
    }

    // An admin's decision: demoted.
    const demote = await as(admin, "PUT", `/api/admin/users/${root2.user.id}/roles`, { roles: [] });
    log("PUT /api/admin/users/«second bootstrap admin»/roles {\"roles\":[]} (as the first admin)", demote);
    assert.equal(demote.status, 200, demote.text);
    assert.deepEqual(demote.json.roles, ["user"]);

    // A password reset does not undo it.
    newPassword = strongPassword();
    const again = await resetPassword(SECOND_ROOT, newPassword);
    log('POST /auth/password/reset {"token":"«second reset token»","password":"…"}', again);
    assert.equal(again.status, 200, again.text);
    root2 = await login(new Client(server.url), SECOND_ROOT, newPassword, "token");
    log("POST /auth/login (second bootstrap address) → user.roles", { status: 200, text: JSON.stringify(root2.user.roles) });
    const adminRoute = await as(root2, "GET", "/api/admin/users");
    log("GET /api/admin/users (as the demoted bootstrap admin)", adminRoute.status === 200
      ? { status: 200, text: `{"users":[…${adminRoute.json.users.length} accounts with their addresses…]}` } : adminRoute);
    assert.equal(stepDown.status, 200, `the last-admin guard did not know the new admin: ${stepDown.text}`);
    assert.deepEqual(root2.user.roles, ["user"], "the demotion stands");
    assertProblem(adminRoute, 403, "forbidden");
    const review = await as(admin, "GET", "/api/admin/users?limit=200");
    assert.deepEqual(review.json.users.find((u) => u.id === root2.user.id).roles, ["user"]);
  }
});

describe(`${TARGET}: the audit log`, () => {
  test("filters by user and by event; the cursor walks every event once, newest first", async () => {
    const subject = await newSession(server.url, sink, { mode: "token", email: uniqueEmail("audited") });
    for (let i = 0; i < 6; i++) {
      const granted = i % 2 === 0;
      const response = await as(subject, "PUT", "/api/me/consents",
        { consents: { marketing_email: { granted, version: `v${i}` }, product_updates: { granted, version: "v1" } } });
      assert.equal(response.status, 200, response.text);
    }
    // Both purposes change on every request (granted toggles): 12 consent_changed events.
    const own = await walk(server.url, subject, "/api/me/activity?limit=4", "events");
    const consentEvents = own.items.filter((e) => e.event === "consent_changed");
    assert.equal(consentEvents.length, 12);

    const byUser = await walk(server.url, auditor, `/api/admin/audit?user_id=${subject.user.id}&limit=3`, "events");
    assert.deepEqual(byUser.items.map((e) => e.id), own.items.map((e) => e.id), "same events as /api/me/activity");
    assert.ok(byUser.pages >= 5);
    assert.equal(new Set(byUser.items.map((e) => e.id)).size, byUser.items.length, "no event twice");
    const times = byUser.items.map((e) => e.at);
    assert.deepEqual([...times].sort().reverse(), times, "newest first");
    for (const kind of ["register", "email_verified", "login_succeeded", "consent_changed"]) {
      assert.ok(byUser.items.some((e) => e.event === kind), kind);
    }

    const byEvent = await walk(server.url, admin,
      `/api/admin/audit?user_id=${subject.user.id}&event=consent_changed&limit=5`, "events");
    assert.equal(byEvent.items.length, 12);
    assert.ok(byEvent.items.every((e) => e.event === "consent_changed" && e.subject_id === subject.user.id));

    // The whole log: everything above is in it, once.
    const all = await wholeAuditLog(50);
    const ids = new Set(all.map((e) => e.id));
    assert.equal(ids.size, all.length);
    for (const event of byUser.items) assert.ok(ids.has(event.id));
    for (const event of all) {
      for (const field of ["id", "at", "event", "actor_id", "subject_id", "ip_prefix", "user_agent", "request_id", "detail"]) {
        assert.ok(field in event, `${field} in ${JSON.stringify(event)}`);
      }
    }
  });

  test("a user's activity shows that an admin acted and in which role, not who or from where", async () => {
    const subject = await newSession(server.url, sink, { mode: "token", email: uniqueEmail("acted-on") });
    // The admin acts from their own browser (and address, as every client has its own).
    const adminAgent = "AdminConsole/9.9 (edgeauth test)";
    const changed = await admin.client.request("PUT", `/api/admin/users/${subject.user.id}/roles`,
      { json: { roles: ["user", "auditor"] }, ...admin.auth({ "User-Agent": adminAgent }) });
    assert.equal(changed.status, 200, changed.text);

    const own = await as(subject, "GET", "/api/me/activity");
    assert.equal(own.status, 200);
    for (const hidden of [admin.user.id, adminAgent, admin.client.ip]) {
      assert.ok(!own.text.includes(hidden), `the activity shows ${hidden}`);
    }
    const byAdmin = own.json.events.find((e) => e.event === "role_changed");
    assert.ok(byAdmin, own.text);
    assert.equal(byAdmin.actor_role, "admin");
    assert.equal(byAdmin.subject_id, subject.user.id);
    assert.equal(byAdmin.detail.granted, "auditor");
    for (const field of ["actor_id", "ip_prefix", "user_agent", "request_id"]) {
      assert.equal(byAdmin[field], null, `${field} of the admin's event`);
    }
    // The subject's own events keep their own details.
    const mine = own.json.events.find((e) => e.event === "login_succeeded");
    assert.equal(mine.actor_id, subject.user.id);
    assert.equal(typeof mine.ip_prefix, "string");
    // The export holds the same view.
    const exported = await as(subject, "GET", "/api/me/export");
    assert.ok(!JSON.stringify(exported.json.activity).includes(adminAgent));
    assert.ok(!JSON.stringify(exported.json.activity).includes(admin.user.id));
    // Admins and auditors still see everything in the audit log.
    const log = await as(auditor, "GET", `/api/admin/audit?user_id=${subject.user.id}&event=role_changed`);
    assert.equal(log.json.events[0].actor_id, admin.user.id);
    assert.equal(log.json.events[0].user_agent, adminAgent);
    assert.equal(typeof log.json.events[0].ip_prefix, "string");
  });

  test("cursors are opaque and bound to their query; bad parameters are 400; users are 403", async () => {
    const first = await as(admin, "GET", "/api/admin/audit?limit=1");
    const cursor = first.json.next_cursor;
    assert.equal(typeof cursor, "string");
    assert.ok(!cursor.includes("audit/"), "no store key in clear");
    assertProblem(await as(admin, "GET", `/api/admin/audit?event=logout&cursor=${encodeURIComponent(cursor)}`), 400,
      "invalid_request");
    const tampered = cursor.slice(0, -2) + (cursor.endsWith("AA") ? "BB" : "AA");
    assertProblem(await as(admin, "GET", `/api/admin/audit?cursor=${encodeURIComponent(tampered)}`), 400, "invalid_request");
    for (const query of ["limit=0", "limit=201", "user_id=nope", "event=Not-An-Event"]) {
      assertProblem(await as(admin, "GET", `/api/admin/audit?${query}`), 400, "invalid_request");
    }
    const max = await as(auditor, "GET", "/api/admin/audit?limit=200");
    assert.equal(max.status, 200);
    assert.ok(max.json.events.length <= 200);
    assertProblem(await as(user, "GET", "/api/admin/audit"), 403, "forbidden");
    const mine = await as(user, "GET", `/api/me/activity?user_id=${admin.user.id}`);
    assert.ok(mine.json.events.every((e) => e.subject_id === user.user.id || e.actor_id === user.user.id),
      "activity ignores a user_id parameter");
  });

  test("no secret, token, code or email used in a scripted session appears in the audit log", async () => {
    const client = new Client(server.url);
    const email = uniqueEmail("Scripted.Session");
    const passwords = [strongPassword(), strongPassword(), strongPassword()];
    const wrong = strongPassword();
    const secrets = { email, "email (lower case)": email.toLowerCase(), "local part": email.split("@")[0].toLowerCase(),
      password: passwords[0], "reset password": passwords[1], "changed password": passwords[2], "wrong password": wrong,
      "client address": client.ip };

    assert.equal((await register(client, email, passwords[0])).status, 202);
    secrets["verification token"] = await verificationToken(sink, email);
    assert.equal((await verifyEmail(client, secrets["verification token"])).status, 200);
    assert.equal((await attemptLogin(client, email, wrong, "token")).status, 401);
    const session = await login(client, email, passwords[0], "token");
    secrets["access token"] = session.accessToken;
    secrets["refresh token"] = session.refreshToken;
    assert.equal((await session.refresh()).status, 200);
    secrets["rotated refresh token"] = session.refreshToken;
    const cookie = await login(new Client(server.url, { ip: client.ip }), email, passwords[0], "cookie");
    secrets["cookie access token"] = cookie.accessToken;
    secrets["csrf token"] = cookie.csrfToken;

    const setup = await session.client.post("/api/me/mfa/totp/setup", undefined, session.auth());
    assert.equal(setup.status, 200, setup.text);
    secrets["totp secret"] = setup.json.secret;
    const clock = new TotpClock(base32Decode(setup.json.secret));
    const { code } = await clock.next();
    const confirm = await session.client.post("/api/me/mfa/totp/confirm", { code }, session.auth());
    assert.equal(confirm.status, 200, confirm.text);
    secrets["totp code"] = code;
    confirm.json.recovery_codes.forEach((c, i) => { secrets[`recovery code ${i}`] = c; });
    const mfaStep = await attemptLogin(client, email, passwords[0], "token");
    secrets["mfa token"] = mfaStep.json.mfa_token;
    const recovered = await client.post("/auth/login/mfa",
      { mfa_token: mfaStep.json.mfa_token, recovery_code: confirm.json.recovery_codes[0] });
    assert.equal(recovered.status, 200, recovered.text);
    const afterMfa = new Session(client, "token", recovered);

    assert.equal((await client.post("/auth/password/forgot", { email })).status, 202);
    const resetMail = await sink.waitForMail(email, (m) => /reset/i.test(m.subject) && m.text.includes("#token="));
    secrets["reset token"] = fragmentToken(resetMail.text);
    const reset = await client.post("/auth/password/reset", { token: secrets["reset token"], password: passwords[1] });
    assert.equal(reset.status, 200, reset.text);
    const mfaAgain = await attemptLogin(client, email, passwords[1], "token");
    const again = await client.post("/auth/login/mfa",
      { mfa_token: mfaAgain.json.mfa_token, recovery_code: confirm.json.recovery_codes[1] });
    assert.equal(again.status, 200, again.text);
    const latest = new Session(client, "token", again);
    const changed = await client.post("/auth/password/change",
      { current_password: passwords[1], new_password: passwords[2] }, latest.auth());
    assert.equal(changed.status, 200, changed.text);
    await as(latest, "PUT", "/api/me/consents", { consents: { analytics: { granted: true, version: "v9" } } });
    await as(latest, "POST", "/api/documents", { title: "scripted", body: "b" });
    await as(latest, "GET", "/api/me/export");
    await latest.client.post("/auth/session/logout", undefined, latest.auth());
    assert.ok(afterMfa.accessToken);

    const log = await wholeAuditLog();
    const mine = log.filter((e) => e.subject_id === session.user.id || e.actor_id === session.user.id);
    const kinds = new Set(mine.map((e) => e.event));
    for (const kind of ["register", "email_verified", "login_failed", "login_succeeded", "mfa_enabled",
      "password_reset_requested", "password_reset", "password_changed", "consent_changed", "data_exported", "logout"]) {
      assert.ok(kinds.has(kind), `${kind} recorded (have ${[...kinds]})`);
    }
    const text = JSON.stringify(log);
    const found = [];
    for (const [what, value] of Object.entries(secrets)) {
      assert.ok(value && value.length >= 6, what);
      const pattern = /^\d{6}$/.test(value)
        ? new RegExp(`(?<![0-9a-f])${value}(?![0-9a-f])`) // a TOTP code: not inside a hex id
        : null;
      if (pattern ? pattern.test(text) : text.includes(value)) found.push(what);
    }
    assert.deepEqual(found, [], `found in the audit log: ${found}`);
    for (const event of mine) {
      if (event.ip_prefix !== null) assert.match(event.ip_prefix, /^\d+\.\d+\.\d+\.0\/24$|::\/48$/, "a prefix only");
    }
    console.log(`no-secrets scan (${TARGET}): ${Object.keys(secrets).length} values checked against ${log.length} events`);
  });
});

describe(`${TARGET}: retention`, { skip: TARGET !== "workers" && "Spin has no cron trigger (docs/api.md)" }, () => {
  test("the cron trigger runs the retention sweep (a dangling directory entry is pruned)", async () => {
    const kv = await server.kv();
    const dangling = `users/${"ab".repeat(16)}`;
    await kv.put(dangling, "0|{}");
    assert.notEqual(await kv.get(dangling), null);
    const result = await server.scheduled();
    assert.equal(result.outcome, "ok");
    assert.equal(await kv.get(dangling), null, "pruned by the sweep");
    const review = await walk(server.url, admin, "/api/admin/users", "users");
    assert.ok(review.items.some((u) => u.id === admin.user.id), "live accounts untouched");
  });
});
