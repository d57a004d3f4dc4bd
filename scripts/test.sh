#!/usr/bin/env bash
# The one test command (README, .ci/run): installs what is missing, then runs every test:
# format + lint, native unit and integration tests on ../shared/data, the wasm32 build of the
# core, the wasm fine-tune in headless Chromium, and the page's browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "format and lint"
cargo fmt --check
cargo clippy --all-targets --quiet -- -D warnings

step "native tests (real data in ${SOUNDALIKE_DATA:-../shared/data})"
cargo test --quiet

step "wasm32 build of the core"
cargo check --quiet --lib --target wasm32-unknown-unknown

if [ -f scripts/test-wasm.sh ]; then
  step "wasm tests in headless Chromium"
  bash scripts/test-wasm.sh
fi

if [ -f scripts/test-browser.sh ]; then
  step "browser tests of the page"
  bash scripts/test-browser.sh
fi
step "all tests passed"
