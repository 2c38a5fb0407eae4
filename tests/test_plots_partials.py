"""Unit tests for helpers.plots.plot_partial_slices: the picture of notebook 01's partial derivatives."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib.figure import Figure

from helpers.plots import plot_partial_slices


def f(x1, x2):
    return x1**2 * x2 + np.sin(x2)


POINT = (1.0, 0.5)
PARTIALS = (2 * 1.0 * 0.5, 1.0**2 + np.cos(0.5))


pytestmark = pytest.mark.usefixtures("close_figures")


@pytest.fixture
def drawn():
    return plot_partial_slices(f, POINT, PARTIALS)


def test_draws_the_contour_and_two_slices_and_returns_every_moving_part(drawn):
    contour_ax, x1_ax, x2_ax = drawn.figure.axes
    along_x1, along_x2 = drawn.slices
    assert {drawn.point, along_x1.line, along_x2.line} <= set(contour_ax.get_lines())
    assert drawn.gradient in contour_ax.collections and drawn.level_curve in contour_ax.collections
    assert set(along_x1[1:]) == set(x1_ax.get_lines()) and set(along_x2[1:]) == set(x2_ax.get_lines())
    assert len(drawn.moving) == 3 + 2 * 4 and len(set(drawn.moving)) == len(drawn.moving)


def test_slices_follow_f_with_the_other_variable_held_constant(drawn):
    along_x1, along_x2 = drawn.slices
    s1, v1 = along_x1.curve.get_data()
    s2, v2 = along_x2.curve.get_data()
    np.testing.assert_allclose(v1, f(np.asarray(s1), POINT[1]))
    np.testing.assert_allclose(v2, f(POINT[0], np.asarray(s2)))
    np.testing.assert_allclose(along_x1.line.get_xydata(), [[-2.0, POINT[1]], [2.0, POINT[1]]])
    np.testing.assert_allclose(along_x2.line.get_xydata(), [[POINT[0], -2.0], [POINT[0], 2.0]])


def test_tangent_lines_touch_the_point_with_the_partials_as_slopes(drawn):
    f0 = f(*POINT)
    for part, start, slope in zip(drawn.slices, POINT, PARTIALS, strict=True):
        xs, ys = (np.asarray(v, dtype=float) for v in part.tangent.get_data())
        assert (ys[1] - ys[0]) / (xs[1] - xs[0]) == pytest.approx(slope)
        assert ys[0] + slope * (start - xs[0]) == pytest.approx(f0)
        assert part.point.get_data() == ([start], [f0])


def test_gradient_arrow_starts_at_the_point_and_level_curve_passes_through_it(drawn):
    np.testing.assert_allclose(drawn.gradient.get_offsets(), [POINT])
    np.testing.assert_allclose([drawn.gradient.U[0], drawn.gradient.V[0]], PARTIALS)
    assert drawn.point.get_data() == ([POINT[0]], [POINT[1]])
    vertices = np.concatenate([path.vertices for path in drawn.level_curve.get_paths()])
    assert np.min(np.hypot(*(vertices - POINT).T)) < 0.02


def test_contour_axes_are_square_and_limited_to_the_ranges():
    drawn = plot_partial_slices(f, POINT, PARTIALS, x1_range=(-1, 3), x2_range=(-2, 2)).figure
    contour_ax = drawn.axes[0]
    assert contour_ax.get_xlim() == (-1, 3)
    assert contour_ax.get_ylim() == (-2, 2)
    assert contour_ax.get_aspect() == 1.0
    assert drawn.axes[1].get_xlim() == (-1, 3)


def test_draws_into_a_given_figure():
    given = Figure()
    assert plot_partial_slices(f, POINT, PARTIALS, figure=given).figure is given
    assert len(given.axes) == 3


def test_point_outside_the_ranges_is_refused_with_the_fix():
    with pytest.raises(ValueError, match=r"x2 = 5 is off the plot: choose x2 between -2 and 2, or widen x2_range\."):
        plot_partial_slices(f, (0.0, 5.0), PARTIALS, figure=Figure())
