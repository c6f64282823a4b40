// Passkeys (docs/passkeys.md, docs/contract.md §5–§6) on the built functions, on either
// runtime: registration and passwordless sign-in with ES256, EdDSA and RS256 credentials
// made by a software authenticator (tests/harness/webauthn.mjs, node:crypto), each
// positive case also verified by @simplewebauthn/server as a reference; then every
// negative case with a field tampered — each refused with one answer — the passkey as
// second factor, recent authentication, management, and erasure.
//
// PUBLIC_ORIGIN is `http://localhost:8787` (a valid RP: WebAuthn refuses IP addresses);
// the requests go to the server's 127.0.0.1 address, and the authenticator writes
// PUBLIC_ORIGIN into clientDataJSON as a browser on that origin would.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { verifyAuthenticationResponse, verifyRegistrationResponse } from "@simplewebauthn/server";
import { configWith, start, TARGET } from "./harness/target.mjs";
import { Client } from "./harness/http.mjs";
import { assertProblem } from "./harness/assertions.mjs";
import { startMailSink } from "./harness/mail.mjs";
import { login, registerAndVerify, strongPassword, uniqueEmail } from "./harness/flows.mjs";
import { TotpClock, base32Decode } from "./harness/totp.mjs";
import { BE, BS, SoftAuthenticator, UP, UV, cbor } from "./harness/webauthn.mjs";

const ORIGIN = "http://localhost:8787";
const RP_ID = "localhost";

let sink;
let server;
before(async () => {
  sink = await startMailSink();
  server = await start({ vars: configWith({ ...sink.vars(), PUBLIC_ORIGIN: ORIGIN }) });
});
after(async () => {
  await server?.stop();
  await sink?.close();
});

/** A verified account signed in (cookie mode) on a fresh client. */
async function account(label = "pk") {
  const client = new Client(server.url);
  const email = uniqueEmail(label);
  const password = strongPassword();
  await registerAndVerify(client, email, password, sink);
  const session = await login(client, email, password, "cookie");
  return { client, email, password, session };
}

async function registrationOptions(session) {
  const response = await session.client.post("/api/me/passkeys/options", undefined, session.auth());
  assert.equal(response.status, 200, response.text);
  return response.json;
}

/** Registers a passkey of `authenticator` for `session`; returns the 201 body. */
async function registerPasskey(session, authenticator, name = "Test key") {
  const options = await registrationOptions(session);
  const response = await session.client.post("/api/me/passkeys",
    { credential: authenticator.register(options), name }, session.auth());
  assert.equal(response.status, 201, response.text);
  return response.json;
}

async function signInOptions(client = new Client(server.url)) {
  const response = await client.post("/auth/passkey/options");
  assert.equal(response.status, 200, response.text);
  return response.json;
}

function verifySignIn(credential, client = new Client(server.url)) {
  return client.post("/auth/passkey/verify", { credential, mode: "token" });
}

/** The `passkey_failed` reasons in the user's own activity, newest first. */
async function failureReasons(session) {
  const response = await session.client.get("/api/me/activity?event=passkey_failed&limit=50", session.auth());
  assert.equal(response.status, 200, response.text);
  return response.json.events.map((event) => event.detail.reason);
}

const challengeOf = (options) => options.options.challenge;

test(`${TARGET}: ES256, EdDSA and RS256 passkeys register and sign in; @simplewebauthn/server accepts the same responses`, async () => {
  for (const algorithm of ["ES256", "EdDSA", "RS256"]) {
    const { session } = await account(algorithm.toLowerCase());
    const authenticator = new SoftAuthenticator({ algorithm, origin: ORIGIN, rpId: RP_ID });
    const options = await registrationOptions(session);
    assert.deepEqual(options.options.pubKeyCredParams.map((p) => p.alg), [-7, -8, -257]);
    assert.equal(options.options.rp.id, RP_ID);
    const credential = authenticator.register(options);
    const reference = await verifyRegistrationResponse({
      response: credential, expectedChallenge: challengeOf(options), expectedOrigin: ORIGIN, expectedRPID: RP_ID,
      requireUserVerification: true, supportedAlgorithmIDs: [-7, -8, -257],
    });
    assert.equal(reference.verified, true, `${algorithm}: the reference verifier accepts the registration`);
    const created = await session.client.post("/api/me/passkeys", { credential, name: algorithm }, session.auth());
    assert.equal(created.status, 201, `${algorithm}: ${created.text}`);
    assert.equal(created.json.algorithm, algorithm);

    const request = await signInOptions();
    assert.deepEqual(request.options.allowCredentials, []);
    assert.equal(request.options.userVerification, "required");
    const assertion = authenticator.assert(request);
    const checked = await verifyAuthenticationResponse({
      response: assertion, expectedChallenge: challengeOf(request), expectedOrigin: ORIGIN, expectedRPID: RP_ID,
      credential: { id: authenticator.id, publicKey: authenticator.coseKey(), counter: authenticator.counter - 1 },
      requireUserVerification: true,
    });
    assert.equal(checked.verified, true, `${algorithm}: the reference verifier accepts the assertion`);
    const signedIn = await verifySignIn(assertion);
    assert.equal(signedIn.status, 200, `${algorithm}: ${signedIn.text}`);
    assert.equal(signedIn.json.user.email, session.user.email);
    assert.ok(signedIn.json.access_token);
  }
});

