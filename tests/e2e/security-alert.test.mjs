// The "this wasn't me" path of a security notice (docs/monitoring.md, "User notices") in
// headless Chromium, from the mail to the reset mail, on Workers (Miniflare) and, with
// EDGEAUTH_TARGET=spin, on the local Spin host:
//
// 1. the owner registers and signs in through the pages (their browser is learned);
// 2. another browser (another device: a Firefox user agent) signs in with the same
//    password: the owner gets the new-device notice with a /security-alert#token= link;
// 3. the owner opens the link: the token leaves the address bar at once, nothing is
//    sent before "Yes, secure my account"; confirming ends the other browser's session
//    (and the owner's), locks the password and mails a reset link; the page says so;
// 4. the link works once; an incomplete link says so.
//
// Every page opened is checked for CSP violations, uncaught errors and web-storage
// writes, and the page is scanned by axe-core in each of its states at 360 px and on a
// desktop. Needs Chromium and the built functions (node tools/build.mjs, or node
// tools/build-spin.mjs for Spin).

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { REVOCATION_BOUND_MS } from "../harness/assertions.mjs";
import { strongPassword, uniqueEmail } from "../harness/flows.mjs";
import { fragmentToken, startMailSink } from "../harness/mail.mjs";
import { cspViolations, launchBrowser, seriousAxeFindings, storageWrites } from "./harness/browser.mjs";
import { registerThroughPages, signInOn } from "./harness/pages.mjs";
import { startE2eServer } from "./harness/server.mjs";

const PATH = "/security-alert";
const OTHER_DEVICE = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0";

let sink;
let server;
let owner;
let intruder;
/** Every page opened, with its browser, for the final sweep. */
const visited = [];
const account = { email: uniqueEmail("not-me"), password: strongPassword() };
let noticeToken;

async function open(path, inBrowser = owner) {
  const page = await inBrowser.open(null);
  visited.push({ page, browser: inBrowser, path });
  await page.goto(`${server.url}${path}`, { waitUntil: "load" });
  return page;
}

/** Serious or critical axe findings at 360 px and on a desktop. */
async function axeAtBothWidths(page) {
  const findings = [];
  for (const viewport of [{ width: 360, height: 780 }, { width: 1280, height: 800 }]) {
    await page.setViewportSize(viewport);
    const serious = await seriousAxeFindings(page);
    if (serious.length) findings.push({ width: viewport.width, serious });
  }
  return findings;
}

before(async () => {
  sink = await startMailSink();
  server = await startE2eServer({ ...sink.vars() }, { withE2eStatic: false });
  owner = await launchBrowser();
  intruder = await launchBrowser({ userAgent: OTHER_DEVICE });
});

after(async () => {
  await intruder?.close();
  await owner?.close();
  await server?.stop();
  await sink?.close();
});

test("/security-alert is HTML under its own nonce CSP with the §2 headers", async () => {
  const page = await owner.open(null);
  const response = await page.request.get(`${server.url}${PATH}`);
  assert.equal(response.status(), 200);
  const headers = response.headers();
  assert.equal(headers["content-type"], "text/html; charset=utf-8");
  const csp = headers["content-security-policy"];
  for (const directive of ["default-src 'none'", "require-trusted-types-for 'script'", "trusted-types 'none'",
    "connect-src 'self'", "form-action 'self'", "frame-ancestors 'none'"]) {
    assert.ok(csp.includes(directive), directive);
  }
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:|\*/);
  const nonce = /'nonce-([A-Za-z0-9_-]+)'/.exec(csp)[1];
  assert.ok((await response.text()).includes(`<script type="module" nonce="${nonce}" src="/assets/pages/security-alert.js">`));
  assert.equal(headers["cache-control"], "no-store");
  assert.equal(headers["referrer-policy"], "no-referrer");
  await page.close();
});

test("a sign-in from another device mails the owner a notice with a /security-alert#token= link", async () => {
  await registerThroughPages(open, sink, account);
  const signIn = await open("/sign-in");
  await signInOn(signIn, account);
  await signIn.waitForURL("**/account");

  const other = await open("/sign-in", intruder);
  await signInOn(other, account);
  await other.waitForURL("**/account");
  await other.locator("#account").waitFor({ state: "visible" });
  const notice = await sink.waitForMail(account.email, (m) => m.subject === "New sign-in to your account");
  assert.match(notice.text, /Device: Firefox on Windows/);
  noticeToken = fragmentToken(notice.text, PATH);
});

