"""The notebooks of the series, in order, and their titles."""

from __future__ import annotations

from pathlib import Path

import nbformat

from course.cells import has_tag

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
INDEX = "00_index.ipynb"
NOTEBOOK_GLOB = "[0-9][0-9]_*.ipynb"


def notebook_paths(folder: Path = NOTEBOOKS) -> list[Path]:
    """The numbered notebooks ``NN_name.ipynb`` in ``folder``, in series order."""
    return sorted(folder.glob(NOTEBOOK_GLOB))


def title_of(notebook: nbformat.NotebookNode) -> str | None:
    """The ``# `` heading of the first markdown cell that is not navigation, or None if it has none."""
    for cell in notebook.cells:
        if cell.cell_type == "markdown" and not has_tag(cell, "navigation"):
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
            return None
    return None


def notebook_titled(title: str, folder: Path = NOTEBOOKS) -> Path:
    """The notebook whose title is ``NN · title``, found by title so that renumbering does not break
    the tests and benchmarks that load its lesson code."""
    for path in notebook_paths(folder):
        found = title_of(nbformat.read(path, as_version=4)) or ""
        if found.partition(" · ")[2] == title:
            return path
    raise FileNotFoundError(f"no notebook titled 'NN · {title}' in {folder}")
