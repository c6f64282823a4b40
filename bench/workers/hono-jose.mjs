// The JavaScript peer of `GET /api/me`: Hono + jose doing the same per-request work
// as the api function's hot path — verify the EdDSA access token (alg, typ, iss, aud,
// exp/iat with 30 s leeway, as the core does) and read one KV record (the user) —
// with Hono's secure-headers middleware standing in for the core's security headers.
//
// Bindings: KV (the KV namespace), JWT_PUBLIC_JWK (the signing key's public JWK, as
// /.well-known/jwks.json publishes it), ORIGIN (issuer and audience), REQUEST_LINE
// (optional, "1": log a request line).
import { Hono } from "hono";
import { secureHeaders } from "hono/secure-headers";
import { importJWK, jwtVerify } from "jose";

let publicKey; // imported once per isolate, like the core's parsed configuration

const app = new Hono();
// With REQUEST_LINE=1 (a second instance in the report), one structured log line per
// request like the edgeauth functions' (docs/logging.md §2), logged as an object, and
// the request id in `X-Request-Id`: the same logging work per request.
app.use("*", async (c, next) => {
  if (c.env.REQUEST_LINE !== "1") return next();
  const started = Date.now();
  const requestId = crypto.randomUUID().replaceAll("-", "");
  await next();
  c.res.headers.set("x-request-id", requestId);
  console.log({ kind: "request", function: "hono", method: c.req.method, route: c.req.routePath,
    status: c.res.status, duration_ms: Date.now() - started, request_id: requestId });
});
app.use("*", secureHeaders());
app.get("/api/me", async (c) => {
  const match = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i.exec(c.req.header("authorization") ?? "");
  if (!match) return c.json({ title: "unauthenticated" }, 401);
  publicKey ??= await importJWK(JSON.parse(c.env.JWT_PUBLIC_JWK), "EdDSA");
  let claims;
  try {
    ({ payload: claims } = await jwtVerify(match[1], publicKey, {
      algorithms: ["EdDSA"], typ: "at+jwt", issuer: c.env.ORIGIN, audience: c.env.ORIGIN,
      clockTolerance: 30, requiredClaims: ["exp", "iat", "sub", "sid"],
    }));
  } catch {
    return c.json({ title: "unauthenticated" }, 401);
  }
  const user = await c.env.KV.get(`user/${claims.sub}`, "json");
  if (!user || user.disabled) return c.json({ title: "unauthenticated" }, 401);
  return c.json({ id: user.id, email: user.email, roles: user.roles, email_verified: user.email_verified });
});

export default app;
