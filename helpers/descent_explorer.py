"""The gradient-descent explorer of notebook 06: learning-rate and iteration sliders driving three live pictures.

The explorer trains nothing itself. It calls the notebook's own ``train(x, y, learning_rate, iterations)``,
which returns ``(ws, bs, losses, diverged_at)``: the path of (w, b) (the start first), the loss at each step,
and the step at which the loop gave up because the loss blew up (``None`` if it did not). Each slider
change re-runs that loop from its seeded start and redraws:

* the data with the current fitted line,
* the loss curve (log scale) with the least-squares loss dashed,
* the contours of the sum of squared errors over (w, b), the least-squares optimum and the path.

A status line (CSS class ``explorer-status``) says what happened in words, including divergence and
invalid input. The still parts of the figure are drawn once per input (raw or standardised x), so an
update only repaints the moving lines (see :class:`helpers.live_figure.LiveFigure`).
"""

from __future__ import annotations

import html
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np
import torch
from matplotlib.figure import Figure

from helpers import plots
from helpers.live_figure import ExplorerPanel, LiveFigure

TrainResult = tuple[Sequence[float], Sequence[float], Sequence[float], int | None]
TrainFunction = Callable[[torch.Tensor, torch.Tensor, float, int], TrainResult]

STATUS_CLASS = "explorer-status"
PANEL_CLASS = "descent-explorer"
LEARNING_RATE_LABEL = "learning rate"
ITERATIONS_LABEL = "iterations"
STANDARDISED_LABEL = "standardised x"
DEFAULT_ITERATIONS = 150
MAX_ITERATIONS = 500
LOG10_LEARNING_RATES = (-8.0, 1.0)
GRID_POINTS = 120
# How far beyond the visible box a point may be drawn: far enough that a clipped segment leaves the
# box in the right direction, near enough that the renderer never sees astronomically large numbers.
CLIP_SPANS = 1e3


@dataclass(frozen=True)
class Run:
    """One call of the notebook's ``train``, cleaned for drawing: finite values only, cut at divergence."""

    learning_rate: float
    iterations: int
    ws: np.ndarray
    bs: np.ndarray
    losses: np.ndarray
    diverged_at: int | None


@dataclass(frozen=True)
class Landscape:
    """What the explorer knows about one input x: the least-squares answer and the stability limit."""

    w_star: float
    b_star: float
    sse_star: float
    stability_limit: float

    @classmethod
    def of(cls, x: torch.Tensor, y: torch.Tensor) -> Landscape:
        """Solve least squares for y ≈ w x + b in float64, and take 2/L from the Hessian 2 XᵀX of the SSE."""
        design = np.column_stack([_numpy(x), np.ones(len(_numpy(x)))])
        target = _numpy(y)
        (w_star, b_star), *_ = np.linalg.lstsq(design, target, rcond=None)
        sse_star = float(np.sum((design @ [w_star, b_star] - target) ** 2))
        largest = float(np.linalg.eigvalsh(2 * design.T @ design)[-1])
        return cls(float(w_star), float(b_star), sse_star, 2 / largest)


