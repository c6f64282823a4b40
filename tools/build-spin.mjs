#!/usr/bin/env node
// Builds the six functions as Spin components: `cargo build --release --target
// wasm32-wasip2` yields components directly (spin-sdk 7 is WASIp3), at the paths
// spin.toml names, and the example component that protects its own routes with
// edgeauth (examples/guard-spin). `--with-test-workers` adds the test-only contract
// component.

import { execFileSync } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const packages = ["edgeauth-fn-login", "edgeauth-fn-reset", "edgeauth-fn-refresh", "edgeauth-fn-api", "edgeauth-fn-pages", "edgeauth-fn-oauth",
  "edgeauth-example-guard-spin"];
if (process.argv.includes("--with-test-workers")) packages.push("edgeauth-contract-worker");
execFileSync("cargo", ["build", "--release", "--target", "wasm32-wasip2", ...packages.flatMap((p) => ["-p", p])],
  { stdio: "inherit", cwd: root });
console.log("built target/wasm32-wasip2/release/edgeauth_fn_{login,reset,refresh,api,pages,oauth}.wasm, edgeauth_example_guard_spin.wasm");
