"""What the line-fit explorers share: the data with its loss, a run of the notebook's ``train``, and figure parts.

* :class:`LineFit`: the data of a line fit y ≈ w x + b, its loss (the sum or the mean of the squared errors)
  and what the notebook computed about it, the least-squares line (w*, b*) and the stability limit 2/λ_max,
  checked once. The explorers take these from the notebook rather than solving the lesson again.
* :class:`Run` and :meth:`Run.cleaned`: one call of ``train``, as arrays fit to draw: the path of (w, b) from
  the start, the loss along it, finite values only, cut where the run diverged; :func:`drawn` checks it first.
* :func:`loss_contours`, :func:`start_path_end`, :func:`show_path`, :func:`padded` and :func:`clipped`: the parts of an explorer's
  figure that show a path over the loss contours, and keep a diverging run drawable.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from helpers import palette, plots
from helpers.inputs import read_number

LOSSES: dict[str, Callable[..., np.ndarray]] = {"sse": np.sum, "mse": np.mean}  # of the squared errors
BLOWN_UP = 1e6  # a loss this many times its start means the run diverged (the notebooks' train stops there too)
GRID_POINTS = 120
# How far beyond the visible box a point may be drawn: far enough that a clipped segment leaves the
# box in the right direction, near enough that the renderer never sees astronomically large numbers.
CLIP_SPANS = 1e3
# The share of the b range added above the box for the legend: two rows at 16 px take about a quarter of the axes.
LEGEND_ROOM = 0.4


@dataclass(frozen=True, eq=False)
class LineFit:
    """The data of a line fit y ≈ w x + b with its ``loss`` ("sse" or "mse") and what the notebook computed about it.

    ``x`` is n×1 (the shape the notebooks' ``train`` takes) and ``y`` has n values, n ≥ 2; ``w_star`` and
    ``b_star`` are the least-squares line and ``stability_limit`` the largest stable learning rate 2/λ_max of
    full-batch gradient descent on that loss. Wrong values raise a ValueError that says which one.
    """

    x: torch.Tensor = field(repr=False)
    y: torch.Tensor = field(repr=False)
    w_star: float
    b_star: float
    stability_limit: float
    loss: str = "sse"

    def __post_init__(self) -> None:
        problems = [
            read_number(self.w_star, "least-squares w_star", positive=False)[1],
            read_number(self.b_star, "least-squares b_star", positive=False)[1],
            read_number(self.stability_limit, "stability limit 2/λ_max")[1],
            self._data_problem(),
        ]
        if self.loss not in LOSSES:
            problems.append(f"The loss must be one of {', '.join(map(repr, LOSSES))}; got {self.loss!r}.")
        found = [problem for problem in problems if problem is not None]
        if found:
            raise ValueError(" ".join(found))
        for name in ("w_star", "b_star", "stability_limit"):
            object.__setattr__(self, name, float(getattr(self, name)))

    def _data_problem(self) -> str | None:
        """What is wrong with ``x`` and ``y``, in words, or None."""
        if not isinstance(self.x, torch.Tensor) or self.x.ndim != 2 or self.x.shape[1] != 1:
            return f"x must be an n×1 tensor, as train takes it; got {_shape(self.x)}."
        if not isinstance(self.y, torch.Tensor) or self.y.shape != (len(self.x),) or len(self.x) < 2:
            return f"y must be a tensor of n values, n ≥ 2, one per row of x; got {_shape(self.y)} for x of {_shape(self.x)}."
        return None

    @cached_property
    def xs(self) -> np.ndarray:
        """x as a flat float64 array."""
        return as_array(self.x).reshape(-1)

    @cached_property
    def ys(self) -> np.ndarray:
        """y as a flat float64 array."""
        return as_array(self.y).reshape(-1)

    @property
    def n(self) -> int:
        """The number of points."""
        return len(self.xs)

    def loss_of(self, w: np.ndarray | float, b: np.ndarray | float) -> np.ndarray:
        """The loss of the line(s) y = w x + b on this data, broadcast over arrays ``w`` and ``b``."""
        w, b = np.asarray(w, dtype=np.float64), np.asarray(b, dtype=np.float64)
        with np.errstate(over="ignore", invalid="ignore"):
            return LOSSES[self.loss]((w[..., None] * self.xs + b[..., None] - self.ys) ** 2, axis=-1)

    @cached_property
    def loss_star(self) -> float:
        """The least-squares loss: the loss at (w_star, b_star)."""
        return float(self.loss_of(self.w_star, self.b_star))


@dataclass(frozen=True)
class Run:
    """One call of a notebook's ``train``, fit to draw: the path from the start, the loss along it, where it diverged.

    ``ws`` and ``bs`` are the path, the start first; ``losses`` the loss at each point of it (one fewer when
    ``train`` records the loss before each step and did not stop); ``diverged_at`` the step at which the loss
    stopped being a finite number or grew ``BLOWN_UP`` times past its start (None if it did not).
    """

    ws: np.ndarray
    bs: np.ndarray
    losses: np.ndarray
    diverged_at: int | None

    @classmethod
    def cleaned(cls, path_w: object, path_b: object, path_losses: object, diverged_at: int | None = None) -> Run:
        """The run, cut at divergence: ``diverged_at`` as ``train`` said, or the first loss that is not finite or blew up.

        The step that blew up is kept when it is finite (that overshoot is what the student should see); after
        the cut only the points whose w, b and loss are all finite remain.
        """
        ws, bs, losses = (as_array(values).reshape(-1) for values in (path_w, path_b, path_losses))
        finite = np.isfinite(losses) & np.isfinite(ws[: len(losses)]) & np.isfinite(bs[: len(losses)])
        with np.errstate(invalid="ignore"):
            bad = ~finite | (losses > BLOWN_UP * losses[0]) if len(losses) else finite
        if bad.any():
            first_bad = int(np.argmax(bad))
            diverged_at = first_bad if diverged_at is None else min(diverged_at, first_bad)
        if diverged_at is not None:
            keep = diverged_at + 1 if finite[: diverged_at + 1].all() else diverged_at
            keep = max(keep, 1) if len(losses) else 0
            ws, bs, losses = ws[:keep], bs[:keep], losses[:keep]
            finite_points = np.isfinite(ws) & np.isfinite(bs) & np.isfinite(losses)
            ws, bs, losses = ws[finite_points], bs[finite_points], losses[finite_points]
        return cls(ws, bs, losses, diverged_at)


class ResultError(ValueError):
    """What ``train`` returned cannot be drawn; the message says why, in words."""


def drawn(result: object, call: str) -> Run:
    """What ``call`` returned, ``(ws, bs, losses, diverged_at)``, as a :class:`Run`, or a :class:`ResultError` saying why not."""
    if not isinstance(result, tuple | list) or len(result) != 4:
        raise ResultError(f"{call}(...) should return (ws, bs, losses, diverged_at); it returned {type(result).__name__}.")
    try:
        run = Run.cleaned(*result)
    except Exception as error:  # ragged or non-numeric lists: said in words, not as a traceback
        raise ResultError(f"What {call}(...) returned cannot be drawn: {error}") from error
    if not len(run.losses) or not len(run.ws):
        raise ResultError(f"{call}(...) returned no losses, so there is nothing to draw. It should record one per step.")
    return run


def as_array(values: object) -> np.ndarray:
    """``values`` (a tensor, list or array) as a float64 numpy array of the same shape."""
    if isinstance(values, torch.Tensor):
        return values.detach().to(torch.float64).numpy()
    return np.asarray(values, dtype=np.float64)


def _shape(value: object) -> str:
    shape = getattr(value, "shape", None)
    return f"shape {tuple(shape)}" if shape is not None else repr(value)


def loss_contours(ax: Axes, fit: LineFit, w0: float, b0: float, title: str) -> None:
    """Contour the loss of ``fit`` on ``ax`` over a box holding the start (w0, b0) and the optimum, which is marked.

    The box has extra room at the top for the legend (upper right), so the legend never hides the optimum or the start.
    """
    w_grid = np.linspace(*padded(min(w0, fit.w_star), max(w0, fit.w_star), 0.35), GRID_POINTS)
    b_low, b_high = padded(min(b0, fit.b_star), max(b0, fit.b_star), 0.35)
    b_grid = np.linspace(b_low, b_high + LEGEND_ROOM * (b_high - b_low), GRID_POINTS)
    losses = fit.loss_of(w_grid[None, :], b_grid[:, None])
    plots.plot_loss_landscape(w_grid, b_grid, losses, optimum=(fit.w_star, fit.b_star), ax=ax, title=title)


def show_path(ax: Axes, path: Line2D, end: Line2D, run: Run) -> None:
    """Point ``path`` and its ``end`` marker on ``ax`` at the path of ``run``, clipped (see :func:`clipped`)."""
    ws, bs = clipped(run.ws, ax.get_xlim()), clipped(run.bs, ax.get_ylim())
    path.set_data(ws, bs)
    end.set_data(ws[-1:], bs[-1:])


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
