// The one error type the client throws for answers the server refused.
//
// edgeauth answers every failure with an RFC 9457 problem body (docs/contract.md §3):
// `{type, title, status, code, detail?, request_id}`. `EdgeauthError` carries those
// fields, typed, so a page can branch on `code` (stable) and show `requestId` to a user
// who reports a problem. Security: the fields are the server's own static text; nothing
// from the request is echoed into them here either.

/** Content type of a problem body (RFC 9457 §3). */
const PROBLEM_TYPE = /^application\/problem\+json\s*(;|$)/i;

export class EdgeauthError extends Error {
  /**
   * @param {{status: number, code: string, title: string, detail?: string|null,
   *          requestId?: string|null, type?: string|null, retryAfter?: number|null}} fields
   * @param {{cause?: unknown}} [options]
   */
  constructor(fields, options) {
    super(fields.detail ? `${fields.title}: ${fields.detail}` : fields.title, options);
    this.name = "EdgeauthError";
    this.status = fields.status;
    this.code = fields.code;
    this.title = fields.title;
    this.detail = fields.detail ?? null;
    this.requestId = fields.requestId ?? null;
    this.type = fields.type ?? null;
    /** Seconds to wait before trying again (`Retry-After` of a 429), else null. */
    this.retryAfter = fields.retryAfter ?? null;
  }
}

/** Whether `response` carries a problem body (by its content type). */
export function isProblem(response) {
  return PROBLEM_TYPE.test(response.headers.get("content-type") ?? "");
}

/**
 * The `EdgeauthError` of a problem response. Reads the body; a body that is not the
 * problem shape still yields an error with the response's status.
 * @param {Response} response
 * @returns {Promise<EdgeauthError>}
 */
export async function problemError(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    // A truncated or non-JSON problem body: fall through to the status alone.
  }
  const text = (value) => (typeof value === "string" ? value : null);
  const retryAfter = Number.parseInt(response.headers.get("retry-after") ?? "", 10);
  return new EdgeauthError({
    status: typeof body?.status === "number" ? body.status : response.status,
    code: text(body?.code) ?? "unexpected_response",
    title: text(body?.title) ?? `HTTP ${response.status}`,
    detail: text(body?.detail),
    requestId: text(body?.request_id) ?? response.headers.get("x-request-id"),
    type: text(body?.type),
    retryAfter: Number.isFinite(retryAfter) ? retryAfter : null,
  });
}

/** An answer that is neither the expected success nor a problem (e.g. a proxy's HTML page). */
export function unexpectedResponse(response) {
  return new EdgeauthError({
    status: response.status,
    code: "unexpected_response",
    title: `Unexpected answer (HTTP ${response.status})`,
    requestId: response.headers.get("x-request-id"),
  });
}

/** The error for "no session in this browser", decided without asking the server. */
export function notSignedIn() {
  return new EdgeauthError({ status: 401, code: "unauthenticated", title: "Not signed in" });
}
