"""Unit tests for helpers.line_fit: the data with its loss, a run cut at divergence, and the figure parts.

Clipping and padding are properties: a point far outside the visible box is pulled in to at most
``CLIP_SPANS`` spans beyond it (on a log axis, that factor beyond it), so the renderer never sees
astronomically large numbers, yet it stays on the same side of the box, so a clipped segment still
leaves the box in the right direction.
"""

import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from helpers.line_fit import CLIP_SPANS, LineFit, Run, clipped, padded

LIMIT = st.floats(min_value=-1e6, max_value=1e6)
VALUES = st.lists(st.floats(allow_nan=False), min_size=1, max_size=20).map(np.array)
POSITIVE_LIMIT = st.floats(min_value=1e-8, max_value=1e8)
POSITIVE_VALUES = st.lists(st.floats(min_value=0.0, exclude_min=True), min_size=1, max_size=20).map(np.array)


def same_side(values: np.ndarray, shown: np.ndarray, edge: float) -> bool:
    return bool(np.array_equal(np.sign(values - edge), np.sign(shown - edge)))


@given(values=VALUES, limits=st.tuples(LIMIT, LIMIT).filter(lambda pair: pair[0] != pair[1]))
def test_clipping_bounds_every_value_keeps_the_near_ones_and_the_side_of_the_far_ones(values, limits):
    low, high = sorted(limits)
    span = high - low
    floor, ceiling = low - CLIP_SPANS * span, high + CLIP_SPANS * span
    shown = clipped(values, limits)
    assert np.array_equal(shown, clipped(values, limits[::-1])), "the order of the limits does not matter"
    assert ((floor <= shown) & (shown <= ceiling)).all()
    near = (floor <= values) & (values <= ceiling)
    assert np.array_equal(shown[near], values[near])
    assert same_side(values, shown, low) and same_side(values, shown, high)


@given(values=POSITIVE_VALUES, limits=st.tuples(POSITIVE_LIMIT, POSITIVE_LIMIT).filter(lambda pair: pair[0] != pair[1]))
def test_clipping_on_a_log_axis_works_in_factors_and_keeps_the_side(values, limits):
    low, high = sorted(limits)
    floor, ceiling = low / CLIP_SPANS, high * CLIP_SPANS
    shown = clipped(values, limits, log=True)
    assert ((floor <= shown) & (shown <= ceiling)).all()
    near = (floor <= values) & (values <= ceiling)
    assert np.array_equal(shown[near], values[near])
    assert same_side(values, shown, low) and same_side(values, shown, high)


@given(ends=st.tuples(LIMIT, LIMIT).map(sorted), fraction=st.floats(min_value=0.0, max_value=1.0))
def test_padding_holds_the_span_and_widens_it_by_the_fraction_of_at_least_half_a_unit(ends, fraction):
    low, high = ends
    padded_low, padded_high = padded(low, high, fraction)
    margin = fraction * max(high - low, 0.5)
    assert padded_low <= low and high <= padded_high
    assert np.isclose(low - padded_low, margin) and np.isclose(padded_high - high, margin)


X = torch.tensor([[0.0], [1.0], [2.0]])
Y = torch.tensor([1.0, 3.0, 6.0])


def test_a_line_fit_says_which_value_is_wrong():
    with pytest.raises(ValueError, match="The stability limit 2/λ_max must be positive; got -1"):
        LineFit(X, Y, 0.25, 0.8, -1.0)
    with pytest.raises(ValueError, match="The least-squares b_star must be a finite number; got nan"):
        LineFit(X, Y, 0.25, math.nan, 1e-3)
    with pytest.raises(ValueError, match="x must be an n×1 tensor, as train takes it; got shape \\(3,\\)"):
        LineFit(X[:, 0], Y, 0.0, 0.0, 1.0)
    with pytest.raises(ValueError, match="y must be a tensor of n values, n ≥ 2, one per row of x; got shape \\(2,\\)"):
        LineFit(X, Y[:2], 0.0, 0.0, 1.0)
    with pytest.raises(ValueError, match="The loss must be one of 'sse', 'mse'; got 'mae'"):
        LineFit(X, Y, 0.0, 0.0, 1.0, loss="mae")
    assert "tensor" not in repr(LineFit(X, Y, 2, 1, 0.1))


def test_the_loss_is_the_sum_or_the_mean_of_the_squared_errors_broadcast_over_lines():
    sse, mse = LineFit(X, Y, 2, 1, 0.1), LineFit(X, Y, 2, 1, 0.1, loss="mse")
    assert sse.w_star == 2.0 and isinstance(sse.w_star, float)
    assert sse.loss_star == 1.0 and mse.loss_star == pytest.approx(1 / 3)  # errors 0, 0, 1 at y = 2x + 1
    grid = sse.loss_of(np.array([[2.0, 0.0]]), np.array([[1.0], [0.0]]))
    assert grid.tolist() == [[1.0, 29.0], [6.0, 46.0]]
    assert sse.n == 3


def test_a_run_is_cut_where_train_or_its_losses_say_it_diverged_keeping_a_finite_blow_up():
    run = Run.cleaned([0.0, 0.5, 0.75, math.inf, math.nan], [0.0, 1.0, 2.0, 1.0, math.nan], [5.0, 2.0, 1.0, math.inf])
    assert run.diverged_at == 3 and run.ws.tolist() == [0.0, 0.5, 0.75] and np.isfinite(run.losses).all()
    blown = Run.cleaned([0.0, 1.0, 2.0, 3.0], [0.0, 0.0, 0.0, 0.0], [1.0, 2.0, 2e6, 4e12])
    assert blown.diverged_at == 2 and blown.losses.tolist() == [1.0, 2.0, 2e6]  # the step that blew up is kept
    stopped = Run.cleaned([0.0, 1.0, 50.0], [0.0, 1.0, 40.0], [2.0, 1.0, 3e6], diverged_at=2)  # train said where
    assert stopped.diverged_at == 2 and stopped.ws.tolist() == [0.0, 1.0, 50.0]
    calm = Run.cleaned([0.0, 1.0, 2.0], [0.0, 0.0, 0.0], [3.0, 2.0])  # one loss fewer than points: no step stopped
    assert calm.diverged_at is None and calm.ws.tolist() == [0.0, 1.0, 2.0]
