// docs/contract.md §4, §5 sessions on the built functions: GET /auth/session, refresh in both
// modes with rotation, the 30 s retry grace, ten concurrent refreshes, reuse
// detection, logout, logout-all, listing and revoking sessions, and that a revoked
// session's access token fails at the next request to every function.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { configWith, start } from "./harness/target.mjs";
import { Client } from "./harness/http.mjs";
import { assertProblem, assertSecurityHeaders } from "./harness/assertions.mjs";
import { startMailSink } from "./harness/mail.mjs";
import { COOKIES, Session, login, newSession, uniqueEmail } from "./harness/flows.mjs";

const ADMIN_EMAIL = uniqueEmail("auditor-admin");
/** The admin of the forged-refresh test (it reads the audit log too). */
const FORGERY_ADMIN_EMAIL = uniqueEmail("forgery-admin");
const DAY_MS = 86_400_000;

let sink;
let server;
before(async () => {
  sink = await startMailSink();
  server = await start({ vars: configWith({ ...sink.vars(), BOOTSTRAP_ADMIN_EMAILS: `${ADMIN_EMAIL},${FORGERY_ADMIN_EMAIL}` }) });
});
after(async () => {
  await server?.stop();
  await sink?.close();
});

const signIn = (mode, options = {}) => newSession(server.url, sink, { mode, ...options });

/** A session's request options, but with `token` as its access token (cookie or Bearer as the mode says). */
function withAccessToken(session, token) {
  return session.mode === "token"
    ? { headers: { Authorization: `Bearer ${token}` }, cookies: false }
    : { headers: { Cookie: `${COOKIES.access}=${token}` }, cookies: false };
}

/** The revocation bound of SESSION_CHECK=cached, the default (docs/sessions.md §5), plus slack. */
const REVOCATION_BOUND_MS = 5_000 + 2_000;

/**
 * Asserts that `token` (an access token of `session`) no longer works on any function:
 * every read refuses it within the revocation bound (at once where no isolate holds a
 * check of it; tests/revocation.test.mjs measures the bound itself).
 */
async function assertAccessTokenDead(session, token, why) {
  const client = new Client(server.url);
  const since = Date.now();
  for (const path of ["/api/me", "/auth/session", "/auth/sessions"]) {
    for (;;) {
      const response = await client.get(path, withAccessToken(session, token));
      if (response.status === 200 && Date.now() - since < REVOCATION_BOUND_MS) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        continue;
      }
      assert.equal(response.status, 401, `${why}: GET ${path} answered ${response.status}`);
      assertProblem(response, 401, "unauthenticated");
      break;
    }
  }
}

/** Refresh with a raw refresh token (token mode), on a fresh client. */
function refreshWith(refreshToken) {
  return new Client(server.url).post("/auth/session/refresh", { refresh_token: refreshToken }, { cookies: false });
}

describe("GET /auth/session", () => {
  test("answers the user, the session id and the session's end, in both modes", async () => {
    for (const mode of ["cookie", "token"]) {
      const session = await signIn(mode);
      const response = await session.client.get("/auth/session", session.auth());
      assert.equal(response.status, 200, `${mode}: ${response.text}`);
      assertSecurityHeaders(response, "/auth/session");
      assert.deepEqual(Object.keys(response.json).sort(), ["expires_at", "session_id", "user"]);
      assert.deepEqual(response.json.user, session.user);
      assert.equal(response.json.session_id, session.sessionId);
      // The session's end: the 7-day idle timeout comes before the 30-day absolute end.
      const end = Date.parse(response.json.expires_at);
      assert.ok(Math.abs(end - (Date.now() + 7 * DAY_MS)) < 10 * 60_000, response.json.expires_at);
    }
  });

  test("without a credential, or with a malformed one, is 401 unauthenticated", async () => {
    const client = new Client(server.url);
    assertProblem(await client.get("/auth/session"), 401, "unauthenticated");
    for (const authorization of ["Bearer", "Bearer garbage", "Basic dXNlcjpwYXNz", "bearer  "]) {
      assertProblem(await client.get("/auth/session", { headers: { Authorization: authorization } }), 401, "unauthenticated");
    }
    assertProblem(await client.get("/auth/session", { headers: { Cookie: `${COOKIES.access}=x.y.z` } }), 401, "unauthenticated");
  });
});

