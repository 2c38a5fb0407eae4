"""Fixtures shared by the unit tests in tests/ (tests/browser/conftest.py adds the browser's).

Plain helpers that test files import (``stream``, ``CountingTrain``, ...) live in support.py.
"""

from __future__ import annotations

from collections.abc import Iterator

import nbformat
import pytest

import helpers.explorer
from course.series import ROOT, notebook_paths
from course.student import student_edition, working_tree_sources


@pytest.fixture(scope="session")
def series() -> dict[str, nbformat.NotebookNode]:
    """Every stored notebook of the series, by file name, read once per session."""
    return {path.name: nbformat.read(path, as_version=4) for path in notebook_paths()}


@pytest.fixture(scope="session")
def edition() -> dict[str, bytes]:
    """The student edition of the working tree (path -> content), as ``make student`` writes it."""
    return student_edition(working_tree_sources(ROOT))


@pytest.fixture
def close_figures() -> Iterator[None]:
    """Close every pyplot figure the test opened (use it with ``pytest.mark.usefixtures``)."""
    yield
    import matplotlib.pyplot as plt  # here, not at the top: a test module picks the backend before pyplot loads

    plt.close("all")


class FakeClock:
    """A ``perf_counter`` that stands still until the test moves it with :meth:`advance`."""

    def __init__(self) -> None:
        self.now = 100.0

    def perf_counter(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def fake_clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """The clock that the explorers time `train` and drawing with, replaced by one the test moves by hand.

    Only helpers.explorer's view of the ``time`` module is replaced, so nothing else sees the fake time.
    """
    clock = FakeClock()
    monkeypatch.setattr(helpers.explorer, "time", clock)
    return clock
