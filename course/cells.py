"""Cell roles (tags) and the text of outputs that the regression check compares."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

RAISES = "raises-exception"
COMPARED_MIME = ("text/plain", "text/html", "text/latex")
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
SANITIZE_CFG = Path(__file__).resolve().parent.parent / "tests" / "nbval_sanitize.cfg"


def tags(cell: nbformat.NotebookNode) -> list[str]:
    """The cell's tags (an empty list when it has none)."""
    return list(cell.get("metadata", {}).get("tags", []))


def has_tag(cell: nbformat.NotebookNode, tag: str) -> bool:
    return tag in tags(cell)


def code_cells(notebook: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def output_texts(cell: nbformat.NotebookNode, with_tracebacks: bool = False) -> list[str]:
    """The text of a cell's outputs, as nbval compares them; error details too if asked."""
    texts: list[str | list[str]] = []
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            texts.append(output.text)
        elif output.output_type in ("execute_result", "display_data"):
            texts += [output.data[mime] for mime in COMPARED_MIME if mime in output.data]
        elif output.output_type == "error" and with_tracebacks:
            texts += [output.ename, output.evalue, *(ANSI.sub("", line) for line in output.traceback)]
    return [text if isinstance(text, str) else "".join(text) for text in texts]


def unexpected_errors(notebook: nbformat.NotebookNode) -> list[str]:
    """Problems with a run's errors: an error in a cell not tagged ``raises-exception``, or a
    tagged cell that did not raise. An empty list means the run went as the notebook intends."""
    problems = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        errors = [output for output in cell.get("outputs", []) if output.output_type == "error"]
        if errors and not has_tag(cell, RAISES):
            problems.append(f"cell {index} raised {errors[0].ename}: {errors[0].evalue}")
        if has_tag(cell, RAISES) and not errors:
            problems.append(f"cell {index} is tagged {RAISES} but did not raise")
    return problems


def read_sanitize_cfg(path: Path = SANITIZE_CFG) -> list[tuple[str, str]]:
    """The (regex, replacement) pairs of an nbval sanitize file, in order."""
    pairs, regex = [], None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("regex:"):
            regex = line.partition(":")[2].strip()
        elif line.startswith("replace:") and regex is not None:
            pairs.append((regex, line.partition(":")[2].strip()))
            regex = None
    return pairs


def sanitize(text: str, pairs: list[tuple[str, str]]) -> str:
    for regex, replacement in pairs:
        text = re.sub(regex, replacement, text)
    return text
