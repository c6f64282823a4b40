#!/usr/bin/env node
// CPU time per request of the routes of the six functions, against the Workers
// plans' CPU limits (Free: 10 ms; Paid: `[limits] cpu_ms`). Writes the table into the
// README's deploy section (between the cpu-budget markers) and the cost model of the
// config doctor (tools/doctor/cpu-model.toml); prints both.
//
//   node tools/cpu-budget.mjs [--quick] [--skip-build] [--no-write]
//
// How (tools/cpu-budget/processes.mjs has the details): each function runs alone in
// its own `workerd serve` process, storage in another; every request is sent on its
// own to an idle server, and the CPU each process used for it is read from Linux
// before and after (nanosecond `schedstat`; wall time under load is not CPU time).
// The functions are the release build of tools/build.mjs, configured as in
// development except for high rate limits (the same code path; the runs would trip
// them) and mail to a local sink. Nothing here runs in the test command.

import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { developmentVars } from "./local.mjs";
import { freshStorageDir, killChildren, removeStorageDirs, startWorkerd, writeConfig, modulesOf } from "../bench/workerd.mjs";
import { startMailSink } from "../tests/harness/mail.mjs";
import { uniqueEmail } from "../tests/harness/flows.mjs";
import { cpuNs, HELLO_SOURCE, settle, startFunction, startStorage, statMs } from "./cpu-budget/processes.mjs";
import { COLD, HASHING, LAST, OTHERS, PAGES, PROVIDER, UNMEASURED } from "./cpu-budget/scenarios.mjs";
import { budgets, fitLine, mibPasses, modelToml, readmeSection, stats, writeBetweenMarkers } from "./cpu-budget/report.mjs";
import { World } from "./cpu-budget/world.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const argv = process.argv.slice(2);
const QUICK = argv.includes("--quick");
const SAMPLES = QUICK ? 4 : 15;
const HASH_SAMPLES = QUICK ? 3 : 10;
const WARMUP = 2;
const COLD_SAMPLES = QUICK ? 2 : 5;
const PORT = Number(process.env.CPU_BUDGET_PORT_BASE ?? 18900);
const FUNCTIONS = ["login", "reset", "refresh", "api", "pages", "oauth"];
// argon2id settings measured for the hashing routes: the default (OWASP's first
// row), the other OWASP minimum rows at both ends (least memory, one pass) and a
// stronger setting, so the fitted line spans what deployments use.
const DEFAULTS = { memoryKib: 19456, iterations: 2 };
const SETTINGS = [DEFAULTS, { memoryKib: 7168, iterations: 5 }, { memoryKib: 47104, iterations: 1 },
  { memoryKib: 65536, iterations: 3 }];

const SOCIAL = { OAUTH_PROVIDERS: "github", OAUTH_GITHUB_CLIENT_ID: "cpu-budget-client",
  OAUTH_GITHUB_CLIENT_SECRET: "cpu-budget-not-a-secret" }; // pragma: allowlist secret

const log = (...parts) => console.error("[cpu-budget]", ...parts);
const workerdBin = join(root, "node_modules/.bin/workerd");
const tmp = join(root, ".edgeauth/cpu-budget");
const ms = (ns) => ns / 1e6;
/** CPU ms between two `cpuNs` readings, per thread set. */
const delta = (a, b) => ({ main: ms(b.main - a.main), all: ms(b.all - a.all) });
const minus = (a, b) => ({ main: a.main - b.main, all: a.all - b.all });
/** Statistics of `{main, all}` samples: `{main: stats, all: stats}`. */
const statsOf = (samples) => ({ main: stats(samples.map((s) => s.main)), all: stats(samples.map((s) => s.all)) });

const loadSamples = [];
const sampleLoad = () => loadSamples.push(Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]));

function prepareTmp() {
  rmSync(tmp, { recursive: true, force: true });
  for (const dir of ["kv", "gateway", "hello"]) mkdirSync(join(tmp, dir), { recursive: true });
  copyFileSync(join(root, "bench/workers/kv-service.mjs"), join(tmp, "kv/kv-service.mjs"));
  copyFileSync(join(root, "tools/cpu-budget/atomic-gateway.mjs"), join(tmp, "gateway/atomic-gateway.mjs"));
  writeFileSync(join(tmp, "hello/hello.mjs"), HELLO_SOURCE);
}

const ports = {
  storage: { kv: PORT, gateway: PORT + 1 },
  login: PORT + 10, reset: PORT + 12, refresh: PORT + 14, api: PORT + 16, pages: PORT + 18, oauth: PORT + 20,
  hello: { login: PORT + 11, reset: PORT + 13, refresh: PORT + 15, api: PORT + 17, pages: PORT + 19, oauth: PORT + 21 },
};

