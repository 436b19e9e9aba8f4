#!/usr/bin/env bash
# Checks a CLI built for a processor with AVX (scripts/build-cli.sh's) for SHA
# instructions that could run while AVX code has left the vector registers' upper
# halves in use: then each SHA instruction (old SSE encoding only) pays a change of
# state, and SHA-256 ran 100 times slower on this project's machines (see
# `clear_upper` in crates/core/src/sha_pair.rs).
#
# Compilers clear the upper halves before every call and return, so a function is
# safe when it touches no 256- or 512-bit register of the first sixteen (those whose
# halves count). This fails, naming them, when a function holding SHA instructions
# also uses one of those registers: AVX code and SHA code inlined into one function.
#
#   scripts/check-sha-code.sh [BINARY]     (default target/fast/numberly)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/fast/numberly}
test -x "$bin" || { echo "check-sha-code: no binary at $bin" >&2; exit 1; }
listing=$(mktemp)
trap 'rm -f "$listing"' EXIT
objdump -d --no-show-raw-insn "$bin" >"$listing"
if ! grep -qE '%[yz]mm' "$listing"; then
  echo "check-sha-code: $bin uses no 256- or 512-bit registers: nothing to check" >&2
  exit 0
fi
report=$(awk '
  function done() {
    if (sha > 0) { shas++; if (wide > 0) { bad++; print "  " name ": " sha " SHA instructions, " wide " uses of %ymm0-15/%zmm0-15" } }
  }
  /^[0-9a-f]+ <.*>:$/ { done(); name = substr($2, 2, length($2) - 3); sha = 0; wide = 0; next }
  /sha256(rnds2|msg1|msg2)/ { sha++ }
  /%[yz]mm([0-9]|1[0-5])([^0-9]|$)/ { wide++ }
  END { done(); printf "functions with SHA instructions: %d, unsafe: %d\n", shas, bad + 0 }
' "$listing" | c++filt)
echo "$report" >&2
if echo "$report" | grep -q '^  '; then
  echo "check-sha-code: FAILED: route these functions' hashing through sha_pair's one_lane or compress2" >&2
  exit 1
fi
if ! echo "$report" | grep -qE 'functions with SHA instructions: [1-9]'; then
  echo "check-sha-code: FAILED: no SHA instructions found in $bin (is it built for this processor?)" >&2
  exit 1
fi
