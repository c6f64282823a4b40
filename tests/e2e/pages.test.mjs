// The hosted pages (docs/contract.md §10) and the example app in headless Chromium,
// against the built functions on one origin — on Workers (Miniflare) and, with
// EDGEAUTH_TARGET=spin, on the local Spin host (the example app is a JavaScript Worker:
// its tests run on Workers only).
//
// The tests run in order and share the server, a mail sink and three accounts:
// `mfaUser` (registers through the pages, enrols TOTP, resets the password), `plain`
// (the example app, tabs, refresh) and `admin` (BOOTSTRAP_ADMIN_EMAILS). Every page a
// test opens is recorded; the last tests assert that none of them saw a CSP violation,
// an uncaught error or a web-storage write, and that axe-core finds nothing serious or
// critical on any of them (signed out and signed in).
//
// Needs Chromium (tools/setup.sh setup_browser) and the built functions
// (node tools/build.mjs, or node tools/build-spin.mjs for Spin).

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { TARGET } from "../harness/target.mjs";
import { strongPassword, uniqueEmail } from "../harness/flows.mjs";
import { fragmentToken, startMailSink } from "../harness/mail.mjs";
import { TotpClock, base32Decode } from "../harness/totp.mjs";
import { cspViolations, launchBrowser, seriousAxeFindings, storageWrites } from "./harness/browser.mjs";
import { registerThroughPages as register, signInOn, type } from "./harness/pages.mjs";
import { startE2eServer } from "./harness/server.mjs";

const WORKERS_ONLY = TARGET !== "workers" && "the example app is a JavaScript Worker (Workers only)";

let sink;
let server;
let browser;
/** Every page any test opened, with the browser it belongs to. */
const visited = [];
const mfaUser = { email: uniqueEmail("pages-mfa"), password: strongPassword() };
const plain = { email: uniqueEmail("pages-plain"), password: strongPassword() };
const admin = { email: uniqueEmail("pages-admin"), password: strongPassword() };
let totp;
let recoveryCodes = [];
/** Every POST /auth/session/refresh the main browser sent. */
const refreshes = [];

/** Opens `path` in a new tab of `inBrowser` and records the page for the final sweeps. */
async function open(path, inBrowser = browser) {
  const page = await inBrowser.open(null);
  visited.push({ page, browser: inBrowser, path });
  await page.goto(`${server.url}${path}`, { waitUntil: "load" });
  return page;
}

/** Registers through /sign-up and verifies through the mailed link, in `inBrowser`. */
const registerThroughPages = (account, inBrowser = browser) =>
  register((path) => open(path, inBrowser), sink, account);

before(async () => {
  sink = await startMailSink();
  server = await startE2eServer({
    ...sink.vars(), BOOTSTRAP_ADMIN_EMAILS: admin.email, RETURN_TO_PATHS: "/account,/admin,/example/",
  }, { withE2eStatic: false });
  browser = await launchBrowser();
  browser.context.on("request", (request) => {
    if (request.method() === "POST" && new URL(request.url()).pathname === "/auth/session/refresh") refreshes.push(request);
  });
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await sink?.close();
});

const PAGES = ["/sign-in", "/sign-up", "/verify-email", "/forgot-password", "/reset-password", "/account", "/admin"];

