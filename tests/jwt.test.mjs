// docs/contract.md §4 access tokens on the built functions: the JWKS, the token's signature and
// claims checked independently with node:crypto, every classic JWT attack refused at
// both verifying functions (api: GET /api/me, refresh: GET /auth/session), and
// rotation of JWT_SIGNING_KEYS across restarts.
//
// Forged tokens are signed in the test with the development signing key, whose seed
// is published in config/development.env: a token the server accepts when its claims
// are right (the control test) is refused when exactly one thing is wrong.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { configWith, start } from "./harness/target.mjs";
import { Client } from "./harness/http.mjs";
import { assertProblem } from "./harness/assertions.mjs";
import { startMailSink } from "./harness/mail.mjs";
import { COOKIES, login, newSession } from "./harness/flows.mjs";

const DEV = configWith();
const PUBLIC_ORIGIN = DEV.PUBLIC_ORIGIN;
const [DEV_KID, DEV_SEED] = DEV.JWT_SIGNING_KEYS.split(",")[0].split(":");
const PRIVATE_JWK_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "k", "oth"];

// ---- JWS helpers (RFC 7515 compact serialisation) ----

const b64url = (bytes) => Buffer.from(bytes).toString("base64url");
const segment = (object) => b64url(JSON.stringify(object));
const parseSegment = (text) => JSON.parse(Buffer.from(text, "base64url").toString("utf8"));

function decode(token) {
  const [header, payload, signature] = token.split(".");
  return {
    header: parseSegment(header), payload: parseSegment(payload),
    signingInput: `${header}.${payload}`, signature: Buffer.from(signature, "base64url"),
  };
}

/** An Ed25519 private key from a 32-byte seed (PKCS#8 wrapping of RFC 8410). */
function ed25519FromSeed(seedB64url) {
  const prefix = Buffer.from("302e020100300506032b657004220420", "hex");
  return crypto.createPrivateKey({ key: Buffer.concat([prefix, Buffer.from(seedB64url, "base64url")]), format: "der", type: "pkcs8" });
}

const DEV_KEY = ed25519FromSeed(DEV_SEED);

function signEdDSA(header, payload, key = DEV_KEY) {
  const input = `${segment(header)}.${segment(payload)}`;
  return `${input}.${b64url(crypto.sign(null, Buffer.from(input), key))}`;
}

function signHmac(header, payload, secret) {
  const hash = { HS256: "sha256", HS384: "sha384", HS512: "sha512" }[header.alg];
  const input = `${segment(header)}.${segment(payload)}`;
  return `${input}.${b64url(crypto.createHmac(hash, secret).update(input).digest())}`;
}

const now = () => Math.floor(Date.now() / 1000);

// ---- the server and one signed-in user ----

let sink;
let server;
let alice;
let jwks;
before(async () => {
  sink = await startMailSink();
  server = await start({ vars: configWith(sink.vars()) });
  alice = await newSession(server.url, sink, { mode: "token" });
  jwks = (await new Client(server.url).get("/.well-known/jwks.json")).json;
});
after(async () => {
  await server?.stop();
  await sink?.close();
});

/** Good header and claims for alice's live session, as the server would issue them. */
function validParts() {
  const issuedAt = now();
  return {
    header: { alg: "EdDSA", kid: DEV_KID, typ: "at+jwt" },
    payload: {
      iss: PUBLIC_ORIGIN, aud: PUBLIC_ORIGIN, sub: alice.user.id, sid: alice.sessionId, roles: ["user"],
      iat: issuedAt, exp: issuedAt + 900, jti: b64url(crypto.randomBytes(16)),
    },
  };
}

/** Every way a client presents an access token to the two verifying functions. */
function presentations(token) {
  const bearer = { headers: { Authorization: `Bearer ${token}` }, cookies: false };
  const cookie = { headers: { Cookie: `${COOKIES.access}=${token}` }, cookies: false };
  return [
    ["GET /api/me (Bearer)", "/api/me", bearer],
    ["GET /auth/session (Bearer)", "/auth/session", bearer],
    ["GET /api/me (cookie)", "/api/me", cookie],
    ["GET /auth/session (cookie)", "/auth/session", cookie],
  ];
}

