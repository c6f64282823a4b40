// The client's operations against the fake browser and server (test/fakes.mjs): what
// each sends (routes, fields, CSRF header, credentials), what it returns, and how
// problem answers surface. Cross-tab refresh: refresh.test.mjs; events: events.test.mjs.

import assert from "node:assert/strict";
import { afterEach, describe, test } from "node:test";
import { createClient, EdgeauthError } from "../index.js";
import { ALICE, BOB, FakeBrowser, ORIGIN, RECOVERY_CODE, TOTP_CODE } from "./fakes.mjs";

let browser;
afterEach(() => browser?.close());

function setup(options) {
  browser = new FakeBrowser(options);
  return { browser, tab: browser.tab(), server: browser.server };
}

const lastRequest = (server) => server.requests.at(-1);

describe("signing in", () => {
  test("signIn asks for cookie mode and answers signed_in with the user, session id and expiry, no token", async () => {
    const { tab, server } = setup();
    const result = await tab.signIn({ email: ALICE.email, password: ALICE.password });
    assert.deepEqual(lastRequest(server).body, { email: ALICE.email, password: ALICE.password, mode: "cookie" });
    assert.equal(lastRequest(server).contentType, "application/json");
    assert.equal(result.status, "signed_in");
    assert.deepEqual(result.user, { id: ALICE.id, email: ALICE.email, roles: ["user"] });
    assert.match(result.sessionId, /^[0-9a-f]{32}$/);
    assert.ok(result.accessExpiresAt instanceof Date && result.accessExpiresAt > new Date());
    assert.deepEqual(Object.keys(result).sort(), ["accessExpiresAt", "sessionId", "status", "user"]);
    assert.equal(tab.state.status, "signed_in");
  });

  test("signIn never passes token fields on, even if an answer carried them", async () => {
    const { tab, server } = setup();
    server.hooks["POST /auth/login"] = () => new Response(JSON.stringify({
      user: { id: ALICE.id, email: ALICE.email, roles: ["user"] }, session_id: "s".repeat(32),
      access_expires_at: new Date().toISOString(), access_token: "header.payload.sig", refresh_token: "secret",
    }), { status: 200, headers: { "Content-Type": "application/json" } });
    const result = await tab.signIn({ email: ALICE.email, password: ALICE.password });
    assert.ok(!JSON.stringify(result).includes("secret") && !JSON.stringify(result).includes("payload"));
  });

  test("signIn of a TOTP user answers mfa_required, and completeMfa signs in with a code", async () => {
    const { tab, server } = setup();
    const first = await tab.signIn({ email: BOB.email, password: BOB.password });
    assert.equal(first.status, "mfa_required");
    assert.equal(typeof first.mfaToken, "string");
    assert.equal(tab.state.status, "unknown", "no session yet");
    const done = await tab.completeMfa({ mfaToken: first.mfaToken, code: TOTP_CODE });
    assert.deepEqual(lastRequest(server).body, { mfa_token: first.mfaToken, code: TOTP_CODE });
    assert.equal(done.status, "signed_in");
    assert.equal(done.user.email, BOB.email);
  });

  test("completeMfa accepts a recovery code instead", async () => {
    const { tab, server } = setup();
    const { mfaToken } = await tab.signIn({ email: BOB.email, password: BOB.password });
    const done = await tab.completeMfa({ mfaToken, recoveryCode: RECOVERY_CODE });
    assert.deepEqual(lastRequest(server).body, { mfa_token: mfaToken, recovery_code: RECOVERY_CODE });
    assert.equal(done.status, "signed_in");
  });

  test("completeMfa refuses both or neither of code and recoveryCode without sending anything", async () => {
    const { tab, server } = setup();
    await assert.rejects(tab.completeMfa({ mfaToken: "t", code: "1", recoveryCode: "2" }), TypeError);
    await assert.rejects(tab.completeMfa({ mfaToken: "t" }), TypeError);
    assert.equal(server.requests.length, 0);
  });

  test("a wrong password rejects with EdgeauthError invalid_credentials and the server's request id", async () => {
    const { tab } = setup();
    const error = await tab.signIn({ email: ALICE.email, password: "wrong" }).catch((e) => e);
    assert.ok(error instanceof EdgeauthError);
    assert.equal(error.name, "EdgeauthError");
    assert.equal(error.status, 401);
    assert.equal(error.code, "invalid_credentials");
    assert.equal(error.title, "invalid credentials");
    assert.match(error.requestId, /^[0-9a-f]{32}$/);
    assert.equal(tab.state.status, "unknown");
  });
});

