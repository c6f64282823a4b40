// A tiny OAuth protected resource (an "MCP server" for the tests), on 127.0.0.1: what a
// resource server built on edgeauth does with a client's access token.
//
// - `GET /.well-known/oauth-protected-resource/mcp` (and at the origin root): RFC 9728
//   metadata naming edgeauth as its authorization server;
// - `GET /mcp`: `401` with `WWW-Authenticate: Bearer resource_metadata="…"` without a
//   token (how an MCP client discovers where to authorize), `401 invalid_token` for a
//   token that fails the checks, else `200 {"sub", "client_id", "scope"}`.
//
// The checks are the ones docs/oauth-provider.md asks of a resource server: the
// signature against edgeauth's JWKS (jose's remote key set), `typ` `at+jwt`, `iss` the
// provider, `aud` exactly this resource (RFC 8707: a token for another resource is
// refused), `exp`. It does not call introspection, so a revoked grant's access token
// keeps working here until its `exp` — the documented trade-off of stateless checks.

import { createServer } from "node:http";
import { createRemoteJWKSet, jwtVerify } from "jose";

/**
 * Starts the resource server for `issuer` (edgeauth's `PUBLIC_ORIGIN`, where the JWKS
 * is), on `port` (0: any free port). Resolves with its `resource` identifier
 * (`http://127.0.0.1:<port>/mcp`), `url` and `stop()`; `calls` counts requests.
 * @param {{issuer: string, port?: number, jwksBase?: string}} options `jwksBase`: where
 *   the JWKS is fetched from when it differs from the issuer (tests reach the server on
 *   another origin than its configured PUBLIC_ORIGIN).
 */
export async function startResourceServer({ issuer, port = 0, jwksBase = issuer }) {
  const jwks = createRemoteJWKSet(new URL("/.well-known/jwks.json", jwksBase));
  let resource;
  let metadataUrl;
  const state = { calls: 0 };
  const server = createServer(async (request, response) => {
    state.calls++;
    const url = new URL(request.url, "http://127.0.0.1");
    const send = (status, body, headers = {}) => {
      response.writeHead(status, { "Content-Type": "application/json", "Cache-Control": "no-store", ...headers });
      response.end(JSON.stringify(body));
    };
    if (url.pathname === "/.well-known/oauth-protected-resource/mcp" || url.pathname === "/.well-known/oauth-protected-resource") {
      send(200, { resource, authorization_servers: [issuer], scopes_supported: ["mcp:tools"], bearer_methods_supported: ["header"] });
      return;
    }
    if (url.pathname !== "/mcp") {
      send(404, { error: "not_found" });
      return;
    }
    const challenge = (error) => `Bearer resource_metadata="${metadataUrl}"${error ? `, error="${error}"` : ""}`;
    const header = request.headers.authorization ?? "";
    const token = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(header)?.[1];
    if (!token) {
      send(401, { error: "unauthorized" }, { "WWW-Authenticate": challenge() });
      return;
    }
    try {
      const { payload } = await jwtVerify(token, jwks, { issuer, audience: resource, typ: "at+jwt", algorithms: ["EdDSA"] });
      send(200, { sub: payload.sub, client_id: payload.client_id, scope: payload.scope });
    } catch (error) {
      send(401, { error: "invalid_token", reason: error.code ?? "invalid" }, { "WWW-Authenticate": challenge("invalid_token") });
    }
  });
  await new Promise((resolveListen) => server.listen(port, "127.0.0.1", resolveListen));
  const base = `http://127.0.0.1:${server.address().port}`;
  resource = `${base}/mcp`;
  metadataUrl = `${base}/.well-known/oauth-protected-resource/mcp`;
  return {
    resource, url: base, state,
    stop: () => new Promise((resolveClose) => server.close(resolveClose)),
  };
}

/** A free port on 127.0.0.1 (to configure `OAUTH_RESOURCES` before the server starts). */
export async function freePort() {
  const probe = createServer();
  await new Promise((resolveListen) => probe.listen(0, "127.0.0.1", resolveListen));
  const { port } = probe.address();
  await new Promise((resolveClose) => probe.close(resolveClose));
  return port;
}