async function assertRejected(token, why) {
  const client = new Client(server.url);
  for (const [label, path, options] of presentations(token)) {
    const response = await client.get(path, options);
    assert.equal(response.status, 401, `${why}: ${label} answered ${response.status} ${response.text}`);
    assertProblem(response, 401, "unauthenticated");
  }
}

async function assertAccepted(token) {
  const client = new Client(server.url);
  for (const [label, path, options] of presentations(token)) {
    const response = await client.get(path, options);
    assert.equal(response.status, 200, `${label}: ${response.text}`);
  }
}

describe("JWKS", () => {
  test("/.well-known/jwks.json publishes the public halves only", async () => {
    const response = await new Client(server.url).get("/.well-known/jwks.json");
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type"), /^application\/json/);
    assert.match(response.headers.get("cache-control") ?? "", /max-age=\d+/);
    // One Ed25519 key (JWT_SIGNING_KEYS); the OAuth provider's RSA keys follow it
    // (OIDC_RSA_SIGNING_KEYS, docs/contract.md §11), public halves only too.
    const okp = response.json.keys.filter((key) => key.kty === "OKP");
    assert.equal(okp.length, 1);
    assert.equal(response.json.keys[0], okp[0], "the session tokens' key first");
    for (const rsa of response.json.keys.filter((key) => key.kty === "RSA")) {
      assert.deepEqual(Object.keys(rsa).sort(), ["alg", "e", "kid", "kty", "n", "use"]);
      for (const member of PRIVATE_JWK_MEMBERS) assert.equal(rsa[member], undefined, `no RSA ${member}`);
    }
    const [key] = okp;
    assert.deepEqual(Object.keys(key).sort(), ["alg", "crv", "kid", "kty", "use", "x"]);
    assert.deepEqual({ ...key, x: undefined }, { kty: "OKP", crv: "Ed25519", kid: DEV_KID, alg: "EdDSA", use: "sig", x: undefined });
    for (const member of PRIVATE_JWK_MEMBERS) assert.equal(key[member], undefined, `no ${member}`);
    const expected = crypto.createPublicKey(DEV_KEY).export({ format: "jwk" }).x;
    assert.equal(key.x, expected, "x is the public key of the first JWT_SIGNING_KEYS entry");
    assert.ok(!response.text.includes(DEV_SEED), "the seed is not published");
  });
});

describe("access token", () => {
  test("is an EdDSA JWS whose signature verifies against the published key (node:crypto)", () => {
    const { header, signingInput, signature } = decode(alice.accessToken);
    assert.deepEqual(header, { alg: "EdDSA", kid: DEV_KID, typ: "at+jwt" });
    const jwk = jwks.keys.find((key) => key.kid === header.kid);
    assert.ok(jwk, "the kid is in the JWKS");
    const publicKey = crypto.createPublicKey({ key: jwk, format: "jwk" });
    assert.equal(signature.length, 64);
    assert.equal(crypto.verify(null, Buffer.from(signingInput), publicKey, signature), true);
    // And the check can fail: one flipped bit in the signed input.
    const flipped = Buffer.from(signingInput);
    flipped[flipped.length - 1] ^= 1;
    assert.equal(crypto.verify(null, flipped, publicKey, signature), false);
  });

  test("carries iss, aud, sub, sid, roles, iat, exp (900 s) and a unique jti", async () => {
    const { payload } = decode(alice.accessToken);
    assert.deepEqual(Object.keys(payload).sort(), ["aud", "exp", "iat", "iss", "jti", "roles", "sid", "sub"]);
    assert.equal(payload.iss, PUBLIC_ORIGIN);
    assert.equal(payload.aud, PUBLIC_ORIGIN);
    assert.equal(payload.sub, alice.user.id);
    assert.equal(payload.sid, alice.sessionId);
    assert.deepEqual(payload.roles, ["user"]);
    assert.ok(Number.isInteger(payload.iat) && Math.abs(payload.iat - now()) < 600, `iat ${payload.iat}`);
    assert.equal(payload.exp - payload.iat, 900);
    assert.equal(Date.parse(alice.body.access_expires_at), payload.exp * 1000);
    assert.match(payload.jti, /^[\w-]{22,}$/);
    const second = await login(new Client(server.url), alice.email, alice.password, "token");
    assert.notEqual(decode(second.accessToken).payload.jti, payload.jti);
  });

  test("a token signed with the configured key and correct claims is accepted (control for the attacks)", async () => {
    const { header, payload } = validParts();
    await assertAccepted(signEdDSA(header, payload));
    await assertAccepted(alice.accessToken);
  });
});

