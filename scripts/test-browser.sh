#!/usr/bin/env bash
# Real-browser tests of the page and the widget: Debian's chromium driven by playwright-core under
# node's test runner, against dist/ served by a local static server. Screenshots: tests/screenshots/.
#   SOUNDALIKE_SKIP_BUILD=1 bash scripts/test-browser.sh   # reuse an existing dist/
# Fixtures come from the native code of this checkout (the dev build `cargo test` uses).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
[ -d node_modules/playwright-core ] && [ -d node_modules/axe-core ] || npm ci --no-audit --no-fund
if [ "${SOUNDALIKE_SKIP_BUILD:-}" != 1 ] || [ ! -f dist/index.html ]; then
  bash scripts/build-site.sh
fi
source scripts/cli.sh
mkdir -p target/fixtures
# the native numbers of the fine-tune fixture, for the wasm-vs-native test (finetune.test.mjs)
rm -f target/fixtures/finetune-native.json
cargo test --quiet --test models native_finetune_fixture_values
# a catalog whose titles contain HTML, for the "shown as text" test
soundalike catalog build --input tests/fixtures/html-titles.csv --out target/fixtures/html-titles.bin --interactions target/fixtures/html-interactions.json >/dev/null
# a small synthetic catalog for the ?catalog= test (synthetic.test.mjs)
soundalike catalog synth --tracks 3000 --seed 5 --from dist/catalog.bin --out target/fixtures/synth.bin
# the CLI's answer for fixed likes, for the page-equals-CLI test (one-recommender.test.mjs)
soundalike recommend --catalog dist/catalog.bin --weights dist/weights.bin \
  --like 1EzrEOXmMH3G43AXT1y7pA --like 4hbGPfz03P8Nnh75mFIAoH --like 6f807x0ima9a1j3VPbc7VN \
  --k 20 --no-finetune --json > target/fixtures/one-recommender.json
mkdir -p tests/screenshots
node --test --test-concurrency=1 tests/browser/*.test.mjs
echo "screenshots in tests/screenshots/"
