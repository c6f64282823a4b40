#!/usr/bin/env bash
# Deploys the six Workers of one environment, first deploy included (README, "Deploy").
#
#   bash tools/deploy.sh staging|production [--dry-run] [--bootstrap] [--root DIR]
#
# In order:
#   1. secrets: for each Worker, `wrangler secret list` names what it lacks among
#      JWT_SIGNING_KEYS, DATA_ENCRYPTION_KEYS, MAIL_HTTP_TOKEN (with MAIL_TRANSPORT=http),
#      WEBHOOK_SECRETS (when a config's [env.<ENV>] vars set WEBHOOK_ENDPOINTS),
#      PASSWORD_PEPPER and OIDC_RSA_SIGNING_KEYS (only when exported) and SENTRY_DSN
#      (when exported, or already set on one of the Workers, so that every function
#      reports its errors). A missing value is taken from the environment when exported,
#      else prompted for once, without echo, and the same
#      value goes to every Worker that lacks it. They travel with the deploy of each
#      Worker (`--secrets-file`, a JSON file readable only by you, deleted on exit):
#      a first deploy never serves without them, and no Worker is created by
#      `wrangler secret put` before its code exists.
#   2. the config doctor on the six wrangler configs, with the secrets above (nothing
#      else from your shell): any error and nothing is deployed.
#   3. the KV namespace: when the configs still hold the example id, `wrangler kv
#      namespace create` and its id written into [env.<ENV>] of the five configs
#      (commit them).
#   4. the webhook Queue(s) the configs bind (`WEBHOOKS` producers, the consumer on
#      refresh): `wrangler queues info`, and `wrangler queues create` for one that does
#      not exist yet — whether or not endpoints are configured, since the bindings are
#      in the configs and wrangler refuses to deploy a Worker whose Queue is missing.
#   5. one release build (tools/build.mjs), then `wrangler deploy` per Worker. On the
#      first deploy of an environment (the login or the oauth Worker does not exist yet,
#      a new KV namespace, or --bootstrap): api without its service bindings (login does not
#      exist yet; api hosts the Durable Object the others bind), login, reset, refresh,
#      pages, oauth, then api with LOGIN. Otherwise: api, login, reset, refresh, pages,
#      oauth (after refresh, which publishes the JWKS the provider's tokens verify with).
#      (pages binds no store: it needs no KV id, only the same variables and secrets).
#
# --dry-run runs every deploy step as `wrangler deploy --dry-run` (the bootstrap order,
# with placeholder secrets in the secrets file) and prints the secret, KV and Queue
# commands it would run instead of running them. Nothing leaves the machine. --root
# checks and deploys the configs under DIR (tests).
set -euo pipefail

usage() { echo "usage: bash tools/deploy.sh staging|production [--dry-run] [--bootstrap] [--root DIR]" >&2; exit 2; }
ENV_NAME="${1:-}"
[ "$ENV_NAME" = staging ] || [ "$ENV_NAME" = production ] || usage
shift
DRY_RUN=false
BOOTSTRAP=false
source "$(dirname "$0")/setup.sh"
ROOT="$EDGEAUTH_ROOT"
while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) DRY_RUN=true ;;
    --bootstrap) BOOTSTRAP=true ;;
    --root) ROOT="$(cd "${2:?--root needs a directory}" && pwd)"; shift ;;
    *) usage ;;
  esac
  shift
done
cd "$ROOT"
setup_node >/dev/null

CONFIGS=(wrangler.toml functions/login/wrangler.toml functions/reset/wrangler.toml functions/refresh/wrangler.toml
  functions/pages/wrangler.toml functions/oauth/wrangler.toml)
# The Workers bound to the KV namespace (pages reads no store).
KV_CONFIGS=(wrangler.toml functions/login/wrangler.toml functions/reset/wrangler.toml functions/refresh/wrangler.toml
  functions/oauth/wrangler.toml)
declare -A WORKER=([wrangler.toml]=api [functions/login/wrangler.toml]=login
  [functions/reset/wrangler.toml]=reset [functions/refresh/wrangler.toml]=refresh
  [functions/pages/wrangler.toml]=pages [functions/oauth/wrangler.toml]=oauth)
