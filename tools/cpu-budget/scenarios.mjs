// The routes of the six functions (docs/openapi.yaml) that can be driven locally without
// a browser's authenticator or a live identity provider (UNMEASURED lists the others and
// why), as tools/cpu-budget.mjs measures them: a generator that prepares what one request needs (unmeasured), yields
// the request, receives the answer, and goes on. The measuring loop times only the
// yielded requests.
//
// A scenario: {route, variant?, note?, expect, hashes, forwardedTo?, requests(world)}.
// `hashes` counts argon2id operations per request (the routes re-measured at other
// argon2 settings); `forwardedTo: "login"` (or "refresh") marks the api routes the api
// Worker hands to that function over its service binding (both Workers' CPU is recorded).

import { strongPassword, uniqueEmail } from "../../tests/harness/flows.mjs";

const RESET_PATH = "/reset-password";

/** Routes that verify or hash a password: re-measured at each argon2 setting. */
export const HASHING = [
  {
    route: "POST /auth/register", expect: 202, hashes: 1,
    async *requests() {
      for (;;) yield { method: "POST", path: "/auth/register", json: { email: uniqueEmail("cpu-reg"), password: strongPassword() } };
    },
  },
  {
    route: "POST /auth/login", expect: 200, hashes: 1,
    async *requests(w) {
      const user = await w.newUser();
      for (;;) yield { method: "POST", path: "/auth/login", json: { email: user.email, password: user.password, mode: "token" } };
    },
  },
  {
    route: "POST /auth/login", variant: "unknown address", expect: 401, hashes: 1,
    async *requests() {
      for (;;) yield { method: "POST", path: "/auth/login", json: { email: uniqueEmail("cpu-nobody"), password: strongPassword() } };
    },
  },
  {
    route: "POST /auth/password/reset", expect: 200, hashes: 1,
    async *requests(w) {
      const user = await w.newUser();
      for (;;) {
        await w.must(202, "POST", "/auth/password/forgot", { json: { email: user.email } });
        const token = await w.mailedToken(user.email, RESET_PATH);
        yield { method: "POST", path: "/auth/password/reset", json: { token, password: strongPassword() } };
      }
    },
  },
  {
    // The current password is verified, the new one hashed: two argon2id operations.
    route: "POST /auth/password/change", expect: 200, hashes: 2,
    async *requests(w) {
      const { user, session } = await w.newSession();
      let current = user.password;
      for (;;) {
        const next = strongPassword();
        const response = yield { method: "POST", path: "/auth/password/change", token: session.access,
          json: { current_password: current, new_password: next } };
        if (response.status === 200) current = next;
      }
    },
  },
  {
    route: "DELETE /api/me", expect: 204, hashes: 1, forwardedTo: "login",
    async *requests(w) {
      for (;;) {
        const { user, session } = await w.newSession();
        yield { method: "DELETE", path: "/api/me", token: session.access, json: { password: user.password } };
      }
    },
  },
  {
    route: "DELETE /api/me/mfa/totp", expect: 204, hashes: 1, forwardedTo: "login",
    async *requests(w) {
      for (;;) {
        const { user, session } = await w.newMfaUser();
        yield { method: "DELETE", path: "/api/me/mfa/totp", token: session.access, json: { password: user.password } };
      }
    },
  },
];

/** A scenario repeating one request of a signed-in session. */
const repeat = (route, expect, build) => ({
  route, expect, hashes: 0,
  async *requests(w) {
    const context = await build(w);
    for (;;) yield context.request();
  },
});

const sessionGet = (path) => repeat(`GET ${path}`, 200, async (w) => {
  const { session } = await w.newSession();
  return { request: () => ({ method: "GET", path, token: session.access }) };
});

/** A scenario where each request needs its own freshly prepared object. */
const each = (route, expect, prepare) => ({
  route, expect, hashes: 0,
  async *requests(w) {
    const shared = {};
    for (;;) yield await prepare(w, shared);
  },
});

