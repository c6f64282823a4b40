// Starts the product under test on the runtime named by EDGEAUTH_TARGET:
//   workers (default) — the four built Workers in one Miniflare instance;
//   spin              — the four Spin components on the local Spin host.
// Every test file calls `start()` once and `stop()` at the end; the same tests run
// unchanged against both runtimes (the contract suite).

import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";
import { developmentVars, mailOrigin, monitoringOrigins, startLocal } from "../../tools/local.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const TARGET = process.env.EDGEAUTH_TARGET ?? "workers";

/** Test keys (not `dev-`): usable with ENVIRONMENT=production/staging in tests only. */
export const TEST_KEYS = {
  JWT_SIGNING_KEYS: "test-sign-1:OpNVg-oJ8i_iLspEsXio__A2CI-duFJGXxP1Bh-0m3c",
  DATA_ENCRYPTION_KEYS: "test-data-1:ZVVV4f0TrU4rsRpAWk4cLk3RkBOso06T_LSpHOxSIUU",
  // RS256 ID tokens of the OAuth provider (docs/contract.md §11): a test-only RSA key.
  OIDC_RSA_SIGNING_KEYS: "test-rsa-1:MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDPPDAsNs4uD8JR0O3JKAwLt1o1Px-SAzO1A_QpmcqpJapgogIA-NsZN12Acq_fjAX0I9EQWH23rqlSmCH39swrtXH_X4fVCULydbiNAVCkE4-dZEvBz1QTJNENCCrxoC2z-5h9SEj8n_6BBogymbiW6aoO_6VxZtVB5h1XBVXzsbUyc60YPP3BlU6vusQvXtad0BgduBxMXgqarW2nbgTO--YwicROudG4uiO6sj6CU1Qhc6SFoZ-m-XWVYJ22HrUup7k_-vKlvqS9FiDlEj0rawb4IImJ01ljcaDCR3iKwK1K0RJDiLryGYu3fI7na7pd4BQOeIoAJ3WsVwZ6G9P5AgMBAAECggEAQybxQzqFKCbiJGnry52m_Zrt58grHkDcXgFIeryDj7kNUx_cP11kffDTYx6GwA0bFsgOZFoQbtdxtbpnc3btJRK4PHTDyrQkFfYwlbyB2ZEfHfTUmZpp14Q8G5l0dPSfKq3R9XLZd8cOjNfFhYQLbReNjCup_CvC2gZLppmrhvoO4aWevqUZ1h-CWoNRw2LDs_GblmR-TkmQyBbOSO6FmBU-DqsdkSaBXkrDRm1csM_70Zl1BQKKtVBy2Dq1iFBJCYPx0ELlAYf5E9TkLLZCP_8CBClp53tjVOJvPT87tHPYp1KXd5ANf8OZNOeKYKwAYqlBomHaxX-bbff1hnpHowKBgQDwOlQHwpFZNxhUDNLMD19Tf9gZN35UKaDEMUVt-SahAnMWBaRaNFvHdVsIPA1B0eiJz68f06ODvqxYw4rBqelgUaKvsH1y94XWrCe51OKdgK0b7BXLH87wYIYR5mGoBJAoeMFYlD9AtncgiTbxWtfhu5iEXPndy0gMEn_lhV-7wwKBgQDc11QoUWk3J103FBRq7PVFR6ZzgS0S3x62ZfCAef5tqJCrz8W_-kPHVnuRWfRMtlcGZ7dJb0f0HdWWkGt5OQxMjdUcH054VxKUADxg4kna79q_Mip1fxROfNzKHiaY4Jr18KKgbBTsl5xbAmI98lbAkhs-nh9-KMb6fFTtAcfBkwKBgHyZRExiFpF3ih7OJ-e_cWoVvTgXGGb-0GvyQliwCeEpLBgYBQ7kaVYjAHxc6WNiRIJ2Phb75qvGkg3YHngkcO-MaB1IJUkkKT8XO-OfD4sx2pfI8-TPMr5q0h8mpzBGbZ8QQvh2q_gcq90sTlsRCzgB3TGKJ-9qKIxabAvYCbeRAoGBAK1Pr5QUj-Xg1p6q-3sOi03bdR2geqccwxWR2rR5CNs2NpMfc6m91gNSM5dWaQrq7lDwhD71PhqubzjCDhYMV0Kc7Goth3-ZldLgfIHsFNnk8l6qF_gtytnt07grAU9otTPdrUMIj0M9mE80B7Vlwf9OqmLx5PU1OzLI8D0v8HxRAoGAbbLlYPWn9oUFpcH_dG80m-fL2ySf0LLnY84T7zBWxgLTqrE8g1sI4eDbYZ5cPZExahNxcrQYBkULN0cKxfx_kgXZ4IteAKN8uKqtvUYug9pCsweiGXt_wAwwXEq4iIGtU_7ARWu5pFpaKYKvoHIU3Zf_uWfkXGtkOVIx7Ed7H0k",
};

