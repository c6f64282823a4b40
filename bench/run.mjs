#!/usr/bin/env node
// The benchmark (`bash bench/run.sh`, `cargo xtask bench`): builds what it measures, measures it side by
// side in one run on this machine, and writes docs/benchmarks.md + docs/benchmarks.svg.
//
//   1. argon2id (m=19456, t=2, p=1) per hash: the core in wasm inside workerd vs the
//      same code built natively;
//   2. EdDSA JWT sign and verify: the core in wasm in workerd vs native vs jose (npm)
//      in the same workerd;
//   3. HTTP, oha on loopback against `workerd serve` (no Miniflare): an empty Rust
//      Worker, the real api function's `GET /api/me` with a valid bearer token, and
//      Hono + jose doing the same work; req/s and p50;
//   4. each function's wasm size, raw and gzip (the files tests/budgets.test.mjs checks);
//   5. each function's startup: workerd start to first answered request.
//
// Times are medians over rounds that interleave the contenders (so load changes on a
// shared machine hit all of them alike), after an untimed warm-up (V8 tiers wasm up
// from Liftoff to TurboFan on hot functions). Nothing here runs in the test command.
//
// Options: --quick (fewer rounds, shorter load runs: a smoke run, not for the report),
//          --skip-build (use the existing builds), --out FILE (default docs/benchmarks.md),
//          --http-only (only the HTTP section, printed, no report: for trying a change),
//          --profile-api (with BENCH_INSPECTOR=host:port: a CPU profile of the api under
//          one load run after the warm-up, summarised by bench/profile.mjs and written to
//          bench/report/tmp/api.cpuprofile).

import { execFileSync, spawn } from "node:child_process";
import { createPrivateKey } from "node:crypto";
import { cpus, totalmem } from "node:os";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";

import { bindgen, FUNCTIONS } from "../tools/build.mjs";
import { readEnvFile } from "../tools/local.mjs";
import { freshStorageDir, killChildren, modulesOf, removeStorageDirs, startWorkerd, track, writeConfig } from "./workerd.mjs";
import { writeReport } from "./report.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const tmp = join(root, "bench/report/tmp");
const workerdBin = join(root, "node_modules/.bin/workerd");
const nativeBin = join(root, "bench/target/release/edgeauth-bench-native");
// The functions' Workers as tools/build.mjs writes them (another directory of the same
// layout with BENCH_FUNCTIONS_DIR, e.g. to compare builds; then pass --skip-build).
const functionsDir = resolve(root, process.env.BENCH_FUNCTIONS_DIR ?? "build/workers");

const argv = process.argv.slice(2);
const option = (name) => argv.includes(name);
const QUICK = option("--quick");
const outFile = resolve(root, argv.includes("--out") ? argv[argv.indexOf("--out") + 1] : "docs/benchmarks.md");

const ROUNDS = QUICK ? 3 : 11;
const HTTP_ROUNDS = QUICK ? 1 : 3;
const LOAD_SECONDS = QUICK ? 3 : 8;
const LOAD_CONNECTIONS = 16;
const STARTUP_ROUNDS = QUICK ? 2 : 5;
const PORT = Number(process.env.BENCH_PORT_BASE ?? 18700);
const MEASURE_LIMIT_S = 600;

const log = (...parts) => console.error("[bench]", ...parts);
const run = (command, args, options = {}) =>
  execFileSync(command, args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], ...options });
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

// ---------------------------------------------------------------------------------
// Load average, sampled through the whole run.
const loadSamples = [];
const sampleLoad = () => loadSamples.push(Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]));
sampleLoad();
const loadTimer = setInterval(sampleLoad, 5000);