/** Routes that hash nothing: measured at the default settings only. */
export const OTHERS = [
  // login
  each("POST /auth/login/mfa", 200, async (w) => {
    const { user, clock } = await w.newMfaUser();
    const { json } = await w.must(200, "POST", "/auth/login", { json: { email: user.email, password: user.password, mode: "token" } });
    return { method: "POST", path: "/auth/login/mfa", json: { mfa_token: json.mfa_token, code: (await clock.next()).code } };
  }),
  repeat("POST /auth/passkey/options", 200, async () => ({
    request: () => ({ method: "POST", path: "/auth/passkey/options", json: {} }) })),
  { ...repeat("GET /auth/oauth/{provider}/start", 303, async () => ({
    request: () => ({ method: "GET", path: "/auth/oauth/github/start?return_to=%2Faccount" }) })),
  note: "the GitHub preset: a redirect, the provider is not contacted" },
  // reset
  { ...repeat("POST /auth/security/not-me", 400, async () => ({
    request: () => ({ method: "POST", path: "/auth/security/not-me", json: { token: "A".repeat(43) } }) })),
  variant: "unknown token" },
  repeat("POST /auth/password/forgot", 202, async (w) => {
    const user = await w.newUser();
    return { request: () => ({ method: "POST", path: "/auth/password/forgot", json: { email: user.email } }) };
  }),
  { ...repeat("POST /auth/password/forgot", 202, async () => ({
    request: () => ({ method: "POST", path: "/auth/password/forgot", json: { email: uniqueEmail("cpu-nobody") } }) })),
  variant: "unknown address" },
  each("POST /auth/email/verify", 200, async (w) => {
    const email = uniqueEmail("cpu-verify");
    await w.must(202, "POST", "/auth/register", { json: { email, password: strongPassword() } });
    return { method: "POST", path: "/auth/email/verify", json: { token: await w.mailedToken(email, "/verify-email") } };
  }),
  // refresh
  {
    route: "POST /auth/session/refresh", expect: 200, hashes: 0,
    async *requests(w) {
      let { session: { refresh } } = await w.newSession();
      for (;;) {
        const response = yield { method: "POST", path: "/auth/session/refresh", json: { refresh_token: refresh } };
        refresh = response.json?.refresh_token ?? refresh;
      }
    },
  },
  sessionGet("/auth/session"),
  sessionGet("/auth/sessions"),
  each("DELETE /auth/sessions/{id}", 204, async (w, shared) => {
    shared.main ??= await w.newSession();
    const other = await w.login(shared.main.user);
    return { method: "DELETE", path: `/auth/sessions/${other.sessionId}`, token: shared.main.session.access };
  }),
  each("POST /auth/session/logout", 204, async (w, shared) => {
    shared.user ??= await w.newUser();
    return { method: "POST", path: "/auth/session/logout", token: (await w.login(shared.user)).access };
  }),
  each("POST /auth/session/logout-all", 204, async (w, shared) => {
    shared.user ??= await w.newUser();
    return { method: "POST", path: "/auth/session/logout-all", token: (await w.login(shared.user)).access };
  }),
  repeat("GET /.well-known/jwks.json", 200, async () => ({ request: () => ({ method: "GET", path: "/.well-known/jwks.json" }) })),
  // api
  repeat("GET /api/health", 200, async () => ({ request: () => ({ method: "GET", path: "/api/health" }) })),
  sessionGet("/api/me"),
  sessionGet("/api/me/export"),
  sessionGet("/api/me/activity"),
  sessionGet("/api/me/consents"),
  repeat("PUT /api/me/consents", 200, async (w) => {
    const { session } = await w.newSession();
    return { request: () => ({ method: "PUT", path: "/api/me/consents", token: session.access,
      json: { consents: { analytics: { granted: false, version: "v1" } } } }) };
  }),
  repeat("POST /api/me/mfa/totp/setup", 200, async (w) => {
    const { session } = await w.newSession();
    return { request: () => ({ method: "POST", path: "/api/me/mfa/totp/setup", token: session.access }) };
  }),
  each("POST /api/me/mfa/totp/confirm", 200, async (w) => {
    const { session } = await w.newSession();
    const clock = await w.totpSetup(session);
    return { method: "POST", path: "/api/me/mfa/totp/confirm", token: session.access, json: { code: (await clock.next()).code } };
  }),
  ...["/api/me/passkeys", "/api/me/identities"].map((path) => ({ ...sessionGet(path), forwardedTo: "login" })),
  // A fresh session counts as a recent sign-in: creation options need nothing else.
  { ...repeat("POST /api/me/passkeys/options", 200, async (w) => {
    const { session } = await w.newSession();
    return { request: () => ({ method: "POST", path: "/api/me/passkeys/options", token: session.access }) };
  }), forwardedTo: "login" },
  sessionGet("/api/documents"),
  repeat("POST /api/documents", 201, async (w) => {
    const { session } = await w.newSession();
    return { request: () => ({ method: "POST", path: "/api/documents", token: session.access, json: { title: "Notes", body: "x".repeat(200) } }) };
  }),
  ...["GET", "PUT"].map((method) => repeat(`${method} /api/documents/{id}`, 200, async (w) => {
    const { session } = await w.newSession();
    const { json } = await w.must(201, "POST", "/api/documents", { token: session.access, json: { title: "Notes", body: "text" } });
    return { request: () => ({ method, path: `/api/documents/${json.id}`, token: session.access,
      ...(method === "PUT" ? { json: { title: "Edited", body: "y".repeat(200) } } : {}) }) };
  })),
  each("DELETE /api/documents/{id}", 204, async (w, shared) => {
    shared.owner ??= (await w.newSession()).session;
    const { json } = await w.must(201, "POST", "/api/documents", { token: shared.owner.access, json: { title: "t", body: "b" } });
    return { method: "DELETE", path: `/api/documents/${json.id}`, token: shared.owner.access };
  }),
  each("POST /api/documents/{id}/shares", 201, async (w, shared) => {
    shared.owner ??= (await w.newSession()).session;
    shared.reader ??= (await w.newSession()).session;
    const { json } = await w.must(201, "POST", "/api/documents", { token: shared.owner.access, json: { title: "t", body: "b" } });
    return { method: "POST", path: `/api/documents/${json.id}/shares`, token: shared.owner.access,
      json: { user_id: shared.reader.userId, permission: "read" } };
  }),
  each("DELETE /api/documents/{id}/shares/{user_id}", 204, async (w, shared) => {
    shared.owner ??= (await w.newSession()).session;
    shared.reader ??= (await w.newSession()).session;
    const { json } = await w.must(201, "POST", "/api/documents", { token: shared.owner.access, json: { title: "t", body: "b" } });
    await w.must(201, "POST", `/api/documents/${json.id}/shares`, { token: shared.owner.access,
      json: { user_id: shared.reader.userId, permission: "read" } });
    return { method: "DELETE", path: `/api/documents/${json.id}/shares/${shared.reader.userId}`, token: shared.owner.access };
  }),
  // The listings run on full pages: the run has registered hundreds of accounts by then.
  ...[
    ["GET /api/admin/users", 200, () => ["GET", "/api/admin/users"], "a full page: 50 accounts (`limit` up to 200)"],
    ["PUT /api/admin/users/{id}/roles", 200, (t) => ["PUT", `/api/admin/users/${t}/roles`, { roles: ["user"] }]],
    ["POST /api/admin/users/{id}/disable", 204, (t) => ["POST", `/api/admin/users/${t}/disable`]],
    ["POST /api/admin/users/{id}/enable", 204, (t) => ["POST", `/api/admin/users/${t}/enable`]],
    ["DELETE /api/admin/users/{id}/sessions", 204, (t) => ["DELETE", `/api/admin/users/${t}/sessions`]],
    ["POST /api/admin/data-keys/sweep", 200, () => ["POST", "/api/admin/data-keys/sweep", { dry_run: true }],
      "a full page, dry run: 25 accounts (`limit` up to 100)"],
    ["GET /api/admin/audit", 200, () => ["GET", "/api/admin/audit"], "a page of audit events"],
    // The monitoring routes, which api forwards to refresh (the queue consumer's function).
    ["GET /api/admin/metrics", 200, () => ["GET", "/api/admin/metrics"], "the last 60 minutes", "refresh"],
    ["GET /api/admin/webhooks/deliveries", 200, () => ["GET", "/api/admin/webhooks/deliveries"], "no failed deliveries: an empty page",
      "refresh"],
  ].map(([route, expect, shape, note, forwardedTo]) => ({ ...repeat(route, expect, async (w) => {
    const admin = await w.adminSession();
    const target = await w.newSession();
    return { request: () => {
      const [method, path, json] = shape(target.session.userId);
      return { method, path, token: admin.access, ...(json ? { json } : {}) };
    } };
  }), note, ...(forwardedTo ? { forwardedTo } : {}) })),
];

