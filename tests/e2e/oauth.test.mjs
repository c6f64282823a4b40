// Social sign-in in headless Chromium (docs/social-login.md): the hosted sign-in page's
// "Continue with Acme" button, a real OpenID provider's login and consent pages
// (oidc-provider, tests/harness/oidc.mjs), and the browser landing signed in — on
// Workers (Miniflare) and, with EDGEAUTH_TARGET=spin, on the local Spin host. Then
// the account page links and unlinks, the pre-account-takeover refusal, and a callback
// replayed in another browser context. HTTP-level attack cases: tests/oauth.test.mjs.
//
// Needs Chromium (tools/setup.sh setup_browser) and the built functions.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { strongPassword, uniqueEmail } from "../harness/flows.mjs";
import { startMailSink } from "../harness/mail.mjs";
import { CLIENT_ID, CLIENT_SECRET, startOidcProvider } from "../harness/oidc.mjs";
import { cspViolations, launchBrowser, seriousAxeFindings, storageWrites } from "./harness/browser.mjs";
import { registerThroughPages, signInOn, type } from "./harness/pages.mjs";
import { startE2eServer } from "./harness/server.mjs";

let sink;
let server;
let op;
let browser;
const visited = [];

async function open(path, inBrowser = browser) {
  const page = await inBrowser.open(null);
  visited.push({ page, browser: inBrowser });
  await page.goto(`${server.url}${path}`, { waitUntil: "load" });
  return page;
}

/** At the provider's development pages: any login, any password, then consent. */
async function loginAtProvider(page, login) {
  await page.waitForURL((url) => url.href.startsWith(op.issuer));
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill("any password");
  await page.locator('button[type="submit"]').click();
  await page.locator('input[name="prompt"][value="consent"]').waitFor({ state: "attached" });
  await page.locator('button[type="submit"]').click();
}

before(async () => {
  op = await startOidcProvider();
  sink = await startMailSink();
  server = await startE2eServer({
    ...sink.vars(),
    OAUTH_PROVIDERS: "oidc",
    OAUTH_OIDC_CLIENT_ID: CLIENT_ID,
    OAUTH_OIDC_CLIENT_SECRET: CLIENT_SECRET,
    OAUTH_OIDC_ISSUER: op.issuer,
    OAUTH_OIDC_LABEL: "Acme",
    RETURN_TO_PATHS: "/account,/admin",
  }, { withE2eStatic: false });
  op.register({ redirectUri: `${server.url}/auth/oauth/oidc/callback` });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await op?.stop();
  await sink?.close();
});

test("Continue with Acme on /sign-in: the provider's login and consent, then signed in on /account", async () => {
  const email = uniqueEmail("e2e-oidc");
  op.setAccount("e2e-alice", { email, email_verified: true });
  const page = await open("/sign-in?return_to=/account");
  await page.locator('main[data-ready="true"]').waitFor();
  const button = page.getByRole("link", { name: "Continue with Acme" });
  assert.equal(await button.getAttribute("href"), "/auth/oauth/oidc/start?return_to=%2Faccount");
  await button.click();
  await loginAtProvider(page, "e2e-alice");
  await page.waitForURL(`${server.url}/account`);
  await page.locator('main[data-ready="true"]').waitFor();
  assert.equal(await page.locator("#profile-email").textContent(), email);
  await page.locator('#identities li[data-provider="oidc"]').waitFor();
  assert.match(await page.locator("#methods-password").textContent(), /No password is set/);
  // The only method cannot be unlinked: the API refuses, the page says why.
  await page.locator('#identities li[data-provider="oidc"] button').click();
  await page.locator("#methods-error").waitFor({ state: "visible" });
  assert.match(await page.locator("#methods-error").textContent(), /last sign-in method/);
});

test("a callback replayed in another browser context signs nobody in", async () => {
  op.setAccount("e2e-replay", { email: uniqueEmail("e2e-replay"), email_verified: true });
  const first = await launchBrowser();
  const page = await open("/sign-in", first);
  await page.locator('main[data-ready="true"]').waitFor();
  let callback;
  page.on("request", (request) => {
    if (request.url().startsWith(`${server.url}/auth/oauth/oidc/callback`)) callback ??= request.url();
  });
  await page.getByRole("link", { name: "Continue with Acme" }).click();
  await loginAtProvider(page, "e2e-replay");
  await page.waitForURL(`${server.url}/account`);
  assert.ok(callback);
  const other = await launchBrowser();
  try {
    const stranger = await open(callback.slice(server.url.length), other);
    await stranger.waitForURL((url) => url.pathname === "/sign-in");
    assert.equal(new URL(stranger.url()).searchParams.get("error"), "oauth_failed");
    await stranger.locator("#password-error").waitFor({ state: "visible" });
    const cookies = await other.context.cookies(server.url);
    assert.ok(!cookies.some((cookie) => cookie.name === "__Host-access"));
  } finally {
    await other.close();
    await first.close();
  }
});

test("an existing password account is not taken over, then its owner links the provider on /account", async () => {
  const owner = { email: uniqueEmail("e2e-owner"), password: strongPassword() };
  const owners = await launchBrowser();
  const impostors = await launchBrowser();
  try {
    await registerThroughPages((path) => open(path, owners), sink, owner);
    // Someone else's provider account claims the owner's address: refused, with a message.
    op.setAccount("e2e-impostor", { email: owner.email, email_verified: true });
    const page = await open("/sign-in", impostors);
    await page.locator('main[data-ready="true"]').waitFor();
    await page.getByRole("link", { name: "Continue with Acme" }).click();
    await loginAtProvider(page, "e2e-impostor");
    await page.waitForURL((url) => url.pathname === "/sign-in");
    assert.equal(new URL(page.url()).searchParams.get("error"), "oauth_account_exists");
    assert.match(await page.locator("#password-error").textContent(), /already exists/);

    // The owner signs in with the password and links a provider account.
    op.setAccount("e2e-owner-idp", { email: uniqueEmail("e2e-idp"), email_verified: true });
    const signIn = await open("/sign-in?return_to=/account", owners);
    await signInOn(signIn, owner);
    await signIn.waitForURL(`${server.url}/account`);
    await signIn.locator('main[data-ready="true"]').waitFor();
    await signIn.locator('#link-providers button[data-provider="oidc"]').click();
    await loginAtProvider(signIn, "e2e-owner-idp");
    await signIn.waitForURL((url) => url.pathname === "/account" && url.searchParams.get("linked") === "oidc");
    await signIn.locator('#identities li[data-provider="oidc"]').waitFor();
    // With a password set, unlinking works.
    await signIn.locator('#identities li[data-provider="oidc"] button').click();
    await signIn.locator('#identities li[data-provider="oidc"]').waitFor({ state: "detached" });
    await type(signIn, "#current-password", owner.password);
  } finally {
    await owners.close();
    await impostors.close();
  }
});

test("the pages of these flows saw no CSP violation, no web-storage write and no serious axe finding", async () => {
  for (const { page, browser: owner } of visited) {
    if (page.isClosed() || owner !== browser) continue;
    assert.deepEqual(cspViolations(owner, page), [], page.url());
    assert.deepEqual(storageWrites(owner, page), [], page.url());
  }
  const signIn = await open("/sign-in");
  await signIn.locator('main[data-ready="true"]').waitFor();
  assert.deepEqual(await seriousAxeFindings(signIn), []);
});