class Bench {
  constructor(sink) {
    this.sink = sink;
    this.servers = {};
    this.adminEmail = uniqueEmail("cpu-admin");
    this.world = new World({ ports: Object.fromEntries(FUNCTIONS.map((fn) => [fn, ports[fn]])), sink, adminEmail: this.adminEmail });
    this.baseline = {};
    this.crossCheck = {};
  }

  vars(settings) {
    return {
      ...developmentVars({}),
      ...this.sink.vars(),
      BOOTSTRAP_ADMIN_EMAILS: this.adminEmail,
      PASSWORD_HASH_MEMORY_KIB: String(settings.memoryKib),
      PASSWORD_HASH_ITERATIONS: String(settings.iterations),
      // The limiter's work is the same at any limit; these only keep the runs under them.
      RATE_LIMIT_LOGIN_PER_IP: "1000000/60", RATE_LIMIT_REGISTER_PER_IP: "1000000/60",
      RATE_LIMIT_FORGOT_PER_IP: "1000000/60", RATE_LIMIT_REFRESH_PER_IP: "1000000/60",
      RATE_LIMIT_API_PER_USER: "1000000/60", RATE_LIMIT_OAUTH_PER_IP: "1000000/60",
      RATE_LIMIT_OAUTH_PROVIDER_PER_IP: "1000000/60", RATE_LIMIT_OAUTH_REGISTER_PER_IP: "1000000/60",
      // Passkeys need an RP id, which an IP address is not: a localhost origin turns them
      // on, as a deployment's https origin does (PUBLIC_ORIGIN only names links and the RP).
      PUBLIC_ORIGIN: "http://localhost:8787",
      // A social sign-in preset whose start needs no discovery: GitHub (never contacted;
      // the start only redirects there).
      ...SOCIAL,
    };
  }

  get pids() {
    return Object.fromEntries(Object.entries(this.servers).map(([name, s]) => [name, s.child.pid]));
  }

  async startFunction(fn, settings) {
    await this.servers[fn]?.stop();
    this.servers[fn] = await startFunction({ workerdBin, tmp, proxyPath: join(root, "tools/cpu-budget/atomic-proxy.mjs") }, {
      name: fn, dir: join(root, "build/workers", fn), vars: this.vars(settings), port: ports[fn], helloPort: ports.hello[fn],
      storagePorts: ports.storage, mailPort: new URL(this.sink.url).port, services: fn === "api" ? { LOGIN: ports.login, REFRESH: ports.refresh, OAUTH: ports.oauth } : undefined,
      // pages has no store bindings (functions/pages/wrangler.toml): it reads nothing.
      store: fn !== "pages",
    });
  }

  async start(settings) {
    this.servers.storage = await startStorage({ workerdBin, tmp, apiDir: join(root, "build/workers/api"),
      storageDir: freshStorageDir("cpu-budget"), ports: ports.storage });
    for (const fn of FUNCTIONS) await this.startFunction(fn, settings);
  }

  /** One request on idle servers: the answer and every process's CPU ms for it. */
  async measure(send) {
    const names = Object.keys(this.servers);
    const pids = names.map((name) => this.servers[name].child.pid);
    await settle(pids);
    const before = pids.map(cpuNs);
    const response = await send();
    await settle(pids);
    const after = pids.map(cpuNs);
    return { response, cpu: Object.fromEntries(names.map((name, i) => [name, delta(before[i], after[i])])) };
  }

  /** Per-request CPU of the hello Worker in each function's process: the HTTP floor. */
  async measureBaselines(n) {
    for (const fn of FUNCTIONS) {
      const values = [];
      for (let i = 0; i < n; i++) {
        const { cpu } = await this.measure(async () => {
          const response = await fetch(`http://127.0.0.1:${ports.hello[fn]}/auth/login`, { method: "POST",
            headers: { "content-type": "application/json", "CF-Connecting-IP": "198.51.100.7" },
            body: JSON.stringify({ email: "someone@example.com", password: "x".repeat(32), mode: "token" }) });
          await response.arrayBuffer();
          return response;
        });
        values.push(cpu[fn]);
      }
      const { main, all } = statsOf(values);
      this.baseline[fn] = { main: main.median, all: all.median };
    }
    log(`baseline (hello-world request, ms): ${JSON.stringify(this.baseline)}`);
  }

