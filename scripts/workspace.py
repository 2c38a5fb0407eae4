"""Copy the reference notebooks that workspace/ lacks, for ``make lab``.

    python scripts/workspace.py

Copies already in workspace/ are kept as they are (they may hold your own work): delete one to get
a fresh copy of it. workspace/ is git-ignored and the tests never read it.
"""

from __future__ import annotations

import argparse
import sys

from course.workspace import WORKSPACE, prepare_workspace


def main() -> int:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    copied = prepare_workspace()
    print(f"workspace/: copied {', '.join(copied)}" if copied else "workspace/: your copies are kept as they are")
    print(f"(delete a file in {WORKSPACE.name}/ to get a fresh copy; the reference notebooks stay in notebooks/)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
