"""Re-execute notebooks in place, top to bottom on a fresh kernel, to refresh their reference outputs.

    python scripts/run_notebooks.py                 # every notebook, in order
    python scripts/run_notebooks.py notebooks/06_*.ipynb

A notebook is written back only when every error it raised came from a cell tagged
``raises-exception`` and every such cell did raise; otherwise the file is left untouched
and the script exits with status 1.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
RAISES = "raises-exception"


def execute(path: Path) -> list[str]:
    """Run one notebook in place and return the problems found (an empty list means it was written)."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        allow_errors=True,
        record_timing=False,
        # nbclient 0.11 crashes on Output-capturing widgets unless it tracks widget state;
        # the state is dropped below because explorers need a live kernel anyway.
        store_widget_state=True,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    notebook.metadata.pop("widgets", None)
    problems = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        raised = any(output.output_type == "error" for output in cell.outputs)
        tagged = RAISES in cell.metadata.get("tags", [])
        if raised and not tagged:
            error = next(o for o in cell.outputs if o.output_type == "error")
            problems.append(f"cell {index} raised {error.ename}: {error.evalue}")
        if tagged and not raised:
            problems.append(f"cell {index} is tagged {RAISES} but did not raise")
    if not problems:
        nbformat.write(notebook, path)
    return problems


def main(paths: list[str]) -> int:
    targets = [Path(p).resolve() for p in paths] or sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    failed = False
    for path in targets:
        problems = execute(path)
        status = "ok" if not problems else "NOT WRITTEN"
        print(f"{path.name}: {status}")
        for problem in problems:
            print(f"  - {problem}")
        failed = failed or bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
