// `bash tools/wrangler-dev.sh`: the six functions (and the example app) in one multi-config `wrangler dev`
// session behind the dev router, reached on one port. Runs on the prebuilt Workers
// (EDGEAUTH_PREBUILT=1, as the test command builds them first) with wrangler's own
// local runtime, offline: no telemetry, no update check, no cf.json fetch.
//
// What is proved: each function answers its own routes through the router (register
// and login on login, verification on reset, refresh and JWKS on refresh, /api/me on
// api), they share one KV namespace and Durable Object namespace (the account made on
// login is read by api and reset), api reaches login over its LOGIN service binding
// (a wrong password answers 401 from login's check, where a missing binding is 503),
// the hosted pages, their assets, the provider's discovery and the example app answer
// through the router too, and the router's path table is the production routes of the
// six wrangler configs.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { EXAMPLE, OWNERS, ownerOf } from "../../tools/wrangler-dev/router.mjs";
import { strongPassword, uniqueEmail } from "../harness/flows.mjs";
import { fragmentToken } from "../harness/mail.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const CONFIGS = { LOGIN: "functions/login/wrangler.toml", RESET: "functions/reset/wrangler.toml",
  REFRESH: "functions/refresh/wrangler.toml", API: "wrangler.toml", PAGES: "functions/pages/wrangler.toml",
  OAUTH: "functions/oauth/wrangler.toml" };

const freePort = () => new Promise((resolvePort) => {
  const server = createServer().listen(0, "127.0.0.1", () => {
    const { port } = server.address();
    server.close(() => resolvePort(port));
  });
});

let child;
let output = "";
let base;
let state;

before(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  state = mkdtempSync(join(tmpdir(), "edgeauth-wrangler-dev-"));
  child = spawn("bash", ["tools/wrangler-dev.sh", "--ip", "127.0.0.1", "--port", String(port),
    "--persist-to", state, "--show-interactive-dev-session=false"], {
    cwd: root, detached: true, stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, EDGEAUTH_PREBUILT: "1", WRANGLER_SEND_METRICS: "false", WRANGLER_HIDE_BANNER: "true",
      CLOUDFLARE_CF_FETCH_ENABLED: "false", DO_NOT_TRACK: "1" },
  });
  child.stdout.on("data", (chunk) => { output += chunk; });
  child.stderr.on("data", (chunk) => { output += chunk; });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) throw new Error(`wrangler dev did not answer within 60 s:\n${output}`);
    try {
      if ((await fetch(`${base}/api/health`)).status === 200) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
});

after(async () => {
  if (child?.exitCode === null) {
    process.kill(-child.pid, "SIGTERM"); // the group this test started: bash, wrangler, workerd
    await Promise.race([new Promise((r) => child.once("exit", r)), new Promise((r) => setTimeout(r, 5000))]);
    if (child.exitCode === null) process.kill(-child.pid, "SIGKILL");
  }
  if (state) rmSync(state, { recursive: true, force: true });
});