describe("JWT attacks are refused with 401 at /api/me and /auth/session", () => {
  test("alg: none", async () => {
    const { header, payload } = validParts();
    for (const alg of ["none", "None", "NONE"]) {
      const unsigned = `${segment({ ...header, alg })}.${segment(payload)}`;
      await assertRejected(`${unsigned}.`, alg);
      // With a genuine signature of the same input attached, still refused.
      const genuine = signEdDSA(header, payload).split(".")[2];
      await assertRejected(`${unsigned}.${genuine}`, alg);
    }
  });

  test("HS256 keyed with the public key (algorithm confusion)", async () => {
    const { header, payload } = validParts();
    const publicKey = crypto.createPublicKey(DEV_KEY);
    const jwk = jwks.keys[0];
    const secrets = [
      Buffer.from(jwk.x, "base64url"),
      Buffer.from(jwk.x),
      Buffer.from(publicKey.export({ format: "pem", type: "spki" })),
      publicKey.export({ format: "der", type: "spki" }),
      Buffer.from(JSON.stringify(jwk)),
    ];
    for (const secret of secrets) {
      for (const alg of ["HS256", "HS512"]) {
        await assertRejected(signHmac({ ...header, alg }, payload, secret), alg);
      }
    }
  });

  test("tampered claims under the original signature", async () => {
    const { header, signature } = decode(alice.accessToken);
    const original = decode(alice.accessToken).payload;
    for (const change of [{ roles: ["admin"] }, { roles: ["user", "admin"] }, { exp: original.exp + 86_400 }, { sub: "0".repeat(32) }]) {
      const token = `${segment(header)}.${segment({ ...original, ...change })}.${b64url(signature)}`;
      await assertRejected(token, JSON.stringify(change));
    }
    // The untampered token still works, so the refusals are the tampering's doing.
    await assertAccepted(alice.accessToken);
  });

  test("unknown or missing kid", async () => {
    const { header, payload } = validParts();
    await assertRejected(signEdDSA({ ...header, kid: "dev-sign-2" }, payload), "unknown kid");
    await assertRejected(signEdDSA({ ...header, kid: `${DEV_KID} ` }, payload), "near-miss kid");
    const { kid: _kid, ...withoutKid } = header;
    await assertRejected(signEdDSA(withoutKid, payload), "no kid");
  });

  test("a signature by another Ed25519 key under our kid", async () => {
    const { header, payload } = validParts();
    const { privateKey } = crypto.generateKeyPairSync("ed25519");
    await assertRejected(signEdDSA(header, payload, privateKey), "foreign key");
  });

  test("an expired token, including past the 60 s leeway the contract allows", async () => {
    const { header, payload } = validParts();
    const t = now();
    await assertRejected(signEdDSA(header, { ...payload, iat: t - 4500, exp: t - 3600 }), "expired an hour ago");
    await assertRejected(signEdDSA(header, { ...payload, iat: t - 962, exp: t - 62 }), "expired 62 s ago");
    const { exp: _exp, ...noExp } = payload;
    await assertRejected(signEdDSA(header, noExp), "no exp");
  });

  test("a token issued in the future", async () => {
    const { header, payload } = validParts();
    const t = now();
    await assertRejected(signEdDSA(header, { ...payload, iat: t + 3600, exp: t + 4500 }), "iat in an hour");
    await assertRejected(signEdDSA(header, { ...payload, nbf: t + 3600 }), "nbf in an hour");
  });

  test("a wrong aud", async () => {
    const { header, payload } = validParts();
    for (const aud of ["https://evil.example", `${PUBLIC_ORIGIN}/`, "", ["https://evil.example"]]) {
      await assertRejected(signEdDSA(header, { ...payload, aud }), `aud ${JSON.stringify(aud)}`);
    }
    const { aud: _aud, ...noAud } = payload;
    await assertRejected(signEdDSA(header, noAud), "no aud");
  });

  test("a wrong iss", async () => {
    const { header, payload } = validParts();
    for (const iss of ["https://evil.example", `${PUBLIC_ORIGIN}/`, PUBLIC_ORIGIN.toUpperCase()]) {
      await assertRejected(signEdDSA(header, { ...payload, iss }), `iss ${iss}`);
    }
    const { iss: _iss, ...noIss } = payload;
    await assertRejected(signEdDSA(header, noIss), "no iss");
  });

  test("a valid signature for a session that does not exist", async () => {
    const { header, payload } = validParts();
    await assertRejected(signEdDSA(header, { ...payload, sid: crypto.randomBytes(16).toString("hex") }), "unknown sid");
  });

  test("garbage and over-long tokens", async () => {
    for (const token of ["x", "a.b.c", `${alice.accessToken}.x`, `${alice.accessToken.slice(0, -2)}`, "a".repeat(5000)]) {
      await assertRejected(token, "garbage");
    }
  });
});

