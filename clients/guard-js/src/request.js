// What the guard reads from a request: the credential (edgeauth_core::flows::auth::
// access_credential) and the CSRF parts (edgeauth_core::policy::csrf::check_request),
// with the same rules.
//   - `Authorization` present: it must be `Bearer <token68>` (scheme in any case), never
//     silently replaced by the cookie; else the `__Host-access` cookie.
//   - A cookie request with an unsafe method: `Origin`, when present, is edgeauth's
//     origin or an allowed one (exactly; "null" is not); `X-CSRF-Token` is present,
//     non-empty and equal to the `__Host-csrf` cookie (constant-time). Whether it is
//     the session's own token is edgeauth's to say (it holds the keys): it goes with
//     the introspection.

import { GuardError } from "./errors.js";

export const ACCESS_COOKIE = "__Host-access";
export const CSRF_COOKIE = "__Host-csrf";
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS", "TRACE"]);

export const isSafe = (method) => SAFE_METHODS.has(method.toUpperCase());

/** The value of cookie `name` in a Cookie header (first occurrence), if any. */
export function cookie(header, name) {
  for (const pair of (header ?? "").split(";")) {
    const at = pair.indexOf("=");
    if (at > 0 && pair.slice(0, at).trim() === name) return pair.slice(at + 1).trim();
  }
  return undefined;
}

/** `{token, via}` of a request, or GuardError 401. */
export function credential(headers) {
  const authorization = headers.get("authorization");
  if (authorization !== null) {
    const match = /^\s*([^ ]+) +([A-Za-z0-9\-._~+/]+=*)\s*$/.exec(authorization);
    if (!match || match[1].toLowerCase() !== "bearer") throw GuardError.unauthenticated();
    return { token: match[2], via: "bearer" };
  }
  const token = cookie(headers.get("cookie"), ACCESS_COOKIE);
  if (!token) throw GuardError.unauthenticated();
  return { token, via: "cookie" };
}

function constantTimeEqual(a, b) {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * The key-free CSRF rule: `undefined` when exempt (Bearer, safe method), the token to
 * have edgeauth bind to the session otherwise; GuardError 403 csrf_failed on failure.
 */
export function csrfToken(method, headers, via, originAllowed) {
  if (via === "bearer" || isSafe(method)) return undefined;
  const origin = headers.get("origin");
  if (origin !== null && !originAllowed(origin)) throw GuardError.csrfFailed();
  const header = headers.get("x-csrf-token");
  const fromCookie = cookie(headers.get("cookie"), CSRF_COOKIE);
  if (!header || fromCookie === undefined || !constantTimeEqual(header, fromCookie)) throw GuardError.csrfFailed();
  return header;
}
