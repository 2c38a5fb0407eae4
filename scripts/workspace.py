"""Write lecture copies of the notebooks that workspace/notebooks/ lacks, for ``make lab``.

    python scripts/workspace.py

A lecture copy has no stored outputs (an answer appears only when its cell runs) and keeps the reference
solutions collapsed, outputs included. Copies already in workspace/notebooks/ are kept as they are (they may
hold your own work): delete or rename one to get a fresh lecture copy of it. workspace/ is git-ignored and the
tests never read it.
"""

from __future__ import annotations

import argparse
import sys

from course.workspace import WORKSPACE, older_copies, prepare_workspace


def main() -> int:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    copied = prepare_workspace()
    print(f"workspace/notebooks/: copied {', '.join(copied)}" if copied else "workspace/notebooks/: your copies are kept")
    print(f"(delete a file in {WORKSPACE.name}/notebooks/ to get a fresh copy; the references stay in notebooks/)")
    if older := older_copies():
        print(
            f"{len(older)} of your copies predate lecture copies and show every stored answer ({', '.join(older)}): "
            f"rename or delete them in {WORKSPACE.name}/notebooks/, then run make lab again, to get lecture copies"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
