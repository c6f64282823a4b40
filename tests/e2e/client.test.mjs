// The browser client (clients/js) in headless Chromium against the built Workers in
// Miniflare, page and API on one origin (http://127.0.0.1:<port>, a secure context for
// Chromium, so `__Host-` cookies work): register → verify → sign in → current user →
// /api/me → a CSRF-protected write → two tabs after access-token expiry make exactly
// one refresh → sign-out in one tab signs the other out → no token ever in web
// storage, no CSP violation, no serious accessibility finding.
//
// The tests run in order and share one browser and one account. ACCESS_TOKEN_TTL_SECS
// is 60 (the configuration's minimum): the expiry test waits for the browser to drop
// the access cookie (its Max-Age is the token lifetime), about a minute after sign-in.
//
// Needs /usr/bin/chromium (tools/setup.sh setup_browser) and the built Workers
// (node tools/build.mjs).

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { strongPassword, uniqueEmail, verificationToken } from "../harness/flows.mjs";
import { startMailSink } from "../harness/mail.mjs";
import {
  assertNoCspViolations, launchBrowser, screenshots, seriousAxeFindings, storageWrites,
} from "./harness/browser.mjs";
import { startE2eServer } from "./harness/server.mjs";

const ACCESS_TTL_SECS = 60;
const PAGE = "/__e2e/client.html";

let sink;
let server;
let browser;
let tabA;
let tabB;
let signedInAt;
const account = { email: uniqueEmail("browser"), password: strongPassword() };
/** Every POST /auth/session/refresh any tab sent, with its answer's status. */
const refreshes = [];

/**
 * Runs `operation(client, arg)` in `page` and resolves `{value}` or `{error}` (the
 * EdgeauthError fields). The expression is evaluated through the DevTools protocol, as
 * every `page.evaluate` is, so the page's CSP (no eval) is not involved; `arg` travels
 * as JSON.
 */
function inPage(page, operation, arg) {
  return page.evaluate(`globalThis.edgeauthTest.settled(() =>
    (${operation.toString()})(globalThis.edgeauthTest.client, ${JSON.stringify(arg ?? null)}))`);
}

async function openTab() {
  const page = await browser.open(`${server.url}${PAGE}`);
  await page.waitForFunction(() => globalThis.edgeauthTest?.ready === true);
  return page;
}

/** The browser's cookie `name` for the server's host, whatever its path; undefined if it has none. */
const cookieNamed = async (name) => (await browser.context.cookies()).find((c) => c.name === name && c.domain === "127.0.0.1");

before(async () => {
  sink = await startMailSink();
  server = await startE2eServer({ ...sink.vars(), ACCESS_TOKEN_TTL_SECS: ACCESS_TTL_SECS });
  browser = await launchBrowser();
  browser.context.on("request", (request) => {
    if (request.method() === "POST" && new URL(request.url()).pathname === "/auth/session/refresh") {
      const entry = { status: null };
      refreshes.push(entry);
      request.response().then((response) => { entry.status = response?.status() ?? null; });
    }
  });
  tabA = await openTab();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await sink?.close();
});

