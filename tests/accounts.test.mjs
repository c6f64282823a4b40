// docs/contract.md §4, §5, §7 on the built functions: register (no enumeration, mails, policy,
// Origin), email verification (single use, required before login, bootstrap admins),
// login (identical failures, the two delivery modes and their exact cookies), /api/me.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { configWith, start } from "./harness/target.mjs";
import { Client } from "./harness/http.mjs";
import { assertProblem, assertSecurityHeaders } from "./harness/assertions.mjs";
import { fragmentToken, linksIn, startMailSink } from "./harness/mail.mjs";
import {
  COOKIES, VERIFY_PATH, attemptLogin, login, register, registerAndVerify, strongPassword, uniqueEmail,
  verificationToken, verifyEmail, withoutRequestId,
} from "./harness/flows.mjs";

const PUBLIC_ORIGIN = configWith().PUBLIC_ORIGIN;
const ALLOWED_ORIGIN = configWith().ALLOWED_ORIGINS.split(",")[0];
const FOREIGN_ORIGIN = "https://evil.example";
const ADMIN_EMAIL = uniqueEmail("root");
const HEX_ID = /^[0-9a-f]{32}$/;

let sink;
let server;
before(async () => {
  sink = await startMailSink();
  // The configured address is upper-cased: configuration and registration both normalise.
  server = await start({ vars: configWith({ ...sink.vars(), BOOTSTRAP_ADMIN_EMAILS: `other@example.com, ${ADMIN_EMAIL.toUpperCase()}` }) });
});
after(async () => {
  await server?.stop();
  await sink?.close();
});

const client = () => new Client(server.url);
const isNotice = (mail) => !mail.text.includes("#token=");

/** Set-Cookie lines as {name, value, attributes: Map(lower-case name → value or true)}. */
function parseSetCookies(lines) {
  return lines.map((line) => {
    const [pair, ...parts] = line.split(";").map((part) => part.trim());
    const at = pair.indexOf("=");
    const attributes = new Map();
    for (const part of parts) {
      const eq = part.indexOf("=");
      if (eq < 0) attributes.set(part.toLowerCase(), true);
      else attributes.set(part.slice(0, eq).toLowerCase(), part.slice(eq + 1));
    }
    return { name: pair.slice(0, at), value: pair.slice(at + 1), attributes };
  });
}

