"""The explorers on the ipywidgets 7 front end that Colab draws with: the classic Notebook 6.5.7 with
widgetsnbextension 3.6.10 (``@jupyter-widgets/controls`` 1.5), the kernel in the Colab profile's venv.

For each of the notebooks on partial derivatives, gradient descent, and minibatches (found by title): Run All with no
unexpected error; every slider, moved with the keyboard from its focused handle, brings a new figure and a new status
line; a bad value typed into a slider's box is answered in words in the status line and changes no figure. For 06:
after a kernel restart the explorer cell run alone answers in one line which cells to run. Screenshots of each
explorer go to tests/browser/screenshots/ as ``ipywidgets7_*.png``.

Needs ``.venv-colab`` (``make colab-profile`` builds it and runs this file); without it these tests skip, unless
``REQUIRE_COLAB=1`` (as in that step) turns the skip into a failure. Not collected by ``make test`` (pyproject's
norecursedirs): CI runs it in its Colab step. Key-press-to-figure times: ``benchmarks/slider_browser.py --ipywidgets7``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from course import lab_page as lp
from course.lab_server import COLAB_VENV, ClassicNotebookServer

if TYPE_CHECKING:
    from conftest import Opened
    from playwright.sync_api import Browser, Page

# title -> (slider to type into, a bad value, how the status line must start its answer)
CHECKS = {
    "Partial derivatives": ("x1", "3", "x1 = 3 is off the plot: choose x1 between -2 and 2"),
    "Fitting a line by gradient descent": ("learning rate", "-1", "The learning rate must be positive; got -1. Nothing was run."),
    "Minibatches and validation": ("learning rate", "-1", "The learning rate must be positive; got -1. Nothing was run."),
}


@pytest.fixture(scope="module")
def lab(browser: Browser) -> Iterator[ClassicNotebookServer]:
    """The classic Notebook of the Colab profile's venv, in place of the other browser tests' JupyterLab."""
    if not (COLAB_VENV / "bin" / "jupyter-notebook").exists():
        message = f"{COLAB_VENV} has no classic Notebook: build it with `make colab-profile`"
        if os.environ.get("REQUIRE_COLAB") == "1":
            pytest.fail(message + " (REQUIRE_COLAB=1)", pytrace=False)
        pytest.skip(message)
    with ClassicNotebookServer() as server:
        yield server


@pytest.mark.parametrize("notebook", CHECKS, indirect=True)
def test_run_all_raises_nothing_and_every_slider_moved_with_the_keyboard_brings_a_new_figure(
    page: Page, notebook: Opened, screenshot_dir: Path
) -> None:
    from playwright.sync_api import expect

    errors = [cell.errors for cell in notebook.cells if cell.errors and "raises-exception" not in cell.tags]
    assert errors == [], f"{notebook.title} raised errors under Run All"
    sliders = lp.sliders(page)
    for index in range(sliders.count()):
        slider = sliders.nth(index)
        explorer = lp.explorer_output(slider)
        explorer.scroll_into_view_if_needed()
        before, said = lp.settle(page, explorer), lp.status(explorer)
        lp.press_on_slider(page, slider, lp.step_key(slider))
        name = slider.locator(".widget-label").inner_text()
        expect(explorer.locator(".explorer-status").first).not_to_have_text(said, use_inner_text=True, timeout=30_000)
        assert lp.settle(page, explorer) != before, f"{name} moved and the status line changed, but the figure did not"
    explorer.screenshot(path=screenshot_dir / f"ipywidgets7_{notebook.path.stem}.png")


@pytest.mark.parametrize("notebook", CHECKS, indirect=True)
def test_a_bad_typed_value_is_answered_in_words_and_changes_nothing(page: Page, notebook: Opened, screenshot_dir: Path) -> None:
    label, bad, answer = CHECKS[notebook.title]
    slider = lp.sliders(page, label).first
    explorer = lp.explorer_output(slider)
    explorer.scroll_into_view_if_needed()
    before = lp.settle(page, explorer)
    lp.type_into_box(page, slider, bad)
    said = lp.wait_for_status(explorer, answer)
    assert said.startswith(answer) and "Traceback" not in said and "Error" not in said, said
    assert lp.settle(page, explorer) == before, f"the refused value {bad} changed the figure"
    explorer.screenshot(path=screenshot_dir / f"ipywidgets7_{notebook.path.stem}_typed_{bad}.png")


@pytest.mark.parametrize("notebook", ["Fitting a line by gradient descent"], indirect=True)
def test_after_a_restart_the_explorer_cell_alone_says_which_cells_to_run(page: Page, notebook: Opened) -> None:
    index = lp.cell_index(page, "DescentExplorer(train, raw")
    lp.restart_kernel(page)
    lp.run_cell_alone(page, index)
    errors = lp.notebook_cells(page)[index].errors
    assert [error["ename"] for error in errors] == ["CellsNotRun"], errors
    (message,) = errors[0]["traceback"]
    assert "NameError" not in message and "Run › Run All Above Selected Cell" in message, message
    assert "\n" not in message.strip(), f"the message is not one line: {message!r}"
