// A GitHub-shaped OAuth 2.0 server for the non-OIDC sign-in path, on loopback
// (127.0.0.3): the endpoints of GitHub (Enterprise Server) that edgeauth uses, under
// `OAUTH_GITHUB_URL`:
//   GET  /login/oauth/authorize      → redirects at once to redirect_uri with a code for
//                                      the account the test chose (`signInAs`)
//   POST /login/oauth/access_token   → checks client id and secret, code, redirect_uri and
//                                      the PKCE S256 verifier; JSON {access_token}
//   GET  /api/v3/user                → {id, login}           (Bearer access token)
//   GET  /api/v3/user/emails         → [{email, primary, verified, visibility}]
// Unlike GitHub it refuses a token request without a matching PKCE verifier, so the
// tests also prove edgeauth sends one.

import { createServer } from "node:http";
import { createHash, randomBytes } from "node:crypto";

export const GITHUB_HOST = "127.0.0.3";
export const GITHUB_CLIENT_ID = "Iv1.edgeauthtest";
export const GITHUB_CLIENT_SECRET = "github-test-secret-not-a-real-one";

const b64url = (bytes) => Buffer.from(bytes).toString("base64url");

async function bodyOf(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
}

export async function startGitHub() {
  const accounts = new Map();
  const codes = new Map();
  const tokens = new Map();
  let current = null;
  const requests = [];
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, "http://github.test");
    requests.push(`${req.method} ${url.pathname}`);
    const json = (status, value) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(value));
    };
    if (req.method === "GET" && url.pathname === "/login/oauth/authorize") {
      const q = url.searchParams;
      if (q.get("client_id") !== GITHUB_CLIENT_ID || q.get("code_challenge_method") !== "S256" || !current) {
        return json(400, { error: "bad authorize request" });
      }
      const code = b64url(randomBytes(16));
      codes.set(code, { login: current, challenge: q.get("code_challenge"), redirectUri: q.get("redirect_uri") });
      const target = new URL(q.get("redirect_uri"));
      target.searchParams.set("code", code);
      target.searchParams.set("state", q.get("state"));
      res.writeHead(302, { location: target.href });
      return res.end();
    }
    if (req.method === "POST" && url.pathname === "/login/oauth/access_token") {
      const form = new URLSearchParams(await bodyOf(req));
      const grant = codes.get(form.get("code"));
      codes.delete(form.get("code"));
      const verifier = form.get("code_verifier") ?? "";
      const ok = grant && form.get("client_id") === GITHUB_CLIENT_ID && form.get("client_secret") === GITHUB_CLIENT_SECRET
        && form.get("redirect_uri") === grant.redirectUri
        && b64url(createHash("sha256").update(verifier).digest()) === grant.challenge;
      if (!ok) return json(200, { error: "bad_verification_code" }); // GitHub answers errors with 200
      const token = `gho_${b64url(randomBytes(16))}`;
      tokens.set(token, grant.login);
      return json(200, { access_token: token, token_type: "bearer", scope: "read:user,user:email" });
    }
    const login = tokens.get((req.headers.authorization ?? "").replace(/^Bearer /, ""));
    if (!login) return json(401, { message: "Requires authentication" });
    const account = accounts.get(login);
    if (req.method === "GET" && url.pathname === "/api/v3/user") return json(200, { id: account.id, login });
    if (req.method === "GET" && url.pathname === "/api/v3/user/emails") return json(200, account.emails);
    return json(404, { message: "Not Found" });
  });
  const port = await new Promise((resolve) => server.listen(0, GITHUB_HOST, () => resolve(server.address().port)));
  return {
    url: `http://${GITHUB_HOST}:${port}`,
    requests,
    /** An account: numeric id and its addresses `[{email, primary, verified}]`. */
    setAccount(login, { id, emails }) {
      accounts.set(login, { id, emails: emails.map((e) => ({ visibility: null, ...e })) });
    },
    /** The account the next authorization signs in as. */
    signInAs(login) {
      current = login;
    },
    stop: () => new Promise((resolve) => server.close(resolve)),
  };
}
