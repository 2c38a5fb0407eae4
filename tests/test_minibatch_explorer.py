"""Unit tests for helpers.minibatch_explorer: it runs the given loop, draws what it returned, and answers in words.

The loop (``train``) and the data with what the notebook computes about it (``fit``: the least-squares line
and the full-batch stability limit) are loaded from the notebook on minibatches itself, so these tests
exercise the lesson as written.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
import torch
from support import CountingTrain, explorer_pixels

from course.lesson import load_definitions
from course.series import notebook_titled
from helpers.line_fit import clipped
from helpers.minibatch_explorer import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_EPOCHS,
    DEFAULT_LEARNING_RATE,
    MinibatchExplorer,
    ResultError,
    clean_run,
    describe_run,
)

LESSON = load_definitions(notebook_titled("Minibatches and validation"), ["train", "fit"])
train, FIT = LESSON["train"], LESSON["fit"]
N = FIT.n


@pytest.fixture(scope="module")
def shared_explorer():
    return MinibatchExplorer(train, FIT)


@pytest.fixture
def explorer(shared_explorer):
    """The module's explorer (built once: drawing its contours takes a while), put back to its defaults."""
    shared_explorer.set_batch_size(DEFAULT_BATCH_SIZE)
    shared_explorer.set_learning_rate(DEFAULT_LEARNING_RATE)
    return shared_explorer


def moving_data(explorer):
    return [np.asarray(artist.get_xydata(), dtype=float) for artist in explorer.figure.live.moving]


def notebook_run(batch_size, lr, epochs=DEFAULT_EPOCHS):
    """The notebook's train, and the full-data MSE along its path computed here with torch in float64."""
    path, losses = train(FIT.x, FIT.y, batch_size, lr, epochs)
    x, y = FIT.x.double()[:, 0], FIT.y.double()
    full = ((path[:, :1].double() * x + path[:, 1:].double() - y) ** 2).mean(dim=1)
    return path, losses, full


# ---------------------------------------------------------------- what it draws and says


def test_the_default_status_counts_steps_per_epoch_and_the_short_last_batch(explorer):
    assert explorer.status_text.startswith(
        f"Batch size 4 (5 steps per epoch, the last of 1 row), learning rate 1.00e-01: {5 * DEFAULT_EPOCHS} steps in "
        f"{DEFAULT_EPOCHS} epochs."
    )
    assert f"(least squares {FIT.loss_star:.4g}; full batch at this rate: " in explorer.status_text
    assert (explorer.batch_size_slider.min, explorer.batch_size_slider.max) == (1, N)


@pytest.mark.parametrize("batch_size", [1, 2, 3, 5, 8, 16, 17])
def test_the_drawn_lines_are_the_notebooks_run(explorer, batch_size):
    explorer.set_learning_rate(0.05)
    text = explorer.set_batch_size(batch_size)
    path, losses, full = notebook_run(batch_size, 0.05)
    per_epoch = math.ceil(N / batch_size)
    assert len(losses) == DEFAULT_EPOCHS * per_epoch
    assert f"({'full batch, ' if batch_size == N else ''}{per_epoch} step" in text
    figure = explorer.figure
    assert np.allclose(figure.path.get_xdata(), path[:, 0].double().numpy())
    assert np.allclose(figure.path.get_ydata(), path[:, 1].double().numpy())
    assert np.allclose(figure.step_line.get_ydata(), full.numpy(), rtol=1e-9)
    assert np.allclose(figure.batch_line.get_ydata(), clipped(np.asarray(losses), figure.step_ax.get_ylim(), log=True))
    assert np.allclose(figure.epoch_line.get_xdata(), np.arange(DEFAULT_EPOCHS + 1))
    assert np.allclose(figure.epoch_line.get_ydata(), full.numpy()[::per_epoch])
    full_path, _, full_batch = notebook_run(N, 0.05)
    assert np.allclose(figure.full_batch_path.get_xdata(), full_path[:, 0].double().numpy())
    assert np.allclose(figure.full_batch_epochs.get_ydata(), full_batch.numpy())
    assert f"Full-data loss after {DEFAULT_EPOCHS} epochs: {full[-1].item():.4g}" in text


# Each verdict of describe_run: a batch size, a learning rate, and what the status line must say.
LIMIT = FIT.stability_limit
VERDICTS = [
    (N, 0.5 * LIMIT, ["(full batch, 1 step per epoch)", "It has reached the least-squares loss."]),
    (1, 0.5 * LIMIT, ["Last epoch: it jumped between", "follows 1 row, not all 17; a smaller rate or a larger batch calms it."]),
    (1, 0.8 * LIMIT, ["Diverged at step 25 (epoch 2)", f"Full batches are stable at this rate (limit {LIMIT:.4g})"]),
    (1, 0.6 * LIMIT, ["so the run is diverging, though not yet past the explorer's limit"]),
    (N, 10.0, ["Diverged at step", "at or above the stability limit"]),
    (N, 1e-3, ["Still on its way down: a larger learning rate or a smaller batch gets further"]),
]


