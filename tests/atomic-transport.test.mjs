// The Durable Object behind the Workers AtomicStore answers the same JSON operations
// through both transports: the RPC method `op` (what edgeauth-workers calls) and
// `fetch` (its fallback, for a function deployed before the object's host script).
// Workers only: Spin has no Durable Objects.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
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
      { name: "edgeauth-api", modules: true, scriptPath: join(dir, "shim.mjs"), modulesRoot: dir,
        modulesRules: [{ type: "ESModule", include: ["**/*.js", "**/*.mjs"] }, { type: "CompiledWasm", include: ["**/*.wasm"] }],
        compatibilityDate: "2026-07-01",
        durableObjects: { ATOMIC: { className: "AtomicShard", useSQLite: true } } },
    ],
  });
  url = (await mf.ready).toString().replace(/\/$/, "");
});
after(async () => { await mf?.dispose(); });

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
