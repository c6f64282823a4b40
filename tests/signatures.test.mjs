// The signature primitive (edgeauth-primitives crypto::signature) on the built wasm: the
// runtime's verifier — WebCrypto on Workers, the software verifier on Spin — through the
// contract worker's `POST /__contract/verify`, with the RFC vectors
// (shared/primitives/tests/vectors/jws-signatures.json) read from their JWKs on the
// target, tampered copies that must fail, and the cases where WebCrypto alone would answer
// otherwise than the software reference (RSA keys outside the policy).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { generateKeyPairSync, sign } from "node:crypto";
import { readFileSync } from "node:fs";
import { start, TARGET } from "./harness/target.mjs";

const { vectors } = JSON.parse(readFileSync(
  new URL("../shared/primitives/tests/vectors/jws-signatures.json", import.meta.url), "utf8"));
const b64url = (bytes) => Buffer.from(bytes).toString("base64url");
const flipped = (b64, at = -1) => {
  const bytes = Buffer.from(b64, "base64url");
  bytes[(bytes.length + at) % bytes.length] ^= 1;
  return b64url(bytes);
};

let server;
before(async () => { server = await start({ withContractWorker: true }); });
after(() => server.stop());

/**
 * The runtime's answer for one check: `true`/`false`, or the error of a 400. On Workers
 * the answer must be WebCrypto's own (no software fallback taken), for every algorithm.
 */
async function verify(check) {
  const response = await fetch(`${server.url}/__contract/verify`, { method: "POST", body: JSON.stringify(check) });
  const body = await response.json();
  if (response.status === 400) return body.error;
  assert.equal(response.status, 200, JSON.stringify(body));
  if (TARGET === "workers") assert.equal(body.webcrypto, body.valid, `WebCrypto's own answer: ${JSON.stringify(body)}`);
  else assert.equal(body.webcrypto, undefined);
  return body.valid;
}

const checkOf = (vector, changes = {}) => ({
  alg: vector.alg,
  jwk: vector.jwk,
  message: b64url(`${vector.protected}.${vector.payload}`),
  signature: vector.signature,
  ...changes,
});

for (const vector of vectors) {
  test(`${TARGET}: ${vector.name} (${vector.alg}) verifies from its JWK and from Node's SPKI`, async () => {
    assert.equal(await verify(checkOf(vector)), true);
    assert.equal(await verify(checkOf(vector, { jwk: undefined, spki: vector.spki })), true);
  });

  test(`${TARGET}: ${vector.name} (${vector.alg}) fails once tampered with`, async () => {
    assert.equal(await verify(checkOf(vector, { signature: flipped(vector.signature) })), false, "signature");
    assert.equal(await verify(checkOf(vector, { signature: flipped(vector.signature, 0) })), false, "first byte");
    assert.equal(await verify(checkOf(vector, { message: flipped(checkOf(vector).message, 3) })), false, "message");
    for (const alg of ["EdDSA", "ES256", "RS256"].filter((alg) => alg !== vector.alg)) {
      assert.equal(await verify(checkOf(vector, { jwk: undefined, spki: vector.spki, alg })), false, alg);
    }
    const truncated = b64url(Buffer.from(vector.signature, "base64url").subarray(1));
    assert.equal(await verify(checkOf(vector, { signature: truncated })), false, "truncated");
  });
}

test(`${TARGET}: an ES256 signature's high-S twin verifies, as in the software reference`, async () => {
  const vector = vectors.find((v) => v.alg === "ES256");
  const n = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
  const signature = Buffer.from(vector.signature, "base64url");
  const s = BigInt(`0x${signature.subarray(32).toString("hex")}`);
  const twin = Buffer.concat([signature.subarray(0, 32), Buffer.from((n - s).toString(16).padStart(64, "0"), "hex")]);
  assert.equal(await verify(checkOf(vector, { signature: b64url(twin) })), true);
});

test(`${TARGET}: fresh keys of every algorithm verify, and only their own message`, async () => {
  const keys = {
    EdDSA: [generateKeyPairSync("ed25519"), null, {}],
    ES256: [generateKeyPairSync("ec", { namedCurve: "P-256" }), "sha256", { dsaEncoding: "ieee-p1363" }],
    RS256: [generateKeyPairSync("rsa", { modulusLength: 2048 }), "sha256", {}],
  };
  for (const [alg, [{ publicKey, privateKey }, digest, options]] of Object.entries(keys)) {
    const message = Buffer.from(`edgeauth ${alg} ${Date.now()}`);
    const signature = sign(digest, message, { key: privateKey, ...options });
    const check = {
      alg,
      spki: b64url(publicKey.export({ type: "spki", format: "der" })),
      message: b64url(message),
      signature: b64url(signature),
    };
    assert.equal(await verify(check), true, alg);
    assert.equal(await verify({ ...check, message: b64url(Buffer.from("another message")) }), false, alg);
  }
});

test(`${TARGET}: RSA keys outside the policy are refused even where WebCrypto would verify`, async () => {
  const message = Buffer.from("signed by a weak key");
  for (const options of [{ modulusLength: 1024 }, { modulusLength: 2048, publicExponent: 3 }]) {
    const { publicKey, privateKey } = generateKeyPairSync("rsa", options);
    const check = {
      alg: "RS256",
      spki: b64url(publicKey.export({ type: "spki", format: "der" })),
      message: b64url(message),
      signature: b64url(sign("sha256", message, privateKey)),
    };
    assert.equal(await verify(check), false, JSON.stringify(options));
  }
});

test(`${TARGET}: a JWK with a private member is refused before any verification`, async () => {
  const vector = vectors.find((v) => v.alg === "EdDSA");
  const error = await verify(checkOf(vector, { jwk: { ...vector.jwk, d: "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A" } }));
  assert.equal(error, "JWK: carries a private key");
});

// RS256 *signing* (the OAuth provider's ID tokens, edgeauth-primitives crypto::rsa): the
// runtime's signer — WebCrypto on Workers, RustCrypto's rsa on Spin — must produce Node's
// signature exactly (PKCS#1 v1.5 is deterministic), for the vectors' keys and a fresh one.
const rsaVectors = JSON.parse(readFileSync(
  new URL("../shared/primitives/tests/vectors/rsa-signing.json", import.meta.url), "utf8"));

async function signRs256(pkcs8, message) {
  const response = await fetch(`${server.url}/__contract/sign-rs256`, { method: "POST",
    body: JSON.stringify({ pkcs8, message: b64url(message) }) });
  const body = await response.json();
  return response.status === 200 ? body.signature : `refused: ${body.error}`;
}

test(`${TARGET}: RS256 signatures by the runtime's signer are Node's, for the vector keys and a fresh key`, async () => {
  for (const vector of rsaVectors.vectors) {
    assert.equal(await signRs256(vector.pkcs8, Buffer.from(vector.message)), vector.signature, vector.name);
  }
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const message = Buffer.from(`edgeauth RS256 ${Date.now()}`);
  const pkcs8 = b64url(privateKey.export({ type: "pkcs8", format: "der" }));
  assert.equal(await signRs256(pkcs8, message), b64url(sign("sha256", message, privateKey)));
});

test(`${TARGET}: the signer refuses keys outside the policy before any platform code`, async () => {
  for (const [name, pkcs8] of Object.entries(rsaVectors.refused)) {
    assert.match(await signRs256(pkcs8, Buffer.from("x")), /^refused: /, name);
  }
});
