"""Unit tests for helpers.plots.plot_partial_slices: the picture of notebook 01's partial derivatives."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from helpers.plots import plot_partial_slices


def f(x1, x2):
    return x1**2 * x2 + np.sin(x2)


POINT = (1.0, 0.5)
PARTIALS = (2 * 1.0 * 0.5, 1.0**2 + np.cos(0.5))


@pytest.fixture
def figure():
    drawn = plot_partial_slices(f, POINT, PARTIALS)
    yield drawn
    plt.close(drawn)


def by_gid(figure: Figure) -> dict:
    return {artist.get_gid(): artist for artist in figure.findobj(lambda a: a.get_gid() is not None)}


def test_draws_the_contour_and_two_slices_with_every_moving_part_named(figure):
    assert isinstance(figure, Figure)
    assert len(figure.axes) == 3
    expected = {"point", "gradient", "level-curve"} | {
        f"{name}-{part}" for name in ("x1", "x2") for part in ("slice-line", "slice", "tangent", "point")
    }
    assert set(by_gid(figure)) == expected


def test_slices_follow_f_with_the_other_variable_held_constant(figure):
    art = by_gid(figure)
    s1, v1 = art["x1-slice"].get_data()
    s2, v2 = art["x2-slice"].get_data()
    np.testing.assert_allclose(v1, f(np.asarray(s1), POINT[1]))
    np.testing.assert_allclose(v2, f(POINT[0], np.asarray(s2)))


def test_tangent_lines_touch_the_point_with_the_partials_as_slopes(figure):
    art = by_gid(figure)
    f0 = f(*POINT)
    for name, start, slope in (("x1", POINT[0], PARTIALS[0]), ("x2", POINT[1], PARTIALS[1])):
        xs, ys = (np.asarray(v, dtype=float) for v in art[f"{name}-tangent"].get_data())
        assert (ys[1] - ys[0]) / (xs[1] - xs[0]) == pytest.approx(slope)
        assert ys[0] + slope * (start - xs[0]) == pytest.approx(f0)
        assert art[f"{name}-point"].get_data() == ([start], [f0])


def test_gradient_arrow_starts_at_the_point_and_level_curve_passes_through_it(figure):
    art = by_gid(figure)
    np.testing.assert_allclose(art["gradient"].get_offsets(), [POINT])
    np.testing.assert_allclose([art["gradient"].U[0], art["gradient"].V[0]], PARTIALS)
    vertices = np.concatenate([path.vertices for path in art["level-curve"].get_paths()])
    assert np.min(np.hypot(*(vertices - POINT).T)) < 0.02


def test_contour_axes_are_square_and_limited_to_the_ranges():
    drawn = plot_partial_slices(f, POINT, PARTIALS, x1_range=(-1, 3), x2_range=(-2, 2))
    contour_ax = drawn.axes[0]
    assert contour_ax.get_xlim() == (-1, 3)
    assert contour_ax.get_ylim() == (-2, 2)
    assert contour_ax.get_aspect() == 1.0
    assert drawn.axes[1].get_xlim() == (-1, 3)
    plt.close(drawn)


def test_draws_into_a_given_figure():
    given = Figure()
    assert plot_partial_slices(f, POINT, PARTIALS, figure=given) is given
    assert len(given.axes) == 3


def test_point_outside_the_ranges_is_refused_with_the_fix():
    with pytest.raises(ValueError, match=r"x2 = 5 is outside x2_range \(-2, 2\): widen the range"):
        plot_partial_slices(f, (0.0, 5.0), PARTIALS, figure=Figure())
