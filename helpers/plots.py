"""The figures the notebooks draw, so no notebook repeats plotting boilerplate.

Each function takes the data to show and returns the matplotlib Figure it drew on
(pass ``ax`` to draw into an existing axes instead). Nothing here computes a model
or a loss: the notebooks do that and hand the results in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure

FIGSIZE = (6.4, 4.0)


def _axes(ax: Axes | None, figsize: tuple[float, float] = FIGSIZE) -> Axes:
    if ax is not None:
        return ax
    _, new_ax = plt.subplots(figsize=figsize)
    return new_ax


def _flat(values: torch.Tensor | Sequence[float]) -> list[float]:
    return torch.as_tensor(values, dtype=torch.float64).detach().reshape(-1).tolist()


def plot_data(x: torch.Tensor, y: torch.Tensor, ax: Axes | None = None, title: str = "The data") -> Figure:
    """Scatter the points (x, y); x may be n×1 as the models use it."""
    ax = _axes(ax)
    ax.scatter(_flat(x), _flat(y), color="tab:blue", label="data")
    ax.set(xlabel="x", ylabel="y", title=title)
    return ax.figure


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
    for label, (w, b) in lines.items():
        ax.plot(span, [float(w) * v + float(b) for v in span], label=label)
    ax.legend()
    return ax.figure


def plot_loss_curve(
    losses: torch.Tensor | Sequence[float],
    ax: Axes | None = None,
    title: str = "Loss during training",
    log: bool = True,
    label: str | None = None,
    minimum: float | None = None,
) -> Figure:
    """Plot the loss against the iteration number, on a log scale by default because losses fall by orders of magnitude.

    Give ``label`` to compare several runs on one ``ax`` (a legend is added), and ``minimum`` to mark the
    lowest loss possible (e.g. the least-squares loss) with a dashed line.
    """
    ax = _axes(ax)
    values = _flat(losses)
    ax.plot(range(len(values)), values, label=label)
    if minimum is not None:
        ax.axhline(float(minimum), color="gray", linestyle="--", linewidth=1, label=f"minimum {float(minimum):.4f}")
    ax.set(xlabel="iteration", ylabel="loss", title=title)
    if log:
        ax.set_yscale("log")
    if label is not None or minimum is not None:
        ax.legend()
    return ax.figure


def plot_loss_landscape(
    w_grid: torch.Tensor | Sequence[float],
    b_grid: torch.Tensor | Sequence[float],
    loss_grid: torch.Tensor | Sequence[Sequence[float]],
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
    ax.contour(ws, bs, grid.tolist(), levels=levels, colors="tab:gray", linewidths=0.7)
    for label, (path_w, path_b) in (paths or {}).items():
        ax.plot(_flat(path_w), _flat(path_b), ".-", markersize=3, linewidth=1, label=label)
    if optimum is not None:
        ax.plot([float(optimum[0])], [float(optimum[1])], "*", color="black", markersize=12, label="least squares")
    ax.set(xlabel="w", ylabel="b", title=title, xlim=(ws[0], ws[-1]), ylim=(bs[0], bs[-1]))
    if paths or optimum is not None:
        ax.legend(loc="upper right")
    return ax.figure


def plot_partial_slices(
    f: Callable[[np.ndarray, np.ndarray], np.ndarray],
    point: tuple[float, float],
    partials: tuple[float, float],
    x1_range: tuple[float, float] = (-2.0, 2.0),
    x2_range: tuple[float, float] = (-2.0, 2.0),
    arrow_scale: float = 0.25,
    figure: Figure | None = None,
) -> Figure:
    """Picture the partial derivatives of ``f(x1, x2)`` at ``point``, given ``partials`` = (∂f/∂x1, ∂f/∂x2) there.

    Left: level curves of f, the point, the level curve through it, the two slice lines through it, and
    the gradient drawn as an arrow ``arrow_scale`` times its length. Middle and right: f along each slice
    (the other variable held constant) with the tangent line whose slope is that partial derivative.
    ``f`` must accept numpy arrays. The artists that depend on the point carry gids (``"point"``,
    ``"gradient"``, ``"level-curve"``, ``"x1-slice-line"``, ``"x1-slice"``, ``"x1-tangent"``, ``"x1-point"``
    and the same for x2) so that an explorer can move them; all axis limits are fixed by the ranges.
    """
    x1, x2 = (float(v) for v in point)
    for value, (low, high), name in ((x1, x1_range, "x1"), (x2, x2_range, "x2")):
        if not low <= value <= high:
            raise ValueError(f"The point's {name} = {value:g} is outside {name}_range ({low:g}, {high:g}): widen the range.")
    d1, d2 = (float(v) for v in partials)
    figure = figure if figure is not None else plt.figure(figsize=(11.0, 3.6), layout="constrained")
    contour_ax, x1_ax, x2_ax = figure.subplots(1, 3)
    grid1, grid2 = np.meshgrid(np.linspace(*x1_range, 161), np.linspace(*x2_range, 161))
    values = np.asarray(f(grid1, grid2), dtype=np.float64)
    low, high = float(values.min()), float(values.max())
    margin = 0.05 * max(high - low, 1e-12)
    f0 = float(f(x1, x2))

    contour_ax.contourf(grid1, grid2, values, levels=16, cmap="Blues", alpha=0.7)
    contour_ax.contour(grid1, grid2, values, levels=16, colors="white", linewidths=0.5, negative_linestyles="solid")
    level = contour_ax.contour(grid1, grid2, values, levels=[f0], colors="black", linewidths=1.2)
    level.set_gid("level-curve")
    contour_ax.plot(x1_range, [x2, x2], color="tab:orange", linewidth=1.5, gid="x1-slice-line")
    contour_ax.plot([x1, x1], x2_range, color="tab:purple", linewidth=1.5, gid="x2-slice-line")
    contour_ax.quiver(
        [x1], [x2], [d1], [d2], angles="xy", scale_units="xy", scale=1 / arrow_scale,
        color="crimson", width=0.012, zorder=4, gid="gradient",
    )
    contour_ax.plot([x1], [x2], "o", color="black", markersize=6, zorder=5, gid="point")
    contour_ax.set(
        xlim=x1_range, ylim=x2_range, aspect="equal", xlabel="x1", ylabel="x2",
        title=f"Level curves of f, gradient × {arrow_scale:g}",
    )

    for ax, name, color, span, fixed, start, slope, along in (
        (x1_ax, "x1", "tab:orange", x1_range, "x2", x1, d1, lambda s: f(s, x2)),
        (x2_ax, "x2", "tab:purple", x2_range, "x1", x2, d2, lambda s: f(x1, s)),
    ):
        steps = np.linspace(*span, 200)
        ax.plot(steps, along(steps), color=color, linewidth=2, gid=f"{name}-slice", label=f"f with {fixed} held constant")
        ax.plot(
            span, [f0 + slope * (end - start) for end in span], "--", color="black", linewidth=1.2,
            gid=f"{name}-tangent", label=f"tangent, slope ∂f/∂{name}",
        )
        ax.plot([start], [f0], "o", color="black", markersize=6, gid=f"{name}-point")
        ax.set(
            xlim=span, ylim=(low - margin, high + margin), xlabel=name, ylabel="f",
            title=f"Slice along {name} ({fixed} held constant)",
        )
        ax.legend(loc="upper left", fontsize="small")
    return figure
