// Listing on Spin reads the listed shard or record family, not the store
// (shared/spin/src/shard_index.rs, layout.rs): with thousands of unrelated keys in the
// store, listing a user's sessions, revoking them all, paging the admin user directory
// and the audit log read a handful of keys and list none. Counted by the Spin host
// (`--kv-stats`: each request's key-value reads, writes and keys listed).
// Spin only: on Workers a shard is a Durable Object, which lists its own storage.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { configWith, start, TARGET } from "./harness/target.mjs";
import { startMailSink } from "./harness/mail.mjs";
import { Client } from "./harness/http.mjs";
import { login, newSession } from "./harness/flows.mjs";

const skip = TARGET !== "spin" && "the shard index is the Spin adapter's";
const NOISE = 5_000;
const ADMIN = "lister@example.com";

let sink;
let server;
let state;
before(async () => {
  if (skip) return;
  state = mkdtempSync(join(tmpdir(), "edgeauth-listing-"));
  sink = await startMailSink();
  server = await start({ vars: configWith({ ...sink.vars(), BOOTSTRAP_ADMIN_EMAILS: ADMIN }), state, spin: { kvStats: true } });
});
after(async () => {
  await server?.stop();
  await sink?.close();
  if (state) rmSync(state, { recursive: true, force: true });
});

/** Writes `count` keys of other shards and records straight into the host's store. */
async function plantNoise(count) {
  const { DatabaseSync } = await import("node:sqlite");
  const db = new DatabaseSync(join(state, "kv.sqlite"));
  try {
    db.exec("PRAGMA busy_timeout = 5000");
    const insert = db.prepare("INSERT OR REPLACE INTO spin_key_value (store, key, value) VALUES ('default', ?, ?)");
    db.exec("BEGIN");
    for (let i = 0; i < count; i++) {
      const shard = `noise/${i}`;
      insert.run(`a/${shard.length}/${shard}/session/s${i}`, Buffer.from("0|{}"));
      insert.run(`r/noise/${i}`, Buffer.from("0|{}"));
    }
    db.exec("COMMIT");
  } finally {
    db.close();
  }
}

/** The host's kv-stats line for `method path`, logged after log line `from`. */
function stats(from, method, path) {
  const line = server.logs().slice(from).find((l) => l.startsWith(`kv-stats refresh ${method} ${path} `));
  assert.ok(line, `no kv-stats line for ${method} ${path}`);
  const [, reads, writes, listed] = /reads=(\d+) writes=(\d+) listed=(\d+)/.exec(line).map(Number);
  return { reads, writes, listed, line };
}

test("spin: listing and revoking a user's sessions touch that user's shard only", { skip }, async () => {
  const ada = await newSession(server.url, sink, { mode: "token" });
  await login(new Client(server.url), ada.email, ada.password, "token");
  await plantNoise(NOISE);

  let from = server.logs().length;
  const listed = await ada.client.get("/auth/sessions", ada.auth());
  assert.equal(listed.status, 200, listed.text);
  assert.equal(listed.json.sessions.length, 2);
  const list = stats(from, "GET", "/auth/sessions");
  console.log(`GET /auth/sessions with ${2 * NOISE} unrelated keys: ${list.line}`);
  assert.equal(list.listed, 0, list.line);
  assert.ok(list.reads < 50, list.line);

  from = server.logs().length;
  const all = await ada.client.post("/auth/session/logout-all", undefined, ada.auth());
  assert.equal(all.status, 204, all.text);
  const revoke = stats(from, "POST", "/auth/session/logout-all");
  console.log(`POST /auth/session/logout-all: ${revoke.line}`);
  assert.equal(revoke.listed, 0, revoke.line);
  assert.ok(revoke.reads + revoke.writes < 80, revoke.line);
});

test("spin: the admin user directory and the audit log read their own family's index, not the store", { skip }, async () => {
  const keeper = await newSession(server.url, sink, { mode: "token", email: ADMIN });
  for (let i = 0; i < 3; i++) await newSession(server.url, sink, { mode: "token" });
  await plantNoise(NOISE);
  for (const [path, items] of [["/api/admin/users?limit=2", "users"], ["/api/admin/audit?limit=5", "events"]]) {
    const from = server.logs().length;
    const page = await keeper.client.get(path, keeper.auth());
    assert.equal(page.status, 200, page.text);
    assert.ok(page.json[items].length > 0, path);
    assert.ok(page.json.next_cursor, `${path} has a next page`);
    const line = server.logs().slice(from).find((l) => l.startsWith(`kv-stats api GET ${path.split("?")[0]} `));
    assert.ok(line, `no kv-stats line for ${path}`);
    const [, reads, , listed] = /reads=(\d+) writes=(\d+) listed=(\d+)/.exec(line).map(Number);
    console.log(`GET ${path} with ${2 * NOISE} unrelated keys: ${line}`);
    assert.equal(listed, 0, line);
    assert.ok(reads < 60, line);
  }
});
