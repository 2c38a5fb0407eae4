"""The momentum explorer of notebook 08: learning-rate and β sliders, momentum beside plain descent from the same start.

It calls the notebook's own ``train_momentum(x, y, learning_rate, beta, iterations)``, which returns
``(ws, bs, losses, diverged_at)``, twice: at the sliders' β, and with β = 0 (plain descent). The data with its
least-squares line and plain descent's stability limit comes in as a :class:`helpers.line_fit.LineFit`::

    explorer = MomentumExplorer(train_momentum, LineFit(x, y, w_star, b_star, 2 / high))

The status line says what each run did, with its stability limit (momentum's is (1 + β) times plain descent's).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from helpers import palette
from helpers.explorer import WIDE_LABEL, TrainExplorer, rate_text
from helpers.inputs import read_number
from helpers.line_fit import LineFit, Run, clipped, drawn, loss_contours, show_path
from helpers.live_figure import LiveFigure

__all__ = ["LineFit", "MomentumExplorer"]

TrainResult = tuple[Sequence[float], Sequence[float], Sequence[float], int | None]

PANEL_CLASS = "momentum-explorer"
BETA_LABEL = "momentum β"
ITERATIONS = 200
DEFAULT_LEARNING_RATE = 1e-3
DEFAULT_BETA = 0.9
# From far below plain descent's limit (1.3e-3) to past momentum's largest (2.6e-3): 3 decades in 400 px.
LOG10_LEARNING_RATES = (-5.0, -2.0)
BETA_STEP = 0.01
CACHE_SIZE = 512  # runs remembered, by (learning rate, β)
REACHED = 1e-4  # a loss within this share of the least-squares loss has reached it
BETA_HINT = "a value from 0 to 1, such as 0.9 (0 is plain descent, 1 the forgetful loop of 06)"


class MomentumFigure:
    """The two panels, drawn once around the start and the optimum; :meth:`show` moves the paths and loss curves."""

    def __init__(self, bowl: LineFit, start: tuple[float, float], start_loss: float, iterations: int) -> None:
        figure = Figure(figsize=(11.0, 3.8), dpi=80, layout="constrained")
        contour_ax, loss_ax = figure.subplots(1, 2)
        w0, b0 = start
        loss_contours(contour_ax, bowl, w0, b0, "Loss over (w, b)")
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
        pairs = (
            (plain, self.plain_path, self.ends[0], self.plain_loss),
            (momentum, self.momentum_path, self.ends[1], self.momentum_loss),
        )
        for run, path, end, loss in pairs:
            show_path(self.contour_ax, path, end, run)
            loss.set_data(np.arange(len(run.losses)), clipped(run.losses, self.loss_ax.get_ylim(), log=True))
        self.live.update()


class MomentumExplorer(TrainExplorer):
    """Sliders for the learning rate and β, and the figure of momentum beside plain descent."""

    figure_summary = (
        "Two panels: the paths of plain descent and of momentum over the contours of the sum of squared errors, "
        "from the same start; their losses at each step (log scale) with the least-squares loss dashed."
    )
    rate_hint = "a value such as 1e-3 (the slider spans 1e-5 to 1e-2)"

    def __init__(self, train_momentum: Callable[..., TrainResult], bowl: LineFit) -> None:
        super().__init__(PANEL_CLASS, train_momentum, "train_momentum(x, y, learning_rate, beta, iterations)", bowl=bowl)
        self.learning_rate, self.beta, self._bowl = DEFAULT_LEARNING_RATE, DEFAULT_BETA, bowl
        self.run = lru_cache(maxsize=CACHE_SIZE)(self._run)
        self.beta_slider = widgets.FloatSlider(
            value=self.beta, min=0.0, max=1.0, step=BETA_STEP, description=BETA_LABEL, style=WIDE_LABEL,
            layout=widgets.Layout(width="330px"),
        )
        beta_control = self._setting("beta", self.beta_slider, BETA_LABEL, "{:.3g}".format)
        self._start([self._rate_control(LOG10_LEARNING_RATES, "400px"), beta_control])

    def set_beta(self, value: object) -> str:
        """Re-run momentum with β = ``value`` (from 0 to 1); anything else is answered in words."""
        number, problem = read_number(value, BETA_LABEL, positive=False)
        if problem is None and not 0 <= number <= 1:
            problem = f"The {BETA_LABEL} must be between 0 and 1; got {number:g}."
        return self._rerun_with("beta", (number, problem), BETA_HINT)

    def _run(self, learning_rate: float, beta: float) -> TrainResult:
        """What ``train_momentum`` returns at this learning rate and β (``run`` remembers it)."""
        return self._train(self._bowl.x, self._bowl.y, learning_rate, beta, ITERATIONS)

    def _runs(self) -> tuple[Run, Run]:
        """Plain descent and momentum at the current settings (both remembered)."""
        # A β sent by the slider may differ from its position in the last bit: rounded, it is found again.
        results = self.run(self.learning_rate, 0.0), self.run(self.learning_rate, round(self.beta, 9))
        plain, momentum = (drawn(result, self.train_call) for result in results)
        return plain, momentum

    def _figure_for(self, plain: Run, momentum: Run) -> MomentumFigure:
        return self.figure or MomentumFigure(self._bowl, (plain.ws[0], plain.bs[0]), plain.losses[0], ITERATIONS)

    def _describe(self, plain: Run, momentum: Run) -> str:
        """The status line: the settings, then what momentum and plain descent each did, with their limits."""
        limit = self._bowl.stability_limit
        header = f"η = {rate_text(self.learning_rate)}, β = {self.beta:.3g}, {ITERATIONS} steps."
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