// ---------------------------------------------------------------------------------
// The release profile of bench/ must be the functions' one.
function profileSections(text) {
  return text.split(/^(?=\[)/m).filter((section) => /^\[profile\.release[.\]]/.test(section))
    .map((section) => section.replace(/#.*$/gm, "").replace(/\s+/g, " ").trim()).sort().join("\n");
}
function checkProfilesMatch() {
  const rootProfile = profileSections(readFileSync(join(root, "Cargo.toml"), "utf8"));
  const benchProfile = profileSections(readFileSync(join(root, "bench/Cargo.toml"), "utf8"));
  if (rootProfile !== benchProfile) {
    throw new Error(`bench/Cargo.toml's [profile.release*] differs from the root Cargo.toml's:\n--- root\n${rootProfile}\n--- bench\n${benchProfile}`);
  }
}

// ---------------------------------------------------------------------------------
// Builds: the four functions exactly as the tests use them, the bench crates with the
// same profile and target flags, the JS workers bundled by esbuild.
async function buildAll() {
  const started = performance.now();
  if (!option("--skip-build")) {
    log("building the functions (node tools/build.mjs)");
    run(process.execPath, ["tools/build.mjs"], { stdio: ["ignore", "inherit", "inherit"] });
    log("building bench/ (native, wasm)");
    const cargo = (args) => run("cargo", args, { cwd: join(root, "bench"), stdio: ["ignore", "inherit", "inherit"] });
    cargo(["build", "--release", "-p", "edgeauth-bench-native"]);
    cargo(["build", "--release", "--target", "wasm32-unknown-unknown",
      "-p", "edgeauth-bench-empty-worker", "-p", "edgeauth-bench-micro-worker"]);
  }
  for (const name of ["empty-worker", "micro-worker"]) {
    const crate = `edgeauth_bench_${name.replace("-", "_")}`;
    bindgen(join(root, "bench/target/wasm32-unknown-unknown/release", `${crate}.wasm`), join(tmp, "workers", name));
  }
  const { build } = await import("esbuild");
  for (const name of ["hono-jose", "jose-micro", "kv-service"]) {
    await build({
      entryPoints: [join(root, "bench/workers", `${name}.mjs`)],
      outfile: join(tmp, "workers", name, "index.mjs"),
      bundle: true, format: "esm", platform: "neutral", target: "es2022",
      conditions: ["workerd", "worker", "browser"], mainFields: ["module", "main"], logLevel: "warning",
    });
  }
  mkdirSync(join(tmp, "workers/hello-js"), { recursive: true });
  writeFileSync(join(tmp, "workers/hello-js/index.mjs"), "export default { fetch() { return new Response(''); } };\n");
  return (performance.now() - started) / 1000;
}

// ---------------------------------------------------------------------------------
// Keys and configuration: the development configuration (its published dev keys).
const devVars = readEnvFile(join(root, "config/development.env"));
const [kid, seed] = devVars.JWT_SIGNING_KEYS.split(",")[0].split(":");
const privateJwk = createPrivateKey({
  key: Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), Buffer.from(seed, "base64url")]),
  format: "der", type: "pkcs8",
}).export({ format: "jwk" });
const publicJwk = { kty: privateJwk.kty, crv: privateJwk.crv, x: privateJwk.x };

const jsWorker = (name, bindings = []) => ({ name, modules: modulesOf(join(tmp, "workers", name), "index.mjs"), bindings });
const rustWorker = (name, dir, bindings = [], durableObjects = []) =>
  ({ name, modules: modulesOf(dir, "shim.mjs"), bindings, durableObjects });
const textBindings = (vars) => Object.entries(vars).map(([name, text]) => ({ name, text }));

// ---------------------------------------------------------------------------------
// 1 + 2: micro-benchmarks.
// `joseOp`: what jose runs in the same row. jose has no memory of verified tokens, so
// the repeated-token row compares our cached check with jose's full one: what each
// server spends on the token per request when a client reuses it.
const MICRO = [
  { op: "argon2-hash", n: 2, unit: "ms" },
  { op: "jwt-sign", n: 100, unit: "µs", joseOp: "jwt-sign" },
  { op: "jwt-verify", n: 200, unit: "µs", joseOp: "jwt-verify" },
  // The api's cold path on Workers: the signature by WebCrypto (the native column runs
  // the software verifier, its only one).
  { op: "jwt-verify-webcrypto", n: 200, unit: "µs", joseOp: "jwt-verify", nativeOp: "jwt-verify" },
  { op: "jwt-verify-cached", n: 4000, unit: "µs", joseOp: "jwt-verify", joseN: 200 },
];

