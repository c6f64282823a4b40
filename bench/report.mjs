// Writes the benchmark report (markdown) and its chart (hand-rolled SVG) from the
// results of bench/run.mjs. Every figure printed comes from `results`; the only
// text not measured by this run is bench/levers.md (the size/speed levers measured
// while choosing the build settings), included verbatim under its own heading.

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const KIB = 1024;
// The issue's size targets (tests/budgets.test.mjs holds the regression budgets).
// oauth has no target of its own: its size budget (tests/budgets.test.mjs).
const GZIP_TARGET_KIB = { api: 300, login: 800, reset: 800, refresh: 800, pages: 260, oauth: 395 };

const fixed = (value, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : "–");
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? a / b : NaN);
const x = (value) => `${fixed(value, 2)}×`;
const met = (ok) => (ok ? "**met**" : "**not met**");
const escape = (text) => String(text).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);

function summary(r) {
  const argon = r.micro["argon2-hash"].median;
  const sign = r.micro["jwt-sign"].median;
  const verify = r.micro["jwt-verify"].median;
  const cached = r.micro["jwt-verify-cached"].median;
  const webcrypto = r.micro["jwt-verify-webcrypto"]?.median;
  const pr = (op) => r.micro[op].pairedRatio;
  const http = r.http.median;
  const rows = [
    ["argon2id m=19456 t=2 p=1, per hash", `${fixed(argon.wasm)} ms`, `${fixed(argon.native)} ms`, "–",
      `wasm/native ${x(pr("argon2-hash").wasmNative)}`, "wasm ≤ 1.5× native", met(pr("argon2-hash").wasmNative <= 1.5)],
    ["EdDSA JWT sign (`token::issue` / jose `SignJWT`)", `${fixed(sign.wasm)} µs`, `${fixed(sign.native)} µs`, `${fixed(sign.jose)} µs`,
      `wasm/native ${x(pr("jwt-sign").wasmNative)}, wasm/jose ${x(pr("jwt-sign").wasmJose)}`, "–", "–"],
    ["EdDSA JWT verify, software (`token::verify`: the reference, what Spin and native run) / jose `jwtVerify`", `${fixed(verify.wasm)} µs`, `${fixed(verify.native)} µs`, `${fixed(verify.jose)} µs`,
      `wasm/native ${x(pr("jwt-verify").wasmNative)}, wasm/jose ${x(pr("jwt-verify").wasmJose)}`, "–", "–"],
    ...(webcrypto ? [["EdDSA JWT verify, first sight of a token on Workers: `token::verify` (a memory miss) + the adapter's WebCrypto Ed25519 (what the api runs on a cache miss) / jose `jwtVerify`",
      `${fixed(webcrypto.wasm)} µs`, `${fixed(webcrypto.native)} µs (software)`, `${fixed(webcrypto.jose)} µs`,
      `wasm/jose ${x(pr("jwt-verify-webcrypto").wasmJose)}`, "wasm ≤ jose", met(pr("jwt-verify-webcrypto").wasmJose <= 1)]] : []),
    ["EdDSA JWT verify, repeated token: `token::verify` hit in the isolate's memory (what `GET /api/me` runs) / jose `jwtVerify` (no cache)",
      `${fixed(cached.wasm, 2)} µs`, `${fixed(cached.native, 2)} µs`, `${fixed(cached.jose)} µs`,
      `wasm/jose ${x(pr("jwt-verify-cached").wasmJose)}`, "wasm ≤ jose", met(pr("jwt-verify-cached").wasmJose <= 1)],
  ];
  const hp = r.http.pairedRatio;
  const httpRows = [
    ["empty Rust Worker", http.empty, 1],
    ["edgeauth api `GET /api/me`, `SESSION_CHECK=cached` (default)", http.api, hp.apiEmpty],
    ["edgeauth api `GET /api/me`, `SESSION_CHECK=strict`", http.apiStrict, hp.apiStrictEmpty],
    ...(http.apiErrorsLog ? [["edgeauth api `GET /api/me`, `SESSION_CHECK=cached`, `REQUEST_LOG=errors`", http.apiErrorsLog, hp.apiErrorsLogEmpty]] : []),
    ...(http.apiBase ? [[`edgeauth api \`GET /api/me\`, baseline build (\`${r.http.baseline}\`)`, http.apiBase, hp.apiBaseEmpty]] : []),
    ["Hono + jose `GET /api/me`", http.hono, hp.honoEmpty],
    ...(http.honoLogged ? [["Hono + jose `GET /api/me`, with a request line like edgeauth's", http.honoLogged, hp.honoLoggedEmpty]] : []),
  ].map(([name, m, ofEmpty]) => `| ${name} | ${fixed(m.rps, 0)} | ${fixed(m.p50ms, 2)} | ${fixed(m.p99ms, 1)} | ${fixed(m.meanms, 2)} / ${fixed(r.http.connections / m.rps * 1000, 2)} | ${m.socketErrors ?? 0} of ${m.requests ?? "?"} | ${x(ofEmpty)} |`);
  const revocation = r.http.revocation ?? {};
  // `accepted`: the last request answered 200 (the bound's measure); `refused`: the first
  // refused, which adds the 20 ms poll and one request.
  const revocationRows = Object.entries(revocation).map(([mode, times]) => {
    const worst = Math.max(...times.map((t) => t.accepted));
    const rounds = times.map((t) => `${fixed(t.accepted, 0)} / ${fixed(t.refused, 0)}`).join(", ");
    return `| \`${mode}\` | ${rounds} | ${fixed(worst, 0)} | ${mode === "cached" ? "≤ 5000" : "next request"} | ${
      met(mode === "cached" ? worst <= 5000 : Math.max(...times.map((t) => t.refused)) < 500)} |`;
  });
  return `Times are medians; ratios are the median of the per-round ratios (the contenders of a
round ran back to back, under the same load).

| measure | ours: wasm in workerd | same code native | jose in workerd | ratios | target | |
|---|---|---|---|---|---|---|
${rows.map((row) => `| ${row.join(" | ")} |`).join("\n")}

HTTP, \`oha -c ${r.http.connections} -z ${r.http.seconds}s -w --worker-threads 1\` on 127.0.0.1 against \`workerd serve\`, median of ${r.http.rounds} runs each:

| server | req/s | p50 (ms) | p99 (ms) | mean (ms) / Little's law (ms) | socket errors (all runs) | of empty |
|---|---|---|---|---|---|---|
${httpRows.join("\n")}

Socket errors are requests that got no answer (a broken connection, or none within the
5 s timeout); they are reported, not retried away. p99 shows the tail. The load generator
is oha, not wrk as before 2026-12-04: wrk's latencies did not add up on this machine
("How each figure is measured"). The mean column checks that oha's do: with every
connection always waiting on one request, the mean latency must be close to connections /
req/s (Little's law), the second figure.

| \`GET /api/me\`, edgeauth / Hono + jose (same rounds) | req/s | p99 | target | |
|---|---|---|---|---|
| \`SESSION_CHECK=cached\` (default) | **${x(hp.apiHono)}** | **${x(hp.apiHonoP99)}** | req/s ≥ 1.5×, p99 ≤ 1× | ${met(hp.apiHono >= 1.5 && hp.apiHonoP99 <= 1)} |
| \`SESSION_CHECK=strict\` | ${x(hp.apiStrictHono)} | ${x(hp.apiStrictHonoP99)} | – | – |
${http.apiErrorsLog ? `| \`SESSION_CHECK=cached\`, \`REQUEST_LOG=errors\` (no line for a 200) | ${x(hp.apiErrorsLogHono)} | ${x(hp.apiErrorsLogHonoP99)} | – (not the default) | – |\n` : ""}${http.honoLogged ? `| \`SESSION_CHECK=cached\`, against Hono + jose logging a request line too | ${x(hp.apiHonoLogged)} | ${x(hp.apiHonoLoggedP99)} | – (the target is against the first row) | – |\n` : ""}${http.apiBase ? `| baseline build | ${x(hp.apiBaseHono)} | ${x(hp.apiBaseHonoP99)} | – | – |\n` : ""}
The revocation bound: a session is logged out through the \`refresh\` Worker while the api
isolate holds a check of it, and \`GET /api/me\` is polled every 20 ms until it refuses the
token. Per round, from the logout's answer: the start of the last request still accepted
(what the bound limits: no request started more than 5 s after the revocation is
accepted) / the start of the first refused (adds the poll's 20 ms and one request). The
bound is stated in docs/sessions.md §5 and asserted the same way for every function, both
modes and both runtimes by \`tests/revocation.test.mjs\`.

| mode | ms: last accepted / first refused (rounds) | worst accepted | bound | |
|---|---|---|---|---|
${revocationRows.join("\n")}

| function | wasm raw (KiB) | wasm gzip (KiB) | gzip target (KiB) | | startup (ms) |
|---|---|---|---|---|---|
${Object.entries(r.size.functions).map(([name, s]) => `| ${name} | ${fixed(s.raw / KIB)} | ${fixed(s.gzip / KIB)} | ${GZIP_TARGET_KIB[name]} | ${met(s.gzip <= GZIP_TARGET_KIB[name] * KIB)} | ${fixed(r.startup.median[name], 0)} |`).join("\n")}
| empty Rust Worker (workers-rs floor) | ${fixed(r.size.empty.raw / KIB)} | ${fixed(r.size.empty.gzip / KIB)} | | | ${fixed(r.startup.median["empty Rust worker"], 0)} |
| JS hello world (workerd's own start) | | | | | ${fixed(r.startup.median["JS hello world"], 0)} |`;
}

