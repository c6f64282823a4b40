// Verifies the crate's SignatureChecks with WebCrypto, as the Workers verifier will:
// importKey("spki") + verify, per algorithm; each check must verify, and fail once its
// signature is altered. Input: the JSON written by the ignored Rust test
// `export_signature_checks_for_webcrypto`:
//
//   WEBAUTHN_CHECKS_OUT=/tmp/checks.json cargo test -p edgeauth-webauthn --features software \
//     export_signature_checks_for_webcrypto -- --ignored
//   node shared/webauthn/tests/webcrypto-check.mjs /tmp/checks.json
import { readFileSync } from "node:fs";

const subtle = globalThis.crypto.subtle;
const algorithms = {
  ES256: [{ name: "ECDSA", namedCurve: "P-256" }, { name: "ECDSA", hash: "SHA-256" }],
  EdDSA: [{ name: "Ed25519" }, { name: "Ed25519" }],
  RS256: [{ name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, { name: "RSASSA-PKCS1-v1_5" }],
};
const bytes = (b64) => Uint8Array.from(Buffer.from(b64, "base64"));
let failures = 0;
for (const check of JSON.parse(readFileSync(process.argv[2], "utf8"))) {
  const [importAlg, verifyAlg] = algorithms[check.algorithm];
  const key = await subtle.importKey("spki", bytes(check.spki), importAlg, false, ["verify"]);
  const signature = bytes(check.signature);
  const valid = await subtle.verify(verifyAlg, key, signature, bytes(check.message));
  signature[signature.length - 1] ^= 1;
  const tampered = await subtle.verify(verifyAlg, key, signature, bytes(check.message));
  const ok = valid && !tampered;
  failures += ok ? 0 : 1;
  console.log(`${ok ? "ok" : "FAILED"} ${check.algorithm} (${signature.length}-byte signature)`);
}
console.log(`${failures === 0 ? "all" : failures} checks ${failures === 0 ? "verified" : "failed"}`);
process.exit(failures === 0 ? 0 : 1);
