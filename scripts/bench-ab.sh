#!/usr/bin/env bash
# Two builds of `numberly` side by side: N rounds (default 6), each running A then B
# on `run` 1M / 10M (seed 1), and per stage the median wall and CPU seconds that
# `numberly run` prints without `--quiet`, with every wall time, and the whole run's
# difference B - A round by round.
#
#   scripts/bench-ab.sh [N] BIN_A BIN_B      (copy each build out of target/ first)
#
# OUT (default /tmp/numberly-ab) is scratch space.
set -euo pipefail
N=${1:-6}
A=$2
B=$3
OUT=${OUT:-/tmp/numberly-ab}
LOG=$(mktemp)
for _ in $(seq "$N"); do
  for bin in "$A" "$B"; do
    rm -rf "$OUT"
    "$bin" run --customers 1000000 --interactions 10000000 --seed 1 --out "$OUT" 2>&1 |
      sed -nE "s/^([a-z+]+) done in ([0-9.]+) s \(CPU ([0-9.]+) s\).*/\1 \2 \3/p; s/^total ([0-9.]+) s \(CPU ([0-9.]+) s\).*/total \1 \2/p" |
      sed "s|^|$bin |" >>"$LOG"
  done
done
rm -rf "$OUT"
python3 - "$LOG" "$A" "$B" <<'PY'
import statistics, sys
log, bins = sys.argv[1], sys.argv[2:]
rows = [l.split() for l in open(log)]
for stage in ["generate", "clean", "metrics", "export", "metrics+export", "total"]:
    for b in bins:
        v = [(float(w), float(c)) for (x, s, w, c) in rows if x == b and s == stage]
        if v:
            print(f"{stage:9s} {b}: wall median {statistics.median(w for w, _ in v):.3f} s, "
                  f"CPU median {statistics.median(c for _, c in v):.3f} s; walls {' '.join(f'{w:.2f}' for w, _ in v)}")
# Round by round, B minus A (the host's speed drifts less within a round than across).
for stage in ["total"]:
    a, b = ([(float(w), float(c)) for (x, s, w, c) in rows if x == k and s == stage] for k in bins)
    for i, what in [(0, "wall"), (1, "CPU")]:
        d = [y[i] - x[i] for x, y in zip(a, b)]
        if d:
            print(f"{stage} {what}, B - A by round: median {statistics.median(d):+.3f} s, "
                  f"B lower in {sum(1 for x in d if x < 0)} of {len(d)}")
PY
rm -f "$LOG"
