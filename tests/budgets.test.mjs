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
// Regression budgets: a build that grows past them fails the test command.
// The performance issue's *target* for api is 300 KiB gzip (no argon2, no password
// list). It is NOT met: api re-authenticates with the password (DELETE /api/me,
// DELETE /api/me/mfa/totp), so it links argon2, and workers-rs alone is ~250 KiB gzip
// for an empty function. The budget below holds today's size (~490 KiB on Workers,
// ~540 KiB on Spin) so it can only shrink; docs/benchmarks.md tracks the target.
// login carries argon2 and the common-password list: target and budget 800 KiB.
const GZIP_BUDGET_KIB = { api: 560, login: 800, reset: 800, refresh: 800 };

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
