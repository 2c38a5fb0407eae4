"""Browser latency of the slider explorers: key press to new figure, and mouse drags, in JupyterLab.

    .venv/bin/python benchmarks/slider_browser.py            # 24 presses per slider, 6 drags
    .venv/bin/python benchmarks/slider_browser.py --presses 40 --drags 10
    .venv/bin/python benchmarks/slider_browser.py --ipywidgets7   # the ipywidgets 7 front end (Colab's)

In headless Chromium on a private JupyterLab, each explorer notebook is run, then an arrow key is pressed on each of
its sliders again and again, each press to a new value, ``--gap`` ms (250: a learner pressing deliberately) after
the previous update finished. A press's latency runs from its keydown to the first change of the figure's ``<img>``
src, both recorded in the page with ``performance.now()``; the time until the new image has loaded is printed too.
The learning rates stay below each explorer's stability limit (06's ``lr_limit``), so every press runs a full loop
(diverging runs stop early and would flatter the numbers; their count is printed). Mouse drags (06's learning rate,
01's x1) move the handle across the track for one second: updates per second, the settle time from the release,
and whether the final figure equals a fresh redraw at the final value (one key press away and back), byte for byte.

Targets: median <= 100 ms from key press to new figure; at least 8 figure updates per second during a drag; settle
<= 150 ms median. ``--ipywidgets7``: the key presses on 06, 11 and 01 in the classic Notebook with widgetsnbextension
3.6 (the front end Colab's widgets follow) and the Colab profile's kernel (``make colab-profile`` builds it).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np
from playwright.sync_api import Locator, Page, sync_playwright
from slider_callback import spread  # benchmarks/, beside this file

from course import lab_page as lp
from course.lab_page import RECORD, RECORDER
from course.lab_server import CHROMIUM, CHROMIUM_ARGS, COLAB_VENV, ClassicNotebookServer, LabServer
from course.lesson import load_definitions
from course.series import notebook_titled

DESCENT = notebook_titled("Fitting a line by gradient descent")
PARTIALS = notebook_titled("Partial derivatives")
from helpers.descent_explorer import LOG10_STEP  # noqa: E402  (06's learning-rate step, in powers of ten)

TARGET_MS = 100.0
TARGET_UPDATES_PER_SECOND = 8.0
TARGET_SETTLE_MS = 150.0
DRAG_SECONDS = 1.0
DRAG_MOVES = 50  # mouse moves per drag, evenly spread over DRAG_SECONDS
QUIET_MS = 600  # no figure change for this long (and an idle kernel) ends a drag's settling
WARM_UP = 2  # presses before the measured ones, so first-call costs (imports, caches) are not counted
LOG10_MARGIN = 0.065  # how far below notebook 06's stability limit 2/λ_max the last learning rate reached stays, in powers of ten


def slider_in(page: Page, label: str) -> Locator:
    """The first slider labelled ``label`` on the page, once it is there (a minute at most: a loaded class is slow)."""
    slider = lp.sliders(page, label).first
    slider.wait_for(timeout=60_000)
    return slider


def measure(page: Page, slider: Locator, presses: int, gap_ms: float) -> tuple[list[float], list[float], list[str], int]:
    """Press an arrow key ``WARM_UP + presses`` times on ``slider``.

    Returns, per measured press, the ms to the new src and to the loaded image, and the value reached;
    and how many of those updates reported a diverged run.
    """
    explorer = lp.explorer_output(slider)
    explorer.evaluate(RECORDER)
    key = lp.step_key(slider)
    to_src, to_load, values, diverged = [], [], [], 0
    lp.handle(slider).focus()
    for press in range(WARM_UP + presses):
        page.wait_for_timeout(gap_ms)
        before = page.evaluate(RECORD)
        value_before = lp.box_value(slider)
        page.keyboard.press(key)
        page.wait_for_function(f"loads => ({RECORD})().loads.length > loads", arg=len(before["loads"]))
        page.wait_for_function(lp.KERNEL_IDLE)
        record = page.evaluate(RECORD)
        value = lp.box_value(slider)
        if value == value_before:
            raise RuntimeError(f"{key} did not move the slider past {value}: it reached the end of its range")
        if press < WARM_UP:
            continue
        pressed = record["keys"][len(before["keys"])]
        to_src.append(min(t for t in record["srcs"] if t >= pressed) - pressed)
        to_load.append(min(t for t in record["loads"] if t >= pressed) - pressed)
        values.append(value)
        diverged += "diverged" in lp.status(explorer)
    return to_src, to_load, values, diverged


def drag(page: Page, slider: Locator, rightwards: bool) -> tuple[float, float, bool]:
    """Drag the slider's handle across its track for a second; return updates per second, settle ms, and
    whether the final figure equals a fresh redraw at the final value."""
    explorer = lp.explorer_output(slider)
    explorer.evaluate(RECORDER)
    box = lp.handle(slider).bounding_box()
    track = lp.slider_box(slider)["width"]
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    distance = (0.6 if rightwards else -0.6) * track
    page.mouse.move(x, y)
    page.mouse.down()
    pressed = page.evaluate("() => performance.now()")
    for move in range(1, DRAG_MOVES + 1):
        page.mouse.move(x + distance * move / DRAG_MOVES, y)
        page.wait_for_timeout(DRAG_SECONDS * 1000 / DRAG_MOVES)
    released = page.evaluate("() => performance.now()")
    page.mouse.up()
    final = lp.settle(page, explorer, quiet=QUIET_MS / 1000)  # an idle kernel and no new figure for QUIET_MS
    srcs = page.evaluate(RECORD)["srcs"]
    during = [t for t in srcs if pressed <= t <= released]
    settle = max(0.0, srcs[-1] - released) if srcs else 0.0
    key = "ArrowLeft" if rightwards else "ArrowRight"
    back = "ArrowRight" if rightwards else "ArrowLeft"
    lp.press_on_slider(page, slider, key)
    lp.settle(page, explorer)
    lp.press_on_slider(page, slider, back)
    redrawn = lp.settle(page, explorer)
    return len(during) / ((released - pressed) / 1000), settle, redrawn == final


def report_drags(title: str, page: Page, slider: Locator, drags: int) -> None:
    """Drag ``slider`` ``drags`` times, alternately right and left from its middle, and print the figures."""
    rates, settles, same = zip(*(drag(page, slider, rightwards=index % 2 == 0) for index in range(drags)), strict=True)
    matches = sum(same)
    rate_verdict = "meets" if np.median(rates) >= TARGET_UPDATES_PER_SECOND else "MISSES"
    settle_verdict = "meets" if np.median(settles) <= TARGET_SETTLE_MS else "MISSES"
    print(f"{title}: {drags} one-second mouse drags")
    print(
        f"  figure updates per second during a drag: median {np.median(rates):5.1f}  min {min(rates):5.1f}  "
        f"max {max(rates):5.1f}   [{rate_verdict} the {TARGET_UPDATES_PER_SECOND:.0f}/s target]"
    )
    target = f"[{settle_verdict} the {TARGET_SETTLE_MS:.0f} ms median target]"
    print(f"  settle after release:                 {spread(np.array(settles) / 1e3)}   {target}")
    print(f"  final figure equals a fresh redraw at the final value: {matches} of {drags}")


def report(title: str, to_src: list[float], to_load: list[float], values: list[str], diverged: int) -> None:
    median = np.median(to_src)
    verdict = "meets" if median <= TARGET_MS else "MISSES"
    print(
        f"{title}: {len(to_src)} key presses, values {values[0]} .. {values[-1]} "
        f"(after {WARM_UP} warm-up presses; {diverged} diverged runs)"
    )
    target = f"[{verdict} the {TARGET_MS:.0f} ms median target]"
    print(f"  key press -> new figure src:     {spread(np.array(to_src) / 1e3)}   {target}")
    print(f"  key press -> new figure loaded:  {spread(np.array(to_load) / 1e3)}")


def bench(page: Page, label: str, start: str | None, presses: int, gap: float, title: str) -> Locator:
    """Type ``start`` (if any) into the slider labelled ``label``, then time ``presses`` key presses on it; the slider."""
    slider = slider_in(page, label)
    if start is not None:
        lp.type_into_box(page, slider, start)
    lp.settle(page, lp.explorer_output(slider))
    report(title, *measure(page, slider, presses, gap))
    return slider


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--presses", type=int, default=24, help="measured key presses per slider (at least 20; default 24)")
    parser.add_argument("--gap", type=float, default=250.0, help="ms between one finished update and the next key press")
    parser.add_argument("--drags", type=int, default=6, help="one-second mouse drags per slider (default 6)")
    parser.add_argument("--ipywidgets7", action="store_true", help="the classic Notebook's ipywidgets 7 front end instead")
    args = parser.parse_args()
    presses, gap, drags, lab = args.presses, args.gap, args.drags, not args.ipywidgets7
    if presses < 2 or drags < 2:
        parser.error("--presses and --drags must be at least 2")
    if not CHROMIUM.exists():
        sys.exit(f"{CHROMIUM} is missing: install it with `apt-get install -y chromium`")
    if not lab and not (COLAB_VENV / "bin" / "jupyter-notebook").exists():
        sys.exit(f"{COLAB_VENV} has no classic Notebook: build it with `make colab-profile`")

    began = time.monotonic()
    highest = math.log10(load_definitions(DESCENT, ["lr_limit"])["lr_limit"]) - LOG10_MARGIN
    suffix = "" if lab else " (ipywidgets 7)"
    with (LabServer() if lab else ClassicNotebookServer()) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})

        def run(notebook: Path) -> None:
            lp.open_notebook(page, server, notebook.name, workspace=f"bench-{notebook.stem[:2]}")
            lp.run_all(page, timeout=180)

        run(DESCENT)
        start = f"{10 ** max(-6.0, highest - LOG10_STEP * (WARM_UP + presses)):.2e}"
        learning_rate = bench(page, "learning rate", start, presses, gap, f"06 learning rate{suffix}")
        if lab:
            lp.type_into_box(page, learning_rate, "1e-4")  # the middle of the slider: room to drag either way
            lp.settle(page, lp.explorer_output(learning_rate))
            report_drags("06 learning rate", page, learning_rate, drags)
            momentum = notebook_titled("Momentum and Adam")
            run(momentum)
            # Both runs (momentum and plain descent) stay below their stability limits: the rate from 1e-5 up, β from
            # 0.5 down (the handle steps toward the longer side of its track; a smaller β is only more stable).
            for label, start in (("learning rate", "1e-5"), ("momentum β", "0.5")):
                bench(page, label, start, presses, gap, f"{momentum.name[:2]} {label}")

        minibatch = notebook_titled("Minibatches and validation")
        run(minibatch)
        # Each slider's range allows only so many steps: batch size 1..17, learning rate 1e-3 up in 0.05 decades.
        for label, start, steps in (("batch size", "1", 16), ("learning rate", "1e-3", 20)):
            bench(page, label, start, min(presses, steps - WARM_UP), gap, f"{minibatch.name[:2]} {label}{suffix}")

        run(PARTIALS)
        x1 = bench(page, "x1", None, presses, gap, f"01 x1{suffix}")
        if lab:
            lp.type_into_box(page, x1, "0")
            lp.settle(page, lp.explorer_output(x1))
            report_drags("01 x1", page, x1, drags)
        browser.close()
    print(f"(whole run {time.monotonic() - began:.0f} s, {'JupyterLab' if lab else 'classic Notebook'} stopped)")


if __name__ == "__main__":
    main()
