// docs/contract.md §4 CSRF on the built functions: a cookie-authenticated unsafe request needs
// X-CSRF-Token equal to the __Host-csrf cookie and bound to its session, and an
// Origin (when present) that is ours or allowlisted; Bearer requests and safe
// methods are exempt. A refused request changes nothing.
//
// Probe: `DELETE /auth/sessions/{unknown id}` authenticates (CSRF included) before it
// looks the id up, so it answers 404 when the CSRF check passes and 403 when it
// does not, without ending anything. The state-changing routes (refresh, logout,
// logout-all, deleting a real session) are checked too.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { configWith, start } from "./harness/target.mjs";
import { Client } from "./harness/http.mjs";
import { assertProblem } from "./harness/assertions.mjs";
import { startMailSink } from "./harness/mail.mjs";
import { COOKIES, login, newSession } from "./harness/flows.mjs";

const DEV = configWith();
const PUBLIC_ORIGIN = DEV.PUBLIC_ORIGIN;
const ALLOWED_ORIGINS = DEV.ALLOWED_ORIGINS.split(",");
const FOREIGN_ORIGINS = ["https://evil.example", "null", `${PUBLIC_ORIGIN}.evil.example`, PUBLIC_ORIGIN.replace("http:", "https:")];

let sink;
let server;
let alice;
let bob;
before(async () => {
  sink = await startMailSink();
  server = await start({ vars: configWith(sink.vars()) });
  alice = await newSession(server.url, sink, { mode: "cookie" });
  bob = await newSession(server.url, sink, { mode: "cookie" });
});
after(async () => {
  await server?.stop();
  await sink?.close();
});

const probePath = () => `/auth/sessions/${randomBytes(16).toString("hex")}`;

/**
 * A cookie-authenticated request as `session`, with exactly the given CSRF header,
 * CSRF cookie (default: the session's; `null`: none) and Origin.
 */
function cookieRequest(session, method, path, { csrfHeader, csrfCookie = session.csrfToken, origin } = {}) {
  const cookies = [`${COOKIES.access}=${session.accessToken}`, `${COOKIES.refresh}=${session.refreshToken}`];
  if (csrfCookie !== null) cookies.push(`${COOKIES.csrf}=${csrfCookie}`);
  const headers = { Cookie: cookies.join("; ") };
  if (csrfHeader !== undefined) headers["X-CSRF-Token"] = csrfHeader;
  if (origin !== undefined) headers.Origin = origin;
  return new Client(server.url).request(method, path, { headers, cookies: false });
}

/** Every unsafe cookie-authenticated route, refused as `csrf` says; then proves nothing changed. */
async function assertRefusedEverywhere(session, csrf, why) {
  for (const [method, path] of [["DELETE", probePath()], ["POST", "/auth/session/refresh"],
    ["POST", "/auth/session/logout"], ["POST", "/auth/session/logout-all"], ["DELETE", `/auth/sessions/${session.sessionId}`]]) {
    const response = await cookieRequest(session, method, path, csrf);
    assert.equal(response.status, 403, `${why}: ${method} ${path} answered ${response.status} ${response.text}`);
    assertProblem(response, 403, "csrf_failed");
    assert.deepEqual(response.setCookies, [], `${why}: ${method} ${path} set no cookie`);
  }
  await assertUnchanged(session, why);
}

/** The session is live and its refresh token unconsumed. */
async function assertUnchanged(session, why) {
  const me = await session.client.get("/api/me", session.auth());
  assert.equal(me.status, 200, `${why}: the session still works`);
  const sessionNow = await session.client.get("/auth/session", session.auth());
  assert.equal(sessionNow.json.session_id, session.sessionId);
}