async function microBenchmarks() {
  const origin = "http://127.0.0.1:8787";
  const config = writeConfig(tmp, "micro", {
    workers: [
      rustWorker("micro", join(tmp, "workers/micro-worker")),
      jsWorker("jose-micro", textBindings({ JWT_PRIVATE_JWK: JSON.stringify(privateJwk),
        JWT_PUBLIC_JWK: JSON.stringify(publicJwk), JWT_KID: kid, ORIGIN: origin })),
    ],
    sockets: [{ name: "micro", port: PORT, service: "micro" }, { name: "jose", port: PORT + 1, service: "jose-micro" }],
  });
  const server = await startWorkerd(workerdBin, config, [PORT, PORT + 1]);
  const native = nativeServer();
  const results = {};
  try {
    const viaHttp = async (port, op, n) => {
      const response = await fetch(`http://127.0.0.1:${port}/${op}?n=${n}`);
      if (!response.ok) throw new Error(`${op} on ${port}: ${response.status} ${await response.text()}`);
      return (await response.json()).ms;
    };
    for (const { op, n, unit, joseOp, joseN = n, nativeOp = op } of MICRO) {
      log(`micro ${op}: ${ROUNDS} rounds of ${n}`);
      // Each contender answers the milliseconds per operation.
      const contenders = {
        native: async () => (await native.time(nativeOp, n)) / n,
        wasm: async () => (await viaHttp(PORT, op, n)) / n,
        ...(joseOp ? { jose: async () => (await viaHttp(PORT + 1, joseOp, joseN)) / joseN } : {}),
      };
      // Warm-up (untimed): JIT tier-up in workerd, page cache for the native binary.
      for (const measure of Object.values(contenders)) await measure();
      const perOp = Object.fromEntries(Object.keys(contenders).map((name) => [name, []]));
      for (let round = 0; round < ROUNDS; round++) {
        for (const [name, measure] of Object.entries(contenders)) {
          const ms = await measure();
          perOp[name].push(unit === "ms" ? ms : ms * 1000);
        }
      }
      // Ratios per round (the contenders of one round ran under the same load), then
      // their median: steadier than the ratio of two medians on a shared machine.
      const paired = (a, b) => perOp[a] && perOp[b] ? median(perOp[a].map((value, i) => value / perOp[b][i])) : NaN;
      results[op] = { n, joseOp, joseN, unit, rounds: perOp,
        median: Object.fromEntries(Object.entries(perOp).map(([k, v]) => [k, median(v)])),
        pairedRatio: { wasmNative: paired("wasm", "native"), wasmJose: paired("wasm", "jose") } };
      log(`  ${JSON.stringify(results[op].median)}`);
    }
  } finally {
    await server.stop();
    native.stop();
  }
  return results;
}

/**
 * The native binary as a long-lived process (`serve`), like a Worker's isolate: the
 * allocator and caches reach the same steady state across rounds.
 */
