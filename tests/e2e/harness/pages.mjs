// Driving the hosted pages as a user does (tests/e2e/pages.test.mjs and the screenshot
// script tests/e2e/screenshots.mjs): typing, signing in, registering through /sign-up
// and the mailed verification link.

import { VERIFY_PATH } from "../../harness/flows.mjs";
import { fragmentToken } from "../../harness/mail.mjs";

/** Types into a field as a user would (clears it first). */
export async function type(page, selector, text) {
  await page.locator(selector).fill("");
  await page.locator(selector).pressSequentially(text);
}

/** Submits email and password on the sign-in page `page`, once its script is ready. */
export async function signInOn(page, account) {
  await page.locator('main[data-ready="true"]').waitFor();
  await type(page, "#email", account.email);
  await type(page, "#password", account.password);
  await page.locator("#password-form button[type=submit]").click();
}

/**
 * Registers `account` through /sign-up and verifies it through the mailed link;
 * `open(path)` opens a page. Returns the verification landing page.
 */
export async function registerThroughPages(open, sink, account) {
  const page = await open("/sign-up");
  await page.locator('main[data-ready="true"]').waitFor();
  await type(page, "#email", account.email);
  await type(page, "#password", account.password);
  await type(page, "#password-repeat", account.password);
  await page.locator("#sign-up-form button[type=submit]").click();
  await page.locator("#sign-up-done").waitFor({ state: "visible" });
  const mail = await sink.waitForMail(account.email, (m) => m.text.includes(`${VERIFY_PATH}#token=`));
  const token = fragmentToken(mail.text, VERIFY_PATH);
  const landing = await open(`${VERIFY_PATH}#token=${token}`);
  await landing.waitForFunction(() => document.getElementById("verify-status").textContent.includes("verified"));
  return landing;
}
