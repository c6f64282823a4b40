// `bash tools/deploy.sh ENV --dry-run`: the whole first deploy of an environment, offline.
// Every step runs as `wrangler deploy --dry-run` on the prebuilt Workers, and the
// secret and KV commands are printed instead of run.
//
// What is proved: the bootstrap order — api without its LOGIN service binding, then
// login, reset, refresh, pages, oauth, then api with it — and that each step's config resolves and
// bundles with its bindings and secrets; that the script gathers the secrets and the
// KV namespace first; and that it refuses to deploy when the config doctor finds an
// error. What a dry run cannot prove: how Cloudflare's API answers (e.g. whether it
// refuses a binding to a Worker that does not exist yet).

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const CONFIGS = ["wrangler.toml", "functions/login/wrangler.toml", "functions/reset/wrangler.toml",
  "functions/refresh/wrangler.toml", "functions/pages/wrangler.toml", "functions/oauth/wrangler.toml"];

function deploy(args, secrets = {}) {
  const env = { ...process.env, EDGEAUTH_PREBUILT: "1" };
  // Secrets exported in the caller's shell would be taken as the values to deploy.
  for (const name of ["JWT_SIGNING_KEYS", "DATA_ENCRYPTION_KEYS", "MAIL_HTTP_TOKEN", "PASSWORD_PEPPER", "WEBHOOK_SECRETS",
    "SENTRY_DSN", "OIDC_RSA_SIGNING_KEYS"]) delete env[name];
  Object.assign(env, secrets);
  const result = spawnSync("bash", ["tools/deploy.sh", ...args], { cwd: root, env, encoding: "utf8", timeout: 300_000 });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

// Production only: tools/deploy-dry-run.mjs checks every config of both environments.
for (const env of ["production"]) {
  test(`the ${env} dry run deploys api without LOGIN, then login, reset, refresh, pages, oauth, then api with LOGIN`, () => {
    const before = Object.fromEntries(CONFIGS.map((c) => [c, readFileSync(join(root, c), "utf8")]));
    const { code, output } = deploy([env, "--dry-run"]);
    assert.equal(code, 0, output);
    const steps = output.split(/^--- step /m).slice(1);
    assert.deepEqual(steps.map((step) => step.split(":")[1].trim()), [
      "api without its LOGIN binding (login does not exist yet)", "login", "reset", "refresh", "pages", "oauth",
      "api with its LOGIN binding"]);
    const configs = steps.map((step) => /-c (\S+)/.exec(step)[1]);
    assert.deepEqual(configs, ["wrangler.bootstrap.toml", ...CONFIGS.slice(1), "wrangler.toml"]);
    for (const [index, step] of steps.entries()) {
      assert.match(step, /--dry-run: exiting now/, step);
      // pages (step 5) reads no store: no KV namespace, no Durable Object.
      const storeless = index === 4;
      assert.equal(/env\.ATOMIC \(AtomicShard/.test(step), !storeless, step);
      assert.equal(/env\.EDGEAUTH_KV/.test(step), !storeless, step);
    }
    assert.doesNotMatch(steps[0], /env\.LOGIN/, "the bootstrap api has no LOGIN binding");
    assert.match(steps[6], new RegExp(`env\\.LOGIN \\(edgeauth-login-${env}\\)`));
    // Each Worker's secrets travel with its first upload, never in clear.
    for (const index of [0, 1, 2, 3, 4, 5]) {
      for (const secret of ["JWT_SIGNING_KEYS", "DATA_ENCRYPTION_KEYS", "MAIL_HTTP_TOKEN"]) {
        assert.match(steps[index], new RegExp(`env\\.${secret} \\("\\(hidden\\)"\\)`), `${secret} in step ${index + 1}`);
      }
    }
    assert.doesNotMatch(output, /dry-run-placeholder/);
    assert.doesNotMatch(steps[6], /--secrets-file/, "api's secrets went with its first step");
    // The commands it would run against the account.
    for (const config of CONFIGS) assert.match(output, new RegExp(`would run: .*secret list --env ${env} -c ${config}`));
    assert.match(output, new RegExp(`would run: .*kv namespace create EDGEAUTH_KV --env ${env}`));
    // The webhook Queue every config binds, checked and created before any Worker deploys.
    assert.match(output, new RegExp(`would run: npx wrangler queues info edgeauth-webhooks-${env}\n`));
    assert.match(output, new RegExp(`would create it when missing: npx wrangler queues create edgeauth-webhooks-${env}\n`));
    assert.ok(output.indexOf("queues create") < output.indexOf("--- step 1/"), "the Queue before the Workers");
    // No endpoint configured, no DSN exported: neither secret is asked for.
    assert.doesNotMatch(output, /WEBHOOK_SECRETS|SENTRY_DSN/);
    assert.match(output, new RegExp(`edgeauth-doctor: 0 error\\(s\\)`));
    assert.match(output, new RegExp(`deploy dry run of ${env}: 7 steps passed`));
    // Nothing written: configs untouched, no bootstrap config left behind.
    for (const config of CONFIGS) assert.equal(readFileSync(join(root, config), "utf8"), before[config], config);
    assert.ok(!existsSync(join(root, "wrangler.bootstrap.toml")));
  });
}

/** The five configs copied under a temporary directory, with the repository's build and tools. */
function copyOfConfigs(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const config of CONFIGS) {
    mkdirSync(dirname(join(dir, config)), { recursive: true });
    cpSync(join(root, config), join(dir, config));
  }
  // The configs' `main` and `[build]` paths are relative: the prebuilt Workers and the
  // build script (which reuses them, EDGEAUTH_PREBUILT=1) are the repository's.
  for (const link of ["build", "tools"]) symlinkSync(join(root, link), join(dir, link));
  return dir;
}

test("with webhook endpoints configured and a Sentry DSN exported, both secrets go to every Worker", () => {
  const dir = copyOfConfigs("edgeauth-deploy-webhooks-");
  try {
    for (const config of CONFIGS) {
      const path = join(dir, config);
      const text = readFileSync(path, "utf8");
      const withEndpoints = text.replace(/(\[env\.production\][^]*?vars = \{ )/, '$1WEBHOOK_ENDPOINTS = "siem=https://siem.example.net/edgeauth", ');
      assert.notEqual(withEndpoints, text, config);
      writeFileSync(path, withEndpoints);
    }
    const dsn = "https://publickey@o1.ingest.example.io/42";
    const { code, output } = deploy(["production", "--dry-run", "--root", dir], { SENTRY_DSN: dsn });
    assert.equal(code, 0, output);
    assert.match(output, /would prompt for WEBHOOK_SECRETS \(or take it from the environment\)/);
    assert.doesNotMatch(output, /would prompt for SENTRY_DSN/, "the exported DSN is used");
    for (const worker of ["api", "login", "reset", "refresh", "pages"]) {
      assert.match(output, new RegExp(`^${worker}: .*\\bWEBHOOK_SECRETS SENTRY_DSN$`, "m"), worker);
    }
    const steps = output.split(/^--- step /m).slice(1);
    assert.equal(steps.length, 6, output);
    for (const index of [0, 1, 2, 3, 4]) {
      for (const secret of ["WEBHOOK_SECRETS", "SENTRY_DSN"]) {
        assert.match(steps[index], new RegExp(`env\\.${secret} \\("\\(hidden\\)"\\)`), `${secret} in step ${index + 1}`);
      }
    }
    // The doctor checked the endpoints' Queue bindings with them configured.
    assert.match(output, /edgeauth-doctor: 0 error\(s\)/);
    assert.ok(!output.includes("publickey"), "the DSN is never printed");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the deploy script refuses to deploy when the config doctor reports an error", () => {
  const dir = mkdtempSync(join(tmpdir(), "edgeauth-deploy-bad-"));
  try {
    for (const config of CONFIGS) {
      mkdirSync(dirname(join(dir, config)), { recursive: true });
      cpSync(join(root, config), join(dir, config));
    }
    // One insecure setting in one Worker's production section: a wildcard CORS origin.
    const reset = join(dir, "functions/reset/wrangler.toml");
    const text = readFileSync(reset, "utf8");
    const bad = text.replace(/(\[env\.production\][^]*?ALLOWED_ORIGINS = ")[^"]*"/, '$1*"');
    assert.notEqual(bad, text);
    writeFileSync(reset, bad);
    const { code, output } = deploy(["production", "--dry-run", "--root", dir]);
    assert.equal(code, 1, output);
    assert.match(output, /error\[wildcard-origin\] functions\/reset\/wrangler\.toml \[env\.production\] ALLOWED_ORIGINS/);
    assert.match(output, /refusing to deploy: the config doctor reported errors/);
    assert.doesNotMatch(output, /--- step /, "no wrangler deploy ran");
    assert.doesNotMatch(output, /kv namespace create/, "nothing after the doctor ran");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("secrets to be deployed are checked by the doctor first: a development key is refused", () => {
  // The published development signing key of config/development.env.
  const material = "7rpAkmsWGjVxwmG0gHkb4PsVjAMLiezd_Ys3xF3wobQ";
  const { code, output } = deploy(["production", "--dry-run"], { JWT_SIGNING_KEYS: `prod-sign-1:${material}` });
  assert.equal(code, 1, output);
  assert.match(output, /error\[development-key\] wrangler\.toml \[env\.production\] JWT_SIGNING_KEYS/);
  assert.match(output, /refusing to deploy/);
  assert.doesNotMatch(output, /--- step /);
  assert.ok(!output.includes(material), "the value is never printed");
});
