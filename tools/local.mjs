// One Miniflare instance serving all six functions on one origin, as in production:
// routing by path, one KV namespace and one Durable Object namespace shared by all.
// Used by the dev server (tools/dev.mjs) and the integration tests.

import { readdirSync, readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { dirname, extname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Miniflare, Log, LogLevel } from "miniflare";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Every configuration variable of docs/contract.md §8 (plus edgeauth's tuning knobs). */
export const CONFIG_VARIABLES = [
  "ENVIRONMENT", "PUBLIC_ORIGIN", "ALLOWED_ORIGINS", "JWT_SIGNING_KEYS", "DATA_ENCRYPTION_KEYS",
  "PASSWORD_PEPPER", "MAIL_TRANSPORT", "MAIL_FROM", "MAIL_HTTP_URL", "MAIL_HTTP_TOKEN",
  "REQUIRE_EMAIL_VERIFICATION", "BOOTSTRAP_ADMIN_EMAILS", "AUDIT_RETENTION_DAYS", "CLIENT_IP_HEADER",
  "PASSWORD_HASH_MEMORY_KIB", "PASSWORD_HASH_ITERATIONS", "PASSWORD_HASH_PARALLELISM",
  "PASSWORD_MIN_LENGTH", "RATE_LIMIT_LOGIN_PER_IP", "RATE_LIMIT_REGISTER_PER_IP",
  "RATE_LIMIT_FORGOT_PER_IP", "RATE_LIMIT_REFRESH_PER_IP", "RATE_LIMIT_API_PER_USER",
  "RATE_LIMIT_SESSIONS_PER_USER", "LOCKOUT_FAILURES", "LOCKOUT_BASE_SECS", "LOCKOUT_MAX_SECS", "ACCESS_TOKEN_TTL_SECS",
  "SESSION_IDLE_TIMEOUT_SECS", "SESSION_ABSOLUTE_LIFETIME_SECS", "SESSIONS_REVOKED_BEFORE", "SESSION_CHECK", "REQUEST_LOG",
  "PRODUCT_NAME", "BRAND_COLOR", "RETURN_TO_PATHS", "RATE_LIMIT_OAUTH_PER_IP", "OAUTH_PROVIDERS",
  "OAUTH_GOOGLE_CLIENT_ID", "OAUTH_GOOGLE_CLIENT_SECRET", "OAUTH_GOOGLE_LABEL",
  "OAUTH_MICROSOFT_CLIENT_ID", "OAUTH_MICROSOFT_CLIENT_SECRET", "OAUTH_MICROSOFT_TENANT", "OAUTH_MICROSOFT_LABEL",
  "OAUTH_APPLE_CLIENT_ID", "OAUTH_APPLE_TEAM_ID", "OAUTH_APPLE_KEY_ID", "OAUTH_APPLE_PRIVATE_KEY", "OAUTH_APPLE_LABEL",
  "OAUTH_GITHUB_CLIENT_ID", "OAUTH_GITHUB_CLIENT_SECRET", "OAUTH_GITHUB_URL", "OAUTH_GITHUB_LABEL",
  "WEBHOOK_ENDPOINTS", "WEBHOOK_SECRETS", "WEBHOOK_MAX_ATTEMPTS", "WEBHOOK_RETRY_BASE_SECS",
  "WEBHOOK_RETRY_MAX_SECS", "ALERT_ERROR_BURST", "ALERT_MFA_FAILURES", "SENTRY_DSN", "METRICS_FLUSH_SECS",
  "TRUSTED_PROXY_PROTO_HEADER",
  "OIDC_RSA_SIGNING_KEYS", "OAUTH_RESOURCES", "OAUTH_SCOPES", "OAUTH_DYNAMIC_REGISTRATION",
  "OAUTH_REGISTRATION_ALLOWLIST", "RATE_LIMIT_OAUTH_PROVIDER_PER_IP", "RATE_LIMIT_OAUTH_REGISTER_PER_IP",
  "PASSKEYS",
];

/**
 * A generic sign-in provider's variables are named after it (`OAUTH_<NAME>_…`): the
 * development config takes them from the environment too, for every name that
 * OAUTH_PROVIDERS lists.
 */
function oauthVariables(env) {
  const names = (env.OAUTH_PROVIDERS ?? "").split(",").map((name) => name.trim()).filter(Boolean);
  return names.flatMap((name) => ["CLIENT_ID", "CLIENT_SECRET", "ISSUER", "LABEL"]
    .map((suffix) => `OAUTH_${name.toUpperCase()}_${suffix}`));
}

/** Reads a KEY=VALUE file (comments and blank lines ignored). */
export function readEnvFile(path) {
  const vars = {};
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith("#")) continue;
    const at = trimmed.indexOf("=");
    if (at > 0) vars[trimmed.slice(0, at)] = trimmed.slice(at + 1);
  }
  return vars;
}

