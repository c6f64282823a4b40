// A fake browser for the client's unit tests: a cookie jar shared by its tabs (with
// `document.cookie` showing only the script-readable cookies), a Web Locks manager
// shared by its tabs, Node's own BroadcastChannel (optionally delayed), and a fake
// edgeauth server that behaves like the contract's session routes (docs/contract.md
// §3–§5) and counts what it receives.
//
//   const browser = new FakeBrowser();
//   const tabA = browser.tab(), tabB = browser.tab();     // two clients, one origin
//   await tabA.signIn({ email: ALICE.email, password: ALICE.password });
//   browser.expireAccess();                               // the access cookie lapsed
//   await Promise.all([tabA.fetch("/api/me"), tabB.fetch("/api/me")]);
//   browser.server.count("POST /auth/session/refresh");  // 1
//   browser.close();

import { randomBytes } from "node:crypto";
import { createClient } from "../index.js";

export const ORIGIN = "https://auth.example.test";
export const ALICE = { id: "a".repeat(32), email: "alice@example.com", password: "correct horse battery staple", roles: ["user"] };
export const BOB = { id: "b".repeat(32), email: "bob@example.com", password: "another long passphrase", roles: ["user"], mfa: true };
export const TOTP_CODE = "123456";
export const RECOVERY_CODE = "abcd-efgh-ijkl";

const random = () => randomBytes(12).toString("base64url");
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Cookies of one browser profile: name → {value, httpOnly, path}. Expiry is explicit (`delete`). */
export class CookieJar {
  constructor() {
    this.cookies = new Map();
  }

  set(name, value, { httpOnly, path = "/" }) {
    this.cookies.set(name, { value, httpOnly, path });
  }

  delete(name) {
    this.cookies.delete(name);
  }

  get(name) {
    return this.cookies.get(name)?.value ?? null;
  }

  /** The cookies a request to `path` carries. */
  forPath(path) {
    const sent = new Map();
    for (const [name, cookie] of this.cookies) {
      if (path === cookie.path || path.startsWith(cookie.path.endsWith("/") ? cookie.path : `${cookie.path}/`)) {
        sent.set(name, cookie.value);
      }
    }
    return sent;
  }

  /** What `document.cookie` shows: script-readable cookies only. */
  documentCookie() {
    return [...this.cookies].filter(([, c]) => !c.httpOnly).map(([n, c]) => `${n}=${c.value}`).join("; ");
  }
}

function json(status, body, headers = {}) {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status, headers: { "Content-Type": "application/json", "X-Request-Id": random(), ...headers },
  });
}

function problem(status, code, { detail, headers = {} } = {}) {
  const requestId = randomBytes(16).toString("hex");
  return new Response(JSON.stringify({
    type: `https://edgeauth.dev/problems/${code}`, title: code.replaceAll("_", " "), status, code, request_id: requestId,
    ...(detail ? { detail } : {}),
  }), { status, headers: { "Content-Type": "application/problem+json", "X-Request-Id": requestId, ...headers } });
}

/**
 * The session routes of the contract, in memory. Every request is logged as
 * `{method, path, csrf, cookies, credentials, redirect, body}`; `hooks[route]` can
 * replace an answer (e.g. to make refresh slow or refused).
 */
export class FakeServer {
  constructor() {
    this.users = new Map([[ALICE.email, { ...ALICE, verified: true }], [BOB.email, { ...BOB, verified: true }]]);
    this.sessions = new Map();
    this.mfaTokens = new Map();
    this.requests = [];
    this.hooks = {};
    this.inflightRefreshes = 0;
    this.maxConcurrentRefreshes = 0;
  }

  /** How many requests `METHOD /path` were received. */
  count(route) {
    return this.requests.filter((r) => `${r.method} ${r.path}` === route).length;
  }

  startSession(user, jar) {
    const id = randomBytes(16).toString("hex");
    const session = { id, user, refresh: random(), access: new Set(), csrf: `csrf-${id}`, revoked: false };
    this.sessions.set(id, session);
    this.issue(session, jar);
    return session;
  }

