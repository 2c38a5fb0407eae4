"""The figures the notebooks draw, so no notebook repeats plotting boilerplate.

Each function takes the data to show and returns the matplotlib Figure it drew on
(pass ``ax`` to draw into an existing axes instead); :func:`plot_partial_slices` returns
its figure together with the artists an explorer moves. Nothing here computes a model
or a loss: the notebooks do that and hand the results in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.contour import QuadContourSet
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.quiver import Quiver

from helpers import palette
from helpers.inputs import checked_point

FIGSIZE = (6.4, 4.0)
VARIABLES = ("x1", "x2")
GRID_POINTS = 161  # along each variable, for the level curves of f
SLICE_POINTS = 200  # along each slice

# A function of two variables that works on single numbers and on numpy arrays alike, as numpy's own do.
Surface = Callable[[Any, Any], Any]


def _axes(ax: Axes | None, figsize: tuple[float, float] = FIGSIZE) -> Axes:
    if ax is not None:
        return ax
    _, new_ax = plt.subplots(figsize=figsize)
    return new_ax


def _figure_of(ax: Axes) -> Figure:
    """The figure ``ax`` is drawn in (the whole figure, also when ``ax`` sits in a subfigure)."""
    return ax.figure.get_figure(root=True)


def _flat(values: torch.Tensor | np.ndarray | Sequence[float]) -> list[float]:
    return torch.as_tensor(values, dtype=torch.float64).detach().reshape(-1).tolist()


def plot_data(x: torch.Tensor, y: torch.Tensor, ax: Axes | None = None, title: str = "The data") -> Figure:
    """Scatter the points (x, y); x may be n×1 as the models use it."""
    ax = _axes(ax)
    ax.scatter(_flat(x), _flat(y), color=palette.DATA, label="data")
    ax.set(xlabel="x", ylabel="y", title=title)
    return _figure_of(ax)


def plot_fit(
    x: torch.Tensor,
    y: torch.Tensor,
    lines: dict[str, tuple[float, float]],
    ax: Axes | None = None,
    title: str = "The data and the fitted line",
) -> Figure:
    """Scatter the data and draw each line ``y = w x + b``, given as ``{label: (w, b)}``."""
    ax = _axes(ax)
    plot_data(x, y, ax=ax, title=title)
    xs = _flat(x)
    span = [min(xs), max(xs)]
    for index, (label, (w, b)) in enumerate(lines.items(), start=1):  # style 0 is the data's colour
        ax.plot(span, [float(w) * v + float(b) for v in span], label=label, **palette.series_style(index))
    ax.legend()
    return _figure_of(ax)


def plot_loss_curve(
    losses: torch.Tensor | np.ndarray | Sequence[float],
    ax: Axes | None = None,
    title: str = "Loss during training",
    label: str | None = None,
) -> Figure:
    """Plot the loss against the iteration number, on a log scale because losses fall by orders of magnitude.

    Give ``label`` to compare several runs on one ``ax`` (a legend is added).
    """
    ax = _axes(ax)
    values = _flat(losses)
    ax.plot(range(len(values)), values, label=label, **palette.series_style(len(ax.get_lines())))
    ax.set(xlabel="iteration", ylabel="loss", title=title)
    ax.set_yscale("log")
    if label is not None:
        ax.legend()
    return _figure_of(ax)


def plot_loss_landscape(
    w_grid: torch.Tensor | np.ndarray | Sequence[float],
    b_grid: torch.Tensor | np.ndarray | Sequence[float],
    loss_grid: torch.Tensor | np.ndarray | Sequence[Sequence[float]],
    paths: Mapping[str, tuple[Sequence[float], Sequence[float]]] | None = None,
    optimum: tuple[float, float] | None = None,
    ax: Axes | None = None,
    title: str = "The loss over (w, b)",
) -> Figure:
    """Contour the loss over a grid of (w, b), with gradient-descent paths ``{label: (ws, bs)}`` and the optimum marked.

    ``loss_grid[i][j]`` is the loss at ``(w_grid[j], b_grid[i])``, as ``torch.meshgrid(b_grid, w_grid, indexing="ij")``
    lays it out. Contour levels are spaced evenly in log(loss - minimum), so the narrow valley near the
    minimum shows as well as the steep walls.
    """
    ax = _axes(ax)
    ws, bs = _flat(w_grid), _flat(b_grid)
    grid = torch.as_tensor(loss_grid, dtype=torch.float64)
    if tuple(grid.shape) != (len(bs), len(ws)):
        raise ValueError(
            f"loss_grid has shape {tuple(grid.shape)} but must be (len(b_grid), len(w_grid)) = ({len(bs)}, {len(ws)}): "
            "row i holds the losses at b_grid[i]. Build it with torch.meshgrid(b_grid, w_grid, indexing='ij')."
        )
    low, high = grid.min().item(), grid.max().item()
    span = max(high - low, 1e-12)
    levels = (low + span * torch.logspace(-4, 0, 16, dtype=torch.float64)).tolist()
    ax.contour(ws, bs, grid.tolist(), levels=levels, colors=palette.COMPARISON, linewidths=0.7)
    for index, (label, (path_w, path_b)) in enumerate((paths or {}).items()):
        ax.plot(_flat(path_w), _flat(path_b), markersize=4, linewidth=1, label=label, **palette.path_style(index))
    if optimum is not None:
        ax.plot(
            [float(optimum[0])], [float(optimum[1])], palette.OPTIMUM_MARKER, color=palette.OPTIMUM, markersize=12,
            label="least squares",
        )
    ax.set(xlabel="w", ylabel="b", title=title, xlim=(ws[0], ws[-1]), ylim=(bs[0], bs[-1]))
    if paths or optimum is not None:
        ax.legend(loc="upper right")
    return _figure_of(ax)


class Slice(NamedTuple):
    """What :func:`plot_partial_slices` drew for one variable's slice (the other variable held constant)."""

    line: Line2D  # the slice's path across the level-curve plot
    curve: Line2D  # f along the slice
    tangent: Line2D  # the tangent line whose slope is the partial derivative
    point: Line2D  # the point on the curve


