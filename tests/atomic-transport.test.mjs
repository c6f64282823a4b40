// The Durable Object behind the Workers AtomicStore answers the same JSON operations
// through both transports: the RPC method `op` (what edgeauth-workers calls) and
// `fetch` (its fallback, for an object that predates `op`). Compare-and-swap and
// increment carry an operation id, and a repeat of an id is not applied again: the
// client retries a failed RPC call with the same id, so a call that failed after the
// object applied it does not apply twice (shared/workers/src/atomic.rs).
// Workers only: Spin has no Durable Objects.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { randomBytes } from "node:crypto";
import { Miniflare, Log, LogLevel } from "miniflare";
import { TARGET } from "./harness/target.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const skip = TARGET !== "workers" && "Durable Objects exist on Workers only";

// A JS worker bound to the api script's AtomicShard namespace: POST /<transport>/<shard>
// with one operation as the body, answers the object's JSON reply (or the error).
const PROBE = `
export default {
  async fetch(request, env) {
    const [, transport, shard] = new URL(request.url).pathname.split("/");
    const stub = env.ATOMIC.get(env.ATOMIC.idFromName(shard));
    const body = await request.text();
    try {
      if (transport === "rpc") return new Response(await stub.op(body));
      const reply = await stub.fetch("https://atomic.internal/op", { method: "POST", body });
      return new Response(await reply.text(), { status: reply.status });
    } catch (error) {
      return new Response(String(error), { status: 599 });
    }
  },
};`;

// Stand-ins in front of the real AtomicShard, for the Rust client (the contract
// worker's `/__contract/*` routes) to talk to: FlakyShard forwards every call, and
// fails each mutating RPC call once *after* the real object applied it (as when the
// connection drops on the way back); LegacyShard has no \`op\` method at all (an
// object deployed before it), so only \`fetch\` reaches it.
const STANDINS = `
import { DurableObject } from "cloudflare:workers";
function real(ctx, env) { return env.REAL.get(env.REAL.idFromName(ctx.id.toString())); }
export class FlakyShard extends DurableObject {
  async op(body) {
    const reply = await real(this.ctx, this.env).op(body);
    const { op } = JSON.parse(body);
    if ((op === "incr" || op === "cas") && !(await this.ctx.storage.get(body))) {
      await this.ctx.storage.put(body, true);
      throw new Error("Network connection lost.");
    }
    return reply;
  }
  fetch(request) { return real(this.ctx, this.env).fetch(request); }
}
export class LegacyShard extends DurableObject {
  fetch(request) { return real(this.ctx, this.env).fetch(request); }
}
export default { fetch() { return new Response("stand-ins"); } };`;

let mf;
let url;
before(async () => {
  if (skip) return;
  const dir = join(ROOT, "build/workers/api");
  mf = new Miniflare({
    cf: false,
    log: new Log(LogLevel.WARN),
    handleRuntimeStdio(stdout, stderr) { stdout.resume(); stderr.resume(); },
    workers: [
      { name: "probe", modules: true, script: PROBE, compatibilityDate: "2026-07-01",
        durableObjects: { ATOMIC: { className: "AtomicShard", scriptName: "edgeauth-api" } } },
      { name: "standins", modules: true, script: STANDINS, compatibilityDate: "2026-07-01",
        durableObjects: { FLAKY: "FlakyShard", LEGACY: "LegacyShard",
          REAL: { className: "AtomicShard", scriptName: "edgeauth-api" } } },
      ...["FlakyShard", "LegacyShard"].map((className) => contractWorker(className)),
      { name: "edgeauth-api", modules: true, scriptPath: join(dir, "shim.mjs"), modulesRoot: dir,
        modulesRules: [{ type: "ESModule", include: ["**/*.js", "**/*.mjs"] }, { type: "CompiledWasm", include: ["**/*.wasm"] }],
        compatibilityDate: "2026-07-01",
        durableObjects: { ATOMIC: { className: "AtomicShard", useSQLite: true } } },
    ],
  });
  url = (await mf.ready).toString().replace(/\/$/, "");
});
after(async () => { await mf?.dispose(); });

