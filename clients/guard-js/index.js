// @edgeauth/guard: protect your own API with edgeauth sessions (README.md).
//
//   import { verify, requireRole } from "@edgeauth/guard";
//   export default {
//     async fetch(request, env) {
//       try {
//         const principal = await verify(request, env); // env.EDGEAUTH_ORIGIN, env.EDGEAUTH (binding)
//         requireRole(principal, "admin");
//         return Response.json({ hello: principal.userId });
//       } catch (error) {
//         if (error instanceof GuardError) return error.toResponse();
//         throw error;
//       }
//     },
//   };

import { createGuard, optionsFromEnv, requireRole, REVOCATION_BOUND_MS } from "./src/guard.js";
import { GuardError } from "./src/errors.js";

export { createGuard, GuardError, optionsFromEnv, requireRole, REVOCATION_BOUND_MS };

/** One guard per isolate and configuration (its caches live as long as the isolate). */
const guards = new Map();

/** The guard configured by `env` (EDGEAUTH_ORIGIN, …), created once per isolate. */
export function guardFor(env) {
  const options = optionsFromEnv(env ?? {});
  const key = JSON.stringify(options);
  let guard = guards.get(key);
  if (!guard) {
    guard = createGuard(options);
    guards.set(key, guard);
  }
  return guard;
}

/**
 * Framework-free: authenticates `request` with the guard configured by `env`, asking
 * edgeauth over the service binding `env.EDGEAUTH` when there is one. Resolves the
 * principal; throws GuardError (`error.toResponse()` is the answer to send).
 */
export function verify(request, env) {
  return guardFor(env).verify(request, { binding: env?.EDGEAUTH });
}
