"""The scripts in ``data/`` that make the datasets (``make_*.py``), loaded for the tests."""

from __future__ import annotations

import runpy
from pathlib import Path
from types import SimpleNamespace

from course.series import ROOT

DATA = ROOT / "data"


def generator_scripts() -> list[Path]:
    """Every ``data/make_*.py``, in name order."""
    return sorted(DATA.glob("make_*.py"))


def load_generator(name: str) -> SimpleNamespace:
    """The top-level names of ``data/<name>.py`` (run as a module, not as a script: nothing is written)."""
    return SimpleNamespace(**runpy.run_path(str(DATA / f"{name}.py"), run_name=name))
