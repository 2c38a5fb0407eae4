"""Generate each notebook's prev/contents/next links and the index's table of contents.

    python scripts/navigation.py           # rewrite the generated cells
    python scripts/navigation.py --check   # exit 1 if any generated cell is stale

Notebooks are ordered by their number prefix. Each one's title is the first ``# `` heading
in its first non-navigation markdown cell. The generated cells are markdown cells tagged
``navigation`` (first and last cell of every notebook) and ``contents`` (in the index), so
updating them never changes a stored output.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
INDEX = "00_index.ipynb"


def notebook_paths() -> list[Path]:
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def tagged(cell: nbformat.NotebookNode, tag: str) -> bool:
    return tag in cell.get("metadata", {}).get("tags", [])


def title_of(notebook: nbformat.NotebookNode, path: Path) -> str:
    for cell in notebook.cells:
        if cell.cell_type == "markdown" and not tagged(cell, "navigation"):
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
            break
    raise SystemExit(f"{path.name}: the first markdown cell after the navigation needs a '# Title' line")


def nav_source(paths: list[Path], titles: list[str], position: int) -> str:
    links = []
    if position > 0:
        links.append(f"[← {titles[position - 1]}]({paths[position - 1].name})")
    if position != 0:
        links.append(f"[Contents]({INDEX})")
    if position + 1 < len(paths):
        links.append(f"[{titles[position + 1]} →]({paths[position + 1].name})")
    return " | ".join(links)


def contents_source(paths: list[Path], titles: list[str]) -> str:
    lines = ["## Contents", ""]
    numbered = enumerate(zip(paths, titles, strict=True))
    lines += [f"{number}. [{title}]({path.name})" for number, (path, title) in numbered if number]
    return "\n".join(lines)


def navigation_cell(source: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_markdown_cell(source, metadata={"tags": ["navigation"]})


def regenerate(notebook: nbformat.NotebookNode, nav: str, contents: str | None) -> None:
    """Put fresh navigation cells first and last, and refresh the contents cell if there is one."""
    body = [cell for cell in notebook.cells if not tagged(cell, "navigation")]
    for cell in body:
        if contents is not None and tagged(cell, "contents"):
            cell.source = contents
    notebook.cells = [navigation_cell(nav), *body, navigation_cell(nav)]


def stable_ids(old: nbformat.NotebookNode, new: nbformat.NotebookNode) -> None:
    """Keep the old navigation cells' ids so that an unchanged notebook is byte-identical."""
    for index in (0, -1):
        if old.cells and tagged(old.cells[index], "navigation"):
            new.cells[index]["id"] = old.cells[index]["id"]


def main(check: bool) -> int:
    paths = notebook_paths()
    notebooks = [nbformat.read(path, as_version=4) for path in paths]
    titles = [title_of(nb, path) for nb, path in zip(notebooks, paths, strict=True)]
    contents = contents_source(paths, titles)
    stale = []
    for position, (path, notebook) in enumerate(zip(paths, notebooks, strict=True)):
        before = nbformat.writes(notebook)
        updated = nbformat.reads(before, as_version=4)
        regenerate(updated, nav_source(paths, titles, position), contents if path.name == INDEX else None)
        stable_ids(notebook, updated)
        after = nbformat.writes(updated)
        if after != before:
            stale.append(path.name)
            if not check:
                path.write_text(after + "\n", encoding="utf-8")
    if check and stale:
        print("stale navigation in: " + ", ".join(stale) + "\nrun: python scripts/navigation.py")
        return 1
    print("navigation up to date" if not stale else "updated: " + ", ".join(stale))
    return 0


if __name__ == "__main__":
    sys.exit(main("--check" in sys.argv[1:]))
