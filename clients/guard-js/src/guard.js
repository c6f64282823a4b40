// The guard: edgeauth's checks for a request to your own API (README.md; the Rust twin
// is the edgeauth-guard crate, shared/guard). In order:
//   1. the credential (Bearer, else the __Host-access cookie);
//   2. the token, against edgeauth's published keys (token.js, keys.js);
//   3. the CSRF rule for cookie writes (request.js);
//   4. the session, by edgeauth's introspection (`GET /auth/introspect`, or `POST` with
//      the CSRF token for a write): under SESSION_CHECK=cached (default) a read may use
//      an answer for what is left of the 5 s revocation bound after edgeauth read the
//      records (the answer says how old it is); writes, and every request under
//      `strict`, ask now. The roles are the stored ones.
// Security considerations: fail closed (no keys, no answer, an odd answer → 503; an
// answer about another user or session → 401). Per isolate the guard keeps at most 256
// token digests and 256 session answers (oldest first out), and the public key set.

import { GuardError } from "./errors.js";
import { KeySet } from "./keys.js";
import { credential, csrfToken, isSafe } from "./request.js";
import { TokenRefused, verifyToken } from "./token.js";

/** edgeauth's revocation bound (docs/sessions.md §5). */
export const REVOCATION_BOUND_MS = 5_000;
const CAPACITY = 256;
const MAX_ANSWER_BYTES = 64 * 1024;

/** A Map that drops its oldest entry past `capacity`. */
class Bounded extends Map {
  constructor(capacity) {
    super();
    this.capacity = capacity;
  }
  set(key, value) {
    this.delete(key);
    super.set(key, value);
    if (this.size > this.capacity) this.delete(this.keys().next().value);
    return this;
  }
}

