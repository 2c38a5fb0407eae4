"""The explorers in front of a class: a 1280×720 projector, presentation mode, the dark theme, no news pop-up.

For each explorer notebook (01, 06, 08, 11, by title): open it in JupyterLab in a 1280×720 window and run all. Each explorer
panel, scrolled to the top of the notebook, must show its controls, a status of at most two lines and its whole
figure at once, with nothing scrolled sideways, in JupyterLab's normal mode and in presentation mode (View ›
Presentation Mode, which enlarges the code font from 13 to 16 px); and the figure's smallest text, as the page
shows it, must be at least as large as the code font. In JupyterLab Dark, the status text must keep a contrast of
at least 4.5:1 with what is behind it (computed from the page's colours, as in light) and every figure must be
opaque, so that it never shows dark text on the dark page. Screenshots of each explorer in each mode and theme
go to tests/browser/screenshots/.

Last, a JupyterLab started with the shipped settings alone (deploy/jupyterlab/overrides.json, which make copies
into the venv; no user settings), as ``make lab`` starts it, must have news fetching off, so it asks nothing.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from course import lab_page as lp
from course.lab_server import LabServer
from helpers.explorer import FIGURE_CLASS, STATUS_CLASS

if TYPE_CHECKING:
    from conftest import Opened
    from playwright.sync_api import Locator, Page

ROOT = Path(__file__).resolve().parents[2]
SHIPPED_SETTINGS = ROOT / "deploy" / "jupyterlab" / "overrides.json"
VENV_SETTINGS = Path(sys.prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
PROJECTOR = {"width": 1280, "height": 720}
MIN_CONTRAST = 4.5  # WCAG AA for normal-size text
MAX_STATUS_LINES = 2.2  # two lines, with room for rounding of the text's box
DARK_THEME = "JupyterLab Dark"

# The smallest text of every live figure in the kernel, in pixels of its PNG: font size in points × dpi / 72.
# It runs in a namespace of its own (exec with a fresh dict), so the notebook's names are left alone.
SMALLEST_FIGURE_TEXT = """
import json
import warnings
from gc import get_objects
from matplotlib.text import Text
from helpers.live_figure import LiveFigure

def smallest(live):
    figure = live.figure
    ticks = [label for ax in figure.axes for axis in (ax.xaxis, ax.yaxis) for label in axis.get_ticklabels(which="both")]
    shown = [text for text in figure.findobj(Text) + ticks if text.get_visible() and text.get_text().strip()]
    return min(float(text.get_fontsize()) for text in shown) * figure.dpi / 72