/** The development config plus overrides; `null` removes a variable. */
export function configWith(overrides = {}) {
  const vars = { ...developmentVars({}) };
  for (const [name, value] of Object.entries(overrides)) {
    if (value === null) delete vars[name];
    else vars[name] = String(value);
  }
  return vars;
}

/**
 * Starts the runtime with `vars` (default: development config), on `port` (0: any free one).
 * `withE2eStatic` adds the browser suite's test pages under /__e2e/ (Workers only).
 * `state`: a directory (created and removed by the caller) that keeps the stores on
 * disk, so a later `start` with the same `state` sees the same data — a restart with
 * new configuration (key rotation). Without it the stores live and die with the run.
 * `shardRecords(dump, shard)` picks one atomic-store shard's records out of a
 * `dumpStore` result, on either runtime. `logs()`: the functions' output lines so far,
 * as the runtime prints them (Spin: the host's stderr, JSON lines; Workers: workerd's,
 * where a logged object spans several lines).
 *
 * `spin` (Spin host only): `clientAddrFromHeader` — the request header the host takes
 * `spin-client-addr` from, so a test can act as many clients (default
 * `cf-connecting-ip`, the header the tests set on both runtimes; `null`: the socket's
 * peer, as real Spin does); `kvStats` — print each request's key-value use (read it
 * with `logs()`); `mailOrigin` — the `mail_origin` variable (default: the origin of
 * `MAIL_HTTP_URL`, as tools/dev-spin.mjs sets it; `null`: the manifest's default);
 * `clockOffsetSecs` — the components' wall clock runs this far ahead of the host's
 * (tests that let stored data expire without waiting).
 * @returns {Promise<{url: string, target: string, stop: () => Promise<void>, logs: () => string[]}>}
 */
export async function start({ vars = configWith(), withContractWorker = false, withE2eStatic = false, port = 0, state, spin = {} } = {}) {
  if (withE2eStatic && TARGET !== "workers") {
    throw new Error("the browser suite's page worker (withE2eStatic) runs in Miniflare only: EDGEAUTH_TARGET=workers");
  }
  if (TARGET === "workers") {
    // The functions' output (console.log lines, as workerd prints them), for `logs()`.
    const output = outputLines();
    const { mf, url } = await startLocal({
      port, persistRoot: state ?? false, quiet: !process.env.EDGEAUTH_TEST_VERBOSE, onRuntimeOutput: output.keep,
      vars, withContractWorker, withE2eStatic,
    });
    return {
      url, target: TARGET, stop: () => mf.dispose(),
      logs: output.lines,
      // Workers only (a documented platform difference: Spin has no cron trigger):
      // runs the `api` Worker's scheduled handler as a cron trigger would.
      scheduled: async (cron = "*/15 * * * *") => (await mf.getWorker("edgeauth-api")).scheduled({ cron }),
      // The KV namespace, for tests that must plant a record the API cannot write.
      kv: () => mf.getKVNamespace("EDGEAUTH_KV", "edgeauth-api"),
      // The records of one atomic-store shard in a `dumpStore` result: a shard is the
      // Durable Object `idFromName(shard)`, whose storage file is named by its id.
      shardRecords: async (dump, shard) => {
        const namespace = await mf.getDurableObjectNamespace("ATOMIC", "edgeauth-api");
        const store = `do:${String(await namespace.idFromName(shard).toString())}`;
        return dump.filter((record) => record.store === store);
      },
    };
  }
  if (TARGET === "spin") return startSpin(vars, withContractWorker, state, { ...spin, port });
  throw new Error(`unknown EDGEAUTH_TARGET ${TARGET}`);
}