describe("errors", () => {
  test("problem fields, detail and Retry-After surface on EdgeauthError", async () => {
    const { tab, server } = setup();
    server.hooks["POST /auth/password/forgot"] = () => new Response(JSON.stringify({
      type: "https://edgeauth.dev/problems/rate_limited", title: "Too many requests", status: 429,
      code: "rate_limited", detail: "try later", request_id: "f".repeat(32),
    }), { status: 429, headers: { "Content-Type": "application/problem+json", "Retry-After": "42" } });
    const error = await tab.forgotPassword({ email: ALICE.email }).catch((e) => e);
    assert.deepEqual(
      { status: error.status, code: error.code, title: error.title, detail: error.detail, requestId: error.requestId,
        type: error.type, retryAfter: error.retryAfter, message: error.message },
      { status: 429, code: "rate_limited", title: "Too many requests", detail: "try later", requestId: "f".repeat(32),
        type: "https://edgeauth.dev/problems/rate_limited", retryAfter: 42, message: "Too many requests: try later" });
  });

  test("an answer that is neither the expected JSON nor a problem rejects as unexpected_response", async () => {
    const { tab, server } = setup();
    server.hooks["POST /auth/register"] = () => new Response("<html>Bad gateway</html>", {
      status: 502, headers: { "Content-Type": "text/html" } });
    const error = await tab.register({ email: ALICE.email, password: ALICE.password }).catch((e) => e);
    assert.ok(error instanceof EdgeauthError);
    assert.deepEqual([error.status, error.code], [502, "unexpected_response"]);
  });

  test("a login answer of the wrong shape rejects instead of inventing a session", async () => {
    const { tab, server } = setup();
    server.hooks["POST /auth/login"] = () => new Response('{"user":null}', { headers: { "Content-Type": "application/json" } });
    await assert.rejects(tab.signIn({ email: ALICE.email, password: ALICE.password }), { code: "unexpected_response" });
    assert.equal(tab.state.status, "unknown");
  });
});

