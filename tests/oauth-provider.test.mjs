// edgeauth as an OAuth 2.1 / OpenID Connect provider (docs/contract.md §11), driven by
// real relying-party libraries against the built functions, on the runtime of
// EDGEAUTH_TARGET (workers | spin):
// - openid-client 6 (discovery, code + PKCE, the token exchange with ID token checks,
//   userinfo, refresh, introspection, revocation; EdDSA and RS256 ID tokens);
// - oauth4webapi 3 (a private_key_jwt client with an ES256 key, a public client);
// - an MCP-style flow: a resource server answers 401 with its RFC 9728 metadata, the
//   client discovers edgeauth from it, registers itself (RFC 7591), authorizes with a
//   resource indicator (RFC 8707) and calls the resource, which checks `aud`;
// - the attacks of docs/oauth-provider.md §8, one named test each.
//
// The browser's part (sign-in, the consent page's decision) is played by the suite's
// HTTP client with the session cookies and the CSRF header, exactly as the consent
// page's script calls the API; tests/e2e/oauth-provider.test.mjs drives the same flow in
// Chromium.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as client from "openid-client";
import * as oauth from "oauth4webapi";
import { TARGET } from "./harness/target.mjs";
import { startE2eServer } from "./e2e/harness/server.mjs";
import { startMailSink } from "./harness/mail.mjs";
import { login, newSession, uniqueEmail } from "./harness/flows.mjs";
import { Client } from "./harness/http.mjs";
import { freePort, startResourceServer } from "./harness/resource-server.mjs";

const REDIRECT = "https://rp.example.test/callback";
const insecure = { execute: [client.allowInsecureRequests] };
const insecure4 = { [oauth.allowInsecureRequests]: true };

let server;
let sink;
let resourceServer;
let admin;
let issuer;
let apiResource;

before(async () => {
  sink = await startMailSink();
  const resourcePort = await freePort();
  const adminEmail = uniqueEmail("oauth-admin");
  server = await startE2eServer({
    ...sink.vars(),
    BOOTSTRAP_ADMIN_EMAILS: adminEmail,
    OAUTH_RESOURCES: `http://127.0.0.1:${resourcePort}/mcp`,
    OAUTH_SCOPES: "mcp:tools",
    OAUTH_DYNAMIC_REGISTRATION: "open",
    // One client address for the whole suite: lift the per-address limits.
    RATE_LIMIT_OAUTH_PROVIDER_PER_IP: "100000/60",
    RATE_LIMIT_OAUTH_REGISTER_PER_IP: "1000/3600",
  }, { withE2eStatic: false });
  issuer = server.url;
  apiResource = `${issuer}/api`;
  resourceServer = await startResourceServer({ issuer, port: resourcePort });
  admin = await newSession(issuer, sink, { mode: "token", email: adminEmail });
});

after(async () => {
  await resourceServer?.stop();
  await server?.stop();
  sink?.close();
});

/** A client created by the administrator (`POST /oauth/admin/clients`). */
async function adminClient(metadata) {
  const response = await admin.client.post("/oauth/admin/clients", {
    redirect_uris: [REDIRECT], grant_types: ["authorization_code", "refresh_token"], ...metadata,
  }, admin.auth());
  assert.equal(response.status, 201, response.text);
  return response.json;
}

/** A signed-in browser of a new user (cookie mode). */
const browser = () => newSession(issuer, sink, { mode: "cookie" });

/**
 * The browser's part of an authorization request: follow `/oauth/authorize` with the
 * session cookies; when the consent page is asked for, read the request and approve it
 * as the page's script does (`approve: false` denies). The URL the browser ends at.
 */
async function authorize(session, url, { approve = true } = {}) {
  const first = await session.client.get(url.pathname + url.search);
  assert.equal(first.status, 303, first.text);
  let target = first.headers.get("location");
  if (target.startsWith("/consent?")) {
    const id = new URL(target, issuer).searchParams.get("request");
    const described = await session.client.get(`/oauth/requests/${id}`, session.auth());
    assert.equal(described.status, 200, described.text);
    const decided = await session.client.post(`/oauth/requests/${id}`, { approve }, session.auth());
    assert.equal(decided.status, 200, decided.text);
    target = decided.json.redirect_to;
  }
  return new URL(target, issuer);
}

