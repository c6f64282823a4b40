// Headless Chromium for the browser end-to-end suite (tests/e2e), driven by
// playwright-core against Debian's /usr/bin/chromium (tools/setup.sh `setup_browser`;
// nothing downloads a browser).
//
//   const browser = await launchBrowser();
//   const page = await browser.open(`${url}/__e2e/client.html`);
//   ...
//   assertNoCspViolations(browser, page);
//   assert.deepEqual(await seriousAxeFindings(page), []);
//   await screenshots(page, "client-page");
//   const authenticator = await addVirtualAuthenticator(page);   // passkeys, later
//   await browser.close();
//
// Every page of the context is instrumented from its first script on (init scripts,
// which run through the DevTools protocol and are not subject to the page's CSP):
// - CSP violations: a `securitypolicyviolation` listener reports each one to the test
//   through a Playwright binding, and console messages that mention the policy are
//   kept too (some refusals only reach the console);
// - uncaught page errors;
// - web storage: every write to localStorage/sessionStorage and every IndexedDB or
//   Cache API open is reported, so a test can prove nothing kept a token there.

import { mkdtempSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const require = createRequire(import.meta.url);

export const CHROMIUM = process.env.EDGEAUTH_CHROMIUM ?? "/usr/bin/chromium";
/** Screenshots go here (ignored by git, like the rest of .edgeauth/). */
export const SCREENSHOT_DIR = join(root, ".edgeauth/e2e-screenshots");

const CHROMIUM_ARGS = [
  "--no-sandbox", // root in a container: Chromium's sandbox needs user namespaces
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking", // no update, safe-browsing or suggestion traffic
  "--disable-component-update",
  "--disable-sync",
];

/** Runs in every page before its own scripts (main world). Reports through the bindings. */
function instrumentPage() {
  document.addEventListener("securitypolicyviolation", (event) => {
    globalThis.__edgeauthReport("csp", {
      directive: event.effectiveDirective, blockedURI: event.blockedURI, sourceFile: event.sourceFile,
      line: event.lineNumber, sample: event.sample, disposition: event.disposition,
    });
  }, true);
  const report = (what) => globalThis.__edgeauthReport("storage", what);
  const setItem = Storage.prototype.setItem;
  Storage.prototype.setItem = function spiedSetItem(key, value) {
    report({ api: this === globalThis.sessionStorage ? "sessionStorage.setItem" : "localStorage.setItem", key, value: String(value) });
    return setItem.call(this, key, value);
  };
  const open = IDBFactory.prototype.open;
  IDBFactory.prototype.open = function spiedOpen(name, ...rest) {
    report({ api: "indexedDB.open", key: name });
    return open.call(this, name, ...rest);
  };
  if (globalThis.CacheStorage) {
    const cacheOpen = CacheStorage.prototype.open;
    CacheStorage.prototype.open = function spiedCacheOpen(name) {
      report({ api: "caches.open", key: name });
      return cacheOpen.call(this, name);
    };
  }
}

class InstrumentedBrowser {
  constructor(context, userDataDir) {
    this.context = context;
    this.userDataDir = userDataDir;
    /** Per page: `{csp: [], console: [], errors: [], storage: []}`. */
    this.records = new Map();
  }

  recordsOf(page) {
    if (!this.records.has(page)) this.records.set(page, { csp: [], console: [], errors: [], storage: [] });
    return this.records.get(page);
  }

  /** Opens a new tab (a page of this one context) at `url` and waits for it to load. */
  async open(url) {
    const page = await this.context.newPage();
    const records = this.recordsOf(page);
    page.on("console", (message) => {
      if (/content security policy|refused to|trusted type/i.test(message.text())) {
        records.console.push(`${message.type()}: ${message.text()}`);
      }
    });
    page.on("pageerror", (error) => records.errors.push(String(error)));
    if (url) await page.goto(url, { waitUntil: "load" });
    return page;
  }

  async close() {
    await this.context.close();
    rmSync(this.userDataDir, { recursive: true, force: true });
  }
}

/**
 * Launches headless Chromium with a fresh user-data directory (removed on close) and
 * returns the instrumented browser. One persistent context: its pages are the tabs of
 * one browser profile (shared cookies, Web Locks, BroadcastChannel). `userAgent`
 * replaces the browser's own (e.g. to act as another device in new-device notices).
 */
export async function launchBrowser({ viewport = { width: 1280, height: 800 }, userAgent } = {}) {
  const userDataDir = mkdtempSync(join(tmpdir(), "edgeauth-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport,
    ...(userAgent ? { userAgent } : {}),
  });
  const browser = new InstrumentedBrowser(context, userDataDir);
  await context.exposeBinding("__edgeauthReport", ({ page }, kind, detail) => {
    browser.recordsOf(page)[kind].push(detail);
  });
  await context.addInitScript(instrumentPage);
  // The persistent context opens with one blank tab; tests open their own.
  for (const page of context.pages()) await page.close();
  return browser;
}

/** Every CSP violation `page` saw (events and console refusals). */
export function cspViolations(browser, page) {
  const { csp, console } = browser.recordsOf(page);
  return [...csp.map((v) => `${v.directive} blocked ${v.blockedURI} (${v.sourceFile}:${v.line}) ${v.sample ?? ""}`), ...console];
}

/** Fails with the list if `page` saw any CSP violation or uncaught error. */
export function assertNoCspViolations(browser, page) {
  const violations = cspViolations(browser, page);
  if (violations.length) throw new Error(`CSP violations:\n${violations.join("\n")}`);
  const { errors } = browser.recordsOf(page);
  if (errors.length) throw new Error(`uncaught page errors:\n${errors.join("\n")}`);
}

/** What `page` wrote to web storage (see instrumentPage). */
export function storageWrites(browser, page) {
  return browser.recordsOf(page).storage;
}

const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/**
 * Runs axe-core on `page` and returns its serious and critical violations as
 * `[{id, impact, help, nodes: [selector…]}]`.
 *
 * How axe gets past the page's strict CSP: `page.evaluate` of axe's source runs it
 * through the DevTools protocol (Runtime.evaluate), which the page's CSP does not
 * govern — unlike a <script> tag (inline: blocked by script-src 'self') or
 * `bypassCSP: true` (which would switch the policy off for the whole context and hide
 * exactly the violations this suite looks for). axe itself uses no eval and no HTML
 * sinks, so it trips neither script-src nor Trusted Types (the violation listener
 * would report it).
 */
export async function seriousAxeFindings(page, { tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } = {}) {
  if (!(await page.evaluate(() => typeof globalThis.axe === "object"))) await page.evaluate(AXE_SOURCE);
  const results = await page.evaluate((runTags) => globalThis.axe.run(document, {
    runOnly: { type: "tag", values: runTags }, resultTypes: ["violations"],
  }), tags);
  return results.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((violation) => ({ id: violation.id, impact: violation.impact, help: violation.help,
      nodes: violation.nodes.map((node) => node.target.join(" ")) }));
}

/** The widths pages must work at: a small phone and a desktop. */
export const VIEWPORTS = [
  { name: "360", width: 360, height: 780 },
  { name: "desktop", width: 1280, height: 800 },
];

/**
 * Full-page screenshots of `page` at each of VIEWPORTS, written to
 * `SCREENSHOT_DIR/<name>-<viewport>.png`; returns the paths. Restores the viewport.
 */
export async function screenshots(page, name, { dir = SCREENSHOT_DIR } = {}) {
  mkdirSync(dir, { recursive: true });
  const original = page.viewportSize();
  const paths = [];
  for (const viewport of VIEWPORTS) {
    await page.setViewportSize({ width: viewport.width, height: viewport.height });
    const path = join(dir, `${name}-${viewport.name}.png`);
    await page.screenshot({ path, fullPage: true });
    paths.push(path);
  }
  if (original) await page.setViewportSize(original);
  return paths;
}

/**
 * A WebAuthn virtual authenticator on `page`'s tab (DevTools protocol `WebAuthn`
 * domain), for passkey tests without hardware: a platform (internal) CTAP2
 * authenticator with resident keys and user verification that always succeeds.
 * WebAuthn needs a valid RP ID, so such tests open the page on `localhost`, not
 * `127.0.0.1` (an IP address is not a valid RP ID).
 */
export async function addVirtualAuthenticator(page, options = {}) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable", { enableUI: false });
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true,
      isUserVerified: true, automaticPresenceSimulation: true, ...options,
    },
  });
  return {
    authenticatorId,
    /** The credentials the authenticator holds (`WebAuthn.getCredentials`). */
    credentials: async () => (await cdp.send("WebAuthn.getCredentials", { authenticatorId })).credentials,
    /** Whether the next ceremonies' user verification succeeds. */
    setUserVerified: (isUserVerified) => cdp.send("WebAuthn.setUserVerified", { authenticatorId, isUserVerified }),
    /**
     * Whether the authenticator answers at once, as if the user touched it (default on).
     * Off, requests wait — e.g. a conditional (autofill) request, which the virtual
     * authenticator otherwise completes as soon as the page makes it.
     */
    setAutomaticPresence: (enabled) => cdp.send("WebAuthn.setAutomaticPresenceSimulation", { authenticatorId, enabled }),
    remove: async () => {
      await cdp.send("WebAuthn.removeVirtualAuthenticator", { authenticatorId });
      await cdp.detach();
    },
  };
}
