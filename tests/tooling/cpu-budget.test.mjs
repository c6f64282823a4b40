// tools/cpu-budget.mjs's arithmetic, and that what it wrote is what the configs use:
// each Worker's `[limits] cpu_ms` is the value the README's measured table gives it,
// and the config doctor's model is the one measured with it. (The measuring itself
// takes minutes and is not part of the test command: `node tools/cpu-budget.mjs`.)

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { BEGIN, cpuMsRule, END, fitLine, percentile, writeBetweenMarkers } from "../../tools/cpu-budget/report.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const read = (path) => readFileSync(join(root, path), "utf8");
const CONFIGS = { api: "wrangler.toml", login: "functions/login/wrangler.toml",
  reset: "functions/reset/wrangler.toml", refresh: "functions/refresh/wrangler.toml",
  pages: "functions/pages/wrangler.toml", oauth: "functions/oauth/wrangler.toml" };

test("the cpu_ms rule is 3x the worst case rounded up to 50 ms", () => {
  assert.equal(cpuMsRule(0.4), 50);
  assert.equal(cpuMsRule(16.7), 100);
  assert.equal(cpuMsRule(72.8), 250);
  assert.equal(cpuMsRule(100), 300);
  assert.equal(cpuMsRule(104), 350);
});

test("percentiles are nearest-rank and the fitted line passes through collinear points", () => {
  assert.equal(percentile([5, 1, 4, 2, 3], 50), 3);
  assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90), 9);
  assert.equal(percentile([7], 90), 7);
  const line = fitLine([[10, 21], [20, 41], [40, 81]]);
  assert.ok(Math.abs(line.fixed - 1) < 1e-9 && Math.abs(line.slope - 2) < 1e-9 && line.maxResidual < 1e-9, JSON.stringify(line));
});

test("the generated section replaces only what lies between the markers", () => {
  const dir = mkdtempSync(join(tmpdir(), "edgeauth-cpu-"));
  try {
    const file = join(dir, "README.md");
    writeFileSync(file, `before\n${BEGIN}\nold\n${END}\nafter\n`);
    writeBetweenMarkers(file, `${BEGIN}\nnew\n${END}`);
    assert.equal(readFileSync(file, "utf8"), `before\n${BEGIN}\nnew\n${END}\nafter\n`);
    writeFileSync(file, "no markers\n");
    assert.throws(() => writeBetweenMarkers(file, "x"), /markers are missing/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the checks cover every function's config", () => {
  const functions = readdirSync(join(root, "functions")).filter((name) => existsSync(join(root, "functions", name, "wrangler.toml")));
  assert.deepEqual([...functions, "api"].sort(), Object.keys(CONFIGS).sort());
});

test("every Worker's [limits] cpu_ms is the one the README's measured table gives it", () => {
  const readme = read("README.md");
  const section = readme.slice(readme.indexOf(BEGIN), readme.indexOf(END));
  for (const [fn, config] of Object.entries(CONFIGS)) {
    const measured = new RegExp(`^\\| ${fn} \\| .* \\| \\*\\*(\\d+)\\*\\* \\|$`, "m").exec(section);
    assert.ok(measured, `no cpu_ms row for ${fn} in the README's cpu-budget section`);
    const text = read(config);
    const configured = /^\[limits\]\ncpu_ms = (\d+)$/m.exec(text);
    assert.ok(configured, `${config}: no top-level [limits] cpu_ms`);
    assert.equal(configured[1], measured[1], `${config}: cpu_ms`);
    // The environments inherit it: none overrides it.
    assert.doesNotMatch(text.slice(text.indexOf("[env.")), /limits/, config);
  }
});

test("the doctor's cost model was written by the run the README reports", () => {
  const readme = read("README.md");
  const date = /Measured by `node tools\/cpu-budget\.mjs` on (\d{4}-\d\d-\d\d)/.exec(readme)?.[1];
  assert.ok(date, "the README names the run");
  const model = read("tools/doctor/cpu-model.toml");
  assert.match(model, new RegExp(`\\(${date}\\)`));
  for (const fn of Object.keys(CONFIGS)) assert.match(model, new RegExp(`function = "${fn}"`));
});
