"""Write the student edition: the hand-out folder and its zip (what `make student` does).

    python scripts/student_copy.py              # student/gradients-step-by-step/ and student/gradients-step-by-step.zip
    python scripts/student_copy.py --out DIR    # somewhere else

What the edition holds is ``course.student``'s docstring. Unpacked anywhere, it installs with ``python -m pip install
-r requirements.txt`` (STUDENTS.md; tests/test_student_edition.py proves it in a fresh venv). ``student/`` is
git-ignored and rewritten each time.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from course.series import ROOT
from course.student import FOLDER, edition_zip, student_edition, working_tree_sources, write_edition


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "student", help="folder for the edition (default student/)")
    args = parser.parse_args()
    edition = student_edition(working_tree_sources(ROOT))
    folder = args.out / FOLDER
    shutil.rmtree(folder, ignore_errors=True)
    write_edition(edition, folder)
    archive = args.out / f"{FOLDER}.zip"
    archive.write_bytes(edition_zip(edition))
    shown = args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out
    print(f"wrote the student edition ({len(edition)} files) to {shown}/{FOLDER}/ and {shown}/{archive.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
