// The client never keeps anything in web storage: no token (it has none; cookie mode
// keeps them HttpOnly) and nothing else either. Every operation runs, in two tabs,
// with localStorage, sessionStorage, indexedDB and caches replaced by spies that
// record any access at all, and with document.cookie writes counted.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { ALICE, BOB, FakeBrowser, TOTP_CODE, settle } from "./fakes.mjs";

const STORAGE_GLOBALS = ["localStorage", "sessionStorage", "indexedDB", "caches"];
const touched = [];
const saved = new Map();

/** An object that records every property read, write or call made on it. */
function spy(name) {
  return new Proxy(function storageSpy() {}, {
    get(_target, property) { touched.push(`${name}.${String(property)}`); return spy(`${name}.${String(property)}`); },
    set(_target, property) { touched.push(`${name}.${String(property)}=`); return true; },
    apply() { touched.push(`${name}()`); return spy(`${name}()`); },
    has(_target, property) { touched.push(`${String(property)} in ${name}`); return false; },
  });
}

before(() => {
  for (const name of STORAGE_GLOBALS) {
    saved.set(name, Object.getOwnPropertyDescriptor(globalThis, name));
    Object.defineProperty(globalThis, name, {
      configurable: true,
      get() { touched.push(name); return spy(name); },
    });
  }
});

after(() => {
  for (const [name, descriptor] of saved) {
    if (descriptor) Object.defineProperty(globalThis, name, descriptor);
    else delete globalThis[name];
  }
});

test("no operation in any tab touches web storage or writes a cookie", async () => {
  const browser = new FakeBrowser();
  const [a, b] = [browser.tab(), browser.tab()];
  b.onSessionChange(() => {});
  try {
    await a.register({ email: "new@example.com", password: "long enough password" });
    await a.verifyEmail({ token: "good-token" });
    await a.forgotPassword({ email: ALICE.email });
    await a.resetPassword({ token: "t", password: "another password" });
    const mfa = await a.signIn({ email: BOB.email, password: BOB.password });
    await a.completeMfa({ mfaToken: mfa.mfaToken, code: TOTP_CODE });
    await a.signOut();
    await a.signIn({ email: ALICE.email, password: ALICE.password });
    await a.currentUser();
    await a.currentSession();
    await a.fetch("/api/me");
    await a.fetch("/api/documents", { method: "POST", body: "{}" });
    browser.expireAccess();
    await Promise.all([a.fetch("/api/me"), b.fetch("/api/me")]);
    await b.refresh();
    await a.changePassword({ currentPassword: ALICE.password, newPassword: "a new long password" });
    await a.signOutEverywhere();
    await settle();
    void a.state;
  } finally {
    browser.close();
  }
  assert.deepEqual(touched, []);
  assert.equal(browser.cookieWrites, 0);
});

test("the spies do record a use of storage (so the test above can fail)", () => {
  const before = touched.length;
  globalThis.localStorage.setItem("k", "v");
  globalThis.indexedDB.open("db");
  assert.ok(touched.length > before);
  touched.length = before;
});
