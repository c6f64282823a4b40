// Social sign-in over HTTP against real components (docs/social-login.md): a real
// OpenID provider (panva's oidc-provider, tests/harness/oidc.mjs) configured as the
// generic provider `oidc`, with an adversarial proxy that rewrites one thing of its
// token answers where a case needs a misbehaving provider; and a GitHub-shaped OAuth
// 2.0 server (tests/harness/github.mjs) for the non-OIDC path. Runs on both runtimes
// (EDGEAUTH_TARGET=workers|spin). The browser version is tests/e2e/oauth.test.mjs.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { TARGET } from "./harness/target.mjs";
import { startE2eServer } from "./e2e/harness/server.mjs";
import { Client } from "./harness/http.mjs";
import { startMailSink } from "./harness/mail.mjs";
import { login, registerAndVerify, strongPassword, uniqueEmail } from "./harness/flows.mjs";
import { CLIENT_ID, CLIENT_SECRET, startOidcProvider } from "./harness/oidc.mjs";
import { GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET, startGitHub } from "./harness/github.mjs";

let server;
let op;
let github;
let sink;

before(async () => {
  op = await startOidcProvider();
  github = await startGitHub();
  sink = await startMailSink();
  server = await startE2eServer({
    ...sink.vars(),
    OAUTH_PROVIDERS: "oidc,github",
    OAUTH_OIDC_CLIENT_ID: CLIENT_ID,
    OAUTH_OIDC_CLIENT_SECRET: CLIENT_SECRET,
    OAUTH_OIDC_ISSUER: op.issuer,
    OAUTH_OIDC_LABEL: "Acme",
    OAUTH_GITHUB_CLIENT_ID: GITHUB_CLIENT_ID,
    OAUTH_GITHUB_CLIENT_SECRET: GITHUB_CLIENT_SECRET,
    OAUTH_GITHUB_URL: github.url,
    RETURN_TO_PATHS: "/account,/app/",
    RATE_LIMIT_OAUTH_PER_IP: "1000/60",
  }, { withE2eStatic: false });
  op.register({ redirectUri: `${server.url}/auth/oauth/oidc/callback` });
});

after(async () => {
  await server?.stop();
  await op?.stop();
  await github?.stop();
  await sink?.close();
});

/** Starts a flow in `client`'s "browser": the authorization URL (and the binding cookie in the jar). */
async function start(client, provider = "oidc", returnTo = "/app/home") {
  const response = await client.get(`/auth/oauth/${provider}/start?return_to=${encodeURIComponent(returnTo)}`);
  assert.equal(response.status, 303, response.text);
  return response.headers.get("location");
}

/** The callback URL's path and query on edgeauth. */
const local = (url) => { const u = new URL(url); return u.pathname + u.search; };

/** A whole sign-in at the provider as `login`: the callback's answer. */
async function signIn(client, account, claims) {
  op.setAccount(account, claims);
  const authorization = await start(client);
  const callback = await op.authorize(authorization, account);
  return client.get(local(callback));
}

const verified = (email) => ({ email, email_verified: true });

