"""Write the students' copies of the notebooks: solutions removed, outputs cleared, exercises left.

    python scripts/student_copy.py                # notebooks/NN_*.ipynb -> student/NN_*.ipynb
    python scripts/student_copy.py --out DIR      # somewhere else
    python scripts/student_copy.py --run          # also run each copy and report cells that fail
    python scripts/student_copy.py notebooks/03_*.ipynb --out DIR   # some notebooks only

In each copy every cell tagged ``solution`` has its code replaced by a short note, and every code
cell loses its outputs and execution count. Exercise cells keep their placeholders, so a check
cell run on the copy prints "Not yet" until the student answers. ``student/`` is git-ignored.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from course.cells import unexpected_errors
from course.runner import execute_file
from course.series import ROOT
from course.student import write_copies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks to copy (default: the series)")
    parser.add_argument("--out", type=Path, default=ROOT / "student", help="folder for the copies (default student/)")
    parser.add_argument("--run", action="store_true", help="run every copy and report unexpected errors")
    args = parser.parse_args()
    written = write_copies(args.out, [path.resolve() for path in args.notebooks] or None)
    print(f"wrote {len(written)} student notebook(s) to {args.out.name}/: " + " ".join(p.name for p in written))
    if not args.run:
        return 0
    errors = [f"{path.name}: {problem}" for path in written for problem in unexpected_errors(execute_file(path))]
    print("\n".join(errors) if errors else "every student copy runs top to bottom without an unexpected error")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
