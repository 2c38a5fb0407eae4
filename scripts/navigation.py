"""Generate each notebook's prev/contents/next links and the index's table of contents.

    python scripts/navigation.py           # rewrite the generated cells
    python scripts/navigation.py --check   # exit 1 if any generated cell is stale

Notebooks are ordered by their number prefix. Each one's title is the first ``# `` heading in its
first non-navigation markdown cell (``course.series.title_of``).
"""

from __future__ import annotations

import argparse
import sys

from course.navigation import MissingTitle, update


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report stale navigation (exit 1)")
    args = parser.parse_args()
    try:
        stale = update(write=not args.check)
    except MissingTitle as error:
        print(error)
        return 1
    if args.check and stale:
        print("stale navigation in: " + ", ".join(stale) + "\nrun: python scripts/navigation.py")
        return 1
    print("navigation up to date" if not stale else "updated: " + ", ".join(stale))
    return 0


if __name__ == "__main__":
    sys.exit(main())
