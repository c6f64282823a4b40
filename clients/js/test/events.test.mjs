// Session events (src/session-events.js): in this tab and, over BroadcastChannel, in
// the other tabs of the origin.

import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import { ALICE, FakeBrowser, recordEvents, settle } from "./fakes.mjs";

let browser;
afterEach(() => browser?.close());

test("signIn fires signed_in in this tab and in the others, with the user", async () => {
  browser = new FakeBrowser();
  const [a, b] = [browser.tab(), browser.tab()];
  const [inA, inB] = [recordEvents(a), recordEvents(b)];
  await browser.signIn(a);
  await settle();
  assert.deepEqual(inA.types(), ["signed_in"]);
  assert.deepEqual(inB.types(), ["signed_in (other tab)"]);
  assert.deepEqual(inB.events[0].user, { id: ALICE.id, email: ALICE.email, roles: ["user"] });
  assert.equal(b.state.status, "signed_in");
  assert.ok(b.state.accessExpiresAt instanceof Date);
});

test("a refresh fires refreshed in every tab", async () => {
  browser = new FakeBrowser();
  const [a, b] = [browser.tab(), browser.tab()];
  await browser.signIn(a);
  await settle();
  const [inA, inB] = [recordEvents(a), recordEvents(b)];
  await a.refresh();
  await settle();
  assert.deepEqual(inA.types(), ["refreshed"]);
  assert.deepEqual(inB.types(), ["refreshed (other tab)"]);
  assert.equal(inB.events[0].user.email, ALICE.email);
});

test("signOut in one tab fires signed_out in the others and signs them out", async () => {
  browser = new FakeBrowser();
  const [a, b] = [browser.tab(), browser.tab()];
  await browser.signIn(a);
  await settle();
  const [inA, inB] = [recordEvents(a), recordEvents(b)];
  await a.signOut();
  await settle();
  assert.deepEqual(inA.types(), ["signed_out"]);
  assert.deepEqual(inB.types(), ["signed_out (other tab)"]);
  assert.deepEqual([b.state.status, b.state.user], ["signed_out", null]);
  // And b does not try to refresh a session that is gone (its CSRF cookie went with it).
  await assert.rejects(b.fetch("/api/me"), { status: 401 });
  assert.equal(browser.server.count("POST /auth/session/refresh"), 0);
});

test("a refresh refused with 401 tells every tab that the session is over", async () => {
  browser = new FakeBrowser();
  const [a, b] = [browser.tab(), browser.tab()];
  await browser.signIn(a);
  await settle();
  const inB = recordEvents(b);
  for (const session of browser.server.sessions.values()) session.revoked = true;
  await assert.rejects(a.refresh(), { status: 401 });
  await settle();
  assert.deepEqual(inB.types(), ["signed_out (other tab)"]);
});

test("finding no session (page load) sets the state without an event; losing one fires signed_out", async () => {
  browser = new FakeBrowser();
  const tab = browser.tab();
  const events = recordEvents(tab);
  assert.equal(await tab.currentUser(), null);
  await assert.rejects(tab.fetch("/api/me"), { status: 401 });
  assert.equal(tab.state.status, "signed_out");
  assert.deepEqual(events.types(), []);
  await browser.signIn(tab);
  browser.jar.cookies.clear(); // e.g. the user cleared the site's cookies
  assert.equal(await tab.currentUser(), null);
  assert.deepEqual(events.types(), ["signed_in", "signed_out"]);
});

test("a sign-out in another tab reaches a tab that never looked at its session", async () => {
  browser = new FakeBrowser();
  const [a, b] = [browser.tab(), browser.tab()];
  await browser.signIn(a);
  const inB = recordEvents(b);
  await settle();
  b.close();
  const fresh = browser.tab(); // opened after the sign-in: state unknown
  const inFresh = recordEvents(fresh);
  await a.signOut();
  await settle();
  assert.deepEqual(inB.types(), ["signed_in (other tab)"]);
  assert.deepEqual(inFresh.types(), ["signed_out (other tab)"]);
});

test("signed_out is not repeated to a tab that is already signed out", async () => {
  browser = new FakeBrowser();
  const tab = browser.tab();
  await browser.signIn(tab);
  const events = recordEvents(tab);
  await tab.signOut();
  await tab.signOut();
  assert.deepEqual(events.types(), ["signed_out"]);
});

test("the unsubscribe function stops a listener; the same function subscribed twice hears twice", async () => {
  browser = new FakeBrowser();
  const tab = browser.tab();
  const heard = [];
  const listener = (event) => heard.push(event.type);
  const first = tab.onSessionChange(listener);
  tab.onSessionChange(listener);
  await browser.signIn(tab);
  first();
  await tab.signOut();
  assert.deepEqual(heard, ["signed_in", "signed_in", "signed_out"]);
});

test("a throwing listener neither stops the other listeners nor the operation", async () => {
  browser = new FakeBrowser();
  const tab = browser.tab();
  const reported = [];
  globalThis.reportError = (error) => reported.push(error.message); // a browser's window.reportError
  try {
    tab.onSessionChange(() => { throw new Error("listener bug"); });
    const after = recordEvents(tab);
    await browser.signIn(tab);
    await settle();
    assert.deepEqual(after.types(), ["signed_in"]);
    assert.deepEqual(reported, ["listener bug"], "reported as an uncaught error, not swallowed");
  } finally {
    delete globalThis.reportError;
  }
});

test("messages that are not the client's own are ignored", async () => {
  browser = new FakeBrowser();
  const tab = browser.tab();
  const events = recordEvents(tab);
  const stranger = new BroadcastChannel(`${browser.name}:session`);
  for (const data of [
    "signed_out", null, { type: "signed_out" }, { v: 2, type: "signed_out", at: 1 },
    { v: 1, type: "hacked", at: 1 }, { v: 1, type: "signed_in", at: "now" },
    { v: 1, type: "signed_in", at: 1, user: { id: 1, email: "x", roles: [] } },
    { v: 1, type: "refreshed", at: 1, accessExpiresAt: "tomorrow" },
  ]) stranger.postMessage(data);
  await settle();
  stranger.close();
  assert.deepEqual(events.types(), []);
  assert.equal(tab.state.status, "unknown");
});

test("close() stops hearing the other tabs", async () => {
  browser = new FakeBrowser();
  const [a, b] = [browser.tab(), browser.tab()];
  const inB = recordEvents(b);
  b.close();
  await browser.signIn(a);
  await settle();
  assert.deepEqual(inB.types(), []);
});

test("tabs of clients with different names do not hear each other", async () => {
  browser = new FakeBrowser();
  const a = browser.tab();
  const other = browser.tab({ name: `${browser.name}-other` });
  const inOther = recordEvents(other);
  await browser.signIn(a);
  await settle();
  assert.deepEqual(inOther.types(), []);
});
