"""The explorers' controls in a real JupyterLab at 1280 px: aim, typed values, status line, description, restart.

Headless Chromium, a 1280×800 window, each explorer notebook (01, 06, the momentum notebook 08, the minibatch
notebook 11) run top to bottom on a fresh kernel:

* aim: a learning-rate slider gives at least 60 px per power of ten, the point sliders of 01 at least 60 px per unit,
  the momentum β slider at least 2 px per 0.01; every explorer's controls fit the page with no horizontal scroll;
* typed values: a value a slider cannot take (-1 for a learning rate, 1.5 for β, 3 for 01's x1) is refused in the
  status line in the explorer's own words, nothing is run and neither the figure nor the box changes; 0.03 is run as
  0.03, not snapped to a slider position;
* the status line takes at most two lines, single spaced, in the states the lessons visit;
* 06's figure's accessible name, in Chromium's accessibility tree, carries the status line and follows it;
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
PARTIALS, DESCENT, MOMENTUM, MINIBATCHES = lp.EXPLORER_TITLES
MAX_STATUS_LINES = 2.2  # two lines, with room for rounding of the text's box
MAX_CONTROLS_HEIGHT = 90  # px: two rows of controls
REFUSED = "The learning rate must be positive; got -1. Nothing was run."


@pytest.fixture(scope="module")
def page(browser: Browser) -> Iterator[Page]:
    """One 1280×800 page for the module, which every test points at the module's JupyterLab (``lab``)."""
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
    yield context.new_page()
    context.close()


@pytest.fixture(scope="module")
def explorer(request: pytest.FixtureRequest, page: Page, lab: LabServer) -> Locator:
    """The notebook titled ``request.param`` run top to bottom; its explorer's output area, scrolled into view."""
    notebook = notebook_titled(request.param)
    lp.open_notebook(page, lab, notebook.name, workspace=f"controls-{notebook.stem[:2]}")
    lp.run_all(page)
    explorer = lp.explorer_output(lp.sliders(page).first)
    explorer.scroll_into_view_if_needed()
    lp.settle(page, explorer)
    return explorer


def each(*titles: str) -> pytest.MarkDecorator:
    """Run the test on the explorer of each notebook titled so."""
    return pytest.mark.parametrize("explorer", titles, indirect=True, ids=[notebook_titled(t).stem[:2] for t in titles])


def slider(explorer: Locator, label: str) -> Locator:
    return lp.sliders(explorer, label).first


def screenshot(page: Page, explorer: Locator, screenshot_dir: Path, what: str) -> None:
    """Save the explorer as controls_<notebook number>_<what>.png."""
    number = page.evaluate(f"() => {lp.CURRENT}.context.path")[:2]
    explorer.screenshot(path=screenshot_dir / f"controls_{number}_{what}.png")


def set_values(page: Page, explorer: Locator, values: dict[str, str], status: str | re.Pattern[str]) -> str:
    """Type each value into the box of the slider labelled by its key; wait for a status containing ``status``."""
    for label, value in values.items():
        lp.type_into_box(page, slider(explorer, label), value)
    said = lp.wait_for_status(explorer, status)
    lp.settle(page, explorer)
    return said