class PartialSlices(NamedTuple):
    """The figure :func:`plot_partial_slices` drew, and every artist that depends on the point (an explorer moves them)."""

    figure: Figure
    point: Line2D
    level_curve: QuadContourSet  # the level curve through the point
    gradient: Quiver
    slices: tuple[Slice, Slice]  # along x1 (x2 held constant), along x2 (x1 held constant)
    ranges: tuple[tuple[float, float], tuple[float, float]]  # of x1 and of x2

    @property
    def moving(self) -> list[Artist]:
        """Every artist that depends on the point, for :class:`helpers.live_figure.LiveFigure`."""
        return [self.point, self.level_curve, self.gradient, *(artist for part in self.slices for artist in part)]

    def move(self, f: Surface, point: tuple[float, float], partials: tuple[float, float]) -> None:
        """Put the point, the gradient arrow, the slices and their tangents at ``point`` (all but the level curve)."""
        x1, x2 = point
        f0 = float(np.asarray(f(x1, x2)))
        self.point.set_data([x1], [x2])
        self.gradient.set_offsets([[x1, x2]])
        self.gradient.set_UVC([partials[0]], [partials[1]])
        (x1_range, x2_range), (along_x1, along_x2) = self.ranges, self.slices
        along_x1.line.set_data(list(x1_range), [x2, x2])
        along_x2.line.set_data([x1, x1], list(x2_range))
        for part, span, along, start, slope in (
            (along_x1, x1_range, lambda s: f(s, x2), x1, partials[0]),
            (along_x2, x2_range, lambda s: f(x1, s), x2, partials[1]),
        ):
            steps = np.linspace(*span, SLICE_POINTS)
            part.curve.set_data(steps, np.broadcast_to(along(steps), steps.shape))
            part.tangent.set_data(list(span), [f0 + slope * (end - start) for end in span])
            part.point.set_data([start], [f0])


def plot_partial_slices(
    f: Surface,
    point: tuple[float, float],
    partials: tuple[float, float],
    x1_range: tuple[float, float] = (-2.0, 2.0),
    x2_range: tuple[float, float] = (-2.0, 2.0),
    arrow_scale: float = 0.25,
    figure: Figure | None = None,
) -> PartialSlices:
    """Picture the partial derivatives of ``f(x1, x2)`` at ``point``, given ``partials`` = (∂f/∂x1, ∂f/∂x2) there.

    Left: level curves of f, the point, the level curve through it, the two slice lines through it, and
    the gradient drawn as an arrow ``arrow_scale`` times its length. Middle and right: f along each slice
    (the other variable held constant) with the tangent line whose slope is that partial derivative.
    ``f`` must accept numpy arrays. All axis limits are fixed by the ranges. Returns the figure and the
    artists that depend on the point (:class:`PartialSlices`), so that an explorer can move them.
    """
    x1, x2 = checked_point(point, (x1_range, x2_range), VARIABLES)
    d1, d2 = (float(v) for v in partials)
    figure = figure if figure is not None else plt.figure(figsize=(11.0, 3.6), layout="constrained")
    contour_ax, x1_ax, x2_ax = figure.subplots(1, 3)
    grid1, grid2 = np.meshgrid(np.linspace(*x1_range, GRID_POINTS), np.linspace(*x2_range, GRID_POINTS))
    values = np.asarray(f(grid1, grid2), dtype=np.float64)
    low, high = float(values.min()), float(values.max())
    margin = 0.05 * max(high - low, 1e-12)
    f0 = float(np.asarray(f(x1, x2)))

    # Lightness alone tells the levels apart (a sequential map that reads the same without colour vision).
    contour_ax.contourf(grid1, grid2, values, levels=16, cmap="Blues", alpha=0.7)
    contour_ax.contour(grid1, grid2, values, levels=16, colors="white", linewidths=0.5, negative_linestyles="solid")
    level_curve = contour_ax.contour(grid1, grid2, values, levels=[f0], colors="black", linewidths=1.2)
    # The two slices differ in dash pattern as well as colour, here and in their own panels.
    along_x1: dict[str, Any] = {"color": palette.ORANGE, "linestyle": "-"}
    along_x2: dict[str, Any] = {"color": palette.REDDISH_PURPLE, "linestyle": "-."}
    (x1_line,) = contour_ax.plot([], [], linewidth=1.8, **along_x1)
    (x2_line,) = contour_ax.plot([], [], linewidth=1.8, **along_x2)
    gradient = contour_ax.quiver(
        [x1], [x2], [d1], [d2], angles="xy", scale_units="xy", scale=1 / arrow_scale,
        color=palette.VERMILLION, width=0.012, zorder=4,
    )
    (marker,) = contour_ax.plot([], [], "o", color=palette.BLACK, markersize=6, zorder=5)
    contour_ax.set(
        xlim=x1_range, ylim=x2_range, aspect="equal", xlabel="x1", ylabel="x2",
        title=f"Level curves of f,\ngradient × {arrow_scale:g}",
    )

    slices = []
    for ax, line, name, style, span, fixed in (
        (x1_ax, x1_line, "x1", along_x1, x1_range, "x2"),
        (x2_ax, x2_line, "x2", along_x2, x2_range, "x1"),
    ):
        (curve,) = ax.plot([], [], linewidth=2, label=f"f with {fixed} held constant", **style)
        (tangent,) = ax.plot([], [], "--", color=palette.BLACK, linewidth=1.2, label=f"tangent, slope ∂f/∂{name}")
        (on_curve,) = ax.plot([], [], "o", color=palette.BLACK, markersize=6)
        ax.set(
            xlim=span, ylim=(low - margin, high + margin), xlabel=name, ylabel="f",
            title=f"Slice along {name}\n({fixed} held constant)",
        )
        ax.legend(loc="upper left")
        slices.append(Slice(line, curve, tangent, on_curve))
    drawn = PartialSlices(figure, marker, level_curve, gradient, (slices[0], slices[1]), (x1_range, x2_range))
    drawn.move(f, (x1, x2), (d1, d2))
    return drawn