test("every page is HTML under its own nonce CSP: no unsafe source, Trusted Types required, the §2 headers kept", async () => {
  const page = await browser.open(null);
  const nonces = new Set();
  for (const path of PAGES) {
    for (let i = 0; i < 2; i++) {
      const response = await page.request.get(`${server.url}${path}`);
      assert.equal(response.status(), 200, path);
      const headers = response.headers();
      assert.equal(headers["content-type"], "text/html; charset=utf-8");
      const csp = headers["content-security-policy"];
      for (const directive of ["default-src 'none'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'",
        "form-action 'self'", "require-trusted-types-for 'script'", "trusted-types 'none'", "connect-src 'self'"]) {
        assert.ok(csp.includes(directive), `${path}: ${directive}`);
      }
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:|\*/);
      const nonce = /'nonce-([A-Za-z0-9_-]+)'/.exec(csp)[1];
      assert.ok(!nonces.has(nonce), "a fresh nonce per response");
      nonces.add(nonce);
      const html = await response.text();
      assert.ok(html.includes(`<script type="module" nonce="${nonce}"`), path);
      assert.equal(headers["x-content-type-options"], "nosniff");
      assert.equal(headers["x-frame-options"], "DENY");
      assert.equal(headers["referrer-policy"], "no-referrer");
      assert.equal(headers["cross-origin-opener-policy"], "same-origin");
      assert.equal(headers["cache-control"], "no-store");
    }
  }
  for (const [path, type] of [["/assets/pages.css", "text/css"], ["/assets/edgeauth/index.js", "text/javascript"],
    ["/assets/vendor/qrcode-generator.js", "text/javascript"]]) {
    const response = await page.request.get(`${server.url}${path}`);
    assert.equal(response.status(), 200, path);
    assert.ok(response.headers()["content-type"].startsWith(type), path);
    assert.equal(response.headers()["x-content-type-options"], "nosniff");
    assert.match(response.headers().etag, /^"[0-9a-f]{16}"$/);
  }
  await page.close();
});

test("signed out, the protected pages send the visitor to sign-in with a return path", async () => {
  for (const path of ["/account", "/admin"]) {
    const page = await open(path);
    await page.waitForURL(`**/sign-in?return_to=${encodeURIComponent(path)}`);
    assert.equal(await page.locator("main").getAttribute("data-return-to"), path);
  }
});

test("sign-up, then the mailed verification link: the token is read from the fragment and removed from the address bar", async () => {
  const landing = await registerThroughPages(mfaUser);
  assert.equal(new URL(landing.url()).hash, "", "the token left the address bar");
  assert.equal(await landing.evaluate(() => history.length >= 1 && location.href.includes("token")), false);
  await registerThroughPages(plain);
});

test("a wrong password and an unknown email get the same message, which names neither", async () => {
  const page = await open("/sign-in");
  const messages = [];
  for (const account of [{ email: mfaUser.email, password: "not-the-password-123" }, { email: uniqueEmail("nobody"), password: "whatever-password-1" }]) {
    await signInOn(page, account);
    await page.locator("#password-error").waitFor({ state: "visible" });
    messages.push(await page.locator("#password-error").textContent());
  }
  assert.equal(messages[0], messages[1]);
  assert.equal(messages[0], "The email or password is not correct.");
});

test("keyboard only: from /account to sign-in and back, with Tab and Enter", async () => {
  const page = await open("/account");
  await page.waitForURL("**/sign-in?return_to=%2Faccount");
  await page.locator('main[data-ready="true"]').waitFor();
  // The first Tab reaches the skip link, which leads into the main content.
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.textContent), "Skip to content");
  await page.keyboard.press("Enter");
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.id), "email");
  await page.keyboard.type(mfaUser.email);
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.id), "password");
  // Focus is visible: the focused field draws an outline.
  assert.notEqual(await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle), "none");
  await page.keyboard.type(mfaUser.password);
  await page.keyboard.press("Enter");
  await page.waitForURL("**/account");
  await page.locator("#account").waitFor({ state: "visible" });
  assert.equal(await page.locator("#profile-email").textContent(), mfaUser.email);
  assert.equal(await page.locator("#profile-verified").textContent(), "Yes");
});

