"""The minibatch explorer of notebook 11: batch-size and learning-rate sliders, the loss curves and the path.

It calls the notebook's own ``train(X, y, batch_size, lr, epochs)``, which returns ``(path, losses)``: (w, b)
after every step, the start first, as a (steps + 1) × 2 tensor, and the loss each step computed on its own
batch. What the notebook computed about the data comes in as a :class:`helpers.line_fit.LineFit` of the MSE::

    explorer = MinibatchExplorer(train, LineFit(x_s, y, w_s_star, b_s_star, limit, loss="mse"))

Each setting runs ``train`` at the chosen batch size and, for comparison, with full batches at the same rate;
the status line (:func:`describe_run`) says steps per epoch, the loss reached, how much it still jumps, divergence.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch
from matplotlib.figure import Figure

from helpers import palette
from helpers.explorer import TrainExplorer
from helpers.inputs import read_whole_number
from helpers.line_fit import LineFit, ResultError, Run, as_array, clipped, loss_contours, show_path, start_path_end
from helpers.live_figure import LiveFigure

__all__ = ["LineFit", "MinibatchExplorer", "MinibatchRun", "ResultError", "clean_run", "describe_run"]

PANEL_CLASS = "minibatch-explorer"
BATCH_SIZE_LABEL = "batch size"
DEFAULT_BATCH_SIZE = 4
DEFAULT_LEARNING_RATE = 0.1
DEFAULT_EPOCHS = 4
LOG10_LEARNING_RATES = (-3.0, 1.0)  # 4 decades on a 400 px slider: about 80 px each
CACHE_SIZE = 256  # runs remembered, by (batch size, learning rate)
RUN_COLOR = palette.RUN
FULL_BATCH_COLOR = palette.COMPARISON
STILL_JUMPING = 0.05  # a last epoch whose loss varies by more than this fraction is still jumping
REACHED = 0.01  # within this fraction of the least-squares loss counts as reached

TrainResult = tuple[torch.Tensor | Sequence[Sequence[float]], Sequence[float]]
TrainFunction = Callable[[torch.Tensor, torch.Tensor, int, float, int], TrainResult]


@dataclass(frozen=True)
class MinibatchRun:
    """One call of the notebook's ``train`` at a batch size: the :class:`helpers.line_fit.Run` along its path (its
    ``losses`` the full-data loss at each point), the loss each step computed on its own batch, and the steps in an
    epoch."""

    run: Run
    batch_losses: np.ndarray
    steps_per_epoch: int


def clean_run(result: TrainResult, fit: LineFit, batch_size: int, epochs: int) -> MinibatchRun:
    """Check what ``train`` returned and turn it into arrays fit to draw, cut where the run diverged.

    A :class:`ResultError` (a ValueError) says in words what is wrong with the result. The run diverged at the first
    step whose full-data loss is not a finite number or blew up (:meth:`helpers.line_fit.Run.cleaned`).
    """
    if not isinstance(result, tuple | list) or len(result) != 2:
        raise ResultError(f"train(...) should return (path, losses); got {type(result).__name__}.")
    path, losses = as_array(result[0]), as_array(result[1]).reshape(-1)
    steps_per_epoch = math.ceil(fit.n / batch_size)
    steps = epochs * steps_per_epoch
    if path.ndim != 2 or path.shape[1] != 2:
        raise ResultError(f"train(...) returned a path of shape {path.shape}; it should be one row (w, b) per step.")
    if len(path) != steps + 1 or len(losses) != steps:
        raise ResultError(
            f"train(...) returned {len(path)} points and {len(losses)} losses; {epochs} epochs of {steps_per_epoch} "
            f"steps need {steps + 1} points (the start first) and {steps} losses."
        )
    ws, bs = path[:, 0], path[:, 1]
    run = Run.cleaned(ws, bs, fit.loss_of(ws, bs))
    batch_losses = losses[: len(run.losses) - 1]
    return MinibatchRun(run, np.where(np.isfinite(batch_losses), batch_losses, np.inf), steps_per_epoch)


def describe_run(shown: MinibatchRun, full: MinibatchRun, fit: LineFit, b: int, lr: float, epochs: int) -> str:
    """Say in words what a run did, next to full batches at the same rate: steps, loss reached, jumping, divergence."""
    run, full_batch, n, limit = shown.run, full.run, fit.n, fit.stability_limit
    steps_per_epoch = shown.steps_per_epoch
    per_epoch = "1 step" if steps_per_epoch == 1 else f"{steps_per_epoch} steps"
    shape = "full batch, " if b == n else ""
    remainder = n % b
    last = f", the last of {remainder} row{'s' if remainder > 1 else ''}" if remainder else ""
    header = (
        f"Batch size {b} ({shape}{per_epoch} per epoch{last}), learning rate {lr:.2e}: "
        f"{epochs * steps_per_epoch} steps in {epochs} epochs. "
    )
    if run.diverged_at is not None:
        epoch = math.ceil(run.diverged_at / steps_per_epoch)
        kept_the_blow_up = len(run.losses) == run.diverged_at + 1
        grown = f"grew to {run.losses[-1]:.3g} from {run.losses[0]:.4g}"
        how = grown if kept_the_blow_up else "is no longer a finite number"
        said = header + f"Diverged at step {run.diverged_at} (epoch {epoch}): the full-data loss {how}. "
        if lr >= limit:
            return said + (
                f"This rate is at or above the stability limit 2/λ_max = {limit:.4g} of full batches, so even "
                "they cannot converge. Lower the learning rate."
            )
        return said + (
            f"Full batches are stable at this rate (limit {limit:.4g}), but a batch of {b} row{'s' if b > 1 else ''} "
            f"is steeper than all {n}: its steps overshoot. Lower the rate or use a larger batch."
        )
    final, star = float(run.losses[-1]), fit.loss_star
    result = f"Full-data loss after {epochs} epochs: {final:.4g} (least squares {star:.4g}"
    if b < n and full_batch.diverged_at is None:
        result += f"; full batch at this rate: {full_batch.losses[-1]:.4g}"
    elif b < n:
        result += "; full batches diverge at this rate"
    result += "). "
    if lr >= limit:
        return header + result + (
            f"The rate is at or above the stability limit 2/λ_max = {limit:.4g} of full batches: the steps "
            "overshoot and the swings do not die out. Lower the learning rate."
        )
    last_epoch = run.losses[-steps_per_epoch - 1 :]
    low, high = float(last_epoch.min()), float(last_epoch.max())
    if low > run.losses[0]:
        return header + result + (
            f"The last epoch stayed above the start: batches of {b} overshoot, "
            "so the run is diverging, though not yet past the explorer's limit."
        )
    if b < n and high - low > STILL_JUMPING * low:
        return header + result + (
            f"Last epoch: it jumped between {low:.4g} and {high:.4g}, as each step follows {b} row{'s' if b > 1 else ''}, "
            f"not all {n}; a smaller rate or a larger batch calms it."
        )
    if final - star <= REACHED * star:
        return header + result + "It has reached the least-squares loss."
    return header + result + "Still on its way down: a larger learning rate or a smaller batch gets further in these epochs."


class MinibatchExplorer(TrainExplorer):
    """Sliders for the batch size and the learning rate, and the figure; every run lasts ``DEFAULT_EPOCHS`` epochs."""

    figure_summary = (
        "The full-data loss against epochs and against steps, with the loss of each step's batch, and the path of "
        "(w, b) over the loss contours; full batches at the same learning rate in gray."
    )
    rate_hint = "a value such as 0.1 (the slider spans 0.001 to 10)"

    def __init__(self, train: TrainFunction, fit: LineFit) -> None:
        super().__init__(PANEL_CLASS, train, "train(X, y, batch_size, lr, epochs)", fit=fit)
        self.epochs = DEFAULT_EPOCHS
        self._batch_hint = f"a whole number from 1 (one row per step) to {fit.n} (full batch)"
        self.batch_size, self.learning_rate = DEFAULT_BATCH_SIZE, DEFAULT_LEARNING_RATE
        self.fit = fit
        self.run = lru_cache(maxsize=CACHE_SIZE)(self._run)
        self.batch_size_slider, batch_size = self._whole_setting("batch_size", fit.n, BATCH_SIZE_LABEL, BATCH_SIZE_LABEL)
        self._start([batch_size, self._rate_control(LOG10_LEARNING_RATES, "400px")])

    def set_batch_size(self, value: object) -> str:
        """Re-run at batch size ``value`` (a whole number from 1 to n); anything else is answered in words."""
        return self._rerun_with("batch_size", read_whole_number(value, "batch size", self.fit.n), self._batch_hint)

    def _run(self, batch_size: int, learning_rate: float) -> MinibatchRun:
        """The cleaned run of ``train`` at these settings (``run`` remembers it)."""
        result = self._train(self.fit.x, self.fit.y, batch_size, learning_rate, self.epochs)
        return clean_run(result, self.fit, batch_size, self.epochs)

    def _runs(self) -> tuple[MinibatchRun, MinibatchRun]:
        """The run at the chosen batch size and the full-batch run at the same rate (both remembered)."""
        return self.run(self.batch_size, self.learning_rate), self.run(self.fit.n, self.learning_rate)

    def _figure_for(self, run: MinibatchRun, full_batch: MinibatchRun) -> MinibatchFigure:
        return self.figure or MinibatchFigure(self.fit, run, self.epochs)

    def _describe(self, run: MinibatchRun, full_batch: MinibatchRun) -> str:
        return describe_run(run, full_batch, self.fit, self.batch_size, self.learning_rate, self.epochs)


class MinibatchFigure:
    """The full-data loss against epochs and against steps (with each batch's loss), and the paths over the contours.

    Each panel shows the run at the chosen batch size beside full batches at the same learning rate. The still parts
    are drawn once, around ``first`` (its start); :meth:`show` repaints the rest, clipped so a diverging run still
    leaves the box the right way.
    """

    def __init__(self, fit: LineFit, first: MinibatchRun, epochs: int) -> None:
        figure = Figure(figsize=(12.0, 3.6), dpi=80, layout="constrained")
        epoch_ax, step_ax, contour_ax = figure.subplots(1, 3)
        start_loss = float(first.run.losses[0])
        y_limits = (fit.loss_star / 10, max(start_loss, fit.loss_star) * 30)

        for ax in (epoch_ax, step_ax):
            ax.axhline(fit.loss_star, color=palette.BLACK, linestyle=":", linewidth=1.2, label="least squares")
            ax.set(yscale="log", ylim=y_limits, ylabel="loss (MSE)")
        epoch_ax.set(xlim=(0, epochs), xlabel="epoch", title="Full-data loss against epochs")
        (self.epoch_line,) = epoch_ax.plot([], [], "o-", color=RUN_COLOR, markersize=4, label="this batch size")
        (self.full_batch_epochs,) = epoch_ax.plot([], [], "s--", color=FULL_BATCH_COLOR, markersize=3, label="full batch")
        epoch_ax.legend(loc="upper right")

        step_ax.set(xlim=(0, epochs * fit.n), xlabel="step (gradient evaluations)", title="Loss against steps")
        (self.batch_line,) = step_ax.plot([], [], color=RUN_COLOR, linewidth=0.8, alpha=0.45, label="on its batch")
        (self.step_line,) = step_ax.plot([], [], color=RUN_COLOR, linewidth=1.6, label="on all rows")
        (self.full_batch_steps,) = step_ax.plot([], [], "s--", color=FULL_BATCH_COLOR, markersize=3, label="full batch")
        step_ax.legend(loc="upper right")

        w0, b0 = float(first.run.ws[0]), float(first.run.bs[0])
        loss_contours(contour_ax, fit, w0, b0, "Full-data loss over (w, b)")
        (self.full_batch_path,) = contour_ax.plot([], [], "s--", color=FULL_BATCH_COLOR, markersize=3, linewidth=1)
        self.path, self.end = start_path_end(contour_ax, w0, b0)

        self.epoch_ax, self.step_ax, self.contour_ax = epoch_ax, step_ax, contour_ax
        moving = [
            self.epoch_line, self.full_batch_epochs, self.batch_line, self.step_line, self.full_batch_steps,
            self.full_batch_path, self.path, self.end,
        ]
        self.live = LiveFigure(figure, moving)

    def show(self, shown: MinibatchRun, full: MinibatchRun) -> None:
        """Point the moving lines at ``shown`` and at ``full`` (the same learning rate, every row per step), and repaint."""
        loss_limits = self.step_ax.get_ylim()
        for line, each in ((self.epoch_line, shown), (self.full_batch_epochs, full)):
            ends = np.arange(0, len(each.run.losses), each.steps_per_epoch)  # where each epoch ends, as far as it got
            line.set_data(ends / each.steps_per_epoch, clipped(each.run.losses[ends], loss_limits, log=True))
        run, full_batch = shown.run, full.run
        steps = np.arange(len(run.losses))
        self.batch_line.set_data(steps[1:], clipped(shown.batch_losses, loss_limits, log=True))
        self.step_line.set_data(steps, clipped(run.losses, loss_limits, log=True))
        full_steps = np.arange(len(full_batch.losses))
        self.full_batch_steps.set_data(full_steps, clipped(full_batch.losses, loss_limits, log=True))
        w_limits, b_limits = self.contour_ax.get_xlim(), self.contour_ax.get_ylim()
        self.full_batch_path.set_data(clipped(full_batch.ws, w_limits), clipped(full_batch.bs, b_limits))
        show_path(self.contour_ax, self.path, self.end, run)
        self.live.update()
