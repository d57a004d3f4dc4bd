#!/usr/bin/env bash
# Installs every tool soundalike needs, idempotently. Safe to run repeatedly:
# each tool is installed only when missing or at the wrong version.
# Recipe: ../shared/TOOLCHAIN.md (offline: crates.io, npm and Debian only).
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=0.2.130
TRUNK_VERSION=0.21.14
BINARYEN_VERSION=132

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

export PATH="$HOME/.cargo/bin:$PATH"

# 1. wasm32 target (rustup is idempotent).
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# 2. wasm-bindgen-cli pinned to Cargo.lock's wasm-bindgen (no --locked: see TOOLCHAIN.md).
if [ -f Cargo.lock ]; then
  locked=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/[^0-9.]/,""); print; exit}' Cargo.lock)
  [ -n "$locked" ] && WASM_BINDGEN_VERSION=$locked
fi
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (~4 min)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

# 3. trunk (0.22 needs a newer rustc).
if [ "$(trunk --version 2>/dev/null | awk '{print $2}')" != "$TRUNK_VERSION" ]; then
  say "installing trunk $TRUNK_VERSION (~13 min)"
  cargo install --locked trunk --version "$TRUNK_VERSION" --force
fi

# 4. binaryen from npm (Debian's 108 breaks wasm-bindgen's externref table) and playwright-core.
if [ ! -x node_modules/.bin/wasm-opt ] || ! node_modules/.bin/wasm-opt --version | grep -q "version $BINARYEN_VERSION" || [ ! -d node_modules/axe-core ]; then
  say "installing npm packages (binaryen $BINARYEN_VERSION, playwright-core, axe-core)"
  npm ci --no-audit --no-fund
fi

# 5. Debian chromium for the browser tests (driven by playwright-core).
if ! command -v chromium >/dev/null; then
  say "installing chromium from Debian"
  SUDO=""; [ "$(id -u)" != 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

say "tools ready: $(trunk --version), wasm-bindgen $(wasm-bindgen --version | awk '{print $2}'), $(node_modules/.bin/wasm-opt --version), $(chromium --version)"