describe("the flow", () => {
  test("a first sign-in at the OpenID provider creates the account and signs in", async () => {
    const client = new Client(server.url);
    const email = uniqueEmail("oidc");
    const authorization = new URL(await start(client));
    assert.equal(authorization.origin, op.issuer);
    assert.equal(authorization.searchParams.get("redirect_uri"), `${server.url}/auth/oauth/oidc/callback`);
    assert.equal(authorization.searchParams.get("code_challenge_method"), "S256");
    assert.match(authorization.searchParams.get("state"), /^[A-Za-z0-9_-]{43}$/);
    assert.match(authorization.searchParams.get("nonce"), /^[A-Za-z0-9_-]{43}$/);
    assert.match(client.cookies.get("__Host-oauth"), /^[A-Za-z0-9_-]{43}$/);
    op.setAccount("first-user", verified(email));
    const callback = await op.authorize(authorization.href, "first-user");
    assert.ok(callback.startsWith(`${server.url}/auth/oauth/oidc/callback?`), callback);
    const answer = await client.get(local(callback));
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.json.user.email, email);
    assert.ok(client.cookies.get("__Host-access"));
    const me = await client.get("/api/me");
    assert.equal(me.status, 200);
    assert.equal(me.json.email_verified, true);
    const identities = await client.get("/api/me/identities");
    assert.deepEqual(identities.json.identities.map((i) => [i.provider, i.label, i.email]), [["oidc", "Acme", email]]);
    assert.equal(identities.json.password_set, false);
    // The same provider account signs in to the same user next time.
    const again = await signIn(new Client(server.url), "first-user", verified(email));
    assert.equal(again.json.user.id, answer.json.user.id);
  });

  test("a navigation is answered with a redirect to return_to and the session cookies", async () => {
    const client = new Client(server.url);
    op.setAccount("navigator", verified(uniqueEmail("nav")));
    const callback = await op.authorize(await start(client), "navigator");
    const answer = await client.get(local(callback), { headers: { Accept: "text/html,application/xhtml+xml" } });
    assert.equal(answer.status, 303);
    assert.equal(answer.headers.get("location"), "/app/home");
    assert.ok(answer.setCookies.some((c) => c.startsWith("__Host-access=")));
  });
});

describe("attacks", () => {
  test("state mismatch: a callback whose state is not one edgeauth issued is refused", async () => {
    const client = new Client(server.url);
    op.setAccount("s", verified(uniqueEmail("state")));
    const callback = new URL(await op.authorize(await start(client), "s"));
    callback.searchParams.set("state", "A".repeat(43));
    const answer = await client.get(local(callback.href));
    assert.equal(answer.status, 400);
    assert.equal(answer.json.code, "oauth_failed");
    assert.equal(answer.json.detail, "the sign-in request is unknown, expired or was already used");
  });

  test("a replayed callback is refused, in the same browser and in another one", async () => {
    const client = new Client(server.url);
    op.setAccount("replay", verified(uniqueEmail("replay")));
    const callback = local(await op.authorize(await start(client), "replay"));
    assert.equal((await client.get(callback)).status, 200);
    const again = await client.get(callback);
    assert.equal(again.status, 400);
    assert.equal(again.json.code, "oauth_failed");
    const elsewhere = await new Client(server.url).get(callback);
    assert.equal(elsewhere.status, 400);
  });

  test("a callback opened in another browser (a lured victim) fails and spends the state", async () => {
    const attacker = new Client(server.url);
    op.setAccount("mallory", verified(uniqueEmail("mallory")));
    const callback = local(await op.authorize(await start(attacker), "mallory"));
    const victim = new Client(server.url);
    const answer = await victim.get(callback);
    assert.equal(answer.status, 400);
    assert.equal(answer.json.detail, "the sign-in was started in another browser");
    assert.equal(victim.cookies.get("__Host-access"), undefined);
    assert.equal((await attacker.get(callback)).status, 400, "the state is used up");
  });

  for (const [name, tamper] of [
    ["a nonce of another flow", { claims: { nonce: "n-of-another-flow" } }],
    ["a wrong aud", { claims: { aud: "another-client" } }],
    ["an extra aud", { claims: { aud: [CLIENT_ID, "another-client"] } }],
    ["an expired ID token", { claims: { exp: Math.floor(Date.now() / 1000) - 3600, iat: Math.floor(Date.now() / 1000) - 3700 } }],
    ["another issuer", { claims: { iss: "http://127.0.0.9:1" } }],
    ["a token signed by an unknown key", { unknownKey: true }],
  ]) {
    test(`${name} is refused and signs nobody in`, async () => {
      const client = new Client(server.url);
      const email = uniqueEmail("tamper");
      op.setAccount("tampered", verified(email));
      const callback = local(await op.authorize(await start(client), "tampered"));
      op.tamper(tamper);
      const answer = await client.get(callback);
      assert.equal(answer.status, 400, answer.text);
      assert.equal(answer.json.code, "oauth_failed");
      assert.equal(answer.json.detail, "the provider's answer failed validation");
      assert.equal(client.cookies.get("__Host-access"), undefined);
    });
  }

  test("a provider answering 500 is 502 oauth_unavailable, without its text", async () => {
    const client = new Client(server.url);
    op.setAccount("outage", verified(uniqueEmail("outage")));
    const callback = local(await op.authorize(await start(client), "outage"));
    op.tamper({ status: 500 });
    const answer = await client.get(callback);
    assert.equal(answer.status, 502);
    assert.equal(answer.json.code, "oauth_unavailable");
    assert.ok(!answer.text.includes("provider text"));
  });

  test("an existing password account is not taken over by a sign-in with its address", async () => {
    const email = uniqueEmail("owner");
    const password = strongPassword();
    const owner = new Client(server.url);
    await registerAndVerify(owner, email, password, sink);
    const answer = await signIn(new Client(server.url), "impostor", verified(email));
    assert.equal(answer.status, 409);
    assert.equal(answer.json.code, "oauth_account_exists");
    // The owner signs in, links the provider account, and then it signs them in.
    const session = await login(owner, email, password);
    op.setAccount("owner-at-idp", { email: uniqueEmail("idp"), email_verified: true });
    const link = await owner.post("/auth/oauth/oidc/link", undefined, session.auth());
    assert.equal(link.status, 200, link.text);
    const callback = await op.authorize(link.json.authorization_url, "owner-at-idp");
    const linked = await owner.get(local(callback));
    assert.equal(linked.status, 200, linked.text);
    assert.equal(linked.json.status, "linked");
    const viaProvider = await signIn(new Client(server.url), "owner-at-idp", verified(uniqueEmail("x")));
    assert.equal(viaProvider.json.user.email, email);
  });

  test("unlinking the last sign-in method is refused; with a password it works", async () => {
    const client = new Client(server.url);
    const email = uniqueEmail("unlink");
    const answer = await signIn(client, "unlinker", verified(email));
    assert.equal(answer.status, 200, answer.text);
    const csrf = { headers: { "X-CSRF-Token": client.cookies.get("__Host-csrf") } };
    const refused = await client.delete("/api/me/identities/oidc", csrf);
    assert.equal(refused.status, 400);
    assert.equal(refused.json.detail, "the last sign-in method cannot be removed");
    assert.equal((await client.get("/api/me/identities")).json.identities.length, 1);
  });
});