test("TOTP enrolment on /account: a QR code drawn in the page, confirmed with a code, recovery codes shown once", async () => {
  const page = await open("/account");
  await page.locator("#mfa-start").waitFor({ state: "visible" });
  await page.locator("#mfa-start").click();
  await page.locator("#mfa-qr svg").waitFor();
  const modules = await page.locator("#mfa-qr svg path").getAttribute("d");
  assert.ok(modules.length > 1000, "a QR code's modules");
  assert.equal(await page.locator("#mfa-qr svg").getAttribute("role"), "img");
  const secret = (await page.locator("#mfa-secret").textContent()).replaceAll(" ", "");
  assert.match(secret, /^[A-Z2-7]{32}$/);
  totp = new TotpClock(base32Decode(secret));
  const { code } = await totp.next();
  await type(page, "#mfa-code", code);
  await page.locator("#mfa-confirm-form button[type=submit]").click();
  await page.locator("#mfa-recovery:not([hidden]), #mfa-confirm-error:not([hidden])").waitFor();
  assert.equal(await page.locator("#mfa-confirm-error").isVisible(), false, await page.locator("#mfa-confirm-error").textContent());
  recoveryCodes = await page.locator("#recovery-codes li").allTextContents();
  assert.equal(recoveryCodes.length, 10);
  // The page shows the codes first, then reloads the profile (GET /api/me): wait for it,
  // rather than read the field while that request may still be in flight.
  await page.waitForFunction(() => document.getElementById("profile-mfa").textContent === "On");
  await page.locator("#recovery-done").click();
  assert.equal(await page.locator("#recovery-codes li").count(), 0, "gone once saved");
  await page.locator("#mfa-on").waitFor({ state: "visible" });
});

test("sign out, then sign in again with the password and the TOTP code", async () => {
  const page = await open("/account");
  await page.locator("#sign-out").waitFor({ state: "visible" });
  await page.locator("#sign-out").click();
  await page.waitForURL(/\/sign-in/);
  await page.goto(`${server.url}/sign-in?return_to=%2Faccount`);
  await signInOn(page, mfaUser);
  await page.locator("#mfa-form").waitFor({ state: "visible" });
  assert.equal(await page.evaluate(() => document.activeElement.id), "code");
  const { code } = await totp.next();
  await type(page, "#code", code);
  await page.locator("#mfa-form button[type=submit]").click();
  await page.waitForURL("**/account");
  await page.locator("#account").waitFor({ state: "visible" });
});

test("the sessions list ends another browser's session", async () => {
  const other = await launchBrowser();
  try {
    const otherPage = await open("/sign-in", other);
    await signInOn(otherPage, mfaUser);
    await otherPage.locator("#mfa-form").waitFor({ state: "visible" });
    await otherPage.locator("#use-recovery").click();
    await type(otherPage, "#recovery-code", recoveryCodes[0]);
    await otherPage.locator("#mfa-form button[type=submit]").click();
    await otherPage.waitForURL("**/account");
    await otherPage.locator("#account").waitFor({ state: "visible" });

    const page = await open("/account");
    await page.locator("#sessions li").nth(1).waitFor();
    assert.equal(await page.locator("#sessions li").count(), 2);
    assert.equal(await page.locator("#sessions li .tag").count(), 1, "this browser is marked");
    await page.locator("#sessions li button").click();
    await page.waitForFunction(() => document.querySelectorAll("#sessions li").length === 1);

    // The other browser's session is over: its next API call fails and it leaves.
    await otherPage.reload();
    await otherPage.waitForURL("**/sign-in?return_to=%2Faccount");
  } finally {
    await other.close();
    visited.splice(0, visited.length, ...visited.filter((v) => v.browser !== other));
  }
});

test("two tabs that need a refresh at the same moment make one refresh", async () => {
  const [tabA, tabB] = [await open("/account"), await open("/account")];
  await tabA.locator("#account").waitFor({ state: "visible" });
  await tabB.locator("#account").waitFor({ state: "visible" });
  // The access cookie expires (as it does after ACCESS_TOKEN_TTL_SECS); the refresh cookie stays.
  await browser.context.clearCookies({ name: "__Host-access" });
  const before = refreshes.length;
  await Promise.all([tabA.reload(), tabB.reload()]);
  await Promise.all([tabA, tabB].map((tab) => tab.locator("#account").waitFor({ state: "visible" })));
  await tabA.waitForTimeout(300);
  assert.equal(refreshes.length - before, 1, "one POST /auth/session/refresh for both tabs");
});

