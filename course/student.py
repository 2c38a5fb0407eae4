"""Students' copies of the notebooks: solution code removed, outputs cleared, exercises left."""

from __future__ import annotations

import copy
from pathlib import Path

import nbformat

from course.cells import has_tag
from course.series import notebook_paths

SOLUTION_NOTE = "# The reference solution is in the instructor's copy. Write yours in the exercise cell above."


def is_solution(cell: nbformat.NotebookNode) -> bool:
    return cell.cell_type == "code" and has_tag(cell, "solution")


def student_version(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return a copy of ``notebook`` without solution code, outputs or execution counts."""
    copied = copy.deepcopy(notebook)
    for cell in copied.cells:
        if cell.cell_type != "code":
            continue
        cell.outputs = []
        cell.execution_count = None
        if is_solution(cell):
            cell.source = SOLUTION_NOTE
            # Nothing left to hide: show the note so the student knows where the answer went.
            cell.metadata.get("jupyter", {}).pop("source_hidden", None)
            if cell.metadata.get("jupyter") == {}:
                del cell.metadata["jupyter"]
    copied.metadata.pop("widgets", None)
    return copied


def write_copies(out_dir: Path, sources: list[Path] | None = None) -> list[Path]:
    """Write a student copy of each notebook (default: the series) into ``out_dir``; return the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sources if sources is not None else notebook_paths():
        target = out_dir / path.name
        nbformat.write(student_version(nbformat.read(path, as_version=4)), target)
        written.append(target)
    return written
