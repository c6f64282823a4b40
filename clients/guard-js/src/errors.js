// Refusals, as edgeauth's RFC 9457 problem bodies (docs/contract.md §3): the same
// status, code, title and Retry-After edgeauth's own API answers with.

const TITLES = {
  unauthenticated: "Authentication required",
  forbidden: "Forbidden",
  csrf_failed: "CSRF check failed",
  rate_limited: "Too many requests",
  unavailable: "Service unavailable",
};

export class GuardError extends Error {
  /**
   * @param {number} status
   * @param {keyof typeof TITLES} code
   * @param {{retryAfter?: number, cause?: unknown}} [extra]
   */
  constructor(status, code, { retryAfter, cause } = {}) {
    super(TITLES[code], cause === undefined ? undefined : { cause });
    this.name = "GuardError";
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }

  static unauthenticated() { return new GuardError(401, "unauthenticated"); }
  static forbidden() { return new GuardError(403, "forbidden"); }
  static csrfFailed() { return new GuardError(403, "csrf_failed"); }
  static rateLimited(retryAfter) { return new GuardError(429, "rate_limited", { retryAfter }); }
  static unavailable(cause) { return new GuardError(503, "unavailable", { cause }); }

  /** The problem response (security headers a framework adds are kept by it). */
  toResponse() {
    const requestId = [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join("");
    const headers = {
      "Content-Type": "application/problem+json",
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
      "X-Request-Id": requestId,
    };
    if (this.retryAfter !== undefined) headers["Retry-After"] = String(this.retryAfter);
    return new Response(JSON.stringify({
      type: `https://edgeauth.dev/problems/${this.code}`,
      title: this.message,
      status: this.status,
      code: this.code,
      request_id: requestId,
    }), { status: this.status, headers });
  }
}
