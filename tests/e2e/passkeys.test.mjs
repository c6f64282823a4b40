// Passkeys on the hosted pages (docs/passkeys.md, docs/contract.md §10.4) in headless
// Chromium with a WebAuthn virtual authenticator (CTAP2, internal transport, resident
// keys, user verification): register a passkey on /account, sign out, sign in without a
// password (the button, then the email field's autofill: conditional mediation), use the
// passkey as the second factor after a password, remove it. Workers (Miniflare) and, with
// EDGEAUTH_TARGET=spin, the local Spin host.
//
// WebAuthn refuses IP addresses as RP ids, so the pages are opened on
// `http://localhost:<port>` with `PUBLIC_ORIGIN` set to it (Chromium treats localhost as
// a secure context: the `__Host-`/`__Secure-` cookies work). Every request the page
// sends to /auth/ and /api/ is recorded; the first test prints the transcript.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { configWith, start, TARGET } from "../harness/target.mjs";
import { Client } from "../harness/http.mjs";
import { login, registerAndVerify, strongPassword, uniqueEmail } from "../harness/flows.mjs";
import { startMailSink } from "../harness/mail.mjs";
import { TotpClock, base32Decode } from "../harness/totp.mjs";
import { addVirtualAuthenticator, cspViolations, launchBrowser, seriousAxeFindings, storageWrites } from "./harness/browser.mjs";
import { signInOn } from "./harness/pages.mjs";
import { freePort } from "./harness/server.mjs";

let sink;
let server;
let origin;
let browser;
let page;
let authenticator;
const account = { email: uniqueEmail("e2e-passkey"), password: strongPassword() };
/** `METHOD /path → status` of every /auth/ and /api/ request the page made. */
const transcript = [];

before(async () => {
  sink = await startMailSink();
  const port = await freePort();
  origin = `http://localhost:${port}`;
  server = await start({ port, vars: configWith({ ...sink.vars(), PUBLIC_ORIGIN: origin }) });
  const client = new Client(server.url);
  await registerAndVerify(client, account.email, account.password, sink);
  browser = await launchBrowser();
  page = await browser.open(null);
  page.on("response", (response) => {
    const url = new URL(response.url());
    if (/^\/(auth|api)\//.test(url.pathname)) {
      transcript.push(`${response.request().method()} ${url.pathname} → ${response.status()}`);
    }
  });
  // The authenticator belongs to this tab and survives its navigations.
  authenticator = await addVirtualAuthenticator(page);
});

after(async () => {
  await authenticator?.remove().catch(() => undefined);
  await browser?.close();
  await server?.stop();
  await sink?.close();
});

async function goto(path) {
  await page.goto(`${origin}${path}`, { waitUntil: "load" });
  await page.locator('main[data-ready="true"]').waitFor();
}

async function signOut() {
  await page.locator("#sign-out").click();
  await page.waitForURL("**/sign-in");
  await page.locator('main[data-ready="true"]').waitFor();
}

/**
 * Clicks `selector` (a button that starts a modal passkey request) with the
 * authenticator's presence off, and turns presence on when the page asks the API for
 * the request's options: the page's conditional (autofill) request, which the button
 * aborted first, stays unanswered, and the button's own request — made after the
 * options arrive — is answered.
 */
async function clickWithPresence(selector, optionsPath = "/auth/passkey/options") {
  await page.route(`**${optionsPath}`, async (route) => {
    await authenticator.setAutomaticPresence(true);
    await route.continue();
  }, { times: 1 });
  await page.locator(selector).click();
}

function mark(label) {
  transcript.push(`-- ${label}`);
}

