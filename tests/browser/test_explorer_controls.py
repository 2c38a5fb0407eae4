"""The explorers' controls in a real JupyterLab at 1280 px: aim, typed values, status line, description, restart.

Headless Chromium, a 1280×800 window, notebooks 01, 06 and the momentum notebook (08) run top to bottom on a
fresh kernel:

* aim: the learning-rate slider of 06 gives at least 60 px per power of ten, the point sliders of 01 at least
  60 px per unit, and every explorer's controls fit the page with no horizontal scroll;
* typed values: -1 typed into the learning-rate box is refused in the status line in the explorer's own words
  and nothing is run; 0.03 is run as 0.03, not snapped to a slider position;
* the status line takes at most two lines, single spaced, in the states the lesson visits;
* the figure's accessible name, in Chromium's accessibility tree, carries the status line and follows it;
* restart: after a kernel restart, running only the explorer cell answers in one line which cells to run (no
  NameError); after running the cells above it, the explorer works again.

Screenshots go to tests/browser/screenshots/ as ``controls_*.png``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from course import lab_page as lp
from course.lab_server import LabServer
from course.series import notebook_titled
from helpers.explorer import rate_text

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator, Page

WIDTH, HEIGHT = 1280, 800
PARTIALS, DESCENT, MINIBATCHES = (notebook_titled(title).name for title in
                                  ("Partial derivatives", "Fitting a line by gradient descent", "Minibatches and validation"))
PX_PER_DECADE = 60.0  # the learning-rate slider of 06, from 1e-6 to 1e-1
PX_PER_UNIT = 60.0  # the point sliders of 01 (steps of 0.05: at least 3 px each)
MAX_STATUS_LINES = 2.2  # two lines, with room for rounding of the text's box


@pytest.fixture(scope="module")
def page(browser: Browser) -> Iterator[Page]:
    """One 1280×800 page for the module, which every test points at the module's JupyterLab (``lab``)."""
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
    yield context.new_page()
    context.close()


@pytest.fixture(scope="module")
def descent(page: Page, lab: LabServer) -> Locator:
    """Notebook 06 run top to bottom; its explorer's output area, scrolled into view."""
    lp.open_notebook(page, lab, DESCENT, workspace="controls-descent")
    lp.run_all(page)
    slider = lp.wait_until(lambda: lp.sliders(page, "learning rate").count() and lp.sliders(page, "learning rate"))
    explorer = lp.explorer_output(slider.first)
    explorer.scroll_into_view_if_needed()
    lp.settle(page, explorer)
    return explorer


def learning_rate(explorer: Locator) -> Locator:
    return lp.sliders(explorer, "learning rate").first