test("the link's page removes the token from the address bar and acts only after the confirmation", async () => {
  const sent = [];
  owner.context.on("request", (request) => {
    if (new URL(request.url()).pathname === "/auth/security/not-me") sent.push(request);
  });
  const page = await open(`${PATH}#token=${noticeToken}`);
  await page.locator('main[data-ready="true"]').waitFor();
  assert.equal(new URL(page.url()).hash, "", "the token left the address bar");
  assert.equal(await page.evaluate(() => location.href.includes("token")), false);
  const confirm = page.getByRole("button", { name: "Yes, secure my account" });
  assert.equal(await confirm.isVisible(), true);
  assert.deepEqual(await axeAtBothWidths(page), [], "the confirmation step");
  await page.waitForTimeout(300);
  assert.equal(sent.length, 0, "opening the link changes nothing");

  await confirm.click();
  await page.locator("#not-me-done").waitFor({ state: "visible" });
  assert.equal(sent.length, 1);
  assert.equal(await page.evaluate(() => document.activeElement.id), "not-me-done", "focus moves to the result");
  assert.equal(await page.locator("#not-me-confirm").isVisible(), false);
  // The owner's browser and the other device: at least these two sessions ended.
  const line = await page.locator("#not-me-sessions").textContent();
  const ended = Number(/^(\d+) sessions were signed out\.$/.exec(line)?.[1]);
  assert.ok(ended >= 2, line);
  assert.match(await page.locator("#not-me-done").textContent(), /choose a new password/);
  assert.deepEqual(await axeAtBothWidths(page), [], "the result");
});

test("confirming ended the other browser's session, locked the password and mailed a reset link", async () => {
  // SESSION_CHECK=cached (the default): a revocation reaches every read within the
  // stated bound (docs/sessions.md §5), so the other browser is sent to sign-in within it.
  const other = await open("/account", intruder);
  const since = Date.now();
  for (;;) {
    const signedOut = await other.waitForURL("**/sign-in?return_to=%2Faccount", { timeout: 1_000 })
      .then(() => true, () => false);
    if (signedOut) break;
    assert.ok(Date.now() - since < REVOCATION_BOUND_MS, `still on ${other.url()} past the revocation bound`);
    await other.goto(`${server.url}/account`, { waitUntil: "load" });
  }
  // The password no longer signs in, from anywhere.
  await signInOn(other, account);
  await other.locator("#password-error").waitFor({ state: "visible" });
  assert.equal(await other.locator("#password-error").textContent(), "The email or password is not correct.");
  const reset = await sink.waitForMail(account.email, (m) => m.text.includes("/reset-password#token="));
  assert.ok(fragmentToken(reset.text, "/reset-password"));
});

test("the link works once, and an incomplete link says so", async () => {
  const again = await open(`${PATH}#token=${noticeToken}`);
  await again.locator('main[data-ready="true"]').waitFor();
  await again.getByRole("button", { name: "Yes, secure my account" }).click();
  await again.locator("#not-me-error").waitFor({ state: "visible" });
  assert.match(await again.locator("#not-me-error").textContent(), /expired or was already used/);
  assert.equal(await again.locator("#not-me-done").isVisible(), false);
  assert.deepEqual(await axeAtBothWidths(again), [], "the refusal");

  const incomplete = await open(PATH);
  await incomplete.locator('main[data-ready="true"]').waitFor();
  assert.equal(await incomplete.locator("#not-me-confirm").isVisible(), false);
  assert.match(await incomplete.locator("#not-me-error").textContent(), /incomplete/);
  await sink.expectNoMoreMail(account.email, 300);
});

test("no page saw a CSP violation, an uncaught error or a web-storage write", () => {
  assert.ok(visited.length >= 7, `${visited.length} pages visited`);
  const problems = [];
  for (const { page, browser, path } of visited) {
    const violations = cspViolations(browser, page);
    const { errors } = browser.recordsOf(page);
    const storage = storageWrites(browser, page);
    if (violations.length || errors.length || storage.length) problems.push({ path, violations, errors, storage });
  }
  assert.deepEqual(problems, []);
});
