// docs/contract.md §3, §7 and issue 4 on the built functions: per-email lockout under a parallel
// burst (and the same answers for an unknown email), per-address limits on login,
// register and forgot, the per-user API limit, the per-address refresh limit, the
// per-isolate hashing gate, and login timing for known and unknown emails.
//
// The burst counts and the timing medians are printed for the resolution note.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { configWith, start, TARGET } from "./harness/target.mjs";
import { Client } from "./harness/http.mjs";
import { assertProblem } from "./harness/assertions.mjs";
import { startMailSink } from "./harness/mail.mjs";
import {
  attemptLogin, login, register, registerAndVerify, strongPassword, uniqueEmail, withoutRequestId,
} from "./harness/flows.mjs";

let sink;
let server;
before(async () => {
  sink = await startMailSink();
  server = await start({ vars: configWith({ ...sink.vars() }) });
});
after(async () => {
  await server?.stop();
  await sink?.close();
});

/** A verified account on a fresh client: `{email, password}`. */
async function account(base = server.url, mailSink = sink) {
  const email = uniqueEmail("abuse");
  const password = strongPassword();
  await registerAndVerify(new Client(base), email, password, mailSink);
  return { email, password };
}

const retryAfter = (response) => Number(response.headers.get("retry-after"));

// Parallel requests each get a connection of their own (`Connection: close`): a burst
// must not reuse pooled sockets that the server may be closing as idle meanwhile.
const FRESH_CONNECTION = { headers: { Connection: "close" } };

/** `n` wrong-password logins at once on `email`, each from its own client address. */
async function burst(email, n = 30) {
  return Promise.all(Array.from({ length: n },
    () => attemptLogin(new Client(server.url), email, strongPassword(), "token", FRESH_CONNECTION)));
}

function tally(responses) {
  const counts = {};
  for (const { status } of responses) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}

describe("per-email lockout", () => {
  let known;
  let knownBurst;
  let knownAfter;

  test("a parallel burst of 30 wrong passwords lets at most 5 (+1) through as 401; the rest and the right password get 429", async () => {
    known = await account();
    knownBurst = await burst(known.email);
    const counts = tally(knownBurst);
    console.log(`# burst on a known account: ${JSON.stringify(counts)} (30 parallel wrong-password logins, 30 client addresses)`);
    assert.ok((counts[401] ?? 0) >= 1 && (counts[401] ?? 0) <= 6, `401s: ${counts[401]}`);
    assert.equal((counts[401] ?? 0) + (counts[429] ?? 0), 30, JSON.stringify(counts));
    for (const response of knownBurst) {
      if (response.status === 401) assertProblem(response, 401, "invalid_credentials");
      else {
        assertProblem(response, 429, "rate_limited");
        assert.ok(retryAfter(response) >= 1 && retryAfter(response) <= 900, `Retry-After ${retryAfter(response)}`);
      }
    }
    knownAfter = await attemptLogin(new Client(server.url), known.email, known.password, "token");
    assertProblem(knownAfter, 429, "rate_limited");
    const retry = retryAfter(knownAfter);
    console.log(`# right password after the burst: ${knownAfter.status}, Retry-After ${retry}`);
    assert.ok(retry > 800 && retry <= 900, `the 15-minute lock: ${retry}`);
    assert.deepEqual(knownAfter.setCookies, []);
  });

  test("the owner of the locked account gets one notice mail", async () => {
    const notice = await sink.waitForMail(known.email, (mail) => /paused/i.test(mail.subject));
    assert.ok(!notice.text.includes("#token="));
    await sink.expectNoMoreMail(known.email, 300);
  });

  test("the same burst on an unknown email gives the same statuses and identical bodies", async () => {
    const unknown = uniqueEmail("nobody");
    const unknownBurst = await burst(unknown);
    const counts = tally(unknownBurst);
    console.log(`# burst on an unknown email: ${JSON.stringify(counts)}`);
    assert.deepEqual(counts, tally(knownBurst));
    for (const status of [401, 429]) {
      const a = knownBurst.find((r) => r.status === status);
      const b = unknownBurst.find((r) => r.status === status);
      assert.deepEqual(withoutRequestId(b.json), withoutRequestId(a.json), `status ${status}`);
      assert.equal(b.text.replace(/"request_id":"[0-9a-f]+"/, ""), a.text.replace(/"request_id":"[0-9a-f]+"/, ""),
        `byte-identical ${status} bodies apart from request_id`);
    }
    const unknownAfter = await attemptLogin(new Client(server.url), unknown, strongPassword(), "token");
    assertProblem(unknownAfter, 429, "rate_limited");
    assert.equal(unknownAfter.text.replace(/"request_id":"[0-9a-f]+"/, ""), knownAfter.text.replace(/"request_id":"[0-9a-f]+"/, ""));
    assert.ok(retryAfter(unknownAfter) > 800 && retryAfter(unknownAfter) <= 900, `${retryAfter(unknownAfter)}`);
    await sink.expectNoMoreMail(unknown, 300);
  });
});