def no_horizontal_scroll(page: Page, explorer: Locator) -> None:
    """Neither the page nor the explorer's output area scrolls sideways."""
    widths = explorer.evaluate(
        "node => [node.scrollWidth, node.clientWidth, document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert widths[0] <= widths[1] + 1, f"the explorer is {widths[0]} px wide in an output area of {widths[1]} px"
    assert widths[2] <= widths[3], f"the page scrolls sideways: {widths[2]} px in a {widths[3]} px window"


def restart_and_run_alone(page: Page, index: int) -> None:
    """Restart the kernel and run only cell ``index``, an explorer cell: it must say in one line which cells to run."""
    lp.restart_kernel(page)
    lp.run_cell_alone(page, index)
    cell = lp.notebook_cells(page)[index]
    assert [error.get("ename") for error in cell.errors] == ["CellsNotRun"], cell.outputs
    (message,) = cell.errors[0]["traceback"]
    assert "NameError" not in message and "Run › Run All Above Selected Cell" in message, message
    assert "\n" not in message.strip(), f"the message is not one line: {message!r}"


def test_the_learning_rate_slider_gives_each_decade_60_px_and_the_controls_fit(
    page: Page, descent: Locator, screenshot_dir: Path
) -> None:
    slider = learning_rate(descent)
    low, high = lp.slider_span(slider)
    assert (low, high) == (-6, -1), f"the learning-rate slider spans 1e{low:g} to 1e{high:g}, not 1e-6 to 1e-1"
    per_decade = lp.slider_track_width(slider) / (high - low)
    print(f"06 learning-rate slider: {per_decade:.1f} px per decade at {WIDTH} px")
    assert per_decade >= PX_PER_DECADE, f"{per_decade:.1f} px per decade; aim needs at least {PX_PER_DECADE:.0f}"
    note = descent.locator(".explorer-note").first.inner_text()
    assert re.search(r"stability limit 2/λ\s*max = 1\.30e-3", note), f"the limit is not written beside the slider: {note!r}"
    no_horizontal_scroll(page, descent)
    controls = descent.locator(".widget-hbox").first.bounding_box()
    assert controls and controls["height"] <= 90, f"the controls take {controls} : more than two rows"
    descent.screenshot(path=screenshot_dir / "controls_06_slider_1280.png")


def test_typed_values_are_answered_by_the_explorer_in_the_status_line(page: Page, descent: Locator, screenshot_dir: Path):
    slider = learning_rate(descent)
    before = lp.settle(page, descent)
    lp.type_into_box(page, slider, "-1")
    said = lp.wait_until(lambda: "got -1" in lp.status(descent) and lp.status(descent), message="the answer to -1")
    assert said.startswith("The learning rate must be positive; got -1. Nothing was run."), said
    assert lp.settle(page, descent) == before, "a refused value changed the figure"
    descent.screenshot(path=screenshot_dir / "controls_06_typed_minus_one.png")
    lp.type_into_box(page, slider, "0.03")
    said = lp.wait_until(lambda: "3.00e-02" in lp.status(descent) and lp.status(descent), message="the run at 0.03")
    assert said.startswith("Learning rate 3.00e-02, "), f"0.03 was not run as typed: {said!r}"
    assert lp.box_value(slider) == "3.00e-2"
    lp.type_into_box(page, slider, "1e-4")
    lp.wait_until(lambda: lp.status(descent).startswith("Learning rate 1.00e-04"), message="the run at 1e-4")
    lp.settle(page, descent)


@pytest.mark.parametrize(
    ("rate", "iterations"),
    [("1e-4", "500"), ("1.41e-3", "500"), ("1.33e-3", "150")],
    ids=["still-on-its-way", "diverged", "diverging-not-stopped"],
)
def test_the_status_line_takes_at_most_two_lines(page: Page, descent: Locator, rate: str, iterations: str, screenshot_dir: Path):
    lp.type_into_box(page, lp.sliders(descent, "iterations").first, iterations)
    lp.wait_until(lambda: f", {iterations} iterations:" in lp.status(descent), message=f"the run of {iterations} iterations")
    lp.type_into_box(page, learning_rate(descent), rate)
    header = f"Learning rate {float(rate):.2e}, {iterations} iterations:"
    lp.wait_until(lambda: header in lp.status(descent), message=f"the run at {rate}")
    lp.settle(page, descent)
    lines = lp.status_lines(descent)
    print(f"06 status at {rate}, {iterations} iterations: {lines:.2f} lines: {lp.status(descent)!r}")
    assert lines <= MAX_STATUS_LINES, f"the status line takes {lines:.1f} lines at {WIDTH} px: {lp.status(descent)!r}"
    descent.screenshot(path=screenshot_dir / f"controls_06_status_{rate}_{iterations}.png")
    lp.type_into_box(page, lp.sliders(descent, "iterations").first, "500")
    lp.wait_until(lambda: ", 500 iterations:" in lp.status(descent), message="the run of 500 iterations")


def test_the_figures_accessible_name_carries_the_status_line_and_follows_it(page: Page, descent: Locator):
    for rate in ("2e-4", "1.41e-3"):
        lp.type_into_box(page, learning_rate(descent), rate)
        lp.wait_until(lambda rate=rate: f"Learning rate {float(rate):.2e}" in lp.status(descent), message=f"the run at {rate}")
        status = lp.status(descent)
        names = lp.wait_until(
            lambda status=status: [name for name in lp.accessible_image_names(page) if name.endswith(status)],
            message="an image in the accessibility tree whose name ends with the status line",
        )
        assert names[0].startswith("Three panels: the data with the current line"), names[0]


def test_after_a_restart_the_explorer_cell_alone_says_which_cells_to_run(page: Page, descent: Locator, screenshot_dir: Path):
    index = lp.cell_index(page, "DescentExplorer(train, raw")
    restart_and_run_alone(page, index)
    cell_node = page.locator(".jp-Notebook .jp-Cell").nth(index)
    cell_node.scroll_into_view_if_needed()
    cell_node.screenshot(path=screenshot_dir / "controls_06_restart_cell_alone.png")

    page.evaluate(
        f"async index => {{ {lp.CURRENT}.content.activeCellIndex = index;"
        " await window.jupyterapp.commands.execute('notebook:run-all-above'); }",
        index,
    )
    page.wait_for_function(lp.KERNEL_IDLE, timeout=120_000)
    lp.run_cell_alone(page, index)
    assert not lp.notebook_cells(page)[index].errors, "the explorer cell failed after the cells above it ran"
    found = lp.wait_until(lambda: lp.sliders(cell_node, "learning rate").count(), message="the explorer to come back")
    assert found == 1
    explorer = lp.explorer_output(lp.sliders(cell_node, "learning rate").first)
    lp.type_into_box(page, learning_rate(explorer), "2e-4")
    lp.wait_until(lambda: lp.status(explorer).startswith("Learning rate 2.00e-04"), message="the restarted explorer to answer")
    explorer.screenshot(path=screenshot_dir / "controls_06_after_restart.png")


def test_the_point_sliders_of_01_are_aimable_and_take_typed_values(page: Page, lab: LabServer, screenshot_dir: Path):
    lp.open_notebook(page, lab, PARTIALS, workspace="controls-partials")
    lp.run_all(page)
    x1 = lp.wait_until(lambda: lp.sliders(page, "x1").count() and lp.sliders(page, "x1")).first
    explorer = lp.explorer_output(x1)
    explorer.scroll_into_view_if_needed()
    lp.settle(page, explorer)
    low, high = lp.slider_span(x1)
    per_unit = lp.slider_track_width(x1) / (high - low)
    print(f"01 point sliders: {per_unit:.1f} px per unit ({per_unit * 0.05:.1f} px per 0.05 step) at {WIDTH} px")
    assert per_unit >= PX_PER_UNIT, f"{per_unit:.1f} px per unit; aim needs at least {PX_PER_UNIT:.0f}"
    no_horizontal_scroll(page, explorer)
    lp.type_into_box(page, x1, "0.03")
    lp.wait_until(lambda: lp.status(explorer).startswith("At (x1, x2) = (0.03,"), message="the point to move to x1 = 0.03")
    lp.type_into_box(page, x1, "3")
    said = lp.wait_until(lambda: "off the plot" in lp.status(explorer) and lp.status(explorer), message="the answer to 3")
    assert said == "x1 = 3 is off the plot: choose x1 between -2 and 2, or widen x1_range.", said
    explorer.screenshot(path=screenshot_dir / "controls_01_sliders_1280.png")


# The longest status of each kind: jumping, the default, diverged above and below the limit, diverging.
@pytest.mark.parametrize(("batch_size", "rate"), [("2", "0.3"), ("4", "0.1"), ("1", "1"), ("2", "0.95"), ("2", "0.8")])
def test_the_minibatch_status_takes_at_most_two_lines_and_answers_typed_values(
    page: Page, lab: LabServer, batch_size: str, rate: str, screenshot_dir: Path
) -> None:
    if lp.sliders(page, "batch size").count() == 0:
        lp.open_notebook(page, lab, MINIBATCHES, workspace="controls-minibatches")
        lp.run_all(page)
    batch = lp.wait_until(lambda: lp.sliders(page, "batch size").count() and lp.sliders(page, "batch size")).first
    explorer = lp.explorer_output(batch)
    explorer.scroll_into_view_if_needed()
    slider = lp.sliders(explorer, "learning rate").first
    low, high = lp.slider_span(slider)
    assert lp.slider_track_width(slider) / (high - low) >= PX_PER_DECADE
    no_horizontal_scroll(page, explorer)
    lp.type_into_box(page, slider, "-1")
    said = lp.wait_until(lambda: "got -1" in lp.status(explorer) and lp.status(explorer), message="the answer to -1")
    assert said.startswith("The learning rate must be positive; got -1. Nothing was run."), said
    lp.type_into_box(page, batch, batch_size)
    lp.type_into_box(page, slider, rate)
    header = f"Batch size {batch_size} "
    lp.wait_until(
        lambda: lp.status(explorer).startswith(header) and f"learning rate {float(rate):.2e}" in lp.status(explorer),
        message=f"the run at batch size {batch_size}, learning rate {rate}",
    )
    lp.settle(page, explorer)
    lines = lp.status_lines(explorer)
    print(f"minibatch status at batch size {batch_size}, rate {rate}: {lines:.2f} lines: {lp.status(explorer)!r}")
    assert lines <= MAX_STATUS_LINES, f"the status line takes {lines:.1f} lines at {WIDTH} px: {lp.status(explorer)!r}"
    explorer.screenshot(path=screenshot_dir / f"controls_minibatch_status_b{batch_size}_lr{rate}.png")


# ---------------------------------------------------------------- the momentum explorer (found by its title)

MOMENTUM = notebook_titled("Momentum and Adam")


@pytest.fixture(scope="module")
def momentum(page: Page, lab: LabServer) -> Locator:
    """The momentum notebook run top to bottom; its explorer's output area, scrolled into view."""
    lp.open_notebook(page, lab, MOMENTUM.name, workspace="controls-momentum")
    lp.run_all(page)
    slider = lp.wait_until(lambda: lp.sliders(page, "momentum β").count() and lp.sliders(page, "momentum β"))
    explorer = lp.explorer_output(slider.first)
    explorer.scroll_into_view_if_needed()
    lp.settle(page, explorer)
    return explorer


def test_the_momentum_explorers_sliders_are_aimable_and_its_controls_fit(
    page: Page, momentum: Locator, screenshot_dir: Path
) -> None:
    rate = learning_rate(momentum)
    low, high = lp.slider_span(rate)
    per_decade = lp.slider_track_width(rate) / (high - low)
    beta = lp.sliders(momentum, "momentum β").first
    beta_low, beta_high = lp.slider_span(beta)
    per_step = lp.slider_track_width(beta) / ((beta_high - beta_low) / 0.01)
    print(f"momentum explorer: {per_decade:.1f} px per decade of learning rate, {per_step:.1f} px per 0.01 of β")
    assert per_decade >= PX_PER_DECADE, f"{per_decade:.1f} px per decade; aim needs at least {PX_PER_DECADE:.0f}"
    assert per_step >= 2, f"{per_step:.1f} px per step of β: the keyboard is the only way to aim"
    no_horizontal_scroll(page, momentum)
    controls = momentum.locator(".widget-hbox").first.bounding_box()
    assert controls and controls["height"] <= 90, f"the controls take {controls} : more than two rows"
    momentum.screenshot(path=screenshot_dir / "controls_momentum_1280.png")


def test_the_momentum_explorer_answers_typed_values_in_words(page: Page, momentum: Locator, screenshot_dir: Path):
    beta = lp.sliders(momentum, "momentum β").first
    before = lp.settle(page, momentum)
    lp.type_into_box(page, beta, "1.5")
    said = lp.wait_until(lambda: "got 1.5" in lp.status(momentum) and lp.status(momentum), message="the answer to 1.5")
    assert said.startswith("The momentum β must be between 0 and 1; got 1.5. Nothing was run."), said
    assert lp.settle(page, momentum) == before, "a refused β changed the figure"
    assert lp.box_value(beta) == "0.9"
    lp.type_into_box(page, learning_rate(momentum), "-1")
    said = lp.wait_until(lambda: "got -1" in lp.status(momentum) and lp.status(momentum), message="the answer to -1")
    assert said.startswith("The learning rate must be positive; got -1. Nothing was run."), said
    momentum.screenshot(path=screenshot_dir / "controls_momentum_typed_beta_1.5.png")


@pytest.mark.parametrize(
    ("rate", "beta"), [("1e-3", "0.9"), ("1e-2", "0.9"), ("1.5e-3", "1"), ("1e-5", "0.5")],
    ids=["reached", "both-diverged", "forgetful", "both-far"],
)
def test_the_momentum_status_takes_at_most_two_lines(page: Page, momentum: Locator, rate: str, beta: str, screenshot_dir: Path):
    lp.type_into_box(page, lp.sliders(momentum, "momentum β").first, beta)
    lp.type_into_box(page, learning_rate(momentum), rate)
    header = f"η = {rate_text(float(rate))}, β = {float(beta):.3g}, 200 steps."
    lp.wait_until(lambda: lp.status(momentum).startswith(header), message=f"the run at η = {rate}, β = {beta}")
    lp.settle(page, momentum)
    lines = lp.status_lines(momentum)
    print(f"momentum status at η = {rate}, β = {beta}: {lines:.2f} lines: {lp.status(momentum)!r}")
    assert lines <= MAX_STATUS_LINES, f"the status line takes {lines:.1f} lines at {WIDTH} px: {lp.status(momentum)!r}"
    momentum.screenshot(path=screenshot_dir / f"controls_momentum_status_{rate}_{beta}.png")


def test_after_a_restart_the_momentum_explorer_cell_alone_says_which_cells_to_run(page: Page, momentum: Locator):
    index = lp.cell_index(page, "MomentumExplorer(train_momentum")
    restart_and_run_alone(page, index)