describe("key rotation (JWT_SIGNING_KEYS across restarts)", () => {
  const state = mkdtempSync(join(tmpdir(), "edgeauth-jwt-rotation-"));
  const oldKey = DEV.JWT_SIGNING_KEYS;
  const newKid = "dev-sign-rotated";
  const newSeed = b64url(crypto.randomBytes(32));
  const newKey = `${newKid}:${newSeed}`;
  let running;
  let bob;
  let oldToken;

  const restart = async (keys) => {
    await running?.stop();
    running = await start({ vars: configWith({ ...sink.vars(), JWT_SIGNING_KEYS: keys }), state });
    bob.client.base = running.url;
    return new Client(running.url);
  };
  const meStatus = async (token) => (await new Client(running.url).get("/api/me", {
    headers: { Authorization: `Bearer ${token}` }, cookies: false,
  })).status;
  const kids = async () => (await new Client(running.url).get("/.well-known/jwks.json")).json.keys
    .filter((key) => key.kty === "OKP").map((key) => key.kid);

  before(async () => {
    running = await start({ vars: configWith({ ...sink.vars(), JWT_SIGNING_KEYS: oldKey }), state });
    bob = await newSession(running.url, sink, { mode: "token" });
    oldToken = bob.accessToken;
    assert.equal(decode(oldToken).header.kid, DEV_KID);
  });
  after(async () => {
    await running?.stop();
    rmSync(state, { recursive: true, force: true });
  });

  test("with the new key first and the old second, old tokens still verify and the JWKS lists both", async () => {
    await restart(`${newKey},${oldKey}`);
    assert.deepEqual(await kids(), [newKid, DEV_KID], "active key first");
    assert.equal(await meStatus(oldToken), 200, "a token of the old key verifies");
    const refreshed = await bob.refresh();
    assert.equal(refreshed.status, 200, refreshed.text);
    const { header, signingInput, signature } = decode(bob.accessToken);
    assert.equal(header.kid, newKid, "the first key signs");
    const jwk = (await new Client(running.url).get("/.well-known/jwks.json")).json.keys[0];
    assert.equal(crypto.verify(null, Buffer.from(signingInput), crypto.createPublicKey({ key: jwk, format: "jwk" }), signature), true);
    assert.equal(await meStatus(bob.accessToken), 200);
  });

  test("with the old key removed, its tokens are refused while refresh tokens keep working", async () => {
    await restart(newKey);
    assert.deepEqual(await kids(), [newKid]);
    assert.equal(await meStatus(oldToken), 401, "a token of a removed key");
    const session = await new Client(running.url).get("/auth/session", { headers: { Authorization: `Bearer ${oldToken}` }, cookies: false });
    assertProblem(session, 401, "unauthenticated");
    assert.equal(await meStatus(bob.accessToken), 200, "a token of the remaining key");
    const refreshed = await bob.refresh();
    assert.equal(refreshed.status, 200, refreshed.text);
    assert.equal(decode(bob.accessToken).header.kid, newKid);
  });
});
