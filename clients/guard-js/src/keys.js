// edgeauth's published key set (GET /.well-known/jwks.json), kept for its max-age and
// fetched again when a token names a key it lacks (key rollover), at most once per
// cool-down. The same rules as edgeauth-guard's keys.rs:
//   - max-age kept within [60 s, 3600 s], 300 s when absent;
//   - a set with a private member (d, p, q, dp, dq, qi, oth, k, priv) or two keys with
//     one kid is refused whole; keys that are not Ed25519 signature keys are skipped;
//   - an unknown kid refetches at most every 30 s, so made-up key ids cannot make
//     every request a fetch.
// Security considerations: only public Ed25519 keys are imported, non-extractable, for
// "verify" only; a key is identified by the SHA-256 of its `x`, so a remembered token
// is used only while its kid names the very key it was checked under.

import { base64urlDecode, base64urlEncode } from "./token.js";

export const MIN_MAX_AGE_MS = 60_000;
export const MAX_MAX_AGE_MS = 3_600_000;
export const DEFAULT_MAX_AGE_MS = 300_000;
export const UNKNOWN_KID_COOLDOWN_MS = 30_000;
const MAX_JWKS_BYTES = 64 * 1024;
const MAX_KEYS = 32;
const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k", "priv"];

export class KeySetRefused extends Error {
  constructor(reason) {
    super(reason);
    this.name = "KeySetRefused";
  }
}

/** max-age of a Cache-Control value, in ms, bounded. */
export function maxAgeMs(cacheControl) {
  const match = /(?:^|,)\s*max-age\s*=\s*(\d+)\s*(?:,|$)/i.exec(cacheControl ?? "");
  const ms = match ? Number(match[1]) * 1000 : DEFAULT_MAX_AGE_MS;
  return Math.min(MAX_MAX_AGE_MS, Math.max(MIN_MAX_AGE_MS, ms));
}

/** A fetched set: `key(kid)` → {cryptoKey, fingerprint}. */
export class KeySet {
  constructor(keys, fetchedAtMs, maxAge) {
    this.keys = keys;
    this.fetchedAtMs = fetchedAtMs;
    this.maxAgeMs = maxAge;
  }

  /** Reads a JWK Set document (text) fetched at `nowMs` with `cacheControl`. */
  static async parse(text, cacheControl, nowMs) {
    if (typeof text !== "string" || text.length > MAX_JWKS_BYTES) throw new KeySetRefused("too_large");
    let doc;
    try { doc = JSON.parse(text); } catch { throw new KeySetRefused("malformed"); }
    if (!doc || !Array.isArray(doc.keys) || doc.keys.length > MAX_KEYS) throw new KeySetRefused("malformed");
    const keys = new Map();
    for (const jwk of doc.keys) {
      if (!jwk || typeof jwk !== "object") throw new KeySetRefused("malformed");
      if (PRIVATE_MEMBERS.some((name) => name in jwk)) throw new KeySetRefused("private_key");
      const usable = jwk.kty === "OKP" && jwk.crv === "Ed25519" && typeof jwk.kid === "string"
        && (jwk.alg === undefined || jwk.alg === "EdDSA") && (jwk.use === undefined || jwk.use === "sig")
        && (jwk.key_ops === undefined || (Array.isArray(jwk.key_ops) && jwk.key_ops.includes("verify")));
      if (!usable) continue;
      let x;
      try { x = base64urlDecode(jwk.x ?? ""); } catch { throw new KeySetRefused("malformed"); }
      if (x.length !== 32) throw new KeySetRefused("malformed");
      if (keys.has(jwk.kid)) throw new KeySetRefused("duplicate_kid");
      const cryptoKey = await crypto.subtle.importKey("jwk", { kty: "OKP", crv: "Ed25519", x: jwk.x },
        { name: "Ed25519" }, false, ["verify"]);
      const fingerprint = base64urlEncode(new Uint8Array(
        await crypto.subtle.digest("SHA-256", x)));
      keys.set(jwk.kid, { cryptoKey, fingerprint });
    }
    return new KeySet(keys, nowMs, maxAgeMs(cacheControl));
  }

  key(kid) {
    return this.keys.get(kid);
  }

  isFresh(nowMs) {
    return nowMs >= this.fetchedAtMs && nowMs - this.fetchedAtMs < this.maxAgeMs;
  }

  mayRefetchForUnknownKid(nowMs) {
    return nowMs - this.fetchedAtMs >= UNKNOWN_KID_COOLDOWN_MS;
  }
}
