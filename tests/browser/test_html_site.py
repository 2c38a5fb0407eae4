"""The read-only HTML site (scripts/build_html.py) works offline in a real browser.

The site is built from the committed notebooks into a temporary folder and served from 127.0.0.1. Chromium may
reach nothing else: any other request is aborted and fails the test. MathJax must have typeset the index page's
math and report no error on any page; on every page each image must have loaded, no local file may be missing, and
each stored widget must show its "needs a kernel" note. Every page is also checked for accessibility: axe-core
(from npm) must find no violation of impact "serious" or "critical", and Chromium's accessibility tree must name
each figure by the description stored with it (its alt text), in order.
"""

from __future__ import annotations

import collections
import functools
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

from course import lab_page as lp
from course.series import ROOT, notebook_paths
from course.site import WIDGET_VIEW, references

if TYPE_CHECKING:
    from conftest import OfflinePage
    from playwright.sync_api import Browser, Page

BUILD = ROOT / "scripts" / "build_html.py"
MATHJAX_READY = "() => window.MathJax && window.MathJax.isReady === true"
MATHJAX_DONE = "() => new Promise(resolve => MathJax.Hub.Queue(() => resolve(true)))"
IMAGES_LOADED = """() => Array.from(document.images).map(img => ({
    src: img.src.slice(0, 60), complete: img.complete, width: img.naturalWidth}))"""
AXE_RUN = """async () => (await axe.run(document)).violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length,
    targets: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"""
BLOCKING_IMPACTS = ("serious", "critical")


def stored_outputs(path: Path) -> list[dict]:
    """Every output stored in the notebook's code cells, in order."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [output for cell in cells if cell["cell_type"] == "code" for output in cell["outputs"]]


def refs(page: Path) -> list[tuple[str, str]]:
    """(tag, url) of every href/src in a built page."""
    return [(tag, url) for tag, _, url in references(page.read_text(encoding="utf-8"))]


def open_typeset(page: Page, url: str) -> None:
    """Load a page and wait until MathJax has typeset it (and fetched its fonts)."""
    page.goto(url, wait_until="load")
    page.wait_for_function(MATHJAX_READY, timeout=30_000)
    page.evaluate(MATHJAX_DONE)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site built from notebooks/ into a temporary folder. build_html.py fails when a page loads anything from the
    network or links to a missing file (course.site.page_problems)."""
    out = tmp_path_factory.mktemp("site")
    result = subprocess.run(
        [sys.executable, str(BUILD), "--out", str(out)], capture_output=True, text=True, timeout=600, cwd=ROOT
    )
    assert result.returncode == 0, f"build_html.py failed:\n{result.stdout}\n{result.stderr}"
    return out


