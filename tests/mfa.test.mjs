// docs/contract.md §5–§7 on the built functions: TOTP setup and confirmation, the two-step
// login (`mfa_required`, then `POST /auth/login/mfa`), single use of time steps and
// recovery codes, no session without the second factor, wrong codes counted
// (token, lockout) and audited, disabling with the password.
//
// Codes are computed here from the secret the server returned, with an independent
// RFC 6238 implementation (tests/harness/totp.mjs, node:crypto) checked against the
// RFC's Appendix B first. The first test prints the whole MFA login transcript.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { configWith, start, TARGET } from "./harness/target.mjs";
import { Client } from "./harness/http.mjs";
import { assertProblem } from "./harness/assertions.mjs";
import { fragmentToken, startMailSink } from "./harness/mail.mjs";
import { COOKIES, Session, login, registerAndVerify, strongPassword, uniqueEmail } from "./harness/flows.mjs";
import { TotpClock, base32Decode, hotp, totp } from "./harness/totp.mjs";

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

/** Shortens secrets and tokens for the printed transcript. */
function redact(value) {
  if (typeof value === "string") return value.length > 24 ? `${value.slice(0, 10)}…(${value.length} chars)` : value;
  if (Array.isArray(value)) return value.length > 3 ? [...value.slice(0, 2).map(redact), `…${value.length - 2} more`] : value.map(redact);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v)]));
  return value;
}

/** A transcript recorder: `await step("label", () => client.post(...))`. */
function recorder() {
  const lines = [];
  const step = async (label, request, body) => {
    const response = await request();
    const cookies = response.setCookies.map((line) => line.split("=")[0]);
    lines.push(`${label}${body === undefined ? "" : ` ${JSON.stringify(redact(body))}`}`);
    lines.push(`  → ${response.status} ${response.text ? JSON.stringify(redact(response.json ?? response.text)) : ""}` +
      `${cookies.length ? `  Set-Cookie: ${cookies.join(", ")}` : "  (no Set-Cookie)"}`);
    return response;
  };
  return { lines, step };
}

/** A verified account signed in on a fresh client (cookie mode). */
async function account(label) {
  const client = new Client(server.url);
  const email = uniqueEmail(label);
  const password = strongPassword();
  await registerAndVerify(client, email, password, sink);
  const session = await login(client, email, password, "cookie");
  return { client, email, password, session };
}

/** Setup and confirm TOTP for a signed-in session; returns the secret, a TotpClock and the codes. */
async function enableTotp(session) {
  const setup = await session.client.post("/api/me/mfa/totp/setup", undefined, session.auth());
  assert.equal(setup.status, 200, setup.text);
  const secret = base32Decode(setup.json.secret);
  const clock = new TotpClock(secret);
  const { code } = await clock.next();
  const confirm = await session.client.post("/api/me/mfa/totp/confirm", { code }, session.auth());
  assert.equal(confirm.status, 200, confirm.text);
  return { secret, clock, codes: confirm.json.recovery_codes, setup: setup.json };
}

/** Password step of a login that must answer `mfa_required`; returns the mfa token. */
async function mfaToken(client, email, password, mode = "token") {
  const response = await client.post("/auth/login", { email, password, mode });
  assert.equal(response.status, 200, response.text);
  assert.equal(response.json.mfa_required, true, response.text);
  assert.deepEqual(response.setCookies, []);
  return response.json.mfa_token;
}

test("the test's RFC 6238 implementation matches the RFC's Appendix B (SHA-1)", () => {
  const secret = Buffer.from("12345678901234567890");
  for (const [time, expected] of [[59, "94287082"], [1111111109, "07081804"], [1111111111, "14050471"],
    [1234567890, "89005924"], [2000000000, "69279037"], [20000000000, "65353130"]]) {
    assert.equal(totp(secret, time, { digits: 8 }), expected, `T=${time}`);
  }
  assert.deepEqual([...base32Decode("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")], [...secret]);
});

