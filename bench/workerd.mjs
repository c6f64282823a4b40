// `workerd serve` for the benchmark: writes a Cap'n Proto config for a set of workers
// and sockets, starts workerd on loopback, waits until every socket answers, stops it.
//
// No Miniflare: Miniflare puts a proxy worker in front of every request (it cuts
// throughput about threefold), and the report must measure the functions themselves.
// What Miniflare provided and the bench needs is written here: the module list of a
// built function, a KV namespace (bench/workers/kv-service.mjs behind workerd's
// `kvNamespace` binding) and Durable Object storage (workerd's own SQLite-backed objects,
// as deployed, in a fresh directory on tmpfs: workerd's `inMemory` storage loses a
// SQLite-backed object's data when the idle object is evicted after ~10 s, which would
// log the benchmark's user out between runs).

import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

export const COMPATIBILITY_DATE = "2026-07-01";

/** Every file under `dir` (relative paths), for a worker's module list. */
function filesUnder(dir, prefix = "") {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path, `${prefix}${name}/`) : [`${prefix}${name}`];
  });
}

/** Modules of a worker directory, `main` first (workerd's entry module). */
export function modulesOf(dir, main) {
  const rest = filesUnder(dir).filter((file) => file !== main && /\.(m?js|wasm)$/.test(file));
  return [main, ...rest].map((name) => ({ name, path: join(dir, name) }));
}

const literal = (text) => JSON.stringify(String(text)); // ASCII values: valid Cap'n Proto text
const ident = (name) => `w${name.replace(/[^A-Za-z0-9]+(.)/g, (_, c) => c.toUpperCase())}`; // camelCase Cap'n Proto name

/**
 * Writes `<dir>/<name>.capnp` and returns its path.
 * @param {{workers: {name, modules, bindings?: object[], durableObjects?: string[]}[],
 *          sockets: {name, port, service}[], storageDir?: string}} spec
 *   storageDir: an existing empty directory for Durable Object storage (required when a
 *   worker defines Durable Objects).
 *   bindings: {name, text} | {name, kv: serviceName} | {name, durableObject: {className, serviceName?}}
 *     | {name, service: serviceName} | {name, wrapped: {module, bindings}} (an internal module of
 *     spec.extensions whose default export builds the binding from its inner bindings)
 *   worker.globalOutbound: the service that receives the worker's outgoing fetch().
 *   spec.externals: {name, port}[] — services that are HTTP servers on 127.0.0.1 (another
 *     process); spec.extensions: {name, path}[] — internal ES modules for wrapped bindings.
 */
export function writeConfig(dir, name, spec) {
  const file = join(dir, `${name}.capnp`);
  const rel = (path) => literal(relative(dir, path));
  const binding = (b) => {
    if (b.text !== undefined) return `(name = ${literal(b.name)}, text = ${literal(b.text)})`;
    if (b.kv !== undefined) return `(name = ${literal(b.name)}, kvNamespace = ${literal(b.kv)})`;
    if (b.service !== undefined) return `(name = ${literal(b.name)}, service = ${literal(b.service)})`;
    if (b.wrapped !== undefined) {
      return `(name = ${literal(b.name)}, wrapped = (moduleName = ${literal(b.wrapped.module)}, innerBindings = [${
        b.wrapped.bindings.map(binding).join(", ")}]))`;
    }
    const { className, serviceName } = b.durableObject;
    return `(name = ${literal(b.name)}, durableObjectNamespace = (className = ${literal(className)}${
      serviceName ? `, serviceName = ${literal(serviceName)}` : ""}))`;
  };
  const worker = (w) => {
    const modules = w.modules.map((m) => m.name.endsWith(".wasm")
      ? `(name = ${literal(m.name)}, wasm = embed ${rel(m.path)})`
      : `(name = ${literal(m.name)}, esModule = embed ${rel(m.path)})`);
    const objects = (w.durableObjects ?? []).map((className) =>
      `(className = ${literal(className)}, uniqueKey = ${literal(`${w.name}-${className}`)}, enableSql = true)`);
    return `const ${ident(w.name)} :Workerd.Worker = (
  modules = [${modules.join(", ")}],
  compatibilityDate = ${literal(COMPATIBILITY_DATE)},
  bindings = [${(w.bindings ?? []).map(binding).join(", ")}],
${w.globalOutbound ? `  globalOutbound = ${literal(w.globalOutbound)},\n` : ""}${objects.length ? `  durableObjectNamespaces = [${objects.join(", ")}],\n  durableObjectStorage = (localDisk = "do-disk"),\n` : ""});`;
  };
  const needsDisk = spec.workers.some((w) => (w.durableObjects ?? []).length > 0);
  if (needsDisk && !spec.storageDir) throw new Error("Durable Objects need spec.storageDir");
  const disk = needsDisk ? [`(name = "do-disk", disk = (path = ${literal(spec.storageDir)}, writable = true))`] : [];
  const externals = (spec.externals ?? []).map((e) =>
    `(name = ${literal(e.name)}, external = (address = ${literal(`127.0.0.1:${e.port}`)}, http = ()))`);
  const extensions = (spec.extensions ?? []).map((m) =>
    `(modules = [(name = ${literal(m.name)}, internal = true, esModule = embed ${rel(m.path)})])`);
  const text = `# Generated by bench/workerd.mjs for one measuring run.
using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [${[...spec.workers.map((w) => `(name = ${literal(w.name)}, worker = .${ident(w.name)})`), ...disk, ...externals].join(", ")}],
  sockets = [${spec.sockets.map((s) =>
    `(name = ${literal(s.name)}, address = ${literal(`127.0.0.1:${s.port}`)}, http = (), service = ${literal(s.service)})`).join(", ")}],
${extensions.length ? `  extensions = [${extensions.join(", ")}],\n` : ""});
${spec.workers.map(worker).join("\n")}
`;
  writeFileSync(file, text);
  return file;
}

