"""Unit tests for helpers.descent_explorer: it re-runs the given loop, draws only finite points, and answers in words."""

import io
import math

import ipywidgets as widgets
import numpy as np
import pytest
import torch
from PIL import Image

from helpers.data import load_xy
from helpers.descent_explorer import (
    ITERATIONS_LABEL,
    LEARNING_RATE_LABEL,
    STANDARDISED_LABEL,
    STATUS_CLASS,
    Landscape,
    descent_explorer,
)
from helpers.live_figure import RUN_HINT

X, Y = load_xy("linear_17.csv")
X_STANDARDISED = (X - X.mean()) / X.std()
LIMIT = 1.3025e-3  # 2/L for the raw data (notebook 06)


def train(x, y, learning_rate, iterations):
    """The loop of notebook 06 (seeded start, SSE, zeroed gradients, update under no_grad, divergence stop)."""
    torch.manual_seed(0)
    w = torch.randn(1, requires_grad=True)
    b = torch.randn(1, requires_grad=True)
    ws, bs, losses = [w.item()], [b.item()], []
    for i in range(iterations):
        loss = (torch.matmul(x, w) + b - y).pow(2).sum()
        w.grad, b.grad = None, None
        loss.backward()
        losses.append(loss.item())
        if not math.isfinite(losses[-1]) or losses[-1] > 1e6 * losses[0]:
            return ws, bs, losses, i
        with torch.no_grad():
            w -= learning_rate * w.grad
            b -= learning_rate * b.grad
        ws.append(w.item())
        bs.append(b.item())
    return ws, bs, losses, None


class CountingTrain:
    def __init__(self, function=train):
        self.function = function
        self.calls = []

    def __call__(self, x, y, learning_rate, iterations):
        self.calls.append((learning_rate, iterations))
        return self.function(x, y, learning_rate, iterations)


@pytest.fixture(scope="module")
def shared_explorer():
    return descent_explorer(train, X, Y, x_standardised=X_STANDARDISED, iterations=100)


@pytest.fixture
def explorer(shared_explorer):
    """The module's explorer (built once: it draws two figures), put back to raw x, 100 iterations, rate 1e-4."""
    shared_explorer.set_standardised(False)
    shared_explorer.set_iterations(100)
    shared_explorer.set_learning_rate(1e-4)
    return shared_explorer


def image(explorer):
    (picture,) = explorer._figure_box.children
    return np.asarray(Image.open(io.BytesIO(picture.value)).convert("RGB"))


def moving_data(explorer):
    view = explorer._views[explorer.standardised]
    return [np.asarray(artist.get_xydata(), dtype=float) for artist in (view.line, view.loss_line, view.path, view.end)]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "The learning rate must be positive; got 0. Nothing was run."),
        (-0.5, "The learning rate must be positive; got -0.5. Nothing was run."),
        (float("nan"), "The learning rate must be a finite number; got nan. Nothing was run."),
        (float("inf"), "The learning rate must be a finite number; got inf. Nothing was run."),
        ("fast", "The learning rate must be a number; got 'fast'. Nothing was run."),
        (None, "The learning rate must be a number; got None. Nothing was run."),
    ],
)
def test_invalid_learning_rates_are_answered_in_words_and_change_nothing(explorer, value, expected):
    explorer.set_learning_rate(2e-4)
    before = image(explorer)
    text = explorer.set_learning_rate(value)
    assert text.startswith(expected)
    assert explorer.status_text == text and expected.split(";")[0] in explorer.status.value
    assert explorer.learning_rate == 2e-4
    assert np.array_equal(image(explorer), before)


def test_a_tiny_learning_rate_says_it_barely_moved(explorer):
    text = explorer.set_learning_rate(1e-8)
    assert "It has barely moved" in text and "diverged" not in text
    assert explorer.learning_rate_slider.value == pytest.approx(1e-8)


def test_learning_rate_10_diverges_in_words_with_the_step_and_draws_no_nan(explorer):
    calm = image(explorer)
    text = explorer.set_learning_rate(10)
    assert "Learning rate 1.00e+01, 100 iterations: diverged at step 1:" in text
    assert "above the stability limit 2/L = 1.3025e-03" in text
    for data in moving_data(explorer):
        assert data.size and np.isfinite(data).all()
    assert not np.array_equal(image(explorer), calm)


def test_just_above_the_limit_warns_before_it_diverges(explorer):
    explorer.set_iterations(20)
    text = explorer.set_learning_rate(1.35e-3)
    assert "above the stability limit" in text and "more iterations will make it diverge" in text
    assert "diverged at step" in explorer.set_iterations(100)


def test_below_the_limit_it_reports_the_gap_to_least_squares(explorer):
    text = explorer.set_learning_rate(1e-3)
    assert "Still " in text and "least squares w = 0.2516, b = 0.7988" in text
    assert explorer.learning_rate < LIMIT


