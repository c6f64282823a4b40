#!/usr/bin/env bash
# The benchmark command: builds the functions and the bench crates, measures them side
# by side in one run on this machine (argon2id and EdDSA JWTs in workerd vs native vs
# jose, HTTP with oha against `workerd serve`, wasm sizes, startup), and writes
# docs/benchmarks.md with its chart docs/benchmarks.svg. Not part of the test command:
# times depend on the machine; only sizes are enforced (tests/budgets.test.mjs).
#
#   bash bench/run.sh              # the report (about 5 minutes of measuring)
#   bash bench/run.sh --quick      # a smoke run: fewer rounds, shorter load runs
#   bash bench/run.sh --skip-build # reuse build/workers and bench/target
#
# Installs what is missing first (tools/setup.sh; oha from crates.io, about 4 minutes
# to compile on 2 cores, once; wrk from Debian for bench/tail.mjs). Run it on a quiet
# machine: the report states the load average it was measured under.
set -euo pipefail
source "$(dirname "$0")/../tools/setup.sh"
cd "$EDGEAUTH_ROOT"

setup_rust
setup_node
# The load generator (bench/run.mjs says why not wrk). Pinned: its JSON is parsed.
OHA_VERSION=1.16.0
if ! oha --version 2>/dev/null | grep -q "$OHA_VERSION"; then
  say "cargo install oha $OHA_VERSION"
  cargo install oha --locked --version "$OHA_VERSION"
fi
if ! command -v wrk >/dev/null 2>&1; then
  say "apt-get install wrk (Debian)"
  apt-get update -qq && apt-get install -y -qq wrk
fi

# Bounded: the measuring itself takes about 5 minutes; builds are incremental.
exec timeout 1800 node bench/run.mjs "$@"