describe("GitHub (OAuth 2.0 without OpenID Connect)", () => {
  test("a verified primary address creates the account", async () => {
    const email = uniqueEmail("octo");
    github.setAccount("octocat", { id: 583231, emails: [{ email, primary: true, verified: true }] });
    github.signInAs("octocat");
    const client = new Client(server.url);
    const authorization = await start(client, "github");
    const redirect = await fetch(authorization, { redirect: "manual" });
    const answer = await client.get(local(redirect.headers.get("location")));
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.json.user.email, email);
  });

  test("an account whose primary address is unverified gets no account", async () => {
    const email = uniqueEmail("unverified");
    github.setAccount("ghost", {
      id: 1000001,
      emails: [{ email, primary: true, verified: false }, { email: uniqueEmail("other"), primary: false, verified: true }],
    });
    github.signInAs("ghost");
    const client = new Client(server.url);
    const redirect = await fetch(await start(client, "github"), { redirect: "manual" });
    const answer = await client.get(local(redirect.headers.get("location")));
    assert.equal(answer.status, 400);
    assert.equal(answer.json.code, "oauth_email_unverified");
    assert.equal(client.cookies.get("__Host-access"), undefined);
  });
});

describe("key rotation", () => {
  test("a provider that rotates its signing key is followed: the new key set is fetched", async () => {
    const client = new Client(server.url);
    const email = uniqueEmail("rotate");
    assert.equal((await signIn(client, "rotator", verified(email))).status, 200);
    const fetches = op.counts.jwks;
    await op.rotateKeys();
    // On Workers the isolate remembers the old key set; an unknown key id refetches it
    // at most once per 10 s (src/memory/oidc.rs), so wait that out. On Spin every
    // request starts with an empty memory.
    if (TARGET === "workers") await sleep(10_500);
    const after = await signIn(new Client(server.url), "rotator", verified(email));
    assert.equal(after.status, 200, after.text);
    assert.equal(after.json.user.email, email);
    assert.ok(op.counts.jwks > fetches, "the key set was fetched again");
  });
});
