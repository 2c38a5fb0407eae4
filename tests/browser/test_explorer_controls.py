"""The explorer notebooks (01, 06, the momentum notebook 08, the minibatch notebook 11) in a real JupyterLab at 1280 px.

Headless Chromium, a 1280×800 window, each notebook opened on a fresh kernel:

* unrun: every stored explorer output shows the plain "run this cell" hint, not a broken widget or a slider;
* Run All: no cell shows an error except those tagged ``raises-exception`` (which must raise), and no widget is
  broken; every slider moved with the keyboard changes the value in its box and the figure; a learning rate far
  above the stability limit is said to diverge, at which step; each checkbox changes the figure;
* aim: a learning-rate slider gives at least 60 px per power of ten, the point sliders of 01 at least 60 px per unit,
  the momentum β slider at least 2 px per 0.01; every explorer's controls fit the page with no horizontal scroll;
* typed values: a value a slider cannot take (-1 for a learning rate, 1.5 for β, 3 for 01's x1) is refused in the
  status line in the explorer's own words, nothing is run and neither the figure nor the box changes; 0.03 is run as
  0.03, not snapped to a slider position;
* the status line takes at most two lines, single spaced, in the states the lessons visit;
* 06's figure's accessible name, in Chromium's accessibility tree, carries the status line and follows it;
* restart: after a kernel restart, running only the explorer cell answers in one line which cells to run (no
  NameError); after running the cells above it, the explorer works again.

Screenshots go to tests/browser/screenshots/.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from course import lab_page as lp
from course.series import notebook_titled
from helpers.explorer import rate_text

if TYPE_CHECKING:
    from conftest import Opened
    from playwright.sync_api import Locator, Page

WIDTH = 1280
PARTIALS, DESCENT, MOMENTUM, MINIBATCHES = lp.EXPLORER_TITLES
MAX_STATUS_LINES = 2.2  # two lines, with room for rounding of the text's box
MAX_CONTROLS_HEIGHT = 90  # px: two rows of controls
REFUSED = "The learning rate must be positive; got -1. Nothing was run."
RAISES = "raises-exception"
# A learning rate far above each explorer's stability limit: the descent notebook fits the raw x of linear_17
# (limit 2/λ_max = 1.3e-3), the momentum one the same with momentum (limit 2(1 + β)/λ_max = 2.5e-3 at β = 0.9),
# the minibatch one the standardised x (full-batch limit about 0.06).
LARGE_LEARNING_RATE = {DESCENT: "0.01", MOMENTUM: "0.01", MINIBATCHES: "10"}


def each(*titles: str) -> pytest.MarkDecorator:
    """Run the test on each notebook titled so."""
    return pytest.mark.parametrize("notebook", titles, indirect=True, ids=[notebook_titled(t).stem[:2] for t in titles])


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
    name = slider.locator(".widget-label").inner_text()
    before_value, before_image = lp.box_value(slider), lp.settle(page, explorer)
    key = lp.step_key(slider)
    lp.press_on_slider(page, slider, key, times=3)
    lp.wait_until(lambda: lp.box_value(slider) != before_value, message=f"the value of {name!r} to change after {key}")
    after_value, after_image = lp.box_value(slider), lp.settle(page, explorer)
    assert after_image != before_image, f"the figure did not change when {name!r} went from {before_value} to {after_value}"


@each(*lp.EXPLORER_TITLES)
def test_unrun_the_explorer_outputs_show_the_run_hint(notebook: Opened) -> None:
    expected = notebook.stored_hints
    assert expected, f"no stored widget output of {notebook.title} falls back to the hint to run its cell"
    assert notebook.unrun_hints == expected, f"{notebook.unrun_hints} of the {expected} stored explorer outputs show the hint"
    for word in ("Error displaying widget", "Loading widget"):
        assert word not in notebook.unrun_text, f"the unrun notebook shows {word!r} instead of the hint"
    assert notebook.unrun_sliders == 0, "a slider is shown although no cell has run"


@each(*lp.EXPLORER_TITLES)
def test_after_run_all_every_control_changes_the_figure(page: Page, notebook: Opened, screenshot_dir: Path) -> None:
    code = [cell for cell in notebook.cells if cell.type == "code"]
    not_run = [index for index, cell in enumerate(code) if cell.count is None]
    assert not not_run, (
        f"Run All stopped before code cells {not_run} (0-based among code cells); errors in code cells "
        f"{[index for index, cell in enumerate(code) if cell.errors]}. JupyterLab stops Run All at the first error "
        f"unless the cell is tagged `{RAISES}`: tag intended errors so."
    )
    for index, cell in enumerate(code):
        names = [f"{error.get('ename')}: {error.get('evalue')}" for error in cell.errors]
        assert bool(names) == (RAISES in cell.tags), f"code cell {index}, tagged {cell.tags}, shows errors {names}"
    check_no_broken_widget(page)
    outputs = page.locator(".jp-OutputArea-output").filter(has=page.locator(".widget-slider"))
    found = [outputs.nth(index) for index in range(outputs.count())]
    assert found, "the notebook shows no explorer (an output with a slider)"
    for number, explorer in enumerate(found, start=1):
        check_figure_shown(explorer)
        explorer.scroll_into_view_if_needed()
        for index in range(lp.sliders(explorer).count()):
            move_slider(page, explorer, lp.sliders(explorer).nth(index))
        if notebook.title in LARGE_LEARNING_RATE:  # far above the stability limit: said to diverge, and at which step
            lp.type_into_box(page, slider(explorer, "learning rate"), LARGE_LEARNING_RATE[notebook.title])
            said = lp.wait_for_status(explorer, re.compile("diverge", re.IGNORECASE))
            assert re.search(r"step \d+", said), f"the divergence message does not say at which step: {said!r}"
            lp.settle(page, explorer)
            check_figure_shown(explorer)
        checkboxes = explorer.locator(".widget-checkbox input[type=checkbox]")
        for index in range(checkboxes.count()):  # such as "standardised x": tick, the figure changes; untick
            before = lp.settle(page, explorer)
            checkboxes.nth(index).click()
            assert lp.settle(page, explorer) != before, "the figure did not change when a checkbox was ticked"
            check_figure_shown(explorer)
            checkboxes.nth(index).click()
            lp.settle(page, explorer)
        explorer.screenshot(path=screenshot_dir / f"{notebook.path.stem}_explorer{number}.png")
        assert "Traceback" not in lp.status(explorer), "an explorer's status shows a traceback"
    check_no_broken_widget(page)
    errors = sum(len(cell.errors) for cell in code)
    assert sum(len(cell.errors) for cell in lp.notebook_cells(page)) == errors, "moving the sliders added an error output"


# Per explorer: each slider's label, the span of one unit of aim, and the fewest pixels that unit must get.
@pytest.mark.parametrize(
    ("notebook", "aims"),
    [
        (PARTIALS, [("x1", 1.0, 60.0), ("x2", 1.0, 60.0)]),
        (DESCENT, [("learning rate", 1.0, 60.0)]),
        (MOMENTUM, [("learning rate", 1.0, 60.0), ("momentum β", 0.01, 2.0)]),
        (MINIBATCHES, [("learning rate", 1.0, 60.0)]),
    ],
    indirect=["notebook"],
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


# A value a slider cannot take is refused (box None: the figure and the box keep theirs); one between slider
# positions is run as typed, and the box shows it so.
@pytest.mark.parametrize(
    ("notebook", "label", "typed", "answer", "box"),
    [
        (PARTIALS, "x1", "3", "x1 = 3 is off the plot: choose x1 between -2 and 2, or widen x1_range.", None),
        (PARTIALS, "x1", "0.03", "At (x1, x2) = (0.03,", "0.03"),
        (DESCENT, "learning rate", "-1", REFUSED, None),
        (DESCENT, "learning rate", "0.03", "Learning rate 3.00e-02, ", "3.00e-2"),
        (MOMENTUM, "learning rate", "-1", REFUSED, None),
        (MOMENTUM, "momentum β", "1.5", "The momentum β must be between 0 and 1; got 1.5. Nothing was run.", None),
        (MINIBATCHES, "learning rate", "-1", REFUSED, None),
    ],
    indirect=["notebook"],
    scope="module",
)
def test_a_typed_value_is_refused_in_words_or_run_as_typed(
    page: Page, explorer: Locator, label: str, typed: str, answer: str, box: str | None, screenshot_dir: Path
) -> None:
    before, box_before = lp.settle(page, explorer), lp.box_value(slider(explorer, label))
    said = set_values(page, explorer, {label: typed}, answer)
    assert said.startswith(answer), f"{typed} was not answered as expected: {said!r}"
    if box is None:
        assert lp.settle(page, explorer) == before, "a refused value changed the figure"
    assert lp.box_value(slider(explorer, label)) == (box or box_before)
    screenshot(page, explorer, screenshot_dir, f"typed_{typed}")


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


@pytest.mark.parametrize(("notebook", "values", "status"), STATES, indirect=["notebook"], scope="module")
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
    ("notebook", "code", "works"),
    [
        (DESCENT, "DescentExplorer(train, raw", "Learning rate 2.00e-04"),
        (MOMENTUM, "MomentumExplorer(train_momentum", f"η = {rate_text(2e-4)}"),
    ],
    indirect=["notebook"],
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
