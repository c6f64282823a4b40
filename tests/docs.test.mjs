// The contract lives in this repository (docs/contract.md, with docs/openapi.yaml as its
// machine-readable form): nothing may point at a copy outside it, every
// "docs/contract.md §N" must name a section that exists, and the two forms must name the
// same routes and error codes. Pure file reading: no server, no build.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const read = (path) => readFileSync(join(root, path), "utf8");
const tracked = execFileSync("git", ["ls-files", "-z"], { cwd: root, encoding: "utf8" })
  .split("\0")
  .filter(Boolean);

// This file and the repointing script have to spell the forbidden strings out. Lock files
// and the secret-scan baseline are generated.
const EXEMPT = new Set(["tests/docs.test.mjs", "tools/repoint-contract-refs.sh", ".secrets.baseline"]);
const isLock = (path) => /(^|\/)([^/]+\.lock|package-lock\.json)$/.test(path);
const scanned = tracked.filter((path) => !EXEMPT.has(path) && !isLock(path));
/** Text files only (NUL in the first 8 KiB means binary). */
const texts = scanned.flatMap((path) => {
  let text;
  try {
    text = read(path);
  } catch {
    return []; // listed by git but absent from the work tree (deleted, not yet staged)
  }
  return text.slice(0, 8192).includes("\0") ? [] : [[path, text]];
});
const lineOf = (text, index) => text.slice(0, index).split("\n").length;

const CONTRACT = "docs/contract.md";
// Built from parts so that this file does not trip its own checks.
const OLD_NAME = ["API", "md"].join(".");

test("no tracked file cites the contract that used to live outside the repository", () => {
  const pattern = new RegExp(`(?<![A-Za-z0-9_])${OLD_NAME.replace(".", "\\.")}\\b`, "g");
  const hits = texts.flatMap(([path, text]) =>
    [...text.matchAll(pattern)].map((m) => `${path}:${lineOf(text, m.index)}`));
  assert.deepEqual(hits, [], `cite ${CONTRACT} instead`);
});

test("no tracked file points at a shared folder outside the repository", () => {
  // `../shared` is fine while it resolves inside the repository (Cargo paths, the
  // wrangler watch_dir); it must never climb out of it.
  const hits = [];
  for (const [path, text] of texts) {
    for (const m of text.matchAll(/((?:\.\.\/)+)shared\b/g)) {
      const target = resolve(root, dirname(path), m[1], "shared");
      const inside = target === root || target.startsWith(root + sep);
      if (!inside) hits.push(`${path}:${lineOf(text, m.index)} ${m[0]}`);
    }
    for (const m of text.matchAll(/\/work\/shared\b/g)) hits.push(`${path}:${lineOf(text, m.index)} ${m[0]}`);
  }
  assert.deepEqual(hits, []);
});

test("every docs/contract.md §N reference names a section of docs/contract.md", () => {
  const contract = read(CONTRACT);
  const sections = new Set([...contract.matchAll(/^#{2,3} (\d+(?:\.\d+)?)\.? /gm)].map((m) => m[1]));
  assert.ok(sections.size >= 8, "docs/contract.md has its sections §1–§8");
  for (let n = 1; n <= 8; n++) assert.ok(sections.has(String(n)), `§${n} missing`);

  // "docs/contract.md §5", "`docs/contract.md` §5", "[docs/contract.md](contract.md) §5",
  // "[contract.md](contract.md) §2", "§§4–5", "§2–§3", "§5, §6, §7", "§4 and §5".
  const item = String.raw`\d+(?:\.\d+)?`;
  const reference = new RegExp(String.raw`(?:docs/)?contract\.md\`?(?:\]\([^)\s]*\))?` +
    String.raw`(\s+§§?${item}(?:(?:\s*,\s*|\s+and\s+)§${item}|\s*[–-]\s*§?${item})*)`, "g");
  const bad = [];
  for (const [path, text] of texts) {
    for (const m of text.matchAll(reference)) {
      const numbers = [...m[1].matchAll(/\d+(?:\.\d+)?/g)].map((n) => n[0]);
      const ranges = [...m[1].matchAll(/(\d+)\s*[–-]\s*§?(\d+)/g)];
      for (const [, from, to] of ranges) {
        for (let n = Number(from) + 1; n < Number(to); n++) numbers.push(String(n));
      }
      for (const n of numbers) if (!sections.has(n)) bad.push(`${path}:${lineOf(text, m.index)} §${n}`);
    }
  }
  assert.deepEqual(bad, []);
});

test("docs/contract.md and docs/openapi.yaml name the same routes", () => {
  const openapi = read("docs/openapi.yaml");
  const paths = openapi.slice(openapi.indexOf("\npaths:\n"), openapi.indexOf("\ncomponents:\n"));
  const inOpenapi = new Set();
  let current = null;
  for (const line of paths.split("\n")) {
    const path = /^ {2}(\/\S*):\s*$/.exec(line);
    if (path) current = path[1];
    const method = /^ {4}(get|put|post|delete|patch):\s*$/.exec(line);
    if (method && current) inOpenapi.add(`${method[1].toUpperCase()} ${current}`);
  }
  const contract = read(CONTRACT);
  const inContract = new Set(
    [...contract.matchAll(/`(GET|PUT|POST|DELETE|PATCH) (\/(?:auth|api|oauth|\.well-known|sign-in|sign-up|verify-email|forgot-password|reset-password|security-alert|account|admin|consent|assets)[^\s`?#]*)/g)]
      .map((m) => `${m[1]} ${m[2]}`));
  assert.ok(inOpenapi.size > 30, "parsed the paths of docs/openapi.yaml");
  assert.deepEqual([...inOpenapi].filter((r) => !inContract.has(r)), [], "in openapi.yaml, not in contract.md");
  assert.deepEqual([...inContract].filter((r) => !inOpenapi.has(r)), [], "in contract.md, not in openapi.yaml");
});

test("docs/contract.md §3 lists exactly the problem codes of docs/openapi.yaml", () => {
  const openapi = read("docs/openapi.yaml");
  const problem = openapi.slice(openapi.indexOf("\n    Problem:\n"));
  const enumBlock = problem.slice(problem.indexOf("        code:\n"), problem.indexOf("        detail:\n"));
  const inOpenapi = [...enumBlock.matchAll(/^ +- ([a-z_]+)$/gm)].map((m) => m[1]).sort();
  const contract = read(CONTRACT);
  const errors = contract.slice(contract.indexOf("\n## 3. "), contract.indexOf("\n## 4. "));
  const inContract = [...errors.matchAll(/^\| (\d{3}) \| `([a-z_]+)` \|/gm)].map((m) => m[2]).sort();
  assert.ok(inOpenapi.length >= 15, "parsed the Problem codes of docs/openapi.yaml");
  assert.deepEqual(inContract, inOpenapi);
});
