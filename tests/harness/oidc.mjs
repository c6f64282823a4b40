// A real OpenID provider for the social sign-in tests: panva's `oidc-provider` (a
// certified OP) on loopback, with one confidential client registered for edgeauth's
// exact callback, its development login and consent pages (any login, any password;
// the login becomes the subject), and ID tokens that carry `email` and
// `email_verified` (`conformIdTokenClaims: false`).
//
// In front of it, on the issuer's origin, a small adversarial proxy forwards every
// request unchanged — unless a test asks it to rewrite exactly one thing of the token
// endpoint's answer (`tamper`), which oidc-provider cannot be made to do itself: an ID
// token re-signed with the provider's own key after changing `aud`, `exp` or `nonce`;
// one signed with a key the provider never published; or a `500`. Discovery, the key
// set, the login pages and the code exchange stay the real provider's.
//
//   const op = await startOidcProvider();           // op.issuer: http://127.0.0.2:<port>
//   op.register({ redirectUri });                     // the client edgeauth is configured with
//   op.setAccount("alice", { email: "a@example.com", email_verified: true });
//   const callbackUrl = await op.authorize(authorizationUrl, "alice");   // login + consent over HTTP
//   op.tamper({ claims: { aud: "someone-else" } });   // next token answer only
//   await op.rotateKeys();                            // a new signing key, published in place of the old
//
// The provider listens on 127.0.0.2 (all of 127.0.0.0/8 is loopback on Linux): another
// host than edgeauth's 127.0.0.1, so the browser keeps the two sites' cookies apart.

import { createServer, request as httpRequest } from "node:http";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { SignJWT, decodeJwt, decodeProtectedHeader, importJWK } from "jose";
import Provider from "oidc-provider";

export const PROVIDER_HOST = "127.0.0.2";
export const CLIENT_ID = "edgeauth-e2e";
export const CLIENT_SECRET = "edgeauth-e2e-client-secret-not-a-real-one";

function rsaKey(kid) {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return { ...privateKey.export({ format: "jwk" }), kid, alg: "RS256", use: "sig" };
}

function listen(server, host, port = 0) {
  return new Promise((resolve) => server.listen(port, host, () => resolve(server.address().port)));
}