/** The development config, with any §8 variable overridden from `env`. */
export function developmentVars(env = process.env) {
  const vars = readEnvFile(join(root, "config/development.env"));
  for (const name of [...CONFIG_VARIABLES, ...oauthVariables(env)]) {
    if (env[name] !== undefined) vars[name] = env[name];
  }
  return vars;
}

/**
 * The origin (`scheme://host:port`) of `MAIL_HTTP_URL`, in the form Spin's
 * `allowed_outbound_hosts` takes: the value of spin.toml's `mail_origin` variable.
 * `undefined` when the URL is missing or not an http(s) URL.
 */
export function mailOrigin(mailHttpUrl) {
  let url;
  try { url = new URL(mailHttpUrl); } catch { return undefined; }
  if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  return `${url.protocol}//${url.hostname}:${port}`;
}

/**
 * The Spin outbound-host variables of the monitoring endpoints, in `mailOrigin`'s form:
 * `webhook_origin` from the first endpoint of `WEBHOOK_ENDPOINTS`, `sentry_origin`
 * from `SENTRY_DSN` (without its key). Unset ones are left out.
 */
export function monitoringOrigins(vars) {
  const origins = {};
  const firstUrl = (vars.WEBHOOK_ENDPOINTS ?? "").split(";")[0].split("=").slice(1).join("=").split("|")[0].trim();
  const webhook = mailOrigin(firstUrl);
  if (webhook) origins.webhook_origin = webhook;
  const sentry = mailOrigin((vars.SENTRY_DSN ?? "").replace(/\/\/[^@/]*@/, "//"));
  if (sentry) origins.sentry_origin = sentry;
  return origins;
}

/** Path routes of each function, in Miniflare's `routes` syntax (host `*`). */
// Patterns end in `*` so that a query string still matches (Miniflare matches the
// whole URL); a near-miss such as `/auth/loginx` reaches the function, which answers 404.
export const ROUTES = {
  // Routes generated from the route tables (cargo xtask manifests): edit those, not these lines.
  login: ["*/auth/register*", "*/auth/login*", "*/auth/passkey/*", "*/auth/oauth/*"],
  reset: ["*/auth/password/*", "*/auth/email/*", "*/auth/security/*"],
  refresh: ["*/auth/session*", "*/auth/introspect*", "*/.well-known/jwks.json*"],
  api: ["*/api/*"],
  pages: ["*/sign-in*", "*/sign-up*", "*/verify-email*", "*/forgot-password*", "*/reset-password*", "*/security-alert*", "*/account*", "*/admin*", "*/consent*", "*/assets/*"],
  oauth: ["*/.well-known/openid-configuration*", "*/.well-known/oauth-authorization-server*", "*/.well-known/oauth-protected-resource*", "*/oauth/authorize*", "*/oauth/continue*", "*/oauth/requests/*", "*/oauth/token*", "*/oauth/revoke*", "*/oauth/introspect*", "*/oauth/userinfo*", "*/oauth/end-session*", "*/oauth/register*", "*/oauth/consents*", "*/oauth/admin/*"],
  // (end of generated routes)
  // `api` is listed first below: Miniflare sends unmatched paths to the first worker,
  // so every path nobody owns gets the layer's 404 problem body.
  contract: ["*/__contract/*"],
  "e2e-static": ["*/__e2e/*"],
  // The example app (examples/protected-app): a JavaScript Worker beside the functions.
  example: ["*/example*"],
  // Your own API protected by edgeauth (README "Protect your own API"): a Rust Worker
  // and a Hono Worker, each with its wrangler.toml routes.
  "guard-worker": ["*/rust-app*"],
  "guard-hono": ["*/hono-app*"],
};

