// What every hosted page shares: the one client, DOM helpers, error messages, the
// return path, fragment tokens and the signed-in navigation.
//
// Security considerations:
// - The DOM is built with createElement/textContent only: the pages' CSP requires
//   Trusted Types and allows no policy, so an HTML sink would throw; none is used.
// - Messages never say whether an account exists: unknown email and wrong password
//   are one message, as they are one error of the API (docs/contract.md §3).
// - `returnTo()` reads the value the server validated against RETURN_TO_PATHS and,
//   as a second line, accepts only a path of this origin (`/x`, never `//x` or `/\x`).
// - Mailed tokens stay in the URL fragment (never sent to a server, never in a log);
//   `fragmentToken()` removes it from the address bar and history at once.

import { createClient, EdgeauthError } from "/assets/edgeauth/index.js";

export const client = createClient();
export { EdgeauthError };

/** The element with this id (the server renders every id the scripts use). */
export const $ = (id) => document.getElementById(id);

export const main = document.getElementById("main");

/**
 * Marks the page as ready (`data-ready` on <main>): its handlers are attached and what
 * it loads at first is shown. Scripts attach their handlers before they await
 * anything, so a fast user never submits a form the script does not handle yet.
 */
export function ready() {
  if (main) main.dataset.ready = "true";
}

/** Where to go after signing in: the validated `return_to`, else the account page. */
export function returnTo() {
  const value = main?.dataset.returnTo ?? "";
  return isLocalPath(value) ? value : "/account";
}

/** A path of this origin: `/` then not `/` or `\`, no backslash or control character. */
export function isLocalPath(value) {
  return typeof value === "string" && /^\/(?![/\\])[^\\\s]*$/.test(value);
}

/** Navigates to a path of this origin (anything else goes to the account page). */
export function go(path) {
  location.assign(isLocalPath(path) ? path : "/account");
}

/** The sign-in page that comes back here afterwards. */
export function signInAndReturn() {
  go(`/sign-in?return_to=${encodeURIComponent(location.pathname)}`);
}

/** A user-facing sentence for a failed call. */
export function messageFor(error) {
  if (!(error instanceof EdgeauthError)) {
    return error instanceof TypeError
      ? "Could not reach the server. Check your connection and try again."
      : "Something went wrong. Reload the page and try again.";
  }
  switch (error.code) {
    case "invalid_credentials":
      return "The email or password is not correct.";
    case "invalid_mfa":
      return "That code did not work. Check it and try again.";
    case "rate_limited":
      return error.retryAfter
        ? `Too many attempts. Try again in ${formatWait(error.retryAfter)}.`
        : "Too many attempts. Try again later.";
    case "weak_password":
      return error.detail ? `Choose another password: ${error.detail}` : "Choose a stronger password.";
    case "invalid_request":
      return error.detail ? `Check the form: ${error.detail}` : "Check the form and try again.";
    case "unauthenticated":
      return "Your session has ended. Sign in again.";
    case "forbidden":
      return "You are not allowed to do that.";
    case "csrf_failed":
      return "The request could not be verified. Reload the page and try again.";
    case "not_found":
      return "That no longer exists.";
    case "oauth_failed":
      return "Signing in with the provider did not work. Try again.";
    case "oauth_email_unverified":
      return "The provider did not confirm an email address for your account there, so no account was created. Confirm your email with the provider, or sign up with email and password.";
    case "oauth_account_exists":
      return "An account with this email address already exists. Sign in with your password, then link the provider on your account page.";
    case "oauth_unavailable":
      return "The sign-in provider is not answering right now. Try again later.";
    default:
      return `Something went wrong on our side. Try again later${error.requestId ? ` (reference ${error.requestId})` : ""}.`;
  }
}

function formatWait(seconds) {
  if (seconds < 90) return `${seconds} seconds`;
  const minutes = Math.ceil(seconds / 60);
  return minutes < 90 ? `${minutes} minutes` : `${Math.ceil(minutes / 60)} hours`;
}

/** Shows `text` in the alert region `id` (announced), or hides it for null. */
export function say(id, text) {
  const region = $(id);
  if (!region) return;
  region.textContent = text ?? "";
  region.hidden = !text;
}

