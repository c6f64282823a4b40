// Types of @edgeauth/client (hand-written; the runtime is index.js, plain JavaScript).
// The HTTP contract behind them: docs/contract.md §3–§5 and docs/openapi.yaml.

/** A user as the session routes return it (docs/contract.md §5). */
export interface User {
  readonly id: string;
  readonly email: string;
  readonly roles: readonly string[];
}

/** The stable error codes of docs/contract.md §3, plus the client's own `unexpected_response`. */
export type ErrorCode =
  | "invalid_request"
  | "weak_password"
  | "invalid_credentials"
  | "invalid_mfa"
  | "unauthenticated"
  | "forbidden"
  /** Adding or removing a passkey needs a recent sign-in: `reauthenticate…` first. */
  | "reauthentication_required"
  | "csrf_failed"
  | "cors_rejected"
  | "not_found"
  | "method_not_allowed"
  | "payload_too_large"
  | "unsupported_media_type"
  | "rate_limited"
  | "internal"
  | "unavailable"
  /** An answer that is neither the expected success nor a problem body. */
  | "unexpected_response";

/** A refused request: the fields of the RFC 9457 problem body the server sent. */
export declare class EdgeauthError extends Error {
  readonly name: "EdgeauthError";
  readonly status: number;
  readonly code: ErrorCode;
  readonly title: string;
  readonly detail: string | null;
  /** The server's `request_id` (also `X-Request-Id`); null for errors decided in the page. */
  readonly requestId: string | null;
  readonly type: string | null;
  /** Seconds from `Retry-After` (429), else null. */
  readonly retryAfter: number | null;
  constructor(
    fields: {
      status: number;
      code: ErrorCode;
      title: string;
      detail?: string | null;
      requestId?: string | null;
      type?: string | null;
      retryAfter?: number | null;
    },
    options?: { cause?: unknown },
  );
}