describe("register", () => {
  test("answers 202 {status: accepted} with identical bodies for a new and a taken email", async () => {
    const email = uniqueEmail();
    const fresh = await register(client(), email, strongPassword());
    const taken = await register(client(), email, strongPassword());
    for (const response of [fresh, taken]) {
      assert.equal(response.status, 202, response.text);
      assert.deepEqual(response.json, { status: "accepted" });
      assert.match(response.headers.get("content-type"), /^application\/json/);
      assertSecurityHeaders(response, "/auth/register");
    }
    assert.equal(taken.text, fresh.text, "byte-identical bodies");
    assert.deepEqual(headersWithoutIds(taken), headersWithoutIds(fresh));
  });

  test("mails a new address a verification link with the token in the fragment, never in a query", async () => {
    const email = uniqueEmail();
    assert.equal((await register(client(), email, strongPassword())).status, 202);
    const mail = await sink.waitForMail(email);
    assert.equal(mail.from, configWith().MAIL_FROM);
    assert.equal(mail.to, email);
    const links = linksIn(mail.text);
    assert.equal(links.length, 1, mail.text);
    const url = new URL(links[0]);
    assert.equal(url.origin, PUBLIC_ORIGIN, "links are built from PUBLIC_ORIGIN");
    assert.equal(url.pathname, VERIFY_PATH);
    assert.equal(url.search, "", "no query string");
    assert.match(url.hash, /^#token=[A-Za-z0-9_-]{43}$/, "a 256-bit base64url token in the fragment");
    assert.equal(fragmentToken(mail.text, VERIFY_PATH), url.hash.slice("#token=".length));
    assert.deepEqual(sink.refused, { unauthorized: 0, malformed: 0, other: 0 }, "the http transport spoke the protocol");
  });

  test("mails a taken address a notice and never replaces its password", async () => {
    const email = uniqueEmail();
    const original = strongPassword();
    const attacker = strongPassword();
    await registerAndVerify(client(), email, original, sink);
    // The same address in another case is the same account.
    const again = await register(client(), `  ${email.toUpperCase()} `, attacker);
    assert.equal(again.status, 202);
    const notice = await sink.waitForMail(email, isNotice);
    assert.ok(!/token=/.test(notice.text), "a notice carries no token");
    for (const link of linksIn(notice.text)) assert.equal(new URL(link).origin, PUBLIC_ORIGIN);
    await sink.expectNoMoreMail(email, 300);

    const withOriginal = await attemptLogin(client(), email, original, "token");
    assert.equal(withOriginal.status, 200, withOriginal.text);
    assertProblem(await attemptLogin(client(), email, attacker, "token"), 401, "invalid_credentials");
  });

  test("concurrent registrations of one address create exactly one account", async () => {
    const email = uniqueEmail();
    const passwords = Array.from({ length: 5 }, strongPassword);
    const responses = await Promise.all(passwords.map((password) => register(client(), email, password)));
    for (const response of responses) assert.equal(response.status, 202, response.text);
    const token = await verificationToken(sink, email);
    for (let i = 0; i < passwords.length - 1; i++) await sink.waitForMail(email, isNotice);
    await sink.expectNoMoreMail(email, 300);
    assert.equal(sink.mailsTo(email).filter((mail) => mail.text.includes("#token=")).length, 1, "one verification mail");
    assert.equal((await verifyEmail(client(), token)).status, 200);
    const statuses = [];
    for (const password of passwords) statuses.push((await attemptLogin(client(), email, password, "token")).status);
    assert.deepEqual(statuses.filter((status) => status === 200).length, 1, `exactly one password signs in: ${statuses}`);
    assert.ok(statuses.every((status) => status === 200 || status === 401), `${statuses}`);
  });

  test("registering a taken email takes as long as registering a new one", async () => {
    // Timing must not tell taken from new either: both paths hash once and make the
    // same number of atomic store writes (the taken path on a throwaway record).
    const taken = uniqueEmail();
    assert.equal((await register(client(), taken, strongPassword())).status, 202);
    const time = async (email) => {
      const t0 = process.hrtime.bigint();
      const response = await register(client(), email, strongPassword());
      assert.equal(response.status, 202, response.text);
      return Number(process.hrtime.bigint() - t0) / 1e6;
    };
    const fresh = [];
    const again = [];
    for (let i = 0; i < 9; i++) {
      fresh.push(await time(uniqueEmail()));
      again.push(await time(taken));
    }
    const median = (xs) => [...xs].sort((a, b) => a - b)[4];
    const ratio = median(again) / median(fresh);
    console.log(`# register timing: taken ${median(again).toFixed(0)} ms, new ${median(fresh).toFixed(0)} ms, ratio ${ratio.toFixed(2)}`);
    // The band is loose because the machine is noisy (measured 0.67–1.07 under load);
    // the leak it guards against measured 0.47–0.58 (taken paths made no writes).
    assert.ok(ratio > 0.62 && ratio < 1.6,
      `taken ${median(again).toFixed(0)} ms vs new ${median(fresh).toFixed(0)} ms (ratio ${ratio.toFixed(2)})`);
  });

  test("rejects weak passwords with 400 weak_password and a detail naming the rule", async () => {
    const local = `marguerite${randomBytes(3).toString("hex")}`;
    const email = `${local}@example.com`;
    const cases = [
      ["too short", "Sh0rt pw!x", /short/i],
      ["contains the local part", `my ${local.toUpperCase()} secret`, /email/i],
      ["common", "passwordpassword", /common/i],
      ["common, other case", "QwertyuiopAsdf", /common/i],
    ];
    for (const [rule, password, detail] of cases) {
      const response = await register(client(), email, password);
      assertProblem(response, 400, "weak_password");
      assert.match(response.json.detail ?? "", detail, rule);
      assert.ok(!response.text.includes(password) && !response.text.includes(local), `${rule}: no echo`);
    }
    await sink.expectNoMoreMail(email, 300);
    // The policy answers before the address is looked up: a taken address gets the same 400.
    const taken = uniqueEmail();
    assert.equal((await register(client(), taken, strongPassword())).status, 202);
    const weakForTaken = await register(client(), taken, "passwordpassword");
    assertProblem(weakForTaken, 400, "weak_password");
    assert.match(weakForTaken.json.detail, /common/i);
  });

  test("register and login refuse a foreign Origin with 403 csrf_failed", async () => {
    const email = uniqueEmail();
    const password = strongPassword();
    for (const origin of [FOREIGN_ORIGIN, "null", `${PUBLIC_ORIGIN}.evil.example`]) {
      assertProblem(await register(client(), email, password, { headers: { Origin: origin } }), 403, "csrf_failed");
    }
    await sink.expectNoMoreMail(email, 300);
    // Nothing was created: the address registers as new afterwards.
    await registerAndVerify(client(), email, password, sink);
    for (const mode of ["cookie", "token"]) {
      const response = await attemptLogin(client(), email, password, mode, { headers: { Origin: FOREIGN_ORIGIN } });
      assertProblem(response, 403, "csrf_failed");
      assert.deepEqual(response.setCookies, []);
    }
  });

  test("register and login accept the public origin and allowlisted origins", async () => {
    const email = uniqueEmail();
    const password = strongPassword();
    const registered = await register(client(), email, password, { headers: { Origin: PUBLIC_ORIGIN } });
    assert.equal(registered.status, 202, registered.text);
    assert.equal((await verifyEmail(client(), await verificationToken(sink, email))).status, 200);
    for (const origin of [PUBLIC_ORIGIN, ALLOWED_ORIGIN]) {
      const response = await attemptLogin(client(), email, password, "token", { headers: { Origin: origin } });
      assert.equal(response.status, 200, `${origin}: ${response.text}`);
    }
  });
});

describe("email verification", () => {
  test("a mailed token verifies once: 200 {status: verified}, then 400 invalid_request", async () => {
    const email = uniqueEmail();
    assert.equal((await register(client(), email, strongPassword())).status, 202);
    const token = await verificationToken(sink, email);
    const first = await verifyEmail(client(), token);
    assert.equal(first.status, 200, first.text);
    assert.deepEqual(first.json, { status: "verified" });
    assertSecurityHeaders(first, "/auth/email/verify");
    assertProblem(await verifyEmail(client(), token), 400, "invalid_request");
  });

  test("concurrent redemptions of one token: exactly one succeeds", async () => {
    const email = uniqueEmail();
    assert.equal((await register(client(), email, strongPassword())).status, 202);
    const token = await verificationToken(sink, email);
    const responses = await Promise.all(Array.from({ length: 8 }, () => verifyEmail(client(), token)));
    const statuses = responses.map((response) => response.status).sort();
    assert.deepEqual(statuses, [200, 400, 400, 400, 400, 400, 400, 400]);
    for (const response of responses.filter((r) => r.status === 400)) assertProblem(response, 400, "invalid_request");
  });

  test("a garbage or unknown token gets 400 invalid_request without echoing it", async () => {
    const unknown = randomBytes(32).toString("base64url");
    for (const token of ["", "garbage", unknown, `${unknown}x`, "a".repeat(100), "../../etc/passwd"]) {
      const response = await verifyEmail(client(), token);
      assertProblem(response, 400, "invalid_request");
      if (token.length > 3) assert.ok(!response.text.includes(token), "the token is not echoed");
    }
    assertProblem(await client().post("/auth/email/verify", { token: 42 }), 400, "invalid_request");
  });

  test("an unverified account gets 401 invalid_credentials, identical to a wrong password, until it verifies", async () => {
    const email = uniqueEmail();
    const password = strongPassword();
    assert.equal((await register(client(), email, password)).status, 202);
    const unverified = await attemptLogin(client(), email, password, "token");
    const wrong = await attemptLogin(client(), email, strongPassword(), "token");
    assertProblem(unverified, 401, "invalid_credentials");
    assertProblem(wrong, 401, "invalid_credentials");
    assert.deepEqual(withoutRequestId(unverified.json), withoutRequestId(wrong.json));
    assert.deepEqual(unverified.setCookies, []);

    assert.equal((await verifyEmail(client(), await verificationToken(sink, email))).status, 200);
    const verified = await attemptLogin(client(), email, password, "token");
    assert.equal(verified.status, 200, verified.text);
  });

  test("a BOOTSTRAP_ADMIN_EMAILS account gets admin when it verifies", async () => {
    const password = strongPassword();
    const c = client();
    await registerAndVerify(c, ADMIN_EMAIL, password, sink);
    const session = await login(c, ADMIN_EMAIL, password, "token");
    assert.deepEqual([...session.user.roles].sort(), ["admin", "user"]);
    const me = await c.get("/api/me", session.auth());
    assert.equal(me.status, 200, me.text);
    assert.deepEqual([...me.json.roles].sort(), ["admin", "user"]);

    // Everyone else starts as a plain user.
    const other = uniqueEmail();
    await registerAndVerify(c, other, password, sink);
    assert.deepEqual((await login(c, other, password, "token")).user.roles, ["user"]);
  });
});

describe("with REQUIRE_EMAIL_VERIFICATION=false", () => {
  let lenient;
  const adminEmail = uniqueEmail("boot");
  before(async () => {
    lenient = await start({ vars: configWith({ ...sink.vars(), REQUIRE_EMAIL_VERIFICATION: "false", BOOTSTRAP_ADMIN_EMAILS: adminEmail }) });
  });
  after(() => lenient?.stop());

  test("an unverified account can sign in; a bootstrap admin gets admin only once verified", async () => {
    const c = new Client(lenient.url);
    const password = strongPassword();
    assert.equal((await register(c, adminEmail, password)).status, 202);
    const unproven = await login(c, adminEmail, password, "token");
    assert.deepEqual(unproven.user.roles, ["user"], "no admin before the address is proven");
    const me = await c.get("/api/me", unproven.auth());
    assert.equal(me.status, 200, me.text);
    assert.equal(me.json.email_verified, false);
    assert.deepEqual(me.json.roles, ["user"]);

    assert.equal((await verifyEmail(c, await verificationToken(sink, adminEmail))).status, 200);
    const proven = await login(c, adminEmail, password, "token");
    assert.deepEqual([...proven.user.roles].sort(), ["admin", "user"]);
    const meAfter = await c.get("/api/me", proven.auth());
    assert.equal(meAfter.json.email_verified, true);
    assert.deepEqual([...meAfter.json.roles].sort(), ["admin", "user"]);
  });
});

describe("login", () => {
  let email;
  let password;
  before(async () => {
    email = uniqueEmail();
    password = strongPassword();
    await registerAndVerify(client(), email, password, sink);
  });

  test("a wrong password and an unknown email get identical 401 answers and cost alike", async () => {
    // Fresh clients and addresses keep per-IP and per-email limits out of the way.
    const timed = async (address, pass) => {
      const t0 = process.hrtime.bigint();
      const response = await attemptLogin(client(), address, pass, "cookie");
      return { response, ms: Number(process.hrtime.bigint() - t0) / 1e6 };
    };
    const wrong = [];
    const unknown = [];
    for (let i = 0; i < 3; i++) {
      wrong.push(await timed(email, strongPassword()));
      unknown.push(await timed(uniqueEmail("nobody"), password));
    }
    const reference = wrong[0].response;
    for (const { response } of [...wrong, ...unknown]) {
      assertProblem(response, 401, "invalid_credentials");
      assert.deepEqual(withoutRequestId(response.json), withoutRequestId(reference.json));
      assert.deepEqual(headersWithoutIds(response), headersWithoutIds(reference));
      assert.deepEqual(response.setCookies, []);
    }
    assert.equal(reference.json.detail, undefined, "no detail that could differ");
    // An unknown address still costs one password hash: its median time is of the
    // same order as a wrong password's (without the dummy hash it would be ~20x less).
    const median = (xs) => xs.map((x) => x.ms).sort((a, b) => a - b)[1];
    assert.ok(median(unknown) > median(wrong) / 3, `unknown ${median(unknown)} ms vs wrong ${median(wrong)} ms`);
  });

  test("cookie mode (the default) sets exactly the three cookies with the contract's attributes and no tokens in the body", async () => {
    const c = client();
    const response = await attemptLogin(c, email, password, undefined);
    assert.equal(response.status, 200, response.text);
    assertSecurityHeaders(response, "/auth/login");
    const cookies = parseSetCookies(response.setCookies);
    assert.deepEqual(cookies.map((cookie) => cookie.name).sort(), [COOKIES.access, COOKIES.csrf, COOKIES.refresh].sort());
    const byName = Object.fromEntries(cookies.map((cookie) => [cookie.name, cookie]));
    const expected = {
      [COOKIES.access]: { httponly: true, samesite: "Lax", path: "/" },
      [COOKIES.refresh]: { httponly: true, samesite: "Strict", path: "/auth/session" },
      [COOKIES.csrf]: { httponly: false, samesite: "Strict", path: "/" },
    };
    for (const [name, want] of Object.entries(expected)) {
      const { value, attributes } = byName[name];
      assert.ok(value.length > 20, `${name} has a value`);
      assert.equal(attributes.get("secure"), true, `${name}: Secure`);
      assert.equal(attributes.has("httponly"), want.httponly, `${name}: HttpOnly`);
      assert.equal(attributes.get("samesite"), want.samesite, `${name}: SameSite`);
      assert.equal(attributes.get("path"), want.path, `${name}: Path`);
      assert.equal(attributes.has("domain"), false, `${name}: no Domain`);
      assert.ok(Number(attributes.get("max-age")) > 0, `${name}: Max-Age`);
      assert.ok(!response.text.includes(value), `${name}'s value is not in the body`);
    }
    assert.equal(Number(byName[COOKIES.access].attributes.get("max-age")), 900);
    assert.deepEqual(Object.keys(response.json).sort(), ["access_expires_at", "session_id", "user"]);
    assert.ok(!/access_token|refresh_token|token_type|expires_in/.test(response.text));
  });

  test("token mode returns {access_token, token_type, expires_in, refresh_token} and sets no cookie", async () => {
    const response = await attemptLogin(client(), email, password, "token");
    assert.equal(response.status, 200, response.text);
    assert.deepEqual(response.setCookies, []);
    const body = response.json;
    assert.deepEqual(Object.keys(body).sort(),
      ["access_expires_at", "access_token", "expires_in", "refresh_token", "session_id", "token_type", "user"]);
    assert.equal(body.token_type, "Bearer");
    assert.equal(body.expires_in, 900);
    assert.match(body.access_token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    // user id . session id . 256-bit secret . 128-bit issue tag (docs/sessions.md §2)
    assert.match(body.refresh_token, /^[0-9a-f]{32}\.[0-9a-f]{32}\.[\w-]{43}\.[\w-]{22}$/);
    const expiresAt = Date.parse(body.access_expires_at);
    assert.ok(Math.abs(expiresAt - (Date.now() + 900_000)) < 60_000, body.access_expires_at);
  });

  test("the answer carries user {id, email, roles}, session_id and access_expires_at; /api/me agrees", async () => {
    const c = client();
    // Addresses are matched case-insensitively and shown in their canonical form.
    const session = await login(c, email.toUpperCase(), password, "token");
    assert.deepEqual(Object.keys(session.user).sort(), ["email", "id", "roles"]);
    assert.match(session.user.id, HEX_ID);
    assert.equal(session.user.email, email);
    assert.deepEqual(session.user.roles, ["user"]);
    assert.match(session.sessionId, HEX_ID);
    assert.ok(!Number.isNaN(Date.parse(session.body.access_expires_at)));

    const me = await c.get("/api/me", session.auth());
    assert.equal(me.status, 200, me.text);
    assertSecurityHeaders(me, "/api/me");
    assert.deepEqual(Object.keys(me.json).sort(), ["created_at", "email", "email_verified", "id", "mfa_enabled", "roles"]);
    assert.equal(me.json.id, session.user.id);
    assert.equal(me.json.email, email);
    assert.equal(me.json.email_verified, true);
    assert.equal(me.json.mfa_enabled, false);
    assert.ok(Math.abs(Date.parse(me.json.created_at) - Date.now()) < 10 * 60_000, me.json.created_at);
    assert.ok(!/password|hash|\$argon2/i.test(me.text), "no password material");
  });

  test("an unknown mode or a malformed body is 400 invalid_request", async () => {
    assertProblem(await attemptLogin(client(), email, password, "both"), 400, "invalid_request");
    assertProblem(await client().post("/auth/login", { email }), 400, "invalid_request");
    assertProblem(await client().post("/auth/login", { email, password: "x".repeat(2000) }), 400, "invalid_request");
  });
});

/** Response headers except those that differ per request by design. */
function headersWithoutIds(response) {
  const skip = new Set(["x-request-id", "date", "content-length"]);
  return [...response.headers].filter(([name]) => !skip.has(name)).sort();
}