WRANGLER=(node "$EDGEAUTH_ROOT/node_modules/wrangler/bin/wrangler.js")
# The secrets files live here: memory-backed when the machine has /dev/shm.
if [ -d /dev/shm ] && [ -w /dev/shm ]; then scratch=/dev/shm; else scratch="${TMPDIR:-/tmp}"; fi
WORK="$(mktemp -d "$scratch/edgeauth-deploy.XXXXXX")"
chmod 700 "$WORK"
trap 'rm -rf "$WORK" "$ROOT/wrangler.bootstrap.toml"' EXIT

would() { printf 'would run: %s\n' "$*"; }
SHOWN="npx wrangler"   # how the commands it would run are printed

# The value of `key` in [env.<ENV>] of a config: `<key> = "…"` inside `vars = { … }`.
env_var() {
  awk -v section="[env.$ENV_NAME]" -v key="$2" '
    /^\[/ { inside = ($0 == section) }
    inside && /^vars = / && match($0, key " = \"[^\"]*\"") { v = substr($0, RSTART, RLENGTH); sub(/^[^"]*"/, "", v); sub(/"$/, "", v); print v; exit }
  ' "$1"
}

# The EDGEAUTH_KV namespace id in [env.<ENV>] of a config.
kv_id() {
  awk -v section="[env.$ENV_NAME]" '
    /^\[/ { inside = ($0 == section) }
    inside && /^kv_namespaces = / && match($0, /id = "[0-9a-f]*"/) { v = substr($0, RSTART + 6, RLENGTH - 7); print v; exit }
  ' "$1"
}

# The queue names of the [env.<ENV>] section of a config: `queues.producers` and
# `queues.consumers` entries (`queue = "…"`).
queues_of() {
  awk -v section="[env.$ENV_NAME]" '
    /^\[/ { inside = ($0 == section) }
    inside && /^queues\./ { line = $0; while (match(line, /queue = "[^"]*"/)) { print substr(line, RSTART + 9, RLENGTH - 10); line = substr(line, RSTART + RLENGTH) } }
  ' "$1"
}

# ---------------------------------------------------------------------------------
say "1/5 secrets of the six $ENV_NAME Workers"
REQUIRED=(JWT_SIGNING_KEYS DATA_ENCRYPTION_KEYS)
[ "$(env_var wrangler.toml MAIL_TRANSPORT)" = http ] && REQUIRED+=(MAIL_HTTP_TOKEN)
# Security webhooks need one signing secret per endpoint (docs/monitoring.md).
for config in "${CONFIGS[@]}"; do
  if [ -n "$(env_var "$config" WEBHOOK_ENDPOINTS)" ]; then REQUIRED+=(WEBHOOK_SECRETS); break; fi
done
[ -n "${PASSWORD_PEPPER:-}" ] && REQUIRED+=(PASSWORD_PEPPER)
[ -n "${OIDC_RSA_SIGNING_KEYS:-}" ] && REQUIRED+=(OIDC_RSA_SIGNING_KEYS)
[ -n "${SENTRY_DSN:-}" ] && REQUIRED+=(SENTRY_DSN)
declare -A MISSING=()
declare -A HAVE=()
declare -A VALUE=()
LOGIN_EXISTS=true
for config in "${CONFIGS[@]}"; do
  if $DRY_RUN; then
    would "$SHOWN secret list --env $ENV_NAME -c $config"
    HAVE[$config]=""   # as on a first deploy
    continue
  fi
  if listed=$("${WRANGLER[@]}" secret list --env "$ENV_NAME" -c "$config" 2>"$WORK/error"); then
    HAVE[$config]=$(node -e 'for (const s of JSON.parse(process.argv[1])) console.log(s.name)' "$listed") || {
      echo "cannot read the secret list of $config: $listed" >&2; exit 1; }
  elif grep -qiE '10007|not found|does not exist' "$WORK/error"; then
    HAVE[$config]=""   # the Worker does not exist yet: it lacks everything
    [ "$config" = functions/login/wrangler.toml ] && LOGIN_EXISTS=false
    # api binds oauth too (OAUTH): an environment deployed before the provider existed
    # takes the bootstrap order once.
    [ "$config" = functions/oauth/wrangler.toml ] && LOGIN_EXISTS=false
  else
    # Anything else (not logged in, no network): do not guess, or secrets already set
    # would be replaced by new values.
    cat "$WORK/error" >&2
    echo "wrangler secret list failed for $config: nothing deployed" >&2
    exit 1
  fi
done
# A DSN set on some Workers only (a Worker added since, say) goes to the others too.
if [ -z "${SENTRY_DSN:-}" ]; then
  for config in "${CONFIGS[@]}"; do
    if grep -qx SENTRY_DSN <<<"${HAVE[$config]}"; then REQUIRED+=(SENTRY_DSN); break; fi
  done
fi
for config in "${CONFIGS[@]}"; do
  lacks=()
  for name in "${REQUIRED[@]}"; do grep -qx "$name" <<<"${HAVE[$config]}" || lacks+=("$name"); done
  MISSING[$config]="${lacks[*]}"
done
for config in "${CONFIGS[@]}"; do
  for name in ${MISSING[$config]}; do
    [ -n "${VALUE[$name]+set}" ] && continue
    if [ -n "${!name:-}" ]; then
      VALUE[$name]="${!name}"
    elif $DRY_RUN; then
      echo "would prompt for $name (or take it from the environment)"
      VALUE[$name]="dry-run-placeholder"
    else
      read -rsp "$name for the $ENV_NAME Workers (input hidden): " "VALUE[$name]" </dev/tty || {
        echo "no terminal to ask for $name: export it instead" >&2; exit 1; }
      echo
      [ -n "${VALUE[$name]}" ] || { echo "$name is empty: nothing deployed" >&2; exit 1; }
    fi
  done
  names=${MISSING[$config]}
  file="$WORK/secrets-${WORKER[$config]}.json"
  # JSON, not dotenv: wrangler expands $VAR in dotenv files.
  (for name in $names; do export "$name=${VALUE[$name]}"; done
   node -e 'const o = {}; for (const n of process.argv.slice(1)) o[n] = process.env[n]; process.stdout.write(JSON.stringify(o))' $names) > "$file"
  echo "${WORKER[$config]}: ${names:-no secret missing}"
done

# ---------------------------------------------------------------------------------
say "2/5 config doctor (--env $ENV_NAME)"
if [ -n "${EDGEAUTH_DOCTOR:-}" ]; then doctor=("$EDGEAUTH_DOCTOR")
else doctor=(cargo run -q --manifest-path "$EDGEAUTH_ROOT/Cargo.toml" -p edgeauth-doctor --); fi
# Only the secrets gathered above reach it, through its environment (never its command
# line): other variables of your shell are not deployed, so they must not colour the
# check. Secrets already in the store are assumed set.
if ! (
  for var in $(compgen -e); do
    case "$var" in PATH|HOME|CARGO_HOME|RUSTUP_HOME|RUSTUP_TOOLCHAIN|CARGO_TARGET_DIR) ;; *) unset "$var" ;; esac
  done
  for name in "${!VALUE[@]}"; do
    [ "${VALUE[$name]}" = dry-run-placeholder ] || export "$name=${VALUE[$name]}"
  done
  exec "${doctor[@]}" --env "$ENV_NAME" --root "$ROOT" --no-spin --assume-secrets-set
); then
  echo "refusing to deploy: the config doctor reported errors (above)" >&2
  exit 1
fi

# ---------------------------------------------------------------------------------
say "3/5 KV namespace EDGEAUTH_KV"
ids=$(for config in "${KV_CONFIGS[@]}"; do kv_id "$config"; done | sort -u)
[ "$(wc -l <<<"$ids")" -eq 1 ] && [ -n "$ids" ] || {
  echo "the five configs name different EDGEAUTH_KV ids for $ENV_NAME: $(tr '\n' ' ' <<<"$ids")" >&2; exit 1; }
if [ -z "$(tr -d "${ids:0:1}" <<<"$ids")" ]; then   # one digit repeated: the example id
  if $DRY_RUN; then
    would "$SHOWN kv namespace create EDGEAUTH_KV --env $ENV_NAME"
    echo "would write its id in place of $ids in [env.$ENV_NAME] of ${KV_CONFIGS[*]}"
  else
    created=$("${WRANGLER[@]}" kv namespace create EDGEAUTH_KV --env "$ENV_NAME")
    echo "$created"
    id=$(grep -oE '[0-9a-f]{32}' <<<"$created" | head -1)
    [ -n "$id" ] || { echo "no namespace id in wrangler's answer" >&2; exit 1; }
    for config in "${KV_CONFIGS[@]}"; do
      sed -i "/^\[env\.$ENV_NAME\]/,/^\[env\./ s/\(kv_namespaces = .*id = \"\)$ids\"/\1$id\"/" "$config"
      [ "$(kv_id "$config")" = "$id" ] || { echo "could not write the id into $config" >&2; exit 1; }
    done
    echo "EDGEAUTH_KV for $ENV_NAME: $id, written into the five configs (commit them)"
    BOOTSTRAP=true
  fi
else
  echo "EDGEAUTH_KV for $ENV_NAME: $ids"
fi

# ---------------------------------------------------------------------------------
say "4/5 webhook Queue"
# The configs bind it whether or not WEBHOOK_ENDPOINTS is set (every function but pages
# produces, refresh consumes): it must exist before the Workers that bind it deploy.
queues=$(for config in "${CONFIGS[@]}"; do queues_of "$config"; done | sort -u)
for queue in $queues; do
  if $DRY_RUN; then
    would "$SHOWN queues info $queue"
    echo "would create it when missing: $SHOWN queues create $queue"
  elif "${WRANGLER[@]}" queues info "$queue" >/dev/null 2>"$WORK/error"; then
    echo "Queue $queue: exists"
  elif grep -qiE 'does not exist|not found' "$WORK/error"; then
    "${WRANGLER[@]}" queues create "$queue"
    echo "Queue $queue: created"
  else
    cat "$WORK/error" >&2
    echo "wrangler queues info failed for $queue: nothing deployed" >&2
    exit 1
  fi
done
[ -n "$queues" ] || echo "no Queue bound in [env.$ENV_NAME]"

# ---------------------------------------------------------------------------------
say "5/5 deploy"
$LOGIN_EXISTS || BOOTSTRAP=true
$DRY_RUN && BOOTSTRAP=true   # the dry run proves the first deploy's order
if [ "${EDGEAUTH_PREBUILT:-}" != 1 ]; then
  node "$EDGEAUTH_ROOT/tools/build.mjs"   # one build for all six (wrangler's build steps reuse it)
fi
export EDGEAUTH_PREBUILT=1
steps=()
if $BOOTSTRAP; then
  # api without LOGIN: the service binding's target does not exist yet.
  sed '/^\[\[services\]\]/,/^service = /d; /^services = /d' wrangler.toml > wrangler.bootstrap.toml
  steps+=("api-bootstrap:wrangler.bootstrap.toml:api without its LOGIN binding (login does not exist yet)")
else
  steps+=("api:wrangler.toml:api (hosts the Durable Object the others bind)")
fi
steps+=("login:functions/login/wrangler.toml:login" "reset:functions/reset/wrangler.toml:reset"
  "refresh:functions/refresh/wrangler.toml:refresh" "pages:functions/pages/wrangler.toml:pages"
  "oauth:functions/oauth/wrangler.toml:oauth")
$BOOTSTRAP && steps+=("api:wrangler.toml:api with its LOGIN binding")
n=0
for step in "${steps[@]}"; do
  IFS=: read -r worker config what <<<"$step"
  n=$((n + 1))
  secrets="$WORK/secrets-${worker%-bootstrap}.json"
  args=(deploy --env "$ENV_NAME" -c "$config")
  # The secrets go with the Worker's first upload of this run.
  [ -s "$secrets" ] && [ "$(cat "$secrets")" != "{}" ] && args+=(--secrets-file "$secrets")
  $DRY_RUN && args+=(--dry-run --outdir "$WORK/out-$n")
  echo "--- step $n/${#steps[@]}: $what: wrangler ${args[*]}"
  "${WRANGLER[@]}" "${args[@]}"
  rm -f "$secrets"
done
rm -f wrangler.bootstrap.toml
if $DRY_RUN; then
  echo "deploy dry run of $ENV_NAME: ${#steps[@]} steps passed"
else
  echo "deployed $ENV_NAME: ${#steps[@]} steps"
fi
