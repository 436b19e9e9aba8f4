#!/usr/bin/env bash
# Checks a CLI built for a processor with AVX (scripts/build-cli.sh's) for
# instructions in the old SSE encoding that could run while AVX code has left the
# vector registers' upper halves in use: then each of them pays a change of state,
# and SHA-256 ran 100 times slower on this project's machines (see `clear_upper` in
# crates/core/src/sha_pair.rs). Such instructions remain in a build for AVX where
# no other encoding exists (the SHA instructions) and where the standard library
# writes them itself (`_mm_stream_si128` gives `movntdq`, as in `stage` and
# `sha_pair`).
#
# AMD's SSE4a instructions (`extrq`, `insertq`, `movntss`, `movntsd`: old encoding
# only, which a build for an AMD processor may choose) are left out: only AMD
# processors run them, and there the change of state costs nothing (measured on an
# AMD EPYC of this project on 2026-12-06: SHA rounds and `extrq` after a 256-bit
# instruction ran at 2.26 ns a round either way; see docs/benchmarks.md).
#
# Compilers clear the upper halves before every call and return, so a function is
# safe when it touches no 256- or 512-bit register of the first sixteen (those whose
# halves count). This fails, naming them, when a function holding old-SSE
# instructions also uses one of those registers: AVX code and old-SSE code inlined
# into one function.
#
#   scripts/check-sse-code.sh [BINARY]     (default target/fast/numberly)
set -euo pipefail
# (A BINARY given is taken from the caller's folder; the default from the repository.)
if [ $# -gt 0 ]; then bin=$(realpath "$1"); fi
cd "$(dirname "$0")/.."
bin=${bin:-target/fast/numberly}
test -x "$bin" || { echo "check-sse-code: no binary at $bin" >&2; exit 1; }
listing=$(mktemp)
trap 'rm -f "$listing"' EXIT
objdump -d -M att --no-show-raw-insn "$bin" >"$listing"
if ! grep -qE '%[yz]mm' "$listing"; then
  echo "check-sse-code: $bin uses no 256- or 512-bit registers: nothing to check" >&2
  exit 0
fi
# An instruction line is "address: mnemonic operands"; the old encoding is an xmm
# operation whose mnemonic lacks the v of VEX/EVEX.
report=$(awk '
  function done() {
    if (old > 0) {
      olds++
      if (wide > 0) { bad++; print "  " name ": " old " old-SSE instructions (" sha " SHA), " wide " uses of %ymm0-15/%zmm0-15" }
    }
    shas += sha
  }
  /^[0-9a-f]+ <.*>:$/ { done(); name = substr($2, 2, length($2) - 3); old = 0; sha = 0; wide = 0; next }
  {
    split($0, part, "\t")
    if (part[2] ~ /%xmm/ && part[2] !~ /^v/ && part[2] !~ /^(extrq|insertq|movnts[sd]) /) old++
    if (part[2] ~ /^sha256(rnds2|msg1|msg2) /) sha++
    if (part[2] ~ /%[yz]mm([0-9]|1[0-5])([^0-9]|$)/) wide++
  }
  END { done(); printf "functions with old-SSE instructions: %d, unsafe: %d; SHA instructions: %d\n", olds, bad + 0, shas }
' "$listing" | c++filt)
echo "$report" >&2
if grep -q '^  ' <<<"$report"; then
  echo "check-sse-code: FAILED: keep these functions' old-SSE code apart from their AVX code (see sha_pair::clear_upper)" >&2
  exit 1
fi
if ! grep -qE 'SHA instructions: [1-9]' <<<"$report"; then
  echo "check-sse-code: FAILED: no SHA instructions found in $bin (the check reads nothing?)" >&2
  exit 1
fi
