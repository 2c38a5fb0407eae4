"""Time the slider callbacks of notebook 06's gradient-descent explorer, in the kernel's Python.

    python benchmarks/slider_callback.py [--updates 25]     # OMP_NUM_THREADS=N for another torch thread count

One update is what a slider change costs in the kernel: getting the run of the notebook's own ``train`` (loaded with
``course.lesson``, as the notebook builds the explorer) and repainting the figure's moving lines into a new PNG.
Four kinds of update are measured, at 150 iterations and at 500 (the default):

* new rate: a learning rate never run before (a typed value, or a long jump of the slider): the loop runs;
* first step: the first key press after that, to the next slider position: the loop runs;
* next position: one more key press the same way, which the explorer ran in the kernel's idle time before it
  (``run_idle_work()`` between updates, untimed);
* iterations: a move of the iterations slider, which only redraws.

Every rate is below the stability limit 2/λ_max, so every run does all its iterations. Shipping the PNG to the
browser is not included (benchmarks/slider_browser.py measures that). Target: median <= 30 ms for a key press to
the next position and for the iterations.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np
import torch

from course.lesson import load_definitions
from course.series import notebook_titled
from helpers.descent_explorer import DescentExplorer
from helpers.explorer import Explorer, log_position, log_value

NOTEBOOK = notebook_titled("Fitting a line by gradient descent")
TARGET_MS = 30.0
BELOW_LIMIT = 0.96  # the fastest rate measured, as a fraction of the stability limit


def spread(seconds: list[float] | np.ndarray) -> str:
    """Median, min, p10, p90 and max of ``seconds``, in ms."""
    ms = np.array(seconds) * 1e3
    p10, p90 = np.percentile(ms, [10, 90])
    return (
        f"median {np.median(ms):6.1f} ms  (min {ms.min():5.1f}, p10 {p10:5.1f}, p90 {p90:5.1f}, max {ms.max():5.1f})"
    )


def timed(explorer: Explorer, update: Callable[[], str], times: dict[str, list[float]]) -> str:
    """Run one update; append its callback, train and draw seconds to ``times``; return the status text."""
    start = time.perf_counter()
    status = update()
    times["callback"].append(time.perf_counter() - start)
    times["train"].append(explorer.last_timings["train"])
    times["draw"].append(explorer.last_timings["draw"])
    return status


def new_times() -> dict[str, list[float]]:
    return {"callback": [], "train": [], "draw": []}


def report(title: str, times: dict[str, list[float]], target: bool = True, indent: str = "  ") -> str:
    """Print ``title`` with the verdict on the callbacks' median, then each part's spread; return the verdict."""
    verdict = ("meets" if np.median(times["callback"]) * 1e3 <= TARGET_MS else "MISSES") if target else "no target"
    print(f"{title} [{verdict}{f' the {TARGET_MS:.0f} ms median target' if target else ': the loop runs'}]")
    for part in ("callback", "train", "draw"):
        print(f"{indent}{part:9} {spread(times[part])}")
    return verdict


def measure(explorer: DescentExplorer, iterations: int, positions: list[int]) -> dict[str, dict[str, list[float]]]:
    """The four kinds of update at ``iterations``, each over ``positions`` of the learning-rate slider."""
    slider = explorer.learning_rate_slider
    explorer.set_iterations(iterations)
    kinds = ("new rate", "first step", "next position")
    results = {kind: new_times() for kind in (*kinds, "iterations")}
    for position in positions[::3]:  # a new rate, then two key presses up, each to the next position
        explorer.full_run.cache_clear()  # rates never run before
        for step, kind in enumerate(kinds):
            rate = log_value(slider, position + step)
            status = timed(explorer, lambda rate=rate: explorer.set_learning_rate(rate), results[kind])
            assert "diverged" not in status and f"{iterations} iterations" in status, status
            explorer.run_idle_work()  # the kernel's idle time after that update
        assert results["next position"]["train"][-1] < 1e-3, "the next position was not prepared in idle time"
    for offset in range(len(positions) // 3):
        timed(explorer, lambda o=offset: explorer.set_iterations(iterations - 1 - o % 2), results["iterations"])
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=25, help="updates of each kind per setting (at least 20)")
    updates = max(parser.parse_args().updates, 20)

    lesson = load_definitions(NOTEBOOK, ["train", "raw", "standardised"])
    explorer = DescentExplorer(lesson["train"], lesson["raw"], standardised=lesson["standardised"])
    slider = explorer.learning_rate_slider
    highest = log_position(slider, BELOW_LIMIT * lesson["raw"].stability_limit)
    if log_value(slider, highest) > BELOW_LIMIT * lesson["raw"].stability_limit:
        highest -= 1
    # Triples of neighbouring positions (a new rate, then the next two), spread evenly up to below the limit and
    # visited in a shuffled order, so that each new rate is a jump from the triple before.
    starts = np.random.default_rng(0).permutation(np.linspace(0, highest - 2, updates).round().astype(int))
    positions = [int(p) + k for p in starts for k in (0, 1, 2)]
    threads = torch.get_num_threads()
    low, high = log_value(slider, min(positions)), log_value(slider, max(positions))
    print(f"learning-rate slider of notebook 06: {updates} updates of each kind, rates {low:.3g} to {high:.3g}, "
          f"torch threads {threads}")
    verdicts = []
    for iterations in (150, 500):
        results = measure(explorer, iterations, positions)
        print(f"\n{iterations} iterations" + (" (the explorer's default)" if iterations == 500 else ""))
        for kind, times in results.items():
            verdicts.append(report(f"  {kind:14}", times, kind in ("next position", "iterations"), indent="    "))
    print("\nall targets met" if "MISSES" not in verdicts else "\nSOME TARGETS MISSED")


if __name__ == "__main__":
    main()
