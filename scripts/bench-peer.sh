#!/usr/bin/env bash
# Runs the polars peer (../shared/peers/polars_pipeline.py) and then `numberly run`
# at the same sizes, one right after the other, N times, dropping the page cache
# before each run (needs root), and prints each run's wall time and peak memory.
#
#   scripts/bench-peer.sh [N] [CUSTOMERS] [INTERACTIONS]      (default 3 1000000 10000000)
#
# PYTHON (default ../.peers-venv/bin/python) must have the peer's requirements
# (see ../shared/peers/README.md); OUT (default /tmp/numberly-bench) is scratch space.
# BIN (default: target/fast/numberly, built first by scripts/build-cli.sh) is the CLI.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-3}
CUSTOMERS=${2:-1000000}
INTERACTIONS=${3:-10000000}
PYTHON=${PYTHON:-../.peers-venv/bin/python}
PEER=${PEER:-../shared/peers/polars_pipeline.py}
OUT=${OUT:-/tmp/numberly-bench}
# The CLI as scripts/build-cli.sh builds it (for this processor, profile-guided),
# unless BIN names another build.
if [ -z "${BIN:-}" ]; then
  scripts/build-cli.sh
  BIN=target/fast/numberly
fi

fresh() {
  rm -rf "$OUT"
  mkdir -p "$OUT"
  sync
  echo 3 > /proc/sys/vm/drop_caches
}

for _ in $(seq "$N"); do
  fresh
  /usr/bin/time -f "polars   %e s  %M KB  user %U s  sys %S s" "$PYTHON" "$PEER" --customers "$CUSTOMERS" \
    --interactions "$INTERACTIONS" --seed 1 --out "$OUT" 2>&1 | grep -v '^\[polars\]'
  fresh
  /usr/bin/time -f "numberly %e s  %M KB  user %U s  sys %S s" "$BIN" run --customers "$CUSTOMERS" \
    --interactions "$INTERACTIONS" --seed 1 --out "$OUT" --quiet
done
rm -rf "$OUT"
