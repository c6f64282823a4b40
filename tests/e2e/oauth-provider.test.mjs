// The OAuth provider's browser half in headless Chromium (docs/contract.md §11): an
// authorization request from a signed-out browser goes through the hosted sign-in page
// and back, the consent page shows the application and its scopes, Allow ends at the
// client's redirect URI with a code that openid-client exchanges, Deny ends there with
// `access_denied`; the account page's "Connected apps" revokes the grant; the admin page
// adds an application and shows its secret once. Every page is checked for CSP
// violations, web-storage writes and serious axe findings.
//
// The client's redirect URI is an https URL of a host that does not exist: the browser's
// navigation to it is intercepted (Playwright `route`) and recorded, as a relying
// party's callback would receive it.
//
// Workers and, with EDGEAUTH_TARGET=spin, the local Spin host.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import * as client from "openid-client";
import { TARGET } from "../harness/target.mjs";
import { login, registerAndVerify, strongPassword, uniqueEmail } from "../harness/flows.mjs";
import { Client } from "../harness/http.mjs";
import { startMailSink } from "../harness/mail.mjs";
import { cspViolations, launchBrowser, seriousAxeFindings, storageWrites } from "./harness/browser.mjs";
import { signInOn, type } from "./harness/pages.mjs";
import { startE2eServer } from "./harness/server.mjs";

const REDIRECT = "https://rp.example.test/callback";
let sink;
let server;
let browser;
let registered;
const visited = [];
const user = { email: uniqueEmail("oauth-e2e"), password: strongPassword() };
const admin = { email: uniqueEmail("oauth-e2e-admin"), password: strongPassword() };
/** Every URL the browser was sent to on the relying party's host. */
const callbacks = [];

before(async () => {
  sink = await startMailSink();
  server = await startE2eServer({ ...sink.vars(), BOOTSTRAP_ADMIN_EMAILS: admin.email }, { withE2eStatic: false });
  for (const account of [user, admin]) await registerAndVerify(new Client(server.url), account.email, account.password, sink);
  const adminSession = await login(new Client(server.url), admin.email, admin.password, "token");
  const created = await adminSession.client.post("/oauth/admin/clients", {
    client_name: "Acme Notes", redirect_uris: [REDIRECT], grant_types: ["authorization_code", "refresh_token"],
    id_token_signed_response_alg: "EdDSA",
  }, adminSession.auth());
  assert.equal(created.status, 201, created.text);
  registered = created.json;
  browser = await launchBrowser();
  await browser.context.route("https://rp.example.test/**", async (route) => {
    callbacks.push(route.request().url());
    await route.fulfill({ status: 200, contentType: "text/plain", body: "the relying party's callback" });
  });
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await sink?.close();
});

async function open(path) {
  const page = await browser.open(null);
  visited.push(page);
  await page.goto(`${server.url}${path}`, { waitUntil: "load" });
  return page;
}

/** openid-client's view of the registered client. */
const rp = () => client.discovery(new URL(server.url), registered.client_id, { id_token_signed_response_alg: "EdDSA" },
  client.ClientSecretBasic(registered.client_secret), { execute: [client.allowInsecureRequests] });

async function authorizationUrl(config, scope) {
  const verifier = client.randomPKCECodeVerifier();
  const checks = { pkceCodeVerifier: verifier, expectedState: client.randomState(), expectedNonce: client.randomNonce() };
  const url = client.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope, state: checks.expectedState,
    nonce: checks.expectedNonce, code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: "S256" });
  return { url, checks };
}

test("a signed-out browser signs in on the hosted page, consents, and the relying party gets a code it can exchange", async () => {
  const config = await rp();
  const { url, checks } = await authorizationUrl(config, "openid email offline_access");
  const page = await open(url.pathname + url.search);
  await page.waitForURL("**/sign-in?return_to=*");
  assert.match(await page.locator("main").getAttribute("data-return-to"), /^\/oauth\/continue\?request=[0-9a-f]{32}$/);
  await signInOn(page, user);
  await page.waitForURL("**/consent?request=*");
  await page.locator('main[data-ready="true"]').waitFor();
  assert.equal(await page.locator("#client-name").textContent(), "Acme Notes");
  assert.equal(await page.locator("#client-redirect").textContent(), "rp.example.test");
  assert.equal(await page.locator("#client-unverified").isHidden(), true, "created by an administrator");
  const scopes = await page.locator("#scopes li").allTextContents();
  assert.ok(scopes.some((text) => text.includes("See your email address")), scopes.join("|"));
  assert.deepEqual(await seriousAxeFindings(page), []);
  await page.locator("#allow").click();
  await page.waitForURL("https://rp.example.test/callback?**");
  const callback = new URL(callbacks.at(-1));
  assert.equal(callback.searchParams.get("state"), checks.expectedState);
  assert.equal(callback.searchParams.get("iss"), server.url);
  const tokens = await client.authorizationCodeGrant(config, callback, checks);
  const info = await client.fetchUserInfo(config, tokens.access_token, tokens.claims().sub);
  assert.equal(info.email, user.email);
});

