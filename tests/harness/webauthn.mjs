// A software WebAuthn authenticator for the suite (node:crypto): ES256, EdDSA and
// RS256 credentials that build their own authenticator data, `none` attestation
// objects, clientDataJSON and signatures, so that a test can change any field —
// origin, RP id hash, flags, counter, challenge, type, signature, user handle, the COSE
// key's algorithm, the CBOR itself — before (or after) signing.
//
//   const authenticator = new SoftAuthenticator({ algorithm: "ES256", origin, rpId });
//   const credential = authenticator.register(optionsJson);                 // RegistrationResponseJSON
//   const assertion = authenticator.assert(requestJson, { flags: UP });     // AuthenticationResponseJSON, UV cleared
//
// The JSON shapes are WebAuthn Level 3's (`credential.toJSON()`), byte members base64url.

import { createHash, generateKeyPairSync, randomBytes, sign } from "node:crypto";

export const UP = 0x01;
export const UV = 0x04;
export const BE = 0x08;
export const BS = 0x10;
export const AT = 0x40;
export const ED = 0x80;

const b64url = (bytes) => Buffer.from(bytes).toString("base64url");
const sha256 = (bytes) => createHash("sha256").update(bytes).digest();

// --- a minimal CBOR writer (definite lengths, shortest heads) ---------------------------

function head(major, value) {
  const n = BigInt(value);
  if (n < 24n) return Buffer.from([(major << 5) | Number(n)]);
  if (n < 256n) return Buffer.from([(major << 5) | 24, Number(n)]);
  if (n < 65536n) { const b = Buffer.alloc(3); b[0] = (major << 5) | 25; b.writeUInt16BE(Number(n), 1); return b; }
  if (n < 4294967296n) { const b = Buffer.alloc(5); b[0] = (major << 5) | 26; b.writeUInt32BE(Number(n), 1); return b; }
  const b = Buffer.alloc(9); b[0] = (major << 5) | 27; b.writeBigUInt64BE(n, 1); return b;
}

/** CBOR of integers, byte strings (Buffer/Uint8Array), text, arrays, Maps (key order kept) and plain objects. */
export function cbor(value) {
  if (typeof value === "number" || typeof value === "bigint") {
    return value >= 0 ? head(0, value) : head(1, -BigInt(value) - 1n);
  }
  if (value instanceof Uint8Array) return Buffer.concat([head(2, value.length), value]);
  if (typeof value === "string") { const bytes = Buffer.from(value, "utf8"); return Buffer.concat([head(3, bytes.length), bytes]); }
  if (Array.isArray(value)) return Buffer.concat([head(4, value.length), ...value.map(cbor)]);
  if (value === true) return Buffer.from([0xf5]);
  if (value === false) return Buffer.from([0xf4]);
  if (value === null) return Buffer.from([0xf6]);
  const entries = value instanceof Map ? [...value] : Object.entries(value);
  return Buffer.concat([head(5, entries.length), ...entries.flatMap(([k, v]) => [cbor(k), cbor(v)])]);
}

// --- keys -------------------------------------------------------------------------------

const ALGORITHMS = {
  ES256: { cose: -7, generate: () => generateKeyPairSync("ec", { namedCurve: "P-256" }) },
  EdDSA: { cose: -8, generate: () => generateKeyPairSync("ed25519") },
  RS256: { cose: -257, generate: () => generateKeyPairSync("rsa", { modulusLength: 2048 }) },
  // Not offered by edgeauth: for "an algorithm not allowed".
  ES384: { cose: -35, generate: () => generateKeyPairSync("ec", { namedCurve: "P-384" }) },
};

function coseKey(algorithm, publicKey, coseAlg) {
  const jwk = publicKey.export({ format: "jwk" });
  const bytes = (field) => Buffer.from(jwk[field], "base64url");
  switch (algorithm) {
    case "ES256":
      return new Map([[1, 2], [3, coseAlg], [-1, 1], [-2, bytes("x")], [-3, bytes("y")]]);
    case "ES384":
      return new Map([[1, 2], [3, coseAlg], [-1, 2], [-2, bytes("x")], [-3, bytes("y")]]);
    case "EdDSA":
      return new Map([[1, 1], [3, coseAlg], [-1, 6], [-2, bytes("x")]]);
    case "RS256":
      return new Map([[1, 3], [3, coseAlg], [-1, bytes("n")], [-2, bytes("e")]]);
    default:
      throw new Error(`no COSE form for ${algorithm}`);
  }
}

function signWith(algorithm, privateKey, data) {
  switch (algorithm) {
    case "ES256": return sign("sha256", data, privateKey); // DER, as authenticators send it
    case "ES384": return sign("sha384", data, privateKey);
    case "EdDSA": return sign(null, data, privateKey);
    case "RS256": return sign("sha256", data, privateKey); // RSASSA-PKCS1-v1_5
    default: throw new Error(algorithm);
  }
}

// --- the authenticator -------------------------------------------------------------------

