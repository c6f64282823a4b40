// The configuration surface is declared once (shared/core/src/config.rs
// VARIABLES) and every deploy manifest and local server must agree with it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { CONFIG_VARIABLES, ROUTES } from "../tools/local.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const read = (path) => readFileSync(join(root, path), "utf8");
const coreSource = read("shared/core/src/config.rs");
const section = (name) => coreSource.split(`pub const ${name}: &[&str] =`)[1].split("];")[0];
const coreVariables = [...section("VARIABLES").matchAll(/"([A-Z_]+)"/g)].map((m) => m[1]);
const coreSecrets = [...section("SECRET_VARIABLES").matchAll(/"([A-Z_]+)"/g)].map((m) => m[1]);

test("the local servers know every configuration variable of the core", () => {
  assert.deepEqual([...CONFIG_VARIABLES].sort(), [...coreVariables].sort());
});

test("spin.toml declares every variable, secrets marked secret, mapped into all six components", () => {
  const spin = read("spin.toml");
  for (const name of coreVariables) {
    const low = name.toLowerCase();
    const declaration = new RegExp(`^${low} = \\{[^}]*\\}`, "m").exec(spin);
    assert.ok(declaration, `${low} not declared`);
    assert.equal(/secret = true/.test(declaration[0]), coreSecrets.includes(name), `${low} secret flag`);
    const uses = spin.split(`${low} = "{{ ${low} }}"`).length - 1;
    assert.equal(uses, 6, `${low} mapped into ${uses} components`);
  }
});

test("spin.toml routes every path of docs/contract.md §1 to the same function as the Workers routes", () => {
  const spin = read("spin.toml");
  const triggers = [...spin.matchAll(/route = "([^"]+)"\ncomponent = "([a-z]+)"/g)].map((m) => [m[1], m[2]]);
  const owners = Object.fromEntries(triggers);
  for (const fn of ["login", "reset", "refresh", "api", "pages", "oauth"]) assert.ok(triggers.some(([, c]) => c === fn), fn);
  assert.equal(owners["/..."], "api", "catch-all goes to api (404 through the layer)");
  for (const [fn, patterns] of Object.entries(ROUTES)) {
    if (fn === "contract") continue;
    assert.ok(patterns.length > 0, fn);
  }
});

test("no wrangler.toml holds a secret in plain text", () => {
  for (const path of ["wrangler.toml", "functions/login/wrangler.toml", "functions/reset/wrangler.toml",
    "functions/refresh/wrangler.toml", "functions/pages/wrangler.toml", "functions/oauth/wrangler.toml"]) {
    const text = read(path);
    for (const secret of coreSecrets) assert.ok(!new RegExp(`\\b${secret}\\s*=`).test(text), `${secret} in ${path}`);
  }
});
