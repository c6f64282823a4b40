// Dev-only router for `wrangler dev` with the six functions' configs (and the example
// app's) in one session
// (tools/wrangler-dev.sh). wrangler dev serves only the first config's Worker on its
// port and ignores `routes` locally, so this Worker comes first and forwards each
// request, unchanged, to the function that owns its path in production, over the
// session's service bindings. Never deployed: it has no environments and no routes.

/**
 * Path ownership, in the syntax of the production `routes` patterns of wrangler.toml
 * and functions/<fn>/wrangler.toml with the host left out (`*` matches any run of
 * characters), keyed by service binding. Generated from the route tables with those
 * configs (`cargo xtask manifests`; the core's test
 * every_manifest_lists_the_routes_of_the_route_tables fails on drift), and
 * tests/tooling/wrangler-dev.test.mjs checks the two agree. Paths nobody owns go to
 * `api`, whose layer answers the 404 problem (as tools/local.mjs does).
 */
export const OWNERS = {
  // Routes generated from the route tables (cargo xtask manifests): edit those, not the lines below.
  LOGIN: ["/auth/register*", "/auth/login*", "/auth/passkey/*", "/auth/oauth/*"],
  RESET: ["/auth/password/*", "/auth/email/*", "/auth/security/*"],
  REFRESH: ["/auth/session*", "/auth/introspect*", "/.well-known/jwks.json*"],
  API: ["/api/*"],
  PAGES: ["/sign-in*", "/sign-up*", "/verify-email*", "/forgot-password*", "/reset-password*", "/security-alert*", "/account*", "/admin*", "/consent*", "/assets/*"],
  OAUTH: ["/.well-known/openid-configuration*", "/.well-known/oauth-authorization-server*", "/.well-known/oauth-protected-resource*", "/oauth/authorize*", "/oauth/continue*", "/oauth/requests/*", "/oauth/token*", "/oauth/revoke*", "/oauth/introspect*", "/oauth/userinfo*", "/oauth/end-session*", "/oauth/register*", "/oauth/consents*", "/oauth/admin/*"],
  // end of generated routes
};
/** Beside the functions: the example app (examples/protected-app/wrangler.toml). */
export const EXAMPLE = { EXAMPLE: ["/example*"] };
const FALLBACK = "API";

const escape = (text) => text.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
const MATCHERS = Object.entries({ ...OWNERS, ...EXAMPLE }).flatMap(([binding, patterns]) =>
  patterns.map((pattern) => [binding, new RegExp(`^${pattern.split("*").map(escape).join(".*")}$`)]));

/** The service binding that owns `pathname`. */
export function ownerOf(pathname) {
  return MATCHERS.find(([, pattern]) => pattern.test(pathname))?.[0] ?? FALLBACK;
}

export default {
  fetch(request, env) {
    return env[ownerOf(new URL(request.url).pathname)].fetch(request);
  },
};
