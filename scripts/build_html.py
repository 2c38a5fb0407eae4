"""Render every notebook, with its stored outputs, into a read-only static site that works offline.

    python scripts/build_html.py                    # notebooks/ -> site/
    python scripts/build_html.py --out /tmp/site    # build somewhere else
    python scripts/build_html.py --notebooks DIR    # render another folder of NN_name.ipynb files

The work is done by ``course.site`` (its docstring says what a page holds).

Exit status 1 when a page links to a file that does not exist or loads anything from the network.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from course.series import ROOT
from course.site import build


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebooks", type=Path, default=ROOT / "notebooks", help="folder of NN_name.ipynb files")
    parser.add_argument("--out", type=Path, default=ROOT / "site", help="folder to write the site into")
    args = parser.parse_args(argv)
    problems = build(args.notebooks.resolve(), args.out.resolve())
    for problem in problems:
        print(f"PROBLEM {problem}", file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s): fix them in the notebooks these pages come from.", file=sys.stderr)
        return 1
    print(f"Site written to {args.out}; open {args.out / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
