// docs/contract.md §2–§3 on every function: security headers on 200/4xx/5xx, problem bodies,
// 404/405/413/415/400, CORS preflight allowed and rejected, unique request ids.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { start } from "./harness/target.mjs";
import { Client } from "./harness/http.mjs";
import { assertProblem, assertSecurityHeaders } from "./harness/assertions.mjs";

// One owned path per function, with a method it answers and a body-taking route.
const FUNCTION_PATHS = {
  login: { post: "/auth/login" },
  reset: { post: "/auth/password/forgot" },
  refresh: { post: "/auth/session/refresh" },
  api: { get: "/api/health" },
};
const ALLOWED_ORIGIN = "http://localhost:3000";

let server;
let client;
before(async () => {
  server = await start();
  client = new Client(server.url);
});
after(() => server.stop());

describe("security headers", () => {
  test("are on every function's responses, success and error alike", async () => {
    const paths = ["/api/health", "/nowhere", "/auth/login", "/auth/password/forgot", "/auth/session/refresh",
      "/auth/register", "/.well-known/jwks.json", "/api/me"];
    for (const path of paths) {
      for (const method of ["GET", "POST", "DELETE"]) {
        const response = await client.request(method, path, method === "POST" ? { json: {} } : {});
        assertSecurityHeaders(response, path);
      }
    }
  });

  test("omit HSTS only for plain-http loopback in development", async () => {
    const response = await client.get("/api/health");
    assert.equal(response.headers.get("strict-transport-security"), null);
  });
});

describe("routing", () => {
  test("GET /api/health answers 200 {status: ok}", async () => {
    const response = await client.get("/api/health");
    assert.equal(response.status, 200);
    assert.deepEqual(response.json, { status: "ok" });
    assert.match(response.headers.get("content-type"), /^application\/json/);
  });

  test("HEAD on a GET route answers without a body", async () => {
    const response = await client.request("HEAD", "/api/health");
    assert.equal(response.status, 200);
    assert.equal(response.text, "");
  });

  test("a path no function owns gets 404 with a problem body", async () => {
    for (const path of ["/", "/nowhere", "/auth", "/auth/unknown", "/api/unknown", "/.well-known/other"]) {
      const response = await client.get(path);
      assertProblem(response, 404, "not_found");
      assertSecurityHeaders(response, path);
    }
  });

  test("an unknown method on a known path gets 405 with Allow", async () => {
    const response = await client.request("DELETE", "/api/health");
    assertProblem(response, 405, "method_not_allowed");
    assert.match(response.headers.get("allow"), /GET/);
    const login = await client.request("GET", FUNCTION_PATHS.login.post);
    assertProblem(login, 405, "method_not_allowed");
    assert.match(login.headers.get("allow"), /POST/);
  });

  test("a method token the platform does not know is still a 405, not a GET", async () => {
    const response = await client.request("QUERY", "/api/health");
    assertProblem(response, 405, "method_not_allowed");
    assert.match(response.headers.get("allow"), /GET/);
  });

  test("every request gets a fresh request id, echoed in the problem body", async () => {
    const ids = new Set();
    for (let i = 0; i < 20; i++) {
      const response = await client.get("/nowhere");
      ids.add(response.headers.get("x-request-id"));
      assert.equal(response.json.request_id, response.headers.get("x-request-id"));
    }
    assert.equal(ids.size, 20);
  });
});

describe("request bodies", () => {
  for (const [fn, { post }] of Object.entries(FUNCTION_PATHS)) {
    if (!post) continue;
    test(`${fn}: a body that is not application/json gets 415`, async () => {
      const response = await client.request("POST", post, {
        body: "email=a@example.com", headers: { "Content-Type": "application/x-www-form-urlencoded" },
      });
      assertProblem(response, 415, "unsupported_media_type");
      assertSecurityHeaders(response, post);
    });

    test(`${fn}: a body over 16 KiB gets 413`, async () => {
      const response = await client.request("POST", post, {
        body: JSON.stringify({ email: "a".repeat(17 * 1024) }), headers: { "Content-Type": "application/json" },
      });
      assertProblem(response, 413, "payload_too_large");
    });

    test(`${fn}: malformed JSON gets 400 invalid_request without echoing input`, async () => {
      const response = await client.request("POST", post, {
        body: '{"email": "leak-me-7731"', headers: { "Content-Type": "application/json" },
      });
      assertProblem(response, 400, "invalid_request");
      assert.ok(!response.text.includes("leak-me-7731"));
    });

    test(`${fn}: unknown fields and wrong types get 400`, async () => {
      for (const json of [{ unexpected_field_9 : "secret-value-9" }, { email: 42, password: ["x"] }, [1, 2]]) {
        const response = await client.post(post, json);
        assertProblem(response, 400, "invalid_request");
        assert.ok(!response.text.includes("secret-value-9"));
      }
    });
  }
});

describe("CORS", () => {
  test("a preflight from an allowed origin is granted with an exact echo and credentials", async () => {
    const response = await client.request("OPTIONS", "/api/health", {
      headers: { Origin: ALLOWED_ORIGIN, "Access-Control-Request-Method": "GET" },
    });
    assert.equal(response.status, 204);
    assert.equal(response.headers.get("access-control-allow-origin"), ALLOWED_ORIGIN);
    assert.equal(response.headers.get("access-control-allow-credentials"), "true");
    assert.match(response.headers.get("vary") ?? "", /Origin/);
    assert.match(response.headers.get("access-control-allow-methods") ?? "", /GET/);
    assertSecurityHeaders(response, "/api/health");
  });

  test("a preflight from any other origin gets 403 cors_rejected", async () => {
    for (const origin of ["https://evil.example", "http://localhost:3000.evil.example", "null"]) {
      for (const path of ["/api/health", "/auth/login", "/nowhere"]) {
        const response = await client.request("OPTIONS", path, {
          headers: { Origin: origin, "Access-Control-Request-Method": "POST" },
        });
        assertProblem(response, 403, "cors_rejected");
        assert.equal(response.headers.get("access-control-allow-origin"), null);
        // The refusal depends on Origin: a cache must not serve it to another origin.
        assert.match(response.headers.get("vary") ?? "", /\bOrigin\b/);
        assertSecurityHeaders(response, path);
      }
    }
  });

  test("an allowed origin's preflight to a path nobody owns is 404, varying on Origin", async () => {
    const response = await client.request("OPTIONS", "/nowhere", {
      headers: { Origin: ALLOWED_ORIGIN, "Access-Control-Request-Method": "GET" },
    });
    assertProblem(response, 404, "not_found");
    assert.match(response.headers.get("vary") ?? "", /\bOrigin\b/);
    assert.equal(response.headers.get("access-control-allow-origin"), null);
  });

  test("actual responses grant only allowlisted origins, never *", async () => {
    const allowed = await client.get("/api/health", { headers: { Origin: ALLOWED_ORIGIN } });
    assert.equal(allowed.headers.get("access-control-allow-origin"), ALLOWED_ORIGIN);
    assert.match(allowed.headers.get("vary") ?? "", /Origin/);
    const other = await client.get("/api/health", { headers: { Origin: "https://evil.example" } });
    assert.equal(other.headers.get("access-control-allow-origin"), null);
  });
});
