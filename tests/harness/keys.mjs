// The store names the product derives from secrets and tokens, recomputed here so a
// test can find a record by what it is about (shared/primitives/src/crypto/kdf.rs,
// crypto/blind_index.rs; token shards are `<prefix>/<hex SHA-256 of the token bytes>`).

import { createHash, createHmac, hkdfSync } from "node:crypto";

/** The HKDF salt of every edgeauth subkey (crypto/kdf.rs `SALT`). */
const SALT = Buffer.from("edgeauth/kdf/v1");

/**
 * The email blind index of `email` under every key of `DATA_ENCRYPTION_KEYS`
 * (`kid:base64url,…`), active key first: `<kid>.<base64url(HMAC-SHA256(subkey, canonical))>`.
 */
export function emailIndexes(dataEncryptionKeys, email) {
  const canonical = email.trim().toLowerCase();
  return dataEncryptionKeys.split(",").map((entry) => {
    const [kid, material] = entry.trim().split(":");
    const subkey = Buffer.from(hkdfSync("sha256", Buffer.from(material, "base64url"), SALT,
      Buffer.from("edgeauth email-index v1"), 32));
    return `${kid}.${createHmac("sha256", subkey).update(canonical).digest("base64url")}`;
  });
}

/** The shard name part of a 256-bit base64url token: hex SHA-256 of its bytes. */
export function tokenHash(token) {
  return createHash("sha256").update(Buffer.from(token, "base64url")).digest("hex");
}
