"""The explorers' restart message names Colab's menu on Colab (a runtime with google.colab) and JupyterLab's elsewhere."""

from __future__ import annotations

import sys
import types

import pytest

from helpers.explorer import RUN_ABOVE, CellsNotRun, require
from helpers.front_end import COLAB_RUN_ABOVE, on_colab


def test_on_colab_the_restart_message_names_colabs_menu(monkeypatch: pytest.MonkeyPatch) -> None:
    # A kernel that looks like Colab's: the package google.colab can be imported. Elsewhere test_explorer.py's
    # require test finds JupyterLab's menu.
    google = types.ModuleType("google")
    google.__path__ = []  # a package
    colab_module = types.ModuleType("google.colab")
    colab_module.__spec__ = types.SimpleNamespace(name="google.colab")  # type: ignore[assignment]
    monkeypatch.setitem(sys.modules, "google", google)
    monkeypatch.setitem(sys.modules, "google.colab", colab_module)
    assert on_colab()
    with pytest.raises(CellsNotRun) as raised:
        require({}, ["train"])
    (line,) = raised.value._render_traceback_()
    assert COLAB_RUN_ABOVE in line and RUN_ABOVE not in line, line