const DURABLE_OBJECT_HOST = "api";
/** Functions that read no store (their wrangler.toml binds none): no KV, no Durable Object. */
const STORELESS = ["pages"];

/** The security-webhook Queue (`[[queues.*]]` in the wrangler configs): every function produces, `refresh` consumes. */
export const WEBHOOK_QUEUE = "edgeauth-webhooks";
/** The Analytics Engine dataset metrics go to (a no-op locally: Miniflare's simulator keeps nothing). */
const METRICS_DATASET = "edgeauth_metrics";
/** Service bindings (wrangler.toml `[[services]]`): `api` forwards its password routes to `login`, its monitoring admin routes to `refresh`, requests bearing an OAuth client's token to `oauth`. */
const SERVICE_BINDINGS = { api: { LOGIN: "edgeauth-login", REFRESH: "edgeauth-refresh", OAUTH: "edgeauth-oauth" } };

function workerOptions(name, vars) {
  const dir = join(root, "build/workers", name);
  return {
    name: `edgeauth-${name}`,
    modules: true,
    scriptPath: join(dir, "shim.mjs"),
    modulesRoot: dir,
    modulesRules: [
      { type: "ESModule", include: ["**/*.js", "**/*.mjs"] },
      { type: "CompiledWasm", include: ["**/*.wasm"] },
    ],
    compatibilityDate: "2026-07-01",
    routes: ROUTES[name],
    bindings: vars,
    serviceBindings: SERVICE_BINDINGS[name] ?? {},
    ...(STORELESS.includes(name) ? {} : {
      kvNamespaces: { EDGEAUTH_KV: "edgeauth-kv" },
      durableObjects: {
        ATOMIC: name === DURABLE_OBJECT_HOST
          ? { className: "AtomicShard", useSQLite: true }
          : { className: "AtomicShard", scriptName: `edgeauth-${DURABLE_OBJECT_HOST}` },
      },
    }),
    // The pages Worker reads no store and raises no alert: no Queue for it.
    queueProducers: ["contract", ...STORELESS].includes(name) ? {} : { WEBHOOKS: { queueName: WEBHOOK_QUEUE } },
    // The core decides when to give up (WEBHOOK_MAX_ATTEMPTS ≤ 50): the queue's own
    // limit is above it. Small batches, flushed after a second.
    queueConsumers: name === "refresh"
      ? { [WEBHOOK_QUEUE]: { maxBatchSize: 10, maxBatchTimeout: 1, maxRetries: 100 } } : {},
    analyticsEngineDatasets: name === "contract" ? {} : { METRICS: { dataset: METRICS_DATASET } },
  };
}

const CONTENT_TYPES = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8", ".json": "application/json", ".svg": "image/svg+xml", ".ts": "text/plain; charset=utf-8",
};

/** Every file under `dir` (recursively, skipping `test/` and `node_modules/`) as `{urlPrefix + path: {type, body}}`. */
function staticFiles(dir, urlPrefix) {
  const files = {};
  const walk = (at) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "test" && entry.name !== "node_modules") walk(path);
      } else if (CONTENT_TYPES[extname(entry.name)]) {
        files[`${urlPrefix}${relative(dir, path)}`] = { type: CONTENT_TYPES[extname(entry.name)], body: readFileSync(path, "utf8") };
      }
    }
  };
  walk(dir);
  return files;
}

/**
 * Test-only worker of the browser suite (tests/e2e): serves tests/e2e/fixtures/ and the
 * browser client (clients/js/) under /__e2e/ on this origin, read from disk now.
 */
function e2eStaticWorker() {
  return {
    name: "edgeauth-e2e-static",
    modules: true,
    scriptPath: join(root, "tests/e2e/harness/static-worker.mjs"),
    modulesRoot: join(root, "tests/e2e/harness"),
    compatibilityDate: "2026-07-01",
    routes: ROUTES["e2e-static"],
    bindings: {
      FILES: { ...staticFiles(join(root, "tests/e2e/fixtures"), "/__e2e/"), ...staticFiles(join(root, "clients/js"), "/__e2e/client/") },
    },
  };
}

