#!/usr/bin/env bash
# Installs whatever is missing, then runs every check and test: formatting,
# clippy, the native test suite, the WebAssembly determinism test (Node.js), a
# release build of the app with trunk, the fast CLI of scripts/build-cli.sh against
# the release build (its old-SSE code checked, and the core's unit tests built as it
# is), and the end-to-end suite in headless Chromium against the native CLI.
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

step "the fast CLI (scripts/build-cli.sh) writes the release build's bytes"
scripts/build-cli.sh
# No AVX code inlined beside old-SSE code (SHA-256 100 times slower, see the script).
scripts/check-sse-code.sh
check=target/fast-check
rm -rf "$check"
for build in release fast; do
  bin=target/$build/numberly out=$check/$build
  "$bin" run --customers 30000 --interactions 400000 --seed 5 --dirty 0.02 --out "$out/run" --quiet
  "$bin" generate --customers 5000 --interactions 60000 --seed 6 --dirty 0.05 --out "$out/raw" --quiet
  NUMBERLY_PASSPHRASE=check "$bin" run --clients "$out/raw/clients.csv" --interactions "$out/raw/interactions.csv" \
    --out "$out/import" --quiet
done
diff -r "$check/release" "$check/fast"
rm -rf "$check"

step "core unit tests built for this processor, as the fast CLI is (its AVX-512 paths)"
RUSTFLAGS="-C target-cpu=native" cargo test -p numberly-core --lib --locked --target-dir target/native-test

step "end to end: the built app in headless Chromium"
node --test tests/e2e/

printf '\nall checks passed\n' >&2