/** The hosted pages (an HTML shell with a fresh CSP nonce, or an embedded file). */
export const PAGES = [
  ...["/sign-in", "/sign-up", "/verify-email", "/forgot-password", "/reset-password", "/security-alert", "/account",
    "/admin", "/consent"].map((path) => repeat(`GET ${path}`, 200, async () => ({ request: () => ({ method: "GET", path }) }))),
  { ...repeat("GET /assets/{dir}/{file}", 200, async () => ({
    request: () => ({ method: "GET", path: "/assets/pages/sign-in.js" }) })), note: "/assets/pages/sign-in.js" },
];

/** The OAuth provider's documents and the requests a client makes before anyone signs in. */
export const PROVIDER = [
  ...["/.well-known/openid-configuration", "/.well-known/oauth-authorization-server", "/.well-known/oauth-protected-resource"]
    .map((path) => repeat(`GET ${path}`, 200, async () => ({ request: () => ({ method: "GET", path }) }))),
  { ...repeat("POST /oauth/register", 201, async () => ({ request: () => ({ method: "POST", path: "/oauth/register",
    json: { client_name: "cpu-budget", redirect_uris: ["http://127.0.0.1:9/callback"], token_endpoint_auth_method: "none" } }) })),
  note: "dynamic registration (`OAUTH_DYNAMIC_REGISTRATION=open`)" },
];

