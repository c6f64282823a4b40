// `createClient`: the browser's side of edgeauth's cookie-mode sessions.
//
// It ties the pieces together: requests leave through the transport (same origin,
// cookies, CSRF header), a `401 unauthenticated` is answered by one coalesced refresh
// and one retry (refresh.js), and sign-in, refresh and sign-out become events in this
// tab and in the others (session-events.js).
//
// Security considerations:
// - Cookie mode only: sign-in asks for `mode: "cookie"`, so the tokens travel in
//   HttpOnly cookies the page cannot read. The client holds no token and writes
//   nothing to localStorage, sessionStorage or IndexedDB; what it remembers (user,
//   expiry times) lives in memory and dies with the page.
// - Only `401 unauthenticated` triggers a refresh, never `invalid_credentials` or
//   `invalid_mfa`; a request is retried once, never in a loop.
// - A refresh refused with 401 means the session is over for every tab (they share the
//   cookies): the client says `signed_out` here and to the other tabs.

import { EdgeauthError, isProblem, notSignedIn, problemError, unexpectedResponse } from "./errors.js";
import { authenticate, conditionalMediationAvailable, creationOptions, credentialJSON } from "./passkeys.js";
import { RefreshCoordinator } from "./refresh.js";
import { Listeners, SessionChannel } from "./session-events.js";
import { Transport, resolveBase } from "./transport.js";

const DEFAULT_NAME = "edgeauth";
const DEFAULT_REFRESH_TIMEOUT_MS = 15_000;

/** Options with their defaults from the page's globals (each can be replaced, for tests). */
function environment(options) {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  if (typeof fetchImpl !== "function") throw new TypeError("createClient: no fetch implementation");
  const name = options.name ?? DEFAULT_NAME;
  if (typeof name !== "string" || !/^[\w.-]{1,64}$/.test(name)) {
    throw new TypeError("createClient: name must be 1-64 letters, digits, '_', '.' or '-'");
  }
  const refreshTimeoutMs = options.refreshTimeoutMs ?? DEFAULT_REFRESH_TIMEOUT_MS;
  if (!(Number.isFinite(refreshTimeoutMs) && refreshTimeoutMs > 0)) {
    throw new TypeError("createClient: refreshTimeoutMs must be a positive number");
  }
  const pick = (key, fallback) => (key in options ? options[key] : fallback);
  return {
    base: resolveBase(options.baseUrl, pick("location", globalThis.location)),
    // Called on globalThis: a bare `window.fetch` throws "Illegal invocation" otherwise.
    fetch: (request) => fetchImpl.call(globalThis, request),
    document: pick("document", globalThis.document ?? null),
    locks: pick("locks", globalThis.navigator?.locks ?? null),
    BroadcastChannel: pick("BroadcastChannel", globalThis.BroadcastChannel ?? null),
    now: options.now ?? Date.now,
    credentials: pick("credentials", globalThis.navigator?.credentials ?? null),
    PublicKeyCredential: pick("PublicKeyCredential", globalThis.PublicKeyCredential ?? null),
    setTimeout: options.setTimeout ?? globalThis.setTimeout,
    clearTimeout: options.clearTimeout ?? globalThis.clearTimeout,
    name,
    refreshTimeoutMs,
  };
}

/** `{user, sessionId, accessExpiresAt}` of a login or refresh answer; throws on another shape. */
function sessionOf(body, response) {
  const user = body?.user;
  const expires = new Date(body?.access_expires_at);
  if (typeof user?.id !== "string" || typeof user.email !== "string" || !Array.isArray(user.roles)
      || typeof body.session_id !== "string" || Number.isNaN(expires.getTime())) {
    throw unexpectedResponse(response);
  }
  return { user: { id: user.id, email: user.email, roles: [...user.roles] }, sessionId: body.session_id, accessExpiresAt: expires };
}

/**
 * Creates a client for the edgeauth API on this page's origin.
 * @param {import("../index.js").ClientOptions} [options]
 * @returns {import("../index.js").EdgeauthClient}
 */
