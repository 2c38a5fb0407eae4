"""What the gradient-descent explorer knows about a fit, and what it says about one run of the notebook's ``train``.

* :class:`LineData`: the data of a line fit y ≈ w x + b with what the notebook computed about it (the
  least-squares answer and the stability limit 2/λ_max), checked once; the minibatch explorer's
  :class:`helpers.minibatch_figure.LineFit` builds on it too.
* :class:`Bowl`: one input x with its targets y and what the notebook computed about them: the
  least-squares answer (w*, b*) and the stability limit 2/λ_max. The explorer takes these from the notebook
  rather than solving the lesson again.
* :class:`Run` and :func:`clean_run`: one call of ``train``, as arrays fit to draw (finite values only,
  cut at divergence); :func:`first_steps`: what ``train`` returns for fewer iterations, read off a longer run.
* :func:`describe_run`: the status line: diverged (and at which step), diverging but not stopped yet, still on
  its way, barely moved, or at the least-squares fit.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import torch

from helpers.inputs import read_number

TrainResult = tuple[Sequence[float], Sequence[float], Sequence[float], int | None]
TrainFunction = Callable[[torch.Tensor, torch.Tensor, float, int], TrainResult]


@dataclass(frozen=True, eq=False)
class LineData:
    """The data of a line fit y ≈ w x + b, with the least-squares line and the stability limit as the notebook computed them.

    ``w_star`` and ``b_star`` are the least-squares line and ``stability_limit`` the largest stable learning
    rate 2/λ_max. Wrong values raise a ValueError that says which one; a subclass adds what it asks of ``x``
    and ``y`` in :meth:`_data_problems`.
    """

    x: torch.Tensor = field(repr=False)
    y: torch.Tensor = field(repr=False)
    w_star: float
    b_star: float
    stability_limit: float

    def __post_init__(self) -> None:
        problems = [
            read_number(self.w_star, "least-squares w_star", positive=False)[1],
            read_number(self.b_star, "least-squares b_star", positive=False)[1],
            read_number(self.stability_limit, "stability limit 2/λ_max")[1],
            *self._data_problems(),
        ]
        found = [problem for problem in problems if problem is not None]
        if found:
            raise ValueError(" ".join(found))
        for name in ("w_star", "b_star", "stability_limit"):
            object.__setattr__(self, name, float(getattr(self, name)))

    def _data_problems(self) -> list[str]:
        """What is wrong with ``x`` and ``y``, in words (nothing here; a subclass says what it needs)."""
        return []

    @cached_property
    def xs(self) -> np.ndarray:
        """x as a flat float64 array."""
        return as_array(self.x).reshape(-1)

    @cached_property
    def ys(self) -> np.ndarray:
        """y as a flat float64 array."""
        return as_array(self.y).reshape(-1)

    def squared_errors(self, w: np.ndarray | float, b: np.ndarray | float) -> np.ndarray:
        """The squared error at each point (the last axis) of the line(s) y = w x + b, broadcast over ``w`` and ``b``."""
        w, b = np.asarray(w, dtype=np.float64), np.asarray(b, dtype=np.float64)
        return (w[..., None] * self.xs + b[..., None] - self.ys) ** 2


@dataclass(frozen=True, eq=False)
class Bowl(LineData):
    """The data of one fit, y ≈ w x + b, with its least-squares answer and stability limit as the notebook computed them.

    ``x`` is n×1 (or n) and ``y`` has n values; ``w_star`` and ``b_star`` are the least-squares line, and
    ``stability_limit`` is the largest stable learning rate 2/λ_max. Wrong values raise a ValueError that says
    which one.
    """

    def _data_problems(self) -> list[str]:
        """x and y must hold the same number of points, at least 2."""
        if len(self.xs) != len(self.ys) or len(self.xs) < 2:
            return [f"x and y must hold the same number of points, at least 2; got {len(self.xs)} and {len(self.ys)}."]
        return []

    def sse(self, w: np.ndarray | float, b: np.ndarray | float) -> np.ndarray:
        """The sum of squared errors of the line(s) y = w x + b on this data, broadcast over arrays ``w`` and ``b``."""
        return np.sum(self.squared_errors(w, b), axis=-1)

    @cached_property
    def sse_star(self) -> float:
        """The least-squares loss: the sum of squared errors at (w_star, b_star)."""
        return float(self.sse(self.w_star, self.b_star))


@dataclass(frozen=True)
class Run:
    """One call of the notebook's ``train``, cleaned for drawing: finite values only, cut at divergence."""

    learning_rate: float
    iterations: int
    ws: np.ndarray
    bs: np.ndarray
    losses: np.ndarray
    diverged_at: int | None


def clean_run(result: TrainResult, learning_rate: float, iterations: int) -> Run:
    """Turn train's lists into arrays, and cut them at the first non-finite value (divergence even if train missed it)."""
    ws_given, bs_given, losses_given, diverged_at = result
    ws, bs, losses = (as_array(values).reshape(-1) for values in (ws_given, bs_given, losses_given))
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


def describe_run(run: Run, bowl: Bowl) -> str:
    """Say in words what a run did: diverged (and at which step), diverging, still on its way, or at the least-squares fit."""
    lr, limit, sse_star = run.learning_rate, bowl.stability_limit, bowl.sse_star
    header = f"Learning rate {lr:.2e}, {run.iterations} iterations: "
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
        f"w = {w:.4f}, b = {b:.4f} (least squares w = {bowl.w_star:.4f}, b = {bowl.b_star:.4f}). "
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


def as_array(values: object) -> np.ndarray:
    """``values`` (a tensor, list or array) as a float64 numpy array of the same shape."""
    if isinstance(values, torch.Tensor):
        return values.detach().to(torch.float64).numpy()
    return np.asarray(values, dtype=np.float64)
