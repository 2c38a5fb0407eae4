"""Write the students' copies of the notebooks: solutions removed, outputs cleared, exercises left.

    python scripts/student_copy.py            # notebooks/NN_*.ipynb -> student/NN_*.ipynb
    python scripts/student_copy.py OUT_DIR    # somewhere else
    python scripts/student_copy.py --run      # also run each copy and report cells that fail

In each copy every cell tagged ``solution`` has its code replaced by a short note, and every code
cell loses its outputs and execution count. Exercise cells keep their placeholders, so a check
cell run on the copy prints "Not yet" until the student answers. ``student/`` is git-ignored.
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
SOLUTION_NOTE = "# The solution is in the instructor's copy of this notebook. Write yours in the cell above."


def is_solution(cell: nbformat.NotebookNode) -> bool:
    return cell.cell_type == "code" and "solution" in cell.get("metadata", {}).get("tags", [])


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
    """Write a student copy of each notebook into ``out_dir`` and return the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sources if sources is not None else sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        target = out_dir / path.name
        nbformat.write(student_version(nbformat.read(path, as_version=4)), target)
        written.append(target)
    return written


def unexpected_errors(path: Path) -> list[str]:
    """Run a copy on a fresh kernel (not saved) and list the cells that raised without being meant to."""
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    NotebookClient(
        notebook, timeout=600, kernel_name="python3", allow_errors=True, resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    return [
        f"{path.name} cell {index}: {output.ename}: {output.evalue}"
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "code" and "raises-exception" not in cell.metadata.get("tags", [])
        for output in cell.outputs
        if output.output_type == "error"
    ]


def main(args: list[str]) -> int:
    run = "--run" in args
    paths = [arg for arg in args if arg != "--run"]
    out_dir = Path(paths[0]) if paths else ROOT / "student"
    written = write_copies(out_dir)
    print(f"wrote {len(written)} student notebook(s) to {out_dir.name}/: " + " ".join(p.name for p in written))
    if not run:
        return 0
    errors = [error for path in written for error in unexpected_errors(path)]
    print("\n".join(errors) if errors else "every student copy runs top to bottom without an unexpected error")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