class _View:
    """The figure for one input x: drawn once around the start and the optimum, then only its moving lines change."""

    def __init__(self, x: torch.Tensor, y: torch.Tensor, first: Run, x_label: str, max_iterations: int) -> None:
        self.landscape = Landscape.of(x, y)
        xs, ys = _numpy(x), _numpy(y)
        figure = Figure(figsize=(12.0, 3.6), dpi=80, layout="constrained")
        data_ax, loss_ax, contour_ax = figure.subplots(1, 3)

        plots.plot_data(x, y, ax=data_ax, title="The data and the current line")
        data_ax.set(xlabel=x_label, xlim=_padded(xs.min(), xs.max(), 0.08), ylim=_padded(ys.min(), ys.max(), 0.4))
        (self.line,) = data_ax.plot([], [], color="tab:orange", linewidth=2)

        start_loss = float(first.losses[0])
        loss_ax.axhline(self.landscape.sse_star, color="gray", linestyle="--", linewidth=1, label="least squares")
        loss_ax.set(
            yscale="log",
            xlim=(0, max_iterations),
            ylim=(self.landscape.sse_star / 2, max(start_loss, self.landscape.sse_star) * 20),
            xlabel="iteration",
            ylabel="loss (sum of squared errors)",
            title="Loss during training",
        )
        loss_ax.legend(loc="upper right")
        (self.loss_line,) = loss_ax.plot([], [], color="tab:orange")

        w_grid, b_grid, sse = _sse_grid(xs, ys, self.landscape, float(first.ws[0]), float(first.bs[0]))
        plots.plot_loss_landscape(
            w_grid, b_grid, sse, optimum=(self.landscape.w_star, self.landscape.b_star), ax=contour_ax,
            title="Sum of squared errors over (w, b)",
        )
        contour_ax.plot([first.ws[0]], [first.bs[0]], "o", color="tab:green", label="start")
        contour_ax.legend(loc="upper right")
        (self.path,) = contour_ax.plot([], [], ".-", color="tab:orange", markersize=3, linewidth=1)
        (self.end,) = contour_ax.plot([], [], "o", color="tab:red", markersize=6)

        self.data_ax, self.loss_ax, self.contour_ax = data_ax, loss_ax, contour_ax
        self.live = LiveFigure(figure, [self.line, self.loss_line, self.path, self.end])

    def show(self, run: Run) -> None:
        """Point the moving lines at ``run`` and repaint them."""
        x_low, x_high = self.data_ax.get_xlim()
        w, b = _clipped(run.ws[-1:], self.contour_ax.get_xlim())[0], _clipped(run.bs[-1:], self.contour_ax.get_ylim())[0]
        self.line.set_data([x_low, x_high], _clipped(np.array([w * x_low + b, w * x_high + b]), self.data_ax.get_ylim()))
        self.loss_line.set_data(np.arange(len(run.losses)), _clipped(run.losses, self.loss_ax.get_ylim(), log=True))
        path_w, path_b = _clipped(run.ws, self.contour_ax.get_xlim()), _clipped(run.bs, self.contour_ax.get_ylim())
        self.path.set_data(path_w, path_b)
        self.end.set_data(path_w[-1:], path_b[-1:])
        self.live.update()


