#!/usr/bin/env bash
# Runs every test of edgeauth — the command CI runs (.ci/run). Installs what a fresh
# machine lacks first (tools/setup.sh). Builds the release wasm once and shares it
# across the integration suites.
#
#   bash tools/test.sh              # everything
#   bash tools/test.sh --quick      # format, lints, unit tests, a slice of the Workers suite, JS client
set -euo pipefail
source "$(dirname "$0")/setup.sh"
cd "$EDGEAUTH_ROOT"

QUICK=false
[ "${1:-}" = "--quick" ] && QUICK=true

passed=0
failed=0
failures=()
step() {
  local name="$1"; shift
  say "$name"
  local started=$SECONDS
  if "$@"; then
    passed=$((passed + 1))
    echo "--- ok: $name ($((SECONDS - started)) s)"
  else
    failed=$((failed + 1))
    failures+=("$name")
    echo "--- FAILED: $name ($((SECONDS - started)) s)"
  fi
}

# The browser client (clients/js): its unit tests (a fake browser, and the built
# Workers for what needs no cookie), its JavaScript against its declarations, and the
# declarations against a typed usage; then the same for the guard (clients/guard-js).
js_client() {
  node --test --test-reporter=spec "clients/js/test/*.test.mjs" && tsc -p clients/js && tsc -p clients/js/test/types \
    && node --test --test-reporter=spec "clients/guard-js/test/*.test.mjs" && tsc -p clients/guard-js
}

# The client, the hosted pages and the example app in headless Chromium against the
# built Workers (tests/e2e). One file at a time: each starts its own server and browser.
# Then the README's screenshots are taken again (into .edgeauth/, not over the committed
# ones: pixels differ from run to run), which drives every page once more.
browser_e2e() {
  node --test --test-concurrency=1 --test-reporter=spec "tests/e2e/*.test.mjs" \
    && node tests/e2e/screenshots.mjs --out .edgeauth/screenshots
}

# The hosted pages (and their passkeys) in Chromium on the local Spin host (the example
# app is a Workers-only JavaScript Worker, and the client's test pages are served by a
# Miniflare-only worker).
browser_e2e_spin() {
  EDGEAUTH_TARGET=spin node --test --test-concurrency=1 --test-reporter=spec \
    tests/e2e/pages.test.mjs tests/e2e/passkeys.test.mjs tests/e2e/security-alert.test.mjs
}

# Background jobs at the lowest CPU priority, beside steps that spend much of their time
# waiting on timers, sockets and the browser. `in_background NAME COMMAND...` starts one
# (its output to .edgeauth/NAME.log); `wait_background NAME` waits for it, prints its
# output and returns its status (the step that needs it).
declare -A background_pids=()
in_background() {
  local name="$1"; shift
  mkdir -p "$EDGEAUTH_ROOT/.edgeauth"
  (
    renice -n 19 -p "$BASHPID" >/dev/null
    "$@"
  ) >"$EDGEAUTH_ROOT/.edgeauth/$name.log" 2>&1 &
  background_pids[$name]=$!
}
wait_background() {
  local name="$1" status=0
  wait "${background_pids[$name]}" || status=$?
  cat "$EDGEAUTH_ROOT/.edgeauth/$name.log"
  return "$status"
}

# What a full run's later steps need, built while the Workers suites run: the local Spin
# host, the Spin components and the fuzz targets.
build_for_later_steps() {
  set -e
  setup_spin_host
  node tools/build-spin.mjs --with-test-workers
  bash tools/ci/fuzz-smoke.sh --build-only
}

integration() {
  local target="$1"
  EDGEAUTH_TARGET="$target" node --test --test-concurrency=1 --test-reporter=spec "tests/*.test.mjs"
}

# The quick run's slice of the Workers suite: the HTTP layer and the contract's
# invariants a core change most often breaks (input rules, CSRF, sessions and refresh
# rotation, the store contract, the route manifests and the size budgets). The whole
# suite runs in the full command.
QUICK_FILES=(layer input csrf sessions store-contract manifests budgets)
integration_quick() {
  local files=() file
  for file in "${QUICK_FILES[@]}"; do files+=("tests/$file.test.mjs"); done
  EDGEAUTH_TARGET=workers node --test --test-concurrency=1 --test-reporter=spec "${files[@]}"
}

