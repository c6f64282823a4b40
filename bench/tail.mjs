#!/usr/bin/env node
// The p99 tail of `GET /api/me`, taken apart (bench/levers.md, "The tail"): not part of
// the report; run by hand on a quiet machine after `bash bench/run.sh` built everything.
//
//   node bench/tail.mjs [--seconds 10] [--connections 16]
//
// One `workerd serve` process (the benchmark's setup: bench/workerd.mjs) serves the api
// three ways — the current build with SESSION_CHECK=cached and =strict, and, with
// BENCH_BASELINE_DIR, an older build — plus `GET /api/health` (no store at all). Each is
// loaded by wrk twice: every connection with one user's token (one hot user: all
// requests meet at that user's two Durable Objects), then with 16 users' tokens
// rotated per request by a wrk Lua script (the same load spread over 32 objects). If the
// tail comes from requests queueing at one object, it shrinks with 16 users.
//
// Its latency columns are wrk's, which do not add up on this machine (bench/levers.md,
// "The p99 tail was the load generator's"): read its req/s, not its percentiles.

import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { readEnvFile } from "../tools/local.mjs";
import { freshStorageDir, killChildren, modulesOf, removeStorageDirs, startWorkerd, writeConfig } from "./workerd.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const tmp = join(root, "bench/report/tmp");
const argv = process.argv.slice(2);
const arg = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
const SECONDS = Number(arg("--seconds", 10));
const CONNECTIONS = Number(arg("--connections", 16));
const USERS = 16;
const PORT = Number(process.env.BENCH_PORT_BASE ?? 18800);
const baseline = process.env.BENCH_BASELINE_DIR ? resolve(root, process.env.BENCH_BASELINE_DIR) : undefined;
const functionsDir = join(root, "build/workers");

const devVars = readEnvFile(join(root, "config/development.env"));
const origin = `http://127.0.0.1:${PORT}`;
const vars = { ...devVars, PUBLIC_ORIGIN: origin, REQUIRE_EMAIL_VERIFICATION: "false", RATE_LIMIT_API_PER_USER: "4000000000/60",
  // 16 users registered and signed in from one address.
  RATE_LIMIT_REGISTER_PER_IP: "1000/60", RATE_LIMIT_LOGIN_PER_IP: "1000/60" };
const text = (v) => Object.entries(v).map(([name, value]) => ({ name, text: value }));
const rust = (name, dir, bindings, durableObjects = []) => ({ name, modules: modulesOf(dir, "shim.mjs"), bindings, durableObjects });
const kv = [{ name: "EDGEAUTH_KV", kv: "kv-service" }];
const hosted = (service) => ({ name: "ATOMIC", durableObject: { className: "AtomicShard", serviceName: service } });
const own = { name: "ATOMIC", durableObject: { className: "AtomicShard" } };

function wrkRun(url, tokens) {
  const script = join(tmp, "tail.lua");
  writeFileSync(script, `tokens = {${tokens.map((t) => `"${t}"`).join(",")}}
i = 0
request = function()
  i = i + 1
  return wrk.format("GET", nil, { ["Authorization"] = "Bearer " .. tokens[(i % #tokens) + 1] })
end
`);
  const out = execFileSync("wrk", ["-t1", `-c${CONNECTIONS}`, `-d${SECONDS}s`, "--latency", "--timeout", "5s", "-s", script, url],
    { encoding: "utf8" });
  const ms = (re) => {
    const m = re.exec(out);
    return m ? Number(m[1]) * { us: 0.001, ms: 1, s: 1000 }[m[2]] : NaN;
  };
  const errors = /Socket errors:.*$/m.exec(out)?.[0] ?? "";
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]),
    p50: ms(/^\s+50%\s+([\d.]+)(us|ms|s)/m), p99: ms(/^\s+99%\s+([\d.]+)(us|ms|s)/m),
    max: ms(/Latency\s+\S+\s+\S+\s+([\d.]+)(us|ms|s)/m),
    errors: [...errors.matchAll(/(\d+)/g)].reduce((s, [n]) => s + Number(n), 0),
    non2xx: Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0),
  };
}

