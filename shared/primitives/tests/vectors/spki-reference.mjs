// Writes (or with --check, compares) the reference SubjectPublicKeyInfo of every key in
// jws-signatures.json and rfc7517.json, as Node's own JWK import exports it, so that the
// Rust encoders (crypto/signature/spki.rs, crypto/jwk.rs) are tested against an
// independent implementation. It also checks the vectors themselves with Node's crypto:
// every JWS signature verifies and a flipped bit does not, and the RSA private key of
// RFC 7515 A.2 re-signs its example to the RFC's exact signature (RS256 is
// deterministic), so a mistyped vector cannot go unnoticed.
//
//   node shared/primitives/tests/vectors/spki-reference.mjs [--check]
import { createPrivateKey, createPublicKey, sign, verify } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const check = process.argv.includes("--check");
const b64url = (bytes) => Buffer.from(bytes).toString("base64url");
const spkiOf = (jwk) => b64url(createPublicKey({ key: jwk, format: "jwk" }).export({ type: "spki", format: "der" }));
let problems = 0;
const expect = (ok, what) => {
  if (!ok) {
    problems += 1;
    console.error(`FAILED ${what}`);
  }
};

// How Node verifies each JOSE algorithm: digest and, for ECDSA, the raw r‖s encoding.
const nodeVerify = {
  RS256: (key, data, signature) => verify("sha256", data, key, signature),
  ES256: (key, data, signature) => verify("sha256", data, { key, dsaEncoding: "ieee-p1363" }, signature),
  EdDSA: (key, data, signature) => verify(null, data, key, signature),
};

function update(file, fill) {
  const path = join(here, file);
  const text = readFileSync(path, "utf8");
  const document = JSON.parse(text);
  fill(document);
  const updated = `${JSON.stringify(document, null, 2)}\n`;
  if (check) expect(updated === text, `${file} is not what this script writes`);
  else writeFileSync(path, updated);
}

update("jws-signatures.json", (document) => {
  for (const vector of document.vectors) {
    vector.spki = spkiOf(vector.jwk);
    const key = createPublicKey({ key: vector.jwk, format: "jwk" });
    const data = Buffer.from(`${vector.protected}.${vector.payload}`);
    const signature = Buffer.from(vector.signature, "base64url");
    expect(nodeVerify[vector.alg](key, data, signature), `${vector.name}: the signature verifies`);
    signature[signature.length - 1] ^= 1;
    expect(!nodeVerify[vector.alg](key, data, signature), `${vector.name}: a flipped bit does not verify`);
  }
});

update("rfc7517.json", (document) => {
  document.a1_spki = Object.fromEntries(document.a1_public_keys.keys.map((jwk) => [jwk.kid, spkiOf(jwk)]));
  const vectors = JSON.parse(readFileSync(join(here, "jws-signatures.json"), "utf8")).vectors;
  const rs256 = vectors.find((vector) => vector.name === "RFC 7515 A.2");
  const rsaPrivate = document.private_keys.find((entry) => entry.source === "RFC 7515 A.2").jwk;
  const resigned = sign("sha256", Buffer.from(`${rs256.protected}.${rs256.payload}`),
    createPrivateKey({ key: rsaPrivate, format: "jwk" }));
  expect(b64url(resigned) === rs256.signature, "RFC 7515 A.2: the private key re-signs the RFC's signature");
  for (const { source, jwk } of document.private_keys) {
    const derived = b64url(createPublicKey(createPrivateKey({ key: jwk, format: "jwk" }))
      .export({ type: "spki", format: "der" }));
    const { d, p, q, dp, dq, qi, ...rest } = jwk;
    expect(derived === spkiOf(rest), `${source}: the private key matches its public members`);
  }
});

console.log(problems === 0 ? `ok (${check ? "checked" : "written"})` : `${problems} problem(s)`);
process.exit(problems === 0 ? 0 : 1);
