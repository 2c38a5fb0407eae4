"""The minibatch explorer's figure, and what it draws: a line fit (:class:`LineFit`) and runs (:class:`MinibatchRun`).

:class:`LineFit` is the data of a line y ≈ w x + b with what the notebook computed about it (the least-squares
line and the full-batch stability limit); :class:`MinibatchRun` is one call of the notebook's ``train``, cleaned
for drawing. :class:`MinibatchFigure` has three panels, drawn once, then only the moving lines change:

* the full-data loss against epochs, for the run at the chosen batch size and for full batches at the same
  learning rate, with the least-squares loss dashed;
* the loss against steps (gradient evaluations): the loss each step computed on its own batch (noisy), the
  full-data loss along the path, and the full-batch run;
* the contours of the full-data mean squared error over (w, b), the least-squares optimum, the paths of both runs,
  and the start (circle) and end (square) of this batch size's path, each named in the legend.

The still parts are laid out around the first run's start and the optimum; an update repaints only the lines
(see :class:`helpers.live_figure.LiveFigure`). Values far outside the picture, as a diverging run produces,
are clipped so that a line still leaves the box in the right direction.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import torch
from matplotlib.figure import Figure

from helpers import palette, plots
from helpers.descent_figure import clipped, loss_grid, start_path_end
from helpers.descent_runs import LineData
from helpers.live_figure import LiveFigure

RUN_COLOR = palette.RUN
FULL_BATCH_COLOR = palette.COMPARISON


@dataclass(frozen=True, eq=False)
class LineFit(LineData):
    """The data of a line fit y ≈ w x + b, with the least-squares line and the stability limit as the notebook computed them.

    ``x`` is n×1 (the shape the notebook's ``train`` takes) and ``y`` has n values; ``w_star`` and ``b_star``
    are the least-squares line, ``stability_limit`` the largest learning rate at which full-batch gradient
    descent on the mean squared error converges, 2/λ_max. Wrong values raise a ValueError that says which one.
    """

    def _data_problems(self) -> list[str]:
        """x must be an n×1 tensor and y a tensor of n values, n ≥ 2."""
        if not isinstance(self.x, torch.Tensor) or self.x.ndim != 2 or self.x.shape[1] != 1:
            return [f"x must be an n×1 tensor, as train takes it; got {_shape(self.x)}."]
        if not isinstance(self.y, torch.Tensor) or self.y.shape != (len(self.x),) or len(self.x) < 2:
            given = f"got {_shape(self.y)} for x of {_shape(self.x)}"
            return [f"y must be a tensor of n values, n ≥ 2, one per row of x; {given}."]
        return []

    def mse(self, w: np.ndarray | float, b: np.ndarray | float) -> np.ndarray:
        """The mean squared error on all rows of the line(s) y = w x + b, broadcast over arrays ``w`` and ``b``."""
        with np.errstate(over="ignore", invalid="ignore"):
            return np.mean(self.squared_errors(w, b), axis=-1)

    @cached_property
    def mse_star(self) -> float:
        """The least-squares loss: the mean squared error at (w_star, b_star)."""
        return float(self.mse(self.w_star, self.b_star))

    @property
    def n(self) -> int:
        """The number of rows."""
        return len(self.x)


@dataclass(frozen=True)
class MinibatchRun:
    """One call of the notebook's ``train``, cleaned for drawing: the path and losses up to where it diverged.

    ``ws`` and ``bs`` are the path (the start first), ``full_losses`` the mean squared error on all rows at each
    point of it, and ``batch_losses`` the loss each step computed on its own batch (one fewer). A run that
    diverged (see :func:`helpers.minibatch_explorer.clean_run`) is cut after the step ``diverged_at``.
    """

    batch_size: int
    learning_rate: float
    epochs: int
    steps_per_epoch: int
    ws: np.ndarray
    bs: np.ndarray
    full_losses: np.ndarray
    batch_losses: np.ndarray
    diverged_at: int | None

    @property
    def steps(self) -> int:
        """The steps drawn (all of them unless the run diverged)."""
        return len(self.batch_losses)

    @property
    def epoch_ends(self) -> np.ndarray:
        """The positions on the path where an epoch ends (0 for the start), as far as the run got."""
        return np.arange(0, len(self.full_losses), self.steps_per_epoch)


def _shape(value: object) -> str:
    shape = getattr(value, "shape", None)
    return f"shape {tuple(shape)}" if shape is not None else repr(value)


class MinibatchFigure:
    """The three panels for ``fit`` over ``epochs`` epochs, laid out around ``first`` (its start) and the optimum.

    :meth:`show` points the moving lines at a run and at the full-batch run of the same learning rate.
    """

    def __init__(self, fit: LineFit, first: MinibatchRun, epochs: int) -> None:
        figure = Figure(figsize=(12.0, 3.6), dpi=80, layout="constrained")
        epoch_ax, step_ax, contour_ax = figure.subplots(1, 3)
        start_loss = float(first.full_losses[0])
        y_limits = (fit.mse_star / 10, max(start_loss, fit.mse_star) * 30)

        for ax in (epoch_ax, step_ax):
            ax.axhline(fit.mse_star, color=palette.BLACK, linestyle=":", linewidth=1.2, label="least squares")
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

        w_grid, b_grid, losses = loss_grid(fit, float(first.ws[0]), float(first.bs[0]), fit.mse)
        plots.plot_loss_landscape(
            w_grid, b_grid, losses, optimum=(fit.w_star, fit.b_star), ax=contour_ax, title="Full-data loss over (w, b)"
        )
        (self.full_batch_path,) = contour_ax.plot([], [], "s--", color=FULL_BATCH_COLOR, markersize=3, linewidth=1)
        self.path, self.end = start_path_end(contour_ax, float(first.ws[0]), float(first.bs[0]))

        self.epoch_ax, self.step_ax, self.contour_ax = epoch_ax, step_ax, contour_ax
        moving = [
            self.epoch_line, self.full_batch_epochs, self.batch_line, self.step_line, self.full_batch_steps,
            self.full_batch_path, self.path, self.end,
        ]
        self.live = LiveFigure(figure, moving)

    def show(self, run: MinibatchRun, full_batch: MinibatchRun) -> None:
        """Point the moving lines at ``run`` and at ``full_batch`` (the same learning rate, every row per step), and repaint."""
        loss_limits = self.step_ax.get_ylim()
        for line, shown in ((self.epoch_line, run), (self.full_batch_epochs, full_batch)):
            ends = shown.epoch_ends
            line.set_data(ends / shown.steps_per_epoch, clipped(shown.full_losses[ends], loss_limits, log=True))
        steps = np.arange(len(run.full_losses))
        self.batch_line.set_data(steps[1:], clipped(run.batch_losses, loss_limits, log=True))
        self.step_line.set_data(steps, clipped(run.full_losses, loss_limits, log=True))
        full_steps = np.arange(len(full_batch.full_losses))
        self.full_batch_steps.set_data(full_steps, clipped(full_batch.full_losses, loss_limits, log=True))
        w_limits, b_limits = self.contour_ax.get_xlim(), self.contour_ax.get_ylim()
        self.full_batch_path.set_data(clipped(full_batch.ws, w_limits), clipped(full_batch.bs, b_limits))
        path_w, path_b = clipped(run.ws, w_limits), clipped(run.bs, b_limits)
        self.path.set_data(path_w, path_b)
        self.end.set_data(path_w[-1:], path_b[-1:])
        self.live.update()
