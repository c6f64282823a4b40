// docs/logging.md §2 on the built functions: one request line per request by default,
// and with REQUEST_LOG=errors only the lines of answers of 400 and above. Read from
// the local Spin host's output (the components' stdout and stderr); Workers' console
// output goes to Miniflare's log, which the harness does not capture (the core's
// choice is the same code on both runtimes: core::app::carry tests).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { configWith, start, TARGET } from "./harness/target.mjs";
import { Client } from "./harness/http.mjs";

const skip = TARGET !== "spin" && "the harness reads component output on the Spin host only";

/** The request lines printed since `from`, as parsed objects. */
function requestLines(server, from) {
  return server.logs().slice(from)
    .map((line) => line.slice(line.indexOf("{")))
    .filter((line) => line.startsWith('{"kind":"request"'))
    .map((line) => JSON.parse(line));
}

/** GET /api/health (200) and a path nobody serves (404), then the lines they left. */
async function twoRequests(server) {
  const from = server.logs().length;
  const client = new Client(server.url);
  assert.equal((await client.get("/api/health")).status, 200);
  assert.equal((await client.get("/api/no-such-route")).status, 404);
  // The host forwards component output as it comes: give the last line a moment.
  for (let i = 0; i < 50 && requestLines(server, from).length < 2; i++) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 100));
  return requestLines(server, from).map((line) => `${line.status} ${line.route}`);
}

for (const [setting, expected] of [[undefined, ["200 /api/health", "404 unmatched"]], ["errors", ["404 unmatched"]]]) {
  describe(`${TARGET}: REQUEST_LOG=${setting ?? "(unset: all)"}`, { skip }, () => {
    let server;
    before(async () => {
      server = await start({ vars: configWith(setting ? { REQUEST_LOG: setting } : {}) });
    });
    after(async () => { await server?.stop(); });

    test(`prints ${expected.length === 2 ? "a line for every request" : "the lines of error answers only"}`, async () => {
      assert.deepEqual(await twoRequests(server), expected);
    });
  });
}