setup_rust
setup_node
if [ "$QUICK" = false ]; then
  setup_browser
fi

step "cargo fmt --check" cargo fmt --all -- --check
step "clippy (native, all targets)" cargo clippy --workspace --all-targets -- -D warnings
step "clippy (Workers target)" cargo clippy --release --target wasm32-unknown-unknown \
  -p edgeauth-workers -p edgeauth-fn-login -p edgeauth-fn-reset -p edgeauth-fn-refresh -p edgeauth-fn-api -p edgeauth-fn-pages -p edgeauth-fn-oauth \
  -p edgeauth-contract-worker -p edgeauth-guard -p edgeauth-example-guard-worker -- -D warnings
step "clippy (Spin target: the guard and its example)" cargo clippy --release --target wasm32-wasip2 \
  -p edgeauth-guard -p edgeauth-example-guard-spin -- -D warnings
step "unit and property tests (native)" cargo test --workspace --all-features
step "no_std core and webauthn crates build for wasm32-unknown-unknown" \
  cargo build -p edgeauth-core -p edgeauth-webauthn --no-default-features --target wasm32-unknown-unknown --release
step "build the Workers (release wasm, once)" node tools/build.mjs --with-test-workers
spin_suites=false
[ "$QUICK" = false ] && [ -f tools/spin-host/Cargo.toml ] && [ -f spin.toml ] && spin_suites=true
if [ "$spin_suites" = true ]; then
  # The doctor (run by later steps) is built now: the background build holds the
  # workspace's build directory while it builds the Spin components.
  cargo build -q -p edgeauth-doctor
  in_background background-build build_for_later_steps
fi
if [ "$QUICK" = true ]; then
  step "integration + contract suite on Workers (Miniflare): the quick slice (${QUICK_FILES[*]})" integration_quick
else
  step "integration + contract suite on Workers (Miniflare)" integration workers
fi
step "JavaScript client: unit tests (node:test) and declarations (tsc)" js_client
step "vendored QR-code encoder matches its npm package (tools/vendor-qr.mjs --check)" node tools/vendor-qr.mjs --check

if [ "$QUICK" = false ]; then
  step "browser end-to-end (Chromium): client, hosted pages, example app, screenshots" browser_e2e
  step "config doctor: the committed production configs" \
    cargo run -q -p edgeauth-doctor -- --env production --no-spin --assume-secrets-set --ignore-process-env
  step "wrangler deploy --dry-run, every function and environment" node tools/deploy-dry-run.mjs
  step "tools/deploy.sh --dry-run (first-deploy order) and wrangler dev (six Workers)" \
    node --test --test-concurrency=1 --test-reporter=spec "tests/tooling/*.test.mjs"
  setup_python
  step "API fuzzing: schemathesis against the OpenAPI document (Workers)" node tools/ci/api-fuzz.mjs
  if [ "$spin_suites" = true ]; then
    step "built in the background: the local Spin host, the Spin components (release wasm), the fuzz targets" \
      wait_background background-build
    # The fuzz smoke (time-bound: ~5 s per target) runs beside the Spin suites, which
    # mostly wait on the browser, the host and their timers: it takes the idle CPU, and
    # its runs, not their wall time, shrink if there is little (each target still runs
    # its whole seed corpus first). About 50 s of the test command's wall time.
    in_background fuzz-smoke bash tools/ci/fuzz-smoke.sh
    step "integration + contract suite on Spin (local Spin host)" integration spin
    step "hosted pages and passkeys in Chromium on Spin (local Spin host)" browser_e2e_spin
    step "fuzz smoke: every cargo-fuzz target briefly from its seeds (ran beside the Spin suites)" wait_background fuzz-smoke
  else
    step "fuzz smoke: every cargo-fuzz target briefly from its seeds" bash tools/ci/fuzz-smoke.sh
  fi
  step "dependency, licence and secret checks" bash tools/ci/security-checks.sh
fi

echo
echo "test command summary: $passed passed, $failed failed"
for name in "${failures[@]}"; do echo "  failed: $name"; done
[ "$failed" -eq 0 ]
