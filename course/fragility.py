"""Find stored outputs that another CPU would print differently.

Each notebook is re-executed under each variant (``course.variants``) and every code cell's text
output, sanitised as nbval sanitises it, is compared with the stored reference. A cell whose text
changes is fragile: strict nbval would fail on a learner's machine that takes that path.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import nbformat

from course.cells import code_cells, output_texts, read_sanitize_cfg, sanitize, unexpected_errors
from course.runner import execute
from course.variants import Variant


@dataclass(frozen=True)
class CellChange:
    """A cell whose text output differs from the stored one under a variant."""

    notebook: str
    cell: int  # position among all cells, counted from 0
    variant: str
    diff: str


def compared_text(cell: nbformat.NotebookNode, pairs: list[tuple[str, str]]) -> str:
    """What strict nbval compares for this cell, sanitised, as one string."""
    return "".join(sanitize(text, pairs) for text in output_texts(cell, with_tracebacks=False))


def cell_changes(
    name: str, reference: nbformat.NotebookNode, rerun: nbformat.NotebookNode, variant: str
) -> list[CellChange]:
    """Compare a re-run with the stored notebook cell by cell; return the cells that changed."""
    pairs = read_sanitize_cfg()
    positions = [index for index, cell in enumerate(reference.cells) if cell.cell_type == "code"]
    changes = []
    for position, old, new in zip(positions, code_cells(reference), code_cells(rerun), strict=True):
        before, after = compared_text(old, pairs), compared_text(new, pairs)
        if before != after:
            diff = "\n".join(
                difflib.unified_diff(before.splitlines(), after.splitlines(), "stored", variant, lineterm="", n=0)
            )
            changes.append(CellChange(name, position, variant, diff))
    return changes


def check_one(path: Path, variant: Variant) -> list[CellChange]:
    """Re-execute one notebook under one variant and list its changed cells."""
    reference = nbformat.read(path, as_version=4)
    rerun = execute(reference, path.parent, variant.env)
    changes = cell_changes(path.name, reference, rerun, variant.name)
    for problem in unexpected_errors(rerun):
        changes.append(CellChange(path.name, -1, variant.name, f"run failed: {problem}"))
    return changes


def find_fragile(paths: Iterable[Path], variants: Iterable[Variant], workers: int = 2) -> list[CellChange]:
    """Every (notebook, variant) run's changed cells, in notebook then variant order."""
    jobs = [(path, variant) for path in paths for variant in variants]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        results = pool.map(check_one, *zip(*jobs, strict=True)) if jobs else []
        return [change for changes in results for change in changes]
