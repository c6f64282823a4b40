// Spin has no TTL: expired records read as absent through the expiry envelope, and
// something must delete them or they accumulate forever (docs/spin.md §3). This test
// lets a day's data expire — the Spin host's `--clock-offset-secs` moves the
// components' clock three days on over the same store — and checks that
// `POST /api/admin/retention/sweep` physically removes it from the host's SQLite file:
// sessions, single-use tokens, rate-limit counters, audit events past
// AUDIT_RETENTION_DAYS, their index entries and the emptied indexes, while what is
// live stays. It also completes an interrupted erasure (docs/contract.md §3), as the
// Workers cron trigger does.
// Spin only: Workers KV and Durable Objects are a different store.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { configWith, rawSpinKeys, SQLITE_BUSY_WAIT_MS, start, TARGET } from "./harness/target.mjs";
import { startMailSink } from "./harness/mail.mjs";
import { Client } from "./harness/http.mjs";
import { attemptLogin, login, newSession, uniqueEmail } from "./harness/flows.mjs";

const skip = TARGET !== "spin" && "Spin's store keeps expired values until they are deleted";
const DAY = 86_400;
const GRACE_MS = 3_600_000; // shared/spin/src/shard_index.rs
const HOUR_MS = 3_600_000; // the registry's hours, shared/spin/src/reclaim.rs
const keeperPassword = "a lantern under the sea 42";

let sink;
let state;
let vars;
before(async () => {
  if (skip) return;
  state = mkdtempSync(join(tmpdir(), "edgeauth-reclaim-"));
  sink = await startMailSink();
  vars = configWith({
    ...sink.vars(),
    AUDIT_RETENTION_DAYS: "1",
    SESSION_IDLE_TIMEOUT_SECS: "3600",
    SESSION_ABSOLUTE_LIFETIME_SECS: "3600",
    BOOTSTRAP_ADMIN_EMAILS: "keeper@example.com",
  });
});
after(async () => {
  await sink?.close();
  if (state) rmSync(state, { recursive: true, force: true });
});

/** The envelope expiry of a stored value (0: never), or null for values without one. */
function expiryOf(value) {
  const match = /^(\d+)\|/.exec(value);
  return match ? Number(match[1]) : null;
}

/**
 * Raw keys whose value expired (or was deleted) long enough before `now` that a sweep
 * must have deleted it: the grace, and the hour the registry rounds to.
 */
function reclaimable(rows, now) {
  return rows.filter(({ value }) => {
    const at = expiryOf(value);
    return at !== null && at !== 0 && at <= now - GRACE_MS - HOUR_MS;
  });
}

async function sweepUntilDone(url, admin) {
  const reports = [];
  for (let round = 0; round < 40; round++) {
    const response = await admin.client.post("/api/admin/retention/sweep", undefined, admin.auth());
    assert.equal(response.status, 200, response.text);
    reports.push(response.json);
    if (response.json.reclaimed.complete) return reports;
  }
  throw new Error(`the sweep did not finish: ${JSON.stringify(reports.at(-1))}`);
}