  /** Runs a scenario: `warmup` unmeasured requests, then `n` measured. */
  async run(scenario, n, warmup = WARMUP) {
    const fn = World.functionOf(firstPath(scenario));
    const owner = [], forwarded = [], storage = [];
    const generator = scenario.requests(this.world);
    let step = await generator.next();
    for (let i = 0; i < warmup + n; i++) {
      const request = step.value;
      const { response, cpu } = await this.measure(() => this.world.call(request.method, request.path, request));
      if (response.status !== scenario.expect) {
        throw new Error(`${labelOf(scenario)}: ${response.status}, expected ${scenario.expect}: ${response.text}`);
      }
      if (i >= warmup) {
        owner.push(minus(cpu[fn], this.baseline[fn]));
        if (scenario.forwardedTo) forwarded.push(minus(cpu[scenario.forwardedTo], this.baseline[scenario.forwardedTo]));
        storage.push(cpu.storage.all);
      }
      step = await generator.next(response);
    }
    await generator.return();
    return { fn, label: labelOf(scenario), route: scenario.route, variant: scenario.variant, note: scenario.note,
      hashes: scenario.hashes, forwardedTo: scenario.forwardedTo,
      cpu: statsOf(owner), forwarded: forwarded.length ? statsOf(forwarded) : undefined, storage: stats(storage) };
  }

  /** The first request of fresh isolates, and their startup. */
  async cold(fn, scenario, n) {
    const first = [], startup = [];
    const generator = scenario.requests(this.world);
    let step = await generator.next();
    for (let i = 0; i < n; i++) {
      await this.startFunction(fn, DEFAULTS);
      const pid = this.servers[fn].child.pid;
      await settle([pid]);
      startup.push(minus(delta({ main: 0, all: 0 }, cpuNs(pid)), this.helloStartup));
      const request = step.value;
      const { response, cpu } = await this.measure(() => this.world.call(request.method, request.path, request));
      if (response.status !== scenario.expect) throw new Error(`cold ${fn}: ${response.status} ${response.text}`);
      first.push(minus(cpu[fn], this.baseline[fn]));
      step = await generator.next(response);
    }
    await generator.return();
    return { fn, label: labelOf(scenario), route: scenario.route, variant: scenario.variant, cpu: statsOf(first),
      startup: statsOf(startup) };
  }

  /** CPU of a workerd process with only the hello Worker, when it starts listening. */
  async measureHelloStartup(n) {
    const config = writeConfig(tmp, "hello-only", {
      workers: [{ name: "hello", modules: modulesOf(join(tmp, "hello"), "hello.mjs") }],
      sockets: [{ name: "hello", port: PORT + 30, service: "hello" }] });
    const values = [];
    for (let i = 0; i < n; i++) {
      const server = await startWorkerd(workerdBin, config, [PORT + 30]);
      await settle([server.child.pid]);
      values.push(delta({ main: 0, all: 0 }, cpuNs(server.child.pid)));
      await server.stop();
    }
    const { main, all } = statsOf(values);
    this.helloStartup = { main: main.median, all: all.median };
  }

  /** schedstat (ns) against utime+stime (10 ms ticks) of each live process. */
  recordCrossCheck() {
    for (const [name, pid] of Object.entries(this.pids)) {
      this.crossCheck[name] = { schedstatMs: ms(cpuNs(pid).all), statMs: statMs(pid) };
    }
  }

  async stop() {
    for (const server of Object.values(this.servers)) await server.stop();
  }
}

/** A scenario's name: its route, and what sets it apart from another of that route. */
const labelOf = (scenario) => (scenario.variant ? `${scenario.route} (${scenario.variant})` : scenario.route);

/** The path of a scenario's route (for the owning function). */
function firstPath(scenario) {
  return scenario.route.split(" ")[1].replace(/\{[^}]+\}/g, "x");
}