describe("client.fetch", () => {
  test("adds X-CSRF-Token from the __Host-csrf cookie on unsafe methods only", async () => {
    const { tab, server } = setup();
    await browser.signIn(tab);
    const csrf = browser.jar.get("__Host-csrf");
    for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
      await tab.fetch("/api/anything", { method }).catch(() => {});
      assert.equal(lastRequest(server).csrf, csrf, method);
    }
    for (const method of ["GET", "HEAD", "OPTIONS"]) {
      await tab.fetch("/api/anything", { method }).catch(() => {});
      assert.equal(lastRequest(server).csrf, null, method);
    }
  });

  test("a CSRF-protected write succeeds, and fails without the header the client adds", async () => {
    const { tab, server } = setup();
    await browser.signIn(tab);
    const response = await tab.fetch("/api/documents", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ title: "t", body: "b" }) });
    assert.equal(response.status, 201);
    const bare = await browser.fetch(new Request(`${ORIGIN}/api/documents`, { method: "POST", body: "{}" }));
    assert.equal(bare.status, 403, "the fake server enforces CSRF, so the header is what made the write pass");
    assert.equal(server.count("POST /api/documents"), 2);
  });

  test("sends credentials same-origin whatever the caller asked for", async () => {
    const { tab, server } = setup();
    await tab.fetch("/api/health", { credentials: "omit" }).catch(() => {});
    assert.equal(lastRequest(server).credentials, "same-origin");
    await tab.fetch("/api/health", { credentials: "include" }).catch(() => {});
    assert.equal(lastRequest(server).credentials, "same-origin");
  });

  test("does not follow redirects with the CSRF header unless the caller chose a redirect mode", async () => {
    const { tab, server } = setup();
    await browser.signIn(tab);
    await tab.fetch("/api/documents", { method: "POST", body: "{}" }).catch(() => {});
    assert.equal(lastRequest(server).redirect, "error");
    await tab.fetch("/api/documents", { method: "POST", body: "{}", redirect: "manual" }).catch(() => {});
    assert.equal(lastRequest(server).redirect, "manual");
    await tab.fetch("/api/me");
    assert.equal(lastRequest(server).redirect, "follow", "no CSRF header, the default applies");
  });

  test("refuses another origin's URL without sending anything", async () => {
    const { tab, server } = setup();
    await browser.signIn(tab);
    const before = server.requests.length;
    await assert.rejects(tab.fetch("https://evil.example/steal", { method: "POST" }), TypeError);
    await assert.rejects(tab.fetch(new Request("https://evil.example/steal", { method: "POST" })), TypeError);
    await assert.rejects(tab.fetch("//evil.example/x"), TypeError);
    assert.equal(server.requests.length, before);
  });

  test("accepts relative paths, absolute same-origin URLs and Request objects", async () => {
    const { tab, server } = setup();
    await browser.signIn(tab);
    for (const input of ["/api/me", `${ORIGIN}/api/me`, new URL("/api/me", ORIGIN), new Request(`${ORIGIN}/api/me`)]) {
      assert.equal((await tab.fetch(input)).status, 200);
    }
    assert.equal(server.count("GET /api/me"), 4);
  });

  test("returns answers that are not problem bodies untouched", async () => {
    const { tab, server } = setup();
    server.hooks["GET /app/page"] = () => new Response("<h1>Not here</h1>", { status: 404, headers: { "Content-Type": "text/html" } });
    const response = await tab.fetch("/app/page");
    assert.equal(response.status, 404);
    assert.equal(await response.text(), "<h1>Not here</h1>");
  });

  test("a problem answer rejects with EdgeauthError", async () => {
    const { tab } = setup();
    await assert.rejects(tab.fetch("/nowhere"), (error) => error instanceof EdgeauthError && error.code === "not_found");
  });

  test("on 401 unauthenticated it refreshes once and retries once, body included", async () => {
    const { tab, server } = setup();
    await browser.signIn(tab);
    browser.expireAccess();
    const response = await tab.fetch("/api/documents", { method: "POST", body: JSON.stringify({ title: "again" }) });
    assert.equal(response.status, 201);
    assert.equal(server.count("POST /auth/session/refresh"), 1);
    const posts = server.requests.filter((r) => r.path === "/api/documents");
    assert.equal(posts.length, 2);
    assert.deepEqual(posts[1].body, { title: "again" }, "the retry sends the body again");
    assert.equal(posts[1].csrf, browser.jar.get("__Host-csrf"));
  });

  test("a retry that is still refused rejects without a second refresh", async () => {
    const { tab, server } = setup();
    await browser.signIn(tab);
    server.hooks["GET /api/me"] = () => new Response(JSON.stringify({ status: 401, code: "unauthenticated", title: "no", type: "x", request_id: "1".repeat(32) }),
      { status: 401, headers: { "Content-Type": "application/problem+json" } });
    await assert.rejects(tab.fetch("/api/me"), { status: 401, code: "unauthenticated" });
    assert.equal(server.count("POST /auth/session/refresh"), 1);
    assert.equal(server.count("GET /api/me"), 2);
  });

  test("other 401 and 403 codes do not trigger a refresh", async () => {
    const { tab, server } = setup();
    await browser.signIn(tab);
    for (const [status, code] of [[401, "invalid_credentials"], [401, "invalid_mfa"], [403, "forbidden"], [403, "csrf_failed"]]) {
      server.hooks["GET /api/thing"] = () => new Response(JSON.stringify({ status, code, title: code, type: "x", request_id: "2".repeat(32) }),
        { status, headers: { "Content-Type": "application/problem+json" } });
      await assert.rejects(tab.fetch("/api/thing"), { code });
    }
    assert.equal(server.count("POST /auth/session/refresh"), 0);
  });

  test("a refresh refused with 401 rejects with the request's own 401 and signs the tab out", async () => {
    const { tab, server } = setup();
    await browser.signIn(tab);
    browser.expireAccess();
    for (const session of server.sessions.values()) session.revoked = true;
    const error = await tab.fetch("/api/me").catch((e) => e);
    assert.equal(error.code, "unauthenticated");
    assert.equal(error.cause?.code, "unauthenticated", "the refresh's refusal is the cause");
    assert.equal(server.count("GET /api/me"), 1, "no retry after a failed refresh");
    assert.equal(tab.state.status, "signed_out");
  });

  test("a rate-limited refresh rejects with the 429 and does not sign out", async () => {
    const { tab, server } = setup();
    await browser.signIn(tab);
    browser.expireAccess();
    server.hooks["POST /auth/session/refresh"] = () => new Response(JSON.stringify({
      status: 429, code: "rate_limited", title: "slow down", type: "x", request_id: "3".repeat(32) }),
    { status: 429, headers: { "Content-Type": "application/problem+json", "Retry-After": "7" } });
    await assert.rejects(tab.fetch("/api/me"), { status: 429, code: "rate_limited", retryAfter: 7 });
    assert.equal(tab.state.status, "signed_in");
  });

  test("without a CSRF cookie (no session) a 401 is final: no refresh request", async () => {
    const { tab, server } = setup();
    await assert.rejects(tab.fetch("/api/me"), { status: 401, code: "unauthenticated" });
    assert.equal(server.count("POST /auth/session/refresh"), 0);
    assert.equal(tab.state.status, "signed_out");
  });
});