/**
 * Starts `workerd serve <config>`; resolves once every port accepts HTTP. Its output
 * goes to `<config>.log`, a file rather than a pipe: the bench runs wrk synchronously,
 * and a pipe nobody drains fills up and stalls workerd's logging (and so workerd).
 */
export async function startWorkerd(workerdBin, configFile, ports, { timeoutMs = 30_000 } = {}) {
  for (const port of ports) {
    // Something already answering would be measured instead of this config.
    const taken = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1000) }).then(() => true, () => false);
    if (taken) throw new Error(`port ${port} is in use (BENCH_PORT_BASE picks another range)`);
  }
  const logFile = `${configFile}.log`;
  const fd = openSync(logFile, "w");
  // BENCH_INSPECTOR (host:port): workerd's DevTools inspector, for bench/profile.mjs.
  const inspector = process.env.BENCH_INSPECTOR ? [`--inspector-addr=${process.env.BENCH_INSPECTOR}`] : [];
  const child = track(spawn(workerdBin, ["serve", configFile, "--experimental", ...inspector], { stdio: ["ignore", fd, fd] }));
  closeSync(fd);
  const output = () => readFileSync(logFile, "utf8").slice(-20_000);
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const started = performance.now();
  for (const port of ports) {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`workerd exited (${child.exitCode}):\n${output()}`);
      if (performance.now() - started > timeoutMs) {
        child.kill("SIGKILL");
        throw new Error(`workerd did not answer on ${port}:\n${output()}`);
      }
      try {
        await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) });
        break;
      } catch {
        await sleep(2);
      }
    }
  }
  return {
    child,
    output,
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      await Promise.race([exited, sleep(3000)]);
      if (child.exitCode === null) child.kill("SIGKILL");
    },
  };
}

const children = new Set();

/** Remembers a child process until it exits, for `killChildren`. */
export function track(child) {
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

/** Kills every tracked child still running (an abandoned run leaves no server behind). */
export function killChildren() {
  for (const child of children) child.kill("SIGKILL");
}

const storageDirs = new Set();

/** A fresh, empty directory for Durable Object storage (tmpfs when there is one). */
export function freshStorageDir(name) {
  const base = existsSync("/dev/shm") ? "/dev/shm" : tmpdir();
  const dir = join(base, `edgeauth-bench-${process.pid}-${name}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  storageDirs.add(dir);
  return dir;
}

/** Removes every directory `freshStorageDir` made. */
export function removeStorageDirs() {
  for (const dir of storageDirs) rmSync(dir, { recursive: true, force: true });
  storageDirs.clear();
}
