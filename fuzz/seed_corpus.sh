#!/bin/sh
# Seeds fuzz/corpus/ingest/ from the test fixtures, in the target's input format:
# one mode byte (0: interactions file, 1: clients file, 2: both cut at a 0xFF byte,
# +4: with a period), then the bytes.
set -eu
cd "$(dirname "$0")"
fixtures=../crates/core/tests/fixtures
out=corpus/ingest
mkdir -p "$out"
for f in $(cd "$fixtures" && find . -type f -not -name '.*' | sort); do
    name=$(echo "${f#./}" | tr / -)
    { printf '\000'; cat "$fixtures/$f"; } > "$out/seed-$name-as-interactions"
    { printf '\001'; cat "$fixtures/$f"; } > "$out/seed-$name-as-clients"
done
for d in demo excel_fr excel_utf8_bom quoted tab; do
    clients=$(ls "$fixtures/$d"/client*)
    other=$(ls "$fixtures/$d"/* | grep -v '/client')
    { printf '\002'; cat "$clients"; printf '\377'; cat "$other"; } > "$out/seed-pair-$d"
    { printf '\006'; cat "$clients"; printf '\377'; cat "$other"; } > "$out/seed-pair-$d-period"
done
echo "$(ls "$out" | wc -l) files in fuzz/$out"
