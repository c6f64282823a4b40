// docs/contract.md §6 on the built `api` function — data-protection rights:
// - consents: every known purpose listed from the start, round trip, withdrawal in
//   one request, allowlisted purposes, audited;
// - the export: every record held about the caller, as an attachment, no secrets;
// - erasure: password re-authentication, then no record holding the address or
//   naming the account is left but pseudonymous audit events — checked by reading
//   every record the stores hold (tests/harness/target.mjs `dumpStore`) — including
//   reset tokens, open MFA challenges and the lockout and reset-mail counters keyed by
//   the address — and the address can register again.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { configWith, dumpStore, start, TARGET } from "./harness/target.mjs";
import { Client } from "./harness/http.mjs";
import { assertProblem } from "./harness/assertions.mjs";
import { fragmentToken, startMailSink } from "./harness/mail.mjs";
import { emailIndexes, tokenHash } from "./harness/keys.mjs";
import { scanState } from "./harness/store.mjs";
import {
  attemptLogin, login, newSession, register, strongPassword, uniqueEmail, verificationToken, verifyEmail,
} from "./harness/flows.mjs";
import { TotpClock, base32Decode } from "./harness/totp.mjs";
import { call, walk } from "./harness/api.mjs";

const ADMIN_EMAIL = uniqueEmail("gdpr-admin");
/** The purposes the service knows (docs/openapi.yaml `ConsentPurpose`). */
const PURPOSES = ["analytics", "marketing_email", "product_updates"];
/** `GET /api/me/consents` of a user who decided nothing. */
const UNDECIDED = {
  consents: Object.fromEntries(PURPOSES.map((p) => [p, { granted: false, version: null, updated_at: null }])),
};
let sink;
let server;
let state;
let admin;

before(async () => {
  sink = await startMailSink();
  state = mkdtempSync(join(tmpdir(), "edgeauth-gdpr-"));
  server = await start({ state, vars: configWith({ ...sink.vars(), BOOTSTRAP_ADMIN_EMAILS: ADMIN_EMAIL }) });
  admin = await newSession(server.url, sink, { mode: "token", email: ADMIN_EMAIL });
});
after(async () => {
  await server?.stop();
  await sink?.close();
  if (state) rmSync(state, { recursive: true, force: true });
});

const as = (session, method, path, json) => call(server.url, session, method, path, json);

/** Turns TOTP on for `session`; returns the secret (base32) and the recovery codes. */
async function enableTotp(session) {
  const setup = await as(session, "POST", "/api/me/mfa/totp/setup");
  assert.equal(setup.status, 200, setup.text);
  const { code } = await new TotpClock(base32Decode(setup.json.secret)).next();
  const confirm = await as(session, "POST", "/api/me/mfa/totp/confirm", { code });
  assert.equal(confirm.status, 200, confirm.text);
  return { secret: setup.json.secret, codes: confirm.json.recovery_codes };
}