def test_standardised_x_reaches_the_optimum_in_a_few_steps(explorer):
    explorer.set_iterations(5)
    text = explorer.set_standardised(True)
    text = explorer.set_learning_rate(1 / 33)
    assert "It has reached the least-squares fit." in text
    assert explorer.standardised_toggle.value is True


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "The number of iterations must be positive; got 0."),
        (2.5, "The number of iterations must be a whole number from 1 to 500; got 2.5."),
        (1000, "The number of iterations must be a whole number from 1 to 500; got 1000."),
        (float("nan"), "The number of iterations must be a finite number; got nan."),
        ("ten", "The number of iterations must be a number; got 'ten'."),
    ],
)
def test_invalid_iterations_are_answered_in_words(explorer, value, expected):
    assert explorer.set_iterations(value).startswith(expected)
    assert explorer.iterations == 100


def test_each_slider_change_runs_the_given_loop_once_from_the_widget():
    counting = CountingTrain()
    explorer = descent_explorer(counting, X, Y, iterations=30)
    assert counting.calls == [(1e-4, 30)]
    explorer.learning_rate_slider.value = 1e-3
    explorer.iterations_slider.value = 40
    assert counting.calls == [(1e-4, 30), (pytest.approx(1e-3), 30), (pytest.approx(1e-3), 40)]
    assert "40 iterations" in explorer.status_text


def test_a_value_beyond_the_slider_range_runs_as_given_and_moves_the_slider_to_its_end():
    counting = CountingTrain()
    explorer = descent_explorer(counting, X, Y, iterations=10)
    text = explorer.set_learning_rate(100.0)
    assert counting.calls[-1] == (100.0, 10) and len(counting.calls) == 2
    assert "diverged at step" in text
    assert explorer.learning_rate_slider.value == pytest.approx(10.0)


def test_a_failing_train_is_reported_not_raised():
    def broken(x, y, learning_rate, iterations):
        raise RuntimeError("shapes do not match")

    explorer = descent_explorer(train, X, Y, iterations=10)
    explorer._train = broken
    text = explorer.set_learning_rate(1e-3)
    assert text == "train(...) raised RuntimeError: shapes do not match. Fix train and run its cell again."


def test_nan_losses_from_a_train_without_a_stop_count_as_divergence():
    def no_stop(x, y, learning_rate, iterations):
        ws, bs, losses, _ = train(x, y, learning_rate, iterations)
        return [*ws, math.nan], [*bs, math.nan], [*losses, math.inf, math.nan], None

    explorer = descent_explorer(no_stop, X, Y, iterations=10)
    assert "diverged at step 10" in explorer.status_text
    for data in moving_data(explorer):
        assert np.isfinite(data).all()


def test_without_x_standardised_there_is_no_toggle_and_asking_for_it_is_answered():
    explorer = descent_explorer(train, X, Y, iterations=10)
    assert explorer.standardised_toggle is None
    assert explorer.set_standardised(True).startswith("This explorer has no standardised x")
    assert explorer.standardised is False


def test_invalid_starting_values_raise_a_clear_error():
    with pytest.raises(ValueError, match="The learning rate must be positive; got 0"):
        descent_explorer(train, X, Y, learning_rate=0)
    with pytest.raises(ValueError, match="The number of iterations must be a number"):
        descent_explorer(train, X, Y, iterations=None)


def test_panel_hooks_for_the_browser_and_the_unrun_notebook(explorer):
    assert explorer.panel._repr_mimebundle_()["text/plain"] == RUN_HINT
    assert STATUS_CLASS in explorer.status._dom_classes
    assert isinstance(explorer.learning_rate_slider, widgets.FloatLogSlider)
    assert explorer.learning_rate_slider.description == LEARNING_RATE_LABEL == "learning rate"
    assert explorer.iterations_slider.description == ITERATIONS_LABEL == "iterations"
    assert explorer.standardised_toggle.description == STANDARDISED_LABEL
    assert (explorer.learning_rate_slider.min, explorer.learning_rate_slider.max) == (-8, 1)


def test_landscape_solves_least_squares_and_the_stability_limit():
    land = Landscape.of(X, Y)
    assert (land.w_star, land.b_star, land.sse_star) == pytest.approx((0.251635, 0.798801, 2.615580), abs=2e-6)
    assert land.stability_limit == pytest.approx(LIMIT, rel=1e-4)
    exact = Landscape.of(torch.tensor([[0.0], [1.0], [2.0]]), torch.tensor([1.0, 3.0, 5.0]))
    assert (exact.w_star, exact.b_star, exact.sse_star) == pytest.approx((2.0, 1.0, 0.0), abs=1e-9)