async function call(method, path, { json, token } = {}) {
  const headers = { "CF-Connecting-IP": "198.51.100.9" };
  if (json !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(base + path, { method, headers, body: json === undefined ? undefined : JSON.stringify(json) });
  const text = await response.text();
  return { status: response.status, text, json: text ? JSON.parse(text) : undefined };
}

/**
 * The console mail transport logs each mail as an object (wrangler prints it over
 * several lines, as Node's inspect does); the verification link's token in the mail
 * to `email`.
 */
async function loggedVerificationToken(email) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const at = output.indexOf(`to: '${email}'`);
    const link = at < 0 ? null : /\/verify-email#token=([A-Za-z0-9_-]+)/.exec(output.slice(at));
    if (link) return link[1];
    if (Date.now() > deadline) throw new Error(`no verification mail for ${email} in:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test("one wrangler dev session serves a route of each of login, reset, refresh and api on one port", async () => {
  const email = uniqueEmail("wrangler-dev");
  const password = strongPassword();
  const registered = await call("POST", "/auth/register", { json: { email, password } });
  assert.equal(registered.status, 202, `login: POST /auth/register: ${registered.text}`);
  const verified = await call("POST", "/auth/email/verify", { json: { token: await loggedVerificationToken(email) } });
  assert.equal(verified.status, 200, `reset: POST /auth/email/verify: ${verified.text}`);
  const login = await call("POST", "/auth/login", { json: { email, password, mode: "token" } });
  assert.equal(login.status, 200, `login: POST /auth/login: ${login.text}`);
  const me = await call("GET", "/api/me", { token: login.json.access_token });
  assert.equal(me.status, 200, `api: GET /api/me: ${me.text}`);
  assert.equal(me.json.email, email);
  const refreshed = await call("POST", "/auth/session/refresh", { json: { refresh_token: login.json.refresh_token } });
  assert.equal(refreshed.status, 200, `refresh: POST /auth/session/refresh: ${refreshed.text}`);
  const jwks = await call("GET", "/.well-known/jwks.json");
  assert.equal(jwks.status, 200);
  assert.ok(jwks.json.keys.length > 0);
  // api forwards its password routes to login over the LOGIN service binding.
  const wrong = await call("DELETE", "/api/me/mfa/totp", { token: refreshed.json.access_token,
    json: { password: "not the password at all" } });
  assert.equal(wrong.status, 401, `api → login: DELETE /api/me/mfa/totp: ${wrong.text}`);
  assert.equal(wrong.json.code, "invalid_credentials");
  // Paths nobody owns: api's 404 problem.
  const nobody = await call("GET", "/nobody-owns-this");
  assert.equal(nobody.status, 404);
  assert.equal(nobody.json.code, "not_found");
});

test("the session serves the hosted pages, their assets, the provider's discovery and the example app through the router", async () => {
  const discovery = await call("GET", "/.well-known/openid-configuration");
  assert.equal(discovery.status, 200, `oauth: discovery: ${discovery.text}`);
  assert.equal(discovery.json.issuer, "http://127.0.0.1:8787");
  for (const [path, type] of [["/sign-in", "text/html"], ["/assets/edgeauth/index.js", "text/javascript"],
    ["/consent", "text/html"], ["/example/", "text/html"]]) {
    const response = await fetch(`${base}${path}`);
    assert.equal(response.status, 200, path);
    assert.ok(response.headers.get("content-type").startsWith(type), path);
    assert.match(response.headers.get("content-security-policy"), /default-src 'none'/, path);
  }
});

/** The path patterns of the `routes` of [env.<env>] in a wrangler config, host removed. */
function productionPatterns(config, env) {
  const text = readFileSync(join(root, config), "utf8");
  const section = text.split(`[env.${env}]`)[1].split(/^\[env\./m)[0];
  const routes = /^routes = (.*)$/m.exec(section)[1];
  return [...routes.matchAll(/pattern = "[^/"]+(\/[^"]*)"/g)].map((m) => m[1]);
}

test("the dev router owns paths exactly as the production routes do", () => {
  for (const env of ["staging", "production"]) {
    for (const [binding, config] of Object.entries(CONFIGS)) {
      assert.deepEqual(OWNERS[binding], productionPatterns(config, env), `${binding} (${config}, ${env})`);
    }
  }
  const router = readFileSync(join(root, "tools/wrangler-dev/wrangler.toml"), "utf8");
  for (const [binding, config] of Object.entries(CONFIGS)) {
    const name = /^name = "([^"]+)"/m.exec(readFileSync(join(root, config), "utf8"))[1];
    assert.match(router, new RegExp(`binding = "${binding}"\\nservice = "${name}"`), binding);
  }
  assert.equal(ownerOf("/auth/login/mfa"), "LOGIN");
  assert.equal(ownerOf("/auth/sessions/abc"), "REFRESH");
  assert.equal(ownerOf("/auth/password/reset"), "RESET");
  assert.equal(ownerOf("/.well-known/jwks.json"), "REFRESH");
  assert.equal(ownerOf("/api/me"), "API");
  assert.equal(ownerOf("/auth"), "API", "unowned paths go to api for its 404");
  assert.equal(ownerOf("/sign-in"), "PAGES");
  assert.equal(ownerOf("/assets/edgeauth/index.js"), "PAGES");
  assert.equal(ownerOf("/example/dashboard"), "EXAMPLE");
  assert.equal(ownerOf("/oauth/token"), "OAUTH");
  assert.equal(ownerOf("/.well-known/openid-configuration"), "OAUTH");
  assert.equal(ownerOf("/consent"), "PAGES");
  for (const env of ["staging", "production"]) {
    assert.deepEqual(EXAMPLE.EXAMPLE, productionPatterns("examples/protected-app/wrangler.toml", env));
  }
});
