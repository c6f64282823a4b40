// docs/logging.md §2 on the built functions: one request line per request by default,
// and with REQUEST_LOG=errors only the lines of answers of 400 and above. Read from the
// functions' output as the runtime prints it (`logs()`): a JSON line per request on the
// Spin host; on Workers an object that workerd prints over several lines.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { configWith, start, TARGET } from "./harness/target.mjs";
import { Client } from "./harness/http.mjs";

// `kind`, then `route` and `status`, in either printing (`"route":"/x"` or `route: '/x'`).
const REQUEST_LINE = /["']?kind["']?: ?["']request["'][\s\S]*?["']?route["']?: ?["']([^"']*)["'][\s\S]*?["']?status["']?: ?(\d+)/g;

/** `status route` of every request line printed since `from`. */
function requestLines(server, from) {
  const text = server.logs().slice(from).join("\n");
  return [...text.matchAll(REQUEST_LINE)].map(([, route, status]) => `${status} ${route}`);
}

/**
 * GET /api/health (200), then a path nobody serves (404), and the request lines they
 * left: the 404's line is the last one printed (both go to the api, one after the
 * other), so once it is there the 200's is there too, or will not be.
 */
async function twoRequests(server) {
  const from = server.logs().length;
  const client = new Client(server.url);
  assert.equal((await client.get("/api/health")).status, 200);
  assert.equal((await client.get("/api/no-such-route")).status, 404);
  const deadline = Date.now() + 5_000;
  while (!requestLines(server, from).includes("404 unmatched")) {
    assert.ok(Date.now() < deadline, `no request line for the 404 in:\n${server.logs().slice(from).join("\n")}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return requestLines(server, from);
}

for (const [setting, expected] of [[undefined, ["200 /api/health", "404 unmatched"]], ["errors", ["404 unmatched"]]]) {
  describe(`${TARGET}: REQUEST_LOG=${setting ?? "(unset: all)"}`, () => {
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
