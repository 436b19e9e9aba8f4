#!/usr/bin/env bash
# Instructions, not seconds: when the host's speed drifts from minute to minute (see
# scripts/bench-noise.sh), a change of a few percent cannot be timed, but it can be
# counted. Runs each given build of `numberly` under valgrind's callgrind on `run`
# 100k / 1M (seed 1), and prints the instructions of the whole run, of SHA-256 and of
# the rest per interaction row, then the functions that executed the most.
#
#   scripts/bench-instructions.sh BIN [BIN ...]   (copy each build out of target/ first)
#
# Use builds valgrind can run: `cargo build --release` or `CPU=x86-64-v3
# scripts/build-cli.sh`, not the native fast CLI (valgrind knows no AVX-512). Under
# valgrind the processor's SHA instructions are not used, so SHA-256 runs in
# software and is counted apart. About a minute a build. OUT (default
# /tmp/numberly-instructions) is scratch space.
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 BIN [BIN ...]" >&2; exit 2; }
command -v valgrind > /dev/null || { echo "valgrind is not installed (apt-get install valgrind)" >&2; exit 1; }
OUT=${OUT:-/tmp/numberly-instructions}
ROWS=1000000
for bin in "$@"; do
  rm -rf "$OUT" && mkdir -p "$OUT"
  valgrind --tool=callgrind --callgrind-out-file="$OUT/callgrind.out" \
    "$bin" run --quiet --customers 100000 --interactions "$ROWS" --seed 1 --out "$OUT/files" \
    > /dev/null 2> "$OUT/valgrind.log"
  callgrind_annotate "$OUT/callgrind.out" > "$OUT/annotate.txt"
  python3 - "$bin" "$OUT/annotate.txt" "$ROWS" <<'PY'
import re, sys
bin, path, rows = sys.argv[1], sys.argv[2], int(sys.argv[3])
total, by_fn = None, []
for line in open(path):
    m = re.match(r"\s*([\d,]+) \([^)]*\)\s+(.*)", line)
    if not m:
        continue
    count, what = int(m.group(1).replace(",", "")), m.group(2)
    if what.startswith("PROGRAM TOTALS"):
        total = count
    elif ":" in what:
        by_fn.append((count, what.split(":", 1)[1].split(" [")[0]))
if total is None:
    sys.exit(f"{bin}: no totals in {path}")
sha = sum(c for c, f in by_fn if f.startswith("sha2::"))
print(f"{bin}: {total / 1e9:.3f} billion instructions; SHA-256 {sha / 1e9:.3f} billion; "
      f"the rest {(total - sha) / rows:.0f} an interaction row")
for c, f in [x for x in by_fn if not x[1].startswith("sha2::")][:10]:
    print(f"  {c / 1e6:9.1f} M  {f}")
PY
done
rm -rf "$OUT"
