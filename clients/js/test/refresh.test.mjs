// Coalesced refresh (src/refresh.js): one POST /auth/session/refresh however many
// callers in however many tabs need one at once, and graceful fall-backs.

import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import { FakeBrowser, FakeLockManager, delayedBroadcastChannel, settle } from "./fakes.mjs";

const REFRESH = "POST /auth/session/refresh";
let browser;
afterEach(() => browser?.close());

const tenFetches = (tab) => Promise.all(Array.from({ length: 10 }, () => tab.fetch("/api/me")));
const statuses = (responses) => responses.map((r) => r.status);

test("ten parallel client.fetch calls after access-token expiry make one refresh", async () => {
  browser = new FakeBrowser();
  const tab = browser.tab();
  await browser.signIn(tab);
  browser.expireAccess();
  const responses = await tenFetches(tab);
  assert.deepEqual(statuses(responses), Array(10).fill(200));
  assert.equal(browser.server.count(REFRESH), 1);
  assert.equal(browser.server.count("GET /api/me"), 20, "each call: one refused attempt, one retry");
});

test("ten parallel refresh() calls share one request", async () => {
  browser = new FakeBrowser();
  const tab = browser.tab();
  await browser.signIn(tab);
  const outcomes = await Promise.all(Array.from({ length: 10 }, () => tab.refresh()));
  assert.equal(browser.server.count(REFRESH), 1);
  assert.ok(outcomes.every((o) => o.refreshedBy === "this_tab" && o.accessExpiresAt instanceof Date));
});

test("a later refresh() after the first completed sends a new request", async () => {
  browser = new FakeBrowser();
  const tab = browser.tab();
  await browser.signIn(tab);
  await tab.refresh();
  await settle(2);
  await tab.refresh();
  assert.equal(browser.server.count(REFRESH), 2);
});

test("three tabs whose access expired at once make exactly one refresh between them", async () => {
  browser = new FakeBrowser();
  const tabs = [browser.tab(), browser.tab(), browser.tab()];
  await browser.signIn(tabs[0]);
  browser.expireAccess();
  const responses = await Promise.all(tabs.map(tenFetches));
  assert.deepEqual(statuses(responses.flat()), Array(30).fill(200));
  assert.equal(browser.server.count(REFRESH), 1);
});

test("tabs calling refresh() at once share one request, the others report another_tab", async () => {
  browser = new FakeBrowser();
  const tabs = [browser.tab(), browser.tab(), browser.tab()];
  await browser.signIn(tabs[0]);
  const outcomes = await Promise.all(tabs.map((tab) => tab.refresh()));
  assert.equal(browser.server.count(REFRESH), 1);
  assert.deepEqual(outcomes.map((o) => o.refreshedBy).sort(), ["another_tab", "another_tab", "this_tab"]);
});

test("a sibling's refresh is seen under the lock even when its broadcast arrives late", async () => {
  // Broadcasts are not ordered with lock grants; the marker lock is (src/refresh.js).
  browser = new FakeBrowser({ BroadcastChannel: delayedBroadcastChannel(200) });
  const [a, b] = [browser.tab(), browser.tab()];
  await browser.signIn(a);
  browser.expireAccess();
  const responses = await Promise.all([tenFetches(a), tenFetches(b)]);
  assert.deepEqual(statuses(responses.flat()), Array(20).fill(200));
  assert.equal(browser.server.count(REFRESH), 1);
});

test("control: without the marker (no locks.query) a late broadcast lets the second tab refresh again", async () => {
  // Shows the previous test can fail: the lock alone does not tell a tab that a sibling refreshed.
  browser = new FakeBrowser({ locks: new FakeLockManager({ withQuery: false }), BroadcastChannel: delayedBroadcastChannel(200) });
  const [a, b] = [browser.tab(), browser.tab()];
  await browser.signIn(a);
  browser.expireAccess();
  const responses = await Promise.all([tenFetches(a), tenFetches(b)]);
  assert.deepEqual(statuses(responses.flat()), Array(20).fill(200), "still correct, one rotation more");
  assert.equal(browser.server.count(REFRESH), 2);
});