  issue(session, jar) {
    const access = `acc.${session.id}.${random()}`;
    session.access.add(access);
    jar.set("__Host-access", access, { httpOnly: true });
    jar.set("__Secure-refresh", `${session.id}.${session.refresh}`, { httpOnly: true, path: "/auth/session" });
    jar.set("__Host-csrf", session.csrf, { httpOnly: false });
    const { id, email, roles } = session.user;
    return { user: { id, email, roles }, session_id: session.id, access_expires_at: new Date(Date.now() + 60_000).toISOString() };
  }

  clearCookies(jar) {
    for (const name of ["__Host-access", "__Secure-refresh", "__Host-csrf"]) jar.delete(name);
  }

  /** The live session of the access cookie, or null. */
  accessSession(cookies) {
    const token = cookies.get("__Host-access");
    const session = token ? this.sessions.get(token.split(".")[1]) : null;
    return session && !session.revoked && session.access.has(token) ? session : null;
  }

  /** Every live access token stops verifying (the server-side expiry, cookies still present). */
  expireAccessTokens() {
    for (const session of this.sessions.values()) session.access.clear();
  }

  csrfOk(session, csrf, cookies) {
    return csrf !== null && csrf === cookies.get("__Host-csrf") && csrf === session.csrf;
  }

  async handle(request, jar) {
    const url = new URL(request.url);
    const cookies = jar.forPath(url.pathname);
    const text = await request.text();
    const body = text ? JSON.parse(text) : undefined;
    const entry = {
      method: request.method, path: url.pathname, csrf: request.headers.get("x-csrf-token"),
      cookies: [...cookies.keys()], credentials: request.credentials, redirect: request.redirect,
      contentType: request.headers.get("content-type"), body,
    };
    this.requests.push(entry);
    const route = `${request.method} ${url.pathname.replace(/^\/auth\/sessions\/[^/]+$/, "/auth/sessions/{id}")}`;
    const sessionId = /^\/auth\/sessions\/([^/]+)$/.exec(url.pathname)?.[1];
    if (sessionId !== undefined) entry.sessionId = sessionId;
    if (this.hooks[route]) {
      const answer = await this.hooks[route](request, { jar, cookies, body });
      if (answer) return answer;
    }
    return this.route(route, { jar, cookies, body, csrf: entry.csrf });
  }

