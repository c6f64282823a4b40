// edgeauth's access-token check (docs/sessions.md §2), step for step, with WebCrypto's
// Ed25519. The Rust original is edgeauth_core::policy::token::access; the order and
// the refusals are the same:
//   1. at most 4096 bytes, three base64url parts, JSON header and claims;
//   2. `alg` exactly "EdDSA" (so `none` and HS256 fail before any key is touched);
//   3. no `crit`; `typ` "at+jwt" (optionally "application/", any case);
//   4. `kid` names a key of the published set;
//   5. the signature;
//   6. `iss` is the issuer, `aud` (a string) the expected audience;
//   7. `exp` present and not passed, `iat` present and not ahead, `nbf` reached — each
//      with 30 s of leeway; then `sub` and `sid` non-empty (and `roles`, `jti` present,
//      as every edgeauth token has them).
// Security considerations: every failure is the same `unauthenticated` to the caller;
// the reason is kept for tests only. Verified tokens are remembered by their SHA-256
// (never the token itself), with the key they were checked under; a remembered token
// skips steps 1–6, never step 7.

export const MAX_TOKEN_BYTES = 4096;
export const LEEWAY_SECS = 30;
const TOKEN_TYPE = "at+jwt";

/** Why a token was refused (never shown to a client: they all answer 401). */
export class TokenRefused extends Error {
  constructor(reason) {
    super(reason);
    this.name = "TokenRefused";
    this.reason = reason;
  }
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** base64url (no padding, canonical) → bytes; throws on anything else. */
export function base64urlDecode(text) {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) throw new TokenRefused("malformed");
  const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/") + "===".slice((text.length + 3) % 4));
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  if (base64urlEncode(bytes) !== text) throw new TokenRefused("malformed");
  return bytes;
}

export function base64urlEncode(bytes) {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function json(part) {
  let value;
  try {
    value = JSON.parse(decoder.decode(base64urlDecode(part)));
  } catch (error) {
    if (error instanceof TokenRefused) throw error;
    throw new TokenRefused("malformed");
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new TokenRefused("malformed");
  return value;
}

function isAccessTokenType(typ) {
  if (typeof typ !== "string") return false;
  const bare = typ.toLowerCase().startsWith("application/") ? typ.slice("application/".length) : typ;
  return bare.toLowerCase() === TOKEN_TYPE;
}

const isSeconds = (value) => Number.isSafeInteger(value) && value >= 0;

/** Step 7: the one time rule, on whole seconds. */
export function checkTimes({ exp, iat, nbf }, nowMs) {
  const now = Math.floor(nowMs / 1000);
  if (!isSeconds(exp) || now > exp + LEEWAY_SECS) throw new TokenRefused("expired");
  if (nbf !== undefined && (!isSeconds(nbf) || now + LEEWAY_SECS < nbf)) throw new TokenRefused("not_yet_valid");
  if (!isSeconds(iat) || iat > now + LEEWAY_SECS) throw new TokenRefused("not_yet_valid");
}

async function sha256(text) {
  return base64urlEncode(new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text))));
}

/**
 * Verifies `token` against `keys` (a KeySet: `key(kid)` → {cryptoKey, fingerprint}),
 * requiring `issuer` and `audience`. `memory` (a Map, bounded by the caller) keeps
 * verified tokens by digest. Resolves the verified facts or throws TokenRefused.
 */
export async function verifyToken(token, { keys, issuer, audience, memory, nowMs }) {
  if (typeof token !== "string" || token.length > MAX_TOKEN_BYTES) throw new TokenRefused("malformed");
  const digest = await sha256(token);
  const remembered = memory?.get(digest);
  if (remembered) {
    const key = keys.key(remembered.kid);
    if (remembered.issuer === issuer && remembered.audience === audience && key?.fingerprint === remembered.fingerprint) {
      checkTimes(remembered.times, nowMs);
      return remembered.facts;
    }
    memory.delete(digest);
  }
  const parts = token.split(".");
  if (parts.length !== 3) throw new TokenRefused("malformed");
  const header = json(parts[0]);
  if (header.alg !== "EdDSA") throw new TokenRefused("unsupported_algorithm");
  if (header.crit !== undefined || !isAccessTokenType(header.typ)) throw new TokenRefused("wrong_type");
  if (typeof header.kid !== "string") throw new TokenRefused("unknown_key");
  const key = keys.key(header.kid);
  if (!key) throw new TokenRefused("unknown_key");
  const signature = base64urlDecode(parts[2]);
  const valid = await crypto.subtle.verify({ name: "Ed25519" }, key.cryptoKey, signature,
    encoder.encode(`${parts[0]}.${parts[1]}`)).catch(() => false);
  if (!valid) throw new TokenRefused("bad_signature");
  const claims = json(parts[1]);
  if (claims.iss !== issuer) throw new TokenRefused("wrong_issuer");
  if (typeof claims.aud !== "string" || claims.aud !== audience) throw new TokenRefused("wrong_audience");
  const times = { exp: claims.exp, iat: claims.iat, nbf: claims.nbf };
  checkTimes(times, nowMs);
  if (typeof claims.sub !== "string" || !claims.sub || typeof claims.sid !== "string" || !claims.sid
    || !Array.isArray(claims.roles) || typeof claims.jti !== "string") {
    throw new TokenRefused("malformed");
  }
  const facts = { userId: claims.sub, sessionId: claims.sid, expiresAt: claims.exp };
  memory?.set(digest, { issuer, audience, kid: header.kid, fingerprint: key.fingerprint, times, facts });
  return facts;
}