test("forgot → reset from the mailed link: the token leaves the address bar, the new password signs in", async () => {
  await browser.context.clearCookies();
  const page = await open("/forgot-password");
  await type(page, "#email", mfaUser.email);
  await page.locator("#forgot-form button[type=submit]").click();
  await page.locator("#forgot-done").waitFor({ state: "visible" });
  const mail = await sink.waitForMail(mfaUser.email, (m) => m.text.includes("/reset-password#token="));
  const token = fragmentToken(mail.text, "/reset-password");
  const reset = await open(`/reset-password#token=${token}`);
  assert.equal(new URL(reset.url()).hash, "");
  mfaUser.password = strongPassword();
  await type(reset, "#password", mfaUser.password);
  await type(reset, "#password-repeat", mfaUser.password);
  await reset.locator("#reset-form button[type=submit]").click();
  await reset.locator("#reset-done").waitFor({ state: "visible" });
  // The link works once.
  const again = await open(`/reset-password#token=${token}`);
  await type(again, "#password", strongPassword().repeat(1));
  await type(again, "#password-repeat", await again.locator("#password").inputValue());
  await again.locator("#reset-form button[type=submit]").click();
  await again.locator("#reset-error").waitFor({ state: "visible" });

  const signIn = await open("/sign-in");
  await signInOn(signIn, mfaUser);
  await signIn.locator("#mfa-form").waitFor({ state: "visible" });
  const { code } = await totp.next();
  await type(signIn, "#code", code);
  await signIn.locator("#mfa-form button[type=submit]").click();
  await signIn.waitForURL("**/account");
});

test("return_to never leaves the origin: a sign-in with a hostile return path lands on /account", async () => {
  await browser.context.clearCookies();
  const page = await open(`/sign-in?return_to=${encodeURIComponent("https://evil.example/steal")}`);
  assert.equal(await page.locator("main").getAttribute("data-return-to"), "");
  await signInOn(page, plain);
  await page.waitForURL("**/account");
  // Signed in, the sign-in page forwards at once: each trick lands on /account too.
  for (const attempt of ["//evil.example/", "/\\evil.example/", "/%2F%2Fevil.example", "/account/../../evil",
    "javascript:alert(1)", "/example/../admin/../../evil"]) {
    const bounce = await open(`/sign-in?return_to=${encodeURIComponent(attempt)}`);
    await bounce.waitForURL("**/account");
    assert.equal(new URL(bounce.url()).origin, server.url, attempt);
  }
});

test("example app: public pages for everyone; a protected page goes to sign-in and comes back", { skip: WORKERS_ONLY }, async () => {
  await browser.context.clearCookies();
  const home = await open("/example/");
  await home.waitForFunction(() => document.getElementById("main").dataset.ready === "true");
  assert.equal(await home.locator("#who").textContent(), "Not signed in.");
  assert.equal(await home.locator("#content").isVisible(), true);
  const page = await open("/example/dashboard");
  await page.waitForURL("**/sign-in?return_to=%2Fexample%2Fdashboard");
  await signInOn(page, plain);
  await page.waitForURL("**/example/dashboard");
  await page.waitForFunction(() => document.getElementById("main").dataset.ready === "true");
  assert.equal(await page.locator("#me-email").textContent(), plain.email);
});

test("example app: the admin-only page is refused to a user", { skip: WORKERS_ONLY }, async () => {
  const page = await open("/example/admin");
  await page.waitForFunction(() => document.getElementById("main").dataset.ready === "true");
  assert.equal(await page.locator("#refused").textContent(), "Refused: this page is for administrators.");
  assert.equal(await page.locator("#content").isVisible(), false);
  // The API refuses too, whatever the page shows.
  const status = await page.evaluate(async () => (await fetch("/api/admin/users")).status);
  assert.equal(status, 403);
});