@pytest.mark.parametrize(("batch_size", "rate", "said"), VERDICTS)
def test_each_verdict_says_what_the_run_did(explorer, batch_size, rate, said):
    explorer.set_batch_size(batch_size)
    text = explorer.set_learning_rate(rate)
    assert all(part in text for part in said), text


def test_a_batch_of_one_at_the_limit_diverges_in_words_with_the_step_and_draws_no_nan(explorer):
    calm = explorer_pixels(explorer)
    explorer.set_batch_size(1)
    text = explorer.set_learning_rate(1.0)
    assert "Diverged at step " in text and "(epoch 1)" in text
    assert "Lower the learning rate." in text and "Traceback" not in text
    for data in moving_data(explorer):
        assert data.size and np.isfinite(data).all()
    assert not np.array_equal(explorer_pixels(explorer), calm)


def test_settings_seen_before_are_remembered_not_rerun():
    counting = CountingTrain(train)
    explorer = MinibatchExplorer(counting, FIT)
    said_first = explorer.set_batch_size(3)
    explorer.set_batch_size(4)
    assert explorer.set_batch_size(3) == said_first
    rate, epochs = DEFAULT_LEARNING_RATE, DEFAULT_EPOCHS
    # Built at batch size 4 with full batches beside it, then batch size 3 once: nothing after that is run again.
    assert counting.calls == [(4, rate, epochs), (N, rate, epochs), (3, rate, epochs)]


def test_the_memory_of_runs_is_bounded(explorer):
    assert explorer.run.cache_info().maxsize is not None  # a classroom server runs one kernel per student


# ---------------------------------------------------------------- bad input, answered in words


def test_an_invalid_batch_size_is_answered_in_words_and_changes_nothing(explorer):
    # The other refusals are helpers.inputs' (test_inputs.py); changing nothing is the skeleton's (test_explorer.py).
    explorer.set_batch_size(2)
    assert explorer.set_batch_size(18) == (
        "The batch size must be at most 17; got 18. Nothing was run. "
        "Try a whole number from 1 (one row per step) to 17 (full batch)."
    )
    assert explorer.batch_size == 2 and explorer.batch_size_slider.value == 2


@pytest.mark.parametrize(
    ("returned", "expected"),
    [
        (None, "train(...) should return (path, losses); got NoneType."),
        ((torch.zeros(21, 3), [0.0] * 20), "train(...) returned a path of shape (21, 3); it should be one row (w, b) per step."),
        (
            (torch.zeros(5, 2), [0.0] * 4),
            f"train(...) returned 5 points and 4 losses; {DEFAULT_EPOCHS} epochs of 5 steps need {5 * DEFAULT_EPOCHS + 1} "
            f"points (the start first) and {5 * DEFAULT_EPOCHS} losses.",
        ),
    ],
)
def test_a_train_that_returns_the_wrong_things_is_answered_in_words(returned, expected):
    with pytest.raises(ResultError, match=re.escape(expected)):
        clean_run(returned, FIT, batch_size=4, epochs=DEFAULT_EPOCHS)


def test_the_notebooks_fit_is_the_least_squares_line_and_its_limit():
    design = np.column_stack([FIT.xs, np.ones(N)])
    w_star, b_star = np.linalg.lstsq(design, FIT.ys, rcond=None)[0]
    assert (FIT.w_star, FIT.b_star) == pytest.approx((w_star, b_star), rel=1e-6)
    assert FIT.stability_limit == pytest.approx(2 / np.linalg.eigvalsh(2 * design.T @ design / N)[-1], rel=1e-6)
    assert FIT.loss_star == pytest.approx(np.mean((design @ [w_star, b_star] - FIT.ys) ** 2), rel=1e-9)


# ---------------------------------------------------------------- clean_run and describe_run on their own


def test_clean_run_calls_a_huge_but_finite_loss_divergence_and_keeps_that_step():
    path = torch.tensor([[0.0, 0.0], [0.0, 1.0], [0.0, 1e5]])
    shown = clean_run((path, [1.0, 1.0]), FIT, batch_size=N, epochs=2)
    assert shown.run.diverged_at == 2 and len(shown.run.losses) == 3 and len(shown.batch_losses) == 2
    text = describe_run(shown, shown, FIT, N, 0.1, 2)
    assert "Diverged at step 2 (epoch 2): the full-data loss grew to 1e+10 from" in text
