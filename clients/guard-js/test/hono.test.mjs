// The Hono middleware: principal in c.var, refusals as problem bodies, roles.

import assert from "node:assert/strict";
import { test } from "node:test";
import { Hono } from "hono";

import { createGuard } from "../index.js";
import { edgeauth, requireRole } from "../hono.js";
import { clock, FakeEdgeauth, keyPair, ORIGIN, SESSION, token } from "./fakes.mjs";

function app() {
  const key = keyPair("sig-a");
  const fake = new FakeEdgeauth([key]);
  const guard = createGuard({ origin: ORIGIN, now: clock() });
  const hono = new Hono();
  hono.use("/app/*", edgeauth({ guard, binding: () => fake }));
  hono.get("/app/me", (c) => c.json({ user: c.get("principal").userId }));
  hono.get("/app/admin", requireRole("admin"), (c) => c.json({ admin: true }));
  return { key, fake, hono };
}

test("the middleware sets the principal and refuses with problem bodies", async () => {
  const { key, fake, hono } = app();
  const auth = { Authorization: `Bearer ${token(key)}` };
  const me = await hono.request("/app/me", { headers: auth });
  assert.equal(me.status, 200);
  assert.deepEqual(await me.json(), { user: "0123456789abcdef0123456789abcdef" });
  const anonymous = await hono.request("/app/me");
  assert.equal(anonymous.status, 401);
  assert.equal((await anonymous.json()).code, "unauthenticated");
  const admin = await hono.request("/app/admin", { headers: auth });
  assert.equal(admin.status, 403);
  fake.sessions.get(SESSION).roles = ["user", "admin"];
  // Within the bound the remembered answer stands for reads; strict callers would ask.
  assert.equal((await hono.request("/app/admin", { headers: auth })).status, 403);
});

test("the env-configured middleware reads EDGEAUTH_ORIGIN and the EDGEAUTH binding", async () => {
  const key = keyPair("sig-a");
  const fake = new FakeEdgeauth([key]);
  const hono = new Hono();
  hono.use("*", edgeauth());
  hono.get("/x", (c) => c.json({ via: c.get("principal").via }));
  const env = { EDGEAUTH_ORIGIN: ORIGIN, EDGEAUTH: fake, SESSION_CHECK: "strict" };
  const response = await hono.request("/x", { headers: { Authorization: `Bearer ${token(key, { nowMs: Date.now() })}` } }, env);
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { via: "bearer" });
  assert.equal(fake.count("POST /auth/introspect"), 1, "strict, from env");
});
