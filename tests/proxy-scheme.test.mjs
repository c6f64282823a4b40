// HTTPS behind a TLS-terminating proxy (docs/contract.md §2, docs/spin.md §7), and the
// hosted pages without secrets (docs/contract.md §8). On Spin the URL scheme comes from
// Spin's own listener (`spin-full-url`), which is plain http behind a load balancer or
// ingress: without TRUSTED_PROXY_PROTO_HEADER every request is redirected to https and
// loops. With it, the proxy's header decides — and only when it is set.
// Both runtimes: the local servers are plain http, as Spin behind a proxy is.
import { test } from "node:test";
import assert from "node:assert/strict";
import { configWith, start, TEST_KEYS } from "./harness/target.mjs";
import { Client } from "./harness/http.mjs";
import { assertSecurityHeaders } from "./harness/assertions.mjs";

const PRODUCTION = {
  ENVIRONMENT: "production", PUBLIC_ORIGIN: "https://auth.example.test", ALLOWED_ORIGINS: null,
  ...TEST_KEYS, MAIL_TRANSPORT: "console",
};

async function withServer(vars, body) {
  const server = await start({ vars: configWith(vars) });
  try { await body(new Client(server.url)); } finally { await server.stop(); }
}

test("without TRUSTED_PROXY_PROTO_HEADER a forwarded https is ignored: plain http is redirected", async () => {
  await withServer(PRODUCTION, async (client) => {
    for (const headers of [{}, { "X-Forwarded-Proto": "https" }]) {
      const response = await client.get("/api/health", { headers });
      assert.equal(response.status, 308, JSON.stringify(headers));
      assert.match(response.headers.get("location"), /^https:\/\/[^/]+\/api\/health$/);
    }
  });
});

test("with TRUSTED_PROXY_PROTO_HEADER the proxy's https is served, anything else redirected", async () => {
  await withServer({ ...PRODUCTION, TRUSTED_PROXY_PROTO_HEADER: "X-Forwarded-Proto" }, async (client) => {
    const served = await client.get("/api/health", { headers: { "X-Forwarded-Proto": "https" } });
    assert.equal(served.status, 200, served.text);
    assertSecurityHeaders(served, "/api/health", { hsts: true });
    // The nearest proxy's value is the last one; a client's own claim before it loses.
    const appended = await client.get("/api/health", { headers: { "X-Forwarded-Proto": "https, http" } });
    assert.equal(appended.status, 308);
    for (const value of [undefined, "http", "ftp", "https://x"]) {
      const headers = value === undefined ? {} : { "X-Forwarded-Proto": value };
      assert.equal((await client.get("/api/health", { headers })).status, 308, String(value));
    }
  });
});

test("the hosted pages run without the secrets and the mail settings; the other functions refuse to", async () => {
  const vars = {
    ...PRODUCTION, TRUSTED_PROXY_PROTO_HEADER: "X-Forwarded-Proto",
    JWT_SIGNING_KEYS: null, DATA_ENCRYPTION_KEYS: null, MAIL_TRANSPORT: null, MAIL_FROM: null,
  };
  await withServer(vars, async (client) => {
    const headers = { "X-Forwarded-Proto": "https" };
    const page = await client.get("/sign-in", { headers });
    assert.equal(page.status, 200, page.text);
    assert.match(page.text, /^<!doctype html>/);
    const asset = await client.get("/assets/pages.css", { headers });
    assert.equal(asset.status, 200);
    const api = await client.get("/api/health", { headers });
    assert.equal(api.status, 503);
    assert.equal(api.json.code, "unavailable");
  });
});
