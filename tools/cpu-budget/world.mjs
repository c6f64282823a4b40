// The state tools/cpu-budget.mjs drives the functions through: an HTTP client that
// sends each path to the process of the function that owns it (the production
// routes, via the dev router's table), and the accounts, sessions and mails that the
// measured requests need. Everything here is set-up: none of it is measured.

import { ownerOf } from "../wrangler-dev/router.mjs";
import { strongPassword, uniqueEmail, VERIFY_PATH } from "../../tests/harness/flows.mjs";
import { fragmentToken } from "../../tests/harness/mail.mjs";
import { base32Decode, TotpClock } from "../../tests/harness/totp.mjs";

export const CLIENT_IP = "198.51.100.7";

export class World {
  /**
   * @param {{ports: Record<string, number>, sink: import("../../tests/harness/mail.mjs").MailSink,
   *   adminEmail: string}} options  ports: function name → its port.
   */
  constructor({ ports, sink, adminEmail }) {
    this.ports = ports;
    this.sink = sink;
    this.adminEmail = adminEmail;
  }

  /** The function that serves `path` (by production route ownership). */
  static functionOf(path) {
    return ownerOf(new URL(path, "http://x").pathname).toLowerCase();
  }

  /** One request; `{status, json, text}`. */
  async call(method, path, { json, token } = {}) {
    const headers = { "CF-Connecting-IP": CLIENT_IP };
    if (json !== undefined) headers["Content-Type"] = "application/json";
    if (token) headers.Authorization = `Bearer ${token}`;
    const port = this.ports[World.functionOf(path)];
    const response = await fetch(`http://127.0.0.1:${port}${path}`, {
      method, headers, body: json === undefined ? undefined : JSON.stringify(json), redirect: "manual" });
    const text = await response.text();
    let parsed;
    try { parsed = text ? JSON.parse(text) : undefined; } catch { parsed = undefined; }
    return { status: response.status, json: parsed, text };
  }

  /** `call`, asserting the status. */
  async must(status, method, path, options) {
    const response = await this.call(method, path, options);
    if (response.status !== status) {
      throw new Error(`${method} ${path}: ${response.status}, expected ${status}: ${response.text}`);
    }
    return response;
  }

  /** The token of the next verification (or reset) mail to `email`. */
  async mailedToken(email, linkPath) {
    const mail = await this.sink.waitForMail(email, (m) => m.text.includes(`${linkPath}#token=`));
    return fragmentToken(mail.text, linkPath);
  }

  /** A registered, verified account: `{email, password}`. */
  async newUser({ email = uniqueEmail("cpu"), password = strongPassword() } = {}) {
    await this.must(202, "POST", "/auth/register", { json: { email, password } });
    const token = await this.mailedToken(email, VERIFY_PATH);
    await this.must(200, "POST", "/auth/email/verify", { json: { token } });
    return { email, password };
  }

  /** A token-mode session of `user`: `{access, refresh, sessionId, userId}`. */
  async login(user) {
    const { json } = await this.must(200, "POST", "/auth/login", { json: { email: user.email, password: user.password, mode: "token" } });
    if (json.mfa_required) throw new Error(`${user.email} needs MFA`);
    return { access: json.access_token, refresh: json.refresh_token, sessionId: json.session_id, userId: json.user.id };
  }

  /** A new verified account, signed in. */
  async newSession() {
    const user = await this.newUser();
    return { user, session: await this.login(user) };
  }

  /** Starts TOTP setup for `session`; returns a TotpClock of its secret. */
  async totpSetup(session) {
    const { json } = await this.must(200, "POST", "/api/me/mfa/totp/setup", { token: session.access });
    return new TotpClock(base32Decode(json.secret));
  }

  /** A new account with TOTP enabled: `{user, session, clock}` (the session predates MFA). */
  async newMfaUser() {
    const { user, session } = await this.newSession();
    const clock = await this.totpSetup(session);
    await this.must(200, "POST", "/api/me/mfa/totp/confirm", { json: { code: (await clock.next()).code }, token: session.access });
    return { user, session, clock };
  }

  /** The bootstrap admin (BOOTSTRAP_ADMIN_EMAILS), registered once, freshly signed in. */
  async adminSession() {
    this.admin ??= await this.newUser({ email: this.adminEmail });
    return this.login(this.admin);
  }
}
