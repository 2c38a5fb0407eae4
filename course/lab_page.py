"""Drive a notebook open in JupyterLab through Playwright: open, run all, read cells, move sliders.

Used by the real-browser tests and by the browser benchmarks. It reads JupyterLab's
own models through ``window.jupyterapp`` (the server runs with ``expose_app_in_browser``), and
finds widgets by the DOM that ipywidgets 8 renders: a ``.widget-slider`` with a ``.widget-label``
(its description), a ``.noUi-handle`` that takes the keyboard, a ``.widget-readout``, and an
``img.widget-image`` showing the figure. The functions that take a slider or an explorer (and
``settle``), and opening and running notebooks, also work in the classic Notebook
(``course.lab_server.ClassicNotebookServer``), through its ``Jupyter`` object and its ipywidgets 7 DOM: its jQuery
UI ``.ui-slider-handle``, its ``output_subarea`` and its kernel indicator.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from course.lab_server import ClassicNotebookServer, LabServer

if TYPE_CHECKING:
    from playwright.sync_api import FloatRect, Locator, Page

T = TypeVar("T")
CURRENT = "window.jupyterapp.shell.currentWidget"
# The notebooks with an explorer, by title (file names may change): the browser tests and benchmarks drive each.
EXPLORER_TITLES = ("Partial derivatives", "Fitting a line by gradient descent", "Momentum and Adam", "Minibatches and validation")

# JupyterLab's kernel is idle; in the classic Notebook (no jupyterapp), its kernel is connected and its indicator says idle.
KERNEL_IDLE = f"""() => {{
    if (!window.jupyterapp) return !!(window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel
        && Jupyter.notebook.kernel.is_connected() && document.querySelector('#kernel_indicator_icon.kernel_idle_icon'));
    const session = {CURRENT}.sessionContext.session;
    const kernel = session && session.kernel;
    return !!kernel && kernel.status === 'idle' && kernel.connectionStatus === 'connected';
}}"""

# Every cell's kind, tags, source, execution count and outputs, read from the notebook model (not the DOM), in
# JupyterLab or in the classic Notebook.
CELLS = f"""() => window.jupyterapp
    ? {CURRENT}.content.widgets.map(cell => ({{
        type: cell.model.type,
        tags: cell.model.getMetadata('tags') || [],
        source: cell.model.sharedModel.getSource(),
        count: cell.model.type === 'code' ? cell.model.executionCount : null,
        outputs: cell.model.type === 'code' ? cell.model.outputs.toJSON() : [],
    }}))
    : Jupyter.notebook.get_cells().map(cell => ({{
        type: cell.cell_type,
        tags: cell.metadata.tags || [],
        source: cell.get_text(),
        count: cell.cell_type === 'code' ? cell.input_prompt_number ?? null : null,
        outputs: cell.cell_type === 'code' ? cell.output_area.toJSON() : [],
    }}))"""

# Run every cell as the Run menu does (the classic Notebook: clear the outputs first), then wait for the reply to an
# empty request queued behind: the kernel answers in order, so that reply means every cell sent has run. JupyterLab's
# command promise alone can settle before the last cell has run (it does when a cell raised).
RUN_ALL = f"""async milliseconds => {{
    const run = window.jupyterapp ? (async () => {{
        const kernel = {CURRENT}.sessionContext.session.kernel;
        await window.jupyterapp.commands.execute('notebook:run-all-cells');
        await kernel.requestExecute({{code: '', silent: true, store_history: false}}).done;
        return true;
    }})() : new Promise(resolve => {{
        Jupyter.notebook.clear_all_output();
        Jupyter.notebook.execute_all_cells();
        Jupyter.notebook.kernel.execute('', {{shell: {{reply: () => resolve(true)}}}}, {{silent: true, store_history: false}});
    }});
    return await Promise.race([run, new Promise(resolve => setTimeout(() => resolve(false), milliseconds))]);
}}"""

# Run only cell ``index``, as Shift+Enter would; the classic Notebook's answer waits for an empty request queued behind.
RUN_CELL = f"""async index => {{
    if (!window.jupyterapp) return new Promise(resolve => {{
        Jupyter.notebook.get_cell(index).execute();
        Jupyter.notebook.kernel.execute('', {{shell: {{reply: () => resolve(true)}}}}, {{silent: true, store_history: false}});
    }});
    {CURRENT}.content.activeCellIndex = index;
    await window.jupyterapp.commands.execute('notebook:run-cell');
}}"""

RESTART = f"""() => window.jupyterapp ? {CURRENT}.sessionContext.session.kernel.restart()
    : new Promise(resolve => Jupyter.notebook.kernel.restart(() => resolve(true)))"""

# widgetsnbextension's manager, which must be listening before a cell makes a widget, or the widget never shows.
CLASSIC_WIDGETS_READY = "() => !!Jupyter.notebook.kernel.comm_manager.targets['jupyter.widget']"

# SHA-256 of the bytes an <img> shows, read back from its blob: or data: URL. ipywidgets revokes the
# old blob URL when a new image arrives, so a fetch that loses that race is retried on the new src;
# an <img> that left the page (its explorer swapped figures) answers null, and the caller looks again.
IMAGE_DIGEST = """async img => {
    for (let attempt = 0; img.isConnected; attempt++) {
        try {
            const bytes = await (await fetch(img.src)).arrayBuffer();
            const digest = await crypto.subtle.digest('SHA-256', bytes);
            return Array.from(new Uint8Array(digest), b => b.toString(16).padStart(2, '0')).join('');
        } catch (error) {
            if (attempt >= 40) throw error;
            await new Promise(resolve => setTimeout(resolve, 25));
        }
    }
    return null;
}"""

# Records, in the page, when each key goes down, when an explorer's <img> gets a new src and when it has
# loaded: the browser benchmarks' key-to-figure clock. RECORD reads the record back.
RECORDER = """node => {
    const record = window.__sliderBench = {keys: [], srcs: [], loads: []};
    document.addEventListener('keydown', () => record.keys.push(performance.now()), true);
    new MutationObserver(changes => {
        const now = performance.now();
        for (const change of changes) {
            if (change.type === 'attributes' && change.target.tagName === 'IMG') record.srcs.push(now);
        }
    }).observe(node, {attributes: true, attributeFilter: ['src'], subtree: true});
    node.addEventListener('load', () => record.loads.push(performance.now()), true);
}"""
RECORD = "() => window.__sliderBench"

# The output area around a widget: JupyterLab's, or the classic Notebook's.
EXPLORER_OUTPUT = (
    "xpath=ancestor::div[contains(concat(' ', normalize-space(@class), ' '), ' jp-OutputArea-output ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' output_subarea ')][1]"
)


@dataclass
class Cell:
    """What the notebook model holds for one cell."""

    type: str
    tags: list[str]
    source: str
    count: int | None
    outputs: list[dict]

    @property
    def errors(self) -> list[dict]:
        """The cell's error outputs (tracebacks)."""
        return [output for output in self.outputs if output.get("output_type") == "error"]


