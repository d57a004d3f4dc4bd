#!/usr/bin/env bash
# Bench (figures, not test assertions): builds the release site, runs the native bench
# (`soundalike bench --json`) and the same measurements in headless Chromium, and prints both.
#   SOUNDALIKE_SKIP_BUILD=1 bash scripts/bench.sh   # reuse an existing dist/
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
[ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund
if [ "${SOUNDALIKE_SKIP_BUILD:-}" != 1 ] || [ ! -f dist/index.html ]; then
  bash scripts/build-site.sh
fi
mkdir -p out
cargo run --quiet --profile fast -- bench --json --catalog www/catalog.bin --weights www/weights.bin > out/bench-native.json
node tests/bench/bench.mjs out/bench-native.json