/** openid-client's configuration for a registered client. */
function rp(registered, auth, metadata = {}) {
  return client.discovery(new URL(issuer), registered.client_id,
    { id_token_signed_response_alg: registered.id_token_signed_response_alg, ...metadata }, auth, insecure);
}

/** An authorization URL with fresh PKCE, state and nonce, and the checks to verify its answer. */
async function start(config, parameters) {
  const verifier = client.randomPKCECodeVerifier();
  const checks = { pkceCodeVerifier: verifier, expectedState: client.randomState(), expectedNonce: client.randomNonce() };
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT, code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256", state: checks.expectedState, nonce: checks.expectedNonce, ...parameters,
  });
  return { url, checks, verifier };
}

/** A raw form POST to an endpoint (for the attacks, where the libraries would refuse to misbehave). */
async function form(path, fields, headers = {}) {
  const response = await fetch(issuer + path, {
    method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(fields),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text ? JSON.parse(text) : undefined, text };
}

const basic = (registered) => ({
  Authorization: `Basic ${Buffer.from(`${encodeURIComponent(registered.client_id)}:${encodeURIComponent(registered.client_secret)}`).toString("base64")}`,
});

/** A code for `registered` by a new browser: `{code, verifier, session}`. */
async function codeFor(registered, parameters = {}) {
  const config = await rp(registered, client.None());
  const { url, verifier } = await start(config, { scope: "openid offline_access", ...parameters });
  const session = await browser();
  const callback = await authorize(session, url);
  const code = callback.searchParams.get("code");
  assert.ok(code, callback.href);
  return { code, verifier, session, callback };
}

describe(`${TARGET}: OAuth provider with openid-client and oauth4webapi`, () => {
  test("discovery (RFC 8414 and OpenID Connect) names the issuer, the endpoints and both ID token algorithms", async () => {
    const registered = await adminClient({ client_name: "Discovery" });
    const config = await rp(registered, client.ClientSecretBasic(registered.client_secret));
    const metadata = config.serverMetadata();
    assert.equal(metadata.issuer, issuer);
    assert.equal(metadata.token_endpoint, `${issuer}/oauth/token`);
    assert.deepEqual(metadata.code_challenge_methods_supported, ["S256"]);
    assert.deepEqual(metadata.id_token_signing_alg_values_supported, ["EdDSA", "RS256"]);
    assert.equal(metadata.registration_endpoint, `${issuer}/oauth/register`);
    const rfc8414 = await (await fetch(`${issuer}/.well-known/oauth-authorization-server`)).json();
    assert.deepEqual(rfc8414, await (await fetch(`${issuer}/.well-known/openid-configuration`)).json());
    const jwks = await (await fetch(`${issuer}/.well-known/jwks.json`)).json();
    assert.ok(jwks.keys.some((key) => key.kty === "OKP" && key.alg === "EdDSA"));
    assert.ok(jwks.keys.some((key) => key.kty === "RSA" && key.alg === "RS256" && !("d" in key)));
    const resource = await (await fetch(`${issuer}/.well-known/oauth-protected-resource/api`)).json();
    assert.equal(resource.resource, apiResource);
    assert.deepEqual(resource.authorization_servers, [issuer]);
  });

  test("openid-client: code + PKCE, the exchange with an EdDSA ID token, userinfo, refresh, introspection, revocation", async () => {
    const registered = await adminClient({ client_name: "RP basic", token_endpoint_auth_method: "client_secret_basic" });
    const config = await rp(registered, client.ClientSecretBasic(registered.client_secret));
    const { url, checks } = await start(config, { scope: "openid email offline_access" });
    const session = await browser();
    const callback = await authorize(session, url);
    assert.equal(callback.searchParams.get("iss"), issuer, "RFC 9207 iss in the authorization response");
    const tokens = await client.authorizationCodeGrant(config, callback, checks);
    const claims = tokens.claims();
    assert.equal(claims.sub, session.user.id);
    assert.equal(claims.aud, registered.client_id);
    assert.equal(claims.nonce, checks.expectedNonce);
    assert.equal(tokens.token_type.toLowerCase(), "bearer");
    const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
    assert.equal(info.email, session.email);
    assert.equal(info.email_verified, true);
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
    assert.notEqual(refreshed.refresh_token, tokens.refresh_token, "rotated");
    assert.equal(refreshed.claims().sub, claims.sub);
    const active = await client.tokenIntrospection(config, refreshed.access_token);
    assert.equal(active.active, true);
    assert.equal(active.client_id, registered.client_id);
    assert.equal(active.sub, claims.sub);
    await client.tokenRevocation(config, refreshed.refresh_token);
    assert.equal((await client.tokenIntrospection(config, refreshed.access_token)).active, false);
    await assert.rejects(client.refreshTokenGrant(config, refreshed.refresh_token), (error) => error.error === "invalid_grant");
    await assert.rejects(client.fetchUserInfo(config, refreshed.access_token, claims.sub));
  });

  test("openid-client: RS256 ID tokens for a client_secret_post client, checked against the published RSA key", async () => {
    const registered = await adminClient({ client_name: "RP RS256", token_endpoint_auth_method: "client_secret_post",
      id_token_signed_response_alg: "RS256" });
    const config = await rp(registered, client.ClientSecretPost(registered.client_secret));
    const { url, checks } = await start(config, { scope: "openid" });
    const session = await browser();
    const tokens = await client.authorizationCodeGrant(config, await authorize(session, url), checks);
    const [header] = tokens.id_token.split(".");
    assert.equal(JSON.parse(Buffer.from(header, "base64url")).alg, "RS256");
    assert.equal(tokens.claims().sub, session.user.id);
    assert.equal(tokens.refresh_token, undefined, "an OpenID grant without offline_access gets no refresh token");
  });

  test("oauth4webapi: a private_key_jwt client with an ES256 key, and a public client", async () => {
    const { privateKey, publicKey } = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"]);
    const jwk = { ...(await crypto.subtle.exportKey("jwk", publicKey)), kid: "rp-es256", alg: "ES256", use: "sig" };
    delete jwk.key_ops;
    delete jwk.ext;
    const confidential = await adminClient({ client_name: "RP jwt", token_endpoint_auth_method: "private_key_jwt", jwks: { keys: [jwk] } });
    const publicClient = await adminClient({ client_name: "RP public", token_endpoint_auth_method: "none" });
    const as = await oauth.processDiscoveryResponse(new URL(issuer),
      await oauth.discoveryRequest(new URL(issuer), { algorithm: "oidc", ...insecure4 }));
    for (const [registered, auth] of [[confidential, oauth.PrivateKeyJwt({ key: privateKey, kid: "rp-es256" })], [publicClient, oauth.None()]]) {
      const verifier = oauth.generateRandomCodeVerifier();
      const state = oauth.generateRandomState();
      const url = new URL(as.authorization_endpoint);
      for (const [name, value] of Object.entries({ client_id: registered.client_id, redirect_uri: REDIRECT, response_type: "code",
        scope: "documents", state, code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: "S256",
        resource: apiResource })) url.searchParams.set(name, value);
      const session = await browser();
      const clientObject = { client_id: registered.client_id };
      const params = oauth.validateAuthResponse(as, clientObject, await authorize(session, url), state);
      const response = await oauth.authorizationCodeGrantRequest(as, clientObject, auth, params, REDIRECT, verifier, insecure4);
      const result = await oauth.processAuthorizationCodeResponse(as, clientObject, response);
      // The token is for the api: its documents open, as the user.
      const documents = await fetch(`${issuer}/api/documents`, { headers: { Authorization: `Bearer ${result.access_token}` } });
      assert.equal(documents.status, 200, registered.client_name);
      const introspected = await oauth.processIntrospectionResponse(as, clientObject,
        await oauth.introspectionRequest(as, clientObject, auth, result.access_token, insecure4));
      assert.equal(introspected.active, true, registered.client_name);
      assert.equal(introspected.aud, apiResource);
    }
  });

  test("MCP-style: the resource's 401 leads to discovery, dynamic registration, authorization with a resource indicator and a call", async () => {
    // 1. The MCP server answers 401 with where its metadata is (RFC 9728 §5.1).
    const first = await fetch(resourceServer.resource);
    assert.equal(first.status, 401);
    const metadataUrl = /resource_metadata="([^"]+)"/.exec(first.headers.get("www-authenticate"))[1];
    const protectedResource = await (await fetch(metadataUrl)).json();
    assert.equal(protectedResource.resource, resourceServer.resource);
    const [authorizationServer] = protectedResource.authorization_servers;
    // 2. The authorization server's metadata (RFC 8414), and dynamic registration (RFC 7591).
    const metadata = await (await fetch(`${authorizationServer}/.well-known/oauth-authorization-server`)).json();
    const callbackUri = "http://127.0.0.1:33418/callback";
    const registration = await fetch(metadata.registration_endpoint, {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ client_name: "MCP test client", redirect_uris: [callbackUri], token_endpoint_auth_method: "none",
        grant_types: ["authorization_code", "refresh_token"], response_types: ["code"] }),
    });
    assert.equal(registration.status, 201);
    const registered = await registration.json();
    assert.equal(registered.token_endpoint_auth_method, "none");
    // 3. Authorization with PKCE and the resource indicator; the user consents (the page
    //    says the client registered itself).
    const verifier = oauth.generateRandomCodeVerifier();
    const url = new URL(metadata.authorization_endpoint);
    for (const [name, value] of Object.entries({ client_id: registered.client_id, response_type: "code",
      redirect_uri: "http://127.0.0.1:51820/callback", scope: "mcp:tools", state: "mcp-state",
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: "S256",
      resource: protectedResource.resource })) url.searchParams.set(name, value);
    const session = await browser();
    const waiting = await session.client.get(url.pathname + url.search);
    const id = new URL(waiting.headers.get("location"), issuer).searchParams.get("request");
    const described = await session.client.get(`/oauth/requests/${id}`, session.auth());
    assert.equal(described.json.client.dynamic, true);
    assert.deepEqual(described.json.resources, [resourceServer.resource]);
    const decided = await session.client.post(`/oauth/requests/${id}`, { approve: true }, session.auth());
    const callback = new URL(decided.json.redirect_to);
    assert.equal(callback.port, "51820", "a registered loopback URI on another port (RFC 8252 §7.3)");
    // 4. The exchange with the resource indicator: a token for that audience.
    const token = await form("/oauth/token", { grant_type: "authorization_code", code: callback.searchParams.get("code"),
      redirect_uri: "http://127.0.0.1:51820/callback", code_verifier: verifier, client_id: registered.client_id,
      resource: protectedResource.resource });
    assert.equal(token.status, 200, token.text);
    // 5. The call: the resource server checks the signature, issuer and audience.
    const call = await fetch(resourceServer.resource, { headers: { Authorization: `Bearer ${token.json.access_token}` } });
    assert.equal(call.status, 200);
    const caller = await call.json();
    assert.equal(caller.sub, session.user.id);
    assert.equal(caller.client_id, registered.client_id);
    assert.equal(caller.scope, "mcp:tools");
    // 6. Refresh keeps the audience.
    const refreshed = await form("/oauth/token", { grant_type: "refresh_token", refresh_token: token.json.refresh_token,
      client_id: registered.client_id });
    assert.equal(refreshed.status, 200, refreshed.text);
    const again = await fetch(resourceServer.resource, { headers: { Authorization: `Bearer ${refreshed.json.access_token}` } });
    assert.equal(again.status, 200);
  });
});

