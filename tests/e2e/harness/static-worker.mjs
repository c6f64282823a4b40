// Test-only Worker: serves the browser suite's pages under /__e2e/ on the API's own
// origin, until the `pages` function exists. Added to the local Miniflare instance
// only when a test asks for it (tools/local.mjs `withE2eStatic`); never deployed.
//
//   /__e2e/client/<path>  -> clients/js/<path>         (the client, as a page loads it)
//   /__e2e/<path>         -> tests/e2e/fixtures/<path>  (test pages)
//
// The files arrive in the JSON binding FILES ({path: {type, body}}), read from disk
// when the server starts. Every answer carries a strict CSP (scripts, styles and
// connections from this origin only, no inline script, Trusted Types required for DOM
// sinks) and the other security headers of the API, so the suite can assert that the
// client runs under the policy the hosted pages will have.

const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join("; ");

const HEADERS = {
  "Content-Security-Policy": CSP,
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "no-referrer",
  "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Resource-Policy": "same-origin",
  "Cache-Control": "no-store",
};

export default {
  fetch(request, env) {
    const { pathname } = new URL(request.url);
    if (request.method !== "GET" && request.method !== "HEAD") {
      return new Response("method not allowed\n", { status: 405, headers: { ...HEADERS, Allow: "GET, HEAD" } });
    }
    const file = env.FILES[pathname];
    if (!file) return new Response("not found\n", { status: 404, headers: { ...HEADERS, "Content-Type": "text/plain" } });
    return new Response(request.method === "HEAD" ? null : file.body, {
      headers: { ...HEADERS, "Content-Type": file.type },
    });
  },
};