test(`${TARGET}: MFA login transcript — register, verify, enable TOTP, log out, two-step login`, async () => {
  const { lines, step } = recorder();
  const client = new Client(server.url);
  const email = uniqueEmail("mfa");
  const password = strongPassword();

  await step("POST /auth/register", () => client.post("/auth/register", { email, password }), { email, password: "…" });
  const mail = await sink.waitForMail(email, (m) => m.text.includes("#token="));
  const token = new URL(mail.text.match(/https?:\/\/\S+/)[0]).hash.replace("#token=", "");
  await step("POST /auth/email/verify", () => client.post("/auth/email/verify", { token }), { token });
  const first = await step("POST /auth/login", () => client.post("/auth/login", { email, password }), { email, password: "…" });
  assert.equal(first.status, 200);
  const session = new Session(client, "cookie", first);

  const setup = await step("POST /api/me/mfa/totp/setup", () => client.post("/api/me/mfa/totp/setup", undefined, session.auth()));
  assert.equal(setup.status, 200);
  assert.match(setup.json.secret, /^[A-Z2-7]{32}$/, "160 bits as unpadded base32");
  assert.equal(base32Decode(setup.json.secret).length, 20);
  const uri = new URL(setup.json.otpauth_uri);
  assert.equal(uri.protocol, "otpauth:");
  assert.equal(uri.searchParams.get("secret"), setup.json.secret);
  assert.equal(uri.searchParams.get("algorithm"), "SHA1");
  assert.equal(uri.searchParams.get("digits"), "6");
  assert.equal(uri.searchParams.get("period"), "30");
  assert.ok(decodeURIComponent(uri.pathname).endsWith(`:${email}`), uri.pathname);

  const clock = new TotpClock(base32Decode(setup.json.secret));
  const confirmCode = await clock.next();
  const confirm = await step("POST /api/me/mfa/totp/confirm",
    () => client.post("/api/me/mfa/totp/confirm", { code: confirmCode.code }, session.auth()), { code: confirmCode.code });
  assert.equal(confirm.status, 200);
  assert.equal(confirm.json.recovery_codes.length, 10);
  assert.ok(confirm.json.recovery_codes.every((c) => /^[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}$/.test(c)));
  const me = await step("GET /api/me", () => client.get("/api/me", session.auth()));
  assert.equal(me.json.mfa_enabled, true);

  const logout = await step("POST /auth/session/logout",
    () => client.request("POST", "/auth/session/logout", { headers: { "X-CSRF-Token": session.csrfToken } }));
  assert.equal(logout.status, 204);
  assert.equal(client.cookies.size, 0);

  const password1 = await step("POST /auth/login", () => client.post("/auth/login", { email, password }), { email, password: "…" });
  assert.equal(password1.status, 200);
  assert.deepEqual(Object.keys(password1.json).sort(), ["mfa_required", "mfa_token"]);
  assert.equal(password1.json.mfa_required, true);
  assert.match(password1.json.mfa_token, /^[A-Za-z0-9_-]{43}$/, "256 bits, base64url");
  assert.deepEqual(password1.setCookies, [], "no cookies before the second factor");
  assert.equal(client.cookies.size, 0);
  const noSession = await step("GET /api/me", () => client.get("/api/me"));
  assertProblem(noSession, 401, "unauthenticated");

  const { code } = await clock.next();
  const second = await step("POST /auth/login/mfa",
    () => client.post("/auth/login/mfa", { mfa_token: password1.json.mfa_token, code }),
    { mfa_token: password1.json.mfa_token, code });
  assert.equal(second.status, 200, second.text);
  assert.equal(second.json.user.email, email);
  assert.deepEqual(second.setCookies.map((line) => line.split("=")[0]).sort(),
    [COOKIES.csrf, COOKIES.access, COOKIES.refresh].sort());
  const signedIn = new Session(client, "cookie", second);
  const after = await step("GET /api/me", () => client.get("/api/me", signedIn.auth()));
  assert.equal(after.status, 200);
  assert.equal(after.json.mfa_enabled, true);

  console.log(`\n--- MFA login transcript (${TARGET}) ---\n${lines.join("\n")}\n---`);
});

