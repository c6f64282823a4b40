import type { MiddlewareHandler } from "hono";
import type { EdgeauthBinding, Guard, GuardEnv, Principal } from "./index.js";

export type { Principal } from "./index.js";

/** The variables the middleware sets: `c.get("principal")`. */
export interface EdgeauthVariables {
  principal: Principal;
}

export interface EdgeauthMiddlewareOptions {
  /** A guard from createGuard (default: one configured from `c.env`). */
  guard?: Guard;
  /** The service binding to edgeauth (default `c.env.EDGEAUTH`). */
  binding?: (c: any) => EdgeauthBinding | undefined;
}

export declare function edgeauth(
  options?: EdgeauthMiddlewareOptions,
): MiddlewareHandler<{ Bindings: GuardEnv; Variables: EdgeauthVariables }>;

export declare function requireRole(
  role: string,
): MiddlewareHandler<{ Bindings: GuardEnv; Variables: EdgeauthVariables }>;
