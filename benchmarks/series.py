"""Series benchmark: strict-nbval wall time of the whole series against its floor, and the venv size.

    python benchmarks/series.py             # one measurement of each
    python benchmarks/series.py --repeat 3  # best of 3

The floor is the same number of notebooks whose only cell is ``import torch, numpy, matplotlib``,
generated into a temporary folder and run under the same pytest/nbval options (the project's
pyproject.toml). It is what any series of that length costs just to start kernels and import the
stack, so ``series / floor`` shows what the lessons themselves add (target <= 1.5). The venv size
target is <= 1.5 GB with the CPU-only torch. This script prints; it does not assert.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import nbformat

from course.runner import run_pytest
from course.series import ROOT, notebook_paths

NOTEBOOKS = notebook_paths()
VENV = ROOT / ".venv"
RATIO_TARGET = 1.5
VENV_TARGET_GB = 1.5


def strict_nbval_seconds(paths: list[Path]) -> float:
    """Wall time of ``python -m pytest <paths>`` with the project's config; raises if the run fails."""
    passed, seconds, detail = run_pytest(["-c", str(ROOT / "pyproject.toml"), *map(str, paths)])
    if not passed:
        raise SystemExit(f"the run failed, so its time means nothing:\n{detail}")
    return seconds


def write_floor(folder: Path, count: int) -> list[Path]:
    """``count`` executed notebooks that only import the stack (no output, so nbval only runs them)."""
    paths = []
    for number in range(count):
        cell = nbformat.v4.new_code_cell("import torch, numpy, matplotlib", execution_count=1)
        notebook = nbformat.v4.new_notebook(cells=[cell])
        notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        path = folder / f"{number:02d}_floor.ipynb"
        nbformat.write(notebook, path)
        paths.append(path)
    return paths


def folder_bytes(folder: Path) -> int:
    """Apparent size of every file under ``folder`` (symlinks counted as links, not followed)."""
    return sum(os.lstat(Path(root) / name).st_size for root, _, files in os.walk(folder) for name in files)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="measure each this many times and keep the best")
    args = parser.parse_args()
    if not NOTEBOOKS:
        raise SystemExit("no notebooks/NN_*.ipynb to measure")

    with tempfile.TemporaryDirectory(prefix="floor-") as tmp:
        floor_paths = write_floor(Path(tmp), len(NOTEBOOKS))
        floor = series = float("inf")
        for _ in range(args.repeat):
            floor = min(floor, strict_nbval_seconds(floor_paths))
            series = min(series, strict_nbval_seconds(NOTEBOOKS))

    ratio = series / floor
    venv_bytes = folder_bytes(VENV)
    venv_gb = venv_bytes / 1e9
    print(f"notebooks:           {len(NOTEBOOKS)}")
    print(f"series strict nbval: {series:6.1f} s")
    print(f"floor (imports only):{floor:6.1f} s")
    print(f"ratio series/floor:  {ratio:6.2f}   (target <= {RATIO_TARGET}) {'ok' if ratio <= RATIO_TARGET else 'OVER'}")
    print(f"venv size:           {venv_gb:6.2f} GB (target <= {VENV_TARGET_GB} GB) "
          f"{'ok' if venv_gb <= VENV_TARGET_GB else 'OVER'}   [{venv_bytes / 2**30:.2f} GiB]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