test("a sign-out in one tab signs the other tabs out", async () => {
  await browser.context.clearCookies();
  const signIn = await open("/sign-in");
  await signInOn(signIn, plain);
  await signIn.waitForURL("**/account");
  const other = await open(TARGET === "workers" ? "/example/dashboard" : "/account");
  await other.waitForFunction(() => document.getElementById("nav")?.hidden === false
    || document.getElementById("main")?.dataset.ready === "true");
  await signIn.locator("#account").waitFor({ state: "visible" });
  await signIn.locator("#sign-out").click();
  await other.waitForURL(/\/sign-in\?return_to=/);
});

test("admin page: users with roles, disable and enable, revoke sessions, the audit log with filters and paging", async () => {
  await browser.context.clearCookies();
  await registerThroughPages(admin);
  const page = await open("/sign-in?return_to=%2Fadmin");
  await signInOn(page, admin);
  await page.waitForURL("**/admin");
  await page.locator("#users tbody tr").first().waitFor();
  assert.equal(await page.locator("#nav-admin").isVisible(), true);
  const plainRow = page.locator("#users tbody tr", { hasText: plain.email });
  await plainRow.getByRole("button", { name: `Disable ${plain.email}` }).click();
  await page.locator("#users-done").waitFor({ state: "visible" });
  await page.locator("#users tbody tr", { hasText: plain.email }).getByRole("button", { name: `Enable ${plain.email}` }).click();
  await page.waitForFunction((email) => document.getElementById("users-done").textContent === `${email} is enabled.`, plain.email);
  await page.locator("#users tbody tr", { hasText: plain.email }).getByRole("checkbox", { name: `auditor role of ${plain.email}` }).check();
  await page.locator("#users tbody tr", { hasText: plain.email }).getByRole("button", { name: `Save roles of ${plain.email}` }).click();
  await page.waitForFunction((email) => document.getElementById("users-done").textContent === `Roles of ${email} saved.`, plain.email);
  await page.locator("#users tbody tr", { hasText: plain.email }).getByRole("button", { name: `Sign out every session of ${plain.email}` }).click();
  await page.waitForFunction((email) => document.getElementById("users-done").textContent.startsWith(`Every session of ${email}`), plain.email);

  // The audit log: filter by event, then page through with a small page size.
  await page.locator("#audit-event").selectOption("role_changed");
  await page.locator("#audit-form button[type=submit]").click();
  await page.waitForFunction(() => [...document.querySelectorAll("#audit tbody tr")].every((tr) => tr.children[1].textContent === "Role changed"));
  assert.ok(await page.locator("#audit tbody tr").count() >= 1);
  await page.locator("#audit-event").selectOption("");
  await page.locator("#audit-limit").selectOption("20");
  await page.locator("#audit-form button[type=submit]").click();
  await page.waitForFunction(() => !document.getElementById("audit-next").disabled);
  const first = await page.locator("#audit tbody tr td:last-child").allTextContents();
  await page.locator("#audit-next").click();
  await page.waitForFunction((ids) => document.querySelector("#audit tbody tr td:last-child")?.textContent !== ids[0], first);
  const second = await page.locator("#audit tbody tr td:last-child").allTextContents();
  assert.ok(second.every((id) => !first.includes(id)), "the next page holds other events");
});

