"""Re-execute notebooks in place, top to bottom on a fresh kernel, to refresh their reference outputs.

    python scripts/run_notebooks.py                 # every notebook, in order
    python scripts/run_notebooks.py notebooks/06_*.ipynb

A notebook is written back only when every error it raised came from a cell tagged
``raises-exception`` and every such cell did raise; otherwise the file is left untouched
and the script exits with status 1.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

from course.cells import unexpected_errors
from course.runner import execute_file
from course.series import notebook_paths


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks to run (default: all)")
    args = parser.parse_args()
    failed = False
    for path in [p.resolve() for p in args.notebooks] or notebook_paths():
        executed = execute_file(path)
        problems = unexpected_errors(executed)
        if not problems:
            nbformat.write(executed, path)
        print(f"{path.name}: {'ok' if not problems else 'NOT WRITTEN'}")
        for problem in problems:
            print(f"  - {problem}")
        failed = failed or bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