test("the test page is a secure context served under a strict CSP from the API's origin", async () => {
  assert.equal(await tabA.evaluate(() => globalThis.isSecureContext), true);
  const response = await tabA.request.get(`${server.url}${PAGE}`);
  const csp = response.headers()["content-security-policy"];
  assert.match(csp, /script-src 'self'/);
  assert.match(csp, /require-trusted-types-for 'script'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  assert.deepEqual(await inPage(tabA, (client) => client.currentUser()), { value: null });
});

test("register, then verify with the mailed token, through the client", async () => {
  const registered = await inPage(tabA, (client, a) => client.register(a), account);
  assert.deepEqual(registered, { value: { status: "accepted" } });
  const token = await verificationToken(sink, account.email);
  const verified = await inPage(tabA, (client, t) => client.verifyEmail({ token: t }), token);
  assert.deepEqual(verified, { value: { status: "verified" } });
});

test("signIn sets the three session cookies, and the page can read only __Host-csrf", async () => {
  const result = await inPage(tabA, (client, a) => client.signIn(a).then((r) => ({ ...r, accessExpiresAt: r.accessExpiresAt.toISOString() })), account);
  signedInAt = Date.now();
  assert.equal(result.value?.status, "signed_in", JSON.stringify(result));
  assert.equal(result.value.user.email, account.email);
  assert.ok(new Date(result.value.accessExpiresAt) > new Date());

  const access = await cookieNamed("__Host-access");
  const refresh = await cookieNamed("__Secure-refresh");
  const csrf = await cookieNamed("__Host-csrf");
  assert.ok(access && refresh && csrf, "Chromium kept the __Host-/__Secure- cookies on http://127.0.0.1");
  assert.deepEqual([access.secure, access.httpOnly, access.path, access.sameSite], [true, true, "/", "Lax"]);
  assert.deepEqual([refresh.secure, refresh.httpOnly, refresh.path, refresh.sameSite], [true, true, "/auth/session", "Strict"]);
  assert.deepEqual([csrf.secure, csrf.httpOnly, csrf.path, csrf.sameSite], [true, false, "/", "Strict"]);
  assert.equal(await tabA.evaluate(() => document.cookie), `__Host-csrf=${csrf.value}`);
  assert.deepEqual(await tabA.evaluate(() => globalThis.edgeauthTest.events), [{ type: "signed_in", fromOtherTab: false, email: account.email }]);
});

test("currentUser and client.fetch('/api/me') see the signed-in user", async () => {
  const user = await inPage(tabA, (client) => client.currentUser());
  assert.equal(user.value?.email, account.email);
  const me = await inPage(tabA, async (client) => (await client.fetch("/api/me")).json());
  assert.equal(me.value?.email, account.email);
  assert.equal(me.value?.email_verified, true);
});

test("a CSRF-protected write succeeds with the header the client adds, and fails without it", async () => {
  const created = await inPage(tabA, async (client) => {
    const response = await client.fetch("/api/documents", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ title: "from the browser", body: "hello" }),
    });
    return { status: response.status, title: (await response.json()).title };
  });
  assert.deepEqual(created.value, { status: 201, title: "from the browser" });
  // The same write with the page's plain fetch: cookies go, the header does not.
  const bare = await tabA.evaluate(async () => {
    const response = await fetch("/api/documents", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ title: "t", body: "b" }),
    });
    return { status: response.status, code: (await response.json()).code };
  });
  assert.deepEqual(bare, { status: 403, code: "csrf_failed" });
});

test("the signed-in page has no serious accessibility finding at 360 px and on a desktop", async () => {
  await tabA.waitForFunction(() => document.getElementById("status").textContent.startsWith("signed in"));
  for (const width of [360, 1280]) {
    await tabA.setViewportSize({ width, height: 800 });
    assert.deepEqual(await seriousAxeFindings(tabA), [], `axe at ${width} px`);
  }
  const paths = await screenshots(tabA, "client-signed-in");
  assert.equal(paths.length, 2);
});

