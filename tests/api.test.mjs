// docs/contract.md §6 on the built `api` function — documents and the object-level rules:
// isolation between users (404, never 403), sharing read vs write, revocation at
// the next request, the admin's read, mass assignment, length limits, listing with
// a cursor; and the gate: every protected route is 401 without credentials.
//
// The second test prints the object-level table (caller × action → status) for the
// resolution note.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { configWith, start, TARGET } from "./harness/target.mjs";
import { assertProblem, assertSecurityHeaders } from "./harness/assertions.mjs";
import { startMailSink } from "./harness/mail.mjs";
import { newSession, uniqueEmail } from "./harness/flows.mjs";
import { call, markdownTable, walk } from "./harness/api.mjs";

const ADMIN_EMAIL = uniqueEmail("api-admin");
let sink;
let server;
let owner; let reader; let writer; let stranger; let admin;

before(async () => {
  sink = await startMailSink();
  server = await start({ vars: configWith({ ...sink.vars(), BOOTSTRAP_ADMIN_EMAILS: ADMIN_EMAIL }) });
  // Token mode for most; the writer uses cookies (CSRF header on every write).
  [owner, reader, writer, stranger, admin] = await Promise.all([
    newSession(server.url, sink, { mode: "token", email: uniqueEmail("owner") }),
    newSession(server.url, sink, { mode: "token", email: uniqueEmail("reader") }),
    newSession(server.url, sink, { mode: "cookie", email: uniqueEmail("writer") }),
    newSession(server.url, sink, { mode: "token", email: uniqueEmail("stranger") }),
    newSession(server.url, sink, { mode: "token", email: ADMIN_EMAIL }),
  ]);
  assert.deepEqual(admin.user.roles, ["user", "admin"], "bootstrap admin after verification");
});
after(async () => {
  await server?.stop();
  await sink?.close();
});

const as = (session, method, path, json) => call(server.url, session, method, path, json);

async function createDocument(session, title = "Plan", body = "text") {
  const response = await as(session, "POST", "/api/documents", { title, body });
  assert.equal(response.status, 201, response.text);
  return response.json;
}

async function shareWith(document, session, permission) {
  const response = await as(owner, "POST", `/api/documents/${document.id}/shares`,
    { user_id: session.user.id, permission });
  assert.equal(response.status, 201, response.text);
  assert.deepEqual(response.json, { document_id: document.id, user_id: session.user.id, permission });
}

