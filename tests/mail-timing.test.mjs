// Account enumeration by timing (docs/abuse.md §4, docs/spin.md §5): with a slow mail
// provider, a forgot-password request for a known, enabled account — the only kind
// that gets a mail — must not answer measurably later than one for an unknown address.
// Mail leaves after the response on both runtimes: `waitUntil` on Workers, a task
// spawned before the handler returns on Spin (the instance runs until it exits).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { configWith, start } from "./harness/target.mjs";
import { startMailSink } from "./harness/mail.mjs";
import { Client } from "./harness/http.mjs";
import { registerAndVerify, strongPassword, uniqueEmail } from "./harness/flows.mjs";

const SINK_DELAY_MS = 500;
const ROUNDS = 8;

let sink;
let server;
before(async () => {
  sink = await startMailSink({ delayMs: SINK_DELAY_MS });
  // Generous limits, so that every request of the test is answered in full (over the
  // per-address mail cap a known address gets no mail, which would hide the signal).
  server = await start({ vars: configWith({ ...sink.vars(), RATE_LIMIT_FORGOT_PER_IP: "1000/3600" }) });
});
after(async () => {
  await server?.stop();
  await sink?.close();
});

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function timedForgot(email) {
  const client = new Client(server.url);
  const started = performance.now();
  const response = await client.post("/auth/password/forgot", { email });
  const elapsed = performance.now() - started;
  assert.equal(response.status, 202, response.text);
  return elapsed;
}

test("a known account's forgot-password answers as fast as an unknown address's, however slow the mail provider", async () => {
  const known = uniqueEmail("timing-known");
  await registerAndVerify(new Client(server.url), known, strongPassword(), sink);
  await timedForgot(uniqueEmail("warm-up"));
  const times = { known: [], unknown: [] };
  for (let round = 0; round < ROUNDS; round++) {
    times.known.push(await timedForgot(known));
    times.unknown.push(await timedForgot(uniqueEmail("timing-unknown")));
  }
  const [knownMedian, unknownMedian] = [median(times.known), median(times.unknown)];
  console.log(`forgot-password with a ${SINK_DELAY_MS} ms mail provider (${server.target}): median known ${knownMedian.toFixed(1)} ms, unknown ${unknownMedian.toFixed(1)} ms`);
  // Before the fix (Spin mailing inline) the known median included the provider's
  // 500 ms; the band below leaves room for noise on a busy machine, not for a mail.
  assert.ok(knownMedian < SINK_DELAY_MS / 2, `known ${knownMedian.toFixed(1)} ms`);
  assert.ok(knownMedian / unknownMedian < 2.5, `known ${knownMedian.toFixed(1)} ms vs unknown ${unknownMedian.toFixed(1)} ms`);
  // And the mails did leave, after the responses.
  for (let round = 0; round < ROUNDS; round++) {
    await sink.waitForMail(known, (mail) => /reset/i.test(mail.subject), { timeoutMs: 20_000 });
  }
});