/** The Rust client (the test-only contract worker) with its ATOMIC binding on a stand-in. */
function contractWorker(className) {
  const dir = join(ROOT, "build/workers/contract");
  return {
    name: `contract-${className}`, modules: true, scriptPath: join(dir, "shim.mjs"), modulesRoot: dir,
    modulesRules: [{ type: "ESModule", include: ["**/*.js", "**/*.mjs"] }, { type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: "2026-07-01",
    durableObjects: { ATOMIC: { className, scriptName: "standins" } },
  };
}

/** One `/__contract/{route}` call through the Rust client bound to `className`. */
async function client(className, route, query) {
  const worker = await mf.getWorker(`contract-${className}`);
  const response = await worker.fetch(`http://contract/__contract/${route}?${new URLSearchParams(query)}`,
    { method: route === "get" ? "GET" : "POST" });
  const text = await response.text();
  assert.equal(response.status, 200, text);
  return JSON.parse(text);
}

/** An operation id of the shape the client makes (send time, then 128 random bits). */
function opId() {
  return `${String(Date.now()).padStart(13, "0")}-${randomBytes(16).toString("hex")}`;
}

async function op(transport, shard, operation) {
  const response = await fetch(`${url}/${transport}/${shard}`, { method: "POST", body: JSON.stringify(operation) });
  return { status: response.status, body: await response.text() };
}

for (const transport of ["rpc", "fetch"]) {
  test(`${TARGET}: the atomic shard answers get, compare-and-swap, increment and list over ${transport}`, { skip }, async () => {
    const shard = `transport-${transport}-${Date.now()}`;
    const call = async (operation) => {
      const { status, body } = await op(transport, shard, operation);
      assert.equal(status, 200, body);
      return JSON.parse(body);
    };
    assert.equal((await call({ op: "get", name: "a" })).value, undefined);
    assert.equal((await call({ op: "cas", name: "a", expected: null, new: "one", expires_at_ms: null })).swapped, true);
    assert.equal((await call({ op: "cas", name: "a", expected: null, new: "two", expires_at_ms: null })).swapped, false);
    assert.equal((await call({ op: "get", name: "a" })).value, "one");
    const far = Date.now() + 60_000;
    assert.equal((await call({ op: "incr", name: "n", delta: 2, expires_at_ms: far })).count, 2);
    assert.equal((await call({ op: "incr", name: "n", delta: 3, expires_at_ms: far })).count, 5);
    assert.deepEqual((await call({ op: "list", prefix: "a" })).pairs, [["a", "one"]]);
  });
}

test(`${TARGET}: both transports see one store, and a malformed operation is refused`, { skip }, async () => {
  const shard = `transport-both-${Date.now()}`;
  const put = await op("rpc", shard, { op: "cas", name: "k", expected: null, new: "v", expires_at_ms: null });
  assert.equal(JSON.parse(put.body).swapped, true);
  assert.equal(JSON.parse((await op("fetch", shard, { op: "get", name: "k" })).body).value, "v");
  assert.equal((await op("fetch", shard, { op: "drop_everything" })).status, 400);
  assert.equal((await op("rpc", shard, { op: "drop_everything" })).status, 599);
});

for (const transport of ["rpc", "fetch"]) {
  test(`${TARGET}: an operation id repeated over ${transport} is applied once`, { skip }, async () => {
    const shard = `repeat-${transport}-${Date.now()}`;
    const call = async (operation) => {
      const { status, body } = await op(transport, shard, operation);
      assert.equal(status, 200, body);
      return JSON.parse(body);
    };
    const far = Date.now() + 60_000;
    const incr = { op: "incr", name: "n", delta: 1, expires_at_ms: far, id: opId() };
    assert.equal((await call(incr)).count, 1);
    assert.equal((await call(incr)).count, 1, "the repeat gets the first reply");
    assert.equal((await call({ ...incr, id: opId() })).count, 2, "a new id counts");
    const put = { op: "cas", name: "c", expected: null, new: "v", expires_at_ms: null, id: opId() };
    assert.equal((await call(put)).swapped, true);
    assert.equal((await call(put)).swapped, true, "the repeat reports the first swap");
    const drop = { op: "cas", name: "c", expected: "v", new: null, expires_at_ms: null, id: opId() };
    assert.equal((await call(drop)).swapped, true);
    assert.equal((await call(put)).swapped, true, "still the remembered reply, not a new put");
    assert.equal((await call({ op: "get", name: "c" })).value, undefined, "the deletion stands");
    assert.deepEqual((await call({ op: "list", prefix: "" })).pairs, [["n", "2"]], "remembered replies are not listed");
  });
}

test(`${TARGET}: an RPC call that fails after the object applied it is not applied again`, { skip }, async () => {
  const shard = `flaky-${Date.now()}`;
  assert.equal((await client("FlakyShard", "incr", { shard, name: "n" })).count, 1);
  assert.equal((await client("FlakyShard", "get", { shard, name: "n" })).value, "1");
  assert.equal((await client("FlakyShard", "cas", { shard, name: "c", new: "v" })).swapped, true,
    "the retried swap reports the swap the first call made");
  assert.equal((await client("FlakyShard", "incr", { shard, name: "n" })).count, 2);
});

test(`${TARGET}: an object without the RPC method is still reached over fetch`, { skip }, async () => {
  const shard = `legacy-${Date.now()}`;
  assert.equal((await client("LegacyShard", "incr", { shard, name: "n" })).count, 1);
  assert.equal((await client("LegacyShard", "incr", { shard, name: "n" })).count, 2);
  assert.equal((await client("LegacyShard", "cas", { shard, name: "c", new: "v" })).swapped, true);
  assert.equal((await client("LegacyShard", "get", { shard, name: "c" })).value, "v");
});
