#!/usr/bin/env node
// Serves the four Spin components on http://127.0.0.1:8787 with the local Spin host
// (tools/spin-host), the development config passed as SPIN_VARIABLE_* and the
// key-value store persisted in .edgeauth/spin/kv.sqlite.

import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { developmentVars } from "./local.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const port = Number(process.env.PORT ?? 8787);
const env = { ...process.env };
for (const [name, value] of Object.entries(developmentVars())) env[`SPIN_VARIABLE_${name}`] = value;
mkdirSync(join(root, ".edgeauth/spin"), { recursive: true });
const host = join(root, "tools/spin-host/target/release/edgeauth-spin-host");
const child = spawn(host, ["--manifest", join(root, "spin.toml"), "--listen", `127.0.0.1:${port}`,
  "--kv-db", join(root, ".edgeauth/spin/kv.sqlite")], { env, stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code) => process.exit(code ?? 0));