class DescentExplorer:
    """Sliders for the learning rate and iterations, a standardised-x toggle, a status line and the live figure.

    Show ``explorer.panel``. Drive it from code (and tests) with :meth:`set_learning_rate`,
    :meth:`set_iterations` and :meth:`set_standardised`; each returns the status text and never raises.
    """

    def __init__(
        self,
        train: TrainFunction,
        x: torch.Tensor,
        y: torch.Tensor,
        *,
        x_standardised: torch.Tensor | None = None,
        learning_rate: float = 1e-4,
        iterations: int = DEFAULT_ITERATIONS,
        max_iterations: int = MAX_ITERATIONS,
    ) -> None:
        for value, name, suggestion in (
            (learning_rate, "learning rate", "1e-4"),
            (iterations, "number of iterations", "200"),
        ):
            problem = _invalid_number(value, name, suggestion)
            if problem:
                raise ValueError(problem)
        self._train = train
        self._inputs = {False: x, True: x_standardised}
        self._y = y
        self._max_iterations = max_iterations
        self._views: dict[bool, _View] = {}
        self.learning_rate = learning_rate
        self.iterations = iterations
        self.standardised = False
        self.status_text = ""
        self.last_timings: dict[str, float] = {}
        self._syncing = False

        wide = {"description_width": "initial"}
        self.learning_rate_slider = widgets.FloatLogSlider(
            value=learning_rate, base=10, min=LOG10_LEARNING_RATES[0], max=LOG10_LEARNING_RATES[1], step=0.1,
            description=LEARNING_RATE_LABEL, readout_format=".2e", style=wide, layout=widgets.Layout(width="380px"),
        )
        self.iterations_slider = widgets.IntSlider(
            value=iterations, min=1, max=max_iterations, description=ITERATIONS_LABEL, style=wide,
            layout=widgets.Layout(width="330px"),
        )
        self.status = widgets.HTML()
        self.status.add_class(STATUS_CLASS)
        controls: list[widgets.Widget] = [self.learning_rate_slider, self.iterations_slider]
        self.standardised_toggle: widgets.Checkbox | None = None
        if x_standardised is not None:
            self.standardised_toggle = widgets.Checkbox(value=False, description=STANDARDISED_LABEL, indent=False)
            self.standardised_toggle.observe(self._control_moved, names="value")
            controls.append(self.standardised_toggle)
        self._figure_box = widgets.Box()
        self.panel = ExplorerPanel([widgets.HBox(controls), self.status, self._figure_box])
        self.panel.add_class(PANEL_CLASS)

        for slider in (self.learning_rate_slider, self.iterations_slider):
            slider.observe(self._control_moved, names="value")
        self._refresh()

    def set_learning_rate(self, value: object) -> str:
        """Re-run the loop at learning rate ``value``; a non-positive or non-numeric value is answered in words."""
        problem = _invalid_number(value, "learning rate", "a value such as 1e-4 (the slider spans 1e-8 to 10)")
        if problem:
            return self._say(problem)
        self.learning_rate = float(value)  # type: ignore[arg-type]
        return self._refresh()

    def set_iterations(self, value: object) -> str:
        """Re-run the loop for ``value`` iterations (a whole number from 1 to the slider's maximum)."""
        allowed = f"a whole number from 1 to {self._max_iterations}"
        problem = _invalid_number(value, "number of iterations", allowed)
        if problem is None and (float(value) != int(float(value)) or not 1 <= float(value) <= self._max_iterations):  # type: ignore[arg-type]
            problem = f"The number of iterations must be {allowed}; got {value!r}. Nothing was run."
        if problem:
            return self._say(problem)
        self.iterations = int(float(value))  # type: ignore[arg-type]
        return self._refresh()

    def set_standardised(self, on: bool) -> str:
        """Switch between raw x and standardised x (only if the explorer was given ``x_standardised``)."""
        if on and self._inputs[True] is None:
            return self._say("This explorer has no standardised x: pass x_standardised=... to descent_explorer.")
        self.standardised = bool(on)
        return self._refresh()

    def _control_moved(self, change: dict) -> None:
        if self._syncing:
            return
        setter = {
            self.learning_rate_slider: self.set_learning_rate,
            self.iterations_slider: self.set_iterations,
        }.get(change["owner"], self.set_standardised)
        setter(change["new"])

    def _refresh(self) -> str:
        began = time.perf_counter()
        x = self._inputs[self.standardised]
        try:
            run = _clean(self._train(x, self._y, self.learning_rate, self.iterations), self.learning_rate, self.iterations)
        except Exception as error:  # a student's edited train() must not put a traceback in the explorer
            return self._say(f"train(...) raised {type(error).__name__}: {error}. Fix train and run its cell again.")
        trained = time.perf_counter()
        if not len(run.losses) or not len(run.ws):
            return self._say("train(...) returned no losses, so there is nothing to draw. It should record one per step.")
        view = self._views.get(self.standardised)
        if view is None:
            label = STANDARDISED_LABEL if self.standardised else "x"
            view = self._views[self.standardised] = _View(x, self._y, run, label, self._max_iterations)
        if self._figure_box.children != (view.live.widget,):
            self._figure_box.children = (view.live.widget,)
        view.show(run)
        drawn = time.perf_counter()
        self.last_timings = {"train": trained - began, "draw": drawn - trained}
        self._sync_sliders()
        return self._say(describe_run(run, view.landscape))

    def _sync_sliders(self) -> None:
        # A value set from code moves its control too (a slider clamps it to its range), without a second run.
        self._syncing = True
        try:
            self.learning_rate_slider.value = self.learning_rate
            self.iterations_slider.value = self.iterations
            if self.standardised_toggle is not None:
                self.standardised_toggle.value = self.standardised
        finally:
            self._syncing = False

    def _say(self, text: str) -> str:
        self.status_text = text
        self.status.value = html.escape(text)
        return text


def descent_explorer(train: TrainFunction, x: torch.Tensor, y: torch.Tensor, **options: object) -> DescentExplorer:
    """Build the explorer around the notebook's ``train``; show ``.panel``. Options: see :class:`DescentExplorer`."""
    return DescentExplorer(train, x, y, **options)  # type: ignore[arg-type]


