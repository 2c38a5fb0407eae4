"""The notebooks' slider explorers, driven in real JupyterLab by headless Chromium.

For every explorer notebook (01, 06, 08, 11, found by title): open it, run all
cells, check that nothing shows an error or a broken widget, move every slider with the keyboard
and check that the value in its box and its figure both change, drive 06 into divergence, and save
screenshots to tests/browser/screenshots/. A notebook opened without running must show the
plain "run this cell" hint instead of a widget.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from course import lab_page as lp
from course.lab_server import LabServer
from course.series import notebook_titled

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Locator, Page

NOTEBOOKS = [notebook_titled(title) for title in lp.EXPLORER_TITLES]
RAISES = "raises-exception"
BROKEN_WIDGET = ("Error displaying widget", "Loading widget")
HINT = "run this cell"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
PARTIALS, DESCENT, MOMENTUM, MINIBATCHES = (path.name for path in NOTEBOOKS)
# A learning rate far above each explorer's stability limit: the descent notebook fits the raw x of linear_17
# (limit 2/λ_max = 1.3e-3), the momentum one the same with momentum (limit 2(1 + β)/λ_max = 2.5e-3 at β = 0.9),
# the minibatch one the standardised x (full-batch limit about 0.06).
LARGE_LEARNING_RATE = {DESCENT: "0.01", MOMENTUM: "0.01", MINIBATCHES: "10"}


def stored_hints(notebook: Path) -> int:
    """How many stored widget outputs of ``notebook`` fall back to a text that asks to run the cell."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    outputs = [output for cell in cells if cell["cell_type"] == "code" for output in cell["outputs"]]
    fallbacks = ["".join(output["data"].get("text/plain", "")) for output in outputs if WIDGET_VIEW in output.get("data", {})]
    return sum(HINT in text for text in fallbacks)


@pytest.fixture(scope="module")
def context(browser: Browser) -> Iterator[BrowserContext]:
    """One browser context for the module, so JupyterLab's files come from the cache after the first page."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    yield context
    context.close()


@dataclass
class Opened:
    """A notebook open in JupyterLab on a fresh kernel, and what it showed before any cell ran."""

    notebook: Path
    page: Page
    unrun_text: str
    stored_hints: int
    unrun_hints: int
    unrun_sliders: int


@pytest.fixture(scope="module", params=NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def opened(request: pytest.FixtureRequest, context: BrowserContext, lab: LabServer, screenshot_dir: Path) -> Iterator[Opened]:
    """Open one widget notebook, record its unrun view, and share the page: one page load and kernel per notebook."""
    notebook: Path = request.param
    page = context.new_page()
    lp.open_notebook(page, lab, notebook.name, workspace=notebook.stem)
    hints = page.locator(".jp-OutputArea-output", has_text=HINT)
    expected = stored_hints(lab.root / notebook.name)  # the copy being served, not the file as it may be now
    if expected:
        hints.nth(expected - 1).wait_for(timeout=10_000)
        hints.first.scroll_into_view_if_needed()
    page.screenshot(path=screenshot_dir / f"{notebook.stem}_unrun.png")
    yield Opened(notebook, page, lp.notebook_text(page), expected, hints.count(), page.locator(".widget-slider").count())
    page.close()
    lab.delete_sessions()


def explorers(page: Page) -> list[Locator]:
    """One locator per output area that holds a slider (an explorer panel), in notebook order."""
    outputs = page.locator(".jp-OutputArea-output").filter(has=page.locator(".widget-slider"))
    return [outputs.nth(index) for index in range(outputs.count())]


def check_cells(cells: list[lp.Cell]) -> None:
    code = [cell for cell in cells if cell.type == "code"]
    not_run = [index for index, cell in enumerate(code) if cell.count is None]
    stopped_at = [index for index, cell in enumerate(code) if cell.errors]
    assert not not_run, (
        f"Run All stopped before code cells {not_run} (0-based among code cells); errors in code cells {stopped_at}. "
        f"JupyterLab stops Run All at the first error unless the cell is tagged `{RAISES}`: tag intended errors so."
    )
    for index, cell in enumerate(code):
        if RAISES in cell.tags:
            assert cell.errors, f"code cell {index} is tagged {RAISES} but raised nothing in JupyterLab"
        else:
            names = [f"{error.get('ename')}: {error.get('evalue')}" for error in cell.errors]
            assert not names, f"code cell {index} shows an error in JupyterLab: {names}"


def check_no_broken_widget(page: Page) -> None:
    from playwright.sync_api import expect

    notebook = page.locator(".jp-Notebook")
    expect(notebook).not_to_contain_text("Loading widget", timeout=20_000)
    expect(notebook).not_to_contain_text("Error displaying widget", timeout=0)


def check_figure_shown(explorer: Locator) -> None:
    images = explorer.locator("img.widget-image")
    assert images.count() >= 1, "the explorer shows no figure (no img.widget-image)"
    for index in range(images.count()):
        assert images.nth(index).evaluate("img => img.complete && img.naturalWidth > 0"), "an explorer figure failed to load"


def move_slider(page: Page, explorer: Locator, slider: Locator) -> None:
    """Press an arrow key three times on ``slider``; the value in its box and the explorer's figure must both change."""
    name = lp.label(slider)
    before_value, before_image = lp.box_value(slider), lp.settle(page, explorer)
    key = lp.step_key(slider)
    lp.press_on_slider(page, slider, key, times=3)
    lp.wait_until(lambda: lp.box_value(slider) != before_value, message=f"the value of {name!r} to change after {key}")
    after_value, after_image = lp.box_value(slider), lp.settle(page, explorer)
    assert after_image != before_image, f"the figure did not change when {name!r} went from {before_value} to {after_value}"


