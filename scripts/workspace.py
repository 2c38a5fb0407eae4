"""Copy the reference notebooks that workspace/notebooks/ lacks, for ``make lab``.

    python scripts/workspace.py

Copies already in workspace/notebooks/ are kept as they are (they may hold your own work): delete one to get
a fresh copy of it. workspace/ is git-ignored and the tests never read it.
"""

from __future__ import annotations

import argparse
import sys

from course.workspace import WORKSPACE, prepare_workspace


def main() -> int:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    copied = prepare_workspace()
    print(f"workspace/notebooks/: copied {', '.join(copied)}" if copied else "workspace/notebooks/: your copies are kept")
    print(f"(delete a file in {WORKSPACE.name}/notebooks/ to get a fresh copy; the references stay in notebooks/)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
