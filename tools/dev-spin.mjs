#!/usr/bin/env node
// Serves the four Spin components on http://127.0.0.1:8787 with the local Spin host
// (tools/spin-host), the development config passed as SPIN_VARIABLE_* and the
// key-value store persisted in .edgeauth/spin/kv.sqlite.
//
// Mail: with MAIL_TRANSPORT=http, spin.toml's `mail_origin` variable (the only host the
// components may reach) is set to MAIL_HTTP_URL's origin, so a local endpoint such as
// http://127.0.0.1:9000/send works without editing the manifest.
//
// Client address: as on Spin, the components see the socket's peer address
// (spin-client-addr). To act as many clients from one machine, name a request header
// the host should take the address from instead, development only:
//   EDGEAUTH_DEV_CLIENT_ADDR_HEADER=CF-Connecting-IP bash tools/dev.sh --spin

import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { developmentVars, mailOrigin, monitoringOrigins } from "./local.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const port = Number(process.env.PORT ?? 8787);
const vars = developmentVars();
const env = { ...process.env };
for (const [name, value] of Object.entries(vars)) env[`SPIN_VARIABLE_${name}`] = value;

if (vars.MAIL_TRANSPORT === "http" && !env.SPIN_VARIABLE_MAIL_ORIGIN) {
  const origin = mailOrigin(vars.MAIL_HTTP_URL);
  if (origin) {
    env.SPIN_VARIABLE_MAIL_ORIGIN = origin;
    console.error(`mail: MAIL_TRANSPORT=http to ${origin} (spin.toml mail_origin)`);
  } else {
    console.error("warning: MAIL_TRANSPORT=http but MAIL_HTTP_URL is not an http(s) URL: "
      + "the functions answer 503 and no mail is sent");
  }
}

// Webhooks and error reports may go to their configured receivers (webhook_origin,
// sentry_origin), unless set explicitly.
for (const [name, value] of Object.entries(monitoringOrigins(vars))) {
  env[`SPIN_VARIABLE_${name.toUpperCase()}`] ??= value;
}

const args = ["--manifest", join(root, "spin.toml"), "--listen", `127.0.0.1:${port}`,
  "--kv-db", join(root, ".edgeauth/spin/kv.sqlite"), "--compile-cache", join(root, ".edgeauth/wasmtime-cache")];
if (process.env.EDGEAUTH_DEV_CLIENT_ADDR_HEADER) {
  args.push("--client-addr-from-header", process.env.EDGEAUTH_DEV_CLIENT_ADDR_HEADER);
}
mkdirSync(join(root, ".edgeauth/spin"), { recursive: true });
const host = join(root, "tools/spin-host/target/release/edgeauth-spin-host");
const child = spawn(host, args, { env, stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code) => process.exit(code ?? 0));
