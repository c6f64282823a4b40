// Mail to a local HTTP endpoint on Spin with the committed spin.toml: its
// allowed_outbound_hosts is the `mail_origin` variable (beside `webhook_origin` and
// `sentry_origin`, docs/monitoring.md), which tools/dev-spin.mjs (and
// this harness) set from MAIL_HTTP_URL, so `MAIL_HTTP_URL=http://127.0.0.1:PORT/send
// bash tools/dev.sh --spin` delivers without editing the manifest. A mail the
// manifest does not let out is logged with its cause and what to set.
// Spin only: Workers have no outbound allow-list.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { configWith, start, TARGET } from "./harness/target.mjs";
import { startMailSink } from "./harness/mail.mjs";
import { Client } from "./harness/http.mjs";
import { register, registerAndVerify, strongPassword, uniqueEmail } from "./harness/flows.mjs";

const skip = TARGET !== "spin" && "allowed_outbound_hosts is Spin's";
const root = join(dirname(fileURLToPath(import.meta.url)), "..");

let sink;
before(async () => { if (!skip) sink = await startMailSink(); });
after(async () => { await sink?.close(); });

// Each component's allow-list, as the hosts it names (a list may span several lines).
function outboundLists(manifest) {
  const lists = {};
  for (const [, component, body] of manifest.matchAll(/^\[component\.([a-z-]+)\]$([\s\S]*?)(?=^\[)/gm)) {
    const list = /^allowed_outbound_hosts = \[([\s\S]*?)\]$/m.exec(body);
    if (list) lists[component] = [...list[1].matchAll(/"([^"]*)"/g)].map((m) => m[1]);
  }
  return lists;
}

test("spin: the committed manifest admits only the mail, webhook and Sentry origin variables (login also its sign-in providers, oauth no mail)", { skip }, () => {
  const manifest = readFileSync(join(root, "spin.toml"), "utf8");
  const lists = outboundLists(manifest);
  const monitoring = ["{{ mail_origin }}", "{{ webhook_origin }}", "{{ sentry_origin }}"];
  for (const [component, hosts] of Object.entries(lists)) {
    // The OAuth provider sends no mail: webhooks and error reports only.
    if (component === "oauth") { assert.deepEqual(hosts, monitoring.slice(1), component); continue; }
    assert.deepEqual(hosts.slice(0, 3), monitoring, component);
    if (component !== "login") assert.deepEqual(hosts, monitoring, component);
  }
  // Social sign-in: the presets' fixed https hosts and the templated provider origins.
  for (const host of lists.login.slice(3)) assert.match(host, /^(https:\/\/[a-z0-9.-]+|\{\{ oauth_[a-z_]+_origin \}\})$/);
  assert.ok(Object.keys(lists).length >= 4, Object.keys(lists).join());
  for (const name of ["mail_origin", "webhook_origin", "sentry_origin"]) {
    assert.match(manifest, new RegExp(`^${name} = \\{ default = "https://\\*:443" \\}$`, "m"));
  }
});

test("spin: mail reaches a local HTTP sink with the manifest unchanged", { skip }, async () => {
  const server = await start({ vars: configWith(sink.vars()) });
  try {
    const email = uniqueEmail("spin-mail");
    await registerAndVerify(new Client(server.url), email, strongPassword(), sink);
    assert.equal(sink.refused.unauthorized + sink.refused.malformed + sink.refused.other, 0);
  } finally {
    await server.stop();
  }
});

test("spin: a mail the manifest does not let out is logged as outbound_denied", { skip }, async () => {
  const server = await start({ vars: configWith(sink.vars()), spin: { mailOrigin: null } });
  try {
    const email = uniqueEmail("denied");
    assert.equal((await register(new Client(server.url), email, strongPassword())).status, 202);
    const denied = server.logs().find((line) => line.includes('"kind":"mail_failed"'));
    assert.ok(denied, server.logs().join("\n"));
    assert.match(denied, /"cause":"outbound_denied"/);
    assert.match(denied, /mail_origin/);
    assert.ok(!sink.mails.some((mail) => mail.to === email), "nothing reached the sink");
  } finally {
    await server.stop();
  }
});
