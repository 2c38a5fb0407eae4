"""Browser latency of the slider explorers on the ipywidgets 7 front end (Colab's): key press to new figure.

    .venv/bin/python benchmarks/slider_browser_ipywidgets7.py             # 24 presses per slider
    .venv/bin/python benchmarks/slider_browser_ipywidgets7.py --presses 40

The same measurement as benchmarks/slider_browser.py, in the classic Notebook 6.5.7 with widgetsnbextension 3.6.10
(``@jupyter-widgets/controls`` 1.5, the front end Colab's widgets follow) and the Colab profile's kernel
(``.venv-colab``: ipywidgets 7.7.1, IPython 7.34; ``make colab-profile`` builds it): notebook 06's learning-rate
slider (from low enough that no press reaches the stability limit), the minibatch notebook's batch-size and
learning-rate sliders, and 01's x1 slider. Each press is an arrow key on the focused jQuery UI handle, ``--gap`` ms
after the previous update finished; the latency is from its keydown to the first change of the figure's ``<img>``
src. Prints the median, min, p10, p90 and max in ms; asserts nothing. Target: median <= 100 ms (as in JupyterLab).
"""

from __future__ import annotations

import argparse
import math
import sys
import time

from playwright.sync_api import sync_playwright
from slider_browser import DESCENT, LOG10_MARGIN, PARTIALS, WARM_UP, measure, report, slider_in  # benchmarks/, beside this file

from course import classic_page as cp
from course import lab_page as lp
from course.lab_server import CHROMIUM, CHROMIUM_ARGS
from course.lesson import load_definitions
from course.series import notebook_titled
from helpers.descent_explorer import LOG10_STEP


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--presses", type=int, default=24, help="measured key presses per slider (default 24)")
    parser.add_argument("--gap", type=float, default=250.0, help="ms between one finished update and the next key press")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        sys.exit(f"{CHROMIUM} is missing: install it with `apt-get install -y chromium`")
    if not (cp.COLAB_VENV / "bin" / "jupyter-notebook").exists():
        sys.exit(f"{cp.COLAB_VENV} has no classic Notebook: build it with `make colab-profile`")
    began = time.monotonic()
    highest = math.log10(load_definitions(DESCENT, ["lr_limit"])["lr_limit"]) - LOG10_MARGIN
    with cp.ClassicNotebookServer() as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        cp.open_notebook(page, server, DESCENT.name)
        cp.run_all(page)
        learning_rate = slider_in(page, "learning rate")
        lp.type_into_box(page, learning_rate, f"{10 ** max(-6.0, highest - LOG10_STEP * (WARM_UP + args.presses)):.2e}")
        cp.settle(page, cp.explorer_output(learning_rate))
        report("06 learning rate (ipywidgets 7)", *measure(page, learning_rate, args.presses, args.gap, cp))

        minibatch = notebook_titled("Minibatches and validation")
        cp.open_notebook(page, server, minibatch.name)
        cp.run_all(page)
        for label, start, steps in (("batch size", "1", 16), ("learning rate", "1e-3", 20)):
            slider = slider_in(page, label)
            lp.type_into_box(page, slider, start)
            cp.settle(page, cp.explorer_output(slider))
            title = f"{minibatch.name[:2]} {label} (ipywidgets 7)"
            report(title, *measure(page, slider, min(args.presses, steps - WARM_UP), args.gap, cp))

        cp.open_notebook(page, server, PARTIALS.name)
        cp.run_all(page)
        x1 = slider_in(page, "x1")
        cp.settle(page, cp.explorer_output(x1))
        report("01 x1 (ipywidgets 7)", *measure(page, x1, args.presses, args.gap, cp))
        browser.close()
    print(f"(whole run {time.monotonic() - began:.0f} s, classic Notebook stopped)")


if __name__ == "__main__":
    main()
