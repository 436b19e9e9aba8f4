#!/usr/bin/env python3
"""Extract a compact TSV of French communes from Etalab's communes.json.

Input: ``data/communes.json`` from the npm package
``@etalab/decoupage-administratif`` (MIT licence, by Etalab).

Output: a UTF-8 TSV with the header line
``nom<TAB>code_postal<TAB>departement<TAB>population`` followed by one line
per kept commune:

* ``nom``          -- the commune name, exactly as in the ``nom`` field;
* ``code_postal``  -- the smallest postcode of ``codesPostaux``;
* ``departement``  -- the département code (e.g. ``01``, ``2A``, ``974``);
* ``population``   -- the population, as an integer.

Only entries of type ``commune-actuelle`` that have at least one postcode,
a département and a population >= ``--min-population`` (default 1000) are
kept. Lines are sorted by INSEE code (``code``) so the output is stable.

Standard library only. Usage:

    python3 scripts/extract_communes.py path/to/communes.json \\
        [--min-population 1000] [--output crates/core/data/communes.tsv]
"""

import argparse
import json
import sys
from pathlib import Path

DEFAULT_OUTPUT = Path(__file__).resolve().parent.parent / "crates" / "core" / "data" / "communes.tsv"
HEADER = ("nom", "code_postal", "departement", "population")


def select(communes, min_population):
    """Return (rows, kept_population, total_population), rows sorted by INSEE code.

    total_population is the population of all ``commune-actuelle`` entries
    (missing populations count as 0).
    """
    actuelles = [c for c in communes if c.get("type") == "commune-actuelle"]
    total = sum(c.get("population") or 0 for c in actuelles)
    rows = []
    kept_pop = 0
    for c in sorted(actuelles, key=lambda c: c["code"]):
        postcodes = c.get("codesPostaux") or []
        dep = c.get("departement")
        pop = c.get("population")
        if not postcodes or not dep or pop is None or pop < min_population:
            continue
        name = c["nom"]
        for field in (name, dep):
            assert not any(ch in field for ch in "\t\r\n"), f"bad character in {field!r}"
        rows.append((name, min(postcodes), dep, int(pop)))
        kept_pop += int(pop)
    return rows, kept_pop, total


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("communes_json", type=Path, help="path to data/communes.json")
    parser.add_argument("--min-population", type=int, default=1000,
                        help="keep communes with population >= this (default: 1000)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT,
                        help=f"output TSV path (default: {DEFAULT_OUTPUT})")
    args = parser.parse_args(argv)

    with args.communes_json.open(encoding="utf-8") as f:
        communes = json.load(f)
    rows, kept_pop, total = select(communes, args.min_population)

    args.output.parent.mkdir(parents=True, exist_ok=True)
    with args.output.open("w", encoding="utf-8", newline="\n") as out:
        out.write("\t".join(HEADER) + "\n")
        for name, cp, dep, pop in rows:
            out.write(f"{name}\t{cp}\t{dep}\t{pop}\n")

    pct = 100.0 * kept_pop / total if total else 0.0
    print(f"kept {len(rows)} communes, population {kept_pop} / {total} ({pct:.2f}%)"
          f" -> {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
