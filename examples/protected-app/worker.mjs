// The example app: protected routes in a frontend, next to edgeauth on one origin.
//
// A tiny Worker that serves a few pages under /example/. Some are public, one needs a
// signed-in user, one needs the `admin` role. The pages check the session in the
// browser with @edgeauth/client (served by edgeauth's pages function as
// /assets/edgeauth/index.js); the data they show comes from edgeauth's API, which
// enforces the same rules on every call — the client-side check decides what to show
// and where to send the visitor, never who may read what.
//
//   /example/            public: home, says whether you are signed in
//   /example/about       public
//   /example/dashboard   signed-in users: shows /api/me
//   /example/admin       admins: shows /api/admin/users (a user is refused)
//   /example/app.js, /example/app.css
//
// Each page gets a fresh CSP nonce, like edgeauth's own pages: only its one script
// runs, no HTML sink is allowed (Trusted Types), nothing loads from another origin.

import APP_JS from "./static/app.js";
import APP_CSS from "./static/app.css";

const PAGES = {
  "/example/": { title: "Home", access: "public", body: "<p>A public page. Anyone can read it.</p>" },
  "/example/about": { title: "About", access: "public", body: "<p>Another public page: this app keeps no session of its own; edgeauth does.</p>" },
  "/example/dashboard": { title: "Dashboard", access: "user", body: "<p>Only signed-in users see this page.</p>\n<dl class=\"facts\" id=\"me\" hidden><dt>Email</dt><dd id=\"me-email\"></dd><dt>Roles</dt><dd id=\"me-roles\"></dd></dl>" },
  "/example/admin": { title: "Admin area", access: "admin", body: "<p>Only administrators see this page.</p>\n<p id=\"user-count\" hidden></p>" },
};

const SECURITY_HEADERS = {
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "no-referrer",
  "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Resource-Policy": "same-origin",
};

function nonce() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function page(path, { title, access, body }) {
  const n = nonce();
  const links = Object.entries(PAGES).map(([href, p]) =>
    `<li><a href="${href}"${href === path ? ' aria-current="page"' : ""}>${p.title}</a></li>`).join("");
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${title} · Example app</title>
<link rel="stylesheet" href="/example/app.css">
<script type="module" nonce="${n}" src="/example/app.js"></script>
</head>
<body>
<header>
<span class="brand">Example app</span>
<nav aria-label="Example app"><ul>${links}</ul></nav>
<p class="who"><span id="who" role="status">Checking your session…</span>
<a id="sign-in" href="/sign-in" hidden>Sign in</a>
<button type="button" id="sign-out" hidden>Sign out</button></p>
</header>
<main id="main" data-access="${access}">
<h1>${title}</h1>
<p id="refused" class="refused" role="alert" hidden></p>
<div id="content"${access === "public" ? "" : " hidden"}>
${body}
</div>
</main>
</body>
</html>
`;
  const csp = `default-src 'none'; script-src 'nonce-${n}'; style-src 'self'; connect-src 'self'; img-src 'self'; `
    + "form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'; "
    + "require-trusted-types-for 'script'; trusted-types 'none'";
  return new Response(html, {
    headers: { ...SECURITY_HEADERS, "Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": csp, "Cache-Control": "no-store" },
  });
}

function file(body, type) {
  return new Response(body, {
    headers: { ...SECURITY_HEADERS, "Content-Type": type, "Content-Security-Policy": "default-src 'none'", "Cache-Control": "no-cache" },
  });
}

export default {
  fetch(request) {
    const { pathname } = new URL(request.url);
    if (request.method !== "GET" && request.method !== "HEAD") {
      return new Response("method not allowed\n", { status: 405, headers: { ...SECURITY_HEADERS, Allow: "GET, HEAD" } });
    }
    if (pathname === "/example") return Response.redirect(new URL("/example/", request.url).toString(), 308);
    if (pathname === "/example/app.js") return file(APP_JS, "text/javascript; charset=utf-8");
    if (pathname === "/example/app.css") return file(APP_CSS, "text/css; charset=utf-8");
    const entry = PAGES[pathname];
    if (!entry) return new Response("not found\n", { status: 404, headers: { ...SECURITY_HEADERS, "Content-Type": "text/plain; charset=utf-8" } });
    return page(pathname, entry);
  },
};
