// A CPU profile of one worker under load, through workerd's inspector (the Chrome
// DevTools protocol: `Profiler.start` / `Profiler.stop`), summarised as the functions
// with the most self time. For finding where a route's time goes, not for the report:
// `node bench/run.mjs --http-only --profile-api` (build with `EDGEAUTH_WASM_NAMES=1
// node tools/build.mjs --function api` first, or wasm frames are only `$func123`).

/** The inspector target of worker `service` (workerd names targets after services). */
async function target(inspector, service) {
  const list = await (await fetch(`http://${inspector}/json/list`)).json();
  const found = list.find((t) => t.title === service || t.id === service || (t.url ?? "").includes(service));
  if (!found) throw new Error(`no inspector target for ${service}: ${JSON.stringify(list.map((t) => t.title ?? t.id))}`);
  return found.webSocketDebuggerUrl ?? `ws://${inspector}/${found.id}`;
}

/** Opens a DevTools session: `send(method, params)` resolves with the result. */
async function session(url) {
  const socket = new WebSocket(url);
  await new Promise((resolve, reject) => { socket.onopen = resolve; socket.onerror = reject; });
  let next = 1;
  const waiting = new Map();
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    const pending = waiting.get(message.id);
    if (!pending) return;
    waiting.delete(message.id);
    if (message.error) pending.reject(new Error(message.error.message));
    else pending.resolve(message.result);
  };
  return {
    send: (method, params = {}) => new Promise((resolve, reject) => {
      const id = next++;
      waiting.set(id, { resolve, reject });
      socket.send(JSON.stringify({ id, method, params }));
    }),
    close: () => socket.close(),
  };
}

/** Self and total time per function name, from a `Profiler.Profile`. */
export function summarise(profile, top = 40) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const samples = profile.samples.length || 1;
  const self = new Map();
  const total = new Map();
  const name = (node) => node.callFrame.functionName || `(anonymous ${node.callFrame.url}:${node.callFrame.lineNumber})`;
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (!hits) continue;
    self.set(name(node), (self.get(name(node)) ?? 0) + hits);
    const seen = new Set();
    for (let id = node.id; id !== undefined; id = parent.get(id)) {
      const n = name(byId.get(id));
      if (!seen.has(n)) { seen.add(n); total.set(n, (total.get(n) ?? 0) + hits); }
    }
  }
  const pct = (hits) => `${((100 * hits) / samples).toFixed(1)}%`;
  const rows = (map) => [...map].sort((a, b) => b[1] - a[1]).slice(0, top).map(([n, hits]) => `${pct(hits).padStart(6)}  ${n}`);
  return `samples: ${samples}\n-- self time --\n${rows(self).join("\n")}\n-- total time --\n${rows(total).join("\n")}`;
}

/** Profiles worker `service` while `during()` runs; returns the raw profile. */
export async function profileDuring(inspector, service, during) {
  const devtools = await session(await target(inspector, service));
  try {
    await devtools.send("Profiler.enable");
    await devtools.send("Profiler.setSamplingInterval", { interval: 100 });
    await devtools.send("Profiler.start");
    await during();
    const { profile } = await devtools.send("Profiler.stop");
    return profile;
  } finally {
    devtools.close();
  }
}