test("two tabs calling fetch after the access token expired make exactly one refresh", { timeout: 120_000 }, async () => {
  tabB = await openTab();
  // Wait for the browser to drop the access cookie (Max-Age = the token lifetime).
  const deadline = signedInAt + (ACCESS_TTL_SECS + 15) * 1000;
  while (await cookieNamed("__Host-access")) {
    assert.ok(Date.now() < deadline, "the access cookie outlived its Max-Age");
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  assert.ok(await cookieNamed("__Secure-refresh"), "the refresh cookie is still there");
  assert.equal(refreshes.length, 0, "no refresh before the access token expired");

  // Both tabs start at one agreed instant (the tabs share the machine's clock), so
  // that their requests are refused together and both need the refresh at once.
  const fiveCallsAt = async (client, startAt) => {
    await new Promise((resolve) => setTimeout(resolve, startAt - Date.now()));
    return Promise.all(Array.from({ length: 5 }, async () => (await client.fetch("/api/me")).status));
  };
  const startAt = Date.now() + 500;
  const [inA, inB] = await Promise.all([inPage(tabA, fiveCallsAt, startAt), inPage(tabB, fiveCallsAt, startAt)]);
  assert.deepEqual(inA, { value: [200, 200, 200, 200, 200] });
  assert.deepEqual(inB, { value: [200, 200, 200, 200, 200] });
  await new Promise((resolve) => setTimeout(resolve, 200)); // let response events land
  assert.equal(refreshes.length, 1, `refresh requests: ${JSON.stringify(refreshes)}`);
  assert.equal(refreshes[0].status, 200);
  assert.ok(await cookieNamed("__Host-access"), "the refresh set a new access cookie");

  // Each tab heard of the refresh: one made it, the other was told.
  const heard = await Promise.all([tabA, tabB].map((page) => page.evaluate(
    () => globalThis.edgeauthTest.events.filter((e) => e.type === "refreshed").map((e) => e.fromOtherTab))));
  assert.deepEqual(heard.flat().sort(), [false, true]);
});

test("two tabs calling refresh() at the same instant send one request between them (the Web Lock)", async () => {
  // Above, the server answers the tabs' 401s one after another, so the second tab may
  // already have heard the first one's broadcast. Here neither has: only the lock and
  // its marker (clients/js/src/refresh.js) keep this to one request.
  const before = refreshes.length;
  const refreshAt = async (client, startAt) => {
    await new Promise((resolve) => setTimeout(resolve, startAt - Date.now()));
    return (await client.refresh()).refreshedBy;
  };
  const startAt = Date.now() + 500;
  const outcomes = await Promise.all([inPage(tabA, refreshAt, startAt), inPage(tabB, refreshAt, startAt)]);
  assert.deepEqual(outcomes.map((o) => o.value).sort(), ["another_tab", "this_tab"], JSON.stringify(outcomes));
  assert.equal(refreshes.length - before, 1);
});

test("signing out in tab A fires signed_out in tab B and clears the cookies", async () => {
  assert.ok(tabB, "needs the two tabs of the previous test");
  const signedOut = await inPage(tabA, (client) => client.signOut());
  assert.equal(signedOut.error, undefined, JSON.stringify(signedOut));
  await tabB.waitForFunction(() => globalThis.edgeauthTest.events.some((e) => e.type === "signed_out"), null, { timeout: 5_000 });
  assert.deepEqual(await tabB.evaluate(() => globalThis.edgeauthTest.events.filter((e) => e.type === "signed_out")),
    [{ type: "signed_out", fromOtherTab: true, email: null }]);
  assert.equal(await tabB.evaluate(() => globalThis.edgeauthTest.client.state.status), "signed_out");
  assert.deepEqual(await browser.context.cookies(), [], "Clear-Site-Data and the expired cookies removed them all");
  const refreshesBefore = refreshes.length;
  const after = await inPage(tabB, (client) => client.fetch("/api/me"));
  assert.equal(after.error?.code, "unauthenticated");
  assert.equal(refreshes.length, refreshesBefore, "a signed-out tab does not try to refresh");
});

test("no tab ever wrote to localStorage, sessionStorage, IndexedDB or the Cache API", async () => {
  for (const page of [tabA, tabB]) {
    assert.deepEqual(storageWrites(browser, page), []);
    assert.deepEqual(await page.evaluate(() => [localStorage.length, sessionStorage.length]), [0, 0]);
  }
});

test("no tab saw a CSP violation or an uncaught error", () => {
  for (const page of [tabA, tabB]) assertNoCspViolations(browser, page);
});
