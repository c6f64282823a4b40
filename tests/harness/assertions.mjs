// Assertions of docs/contract.md §2–§3 shared by every test file.
import assert from "node:assert/strict";

export const SECURITY_HEADERS = {
  "content-security-policy": (v) => /default-src 'none'/.test(v) && /frame-ancestors 'none'/.test(v) && /base-uri 'none'/.test(v),
  "x-content-type-options": (v) => v === "nosniff",
  "x-frame-options": (v) => v === "DENY",
  "referrer-policy": (v) => v === "no-referrer" || v === "strict-origin-when-cross-origin",
  "permissions-policy": (v) => ["camera=()", "microphone=()", "geolocation=()"].every((p) => v.includes(p)),
  "cross-origin-opener-policy": (v) => v === "same-origin",
  "cross-origin-resource-policy": (v) => v === "same-origin",
  "x-xss-protection": (v) => v === "0",
  "x-request-id": (v) => /^[0-9a-f]{32}$/.test(v),
};

/** Every §2 header is present with an allowed value; no-store on /auth and /api. */
export function assertSecurityHeaders(response, path, { hsts = false } = {}) {
  for (const [name, ok] of Object.entries(SECURITY_HEADERS)) {
    const value = response.headers.get(name);
    assert.ok(value !== null, `${name} missing on ${path} (${response.status})`);
    assert.ok(ok(value), `${name}: unexpected value ${value} on ${path}`);
  }
  if (path.startsWith("/auth/") || path.startsWith("/api/")) {
    assert.equal(response.headers.get("cache-control"), "no-store", `cache-control on ${path}`);
  }
  if (hsts) {
    assert.match(response.headers.get("strict-transport-security") ?? "", /max-age=63072000; includeSubDomains/);
  }
}

/** An RFC 9457 problem body with the contract's fields and the given status/code. */
export function assertProblem(response, status, code) {
  assert.equal(response.status, status, `status (body: ${response.text})`);
  assert.match(response.headers.get("content-type") ?? "", /^application\/problem\+json/);
  const body = response.json;
  assert.ok(body, "problem body is JSON");
  assert.equal(body.status, status);
  assert.equal(body.code, code);
  assert.equal(typeof body.type, "string");
  assert.equal(typeof body.title, "string");
  assert.equal(body.request_id, response.headers.get("x-request-id"));
  assert.ok(!/stack|panicked|at .*\.rs/i.test(response.text), "no internals in problem bodies");
}

/**
 * The revocation bound of SESSION_CHECK=cached, the default (docs/sessions.md §5: a
 * revocation reaches every read within 5 s), plus slack for a loaded machine.
 */
export const REVOCATION_BOUND_MS = 5_000 + 2_000;

/**
 * Polls `probe` (a read with a revoked credential) until it answers the problem
 * `status`/`code`, failing if it still answers 200 past the revocation bound; returns
 * the last response (asserted as that problem). Where no isolate holds a check of the
 * credential the first answer already refuses.
 */
export async function assertRefusedWithinBound(probe, status = 401, code = "unauthenticated") {
  const since = Date.now();
  for (;;) {
    const response = await probe();
    if (response.status === 200 && Date.now() - since < REVOCATION_BOUND_MS) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      continue;
    }
    assertProblem(response, status, code);
    return response;
  }
}
