#!/usr/bin/env bash
# All six functions (and the example app) under `wrangler dev`, the command Workers developers type first,
# as one multi-config session on http://127.0.0.1:8787:
#
#   bash tools/wrangler-dev.sh [wrangler dev options, e.g. --port 8788]
#
# wrangler dev serves only the first config's Worker on its port and ignores `routes`
# locally, so the first config is a dev-only router (tools/wrangler-dev/) that forwards
# each path, over service bindings, to the function that owns it in production. The
# Workers with a store (all but pages) share the session's KV namespace and Durable
# Objects, and api reaches login, refresh and oauth over its LOGIN, REFRESH and OAUTH
# bindings, as deployed. Vars are the configs' top-level
# (development) [vars]; state persists in .wrangler/state.
#
# The six functions are built once here (tools/build.mjs, as tools/dev.sh does) and
# wrangler's per-config build steps reuse that build (EDGEAUTH_PREBUILT=1): building
# each function alone would compile everything once per function. After a Rust change,
# restart this command. `bash tools/dev.sh` (Miniflare) remains the supported server.
set -euo pipefail
source "$(dirname "$0")/setup.sh"
cd "$EDGEAUTH_ROOT"
setup_rust
setup_node
if [ "${EDGEAUTH_PREBUILT:-}" != 1 ]; then
  say "building the Workers (release wasm)"
  node tools/build.mjs
fi
export EDGEAUTH_PREBUILT=1
# wrangler keeps local state beside the first config; keep it at the root instead.
persist=(--persist-to .wrangler/state)
for arg in "$@"; do [[ "$arg" == --persist-to* ]] && persist=(); done
exec node node_modules/wrangler/bin/wrangler.js dev \
  -c tools/wrangler-dev/wrangler.toml -c wrangler.toml -c functions/login/wrangler.toml \
  -c functions/reset/wrangler.toml -c functions/refresh/wrangler.toml -c functions/pages/wrangler.toml \
  -c functions/oauth/wrangler.toml \
  -c examples/protected-app/wrangler.toml "${persist[@]}" "$@"