function nativeServer() {
  const child = track(spawn(nativeBin, ["serve"], { stdio: ["pipe", "pipe", "inherit"] }));
  let buffered = "";
  const waiting = [];
  child.stdout.on("data", (chunk) => {
    buffered += chunk;
    let newline;
    while ((newline = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      waiting.shift()?.(line);
    }
  });
  return {
    time(op, n) {
      return new Promise((resolve, reject) => {
        waiting.push((line) => (line.startsWith("error") ? reject(new Error(line)) : resolve(Number(line))));
        child.stdin.write(`${op} ${n}\n`);
      });
    },
    stop() { child.stdin.end(); },
  };
}

// ---------------------------------------------------------------------------------
// 3: HTTP with oha.
//
// Not wrk (Debian's 4.1.0, used before 2026-12-04): its throughput agreed with the
// servers' own request counts, but its latencies did not add up. With one connection its
// mean latency times its request count came to 1.6 to 15 times the run's duration, which
// sequential requests cannot do, against workerd and a plain Node server alike; at 16
// connections its mean was 12 to 15 times what its own throughput allows by Little's law
// (16 / req/s), and its p99 (150-450 ms for every server, the empty Worker included) was
// the "tail" earlier reports showed. oha's figures hold: at 16 connections against the
// empty Worker, mean 0.94 ms against Little's 0.97 ms, p99 4.4 ms (bench/levers.md).
function parseOha(text) {
  const report = JSON.parse(text);
  const { summary, latencyPercentiles: latency } = report;
  const statuses = report.statusCodeDistribution ?? {};
  const requests = Object.values(statuses).reduce((sum, n) => sum + n, 0);
  const non2xx = Object.entries(statuses).filter(([status]) => !status.startsWith("2")).reduce((sum, [, n]) => sum + n, 0);
  // Requests that got no answer (a broken connection, a 5 s timeout). Those still in
  // flight at the deadline are awaited (`-w`), so none is cut off by the run's end.
  const errorList = Object.entries(report.errorDistribution ?? {});
  const socketErrors = errorList.reduce((sum, [, n]) => sum + n, 0);
  const errors = errorList.map(([what, n]) => `${n} × ${what}`).join(", ");
  if (!Number.isFinite(summary?.requestsPerSec) || !(requests > 0)) throw new Error(`unreadable oha output (or no request answered):\n${text.slice(0, 2000)}`);
  return { rps: summary.requestsPerSec, p50ms: latency.p50 * 1000, p99ms: latency.p99 * 1000, meanms: summary.average * 1000,
    non2xx, errors, socketErrors, requests };
}

/** One load run against `url`: `LOAD_CONNECTIONS` keep-alive connections on one client thread. */
function load(url, seconds, headers = {}) {
  sampleLoad(); // the 5 s timer cannot fire while oha runs synchronously
  const args = ["-c", String(LOAD_CONNECTIONS), "-z", `${seconds}s`, "-w", "-t", "5s", "--worker-threads", "1",
    "--no-tui", "--output-format", "json"];
  for (const [name, value] of Object.entries(headers)) args.push("-H", `${name}: ${value}`);
  const output = run("oha", [...args, url]);
  if (process.env.BENCH_DEBUG) log(output);
  return parseOha(output);
}

// A build to compare with in the same run (e.g. the parent commit's functions, built
// into another directory with the same layout): BENCH_BASELINE_DIR adds its api as
// "api (baseline)", with its own login and Durable Object namespace.
const baselineDir = process.env.BENCH_BASELINE_DIR ? resolve(root, process.env.BENCH_BASELINE_DIR) : undefined;
const REVOCATION_ROUNDS = QUICK ? 1 : 3;

async function httpBenchmarks() {
  const ports = { api: PORT + 10, login: PORT + 11, empty: PORT + 12, hono: PORT + 13, kv: PORT + 14,
    apiStrict: PORT + 15, refresh: PORT + 16, apiBase: PORT + 17, loginBase: PORT + 18, honoLogged: PORT + 19,
    apiErrorsLog: PORT + 21 };
  const origin = `http://127.0.0.1:${ports.api}`;
  const functionVars = {
    ...devVars,
    PUBLIC_ORIGIN: origin,
    // Log in right after registering (no mail round trip), and let oha's ~100k
    // requests through the per-user API limit: the counter still counts every request
    // (exactly in strict mode, in leased blocks in cached mode), it just never reaches
    // the limit.
    REQUIRE_EMAIL_VERIFICATION: "false",
    RATE_LIMIT_API_PER_USER: "4000000000/60",
    // One benchmark user plus one per revocation round and mode, all from 127.0.0.1:
    // more than the default 5 registrations an hour per address.
    RATE_LIMIT_REGISTER_PER_IP: "100/3600",
  };
  const strictVars = { ...functionVars, SESSION_CHECK: "strict" };
  const errorsLogVars = { ...functionVars, REQUEST_LOG: "errors" };
  const storage = [{ name: "EDGEAUTH_KV", kv: "kv-service" }];
  const hosted = { name: "ATOMIC", durableObject: { className: "AtomicShard", serviceName: "api" } };
  const baselineWorkers = baselineDir ? [
    rustWorker("api-base", join(baselineDir, "api"),
      [...textBindings(functionVars), ...storage, { name: "ATOMIC", durableObject: { className: "AtomicShard" } }],
      ["AtomicShard"]),
    rustWorker("login-base", join(baselineDir, "login"),
      [...textBindings(functionVars), ...storage, { name: "ATOMIC", durableObject: { className: "AtomicShard", serviceName: "api-base" } }]),
  ] : [];
  const config = writeConfig(tmp, "http", {
    workers: [
      jsWorker("kv-service"),
      rustWorker("api", join(functionsDir, "api"),
        [...textBindings(functionVars), ...storage, { name: "ATOMIC", durableObject: { className: "AtomicShard" } }],
        ["AtomicShard"]),
      // The same build with SESSION_CHECK=strict, on the same objects.
      rustWorker("api-strict", join(functionsDir, "api"), [...textBindings(strictVars), ...storage, hosted]),
      // The same build with REQUEST_LOG=errors: no request line for a 200.
      rustWorker("api-errors-log", join(functionsDir, "api"), [...textBindings(errorsLogVars), ...storage, hosted]),
      rustWorker("login", join(functionsDir, "login"), [...textBindings(functionVars), ...storage, hosted]),
      rustWorker("refresh", join(functionsDir, "refresh"), [...textBindings(functionVars), ...storage, hosted]),
      rustWorker("empty", join(tmp, "workers/empty-worker")),
      jsWorker("hono-jose", [{ name: "KV", kv: "kv-service" }, ...textBindings({ JWT_PUBLIC_JWK: JSON.stringify(publicJwk), ORIGIN: origin })]),
      // The same worker logging a request line per request, as the edgeauth functions do.
      { ...jsWorker("hono-jose", [{ name: "KV", kv: "kv-service" },
        ...textBindings({ JWT_PUBLIC_JWK: JSON.stringify(publicJwk), ORIGIN: origin, REQUEST_LINE: "1" })]), name: "hono-jose-logged" },
      ...baselineWorkers,
    ],
    storageDir: freshStorageDir("http"),
    sockets: [
      { name: "api", port: ports.api, service: "api" },
      { name: "apiStrict", port: ports.apiStrict, service: "api-strict" },
      { name: "apiErrorsLog", port: ports.apiErrorsLog, service: "api-errors-log" },
      { name: "login", port: ports.login, service: "login" },
      { name: "refresh", port: ports.refresh, service: "refresh" },
      { name: "empty", port: ports.empty, service: "empty" },
      { name: "hono", port: ports.hono, service: "hono-jose" },
      { name: "honoLogged", port: ports.honoLogged, service: "hono-jose-logged" },
      { name: "kv", port: ports.kv, service: "kv-service" },
      ...(baselineDir ? [{ name: "apiBase", port: ports.apiBase, service: "api-base" },
        { name: "loginBase", port: ports.loginBase, service: "login-base" }] : []),
    ],
  });
  const listening = Object.entries(ports).filter(([name]) => baselineDir || !name.endsWith("Base")).map(([, port]) => port);
  const server = await startWorkerd(workerdBin, config, listening);
  try {
    // Seed through the real functions: register, log in (token mode), read /api/me.
    const password = "correct horse battery staple 42";
    const post = (port, path, body, headers = {}) => fetch(`http://127.0.0.1:${port}${path}`, {
      method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
    const signIn = async (loginPort, email) => {
      const registered = await post(loginPort, "/auth/register", { email, password });
      if (registered.status !== 202) throw new Error(`register: ${registered.status} ${await registered.text()}`);
      const loggedIn = await post(loginPort, "/auth/login", { email, password, mode: "token" });
      if (loggedIn.status !== 200) throw new Error(`login: ${loggedIn.status} ${await loggedIn.text()}`);
      return (await loggedIn.json()).access_token;
    };
    const token = await signIn(ports.login, "bench-user@example.com");
    const auth = { Authorization: `Bearer ${token}` };
    const me = await fetch(`${origin}/api/me`, { headers: auth });
    if (me.status !== 200) throw new Error(`GET /api/me: ${me.status} ${await me.text()}`);
    const profile = await me.json();
    // The same user record for the Hono worker, in KV where it reads it.
    const put = await fetch(`http://127.0.0.1:${ports.kv}/${encodeURIComponent(`user/${profile.id}`)}?urlencoded=true`, {
      method: "PUT", body: JSON.stringify({ id: profile.id, email: profile.email, roles: profile.roles,
        email_verified: profile.email_verified, disabled: false }) });
    if (!put.ok) throw new Error(`KV seed: ${put.status}`);
    const baseAuth = baselineDir ? { Authorization: `Bearer ${await signIn(ports.loginBase, "bench-user@example.com")}` } : undefined;
    const urls = {
      empty: [`http://127.0.0.1:${ports.empty}/`, {}],
      api: [`${origin}/api/me${process.env.BENCH_QUERY ?? ""}`, auth],
      apiStrict: [`http://127.0.0.1:${ports.apiStrict}/api/me`, auth],
      apiErrorsLog: [`http://127.0.0.1:${ports.apiErrorsLog}/api/me`, auth],
      hono: [`http://127.0.0.1:${ports.hono}/api/me`, auth],
      honoLogged: [`http://127.0.0.1:${ports.honoLogged}/api/me`, auth],
      ...(baselineDir ? { apiBase: [`http://127.0.0.1:${ports.apiBase}/api/me`, baseAuth] } : {}),
    };
    for (const [name, [url, headers]] of Object.entries(urls)) {
      const answer = await fetch(url, { headers });
      if (answer.status !== 200) throw new Error(`${name} ${url}: ${answer.status} ${await answer.text()}`);
    }

    log("http warm-up");
    for (const [url, headers] of Object.values(urls)) load(url, 2, headers);
    if (option("--profile-api")) {
      const { profileDuring, summarise } = await import("./profile.mjs");
      const profile = await profileDuring(process.env.BENCH_INSPECTOR, "api", async () => load(urls.api[0], LOAD_SECONDS, urls.api[1]));
      writeFileSync(join(tmp, "api.cpuprofile"), JSON.stringify(profile));
      console.log(summarise(profile));
    }
    const runs = Object.fromEntries(Object.keys(urls).map((name) => [name, []]));
    for (let round = 0; round < HTTP_ROUNDS; round++) {
      for (const [name, [url, headers]] of Object.entries(urls)) {
        const result = load(url, LOAD_SECONDS, headers);
        log(`http ${name} round ${round + 1}: ${result.rps.toFixed(0)} req/s, p50 ${result.p50ms} ms, p99 ${result.p99ms} ms` +
          (result.errors ? `, ${result.errors}` : ""));
        if (result.non2xx > 0) {
          throw new Error(`${name}: ${result.non2xx} non-2xx responses; the figures would not be of the route`);
        }
        // Socket errors (no answer, or none within the 5 s timeout) are part of what
        // a server does under this load: counted and reported, not hidden by a rerun.
        runs[name].push(result);
      }
    }
    const revocation = await revocationTimes(ports, post, signIn);
    const perRound = (a, b, field = "rps") => median(runs[a].map((run, i) => run[field] / runs[b][i][field]));
    return {
      connections: LOAD_CONNECTIONS, seconds: LOAD_SECONDS, rounds: HTTP_ROUNDS, runs, revocation,
      baseline: baselineDir ? relative(root, baselineDir) : undefined,
      median: Object.fromEntries(Object.entries(runs).map(([name, list]) =>
        [name, { rps: median(list.map((r) => r.rps)), p50ms: median(list.map((r) => r.p50ms)),
          p99ms: median(list.map((r) => r.p99ms)), meanms: median(list.map((r) => r.meanms)), socketErrors: list.reduce((sum, r) => sum + (r.socketErrors ?? 0), 0),
          requests: list.reduce((sum, r) => sum + r.requests, 0) }])),
      // req/s and p99 ratios per round (the servers of a round ran back to back), median.
      pairedRatio: {
        apiHono: perRound("api", "hono"),
        apiStrictHono: perRound("apiStrict", "hono"),
        apiEmpty: perRound("api", "empty"),
        apiStrictEmpty: perRound("apiStrict", "empty"),
        apiErrorsLogEmpty: perRound("apiErrorsLog", "empty"),
        apiErrorsLogHono: perRound("apiErrorsLog", "hono"),
        apiErrorsLogHonoP99: perRound("apiErrorsLog", "hono", "p99ms"),
        honoEmpty: perRound("hono", "empty"),
        honoLoggedEmpty: perRound("honoLogged", "empty"),
        apiHonoLogged: perRound("api", "honoLogged"),
        apiHonoLoggedP99: perRound("api", "honoLogged", "p99ms"),
        apiHonoP99: perRound("api", "hono", "p99ms"),
        apiStrictHonoP99: perRound("apiStrict", "hono", "p99ms"),
        ...(baselineDir ? { apiBaseHono: perRound("apiBase", "hono"), apiBaseEmpty: perRound("apiBase", "empty"),
          apiBaseHonoP99: perRound("apiBase", "hono", "p99ms") } : {}),
      },
    };
  } finally {
    await server.stop();
  }
}

/**
 * The revocation bound on this setup: a fresh session's token is read through `GET
 * /api/me` until the api isolate holds a check of it, the session is logged out through
 * the `refresh` Worker (another isolate, as in production), and `GET /api/me` is polled
 * every 20 ms until it refuses. Per mode and round, from the logout's answer: `accepted`,
 * to the start of the last request still answered 200 (what the bound is about: no
 * request started more than 5 s after the revocation is accepted), and `refused`, to
 * the start of the first one refused (the former plus the poll's interval and one
 * request), as tests/revocation.test.mjs measures them on every function and runtime.
 */
async function revocationTimes(ports, post, signIn) {
  const result = {};
  for (const [mode, port] of [["cached", ports.api], ["strict", ports.apiStrict]]) {
    result[mode] = [];
    for (let round = 0; round < REVOCATION_ROUNDS; round++) {
      const token = await signIn(ports.login, `revoked-${mode}-${round}@example.com`);
      const headers = { Authorization: `Bearer ${token}` };
      for (let i = 0; i < 3; i++) {
        const warm = await fetch(`http://127.0.0.1:${port}/api/me`, { headers });
        if (warm.status !== 200) throw new Error(`revocation warm-up: ${warm.status}`);
      }
      const logout = await post(ports.refresh, "/auth/session/logout", {}, headers);
      if (logout.status !== 204) throw new Error(`logout: ${logout.status} ${await logout.text()}`);
      const since = performance.now();
      let accepted = 0;
      for (;;) {
        const sent = performance.now();
        const answer = await fetch(`http://127.0.0.1:${port}/api/me`, { headers });
        await answer.arrayBuffer();
        if (answer.status === 401) { result[mode].push({ accepted, refused: sent - since }); break; }
        if (answer.status !== 200) throw new Error(`${mode}: ${answer.status} while polling`);
        accepted = sent - since;
        if (accepted > 30_000) throw new Error(`${mode}: still accepted 30 s after the logout`);
        await sleep(20);
      }
    }
    log(`revocation ${mode}: ${result[mode].map((t) => `accepted ${t.accepted.toFixed(0)} / refused ${t.refused.toFixed(0)}`).join(", ")} ms`);
  }
  return result;
}

// ---------------------------------------------------------------------------------
// 4: sizes (the files the budget test checks).
function sizes() {
  const measure = (file) => {
    const bytes = readFileSync(file);
    return { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  };
  return {
    functions: Object.fromEntries(FUNCTIONS.map((name) => [name, measure(join(functionsDir, name, "index_bg.wasm"))])),
    // The floor: workers-rs and wasm-bindgen glue with nothing of edgeauth in it.
    empty: measure(join(tmp, "workers/empty-worker/index_bg.wasm")),
  };
}

// ---------------------------------------------------------------------------------
// 5: startup — from spawning workerd with one worker to that worker's first answer.
// workerd compiles the wasm and evaluates the modules (instantiating the wasm) before
// it listens, so this is process start + compile + instantiate + first request. A JS
// hello-world worker in the same setup is the baseline (workerd's own start).
const PROBES = {
  api: ["/api/health", 200], login: ["/auth/login", 405], reset: ["/auth/password/forgot", 405],
  refresh: ["/.well-known/jwks.json", 200], pages: ["/sign-in", 200],
  oauth: ["/.well-known/openid-configuration", 200],
  "empty Rust worker": ["/", 200], "JS hello world": ["/", 200],
};

async function timeStartup(configFile, port, [path, status]) {
  const started = performance.now();
  const child = track(spawn(workerdBin, ["serve", configFile, "--experimental"], { stdio: ["ignore", "ignore", "pipe"] }));
  let stderr = "";
  child.stderr.on("data", (chunk) => { stderr += chunk; });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`workerd exited: ${stderr}`);
      if (performance.now() - started > 30_000) throw new Error(`no answer on ${port}: ${stderr}`);
      try {
        const response = await fetch(`http://127.0.0.1:${port}${path}`);
        await response.arrayBuffer();
        if (response.status !== status) throw new Error(`${path}: ${response.status}, expected ${status}`);
        return performance.now() - started;
      } catch (error) {
        if (error.message.includes("expected")) throw error;
        await sleep(1);
      }
    }
  } finally {
    child.kill("SIGKILL");
    await new Promise((resolve) => child.exitCode !== null ? resolve() : child.once("exit", resolve));
  }
}

async function startup() {
  const port = PORT + 20;
  const vars = textBindings({ ...devVars, PUBLIC_ORIGIN: `http://127.0.0.1:${port}` });
  const configs = {};
  for (const name of FUNCTIONS) {
    // Storage bindings as deployed; the probes touch no storage.
    const objects = name === "api" ? ["AtomicShard"] : [];
    const atomic = name === "api" ? { className: "AtomicShard" } : { className: "AtomicShard", serviceName: "api-host" };
    const workers = [jsWorker("kv-service"),
      rustWorker(name, join(functionsDir, name), [...vars, { name: "EDGEAUTH_KV", kv: "kv-service" },
        { name: "ATOMIC", durableObject: atomic }], objects)];
    if (name !== "api") {
      // The Durable Object class lives in the api script; a stand-in JS class keeps
      // the binding valid without loading the api wasm into this measurement.
      mkdirSync(join(tmp, "workers/do-host"), { recursive: true });
      writeFileSync(join(tmp, "workers/do-host/index.mjs"),
        "import { DurableObject } from 'cloudflare:workers';\nexport class AtomicShard extends DurableObject {}\nexport default { fetch() { return new Response(''); } };\n");
      workers.push({ name: "api-host", modules: modulesOf(join(tmp, "workers/do-host"), "index.mjs"), durableObjects: ["AtomicShard"] });
    }
    configs[name] = writeConfig(tmp, `startup-${name}`, {
      workers, sockets: [{ name: "http", port, service: name }], storageDir: freshStorageDir(`startup-${name}`) });
  }
  configs["empty Rust worker"] = writeConfig(tmp, "startup-empty", {
    workers: [rustWorker("empty", join(tmp, "workers/empty-worker"))], sockets: [{ name: "http", port, service: "empty" }] });
  configs["JS hello world"] = writeConfig(tmp, "startup-hello", {
    workers: [jsWorker("hello-js")], sockets: [{ name: "http", port, service: "hello-js" }] });
  const runs = Object.fromEntries(Object.keys(configs).map((name) => [name, []]));
  for (let round = 0; round < STARTUP_ROUNDS + 1; round++) {
    for (const [name, file] of Object.entries(configs)) {
      const ms = await timeStartup(file, port, PROBES[name]);
      if (round > 0) runs[name].push(ms); // round 0 warms the page cache
    }
  }
  const medians = Object.fromEntries(Object.entries(runs).map(([name, list]) => [name, median(list)]));
  log(`startup ${JSON.stringify(medians)}`);
  return { rounds: STARTUP_ROUNDS, runs, median: medians };
}

// ---------------------------------------------------------------------------------
function machine() {
  const cpuModel = /model name\s*:\s*(.*)/.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? cpus()[0]?.model;
  const version = (command, args) => {
    try { return run(command, args, { stdio: ["ignore", "pipe", "pipe"] }).trim().split("\n")[0]; } catch { return "unknown"; }
  };
  const pkg = (name) => JSON.parse(readFileSync(join(root, "node_modules", name, "package.json"), "utf8")).version;
  return {
    nproc: Number(run("nproc", []).trim()),
    cpu: cpuModel,
    memoryGiB: totalmem() / 2 ** 30,
    kernel: version("uname", ["-sr"]),
    versions: {
      rustc: version("rustc", ["--version"]),
      "wasm-bindgen": version(process.env.WASM_BINDGEN_BIN || "wasm-bindgen", ["--version"]),
      workerd: `${version(workerdBin, ["--version"])} (npm workerd ${pkg("workerd")})`,
      node: process.version,
      jose: pkg("jose"),
      hono: pkg("hono"),
      oha: version("oha", ["--version"]),
    },
  };
}

async function main() {
  const startedAt = new Date();
  const started = performance.now();
  checkProfilesMatch();
  mkdirSync(tmp, { recursive: true });
  for (const bin of [workerdBin]) if (!existsSync(bin)) throw new Error(`${bin} missing: run npm ci`);
  const buildSeconds = await buildAll();
  sampleLoad();
  // The measuring is bounded: a run that takes longer than this is measuring a machine
  // too busy to report on (or hangs), and is abandoned rather than reported.
  const watchdog = setTimeout(() => {
    console.error(`[bench] measuring took over ${MEASURE_LIMIT_S} s: abandoned, nothing written`);
    killChildren();
    removeStorageDirs();
    process.exit(2);
  }, MEASURE_LIMIT_S * 1000);
  const measureStarted = performance.now();
  const loadAtStart = loadSamples.length;
  if (option("--http-only")) {
    const http = await httpBenchmarks();
    clearTimeout(watchdog);
    clearInterval(loadTimer);
    console.log(JSON.stringify({ median: http.median, pairedRatio: http.pairedRatio, revocation: http.revocation }, null, 2));
    return;
  }
  const micro = await microBenchmarks();
  const http = await httpBenchmarks();
  const size = sizes();
  const start = await startup();
  sampleLoad();
  clearInterval(loadTimer);
  clearTimeout(watchdog);
  const load = loadSamples.slice(loadAtStart - 1);
  const report = {
    startedAt: startedAt.toISOString(),
    command: `bash bench/run.sh${QUICK ? " --quick" : ""}`,
    quick: QUICK,
    machine: machine(),
    load: { min: Math.min(...load), median: median(load), max: Math.max(...load), samples: load.length },
    buildSeconds,
    measureSeconds: (performance.now() - measureStarted) / 1000,
    totalSeconds: (performance.now() - started) / 1000,
    rounds: ROUNDS,
    micro, http, size, startup: start,
  };
  writeFileSync(join(tmp, "results.json"), JSON.stringify(report, null, 2));
  writeReport(report, outFile);
  log(`wrote ${relative(root, outFile)} (measured in ${report.measureSeconds.toFixed(0)} s)`);
}

main().finally(() => { killChildren(); removeStorageDirs(); }).catch((error) => {
  clearInterval(loadTimer);
  console.error(error);
  process.exit(1);
});
