"""Time the slider callbacks of the minibatch explorer (batch size and learning rate).

    python benchmarks/minibatch_callback.py [--updates 25]     # OMP_NUM_THREADS=N for another torch thread count

One update runs the notebook's own ``train`` (loaded with ``course.lesson``) at a setting not seen before and
repaints the figure: every batch size from 1 to n in a shuffled order, then distinct learning rates below the
full-batch stability limit at batch size 1 (the slowest) and at the default; last, rates seen before ("recalled":
the drawing only). Shipping the PNG to the browser is not included.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Callable

import numpy as np
import torch
from slider_callback import new_times, report, timed  # benchmarks/, beside this file

from course.lesson import load_definitions
from course.series import notebook_titled
from helpers.minibatch_explorer import DEFAULT_BATCH_SIZE, DEFAULT_LEARNING_RATE, MinibatchExplorer

BELOW_LIMIT = 0.5  # the fastest rate measured, as a fraction of the stability limit (batch size 1 diverges near it)


def measure(explorer: MinibatchExplorer, setter: Callable[[float], str], values: list[float]) -> dict[str, list[float]]:
    times = new_times()
    for value in values:
        status = timed(explorer, lambda value=value: setter(value), times)
        assert status.startswith("Batch size"), status
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=25, help="distinct learning rates per setting (at least 20)")
    updates = max(parser.parse_args().updates, 20)
    notebook = notebook_titled("Minibatches and validation")
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

    sizes: list[float] = list(range(1, n + 1))
    random.Random(0).shuffle(sizes)
    explorer.set_learning_rate(DEFAULT_LEARNING_RATE)
    label = f"batch-size slider, every size 1..{n} once, learning rate {DEFAULT_LEARNING_RATE}"
    report(f"\n{label}:", measure(explorer, explorer.set_batch_size, sizes))

    highest = BELOW_LIMIT * fit.stability_limit
    for batch_size, offset in ((1, 0.0), (DEFAULT_BATCH_SIZE, 0.01)):
        rates = [float(rate) for rate in np.logspace(-2.5 + offset, np.log10(highest) - offset, updates)]
        explorer.set_batch_size(batch_size)
        label = f"learning-rate slider, {updates} new rates from {rates[0]:.3g} to {rates[-1]:.3g}, batch size {batch_size}"
        report(f"\n{label}:", measure(explorer, explorer.set_learning_rate, rates))

    recalled = [float(rate) for rate in np.logspace(-2.5, np.log10(highest), updates)]
    explorer.set_batch_size(1)
    report("\nrecalled: batch size 1, rates seen before (drawing only):", measure(explorer, explorer.set_learning_rate, recalled))


if __name__ == "__main__":
    main()
