"""The gradient-descent explorer of notebook 06: learning-rate and iteration sliders driving three live pictures.

The explorer trains nothing and solves nothing itself. It calls the notebook's own
``train(x, y, learning_rate, iterations)``, which returns ``(ws, bs, losses, diverged_at)``: the path of
(w, b) (the start first), the loss at each step, and the step at which the loop gave up because the loss
blew up (``None`` if it did not). What the notebook computed about each input, the least-squares answer
and the stability limit 2/λ_max, comes in as a :class:`helpers.line_fit.LineFit`::

    raw = LineFit(x, y, w_star, b_star, lr_limit)
    explorer = DescentExplorer(train, raw, standardised=LineFit(x_standardised, y, ...))
    explorer.panel

A new learning rate (or input) runs the loop once, from its seeded start, for the largest number of
iterations; since the first k steps do not depend on how many follow, that one run serves every iteration
count (:func:`first_steps`), so the iterations slider only redraws. ``train`` itself runs the first
``CHECKED_STEPS`` steps; the rest comes from :func:`descend`, the same float32 arithmetic without autograd
(about three times faster), used only when its first steps equal train's bit for bit; otherwise (a ``train``
edited in class) ``train`` runs in full. Runs are remembered by (input, learning rate) in an LRU cache. After a
one-position step of the learning-rate slider, the kernel, once idle, runs the next position in the same
direction, so a learner who keeps pressing the key finds each run ready; after a jump or a typed value it runs
nothing ahead (``benchmarks/slider_callback.py`` and ``benchmarks/classroom.py`` measure both). The figure
(:class:`DescentFigure`, one per input, drawn once) is redrawn and the status line says what happened in words
(:func:`describe_run`), including divergence and invalid input. The panel, status line, typed values and wiring
are :class:`helpers.explorer.Explorer`'s.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Sequence
from functools import lru_cache, partial

import ipywidgets as widgets
import numpy as np
import torch
from matplotlib.figure import Figure

from helpers import palette, plots
from helpers.explorer import (
    NOTE_CLASS,
    Explorer,
    Stopwatch,
    check_train,
    log_position,
    log_slider,
    log_value,
    rate_text,
    whole_slider,
    whole_text,
)
from helpers.inputs import checked, read_number, read_whole_number
from helpers.line_fit import BLOWN_UP, LineFit, Run, clipped, loss_grid, padded, start_path_end
from helpers.live_figure import LiveFigure

__all__ = ["DescentExplorer", "LineFit"]

TrainResult = tuple[Sequence[float], Sequence[float], Sequence[float], int | None]
TrainFunction = Callable[[torch.Tensor, torch.Tensor, float, int], TrainResult]

PANEL_CLASS = "descent-explorer"
LEARNING_RATE_LABEL = "learning rate"
ITERATIONS_LABEL = "iterations"
STANDARDISED_LABEL = "standardised x"
DEFAULT_LEARNING_RATE = 1e-4
DEFAULT_ITERATIONS = 500
MAX_ITERATIONS = 500
# From far below raw x's stability limit (1.3e-3) to past standardised x's (0.059): 5 decades, so that a
# 440 px slider gives each decade about 70 px. Typed values outside the span still run.
LOG10_LEARNING_RATES = (-6.0, -1.0)
LOG10_STEP = 0.05
CACHE_SIZE = 256  # runs remembered, by (input, learning rate)
CHECKED_STEPS = 20  # the steps train runs itself before the faster run of the same arithmetic is trusted
FIGURE_SUMMARY = (
    "Three panels: the data with the current line; the loss at each iteration (log scale) with the least-squares "
    "loss dashed; the path of (w, b) over the contours of the sum of squared errors, from the start to the end."
)


def _written(value: float) -> str:
    """A round number as a person writes it: 1e-4, 1e-8, 10."""
    mantissa, exponent = f"{value:.0e}".split("e")
    return f"{value:g}" if 0 <= int(exponent) <= 3 else f"{mantissa}e{int(exponent)}"


LEARNING_RATE_HINT = (
    f"a value such as {_written(DEFAULT_LEARNING_RATE)} (the slider spans "
    f"{_written(10 ** LOG10_LEARNING_RATES[0])} to {_written(10 ** LOG10_LEARNING_RATES[1])})"
)


class DescentExplorer(Explorer):
    """Sliders for the learning rate and iterations, a standardised-x toggle, a status line and the live figure.

    ``train`` is the notebook's loop; ``raw`` is the data with its least-squares answer and stability limit,
    and ``standardised``, if given, the same for standardised x (it adds the toggle). The sliders begin at
    ``learning_rate`` and ``iterations``; the iterations slider goes up to ``max_iterations``. A value that
    cannot be used raises a ValueError that says what to pass instead.

    Show ``explorer.panel``. Drive it from code (and tests) with :meth:`set_learning_rate`,
    :meth:`set_iterations` and :meth:`set_standardised`; each returns the status text and never raises.
    ``last_run`` is what ``train`` returns for the current settings (read off the longest run), and
    ``last_timings`` holds the seconds the last update spent in ``train`` (zero when remembered) and drawing.
    """

    def __init__(
        self,
        train: TrainFunction,
        raw: LineFit,
        *,
        standardised: LineFit | None = None,
        learning_rate: float = DEFAULT_LEARNING_RATE,
        iterations: int = DEFAULT_ITERATIONS,
        max_iterations: int = MAX_ITERATIONS,
    ) -> None:
        check_train(train, "train(x, y, learning_rate, iterations)")
        for name, fit, optional in (("raw", raw, False), ("standardised", standardised, True)):
            if not (isinstance(fit, LineFit) or (optional and fit is None)):
                raise TypeError(f"{name} must be a LineFit(x, y, w_star, b_star, stability_limit); got {fit!r}.")
        largest = read_whole_number(max_iterations, "largest number of iterations", sys.maxsize)
        self._max_iterations = checked(largest, str(MAX_ITERATIONS))
        self._iterations_hint = f"a whole number from 1 to {self._max_iterations}"
        self.learning_rate = checked(read_number(learning_rate, "learning rate"), LEARNING_RATE_HINT)
        given_iterations = read_whole_number(iterations, "number of iterations", self._max_iterations)
        self.iterations = checked(given_iterations, self._iterations_hint)
        self.standardised = False
        super().__init__(PANEL_CLASS)
        self._train = train
        self._fits = {False: raw, True: standardised}
        self._figures: dict[bool, DescentFigure] = {}
        self.full_run = lru_cache(maxsize=CACHE_SIZE)(self._full_run)
        self._position: int | None = None  # the learning-rate slider position of the last update
        self.last_run: TrainResult | None = None  # what train returns for the current settings, as shown

        self.learning_rate_slider = log_slider(self.learning_rate, LOG10_LEARNING_RATES, LOG10_STEP, LEARNING_RATE_LABEL, "440px")
        self.iterations_slider = whole_slider(self.iterations, self._max_iterations, ITERATIONS_LABEL, "300px")
        self.limit_note = widgets.HTML()
        self.limit_note.add_class(NOTE_CLASS)
        controls = [
            self._typed_control(
                self.learning_rate_slider, self.set_learning_rate, LEARNING_RATE_LABEL, rate_text,
                lambda: self.learning_rate, self.limit_note,
            ),
            self._typed_control(
                self.iterations_slider, self.set_iterations, "number of iterations", whole_text, lambda: self.iterations,
            ),
        ]
        self.standardised_toggle: widgets.Checkbox | None = None
        if standardised is not None:
            self.standardised_toggle = widgets.Checkbox(value=False, description=STANDARDISED_LABEL, indent=False)
            self._connect(self.standardised_toggle, self.set_standardised)
            controls.append(self.standardised_toggle)
        self._figure_box = widgets.Box()
        self._lay_out(controls, self.status, self._figure_box)
        self._refresh()

    def set_learning_rate(self, value: object) -> str:
        """Re-run the loop at learning rate ``value``; a non-positive or non-numeric value is answered in words."""
        return self._rerun_with("learning_rate", read_number(value, "learning rate"), LEARNING_RATE_HINT)

    def set_iterations(self, value: object) -> str:
        """Re-run the loop for ``value`` iterations (a whole number from 1 to the slider's maximum)."""
        reading = read_whole_number(value, "number of iterations", self._max_iterations)
        return self._rerun_with("iterations", reading, self._iterations_hint)

    def set_standardised(self, on: object) -> str:
        """Switch between raw x and standardised x (only if the explorer was given ``standardised``)."""
        if on and self._fits[True] is None:
            return self._say("This explorer has no standardised x: pass standardised=LineFit(...) to DescentExplorer.")
        self.standardised = bool(on)
        return self._refresh()

    def _full_run(self, standardised: bool, learning_rate: float) -> TrainResult:
        """What ``train`` returns for the largest number of iterations on this input at this rate (``full_run`` remembers it).

        ``train`` runs its first ``CHECKED_STEPS`` steps; if the loop diverged by then, that is the whole run. Otherwise
        :func:`descend` does the rest, without autograd, and its result is used only if its first steps equal train's
        bit for bit (a ``train`` edited in class, or a different loss, falls back to running ``train`` itself).
        """
        fit = self._fits[standardised]
        assert fit is not None  # set_standardised(True) is refused without a standardised fit
        checked_steps = min(CHECKED_STEPS, self._max_iterations)
        first = as_result(self._train(fit.x, fit.y, learning_rate, checked_steps))
        if first[3] is not None or checked_steps == self._max_iterations:
            return first
        if fit.loss == "sse":
            fast = descend(fit, first[0][0], first[1][0], learning_rate, self._max_iterations)
            if first_steps(fast, checked_steps) == first:
                return fast
        return as_result(self._train(fit.x, fit.y, learning_rate, self._max_iterations))

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
        try:
            self.full_run(standardised, learning_rate)
        except Exception:  # a student's broken train(): the status line reports it when that rate is chosen
            return

    def _refresh(self) -> str:
        """Run (or recall) ``train`` for the current settings, redraw, move the controls to match, and say what happened."""
        fit = self._fits[self.standardised]
        assert fit is not None  # set_standardised(True) is refused without a standardised fit
        stopwatch = Stopwatch()
        try:
            result = self.full_run(self.standardised, self.learning_rate)
        except Exception as error:  # a student's edited train() must not put a traceback in the explorer
            return self._say(f"train(...) raised {type(error).__name__}: {error}. Fix train and run its cell again.")
        stopwatch.lap("train")
        try:
            self.last_run = first_steps(result, self.iterations)
            run = Run.cleaned(*self.last_run)
        except Exception as error:  # what a student's edited train() returned must not put a traceback here either
            return self._say(f"What train(...) returned cannot be drawn: {error} Fix train and run its cell again.")
        if not len(run.losses) or not len(run.ws):
            return self._say("train(...) returned no losses, so there is nothing to draw. It should record one per step.")
        figure = self._figures.get(self.standardised)
        if figure is None:
            label = STANDARDISED_LABEL if self.standardised else "x"
            figure = self._figures[self.standardised] = DescentFigure(fit, run, label, self._max_iterations)
        if self._figure_box.children != (figure.live.widget,):
            self._figure_box.children = (self._figure_widget(figure.live, FIGURE_SUMMARY),)
        figure.show(run)
        stopwatch.lap("draw")
        self.last_timings = stopwatch.laps
        # A value set from code moves its control too (a slider clamps it to its range), without a second run.
        self._move_controls((self.learning_rate_slider, self.learning_rate), (self.iterations_slider, self.iterations))
        if self.standardised_toggle is not None:
            self._move_controls((self.standardised_toggle, self.standardised))
        self.limit_note.value = f"stability limit 2/λ<sub>max</sub> = {rate_text(fit.stability_limit)}"
        self._when_idle(self._next_position())
        return self._say(describe_run(run, fit, self.learning_rate, self.iterations))



def as_result(result: object) -> TrainResult:
    """What ``train`` returned, as lists, or a TypeError when it is not ``(ws, bs, losses, diverged_at)``."""
    if not isinstance(result, tuple | list) or len(result) != 4:
        raise TypeError(f"train should return (ws, bs, losses, diverged_at); it returned {type(result).__name__}")
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
        raise ValueError(
            f"it holds {len(losses)} losses for {iterations} iterations without saying that it diverged; "
            "it should record one loss per step."
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
    """The three panels for ``fit``, laid out around ``first`` (its start) and the optimum; :meth:`show` moves them.

    * the data with the current fitted line,
    * the loss curve (log scale) with the least-squares loss dashed,
    * the contours of the sum of squared errors over (w, b), the least-squares optimum, the start (circle), the
      path and its end (square), each named in the legend.

    The still parts are drawn once; an update repaints only the line, the loss curve, the path and its end (see
    :class:`helpers.live_figure.LiveFigure`), clipped so that a diverging run still leaves the box the right way.
    """

    def __init__(self, fit: LineFit, first: Run, x_label: str, max_iterations: int) -> None:
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
            xlim=(0, max_iterations),
            ylim=(fit.loss_star / 2, max(start_loss, fit.loss_star) * 20),
            xlabel="iteration",
            ylabel="loss (sum of squared errors)",
            title="Loss during training",
        )
        loss_ax.legend(loc="upper right")
        (self.loss_line,) = loss_ax.plot([], [], color=palette.RUN)

        w_grid, b_grid, sse = loss_grid(fit, float(first.ws[0]), float(first.bs[0]))
        plots.plot_loss_landscape(
            w_grid, b_grid, sse, optimum=(fit.w_star, fit.b_star), ax=contour_ax,
            title="Loss over (w, b)",
        )
        self.path, self.end = start_path_end(contour_ax, float(first.ws[0]), float(first.bs[0]))

        self.data_ax, self.loss_ax, self.contour_ax = data_ax, loss_ax, contour_ax
        self.live = LiveFigure(figure, [self.line, self.loss_line, self.path, self.end])

    def show(self, run: Run) -> None:
        """Point the moving lines at ``run`` and repaint them."""
        x_low, x_high = self.data_ax.get_xlim()
        w, b = clipped(run.ws[-1:], self.contour_ax.get_xlim())[0], clipped(run.bs[-1:], self.contour_ax.get_ylim())[0]
        self.line.set_data([x_low, x_high], clipped(np.array([w * x_low + b, w * x_high + b]), self.data_ax.get_ylim()))
        self.loss_line.set_data(np.arange(len(run.losses)), clipped(run.losses, self.loss_ax.get_ylim(), log=True))
        path_w, path_b = clipped(run.ws, self.contour_ax.get_xlim()), clipped(run.bs, self.contour_ax.get_ylim())
        self.path.set_data(path_w, path_b)
        self.end.set_data(path_w[-1:], path_b[-1:])
        self.live.update()