async function main() {
  mkdirSync(tmp, { recursive: true });
  const ports = { api: PORT, strict: PORT + 1, login: PORT + 2, base: PORT + 3, baseLogin: PORT + 4 };
  const config = writeConfig(tmp, "tail", {
    workers: [
      { name: "kv-service", modules: modulesOf(join(tmp, "workers/kv-service"), "index.mjs") },
      rust("api", join(functionsDir, "api"), [...text(vars), ...kv, own], ["AtomicShard"]),
      rust("api-strict", join(functionsDir, "api"), [...text({ ...vars, SESSION_CHECK: "strict" }), ...kv, hosted("api")]),
      rust("login", join(functionsDir, "login"), [...text(vars), ...kv, hosted("api")]),
      ...(baseline ? [rust("api-base", join(baseline, "api"), [...text(vars), ...kv, own], ["AtomicShard"]),
        rust("login-base", join(baseline, "login"), [...text(vars), ...kv, hosted("api-base")])] : []),
    ],
    storageDir: freshStorageDir("tail"),
    sockets: [
      { name: "api", port: ports.api, service: "api" }, { name: "strict", port: ports.strict, service: "api-strict" },
      { name: "login", port: ports.login, service: "login" },
      ...(baseline ? [{ name: "base", port: ports.base, service: "api-base" }, { name: "baseLogin", port: ports.baseLogin, service: "login-base" }] : []),
    ],
  });
  const server = await startWorkerd(join(root, "node_modules/.bin/workerd"), config,
    baseline ? Object.values(ports) : [ports.api, ports.strict, ports.login]);
  try {
    const signIn = async (loginPort, email) => {
      const post = (path, body) => fetch(`http://127.0.0.1:${loginPort}${path}`, {
        method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      const password = "correct horse battery staple 42";
      await post("/auth/register", { email, password });
      const answer = await post("/auth/login", { email, password, mode: "token" });
      if (answer.status !== 200) throw new Error(`login ${answer.status} ${await answer.text()}`);
      return (await answer.json()).access_token;
    };
    const tokens = [];
    for (let i = 0; i < USERS; i++) tokens.push(await signIn(ports.login, `tail-${i}@example.com`));
    const baseTokens = [];
    if (baseline) for (let i = 0; i < USERS; i++) baseTokens.push(await signIn(ports.baseLogin, `tail-${i}@example.com`));
    const targets = [
      ["GET /api/health (no store)", `http://127.0.0.1:${ports.api}/api/health`, tokens],
      ["cached", `http://127.0.0.1:${ports.api}/api/me`, tokens],
      ["strict", `http://127.0.0.1:${ports.strict}/api/me`, tokens],
      ...(baseline ? [["baseline build", `http://127.0.0.1:${ports.base}/api/me`, baseTokens]] : []),
    ];
    const rows = [];
    for (const [name, url, list] of targets) {
      wrkRun(url, list.slice(0, 1)); // warm-up
      for (const users of [1, USERS]) {
        const r = wrkRun(url, list.slice(0, users));
        rows.push(`| ${name} | ${users} | ${r.rps.toFixed(0)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(1)} | ${r.max.toFixed(0)} | ${r.errors} | ${r.non2xx} |`);
        console.error(rows.at(-1));
      }
    }
    const load = execFileSync("cat", ["/proc/loadavg"], { encoding: "utf8" }).split(" ")[0];
    console.log(`wrk -t1 -c${CONNECTIONS} -d${SECONDS}s, load ${load}\n`);
    console.log("| api | users | req/s | p50 (ms) | p99 (ms) | max (ms) | socket errors | non-2xx |\n|---|---|---|---|---|---|---|---|");
    console.log(rows.join("\n"));
  } finally {
    await server.stop();
  }
}

main().finally(() => { killChildren(); removeStorageDirs(); }).catch((error) => { console.error(error); process.exit(1); });
