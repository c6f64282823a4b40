// How every request of the client leaves the page: same-origin only, with the session
// cookies, and with `X-CSRF-Token` on unsafe methods.
//
// Security considerations:
// - Same origin only. The session cookies are `__Host-`/`__Secure-` cookies of the
//   API's origin and the CSRF cookie is readable only there, so a cross-origin
//   `baseUrl` could not work; worse, a cross-origin URL passed to `client.fetch` would
//   receive the CSRF token. Both are refused with a TypeError before anything is sent.
// - `credentials: "same-origin"` always, whatever the caller asked: cookies go to this
//   origin and nowhere else.
// - Custom headers survive redirects, so a request carrying the CSRF header does not
//   follow redirects (`redirect: "error"`) unless the caller chose a redirect mode.
// - The CSRF header is read from the cookie at each attempt (a retry after a refresh
//   or a new sign-in carries the current value).

import { CSRF_COOKIE, CSRF_HEADER, isUnsafeMethod, readCookie } from "./cookies.js";

/**
 * The client's base URL: `baseUrl` resolved against the page, which must be of the
 * page's origin when there is a page.
 * @param {string|URL|undefined} baseUrl
 * @param {{href: string, origin: string}|undefined} location
 */
export function resolveBase(baseUrl, location) {
  let base;
  try {
    base = new URL(baseUrl ?? "/", location?.href);
  } catch {
    throw new TypeError("createClient: outside a browser page, baseUrl must be an absolute URL");
  }
  if (base.protocol !== "https:" && base.protocol !== "http:") {
    throw new TypeError("createClient: baseUrl must be an http(s) URL");
  }
  if (location?.origin && base.origin !== location.origin) {
    throw new TypeError(
      `createClient: baseUrl must be this page's origin (${location.origin}), not ${base.origin}: `
      + "the session cookies and the CSRF cookie belong to one origin");
  }
  return base;
}

export class Transport {
  /**
   * @param {{base: URL, fetch: (request: Request) => Promise<Response>,
   *          document: {cookie: string}|null}} options
   */
  constructor({ base, fetch, document }) {
    this.base = base;
    this.fetch = fetch;
    this.document = document;
  }

  /** The CSRF token of the session this browser holds, or null (signed out). */
  csrfToken() {
    return this.document ? readCookie(String(this.document.cookie ?? ""), CSRF_COOKIE) : null;
  }

  /** `input` as an absolute URL of the client's origin; a TypeError for any other origin. */
  resolve(input) {
    const url = new URL(input instanceof URL ? input.href : String(input), this.base);
    if (url.origin !== this.base.origin) {
      throw new TypeError(`edgeauth client: ${url.origin} is not the API's origin ${this.base.origin}`);
    }
    return url;
  }

  /**
   * The request to send (possibly more than once): the caller's `input`/`init`, on an
   * absolute same-origin URL. Nothing is sent yet.
   */
  prepare(input, init) {
    if (typeof Request === "function" && input instanceof Request) {
      this.resolve(input.url);
      return new Request(input, init);
    }
    return new Request(this.resolve(input), init);
  }

  /**
   * Sends one attempt of `template` (which stays unconsumed, for a retry).
   * @param {Request} template
   * @param {RequestRedirect|undefined} redirect the caller's own choice, if any
   */
  send(template, redirect) {
    const headers = new Headers(template.headers);
    let redirectMode = redirect ?? template.redirect;
    if (isUnsafeMethod(template.method)) {
      const csrf = this.csrfToken();
      if (csrf !== null) {
        headers.set(CSRF_HEADER, csrf);
        redirectMode = redirect ?? "error";
      }
    }
    return this.fetch(new Request(template.clone(), { headers, credentials: "same-origin", redirect: redirectMode }));
  }
}
