/** edgeauth's revocation bound: a session answer is used for at most this long (ms). */
export declare const REVOCATION_BOUND_MS: 5000;

/** Who is calling: ids from the verified token, roles as edgeauth has them stored. */
export interface Principal {
  readonly userId: string;
  readonly sessionId: string;
  /** Stored roles (`user` first), at most the revocation bound old under `cached`. */
  readonly roles: readonly string[];
  readonly emailVerified: boolean;
  readonly via: "bearer" | "cookie";
  /** The access token's `exp` (Unix seconds). */
  readonly tokenExpiresAt: number;
  /** When edgeauth read the session and user records (Unix ms, this isolate's clock). */
  readonly checkedAtMs: number;
  hasRole(role: string): boolean;
}

/** Something with edgeauth's `fetch`: a service binding to edgeauth's refresh Worker. */
export interface EdgeauthBinding {
  fetch(request: Request): Promise<Response>;
}

export interface GuardOptions {
  /** edgeauth's PUBLIC_ORIGIN: the tokens' issuer. `https://` (http only on loopback). */
  origin: string;
  /** The `aud` a token must carry (default: `origin`). */
  audience?: string;
  /** Where to reach edgeauth without a binding (default: `origin`). */
  url?: string;
  /** Pages besides `origin` whose cookie writes pass the `Origin` rule. */
  allowedOrigins?: string[];
  /** As edgeauth's SESSION_CHECK (default `"cached"`). */
  sessionCheck?: "cached" | "strict";
  /** The clock (tests). */
  now?: () => number;
}

export interface Guard {
  /** Resolves the principal, or rejects with a GuardError. */
  verify(request: Request, options?: { binding?: EdgeauthBinding }): Promise<Principal>;
  originAllowed(origin: string): boolean;
  readonly options: Readonly<Required<Omit<GuardOptions, "now">>>;
}

/** A refusal: edgeauth's problem code and status. */
export declare class GuardError extends Error {
  readonly status: 401 | 403 | 429 | 503;
  readonly code: "unauthenticated" | "forbidden" | "csrf_failed" | "rate_limited" | "unavailable";
  readonly retryAfter?: number;
  /** The RFC 9457 problem response edgeauth itself would send. */
  toResponse(): Response;
  static unauthenticated(): GuardError;
  static forbidden(): GuardError;
  static csrfFailed(): GuardError;
  static rateLimited(retryAfter: number): GuardError;
  static unavailable(cause?: unknown): GuardError;
}

/** The env variables the guard reads (as the Rust guard). */
export interface GuardEnv {
  EDGEAUTH_ORIGIN: string;
  EDGEAUTH_AUDIENCE?: string;
  EDGEAUTH_URL?: string;
  EDGEAUTH_ALLOWED_ORIGINS?: string;
  SESSION_CHECK?: "cached" | "strict";
  /** Service binding to edgeauth's refresh Worker. */
  EDGEAUTH?: EdgeauthBinding;
}

export declare function createGuard(options: GuardOptions): Guard;
export declare function optionsFromEnv(env: GuardEnv): GuardOptions;
export declare function guardFor(env: GuardEnv): Guard;
/** Framework-free: the guard configured by `env`, over `env.EDGEAUTH` when bound. */
export declare function verify(request: Request, env: GuardEnv): Promise<Principal>;
/** Throws GuardError 403 unless `principal` holds `role`. */
export declare function requireRole(principal: Principal, role: string): void;
