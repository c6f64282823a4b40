#!/usr/bin/env node
// `wrangler deploy --dry-run` for every function and environment: proves each
// wrangler config resolves its bindings, routes, Durable Object and build.
// Runs from the repository root (wrangler resolves build.cwd against it).

import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const configs = { api: "wrangler.toml", login: "functions/login/wrangler.toml",
  reset: "functions/reset/wrangler.toml", refresh: "functions/refresh/wrangler.toml",
  pages: "functions/pages/wrangler.toml", oauth: "functions/oauth/wrangler.toml",
  example: "examples/protected-app/wrangler.toml" };
/** Workers whose config binds no store (pages, the example app): no KV namespace, no Durable Object. */
const STORELESS = ["pages", "example"];
const wrangler = join(root, "node_modules/wrangler/bin/wrangler.js");
let failures = 0;
for (const env of ["staging", "production"]) {
  for (const [name, config] of Object.entries(configs)) {
    const outdir = mkdtempSync(join(tmpdir(), `dry-${name}-`));
    try {
      const out = execFileSync(process.execPath, [wrangler, "deploy", "--dry-run", "--env", env, "-c", config,
        "--outdir", outdir], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, WRANGLER_SEND_METRICS: "false", WRANGLER_HIDE_BANNER: "true",
          CLOUDFLARE_CF_FETCH_ENABLED: "false", DO_NOT_TRACK: "1",
          // Reuse the test command's one release build (tools/build.mjs).
          EDGEAUTH_PREBUILT: process.env.EDGEAUTH_PREBUILT ?? "1" } });
      const stores = /env\.ATOMIC/.test(out) && /env\.EDGEAUTH_KV/.test(out);
      const ok = /--dry-run: exiting now/.test(out) && (STORELESS.includes(name) ? !stores : stores);
      console.log(`${ok ? "ok  " : "FAIL"} wrangler deploy --dry-run --env ${env} -c ${config}`);
      if (!ok) { failures++; console.log(out); }
    } catch (error) {
      failures++;
      console.log(`FAIL wrangler deploy --dry-run --env ${env} -c ${config}\n${error.stdout ?? ""}${error.stderr ?? ""}`);
    }
  }
}
const total = 2 * Object.keys(configs).length;
console.log(`deploy dry-run: ${total - failures} passed, ${failures} failed`);
process.exit(failures ? 1 : 0);
