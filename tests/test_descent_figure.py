"""Properties of helpers.descent_figure's clipping and padding, which keep a diverging run drawable.

A point far outside the visible box is pulled in to at most ``CLIP_SPANS`` spans beyond it (on a log axis,
that factor beyond it), so the renderer never sees astronomically large numbers, yet it stays on the same
side of the box, so a clipped segment still leaves the box in the right direction.
"""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from helpers.descent_figure import CLIP_SPANS, clipped, padded

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