def check_divergence(page: Page, explorer: Locator, learning_rate: Locator, large: str) -> None:
    """Type a learning rate far above the stability limit: the status must say the run diverged, and at which step."""
    lp.type_into_box(page, learning_rate, large)
    said = lp.wait_for_status(explorer, re.compile("diverge", re.IGNORECASE))
    assert re.search(r"step \d+", said), f"the divergence message does not say at which step: {said!r}"
    lp.settle(page, explorer)
    check_figure_shown(explorer)


def flip_checkboxes(page: Page, explorer: Locator) -> None:
    """Tick each checkbox (such as "standardised x"): the figure must change; then untick it."""
    checkboxes = explorer.locator(".widget-checkbox input[type=checkbox]")
    for index in range(checkboxes.count()):
        before = lp.settle(page, explorer)
        checkboxes.nth(index).click()
        assert lp.settle(page, explorer) != before, "the figure did not change when a checkbox was ticked"
        check_figure_shown(explorer)
        checkboxes.nth(index).click()
        lp.settle(page, explorer)


def test_explorers_run_and_respond(opened: Opened, screenshot_dir: Path) -> None:
    page, notebook = opened.page, opened.notebook
    check_cells(lp.run_all(page))
    check_no_broken_widget(page)
    found = explorers(page)
    assert found, "the notebook shows no explorer (an output with a slider)"
    errors_before = sum(len(cell.errors) for cell in lp.notebook_cells(page))

    for number, explorer in enumerate(found, start=1):
        check_figure_shown(explorer)
        explorer.scroll_into_view_if_needed()
        sliders = lp.sliders(explorer)
        for index in range(sliders.count()):
            move_slider(page, explorer, sliders.nth(index))
        if notebook.name in LARGE_LEARNING_RATE:
            check_divergence(page, explorer, lp.sliders(explorer, "learning rate").first, LARGE_LEARNING_RATE[notebook.name])
        flip_checkboxes(page, explorer)
        explorer.screenshot(path=screenshot_dir / f"{notebook.stem}_explorer{number}.png")

    found[0].scroll_into_view_if_needed()
    page.screenshot(path=screenshot_dir / f"{notebook.stem}.png")
    check_no_broken_widget(page)
    errors_after = sum(len(cell.errors) for cell in lp.notebook_cells(page))
    assert errors_after == errors_before, "moving the sliders added an error output to the notebook"
    for explorer in found:
        assert "Traceback" not in lp.status(explorer), "an explorer's status shows a traceback"


def test_unrun_notebook_shows_run_hint(opened: Opened) -> None:
    expected = opened.stored_hints
    assert expected, f"no stored widget output of {opened.notebook.name} falls back to a text containing {HINT!r}"
    assert opened.unrun_hints == expected, f"{opened.unrun_hints} of the {expected} stored explorer outputs show {HINT!r}"
    for word in BROKEN_WIDGET:
        assert word not in opened.unrun_text, f"the unrun notebook shows {word!r} instead of the hint"
    assert opened.unrun_sliders == 0, "a slider is shown although no cell has run"
