// docs/contract.md §8 and §2: fail closed on missing or unsafe secrets (503 on every function),
// HTTPS redirect outside development.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { configWith, start, TEST_KEYS } from "./harness/target.mjs";
import { Client } from "./harness/http.mjs";
import { assertProblem, assertSecurityHeaders } from "./harness/assertions.mjs";

const PATHS = ["/api/health", "/auth/login", "/auth/password/forgot", "/auth/session", "/nowhere"];

async function withServer(vars, body) {
  const server = await start({ vars });
  try {
    await body(new Client(server.url));
  } finally {
    await server.stop();
  }
}

const production = (overrides = {}) => configWith({
  ENVIRONMENT: "production", PUBLIC_ORIGIN: "https://auth.example.com", MAIL_TRANSPORT: "http",
  MAIL_HTTP_URL: "https://mail.example.com/send", MAIL_HTTP_TOKEN: "test-token", ...TEST_KEYS, ...overrides,
});

describe("configuration", () => {
  test("a missing signing key answers 503 unavailable on every function", async () => {
    await withServer(production({ JWT_SIGNING_KEYS: null }), async (client) => {
      for (const path of PATHS) {
        const get = path === "/api/health" || path === "/auth/session";
        const response = get ? await client.get(path) : await client.post(path, {});
        assertProblem(response, 503, "unavailable");
        assertSecurityHeaders(response, path);
        assert.ok(!/JWT_SIGNING_KEYS/.test(response.text), "the reason is logged, not sent");
      }
    });
  });

  test("development keys are refused outside development", async () => {
    await withServer(production({ JWT_SIGNING_KEYS: configWith().JWT_SIGNING_KEYS }), async (client) => {
      assertProblem(await client.get("/api/health"), 503, "unavailable");
    });
  });

  test("a malformed data key answers 503", async () => {
    await withServer(production({ DATA_ENCRYPTION_KEYS: "k:not-base64!!" }), async (client) => {
      assertProblem(await client.get("/api/health"), 503, "unavailable");
    });
  });

  test("ALLOWED_ORIGINS with * is refused", async () => {
    await withServer(production({ ALLOWED_ORIGINS: "*" }), async (client) => {
      assertProblem(await client.get("/api/health"), 503, "unavailable");
    });
  });

  test("outside development plain http is redirected with 308 to https, with HSTS", async () => {
    await withServer(production(), async (client) => {
      for (const path of PATHS) {
        const response = await client.request("POST", path + "?x=1", { json: {} });
        assert.equal(response.status, 308, path);
        const location = new URL(response.headers.get("location"));
        assert.equal(location.protocol, "https:");
        assert.equal(location.pathname + location.search, path + "?x=1");
        assertSecurityHeaders(response, path, { hsts: true });
      }
    });
  });
});