test(`${TARGET}: a TOTP code's time step is accepted once — a replay is 401 invalid_mfa`, async () => {
  const { client, email, password, session } = await account("replay");
  const { clock } = await enableTotp(session);
  const { code, step } = await clock.next();
  const first = await client.post("/auth/login/mfa", { mfa_token: await mfaToken(client, email, password), code });
  assert.equal(first.status, 200, first.text);
  // The same code (same step) again, with a fresh password step.
  const replay = await client.post("/auth/login/mfa", { mfa_token: await mfaToken(client, email, password), code });
  assertProblem(replay, 401, "invalid_mfa");
  assert.equal(replay.json.access_token, undefined);
  assert.deepEqual(replay.setCookies, []);
  // The code of the step before it, still inside the ±1 window, is refused as well.
  const earlier = hotp(clock.secret, step - 1);
  if (earlier !== code) {
    const older = await client.post("/auth/login/mfa", { mfa_token: await mfaToken(client, email, password), code: earlier });
    assertProblem(older, 401, "invalid_mfa");
  }
  // A fresh step works.
  const next = await clock.next();
  const fine = await client.post("/auth/login/mfa", { mfa_token: await mfaToken(client, email, password), code: next.code });
  assert.equal(fine.status, 200, fine.text);
});

test(`${TARGET}: concurrent second steps with one code get one session`, async () => {
  const { client, email, password, session } = await account("race");
  const { clock } = await enableTotp(session);
  const tokens = [];
  for (let i = 0; i < 4; i++) tokens.push(await mfaToken(client, email, password));
  const { code } = await clock.next();
  const answers = await Promise.all(tokens.map((mfa_token) =>
    new Client(server.url).post("/auth/login/mfa", { mfa_token, code })));
  const statuses = answers.map((a) => a.status).sort();
  assert.deepEqual(statuses, [200, 401, 401, 401], JSON.stringify(answers.map((a) => a.json)));
});