test(`${TARGET}: register a passkey on /account, sign out, sign in with it (button, then autofill)`, async () => {
  mark("password sign-in");
  await goto("/sign-in");
  assert.equal(await page.locator("#email").getAttribute("autocomplete"), "username webauthn");
  await signInOn(page, account);
  await page.waitForURL("**/account");
  await page.locator('main[data-ready="true"]').waitFor();

  mark("register a passkey");
  await page.locator("#passkey-name").fill("Virtual key");
  await page.locator("#passkey-add-form button[type=submit]").click();
  await page.locator("#passkeys li").first().waitFor();
  assert.equal(await page.locator("#passkeys .passkey-name").first().textContent(), "Virtual key");
  assert.match(await page.locator("#passkeys-done").textContent(), /was added/);
  const stored = await authenticator.credentials();
  assert.equal(stored.length, 1);
  assert.equal(stored[0].isResidentCredential, true, "a discoverable credential");

  // The virtual authenticator completes the sign-in page's conditional (autofill)
  // request as soon as it is made unless presence is off: off until the button was
  // pressed (which ends the autofill offer), so that the button's own request signs in.
  await authenticator.setAutomaticPresence(false);
  mark("sign out");
  await signOut();

  mark("passwordless sign-in (button)");
  await clickWithPresence("#passkey-sign-in");
  await page.waitForURL("**/account");
  await page.locator('main[data-ready="true"]').waitFor();
  assert.match(await page.locator("#passkeys .meta").first().textContent(), /last used (?!never)/);

  mark("sign out");
  await signOut();

  mark("passwordless sign-in (autofill: conditional mediation)");
  const conditional = await page.evaluate(() => PublicKeyCredential.isConditionalMediationAvailable());
  assert.equal(conditional, true);
  // The page started a conditional request when it loaded (the email field is
  // `autocomplete="username webauthn"`); the virtual authenticator completes it as if
  // the user had picked the passkey in the field's autofill — nothing is clicked.
  await page.waitForURL("**/account", { timeout: 15_000 });
  await page.locator('main[data-ready="true"]').waitFor();
});

test(`${TARGET}: a passkey as the second factor after a password`, async () => {
  // Turn TOTP on for the account (through the API, as another device would).
  const api = new Client(server.url);
  const session = await login(api, account.email, account.password, "token");
  const setup = await api.post("/api/me/mfa/totp/setup", undefined, session.auth());
  const clock = new TotpClock(base32Decode(setup.json.secret));
  const confirm = await api.post("/api/me/mfa/totp/confirm", { code: (await clock.next()).code }, session.auth());
  assert.equal(confirm.status, 200, confirm.text);

  // The user types a password instead of picking the passkey in the autofill: the
  // authenticator must not complete the page's conditional request on its own now.
  await authenticator.setAutomaticPresence(false);
  mark("sign out");
  await signOut();
  mark("password, then the passkey as second factor");
  await signInOn(page, account); // submitting the password form ends the autofill offer
  await page.locator("#mfa-form").waitFor({ state: "visible" });
  await clickWithPresence("#mfa-passkey", "/auth/login/mfa/passkey/options");
  await page.waitForURL("**/account");
  await page.locator('main[data-ready="true"]').waitFor();
});

test(`${TARGET}: remove the passkey; it no longer signs in`, async () => {
  mark("remove the passkey");
  page.once("dialog", (dialog) => dialog.accept());
  await page.locator("#passkeys button.danger").first().click();
  await page.locator("#passkeys-empty").waitFor({ state: "visible" });
  assert.match(await page.locator("#passkeys-done").textContent(), /was removed/);

  mark("sign out; the removed passkey is refused");
  await authenticator.setAutomaticPresence(false);
  await signOut();
  await clickWithPresence("#passkey-sign-in");
  await page.locator("#passkey-error").waitFor({ state: "visible" });
  assert.match(await page.locator("#passkey-error").textContent(), /did not work/);
  assert.ok(page.url().endsWith("/sign-in"));
});

test(`${TARGET}: the passkey pages ran under their CSP, wrote no web storage and pass axe`, async () => {
  console.log(`transcript (${TARGET}):\n${transcript.map((line) => `  ${line}`).join("\n")}`);
  assert.deepEqual(cspViolations(browser, page), []);
  assert.deepEqual(storageWrites(browser, page), []);
  await goto("/sign-in");
  assert.deepEqual(await seriousAxeFindings(page), []);
});