/** Routes left out, and why (the README lists them under the table). */
export const UNMEASURED = [
  ["`POST /auth/passkey/verify`, `POST /auth/login/mfa/passkey/options`, `POST /api/me/passkeys`, `PUT`/`DELETE /api/me/passkeys/{id}`, `POST /api/me/reauthenticate/options`, `POST /api/me/reauthenticate`",
    "need a registered passkey and an authenticator's signatures; not driven here yet"],
  ["`GET`/`POST /auth/oauth/{provider}/callback`, `POST /auth/oauth/{provider}/link`, `DELETE /api/me/identities/{provider}`",
    "need a provider that answers the code exchange (a live one, or the tests' stand-in), not driven here yet"],
  ["`POST /auth/security/not-me` with a valid token", "needs a security notice mail; only the refused token is measured"],
  ["`POST /api/admin/webhooks/retry`", "schedules the due retries (Spin); on Workers the queue consumer retries"],
  ["`/oauth/authorize`, `/oauth/continue`, `/oauth/requests/{id}`, `/oauth/token`, `/oauth/revoke`, `/oauth/introspect`, `/oauth/userinfo`, `/oauth/end-session`, `/oauth/consents`, `/oauth/admin/*` and the provider's tokens at `/api/*`",
    "a full authorization-code flow (sign-in cookie, consent, PKCE); not driven here yet"],
];

/**
 * The kill switch ends every session, the admin's own included: measured last, each
 * request with an admin session signed in after the previous cut-off (whole seconds).
 */
export const LAST = [
  each("POST /api/admin/sessions/revoke-all", 200, async (w) => {
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const admin = await w.adminSession();
    return { method: "POST", path: "/api/admin/sessions/revoke-all", token: admin.access };
  }),
];

/** The first request of a fresh isolate, per function: its costliest route. */
export const COLD = {
  login: HASHING[1],
  reset: HASHING[4],
  refresh: OTHERS.find((s) => s.route === "POST /auth/session/refresh"),
  api: OTHERS.find((s) => s.route === "GET /api/me"),
  pages: PAGES[0],
  oauth: PROVIDER[0],
};