test(`${TARGET}: a recovery code works once`, async () => {
  const { client, email, password, session } = await account("recovery");
  const { codes } = await enableTotp(session);
  const used = await client.post("/auth/login/mfa", {
    mfa_token: await mfaToken(client, email, password, "token"), recovery_code: codes[0].toUpperCase(),
  });
  assert.equal(used.status, 200, used.text);
  assert.equal(used.json.token_type, "Bearer", "the mode of the password step");
  const notice = await sink.waitForMail(email, (m) => /recovery code/i.test(m.subject));
  assert.match(notice.text, /9 unused codes remain/);
  const again = await client.post("/auth/login/mfa", {
    mfa_token: await mfaToken(client, email, password, "token"), recovery_code: codes[0],
  });
  assertProblem(again, 401, "invalid_mfa");
  // The export shows the second factor's status, never its secret, ciphertext or hashes.
  const exported = await client.get("/api/me/export", { headers: { Authorization: `Bearer ${used.json.access_token}` }, cookies: false });
  assert.equal(exported.status, 200, exported.text);
  assert.equal(exported.json.mfa.totp_enabled, true, exported.text);
  assert.equal(exported.json.mfa.recovery_codes_remaining, 9);
  assert.ok(!exported.text.includes("v1."), "no ciphertext in the export");
  assert.ok(!/totp_secret|recovery_codes"|password_hash/.test(exported.text), "no secret fields in the export");
  assert.ok(codes.every((c) => !exported.text.includes(c)));
});

test(`${TARGET}: without the second factor there is no session — the mfa token is not a credential`, async () => {
  const { email, password, session } = await account("nosession");
  await enableTotp(session);
  const fresh = new Client(server.url);
  for (const mode of ["cookie", "token"]) {
    const response = await fresh.post("/auth/login", { email, password, mode });
    assert.equal(response.status, 200);
    assert.deepEqual(Object.keys(response.json).sort(), ["mfa_required", "mfa_token"]);
    assert.deepEqual(response.setCookies, []);
    const asBearer = await fresh.get("/api/me", { headers: { Authorization: `Bearer ${response.json.mfa_token}` } });
    assertProblem(asBearer, 401, "unauthenticated");
    const asCookie = await fresh.get("/api/me", { headers: { Cookie: `${COOKIES.access}=${response.json.mfa_token}` }, cookies: false });
    assertProblem(asCookie, 401, "unauthenticated");
    const refresh = await fresh.post("/auth/session/refresh", { refresh_token: response.json.mfa_token });
    assertProblem(refresh, 401, "unauthenticated");
  }
  assert.equal(fresh.cookies.size, 0);
});

test(`${TARGET}: wrong codes are audited, the third ends the token, five lock the account`, async () => {
  const { client, email, password, session } = await account("wrong");
  const { clock, codes } = await enableTotp(session);
  const token = await mfaToken(client, email, password);
  for (let i = 0; i < 3; i++) {
    const wrong = await client.post("/auth/login/mfa", { mfa_token: token, code: clock.wrong() });
    assertProblem(wrong, 401, "invalid_mfa");
  }
  const { code } = await clock.next();
  const dead = await client.post("/auth/login/mfa", { mfa_token: token, code });
  assertProblem(dead, 401, "unauthenticated");

  const activity = await client.get("/api/me/activity?event=mfa_failed", session.auth());
  assert.equal(activity.status, 200, activity.text);
  const failures = activity.json.events.filter((e) => e.event === "mfa_failed");
  assert.equal(failures.length, 3);
  assert.deepEqual(failures.map((e) => e.detail.tries_left).sort(), ["0", "1", "2"]);
  assert.ok(failures.every((e) => e.detail.method === "totp" && e.detail.stage === "login"));
  assert.ok(!activity.text.includes(code) && !activity.text.includes(token), "no code or token in the audit");

  // Two more failures (a fresh token) make five: the account is locked.
  const token2 = await mfaToken(client, email, password);
  for (let i = 0; i < 2; i++) {
    const wrong = await client.post("/auth/login/mfa", { mfa_token: token2, recovery_code: "aaaa-bbbb-cccc" });
    assertProblem(wrong, 401, "invalid_mfa");
  }
  const locked = await client.post("/auth/login/mfa", { mfa_token: token2, recovery_code: codes[0] });
  assertProblem(locked, 429, "rate_limited");
  assert.ok(Number(locked.headers.get("retry-after")) > 0);
  const passwordStep = await client.post("/auth/login", { email, password });
  assertProblem(passwordStep, 429, "rate_limited");
  const lockoutMail = await sink.waitForMail(email, (m) => /paused/i.test(m.subject));
  assert.ok(lockoutMail);
});

test(`${TARGET}: disabling TOTP needs the password; afterwards the password alone signs in`, async () => {
  const { client, email, password, session } = await account("disable");
  await enableTotp(session);
  const wrong = await client.delete("/api/me/mfa/totp", { ...session.auth(), json: { password: "not the password at all" } });
  assertProblem(wrong, 401, "invalid_credentials");
  const noCsrf = await client.request("DELETE", "/api/me/mfa/totp", { json: { password } });
  assertProblem(noCsrf, 403, "csrf_failed");
  const done = await client.request("DELETE", "/api/me/mfa/totp", { ...session.auth(), json: { password } });
  assert.equal(done.status, 204, done.text);
  await sink.waitForMail(email, (m) => /turned off/i.test(m.subject));
  const plain = await new Client(server.url).post("/auth/login", { email, password, mode: "token" });
  assert.equal(plain.status, 200);
  assert.equal(plain.json.token_type, "Bearer");
  const events = await client.get("/api/me/activity", session.auth());
  const kinds = events.json.events.map((e) => e.event);
  assert.ok(kinds.includes("mfa_enabled") && kinds.includes("mfa_disabled"), kinds.join());
});

test(`${TARGET}: setup is refused while TOTP is on, and confirm without a setup is 400`, async () => {
  const { session } = await account("setup");
  const noSetup = await session.client.post("/api/me/mfa/totp/confirm", { code: "123456" }, session.auth());
  assertProblem(noSetup, 400, "invalid_request");
  await enableTotp(session);
  const again = await session.client.post("/api/me/mfa/totp/setup", undefined, session.auth());
  assertProblem(again, 400, "invalid_request");
});

test(`${TARGET}: a password reset does not bypass MFA`, async () => {
  const { client, email, session } = await account("reset");
  const { clock } = await enableTotp(session);
  const forgot = await client.post("/auth/password/forgot", { email });
  assert.equal(forgot.status, 202);
  const mail = await sink.waitForMail(email, (m) => m.text.includes("/reset-password#token="));
  const newPassword = strongPassword();
  const reset = await client.post("/auth/password/reset", { token: fragmentToken(mail.text, "/reset-password"), password: newPassword });
  assert.equal(reset.status, 200, reset.text);
  const fresh = new Client(server.url);
  const first = await fresh.post("/auth/login", { email, password: newPassword, mode: "token" });
  assert.equal(first.status, 200, first.text);
  assert.equal(first.json.mfa_required, true, "the new password alone is not enough");
  assert.equal(first.json.access_token, undefined);
  const { code } = await clock.next();
  const second = await fresh.post("/auth/login/mfa", { mfa_token: first.json.mfa_token, code });
  assert.equal(second.status, 200, second.text);
});

test(`${TARGET}: an MFA token from before a reset cannot finish the login`, async () => {
  const { client, email, password, session } = await account("inflight");
  const { clock } = await enableTotp(session);
  const lines = [];
  const log = (label, response) => lines.push(`${label}\n  → ${response.status} ${response.text}`);

  // The password step with the old password: an MFA token, no session yet.
  const thief = new Client(server.url);
  const first = await thief.post("/auth/login", { email, password, mode: "token" });
  assert.equal(first.json.mfa_required, true, first.text);
  lines.push(`POST /auth/login {"email":"«email»","password":"«old password»","mode":"token"}\n  → ${first.status} {"mfa_required":true,"mfa_token":"«mfa token»"}`);
  // The owner resets the password.
  const forgot = await client.post("/auth/password/forgot", { email });
  assert.equal(forgot.status, 202);
  const mail = await sink.waitForMail(email, (m) => m.text.includes("/reset-password#token="));
  const newPassword = strongPassword();
  const reset = await client.post("/auth/password/reset", { token: fragmentToken(mail.text, "/reset-password"), password: newPassword });
  log(`POST /auth/password/reset {"token":"«reset token»","password":"«new password»"}`, reset);
  assert.equal(reset.status, 200, reset.text);

  // The token from before the reset, with a right code: no session.
  const { code } = await clock.next();
  const second = await thief.post("/auth/login/mfa", { mfa_token: first.json.mfa_token, code });
  log(`POST /auth/login/mfa {"mfa_token":"«mfa token from before the reset»","code":"«right code»"}`, second);
  if (second.status === 200) {
    const bearer = { headers: { Authorization: `Bearer ${second.json.access_token}` }, cookies: false };
    log("GET /auth/session (Bearer from that login)", await thief.get("/auth/session", bearer));
    log("GET /api/me (Bearer from that login)", await thief.get("/api/me", bearer));
  }
  console.log(`\n--- MFA token across a reset (${TARGET}) ---\n${lines.join("\n")}\n---`);
  assertProblem(second, 401, "unauthenticated");
  assert.equal(second.json.access_token, undefined);
  assert.deepEqual(second.setCookies, []);

  // Starting again with the new password works, with the same (unspent) code.
  const again = await new Client(server.url).post("/auth/login", { email, password: newPassword, mode: "token" });
  assert.equal(again.json.mfa_required, true, again.text);
  const fine = await new Client(server.url).post("/auth/login/mfa", { mfa_token: again.json.mfa_token, code });
  assert.equal(fine.status, 200, fine.text);
});

/** The `mfa_failed` events of an account (read with one of its sessions) once the count settles. */
async function settledFailures(session) {
  let last = -1;
  let events = [];
  for (let i = 0; i < 20; i++) {
    const activity = await session.client.get("/api/me/activity?event=mfa_failed&limit=100", session.auth());
    assert.equal(activity.status, 200, activity.text);
    events = activity.json.events.filter((e) => e.event === "mfa_failed");
    if (events.length === last) break;
    last = events.length;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  return events;
}

/** A tally of answers: `{"401 invalid_mfa": 3, …}`. */
function tallyOf(answers) {
  const tally = {};
  for (const a of answers) {
    const key = `${a.status} ${a.json?.code ?? ""}`.trim();
    tally[key] = (tally[key] ?? 0) + 1;
  }
  return tally;
}

test(`${TARGET}: 30 parallel wrong codes on one MFA token get at most 3 checked`, async () => {
  const { client, email, password, session } = await account("burst");
  const { clock } = await enableTotp(session);
  const token = await mfaToken(client, email, password);
  const wrong = clock.wrong();
  // From 30 client addresses, so the per-address login budget does not decide.
  const answers = await Promise.all(Array.from({ length: 30 }, () =>
    new Client(server.url).post("/auth/login/mfa", { mfa_token: token, code: wrong })));
  const failures = await settledFailures(session);
  const tally = tallyOf(answers);
  console.log(`# ${TARGET}: 30 × POST /auth/login/mfa {"mfa_token":"«one token»","code":"«wrong»"} at once → ` +
    `${JSON.stringify(tally)}; mfa_failed audit events: ${failures.length}`);
  assert.ok(failures.length <= 3, `${failures.length} codes were checked: ${JSON.stringify(tally)}`);
  assert.equal(failures.length, 3, JSON.stringify(tally));
  assert.equal(tally["401 invalid_mfa"], 3, JSON.stringify(tally));
  assert.equal((tally["401 unauthenticated"] ?? 0) + (tally["429 rate_limited"] ?? 0), 27, JSON.stringify(tally));
  assert.ok(answers.every((a) => a.setCookies.length === 0 && a.json?.access_token === undefined));
});

test(`${TARGET}: parallel wrong codes on three tokens get at most 5 checked per account`, async () => {
  const { client, email, password, session } = await account("burst5");
  const { clock, codes } = await enableTotp(session);
  const tokens = [];
  for (let i = 0; i < 3; i++) tokens.push(await mfaToken(client, email, password));
  const wrong = clock.wrong();
  const answers = await Promise.all(tokens.flatMap((token) => Array.from({ length: 10 }, () =>
    new Client(server.url).post("/auth/login/mfa", { mfa_token: token, code: wrong }))));
  const failures = await settledFailures(session);
  const tally = tallyOf(answers);
  console.log(`# ${TARGET}: 3 tokens × 10 × POST /auth/login/mfa {"code":"«wrong»"} at once → ` +
    `${JSON.stringify(tally)}; mfa_failed audit events: ${failures.length}`);
  assert.ok(failures.length <= 5, `${failures.length} codes were checked: ${JSON.stringify(tally)}`);
  assert.equal(failures.length, 5, JSON.stringify(tally));
  assert.equal(tally["401 invalid_mfa"], 5, JSON.stringify(tally));
  assert.ok(tally["429 rate_limited"] > 0, JSON.stringify(tally));
  // The account is locked now: the password step and a recovery code wait too.
  assertProblem(await new Client(server.url).post("/auth/login", { email, password }), 429, "rate_limited");
  const recovery = await new Client(server.url).post("/auth/login/mfa", { mfa_token: tokens[2], recovery_code: codes[0] });
  assert.ok([401, 429].includes(recovery.status), recovery.text);
  await sink.waitForMail(email, (m) => /paused/i.test(m.subject));
});