test("signed in with remembered consent, a new request goes straight back with a code", async () => {
  const config = await rp();
  const { url, checks } = await authorizationUrl(config, "openid");
  // The browser's own request (its cookies), stopped at the redirect: Chromium does not
  // hand a server redirect to an unresolvable host to the route interceptor.
  const page = await open("/account");
  const answer = await page.request.get(`${server.url}${url.pathname}${url.search}`, { maxRedirects: 0 });
  assert.equal(answer.status(), 303);
  const callback = new URL(answer.headers().location);
  assert.equal(callback.origin + callback.pathname, REDIRECT, "no consent page: the consent is remembered");
  assert.ok(callback.searchParams.get("code"));
  assert.equal(callback.searchParams.get("state"), checks.expectedState);
});

test("Deny ends at the redirect URI with access_denied and the state", async () => {
  const config = await rp();
  const { url, checks } = await authorizationUrl(config, "openid documents");
  const page = await open(url.pathname + url.search);
  await page.waitForURL("**/consent?request=*");
  await page.locator('main[data-ready="true"]').waitFor();
  await page.locator("#deny").click();
  await page.waitForURL("https://rp.example.test/callback?**");
  const callback = new URL(page.url());
  assert.equal(callback.searchParams.get("error"), "access_denied");
  assert.equal(callback.searchParams.get("state"), checks.expectedState);
  assert.equal(callback.searchParams.get("code"), null);
});

test("an invalid request shows the error page and never leaves the origin", async () => {
  const page = await open(`/oauth/authorize?client_id=${registered.client_id}&response_type=code&redirect_uri=${encodeURIComponent("https://evil.example/")}`);
  assert.equal(new URL(page.url()).origin, server.url);
  assert.equal(await page.locator("[data-problem]").getAttribute("data-problem"), "bad_redirect_uri");
  assert.equal(await page.locator("a[href*='evil']").count(), 0);
});

test("the account page lists the connected app and removing its access revokes the grant", async () => {
  const page = await open("/account");
  await page.locator('main[data-ready="true"]').waitFor();
  const app = page.locator(`#apps li[data-client-id="${registered.client_id}"]`);
  await app.waitFor();
  assert.match(await app.textContent(), /Acme Notes/);
  await app.locator("button").click();
  await page.locator("#apps-empty").waitFor({ state: "visible" });
  // The next request asks again.
  const config = await rp();
  const { url } = await authorizationUrl(config, "openid");
  const again = await open(url.pathname + url.search);
  await again.waitForURL("**/consent?request=*");
});

test("the admin page adds an application and shows its secret once", async () => {
  const adminBrowser = await launchBrowser();
  try {
    const page = await adminBrowser.open(null);
    await page.goto(`${server.url}/sign-in?return_to=${encodeURIComponent("/admin")}`);
    await signInOn(page, admin);
    await page.waitForURL("**/admin");
    await page.locator('main[data-ready="true"]').waitFor();
    await page.locator("#clients-section").waitFor({ state: "visible" });
    await type(page, "#client-name", "Reports");
    await type(page, "#client-redirects", "https://reports.example.test/cb");
    await page.locator("#client-form button[type=submit]").click();
    await page.locator("#client-created").waitFor({ state: "visible" });
    assert.match(await page.locator("#created-secret").textContent(), /^[A-Za-z0-9_-]{43}$/);
    await page.locator("#clients tbody tr", { hasText: "Reports" }).waitFor();
    assert.deepEqual(cspViolations(adminBrowser, page), []);
    assert.deepEqual(await seriousAxeFindings(page), []);
  } finally {
    await adminBrowser.close();
  }
});

test(`${TARGET}: no page saw a CSP violation or wrote web storage`, () => {
  for (const page of visited) {
    assert.deepEqual(cspViolations(browser, page), [], page.url());
    assert.deepEqual(storageWrites(browser, page), [], page.url());
  }
});
