// docs/contract.md §2–§3 on the built functions — the email and password fields: every route
// that takes one applies the same rules (shared/core/src/policy/fields.rs,
// docs/openapi.yaml `Email`/`Password`): over-long or malformed values are
// `400 invalid_request`, named by field, never echoed — before any hash or store
// access, so they spend no rate-limit or lockout budget and say nothing about accounts.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { configWith, start, TARGET } from "./harness/target.mjs";
import { Client } from "./harness/http.mjs";
import { assertProblem } from "./harness/assertions.mjs";
import { startMailSink } from "./harness/mail.mjs";
import {
  attemptLogin, login, newSession, registerAndVerify, strongPassword, uniqueEmail, withoutRequestId,
} from "./harness/flows.mjs";
import { call } from "./harness/api.mjs";

let sink;
let server;
let ada;

before(async () => {
  sink = await startMailSink();
  server = await start({ vars: configWith(sink.vars()) });
  ada = await newSession(server.url, sink, { mode: "token", email: uniqueEmail("ada") });
});
after(async () => {
  await server?.stop();
  await sink?.close();
});

/** Password values every route refuses: over-long, past the policy maximum, control characters. */
const BAD_PASSWORDS = [
  ["1,000 characters", "x".repeat(1000)],
  ["257 characters", "y".repeat(257)],
  ["a NUL", "correct horse\u0000battery staple"],
  ["a control character", "correct horse\u0007battery staple"],
];
/** Email values every route refuses: control characters, over-long, malformed. */
const BAD_EMAILS = [
  ["a trailing NUL", "ada@example.com\u0000"],
  ["a NUL inside", "a\u0000da@example.com"],
  ["255 characters", `ada@${"b".repeat(247)}.com`],
  ["no @", "not-an-address"],
  ["two @", "ada@@example.com"],
];

/** `POST path` with `json` from a fresh client. */
const anonymous = (path, json) => new Client(server.url).post(path, json);

function assertRefused(response, field, value, what) {
  assertProblem(response, 400, "invalid_request");
  assert.ok(response.json.detail?.startsWith(`${field}:`), `${what}: detail ${response.json.detail}`);
  assert.ok(!response.text.includes(value), `${what}: the value is not echoed`);
}

describe(`${TARGET}: password fields`, () => {
  test("every route that takes a password refuses over-long and malformed ones with 400", async () => {
    const routes = [
      ["register", (p) => anonymous("/auth/register", { email: uniqueEmail("reg"), password: p }), "password"],
      ["login", (p) => anonymous("/auth/login", { email: ada.email, password: p }), "password"],
      ["reset", (p) => anonymous("/auth/password/reset", { token: "A".repeat(43), password: p }), "password"],
      ["change (current)", (p) => call(server.url, ada, "POST", "/auth/password/change",
        { current_password: p, new_password: strongPassword() }), "current_password"],
      ["change (new)", (p) => call(server.url, ada, "POST", "/auth/password/change",
        { current_password: ada.password, new_password: p }), "new_password"],
      ["erase", (p) => call(server.url, ada, "DELETE", "/api/me", { password: p }), "password"],
      ["TOTP disable", (p) => call(server.url, ada, "DELETE", "/api/me/mfa/totp", { password: p }), "password"],
    ];
    for (const [route, send, field] of routes) {
      for (const [what, value] of BAD_PASSWORDS) {
        assertRefused(await send(value), field, value, `${route}, ${what}`);
      }
    }
    // Nothing happened to the account: it is there, and its password still works.
    assert.equal((await call(server.url, ada, "GET", "/api/me")).status, 200);
    assert.equal((await attemptLogin(new Client(server.url), ada.email, ada.password, "token")).status, 200);
  });

  test("the longest password the policy allows registers and signs in", async () => {
    const email = uniqueEmail("longest");
    const longest = `${strongPassword()} `.padEnd(256, "é");
    assert.equal([...longest].length, 256);
    await registerAndVerify(new Client(server.url), email, longest, sink);
    await login(new Client(server.url), email, longest, "token");
  });
});

describe(`${TARGET}: email fields`, () => {
  test("every route that takes an email refuses over-long and malformed ones with 400", async () => {
    const routes = [
      ["register", (e) => anonymous("/auth/register", { email: e, password: strongPassword() })],
      ["login", (e) => anonymous("/auth/login", { email: e, password: ada.password })],
      ["forgot", (e) => anonymous("/auth/password/forgot", { email: e })],
    ];
    for (const [route, send] of routes) {
      for (const [what, value] of BAD_EMAILS) {
        assertRefused(await send(value), "email", value, `${route}, ${what}`);
      }
    }
  });
});

describe(`${TARGET}: login`, () => {
  test("malformed input costs no rate-limit or lockout budget and tells nothing about accounts", async () => {
    // One client (one address): 25 malformed logins on a real account exceed both the
    // per-address login limit (20 a minute) and the lockout (5 failures) — if they counted.
    const client = new Client(server.url);
    for (let i = 0; i < 25; i++) {
      const [, value] = BAD_PASSWORDS[i % BAD_PASSWORDS.length];
      assertProblem(await attemptLogin(client, ada.email, value, "token"), 400, "invalid_request");
    }
    const signedIn = await attemptLogin(client, ada.email, ada.password, "token");
    assert.equal(signedIn.status, 200, `neither limited nor locked: ${signedIn.text}`);

    for (const [what, value] of BAD_PASSWORDS) {
      const known = await attemptLogin(new Client(server.url), ada.email, value, "token");
      const unknown = await attemptLogin(new Client(server.url), uniqueEmail("nobody"), value, "token");
      assert.deepEqual(withoutRequestId(known.json), withoutRequestId(unknown.json), what);
      assert.equal(known.status, unknown.status, what);
    }
  });
});
