#!/usr/bin/env bash
# Build the static site into dist/ and the widget package into pkg/ (copied to dist/pkg/).
#   bash scripts/build-site.sh            # release (what serve.sh, the tests and the bench use)
#   bash scripts/build-site.sh --debug    # quick debug build while iterating
# Tools come from scripts/setup.sh; run it first on a fresh machine (serve.sh and test.sh do).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
say() { printf '\033[1m[build]\033[0m %s\n' "$*"; }

mode=release
[ "${1:-}" = "--debug" ] && mode=debug

# Rebuild when missing or unreadable by this build (e.g. an older catalog format version).
# the CLI as `cargo test` builds it (scripts/cli.sh): no separate native build
source scripts/cli.sh
if [ ! -s www/catalog.bin ] || ! soundalike catalog info www/catalog.bin >/dev/null 2>&1; then
  say "building the catalog (www/catalog.bin) from the default data"
  # the CLI as `cargo test` builds it (scripts/cli.sh): no separate native build
  source scripts/cli.sh
  soundalike catalog build
fi
if [ ! -s www/weights.bin ]; then
  echo "www/weights.bin is missing: it is committed with the trained models (soundalike train)." >&2
  exit 1
fi

say "trunk build ($mode)"
if [ "$mode" = release ]; then trunk build --release; else trunk build; fi

# pkg/: the same wasm-bindgen (--target web) output trunk produced, under stable names.
js=$(ls dist/soundalike-web*.js | grep -v '\.d\.ts$' | head -n1)
wasm="${js%.js}_bg.wasm"
mkdir -p pkg
cp "$wasm" pkg/soundalike_bg.wasm
sed -E "s/soundalike-web(-[0-9a-f]+)?_bg\.wasm/soundalike_bg.wasm/g" "$js" > pkg/soundalike.js
cp www/widget.css pkg/widget.css
cp www/engine-worker.js pkg/engine-worker.js
rm -rf dist/pkg && mkdir -p dist/pkg && cp pkg/soundalike.js pkg/soundalike_bg.wasm pkg/widget.css pkg/engine-worker.js pkg/auto.js pkg/package.json pkg/README.md dist/pkg/
raw=$(stat -c %s pkg/soundalike_bg.wasm); gz=$(gzip -9 -c pkg/soundalike_bg.wasm | wc -c)
say "dist/ ready: wasm ${raw} bytes raw, ${gz} bytes gzip; catalog $(stat -c %s dist/catalog.bin) bytes"