def open_notebook(page: Page, lab: LabServer, name: str, workspace: str, timeout: float = 60.0) -> None:
    """Open notebook ``name`` alone in a fresh workspace, on a fresh kernel, and wait until that kernel is idle."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout  # here, so this module imports without Playwright

    lab.delete_sessions()
    page.goto(lab.notebook_url(name, workspace))
    if isinstance(lab, ClassicNotebookServer):
        for ready in (KERNEL_IDLE, CLASSIC_WIDGETS_READY):
            page.wait_for_function(ready, timeout=timeout * 1000)
        # The widget manager then loads the kernel's widgets and redraws every widget output, with no promise to wait
        # on; cells run before it has finished lose their widgets' views. It takes a few round trips to an idle kernel.
        page.wait_for_timeout(1500)
        return
    page.wait_for_function(
        f"() => {{ const p = window.jupyterapp && {CURRENT};"
        f" return !!(p && p.context && p.context.path === {name!r} && p.content && p.sessionContext); }}",
        timeout=timeout * 1000,
    )
    page.evaluate("() => window.jupyterapp.shell.collapseLeft()")  # more room for the figures
    try:
        page.wait_for_function(KERNEL_IDLE, timeout=timeout * 1000)
    except PlaywrightTimeout:
        dialogs = page.locator(".jp-Dialog").all_inner_texts()
        raise TimeoutError(
            f"{name} got no idle kernel within {timeout:.0f} s (is its kernelspec python3? dialogs shown: {dialogs}).\n"
            f"JupyterLab log:\n{lab.log_tail()}"
        ) from None


def run_all(page: Page, timeout: float = 120.0) -> list[Cell]:
    """Run all cells as the Run menu does and wait until the kernel has done all it was sent; return the cells."""
    if not page.evaluate(RUN_ALL, timeout * 1000):
        raise TimeoutError(f"the notebook was still running after {timeout:.0f} s")
    page.wait_for_function(KERNEL_IDLE, timeout=timeout * 1000)
    return notebook_cells(page)


def notebook_cells(page: Page) -> list[Cell]:
    """The cells of the notebook in front, as its model holds them now."""
    return [Cell(**cell) for cell in page.evaluate(CELLS)]


def sliders(scope: Page | Locator, description: str | None = None) -> Locator:
    """The sliders in ``scope``; with ``description``, only those whose label reads exactly that."""
    found = scope.locator(".widget-slider")
    if description is None:
        return found
    page = getattr(scope, "page", scope)  # a Locator knows its page; a Page is its own
    label = page.locator(".widget-label", has_text=re.compile(rf"^\s*{re.escape(description)}\s*$"))
    return found.filter(has=label)


def explorer_output(widget: Locator) -> Locator:
    """The output area (one explorer panel) that holds ``widget``."""
    return widget.locator(EXPLORER_OUTPUT)


def images_digest(scope: Locator, attempts: int = 50) -> str:
    """One digest of the bytes of every figure image in ``scope``, in order; empty when there is none."""
    images = scope.locator("img.widget-image")
    for _ in range(attempts):
        digests = [images.nth(index).evaluate(IMAGE_DIGEST) for index in range(images.count())]
        if None not in digests:
            return ",".join(digests)
        time.sleep(0.02)
    raise TimeoutError("the explorer's figure kept being replaced while it was read")


def status(scope: Locator) -> str:
    """The text of the explorer's status line (``.explorer-status``); empty when there is none."""
    line = scope.locator(".explorer-status")
    return line.first.inner_text().strip() if line.count() else ""


