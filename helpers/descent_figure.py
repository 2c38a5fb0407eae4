"""The gradient-descent explorer's figure for one input x: three panels, drawn once, then only the moving lines change.

* the data with the current fitted line,
* the loss curve (log scale) with the least-squares loss dashed,
* the contours of the sum of squared errors over (w, b), the least-squares optimum, the start (circle), the path
  and its end (square), each named in the legend.

The still parts are laid out around the first run's start and the optimum; an update repaints only the
line, the loss curve, the path and its end (see :class:`helpers.live_figure.LiveFigure`). Values far outside
the picture, as a diverging run produces, are clipped so that a line still leaves the box in the right
direction. :func:`start_path_end`, :func:`loss_grid`, :func:`padded` and :func:`clipped` serve the minibatch
explorer's figure too. Colours and marker shapes come from :mod:`helpers.palette`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from helpers import palette, plots
from helpers.descent_runs import Bowl, LineData, Run
from helpers.live_figure import LiveFigure

GRID_POINTS = 120
# How far beyond the visible box a point may be drawn: far enough that a clipped segment leaves the
# box in the right direction, near enough that the renderer never sees astronomically large numbers.
CLIP_SPANS = 1e3


class DescentFigure:
    """The three panels for ``bowl``, laid out around ``first`` (its start) and the optimum; :meth:`show` moves them."""

    def __init__(self, bowl: Bowl, first: Run, x_label: str, max_iterations: int) -> None:
        xs, ys = bowl.xs, bowl.ys
        figure = Figure(figsize=(12.0, 3.6), dpi=80, layout="constrained")
        data_ax, loss_ax, contour_ax = figure.subplots(1, 3)

        plots.plot_data(bowl.x, bowl.y, ax=data_ax, title="The data and the current line")
        data_ax.set(xlabel=x_label, xlim=padded(xs.min(), xs.max(), 0.08), ylim=padded(ys.min(), ys.max(), 0.4))
        (self.line,) = data_ax.plot([], [], color=palette.FIT, linewidth=2)

        start_loss = float(first.losses[0])
        loss_ax.axhline(bowl.sse_star, color=palette.COMPARISON, linestyle="--", linewidth=1, label="least squares")
        loss_ax.set(
            yscale="log",
            xlim=(0, max_iterations),
            ylim=(bowl.sse_star / 2, max(start_loss, bowl.sse_star) * 20),
            xlabel="iteration",
            ylabel="loss (sum of squared errors)",
            title="Loss during training",
        )
        loss_ax.legend(loc="upper right")
        (self.loss_line,) = loss_ax.plot([], [], color=palette.RUN)

        w_grid, b_grid, sse = loss_grid(bowl, float(first.ws[0]), float(first.bs[0]), bowl.sse)
        plots.plot_loss_landscape(
            w_grid, b_grid, sse, optimum=(bowl.w_star, bowl.b_star), ax=contour_ax,
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


# The share of the b range added above the box for the legend: two rows at 16 px take about a quarter of the axes.
LEGEND_ROOM = 0.4


def start_path_end(ax: Axes, w0: float, b0: float) -> tuple[Line2D, Line2D]:
    """Mark the start (w0, b0) on ``ax`` and add the path and its end, empty for now, with a legend that names each.

    Start and end differ in marker shape (palette.START_MARKER, palette.END_MARKER) as well as colour.
    Returns the path and the end marker, which an update moves.
    """
    ax.plot([w0], [b0], palette.START_MARKER, color=palette.START, markersize=8, label="start", zorder=5)
    (path,) = ax.plot([], [], ".-", color=palette.RUN, markersize=3, linewidth=1, label="path")
    (end,) = ax.plot([], [], palette.END_MARKER, color=palette.END, markersize=7, label="end", zorder=5)
    ax.legend(loc="upper right", ncols=2)
    return path, end


def loss_grid(
    line: LineData, w0: float, b0: float, loss: Callable[[np.ndarray, np.ndarray], np.ndarray]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``loss`` of ``line`` on a grid over a box holding the start (w0, b0) and the optimum (computed once per figure).

    The box has extra room at the top for the legend (upper right), so the legend never hides the optimum or the start.
    """
    w_grid = np.linspace(*padded(min(w0, line.w_star), max(w0, line.w_star), 0.35), GRID_POINTS)
    b_low, b_high = padded(min(b0, line.b_star), max(b0, line.b_star), 0.35)
    b_grid = np.linspace(b_low, b_high + LEGEND_ROOM * (b_high - b_low), GRID_POINTS)
    return w_grid, b_grid, loss(w_grid[None, :], b_grid[:, None])


def padded(low: float, high: float, fraction: float) -> tuple[float, float]:
    """The span from ``low`` to ``high`` (at least 0.5 wide) widened by ``fraction`` of it on each side."""
    span = max(float(high - low), 0.5)
    return float(low) - fraction * span, float(high) + fraction * span


def clipped(values: np.ndarray, limits: tuple[float, float], log: bool = False) -> np.ndarray:
    """``values`` clipped to ``CLIP_SPANS`` spans beyond ``limits`` (on a log axis: that factor beyond them)."""
    low, high = sorted(limits)
    if log:
        return np.clip(values, low / CLIP_SPANS, high * CLIP_SPANS)
    span = high - low
    return np.clip(values, low - CLIP_SPANS * span, high + CLIP_SPANS * span)
