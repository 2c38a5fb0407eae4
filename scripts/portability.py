"""Strict nbval over every notebook under the arithmetic paths of other CPUs (the portability matrix).

    python scripts/portability.py              # the covering matrix, two runs side by side
    python scripts/portability.py --list       # print the combinations and stop

Each combination of ``course.variants.covering_matrix`` (torch's SIMD level, MKL's, numpy's, and
the thread count) runs the regression check, ``python -m pytest notebooks`` with the project's
options, in an environment that selects it. Prints one line per combination and exits 1 if any
failed, with the failing cells' diffs.
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from course.runner import run_pytest
from course.series import NOTEBOOKS
from course.variants import covering_matrix, report_switches


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true", help="print the combinations and exit")
    args = parser.parse_args()

    variants = covering_matrix()
    if args.list:
        print("\n".join(variant.name for variant in variants))
        return 0
    print(report_switches(), flush=True)
    start = time.perf_counter()
    failed = 0
    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = pool.map(lambda variant: run_pytest([str(NOTEBOOKS)], variant.env), variants)
        for variant, (passed, seconds, detail) in zip(variants, runs, strict=True):
            print(f"{'PASS' if passed else 'FAIL'} {seconds:5.0f} s  {variant.name}  {detail if passed else ''}", flush=True)
            if not passed:
                failed += 1
                print(detail, flush=True)
    total = time.perf_counter() - start
    print(f"portability: {len(variants) - failed}/{len(variants)} combinations passed in {total:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