/** Shows a notice and moves focus to it, so keyboard and screen-reader users land there. */
export function reveal(element) {
  element.hidden = false;
  if (!element.hasAttribute("tabindex")) element.setAttribute("tabindex", "-1");
  element.focus();
}

/**
 * Submits `form` through `handler(data)` instead of the browser: the default action
 * is prevented, the submit buttons are disabled meanwhile, and a thrown error is shown
 * in `errorId`. `handler` returns nothing, or a message to show as an error.
 */
export function onSubmit(form, errorId, handler) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const buttons = [...form.querySelectorAll("button")];
    buttons.forEach((button) => { button.disabled = true; });
    say(errorId, null);
    try {
      const problem = await handler(new FormData(form));
      if (problem) say(errorId, problem);
    } catch (error) {
      say(errorId, messageFor(error));
      if (error instanceof EdgeauthError && error.code === "unauthenticated") signInAndReturn();
    } finally {
      buttons.forEach((button) => { button.disabled = false; });
    }
  });
}

/** A string field of `data`. */
export const field = (data, name) => String(data.get(name) ?? "");

/**
 * The `token` of the URL fragment (`#token=…`), read once: the fragment is replaced in
 * the address bar and the history entry, so the token is not kept, shared or bookmarked.
 */
export function fragmentToken() {
  const params = new URLSearchParams(location.hash.replace(/^#/, ""));
  const token = params.get("token");
  if (location.hash) history.replaceState(null, "", location.pathname + location.search);
  return token && /^[A-Za-z0-9_-]{16,512}$/.test(token) ? token : null;
}

/**
 * The problem code a social sign-in sent the browser back with (`?error=` on the
 * sign-in and account pages): only codes of the API's fixed list are read, so the
 * query cannot put arbitrary text on the page.
 */
export function redirectError() {
  const code = new URLSearchParams(location.search).get("error");
  return code && /^oauth_[a-z_]{1,32}$|^rate_limited$|^not_found$/.test(code) ? code : null;
}

/** The MFA token a social sign-in hands over in the fragment (`#mfa_token=…`), read once. */
export function fragmentMfaToken() {
  const params = new URLSearchParams(location.hash.replace(/^#/, ""));
  const token = params.get("mfa_token");
  if (location.hash) history.replaceState(null, "", location.pathname + location.search);
  return token && /^[A-Za-z0-9_-]{43}$/.test(token) ? token : null;
}

/** JSON of a GET through the client (CSRF, refresh); throws EdgeauthError. */
export async function getJson(path) {
  const response = await client.fetch(path, { headers: { Accept: "application/json" } });
  return response.json();
}

/** A JSON request through the client; resolves with the body or null (204). */
export async function sendJson(method, path, body) {
  const init = { method, headers: { Accept: "application/json" } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await client.fetch(path, init);
  return response.status === 204 ? null : response.json();
}

/** An element with text (and attributes), built without any HTML parsing. */
export function element(tag, text, attributes = {}) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

/** A table row of text cells. */
export function row(cells) {
  const tr = document.createElement("tr");
  for (const cell of cells) {
    const td = document.createElement("td");
    if (cell instanceof Node) td.append(cell); else td.textContent = cell ?? "—";
    tr.append(td);
  }
  return tr;
}

/** A timestamp for people, in their locale. */
export function when(iso) {
  if (!iso) return "—";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? "—" : date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/** "login_succeeded" → "Login succeeded". */
export function humanize(code) {
  const text = String(code ?? "").replaceAll("_", " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * The session, with the header's navigation shown for it; null when signed out. A
 * sign-out here or in another tab leaves protected pages for the sign-in page.
 */
export async function signedInPage({ protectedPage }) {
  let session = null;
  try {
    session = await client.currentSession();
  } catch (error) {
    say(`${main.dataset.page}-error`, messageFor(error));
  }
  client.onSessionChange((event) => {
    if (event.type === "signed_out" && protectedPage) signInAndReturn();
  });
  if (session) showNav(session.user);
  return session;
}

function showNav(user) {
  const nav = $("nav");
  if (!nav) return;
  nav.hidden = false;
  $("nav-admin").hidden = !(user.roles.includes("admin") || user.roles.includes("auditor"));
  $("sign-out").addEventListener("click", async () => {
    try {
      await client.signOut();
    } finally {
      go("/sign-in");
    }
  });
}
