"""Unit tests for helpers.partials_explorer: the explorer moves its picture and shows every method's partials."""

import numpy as np
import pytest

from helpers.partials_explorer import PartialsExplorer


def f(x1, x2):
    return x1**2 * x2 + np.sin(x2)


def by_hand(x1, x2):
    return 2 * x1 * x2, x1**2 + np.cos(x2)


def finite_differences(x1, x2, h=1e-4):
    return (f(x1 + h, x2) - f(x1 - h, x2)) / (2 * h), (f(x1, x2 + h) - f(x1, x2 - h)) / (2 * h)


def shifted(x1, x2):
    """A third method whose numbers differ from the others, to tell the rows apart."""
    return 2 * x1 * x2 + 10, x1**2 + np.cos(x2) + 10


METHODS = {"by hand": by_hand, "finite differences": finite_differences, "shifted": shifted}


@pytest.fixture(scope="module")
def explorer():
    return PartialsExplorer(f, METHODS, start=(1.0, 0.5))


def test_readout_shows_the_partials_of_every_method(explorer):
    text = explorer.set_point(1.0, 0.5)
    d1, d2 = by_hand(1.0, 0.5)
    assert f"by hand: ∂f/∂x1 = {d1:.6f}, ∂f/∂x2 = {d2:.6f}" in text
    assert f"finite differences: ∂f/∂x1 = {d1:.6f}, ∂f/∂x2 = {d2:.6f}" in text
    assert f"shifted: ∂f/∂x1 = {d1 + 10:.6f}, ∂f/∂x2 = {d2 + 10:.6f}" in text
    for name in METHODS:
        assert name in explorer.status.value
    assert f"{d2 + 10:.6f}" in explorer.status.value
    assert explorer.partials["by hand"] == pytest.approx((d1, d2))


def test_moving_a_slider_redraws_and_the_moving_artists_follow_the_point(explorer):
    explorer.set_point(1.0, 0.5)
    image = bytes(explorer.live.widget.value)
    explorer.x2_slider.value = -0.7
    assert explorer.point == (1.0, -0.7)
    assert "At (x1, x2) = (1.00, -0.70)" in explorer.status_text
    assert bytes(explorer.live.widget.value) != image
    assert explorer.set_point(-0.5, 1.5).startswith("At (x1, x2) = (-0.50, 1.50)")
    assert (explorer.x1_slider.value, explorer.x2_slider.value) == (-0.5, 1.5)
    # Where PartialSlices.move puts each artist is test_plots_partials.py's; the level curve is the explorer's own.
    art = explorer._artists
    assert art.point.get_data() == ([-0.5], [1.5])
    np.testing.assert_allclose([art.gradient.U[0], art.gradient.V[0]], by_hand(-0.5, 1.5))
    vertices = np.concatenate([path.vertices for path in art.level_curve.get_paths()])
    assert np.min(np.hypot(*(vertices - [-0.5, 1.5]).T)) < 0.05


def test_point_off_the_plot_is_refused_in_words_and_nothing_moves(explorer):
    explorer.set_point(1.0, 0.5)
    image = bytes(explorer.live.widget.value)
    text = explorer.set_point(3.0, 0.0)
    assert text == "x1 = 3 is off the plot: choose x1 between -2 and 2, or widen x1_range."
    assert explorer.point == (1.0, 0.5)
    assert bytes(explorer.live.widget.value) == image
    assert explorer.set_point("one", 0.0) == "The point must be two numbers (x1, x2); got ('one', 0.0)."


def test_a_method_that_fails_later_is_reported_in_the_readout():
    def fragile(x1, x2):
        if x1 < 0:
            raise ZeroDivisionError("no negative x1, please")
        return by_hand(x1, x2)

    explorer = PartialsExplorer(f, {"fragile": fragile})
    text = explorer.set_point(-1.0, 0.0)
    assert text == "At (x1, x2) = (-1.00, 0.00): no negative x1, please"
    assert "no negative x1" in explorer.status.value


@pytest.mark.parametrize(
    ("methods", "message"),
    [
        ({"one number": lambda x1, x2: 1.0}, r"'one number' returned 1.0 at \(x1, x2\) = \(1, 0.5\); it must return two numbers"),
        ({"text": lambda x1, x2: ("1", "2")}, r"'text' returned \('1', '2'\).*two numbers"),
        ({"three": lambda x1, x2: (1, 2, 3)}, r"'three' returned \(1, 2, 3\).*two numbers"),
        ({"nan": lambda x1, x2: (np.nan, 1)}, r"'nan' returned \(nan, 1.0\).*not finite"),
    ],
)
def test_a_broken_method_is_named_when_the_explorer_is_built(methods, message):
    with pytest.raises(ValueError, match=message):
        PartialsExplorer(f, methods)


def test_bad_options_say_how_to_fix_them():
    with pytest.raises(TypeError, match="methods must be a non-empty dict"):
        PartialsExplorer(f, {})
    with pytest.raises(TypeError, match="f must be a function"):
        PartialsExplorer(3.0, METHODS)
    with pytest.raises(ValueError, match="x1_range must be finite with low < high"):
        PartialsExplorer(f, METHODS, x1_range=(2, -2))
    with pytest.raises(ValueError, match="x2_range must be two numbers"):
        PartialsExplorer(f, METHODS, x2_range=2)
    with pytest.raises(ValueError, match=r"x2 = 4 is off the plot: choose x2 between -2 and 2, or widen x2_range\."):
        PartialsExplorer(f, METHODS, start=(0.0, 4.0))


def value_box(explorer, slider):
    """The text box beside ``slider`` in the explorer's controls."""
    (controls_row, *_) = explorer.panel.children
    (box,) = [control.children[1] for control in controls_row.children if control.children[0] is slider]
    return box


def test_typed_coordinates_are_used_as_typed_and_one_off_the_plot_is_refused_in_words():
    explorer = PartialsExplorer(f, METHODS, start=(1.0, 0.5))
    assert explorer.x1_slider.readout is False and value_box(explorer, explorer.x1_slider).value == "1"
    value_box(explorer, explorer.x1_slider).value = "0.03"
    assert explorer.point == (0.03, 0.5)  # not snapped to the slider's 0.05 steps
    assert explorer.status_text.startswith("At (x1, x2) = (0.03, 0.50)")
    value_box(explorer, explorer.x2_slider).value = "3"
    assert explorer.status_text == "x2 = 3 is off the plot: choose x2 between -2 and 2, or widen x2_range."
    assert explorer.point == (0.03, 0.5) and value_box(explorer, explorer.x2_slider).value == "0.5"
    assert explorer.live.widget.tooltip.endswith(explorer.status_text)
