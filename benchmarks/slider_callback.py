"""Time the learning-rate slider callback of notebook 06's gradient-descent explorer.

    python benchmarks/slider_callback.py [--updates 25]

One update is what a slider change costs in the kernel's Python: re-running the notebook's own
``train`` and repainting the figure's moving lines into a new PNG. The explorer is built as notebook 06
builds it, from the notebook's own definitions (``train``, and the data with the least-squares answer
and stability limit it computes), loaded with ``course.lesson``. Every update uses a different
learning rate, log-spaced below that stability limit 2/λ_max, so every run does all its iterations
(diverging runs stop early and would flatter the numbers). It is measured at the explorer's default
iteration count and at 500, the count of the notebook's first run. Outside a kernel no widget message is sent, so the cost
of shipping the PNG to the browser is not included; the browser tests measure key press to new image.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch

from course.lesson import load_definitions
from course.series import NOTEBOOKS
from helpers.descent_explorer import DEFAULT_ITERATIONS, DescentExplorer

NOTEBOOK = NOTEBOOKS / "06_gradient_descent_fit.ipynb"
TARGET_MS = 30.0
BELOW_LIMIT = 0.96  # the fastest rate measured, as a fraction of the stability limit


def spread(seconds: list[float]) -> str:
    ms = np.array(seconds) * 1e3
    p10, p90 = np.percentile(ms, [10, 90])
    return (
        f"median {statistics.median(ms):6.1f} ms  (min {ms.min():5.1f}, p10 {p10:5.1f}, p90 {p90:5.1f}, max {ms.max():5.1f})"
    )


def measure(explorer, iterations: int, rates: np.ndarray) -> dict[str, list[float]]:
    explorer.set_iterations(iterations)
    for rate in rates[:3] * 0.9:  # warm-up, not counted
        explorer.set_learning_rate(float(rate))
    times: dict[str, list[float]] = {"callback": [], "train": [], "draw": []}
    for rate in rates:
        start = time.perf_counter()
        status = explorer.set_learning_rate(float(rate))
        times["callback"].append(time.perf_counter() - start)
        times["train"].append(explorer.last_timings["train"])
        times["draw"].append(explorer.last_timings["draw"])
        assert "diverged" not in status and f"{iterations} iterations" in status, status
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=25, help="distinct learning rates per setting (at least 20)")
    parser.add_argument("--threads", type=int, help="torch.set_num_threads before measuring (default: torch's choice)")
    args = parser.parse_args()
    updates = max(args.updates, 20)
    if args.threads:
        torch.set_num_threads(args.threads)

    lesson = load_definitions(NOTEBOOK, ["train", "raw", "standardised"])
    explorer = DescentExplorer(lesson["train"], lesson["raw"], standardised=lesson["standardised"])
    highest = BELOW_LIMIT * lesson["raw"].stability_limit
    rates = np.logspace(-6, np.log10(highest), updates)  # all distinct, all below the notebook's 2/λ_max
    threads = torch.get_num_threads()
    print(f"learning-rate slider callback, {updates} distinct rates from 1e-6 to {highest:.3g}, torch threads {threads}")
    for iterations in (DEFAULT_ITERATIONS, 500):
        label = "explorer default" if iterations == DEFAULT_ITERATIONS else "the first run's count"
        times = measure(explorer, iterations, rates)
        verdict = "meets" if statistics.median(times["callback"]) * 1e3 <= TARGET_MS else "MISSES"
        print(f"\n{iterations} iterations ({label}): {verdict} the {TARGET_MS:.0f} ms target")
        for part in ("callback", "train", "draw"):
            print(f"  {part:9} {spread(times[part])}")


if __name__ == "__main__":
    main()