export function createClient(options = {}) {
  const env = environment(options);
  const transport = new Transport(env);
  const listeners = new Listeners();
  /** What this tab knows; memory only. @type {{status: "unknown"|"signed_in"|"signed_out", user: import("../index.js").User|null, accessExpiresAt: Date|null}} */
  const state = { status: "unknown", user: null, accessExpiresAt: null };

  // --- state and events --------------------------------------------------------------

  /**
   * Records a session change and tells this tab's listeners. `discovered`: the change
   * was found rather than made (no session at page load) — an event only if this tab
   * believed it was signed in.
   */
  function apply(type, { user = null, accessExpiresAt = null, fromOtherTab, discovered = false }) {
    if (type === "signed_out") {
      const notify = state.status === "signed_in" || (!discovered && state.status === "unknown");
      Object.assign(state, { status: "signed_out", user: null, accessExpiresAt: null });
      if (notify) listeners.emit({ type, user: null, fromOtherTab });
      return;
    }
    state.status = "signed_in";
    state.user = user ?? state.user;
    state.accessExpiresAt = accessExpiresAt ?? state.accessExpiresAt;
    listeners.emit({ type, user: state.user, fromOtherTab });
  }

  /** An event of this tab: applied here and told to the other tabs. */
  function announce(type, at, session = {}) {
    apply(type, { ...session, fromOtherTab: false });
    channel.post(type, at, { user: session.user ?? null, accessExpiresAt: session.accessExpiresAt?.getTime() ?? null });
  }

  const channel = new SessionChannel({
    BroadcastChannel: env.BroadcastChannel,
    name: env.name,
    onMessage(message) {
      // A sibling's sign-in or refresh renewed the cookies this tab shares.
      if (message.type !== "signed_out") coordinator.noteRenewed(message.at);
      const expires = message.accessExpiresAt === null ? null : new Date(message.accessExpiresAt);
      apply(message.type, { user: message.user, accessExpiresAt: expires, fromOtherTab: true });
    },
  });

  // --- requests ----------------------------------------------------------------------

  /**
   * Sends a request; a problem answer is thrown as an EdgeauthError. With `retry`, a
   * `401 unauthenticated` gets one coalesced refresh and one retry.
   */
  async function send(input, init, { retry }) {
    const template = transport.prepare(input, init);
    const sentAt = env.now();
    const response = await transport.send(template, init?.redirect);
    if (!isProblem(response)) return response;
    const error = await problemError(response);
    if (!retry || error.status !== 401 || error.code !== "unauthenticated") throw error;
    try {
      await refreshAfter(sentAt);
    } catch (refreshError) {
      // The session is over: the caller's own 401 (with its request id) says so best.
      if (refreshError instanceof EdgeauthError && refreshError.status === 401) {
        error.cause = refreshError;
        throw error;
      }
      throw refreshError; // rate limited, network down, …: not a sign-out.
    }
    const retried = await transport.send(template, init?.redirect);
    if (!isProblem(retried)) return retried;
    throw await problemError(retried);
  }

  /**
   * A JSON call of the API; resolves with the body (null for 204) and the response.
   * @param {string} method
   * @param {string} path
   * @param {unknown} body
   * @param {{retry?: boolean, signal?: AbortSignal}} [options]
   */
  async function call(method, path, body, { retry = false, signal } = {}) {
    /** @type {RequestInit & {headers: Record<string, string>}} */
    const init = { method, headers: { Accept: "application/json" }, signal };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await send(path, init, { retry });
    if (response.status === 204) return { body: null, response };
    if (!/^application\/json\b/i.test(response.headers.get("content-type") ?? "") || !response.ok) {
      throw unexpectedResponse(response);
    }
    return { body: await response.json(), response };
  }

  // --- refresh -----------------------------------------------------------------------

  async function performRefresh() {
    // Checked again under the lock: a sibling may have signed out meanwhile.
    if (transport.csrfToken() === null) throw notSignedIn();
    let answer;
    try {
      answer = await call("POST", "/auth/session/refresh", undefined,
        { signal: AbortSignal.timeout?.(env.refreshTimeoutMs) });
    } catch (error) {
      if (error instanceof EdgeauthError && error.status === 401) announce("signed_out", env.now());
      throw error;
    }
    const session = sessionOf(answer.body, answer.response);
    const at = env.now();
    announce("refreshed", at, session);
    return { at, session };
  }

  const coordinator = new RefreshCoordinator({
    locks: env.locks, now: env.now, name: env.name, performRefresh,
  });

  /** Makes sure the cookies were renewed after `since`; rejects if the session is over. */
  function refreshAfter(since) {
    // No CSRF cookie, no session: the server would refuse; do not ask it.
    if (transport.csrfToken() === null) {
      apply("signed_out", { fromOtherTab: false, discovered: true });
      return Promise.reject(notSignedIn());
    }
    return coordinator.refreshIfStale(since);
  }

  async function sessionStarted(answer) {
    const session = sessionOf(answer.body, answer.response);
    const at = env.now();
    // A sign-in renews the cookies like a refresh: requests sent before it retry.
    await coordinator.markRenewed(at);
    announce("signed_in", at, session);
    return { status: /** @type {const} */ ("signed_in"), ...session };
  }

  async function endSession(path, retry) {
    try {
      await call("POST", path, undefined, { retry });
    } catch (error) {
      // 401: no live session to end; the outcome the caller wanted.
      if (!(error instanceof EdgeauthError && error.status === 401)) throw error;
    }
    announce("signed_out", env.now());
  }

  async function currentSession() {
    let answer;
    try {
      answer = await call("GET", "/auth/session", undefined, { retry: true });
    } catch (error) {
      if (error instanceof EdgeauthError && error.status === 401) {
        apply("signed_out", { fromOtherTab: false, discovered: true });
        return null;
      }
      throw error;
    }
    const { body, response } = answer;
    const expiresAt = new Date(body?.expires_at);
    if (typeof body?.user?.id !== "string" || Number.isNaN(expiresAt.getTime())) throw unexpectedResponse(response);
    // Discovering a session (e.g. at page load) is not an event; it updates the state.
    state.status = "signed_in";
    state.user = { id: body.user.id, email: body.user.email, roles: [...body.user.roles] };
    return { user: state.user, sessionId: body.session_id, expiresAt };
  }

  /** A session of `GET /auth/sessions`, with dates; throws on another shape. */
  function sessionInfoOf(item, response) {
    const createdAt = new Date(item?.created_at);
    const lastUsedAt = new Date(item?.last_used_at);
    if (typeof item?.id !== "string" || Number.isNaN(createdAt.getTime()) || Number.isNaN(lastUsedAt.getTime())
        || typeof item.current !== "boolean") {
      throw unexpectedResponse(response);
    }
    return {
      id: item.id, createdAt, lastUsedAt, current: item.current,
      userAgent: typeof item.user_agent === "string" ? item.user_agent : null,
      ipPrefix: typeof item.ip_prefix === "string" ? item.ip_prefix : null,
    };
  }

  const statusOnly = async (method, path, body, options) => ({ status: (await call(method, path, body, options)).body.status });

  // --- passkeys ----------------------------------------------------------------------

  /** The browser's credentials container; a TypeError where WebAuthn is missing. */
  function webauthn() {
    if (!env.PublicKeyCredential || typeof env.credentials?.get !== "function") {
      throw new TypeError("edgeauth client: this browser has no WebAuthn (passkeys)");
    }
    return env.credentials;
  }

  /** A passkey of `GET /api/me/passkeys`, with dates; throws on another shape. */
  function passkeyOf(item, response) {
    const createdAt = new Date(item?.created_at);
    if (typeof item?.id !== "string" || typeof item.name !== "string" || Number.isNaN(createdAt.getTime())) {
      throw unexpectedResponse(response);
    }
    const date = (value) => (typeof value === "string" ? new Date(value) : null);
    return {
      id: item.id, name: item.name, createdAt, lastUsedAt: date(item.last_used_at),
      backedUp: item.backed_up === true, backupEligible: item.backup_eligible === true,
      algorithm: typeof item.algorithm === "string" ? item.algorithm : null,
      counterRegressedAt: date(item.counter_regressed_at),
    };
  }

  /**
   * One assertion for the request options `path` answers (with `body`).
   * @param {string} path
   * @param {unknown} body
   * @param {{mediation?: CredentialMediationRequirement, signal?: AbortSignal}} [options]
   */
  async function assertion(path, body, { mediation, signal } = {}) {
    const credentials = webauthn();
    const credential = await authenticate({
      credentials, PublicKeyCredential: env.PublicKeyCredential, mediation, signal,
      setTimeout: env.setTimeout, clearTimeout: env.clearTimeout,
      fetchOptions: async () => (await call("POST", path, body, { retry: path.startsWith("/api/"), signal })).body.options,
    });
    if (!credential) throw new TypeError("edgeauth client: no passkey was chosen");
    return credentialJSON(credential);
  }

  /** `{reauthenticatedAt, recentUntil}` of a re-authentication answer. */
  function recentOf({ body, response }) {
    const reauthenticatedAt = new Date(body?.reauthenticated_at);
    const recentUntil = new Date(body?.recent_until);
    if (Number.isNaN(reauthenticatedAt.getTime()) || Number.isNaN(recentUntil.getTime())) throw unexpectedResponse(response);
    return { reauthenticatedAt, recentUntil };
  }

  return Object.freeze({
    async signIn({ email, password }) {
      const answer = await call("POST", "/auth/login", { email, password, mode: "cookie" });
      if (answer.body?.mfa_required === true && typeof answer.body.mfa_token === "string") {
        return { status: /** @type {const} */ ("mfa_required"), mfaToken: answer.body.mfa_token };
      }
      return sessionStarted(answer);
    },

    async completeMfa(step) {
      const { mfaToken, code, recoveryCode } = step;
      if ((code === undefined) === (recoveryCode === undefined)) {
        throw new TypeError("completeMfa needs exactly one of code and recoveryCode");
      }
      const body = code !== undefined ? { mfa_token: mfaToken, code } : { mfa_token: mfaToken, recovery_code: recoveryCode };
      return sessionStarted(await call("POST", "/auth/login/mfa", body));
    },

    /** @param {{mediation?: CredentialMediationRequirement, signal?: AbortSignal}} [options] */
    async signInWithPasskey({ mediation, signal } = {}) {
      const credential = await assertion("/auth/passkey/options", undefined, { mediation, signal });
      return sessionStarted(await call("POST", "/auth/passkey/verify", { credential, mode: "cookie" }));
    },

    /** @param {{mfaToken?: string, signal?: AbortSignal}} [step] */
    async completeMfaWithPasskey({ mfaToken, signal } = {}) {
      if (typeof mfaToken !== "string" || mfaToken.length === 0) throw new TypeError("completeMfaWithPasskey needs the mfaToken");
      const credential = await assertion("/auth/login/mfa/passkey/options", { mfa_token: mfaToken }, { signal });
      return sessionStarted(await call("POST", "/auth/login/mfa", { mfa_token: mfaToken, credential }));
    },

    /** @param {{name?: string, signal?: AbortSignal}} [options] */
    async registerPasskey({ name, signal } = {}) {
      const credentials = webauthn();
      const { body } = await call("POST", "/api/me/passkeys/options", undefined, { retry: true, signal });
      const created = await credentials.create({ publicKey: creationOptions(body.options, env.PublicKeyCredential), signal });
      if (!created) throw new TypeError("edgeauth client: no passkey was created");
      const payload = { credential: credentialJSON(created) };
      if (typeof name === "string" && name.trim() !== "") payload.name = name.trim();
      const answer = await call("POST", "/api/me/passkeys", payload, { retry: true });
      return passkeyOf(answer.body, answer.response);
    },

    async listPasskeys() {
      const { body, response } = await call("GET", "/api/me/passkeys", undefined, { retry: true });
      if (!Array.isArray(body?.passkeys)) throw unexpectedResponse(response);
      return body.passkeys.map((item) => passkeyOf(item, response));
    },

    async renamePasskey(id, name) {
      if (typeof id !== "string" || id.length === 0) throw new TypeError("renamePasskey needs a passkey id");
      const answer = await call("PUT", `/api/me/passkeys/${encodeURIComponent(id)}`, { name }, { retry: true });
      return passkeyOf(answer.body, answer.response);
    },

    async removePasskey(id) {
      if (typeof id !== "string" || id.length === 0) throw new TypeError("removePasskey needs a passkey id");
      await call("DELETE", `/api/me/passkeys/${encodeURIComponent(id)}`, undefined, { retry: true });
    },

    async reauthenticate({ password }) {
      return recentOf(await call("POST", "/api/me/reauthenticate", { password }, { retry: true }));
    },

    /** @param {{signal?: AbortSignal}} [options] */
    async reauthenticateWithPasskey({ signal } = {}) {
      const credential = await assertion("/api/me/reauthenticate/options", undefined, { signal });
      return recentOf(await call("POST", "/api/me/reauthenticate", { credential }, { retry: true }));
    },

    passkeysAvailable: () => Boolean(env.PublicKeyCredential && typeof env.credentials?.get === "function"),
    conditionalMediationAvailable: () => conditionalMediationAvailable(env.PublicKeyCredential),

    register: ({ email, password }) => statusOnly("POST", "/auth/register", { email, password }),
    verifyEmail: ({ token }) => statusOnly("POST", "/auth/email/verify", { token }),
    forgotPassword: ({ email }) => statusOnly("POST", "/auth/password/forgot", { email }),
    resetPassword: ({ token, password }) => statusOnly("POST", "/auth/password/reset", { token, password }),
    changePassword: ({ currentPassword, newPassword }) => statusOnly("POST", "/auth/password/change",
      { current_password: currentPassword, new_password: newPassword }, { retry: true }),

    // A security notice's "this wasn't me" link (`/security-alert#token=…`): the
    // account is signed out everywhere, its password locked and a reset link mailed.
    // Public: it needs no session, so it is never refreshed or retried.
    async reportCompromise(token) {
      if (typeof token !== "string" || token.length === 0) {
        throw new TypeError("reportCompromise needs the token of the notice's link");
      }
      const { body, response } = await call("POST", "/auth/security/not-me", { token });
      const revoked = body?.sessions_revoked;
      if (body?.status !== "secured" || !Number.isSafeInteger(revoked) || revoked < 0) {
        throw unexpectedResponse(response);
      }
      return { status: /** @type {const} */ ("secured"), sessionsRevoked: revoked };
    },

    // logout accepts the refresh cookie when the access token has expired: no refresh.
    signOut: () => endSession("/auth/session/logout", false),
    signOutEverywhere: () => endSession("/auth/session/logout-all", true),

    async listSessions() {
      const { body, response } = await call("GET", "/auth/sessions", undefined, { retry: true });
      if (!Array.isArray(body?.sessions)) throw unexpectedResponse(response);
      return body.sessions.map((item) => sessionInfoOf(item, response));
    },

    async revokeSession(id) {
      // An id is opaque: encoded as one path segment, so it cannot name another route.
      if (typeof id !== "string" || id.length === 0) throw new TypeError("revokeSession needs a session id");
      await call("DELETE", `/auth/sessions/${encodeURIComponent(id)}`, undefined, { retry: true });
    },

    currentSession,
    async currentUser() {
      return (await currentSession())?.user ?? null;
    },

    async refresh() {
      const outcome = await refreshAfter(env.now());
      return {
        refreshedBy: outcome.source === "network" ? /** @type {const} */ ("this_tab") : /** @type {const} */ ("another_tab"),
        accessExpiresAt: state.accessExpiresAt,
      };
    },

    fetch: (input, init) => send(input, init, { retry: true }),

    onSessionChange: (listener) => listeners.add(listener),

    get state() {
      return { status: state.status, user: state.user, accessExpiresAt: state.accessExpiresAt };
    },

    close() {
      channel.close();
      coordinator.close();
      listeners.clear();
    },
  });
}
