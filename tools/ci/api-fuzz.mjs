#!/usr/bin/env node
// API fuzzing: schemathesis (PyPI) against the local Workers server, driven by the
// OpenAPI document. Passes only with no 5xx, no response that breaks the schema, and
// no response missing a security header (tools/ci/schemathesis_hooks.py).
// The number of examples is bounded (EDGEAUTH_FUZZ_EXAMPLES, default 3 per operation).
// Phases: examples + fuzzing (EDGEAUTH_FUZZ_PHASES); schemathesis' "coverage" phase
// takes ~6 minutes here and is left to longer local runs.
//
// Rate limits are raised for this server instance: the fuzzer is one client sending
// thousands of requests, and 429s would hide the routes behind them.

import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { startLocal } from "../local.mjs";
import { configWith } from "../../tests/harness/target.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const schemathesis = process.env.SCHEMATHESIS_BIN ?? join(root, ".edgeauth/venv/bin/schemathesis");
// 3 examples per operation is what the test command runs. The operations are fuzzed in
// groups (by their first two path segments, read from the document: every operation is
// in exactly one group), so a failure names its group and each run has its own
// wall-clock bound. (Runs used to stall after their examples phase: schemathesis was
// spawned synchronously, which blocked this process and with it the local server's
// loopback services; see `pass`.)
const examples = process.env.EDGEAUTH_FUZZ_EXAMPLES ?? "3";
const wallClockMs = Number(process.env.EDGEAUTH_FUZZ_TIMEOUT_SECS ?? 120) * 1000;

/** The document's paths grouped by their first two segments, as anchored regexes. */
function pathGroups() {
  const paths = [...readFileSync(join(root, "docs/openapi.yaml"), "utf8").matchAll(/^  (\/[^:\s]*):\s*$/gm)]
    .map((m) => m[1]);
  const groups = new Set(paths.map((path) => path.split("/").slice(0, 3).join("/")));
  const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  // `/auth/session` and `/auth/sessions` are both groups: each regex ends at a segment.
  return [...groups].sort().map((prefix) => `^${escape(prefix)}(/|$)`);
}

const vars = configWith({
  // One verified-less account to log in with, so the fuzzer reaches authenticated routes.
  REQUIRE_EMAIL_VERIFICATION: "false",
  RATE_LIMIT_LOGIN_PER_IP: "100000/60", RATE_LIMIT_REGISTER_PER_IP: "100000/60",
  RATE_LIMIT_FORGOT_PER_IP: "100000/60", RATE_LIMIT_REFRESH_PER_IP: "100000/60",
  RATE_LIMIT_API_PER_USER: "100000/60", LOCKOUT_FAILURES: "100000/60",
});
const { mf, url } = await startLocal({ port: 0, persistRoot: false, quiet: !process.env.EDGEAUTH_TEST_VERBOSE, vars });

/** Registers and logs in a fuzzing account (token mode) and returns its bearer token. */
async function bearerToken() {
  const headers = { "Content-Type": "application/json", "CF-Connecting-IP": "192.0.2.10" };
  const credentials = { email: "fuzz-account@example.com", password: "correct horse battery staple 42" };
  await fetch(`${url}/auth/register`, { method: "POST", headers, body: JSON.stringify(credentials) });
  const response = await fetch(`${url}/auth/login`, { method: "POST", headers,
    body: JSON.stringify({ ...credentials, mode: "token" }) });
  const body = await response.json().catch(() => ({}));
  return body.access_token;
}

// Operations that can end the caller's own session with a valid Bearer token: logout
// and logout-all whatever the body, and DELETE /auth/sessions/{id} once schemathesis
// reuses a session id from an earlier answer (it does). Fuzzed in a second pass with a
// token of their own: in the main pass the first of them would turn every later
// authenticated operation into a 401 and hide what those operations answer.
const SESSION_ENDING = ["logout", "logoutAll", "revokeSession"];

/**
 * One schemathesis pass over `filter`; its exit status. Asynchronous on purpose: the
 * local server (Miniflare) answers some of the functions' calls from this Node process
 * (its loopback services), so a blocking spawn would leave them unanswered and every
 * request needing one would hang until the wall-clock limit.
 */
function pass(label, token, filter) {
  const auth = token ? ["-H", `Authorization: Bearer ${token}`] : [];
  if (!token) console.log("api-fuzz: no bearer token (login not available); fuzzing unauthenticated");
  console.log(`api-fuzz: ${label}`);
  const child = spawn(schemathesis, [
    "run", join(root, "docs/openapi.yaml"), "--url", url,
    "--checks", "not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance,security_headers",
    "--max-examples", examples, "--phases", process.env.EDGEAUTH_FUZZ_PHASES ?? "examples,fuzzing", "--workers", "1",
    "--seed", "20261128", "--no-color", "--request-timeout", "20", ...auth, ...filter,
  ], { stdio: "inherit", cwd: root, env: { ...process.env, SCHEMATHESIS_HOOKS: "schemathesis_hooks", PYTHONPATH: join(root, "tools/ci") } });
  return new Promise((resolveStatus) => {
    const timer = setTimeout(() => {
      console.log(`api-fuzz: FAILED — schemathesis did not finish within ${wallClockMs / 1000} s`);
      child.kill("SIGKILL");
    }, wallClockMs);
    child.on("exit", (code) => { clearTimeout(timer); resolveStatus(code ?? 1); });
  });
}

let status = 1;
try {
  const authenticated = process.env.EDGEAUTH_FUZZ_AUTH !== "0";
  const token = authenticated ? await bearerToken() : undefined;
  let first = 0;
  for (const group of pathGroups()) {
    const status = await pass(`the operations under ${group} but the session-ending ones, with one account's token`,
      token, ["--include-path-regex", group, ...SESSION_ENDING.flatMap((id) => ["--exclude-operation-id", id])]);
    if (status !== 0) first = 1;
  }
  const second = await pass(`the session-ending operations (${SESSION_ENDING.join(", ")}), with a fresh token`,
    authenticated ? await bearerToken() : undefined,
    SESSION_ENDING.flatMap((id) => ["--include-operation-id", id]));
  status = first === 0 && second === 0 ? 0 : 1;
} finally {
  await mf.dispose();
}
process.exit(status);