def describe_run(run: Run, landscape: Landscape) -> str:
    """Say in words what a run did: diverged (and at which step), still on its way, or at the least-squares fit."""
    lr, limit = run.learning_rate, landscape.stability_limit
    header = f"Learning rate {lr:.2e}, {run.iterations} iterations: "
    if run.diverged_at is not None:
        last = run.losses[-1] if len(run.losses) else math.nan
        how = "is no longer a finite number" if not math.isfinite(last) else f"grew to {last:.3g} from {run.losses[0]:.4g}"
        return (
            header + f"diverged at step {run.diverged_at}: the loss {how}, so the loop stopped. "
            f"This learning rate is above the stability limit 2/L = {limit:.4e}: each step overshoots the valley "
            "by more than it corrects. Lower the learning rate."
        )
    w, b, loss = run.ws[-1], run.bs[-1], run.losses[-1]
    result = (
        f"loss {run.losses[0]:.4f} at the start, {loss:.4f} at the last step (least squares {landscape.sse_star:.4f}); "
        f"w = {w:.4f}, b = {b:.4f} (least squares w = {landscape.w_star:.4f}, b = {landscape.b_star:.4f}). "
    )
    if lr > limit:
        verdict = (
            f"The learning rate is above the stability limit 2/L = {limit:.4e}: the path zigzags ever wider "
            "across the valley, and more iterations will make it diverge."
        )
    elif loss - landscape.sse_star <= 1e-4 * landscape.sse_star:
        verdict = "It has reached the least-squares fit."
    elif run.losses[0] - loss <= 0.05 * run.losses[0]:
        drop = (run.losses[0] - loss) / run.losses[0]
        verdict = f"It has barely moved (the loss fell by {drop:.1%}): the steps are tiny. Raise the learning rate."
    else:
        gap = loss - landscape.sse_star
        verdict = f"Still {gap:.4f} above the least-squares loss: more iterations or a larger learning rate."
    return header + result + verdict


def _clean(result: TrainResult, learning_rate: float, iterations: int) -> Run:
    """Turn train's lists into arrays, and cut them at the first non-finite value (divergence even if train missed it)."""
    ws, bs, losses, diverged_at = result
    ws, bs, losses = (np.asarray(_numpy(values), dtype=np.float64).reshape(-1) for values in (ws, bs, losses))
    finite = np.isfinite(losses) & np.isfinite(ws[: len(losses)]) & np.isfinite(bs[: len(losses)])
    if not finite.all():
        first_bad = int(np.argmin(finite))
        diverged_at = first_bad if diverged_at is None else min(diverged_at, first_bad)
    if diverged_at is not None:
        # Keep the step that blew up when it is finite: that is the overshoot the student should see.
        keep = diverged_at + 1 if finite[: diverged_at + 1].all() else diverged_at
        keep = max(keep, 1) if len(losses) else 0
        ws, bs, losses = ws[:keep], bs[:keep], losses[:keep]
        finite_points = np.isfinite(ws) & np.isfinite(bs) & np.isfinite(losses)
        ws, bs, losses = ws[finite_points], bs[finite_points], losses[finite_points]
    return Run(learning_rate, iterations, ws, bs, losses, diverged_at)


def _sse_grid(xs: np.ndarray, ys: np.ndarray, land: Landscape, w0: float, b0: float) -> tuple[np.ndarray, ...]:
    """The sum of squared errors on a grid over a box holding the start and the optimum (computed once per view)."""
    w_range = _padded(min(w0, land.w_star), max(w0, land.w_star), 0.35)
    b_range = _padded(min(b0, land.b_star), max(b0, land.b_star), 0.35)
    w_grid = np.linspace(*w_range, GRID_POINTS)
    b_grid = np.linspace(*b_range, GRID_POINTS)
    residuals = w_grid[None, :, None] * xs + b_grid[:, None, None] - ys
    return w_grid, b_grid, np.sum(residuals**2, axis=-1)


def _padded(low: float, high: float, fraction: float) -> tuple[float, float]:
    span = max(float(high - low), 0.5)
    return float(low) - fraction * span, float(high) + fraction * span


def _clipped(values: np.ndarray, limits: tuple[float, float], log: bool = False) -> np.ndarray:
    low, high = sorted(limits)
    if log:
        return np.clip(values, low / CLIP_SPANS, high * CLIP_SPANS)
    span = high - low
    return np.clip(values, low - CLIP_SPANS * span, high + CLIP_SPANS * span)


def _invalid_number(value: object, name: str, suggestion: str) -> str | None:
    """Say what is wrong with ``value`` as a positive finite number, or return None if nothing is."""
    try:
        if isinstance(value, bool | str | bytes):
            raise TypeError
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, RuntimeError):
        return f"The {name} must be a number; got {value!r}. Nothing was run. Try {suggestion}."
    if math.isnan(number) or math.isinf(number):
        return f"The {name} must be a finite number; got {number}. Nothing was run. Try {suggestion}."
    if number <= 0:
        return f"The {name} must be positive; got {number:g}. Nothing was run. Try {suggestion}."
    return None


def _numpy(values: torch.Tensor | Sequence[float]) -> np.ndarray:
    if isinstance(values, torch.Tensor):
        return values.detach().to(torch.float64).reshape(-1).numpy()
    return np.asarray(values, dtype=np.float64).reshape(-1)