@pytest.fixture(scope="module")
def site_url(site: Path) -> Iterator[str]:
    """The site served over HTTP on 127.0.0.1 (a free port) for the length of this module."""

    class QuietHandler(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_every_notebook_has_a_page_and_the_index_links_to_them(site: Path) -> None:
    pages = {path.stem for path in notebook_paths()}
    assert {page.stem for page in site.glob("*.html")} == pages | {"index", "STUDENTS"}
    # A link to a missing file fails the build (course.site.page_problems).
    linked = {urlsplit(url).path for tag, url in refs(site / "index.html") if tag == "a" and "://" not in url}
    unlisted = sorted(f"{stem}.html" for stem in pages - {"00_index"} if f"{stem}.html" not in linked)
    assert not unlisted, f"index.html does not link to: {unlisted}"
    assert "STUDENTS.html" in linked, "the index links the students' page"


def test_no_page_links_to_a_notebook(site: Path) -> None:
    """Network loads and missing files fail the build (the site fixture); the browser tests below see every request."""
    pages = sorted(site.glob("*.html"))
    stale = [f"{page.name}: {url}" for page in pages for _, url in refs(page) if urlsplit(url).path.endswith(".ipynb")]
    assert not stale, "\n".join(stale)


def test_every_page_shows_its_math_plots_and_widget_notes_offline(
    site_url: str, offline_page: OfflinePage, screenshot_dir: Path
) -> None:
    page = offline_page.page
    failures = []
    total_images = 0
    for path in notebook_paths():
        open_typeset(page, f"{site_url}/{path.stem}.html")
        if page.locator(".MathJax_Error, merror").count() or "Math Processing Error" in page.inner_text("body"):
            failures.append(f"{path.stem}.html: MathJax reported an error")
        if path == notebook_paths()[0]:  # the index, whose markdown has math (as every notebook's has)
            assert page.locator(".MathJax, .MathJax_Display, .MathJax_SVG, mjx-container").count(), "MathJax typeset nothing"
            page.screenshot(path=screenshot_dir / f"html_{path.stem}.png", full_page=True)
        images = page.evaluate(IMAGES_LOADED)
        total_images += len(images)
        broken = [image for image in images if not (image["complete"] and image["width"] > 0)]
        if broken:
            failures.append(f"{path.stem}.html: images that did not load: {broken}")
        expected_notes = sum(WIDGET_VIEW in output.get("data", {}) for output in stored_outputs(path))
        notes = page.locator(".course-widget-note")
        if notes.count() != expected_notes:
            failures.append(f"{path.stem}.html: {notes.count()} widget notes for {expected_notes} stored widgets")
        elif expected_notes and not notes.first.is_visible():
            failures.append(f"{path.stem}.html: the widget note is not visible")
        if page.get_by_text("Error displaying widget").count():
            failures.append(f"{path.stem}.html: shows 'Error displaying widget'")
    failures += offline_page.problems
    assert not failures, "\n".join(failures)
    assert total_images > 0, "No page shows a single plot: the stored PNG outputs are missing"


@dataclass
class Audit:
    """What one page gave the accessibility checks: axe-core's violations and the names of its images."""

    violations: list[dict]
    image_names: list[str]


def normalised(text: str) -> str:
    """``text`` with every run of white space made one space, as an accessible name is read out."""
    return " ".join(text.split())


def expected_alts(notebook: Path) -> list[str]:
    """The description stored with each figure of the notebook (its image's alt metadata), in order."""
    return [
        normalised(output.get("metadata", {}).get("image/png", {}).get("alt", ""))
        for output in stored_outputs(notebook)
        if "image/png" in output.get("data", {})
    ]


@pytest.fixture(scope="module")
def audits(site: Path, site_url: str, browser: Browser, axe_script: str) -> dict[str, Audit]:
    """Every page of the site, typeset, run through axe-core and read from Chromium's accessibility tree."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    found = {}
    for html in sorted(site.glob("*.html")):
        open_typeset(page, f"{site_url}/{html.name}")
        page.add_script_tag(content=axe_script)
        names = [normalised(name) for name in lp.accessible_image_names(page)]
        found[html.stem] = Audit(page.evaluate(AXE_RUN), names)
    context.close()
    return found


def test_axe_finds_no_serious_or_critical_violation_on_any_page(audits: dict[str, Audit]) -> None:
    by_impact = collections.Counter(
        violation["impact"] for audit in audits.values() for violation in audit.violations for _ in range(violation["nodes"])
    )
    print(f"axe-core over {len(audits)} pages, elements by impact: {dict(by_impact)}")
    blocking = [
        f"{stem}.html: {violation['impact']} {violation['id']} ({violation['help']}) on {violation['nodes']} elements, "
        f"e.g. {violation['targets']}"
        for stem, audit in audits.items()
        for violation in audit.violations
        if violation["impact"] in BLOCKING_IMPACTS
    ]
    assert not blocking, "\n".join(blocking)


def test_every_figure_is_named_by_its_description_in_the_accessibility_tree(audits: dict[str, Audit]) -> None:
    failures = []
    described = 0
    for path in notebook_paths():
        expected, shown = expected_alts(path), audits[path.stem].image_names
        described += len(expected)
        if shown != expected:
            cut = [name[:80] for name in shown], [alt[:80] for alt in expected]
            failures.append(f"{path.stem}.html: images named {cut[0]}, expected {cut[1]}")
        bare = [name for name in shown if not name or "No description" in name or name.startswith("<Figure size")]
        if bare:
            failures.append(f"{path.stem}.html: images without a description: {bare}")
    assert described > 0, "no stored figure has a description to use as alt text"
    assert not failures, "\n".join(failures)
