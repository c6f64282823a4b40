#!/usr/bin/env bash
# Runs edgeauth locally: all six functions (and the example apps) on one origin, http://127.0.0.1:8787,
# with the development config (config/development.env; any §8 variable can be
# overridden from the environment) and local state persisted in .edgeauth/.
#   bash tools/dev.sh            # Cloudflare Workers runtime (Miniflare)
#   bash tools/dev.sh --spin     # Spin runtime (the local Spin host)
set -euo pipefail
source "$(dirname "$0")/setup.sh"
cd "$EDGEAUTH_ROOT"
setup_rust
setup_node
if [ "${1:-}" = "--spin" ]; then
  setup_spin_host
  say "building the Spin components"
  node tools/build-spin.mjs
  exec node tools/dev-spin.mjs
fi
say "building the Workers (release wasm)"
node tools/build.mjs
say "serving"
exec node tools/dev.mjs