describe("refresh", () => {
  test("cookie mode: the refresh cookie plus X-CSRF-Token re-sets all three cookies with a new refresh token", async () => {
    const session = await signIn("cookie");
    const old = { access: session.accessToken, refresh: session.refreshToken, csrf: session.csrfToken };
    const response = await session.refresh();
    assert.equal(response.status, 200, response.text);
    assertSecurityHeaders(response, "/auth/session/refresh");
    assert.deepEqual(response.setCookies.map((line) => line.split("=")[0]).sort(),
      [COOKIES.access, COOKIES.csrf, COOKIES.refresh].sort());
    assert.deepEqual(Object.keys(response.json).sort(), ["access_expires_at", "session_id", "user"]);
    assert.equal(response.json.session_id, old.refresh.split(".")[1]);
    assert.notEqual(session.refreshToken, old.refresh, "the refresh token rotated");
    assert.notEqual(session.accessToken, old.access, "a new access token");
    assert.equal(session.csrfToken, old.csrf, "the CSRF token is bound to the session, not the token");
    assert.ok(!response.text.includes(session.refreshToken) && !response.text.includes(session.accessToken));
    const me = await session.client.get("/api/me");
    assert.equal(me.status, 200, me.text);
  });

  test("token mode: {refresh_token} answers new tokens in the body and sets no cookie", async () => {
    const session = await signIn("token");
    const old = session.refreshToken;
    const response = await session.refresh();
    assert.equal(response.status, 200, response.text);
    assert.deepEqual(response.setCookies, []);
    assert.deepEqual(Object.keys(response.json).sort(),
      ["access_expires_at", "access_token", "expires_in", "refresh_token", "session_id", "token_type", "user"]);
    assert.equal(response.json.token_type, "Bearer");
    assert.equal(response.json.session_id, session.sessionId);
    assert.notEqual(session.refreshToken, old);
    assert.equal((await session.client.get("/api/me", session.auth())).status, 200);
  });

  test("every refresh rotates: a new refresh token each time, and the session stays the same", async () => {
    const session = await signIn("token");
    const seen = new Set([session.refreshToken]);
    for (let i = 0; i < 4; i++) {
      const response = await session.refresh();
      assert.equal(response.status, 200, response.text);
      assert.ok(!seen.has(session.refreshToken), `refresh ${i + 1} gave a fresh token`);
      seen.add(session.refreshToken);
      assert.equal(session.refreshToken.split(".").slice(0, 2).join("."), `${session.user.id}.${session.sessionId}`);
    }
  });

  test("a retry of the immediately previous token within 30 s gets the same successor", async () => {
    const session = await signIn("token");
    const r0 = session.refreshToken;
    const first = await refreshWith(r0);
    assert.equal(first.status, 200, first.text);
    const retry = await refreshWith(r0);
    assert.equal(retry.status, 200, retry.text);
    assert.equal(retry.json.refresh_token, first.json.refresh_token, "the same successor");
    // Nothing was revoked: the successor rotates on.
    const next = await refreshWith(first.json.refresh_token);
    assert.equal(next.status, 200, next.text);
    assert.equal((await session.client.get("/api/me", withAccessToken(session, next.json.access_token))).status, 200);
  });

  for (const mode of ["token", "cookie"]) {
    test(`ten parallel refreshes with one token all succeed with the same successor (${mode} mode)`, async () => {
      const session = await signIn(mode);
      const original = session.refreshToken;
      const send = () => (mode === "token"
        ? refreshWith(original)
        : new Client(server.url).request("POST", "/auth/session/refresh", {
          headers: { Cookie: session.client.cookieHeader(), "X-CSRF-Token": session.csrfToken },
        }));
      const responses = await Promise.all(Array.from({ length: 10 }, send));
      for (const response of responses) assert.equal(response.status, 200, response.text);
      const successors = new Set(responses.map((response) => (mode === "token"
        ? response.json.refresh_token
        : response.setCookies.find((line) => line.startsWith(`${COOKIES.refresh}=`)).split(";")[0].split("=")[1])));
      assert.equal(successors.size, 1, `exactly one successor, got ${successors.size}`);
      const [successor] = successors;
      assert.notEqual(successor, original);
      // The one successor is live: it rotates on, and the session was not revoked.
      const next = await refreshWith(successor);
      assert.equal(next.status, 200, next.text);
      assert.equal((await refreshWith(next.json.refresh_token)).status, 200);
    });
  }

  test("a replay two rotations old gets 401 and revokes the session", async () => {
    const session = await signIn("token");
    const r0 = session.refreshToken;
    assert.equal((await session.refresh()).status, 200);
    assert.equal((await session.refresh()).status, 200);
    const live = { access: session.accessToken, refresh: session.refreshToken };
    assert.equal((await session.client.get("/api/me", session.auth())).status, 200, "live before the replay");

    assertProblem(await refreshWith(r0), 401, "unauthenticated");
    await assertAccessTokenDead(session, live.access, "after reuse detection");
    assertProblem(await refreshWith(live.refresh), 401, "unauthenticated");
  });

  test("the previous token presented after another rotation (outside its window) revokes too, in cookie mode", async () => {
    const session = await signIn("cookie");
    const r0Cookie = session.client.cookieHeader();
    assert.equal((await session.refresh()).status, 200);
    assert.equal((await session.refresh()).status, 200);
    const replay = await new Client(server.url).request("POST", "/auth/session/refresh", {
      headers: { Cookie: r0Cookie, "X-CSRF-Token": session.csrfToken },
    });
    assertProblem(replay, 401, "unauthenticated");
    await assertAccessTokenDead(session, session.accessToken, "after cookie-mode reuse");
  });

  test("refresh_reuse_detected is recorded in the audit log", async (t) => {
    const admin = await signIn("token", { email: ADMIN_EMAIL });
    const probe = await admin.client.get("/api/admin/audit?event=refresh_reuse_detected&limit=50", admin.auth());
    if (probe.status === 404) {
      t.skip("GET /api/admin/audit is not implemented yet (protected-API issue)");
      return;
    }
    const victim = await signIn("token");
    const r0 = victim.refreshToken;
    await victim.refresh();
    await victim.refresh();
    assertProblem(await refreshWith(r0), 401, "unauthenticated");
    const deadline = Date.now() + 5000;
    let event;
    while (!event && Date.now() < deadline) {
      const audit = await admin.client.get("/api/admin/audit?event=refresh_reuse_detected&limit=50", admin.auth());
      assert.equal(audit.status, 200, audit.text);
      event = audit.json.events.find((e) => e.subject_id === victim.user.id);
      if (!event) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(event, "a refresh_reuse_detected event for the victim");
    assert.equal(event.event, "refresh_reuse_detected");
    assert.ok(!JSON.stringify(event).includes(r0.split(".")[2]), "no token in the audit event");
  });

  test("a forged refresh token with the victim's ids is refused and ends nothing (issue 12)", async () => {
    const admin = await signIn("token", { email: FORGERY_ADMIN_EMAIL });
    const victim = await signIn("token");
    assert.equal((await victim.refresh()).status, 200, "one rotation: the chain has a past");
    // The ids are public: `sub` and `sid` of any access token (and the audit log).
    const claims = JSON.parse(Buffer.from(victim.accessToken.split(".")[1], "base64url").toString());
    const ids = `${claims.sub}.${claims.sid}`;
    const forgeries = [
      [`${ids}.${randomBytes(32).toString("base64url")}`, "«ids».«random secret»"],
      [`${ids}.${randomBytes(32).toString("base64url")}.${randomBytes(16).toString("base64url")}`, "«ids».«random secret».«random tag»"],
      [`${ids}.${randomBytes(32).toString("base64url")}.${victim.refreshToken.split(".")[3]}`, "«ids».«random secret».«the victim's tag»"],
    ];
    const lines = [];
    for (const [forged, label] of forgeries) {
      const response = await refreshWith(forged);
      lines.push(`POST /auth/session/refresh {"refresh_token":"${label}"}\n  → ${response.status} ${response.text}`);
      assertProblem(response, 401, "unauthenticated");
    }
    const current = await victim.client.get("/auth/session", victim.auth());
    lines.push(`GET /auth/session (the victim's access token)\n  → ${current.status}`);
    const me = await victim.client.get("/api/me", victim.auth());
    lines.push(`GET /api/me (the victim's access token)\n  → ${me.status}`);
    const refreshed = await victim.refresh();
    lines.push(`POST /auth/session/refresh (the victim's refresh token)\n  → ${refreshed.status}`);
    console.log(`\n--- forged refresh tokens ---\n${lines.join("\n")}\n---`);
    assert.equal(current.status, 200, "the victim's session survives");
    assert.equal(me.status, 200);
    assert.equal(refreshed.status, 200);
    const audit = await admin.client.get(`/api/admin/audit?user_id=${victim.user.id}&limit=50`, admin.auth());
    assert.equal(audit.status, 200, audit.text);
    assert.ok(!audit.json.events.some((e) => e.event === "refresh_reuse_detected" || e.event === "session_revoked"),
      JSON.stringify(audit.json.events.map((e) => e.event)));
  });

  test("a refresh token that is malformed, of an unknown session, or missing is 401", async () => {
    const session = await signIn("token");
    const [user, sid, secret] = session.refreshToken.split(".");
    for (const token of ["garbage", `${user}.${sid}`, `${user}.${randomBytes(16).toString("hex")}.${secret}`, ""]) {
      assertProblem(await refreshWith(token), 401, "unauthenticated");
    }
    assertProblem(await new Client(server.url).request("POST", "/auth/session/refresh"), 401, "unauthenticated");
  });
});

describe("logout", () => {
  test("cookie mode: 204, the three cookies cleared with Max-Age=0, Clear-Site-Data, and the tokens then fail", async () => {
    const session = await signIn("cookie");
    const { accessToken, refreshToken, csrfToken } = session;
    const response = await session.client.request("POST", "/auth/session/logout", session.auth());
    assert.equal(response.status, 204, response.text);
    assert.equal(response.text, "");
    assertSecurityHeaders(response, "/auth/session/logout");
    assert.equal(response.headers.get("clear-site-data"), '"cookies", "storage"');
    const cleared = Object.fromEntries(response.setCookies.map((line) => [line.split("=")[0], line]));
    assert.deepEqual(Object.keys(cleared).sort(), [COOKIES.access, COOKIES.csrf, COOKIES.refresh].sort());
    const paths = { [COOKIES.access]: "/", [COOKIES.refresh]: "/auth/session", [COOKIES.csrf]: "/" };
    for (const [name, line] of Object.entries(cleared)) {
      assert.match(line, new RegExp(`^${name}=;`), `${name} emptied`);
      assert.match(line, /;\s*Max-Age=0(;|$)/i, `${name}: Max-Age=0`);
      assert.match(line, /;\s*Secure(;|$)/i, `${name}: Secure (browsers match the prefixed cookie)`);
      assert.match(line, new RegExp(`;\\s*Path=${paths[name]}(;|$)`), `${name}: same Path`);
    }
    assert.equal(session.client.cookies.size, 0, "the jar is empty");
    await assertAccessTokenDead(session, accessToken, "after logout");
    const refresh = await new Client(server.url).request("POST", "/auth/session/refresh", {
      headers: { Cookie: `${COOKIES.refresh}=${refreshToken}; ${COOKIES.csrf}=${csrfToken}`, "X-CSRF-Token": csrfToken },
    });
    assertProblem(refresh, 401, "unauthenticated");
  });

  test("token mode: 204 with the Bearer token, then the access and refresh tokens fail", async () => {
    const session = await signIn("token");
    const response = await session.client.request("POST", "/auth/session/logout", session.auth());
    assert.equal(response.status, 204, response.text);
    assert.equal(response.headers.get("clear-site-data"), '"cookies", "storage"');
    await assertAccessTokenDead(session, session.accessToken, "after logout");
    assertProblem(await refreshWith(session.refreshToken), 401, "unauthenticated");
  });

  test("logout with only the refresh token (access token gone) ends the session; in cookie mode it needs the CSRF header", async () => {
    const cookie = await signIn("cookie");
    const refreshOnly = `${COOKIES.refresh}=${cookie.refreshToken}; ${COOKIES.csrf}=${cookie.csrfToken}`;
    const client = new Client(server.url);
    const withoutHeader = await client.request("POST", "/auth/session/logout", { headers: { Cookie: refreshOnly }, cookies: false });
    assertProblem(withoutHeader, 403, "csrf_failed");
    assert.equal((await cookie.client.get("/api/me")).status, 200, "the refused logout changed nothing");
    const response = await client.request("POST", "/auth/session/logout", {
      headers: { Cookie: refreshOnly, "X-CSRF-Token": cookie.csrfToken }, cookies: false,
    });
    assert.equal(response.status, 204, response.text);
    await assertAccessTokenDead(cookie, cookie.accessToken, "after logout by refresh cookie");

    const token = await signIn("token");
    const byBody = await new Client(server.url).post("/auth/session/logout", { refresh_token: token.refreshToken }, { cookies: false });
    assert.equal(byBody.status, 204, byBody.text);
    await assertAccessTokenDead(token, token.accessToken, "after logout by refresh token");
  });

  test("logout without a credential is 401, and a second logout with the same token too", async () => {
    assertProblem(await new Client(server.url).request("POST", "/auth/session/logout"), 401, "unauthenticated");
    const session = await signIn("token");
    assert.equal((await session.client.request("POST", "/auth/session/logout", session.auth())).status, 204);
    assertProblem(await session.client.request("POST", "/auth/session/logout", session.auth()), 401, "unauthenticated");
  });

  test("logout-all: 204, and every session of the user ends, nobody else's", async () => {
    const first = await signIn("cookie");
    const second = await login(new Client(server.url), first.email, first.password, "token");
    const third = await login(new Client(server.url), first.email, first.password, "cookie");
    const other = await signIn("token");
    const tokens = [first, second, third].map((s) => ({ session: s, access: s.accessToken, refresh: s.refreshToken }));

    const response = await second.client.request("POST", "/auth/session/logout-all", second.auth());
    assert.equal(response.status, 204, response.text);
    for (const { session, access, refresh } of tokens) {
      await assertAccessTokenDead(session, access, `session ${session.sessionId} after logout-all`);
      assertProblem(await refreshWith(refresh), 401, "unauthenticated");
    }
    assert.equal((await other.client.get("/api/me", other.auth())).status, 200, "another user's session lives on");
  });
});

describe("session list and revocation", () => {
  test("GET /auth/sessions lists the live sessions with current set right and only an IP prefix", async () => {
    const v4 = new Client(server.url, { ip: "203.0.113.77", headers: { "User-Agent": "Laptop/1.0" } });
    const v6 = new Client(server.url, { ip: "2001:db8:1:2:3:4:5:6", headers: { "User-Agent": "Phone/2.0" } });
    const a = await newSession(server.url, sink, { mode: "cookie" });
    // Re-sign in from two known clients (the first session came from a fresh test IP).
    const laptop = await login(v4, a.email, a.password, "cookie");
    const phone = await login(v6, a.email, a.password, "token");

    const fromLaptop = await v4.get("/auth/sessions", laptop.auth());
    assert.equal(fromLaptop.status, 200, fromLaptop.text);
    assertSecurityHeaders(fromLaptop, "/auth/sessions");
    const sessions = fromLaptop.json.sessions;
    assert.deepEqual(sessions.map((s) => s.id).sort(), [a.sessionId, laptop.sessionId, phone.sessionId].sort());
    for (const s of sessions) {
      assert.deepEqual(Object.keys(s).sort(), ["created_at", "current", "id", "ip_prefix", "last_used_at", "user_agent"]);
      assert.equal(s.current, s.id === laptop.sessionId, `current of ${s.id}`);
      assert.ok(!Number.isNaN(Date.parse(s.created_at)) && !Number.isNaN(Date.parse(s.last_used_at)));
    }
    const byId = Object.fromEntries(sessions.map((s) => [s.id, s]));
    assert.equal(byId[laptop.sessionId].ip_prefix, "203.0.113.0/24");
    assert.equal(byId[laptop.sessionId].user_agent, "Laptop/1.0");
    assert.equal(byId[phone.sessionId].ip_prefix, "2001:db8:1::/48");
    assert.equal(byId[phone.sessionId].user_agent, "Phone/2.0");
    for (const full of ["203.0.113.77", "2001:db8:1:2:3:4:5:6", a.client.ip]) {
      assert.ok(!fromLaptop.text.includes(full), `the full address ${full} is never shown`);
    }

    const fromPhone = await v6.get("/auth/sessions", phone.auth());
    assert.deepEqual(fromPhone.json.sessions.filter((s) => s.current).map((s) => s.id), [phone.sessionId]);
  });

  test("DELETE /auth/sessions/{id} of an own session: 204, and its access token fails at the next request to any function", async () => {
    const a = await signIn("token");
    const b = await login(new Client(server.url), a.email, a.password, "cookie");
    const response = await a.client.delete(`/auth/sessions/${b.sessionId}`, a.auth());
    assert.equal(response.status, 204, response.text);
    await assertAccessTokenDead(b, b.accessToken, "after DELETE /auth/sessions/{id}");
    const refresh = await b.client.request("POST", "/auth/session/refresh", b.auth());
    assertProblem(refresh, 401, "unauthenticated");
    // The caller's own session is untouched and no longer lists the revoked one.
    const list = await a.client.get("/auth/sessions", a.auth());
    assert.equal(list.status, 200);
    assert.deepEqual(list.json.sessions.map((s) => s.id), [a.sessionId]);
    // Revoking it again: it is no longer a live session of the caller.
    assertProblem(await a.client.delete(`/auth/sessions/${b.sessionId}`, a.auth()), 404, "not_found");
  });

  test("DELETE /auth/sessions/{id} of the current session clears its cookies", async () => {
    const a = await signIn("cookie");
    const { accessToken } = a;
    const response = await a.client.delete(`/auth/sessions/${a.sessionId}`, a.auth());
    assert.equal(response.status, 204, response.text);
    assert.ok(response.setCookies.some((line) => line.startsWith(`${COOKIES.access}=;`) && /Max-Age=0/i.test(line)));
    await assertAccessTokenDead(a, accessToken, "after deleting the current session");
  });

  test("DELETE /auth/sessions/{id} of another user's session is 404 and changes nothing", async () => {
    const a = await signIn("token");
    const b = await signIn("token");
    for (const id of [b.sessionId, randomBytes(16).toString("hex"), "not-an-id", b.sessionId.toUpperCase()]) {
      assertProblem(await a.client.delete(`/auth/sessions/${id}`, a.auth()), 404, "not_found");
    }
    assert.equal((await b.client.get("/api/me", b.auth())).status, 200, "the other user's session lives on");
    assert.equal((await b.refresh()).status, 200);
  });

  test("a revoked session stays revoked: a new login is a new session", async () => {
    const a = await signIn("token");
    assert.equal((await a.client.request("POST", "/auth/session/logout", a.auth())).status, 204);
    const again = await login(new Client(server.url), a.email, a.password, "token");
    assert.notEqual(again.sessionId, a.sessionId);
    assert.equal((await again.client.get("/api/me", again.auth())).status, 200);
    await assertAccessTokenDead(a, a.accessToken, "the old session");
    assert.ok(again instanceof Session);
  });
});

describe("expiry (short SESSION_IDLE_TIMEOUT_SECS and SESSION_ABSOLUTE_LIFETIME_SECS)", () => {
  const IDLE_SECS = 4;
  const ABSOLUTE_SECS = 8;
  let short;
  before(async () => {
    short = await start({ vars: configWith({
      ...sink.vars(), SESSION_IDLE_TIMEOUT_SECS: IDLE_SECS, SESSION_ABSOLUTE_LIFETIME_SECS: ABSOLUTE_SECS,
    }) });
  });
  after(() => short?.stop());

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const refreshOn = (token) => new Client(short.url).post("/auth/session/refresh", { refresh_token: token }, { cookies: false });
  const meStatus = async (token) => (await new Client(short.url).get("/api/me", {
    headers: { Authorization: `Bearer ${token}` }, cookies: false,
  })).status;

  test("an idle session ends: its access token (even within its leeway) and refresh token are refused", async () => {
    const session = await newSession(short.url, sink, { mode: "token" });
    assert.ok(session.body.expires_in <= IDLE_SECS, `the access token never outlives the session (${session.body.expires_in} s)`);
    assert.equal(await meStatus(session.accessToken), 200);
    await sleep((IDLE_SECS + 1.5) * 1000);
    assert.equal(await meStatus(session.accessToken), 401, "the session record is checked, not just exp");
    assertProblem(await refreshOn(session.refreshToken), 401, "unauthenticated");
  });

  test("refreshing keeps a session alive only until its absolute end", async () => {
    const session = await newSession(short.url, sink, { mode: "token" });
    // Deadlines count from the session's creation as the server recorded it.
    const list = await session.client.get("/auth/sessions", session.auth());
    const created = Date.parse(list.json.sessions[0].created_at);
    const absoluteEnd = created + ABSOLUTE_SECS * 1000;
    let token = session.refreshToken;
    let access = session.accessToken;
    let lastRefresh = created;
    // Refreshes every 1.5 s (well inside the idle timeout) while one more still lands
    // a second before the absolute end; the last one's idle end then lies beyond it.
    while (Date.now() + 1500 < absoluteEnd - 1000) {
      await sleep(1500);
      lastRefresh = Date.now();
      const response = await refreshOn(token);
      assert.equal(response.status, 200, `refresh at ${lastRefresh - created} ms: ${response.text}`);
      token = response.json.refresh_token;
      access = response.json.access_token;
      assert.ok(Date.parse(response.json.access_expires_at) <= absoluteEnd + 1000, "the access token ends with the session");
    }
    await sleep(Math.max(0, absoluteEnd + 1000 - Date.now()));
    assert.ok(lastRefresh + IDLE_SECS * 1000 > Date.now() + 500, "the idle end is still ahead: what ends it is the absolute end");
    assertProblem(await refreshOn(token), 401, "unauthenticated");
    assert.equal(await meStatus(access), 401);
  });
});
