#!/usr/bin/env bash
# How much of a `numberly run` time is the machine's: N times (default 12), the
# memory probe (scripts/mem-probe.c) and then `numberly run` 1M / 10M with the page
# cache dropped (needs root), one line each: the probe's figures, then the run's
# wall, user and system seconds. The CLI is scripts/build-cli.sh's.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-12}
OUT=${OUT:-/tmp/numberly-noise}
scripts/build-cli.sh
gcc -O2 -o /tmp/mem-probe scripts/mem-probe.c
for _ in $(seq "$N"); do
  probe=$(/tmp/mem-probe | cut -d' ' -f1-4)
  rm -rf "$OUT" && mkdir -p "$OUT" && sync && echo 3 > /proc/sys/vm/drop_caches
  run=$( { /usr/bin/time -f "run %e s user %U s sys %S s" target/fast/numberly run --customers 1000000 \
    --interactions 10000000 --seed 1 --out "$OUT" --quiet; } 2>&1 )
  echo "$(date +%H:%M:%S) $probe | $run"
done
rm -rf "$OUT"
