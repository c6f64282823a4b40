#!/usr/bin/env bash
# Dependency, licence and secret checks. Fails on real findings; a check whose data
# source cannot be reached (no network to the advisory database) or whose tool is not
# installed is skipped with a clear message, so an offline CI run stays green for the
# right reason and says so.
#
#   bash tools/ci/security-checks.sh
#
# Checks:
#   1. cargo deny: licences, bans, sources (offline) for the workspace, the fuzz crate
#      and the local Spin host; advisories when the RustSec database can be fetched.
#   2. cargo audit, when installed and the database can be fetched.
#   3. npm audit for the JS tooling (package-lock.json), when the registry answers.
#   4. Secret scanning: gitleaks with .gitleaks.toml when installed. Otherwise both of:
#      a. detect-secrets (PyPI, pinned in tools/setup.sh, installed into .edgeauth/venv)
#         over every tracked file against the audited baseline .secrets.baseline: a
#         finding not in the baseline, or a baseline entry not audited as a false
#         positive, fails; skipped when it cannot be installed (PyPI unreachable);
#      b. a built-in git-grep scan for private keys, cloud tokens and keyring entries
#         that are neither development keys nor allowlisted test vectors.
#      Updating the baseline after a reviewed change: see SECURITY.md.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

failures=()
fail() { failures+=("$1"); echo "security-checks: FAILED: $1"; }
skip() { echo "security-checks: skipped: $1"; }
ok() { echo "security-checks: ok: $1"; }
have() { command -v "$1" >/dev/null 2>&1; }

# Can we reach the RustSec advisory database? (a quick probe, not a full clone)
advisory_db_reachable() {
  have git && timeout 10 git ls-remote --exit-code https://github.com/RustSec/advisory-db.git HEAD \
    >/dev/null 2>&1
}

# --- 1. cargo deny -----------------------------------------------------------------
manifests=(Cargo.toml)
[ -f fuzz/Cargo.toml ] && manifests+=(fuzz/Cargo.toml)
[ -f tools/spin-host/Cargo.toml ] && manifests+=(tools/spin-host/Cargo.toml)
if cargo deny --version >/dev/null 2>&1; then
  for manifest in "${manifests[@]}"; do
    if cargo deny --offline --manifest-path "$manifest" --config deny.toml \
        check licenses bans sources >"/tmp/deny.$$.log" 2>&1; then
      ok "cargo deny licenses/bans/sources ($manifest)"
    else
      grep -E '^(error|warning)\[' "/tmp/deny.$$.log" | grep '^error' | sort -u | head -n 20
      fail "cargo deny licenses/bans/sources ($manifest)"
    fi
  done
  if advisory_db_reachable; then
    for manifest in "${manifests[@]}"; do
      if cargo deny --manifest-path "$manifest" --config deny.toml check advisories \
          >"/tmp/deny.$$.log" 2>&1; then
        ok "cargo deny advisories ($manifest)"
      else
        grep -E '^error' "/tmp/deny.$$.log" | sort -u | head -n 20
        fail "cargo deny advisories ($manifest)"
      fi
    done
  else
    skip "cargo deny advisories: advisory database unreachable (no network to github.com/RustSec/advisory-db)"
  fi
  rm -f "/tmp/deny.$$.log"
else
  skip "cargo deny: not installed (cargo install cargo-deny --locked)"
fi

# --- 2. cargo audit ----------------------------------------------------------------
if cargo audit --version >/dev/null 2>&1; then
  if advisory_db_reachable; then
    if cargo audit --deny warnings; then ok "cargo audit"; else fail "cargo audit"; fi
  else
    skip "cargo audit: advisory database unreachable"
  fi
else
  skip "cargo audit: not installed (cargo install cargo-audit --locked)"
fi

# --- 3. npm audit ------------------------------------------------------------------
if [ -f package-lock.json ] && have npm && have node; then
  # A usable answer is an audit report; anything else (DNS failure, a proxy answering
  # 405 to the bulk advisory endpoint, a timeout) means the data was not available.
  verdict="$(timeout 90 npm audit --json 2>/dev/null | node -e '
    let text = "";
    process.stdin.on("data", (chunk) => (text += chunk));
    process.stdin.on("end", () => {
      let report;
      try { report = JSON.parse(text); } catch { console.log("unreachable"); return; }
      const counts = report && report.auditReportVersion && report.metadata && report.metadata.vulnerabilities;
      if (!counts) { console.log("unreachable"); return; }
      console.log(`high=${counts.high || 0} critical=${counts.critical || 0} total=${counts.total || 0}`);
    });')"
  case "$verdict" in
    unreachable | "") skip "npm audit: registry audit endpoint unreachable" ;;
    "high=0 critical=0"*) ok "npm audit (no high or critical advisories; $verdict)" ;;
    *)
      npm audit --audit-level=high 2>/dev/null | tail -n 30
      fail "npm audit ($verdict)"
      ;;
  esac
else
  skip "npm audit: no package-lock.json, npm or node"
fi