  async route(route, { jar, cookies, body, csrf }) {
    switch (route) {
      case "POST /auth/register":
      case "POST /auth/password/forgot":
        return json(202, { status: "accepted" });
      case "POST /auth/email/verify":
        return body?.token === "good-token" ? json(200, { status: "verified" }) : problem(400, "invalid_request", { detail: "token" });
      case "POST /auth/password/reset":
        return json(200, { status: "reset" });
      case "POST /auth/security/not-me":
        return body?.token === "notice-token" ? json(200, { status: "secured", sessions_revoked: 2 })
          : problem(400, "invalid_request", { detail: "token: invalid or expired" });
      case "POST /auth/login": {
        const user = this.users.get(body?.email);
        if (!user || user.password !== body.password || body.mode !== "cookie") return problem(401, "invalid_credentials");
        if (user.mfa) {
          const token = random();
          this.mfaTokens.set(token, user);
          return json(200, { mfa_required: true, mfa_token: token });
        }
        return json(200, this.issue(this.startSession(user, jar), jar));
      }
      case "POST /auth/login/mfa": {
        const user = this.mfaTokens.get(body?.mfa_token);
        if (!user) return problem(401, "unauthenticated");
        if (body.code !== TOTP_CODE && body.recovery_code !== RECOVERY_CODE) return problem(401, "invalid_mfa");
        this.mfaTokens.delete(body.mfa_token);
        return json(200, this.issue(this.startSession(user, jar), jar));
      }
      case "POST /auth/session/refresh":
        return this.refresh(jar, cookies, csrf);
      case "GET /auth/session": {
        const session = this.accessSession(cookies);
        if (!session) return problem(401, "unauthenticated");
        const { id, email, roles } = session.user;
        return json(200, { user: { id, email, roles }, session_id: session.id, expires_at: new Date(Date.now() + 86_400_000).toISOString() });
      }
      case "POST /auth/session/logout":
      case "POST /auth/session/logout-all": {
        const [id] = (cookies.get("__Secure-refresh") ?? "").split(".");
        const session = this.accessSession(cookies) ?? this.sessions.get(id);
        if (!session || session.revoked) return problem(401, "unauthenticated");
        if (!this.csrfOk(session, csrf, cookies)) return problem(403, "csrf_failed");
        session.revoked = true;
        this.clearCookies(jar);
        return new Response(null, { status: 204, headers: { "Clear-Site-Data": '"cookies", "storage"' } });
      }
      case "GET /auth/sessions":
      case "DELETE /auth/sessions/{id}": {
        const session = this.accessSession(cookies);
        if (!session) return problem(401, "unauthenticated");
        const mine = [...this.sessions.values()].filter((s) => s.user === session.user && !s.revoked);
        if (route.startsWith("GET")) {
          return json(200, { sessions: mine.map((s) => ({ id: s.id, created_at: new Date(0).toISOString(),
            last_used_at: new Date().toISOString(), user_agent: "Fake/1.0", ip_prefix: "203.0.113.0/24", current: s === session })) });
        }
        if (!this.csrfOk(session, csrf, cookies)) return problem(403, "csrf_failed");
        const target = mine.find((s) => s.id === decodeURIComponent(this.requests.at(-1).sessionId ?? ""));
        if (!target) return problem(404, "not_found");
        target.revoked = true;
        return new Response(null, { status: 204 });
      }
      case "POST /auth/password/change":
      case "GET /api/me":
      case "POST /api/documents": {
        const session = this.accessSession(cookies);
        if (!session) return problem(401, "unauthenticated");
        if (route.startsWith("POST") && !this.csrfOk(session, csrf, cookies)) return problem(403, "csrf_failed");
        if (route === "GET /api/me") return json(200, { id: session.user.id, email: session.user.email });
        if (route === "POST /auth/password/change") return json(200, { status: "changed" });
        return json(201, { id: random(), ...body });
      }
      default:
        return problem(404, "not_found");
    }
  }

  async refresh(jar, cookies, csrf) {
    const [id, secret] = (cookies.get("__Secure-refresh") ?? "").split(".");
    const session = this.sessions.get(id);
    if (!session || session.revoked || session.refresh !== secret) return problem(401, "unauthenticated");
    if (!this.csrfOk(session, csrf, cookies)) return problem(403, "csrf_failed");
    this.inflightRefreshes += 1;
    this.maxConcurrentRefreshes = Math.max(this.maxConcurrentRefreshes, this.inflightRefreshes);
    try {
      await sleep(5); // a refresh takes a store round trip; lets concurrent callers overlap
      session.refresh = random();
      return json(200, this.issue(session, jar));
    } finally {
      this.inflightRefreshes -= 1;
    }
  }
}

/**
 * Web Locks (exclusive and shared modes, `ifAvailable`, `query`) shared by the tabs of
 * one fake browser. Grants happen in a later task, as in browsers.
 */
export class FakeLockManager {
  constructor({ withQuery = true } = {}) {
    this.held = [];
    this.queue = [];
    if (!withQuery) this.query = undefined;
  }

  request(name, optionsOrCallback, maybeCallback) {
    const [options, callback] = typeof optionsOrCallback === "function" ? [{}, optionsOrCallback] : [optionsOrCallback, maybeCallback];
    const mode = options.mode ?? "exclusive";
    return new Promise((resolve, reject) => {
      const entry = { name, mode, callback, resolve, reject };
      if (options.ifAvailable && !this.grantable(entry, this.held)) {
        setTimeout(() => this.run(entry, null), 0);
        return;
      }
      this.queue.push(entry);
      this.pump();
    });
  }