test("an auditor sees the audit log only; a user is told there is no access", async () => {
  const other = await launchBrowser();
  try {
    const page = await open("/sign-in?return_to=%2Fadmin", other);
    await signInOn(page, plain); // an auditor since the previous test
    await page.waitForURL("**/admin");
    await page.locator("#audit tbody tr").first().waitFor();
    assert.equal(await page.locator("#users-section").isVisible(), false);
    assert.equal(await page.locator("#kill-section").isVisible(), false);
    // A plain user: the mfa user.
    await other.context.clearCookies();
    const denied = await open("/sign-in?return_to=%2Fadmin", other);
    await signInOn(denied, mfaUser);
    await denied.locator("#mfa-form").waitFor({ state: "visible" });
    const { code } = await totp.next();
    await type(denied, "#code", code);
    await denied.locator("#mfa-form button[type=submit]").click();
    await denied.waitForURL("**/admin");
    await denied.locator("#admin-error").waitFor({ state: "visible" });
    assert.equal(await denied.locator("#admin-error").textContent(), "You do not have access to this page.");
    assert.equal(await denied.locator("#admin").isVisible(), false);
  } finally {
    await other.close();
    visited.splice(0, visited.length, ...visited.filter((v) => v.browser !== other));
  }
});

test("axe-core finds nothing serious or critical on any page, signed out and signed in, at 360 px and on a desktop", async () => {
  const findings = [];
  const scan = async (path) => {
    const page = await open(path);
    if (!path.startsWith("/example")) await page.locator('main[data-ready="true"]').waitFor();
    await page.waitForLoadState("networkidle");
    for (const viewport of [{ width: 360, height: 780 }, { width: 1280, height: 800 }]) {
      await page.setViewportSize(viewport);
      const serious = await seriousAxeFindings(page);
      if (serious.length) findings.push({ path, width: viewport.width, serious });
    }
  };
  await browser.context.clearCookies();
  for (const path of ["/sign-in", "/sign-up", "/forgot-password", "/verify-email", "/reset-password"]) await scan(path);
  if (!WORKERS_ONLY) await scan("/example/");
  const signIn = await open("/sign-in?return_to=%2Fadmin");
  await signInOn(signIn, admin);
  await signIn.waitForURL("**/admin");
  await scan("/account");
  await scan("/admin");
  assert.deepEqual(findings, []);
  // The pages work at 360 px: nothing is wider than the viewport.
  const narrow = await open("/account");
  await narrow.locator("#account").waitFor({ state: "visible" });
  await narrow.setViewportSize({ width: 360, height: 780 });
  assert.equal(await narrow.evaluate(() => document.documentElement.scrollWidth <= 360), true);
});

test("the kill switch needs its confirmation, then signs everyone out, the admin included", async () => {
  const page = await open("/admin");
  await page.locator("#kill-section").waitFor({ state: "visible" });
  await page.locator("#kill-form button[type=submit]").click();
  assert.equal(await page.locator("#kill-error").isVisible(), false, "the browser asks for the checkbox first");
  await page.locator("#kill-confirm").check();
  await type(page, "#kill-phrase", "yes");
  await page.locator("#kill-form button[type=submit]").click();
  await page.locator("#kill-error").waitFor({ state: "visible" });
  await type(page, "#kill-phrase", "SIGN OUT EVERYONE");
  await page.locator("#kill-form button[type=submit]").click();
  await page.waitForURL(/\/sign-in/);
  // Other isolates read the cut-off within 5 s (docs/runbooks/revoke-all-sessions.md).
  const after = await open("/account");
  const deadline = Date.now() + 10_000;
  while (!after.url().includes("/sign-in?return_to=%2Faccount") && Date.now() < deadline) {
    await after.waitForTimeout(1000);
    await after.goto(`${server.url}/account`);
    await after.waitForLoadState("networkidle");
  }
  assert.match(after.url(), /\/sign-in\?return_to=%2Faccount$/);
});

test("no page saw a CSP violation, an uncaught error or a web-storage write", () => {
  assert.ok(visited.length >= 30, `${visited.length} pages visited`);
  const problems = [];
  for (const { page, browser: owner, path } of visited) {
    const violations = cspViolations(owner, page);
    const { errors } = owner.recordsOf(page);
    const storage = storageWrites(owner, page);
    if (violations.length || errors.length || storage.length) problems.push({ path, violations, errors, storage });
  }
  assert.deepEqual(problems, []);
});
