"""The gradient-descent explorer of notebook 06: learning-rate and iteration sliders driving three live pictures.

It calls the notebook's own ``train(x, y, learning_rate, iterations)``, which returns ``(ws, bs, losses,
diverged_at)``; what the notebook computed about each input (least-squares line, stability limit) comes in as a
:class:`helpers.line_fit.LineFit`::

    explorer = DescentExplorer(train, LineFit(x, y, w_star, b_star, lr_limit), standardised=LineFit(...))

A new learning rate (or input) runs the loop once for the most iterations; the first k steps do not depend on
how many follow, so that run serves every iteration count (:func:`first_steps`). ``train`` runs the first
``CHECKED_STEPS`` steps; :func:`descend`, the same float32 arithmetic without autograd, runs the rest if its first
steps equal train's bit for bit (else ``train`` runs in full). After a one-position step of the learning-rate
slider, the idle kernel runs the next position the same way (``benchmarks/slider_callback.py`` measures it).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from contextlib import suppress
from functools import lru_cache, partial

import ipywidgets as widgets
import numpy as np
import torch
from matplotlib.figure import Figure

from helpers import palette, plots
from helpers.explorer import LOG10_STEP, NOTE_CLASS, TrainExplorer, log_position, log_value, rate_text
from helpers.inputs import read_whole_number
from helpers.line_fit import BLOWN_UP, LineFit, ResultError, Run, clipped, drawn, loss_contours, padded, show_path, start_path_end
from helpers.live_figure import LiveFigure

__all__ = ["LOG10_STEP", "DescentExplorer", "LineFit"]

TrainResult = tuple[Sequence[float], Sequence[float], Sequence[float], int | None]

PANEL_CLASS = "descent-explorer"
ITERATIONS_LABEL = "iterations"
STANDARDISED_LABEL = "standardised x"
DEFAULT_LEARNING_RATE = 1e-4
MAX_ITERATIONS = 500  # the iterations slider's largest, and where it begins
ITERATIONS_HINT = f"a whole number from 1 to {MAX_ITERATIONS}"
# From far below raw x's stability limit (1.3e-3) to past standardised x's (0.059): 5 decades, so that a
# 440 px slider gives each decade about 70 px. Typed values outside the span still run.
LOG10_LEARNING_RATES = (-6.0, -1.0)
CACHE_SIZE = 256  # runs remembered, by (input, learning rate)
CHECKED_STEPS = 20  # the steps train runs itself before the faster run of the same arithmetic is trusted


class DescentExplorer(TrainExplorer):
    """Sliders for the learning rate and iterations, a toggle between raw and standardised x, and the figure."""

    figure_summary = (
        "Three panels: the data with the current line; the loss at each iteration (log scale) with the least-squares "
        "loss dashed; the path of (w, b) over the contours of the sum of squared errors, from the start to the end."
    )
    rate_hint = "a value such as 1e-4 (the slider spans 1e-6 to 1e-1)"

    def __init__(
        self, train: Callable[[torch.Tensor, torch.Tensor, float, int], TrainResult], raw: LineFit, *, standardised: LineFit
    ) -> None:
        super().__init__(PANEL_CLASS, train, "train(x, y, learning_rate, iterations)", raw=raw, standardised=standardised)
        self.learning_rate, self.iterations, self.standardised = DEFAULT_LEARNING_RATE, MAX_ITERATIONS, False
        self._fits = {False: raw, True: standardised}
        self._figures: dict[bool, DescentFigure] = {}
        self.full_run = lru_cache(maxsize=CACHE_SIZE)(self._full_run)
        self._position: int | None = None  # the learning-rate slider position of the last update

        self.limit_note = widgets.HTML()
        self.limit_note.add_class(NOTE_CLASS)
        self.iterations_slider, iterations = self._whole_setting(
            "iterations", MAX_ITERATIONS, ITERATIONS_LABEL, "number of iterations"
        )
        self.standardised_toggle = widgets.Checkbox(value=False, description=STANDARDISED_LABEL, indent=False)
        self._connect(self.standardised_toggle, self.set_standardised)
        self._settings.append((self.standardised_toggle, "standardised"))
        self._start([
            self._rate_control(LOG10_LEARNING_RATES, "440px", self.limit_note),
            iterations,
            self.standardised_toggle,
        ])

    def set_iterations(self, value: object) -> str:
        """Re-run the loop for ``value`` iterations (a whole number from 1 to the slider's maximum)."""
        reading = read_whole_number(value, "number of iterations", MAX_ITERATIONS)
        return self._rerun_with("iterations", reading, ITERATIONS_HINT)

    def set_standardised(self, on: object) -> str:
        """Switch between raw x (False) and standardised x (True)."""
        self.standardised = bool(on)
        return self._refresh()

    def _full_run(self, standardised: bool, learning_rate: float) -> TrainResult:
        """What ``train`` returns for the largest number of iterations on this input at this rate (``full_run`` remembers it).

        ``train`` runs its first ``CHECKED_STEPS`` steps; if the loop diverged by then, that is the whole run. Otherwise
        :func:`descend` does the rest, without autograd, and its result is used only if its first steps equal train's
        bit for bit (a ``train`` edited in class, or a different loss, falls back to running ``train`` itself).
        """
        fit = self._fits[standardised]
        first = as_result(self._train(fit.x, fit.y, learning_rate, CHECKED_STEPS))
        if first[3] is not None:
            return first
        if fit.loss == "sse":
            fast = descend(fit, first[0][0], first[1][0], learning_rate, MAX_ITERATIONS)
            if first_steps(fast, CHECKED_STEPS) == first:
                return fast
        return as_result(self._train(fit.x, fit.y, learning_rate, MAX_ITERATIONS))

    def _next_position(self) -> Callable[[], object] | None:
        """After a one-position step of the learning-rate slider, the run one more step the same way; else nothing.

        One position, and only after a step: on a classroom server every run ahead costs CPU that other students'
        updates wait for, and after a jump or a typed value the next rate cannot be guessed.
        """
        slider = self.learning_rate_slider
        here = log_position(slider, self.learning_rate)
        previous, self._position = self._position, here
        if previous is None or abs(here - previous) != 1 or not 0 <= 2 * here - previous <= log_position(slider, math.inf):
            return None
        return partial(self._run_ahead, self.standardised, log_value(slider, 2 * here - previous))

    def _run_ahead(self, standardised: bool, learning_rate: float) -> None:
        """Run one rate ahead of time; a failure is left for the update that needs it, which says it in words."""
        with suppress(Exception):  # a student's broken train(): the status line reports it when that rate is chosen
            self.full_run(standardised, learning_rate)

    def _runs(self) -> tuple[Run]:
        """Run (or recall) ``train`` for the current settings: the longest run, read off for these iterations."""
        return (drawn(first_steps(self.full_run(self.standardised, self.learning_rate), self.iterations), "train"),)

    def _figure_for(self, run: Run) -> DescentFigure:
        figure = self._figures.get(self.standardised)
        if figure is None:
            label = STANDARDISED_LABEL if self.standardised else "x"
            figure = self._figures[self.standardised] = DescentFigure(self._fits[self.standardised], run, label)
        return figure

    def _describe(self, run: Run) -> str:
        fit = self.figure.fit
        self.limit_note.value = f"stability limit 2/λ<sub>max</sub> = {rate_text(fit.stability_limit)}"
        self._when_idle(self._next_position())
        return describe_run(run, fit, self.learning_rate, self.iterations)


def as_result(result: object) -> TrainResult:
    """What ``train`` returned, as lists, or a ResultError when it is not ``(ws, bs, losses, diverged_at)``."""
    if not isinstance(result, tuple | list) or len(result) != 4:
        raise ResultError(f"train(...) should return (ws, bs, losses, diverged_at); it returned {type(result).__name__}.")
    ws, bs, losses, diverged_at = result
    return list(ws), list(bs), list(losses), diverged_at


def descend(fit: LineFit, w0: float, b0: float, learning_rate: float, iterations: int) -> TrainResult:
    """Notebook 06's ``train`` from (w0, b0) on the sum of squared errors, in the same float32 operations, without autograd.

    The loss is ``(x w + b - y)²`` summed; its gradients, which autograd computes as ``xᵀ(2r)`` and ``Σ 2r`` for the
    residuals ``r``, are computed with the same torch operations; each step is ``w - learning_rate * grad``. The run
    is cut where ``train`` stops it (the first loss that is not finite or grew ``BLOWN_UP``-fold). About three times
    faster than ``train`` and equal to it bit for bit: the explorer checks the first steps of every run against
    ``train``'s, and the tests whole runs.
    """
    x, y, x_t = fit.x, fit.y, fit.x.t()
    w, b = torch.tensor([w0], dtype=x.dtype), torch.tensor([b0], dtype=x.dtype)
    path_w, path_b, step_losses = [w], [b], []
    for _ in range(iterations):
        residuals = torch.matmul(x, w) + b - y
        step_losses.append(residuals.pow(2).sum())
        doubled = 2 * residuals
        w = w - learning_rate * torch.mv(x_t, doubled)
        b = b - learning_rate * doubled.sum(0, keepdim=True)
        path_w.append(w)
        path_b.append(b)
    ws, bs = torch.cat(path_w).tolist(), torch.cat(path_b).tolist()
    losses = torch.stack(step_losses).tolist() if step_losses else []
    for step, loss in enumerate(losses):
        if not math.isfinite(loss) or loss > BLOWN_UP * losses[0]:
            return ws[: step + 1], bs[: step + 1], losses[: step + 1], step
    return ws, bs, losses, None


def first_steps(result: TrainResult, iterations: int) -> TrainResult:
    """What ``train`` returns for ``iterations`` iterations, read off ``result``, a run of at least as many.

    The first k steps of gradient descent do not depend on how many follow, so this is exactly what calling
    ``train(x, y, learning_rate, iterations)`` would return: the run as it is if it stopped (diverged) before
    ``iterations`` steps, otherwise its first ``iterations`` steps, with the start first, and no divergence.
    """
    ws, bs, losses, diverged_at = result
    if diverged_at is not None and diverged_at < iterations:
        return result
    if len(losses) < iterations:
        raise ResultError(
            f"What train(...) returned cannot be drawn: it holds {len(losses)} losses for {iterations} iterations "
            "without saying that it diverged; it should record one loss per step."
        )
    return ws[: iterations + 1], bs[: iterations + 1], losses[:iterations], None


def describe_run(run: Run, fit: LineFit, lr: float, iterations: int) -> str:
    """Say in words what a run did: diverged (and at which step), diverging, still on its way, or at the least-squares fit."""
    limit, sse_star = fit.stability_limit, fit.loss_star
    header = f"Learning rate {lr:.2e}, {iterations} iterations: "
    if run.diverged_at is not None:
        last = run.losses[-1] if len(run.losses) else math.nan
        how = "is no longer a finite number" if not math.isfinite(last) else f"grew to {last:.3g} from {run.losses[0]:.4g}"
        return (
            header + f"diverged at step {run.diverged_at}: the loss {how}, so the loop stopped. "
            f"This learning rate is above the stability limit 2/λ_max = {limit:.4e}: each step overshoots the valley "
            "by more than it corrects. Lower the learning rate."
        )
    w, b, loss = run.ws[-1], run.bs[-1], run.losses[-1]
    if lr > limit:
        # Above the limit the swings grow with every step, but slowly just past it: the run may end before
        # train's own test for a blow-up stops it. Say that it diverges all the same (in two lines at most).
        return header + (
            f"the loss grew from {run.losses[0]:.4g} to {loss:.4g}; w = {w:.4g}, b = {b:.4g}. The learning rate is "
            f"above the stability limit 2/λ_max = {limit:.4e}, so the run is diverging: each step overshoots. "
            "train has not stopped the loop yet; with more iterations it will."
        )
    result = (
        f"loss {run.losses[0]:.4f} at the start, {loss:.4f} at the last step (least squares {sse_star:.4f}); "
        f"w = {w:.4f}, b = {b:.4f} (least squares w = {fit.w_star:.4f}, b = {fit.b_star:.4f}). "
    )
    if loss - sse_star <= 1e-4 * sse_star:
        verdict = "It has reached the least-squares fit."
    elif run.losses[0] - loss <= 0.05 * run.losses[0]:
        drop = (run.losses[0] - loss) / run.losses[0]
        verdict = f"It has barely moved (the loss fell by {drop:.1%}): the steps are tiny. Raise the learning rate."
    else:
        gap = loss - sse_star
        verdict = f"Still {gap:.4f} above the least-squares loss: more iterations or a larger learning rate."
    return header + result + verdict


class DescentFigure:
    """The data with the line, the loss curve, and the path over the loss contours, laid out around ``first`` (its start).

    The still parts are drawn once; :meth:`show` repaints the line, the loss curve, the path and its end, clipped so
    that a diverging run still leaves the box the right way.
    """

    def __init__(self, fit: LineFit, first: Run, x_label: str) -> None:
        xs, ys = fit.xs, fit.ys
        figure = Figure(figsize=(12.0, 3.6), dpi=80, layout="constrained")
        data_ax, loss_ax, contour_ax = figure.subplots(1, 3)

        plots.plot_data(fit.x, fit.y, ax=data_ax, title="The data and the current line")
        data_ax.set(xlabel=x_label, xlim=padded(xs.min(), xs.max(), 0.08), ylim=padded(ys.min(), ys.max(), 0.4))
        (self.line,) = data_ax.plot([], [], color=palette.FIT, linewidth=2)

        start_loss = float(first.losses[0])
        loss_ax.axhline(fit.loss_star, color=palette.COMPARISON, linestyle="--", linewidth=1, label="least squares")
        loss_ax.set(
            yscale="log",
            xlim=(0, MAX_ITERATIONS),
            ylim=(fit.loss_star / 2, max(start_loss, fit.loss_star) * 20),
            xlabel="iteration",
            ylabel="loss (sum of squared errors)",
            title="Loss during training",
        )
        loss_ax.legend(loc="upper right")
        (self.loss_line,) = loss_ax.plot([], [], color=palette.RUN)

        loss_contours(contour_ax, fit, float(first.ws[0]), float(first.bs[0]), "Loss over (w, b)")
        self.path, self.end = start_path_end(contour_ax, float(first.ws[0]), float(first.bs[0]))

        self.fit, self.data_ax, self.loss_ax, self.contour_ax = fit, data_ax, loss_ax, contour_ax
        self.live = LiveFigure(figure, [self.line, self.loss_line, self.path, self.end])

    def show(self, run: Run) -> None:
        """Point the moving lines at ``run`` and repaint them."""
        x_low, x_high = self.data_ax.get_xlim()
        w, b = clipped(run.ws[-1:], self.contour_ax.get_xlim())[0], clipped(run.bs[-1:], self.contour_ax.get_ylim())[0]
        self.line.set_data([x_low, x_high], clipped(np.array([w * x_low + b, w * x_high + b]), self.data_ax.get_ylim()))
        self.loss_line.set_data(np.arange(len(run.losses)), clipped(run.losses, self.loss_ax.get_ylim(), log=True))
        show_path(self.contour_ax, self.path, self.end, run)
        self.live.update()


