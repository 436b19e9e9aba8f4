#!/usr/bin/env bash
# Installs what building and testing Numberly need, skipping whatever is already
# there at the right version: the wasm32 target, trunk, wasm-bindgen-cli at the
# version Cargo.lock pins, the npm packages of package-lock.json (ECharts, and
# playwright-core for the browser tests) and, with --browser, Debian's Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
WASM_BINDGEN_VERSION=$(awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf '[setup] %s\n' "$*" >&2; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if trunk --version 2>/dev/null | grep -qF "trunk $TRUNK_VERSION"; then
  say "trunk $TRUNK_VERSION already installed"
else
  say "installing trunk $TRUNK_VERSION (about 9 minutes on 2 cores)"
  cargo install trunk --version "$TRUNK_VERSION" --locked
fi

if wasm-bindgen --version 2>/dev/null | grep -qF "wasm-bindgen $WASM_BINDGEN_VERSION"; then
  say "wasm-bindgen-cli $WASM_BINDGEN_VERSION already installed"
else
  # `--locked` fails for this version on the registry; the install still pins the version.
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 2 minutes)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

if [ ! -d node_modules/echarts ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing the npm packages of package-lock.json"
  npm ci --no-audit --no-fund
fi

if [ "${1:-}" = "--browser" ] && ! [ -x /usr/bin/chromium ]; then
  say "installing Debian's chromium for the browser tests"
  apt-get update -q
  apt-get install -y -q chromium chromium-driver
fi

if ! grep -qF "wasm_bindgen = \"$WASM_BINDGEN_VERSION\"" Trunk.toml; then
  say "Trunk.toml [tools] wasm_bindgen must be $WASM_BINDGEN_VERSION (the version in Cargo.lock)"
  exit 1
fi