# Per explorer: each slider's label, the span of one unit of aim, and the fewest pixels that unit must get.
@pytest.mark.parametrize(
    ("explorer", "aims"),
    [
        (PARTIALS, [("x1", 1.0, 60.0), ("x2", 1.0, 60.0)]),
        (DESCENT, [("learning rate", 1.0, 60.0)]),
        (MOMENTUM, [("learning rate", 1.0, 60.0), ("momentum β", 0.01, 2.0)]),
        (MINIBATCHES, [("learning rate", 1.0, 60.0)]),
    ],
    indirect=["explorer"],
    scope="module",
)
def test_the_sliders_give_enough_pixels_to_aim_and_the_controls_fit(
    page: Page, explorer: Locator, aims: list[tuple[str, float, float]], screenshot_dir: Path
) -> None:
    for label, unit, least in aims:
        low, high = lp.slider_span(slider(explorer, label))
        per_unit = lp.slider_box(slider(explorer, label))["width"] / ((high - low) / unit)
        print(f"{label}: {per_unit:.1f} px per {unit:g} at {WIDTH} px")
        assert per_unit >= least, f"{label}: {per_unit:.1f} px per {unit:g}; aim needs at least {least:g}"
    widths = explorer.evaluate(
        "node => [node.scrollWidth, node.clientWidth, document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert widths[0] <= widths[1] + 1, f"the explorer is {widths[0]} px wide in an output area of {widths[1]} px"
    assert widths[2] <= widths[3], f"the page scrolls sideways: {widths[2]} px in a {widths[3]} px window"
    controls = explorer.locator(".widget-hbox").first.bounding_box()
    assert controls and controls["height"] <= MAX_CONTROLS_HEIGHT, f"the controls take {controls} : more than two rows"
    screenshot(page, explorer, screenshot_dir, "1280")


@each(DESCENT)
def test_the_learning_rate_slider_of_06_spans_1e_6_to_1e_1_with_its_limit_beside_it(explorer: Locator) -> None:
    assert lp.slider_span(slider(explorer, "learning rate")) == (-6, -1)
    note = explorer.locator(".explorer-note").first.inner_text()
    assert re.search(r"stability limit 2/λ\s*max = 1\.30e-3", note), f"the limit is not written beside the slider: {note!r}"


@pytest.mark.parametrize(
    ("explorer", "label", "typed", "answer"),
    [
        (PARTIALS, "x1", "3", "x1 = 3 is off the plot: choose x1 between -2 and 2, or widen x1_range."),
        (DESCENT, "learning rate", "-1", REFUSED),
        (MOMENTUM, "learning rate", "-1", REFUSED),
        (MOMENTUM, "momentum β", "1.5", "The momentum β must be between 0 and 1; got 1.5. Nothing was run."),
        (MINIBATCHES, "learning rate", "-1", REFUSED),
    ],
    indirect=["explorer"],
    scope="module",
)
def test_a_value_a_slider_cannot_take_is_refused_in_words_and_changes_nothing(
    page: Page, explorer: Locator, label: str, typed: str, answer: str, screenshot_dir: Path
) -> None:
    before, box = lp.settle(page, explorer), lp.box_value(slider(explorer, label))
    said = set_values(page, explorer, {label: typed}, answer)
    assert said.startswith(answer), said
    assert lp.settle(page, explorer) == before, "a refused value changed the figure"
    assert lp.box_value(slider(explorer, label)) == box, "a refused value stayed in the box"
    screenshot(page, explorer, screenshot_dir, f"typed_{typed}")


@pytest.mark.parametrize(
    ("explorer", "label", "status", "box"),
    [(PARTIALS, "x1", "At (x1, x2) = (0.03,", "0.03"), (DESCENT, "learning rate", "Learning rate 3.00e-02, ", "3.00e-2")],
    indirect=["explorer"],
    scope="module",
)
def test_a_value_between_slider_positions_is_run_as_typed(page: Page, explorer: Locator, label: str, status: str, box: str):
    said = set_values(page, explorer, {label: "0.03"}, status)
    assert said.startswith(status), f"0.03 was not run as typed: {said!r}"
    assert lp.box_value(slider(explorer, label)) == box


# The longest status of each kind the lessons visit: 06 on its way, diverged, diverging (not stopped); momentum
# reached, both diverged, forgetful, both far; minibatches jumping, the default, diverged above and below the
# limit, diverging.
MOMENTUM_STATES = [("1e-3", "0.9"), ("1e-2", "0.9"), ("1.5e-3", "1"), ("1e-5", "0.5")]
MINIBATCH_STATES = [("2", "0.3"), ("4", "0.1"), ("1", "1"), ("2", "0.95"), ("2", "0.8")]
STATES = [
    (DESCENT, {"iterations": "500", "learning rate": "1e-4"}, "Learning rate 1.00e-04, 500 iterations:"),
    (DESCENT, {"iterations": "500", "learning rate": "1.41e-3"}, "Learning rate 1.41e-03, 500 iterations:"),
    (DESCENT, {"iterations": "150", "learning rate": "1.33e-3"}, "Learning rate 1.33e-03, 150 iterations:"),
    *[
        (MOMENTUM, {"momentum β": beta, "learning rate": rate}, f"η = {rate_text(float(rate))}, β = {float(beta):.3g}, 200 steps")
        for rate, beta in MOMENTUM_STATES
    ],
    *[
        (
            MINIBATCHES,
            {"batch size": size, "learning rate": rate},
            re.compile(f"^Batch size {size} .*rate " + re.escape(f"{float(rate):.2e}")),
        )
        for size, rate in MINIBATCH_STATES
    ],
]


@pytest.mark.parametrize(("explorer", "values", "status"), STATES, indirect=["explorer"], scope="module")
def test_the_status_line_takes_at_most_two_lines(
    page: Page, explorer: Locator, values: dict[str, str], status: str | re.Pattern[str], screenshot_dir: Path
) -> None:
    said = set_values(page, explorer, values, status)
    lines = lp.status_lines(explorer)
    print(f"status at {values}: {lines:.2f} lines: {said!r}")
    assert lines <= MAX_STATUS_LINES, f"the status line takes {lines:.1f} lines at {WIDTH} px: {said!r}"
    screenshot(page, explorer, screenshot_dir, f"status_{'_'.join(values.values())}")


@each(DESCENT)
def test_the_figures_accessible_name_carries_the_status_line_and_follows_it(page: Page, explorer: Locator):
    for rate in ("2e-4", "1.41e-3"):
        status = set_values(page, explorer, {"learning rate": rate}, f"Learning rate {float(rate):.2e}")
        names = lp.wait_until(
            lambda status=status: [name for name in lp.accessible_image_names(page) if name.endswith(status)],
            message="an image in the accessibility tree whose name ends with the status line",
        )
        assert names[0].startswith("Three panels: the data with the current line"), names[0]


@pytest.mark.parametrize(
    ("explorer", "code", "works"),
    [
        (DESCENT, "DescentExplorer(train, raw", "Learning rate 2.00e-04"),
        (MOMENTUM, "MomentumExplorer(train_momentum", f"η = {rate_text(2e-4)}"),
    ],
    indirect=["explorer"],
    scope="module",
)
def test_after_a_restart_the_explorer_cell_alone_says_which_cells_to_run_and_then_works(
    page: Page, explorer: Locator, code: str, works: str, screenshot_dir: Path
) -> None:
    index = lp.cell_index(page, code)
    lp.restart_kernel(page)
    lp.run_cell_alone(page, index)
    cell = lp.notebook_cells(page)[index]
    assert [error.get("ename") for error in cell.errors] == ["CellsNotRun"], cell.outputs
    (message,) = cell.errors[0]["traceback"]
    assert "NameError" not in message and "Run › Run All Above Selected Cell" in message, message
    assert "\n" not in message.strip(), f"the message is not one line: {message!r}"
    cell_node = page.locator(".jp-Notebook .jp-Cell").nth(index)
    screenshot(page, cell_node, screenshot_dir, "restart_cell_alone")
    page.evaluate(
        f"async index => {{ {lp.CURRENT}.content.activeCellIndex = index;"
        " await window.jupyterapp.commands.execute('notebook:run-all-above'); }",
        index,
    )
    page.wait_for_function(lp.KERNEL_IDLE, timeout=120_000)
    lp.run_cell_alone(page, index)
    assert not lp.notebook_cells(page)[index].errors, "the explorer cell failed after the cells above it ran"
    explorer = lp.explorer_output(slider(cell_node, "learning rate"))
    set_values(page, explorer, {"learning rate": "2e-4"}, works)
    screenshot(page, explorer, screenshot_dir, "after_restart")