export interface ClientOptions {
  /** The API's base URL; defaults to this page's origin, and must be of it in a page. */
  baseUrl?: string | URL;
  /** The fetch to send requests with (default: the global fetch). */
  fetch?: (request: Request) => Promise<Response>;
  /**
   * Prefix of the Web Lock and BroadcastChannel names: clients with the same name
   * coordinate across tabs. Default `"edgeauth"`.
   */
  name?: string;
  /** How long a refresh may take before it is abandoned (ms). Default 15000. */
  refreshTimeoutMs?: number;
  // Environment overrides, for tests and hosts without the browser globals; `null`
  // switches a feature off (e.g. `locks: null` coordinates within the tab only).
  document?: { readonly cookie: string } | null;
  location?: { readonly href: string; readonly origin: string } | null;
  locks?: LockManager | null;
  BroadcastChannel?: { new (name: string): BroadcastChannel } | null;
  now?: () => number;
  /** `navigator.credentials` (passkeys); `null` switches passkeys off. */
  credentials?: Pick<CredentialsContainer, "create" | "get"> | null;
  /** The `PublicKeyCredential` interface (its static JSON parsers and capability checks). */
  PublicKeyCredential?: unknown | null;
  /** Timers of the conditional request's renewal (tests). */
  setTimeout?: (callback: () => void, ms: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
}

/** A session that exists now. */
export interface SignedIn {
  readonly status: "signed_in";
  readonly user: User;
  readonly sessionId: string;
  /** When the access cookie expires; the client refreshes on demand after that. */
  readonly accessExpiresAt: Date;
}

/** The password was right; a second factor is needed (`completeMfa`). */
export interface MfaRequired {
  readonly status: "mfa_required";
  /** Single use, five minutes. */
  readonly mfaToken: string;
}

export type MfaStep =
  | { mfaToken: string; code: string; recoveryCode?: never }
  | { mfaToken: string; recoveryCode: string; code?: never };

/** One of the caller's passkeys (`GET /api/me/passkeys`). */
export interface Passkey {
  readonly id: string;
  /** The user's name for it. */
  readonly name: string;
  readonly createdAt: Date;
  /** Its last sign-in (or confirmation), null if never used. */
  readonly lastUsedAt: Date | null;
  /** Synced to the provider's cloud (the BS flag). */
  readonly backedUp: boolean;
  /** May be synced (a multi-device passkey; the BE flag). */
  readonly backupEligible: boolean;
  /** `ES256`, `EdDSA` or `RS256`. */
  readonly algorithm: string | null;
  /** When an assertion with a counter that went backwards arrived (a possible clone), else null. */
  readonly counterRegressedAt: Date | null;
}

/** A re-authentication: the session counts as freshly signed in until `recentUntil`. */
export interface Reauthenticated {
  readonly reauthenticatedAt: Date;
  readonly recentUntil: Date;
}

export interface CurrentSession {
  readonly user: User;
  readonly sessionId: string;
  /** When the session ends at the latest (idle or absolute limit). */
  readonly expiresAt: Date;
}

/** One of the caller's sessions (`GET /auth/sessions`). */
export interface SessionInfo {
  readonly id: string;
  readonly createdAt: Date;
  readonly lastUsedAt: Date;
  /** The browser's user agent when the session started, if known. */
  readonly userAgent: string | null;
  /** The coarse address (IPv4 /24, IPv6 /48), never the full one. */
  readonly ipPrefix: string | null;
  /** True for the session of this browser. */
  readonly current: boolean;
}

/** What `reportCompromise` did: the account is secured (docs/monitoring.md, "User notices"). */
export interface CompromiseReport {
  readonly status: "secured";
  /** How many sessions of the account were ended (every one it had). */
  readonly sessionsRevoked: number;
}

export interface RefreshOutcome {
  /** Whether this tab sent the refresh, or found that another tab just had. */
  readonly refreshedBy: "this_tab" | "another_tab";
  readonly accessExpiresAt: Date | null;
}

export interface SessionChangeEvent {
  readonly type: "signed_in" | "signed_out" | "refreshed";
  /** The signed-in user; null for `signed_out`. */
  readonly user: User | null;
  /** True when another tab of this origin caused it. */
  readonly fromOtherTab: boolean;
}

export interface ClientState {
  /** `unknown` until a sign-in, refresh, session lookup or sign-out tells. */
  readonly status: "unknown" | "signed_in" | "signed_out";
  readonly user: User | null;
  readonly accessExpiresAt: Date | null;
}

export interface EdgeauthClient {
  /** `POST /auth/login` in cookie mode. Throws `EdgeauthError` (e.g. `invalid_credentials`, `rate_limited`). */
  signIn(credentials: { email: string; password: string }): Promise<SignedIn | MfaRequired>;
  /** `POST /auth/login/mfa` with a TOTP code or a recovery code. */
  completeMfa(step: MfaStep): Promise<SignedIn>;
  /**
   * Passwordless sign-in with a discoverable passkey (`POST /auth/passkey/options`,
   * `navigator.credentials.get`, `POST /auth/passkey/verify`). With `mediation:
   * "conditional"` the passkeys appear in the autofill of an `autocomplete="username
   * webauthn"` field and the promise waits for the user's choice (renewing its challenge
   * before it expires) until `signal` aborts. Throws `EdgeauthError`
   * (`invalid_credentials` for any refused passkey), or the browser's `DOMException`
   * (`NotAllowedError` when the user cancels, `AbortError` when aborted).
   */
  signInWithPasskey(options?: { mediation?: "conditional" | "optional" | "required"; signal?: AbortSignal }): Promise<SignedIn>;
  /** The second step of a password login with a passkey instead of a code (`invalid_mfa` when refused). */
  completeMfaWithPasskey(step: { mfaToken: string; signal?: AbortSignal }): Promise<SignedIn>;
  /**
   * Registers a passkey for the signed-in user (`POST /api/me/passkeys/options`,
   * `navigator.credentials.create`, `POST /api/me/passkeys`). `reauthentication_required`
   * when the sign-in is older than five minutes: call `reauthenticate…`, then retry.
   */
  registerPasskey(options?: { name?: string; signal?: AbortSignal }): Promise<Passkey>;
  /** `GET /api/me/passkeys`, oldest first. */
  listPasskeys(): Promise<Passkey[]>;
  /** `PUT /api/me/passkeys/{id}`: 1–64 characters. */
  renamePasskey(id: string, name: string): Promise<Passkey>;
  /**
   * `DELETE /api/me/passkeys/{id}`: needs a recent sign-in (`reauthentication_required`);
   * the last way to sign in cannot be removed (`invalid_request`).
   */
  removePasskey(id: string): Promise<void>;
  /** `POST /api/me/reauthenticate` with the password. */
  reauthenticate(args: { password: string }): Promise<Reauthenticated>;
  /** `POST /api/me/reauthenticate` with one of the user's passkeys. */
  reauthenticateWithPasskey(options?: { signal?: AbortSignal }): Promise<Reauthenticated>;
  /** Whether this browser has WebAuthn. */
  passkeysAvailable(): boolean;
  /** Whether this browser can offer passkeys in autofill. */
  conditionalMediationAvailable(): Promise<boolean>;
  /** `POST /auth/register`: always `accepted` (no account enumeration); a mail follows. */
  register(account: { email: string; password: string }): Promise<{ status: "accepted" }>;
  /** `POST /auth/email/verify` with the token of the mailed link's fragment. */
  verifyEmail(args: { token: string }): Promise<{ status: "verified" }>;
  /** `POST /auth/password/forgot`: always `accepted`. */
  forgotPassword(args: { email: string }): Promise<{ status: "accepted" }>;
  /** `POST /auth/password/reset`: ends every session of the user. */
  resetPassword(args: { token: string; password: string }): Promise<{ status: "reset" }>;
  /** `POST /auth/password/change` (signed in): ends the user's other sessions. */
  changePassword(args: { currentPassword: string; newPassword: string }): Promise<{ status: "changed" }>;
  /**
   * `POST /auth/security/not-me` with the token of a security notice's "this wasn't me"
   * link (`/security-alert#token=…`): ends every session of the account, locks its
   * password and mails its owner a reset link. Needs no session. A used, expired or
   * unknown token rejects with `invalid_request`.
   */
  reportCompromise(token: string): Promise<CompromiseReport>;
  /** `POST /auth/session/logout`; every tab hears `signed_out`. Resolves also when already signed out. */
  signOut(): Promise<void>;
  /** `POST /auth/session/logout-all`: every session of the user, every tab. */
  signOutEverywhere(): Promise<void>;
  /** `GET /auth/sessions`: the user's live sessions, newest first. */
  listSessions(): Promise<SessionInfo[]>;
  /** `DELETE /auth/sessions/{id}`: ends one of the user's sessions (`not_found` for any other id). */
  revokeSession(id: string): Promise<void>;
  /** `GET /auth/session` (refreshing if needed); null when signed out. */
  currentSession(): Promise<CurrentSession | null>;
  /** The user of `currentSession()`, or null. */
  currentUser(): Promise<User | null>;
  /** Renews the cookies now: one request however many callers and tabs ask at once. */
  refresh(): Promise<RefreshOutcome>;
  /**
   * `fetch` for this origin: sends the session cookies, adds `X-CSRF-Token` on unsafe
   * methods, refreshes once and retries once on `401 unauthenticated`. A problem answer
   * (`application/problem+json`) rejects with `EdgeauthError`; any other answer resolves.
   * Rejects with a TypeError for another origin's URL.
   */
  fetch(input: string | URL | Request, init?: RequestInit): Promise<Response>;
  /** Calls `listener` on every session change in this tab and the others; returns the unsubscribe. */
  onSessionChange(listener: (event: SessionChangeEvent) => void): () => void;
  /** What this tab knows now (memory only). */
  readonly state: ClientState;
  /** Stops listening to other tabs and drops the listeners. */
  close(): void;
}

export declare function createClient(options?: ClientOptions): EdgeauthClient;