def wait_for_status(scope: Locator, text: str | re.Pattern[str], timeout: float = 30.0) -> str:
    """Wait until the status line of the explorer in ``scope`` contains ``text``; return the whole status."""
    from playwright.sync_api import expect  # here, so this module imports without Playwright

    expect(scope.locator(".explorer-status").first).to_contain_text(text, timeout=timeout * 1000)
    return status(scope)


def step_key(slider: Locator) -> str:
    """ArrowRight, or ArrowLeft when the handle is in the right half of its track, so a few presses always move it."""
    track, knob = slider_box(slider), handle(slider).bounding_box()
    assert knob is not None, "the slider's handle is not on screen"
    return "ArrowLeft" if knob["x"] + knob["width"] / 2 > track["x"] + track["width"] / 2 else "ArrowRight"


def handle(slider: Locator) -> Locator:
    """The slider's handle (noUiSlider's, or jQuery UI's in ipywidgets 7), which takes the keyboard focus."""
    return slider.locator(".noUi-handle, .ui-slider-handle").first


def press_on_slider(page: Page, slider: Locator, key: str, times: int = 1) -> None:
    """Focus the slider's handle, as a student's Tab would, and press ``key`` ``times`` times."""
    handle(slider).focus()
    for _ in range(times):
        page.keyboard.press(key)