function chart(r) {
  const panels = [
    { title: "argon2id per hash (ms, lower is better)", unit: "ms", bars: [
      ["native", r.micro["argon2-hash"].median.native], ["wasm in workerd", r.micro["argon2-hash"].median.wasm]] },
    { title: "EdDSA JWT verify (µs, lower is better)", unit: "µs", bars: [
      ["native", r.micro["jwt-verify"].median.native], ["wasm in workerd", r.micro["jwt-verify"].median.wasm],
      ...(r.micro["jwt-verify-webcrypto"] ? [["wasm + WebCrypto (api)", r.micro["jwt-verify-webcrypto"].median.wasm]] : []),
      ["jose in workerd", r.micro["jwt-verify"].median.jose]] },
    { title: "JWT verify per request, repeated token (µs)", unit: "µs", bars: [
      ["ours (cache hit), wasm", r.micro["jwt-verify-cached"].median.wasm], ["jose (verifies every time)", r.micro["jwt-verify-cached"].median.jose]] },
    { title: "EdDSA JWT sign (µs, lower is better)", unit: "µs", bars: [
      ["native", r.micro["jwt-sign"].median.native], ["wasm in workerd", r.micro["jwt-sign"].median.wasm],
      ["jose in workerd", r.micro["jwt-sign"].median.jose]] },
    { title: "HTTP req/s (higher is better)", unit: "req/s", bars: [
      ["empty Rust Worker", r.http.median.empty.rps], ["edgeauth GET /api/me (cached)", r.http.median.api.rps],
      ["edgeauth GET /api/me (strict)", r.http.median.apiStrict.rps],
      ...(r.http.median.apiBase ? [["edgeauth GET /api/me (baseline)", r.http.median.apiBase.rps]] : []),
      ["Hono + jose GET /api/me", r.http.median.hono.rps]] },
    { title: "HTTP p99 latency (ms, lower is better)", unit: "ms", bars: [
      ["edgeauth GET /api/me (cached)", r.http.median.api.p99ms], ["edgeauth GET /api/me (strict)", r.http.median.apiStrict.p99ms],
      ...(r.http.median.apiBase ? [["edgeauth GET /api/me (baseline)", r.http.median.apiBase.p99ms]] : []),
      ["Hono + jose GET /api/me", r.http.median.hono.p99ms]] },
    { title: "wasm gzip KiB (target marked)", unit: "KiB", bars: [...Object.entries(r.size.functions).map(([name, s]) =>
      [name, s.gzip / KIB, GZIP_TARGET_KIB[name]]), ["empty Rust Worker", r.size.empty.gzip / KIB]] },
  ];
  const width = 760;
  const labelWidth = 190;
  const barArea = width - labelWidth - 90;
  const barHeight = 18;
  const colors = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759"];
  let y = 30;
  const parts = [`<text x="10" y="20" font-size="15" font-weight="bold">edgeauth benchmarks — ${escape(r.startedAt.slice(0, 10))}, ${escape(r.machine.nproc)} cores, load ${fixed(r.load.median, 1)}</text>`];
  for (const panel of panels) {
    y += 22;
    parts.push(`<text x="10" y="${y}" font-size="13" font-weight="bold">${escape(panel.title)}</text>`);
    const max = Math.max(...panel.bars.map(([, value, budget]) => Math.max(value, budget ?? 0)));
    y += 8;
    panel.bars.forEach(([label, value, budget], i) => {
      const w = Math.max(1, (value / max) * barArea);
      parts.push(`<text x="${labelWidth - 6}" y="${y + 13}" font-size="12" text-anchor="end">${escape(label)}</text>`);
      parts.push(`<rect x="${labelWidth}" y="${y}" width="${w.toFixed(1)}" height="${barHeight}" fill="${colors[i % colors.length]}"/>`);
      parts.push(`<text x="${labelWidth + w + 5}" y="${y + 13}" font-size="12">${escape(fixed(value, value >= 100 ? 0 : 1))} ${escape(panel.unit)}</text>`);
      if (budget) {
        const bx = labelWidth + (budget / max) * barArea;
        parts.push(`<line x1="${bx.toFixed(1)}" y1="${y - 2}" x2="${bx.toFixed(1)}" y2="${y + barHeight + 2}" stroke="#000" stroke-width="2" stroke-dasharray="3,2"/>`);
      }
      y += barHeight + 4;
    });
  }
  y += 12;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" viewBox="0 0 ${width} ${y}" font-family="sans-serif">
<rect width="100%" height="100%" fill="#fff"/>
${parts.join("\n")}
</svg>
`;
}

function rounds(r) {
  const micro = Object.entries(r.micro).map(([op, m]) =>
    `- \`${op}\` (${m.n} per round, ${m.unit} per operation): ${Object.entries(m.rounds).map(([k, v]) => `${k} [${v.map((t) => fixed(t, 1)).join(", ")}]`).join("; ")}`);
  const http = Object.entries(r.http.runs).map(([name, list]) =>
    `- HTTP ${name}: ${list.map((run) => `${fixed(run.rps, 0)} req/s / p50 ${fixed(run.p50ms, 2)} ms (${run.requests} requests)`).join("; ")}`);
  const startup = Object.entries(r.startup.runs).map(([name, list]) => `- startup, ${name}: ${list.map((t) => fixed(t, 0)).join(", ")} ms`);
  return [...micro, ...http, ...startup].join("\n");
}

