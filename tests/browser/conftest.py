"""Shared fixtures for the real-browser tests: headless Debian Chromium driven by Playwright for Python.

Chromium comes from the system package (``apt-get install -y chromium`` puts it at /usr/bin/chromium);
``playwright install`` is never used because it downloads browsers. Without Chromium these tests
skip, unless ``REQUIRE_BROWSER=1`` is set (as in CI), which turns the skip into a failure.

Every test here is marked ``browser``: ``pytest -m browser`` runs only them, ``-m "not browser"``
leaves them out.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

from course import lab_page as lp
from course.lab_server import CHROMIUM, CHROMIUM_ARGS, LabServer
from course.series import notebook_titled

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator, Page, Request, Response, Route

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
HERE = Path(__file__).resolve().parent
# axe-core, the accessibility checker, from npm (package.json pins it; make installs it with npm ci).
AXE = HERE.parents[1] / "node_modules" / "axe-core" / "axe.min.js"
HINT = "run this cell"  # what a stored explorer output says when no kernel draws it
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives headless Chromium (/usr/bin/chromium) through Playwright")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


def _unavailable(reason: str) -> None:
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (REQUIRE_BROWSER=1, so the browser tests must run)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the whole session (a ``playwright.sync_api.Browser``)."""
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing: install it with `apt-get install -y chromium` to run the browser tests")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed: pip install -r requirements.txt")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class OfflinePage:
    """A page whose requests may only reach this machine, and what went wrong on it, one line each: requests to any
    other host (aborted before they left), local requests that failed or answered with an HTTP error, and uncaught
    JavaScript errors."""

    page: Page
    problems: list[str] = field(default_factory=list)


def is_local(url: str) -> bool:
    """Whether a request stays on this machine (loopback HTTP, files, inline data)."""
    parts = urlsplit(url)
    return parts.scheme in ("file", "data", "blob", "about") or parts.hostname in LOCAL_HOSTS


@pytest.fixture(scope="module")
def lab(browser: Browser) -> Iterator[LabServer]:
    """A private JupyterLab for the module, serving a temporary copy of notebooks/ (asks for ``browser`` first, so
    it skips with it)."""
    with LabServer() as server:
        yield server


@pytest.fixture(scope="module")
def page(browser: Browser) -> Iterator[Page]:
    """One 1280×800 page for the module, which every test points at the module's JupyterLab (``lab``)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    yield context.new_page()
    context.close()


def stored_hints(notebook: Path) -> int:
    """How many stored widget outputs of ``notebook`` fall back to a text that asks to run the cell."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    outputs = [output for cell in cells if cell["cell_type"] == "code" for output in cell["outputs"]]
    fallbacks = ["".join(output["data"].get("text/plain", "")) for output in outputs if WIDGET_VIEW in output.get("data", {})]
    return sum(HINT in text for text in fallbacks)


@dataclass
class Opened:
    """An explorer notebook (by title and path): what it showed before any cell ran, and its cells right after Run All."""

    title: str
    path: Path
    stored_hints: int
    unrun_hints: int
    unrun_text: str
    unrun_sliders: int
    cells: list[lp.Cell]


@pytest.fixture(scope="module")
def notebook(request: pytest.FixtureRequest, page: Page, lab: LabServer, screenshot_dir: Path) -> Opened:
    """Open the notebook titled ``request.param`` on a fresh kernel, record its unrun view, and run all its cells."""
    path = notebook_titled(request.param)
    lp.open_notebook(page, lab, path.name, workspace=f"explorer-{path.stem[:2]}")
    hints = page.locator(".jp-OutputArea-output, .output_subarea", has_text=HINT)  # JupyterLab's, the classic Notebook's
    expected = stored_hints(lab.root / path.name)  # the copy being served, not the file as it may be now
    if expected:
        hints.nth(expected - 1).wait_for(timeout=10_000)
        hints.first.scroll_into_view_if_needed()
    page.screenshot(path=screenshot_dir / f"{path.stem}_unrun.png")
    unrun = (hints.count(), page.locator("body").inner_text(), page.locator(".widget-slider").count())
    cells = lp.run_all(page, timeout=180)
    explorer = lp.explorer_output(lp.sliders(page).first)
    explorer.scroll_into_view_if_needed()
    lp.settle(page, explorer)
    return Opened(request.param, path, expected, *unrun, cells)


@pytest.fixture
def explorer(page: Page, notebook: Opened) -> Locator:
    """The output area of the notebook's (first) explorer."""
    return lp.explorer_output(lp.sliders(page).first)



@pytest.fixture
def offline_page(browser: Browser) -> Iterator[OfflinePage]:
    """A fresh browser context and page (1280×900) with every non-local request aborted and recorded."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    record = OfflinePage(page=context.new_page())

    def guard(route: Route) -> None:
        url = route.request.url
        if is_local(url):
            route.continue_()
        else:
            record.problems.append(f"blocked network request: {url}")
            route.abort("blockedbyclient")

    def on_response(response: Response) -> None:
        if response.status >= 400 and is_local(response.url):
            record.problems.append(f"failed local request: {response.status} {response.url}")

    def on_request_failed(request: Request) -> None:
        # about:blank frames (MathJax makes one) report a harmless failure; only real files count.
        if is_local(request.url) and urlsplit(request.url).scheme in ("http", "https", "file"):
            record.problems.append(f"failed local request: {request.failure} {request.url}")

    context.route("**/*", guard)
    record.page.on("response", on_response)
    record.page.on("requestfailed", on_request_failed)
    record.page.on("pageerror", lambda error: record.problems.append(f"page error: {error}"))
    yield record
    context.close()


@pytest.fixture(scope="session")
def axe_script() -> str:
    """The source of axe-core, to inject into a page and run as ``axe.run()``."""
    if not AXE.is_file():
        _unavailable(f"{AXE} is missing: install the Node tools with `npm ci` (make test does it when npm exists)")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    """tests/browser/screenshots/ (ignored by git), created on demand."""
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS
