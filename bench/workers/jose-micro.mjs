// jose's EdDSA JWT sign and verify, timed inside workerd: `GET /<op>?n=N` runs `N`
// operations and answers `{"op":…,"n":N,"ms":elapsed}` (ops `jwt-sign`,
// `jwt-verify`). Keys are imported once per isolate (what any jose app does), from
// the bindings JWT_PRIVATE_JWK and JWT_PUBLIC_JWK; the claims have the shape of the
// core's access tokens.
import { SignJWT, importJWK, jwtVerify } from "jose";

let keys;

async function loadKeys(env) {
  keys ??= {
    private: await importJWK(JSON.parse(env.JWT_PRIVATE_JWK), "EdDSA"),
    public: await importJWK(JSON.parse(env.JWT_PUBLIC_JWK), "EdDSA"),
  };
  return keys;
}

function sign(env, key) {
  const now = Math.floor(Date.now() / 1000);
  const jti = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))))
    .replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
  return new SignJWT({ sub: "usr_bench", sid: "ses_bench", roles: ["user"], jti })
    .setProtectedHeader({ alg: "EdDSA", kid: env.JWT_KID, typ: "at+jwt" })
    .setIssuer(env.ORIGIN).setAudience(env.ORIGIN)
    .setIssuedAt(now).setExpirationTime(now + 900)
    .sign(key);
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const n = Number(url.searchParams.get("n") ?? 1);
    const op = url.pathname.slice(1);
    const { private: privateKey, public: publicKey } = await loadKeys(env);
    let started;
    if (op === "jwt-sign") {
      started = Date.now();
      for (let i = 0; i < n; i++) await sign(env, privateKey);
    } else if (op === "jwt-verify") {
      const token = await sign(env, privateKey);
      const options = { algorithms: ["EdDSA"], typ: "at+jwt", issuer: env.ORIGIN, audience: env.ORIGIN, clockTolerance: 30 };
      started = Date.now();
      for (let i = 0; i < n; i++) await jwtVerify(token, publicKey, options);
    } else {
      return new Response("unknown op", { status: 404 });
    }
    return Response.json({ op, n, ms: Date.now() - started });
  },
};
