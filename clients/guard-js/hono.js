// Hono middleware over @edgeauth/guard: `edgeauth()` authenticates and sets
// c.var.principal, `requireRole(role)` authorises; refusals are edgeauth's problem
// bodies.
//
//   import { Hono } from "hono";
//   import { edgeauth, requireRole } from "@edgeauth/guard/hono";
//   const app = new Hono();
//   app.use("/api/*", edgeauth());                       // env: EDGEAUTH_ORIGIN, binding EDGEAUTH
//   app.get("/api/admin", requireRole("admin"), (c) => c.json({ ok: true }));

import { guardFor, GuardError } from "./index.js";

/**
 * Authenticates every request it sees. `options.guard`: a guard from createGuard
 * (default: one from c.env); `options.binding(c)`: the service binding (default
 * c.env.EDGEAUTH).
 */
export function edgeauth(options = {}) {
  return async (c, next) => {
    try {
      const guard = options.guard ?? guardFor(c.env);
      const binding = options.binding ? options.binding(c) : c.env?.EDGEAUTH;
      c.set("principal", await guard.verify(c.req.raw, { binding }));
    } catch (error) {
      if (error instanceof GuardError) return error.toResponse();
      throw error;
    }
    await next();
  };
}

/** 403 forbidden unless the authenticated principal holds `role`. */
export function requireRole(role) {
  return async (c, next) => {
    const principal = c.get("principal");
    if (!principal) return GuardError.unauthenticated().toResponse();
    if (!principal.roles.includes(role)) return GuardError.forbidden().toResponse();
    await next();
  };
}