  grantable(entry, held) {
    return !held.some((lock) => lock.name === entry.name && (lock.mode === "exclusive" || entry.mode === "exclusive"));
  }

  pump() {
    for (const entry of [...this.queue]) {
      const earlier = this.queue.slice(0, this.queue.indexOf(entry)).filter((e) => e.name === entry.name);
      if (earlier.length > 0 || !this.grantable(entry, this.held)) continue;
      this.queue.splice(this.queue.indexOf(entry), 1);
      this.held.push(entry);
      setTimeout(() => this.run(entry, { name: entry.name, mode: entry.mode }), 0);
    }
  }

  async run(entry, lock) {
    try {
      entry.resolve(await entry.callback(lock));
    } catch (error) {
      entry.reject(error);
    } finally {
      if (lock) {
        this.held.splice(this.held.indexOf(entry), 1);
        this.pump();
      }
    }
  }

  async query() {
    const view = (list) => list.map(({ name, mode }) => ({ name, mode, clientId: "fake" }));
    return { held: view(this.held), pending: view(this.queue) };
  }
}

/** Node's BroadcastChannel with every message delivered `delayMs` late. */
export function delayedBroadcastChannel(delayMs) {
  return class DelayedBroadcastChannel extends BroadcastChannel {
    postMessage(data) {
      setTimeout(() => { try { super.postMessage(data); } catch { /* closed meanwhile */ } }, delayMs);
    }
  };
}

let browserCount = 0;

/** One browser profile: its tabs share cookies, locks and (by name) broadcast channels. */
export class FakeBrowser {
  /**
   * @param {{locks?: FakeLockManager|null, BroadcastChannel?: typeof BroadcastChannel|null}} [options]
   */
  constructor({ locks = new FakeLockManager(), BroadcastChannel: Channel = globalThis.BroadcastChannel } = {}) {
    this.jar = new CookieJar();
    this.server = new FakeServer();
    this.locks = locks;
    this.Channel = Channel;
    // Channel names are per browser, so parallel test files' browsers do not hear each other.
    this.name = `edgeauth-test-${process.pid}-${++browserCount}`;
    this.tabs = [];
    this.cookieWrites = 0;
  }

  /** `document.cookie` as the page sees it; writing to it is counted (the client must not). */
  get document() {
    const browser = this;
    return {
      get cookie() { return browser.jar.documentCookie(); },
      set cookie(_value) { browser.cookieWrites += 1; },
    };
  }

  /** The fetch of a page of this browser: the jar's cookies go to the fake server. */
  fetch = async (request) => this.server.handle(request, this.jar);

  /** A new tab: a client on this browser's origin. */
  tab(options = {}) {
    const client = createClient({
      baseUrl: ORIGIN, fetch: this.fetch, document: this.document, location: null,
      locks: this.locks, BroadcastChannel: this.Channel, name: this.name, ...options,
    });
    this.tabs.push(client);
    return client;
  }

  /** The access cookie lapsed (its Max-Age passed): the browser no longer sends it. */
  expireAccess() {
    this.jar.delete("__Host-access");
  }

  /** Signs `user` in through `tab` and asserts it worked. */
  async signIn(tab, user = ALICE) {
    const result = await tab.signIn({ email: user.email, password: user.password });
    if (result.status !== "signed_in") throw new Error(`sign-in: ${JSON.stringify(result)}`);
    return result;
  }

  close() {
    for (const tab of this.tabs) tab.close();
  }
}

/** Resolves after the event loop has run other tasks (broadcasts, lock grants) for `ms`. */
export function settle(ms = 20) {
  return sleep(ms);
}

/** Collects the session events a tab hears. */
export function recordEvents(tab) {
  const events = [];
  const unsubscribe = tab.onSessionChange((event) => events.push(event));
  return { events, unsubscribe, types: () => events.map((e) => `${e.type}${e.fromOtherTab ? " (other tab)" : ""}`) };
}
