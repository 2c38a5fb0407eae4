"""The generated cells: each notebook's prev/contents/next links and the index's contents.

The generated cells are markdown cells tagged ``navigation`` (first and last cell of every
notebook) and ``contents`` (in the index), so updating them never changes a stored output.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

from course.cells import has_tag
from course.series import INDEX, notebook_paths, title_of


def titles_of(paths: list[Path]) -> list[str]:
    """Each notebook's title; a ValueError names the file that has none."""
    titles = []
    for path in paths:
        title = title_of(nbformat.read(path, as_version=4))
        if title is None:
            raise ValueError(f"{path.name}: the first markdown cell after the navigation needs a '# Title' line")
        titles.append(title)
    return titles


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
    body = [cell for cell in notebook.cells if not has_tag(cell, "navigation")]
    for cell in body:
        if contents is not None and has_tag(cell, "contents"):
            cell.source = contents
    notebook.cells = [navigation_cell(nav), *body, navigation_cell(nav)]


def keep_navigation_ids(old: nbformat.NotebookNode, new: nbformat.NotebookNode) -> None:
    """Keep the old navigation cells' ids so that an unchanged notebook is byte-identical."""
    for index in (0, -1):
        if old.cells and has_tag(old.cells[index], "navigation"):
            new.cells[index]["id"] = old.cells[index]["id"]


def update(write: bool, paths: list[Path] | None = None) -> list[str]:
    """Regenerate every notebook's navigation; write the stale ones if ``write``; return their names."""
    paths = notebook_paths() if paths is None else paths
    titles = titles_of(paths)
    contents = contents_source(paths, titles)
    stale = []
    for position, path in enumerate(paths):
        before = path.read_text(encoding="utf-8")
        notebook = nbformat.reads(before, as_version=4)
        updated = nbformat.reads(before, as_version=4)
        regenerate(updated, nav_source(paths, titles, position), contents if path.name == INDEX else None)
        keep_navigation_ids(notebook, updated)
        after = nbformat.writes(updated) + "\n"
        if after != before:
            stale.append(path.name)
            if write:
                path.write_text(after, encoding="utf-8")
    return stale