describe("per-address limits", () => {
  test("the 21st login from one address within a minute gets 429", async () => {
    const client = new Client(server.url);
    const statuses = [];
    let last;
    for (let i = 0; i < 21; i++) {
      last = await attemptLogin(client, uniqueEmail("ip"), strongPassword(), "token");
      statuses.push(last.status);
    }
    console.log(`# 21 logins from one address: ${statuses.join(",")}`);
    assert.deepEqual(statuses.slice(0, 20), Array(20).fill(401));
    assertProblem(last, 429, "rate_limited");
    assert.ok(retryAfter(last) >= 1 && retryAfter(last) <= 120, `${retryAfter(last)}`);
    // Another address is unaffected.
    assert.equal((await attemptLogin(new Client(server.url), uniqueEmail("ip"), strongPassword(), "token")).status, 401);
  });

  test("a flood of forgot-password requests from one client ends in 429", async () => {
    const client = new Client(server.url);
    const statuses = [];
    let last;
    for (let i = 0; i < 8; i++) {
      last = await client.post("/auth/password/forgot", { email: uniqueEmail("flood") });
      statuses.push(last.status);
    }
    console.log(`# 8 forgot requests from one client: ${statuses.join(",")}`);
    assert.deepEqual(statuses.slice(0, 5), Array(5).fill(202));
    assert.deepEqual(statuses.slice(5), [429, 429, 429]);
    assertProblem(last, 429, "rate_limited");
    assert.ok(retryAfter(last) > 60 && retryAfter(last) <= 7200, `${retryAfter(last)}`);
  });

  test("the 6th registration from one address within an hour gets 429", async () => {
    const client = new Client(server.url);
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await register(client, uniqueEmail("reg"), strongPassword())).status);
    assert.deepEqual(statuses, [202, 202, 202, 202, 202, 429]);
  });

  test("an address without a readable client IP is counted under one shared key", async () => {
    // The local servers pass CF-Connecting-IP through; a garbage value is unparseable.
    const statuses = [];
    for (let i = 0; i < 6; i++) {
      const client = new Client(server.url, { ip: `not-an-ip-${i}` });
      statuses.push((await client.post("/auth/password/forgot", { email: uniqueEmail("noip") })).status);
    }
    assert.deepEqual(statuses, [202, 202, 202, 202, 202, 429]);
  });
});

describe("the per-isolate hashing gate", () => {
  test("a parallel flood of logins for many emails is shed fast, never with an error", async () => {
    const responses = await Promise.all(Array.from({ length: 40 },
      () => attemptLogin(new Client(server.url), uniqueEmail("flood"), strongPassword(), "token", FRESH_CONNECTION)));
    const counts = tally(responses);
    console.log(`# 40 parallel logins on 40 emails: ${JSON.stringify(counts)}`);
    for (const response of responses) {
      if (response.status === 429) {
        assertProblem(response, 429, "rate_limited");
        assert.equal(response.headers.get("retry-after"), "1");
      } else assertProblem(response, 401, "invalid_credentials");
    }
    // Platform difference (docs/abuse.md): a Workers isolate serves these requests
    // concurrently and sheds beyond its bound; Spin runs each request in its own instance.
    if (TARGET === "workers") assert.ok((counts[429] ?? 0) >= 1, "the isolate shed some of the flood");
  });
});