test(`${TARGET}: every tampered field is refused with one answer, the reason audited`, async () => {
  // Five failures lock an account (LOCKOUT_FAILURES): a fresh account and passkey
  // every four cases, so each case meets the check it is about.
  let owner;
  let authenticator;
  let cases = 0;
  const results = [];
  /** One sign-in attempt with `tamper`, from a fresh client address each time. */
  const attempt = async (label, tamper, { expectedReason, reference = true } = {}) => {
    if (cases++ % 4 === 0) {
      owner = await account("neg");
      authenticator = new SoftAuthenticator({ algorithm: "ES256", origin: ORIGIN, rpId: RP_ID });
      await registerPasskey(owner.session, authenticator);
    }
    const options = await signInOptions();
    const credential = authenticator.assert(options, tamper);
    let referenceRefused = null;
    if (reference) {
      referenceRefused = await verifyAuthenticationResponse({
        response: credential, expectedChallenge: challengeOf(options), expectedOrigin: ORIGIN, expectedRPID: RP_ID,
        credential: { id: authenticator.id, publicKey: authenticator.coseKey(), counter: 0 }, requireUserVerification: true,
      }).then((r) => !r.verified, () => true);
    }
    const response = await verifySignIn(credential);
    results.push({ label, status: response.status, code: response.json?.code, reference: referenceRefused });
    assertProblem(response, 401, "invalid_credentials");
    assert.equal(response.json.detail, undefined, `${label}: the answer never says which check failed`);
    if (reference) assert.equal(referenceRefused, true, `${label}: the reference verifier refuses it too`);
    if (expectedReason) assert.equal((await failureReasons(owner.session))[0], expectedReason, label);
  };
  await attempt("wrong origin", { origin: "http://localhost:8788" }, { expectedReason: "origin_mismatch" });
  await attempt("wrong RP id hash", { rpId: "evil.example" }, { expectedReason: "rp_id_mismatch" });
  await attempt("UV not set", { flags: UP | BE | BS }, { expectedReason: "user_not_verified" });
  await attempt("tampered signature", { signature: "flip" }, { expectedReason: "invalid_signature" });
  await attempt("get answered as create", { type: "webauthn.create" }, { expectedReason: "wrong_type" });
  await attempt("cross-origin iframe", { crossOrigin: true }, { expectedReason: "cross_origin", reference: false });
  await attempt("malformed authenticator data", { authenticatorData: Buffer.alloc(20) }, { expectedReason: "malformed" });

  // A reused challenge: the first use succeeds, the replay is refused.
  const replayed = new SoftAuthenticator({ algorithm: "EdDSA", origin: ORIGIN, rpId: RP_ID });
  const other = await account("replay");
  await registerPasskey(other.session, replayed);
  const options = await signInOptions();
  const once = replayed.assert(options);
  assert.equal((await verifySignIn(once)).status, 200);
  const replay = await verifySignIn(once);
  results.push({ label: "reused challenge", status: replay.status, code: replay.json?.code, reference: "n/a (challenge state)" });
  assertProblem(replay, 401, "invalid_credentials");
  assert.equal((await failureReasons(other.session)).length, 0, "a replay names no account");

  // An unknown credential.
  const stranger = new SoftAuthenticator({ algorithm: "ES256", origin: ORIGIN, rpId: RP_ID });
  stranger.userHandle = Buffer.alloc(32, 7);
  const unknown = await verifySignIn(stranger.assert(await signInOptions()));
  results.push({ label: "unknown credential", status: unknown.status, code: unknown.json?.code, reference: "n/a (no stored key)" });
  assertProblem(unknown, 401, "invalid_credentials");

  // A counter regression: flagged on the passkey.
  const cloned = new SoftAuthenticator({ algorithm: "RS256", origin: ORIGIN, rpId: RP_ID, counter: 10 });
  const victim = await account("clone");
  await registerPasskey(victim.session, cloned);
  assert.equal((await verifySignIn(cloned.assert(await signInOptions()))).status, 200);
  const regressionOptions = await signInOptions();
  const regressed = cloned.assert(regressionOptions, { counter: 3 });
  const referenceRegression = await verifyAuthenticationResponse({
    response: regressed, expectedChallenge: challengeOf(regressionOptions), expectedOrigin: ORIGIN, expectedRPID: RP_ID,
    credential: { id: cloned.id, publicKey: cloned.coseKey(), counter: 11 }, requireUserVerification: true,
  }).then((r) => !r.verified, () => true);
  const regression = await verifySignIn(regressed);
  results.push({ label: "counter regression", status: regression.status, code: regression.json?.code, reference: referenceRegression });
  assertProblem(regression, 401, "invalid_credentials");
  assert.equal(referenceRegression, true);
  assert.equal((await failureReasons(victim.session))[0], "counter_regression");
  const listed = await victim.session.client.get("/api/me/passkeys", victim.session.auth());
  assert.ok(listed.json.passkeys[0].counter_regressed_at, "the passkey is flagged");

  // Registration: an algorithm not offered, bad CBOR, oversized CBOR, attestation not `none`.
  const registrant = await account("regneg");
  const register = async (label, authenticator, tamper, expected = 400) => {
    const regOptions = await registrationOptions(registrant.session);
    const credential = authenticator.register(regOptions, tamper);
    const response = await registrant.session.client.post("/api/me/passkeys", { credential }, registrant.session.auth());
    results.push({ label, status: response.status, code: response.json?.code, reference: "—" });
    assert.equal(response.status, expected, `${label}: ${response.text}`);
    return response;
  };
  const es384 = new SoftAuthenticator({ algorithm: "ES384", origin: ORIGIN, rpId: RP_ID });
  const refusedAlgorithm = await register("algorithm not allowed (ES384)", es384, {});
  assert.equal(refusedAlgorithm.json.code, "invalid_request");
  const plain = new SoftAuthenticator({ algorithm: "ES256", origin: ORIGIN, rpId: RP_ID });
  await register("COSE alg not offered (ES256 key labelled RS1)", plain, { coseAlg: -65535 });
  await register("malformed CBOR (truncated attestation object)", plain, { attestationObject: cbor(new Map([["fmt", "none"]])).subarray(0, 4) });
  await register("malformed CBOR (indefinite-length map)", plain, { attestationObject: Buffer.from([0xbf, 0x63, 0x66, 0x6d, 0x74, 0x64, 0x6e, 0x6f, 0x6e, 0x65, 0xff]) });
  const deep = Buffer.concat([Buffer.alloc(600, 0x81), Buffer.from([0x00])]);
  await register("oversized CBOR (600 nested arrays as attStmt)", plain, { attestationObject: Buffer.concat([Buffer.from([0xa3, 0x63, 0x66, 0x6d, 0x74, 0x64, 0x6e, 0x6f, 0x6e, 0x65, 0x67, 0x61, 0x74, 0x74, 0x53, 0x74, 0x6d, 0x74]), deep]) });
  await register("attestation format packed", plain, { fmt: "packed" });
  await register("registration UV not set", plain, { flags: UP });
  await register("registration wrong RP id hash", plain, { rpId: "evil.example" });
  // A body over 16 KiB never reaches the parser.
  const huge = await registrant.session.client.post("/api/me/passkeys",
    { credential: plain.register(await registrationOptions(registrant.session), { attestationObject: Buffer.alloc(20_000, 0x41) }) },
    registrant.session.auth());
  results.push({ label: "body over 16 KiB", status: huge.status, code: huge.json?.code, reference: "—" });
  assertProblem(huge, 413, "payload_too_large");
  const reasons = await failureReasons(registrant.session);
  for (const reason of ["unsupported_algorithm", "malformed", "attestation_format", "user_not_verified", "rp_id_mismatch"]) {
    assert.ok(reasons.includes(reason), `${reason} in ${reasons}`);
  }
  const stored = await registrant.session.client.get("/api/me/passkeys", registrant.session.auth());
  assert.deepEqual(stored.json.passkeys, [], "nothing refused was stored");

  console.log(`negative cases (${TARGET}):\n${results.map((r) => `  ${r.label}: ${r.status} ${r.code}; reference refuses: ${r.reference}`).join("\n")}`);
});

