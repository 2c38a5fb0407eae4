"""List the cells whose stored text output changes on another CPU's arithmetic path.

    python scripts/fragility.py                          # every notebook, the covering matrix
    python scripts/fragility.py notebooks/06_*.ipynb     # some notebooks
    python scripts/fragility.py --list                   # print the variants and stop

Each notebook is re-executed (not saved) under each variant of ``course.variants.covering_matrix``
and every code cell's output is compared with the stored one, as strict nbval compares it. Exit
status 1 when any cell changes: its output prints digits that the computation does not fix on every
machine (see "Numbers in outputs" in CONTRIBUTING.md for the fixes).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from course.fragility import find_fragile
from course.series import notebook_paths
from course.variants import covering_matrix, report_switches


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks to check (default: all)")
    parser.add_argument("--list", action="store_true", help="print the variants and exit")
    args = parser.parse_args()

    variants = covering_matrix()
    if args.list:
        print("\n".join(variant.name for variant in variants))
        return 0
    paths = [path.resolve() for path in args.notebooks] or notebook_paths()
    print(report_switches(), flush=True)
    start = time.perf_counter()
    changes = find_fragile(paths, variants)
    seconds = time.perf_counter() - start
    for change in changes:
        where = "run" if change.cell < 0 else f"cell {change.cell}"
        print(f"{change.notebook} {where} under {change.variant}:\n{change.diff}\n")
    runs = len(paths) * len(variants)
    verdict = f"{len(changes)} changed cell output(s)" if changes else "every output is the same"
    print(f"fragility: {len(paths)} notebook(s) x {len(variants)} variants = {runs} runs in {seconds:.0f} s: {verdict}")
    return 1 if changes else 0


if __name__ == "__main__":
    sys.exit(main())
