// The processes tools/cpu-budget.mjs measures, and how it reads their CPU time.
//
// One `workerd serve` process per function ("F"), holding only that function's Worker
// and a JS hello-world Worker (the baseline); one storage process ("S") holding what
// runs elsewhere on Cloudflare and is not the function's CPU: the KV namespace
// (bench/workers/kv-service.mjs) and the Durable Objects (the api build's own
// `AtomicShard`, behind atomic-gateway.mjs). F reaches S over loopback HTTP: KV through
// workerd's kvNamespace binding to an external service, the objects through
// atomic-proxy.mjs. api's `LOGIN`, `REFRESH` and `OAUTH` service bindings point at those
// functions' processes, as the deployed service bindings point at their Workers. Outgoing mail goes to a sink.
//
// CPU time is read from Linux, not from workerd (whose trace events report
// `cpuTime: 0` locally): /proc/<pid>/task/<tid>/schedstat's first field, nanoseconds on
// the CPU, of the main thread — where workerd runs the isolate, as Cloudflare counts a
// request's CPU on the isolate's thread — and summed over every thread, adding V8's
// helpers (background compilation, GC): what the process spent, an upper bound.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

import { modulesOf, startWorkerd, writeConfig } from "../../bench/workerd.mjs";

/**
 * CPU nanoseconds a process has used so far: `main`, its main thread (workerd runs the
 * isolates and its event loop there), and `all`, the sum over its live threads (adding
 * V8's helpers: background compilation and GC).
 */
export function cpuNs(pid) {
  let all = 0;
  let main = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const ns = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
      all += ns;
      if (Number(tid) === pid) main = ns;
    } catch {
      // The thread ended between the listing and the read: its time is gone from both
      // readings alike (threads of a serving workerd are long-lived).
    }
  }
  return { main, all };
}

/** utime + stime of a process in milliseconds (10 ms ticks): the cross-check of `cpuNs`. */
export function statMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10; // utime, stime: fields 14, 15 of stat(5)
}

/**
 * Waits until none of `pids` uses more than 0.1 ms of CPU in a 10 ms window (the
 * work a request left behind, such as mail sent in waitUntil, has finished).
 */
export async function settle(pids, { limitMs = 3000 } = {}) {
  const started = performance.now();
  let before = pids.map(cpuNs);
  for (;;) {
    await sleep(10);
    const after = pids.map(cpuNs);
    if (after.every((ns, i) => ns.all - before[i].all < 100_000)) return;
    if (performance.now() - started > limitMs) return;
    before = after;
  }
}

/** The baseline Worker: reads the request, answers `{}`. */
export const HELLO_SOURCE = "export default { async fetch(request) { await request.arrayBuffer(); return new Response('{}'); } };\n";

/** A function's Worker as workerd config: the built module list and its bindings. */
function functionWorker(name, dir, vars, extra = [], store = true) {
  const text = Object.entries(vars).map(([binding, value]) => ({ name: binding, text: value }));
  const storage = store ? [{ name: "EDGEAUTH_KV", kv: "kv-remote" },
    { name: "ATOMIC", wrapped: { module: "cpu-budget:atomic-proxy", bindings: [{ name: "gateway", service: "gateway-remote" }] } }] : [];
  return {
    name,
    modules: modulesOf(dir, "shim.mjs"),
    bindings: [...text, ...storage, ...extra],
    globalOutbound: "mail",
  };
}

/**
 * Starts the storage process: KV on `ports.kv`, the objects' gateway on `ports.gateway`.
 * `apiDir` is the api build (the host of the AtomicShard class).
 */
export async function startStorage({ workerdBin, tmp, apiDir, storageDir, ports }) {
  const config = writeConfig(tmp, "storage", {
    workers: [
      { name: "kv", modules: modulesOf(join(tmp, "kv"), "kv-service.mjs") },
      { name: "api-host", modules: modulesOf(apiDir, "shim.mjs"), durableObjects: ["AtomicShard"] },
      { name: "gateway", modules: modulesOf(join(tmp, "gateway"), "atomic-gateway.mjs"),
        bindings: [{ name: "ATOMIC", durableObject: { className: "AtomicShard", serviceName: "api-host" } }] },
    ],
    storageDir,
    sockets: [{ name: "kv", port: ports.kv, service: "kv" }, { name: "gateway", port: ports.gateway, service: "gateway" }],
  });
  return startWorkerd(workerdBin, config, [ports.kv]);
}

/**
 * Starts one function's process. Only the hello socket is probed for readiness, so
 * the function's first request is the caller's (cold starts are measured that way).
 * @param {{name: string, dir: string, vars: object, port: number, helloPort: number,
 *   storagePorts: {kv: number, gateway: number}, mailPort: number, services?: Record<string, number>,
 *   store?: boolean}} spec  services: service binding → the port of the function it names.
 *   store: false leaves out the KV and Durable Object bindings (pages has none).
 */
export async function startFunction({ workerdBin, tmp, proxyPath }, spec) {
  const services = Object.entries(spec.services ?? {});
  const extra = services.map(([binding]) => ({ name: binding, service: `${binding.toLowerCase()}-remote` }));
  const config = writeConfig(tmp, `fn-${spec.name}`, {
    workers: [
      functionWorker(spec.name, spec.dir, spec.vars, extra, spec.store ?? true),
      { name: "hello", modules: modulesOf(join(tmp, "hello"), "hello.mjs") },
    ],
    externals: [
      { name: "kv-remote", port: spec.storagePorts.kv },
      { name: "gateway-remote", port: spec.storagePorts.gateway },
      { name: "mail", port: spec.mailPort },
      ...services.map(([binding, port]) => ({ name: `${binding.toLowerCase()}-remote`, port })),
    ],
    extensions: [{ name: "cpu-budget:atomic-proxy", path: proxyPath }],
    sockets: [{ name: "fn", port: spec.port, service: spec.name }, { name: "hello", port: spec.helloPort, service: "hello" }],
  });
  return startWorkerd(workerdBin, config, [spec.helloPort]);
}
