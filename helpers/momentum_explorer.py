"""The momentum explorer of notebook 08: learning-rate and β sliders, momentum beside plain descent from the same start.

The explorer trains nothing itself. It calls the notebook's own
``train_momentum(x, y, learning_rate, beta, iterations)``, which returns ``(ws, bs, losses, diverged_at)``, twice:
at the sliders' learning rate and β, and at the same learning rate with β = 0, which is plain gradient descent.
What the notebook computed about the data (the least-squares line and plain descent's stability limit
2/λ_max) comes in as a :class:`helpers.line_fit.LineFit`::

    raw = LineFit(x, y, w_star, b_star, 2 / high)
    explorer = MomentumExplorer(train_momentum, raw)
    explorer.panel

The figure shows both paths over the contours of the SSE and both losses against the steps; the status line
says in words what each run did, with its stability limit (momentum's is (1 + β) times plain descent's, as the
notebook derives). Runs are remembered by (learning rate, β) in an LRU cache, so a β change re-runs only
momentum. The panel, status line, typed values and wiring are :class:`helpers.explorer.Explorer`'s.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache

import ipywidgets as widgets
import numpy as np
import torch
from matplotlib.figure import Figure

from helpers import palette, plots
from helpers.explorer import Explorer, Stopwatch, check_train, log_slider, rate_text
from helpers.inputs import checked, read_number
from helpers.line_fit import LineFit, Run, clipped, loss_grid
from helpers.live_figure import LiveFigure

__all__ = ["LineFit", "MomentumExplorer"]

TrainResult = tuple[Sequence[float], Sequence[float], Sequence[float], int | None]

MomentumTrain = Callable[[torch.Tensor, torch.Tensor, float, float, int], TrainResult]

PANEL_CLASS = "momentum-explorer"
LEARNING_RATE_LABEL = "learning rate"
BETA_LABEL = "momentum β"
ITERATIONS = 200
DEFAULT_LEARNING_RATE = 1e-3
DEFAULT_BETA = 0.9
# From far below plain descent's limit (1.3e-3) to past momentum's largest (2.6e-3): 3 decades in 400 px.
LOG10_LEARNING_RATES = (-5.0, -2.0)
LOG10_STEP = 0.05
BETA_STEP = 0.01
CACHE_SIZE = 512  # runs remembered, by (learning rate, β)
REACHED = 1e-4  # a loss within this share of the least-squares loss has reached it
LEARNING_RATE_HINT = "a value such as 1e-3 (the slider spans 1e-5 to 1e-2)"
BETA_HINT = "a value from 0 to 1, such as 0.9 (0 is plain descent, 1 the forgetful loop of 06)"
FIGURE_SUMMARY = (
    "Two panels: the paths of plain descent and of momentum over the contours of the sum of squared errors, "
    "from the same start; their losses at each step (log scale) with the least-squares loss dashed."
)


def read_beta(value: object) -> tuple[float, str | None]:
    """``value`` as a momentum β, and what is wrong with it (it must be a number from 0 to 1), or None."""
    number, problem = read_number(value, BETA_LABEL, positive=False)
    if problem is None and not 0 <= number <= 1:
        problem = f"The {BETA_LABEL} must be between 0 and 1; got {number:g}."
    return number, problem


class MomentumFigure:
    """The two panels, drawn once around the start and the optimum; :meth:`show` moves the paths and loss curves."""

    def __init__(self, bowl: LineFit, start: tuple[float, float], start_loss: float, iterations: int) -> None:
        figure = Figure(figsize=(11.0, 3.8), dpi=80, layout="constrained")
        contour_ax, loss_ax = figure.subplots(1, 2)
        w0, b0 = start
        w_grid, b_grid, sse = loss_grid(bowl, w0, b0)
        plots.plot_loss_landscape(
            w_grid, b_grid, sse, optimum=(bowl.w_star, bowl.b_star), ax=contour_ax, title="Loss over (w, b)"
        )
        contour_ax.plot([w0], [b0], palette.START_MARKER, color=palette.START, markersize=8, label="start", zorder=5)
        plain, momentum = palette.series_style(0), palette.series_style(1)
        paths = [
            contour_ax.plot([], [], linestyle="-", markersize=3, linewidth=1, label=label, **palette.path_style(index))[0]
            for index, label in enumerate(("plain descent", "momentum"))
        ]
        self.plain_path, self.momentum_path = paths
        self.ends = [
            contour_ax.plot([], [], palette.END_MARKER, color=style["color"], markersize=7, zorder=5)[0]
            for style in (plain, momentum)
        ]
        contour_ax.legend(loc="upper right", ncols=2)

        loss_ax.axhline(bowl.loss_star, color=palette.COMPARISON, linestyle=":", linewidth=1, label="least squares")
        (self.plain_loss,) = loss_ax.plot([], [], label="plain descent", **plain)
        (self.momentum_loss,) = loss_ax.plot([], [], label="momentum", **momentum)
        loss_ax.set(
            yscale="log", xlim=(0, iterations), ylim=(bowl.loss_star / 2, max(start_loss, bowl.loss_star) * 20),
            xlabel="step", ylabel="loss (SSE)", title="Loss during training",
        )
        loss_ax.legend(loc="upper right")
        self.contour_ax, self.loss_ax = contour_ax, loss_ax
        moving = [self.plain_path, self.momentum_path, *self.ends, self.plain_loss, self.momentum_loss]
        self.live = LiveFigure(figure, moving)

    def show(self, plain: Run, momentum: Run) -> None:
        """Point the paths, their ends and the loss curves at the two runs and repaint them."""
        w_limits, b_limits, loss_limits = self.contour_ax.get_xlim(), self.contour_ax.get_ylim(), self.loss_ax.get_ylim()
        pairs = (
            (plain, self.plain_path, self.ends[0], self.plain_loss),
            (momentum, self.momentum_path, self.ends[1], self.momentum_loss),
        )
        for run, path, end, loss in pairs:
            ws, bs = clipped(run.ws, w_limits), clipped(run.bs, b_limits)
            path.set_data(ws, bs)
            end.set_data(ws[-1:], bs[-1:])
            loss.set_data(np.arange(len(run.losses)), clipped(run.losses, loss_limits, log=True))
        self.live.update()


class MomentumExplorer(Explorer):
    """Sliders for the learning rate and β, a status line, and the figure of momentum beside plain descent.

    ``train_momentum`` is the notebook's loop and ``bowl`` the data with its least-squares line and plain
    descent's stability limit 2/λ_max. A value that cannot be used raises a ValueError that says what to pass.
    Drive it from code (and tests) with :meth:`set_learning_rate` and :meth:`set_beta`; each returns the status
    text and never raises. ``last_runs`` holds what ``train_momentum`` returned for plain descent and for
    momentum at the current settings; ``last_timings`` the seconds the last update spent running and drawing.
    """

    def __init__(
        self,
        train_momentum: MomentumTrain,
        bowl: LineFit,
        *,
        learning_rate: float = DEFAULT_LEARNING_RATE,
        beta: float = DEFAULT_BETA,
        iterations: int = ITERATIONS,
    ) -> None:
        check_train(train_momentum, "train_momentum(x, y, learning_rate, beta, iterations)")
        if not isinstance(bowl, LineFit):
            raise TypeError(f"bowl must be a LineFit(x, y, w_star, b_star, stability_limit); got {bowl!r}.")
        self.learning_rate = checked(read_number(learning_rate, LEARNING_RATE_LABEL), LEARNING_RATE_HINT)
        self.beta = checked(read_beta(beta), BETA_HINT)
        super().__init__(PANEL_CLASS)
        self._train, self._bowl, self._iterations = train_momentum, bowl, iterations
        self.run = lru_cache(maxsize=CACHE_SIZE)(self._run)
        self._figure: MomentumFigure | None = None
        self.last_runs: tuple[TrainResult, TrainResult] | None = None  # (plain descent, momentum), as shown

        wide = {"description_width": "initial"}
        self.learning_rate_slider = log_slider(self.learning_rate, LOG10_LEARNING_RATES, LOG10_STEP, LEARNING_RATE_LABEL, "400px")
        self.beta_slider = widgets.FloatSlider(
            value=self.beta, min=0.0, max=1.0, step=BETA_STEP, description=BETA_LABEL, style=wide,
            layout=widgets.Layout(width="330px"),
        )
        controls = [
            self._typed_control(
                self.learning_rate_slider, self.set_learning_rate, LEARNING_RATE_LABEL, rate_text,
                lambda: self.learning_rate,
            ),
            self._typed_control(self.beta_slider, self.set_beta, BETA_LABEL, lambda v: f"{v:.3g}", lambda: self.beta),
        ]
        self._figure_box = widgets.Box()
        self._lay_out(controls, self.status, self._figure_box)
        self._refresh()

    def set_learning_rate(self, value: object) -> str:
        """Re-run both loops at learning rate ``value``; a non-positive or non-numeric value is answered in words."""
        return self._rerun_with("learning_rate", read_number(value, LEARNING_RATE_LABEL), LEARNING_RATE_HINT)

    def set_beta(self, value: object) -> str:
        """Re-run momentum with β = ``value`` (from 0 to 1); anything else is answered in words."""
        return self._rerun_with("beta", read_beta(value), BETA_HINT)

    def _run(self, learning_rate: float, beta: float) -> TrainResult:
        """What ``train_momentum`` returns at this learning rate and β (``run`` remembers it)."""
        result = self._train(self._bowl.x, self._bowl.y, learning_rate, beta, self._iterations)
        if not isinstance(result, tuple | list) or len(result) != 4:
            raise TypeError(f"it should return (ws, bs, losses, diverged_at); it returned {type(result).__name__}.")
        return result

    def _refresh(self) -> str:
        """Run (or recall) both loops, redraw, move the controls to match, and say what happened."""
        stopwatch = Stopwatch()
        try:
            # A β sent by the slider may differ from its position in the last bit: rounded, it is found again.
            results = self.run(self.learning_rate, 0.0), self.run(self.learning_rate, round(self.beta, 9))
            stopwatch.lap("train")
            plain, momentum = (Run.cleaned(*result) for result in results)
        except Exception as error:  # a student's edited loop must not put a traceback in the explorer
            return self._say(f"train_momentum(...) failed: {type(error).__name__}: {error} Fix it and run its cell again.")
        if not (len(plain.losses) and len(momentum.losses)):
            return self._say("train_momentum(...) returned no losses, nothing to draw: it should record one per step.")
        self.last_runs = results
        if self._figure is None:
            self._figure = MomentumFigure(self._bowl, (plain.ws[0], plain.bs[0]), plain.losses[0], self._iterations)
            self._figure_box.children = (self._figure_widget(self._figure.live, FIGURE_SUMMARY),)
        self._figure.show(plain, momentum)
        stopwatch.lap("draw")
        self.last_timings = stopwatch.laps
        self._move_controls((self.learning_rate_slider, self.learning_rate), (self.beta_slider, self.beta))
        return self._say(self.describe(plain, momentum))

    def describe(self, plain: Run, momentum: Run) -> str:
        """The status line: the settings, then what momentum and plain descent each did, with their limits."""
        limit = self._bowl.stability_limit
        header = f"η = {rate_text(self.learning_rate)}, β = {self.beta:.3g}, {self._iterations} steps."
        momentum_limit = f"2(1+β)/λ_max = {rate_text((1 + self.beta) * limit)}"
        said = [header, self._verdict("Momentum", momentum, (1 + self.beta) * limit, momentum_limit)]
        if self.beta == 1 and momentum.diverged_at is None:  # 06's forgetful loop: it neither settles nor blows up
            said.append("With β = 1 nothing damps its swings.")
        return " ".join([*said, self._verdict("Plain descent", plain, limit, f"2/λ_max = {rate_text(limit)}")])

    def _verdict(self, name: str, run: Run, limit: float, limit_text: str) -> str:
        """One run in words: diverged (at which step), diverging, at the least-squares loss (from which step), or how far."""
        if run.diverged_at is not None:
            return f"{name} diverged at step {run.diverged_at}: η is above its limit {limit_text}."
        if self.learning_rate > limit:
            return f"{name} is diverging, not stopped yet: η is above its limit {limit_text}."
        sse_star = self._bowl.loss_star
        close = np.flatnonzero(run.losses - sse_star > REACHED * sse_star)
        if len(close) < len(run.losses):
            last_far = close[-1] + 1 if len(close) else 0
            if last_far < len(run.losses):
                return f"{name} reached the least-squares loss {sse_star:.4f} at step {last_far} and stayed."
        return f"{name}: loss {run.losses[-1]:.4g} at the last step ({run.losses[-1] - sse_star:.3g} above least squares)."