describe("per-user API and per-address refresh limits", () => {
  let small;
  let smallSink;
  before(async () => {
    smallSink = await startMailSink();
    small = await start({ vars: configWith({ ...smallSink.vars(), RATE_LIMIT_API_PER_USER: "5/60", RATE_LIMIT_REFRESH_PER_IP: "3/60" }) });
  });
  after(async () => {
    await small?.stop();
    await smallSink?.close();
  });

  test("the 6th API request of a user within the window gets 429; another user is unaffected", async () => {
    const alice = await account(small.url, smallSink);
    const bob = await account(small.url, smallSink);
    const aliceSession = await login(new Client(small.url), alice.email, alice.password, "token");
    const bobSession = await login(new Client(small.url), bob.email, bob.password, "token");
    const statuses = [];
    let last;
    for (let i = 0; i < 6; i++) {
      // A fresh client address each time: the limit is the user's, not the address's.
      last = await new Client(small.url).get("/api/me", aliceSession.auth());
      statuses.push(last.status);
    }
    console.log(`# 6 API requests by one user (limit 5/60): ${statuses.join(",")}`);
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429]);
    assertProblem(last, 429, "rate_limited");
    assert.ok(retryAfter(last) >= 1 && retryAfter(last) <= 120);
    assert.equal((await new Client(small.url).get("/api/me", bobSession.auth())).status, 200);
    assert.equal((await new Client(small.url).get("/api/health")).status, 200, "public routes are not counted");
  });

  test("the 4th refresh from one address (limit 3/60) gets 429", async () => {
    const carol = await account(small.url, smallSink);
    const session = await login(new Client(small.url), carol.email, carol.password, "token");
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await session.refresh()).status);
    assert.deepEqual(statuses, [200, 200, 200, 429]);
  });
});

describe("timing", () => {
  let relaxed;
  let relaxedSink;
  before(async () => {
    relaxedSink = await startMailSink();
    // Limits out of the way: this measures the password path, not the limiter.
    relaxed = await start({ vars: configWith({ ...relaxedSink.vars(), LOCKOUT_FAILURES: "100/900", RATE_LIMIT_LOGIN_PER_IP: "1000/60" }) });
  });
  after(async () => {
    await relaxed?.stop();
    await relaxedSink?.close();
  });

  test("median login time for a known and an unknown email is within 2x", async () => {
    const victim = await account(relaxed.url, relaxedSink);
    const client = new Client(relaxed.url);
    const time = async (email) => {
      const t0 = process.hrtime.bigint();
      const response = await attemptLogin(client, email, strongPassword(), "token");
      assertProblem(response, 401, "invalid_credentials");
      return Number(process.hrtime.bigint() - t0) / 1e6;
    };
    for (let i = 0; i < 3; i++) { await time(victim.email); await time(uniqueEmail("warm")); }
    const knownMs = [];
    const unknownMs = [];
    for (let i = 0; i < 15; i++) {
      knownMs.push(await time(victim.email));
      unknownMs.push(await time(uniqueEmail("timing")));
    }
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const [k, u] = [median(knownMs), median(unknownMs)];
    console.log(`# login timing (15 each, wrong password): known median ${k.toFixed(1)} ms, unknown median ${u.toFixed(1)} ms, ratio ${(k / u).toFixed(2)}`);
    assert.ok(k / u < 2 && u / k < 2, `known ${k.toFixed(1)} ms vs unknown ${u.toFixed(1)} ms`);
  });
});
