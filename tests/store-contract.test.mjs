// The store contract (shared/primitives/src/store/contract.rs) against this runtime's real
// stores, and atomicity under concurrent requests.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { start, TARGET } from "./harness/target.mjs";

let server;
before(async () => { server = await start({ withContractWorker: true }); });
after(() => server.stop());

test(`${TARGET}: the record and atomic stores pass the store contract`, async () => {
  const response = await fetch(`${server.url}/__contract/store`);
  assert.equal(response.status, 200);
  const report = await response.json();
  assert.deepEqual(report.failures, []);
  assert.ok(report.passed >= 20, `passed ${report.passed}`);
});

test(`${TARGET}: 50 concurrent increments of one counter count exactly 50`, async () => {
  const name = `burst-${Date.now()}`;
  const replies = await Promise.all(Array.from({ length: 50 }, () =>
    fetch(`${server.url}/__contract/incr?shard=burst&name=${name}`, { method: "POST" }).then((r) => r.json())));
  const counts = replies.map((r) => r.count).sort((a, b) => a - b);
  assert.deepEqual(counts, Array.from({ length: 50 }, (_, i) => i + 1));
});

test(`${TARGET}: 20 concurrent compare-and-swaps from one snapshot let exactly one win`, async () => {
  const name = `cas-${Date.now()}`;
  const replies = await Promise.all(Array.from({ length: 20 }, (_, i) =>
    fetch(`${server.url}/__contract/cas?shard=cas&name=${name}&new=v${i}`, { method: "POST" }).then((r) => r.json())));
  assert.equal(replies.filter((r) => r.swapped).length, 1);
});
