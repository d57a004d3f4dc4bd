#!/usr/bin/env bash
# Bench (figures, not test assertions): native (`soundalike bench --json`, fast profile) and the same
# measurements in headless Chromium (tests/bench/bench.mjs), for the real catalog (66k tracks) and a
# synthetic million, printed as one table with the wasm/native ratios.
#   SOUNDALIKE_SKIP_BUILD=1 bash scripts/bench.sh   # reuse an existing dist/
#   SOUNDALIKE_BENCH_SIZES=66k bash scripts/bench.sh   # the real catalog only
# The synthetic catalog (out/synth-1m.bin, seed 1) is made once and reused; it is linked into
# dist/ only for the run and loaded with ?catalog=synth-1m.bin.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
[ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund
if [ "${SOUNDALIKE_SKIP_BUILD:-}" != 1 ] || [ ! -f dist/index.html ]; then
  bash scripts/build-site.sh
fi
mkdir -p out
cargo build --quiet --profile fast --bin soundalike
cli=target/fast/soundalike
sizes="${SOUNDALIKE_BENCH_SIZES:-66k 1M}"
args=()
for size in $sizes; do
  case "$size" in
    66k) catalog=catalog.bin ;;
    1M)
      catalog=synth-1m.bin
      if [ ! -f out/synth-1m.bin ] || ! "$cli" catalog info out/synth-1m.bin >/dev/null 2>&1; then
        echo "making out/synth-1m.bin (once, a few seconds)…" >&2
        "$cli" catalog synth --tracks 1000000 --seed 1 --from dist/catalog.bin --out out/synth-1m.bin
      fi
      ln -sf ../out/synth-1m.bin dist/synth-1m.bin
      trap 'rm -f dist/synth-1m.bin' EXIT
      ;;
    *) echo "unknown size $size (66k or 1M)" >&2; exit 2 ;;
  esac
  echo "bench: $size natively…" >&2
  "$cli" bench --json --catalog "dist/$catalog" --weights dist/weights.bin > "out/bench-native-$size.json"
  args+=("$size" "$catalog" "out/bench-native-$size.json")
done
node tests/bench/bench.mjs "${args[@]}"