export function writeReport(r, outFile) {
  const svgFile = outFile.replace(/\.md$/, ".svg");
  writeFileSync(svgFile, chart(r));
  const m = r.machine;
  const levers = join(root, "bench/levers.md");
  const text = `# Benchmarks

Generated by \`${r.command}\` on ${r.startedAt} — do not edit by hand; rerun the command.
Every figure below was measured in that one run on one machine, side by side; times are
medians over rounds that interleave the contenders${r.quick ? " (**quick run: too few rounds to rely on**)" : ""}.

## Machine and versions

- ${m.nproc} cores (\`nproc\`), ${escape(m.cpu)}, ${fixed(m.memoryGiB, 1)} GiB memory, ${escape(m.kernel)}
- load average (1 min) while measuring: median ${fixed(r.load.median, 2)}, min ${fixed(r.load.min, 2)}, max ${fixed(r.load.max, 2)} (${r.load.samples} samples, every 5 s). The machine is shared with other builds: absolute times move with the load, ratios between contenders measured in the same round hold better.
- ${Object.entries(m.versions).map(([name, version]) => `${name}: ${escape(version)}`).join("; ")}
- measuring took ${fixed(r.measureSeconds, 0)} s (building beforehand ${fixed(r.buildSeconds, 0)} s)

## Results

${summary(r)}

![benchmark chart](${basename(svgFile)})

## How each figure is measured

- **argon2id, JWT sign/verify.** The same Rust source (\`bench/shared/ops.rs\`) runs
  \`edgeauth_core::policy::password::hash_password\`, \`token::issue\` and \`token::verify\` with the
  development configuration (argon2id m=19456 KiB, t=2, p=1; the dev Ed25519 key), once as a
  long-lived native process (\`bench/native\`, \`serve\` mode, host CPU features detected at
  run time as the crates do: argon2 takes its AVX2 path where the CPU has it) and once as a
  Worker (\`bench/micro-worker\`) built with the
  functions' release profile and target flags (the command refuses to run if
  \`bench/Cargo.toml\`'s profile differs from the root one) and the same wasm-bindgen step. The
  Worker times itself with \`Date.now()\` around ${r.micro["jwt-verify"].n} verifications (${r.micro["argon2-hash"].n} hashes) per request
  (workerd's clock has 1 ms steps, so the Worker's per-operation times are multiples of 1/n ms).
  jose runs in the same workerd process (\`bench/workers/jose-micro.mjs\`, keys imported once,
  claims shaped like ours). One untimed warm-up per contender, then ${r.rounds} interleaved rounds.
  \`token::verify\` is the cold path: every call checks the signature (only the public key's
  derivation from the seed is kept per configuration, as jose keeps its imported key). The
  repeated-token row times \`token::verify\` with a memory on a token it has seen (what an
  authenticated request runs when the client reuses its access token: times re-checked,
  signature not) against jose's \`jwtVerify\`, which has no such memory. The WebCrypto
  row is what the api Worker runs the first time it sees a token: the core's steps 1–4
  and 6–7 around \`crypto.subtle.verify("Ed25519")\` (\`shared/workers/src/webcrypto.rs\`,
  the public key imported once), over ${r.micro["jwt-verify"].n} distinct tokens so that each
  is a miss of the token memory; its native column is the software verifier (the only
  one native code has).
- **HTTP.** One \`workerd serve\` process (npm \`workerd\`, config written by
  \`bench/workerd.mjs\`, no Miniflare) serves: the empty Rust Worker
  (\`bench/empty-worker\`); the real \`api\`, \`login\` and \`refresh\` builds (\`build/workers/\`)
  sharing the \`AtomicShard\` Durable Object namespace (SQLite-backed objects as deployed,
  stored by workerd on tmpfs) and one KV namespace (\`bench/workers/kv-service.mjs\`, in
  memory); the same \`api\` build a second time with \`SESSION_CHECK=strict\` and a third
  with \`REQUEST_LOG=errors\` (docs/logging.md §2), on the same objects${r.http.baseline ? `; a baseline build (\`${r.http.baseline}\`, \`BENCH_BASELINE_DIR\`) with its own login and objects` : ""};
  and the Hono + jose worker (\`bench/workers/hono-jose.mjs\`, bundled by esbuild) bound to the
  same KV service, twice: as it is, and with \`REQUEST_LINE=1\` logging one object per
  request as the api does (\`workerd serve\` formats every logged object for its output,
  which is a fifth of the api's CPU time here; see "Where \`GET /api/me\`'s time goes"). A user is registered and logged in (token mode) through the real
  \`login\` function, the profile is read through \`GET /api/me\`, and the same user record is
  put in KV for Hono. The functions run the development configuration with
  \`REQUIRE_EMAIL_VERIFICATION=false\` and a per-user API limit too high to trip (each
  request is still counted). Per request the api checks the token (its signature once per
  isolate, then from the token cache), the session and the user, the per-user limit, the
  kill switch's cut-off (re-read at most every 5 s), decrypts the email, adds the security
  headers and logs one line. With \`SESSION_CHECK=cached\` the session and user records are
  read at most once per 5 s per isolate (\`memory::sessions\`) and the limit's counter is
  incremented once per block of positions (\`memory::leases\`): in the steady state no
  Durable Object call per request. With \`strict\` both are Durable Object calls on every
  request (the build's behaviour before \`SESSION_CHECK\`). Hono verifies the token with
  jose, reads one KV record (eventually consistent, no revocation check) and adds its secure
  headers. oha: one client thread, ${r.http.connections} keep-alive connections, ${r.http.seconds} s
  (requests still in flight at the end are awaited), after a 2 s warm-up per server; any
  non-2xx answer aborts the run. Not wrk, which the reports before 2026-12-04 used: its
  throughput agreed with the servers' own request counts, but its latencies could not be
  right. With one connection, its mean latency times its request count came to 1.6 to 15
  times the run's duration, against workerd and against a plain Node server alike; at 16
  connections its mean was 12 to 15 times what its own throughput allows (Little's law:
  16 / req/s), and its p99 of 150–450 ms for every server, the empty Worker included, was
  the tail those reports showed. oha's mean agrees with Little's law (bench/levers.md). The production latency model
  (which round trips each mode makes, to which location) is docs/benchmarks.md's section of
  that name, kept in \`bench/levers.md\`.
- **Sizes.** \`build/workers/<fn>/index_bg.wasm\` as \`node tools/build.mjs\` writes it (the
  file \`tests/budgets.test.mjs\` checks), gzip level 9.
- **Startup.** Time from spawning \`workerd serve\` with one function (and its bindings) to
  the first answer on a route that touches no storage (\`GET /api/health\`, \`GET
  /auth/login\` → 405, \`GET /auth/password/forgot\` → 405, \`GET /.well-known/jwks.json\`).
  workerd compiles the wasm and evaluates the modules (instantiating it) before it answers,
  so this is process start + compile + instantiate + first request; the JS hello-world row
  is workerd's own share. Median of ${r.startup.rounds} rounds after one warm-up round.

## Every round

${rounds(r)}
${existsSync(levers) ? `\n${readFileSync(levers, "utf8")}` : ""}`;
  writeFileSync(outFile, text);
}
