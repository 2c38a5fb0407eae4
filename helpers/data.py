"""Load the course's CSV datasets from ``data/`` into float32 tensors.

Every problem with a file (missing, empty, wrong header, a bad value, a short
row, too few rows) raises :class:`DataError` with the file, the line and what
to do about it, instead of a traceback from deep inside numpy or torch.
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
from collections.abc import Callable
from pathlib import Path

import torch

PACKAGED_DATA = Path(__file__).resolve().parent / "datasets"
# Inside the package when pip installed it from the published branch (Colab: the student pyproject maps data/ to
# helpers/datasets); else data/ beside helpers/, in a clone or an editable install.
DATA_DIR = PACKAGED_DATA if PACKAGED_DATA.is_dir() else Path(__file__).resolve().parent.parent / "data"
MIN_ROWS = 2


class DataError(ValueError):
    """A dataset file that cannot be used; the message names the file, the line and the problem."""

    def __init__(self, path: Path, problem: str, line: int | None = None) -> None:
        self.path = path
        self.line = line
        where = f"{path}" if line is None else f"{path}, line {line}"
        super().__init__(f"{where}: {problem}")


def resolve(name: str | Path) -> Path:
    """Return the file a notebook means: a bare name is looked up in ``data/``, a path is used as given."""
    path = Path(name)
    if len(path.parts) == 1 and not path.exists():
        return DATA_DIR / path
    return path


def read_table(name: str | Path, columns: list[str] | None = None) -> tuple[list[str], list[list[float]]]:
    """Read a numeric CSV with a header row and return ``(header, rows)``.

    ``columns`` is the exact header the caller needs; ``None`` accepts any header
    whose names are not numbers. Blank lines are ignored.
    """
    path = resolve(name)
    if not path.is_file():
        raise DataError(path, f"file not found. Put the CSV in {DATA_DIR.name}/ or pass its full path.")
    with path.open(newline="", encoding="utf-8") as handle:
        numbered = [(i, row) for i, row in enumerate(csv.reader(handle), start=1) if any(f.strip() for f in row)]
    if not numbered:
        raise DataError(path, "the file is empty. It needs a header row such as 'x,y' and at least 2 data rows.")

    header_line, raw_header = numbered[0]
    header = [field.strip() for field in raw_header]
    _check_header(path, header_line, header, columns)

    rows = [_parse_row(path, line, fields, header) for line, fields in numbered[1:]]
    if len(rows) < MIN_ROWS:
        raise DataError(
            path, f"found {len(rows)} data row(s) after the header; at least {MIN_ROWS} are needed to fit a line."
        )
    return header, rows


def _check_header(path: Path, line: int, header: list[str], columns: list[str] | None) -> None:
    shown = ",".join(header)
    if all(_is_number(field) for field in header):
        expected = ",".join(columns) if columns else "the column names"
        raise DataError(path, f"the header row is missing: found the numbers '{shown}'. Add '{expected}' as line 1.", line)
    if columns is not None and header != columns:
        raise DataError(path, f"wrong header '{shown}'; expected '{','.join(columns)}'.", line)


def _parse_row(path: Path, line: int, fields: list[str], header: list[str]) -> list[float]:
    if len(fields) != len(header):
        raise DataError(
            path, f"expected {len(header)} fields ({','.join(header)}) but found {len(fields)}: '{','.join(fields)}'.", line
        )
    values = []
    for column, text in zip(header, fields, strict=True):
        if not _is_number(text):
            raise DataError(path, f"column '{column}' holds '{text.strip()}', which is not a number.", line)
        value = float(text)
        if not math.isfinite(value):
            raise DataError(path, f"column '{column}' holds '{text.strip()}'; every value must be a finite number.", line)
        values.append(value)
    return values


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def load_xy(name: str | Path = "linear_17.csv") -> tuple[torch.Tensor, torch.Tensor]:
    """Load a one-feature dataset with header ``x,y`` as float32 tensors ``x`` (n×1) and ``y`` (n)."""
    _, rows = read_table(name, ["x", "y"])
    table = torch.tensor(rows, dtype=torch.float32)
    return table[:, :1].clone(), table[:, 1].clone()


def load_features(name: str | Path) -> tuple[torch.Tensor, torch.Tensor]:
    """Load a d-feature dataset with header ``x1,...,xd,y`` as float32 tensors ``X`` (n×d) and ``y`` (n)."""
    path = resolve(name)
    header, rows = read_table(path)
    d = len(header) - 1
    expected = [f"x{i}" for i in range(1, d + 1)] + ["y"]
    if d < 1 or header != expected:
        raise DataError(path, f"wrong header '{','.join(header)}'; expected 'x1,...,xd,y' such as '{','.join(expected)}'.", 1)
    table = torch.tensor(rows, dtype=torch.float32)
    return table[:, :d].clone(), table[:, d].clone()


def write_dataset(texts: dict[str, str], folder: str | Path = DATA_DIR) -> list[Path]:
    """Write generated CSV files (name -> text) into ``folder`` with ``\\n`` line endings on every
    platform, for the scripts in ``data/`` that make the datasets; return the paths written."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"cannot write into {folder}: the folder does not exist. Create it first.")
    paths = [folder / name for name in texts]
    for path, text in zip(paths, texts.values(), strict=True):
        path.write_text(text, encoding="utf-8", newline="\n")
    return paths


def dataset_script_main(description: str, texts: Callable[[], dict[str, str]], argv: list[str] | None = None) -> int:
    """The command line of every ``data/make_*.py`` script: ``--out-dir`` (default ``data/``); a
    missing folder is reported in one line with exit status 1, never a traceback."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--out-dir", type=Path, default=DATA_DIR, help="the folder to write the CSV file(s) into")
    args = parser.parse_args(argv)
    try:
        paths = write_dataset(texts(), args.out_dir)
    except FileNotFoundError as error:
        print(error, file=sys.stderr)
        return 1
    print("wrote " + " and ".join(path.name for path in paths))
    return 0