def settle(page: Page, scope: Locator, quiet: float = 0.3, timeout: float = 15.0) -> str:
    """Wait until the kernel is idle and the figure in ``scope`` has not changed for ``quiet`` seconds; return its digest."""
    last = images_digest(scope)
    since = time.monotonic()
    deadline = since + timeout
    while time.monotonic() - since < quiet:
        if time.monotonic() > deadline:
            raise TimeoutError(f"the figure kept changing for {timeout:.0f} s")
        page.wait_for_timeout(50)
        now = images_digest(scope)
        if now != last or not page.evaluate(KERNEL_IDLE):
            last, since = now, time.monotonic()
    return last


def wait_until(condition: Callable[[], T], timeout: float = 10.0, interval: float = 0.05, message: str = "a condition") -> T:
    """Poll ``condition()`` until it returns something truthy and return that; raise TimeoutError after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {message}")
        time.sleep(interval)


def value_box(slider: Locator) -> Locator:
    """The text box beside a slider (class ``explorer-value``), into which a value is typed."""
    return slider.locator("xpath=..").locator(".explorer-value input").first


def box_value(slider: Locator) -> str:
    """The value shown in the box beside a slider."""
    return value_box(slider).input_value().strip()


def type_into_box(page: Page, slider: Locator, text: str) -> None:
    """Replace the value in the box beside a slider with ``text`` and press Enter, as a student typing a value would."""
    box = value_box(slider)
    box.click()
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type(text)
    page.keyboard.press("Enter")


def slider_box(slider: Locator) -> FloatRect:
    """Where a slider's track (the bar the handle moves along) is on the page, in CSS pixels."""
    box = slider.locator(".noUi-target, .slider").first.bounding_box()
    if box is None:
        raise AssertionError("the slider's track is not on screen")
    return box


def slider_span(slider: Locator) -> tuple[float, float]:
    """The smallest and largest value of a slider's handle (for a log slider: the powers of its base)."""
    low, high = (handle(slider).get_attribute(name) for name in ("aria-valuemin", "aria-valuemax"))
    return float(low or "nan"), float(high or "nan")


def status_lines(scope: Locator) -> float:
    """How many lines of text the status line of the explorer in ``scope`` takes: its text height over its line height."""
    return scope.locator(".explorer-status").first.evaluate(
        """node => {
            const text = node.querySelector('.widget-html-content > div') || node;
            const height = text.getBoundingClientRect().height;
            const line = parseFloat(getComputedStyle(text).lineHeight);
            return height / line;
        }"""
    )


def accessible_image_names(page: Page) -> list[str]:
    """The accessible names of every image Chromium's accessibility tree holds for the page, in tree order."""
    session = page.context.new_cdp_session(page)
    try:
        nodes = session.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        session.detach()
    names = []
    for node in nodes:
        role = node.get("role", {}).get("value")
        if role in ("image", "img") and not node.get("ignored"):
            names.append(str(node.get("name", {}).get("value", "")))
    return names


def cell_index(page: Page, text: str) -> int:
    """The index (0-based among all cells) of the first code cell of the notebook in front whose source holds ``text``."""
    for index, cell in enumerate(notebook_cells(page)):
        if cell.type == "code" and text in cell.source:
            return index
    raise AssertionError(f"no code cell of the notebook holds {text!r}")


def run_cell_alone(page: Page, index: int) -> None:
    """Make cell ``index`` (0-based among all cells) the active cell and run only it, as Shift+Enter would."""
    page.evaluate(RUN_CELL, index)
    page.wait_for_function(KERNEL_IDLE, timeout=60_000)


def restart_kernel(page: Page) -> None:
    """Restart the notebook's kernel without the confirmation dialog, and wait until the new one is idle."""
    page.evaluate(RESTART)
    page.wait_for_function(KERNEL_IDLE, timeout=60_000)