/** The example app of examples/protected-app (its wrangler.toml routes it at /example*). */
function exampleWorker() {
  const dir = join(root, "examples/protected-app");
  return {
    name: "edgeauth-example",
    modules: true,
    scriptPath: join(dir, "worker.mjs"),
    modulesRoot: dir,
    modulesRules: [
      { type: "Text", include: ["static/**"], fallthrough: false },
      { type: "ESModule", include: ["**/*.mjs"] },
    ],
    compatibilityDate: "2026-07-01",
    routes: ROUTES.example,
  };
}

/**
 * The Workers of examples/guard-worker and examples/guard-hono as tools/build.mjs
 * writes them: each reaches edgeauth's `refresh` Worker over the service binding
 * EDGEAUTH and reads the guard's variables (the tokens' issuer is PUBLIC_ORIGIN; the
 * session-check mode follows edgeauth's).
 */
function guardExampleWorkers(vars) {
  const bindings = {
    EDGEAUTH_ORIGIN: vars.PUBLIC_ORIGIN,
    ...(vars.SESSION_CHECK ? { SESSION_CHECK: vars.SESSION_CHECK } : {}),
  };
  const rust = join(root, "build/examples/guard-worker");
  const hono = join(root, "build/examples/guard-hono");
  return [
    {
      name: "edgeauth-example-rust",
      modules: true,
      scriptPath: join(rust, "shim.mjs"),
      modulesRoot: rust,
      modulesRules: [
        { type: "ESModule", include: ["**/*.js", "**/*.mjs"] },
        { type: "CompiledWasm", include: ["**/*.wasm"] },
      ],
      compatibilityDate: "2026-07-01",
      routes: ROUTES["guard-worker"],
      bindings,
      serviceBindings: { EDGEAUTH: "edgeauth-refresh" },
    },
    {
      name: "edgeauth-example-hono",
      modules: true,
      scriptPath: join(hono, "index.mjs"),
      modulesRoot: hono,
      compatibilityDate: "2026-07-01",
      routes: ROUTES["guard-hono"],
      bindings,
      serviceBindings: { EDGEAUTH: "edgeauth-refresh" },
    },
  ];
}

/**
 * Starts all six functions on one origin, the example app under /example/, and the
 * guard examples under /rust-app/ and /hono-app/.
 * @param {{port?: number, host?: string, persistRoot?: string|false, vars?: object, quiet?: boolean,
 *          onRuntimeOutput?: (line: string) => void, withContractWorker?: boolean,
 *          withE2eStatic?: boolean}} options
 */
export async function startLocal(options = {}) {
  const vars = options.vars ?? developmentVars();
  const order = ["api", "login", "reset", "refresh", "pages", "oauth"];
  // Test-only worker that runs the store contract against this KV + Durable Object.
  if (options.withContractWorker) order.push("contract");
  const mf = new Miniflare({
    host: options.host ?? "127.0.0.1",
    port: options.port ?? 8787,
    // No outbound calls: no cf.json fetch, no telemetry.
    cf: false,
    defaultPersistRoot: options.persistRoot === false ? undefined : (options.persistRoot ?? join(root, ".edgeauth/state")),
    log: options.quiet ? new Log(LogLevel.WARN) : new Log(LogLevel.INFO),
    // Quiet runs drop the functions' own log lines, tests take them line by line
    // (`onRuntimeOutput`); dev shows them.
    ...(options.quiet || options.onRuntimeOutput ? { handleRuntimeStdio(stdout, stderr) {
      for (const stream of [stdout, stderr]) {
        if (options.onRuntimeOutput) createInterface({ input: stream }).on("line", options.onRuntimeOutput);
        else stream.resume();
      }
    } } : {}),
    workers: [
      ...order.map((name) => workerOptions(name, vars)),
      exampleWorker(),
      ...guardExampleWorkers(vars),
      // Test-only: the browser suite's pages on this origin (tests/e2e/harness/static-worker.mjs).
      ...(options.withE2eStatic ? [e2eStaticWorker()] : []),
    ],
  });
  const url = await mf.ready;
  return { mf, url: url.toString().replace(/\/$/, "") };
}