/**
 * The runtime's output lines for `logs()`: `keep(line)` stores one (echoed to stderr
 * with EDGEAUTH_TEST_VERBOSE; the oldest half dropped past 20 000 lines), `lines()` is
 * a copy of those kept.
 */
function outputLines() {
  const kept = [];
  return {
    keep: (line) => {
      if (process.env.EDGEAUTH_TEST_VERBOSE) process.stderr.write(`${line}\n`);
      kept.push(line);
      if (kept.length > 20_000) kept.splice(0, 10_000);
    },
    lines: () => [...kept],
  };
}

/**
 * spin.toml as committed, with absolute component paths (the copy lives in a temporary
 * directory), the example component that protects its own routes with edgeauth
 * (examples/guard-spin, at /spin-app/...: one Spin app on one origin, as the example's
 * README suggests) and, for store tests, the test-only contract component.
 */
function testManifest(state, withContractWorker) {
  let manifest = readFileSync(join(root, "spin.toml"), "utf8")
    .replaceAll('source = "target/', `source = "${root}/target/`);
  manifest = withGuardExample(manifest);
  if (withContractWorker) {
    manifest += `
[[trigger.http]]
route = "/__contract/..."
component = "contract"

[component.contract]
source = "${root}/target/wasm32-wasip2/release/edgeauth_contract_worker.wasm"
key_value_stores = ["default"]
`;
  }
  const path = join(state, "spin.toml");
  writeFileSync(path, manifest);
  return path;
}

/**
 * Adds examples/guard-spin's variables (those edgeauth's manifest does not declare
 * already), route and component to edgeauth's manifest text.
 */