describe("cookie-authenticated unsafe requests", () => {
  test("without X-CSRF-Token are 403 csrf_failed and change nothing", async () => {
    await assertRefusedEverywhere(alice, {}, "no header");
    // The refresh token was not consumed: the proper request still rotates it.
    const refreshed = await alice.refresh();
    assert.equal(refreshed.status, 200, refreshed.text);
  });

  test("with a wrong X-CSRF-Token are 403", async () => {
    for (const csrfHeader of ["", "wrong", randomBytes(32).toString("base64url"), `${alice.csrfToken}x`, alice.csrfToken.slice(0, -1)]) {
      await assertRefusedEverywhere(alice, { csrfHeader }, `header ${JSON.stringify(csrfHeader)}`);
    }
  });

  test("with the header but no __Host-csrf cookie are 403", async () => {
    await assertRefusedEverywhere(alice, { csrfHeader: alice.csrfToken, csrfCookie: null }, "no cookie");
  });

  test("with a header and cookie that match each other but not the session are 403 (cookie tossing)", async () => {
    const chosen = randomBytes(32).toString("base64url");
    await assertRefusedEverywhere(alice, { csrfHeader: chosen, csrfCookie: chosen }, "chosen pair");
  });

  test("with the CSRF token of another session are 403", async () => {
    assert.notEqual(alice.csrfToken, bob.csrfToken);
    await assertRefusedEverywhere(alice, { csrfHeader: bob.csrfToken }, "bob's token as header");
    await assertRefusedEverywhere(alice, { csrfHeader: bob.csrfToken, csrfCookie: bob.csrfToken }, "bob's token as header and cookie");
    // Another session of the same user has its own token too.
    const second = await login(new Client(server.url), alice.email, alice.password, "cookie");
    assert.notEqual(second.csrfToken, alice.csrfToken);
    await assertRefusedEverywhere(alice, { csrfHeader: second.csrfToken, csrfCookie: second.csrfToken }, "own other session's token");
  });

  test("from a foreign Origin with the right token are 403", async () => {
    for (const origin of FOREIGN_ORIGINS) {
      await assertRefusedEverywhere(alice, { csrfHeader: alice.csrfToken, origin }, `Origin ${origin}`);
    }
  });

  test("with the right token and no Origin, the public origin or an allowlisted origin pass", async () => {
    for (const origin of [undefined, PUBLIC_ORIGIN, ...ALLOWED_ORIGINS]) {
      const response = await cookieRequest(alice, "DELETE", probePath(), { csrfHeader: alice.csrfToken, origin });
      assertProblem(response, 404, "not_found");
    }
    // And a state-changing one: a refresh from an allowlisted origin rotates.
    const session = await newSession(server.url, sink, { mode: "cookie" });
    const response = await cookieRequest(session, "POST", "/auth/session/refresh", { csrfHeader: session.csrfToken, origin: ALLOWED_ORIGINS[0] });
    assert.equal(response.status, 200, response.text);
    const logout = await cookieRequest(session, "POST", "/auth/session/logout", { csrfHeader: session.csrfToken, origin: PUBLIC_ORIGIN });
    assert.equal(logout.status, 204, logout.text);
  });
});

describe("exemptions", () => {
  test("Bearer-authenticated unsafe requests need no CSRF token", async () => {
    const session = await newSession(server.url, sink, { mode: "token" });
    const bearer = { headers: { Authorization: `Bearer ${session.accessToken}` }, cookies: false };
    assertProblem(await session.client.delete(probePath(), bearer), 404, "not_found");
    const other = await login(new Client(server.url), session.email, session.password, "token");
    assert.equal((await session.client.delete(`/auth/sessions/${other.sessionId}`, bearer)).status, 204);
    const refresh = await session.client.post("/auth/session/refresh", { refresh_token: session.refreshToken }, { cookies: false });
    assert.equal(refresh.status, 200, refresh.text);
    const logout = await session.client.request("POST", "/auth/session/logout",
      { headers: { Authorization: `Bearer ${refresh.json.access_token}` }, cookies: false });
    assert.equal(logout.status, 204, logout.text);
  });

  test("safe methods with cookies need no CSRF token", async () => {
    for (const path of ["/api/me", "/auth/session", "/auth/sessions"]) {
      const response = await cookieRequest(alice, "GET", path, { csrfCookie: null });
      assert.equal(response.status, 200, `${path}: ${response.text}`);
    }
  });
});

describe("routes without a session (docs/contract.md §4, rule 1 alone)", () => {
  test("forgot, reset and verify refuse a foreign Origin with 403 csrf_failed and send no mail", async () => {
    const client = new Client(server.url);
    const bodies = {
      "/auth/password/forgot": { email: alice.email },
      "/auth/password/reset": { token: "x".repeat(43), password: "an entirely new passphrase 9" },
      "/auth/email/verify": { token: "x".repeat(43) },
    };
    const before = sink.mailsTo(alice.email).length;
    for (const [path, body] of Object.entries(bodies)) {
      for (const origin of FOREIGN_ORIGINS) {
        const response = await client.post(path, body, { headers: { Origin: origin } });
        assertProblem(response, 403, "csrf_failed");
      }
    }
    await sink.expectNoMoreMail(alice.email, 300);
    assert.equal(sink.mailsTo(alice.email).length, before);
  });

  test("forgot passes from our origin, an allowlisted one, or without Origin", async () => {
    const client = new Client(server.url);
    for (const origin of [PUBLIC_ORIGIN, ALLOWED_ORIGINS[0], undefined]) {
      const headers = origin ? { Origin: origin } : {};
      const response = await client.post("/auth/password/forgot", { email: `nobody-${randomBytes(4).toString("hex")}@example.com` }, { headers });
      assert.equal(response.status, 202, `${origin}: ${response.text}`);
    }
  });
});