describe(`${TARGET}: consents`, () => {
  test("round trip: grant, read back, withdraw with one request; each change audited", async () => {
    const alice = await newSession(server.url, sink, { mode: "cookie", email: uniqueEmail("consent") });
    const empty = await as(alice, "GET", "/api/me/consents");
    assert.equal(empty.status, 200);
    assert.deepEqual(empty.json, UNDECIDED);

    const granted = await as(alice, "PUT", "/api/me/consents", { consents: {
      marketing_email: { granted: true, version: "2026-01" }, analytics: { granted: true, version: "a.1" } } });
    assert.equal(granted.status, 200, granted.text);
    const read = await as(alice, "GET", "/api/me/consents");
    assert.deepEqual(read.json, granted.json);
    assert.deepEqual(Object.keys(read.json.consents).sort(), PURPOSES, "every purpose, decided or not");
    assert.deepEqual(read.json.consents.product_updates, UNDECIDED.consents.product_updates);
    const marketing = read.json.consents.marketing_email;
    assert.equal(marketing.granted, true);
    assert.equal(marketing.version, "2026-01");
    assert.match(marketing.updated_at, /Z$/);

    const withdrawn = await as(alice, "PUT", "/api/me/consents",
      { consents: { marketing_email: { granted: false, version: "2026-01" } } });
    assert.equal(withdrawn.status, 200);
    assert.equal(withdrawn.json.consents.marketing_email.granted, false);
    assert.equal(withdrawn.json.consents.analytics.granted, true, "other purposes untouched");

    const { items } = await walk(server.url, alice, "/api/me/activity?event=consent_changed", "events");
    assert.equal(items.length, 3);
    assert.deepEqual(items[0].detail, { purpose: "marketing_email", granted: "false", version: "2026-01" });
    assert.ok(items.every((e) => e.actor_id === alice.user.id && e.subject_id === alice.user.id));

    const bob = await newSession(server.url, sink, { mode: "token", email: uniqueEmail("consent-b") });
    assert.deepEqual((await as(bob, "GET", "/api/me/consents")).json, UNDECIDED, "per user");
  });

  test("only allowlisted purposes and plain versions; unknown fields refused", async () => {
    const carol = await newSession(server.url, sink, { mode: "token", email: uniqueEmail("consent-c") });
    for (const body of [
      { consents: { sell_my_data: { granted: true, version: "v1" } } },
      { consents: { analytics: { granted: true, version: carol.email } } },
      { consents: { analytics: { granted: true, version: "v1", updated_at: "2020-01-01T00:00:00Z" } } },
      { consents: { analytics: { granted: "yes", version: "v1" } } },
      { consents: {} },
    ]) {
      assertProblem(await as(carol, "PUT", "/api/me/consents", body), 400, "invalid_request");
    }
    assert.deepEqual((await as(carol, "GET", "/api/me/consents")).json, UNDECIDED);
  });

  test("a new user's consents list every known purpose, not granted, so a consent screen can show them", async () => {
    const dora = await newSession(server.url, sink, { mode: "token", email: uniqueEmail("consent-d") });
    const response = await as(dora, "GET", "/api/me/consents");
    assert.equal(response.status, 200);
    assert.deepEqual(Object.keys(response.json.consents).sort(), PURPOSES);
    for (const purpose of PURPOSES) {
      assert.deepEqual(response.json.consents[purpose], { granted: false, version: null, updated_at: null }, purpose);
    }
    // Each listed purpose can be set as listed.
    const body = { consents: Object.fromEntries(PURPOSES.map((p) => [p, { granted: true, version: "v1" }])) };
    const granted = await as(dora, "PUT", "/api/me/consents", body);
    assert.equal(granted.status, 200, granted.text);
    assert.ok(PURPOSES.every((p) => granted.json.consents[p].granted === true));
  });
});

