"""Say in one line per notebook when a reference notebook was saved from a live session.

    python scripts/check_references.py    # exit 1 if any notebooks/NN_*.ipynb looks edited live

``make test`` runs this first: strict nbval would otherwise fail with a long diff whose cause
(JupyterLab autosaved a rehearsal into the reference) is not obvious. ``make lab`` works on copies
in workspace/ so that this does not happen in everyday use.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from course.series import NOTEBOOKS, ROOT, notebook_paths
from course.workspace import live_session_problem


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebooks", type=Path, default=NOTEBOOKS, help="folder of NN_name.ipynb (default notebooks/)")
    folder = parser.parse_args().notebooks.resolve()
    shown = ROOT if folder.is_relative_to(ROOT) else folder.parent
    problems = [live_session_problem(path, str(path.relative_to(shown))) for path in notebook_paths(folder)]
    found = [problem for problem in problems if problem]
    for problem in found:
        print(problem)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
