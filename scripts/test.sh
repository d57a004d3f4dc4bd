#!/usr/bin/env bash
# The one test command (README, .ci/run): installs what is missing, then runs every test:
# format, lint (native and wasm32), native unit and integration tests on ../shared/data, the
# catalog and fixtures, the release site, and the page's and the widget's tests in headless
# Chromium (including the wasm fine-tune checked against the native numbers).
#
# Each profile is compiled once: `dev` for the native tests, the catalog and the fixtures (the CLI
# is the binary `cargo test` built, see scripts/cli.sh) and `release` for the wasm; clippy only
# checks. The release wasm compiles in the background from the start (cargo locks dev and release
# builds separately), so both cores stay busy while the dev steps wait on one long crate.
# At the end it prints the seconds each step took.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
source scripts/cli.sh

t_start=$(date +%s)
timings=()
bg_pid=""
bg_log=target/test-logs/wasm-release.log
report() {
  local rc=$?
  if [ -n "$bg_pid" ] && kill -0 "$bg_pid" 2>/dev/null; then kill "$bg_pid" 2>/dev/null || true; fi
  printf '\n\033[1m== times\033[0m\n'
  printf '%-36s %8s\n' step seconds
  local row
  for row in "${timings[@]}"; do printf '%-36s %8s\n' "${row%%|*}" "${row##*|}"; done
  printf '%-36s %8s\n' "total (wall)" "$(($(date +%s) - t_start))"
  [ "$rc" = 0 ] || printf '\033[1;31mFAILED\033[0m during: %s\n' "${current:-?}"
}
trap report EXIT

# step NAME COMMAND...: run, time and record one step.
step() {
  current=$1
  shift
  printf '\n\033[1m== %s\033[0m\n' "$current"
  local t0
  t0=$(date +%s)
  "$@"
  timings+=("$current|$(($(date +%s) - t0))")
}

# Wait for the background build; show its log if it failed.
wait_wasm_release() {
  local rc=0
  wait "$bg_pid" || rc=$?
  bg_pid=""
  timings+=("  (wasm release build, background)|$(cat target/test-logs/wasm-release.secs 2>/dev/null || echo '?')")
  if [ "$rc" != 0 ]; then
    cat "$bg_log" >&2
    return "$rc"
  fi
}

step "tools (setup.sh)" bash scripts/setup.sh
mkdir -p target/test-logs
rm -f target/test-logs/wasm-release.secs
(
  t0=$(date +%s)
  # the same cargo command trunk runs (scripts/build-site.sh), so trunk later finds it fresh
  cargo build --quiet --release --target=wasm32-unknown-unknown --bin soundalike-web &
  build=$!
  trap 'kill "$build" 2>/dev/null; exit 143' TERM
  wait "$build"
  echo $(($(date +%s) - t0)) > target/test-logs/wasm-release.secs
) > "$bg_log" 2>&1 &
bg_pid=$!
step "format" cargo fmt --check
step "clippy native" cargo clippy --all-targets --quiet -- -D warnings
step "clippy wasm32" cargo clippy --target wasm32-unknown-unknown --lib --bins --quiet -- -D warnings
step "native tests" cargo test --quiet
step "catalog" soundalike catalog build
step "wait for the wasm release build" wait_wasm_release
step "release site (trunk)" bash scripts/build-site.sh
step "browser tests" env SOUNDALIKE_SKIP_BUILD=1 bash scripts/test-browser.sh
current=""
printf '\n\033[1m== all tests passed\033[0m\n'