describe(`${TARGET}: export`, () => {
  test("holds every record about the caller, as an attachment, without secrets", async () => {
    const dana = await newSession(server.url, sink, { mode: "token", email: uniqueEmail("export") });
    const other = await newSession(server.url, sink, { mode: "token", email: uniqueEmail("export-other") });
    const browser = await login(new Client(server.url), dana.email, dana.password, "cookie");
    const { secret, codes } = await enableTotp(dana);
    await as(dana, "PUT", "/api/me/consents", { consents: { product_updates: { granted: true, version: "p1" } } });
    const own = (await as(dana, "POST", "/api/documents", { title: "Dana's", body: "mine" })).json;
    await as(dana, "POST", `/api/documents/${own.id}/shares`, { user_id: other.user.id, permission: "read" });
    const theirs = (await as(other, "POST", "/api/documents", { title: "Other's", body: "theirs" })).json;
    await as(other, "POST", `/api/documents/${theirs.id}/shares`, { user_id: dana.user.id, permission: "write" });

    const response = await as(dana, "GET", "/api/me/export");
    assert.equal(response.status, 200, response.text);
    assert.equal(response.headers.get("content-disposition"), 'attachment; filename="edgeauth-export.json"');
    assert.match(response.headers.get("content-type"), /^application\/json/);
    assert.equal(response.headers.get("cache-control"), "no-store");
    const data = response.json;
    assert.equal(data.profile.id, dana.user.id);
    assert.equal(data.profile.email, dana.email);
    assert.equal(data.profile.email_verified, true);
    assert.deepEqual(data.roles, ["user"]);
    assert.equal(data.mfa.totp_enabled, true);
    assert.equal(data.mfa.recovery_codes_remaining, 10);
    assert.deepEqual(data.sessions.map((s) => s.id).sort(), [dana.sessionId, browser.sessionId].sort());
    assert.ok(data.sessions.every((s) => "ip_prefix" in s && "user_agent" in s && "created_at" in s));
    assert.equal(data.consents.product_updates.version, "p1");
    assert.equal(data.documents.owned.length, 1);
    assert.equal(data.documents.owned[0].id, own.id);
    assert.deepEqual(data.documents.owned[0].shares, [{ user_id: other.user.id, permission: "read" }]);
    assert.equal(data.documents.shared_with_me.length, 1);
    assert.equal(data.documents.shared_with_me[0].id, theirs.id);
    assert.equal(data.documents.shared_with_me[0].permission, "write");
    assert.equal(data.documents.shared_with_me[0].shares, undefined, "not the other sharees");
    const kinds = new Set(data.activity.map((e) => e.event));
    for (const kind of ["register", "email_verified", "login_succeeded", "mfa_enabled", "consent_changed"]) {
      assert.ok(kinds.has(kind), `${kind} in the export's activity`);
    }
    assert.equal(data.activity_complete, true);

    for (const [what, value] of [["password", dana.password], ["access token", dana.accessToken],
      ["refresh token", dana.refreshToken], ["cookie access token", browser.accessToken],
      ["csrf token", browser.csrfToken], ["totp secret", secret], ["recovery code", codes[0]]]) {
      assert.ok(!response.text.includes(value), `the export holds the ${what}`);
    }
    assert.ok(!/argon2|\$2[aby]\$|"current_hash"|"totp_secret"|"recovery_codes"\s*:\s*\[/.test(response.text),
      "no hashes or MFA state");

    const audit = await walk(server.url, admin, `/api/admin/audit?user_id=${dana.user.id}&event=data_exported`, "events");
    assert.equal(audit.items.length, 1, "the export is audited");
  });
});

describe(`${TARGET}: erasure`, () => {
  test("needs the password, then leaves no record of the account but pseudonymous audit events", async () => {
    const erin = await newSession(server.url, sink, { mode: "token", email: uniqueEmail("Erase.Me") });
    const browser = await login(new Client(server.url), erin.email, erin.password, "cookie");
    const friend = await newSession(server.url, sink, { mode: "token", email: uniqueEmail("friend") });
    await enableTotp(erin);
    await as(erin, "PUT", "/api/me/consents", { consents: { analytics: { granted: true, version: "v1" } } });
    const mine = (await as(erin, "POST", "/api/documents", { title: "Erin's", body: `contact: ${erin.email}` })).json;
    await as(erin, "POST", `/api/documents/${mine.id}/shares`, { user_id: friend.user.id, permission: "read" });
    const friends = (await as(friend, "POST", "/api/documents", { title: "Friend's", body: "f" })).json;
    await as(friend, "POST", `/api/documents/${friends.id}/shares`, { user_id: erin.user.id, permission: "write" });
    const id = erin.user.id;

    const before = await dumpStore(state);
    const naming = (records) => records.filter((r) => r.key.includes(id) || r.value.includes(id));
    const profile = before.find((r) => r.value.includes(`"id":"${id}"`) && r.value.includes('"email"'));
    assert.ok(profile, "the dump sees the user record");
    const storedEmail = JSON.parse(profile.value.slice(profile.value.indexOf("|") + 1)).email;
    assert.ok(storedEmail.length > 20, "the stored (encrypted) address");
    const beforeKinds = naming(before).filter((r) => !r.key.startsWith("audit/")
      && !r.key.startsWith(`ratelimit/user/${id}/`));
    assert.ok(beforeKinds.length >= 5, `records naming the account: ${beforeKinds.map((r) => r.key)}`);

    assertProblem(await as(erin, "DELETE", "/api/me", { password: "not the password at all" }), 401, "invalid_credentials");
    assertProblem(await as(erin, "DELETE", "/api/me", { password: erin.password, email: erin.email }), 400,
      "invalid_request");
    assert.equal((await as(erin, "GET", "/api/me")).status, 200, "nothing happened yet");

    const erased = await as(browser, "DELETE", "/api/me", { password: erin.password });
    assert.equal(erased.status, 204, erased.text);
    assert.equal(erased.headers.get("clear-site-data"), '"cookies", "storage"');
    assert.ok(erased.setCookies.some((c) => /^__Host-access=;/.test(c) && /Max-Age=0/i.test(c)));

    // At once, though the api Worker forwarded the erasure to login: it forgets its
    // session checks after a forwarded password route (read your own writes).
    assertProblem(await as(erin, "GET", "/api/me"), 401, "unauthenticated");
    assert.equal((await erin.refresh()).status, 401);
    assertProblem(await attemptLogin(new Client(server.url), erin.email, erin.password, "token"), 401,
      "invalid_credentials");
    assertProblem(await as(friend, "GET", `/api/documents/${mine.id}`), 404, "not_found");
    const friendsDoc = await as(friend, "GET", `/api/documents/${friends.id}`);
    assert.deepEqual(friendsDoc.json.shares, [], "the erased user's share is gone");
    const review = await walk(server.url, admin, "/api/admin/users", "users");
    assert.ok(!review.items.some((u) => u.id === id || u.email === erin.email), "not in the access review");

    // The audit trail stays, under the id (a pseudonym) and without the address.
    const trail = await walk(server.url, admin, `/api/admin/audit?user_id=${id}`, "events");
    assert.equal(trail.items[0].event, "account_deleted");
    assert.ok(trail.items.length > 5);
    assert.ok(!JSON.stringify(trail.items).includes(erin.email.toLowerCase()));

    // Every record the stores hold: nothing names the account but audit events, and
    // nothing holds the address in any stored form.
    const afterDump = await dumpStore(state);
    // Allowed: audit events (pseudonymous), and on Spin the indexes that list them
    // (`y/audit/…`, `f/audit/…`) and the expiry registry's pointers to the erased
    // shards (`e/…`, shared/spin/src/reclaim.rs), which name the id until the sweep
    // has reclaimed them. The per-user API counter is erased too.
    const bookkeeping = (r) => r.store === "spin:default" && /^(e\/|[fy]\/audit\/)/.test(r.key);
    const left = naming(afterDump).filter((r) => !r.key.startsWith("audit/") && !bookkeeping(r));
    assert.deepEqual(left.map((r) => `${r.store} ${r.key}`), [], "records left naming the erased account");
    // Records in the account's own shard need not repeat the id (on Workers the shard
    // is a Durable Object whose storage holds names only): that object must be empty.
    const ownShard = before.filter((r) => r.store === profile.store);
    if (profile.store.startsWith("do:")) {
      assert.ok(ownShard.length >= 5, `the account's shard held ${ownShard.map((r) => r.key)}`);
      assert.deepEqual(afterDump.filter((r) => r.store === profile.store).map((r) => r.key), [],
        "the account's shard still holds records");
    }
    for (const needle of [erin.email, erin.email.toLowerCase(), storedEmail]) {
      assert.deepEqual(afterDump.filter((r) => r.key.includes(needle) || r.value.includes(needle)).map((r) => r.key), [],
        "a record holds the address");
    }
    const scan = scanState(state);
    assert.ok(scan.contains(id), "the byte scan reads the stores (audit events name the id)");
    assert.ok(!scan.contains(erin.email.toLowerCase()), "no plaintext address in any stored byte");
    console.log(`erasure (${TARGET}): ${beforeKinds.length} records named the account before, ${left.length} after; `
      + `${afterDump.length} records scanned`);

    // The address can register again: a new account, a verification mail (not a notice).
    const client = new Client(server.url);
    assert.equal((await register(client, erin.email, erin.password)).status, 202);
    const token = await verificationToken(sink, erin.email);
    assert.equal((await verifyEmail(client, token)).status, 200);
    const reborn = await login(client, erin.email, erin.password, "token");
    assert.notEqual(reborn.user.id, id);
    assert.deepEqual((await as(reborn, "GET", "/api/documents")).json.documents, []);
  });

  test("also deletes reset tokens, open MFA challenges and the counters keyed by the address", async () => {
    const gail = await newSession(server.url, sink, { mode: "token", email: uniqueEmail("leftovers") });
    const id = gail.user.id;
    await enableTotp(gail);
    // An open MFA challenge (the password step, no code), a reset token (and the
    // address's reset-mail counter), a lockout state (one wrong password), the per-user
    // API counter (every authenticated call).
    const challenge = await attemptLogin(new Client(server.url), gail.email, gail.password, "token");
    assert.equal(challenge.json?.mfa_required, true, challenge.text);
    assert.equal((await new Client(server.url).post("/auth/password/forgot", { email: gail.email })).status, 202);
    const resetMail = await sink.waitForMail(gail.email, (m) => m.text.includes("/reset-password#token="));
    const resetToken = fragmentToken(resetMail.text, "/reset-password");
    assertProblem(await as(gail, "DELETE", "/api/me", { password: "not the password, once" }), 401,
      "invalid_credentials");
    const [index] = emailIndexes(configWith().DATA_ENCRYPTION_KEYS, gail.email);
    const shards = {
      "reset token": `reset/${tokenHash(resetToken)}`,
      "MFA challenge": `mfa-login/${tokenHash(challenge.json.mfa_token)}`,
      "lockout state": `lockout/${index}`,
      "reset-mail counter": `ratelimit/email/${index}`,
      "API counter": `ratelimit/user/${id}`,
    };
    const before = await dumpStore(state);
    for (const [what, shard] of Object.entries(shards)) {
      assert.ok((await server.shardRecords(before, shard)).length > 0, `the dump sees the ${what} before`);
    }

    const erased = await as(gail, "DELETE", "/api/me", { password: gail.password });
    assert.equal(erased.status, 204, erased.text);

    const afterDump = await dumpStore(state);
    for (const [what, shard] of Object.entries(shards)) {
      assert.deepEqual((await server.shardRecords(afterDump, shard)).map((r) => r.key), [], `the ${what} is left`);
    }
    // As above: audit events and, on Spin, their indexes and the registry's pointers.
    const bookkeeping = (r) => r.store === "spin:default" && /^(e\/|[fy]\/audit\/)/.test(r.key);
    const naming = afterDump.filter((r) => (r.key.includes(id) || r.value.includes(id))
      && !r.key.startsWith("audit/") && !bookkeeping(r));
    assert.deepEqual(naming.map((r) => `${r.store} ${r.key}`), [], "records left naming the erased account");
  });

  test("accounts that share a directory bucket with a live one, erased at the same time, leave nothing naming them", async () => {
    // The Spin adapter files `users/{id}` in 256 buckets by the id's first two hex
    // digits, each bucket with one index (shared/spin/src/shard_index.rs); on Workers the
    // directory is KV. Register accounts until three share a bucket (about 80 by the
    // birthday bound; registering alone creates the record, and the admin directory
    // gives its id), then erase two of them at once: their index entries go by racing
    // compare-and-swaps on one record, and the third keeps that index alive, so an
    // entry merely marked deleted would still name its account.
    const registered = new Map(); // email → password
    let trio;
    while (!trio) {
      assert.ok(registered.size < 320, "no three of 320 random ids shared their first two hex digits");
      const batch = Array.from({ length: 8 }, () => ({ email: uniqueEmail("bucket"), password: strongPassword() }));
      const answers = await Promise.all(batch.map(({ email, password }) => register(new Client(server.url), email, password)));
      assert.deepEqual(answers.map((answer) => answer.status), batch.map(() => 202));
      for (const { email, password } of batch) registered.set(email, password);
      const { items } = await walk(server.url, admin, "/api/admin/users?limit=100", "users");
      const byBucket = Map.groupBy(items.filter((user) => registered.has(user.email)), (user) => user.id.slice(0, 2));
      trio = [...byBucket.values()].find((users) => users.length >= 3)?.slice(0, 3);
    }
    const pair = await Promise.all(trio.slice(0, 2).map(async ({ email }) => {
      const client = new Client(server.url);
      assert.equal((await verifyEmail(client, await verificationToken(sink, email))).status, 200);
      const session = await login(client, email, registered.get(email), "token");
      return Object.assign(session, { email, password: registered.get(email) });
    }));
    const erasedIds = pair.map((session) => session.user.id);
    const answers = await Promise.all(pair.map((session) =>
      as(session, "DELETE", "/api/me", { password: session.password })));
    assert.deepEqual(answers.map((answer) => answer.status), [204, 204], answers.map((a) => a.text).join("\n"));

    const afterDump = await dumpStore(state);
    const bookkeeping = (r) => r.store === "spin:default" && /^(e\/|[fy]\/audit\/)/.test(r.key);
    for (const id of erasedIds) {
      const naming = afterDump.filter((r) => (r.key.includes(id) || r.value.includes(id))
        && !r.key.startsWith("audit/") && !bookkeeping(r));
      assert.deepEqual(naming.map((r) => `${r.store} ${r.key}`), [], `records left naming erased account ${id}`);
    }
    const { items } = await walk(server.url, admin, "/api/admin/users?limit=50", "users");
    const listed = new Set(items.map((user) => user.id));
    for (const id of erasedIds) assert.ok(!listed.has(id), `erased account ${id} is still listed`);
    assert.ok(listed.has(trio[2].id), "the third account of the bucket is missing from the directory");
    const missing = [...registered.keys()].filter((email) => !pair.some((session) => session.email === email))
      .filter((email) => !items.some((user) => user.email === email));
    assert.deepEqual(missing, [], "accounts that were not erased are missing from the directory");
    console.log(`shared bucket (${TARGET}): ${registered.size} accounts registered; erased ${erasedIds.join(", ")}`);
  });

  test("wrong passwords are limited before any hash", async () => {
    const frank = await newSession(server.url, sink, { mode: "token", email: uniqueEmail("limit") });
    for (let i = 0; i < 5; i++) {
      assertProblem(await as(frank, "DELETE", "/api/me", { password: `wrong guess ${i} of many` }), 401,
        "invalid_credentials");
    }
    const limited = await as(frank, "DELETE", "/api/me", { password: frank.password });
    assertProblem(limited, 429, "rate_limited");
    assert.ok(Number(limited.headers.get("retry-after")) > 0);
    assert.equal((await as(frank, "GET", "/api/me")).status, 200, "still there");
  });
});
