"""Time the slider callbacks of the minibatch explorer (batch size and learning rate).

    python benchmarks/minibatch_callback.py [--updates 25] [--threads N] [--notebook PATH]

One update is what a slider change costs in the kernel's Python: running the notebook's own ``train`` at the
new setting (and once more with full batches when the learning rate is new), then repainting the figure's
moving lines into a new PNG. The explorer is built as the notebook builds it, from the notebook's own
definitions (``train``, and ``fit``: the data with the least-squares line and stability limit it computes),
loaded with ``course.lesson``. Every measured update is a setting not seen before, so the explorer's memory of
earlier runs never helps (going back to a setting costs only the drawing, measured as "recalled").

* batch-size slider: every batch size from 1 to n, in a shuffled order, at the default learning rate;
* learning-rate slider: distinct rates, log-spaced below the full-batch stability limit, at batch size 1 (the
  slowest: one step per row) and at the default batch size.

Outside a kernel no widget message is sent, so the cost of shipping the PNG to the browser is not included.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

from course.lesson import load_definitions
from course.series import notebook_titled
from helpers.minibatch_explorer import DEFAULT_BATCH_SIZE, DEFAULT_LEARNING_RATE, MinibatchExplorer

TITLE = "Minibatches and validation"
TARGET_MS = 30.0
BELOW_LIMIT = 0.5  # the fastest rate measured, as a fraction of the stability limit (batch size 1 diverges near it)


def lesson_notebook() -> Path:
    """The notebook on minibatches, found by its title."""
    return notebook_titled(TITLE)


def spread(seconds: list[float]) -> str:
    ms = np.array(seconds) * 1e3
    p50, p95 = np.percentile(ms, [50, 95])
    return f"median {p50:6.1f} ms  p95 {p95:6.1f}  (min {ms.min():5.1f}, max {ms.max():5.1f}, {len(ms)} updates)"


def measure(explorer: MinibatchExplorer, setter: Callable[[object], str], values: list) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"callback": [], "train": [], "draw": []}
    for value in values:
        start = time.perf_counter()
        status = setter(value)
        times["callback"].append(time.perf_counter() - start)
        times["train"].append(explorer.last_timings["train"])
        times["draw"].append(explorer.last_timings["draw"])
        assert status.startswith("Batch size"), status
    return times


def report(name: str, times: dict[str, list[float]]) -> None:
    verdict = "meets" if np.median(times["callback"]) * 1e3 <= TARGET_MS else "MISSES"
    print(f"\n{name}: {verdict} the {TARGET_MS:.0f} ms median target")
    for part in ("callback", "train", "draw"):
        print(f"  {part:9} {spread(times[part])}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=25, help="distinct learning rates per setting (at least 20)")
    parser.add_argument("--threads", type=int, help="torch.set_num_threads before measuring (default: torch's choice)")
    parser.add_argument("--notebook", type=Path, help="the notebook to load train and fit from (default: found by title)")
    args = parser.parse_args()
    updates = max(args.updates, 20)
    if args.threads:
        torch.set_num_threads(args.threads)

    notebook = args.notebook or lesson_notebook()
    lesson = load_definitions(notebook, ["train", "fit"])
    fit = lesson["fit"]
    explorer = MinibatchExplorer(lesson["train"], fit)
    epochs, n = explorer.epochs, fit.n
    print(
        f"minibatch explorer callbacks, {notebook.name}: {epochs} epochs of n = {n} rows per run, "
        f"torch threads {torch.get_num_threads()}"
    )
    for rate in (0.011, 0.012, 0.013):  # warm-up, not counted
        explorer.set_learning_rate(rate)

    sizes = list(range(1, n + 1))
    random.Random(0).shuffle(sizes)
    explorer.set_learning_rate(DEFAULT_LEARNING_RATE)
    label = f"batch-size slider, every size 1..{n} once, learning rate {DEFAULT_LEARNING_RATE}"
    report(label, measure(explorer, explorer.set_batch_size, sizes))

    highest = BELOW_LIMIT * fit.stability_limit
    for batch_size, offset in ((1, 0.0), (DEFAULT_BATCH_SIZE, 0.01)):
        rates = [float(rate) for rate in np.logspace(-2.5 + offset, np.log10(highest) - offset, updates)]
        explorer.set_batch_size(batch_size)
        label = f"learning-rate slider, {updates} new rates from {rates[0]:.3g} to {rates[-1]:.3g}, batch size {batch_size}"
        report(label, measure(explorer, explorer.set_learning_rate, rates))

    recalled = [float(rate) for rate in np.logspace(-2.5, np.log10(highest), updates)]
    explorer.set_batch_size(1)
    report("recalled: batch size 1, rates seen before (drawing only)", measure(explorer, explorer.set_learning_rate, recalled))


if __name__ == "__main__":
    main()
