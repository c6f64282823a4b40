// Size budgets (deterministic, so enforced in the test command; times live only in
// the benchmark report): each function's release wasm, raw and gzip.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const KIB = 1024;
// api must not link argon2 or the password list; login carries both.
const GZIP_BUDGET_KIB = { api: 300, login: 800, reset: 800, refresh: 800 };

const artifacts = {
  workers: (fn) => join(root, "build/workers", fn, "index_bg.wasm"),
  spin: (fn) => join(root, "target/wasm32-wasip2/release", `edgeauth_fn_${fn}.wasm`),
};
const target = process.env.EDGEAUTH_TARGET ?? "workers";

for (const [fn, budget] of Object.entries(GZIP_BUDGET_KIB)) {
  test(`${target}: ${fn} wasm is within ${budget} KiB gzip`, () => {
    const path = artifacts[target](fn);
    assert.ok(existsSync(path), `${path} not built`);
    const bytes = readFileSync(path);
    const gzip = gzipSync(bytes, { level: 9 }).length;
    console.log(`size ${target} ${fn}: ${(bytes.length / KIB).toFixed(1)} KiB raw, ${(gzip / KIB).toFixed(1)} KiB gzip`);
    assert.ok(gzip <= budget * KIB, `${fn}: ${(gzip / KIB).toFixed(1)} KiB gzip > ${budget} KiB`);
  });
}