describe(`${TARGET}: attacks on the provider`, () => {
  test("attack: a code used twice is refused and the tokens of its first use are revoked", async () => {
    const registered = await adminClient({ client_name: "Twice" });
    const { code, verifier } = await codeFor(registered);
    const exchange = () => form("/oauth/token", { grant_type: "authorization_code", code, redirect_uri: REDIRECT,
      code_verifier: verifier }, basic(registered));
    const first = await exchange();
    assert.equal(first.status, 200, first.text);
    const userinfo = () => fetch(`${issuer}/oauth/userinfo`, { headers: { Authorization: `Bearer ${first.json.access_token}` } });
    assert.equal((await userinfo()).status, 200);
    const second = await exchange();
    assert.equal(second.status, 400);
    assert.equal(second.json.error, "invalid_grant");
    const refreshed = await form("/oauth/token", { grant_type: "refresh_token", refresh_token: first.json.refresh_token }, basic(registered));
    assert.equal(refreshed.json.error, "invalid_grant", "the first use's refresh token is revoked");
    assert.equal((await userinfo()).status, 401, "and its access token no longer opens userinfo");
    const introspected = await form("/oauth/introspect", { token: first.json.access_token }, basic(registered));
    assert.deepEqual(introspected.json, { active: false });
  });

  test("attack: a PKCE verifier that does not match the challenge is refused, and the code still works with the right one", async () => {
    const registered = await adminClient({ client_name: "PKCE" });
    const { code, verifier } = await codeFor(registered);
    const wrong = await form("/oauth/token", { grant_type: "authorization_code", code, redirect_uri: REDIRECT,
      code_verifier: oauth.generateRandomCodeVerifier() }, basic(registered));
    assert.equal(wrong.status, 400);
    assert.equal(wrong.json.error, "invalid_grant");
    const missing = await form("/oauth/token", { grant_type: "authorization_code", code, redirect_uri: REDIRECT }, basic(registered));
    assert.equal(missing.json.error, "invalid_request");
    const right = await form("/oauth/token", { grant_type: "authorization_code", code, redirect_uri: REDIRECT,
      code_verifier: verifier }, basic(registered));
    assert.equal(right.status, 200, right.text);
  });

  test("attack: a redirect URI varied by one character gets the error page, never a redirect", async () => {
    const registered = await adminClient({ client_name: "Exact" });
    const session = await browser();
    for (const varied of ["https://rp.example.test/callbacK", "https://rp.example.test/callback/", "https://rp.example.test/callbac",
      "https://rp.example.tesT/callback", "https://rp.example.test/callback?x", "http://rp.example.test/callback",
      "https://rp.example.test.evil.com/callback"]) {
      const query = new URLSearchParams({ response_type: "code", client_id: registered.client_id, redirect_uri: varied,
        state: "s", code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", code_challenge_method: "S256" });
      const response = await session.client.get(`/oauth/authorize?${query}`);
      assert.equal(response.status, 400, varied);
      assert.equal(response.headers.get("location"), null, varied);
      assert.match(response.text, /data-problem="bad_redirect_uri"/, varied);
    }
    // At the token endpoint too: a code bound to one redirect URI is refused with another.
    const { code, verifier } = await codeFor(registered);
    const token = await form("/oauth/token", { grant_type: "authorization_code", code, code_verifier: verifier,
      redirect_uri: "https://rp.example.test/callbacK" }, basic(registered));
    assert.equal(token.json.error, "invalid_grant");
  });

  test("attack: a refresh token used by another client is refused and ends the grant", async () => {
    const victim = await adminClient({ client_name: "Victim" });
    const thief = await adminClient({ client_name: "Thief" });
    const { code, verifier } = await codeFor(victim);
    const tokens = (await form("/oauth/token", { grant_type: "authorization_code", code, redirect_uri: REDIRECT,
      code_verifier: verifier }, basic(victim))).json;
    const stolen = await form("/oauth/token", { grant_type: "refresh_token", refresh_token: tokens.refresh_token }, basic(thief));
    assert.equal(stolen.status, 400);
    assert.equal(stolen.json.error, "invalid_grant");
    const own = await form("/oauth/token", { grant_type: "refresh_token", refresh_token: tokens.refresh_token }, basic(victim));
    assert.equal(own.json.error, "invalid_grant", "the leaked token's grant was revoked");
    const events = await admin.client.get(`/api/admin/audit?event=oauth_refresh_client_mismatch&limit=5`, admin.auth());
    assert.ok(events.json.events.some((event) => event.detail.presented_by === thief.client_id));
  });

  test("attack: ten concurrent refreshes make exactly one successor, and a retry within the grace window gets it too", async () => {
    const registered = await adminClient({ client_name: "Concurrent" });
    const { code, verifier } = await codeFor(registered);
    const tokens = (await form("/oauth/token", { grant_type: "authorization_code", code, redirect_uri: REDIRECT,
      code_verifier: verifier }, basic(registered))).json;
    const answers = await Promise.all(Array.from({ length: 10 }, () =>
      form("/oauth/token", { grant_type: "refresh_token", refresh_token: tokens.refresh_token }, basic(registered))));
    for (const answer of answers) assert.equal(answer.status, 200, answer.text);
    const successors = new Set(answers.map((answer) => answer.json.refresh_token));
    assert.equal(successors.size, 1, "one successor for all ten");
    const retry = await form("/oauth/token", { grant_type: "refresh_token", refresh_token: tokens.refresh_token }, basic(registered));
    assert.equal(retry.json.refresh_token, [...successors][0], "a retry within 30 s gets the same successor");
    const next = await form("/oauth/token", { grant_type: "refresh_token", refresh_token: [...successors][0] }, basic(registered));
    assert.equal(next.status, 200, "the successor is live");
  });

  test("attack: a token for resource A is refused at resource B", async () => {
    const registered = await adminClient({ client_name: "Two resources" });
    const { code, verifier } = await codeFor(registered, { scope: "profile mcp:tools", resource: resourceServer.resource });
    const forMcp = (await form("/oauth/token", { grant_type: "authorization_code", code, redirect_uri: REDIRECT,
      code_verifier: verifier }, basic(registered))).json;
    const call = (url, token) => fetch(url, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal((await call(resourceServer.resource, forMcp.access_token)).status, 200);
    assert.equal((await call(`${issuer}/api/me`, forMcp.access_token)).status, 401, "the api refuses the MCP server's token");
    // Asking for a resource outside the grant is invalid_target, never a token for it.
    const widened = await form("/oauth/token", { grant_type: "refresh_token", refresh_token: forMcp.refresh_token,
      resource: apiResource }, basic(registered));
    assert.equal(widened.json.error, "invalid_target");
    // A grant for the api gives tokens the MCP server refuses.
    const api = await codeFor(registered, { scope: "profile", resource: apiResource });
    const forApi = (await form("/oauth/token", { grant_type: "authorization_code", code: api.code, redirect_uri: REDIRECT,
      code_verifier: api.verifier }, basic(registered))).json;
    assert.equal((await call(`${issuer}/api/me`, forApi.access_token)).status, 200);
    const refused = await call(resourceServer.resource, forApi.access_token);
    assert.equal(refused.status, 401);
    assert.match(refused.headers.get("www-authenticate"), /invalid_token/);
  });

  test("attack: open redirects through error redirects are refused: an error goes only to a validated redirect URI", async () => {
    const registered = await adminClient({ client_name: "No open redirect" });
    const anonymous = new Client(issuer);
    const evil = "https://evil.example/steal";
    const cases = [
      // Unknown client: nothing to validate against.
      { client_id: "0".repeat(32), redirect_uri: evil, response_type: "code" },
      // An error-inducing request (a response type that does not exist) with an unregistered URI.
      { client_id: registered.client_id, redirect_uri: evil, response_type: "token" },
      { client_id: registered.client_id, redirect_uri: "javascript:alert(document.domain)", response_type: "code" },
      { client_id: registered.client_id, response_type: "code" },
    ];
    for (const fields of cases) {
      const response = await anonymous.get(`/oauth/authorize?${new URLSearchParams({ ...fields, state: "x" })}`);
      assert.equal(response.status, 400, JSON.stringify(fields));
      assert.equal(response.headers.get("location"), null, JSON.stringify(fields));
      assert.ok(!response.text.includes("evil.example"), "the page does not even link to it");
    }
    // A second redirect_uri appended to a valid request: refused outright.
    const valid = new URLSearchParams({ response_type: "code", client_id: registered.client_id, redirect_uri: REDIRECT });
    const doubled = await anonymous.get(`/oauth/authorize?${valid}&redirect_uri=${encodeURIComponent(evil)}`);
    assert.equal(doubled.status, 400);
    assert.equal(doubled.headers.get("location"), null);
    // With the registered URI, an error (here no PKCE) goes there, with state and iss.
    const error = await anonymous.get(`/oauth/authorize?${valid}&state=s1`);
    assert.equal(error.status, 303);
    const target = new URL(error.headers.get("location"));
    assert.equal(target.origin + target.pathname, REDIRECT);
    assert.equal(target.searchParams.get("error"), "invalid_request");
    assert.equal(target.searchParams.get("state"), "s1");
    assert.equal(target.searchParams.get("iss"), issuer);
    // RP-initiated logout: only a registered post-logout URI.
    const logout = await anonymous.get(`/oauth/end-session?client_id=${registered.client_id}&post_logout_redirect_uri=${encodeURIComponent(evil)}`);
    assert.equal(logout.status, 400);
    assert.equal(logout.headers.get("location"), null);
    // The sign-in page's way back is the provider's own path, and nothing else.
    const signIn = await anonymous.get(`/sign-in?return_to=${encodeURIComponent(evil)}`);
    assert.doesNotMatch(signIn.text, /evil\.example/);
  });
});

describe(`${TARGET}: grants end with the user's sessions`, () => {
  test("signing out everywhere ends the grants; a single browser sign-out does not", async () => {
    const registered = await adminClient({ client_name: "Lifecycle" });
    const { code, verifier, session } = await codeFor(registered);
    const tokens = (await form("/oauth/token", { grant_type: "authorization_code", code, redirect_uri: REDIRECT,
      code_verifier: verifier }, basic(registered))).json;
    const refresh = (token) => form("/oauth/token", { grant_type: "refresh_token", refresh_token: token }, basic(registered));
    // Signing out of the browser session the grant was approved in leaves the grant.
    const single = await session.client.request("POST", "/auth/session/logout", session.auth());
    assert.equal(single.status, 204, single.text);
    const next = (await refresh(tokens.refresh_token)).json;
    assert.ok(next.refresh_token, "the grant outlives the browser session");
    // Signing out everywhere (the user's session epoch moves) ends it.
    const again = await login(new Client(issuer), session.email, session.password, "token");
    const everywhere = await again.client.request("POST", "/auth/session/logout-all", again.auth());
    assert.equal(everywhere.status, 204, everywhere.text);
    assert.equal((await refresh(next.refresh_token)).json.error, "invalid_grant");
  });

  test("the account's connected apps list a grant and revoking it ends the client's tokens", async () => {
    const registered = await adminClient({ client_name: "Connected" });
    const { code, verifier, session } = await codeFor(registered);
    const tokens = (await form("/oauth/token", { grant_type: "authorization_code", code, redirect_uri: REDIRECT,
      code_verifier: verifier }, basic(registered))).json;
    const listed = await session.client.get("/oauth/consents", session.auth());
    assert.equal(listed.status, 200);
    const app = listed.json.consents.find((consent) => consent.client_id === registered.client_id);
    assert.equal(app.client_name, "Connected");
    assert.equal(app.active_grants, 1);
    const revoked = await session.client.delete(`/oauth/consents/${registered.client_id}`, session.auth());
    assert.equal(revoked.status, 204);
    const refreshed = await form("/oauth/token", { grant_type: "refresh_token", refresh_token: tokens.refresh_token }, basic(registered));
    assert.equal(refreshed.json.error, "invalid_grant");
  });
});