describe("session operations", () => {
  test("currentUser returns the user, refreshing an expired access token on the way", async () => {
    const { tab, server } = setup();
    await browser.signIn(tab);
    assert.deepEqual(await tab.currentUser(), { id: ALICE.id, email: ALICE.email, roles: ["user"] });
    browser.expireAccess();
    const session = await tab.currentSession();
    assert.equal(session.user.email, ALICE.email);
    assert.ok(session.expiresAt instanceof Date);
    assert.equal(server.count("POST /auth/session/refresh"), 1);
  });

  test("listSessions answers the user's sessions with dates, the current one marked", async () => {
    const { tab, server } = setup();
    await browser.signIn(tab);
    const sessions = await tab.listSessions();
    assert.equal(lastRequest(server).path, "/auth/sessions");
    assert.equal(sessions.length, 1);
    const [session] = sessions;
    assert.deepEqual(Object.keys(session).sort(), ["createdAt", "current", "id", "ipPrefix", "lastUsedAt", "userAgent"]);
    assert.ok(session.createdAt instanceof Date && session.lastUsedAt instanceof Date);
    assert.equal(session.current, true);
    assert.equal(session.ipPrefix, "203.0.113.0/24");
  });

  test("listSessions refuses an answer of another shape", async () => {
    const { tab, server } = setup();
    await browser.signIn(tab);
    server.hooks["GET /auth/sessions"] = () => new Response(JSON.stringify({ sessions: [{ id: 1 }] }),
      { status: 200, headers: { "Content-Type": "application/json" } });
    const error = await tab.listSessions().catch((e) => e);
    assert.equal(error.code, "unexpected_response");
  });

  test("revokeSession deletes one session with the CSRF header, the id encoded as one segment", async () => {
    const { tab, server } = setup();
    await browser.signIn(tab);
    const other = browser.tab();
    await browser.signIn(other);
    const [target] = (await tab.listSessions()).filter((s) => !s.current);
    await tab.revokeSession(target.id);
    assert.equal(lastRequest(server).method, "DELETE");
    assert.equal(lastRequest(server).path, `/auth/sessions/${target.id}`);
    assert.equal(lastRequest(server).csrf, browser.jar.get("__Host-csrf"));
    assert.equal((await tab.listSessions()).length, 1);
    const error = await tab.revokeSession("../../api/me").catch((e) => e);
    assert.equal(lastRequest(server).path, "/auth/sessions/..%2F..%2Fapi%2Fme");
    assert.equal(error.code, "not_found");
    await assert.rejects(tab.revokeSession(""), TypeError);
  });

  test("currentUser is null when signed out", async () => {
    const { tab } = setup();
    assert.equal(await tab.currentUser(), null);
    assert.equal(tab.state.status, "signed_out");
  });

  test("signOut posts logout with the CSRF header and clears the state", async () => {
    const { tab, server } = setup();
    await browser.signIn(tab);
    const csrf = browser.jar.get("__Host-csrf");
    await tab.signOut();
    assert.equal(lastRequest(server).path, "/auth/session/logout");
    assert.equal(lastRequest(server).csrf, csrf);
    assert.equal(tab.state.status, "signed_out");
    assert.equal(browser.jar.get("__Host-csrf"), null);
  });

  test("signOut with an expired access cookie relies on the refresh cookie: no refresh first", async () => {
    const { tab, server } = setup();
    await browser.signIn(tab);
    browser.expireAccess();
    await tab.signOut();
    assert.deepEqual(lastRequest(server).cookies.sort(), ["__Host-csrf", "__Secure-refresh"]);
    assert.equal(server.count("POST /auth/session/refresh"), 0);
  });

  test("signOut resolves when there was no session to end", async () => {
    const { tab } = setup();
    await tab.signOut();
    assert.equal(tab.state.status, "signed_out");
  });

  test("signOut rejects on a refusal other than 401 and keeps the session", async () => {
    const { tab, server } = setup();
    await browser.signIn(tab);
    server.hooks["POST /auth/session/logout"] = () => new Response(JSON.stringify({
      status: 503, code: "unavailable", title: "down", type: "x", request_id: "4".repeat(32) }),
    { status: 503, headers: { "Content-Type": "application/problem+json" } });
    await assert.rejects(tab.signOut(), { code: "unavailable" });
    assert.equal(tab.state.status, "signed_in");
  });

  test("signOutEverywhere posts logout-all", async () => {
    const { tab, server } = setup();
    await browser.signIn(tab);
    await tab.signOutEverywhere();
    assert.equal(lastRequest(server).path, "/auth/session/logout-all");
    assert.equal(tab.state.status, "signed_out");
  });

  test("the thin wrappers send the contract's routes and field names", async () => {
    const { tab, server } = setup();
    const sent = async (promise) => { const result = await promise; return [result, lastRequest(server)]; };
    let [result, request] = await sent(tab.register({ email: "n@example.com", password: "pw" }));
    assert.deepEqual([result, request.path, request.body], [{ status: "accepted" }, "/auth/register", { email: "n@example.com", password: "pw" }]);
    [result, request] = await sent(tab.verifyEmail({ token: "good-token" }));
    assert.deepEqual([result, request.path, request.body], [{ status: "verified" }, "/auth/email/verify", { token: "good-token" }]);
    [result, request] = await sent(tab.forgotPassword({ email: "n@example.com" }));
    assert.deepEqual([result, request.path, request.body], [{ status: "accepted" }, "/auth/password/forgot", { email: "n@example.com" }]);
    [result, request] = await sent(tab.resetPassword({ token: "t", password: "new pw" }));
    assert.deepEqual([result, request.path, request.body], [{ status: "reset" }, "/auth/password/reset", { token: "t", password: "new pw" }]);
    await browser.signIn(tab);
    [result, request] = await sent(tab.changePassword({ currentPassword: "a", newPassword: "b" }));
    assert.deepEqual([result, request.path, request.body, request.csrf],
      [{ status: "changed" }, "/auth/password/change", { current_password: "a", new_password: "b" }, browser.jar.get("__Host-csrf")]);
  });

  test("reportCompromise posts the notice's token to the not-me route and answers how many sessions ended", async () => {
    const { tab, server } = setup();
    const result = await tab.reportCompromise("notice-token");
    assert.deepEqual(result, { status: "secured", sessionsRevoked: 2 });
    const request = lastRequest(server);
    assert.deepEqual([request.method, request.path, request.body, request.contentType],
      ["POST", "/auth/security/not-me", { token: "notice-token" }, "application/json"]);
    assert.equal(server.requests.length, 1, "a public route: no session lookup, no refresh");
  });

  test("reportCompromise rejects a used or unknown token as invalid_request, and sends nothing without a token", async () => {
    const { tab, server } = setup();
    await assert.rejects(tab.reportCompromise("used-token"), { status: 400, code: "invalid_request" });
    for (const nonsense of [undefined, "", { token: "notice-token" }]) {
      await assert.rejects(tab.reportCompromise(nonsense), TypeError);
    }
    assert.equal(server.requests.length, 1);
  });

  test("reportCompromise refuses an answer of another shape", async () => {
    const { tab, server } = setup();
    server.hooks["POST /auth/security/not-me"] = () => new Response(JSON.stringify({ status: "secured" }),
      { status: 200, headers: { "Content-Type": "application/json" } });
    await assert.rejects(tab.reportCompromise("notice-token"), { code: "unexpected_response" });
  });

  test("verifyEmail with a bad token rejects with invalid_request", async () => {
    const { tab } = setup();
    await assert.rejects(tab.verifyEmail({ token: "bad" }), { status: 400, code: "invalid_request" });
  });
});

