// Passkeys in the client: the JSON ↔ ArrayBuffer conversions, and each operation's
// requests against the fake server (hooks play the passkey routes of docs/contract.md
// §5–§6) with a fake `navigator.credentials`.

import { test } from "node:test";
import assert from "node:assert/strict";

import { EdgeauthError } from "../index.js";
import {
  credentialJSON, creationOptions, fromBase64url, requestOptions, toBase64url,
} from "../src/passkeys.js";
import { ALICE, BOB, FakeBrowser, recordEvents, settle } from "./fakes.mjs";

const bytes = (...values) => new Uint8Array(values).buffer;
const text = (buffer) => [...new Uint8Array(buffer)];

function json(status, body) {
  return new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

function problem(status, code) {
  return new Response(JSON.stringify({ type: `https://edgeauth.dev/problems/${code}`, title: code, status, code, request_id: "r" }),
    { status, headers: { "Content-Type": "application/problem+json" } });
}

const REQUEST_OPTIONS = { challenge: "AAEC", timeout: 300000, rpId: "auth.example.test", allowCredentials: [], userVerification: "required" };
const CREATION_OPTIONS = {
  rp: { id: "auth.example.test", name: "Acme" },
  user: { id: "BQYH", name: ALICE.email, displayName: ALICE.email },
  challenge: "AAEC",
  pubKeyCredParams: [{ type: "public-key", alg: -7 }],
  timeout: 300000,
  excludeCredentials: [{ type: "public-key", id: "CQo", transports: ["internal"] }],
  authenticatorSelection: { residentKey: "preferred", requireResidentKey: false, userVerification: "required" },
  attestation: "none",
};
const PASSKEY = {
  id: "c".repeat(32), name: "Laptop", created_at: "2026-01-01T00:00:00.000Z", last_used_at: null,
  backup_eligible: true, backed_up: false, algorithm: "ES256", counter_regressed_at: null,
};

/** An assertion as a browser's `PublicKeyCredential` without `toJSON` (older browsers). */
function fakeAssertion() {
  return {
    id: "AQID", rawId: bytes(1, 2, 3), type: "public-key", authenticatorAttachment: "platform",
    response: { clientDataJSON: bytes(123, 125), authenticatorData: bytes(9, 9), signature: bytes(7), userHandle: bytes(5, 6) },
    getClientExtensionResults: () => ({}),
  };
}

function fakeAttestation() {
  return {
    id: "AQID", rawId: bytes(1, 2, 3), type: "public-key",
    response: { clientDataJSON: bytes(123, 125), attestationObject: bytes(0xa0), getTransports: () => ["internal"] },
    getClientExtensionResults: () => ({ credProps: { rk: true } }),
  };
}

/** `navigator.credentials` that records its calls and answers with `answer(kind, options)`. */
function fakeCredentials(answer = (kind) => (kind === "create" ? fakeAttestation() : fakeAssertion())) {
  const calls = [];
  return {
    calls,
    create: async (options) => { calls.push({ kind: "create", options }); return answer("create", options); },
    get: async (options) => { calls.push({ kind: "get", options }); return answer("get", options); },
  };
}

/** A `PublicKeyCredential` interface without the Level 3 JSON helpers. */
const PlainPublicKeyCredential = { isConditionalMediationAvailable: async () => true };

function setup({ credentials = fakeCredentials(), PublicKeyCredential = PlainPublicKeyCredential, ...options } = {}) {
  const browser = new FakeBrowser();
  const tab = browser.tab({ credentials, PublicKeyCredential, ...options });
  return { browser, tab, credentials, server: browser.server };
}

test("base64url round-trips bytes and refuses other text", () => {
  const all = new Uint8Array(256).map((_, i) => i);
  assert.deepEqual(text(fromBase64url(toBase64url(all))), [...all]);
  assert.equal(toBase64url(bytes(0xfb, 0xff)), "-_8");
  assert.deepEqual(text(fromBase64url("-_8=")), [0xfb, 0xff]);
  for (const bad of ["a+b", "a/b", "a b", null, 3]) assert.throws(() => fromBase64url(bad), TypeError);
});

test("options are converted to ArrayBuffers by hand, or by the browser's JSON parsers when it has them", () => {
  const creation = creationOptions(CREATION_OPTIONS, PlainPublicKeyCredential);
  assert.deepEqual(text(creation.challenge), [0, 1, 2]);
  assert.deepEqual(text(creation.user.id), [5, 6, 7]);
  assert.equal(creation.user.name, ALICE.email);
  assert.deepEqual(text(creation.excludeCredentials[0].id), [9, 10]);
  assert.deepEqual(creation.excludeCredentials[0].transports, ["internal"]);
  assert.equal(creation.authenticatorSelection.userVerification, "required");
  const request = requestOptions({ ...REQUEST_OPTIONS, allowCredentials: [{ type: "public-key", id: "CQo" }] }, null);
  assert.deepEqual(text(request.challenge), [0, 1, 2]);
  assert.deepEqual(text(request.allowCredentials[0].id), [9, 10]);
  assert.equal(request.rpId, "auth.example.test");

  const native = {
    parseCreationOptionsFromJSON: (value) => ({ native: "creation", value }),
    parseRequestOptionsFromJSON: (value) => ({ native: "request", value }),
  };
  assert.equal(creationOptions(CREATION_OPTIONS, native).native, "creation");
  assert.equal(requestOptions(REQUEST_OPTIONS, native).native, "request");
});

test("credentials become their JSON form by hand, or by toJSON when the browser has it", () => {
  assert.deepEqual(credentialJSON(fakeAssertion()), {
    id: "AQID", rawId: "AQID", type: "public-key", authenticatorAttachment: "platform", clientExtensionResults: {},
    response: { clientDataJSON: "e30", authenticatorData: "CQk", signature: "Bw", userHandle: "BQY" },
  });
  const withoutHandle = fakeAssertion();
  withoutHandle.response.userHandle = null;
  assert.equal(credentialJSON(withoutHandle).response.userHandle, null);
  assert.deepEqual(credentialJSON(fakeAttestation()).response, { clientDataJSON: "e30", attestationObject: "oA", transports: ["internal"] });
  assert.deepEqual(credentialJSON({ toJSON: () => ({ from: "browser" }) }), { from: "browser" });
});

test("signInWithPasskey asks for options, gets an assertion and starts a cookie session", async () => {
  const { browser, tab, credentials, server } = setup();
  server.hooks["POST /auth/passkey/options"] = async () => json(200, { options: REQUEST_OPTIONS });
  server.hooks["POST /auth/passkey/verify"] = async (_request, { jar }) => json(200, server.issue(server.startSession(ALICE, jar), jar));
  const events = recordEvents(tab);
  const result = await tab.signInWithPasskey();
  assert.equal(result.status, "signed_in");
  assert.equal(result.user.email, ALICE.email);
  assert.equal(credentials.calls.length, 1);
  assert.equal(credentials.calls[0].kind, "get");
  assert.equal(credentials.calls[0].options.mediation, undefined, "no mediation unless asked");
  assert.deepEqual(text(credentials.calls[0].options.publicKey.challenge), [0, 1, 2]);
  const verify = server.requests.find((r) => r.path === "/auth/passkey/verify");
  assert.equal(verify.body.mode, "cookie");
  assert.equal(verify.body.credential.response.signature, "Bw");
  assert.deepEqual(events.types(), ["signed_in"]);
  browser.close();
});

test("a refused passkey is an EdgeauthError and starts nothing", async () => {
  const { browser, tab, server } = setup();
  server.hooks["POST /auth/passkey/options"] = async () => json(200, { options: REQUEST_OPTIONS });
  server.hooks["POST /auth/passkey/verify"] = async () => problem(401, "invalid_credentials");
  await assert.rejects(tab.signInWithPasskey(), (error) => error instanceof EdgeauthError && error.code === "invalid_credentials");
  assert.equal(tab.state.status, "unknown");
  browser.close();
});

test("conditional mediation is passed on, renewed with a fresh challenge before it expires, and ends on abort", async () => {
  const timers = [];
  const schedule = (callback, ms) => { timers.push({ callback, ms }); return timers.length; };
  let answerNext = null;
  const credentials = fakeCredentials((_kind, options) => new Promise((resolve, reject) => {
    options.signal.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")));
    answerNext = () => resolve(fakeAssertion());
  }));
  const { browser, tab, server } = setup({ credentials, setTimeout: schedule, clearTimeout: () => {} });
  let round = 0;
  server.hooks["POST /auth/passkey/options"] = async () => json(200, { options: { ...REQUEST_OPTIONS, challenge: toBase64url(bytes(++round)), timeout: 60000 } });
  server.hooks["POST /auth/passkey/verify"] = async (_request, { jar }) => json(200, server.issue(server.startSession(ALICE, jar), jar));

  const signedIn = tab.signInWithPasskey({ mediation: "conditional" });
  await settle();
  assert.equal(credentials.calls[0].options.mediation, "conditional");
  assert.equal(timers[0].ms, 30000, "renewed 30 s before the challenge's end");
  timers[0].callback();
  await settle();
  assert.equal(credentials.calls.length, 2, "a second request after the renewal");
  assert.deepEqual(text(credentials.calls[1].options.publicKey.challenge), [2], "with a fresh challenge");
  answerNext();
  assert.equal((await signedIn).status, "signed_in");
  assert.equal(server.count("POST /auth/passkey/options"), 2);

  const controller = new AbortController();
  const aborted = tab.signInWithPasskey({ mediation: "conditional", signal: controller.signal });
  await settle();
  controller.abort();
  await assert.rejects(aborted, { name: "AbortError" });
  assert.equal(server.count("POST /auth/passkey/verify"), 1, "nothing verified after the abort");
  browser.close();
});

test("completeMfaWithPasskey binds the options and the assertion to the MFA token", async () => {
  const { browser, tab, credentials, server } = setup();
  const first = await tab.signIn({ email: BOB.email, password: BOB.password });
  assert.equal(first.status, "mfa_required");
  server.hooks["POST /auth/login/mfa/passkey/options"] = async (_request, { body }) =>
    (body.mfa_token === first.mfaToken ? json(200, { options: { ...REQUEST_OPTIONS, allowCredentials: [{ type: "public-key", id: "AQID" }] } }) : problem(401, "unauthenticated"));
  server.hooks["POST /auth/login/mfa"] = async (_request, { jar, body }) =>
    (body.credential && body.mfa_token === first.mfaToken ? json(200, server.issue(server.startSession(BOB, jar), jar)) : undefined);
  const done = await tab.completeMfaWithPasskey({ mfaToken: first.mfaToken });
  assert.equal(done.user.email, BOB.email);
  assert.deepEqual(text(credentials.calls[0].options.publicKey.allowCredentials[0].id), [1, 2, 3]);
  await assert.rejects(tab.completeMfaWithPasskey({}), TypeError);
  browser.close();
});

test("registerPasskey creates a credential from the options and posts it with its name, CSRF header included", async () => {
  const { browser, tab, credentials, server } = setup();
  await browser.signIn(tab);
  server.hooks["POST /api/me/passkeys/options"] = async () => json(200, { options: CREATION_OPTIONS });
  server.hooks["POST /api/me/passkeys"] = async () => json(201, PASSKEY);
  const passkey = await tab.registerPasskey({ name: "  Laptop  " });
  assert.equal(passkey.name, "Laptop");
  assert.ok(passkey.createdAt instanceof Date);
  assert.equal(passkey.lastUsedAt, null);
  assert.equal(passkey.backupEligible, true);
  assert.equal(credentials.calls[0].kind, "create");
  assert.deepEqual(text(credentials.calls[0].options.publicKey.user.id), [5, 6, 7]);
  const posted = server.requests.find((r) => r.method === "POST" && r.path === "/api/me/passkeys");
  assert.equal(posted.body.name, "Laptop");
  assert.equal(posted.body.credential.response.attestationObject, "oA");
  assert.ok(posted.csrf, "the CSRF header is sent");
  browser.close();
});

test("registerPasskey stops at reauthentication_required without asking the authenticator", async () => {
  const { browser, tab, credentials, server } = setup();
  await browser.signIn(tab);
  server.hooks["POST /api/me/passkeys/options"] = async () => problem(403, "reauthentication_required");
  await assert.rejects(tab.registerPasskey(), (error) => error.code === "reauthentication_required" && error.status === 403);
  assert.equal(credentials.calls.length, 0);
  browser.close();
});

test("passkeys are listed, renamed and removed by encoded id", async () => {
  const { browser, tab, server } = setup();
  await browser.signIn(tab);
  server.hooks["GET /api/me/passkeys"] = async () => json(200, { passkeys: [PASSKEY, { ...PASSKEY, id: "d".repeat(32), last_used_at: "2026-02-01T00:00:00.000Z", backed_up: true }] });
  server.hooks["PUT /api/me/passkeys/a%2Fb"] = async (_request, { body }) => json(200, { ...PASSKEY, name: body.name });
  server.hooks["DELETE /api/me/passkeys/a%2Fb"] = async () => new Response(null, { status: 204 });
  const list = await tab.listPasskeys();
  assert.equal(list.length, 2);
  assert.equal(list[1].backedUp, true);
  assert.equal(list[1].lastUsedAt.toISOString(), "2026-02-01T00:00:00.000Z");
  assert.equal((await tab.renamePasskey("a/b", "Phone")).name, "Phone");
  await tab.removePasskey("a/b");
  assert.equal(server.count("DELETE /api/me/passkeys/a%2Fb"), 1, "one path segment, encoded");
  await assert.rejects(tab.removePasskey(""), TypeError);
  await assert.rejects(tab.renamePasskey(undefined, "x"), TypeError);
  browser.close();
});

test("reauthenticate confirms with the password or with a passkey", async () => {
  const { browser, tab, credentials, server } = setup();
  await browser.signIn(tab);
  const answer = { reauthenticated_at: "2026-01-01T00:00:00.000Z", recent_until: "2026-01-01T00:05:00.000Z" };
  server.hooks["POST /api/me/reauthenticate"] = async () => json(200, answer);
  server.hooks["POST /api/me/reauthenticate/options"] = async () => json(200, { options: REQUEST_OPTIONS });
  const byPassword = await tab.reauthenticate({ password: ALICE.password });
  assert.equal(byPassword.recentUntil.toISOString(), answer.recent_until);
  const byPasskey = await tab.reauthenticateWithPasskey();
  assert.equal(byPasskey.reauthenticatedAt.toISOString(), answer.reauthenticated_at);
  const posted = server.requests.filter((r) => r.path === "/api/me/reauthenticate").map((r) => Object.keys(r.body));
  assert.deepEqual(posted, [["password"], ["credential"]]);
  assert.equal(credentials.calls[0].kind, "get");
  browser.close();
});

test("without WebAuthn the passkey operations throw a TypeError before any request", async () => {
  const { browser, tab, server } = setup({ credentials: null, PublicKeyCredential: null });
  assert.equal(tab.passkeysAvailable(), false);
  assert.equal(await tab.conditionalMediationAvailable(), false);
  await assert.rejects(tab.signInWithPasskey(), TypeError);
  await assert.rejects(tab.registerPasskey(), TypeError);
  assert.equal(server.requests.length, 0);
  browser.close();
});
