// Security notices to the account's owner (docs/monitoring.md, "User notices"), on both
// runtimes, through the mail sink:
// - a sign-in from a new device gets a notice with time, device and approximate
//   location, and a "this wasn't me" link with its token in the fragment;
// - where the runtime gives a country (Workers: request.cf.country, set locally with
//   Miniflare's cf blob header) a new country is news; a client cannot claim one;
// - a password change and turning MFA off get their notices;
// - the link's JSON route, POST /auth/security/not-me {token}, revokes every session,
//   locks the password, mails a reset link, and works once; the sessions are refused by
//   the api within the revocation bound (docs/sessions.md §5: a read may reuse a session
//   check of the last 5 s under the default SESSION_CHECK=cached).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { configWith, start, TARGET } from "./harness/target.mjs";
import { Client } from "./harness/http.mjs";
import { assertRefusedWithinBound } from "./harness/assertions.mjs";
import { fragmentToken, linksIn, startMailSink } from "./harness/mail.mjs";
import { attemptLogin, login, newSession, strongPassword, uniqueEmail } from "./harness/flows.mjs";
import { TotpClock, base32Decode } from "./harness/totp.mjs";

const FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
const IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
const NOT_ME_PATH = "/security-alert";

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

/** Miniflare takes a request's `cf` object from this header (Workers only). */
function fromCountry(country) {
  return { "MF-CF-Blob": JSON.stringify({ country }) };
}

/** A verified account signed in once from a Firefox client (so that device is known). */
async function account(label) {
  const email = uniqueEmail(label);
  const password = strongPassword();
  const laptop = new Client(server.url, { headers: { "User-Agent": FIREFOX } });
  const session = await newSession(server.url, sink, { mode: "token", email, password });
  // newSession signed in from node's own agent; sign in from the laptop as well.
  await login(laptop, email, password, "token");
  await sink.expectNoMoreMail(email, 200).catch(() => {});
  sink.mailsTo(email).forEach((mail) => sink.taken.add(mail));
  return { email, password, session, laptop };
}

test(`${TARGET}: a sign-in from a new device mails a notice with when, what, where and a not-me link`, async () => {
  const { email, password } = await account("device");
  const phone = new Client(server.url, { headers: { "User-Agent": IPHONE } });
  await login(phone, email, password, "token");
  const notice = await sink.waitForMail(email, (m) => m.subject === "New sign-in to your account");
  console.log(`--- ${TARGET}: new-device notice\n${notice.text}`);
  assert.match(notice.text, /When: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/);
  assert.match(notice.text, /Device: Safari on iOS/);
  // Workers: the country (Miniflare's default cf object says US); Spin: the stored prefix.
  if (TARGET === "workers") assert.match(notice.text, /Location: US \(country/);
  else assert.match(notice.text, /Location: network 198\.51\.\d+\.0\/24/, "the stored prefix, never the address");
  const token = fragmentToken(notice.text, NOT_ME_PATH);
  assert.ok(token.length >= 43);
  for (const link of linksIn(notice.text)) assert.equal(new URL(link).search, "", "no query string");
  // The same device again: no news.
  await login(phone, email, password, "token");
  await sink.expectNoMoreMail(email, 300);
});

test(`${TARGET}: a new country is news where the runtime gives one, and a client cannot claim one`, async () => {
  const { email, password } = await account("country");
  const laptop = new Client(server.url, { headers: { "User-Agent": FIREFOX } });
  // A client's own copy of the internal country header is dropped on both runtimes.
  const forged = await attemptLogin(laptop, email, password, "token", { headers: { "x-edgeauth-country": "KP" } });
  assert.equal(forged.status, 200);
  if (TARGET === "workers") {
    // Known so far: US (Miniflare's default). The same device from Brazil is news, once.
    await login(laptop, email, password, "token", { headers: fromCountry("BR") });
    const notice = await sink.waitForMail(email, (m) => m.subject === "New sign-in to your account");
    assert.match(notice.text, /Location: BR \(country/);
    assert.match(notice.text, /Device: Firefox on Linux/);
    await login(laptop, email, password, "token", { headers: fromCountry("BR") });
    await sink.expectNoMoreMail(email, 300);
  } else {
    // Spin gives no country: nothing to compare, no notice, and a forged one is not believed.
    await sink.expectNoMoreMail(email, 300);
  }
});

test(`${TARGET}: a password change and turning MFA off mail notices with a not-me link`, async () => {
  const { email, password, session } = await account("change");
  const setup = await session.client.post("/api/me/mfa/totp/setup", undefined, session.auth());
  assert.equal(setup.status, 200, setup.text);
  const clock = new TotpClock(base32Decode(setup.json.secret));
  const confirm = await session.client.post("/api/me/mfa/totp/confirm", { code: (await clock.next()).code }, session.auth());
  assert.equal(confirm.status, 200, confirm.text);
  const off = await session.client.request("DELETE", "/api/me/mfa/totp", { ...session.auth(), json: { password } });
  assert.equal(off.status, 204, off.text);
  const mfaNotice = await sink.waitForMail(email, (m) => /turned off/i.test(m.subject));
  assert.ok(fragmentToken(mfaNotice.text, NOT_ME_PATH));
  const changed = await session.client.post("/auth/password/change",
    { current_password: password, new_password: strongPassword() }, session.auth());
  assert.equal(changed.status, 200, changed.text);
  const changeNotice = await sink.waitForMail(email, (m) => m.subject === "Your password was changed");
  assert.match(changeNotice.text, /Device: /);
  assert.match(changeNotice.text, /Location: /);
  assert.ok(fragmentToken(changeNotice.text, NOT_ME_PATH));
});

test(`${TARGET}: "this wasn't me" revokes every session, locks the password, mails a reset, once`, async () => {
  const { email, password, session, laptop } = await account("notme");
  const phone = new Client(server.url, { headers: { "User-Agent": IPHONE } });
  const phoneSession = await login(phone, email, password, "token");
  const notice = await sink.waitForMail(email, (m) => m.subject === "New sign-in to your account");
  const token = fragmentToken(notice.text, NOT_ME_PATH);
  assert.equal((await phone.get("/api/me", phoneSession.auth())).status, 200);

  const anyone = new Client(server.url);
  const secured = await anyone.post("/auth/security/not-me", { token });
  assert.equal(secured.status, 200, secured.text);
  assert.equal(secured.json.status, "secured");
  assert.ok(secured.json.sessions_revoked >= 3, `${secured.json.sessions_revoked} sessions revoked`);
  for (const [client, s] of [[session.client, session], [phone, phoneSession]]) {
    await assertRefusedWithinBound(() => client.get("/api/me", s.auth()));
  }
  const relogin = await attemptLogin(laptop, email, password, "token");
  assert.equal(relogin.status, 401, "the password is locked until a reset");
  const reset = await sink.waitForMail(email, (m) => /reset your password/i.test(m.subject));
  const resetToken = fragmentToken(reset.text, "/reset-password");
  const newPassword = strongPassword();
  const done = await anyone.post("/auth/password/reset", { token: resetToken, password: newPassword });
  assert.equal(done.status, 200, done.text);
  assert.equal((await attemptLogin(laptop, email, newPassword, "token")).status, 200);

  const again = await anyone.post("/auth/security/not-me", { token });
  assert.equal(again.status, 400, "single use");
  assert.equal(again.json.code, "invalid_request");
  const forged = await anyone.post("/auth/security/not-me", { token: "A".repeat(43) });
  assert.equal(forged.status, 400);
});
