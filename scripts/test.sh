#!/usr/bin/env bash
# Installs whatever is missing, then runs every check and test: formatting,
# clippy, the native test suite, the WebAssembly determinism test (Node.js), a
# release build of the app with trunk, and the end-to-end suite in headless
# Chromium against the native CLI.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

scripts/setup.sh --browser

step() { printf '\n== %s\n' "$*" >&2; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "native tests"
cargo test --workspace --locked

step "WebAssembly: the engine gives the same bytes as natively (Node.js)"
cargo test -p numberly-core --release --locked --target wasm32-unknown-unknown --test determinism

step "app: trunk release build, and the CLI it is compared with"
trunk build --release
test -s dist/index.html
cargo build --release --locked -p numberly-cli

step "end to end: the built app in headless Chromium"
node --test tests/e2e/

printf '\nall checks passed\n' >&2
