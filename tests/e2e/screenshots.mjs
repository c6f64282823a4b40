#!/usr/bin/env node
// Screenshots of every hosted page, at 360 px (a small phone) and on a desktop (1280 px),
// in the light theme, plus the sign-in and account pages in the dark theme: the images
// of docs/screenshots/ shown in the README ("Hosted pages").
//
//   node tools/build.mjs && node tests/e2e/screenshots.mjs              # rewrite docs/screenshots/
//   node tests/e2e/screenshots.mjs --out .edgeauth/screenshots          # anywhere else (the test command)
//
// It starts the built Workers in Miniflare with a mail sink, registers two accounts
// through the pages (one becomes admin through BOOTSTRAP_ADMIN_EMAILS), and visits
// each page in the state a user sees it. Every page is also checked for CSP
// violations and page errors on the way. PRODUCT_NAME is "Acme" with BRAND_COLOR
// #0f766e, to show the operator's settings.

import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { strongPassword, uniqueEmail } from "../harness/flows.mjs";
import { startMailSink } from "../harness/mail.mjs";
import { TotpClock, base32Decode } from "../harness/totp.mjs";
import { assertNoCspViolations, launchBrowser, screenshots } from "./harness/browser.mjs";
import { registerThroughPages, signInOn, type } from "./harness/pages.mjs";
import { startE2eServer } from "./harness/server.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const outAt = process.argv.indexOf("--out");
const out = outAt > 0 ? resolve(process.argv[outAt + 1]) : join(root, "docs/screenshots");

const sink = await startMailSink();
const admin = { email: "admin@example.com", password: strongPassword() };
const user = { email: uniqueEmail("ada"), password: strongPassword() };
const server = await startE2eServer({
  ...sink.vars(), BOOTSTRAP_ADMIN_EMAILS: admin.email, PRODUCT_NAME: "Acme", BRAND_COLOR: "#0f766e",
  RETURN_TO_PATHS: "/account,/admin,/example/",
}, { withE2eStatic: false });
const browser = await launchBrowser();
const pages = [];
const open = async (path) => {
  const page = await browser.open(null);
  pages.push(page);
  await page.goto(`${server.url}${path}`, { waitUntil: "load" });
  return page;
};
const ready = (page) => page.locator('main[data-ready="true"]').waitFor();
const shot = async (page, name, { dark = false } = {}) => {
  await page.emulateMedia({ colorScheme: dark ? "dark" : "light" });
  // No caret or focus ring in the images (they would differ from run to run).
  await page.evaluate(() => document.activeElement?.blur());
  const written = await screenshots(page, name, { dir: out });
  assertNoCspViolations(browser, page);
  return written;
};

const written = [];
try {
  mkdirSync(out, { recursive: true });
  for (const file of readdirSync(out)) if (file.endsWith(".png")) rmSync(join(out, file));

  // Signed out.
  for (const [path, name] of [["/sign-in", "sign-in"], ["/sign-up", "sign-up"], ["/forgot-password", "forgot-password"]]) {
    const page = await open(path);
    await ready(page);
    written.push(...await shot(page, name));
    if (name === "sign-in") written.push(...await shot(page, "sign-in-dark", { dark: true }));
  }
  const reset = await open(`/reset-password#token=${"A".repeat(43)}`);
  await ready(reset);
  written.push(...await shot(reset, "reset-password"));
  // A security notice's "this wasn't me" link, at its confirmation step.
  const notMe = await open(`/security-alert#token=${"A".repeat(43)}`);
  await ready(notMe);
  written.push(...await shot(notMe, "security-alert"));

  const landing = await registerThroughPages(open, sink, user);
  written.push(...await shot(landing, "verify-email"));
  await registerThroughPages(open, sink, admin);

  // Two-step verification being set up on the account page.
  const signIn = await open("/sign-in");
  await signInOn(signIn, user);
  await signIn.waitForURL("**/account");
  const account = await open("/account");
  await ready(account);
  await account.locator("#mfa-start").click();
  await account.locator("#mfa-qr svg").waitFor();
  written.push(...await shot(account, "account-totp-setup"));
  const clock = new TotpClock(base32Decode((await account.locator("#mfa-secret").textContent()).replaceAll(" ", "")));
  await type(account, "#mfa-code", (await clock.next()).code);
  await account.locator("#mfa-confirm-form button[type=submit]").click();
  await account.locator("#mfa-recovery").waitFor({ state: "visible" });
  await browser.context.clearCookies();
  const withError = await open("/sign-in");
  await signInOn(withError, { email: user.email, password: "not-the-password-1" });
  await withError.locator("#password-error").waitFor({ state: "visible" });
  written.push(...await shot(withError, "sign-in-error"));

  // Signed in as the admin: the account and admin pages, and the example app.
  const adminSignIn = await open("/sign-in?return_to=%2Faccount");
  await signInOn(adminSignIn, admin);
  await adminSignIn.waitForURL("**/account");
  const adminAccount = await open("/account");
  await ready(adminAccount);
  written.push(...await shot(adminAccount, "account"));
  written.push(...await shot(adminAccount, "account-dark", { dark: true }));
  const adminPage = await open("/admin");
  await ready(adminPage);
  written.push(...await shot(adminPage, "admin"));
  const example = await open("/example/dashboard");
  await example.waitForFunction(() => document.getElementById("main").dataset.ready === "true");
  written.push(...await shot(example, "example-dashboard"));

  // The second step of the sign-in page, for the user with TOTP on.
  await browser.context.clearCookies();
  const mfa = await open("/sign-in");
  await signInOn(mfa, user);
  await mfa.locator("#mfa-form").waitFor({ state: "visible" });
  written.push(...await shot(mfa, "sign-in-mfa"));
  console.log(`wrote ${written.length} screenshots to ${out}:\n${written.map((p) => `  ${p}`).join("\n")}`);
} finally {
  await browser.close();
  await server.stop();
  await sink.close();
}
