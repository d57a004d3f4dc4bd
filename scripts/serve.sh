#!/usr/bin/env bash
# The README's serve command: install the tools (idempotent), build the catalog if missing, build the
# site in release mode and the widget package, then serve dist/ on http://127.0.0.1:8080/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build-site.sh
PORT="${PORT:-8080}"
echo
echo "soundalike is served at  http://127.0.0.1:${PORT}/"
echo "widget example:          http://127.0.0.1:${PORT}/blog-example.html"
echo "(Ctrl-C to stop)"
exec python3 -m http.server "$PORT" --bind 127.0.0.1 --directory dist
