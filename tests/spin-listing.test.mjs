// Listing on Spin reads the listed shard, not the store (shared/spin/src/shard_index.rs):
// with thousands of unrelated keys in the store, listing a user's sessions and
// revoking them all read a handful of keys and list none. Counted by the Spin host
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

let sink;
let server;
let state;
before(async () => {
  if (skip) return;
  state = mkdtempSync(join(tmpdir(), "edgeauth-listing-"));
  sink = await startMailSink();
  server = await start({ vars: configWith(sink.vars()), state, spin: { kvStats: true } });
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
      insert.run(`a/noise/${i}/session/s${i}`, Buffer.from("0|{}"));
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