describe("configuration", () => {
  test("in a page, a baseUrl of another origin is refused at construction", () => {
    const location = { href: "https://app.example.com/account", origin: "https://app.example.com" };
    assert.throws(() => createClient({ baseUrl: "https://auth.example.com", location }), TypeError);
    assert.doesNotThrow(() => createClient({ baseUrl: "https://app.example.com/", location, BroadcastChannel: null }).close());
    assert.doesNotThrow(() => createClient({ location, BroadcastChannel: null }).close());
  });

  test("outside a page, baseUrl must be an absolute http(s) URL", () => {
    assert.throws(() => createClient({ location: null }), TypeError);
    assert.throws(() => createClient({ location: null, baseUrl: "/relative" }), TypeError);
    assert.throws(() => createClient({ location: null, baseUrl: "ftp://x.example" }), TypeError);
  });

  test("nonsense options are refused", () => {
    const base = { baseUrl: ORIGIN, location: null, BroadcastChannel: null };
    assert.throws(() => createClient({ ...base, fetch: "nope" }), TypeError);
    assert.throws(() => createClient({ ...base, name: "has space" }), TypeError);
    assert.throws(() => createClient({ ...base, refreshTimeoutMs: 0 }), TypeError);
  });

  test("the client's methods work detached from the object (e.g. passed as a fetch)", async () => {
    const { tab } = setup();
    const { signIn, fetch } = tab;
    await signIn({ email: ALICE.email, password: ALICE.password });
    assert.equal((await fetch("/api/me")).status, 200);
  });
});