describe(`${TARGET}: documents`, () => {
  test("creating answers 201 with the document, a random 128-bit id, JSON only", async () => {
    const response = await as(owner, "POST", "/api/documents", { title: "Notes", body: "<b>plain</b> text" });
    assert.equal(response.status, 201);
    assertSecurityHeaders(response, "/api/documents");
    assert.match(response.headers.get("content-type"), /^application\/json/);
    const doc = response.json;
    assert.match(doc.id, /^[0-9a-f]{32}$/);
    assert.equal(doc.owner_id, owner.user.id);
    assert.equal(doc.title, "Notes");
    assert.equal(doc.body, "<b>plain</b> text", "stored and returned as given, as JSON text");
    assert.match(doc.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(doc.created_at, doc.updated_at);
    const again = await createDocument(owner, "Notes");
    assert.notEqual(again.id, doc.id);
  });

  test("owner, writer, reader, stranger and admin each get what §6 says (printed)", async () => {
    const doc = await createDocument(owner, "Shared", "v1");
    await shareWith(doc, reader, "read");
    await shareWith(doc, writer, "write");
    const path = `/api/documents/${doc.id}`;
    const missing = "/api/documents/0123456789abcdef0123456789abcdef";
    const callers = { owner, writer, reader, "other user": stranger, admin, anonymous: null };
    const actions = [
      ["GET /api/documents/{id}", (s) => as(s, "GET", path)],
      ["PUT /api/documents/{id}", (s) => as(s, "PUT", path, { title: "Shared", body: "edited" })],
      ["POST /api/documents/{id}/shares", (s) => as(s, "POST", `${path}/shares`, { user_id: stranger.user.id, permission: "read" })],
      ["DELETE /api/documents/{id}/shares/{user_id}", (s) => as(s, "DELETE", `${path}/shares/${stranger.user.id}`)],
      ["GET missing id", (s) => as(s, "GET", missing)],
    ];
    const expected = {
      owner: [200, 200, 201, 204, 404],
      writer: [200, 200, 403, 403, 404],
      reader: [200, 403, 403, 403, 404],
      "other user": [404, 404, 404, 404, 404],
      admin: [200, 403, 403, 403, 404],
      anonymous: [401, 401, 401, 401, 401],
    };
    const rows = [];
    for (const [name, session] of Object.entries(callers)) {
      const statuses = [];
      for (const [, act] of actions) statuses.push((await act(session)).status);
      rows.push([name, ...statuses.map(String)]);
      assert.deepEqual(statuses, expected[name], name);
    }
    // DELETE last, by each caller (the owner's succeeds, so it goes at the end).
    const deleteRow = [];
    for (const [name, session] of Object.entries(callers)) {
      if (name === "owner") continue;
      deleteRow.push([name, (await as(session, "DELETE", path)).status]);
    }
    deleteRow.push(["owner", (await as(owner, "DELETE", path)).status]);
    assert.deepEqual(Object.fromEntries(deleteRow),
      { writer: 403, reader: 403, "other user": 404, admin: 403, anonymous: 401, owner: 204 });
    console.log(`\nObject-level rules (${TARGET}), status per caller:\n${markdownTable(
      ["caller", ...actions.map(([label]) => label), "DELETE /api/documents/{id}"],
      rows.map((row) => [...row, String(Object.fromEntries(deleteRow)[row[0]])]),
    )}\n`);
    for (const session of [owner, writer, reader, admin]) {
      assert.equal((await as(session, "GET", path)).status, 404, "gone for everyone");
    }
  });

  test("another user gets 404 exactly as for a missing document (isolation)", async () => {
    const doc = await createDocument(owner, "Private", "for my eyes");
    const theirs = await as(stranger, "GET", `/api/documents/${doc.id}`);
    const missing = await as(stranger, "GET", "/api/documents/0123456789abcdef0123456789abcdef");
    const malformed = await as(stranger, "GET", "/api/documents/..%2Fadmin");
    for (const response of [theirs, missing, malformed]) assertProblem(response, 404, "not_found");
    const strip = ({ request_id: _, ...rest }) => rest;
    assert.deepEqual(strip(theirs.json), strip(missing.json), "same body: existence is not revealed");
    const list = await as(stranger, "GET", "/api/documents");
    assert.ok(!list.json.documents.some((d) => d.id === doc.id));
    const put = await as(stranger, "PUT", `/api/documents/${doc.id}`, { title: "x", body: "y" });
    assertProblem(put, 404, "not_found");
    const still = await as(owner, "GET", `/api/documents/${doc.id}`);
    assert.equal(still.json.body, "for my eyes");
  });

  test("readers read, writers write, a revoked share is refused at the next request", async () => {
    const doc = await createDocument(owner, "Draft", "v1");
    await shareWith(doc, reader, "read");
    await shareWith(doc, writer, "write");
    const readerView = await as(reader, "GET", `/api/documents/${doc.id}`);
    assert.equal(readerView.status, 200);
    assert.equal(readerView.json.shares, undefined, "sharees do not see other sharees");
    assertProblem(await as(reader, "PUT", `/api/documents/${doc.id}`, { title: "x", body: "y" }), 403, "forbidden");
    const written = await as(writer, "PUT", `/api/documents/${doc.id}`, { title: "Draft", body: "v2 by writer" });
    assert.equal(written.status, 200, written.text);
    assert.equal((await as(reader, "GET", `/api/documents/${doc.id}`)).json.body, "v2 by writer");
    const ownerView = await as(owner, "GET", `/api/documents/${doc.id}`);
    assert.deepEqual(ownerView.json.shares.map((s) => s.permission).sort(), ["read", "write"]);

    const listed = await walk(server.url, reader, "/api/documents", "documents");
    assert.ok(listed.items.some((d) => d.id === doc.id), "shared-with-me is listed");

    const revoke = await as(owner, "DELETE", `/api/documents/${doc.id}/shares/${writer.user.id}`);
    assert.equal(revoke.status, 204);
    assertProblem(await as(writer, "PUT", `/api/documents/${doc.id}`, { title: "late", body: "late" }), 404, "not_found");
    assertProblem(await as(writer, "GET", `/api/documents/${doc.id}`), 404, "not_found");
    assertProblem(await as(owner, "DELETE", `/api/documents/${doc.id}/shares/${writer.user.id}`), 404, "not_found");
  });

  test("sharing with an unknown user id is 400; only the owner shares", async () => {
    const doc = await createDocument(owner);
    const unknown = await as(owner, "POST", `/api/documents/${doc.id}/shares`,
      { user_id: "0123456789abcdef0123456789abcdef", permission: "read" });
    assertProblem(unknown, 400, "invalid_request");
    assert.equal(unknown.json.detail, "user_id: no such user");
    assertProblem(await as(owner, "POST", `/api/documents/${doc.id}/shares`,
      { user_id: reader.user.id, permission: "owner" }), 400, "invalid_request");
    assertProblem(await as(owner, "POST", `/api/documents/${doc.id}/shares`,
      { user_id: owner.user.id, permission: "read" }), 400, "invalid_request");
  });

  test("bodies cannot set owner_id, id, roles or timestamps (mass assignment)", async () => {
    const doc = await createDocument(owner, "Mine", "m");
    for (const field of ["owner_id", "id", "created_at", "updated_at", "shares", "roles"]) {
      const created = await as(stranger, "POST", "/api/documents", { title: "t", body: "b", [field]: owner.user.id });
      assertProblem(created, 400, "invalid_request");
      assert.ok(!created.text.includes(owner.user.id), "the value is not echoed");
      const updated = await as(owner, "PUT", `/api/documents/${doc.id}`, { title: "t", body: "b", [field]: stranger.user.id });
      assertProblem(updated, 400, "invalid_request");
    }
    const roles = await as(stranger, "PUT", `/api/admin/users/${stranger.user.id}/roles`, { roles: ["user", "admin"] });
    assertProblem(roles, 403, "forbidden");
    assert.equal((await as(owner, "GET", `/api/documents/${doc.id}`)).json.owner_id, owner.user.id);
  });

  test("title and body lengths are limited; the 16 KiB envelope holds", async () => {
    const post = (title, body) => as(owner, "POST", "/api/documents", { title, body });
    assert.equal((await post("é".repeat(200), "b".repeat(10_000))).status, 201);
    assertProblem(await post("", "b"), 400, "invalid_request");
    assertProblem(await post("t".repeat(201), "b"), 400, "invalid_request");
    assertProblem(await post("t", "b".repeat(10_001)), 400, "invalid_request");
    assertProblem(await post("t", "b".repeat(17_000)), 413, "payload_too_large");
  });

  test("the listing pages own and shared documents newest first with an opaque cursor", async () => {
    const mine = [];
    for (let i = 0; i < 5; i++) mine.push((await createDocument(stranger, `s${i}`)).id);
    const { items, pages } = await walk(server.url, stranger, "/api/documents?limit=2", "documents");
    const ids = items.map((d) => d.id);
    assert.deepEqual(ids.slice(0, 5), [...mine].reverse());
    assert.equal(new Set(ids).size, ids.length, "no repeats");
    assert.ok(pages >= 3);
    const first = await as(stranger, "GET", "/api/documents?limit=1");
    const foreign = await as(reader, "GET", `/api/documents?cursor=${encodeURIComponent(first.json.next_cursor)}`);
    assertProblem(foreign, 400, "invalid_request");
    assertProblem(await as(stranger, "GET", "/api/documents?limit=51"), 400, "invalid_request");
  });

  test("an admin reads any document, audited with the admin as actor", async () => {
    const doc = await createDocument(owner, "Audited", "x");
    assert.equal((await as(admin, "GET", `/api/documents/${doc.id}`)).status, 200);
    const audit = await as(admin, "GET", `/api/admin/audit?event=document_read_by_admin&user_id=${owner.user.id}`);
    assert.equal(audit.status, 200, audit.text);
    const event = audit.json.events.find((e) => e.detail.document_id === doc.id);
    assert.ok(event, JSON.stringify(audit.json));
    assert.equal(event.actor_id, admin.user.id);
    assert.equal(event.subject_id, owner.user.id);
  });
});

describe(`${TARGET}: the gate`, () => {
  const ID = "0123456789abcdef0123456789abcdef";
  const PROTECTED = [
    ["GET", "/api/me"], ["DELETE", "/api/me"], ["GET", "/api/me/export"], ["GET", "/api/me/activity"],
    ["GET", "/api/me/consents"], ["PUT", "/api/me/consents"], ["POST", "/api/me/mfa/totp/setup"],
    ["POST", "/api/me/mfa/totp/confirm"], ["DELETE", "/api/me/mfa/totp"],
    ["GET", "/api/documents"], ["POST", "/api/documents"], ["GET", `/api/documents/${ID}`],
    ["PUT", `/api/documents/${ID}`], ["DELETE", `/api/documents/${ID}`], ["POST", `/api/documents/${ID}/shares`],
    ["DELETE", `/api/documents/${ID}/shares/${ID}`], ["GET", "/api/admin/users"],
    ["PUT", `/api/admin/users/${ID}/roles`], ["POST", `/api/admin/users/${ID}/disable`],
    ["POST", `/api/admin/users/${ID}/enable`], ["DELETE", `/api/admin/users/${ID}/sessions`],
    ["GET", "/api/admin/audit"], ["POST", "/api/admin/data-keys/sweep"], ["POST", "/api/admin/sessions/revoke-all"],
  ];

  test("every protected route is 401 without credentials, and with a forged token", async () => {
    for (const [method, path] of PROTECTED) {
      const response = await as(null, method, path, method === "GET" ? undefined : {});
      assertProblem(response, 401, "unauthenticated");
      assertSecurityHeaders(response, path);
      const forged = await call(server.url, { client: owner.client, auth: () => ({
        headers: { Authorization: "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0." }, cookies: false }) },
      method, path, method === "GET" ? undefined : {});
      assertProblem(forged, 401, "unauthenticated");
    }
    assert.equal((await as(null, "GET", "/api/health")).status, 200, "health stays public");
  });
});

// The Workers adapter keeps the last response's headers as a template and reuses it
// when only X-Request-Id differs (docs/benchmarks.md, levers): answers in a row, each
// with other headers, must each carry their own — nothing of the one before.
describe(`${TARGET}: answers in a row`, () => {
  test("each keeps its own headers and a fresh request id, whatever came before", async () => {
    const origin = "http://localhost:3000";
    const me = () => as(owner, "GET", "/api/me");
    const fromOrigin = () => owner.client.request("GET", "/api/me", owner.auth({ Origin: origin }));
    const missing = () => as(owner, "GET", "/api/unknown");
    const created = () => as(writer, "POST", "/api/documents", { title: "Row", body: "text" });
    const sequence = [me, me, fromOrigin, me, missing, me, created, me, fromOrigin, fromOrigin, missing, missing, me];
    const ids = new Set();
    for (const [index, send] of sequence.entries()) {
      const response = await send();
      const id = response.headers.get("x-request-id");
      assert.match(id ?? "", /^[0-9a-f]{32}$/, `answer ${index}: one request id`);
      ids.add(id);
      assertSecurityHeaders(response, "/api/me");
      const cors = response.headers.get("access-control-allow-origin");
      if (send === fromOrigin) {
        assert.equal(response.status, 200);
        assert.equal(cors, origin, `answer ${index}: the allowed origin echoed`);
      } else {
        assert.equal(cors, null, `answer ${index}: no CORS grant left over from another answer`);
      }
      if (send === missing) {
        assertProblem(response, 404, "not_found");
        assert.equal(response.json.request_id, id);
      } else {
        assert.match(response.headers.get("content-type"), /^application\/json/, `answer ${index}`);
        assert.equal(response.status, send === created ? 201 : 200, `answer ${index}: ${response.text}`);
      }
      if (send === me) assert.equal(response.json.id, owner.user.id);
    }
    assert.equal(ids.size, sequence.length, "every answer its own request id");
  });
});