test(`${TARGET}: a passkey is the second factor after a password`, async () => {
  const { client, email, password, session } = await account("second");
  const authenticator = new SoftAuthenticator({ algorithm: "EdDSA", origin: ORIGIN, rpId: RP_ID });
  await registerPasskey(session, authenticator);
  const setup = await client.post("/api/me/mfa/totp/setup", undefined, session.auth());
  const clock = new TotpClock(base32Decode(setup.json.secret));
  assert.equal((await client.post("/api/me/mfa/totp/confirm", { code: (await clock.next()).code }, session.auth())).status, 200);

  const fresh = new Client(server.url);
  const first = await fresh.post("/auth/login", { email, password, mode: "cookie" });
  assert.equal(first.json.mfa_required, true, first.text);
  const options = await fresh.post("/auth/login/mfa/passkey/options", { mfa_token: first.json.mfa_token });
  assert.equal(options.status, 200, options.text);
  assert.equal(options.json.options.allowCredentials[0].id, authenticator.id);
  assert.equal(options.json.options.userVerification, "preferred");
  // A tampered assertion is a wrong second factor.
  const wrong = await fresh.post("/auth/login/mfa", { mfa_token: first.json.mfa_token, credential: authenticator.assert(options.json, { signature: "flip" }) });
  assertProblem(wrong, 401, "invalid_mfa");
  const again = await fresh.post("/auth/login/mfa/passkey/options", { mfa_token: first.json.mfa_token });
  const done = await fresh.post("/auth/login/mfa", { mfa_token: first.json.mfa_token, credential: authenticator.assert(again.json, { flags: UP | BE | BS }) });
  assert.equal(done.status, 200, done.text);
  assert.equal(done.json.user.email, email);
  assert.ok(fresh.cookies.get("__Host-access"), "cookie mode, as asked at the password step");
});