test("spin: the retention sweep deletes what expired from the store and keeps what is live", { skip }, async () => {
  // Day 0: accounts, sessions, a reset token, counters, a lockout state, audit events,
  // and an erasure that stopped after its commit point.
  let server = await start({ vars, state });
  let alice;
  let erinId;
  try {
    alice = await newSession(server.url, sink, { mode: "token" });
    await login(new Client(server.url), alice.email, alice.password, "token");
    await alice.client.post("/auth/password/forgot", { email: alice.email });
    for (let i = 0; i < 3; i++) {
      assert.equal((await attemptLogin(new Client(server.url), alice.email, "not the password at all", "token")).status, 401);
    }
    const doc = await alice.client.post("/api/documents", { title: "kept", body: "live data" }, alice.auth());
    assert.equal(doc.status, 201);
    const erin = await newSession(server.url, sink, { mode: "token" });
    erinId = erin.user.id;
  } finally {
    await server.stop();
  }
  // The erasure's commit point and nothing after it (as a store outage would leave
  // it): the profile marked and disabled, everything else still there.
  await markForErasure(join(state, "kv.sqlite"), erinId);
  const dayZero = await rawSpinKeys(join(state, "kv.sqlite"));
  assert.ok(dayZero.some((row) => row.key.startsWith("r/audit/")), "audit events were written");
  assert.ok(dayZero.some((row) => row.key.includes(`/user/${alice.user.id}/session/`)), "sessions were written");

  // Day 3: everything of day 0 that expires has expired, more than the grace ago.
  const offset = 3 * DAY;
  server = await start({ vars, state, spin: { clockOffsetSecs: offset } });
  try {
    const now = Date.now() + offset * 1000;
    const before = await rawSpinKeys(join(state, "kv.sqlite"));
    const expiredBefore = reclaimable(before, now);
    assert.ok(expiredBefore.length > 20, `expired rows before the sweep: ${expiredBefore.length}`);

    const keeper = await newSession(server.url, sink, { mode: "token", email: "keeper@example.com", password: keeperPassword });
    const reports = await sweepUntilDone(server.url, keeper);
    const deleted = reports.reduce((sum, report) => sum + report.reclaimed.deleted, 0);
    const erasures = reports.reduce((sum, report) => sum + report.retention.erasures_completed, 0);
    assert.equal(erasures, 1, "the interrupted erasure was completed");

    const after = await rawSpinKeys(join(state, "kv.sqlite"));
    const left = reclaimable(after, Date.now() + offset * 1000);
    assert.deepEqual(left.map((row) => row.key), [], "expired rows left in the store");
    assert.ok(!after.some((row) => row.key.includes(`/user/${alice.user.id}/session/`)), "the expired sessions are gone");
    assert.ok(!after.some((row) => row.key.startsWith("r/audit/") && expiryOf(row.value) < now - GRACE_MS),
      "the audit events past AUDIT_RETENTION_DAYS are gone");
    // The erasure completed just now: its tombstones wait for the grace like any
    // deletion's, but nothing of the account reads as live any more.
    const nowAfter = Date.now() + offset * 1000;
    const liveRow = (row) => { const at = expiryOf(row.value); return at === 0 || at > nowAfter; };
    assert.deepEqual(after.filter((row) => row.key.includes(erinId) && !row.key.includes("audit") && liveRow(row))
      .map((row) => row.key), [], "the erased account is gone");
    console.log(`spin reclamation: ${before.length} rows before (${expiredBefore.length} expired), `
      + `${after.length} after, ${deleted} deleted in ${reports.length} sweep call(s)`);

    // What is live stays: alice signs in (her profile and email index were kept), her
    // document is there.
    const again = await login(new Client(server.url), alice.email, alice.password, "token");
    const docs = await again.client.get("/api/documents", again.auth());
    assert.equal(docs.status, 200);
    assert.equal(docs.json.documents.length, 1);
  } finally {
    await server.stop();
  }

  // Four hours later: what the day-3 sweep deleted or emptied (the erased account's
  // tombstones, indexes left empty) and the sessions of day 3 are past their grace,
  // and go too.
  const later = 3 * DAY + 4 * 3600;
  server = await start({ vars, state, spin: { clockOffsetSecs: later } });
  try {
    const before = await rawSpinKeys(join(state, "kv.sqlite"));
    const keeper = await login(new Client(server.url), "keeper@example.com", keeperPassword, "token");
    await sweepUntilDone(server.url, keeper);
    const after = await rawSpinKeys(join(state, "kv.sqlite"));
    const now = Date.now() + later * 1000;
    assert.deepEqual(reclaimable(after, now).map((row) => row.key), [], "expired rows left in the store");
    const emptyIndexes = after.filter((row) => /^[xyf]\//.test(row.key) && /"n":\{\}/.test(row.value)
      && expiryOf(row.value) <= now - GRACE_MS - HOUR_MS);
    assert.deepEqual(emptyIndexes.map((row) => row.key), [], "indexes empty for longer than the grace");
    // Of the erased account only what its last deletions left may remain, waiting for
    // the grace (an index emptied by this very sweep); nothing older, nothing live.
    const erinRows = after.filter((row) => row.key.includes(erinId) && !row.key.includes("audit"));
    assert.deepEqual(erinRows.filter((row) => expiryOf(row.value) === 0 || expiryOf(row.value) > now - GRACE_MS)
      .filter((row) => !/"n":\{\}/.test(row.value)).map((row) => row.key), [], "rows of the erased account");
    console.log(`spin reclamation, 4 h later: ${before.length} rows before, ${after.length} after`);
  } finally {
    await server.stop();
  }
});

/** Marks an account for erasure in the host's store, as the erasure's commit point does. */
async function markForErasure(file, userId) {
  const { DatabaseSync } = await import("node:sqlite");
  const db = new DatabaseSync(file, { timeout: SQLITE_BUSY_WAIT_MS });
  try {
    const shard = `user/${userId}`;
    const key = `a/${shard.length}/${shard}/profile`;
    const row = db.prepare("SELECT value FROM spin_key_value WHERE store = 'default' AND key = ?").get(key);
    assert.ok(row, `no profile under ${key}`);
    const text = Buffer.from(row.value).toString("utf8");
    const at = text.indexOf("|");
    const profile = JSON.parse(text.slice(at + 1));
    profile.disabled = true;
    profile.erasure_requested_at_ms = Date.now();
    profile.session_epoch = (profile.session_epoch ?? 0) + 1;
    db.prepare("UPDATE spin_key_value SET value = ? WHERE store = 'default' AND key = ?")
      .run(Buffer.from(`${text.slice(0, at)}|${JSON.stringify(profile)}`), key);
  } finally {
    db.close();
  }
}