test("without BroadcastChannel the Web Lock and its marker still make one refresh", async () => {
  browser = new FakeBrowser({ BroadcastChannel: null });
  const tabs = [browser.tab(), browser.tab()];
  await browser.signIn(tabs[0]);
  browser.expireAccess();
  const responses = await Promise.all(tabs.map(tenFetches));
  assert.deepEqual(statuses(responses.flat()), Array(20).fill(200));
  assert.equal(browser.server.count(REFRESH), 1);
});

test("without Web Locks each tab still coalesces its own callers and every call succeeds", async () => {
  browser = new FakeBrowser({ locks: null });
  const tabs = [browser.tab(), browser.tab()];
  await browser.signIn(tabs[0]);
  browser.expireAccess();
  const responses = await Promise.all(tabs.map(tenFetches));
  assert.deepEqual(statuses(responses.flat()), Array(20).fill(200));
  const refreshes = browser.server.count(REFRESH);
  assert.ok(refreshes >= 1 && refreshes <= 2, `at most one refresh per tab, got ${refreshes}`);
});

test("without Web Locks a tab that already heard of a sibling's refresh only retries", async () => {
  browser = new FakeBrowser({ locks: null });
  const [a, b] = [browser.tab(), browser.tab()];
  await browser.signIn(a);
  browser.expireAccess();
  // b's request is sent before a's refresh, but answered (401) only after b heard of it.
  let answerB;
  const bAnswered = new Promise((resolve) => { answerB = resolve; });
  browser.server.hooks["GET /api/slow"] = async (_request, { cookies }) => {
    if (!cookies.has("__Host-access")) {
      await bAnswered;
      return new Response(JSON.stringify({ status: 401, code: "unauthenticated", title: "t", type: "x", request_id: "5".repeat(32) }),
        { status: 401, headers: { "Content-Type": "application/problem+json" } });
    }
    return new Response("ok");
  };
  const pending = b.fetch("/api/slow");
  await settle(5);
  await a.refresh();
  await settle(10); // b hears the broadcast
  answerB();
  assert.equal((await pending).status, 200);
  assert.equal(browser.server.count(REFRESH), 1);
});

test("a request sent after a sibling's refresh that is still refused refreshes again", async () => {
  // A renewal before the request was sent does not explain its 401.
  browser = new FakeBrowser();
  const [a, b] = [browser.tab(), browser.tab()];
  await browser.signIn(a);
  await a.refresh();
  await settle(10);
  browser.expireAccess();
  assert.equal((await b.fetch("/api/me")).status, 200);
  assert.equal(browser.server.count(REFRESH), 2);
});

test("no two refreshes are ever in flight at once across tabs", async () => {
  browser = new FakeBrowser();
  const tabs = [browser.tab(), browser.tab(), browser.tab()];
  await browser.signIn(tabs[0]);
  await Promise.all(tabs.flatMap((tab) => [tab.refresh(), tab.refresh()]));
  await settle(5);
  await Promise.all(tabs.map((tab) => tab.refresh()));
  assert.equal(browser.server.maxConcurrentRefreshes, 1);
});

test("Web Locks that refuse the document (SecurityError) fall back to coalescing within the tab", async () => {
  const refusing = {
    request: () => Promise.reject(Object.assign(new Error("opaque origin"), { name: "SecurityError" })),
    query: () => Promise.reject(Object.assign(new Error("opaque origin"), { name: "SecurityError" })),
  };
  browser = new FakeBrowser({ locks: refusing });
  const tab = browser.tab();
  await browser.signIn(tab);
  browser.expireAccess();
  assert.deepEqual(statuses(await tenFetches(tab)), Array(10).fill(200));
  assert.equal(browser.server.count(REFRESH), 1);
});

test("a hung refresh is abandoned after refreshTimeoutMs and frees the lock for the next one", async () => {
  browser = new FakeBrowser();
  const tab = browser.tab({ refreshTimeoutMs: 50 });
  await browser.signIn(tab);
  browser.expireAccess();
  browser.server.hooks[REFRESH] = (request) => new Promise((_resolve, reject) => {
    request.signal.addEventListener("abort", () => reject(request.signal.reason));
  });
  await assert.rejects(tab.fetch("/api/me"), { name: "TimeoutError" });
  assert.equal(tab.state.status, "signed_in", "a timeout is not a sign-out");
  delete browser.server.hooks[REFRESH];
  assert.equal((await tab.fetch("/api/me")).status, 200);
  assert.equal(browser.server.count(REFRESH), 2);
});