/** Reads a whole request or response body. */
async function bodyOf(stream) {
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

export async function startOidcProvider() {
  const front = createServer();
  const frontPort = await listen(front, PROVIDER_HOST);
  const issuer = `http://${PROVIDER_HOST}:${frontPort}`;
  const accounts = new Map();
  let clients = [];
  let signingKey = rsaKey("key-1");
  let provider;
  let pendingTamper = null;
  const counts = { jwks: 0, token: 0, discovery: 0 };

  const build = () => {
    provider = new Provider(issuer, {
      clients,
      jwks: { keys: [signingKey] },
      cookies: { keys: ["edgeauth-test-cookie-key"] },
      conformIdTokenClaims: false,
      claims: { openid: ["sub"], email: ["email", "email_verified"] },
      features: { devInteractions: { enabled: true } },
      pkce: { required: () => true },
      findAccount: (_ctx, id) => ({
        accountId: id,
        claims: () => ({ sub: id, ...(accounts.get(id) ?? {}) }),
      }),
    });
    provider.proxy = false;
  };
  build();

  // The provider itself, on an internal port; the front forwards to it.
  const inner = createServer((req, res) => provider.callback()(req, res));
  const innerPort = await listen(inner, PROVIDER_HOST);

  const forward = (req, body) => new Promise((resolve, reject) => {
    const out = httpRequest({
      host: PROVIDER_HOST, port: innerPort, path: req.url, method: req.method, headers: req.headers,
    }, async (res) => resolve({ status: res.statusCode, headers: res.headers, body: await bodyOf(res) }));
    out.on("error", reject);
    out.end(body);
  });

  const resign = async (idToken, change) => {
    const claims = { ...decodeJwt(idToken), ...(change.claims ?? {}) };
    const header = decodeProtectedHeader(idToken);
    const key = change.unknownKey ? rsaKey("never-published") : signingKey;
    const privateKey = await importJWK(key, "RS256");
    return new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid: key.kid, typ: header.typ }).sign(privateKey);
  };

  front.on("request", async (req, res) => {
    try {
      const body = await bodyOf(req);
      const path = req.url.split("?")[0];
      if (path === "/jwks") counts.jwks += 1;
      if (path === "/.well-known/openid-configuration") counts.discovery += 1;
      if (path === "/token") counts.token += 1;
      const tamper = path === "/token" ? pendingTamper : null;
      if (tamper) pendingTamper = null;
      if (tamper?.status) {
        res.writeHead(tamper.status, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: "server_error", error_description: "<b>provider text</b>" }));
        return;
      }
      const answer = await forward(req, body);
      let out = answer.body;
      if (tamper && answer.status === 200) {
        const json = JSON.parse(out.toString("utf8"));
        json.id_token = await resign(json.id_token, tamper);
        out = Buffer.from(JSON.stringify(json));
      }
      const headers = { ...answer.headers };
      delete headers["content-length"];
      delete headers["transfer-encoding"];
      res.writeHead(answer.status, headers);
      res.end(out);
    } catch (error) {
      res.writeHead(502);
      res.end(String(error));
    }
  });

  return {
    issuer,
    counts,
    /** Registers (replaces) the one client, for edgeauth's callback URL. */
    register({ redirectUri, clientId = CLIENT_ID, clientSecret = CLIENT_SECRET }) {
      clients = [{
        client_id: clientId, client_secret: clientSecret, redirect_uris: [redirectUri],
        response_types: ["code"], grant_types: ["authorization_code"],
        token_endpoint_auth_method: "client_secret_basic",
      }];
      build();
    },
    /** The claims the provider asserts for login `id`. */
    setAccount(id, claims) {
      accounts.set(id, claims);
    },
    /** Rewrites the next token answer: `{claims}` (re-signed), `{unknownKey: true}`, `{status}`. */
    tamper(change) {
      pendingTamper = change;
    },
    /** Replaces the signing key (the key set publishes only the new one). */
    async rotateKeys() {
      signingKey = rsaKey(`key-${randomBytes(4).toString("hex")}`);
      build();
    },
    get keyId() {
      return signingKey.kid;
    },
    /**
     * Goes through the provider's pages over HTTP as a browser would — the
     * authorization request, the login form (`login`, any password), the consent — and
     * returns the URL the provider finally redirects to (edgeauth's callback, with
     * `code`, `state` and `iss`), without following it.
     */
    async authorize(authorizationUrl, login) {
      const jar = new Map();
      const remember = (response) => {
        for (const line of response.headers.getSetCookie()) {
          const [pair] = line.split(";");
          const at = pair.indexOf("=");
          jar.set(pair.slice(0, at), pair.slice(at + 1));
        }
      };
      const cookie = () => [...jar].map(([name, value]) => `${name}=${value}`).join("; ");
      let url = authorizationUrl;
      let method = "GET";
      let body;
      for (let hop = 0; hop < 12; hop += 1) {
        if (!url.startsWith(issuer)) return url;
        const response = await fetch(url, {
          method, body, redirect: "manual",
          headers: { cookie: cookie(), ...(body ? { "content-type": "application/x-www-form-urlencoded" } : {}) },
        });
        remember(response);
        if (response.status >= 300 && response.status < 400) {
          url = new URL(response.headers.get("location"), url).href;
          method = "GET";
          body = undefined;
          continue;
        }
        const html = await response.text();
        const action = /action="([^"]+)"/.exec(html)?.[1];
        const prompt = /name="prompt" value="([a-z]+)"/.exec(html)?.[1];
        if (!action || !prompt) throw new Error(`unexpected provider page (${response.status}): ${html.slice(0, 300)}`);
        url = new URL(action.replaceAll("&amp;", "&"), url).href;
        method = "POST";
        body = prompt === "login"
          ? new URLSearchParams({ prompt, login, password: "any" }).toString()
          : new URLSearchParams({ prompt }).toString();
      }
      throw new Error("too many hops at the provider");
    },
    async stop() {
      await Promise.all([new Promise((r) => front.close(r)), new Promise((r) => inner.close(r))]);
    },
  };
}