function isOrigin(text) {
  const match = /^(https?):\/\/([^/?#@*\s]+)$/.exec(text ?? "");
  if (!match) return false;
  const host = match[2].replace(/:\d+$/, "");
  return match[1] === "https" || ["127.0.0.1", "localhost", "[::1]"].includes(host);
}

/** Options from a Worker's env (the variables of the Rust guard). */
export function optionsFromEnv(env) {
  const list = (value) => (value ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  return {
    origin: env.EDGEAUTH_ORIGIN,
    audience: env.EDGEAUTH_AUDIENCE || undefined,
    url: env.EDGEAUTH_URL || undefined,
    allowedOrigins: list(env.EDGEAUTH_ALLOWED_ORIGINS),
    sessionCheck: env.SESSION_CHECK || undefined,
  };
}

/**
 * A guard for the edgeauth at `origin` (its PUBLIC_ORIGIN). Keep one per isolate (its
 * caches are the point). See index.d.ts for the options.
 */
export function createGuard(options) {
  const origin = options?.origin;
  if (!isOrigin(origin)) throw new TypeError("edgeauth guard: origin must be https://host[:port] (http only on loopback)");
  const url = options.url ?? origin;
  if (!isOrigin(url)) throw new TypeError("edgeauth guard: url must be an origin");
  const allowedOrigins = options.allowedOrigins ?? [];
  if (!allowedOrigins.every(isOrigin)) throw new TypeError("edgeauth guard: allowedOrigins must be origins");
  const sessionCheck = options.sessionCheck ?? "cached";
  if (sessionCheck !== "cached" && sessionCheck !== "strict") throw new TypeError('edgeauth guard: sessionCheck is "cached" or "strict"');
  const audience = options.audience ?? origin;
  const now = options.now ?? (() => Date.now());
  const tokens = new Bounded(CAPACITY);
  const answers = new Bounded(CAPACITY);
  let keySet;

  const originAllowed = (value) => value === origin || allowedOrigins.includes(value);

  /**
   * @param {{fetch(request: Request): Promise<Response>} | undefined} fetcher
   * @param {string} method
   * @param {string} path
   * @param {{token?: string, body?: string}} [extra]
   */
  async function call(fetcher, method, path, extra = {}) {
    const { token, body } = extra;
    const headers = new Headers();
    if (token) headers.set("Authorization", `Bearer ${token}`);
    if (body !== undefined) headers.set("Content-Type", "application/json");
    const request = new Request(`${url}${path}`, { method, headers, body });
    let response;
    try {
      response = await (fetcher ? fetcher.fetch(request) : fetch(request));
    } catch (error) {
      throw GuardError.unavailable(error);
    }
    const text = await response.text();
    if (text.length > MAX_ANSWER_BYTES) throw GuardError.unavailable("answer too large");
    return { status: response.status, text, headers: response.headers };
  }

  async function fetchKeys(fetcher, nowMs) {
    const answer = await call(fetcher, "GET", "/.well-known/jwks.json");
    if (answer.status !== 200) throw GuardError.unavailable("key set not served");
    try {
      keySet = await KeySet.parse(answer.text, answer.headers.get("cache-control"), nowMs);
    } catch (error) {
      throw GuardError.unavailable(error);
    }
    return keySet;
  }

  async function verifiedToken(token, fetcher, nowMs) {
    let keys = keySet?.isFresh(nowMs) ? keySet : await fetchKeys(fetcher, nowMs);
    const check = (set) => verifyToken(token, { keys: set, issuer: origin, audience, memory: tokens, nowMs });
    try {
      return await check(keys);
    } catch (error) {
      if (!(error instanceof TokenRefused)) throw error;
      if (error.reason === "unknown_key" && keys.mayRefetchForUnknownKid(nowMs)) {
        keys = await fetchKeys(fetcher, nowMs);
        try {
          return await check(keys);
        } catch (again) {
          if (again instanceof TokenRefused) throw GuardError.unauthenticated();
          throw again;
        }
      }
      throw GuardError.unauthenticated();
    }
  }

  function sessionAnswer(answer, facts, sentMs) {
    if (answer.status === 401) throw GuardError.unauthenticated();
    if (answer.status === 403) {
      let code;
      try { code = JSON.parse(answer.text).code; } catch { /* not a problem body */ }
      throw code === "csrf_failed" ? GuardError.csrfFailed() : GuardError.forbidden();
    }
    if (answer.status === 429) {
      const seconds = Number.parseInt(answer.headers.get("retry-after") ?? "", 10);
      throw GuardError.rateLimited(Number.isFinite(seconds) && seconds > 0 ? seconds : 1);
    }
    if (answer.status !== 200) throw GuardError.unavailable(`introspection answered ${answer.status}`);
    let body;
    try { body = JSON.parse(answer.text); } catch { throw GuardError.unavailable("introspection unreadable"); }
    if (body?.active !== true || body.sub !== facts.userId || body.sid !== facts.sessionId || !Array.isArray(body.roles)) {
      throw GuardError.unauthenticated();
    }
    const age = Math.min(Math.max(Number(body.age_ms) || 0, 0), REVOCATION_BOUND_MS);
    const checkedAtMs = sentMs - age;
    return {
      roles: body.roles.filter((role) => typeof role === "string"),
      emailVerified: body.email_verified === true,
      checkedAtMs,
      validUntilMs: checkedAtMs + REVOCATION_BOUND_MS,
    };
  }

  /**
   * Authenticates `request`; resolves its Principal or throws GuardError.
   * `binding`: edgeauth's refresh Worker as a service binding (else global fetch to `url`).
   * @param {Request} request
   * @param {{binding?: {fetch(request: Request): Promise<Response>}}} [options]
   */
  async function verify(request, { binding } = {}) {
    const nowMs = now();
    const { token, via } = credential(request.headers);
    const facts = await verifiedToken(token, binding, nowMs);
    const csrf = csrfToken(request.method, request.headers, via, originAllowed);
    const strict = sessionCheck === "strict";
    const fresh = strict || !isSafe(request.method);
    const key = `${facts.userId}/${facts.sessionId}`;
    let checked = fresh ? undefined : answers.get(key);
    if (checked && !(nowMs >= checked.checkedAtMs && nowMs < checked.validUntilMs)) checked = undefined;
    if (!checked) {
      const sentMs = now();
      const answer = fresh
        ? await call(binding, "POST", "/auth/introspect", { token, body: JSON.stringify(csrf === undefined ? {} : { csrf_token: csrf }) })
        : await call(binding, "GET", "/auth/introspect", { token });
      checked = sessionAnswer(answer, facts, sentMs);
      if (!strict) answers.set(key, checked);
    }
    return Object.freeze({
      userId: facts.userId,
      sessionId: facts.sessionId,
      roles: Object.freeze([...checked.roles]),
      emailVerified: checked.emailVerified,
      via,
      tokenExpiresAt: facts.expiresAt,
      checkedAtMs: checked.checkedAtMs,
      hasRole(role) { return checked.roles.includes(role); },
    });
  }

  return { verify, originAllowed, options: Object.freeze({ origin, audience, url, allowedOrigins, sessionCheck }) };
}

/** 403 forbidden unless `principal` holds `role` (exact spelling). */
export function requireRole(principal, role) {
  if (!principal?.roles?.includes(role)) throw GuardError.forbidden();
}
