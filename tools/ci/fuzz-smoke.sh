#!/usr/bin/env bash
# Builds every cargo-fuzz target in fuzz/ and runs each one briefly from its committed
# seed corpus (fuzz/seeds/<target>), printing one line per target with the number of
# executions. Fails on the first crash, leak or timeout, naming the reproducer.
#
#   tools/ci/fuzz-smoke.sh                      # every target, ~5 s each (~35 s total)
#   FUZZ_SECONDS=600 tools/ci/fuzz-smoke.sh jwt # one target, ten minutes
#   tools/ci/fuzz-smoke.sh --build-only         # build every target, run none (the test
#                                               # command builds them in the background)
#
# libFuzzer needs nightly-only compiler flags (sanitizers, coverage); the pinned stable
# toolchain accepts them with RUSTC_BOOTSTRAP=1, so no nightly download is needed.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root/fuzz"
seconds="${FUZZ_SECONDS:-5}"
build_only=false
if [ "${1:-}" = "--build-only" ]; then
  build_only=true
  shift
fi
export RUSTC_BOOTSTRAP=1
# Same flags for build and run, so the run reuses the build (release + debug assertions,
# so integer overflow is a finding too).
flags=(-O -a)

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz-smoke: installing cargo-fuzz"
  cargo install cargo-fuzz --locked --version 0.13.2
fi

if [ "$#" -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo fuzz list)
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "fuzz-smoke: building ${#targets[@]} targets"
if ! cargo fuzz build "${flags[@]}" >"$work/build.log" 2>&1; then
  cat "$work/build.log" >&2
  exit 1
fi
if [ "$build_only" = true ]; then
  echo "fuzz-smoke: built ${#targets[@]} targets (--build-only)"
  exit 0
fi
failed=0
for target in "${targets[@]}"; do
  seeds="seeds/$target"
  if [ ! -d "$seeds" ] || [ -z "$(ls -A "$seeds")" ]; then
    echo "fuzz-smoke: $target has no seed corpus in fuzz/$seeds" >&2
    failed=1
    continue
  fi
  mkdir -p "$work/$target"
  log="$work/$target.log"
  # New inputs go to the scratch corpus; the seeds directory is only read.
  if cargo fuzz run "${flags[@]}" "$target" "$work/$target" "$seeds" -- \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      >"$log" 2>&1; then
    runs="$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | tail -n 1)"
    cov="$(sed -n 's/.*cov: \([0-9]*\).*/\1/p' "$log" | tail -n 1)"
    printf 'fuzz %-18s ok   %8s runs in %ss, coverage %s edges, %s seeds\n' \
      "$target" "${runs:-?}" "$seconds" "${cov:-?}" "$(ls "$seeds" | wc -l)"
  else
    printf 'fuzz %-18s FAILED\n' "$target"
    grep -E 'panicked at|ERROR: libFuzzer|SUMMARY|Test unit written to' "$log" | head -n 8 | sed 's/^/    /'
    echo "    reproduce: cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run ${flags[*]} $target <artifact>"
    failed=1
  fi
done
exit "$failed"
