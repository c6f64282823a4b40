#!/usr/bin/env node
// Backup and restore of the KV namespace EDGEAUTH_KV through wrangler (runbook:
// docs/runbooks/restore-from-backup.md). Uses only `wrangler kv key list`,
// `wrangler kv bulk get` and `wrangler kv bulk put`, so it needs an API token with
// Workers KV Storage (Read for backup, Edit for restore) and nothing else.
//
//   node docs/runbooks/kv-backup.mjs backup  --env production DIR
//   node docs/runbooks/kv-backup.mjs restore --env production DIR [--prefix audit/] [--dry-run]
//
// Extra wrangler flags (e.g. `--local --persist-to .edgeauth/state` for a rehearsal
// against the local server's state) pass through after `--`.
//
// The backup holds personal data and ciphertexts: write DIR to encrypted storage with
// access control, and delete backups older than your retention period.

import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const BATCH = 100; // keys per bulk call (the KV bulk API's limit per request)
const args = process.argv.slice(2);
const split = args.indexOf("--");
const own = split === -1 ? args : args.slice(0, split);
const passthrough = split === -1 ? [] : args.slice(split + 1);
const command = own[0];
const option = (name) => {
  const at = own.indexOf(name);
  return at === -1 ? undefined : own[at + 1];
};
const env = option("--env");
const prefix = option("--prefix");
const dryRun = own.includes("--dry-run");
const dir = own.filter((arg, i) => i > 0 && !arg.startsWith("--") && !["--env", "--prefix"].includes(own[i - 1])).pop();
if (!["backup", "restore"].includes(command) || !dir) {
  console.error("usage: kv-backup.mjs backup|restore [--env ENV] [--prefix P] [--dry-run] DIR [-- wrangler flags]");
  process.exit(2);
}

const location = passthrough.includes("--local") ? [] : ["--remote"];
function wrangler(...rest) {
  const flags = ["--binding", "EDGEAUTH_KV", ...(env ? ["--env", env] : []), ...location, ...passthrough];
  return execFileSync("npx", ["wrangler", "kv", ...rest, ...flags], {
    encoding: "utf8",
    maxBuffer: 1 << 30,
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", WRANGLER_HIDE_BANNER: "true" },
  });
}
const json = (text) => JSON.parse(text.slice(Math.min(...["[", "{"].map((c) => (text.indexOf(c) + 1 || Infinity) - 1))));

if (command === "backup") {
  mkdirSync(dir, { recursive: true });
  const keys = json(wrangler("key", "list", ...(prefix ? ["--prefix", prefix] : [])));
  const values = {};
  for (let i = 0; i < keys.length; i += BATCH) {
    const file = join(dir, ".names.json");
    writeFileSync(file, JSON.stringify(keys.slice(i, i + BATCH).map((key) => key.name)));
    Object.assign(values, json(wrangler("bulk", "get", file)));
  }
  const entries = keys.map((key) => ({
    key: key.name,
    value: values[key.name]?.value ?? null,
    ...(key.expiration ? { expiration: key.expiration } : {}),
  }));
  writeFileSync(join(dir, "kv.json"), JSON.stringify({ taken_at: new Date().toISOString(), env: env ?? null, entries }, null, 1));
  const missing = entries.filter((entry) => entry.value === null).length;
  console.log(`backup: ${entries.length} keys written to ${join(dir, "kv.json")}${missing ? `, ${missing} vanished while copying` : ""}`);
} else {
  const { entries, taken_at } = JSON.parse(readFileSync(join(dir, "kv.json"), "utf8"));
  const now = Math.floor(Date.now() / 1000);
  // Expired entries stay expired (audit retention, one-time tokens); `null` values were
  // deleted while the backup ran.
  const live = entries.filter(
    (entry) => entry.value !== null && (!entry.expiration || entry.expiration > now + 60) && (!prefix || entry.key.startsWith(prefix)),
  );
  console.log(`restore: ${live.length} of ${entries.length} keys from the backup of ${taken_at}${dryRun ? " (dry run)" : ""}`);
  if (dryRun) process.exit(0);
  for (let i = 0; i < live.length; i += BATCH) {
    const file = join(dir, ".restore.json");
    writeFileSync(file, JSON.stringify(live.slice(i, i + BATCH)));
    wrangler("bulk", "put", file);
  }
  console.log("restore: done");
}