# isinstance on every object in the heap touches torch's deprecated aliases, which warn (on stderr).
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    print(json.dumps([smallest(found) for found in get_objects() if isinstance(found, LiveFigure)]))
"""

# Run ``code`` in the notebook's kernel, outside any cell, and return what it printed on stdout.
KERNEL_PRINTS = f"""async code => {{
    const kernel = {lp.CURRENT}.sessionContext.session.kernel;
    let printed = '';
    const future = kernel.requestExecute({{code, silent: false, store_history: false}});
    future.onIOPub = message => {{
        if (message.header.msg_type === 'stream' && message.content.name === 'stdout') printed += message.content.text;
        if (message.header.msg_type === 'error') printed += 'ERROR ' + message.content.ename + ': ' + message.content.evalue;
    }};
    await future.done;
    return printed;
}}"""

# Where the parts of one explorer panel are, against the notebook's visible area, after scrolling the panel to
# its top; the displayed scale of its figure; the code font; sideways scrolling.
PANEL_VIEW = f"""panel => {{
    const scrollable = element => {{
        for (let node = element.parentElement; node; node = node.parentElement) {{
            const style = getComputedStyle(node);
            if (/(auto|scroll)/.test(style.overflowY) && node.scrollHeight > node.clientHeight) return node;
        }}
        return document.scrollingElement;
    }};
    const notebook = scrollable(panel);
    panel.scrollIntoView({{block: 'start'}});
    const area = notebook.getBoundingClientRect();
    const visible = {{top: Math.max(area.top, 0), bottom: Math.min(area.top + notebook.clientHeight, innerHeight),
                      left: Math.max(area.left, 0), right: Math.min(area.left + notebook.clientWidth, innerWidth)}};
    const inView = element => {{
        const box = element.getBoundingClientRect();
        return box.height > 0 && box.top >= visible.top - 1 && box.bottom <= visible.bottom + 1
            && box.left >= visible.left - 1 && box.right <= visible.right + 1;
    }};
    const status = panel.querySelector('.{STATUS_CLASS}');
    const image = panel.querySelector('img.{FIGURE_CLASS}');
    const controls = Array.from(panel.querySelectorAll('.widget-slider, .widget-checkbox, .widget-toggle-button'));
    // The code itself: CodeMirror's content takes --jp-code-font-size, which presentation mode raises to 16 px.
    const editor = document.querySelector('.jp-InputArea-editor .cm-content') || document.querySelector('.jp-InputArea-editor');
    const sideways = [notebook, ...panel.querySelectorAll('*'), panel].filter(node =>
        node.scrollWidth > node.clientWidth + 1 && /(auto|scroll)/.test(getComputedStyle(node).overflowX));
    return {{
        controls: controls.length, controlsInView: controls.every(inView),
        statusInView: inView(status),
        figureInView: inView(image), figureScale: image.getBoundingClientRect().width / image.naturalWidth,
        figureHeight: image.getBoundingClientRect().height, visibleHeight: visible.bottom - visible.top,
        codeFontPx: parseFloat(getComputedStyle(editor).fontSize),
        scrollsSideways: sideways.map(node => node.className).slice(0, 3),
        pageScrollsSideways: document.documentElement.scrollWidth > innerWidth,
    }};
}}"""

# The lowest contrast between any text of the status line and what is behind it. Colours come from the page:
# each background from the root down is laid over the one below (starting from white), then the text colour.
STATUS_CONTRAST = """status => {
    const parse = colour => {
        const parts = colour.match(/[\\d.]+/g).map(Number);
        return [parts[0], parts[1], parts[2], parts.length > 3 ? parts[3] : 1];
    };
    const over = (top, under) => [0, 1, 2].map(i => top[i] * top[3] + under[i] * (1 - top[3])).concat([1]);
    const backgroundOf = element => {
        const layers = [];
        for (let node = element; node; node = node.parentElement) layers.push(parse(getComputedStyle(node).backgroundColor));
        return layers.reverse().reduce((under, layer) => over(layer, under), [255, 255, 255, 1]);
    };
    const luminance = colour => {
        const [r, g, b] = colour.slice(0, 3).map(v => (v /= 255) <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const texts = [status, ...status.querySelectorAll('*')].filter(element =>
        Array.from(element.childNodes).some(node => node.nodeType === 3 && node.textContent.trim()));
    let worst = null;
    for (const element of texts) {
        const background = backgroundOf(element);
        const text = over(parse(getComputedStyle(element).color), background);
        const [high, low] = [luminance(text), luminance(background)].sort((a, b) => b - a);
        const ratio = (high + 0.05) / (low + 0.05);
        if (!worst || ratio < worst.ratio) worst = {ratio, text: text.slice(0, 3), background: background.slice(0, 3)};
    }
    return worst;
}"""

# The lowest alpha of any pixel an <img> shows (255: opaque), read back through a canvas.
LOWEST_ALPHA = """img => {
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const context = canvas.getContext('2d');
    context.drawImage(img, 0, 0);
    const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
    let lowest = 255;
    for (let i = 3; i < pixels.length; i += 4) lowest = Math.min(lowest, pixels[i]);
    return lowest;
}"""

PRESENTATION = "() => window.jupyterapp.shell.presentationMode"
# A theme has loaded when the body says which (light: 'true') and JupyterLab's splash screen, shown meanwhile, is gone.
THEME_LOADED = "light => document.body.dataset.jpThemeLight === light && !document.querySelector('#jupyterlab-splash')"


def smallest_figure_text_px(page: Page) -> float:
    """The smallest text of the live figures in the kernel of the notebook in front, in pixels of their PNGs."""
    printed = page.evaluate(KERNEL_PRINTS, f"exec({SMALLEST_FIGURE_TEXT!r}, {{}})")
    assert not printed.startswith("ERROR"), f"measuring the figures' text in the kernel failed: {printed}"
    sizes = json.loads(printed)
    assert sizes, "the kernel holds no LiveFigure after Run All"
    return min(sizes)


def panels(page: Page) -> list[Locator]:
    """The explorer panels (outputs with a status line) of the notebook in front, each showing its figure."""
    found = page.locator(".jp-OutputArea-output").filter(has=page.locator(f".{STATUS_CLASS}"))
    found.first.locator(f"img.{FIGURE_CLASS}").wait_for(timeout=60_000)
    return [found.nth(index) for index in range(found.count())]


def check_fits(page: Page, stem: str, smallest_text_px: float, mode: str, screenshot_dir: Path) -> list[str]:
    """Check every panel of the notebook in front in the current mode; return what failed, one line each, and save
    screenshots."""
    failures = []
    for number, panel in enumerate(panels(page), start=1):
        view = panel.evaluate(PANEL_VIEW)
        lines = lp.status_lines(panel)
        page.wait_for_timeout(100)  # let the scroll settle before the picture
        page.screenshot(path=screenshot_dir / f"{stem}_explorer{number}_1280x720_{mode}.png")
        where = f"{stem} explorer {number}, {mode} mode"
        text_px = smallest_text_px * view["figureScale"]
        print(
            f"{where}: figure text {text_px:.1f} px (scale {view['figureScale']:.2f}) vs code {view['codeFontPx']:.0f} px; "
            f"status {lines:.2f} lines; figure {view['figureHeight']:.0f} of {view['visibleHeight']:.0f} px visible"
        )
        if not (view["controls"] and view["controlsInView"]):
            failures.append(f"{where}: the controls are not all in view ({view['controls']} found)")
        if not view["statusInView"]:
            failures.append(f"{where}: the status line is not in view with the controls")
        if lines > MAX_STATUS_LINES:
            failures.append(f"{where}: the status takes {lines:.1f} lines (at most two)")
        if not view["figureInView"]:
            failures.append(
                f"{where}: the figure ({view['figureHeight']:.0f} px high) is not wholly in view with the controls and status "
                f"({view['visibleHeight']:.0f} px of notebook visible)"
            )
        if view["scrollsSideways"] or view["pageScrollsSideways"]:
            failures.append(f"{where}: something scrolls sideways: {view['scrollsSideways'] or 'the page'}")
        if text_px < view["codeFontPx"] - 0.05:
            failures.append(
                f"{where}: the figure's smallest text shows at {text_px:.1f} px, "
                f"smaller than the {view['codeFontPx']:.0f} px code font"
            )
    return failures


@pytest.mark.parametrize("notebook", lp.EXPLORER_TITLES, indirect=True)
def test_explorers_fit_a_1280x720_projector_in_normal_and_presentation_mode(
    page: Page, notebook: Opened, screenshot_dir: Path
) -> None:
    page.set_viewport_size(PROJECTOR)
    smallest = smallest_figure_text_px(page)
    failures = check_fits(page, notebook.path.stem, smallest, "normal", screenshot_dir)
    page.evaluate("() => window.jupyterapp.commands.execute('application:toggle-presentation-mode')")
    page.wait_for_function(PRESENTATION)
    try:
        failures += check_fits(page, notebook.path.stem, smallest, "presentation", screenshot_dir)
    finally:
        page.evaluate("() => window.jupyterapp.commands.execute('application:toggle-presentation-mode')")
    assert not failures, "\n".join(failures)


def check_theme(page: Page, stem: str, theme: str, screenshot_dir: Path) -> list[str]:
    """Status contrast and figure opacity of every panel, and opacity of every static figure, in the current theme."""
    failures = []
    for number, panel in enumerate(panels(page), start=1):
        where = f"{stem} explorer {number}, {theme}"
        panel.evaluate("panel => panel.scrollIntoView({block: 'start'})")
        contrast = panel.locator(f".{STATUS_CLASS}").first.evaluate(STATUS_CONTRAST)
        assert contrast, f"{where}: the status line shows no text"
        print(f"{where}: status contrast {contrast['ratio']:.2f}:1 (text {contrast['text']} on {contrast['background']})")
        if contrast["ratio"] < MIN_CONTRAST:
            failures.append(f"{where}: status text contrast {contrast['ratio']:.2f}:1 is below {MIN_CONTRAST}:1: {contrast}")
        alpha = panel.locator(f"img.{FIGURE_CLASS}").first.evaluate(LOWEST_ALPHA)
        if alpha < 255:
            failures.append(f"{where}: the figure has see-through pixels (lowest alpha {alpha})")
        page.screenshot(path=screenshot_dir / f"{stem}_explorer{number}_{theme}.png")
    static = page.locator(".jp-RenderedImage img")
    see_through = [index for index in range(static.count()) if static.nth(index).evaluate(LOWEST_ALPHA) < 255]
    if see_through:
        failures.append(f"{stem}, {theme}: static figures {see_through} (in page order) have see-through pixels")
    return failures


@pytest.mark.parametrize("notebook", lp.EXPLORER_TITLES, indirect=True)
def test_status_is_readable_and_figures_opaque_in_light_and_dark_themes(
    page: Page, notebook: Opened, screenshot_dir: Path
) -> None:
    page.set_viewport_size(PROJECTOR)
    failures = check_theme(page, notebook.path.stem, "light", screenshot_dir)
    page.evaluate(f"() => window.jupyterapp.commands.execute('apputils:change-theme', {{theme: {DARK_THEME!r}}})")
    page.wait_for_function(THEME_LOADED, arg="false", timeout=20_000)
    try:
        failures += check_theme(page, notebook.path.stem, "dark", screenshot_dir)
    finally:
        page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Light'})")
        page.wait_for_function(THEME_LOADED, arg="true", timeout=20_000)
    assert not failures, "\n".join(failures)


def test_the_shipped_settings_alone_keep_the_news_question_away() -> None:
    """JupyterLab asks whether to fetch news unless fetchNews is "false"; that it then asks nothing is JupyterLab's job."""
    shipped = json.loads(SHIPPED_SETTINGS.read_text(encoding="utf-8"))
    assert VENV_SETTINGS.is_file(), f"{VENV_SETTINGS} is missing: make copies it from {SHIPPED_SETTINGS} (run make lab)"
    installed = json.loads(VENV_SETTINGS.read_text(encoding="utf-8"))
    assert installed == shipped, f"{VENV_SETTINGS} differs from {SHIPPED_SETTINGS}: run make again to copy it"
    with LabServer(settings={}) as lab:
        answer = lab.api("GET", "/lab/api/settings/@jupyterlab/apputils-extension:notification")
    assert isinstance(answer, dict)
    assert answer["schema"]["properties"]["fetchNews"]["default"] == "false", "the shipped fetchNews override is not applied"
    assert "fetchNews" not in answer["settings"], "this server was meant to run without user settings"