# --- 4. secret scanning --------------------------------------------------------------
# detect-secrets from .edgeauth/venv (setup_python in tools/setup.sh installs the pinned
# version when missing). The hook runs against a copy of the baseline: it rewrites the
# baseline when only line numbers moved (exit 3), which is not a new secret.
detect_secrets_check() {
  local venv="$root/.edgeauth/venv" version work status
  timeout 900 bash -c 'source tools/setup.sh; setup_python' ||
    echo "security-checks: installing the Python tools failed (exit $?)"
  version="$("$venv/bin/detect-secrets" --version 2>/dev/null)"
  if [ -z "$version" ]; then
    skip "detect-secrets: could not be installed into .edgeauth/venv (PyPI unreachable?)"
    return
  fi
  if [ ! -f .secrets.baseline ]; then
    fail "detect-secrets (.secrets.baseline missing)"
    return
  fi
  local files=()
  mapfile -d '' files < <(git ls-files -z -- ':!:.secrets.baseline')
  work="$(mktemp -d)"
  cp .secrets.baseline "$work/.secrets.baseline"
  "$venv/bin/detect-secrets-hook" --no-verify --baseline "$work/.secrets.baseline" "${files[@]}" \
    >"$work/hook.log" 2>&1
  status=$?
  case "$status" in
    0 | 3)
      # 3: the baseline's line numbers (or version) are stale; no new finding.
      ok "detect-secrets $version: no finding outside .secrets.baseline (${#files[@]} tracked files)"
      [ "$status" -eq 3 ] && echo "  note: .secrets.baseline line numbers are stale; refresh it as SECURITY.md says"
      ;;
    1)
      sed 's/^/  /' "$work/hook.log"
      fail "detect-secrets (a finding not in .secrets.baseline)"
      ;;
    *)
      sed 's/^/  /' "$work/hook.log"
      fail "detect-secrets-hook (exit $status)"
      ;;
  esac
  # Every baseline entry must have been audited as a false positive.
  if "$venv/bin/python" - .secrets.baseline <<'PY'; then
import json, sys
results = json.load(open(sys.argv[1]))["results"]
bad = 0
for entries in results.values():
    for s in entries:
        if s.get("is_secret") is not False:
            bad += 1
            state = "not audited" if s.get("is_secret") is None else "audited as a real secret"
            print(f"  {s['filename']}:{s['line_number']}: {s['type']} is {state} in .secrets.baseline")
sys.exit(1 if bad else 0)
PY
    ok "detect-secrets: every .secrets.baseline entry is audited as a false positive"
  else
    fail "detect-secrets (.secrets.baseline entries not audited as false positives)"
  fi
  rm -rf "$work"
}

if have gitleaks; then
  if gitleaks detect --source . --config .gitleaks.toml --no-banner --redact; then
    ok "gitleaks (history)"
  else
    fail "gitleaks"
  fi
else
  echo "security-checks: gitleaks not installed; detect-secrets, then the built-in scan of tracked files"
  detect_secrets_check
  findings=0
  # Private keys and well-known token formats. PEM private keys are allowed in test code
  # only (tests.rs, tests/, testkit/: keys generated for the tests); a header followed
  # by a closing quote is a parser's constant, not a key.
  pem_pattern='-----BEGIN ([A-Z]+ )?PRIVATE KEY-----([^"]|$)'
  patterns=(
    "$pem_pattern"
    '(AKIA|ASIA)[0-9A-Z]{16}'
    'gh[pousr]_[A-Za-z0-9]{36}'
    'github_pat_[A-Za-z0-9_]{60,}'
    'xox[abprs]-[A-Za-z0-9-]{10,}'
    '(CLOUDFLARE|CF)_API_(TOKEN|KEY)[[:space:]]*[=:][[:space:]]*["'"'"']?[A-Za-z0-9_-]{37,}'
    'sk_live_[A-Za-z0-9]{20,}'
  )
  for pattern in "${patterns[@]}"; do
    scope=(':!*.lock' ':!package-lock.json' ':!tools/ci/security-checks.sh')
    [ "$pattern" = "$pem_pattern" ] && scope+=(':!**/tests.rs' ':!**/tests/**' ':!**/testkit/**' ':!tests/**')
    hits="$(git grep -nIE -e "$pattern" -- "${scope[@]}" || true)"
    if [ -n "$hits" ]; then
      echo "$hits" | sed -E 's/^([^:]+:[0-9]+):.*/  \1: matches a secret pattern/'
      findings=$((findings + 1))
    fi
  done
  # Keyring entries (`id:base64url-32-bytes`) that are not development keys and not
  # allowlisted test vectors (the allowlist lives in .gitleaks.toml, one source).
  allowed="$(grep -oE "'''[A-Za-z0-9_-]{43}'''" .gitleaks.toml | tr -d "'")"
  while IFS= read -r hit; do
    [ -z "$hit" ] && continue
    location="${hit%%:*:*}"
    entry="$(echo "$hit" | grep -oE '[A-Za-z0-9._-]{1,64}:[A-Za-z0-9_-]{43}' | head -n 1)"
    id="${entry%%:*}"
    material="${entry#*:}"
    case "$id" in dev-*) continue ;; esac
    if ! grep -qxF -- "$material" <<<"$allowed"; then
      file_line="$(echo "$hit" | cut -d: -f1,2)"
      echo "  $file_line: keyring entry with id '$id' is neither a dev- key nor an allowlisted test vector"
      findings=$((findings + 1))
    fi
  done < <(git grep -nIoE '(^|[^A-Za-z0-9._-])[A-Za-z0-9._-]{1,64}:[A-Za-z0-9_-]{43}([^A-Za-z0-9_-]|$)' \
             -- ':!*.lock' ':!package-lock.json' || true)
  if [ "$findings" -eq 0 ]; then ok "built-in secret scan"; else fail "built-in secret scan ($findings)"; fi
fi

echo
if [ "${#failures[@]}" -gt 0 ]; then
  echo "security-checks: ${#failures[@]} check(s) failed: ${failures[*]}"
  exit 1
fi
echo "security-checks: all checks passed or were skipped with a reason"