async function main() {
  const started = new Date();
  if (!argv.includes("--skip-build")) execFileSync(process.execPath, ["tools/build.mjs"], { cwd: root, stdio: "inherit" });
  prepareTmp();
  sampleLoad();
  const loadTimer = setInterval(sampleLoad, 5000);
  const sink = await startMailSink();
  const bench = new Bench(sink);
  const results = { warm: [], hashing: [], cold: [], fits: [], settings: SETTINGS, defaults: DEFAULTS };
  try {
    await bench.start(DEFAULTS);
    await bench.measureBaselines(QUICK ? 10 : 30);
    for (const scenario of [...HASHING, ...OTHERS, ...PAGES, ...PROVIDER]) {
      const result = await bench.run(scenario, SAMPLES);
      log(`${result.fn} ${result.label}: median ${result.cpu.main.median.toFixed(2)} ms, p90 ${result.cpu.main.p90.toFixed(2)}` +
        ` (all threads ${result.cpu.all.p90.toFixed(2)})` +
        (result.forwarded ? ` + ${scenario.forwardedTo} ${result.forwarded.main.p90.toFixed(2)} (${result.forwarded.all.p90.toFixed(2)})` : ""));
      results.warm.push(result);
    }
    // The hashing routes at every setting: the defaults' figures are those above.
    for (const settings of SETTINGS) {
      if (settings !== DEFAULTS) for (const fn of ["login", "reset"]) await bench.startFunction(fn, settings);
      for (const scenario of HASHING) {
        const result = settings === DEFAULTS ? results.warm.find((r) => r.label === labelOf(scenario))
          : await bench.run(scenario, HASH_SAMPLES);
        const cost = result.forwarded ?? result.cpu;
        results.hashing.push({ label: result.label, settings, p90: cost.all.p90, median: cost.all.median, mainP90: cost.main.p90 });
        log(`m=${settings.memoryKib} t=${settings.iterations} ${result.label}: p90 ${cost.main.p90.toFixed(1)} ms (all threads ${cost.all.p90.toFixed(1)})`);
      }
    }
    for (const fn of ["login", "reset"]) await bench.startFunction(fn, DEFAULTS);
    for (const scenario of HASHING) {
      const label = labelOf(scenario);
      const points = results.hashing.filter((h) => h.label === label);
      const line = fitLine(points.map((p) => [mibPasses(p.settings), p.p90]));
      results.fits.push({ label, route: scenario.route, variant: scenario.variant, fn: World.functionOf(firstPath(scenario)),
        forwardedTo: scenario.forwardedTo, points, ...line });
    }
    await bench.measureHelloStartup(COLD_SAMPLES);
    for (const [fn, scenario] of Object.entries(COLD)) {
      const result = await bench.cold(fn, scenario, COLD_SAMPLES);
      result.warm = results.warm.find((r) => r.label === result.label).cpu;
      log(`cold ${fn} ${result.label}: first request p90 ${result.cpu.main.p90.toFixed(1)} ms (all threads ${result.cpu.all.p90.toFixed(1)}), ` +
        `startup ${result.startup.main.median.toFixed(1)} ms (${result.startup.all.median.toFixed(1)})`);
      results.cold.push(result);
    }
    for (const scenario of LAST) results.warm.push(await bench.run(scenario, QUICK ? 2 : 5, 0));
    bench.recordCrossCheck();
  } finally {
    clearInterval(loadTimer);
    await bench.stop();
    await sink.close();
    killChildren();
    removeStorageDirs();
  }
  sampleLoad();
  Object.assign(results, {
    command: `node tools/cpu-budget.mjs${QUICK ? " --quick" : ""}`,
    date: started.toISOString().slice(0, 10),
    machine: `${cpus().length} × ${cpus()[0]?.model.trim()}`,
    workerd: execFileSync(workerdBin, ["--version"], { encoding: "utf8" }).trim().replace(/^workerd /, ""),
    load: { min: Math.min(...loadSamples), max: Math.max(...loadSamples) },
    samples: SAMPLES, hashSamples: HASH_SAMPLES, warmup: WARMUP, coldSamples: COLD_SAMPLES,
    baselineText: `${Object.values(bench.baseline).map((v) => v.main.toFixed(2)).join(", ")} ms`,
    crossCheck: bench.crossCheck,
    unmeasured: UNMEASURED,
  });
  const section = readmeSection(results);
  console.log(section);
  console.log("\ncpu_ms per function (rule: 3× worst p90, rounded up to 50 ms):");
  for (const [fn, b] of Object.entries(budgets(results))) console.log(`  ${fn}: ${b.cpuMs} (worst: ${b.route}, ${b.worst.toFixed(1)} ms)`);
  console.log(`cross-check, whole run per process (schedstat ms / utime+stime ms): ${
    Object.entries(bench.crossCheck).map(([n, c]) => `${n} ${c.schedstatMs.toFixed(0)}/${c.statMs}`).join(", ")}`);
  mkdirSync(tmp, { recursive: true });
  writeFileSync(join(tmp, "results.json"), JSON.stringify(results, null, 2));
  if (!argv.includes("--no-write") && !QUICK) {
    writeBetweenMarkers(join(root, "README.md"), section);
    writeFileSync(join(root, "tools/doctor/cpu-model.toml"), modelToml(results));
    log("wrote README.md (cpu-budget section) and tools/doctor/cpu-model.toml");
  }
}

main().catch((error) => {
  console.error(error);
  killChildren();
  removeStorageDirs();
  process.exit(1);
});
