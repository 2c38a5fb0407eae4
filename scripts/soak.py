"""Soak test: run the strict suite many times in a row to show it is stable when nothing changed.

    python scripts/soak.py                     # 10 runs with OMP_NUM_THREADS=1, then 10 with 2
    python scripts/soak.py --runs 3            # 3 runs per thread count
    python scripts/soak.py --threads 1 2 4     # other thread counts
    python scripts/soak.py -- -m "not browser" # extra pytest arguments after --

Each run is the test command's pytest part (``python -m pytest`` with the project's config:
strict nbval over every notebook plus the unit tests). Prints pass/fail, wall time and pytest's
summary (or its failures) per run, and exits 1 if any run failed.
"""

from __future__ import annotations

import argparse
import sys

from course.runner import run_pytest


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="runs per thread count (default 10)")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2], help="OMP_NUM_THREADS values (default 1 2)")
    parser.add_argument("pytest_args", nargs="*", help="extra pytest arguments, after --")
    args = parser.parse_args()

    failures = 0
    for threads in args.threads:
        for run in range(1, args.runs + 1):
            passed, seconds, detail = run_pytest(args.pytest_args, {"OMP_NUM_THREADS": str(threads)}, tail=25)
            failures += not passed
            verdict = "PASS" if passed else "FAIL"
            print(f"OMP_NUM_THREADS={threads} run {run:2d}/{args.runs}: {verdict} {seconds:6.1f} s", flush=True)
            print(detail, flush=True)
    runs = args.runs * len(args.threads)
    print(f"{runs - failures}/{runs} runs passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
