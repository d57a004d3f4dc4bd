#!/usr/bin/env bash
# The one test command (README, .ci/run): installs what is missing, then runs every test:
# format, lint (native and wasm32), native unit and integration tests on ../shared/data, the
# catalog and fixtures, the release site, and the page's and the widget's tests in headless
# Chromium (including the wasm fine-tune checked against the native numbers).
# Each profile is compiled once: `dev` for the native tests, the catalog and the fixtures (its
# dependencies are optimised, see Cargo.toml; the CLI is the binary `cargo test` built, see
# scripts/cli.sh) and `release` for the wasm; clippy only checks.
# At the end it prints the seconds each step took.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
source scripts/cli.sh

t_start=$(date +%s)
timings=()
report() {
  local rc=$?
  printf '\n\033[1m== times\033[0m\n'
  printf '%-28s %8s\n' step seconds
  local row
  for row in "${timings[@]}"; do printf '%-28s %8s\n' "${row%%|*}" "${row##*|}"; done
  printf '%-28s %8s\n' total "$(($(date +%s) - t_start))"
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

step "tools (setup.sh)" bash scripts/setup.sh
step "format" cargo fmt --check
step "clippy native" cargo clippy --all-targets --quiet -- -D warnings
step "clippy wasm32" cargo clippy --target wasm32-unknown-unknown --lib --bins --quiet -- -D warnings
step "native tests" cargo test --quiet
step "catalog" soundalike catalog build
step "release site (trunk)" bash scripts/build-site.sh
step "browser tests" env SOUNDALIKE_SKIP_BUILD=1 bash scripts/test-browser.sh
current=""
printf '\n\033[1m== all tests passed\033[0m\n'
