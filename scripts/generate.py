"""Write the files that are generated from another file (course/generated.py says which, from what).

    python scripts/generate.py           # rewrite every stale generated file
    python scripts/generate.py --check   # exit 1 if any generated file is stale
"""

from __future__ import annotations

import argparse
import sys

from course.generated import update


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report stale generated files (exit 1)")
    args = parser.parse_args()
    stale = update(write=not args.check)
    if args.check and stale:
        print("stale generated files: " + ", ".join(stale) + "\nrun: python scripts/generate.py")
        return 1
    print("generated files up to date" if not stale else "updated: " + ", ".join(stale))
    return 0


if __name__ == "__main__":
    sys.exit(main())