export class SoftAuthenticator {
  /**
   * @param {{algorithm?: "ES256"|"EdDSA"|"RS256"|"ES384", origin: string, rpId: string,
   *          backupEligible?: boolean, counter?: number}} options
   */
  constructor({ algorithm = "ES256", origin, rpId, backupEligible = true, counter = 0 }) {
    const spec = ALGORITHMS[algorithm];
    const { publicKey, privateKey } = spec.generate();
    this.algorithm = algorithm;
    this.coseAlg = spec.cose;
    this.publicKey = publicKey;
    this.privateKey = privateKey;
    this.origin = origin;
    this.rpId = rpId;
    this.credentialId = randomBytes(32);
    this.counter = counter;
    this.flags = UP | UV | (backupEligible ? BE | BS : 0);
    this.userHandle = null;
  }

  get id() {
    return b64url(this.credentialId);
  }

  /** The COSE_Key bytes of the credential (what a relying party stores). */
  coseKey(coseAlg = this.coseAlg) {
    return cbor(coseKey(this.algorithm, this.publicKey, coseAlg));
  }

  authenticatorData({ rpId = this.rpId, flags = this.flags, counter = this.counter, attested = false, coseAlg, extensions } = {}) {
    const parts = [sha256(Buffer.from(rpId)), Buffer.from([flags | (attested ? AT : 0) | (extensions ? ED : 0)])];
    const count = Buffer.alloc(4);
    count.writeUInt32BE(counter >>> 0);
    parts.push(count);
    if (attested) {
      const length = Buffer.alloc(2);
      length.writeUInt16BE(this.credentialId.length);
      parts.push(Buffer.alloc(16), length, this.credentialId, this.coseKey(coseAlg));
    }
    if (extensions) parts.push(extensions);
    return Buffer.concat(parts);
  }

  clientData(type, challenge, overrides = {}) {
    const data = { type, challenge, origin: this.origin, crossOrigin: false, ...overrides };
    for (const [key, value] of Object.entries(data)) if (value === undefined) delete data[key];
    return Buffer.from(JSON.stringify(data));
  }

  /**
   * A registration answering `{options}` (creation options JSON). `tamper` may set:
   * `origin`, `type`, `challenge`, `crossOrigin`, `rpId`, `flags`, `coseAlg`, `fmt`,
   * `attStmt`, `authenticatorData` (bytes), `attestationObject` (bytes),
   * `clientDataJSON` (bytes), `rawId`.
   */
  register({ options }, tamper = {}) {
    this.userHandle = Buffer.from(options.user.id, "base64url");
    const clientDataJSON = tamper.clientDataJSON ?? this.clientData("webauthn.create", tamper.challenge ?? options.challenge, {
      ...(tamper.origin ? { origin: tamper.origin } : {}),
      ...(tamper.type ? { type: tamper.type } : {}),
      ...(tamper.crossOrigin !== undefined ? { crossOrigin: tamper.crossOrigin } : {}),
    });
    const authData = tamper.authenticatorData ?? this.authenticatorData({
      rpId: tamper.rpId, flags: tamper.flags, attested: true, coseAlg: tamper.coseAlg,
    });
    const attestationObject = tamper.attestationObject
      ?? cbor(new Map([["fmt", tamper.fmt ?? "none"], ["attStmt", tamper.attStmt ?? new Map()], ["authData", authData]]));
    return {
      id: tamper.rawId ?? this.id,
      rawId: tamper.rawId ?? this.id,
      type: "public-key",
      response: { clientDataJSON: b64url(clientDataJSON), attestationObject: b64url(attestationObject), transports: ["internal"] },
      clientExtensionResults: {},
      authenticatorAttachment: "platform",
    };
  }

  /**
   * An assertion answering `{options}` (request options JSON); the counter advances
   * first. `tamper` may set: `origin`, `type`, `challenge`, `crossOrigin`, `rpId`,
   * `flags`, `counter`, `userHandle` (`null` leaves it out), `signature` (bytes, or
   * `"flip"` to flip one bit of the real one), `authenticatorData` (bytes, signed as
   * given), `clientDataJSON` (bytes), `rawId`.
   */
  assert({ options }, tamper = {}) {
    this.counter += 1;
    const clientDataJSON = tamper.clientDataJSON ?? this.clientData("webauthn.get", tamper.challenge ?? options.challenge, {
      ...(tamper.origin ? { origin: tamper.origin } : {}),
      ...(tamper.type ? { type: tamper.type } : {}),
      ...(tamper.crossOrigin !== undefined ? { crossOrigin: tamper.crossOrigin } : {}),
    });
    const authData = tamper.authenticatorData ?? this.authenticatorData({
      rpId: tamper.rpId, flags: tamper.flags, counter: tamper.counter ?? this.counter,
    });
    let signature = signWith(this.algorithm, this.privateKey, Buffer.concat([authData, sha256(clientDataJSON)]));
    if (tamper.signature === "flip") {
      signature = Buffer.from(signature);
      signature[10] ^= 0x01; // inside r of a DER ES256 signature: the encoding stays valid
    } else if (tamper.signature) {
      signature = tamper.signature;
    }
    const userHandle = tamper.userHandle === undefined ? this.userHandle : tamper.userHandle;
    return {
      id: tamper.rawId ?? this.id,
      rawId: tamper.rawId ?? this.id,
      type: "public-key",
      response: {
        clientDataJSON: b64url(clientDataJSON),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        userHandle: userHandle ? b64url(userHandle) : null,
      },
      clientExtensionResults: {},
      authenticatorAttachment: "platform",
    };
  }
}
