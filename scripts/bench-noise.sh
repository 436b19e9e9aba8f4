#!/usr/bin/env bash
# How much of a `numberly run` time is the machine's: N times (default 12), the
# memory probe (scripts/mem-probe.c), the speed of the processor's SHA-256 unit as
# OpenSSL's own code gets it (`openssl speed`, one second, when openssl is
# installed: a host whose cores are shared hashes slower, whatever our code does),
# and then `numberly run` 1M / 10M with the page cache dropped (needs root), one
# line each: the probes' figures, then the run's wall, user and system seconds. The
# CLI is scripts/build-cli.sh's.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-12}
OUT=${OUT:-/tmp/numberly-noise}
scripts/build-cli.sh
gcc -O2 -o /tmp/mem-probe scripts/mem-probe.c
for _ in $(seq "$N"); do
  probe=$(/tmp/mem-probe | cut -d' ' -f1-4)
  if command -v openssl > /dev/null; then
    # "sha256 <bytes per second in thousands>" for 64 KiB blocks.
    sha=$(openssl speed -seconds 1 -bytes 65536 -evp sha256 2> /dev/null | awk '$1 == "sha256" { printf "%.2f", $2 / 1e6 }')
    probe="$probe sha256_GB_s ${sha:-?}"
  fi
  rm -rf "$OUT" && mkdir -p "$OUT" && sync && echo 3 > /proc/sys/vm/drop_caches
  run=$( { /usr/bin/time -f "run %e s user %U s sys %S s" target/fast/numberly run --customers 1000000 \
    --interactions 10000000 --seed 1 --out "$OUT" --quiet; } 2>&1 )
  echo "$(date +%H:%M:%S) $probe | $run"
done
rm -rf "$OUT"
