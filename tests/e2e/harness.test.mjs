// The browser harness's own detectors (tests/e2e/harness/browser.mjs) detect: a
// passing "no CSP violation", "no storage write" or "no serious axe finding" assertion
// means something only if a page that does break the rule fails it. Also the
// screenshot widths and the WebAuthn virtual authenticator later passkey tests use.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, test } from "node:test";
import {
  addVirtualAuthenticator, assertNoCspViolations, cspViolations, launchBrowser, screenshots, seriousAxeFindings,
  storageWrites,
} from "./harness/browser.mjs";
import { startE2eServer } from "./harness/server.mjs";

let server;
let browser;

before(async () => {
  server = await startE2eServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const open = (host = "127.0.0.1") => browser.open(`http://${host}:${server.port}/__e2e/client.html`);

test("an image from another origin is reported as a CSP violation and never fetched", async () => {
  const page = await open();
  const failed = [];
  page.on("requestfailed", (request) => failed.push([request.url(), request.failure()?.errorText]));
  assertNoCspViolations(browser, page);
  await page.evaluate(() => {
    const image = document.createElement("img");
    image.alt = "";
    // Another origin on loopback (nothing listens on port 9): even unblocked it would stay on this machine.
    image.src = "http://127.0.0.2:9/pixel.png";
    document.body.append(image);
  });
  await page.waitForTimeout(200);
  assert.match(cspViolations(browser, page).join("\n"), /img-src blocked http:\/\/127\.0\.0\.2:9/);
  assert.throws(() => assertNoCspViolations(browser, page), /CSP violations/);
  assert.deepEqual(failed, [["http://127.0.0.2:9/pixel.png", "csp"]], "blocked before any connection");
});

test("an HTML sink without Trusted Types is reported (the policy requires them)", async () => {
  const page = await open();
  const outcome = await page.evaluate(() => {
    try {
      document.body.insertAdjacentHTML("beforeend", "<b>raw</b>");
      return "written";
    } catch (error) {
      return error.name;
    }
  });
  assert.equal(outcome, "TypeError");
  await page.waitForTimeout(100);
  assert.match(cspViolations(browser, page).join("\n"), /require-trusted-types-for/);
});

test("inline script is refused by the page's CSP and reported", async () => {
  const page = await open();
  // A javascript: URL navigation is inline script under CSP; the policy refuses it.
  await page.evaluate(() => { location.href = "javascript:void(document.title = 'ran')"; });
  await page.waitForTimeout(200);
  assert.notEqual(await page.title(), "ran");
  assert.match(cspViolations(browser, page).join("\n"), /script-src/);
});

test("a write to localStorage, sessionStorage or IndexedDB is recorded", async () => {
  const page = await open();
  await page.evaluate(() => {
    localStorage.setItem("token", "a.b.c");
    sessionStorage.setItem("k", "v");
    indexedDB.open("db");
  });
  assert.deepEqual(storageWrites(browser, page).map((w) => w.api),
    ["localStorage.setItem", "sessionStorage.setItem", "indexedDB.open"]);
  assert.equal(storageWrites(browser, page)[0].value, "a.b.c");
});

test("axe reports an image without alternative text as a serious or critical finding", async () => {
  const page = await open();
  assert.deepEqual(await seriousAxeFindings(page), []);
  await page.evaluate(() => document.querySelector("main").append(document.createElement("img")));
  const findings = await seriousAxeFindings(page);
  assert.ok(findings.some((finding) => finding.id === "image-alt"), JSON.stringify(findings));
  assertNoCspViolations(browser, page); // axe itself trips no policy
});

test("screenshots are taken at 360 px and at a desktop width", async () => {
  const page = await open();
  const paths = await screenshots(page, "harness");
  const widths = paths.map((path) => readFileSync(path).readUInt32BE(16)); // PNG IHDR width
  assert.deepEqual(widths, [360, 1280]);
});

test("the virtual authenticator creates and asserts a resident passkey with user verification", async () => {
  // WebAuthn needs a domain as RP ID: the page is opened on localhost, not 127.0.0.1.
  const page = await open("localhost");
  const authenticator = await addVirtualAuthenticator(page);
  const created = await page.evaluate(async () => {
    const credential = await navigator.credentials.create({ publicKey: {
      rp: { id: "localhost", name: "edgeauth test" },
      user: { id: crypto.getRandomValues(new Uint8Array(16)), name: "passkey@example.com", displayName: "Passkey" },
      challenge: crypto.getRandomValues(new Uint8Array(32)),
      pubKeyCredParams: [{ type: "public-key", alg: -8 }, { type: "public-key", alg: -7 }],
      authenticatorSelection: { residentKey: "required", userVerification: "required" },
    } });
    return { type: credential.type, id: credential.id };
  });
  assert.equal(created.type, "public-key");
  const stored = await authenticator.credentials();
  assert.equal(stored.length, 1);
  assert.equal(stored[0].isResidentCredential, true);
  const asserted = await page.evaluate(async () => {
    const credential = await navigator.credentials.get({ publicKey: {
      rpId: "localhost", challenge: crypto.getRandomValues(new Uint8Array(32)), userVerification: "required",
    } });
    const flags = new Uint8Array(credential.response.authenticatorData)[32];
    return { id: credential.id, userPresent: (flags & 0x01) !== 0, userVerified: (flags & 0x04) !== 0 };
  });
  assert.deepEqual(asserted, { id: created.id, userPresent: true, userVerified: true });
  await authenticator.remove();
  assertNoCspViolations(browser, page);
});
