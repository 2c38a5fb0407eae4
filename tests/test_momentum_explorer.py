"""Unit tests for helpers.momentum_explorer: the notebook's loop run twice, bad values answered in words, divergence said.

The loop, the data and what notebook 08 computes about them (least-squares line, plain descent's stability limit)
are loaded from the notebook itself, found by its title, so these tests exercise the lesson as written.
"""

import numpy as np
import pytest
from support import CountingTrain, explorer_pixels

from course.lesson import load_definitions
from course.series import notebook_titled
from helpers.momentum_explorer import ITERATIONS, MomentumExplorer

LESSON = load_definitions(notebook_titled("Momentum and Adam"), ["train_momentum", "raw"])
train_momentum, RAW = LESSON["train_momentum"], LESSON["raw"]
LIMIT = RAW.stability_limit


@pytest.fixture(scope="module")
def shared_explorer():
    return MomentumExplorer(train_momentum, RAW)


@pytest.fixture
def explorer(shared_explorer):
    """The module's explorer (built once: it draws its figure once), put back to η = 1e-3, β = 0.9."""
    shared_explorer.set_learning_rate(1e-3)
    shared_explorer.set_beta(0.9)
    return shared_explorer


def test_a_run_is_the_notebooks_loop_momentum_beside_plain_descent_from_the_same_start(explorer):
    explorer.set_learning_rate(2e-4)
    explorer.set_beta(0.5)
    figure = explorer.figure
    for beta, path, loss in ((0.0, figure.plain_path, figure.plain_loss), (0.5, figure.momentum_path, figure.momentum_loss)):
        ws, bs, losses, _ = train_momentum(RAW.x, RAW.y, 2e-4, beta, ITERATIONS)
        assert np.array_equal(path.get_xdata(), ws) and np.array_equal(path.get_ydata(), bs)
        assert np.array_equal(loss.get_ydata(), losses)


def test_a_beta_change_reruns_only_momentum():
    counting = CountingTrain(train_momentum)
    explorer = MomentumExplorer(counting, RAW)
    assert counting.calls == [(1e-3, 0.0, ITERATIONS), (1e-3, 0.9, ITERATIONS)]
    explorer.set_beta(0.5)
    assert counting.calls[2:] == [(1e-3, 0.5, ITERATIONS)]


def test_a_diverging_rate_is_answered_in_words_with_the_step_and_the_limits(explorer):
    calm = explorer_pixels(explorer)
    text = explorer.set_learning_rate(1e-2)
    assert text.startswith("η = 1.00e-2, β = 0.9, 200 steps. Momentum diverged at step ")
    assert f"η is above its limit 2(1+β)/λ_max = {1.9 * LIMIT:.2e}".replace("e-0", "e-") in text
    assert "Plain descent diverged at step " in text and "2/λ_max = 1.30e-3" in text
    assert not np.array_equal(explorer_pixels(explorer), calm)
    figure = explorer.figure
    for line in (figure.plain_path, figure.momentum_path, figure.plain_loss, figure.momentum_loss):
        data = np.asarray(line.get_xydata(), dtype=float)
        assert data.size and np.isfinite(data).all()


def test_between_the_two_limits_only_plain_descent_diverges(explorer):
    text = explorer.set_learning_rate(2e-3)
    assert "Momentum reached the least-squares loss" in text
    assert "Plain descent diverged at step" in text


def test_beta_one_is_the_forgetful_loop_and_says_nothing_damps_it(explorer):
    text = explorer.set_beta(1)
    assert "With β = 1 nothing damps its swings." in text and "diverged" not in text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1.5, "The momentum β must be between 0 and 1; got 1.5."),
        (-0.1, "The momentum β must be between 0 and 1; got -0.1."),
        ("fast", "The momentum β must be a number; got 'fast'."),
    ],
)
def test_a_bad_beta_is_answered_in_words_and_changes_nothing(explorer, value, expected):
    text = explorer.set_beta(value)
    assert text.startswith(f"{expected} Nothing was run. Try a value from 0 to 1")
    assert explorer.beta == 0.9 and explorer.beta_slider.value == 0.9
