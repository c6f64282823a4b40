// The client address per-address limits count (docs/abuse.md, "Client address").
// On Spin it is the runtime's own peer address, `spin-client-addr`, which a client
// cannot choose: whatever CF-Connecting-IP, X-Forwarded-For or forged
// spin-client-addr a client sends, it stays one client. (On Workers the Cloudflare
// edge overwrites CF-Connecting-IP; Miniflare passes it through, so there is nothing
// to test locally.) The local Spin host can act as many clients in development, but
// only when told which header to trust (`--client-addr-from-header`).
import { test } from "node:test";
import assert from "node:assert/strict";
import { configWith, start, TARGET } from "./harness/target.mjs";
import { Client } from "./harness/http.mjs";
import { attemptLogin, uniqueEmail } from "./harness/flows.mjs";

const skip = TARGET !== "spin" && "Spin's peer address; on Workers the edge sets CF-Connecting-IP";

/** Four login attempts for unknown addresses, each from a client that claims another address. */
async function loginStatuses(url, { forge }) {
  const statuses = [];
  for (let i = 0; i < 4; i++) {
    const headers = forge ? { "X-Forwarded-For": `198.51.100.${i}`, "spin-client-addr": `192.0.2.${i}:4000` } : {};
    const client = new Client(url, { ip: `203.0.113.${10 + i}`, headers });
    statuses.push((await attemptLogin(client, uniqueEmail("nobody"), "a long enough password", "token")).status);
  }
  return statuses;
}

test("spin: a client that changes CF-Connecting-IP, X-Forwarded-For and spin-client-addr is still one client",
  { skip }, async () => {
    const server = await start({
      vars: configWith({ RATE_LIMIT_LOGIN_PER_IP: "3/60" }),
      spin: { clientAddrFromHeader: null },
    });
    try {
      assert.deepEqual(await loginStatuses(server.url, { forge: true }), [401, 401, 401, 429]);
    } finally {
      await server.stop();
    }
  });

test("spin: the development host acts as many clients only when told which header to trust", { skip }, async () => {
  const server = await start({ vars: configWith({ RATE_LIMIT_LOGIN_PER_IP: "3/60" }) });
  try {
    assert.deepEqual(await loginStatuses(server.url, { forge: false }), [401, 401, 401, 401]);
  } finally {
    await server.stop();
  }
});
