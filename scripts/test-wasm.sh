#!/usr/bin/env bash
# Runs the wasm32 fine-tune test in headless Chromium and compares to native numbers.
# Needs wasm-bindgen-test-runner 0.2.130 (`cargo install wasm-bindgen-cli --version 0.2.130`),
# chromium and chromedriver (`apt-get install -y chromium chromium-driver`).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/work/target}"
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || true
cargo test --target wasm32-unknown-unknown --test wasm_finetune "$@"
