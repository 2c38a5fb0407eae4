"""Keep the reference notebooks safe from everyday use.

``notebooks/`` holds the regression reference: stored outputs from a fresh top-to-bottom run.
Opening a notebook in JupyterLab and playing with it autosaves live outputs into the file, so
``make lab`` works on lecture copies in ``workspace/notebooks/`` (``course.student.lecture_version``:
no stored outputs, solutions collapsed; git-ignored, never read by the tests; the students' page is
copied beside them as ``workspace/STUDENTS.md``, so the index's link works), and ``make test`` first
checks that the reference files still look like a fresh run.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat

from course.cells import code_cells
from course.series import ROOT, notebook_paths
from course.student import is_lecture_copy, lecture_version

WORKSPACE = ROOT / "workspace"
GUIDE = "STUDENTS.md"
RESTORE = "restore it with `git checkout {path}` (or `make outputs` if you meant to change it)"


def prepare_workspace(target: Path = WORKSPACE / "notebooks", sources: list[Path] | None = None) -> list[str]:
    """Write a lecture copy of each reference notebook that ``target`` lacks; never overwrite a copy (it
    may hold the teacher's or learner's own work). The students' page is refreshed beside ``target``.
    Return the names written."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(ROOT / GUIDE, target.parent / GUIDE)
    copied = []
    for path in notebook_paths() if sources is None else sources:
        if not (target / path.name).exists():
            nbformat.write(lecture_version(nbformat.read(path, as_version=4)), target / path.name)
            copied.append(path.name)
    return copied


def older_copies(target: Path = WORKSPACE / "notebooks") -> list[str]:
    """The copies in ``target`` made before lecture copies existed (they show every stored answer)."""
    return [path.name for path in notebook_paths(target) if not is_lecture_copy(nbformat.read(path, as_version=4))]


def live_session_problem(path: Path, shown: str | None = None) -> str | None:
    """One line saying how the notebook at ``path`` (called ``shown``) differs from a fresh top-to-bottom run, or None.

    A fresh run numbers the code cells 1..n and stores no widget state; an interactive session
    leaves other numbers (cells re-run, or run out of order), cleared cells, or saved widgets.
    """
    notebook = nbformat.read(path, as_version=4)
    shown = shown or path.name
    counts = [cell.execution_count for cell in code_cells(notebook) if cell.source.strip()]
    for position, count in enumerate(counts, start=1):
        if count != position:
            found = "no execution count" if count is None else f"execution count {count}"
            return (
                f"{shown} is not a fresh top-to-bottom run (code cell {position} has {found}, expected {position}), "
                "as when saved from a live session; "
                + RESTORE.format(path=shown)
            )
    if "widgets" in notebook.metadata:
        return f"{shown} was saved with live widget state; " + RESTORE.format(path=shown)
    return None
