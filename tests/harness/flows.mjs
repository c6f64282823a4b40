// Account and session flows shared by the test files: register and verify through
// the mail sink, sign in in either delivery mode, and authenticate later requests
// the way a browser page (cookies + X-CSRF-Token) or an API client (Bearer) would.
//
//   const sink = await startMailSink();
//   const server = await start({ vars: configWith(sink.vars()) });
//   const alice = await newSession(server.url, sink, { mode: "token" });
//   await alice.client.get("/api/me", authOptions(alice));
//
// Every helper that expects success asserts it, with the response body in the
// message, so a failing precondition reads as such rather than as a later oddity.

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { isCommonPassword } from "./common-passwords.mjs";
import { Client } from "./http.mjs";
import { fragmentToken } from "./mail.mjs";

/** The front-end page that verification links point to (docs/contract.md §5: token in the fragment). */
export const VERIFY_PATH = "/verify-email";
export const COOKIES = { access: "__Host-access", refresh: "__Secure-refresh", csrf: "__Host-csrf" };

/** A fresh address at example.com (RFC 2606), unique per call. */
export function uniqueEmail(label = "user") {
  return `${label}-${randomBytes(6).toString("hex")}@example.com`;
}

/** A password the policy accepts: long, random, on no list, free of any local part we generate. */
export function strongPassword() {
  for (;;) {
    const password = `Tidal ${randomBytes(9).toString("base64url")} lantern`;
    if (!isCommonPassword(password)) return password;
  }
}

/** `POST /auth/register`; the raw response. */
export function register(client, email, password, options = {}) {
  return client.post("/auth/register", { email, password }, options);
}

/** Waits for the verification mail to `email` and returns the token of its link. */
export async function verificationToken(mailSink, email) {
  const mail = await mailSink.waitForMail(email, (m) => m.text.includes("#token="));
  return fragmentToken(mail.text, VERIFY_PATH);
}

/** `POST /auth/email/verify`; the raw response. */
export function verifyEmail(client, token, options = {}) {
  return client.post("/auth/email/verify", { token }, options);
}

/** Registers `email` and redeems the mailed verification token (asserting 202 and 200). */
export async function registerAndVerify(client, email, password, mailSink) {
  const registered = await register(client, email, password);
  assert.equal(registered.status, 202, `register ${email}: ${registered.text}`);
  const token = await verificationToken(mailSink, email);
  const verified = await verifyEmail(client, token);
  assert.equal(verified.status, 200, `verify ${email}: ${verified.text}`);
  return { registered, verified, token };
}

/** `POST /auth/login`; the raw response. `mode` undefined leaves the field out. */
export function attemptLogin(client, email, password, mode, options = {}) {
  const body = mode === undefined ? { email, password } : { email, password, mode };
  return client.post("/auth/login", body, options);
}

/**
 * A signed-in session. Token mode keeps the tokens from the body; cookie mode reads
 * them from the client's cookie jar (which the login filled).
 */
export class Session {
  constructor(client, mode, response) {
    this.client = client;
    this.mode = mode;
    this.update(response);
  }

  /** Takes the tokens of a login or refresh answer. */
  update(response) {
    this.response = response;
    this.body = response.json;
    this.user = this.body.user;
    this.sessionId = this.body.session_id;
    if (this.mode === "token") {
      this.accessToken = this.body.access_token;
      this.refreshToken = this.body.refresh_token;
      this.csrfToken = undefined;
    } else {
      this.accessToken = this.client.cookies.get(COOKIES.access);
      this.refreshToken = this.client.cookies.get(COOKIES.refresh);
      this.csrfToken = this.client.cookies.get(COOKIES.csrf);
    }
  }

  /** Request options that authenticate as this session (cookies + CSRF header, or Bearer). */
  auth(extraHeaders = {}) {
    return authOptions(this, extraHeaders);
  }

  /** `POST /auth/session/refresh` in the session's mode; on 200 the session takes the new tokens. */
  async refresh() {
    const response = this.mode === "token"
      ? await this.client.post("/auth/session/refresh", { refresh_token: this.refreshToken }, { cookies: false })
      : await this.client.request("POST", "/auth/session/refresh", { headers: { "X-CSRF-Token": this.csrfToken } });
    if (response.status === 200) this.update(response);
    return response;
  }
}

/** Request options authenticating as `session`. */
export function authOptions(session, extraHeaders = {}) {
  if (session.mode === "token") {
    return { headers: { Authorization: `Bearer ${session.accessToken}`, ...extraHeaders }, cookies: false };
  }
  return { headers: { "X-CSRF-Token": session.csrfToken, ...extraHeaders } };
}

/** Signs in (asserting 200) and returns the [`Session`]. `mode` defaults to cookie. */
export async function login(client, email, password, mode = "cookie", options = {}) {
  const response = await attemptLogin(client, email, password, mode, options);
  assert.equal(response.status, 200, `login ${email} (${mode}): ${response.text}`);
  return new Session(client, mode, response);
}

/**
 * A new verified account signed in on a fresh client (its own IP):
 * `{...Session, email, password}`.
 */
export async function newSession(base, mailSink, { mode = "cookie", email = uniqueEmail(), password = strongPassword() } = {}) {
  const client = new Client(base);
  await registerAndVerify(client, email, password, mailSink);
  const session = await login(client, email, password, mode);
  session.email = email;
  session.password = password;
  return session;
}

/** A problem body without its per-request id (for "identical answers" comparisons). */
export function withoutRequestId(body) {
  const { request_id: _ignored, ...rest } = body ?? {};
  return rest;
}