test(`${TARGET}: adding or removing a passkey needs a recent sign-in; the password or a passkey confirms it`, async () => {
  // Sessions are recent for five minutes: a test cannot wait that long, so it checks
  // the confirmation routes and the refusal of a stale session through the unit tests
  // (shared/core/src/flows/passkeys/tests.rs); here, what a fresh session may do.
  const { session, password } = await account("recent");
  const authenticator = new SoftAuthenticator({ algorithm: "ES256", origin: ORIGIN, rpId: RP_ID });
  const created = await registerPasskey(session, authenticator, "Laptop");
  const wrong = await session.client.post("/api/me/reauthenticate", { password: `${password}x` }, session.auth());
  assertProblem(wrong, 401, "invalid_credentials");
  const byPassword = await session.client.post("/api/me/reauthenticate", { password }, session.auth());
  assert.equal(byPassword.status, 200, byPassword.text);
  assert.equal(Date.parse(byPassword.json.recent_until) - Date.parse(byPassword.json.reauthenticated_at), 300_000);
  const options = await session.client.post("/api/me/reauthenticate/options", undefined, session.auth());
  assert.equal(options.status, 200, options.text);
  const byPasskey = await session.client.post("/api/me/reauthenticate", { credential: authenticator.assert(options.json) }, session.auth());
  assert.equal(byPasskey.status, 200, byPasskey.text);

  const renamed = await session.client.put(`/api/me/passkeys/${created.id}`, { name: "Work laptop" }, session.auth());
  assert.equal(renamed.json.name, "Work laptop");
  const removed = await session.client.delete(`/api/me/passkeys/${created.id}`, session.auth());
  assert.equal(removed.status, 204, removed.text);
  const list = await session.client.get("/api/me/passkeys", session.auth());
  assert.deepEqual(list.json.passkeys, []);
  const signIn = await verifySignIn(authenticator.assert(await signInOptions()));
  assertProblem(signIn, 401, "invalid_credentials");
});

test(`${TARGET}: erasing the account removes its passkeys; the export shows their public data`, async () => {
  const { session, password } = await account("erase");
  const authenticator = new SoftAuthenticator({ algorithm: "ES256", origin: ORIGIN, rpId: RP_ID });
  await registerPasskey(session, authenticator);
  const exported = await session.client.get("/api/me/export", session.auth());
  assert.equal(exported.json.passkeys[0].credential_id, authenticator.id);
  assert.equal(exported.json.passkeys[0].public_key, authenticator.coseKey().toString("base64url"));
  const erased = await session.client.request("DELETE", "/api/me", { json: { password }, ...session.auth() });
  assert.equal(erased.status, 204, erased.text);
  const after = await verifySignIn(authenticator.assert(await signInOptions()));
  assertProblem(after, 401, "invalid_credentials");
});

test(`${TARGET}: with PASSKEYS=false the routes are not found and the options need no account`, async () => {
  const options = await new Client(server.url).post("/auth/passkey/options", {});
  assert.equal(options.status, 200);
  assert.equal(options.json.options.challenge.length, 43, "32 random bytes");
  const bad = await new Client(server.url).post("/auth/passkey/options", { email: "x@example.com" });
  assertProblem(bad, 400, "invalid_request");
  const off = await start({ vars: configWith({ ...sink.vars(), PUBLIC_ORIGIN: ORIGIN, PASSKEYS: "false" }) });
  try {
    const response = await new Client(off.url).post("/auth/passkey/options");
    assertProblem(response, 404, "not_found");
  } finally {
    await off.stop();
  }
});
