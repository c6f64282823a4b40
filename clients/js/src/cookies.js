// Reading the one cookie a page may read: `__Host-csrf` (docs/contract.md §4).
//
// Security: the access and refresh tokens live in HttpOnly cookies that script cannot
// read, and this module never tries to. The CSRF token is readable on purpose — echoing
// it in `X-CSRF-Token` proves the request came from a page of this origin — and its
// presence doubles as "this browser holds a session": the server sets and clears it
// together with the refresh cookie, with the refresh cookie's lifetime.

export const CSRF_COOKIE = "__Host-csrf";
export const CSRF_HEADER = "X-CSRF-Token";

/**
 * The value of cookie `name` in a `document.cookie` string, or null.
 * @param {string} cookieString
 * @param {string} name
 */
export function readCookie(cookieString, name) {
  for (const pair of cookieString.split(";")) {
    const at = pair.indexOf("=");
    if (at < 0) continue;
    if (pair.slice(0, at).trim() === name) {
      const value = pair.slice(at + 1).trim();
      return value === "" ? null : value;
    }
  }
  return null;
}

/** Methods that change nothing (RFC 9110 §9.2.1): they need no CSRF header. */
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS", "TRACE"]);

export function isUnsafeMethod(method) {
  return !SAFE_METHODS.has(method.toUpperCase());
}
