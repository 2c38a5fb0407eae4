"""The figures the notebooks draw, so no notebook repeats plotting boilerplate.

Each function takes the data to show and returns the matplotlib Figure it drew on
(pass ``ax`` to draw into an existing axes instead). Nothing here computes a model
or a loss: the notebooks do that and hand the results in.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
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
    losses: torch.Tensor | Sequence[float], ax: Axes | None = None, title: str = "Loss during training", log: bool = True
) -> Figure:
    """Plot the loss against the iteration number, on a log scale by default because losses fall by orders of magnitude."""
    ax = _axes(ax)
    ax.plot(range(len(_flat(losses))), _flat(losses))
    ax.set(xlabel="iteration", ylabel="loss", title=title)
    if log:
        ax.set_yscale("log")
    return ax.figure
