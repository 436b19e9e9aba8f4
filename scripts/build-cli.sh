#!/usr/bin/env bash
# Builds the fastest `numberly` CLI for this machine, at target/fast/numberly:
# optimised for this processor (`-C target-cpu=native`) and guided by a profile of
# the CLI's own training runs (profile-guided optimisation, PGO). The outputs are
# byte for byte those of `cargo build --release` (scripts/test.sh checks it); only
# the speed differs. The binary may not start on an older processor than this one:
# build it where it runs.
#
#   scripts/build-cli.sh            (about 2 minutes on 2 cores)
#
# The training runs are smaller than the benchmark's and use other seeds: a run on
# generated data, and a dirty generated pair imported back (the ingest and reject
# paths). PGO needs `llvm-profdata` from rustup's llvm-tools component (the same
# LLVM as rustc); without it, the build is only for this processor, and says so.
# CPU (default native) overrides the processor, e.g. CPU=x86-64-v3.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
CPU=${CPU:-native}
WORK=target/pgo
say() { printf '[build-cli] %s\n' "$*" >&2; }

profdata() {
  local bin
  bin="$(rustc --print sysroot)/lib/rustlib/$(rustc -vV | sed -n 's/^host: //p')/bin/llvm-profdata"
  if [ ! -x "$bin" ]; then
    say "adding rustup's llvm-tools component (for llvm-profdata)"
    rustup component add llvm-tools >&2 || true
  fi
  if [ -x "$bin" ]; then echo "$bin"; fi
}

PROFDATA=$(profdata)
FLAGS="-C target-cpu=$CPU"
if [ -n "$PROFDATA" ]; then
  say "1/3 instrumented build (target-cpu=$CPU)"
  RUSTFLAGS="$FLAGS -C profile-generate=$PWD/$WORK/raw" \
    cargo build --release --locked -p numberly-cli --target-dir "$WORK/gen"
  # Build scripts were instrumented too: only the training runs' profiles count.
  rm -rf "$WORK/raw" "$WORK/train"
  mkdir -p "$WORK/train"
  say "2/3 training runs"
  bin="$WORK/gen/release/numberly"
  "$bin" run --customers 200000 --interactions 2000000 --seed 11 --out "$WORK/train/run" --quiet
  "$bin" generate --customers 20000 --interactions 200000 --seed 12 --dirty 0.05 --out "$WORK/train/raw" --quiet
  "$bin" run --clients "$WORK/train/raw/clients.csv" --interactions "$WORK/train/raw/interactions.csv" \
    --out "$WORK/train/import" --quiet
  "$PROFDATA" merge -o "$WORK/numberly.profdata" "$WORK/raw"
  rm -rf "$WORK/train"
  say "3/3 optimised build"
  FLAGS="$FLAGS -C profile-use=$PWD/$WORK/numberly.profdata"
  what="profile-guided"
else
  say "WARNING: no llvm-profdata (rustup component add llvm-tools failed): building without PGO"
  what="no PGO"
fi
RUSTFLAGS="$FLAGS" cargo build --release --locked -p numberly-cli --target-dir "$WORK/use"
mkdir -p target/fast
cp "$WORK/use/release/numberly" target/fast/numberly
say "built target/fast/numberly (target-cpu=$CPU, $what)"