function withGuardExample(manifest) {
  const example = readFileSync(join(root, "examples/guard-spin/spin.toml"), "utf8");
  const section = (text, header) => {
    const start = text.indexOf(`${header}\n`);
    const rest = text.slice(start + header.length + 1);
    const next = rest.search(/^\[/m);
    return next < 0 ? rest : rest.slice(0, next);
  };
  const declared = new Set([...section(manifest, "[variables]").matchAll(/^([a-z_]+) = /gm)].map((m) => m[1]));
  const added = section(example, "[variables]").split("\n")
    .filter((line) => /^[a-z_]+ = /.test(line) && !declared.has(line.split(" ")[0])).join("\n");
  const component = example.slice(example.indexOf("[[trigger.http]]"))
    .replace('source = "../../target/', `source = "${root}/target/`);
  return `${manifest.replace("[variables]\n", `[variables]\n${added}\n`)}\n${component}`;
}

/** A port that was free a moment ago (the Spin example must know its origin up front). */
async function freePort() {
  const { createServer } = await import("node:net");
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

async function startSpin(vars, withContractWorker, keptState, options) {
  const { clientAddrFromHeader = "cf-connecting-ip", kvStats = false, clockOffsetSecs = 0 } = options;
  const port = options.port || await freePort();
  const state = mkdtempSync(join(tmpdir(), "edgeauth-spin-"));
  const kvDb = join(keptState ?? state, "kv.sqlite");
  const env = { ...process.env };
  for (const [name, value] of Object.entries(vars)) env[`SPIN_VARIABLE_${name}`] = value;
  const origin = options.mailOrigin === undefined ? mailOrigin(vars.MAIL_HTTP_URL) : options.mailOrigin;
  if (origin) env.SPIN_VARIABLE_MAIL_ORIGIN = origin;
  // The guard example: tokens are issued by PUBLIC_ORIGIN, edgeauth is reached here.
  env.SPIN_VARIABLE_EDGEAUTH_ORIGIN = vars.PUBLIC_ORIGIN;
  env.SPIN_VARIABLE_EDGEAUTH_URL = `http://127.0.0.1:${port}`;
  // Social sign-in: the generic provider `oidc` and GitHub may be local servers; the
  // manifest's templated outbound hosts (spin.toml) are set to their origins, as
  // tools/dev-spin.mjs does for mail.
  const oidcOrigin = mailOrigin(vars.OAUTH_OIDC_ISSUER);
  if (oidcOrigin) {
    for (const name of ["OAUTH_OIDC_ORIGIN", "OAUTH_OIDC_TOKEN_ORIGIN", "OAUTH_OIDC_JWKS_ORIGIN"]) env[`SPIN_VARIABLE_${name}`] = oidcOrigin;
  }
  const githubOrigin = mailOrigin(vars.OAUTH_GITHUB_URL);
  if (githubOrigin) {
    for (const name of ["OAUTH_GITHUB_ORIGIN", "OAUTH_GITHUB_API_ORIGIN"]) env[`SPIN_VARIABLE_${name}`] = githubOrigin;
  }
  // Webhooks and error reports may go to their configured receivers only.
  for (const [name, value] of Object.entries(monitoringOrigins(vars))) env[`SPIN_VARIABLE_${name.toUpperCase()}`] = value;
  // Compiled components are reused across the suite's many starts (the host keys them
  // by a hash of the wasm and its engine, so a rebuilt component compiles afresh).
  const args = ["--manifest", testManifest(state, withContractWorker), "--listen", `127.0.0.1:${port}`, "--kv-db", kvDb,
    "--compile-cache", join(root, ".edgeauth/wasmtime-cache")];
  if (clientAddrFromHeader) args.push("--client-addr-from-header", clientAddrFromHeader);
  if (kvStats) args.push("--kv-stats");
  if (clockOffsetSecs) args.push("--clock-offset-secs", String(clockOffsetSecs));
  const host = process.env.EDGEAUTH_SPIN_HOST ?? join(root, "tools/spin-host/target/release/edgeauth-spin-host");
  const child = spawn(host, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  const url = await new Promise((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error("spin host did not start")), 30_000);
    child.on("exit", (code) => reject(new Error(`spin host exited ${code}`)));
    createInterface({ input: child.stdout }).on("line", (line) => {
      const match = /serving on (http:\/\/\S+)/.exec(line);
      if (match) { clearTimeout(timer); resolveUrl(match[1].replace(/\/$/, "")); }
    });
  });
  // The host's stderr (component logs, kv-stats lines), kept for `logs()`.
  const output = outputLines();
  createInterface({ input: child.stderr }).on("line", output.keep);
  return {
    url, target: TARGET,
    logs: output.lines,
    stop: async () => { child.kill("SIGTERM"); rmSync(state, { recursive: true, force: true }); },
    // The records of one atomic-store shard in a `dumpStore` result (keys `<shard>/<name>`).
    shardRecords: async (dump, shard) => dump.filter((record) => record.store === "atomic"
      && record.key.startsWith(`${shard}/`)),
    // The raw rows of the host's store, expired or not (`dumpStore` is the logical view).
    rawKeys: () => rawSpinKeys(kvDb),
  };
}

/** How long a read of a runtime's SQLite file waits for the runtime's write lock. */
export const SQLITE_BUSY_WAIT_MS = 5_000;

/** Every key of the Spin host's SQLite store at `file`, with its raw value (text). */
export async function rawSpinKeys(file) {
  const { DatabaseSync } = await import("node:sqlite");
  const db = new DatabaseSync(file, { readOnly: true, timeout: SQLITE_BUSY_WAIT_MS });
  try {
    return db.prepare("SELECT key, value FROM spin_key_value").all()
      .map((row) => ({ key: row.key, value: Buffer.from(row.value).toString("utf8") }));
  } finally {
    db.close();
  }
}

/**
 * Every record the stores hold under a `state` directory (see `start({state})`), read
 * logically: `[{store, key, value}]` with values as text. Workers: KV entries
 * (`store: "kv"`) and every Durable Object's storage (`store: "do:<object id>"`,
 * keys are names within the shard; values are V8-serialized, decoded here); Spin:
 * the host's key-value table, records as `kv` and atomics as `atomic` with keys
 * `<shard>/<name>`, and each shard's index (shared/spin/src/shard_index.rs) as
 * `atomic-index` with key `<shard>/`. Call it while the server runs or after `stop()`.
 *
 * The view is logical, as the stores' contract defines it: a value whose expiry
 * envelope (`<expires_at_ms>|…`, see shared/primitives/src/store/envelope.rs) has passed
 * reads as absent and is left out — that covers expired records that a platform has
 * not reclaimed yet, and the Spin adapter's deletion tombstones (`wasi:keyvalue` has
 * no conditional delete, so a compare-and-swap to "absent" writes an expired value).
 */
export async function dumpStore(state) {
  const { DatabaseSync } = await import("node:sqlite");
  const { deserialize } = await import("node:v8");
  const { existsSync, readdirSync } = await import("node:fs");
  const rows = (file, sql) => {
    // The runtime may be writing (work after a response): wait for its lock rather than
    // fail with SQLITE_BUSY.
    const db = new DatabaseSync(file, { readOnly: true, timeout: SQLITE_BUSY_WAIT_MS });
    try { return db.prepare(sql).all(); } finally { db.close(); }
  };
  const text = (bytes) => Buffer.from(bytes).toString("utf8");
  const now = Date.now();
  const expired = (value) => {
    const match = /^(\d+)\|/.exec(value);
    return match !== null && Number(match[1]) !== 0 && Number(match[1]) <= now;
  };
  const records = [];
  const push = (record) => { if (!expired(record.value)) records.push(record); };
  if (TARGET === "spin") {
    // The Spin adapter (layout 2, shared/spin/src/layout.rs) prefixes record keys
    // with `r/`, atomic keys with `a/{shard length}/{shard}/` and shard indexes with
    // `x/{shard}`; they are reported as `kv`, `atomic` (key `<shard>/<name>`) and
    // `atomic-index` (key `<shard>/`). Its other keys (record indexes `y/`, family
    // directories `f/`, the expiry registry `e/`, markers `m/`) are `spin:<store>`.
    for (const row of rows(join(state, "kv.sqlite"), "SELECT store, key, value FROM spin_key_value")) {
      let store = `spin:${row.store}`;
      let key = row.key;
      const atomic = /^a\/(\d+)\//.exec(row.key);
      if (row.key.startsWith("r/")) [store, key] = ["kv", row.key.slice(2)];
      else if (atomic) [store, key] = ["atomic", row.key.slice(atomic[0].length)];
      else if (row.key.startsWith("x/")) [store, key] = ["atomic-index", `${row.key.slice(2)}/`];
      push({ store, key, value: text(row.value) });
    }
    return records;
  }
  const sqliteFiles = (dir) => (existsSync(dir) ? readdirSync(dir) : [])
    .filter((name) => name.endsWith(".sqlite") && name !== "metadata.sqlite")
    .map((name) => join(dir, name));
  for (const file of sqliteFiles(join(state, "kv/miniflare-KVNamespaceObject"))) {
    for (const row of rows(file, "SELECT key, blob_id FROM _mf_entries")) {
      const blob = join(state, "kv/edgeauth-kv/blobs", row.blob_id);
      push({ store: "kv", key: row.key, value: existsSync(blob) ? readFileSync(blob, "utf8") : "" });
    }
  }
  for (const file of sqliteFiles(join(state, "do/edgeauth-api-AtomicShard"))) {
    const object = file.split("/").pop().replace(/\.sqlite$/, "");
    // An object that has only ever been read (e.g. the kill switch's shard before it is
    // pulled) has a database but no storage table yet: it holds nothing.
    if (rows(file, "SELECT name FROM sqlite_master WHERE name = '_cf_KV'").length === 0) continue;
    for (const row of rows(file, "SELECT key, value FROM _cf_KV")) {
      let value;
      try { value = String(deserialize(Buffer.from(row.value))); } catch { value = text(row.value); }
      push({ store: `do:${object}`, key: row.key, value });
    }
  }
  return records;
}
