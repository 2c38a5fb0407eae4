"""Unit tests for helpers.descent_explorer: it re-runs the given loop, draws only finite points, and answers in words.

The loop, the data and what the notebook on gradient descent computes about them (least-squares answer, stability
limit) are loaded from the notebook itself, so these tests exercise the lesson as written.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import CountingTrain, explorer_pixels

from course.lesson import load_definitions
from course.series import notebook_titled
from helpers.descent_explorer import (
    CHECKED_STEPS,
    MAX_ITERATIONS,
    DescentExplorer,
    descend,
    first_steps,
)

NOTEBOOK = notebook_titled("Fitting a line by gradient descent")
LESSON = load_definitions(NOTEBOOK, ["train", "raw", "standardised"])
train, RAW, STANDARDISED = LESSON["train"], LESSON["raw"], LESSON["standardised"]
LIMIT = RAW.stability_limit


@pytest.fixture(scope="module")
def shared_explorer():
    return DescentExplorer(train, RAW, standardised=STANDARDISED)


@pytest.fixture
def explorer(shared_explorer):
    """The module's explorer (built once: it draws two figures), put back to raw x, 100 iterations, rate 1e-4."""
    shared_explorer.set_standardised(False)
    shared_explorer.set_iterations(100)
    shared_explorer.set_learning_rate(1e-4)
    return shared_explorer


def moving_data(explorer):
    figure = explorer.figure
    return [np.asarray(artist.get_xydata(), dtype=float) for artist in (figure.line, figure.loss_line, figure.path, figure.end)]


def test_a_tiny_learning_rate_says_it_barely_moved(explorer):
    text = explorer.set_learning_rate(1e-8)
    assert "It has barely moved" in text and "diverged" not in text


def test_what_notebook_06_says_about_the_explorer_past_the_limit(explorer):
    """The notebook's "Things to try": one slider step past the limit diverges within the default iterations;
    1.33e-3, typed in, is stopped within the default 500 iterations, and diverging but not stopped at 150."""
    explorer.set_iterations(MAX_ITERATIONS)
    one_step_past = 10**-2.85  # the slider moves in steps of 0.05 powers of ten: 1.12e-3, 1.26e-3, 1.41e-3
    assert 10**-2.9 < LIMIT < one_step_past
    text = explorer.set_learning_rate(one_step_past)
    assert f"Learning rate 1.41e-03, {MAX_ITERATIONS} iterations: diverged at step 45" in text
    assert "above the stability limit" in text
    assert "diverged at step 168" in explorer.set_learning_rate(1.33e-3)
    text = explorer.set_iterations(150)
    assert "Learning rate 1.33e-03, 150 iterations: the loss grew from 976.1 to " in text
    assert f"above the stability limit 2/λ_max = {LIMIT:.4e}, so the run is diverging" in text
    assert "train has not stopped the loop yet; with more iterations it will." in text and "diverged at step" not in text


def test_a_rate_far_past_the_limit_is_reported_as_diverged_in_full_and_draws_no_nan(explorer):
    explorer.set_iterations(MAX_ITERATIONS)
    calm = explorer_pixels(explorer)
    assert explorer.set_learning_rate(10) == (
        "Learning rate 1.00e+01, 500 iterations: diverged at step 1: the loss grew to 2.29e+11 from 976.1, "
        "so the loop stopped. This learning rate is above the stability limit 2/λ_max = 1.3025e-03: each step "
        "overshoots the valley by more than it corrects. Lower the learning rate."
    )
    for data in moving_data(explorer):
        assert data.size and np.isfinite(data).all()
    assert not np.array_equal(explorer_pixels(explorer), calm)


def test_below_the_limit_it_reports_the_gap_to_the_notebooks_least_squares(explorer):
    text = explorer.set_learning_rate(0.77 * LIMIT)
    assert "Still " in text and f"least squares w = {RAW.w_star:.4f}, b = {RAW.b_star:.4f}" in text


def test_standardised_x_reaches_the_optimum_in_a_few_steps(explorer):
    explorer.set_iterations(5)
    explorer.set_standardised(True)
    design = np.column_stack([STANDARDISED.xs, np.ones_like(STANDARDISED.xs)])
    # The best single learning rate, 2/(λ_min + λ_max), as the curvature notebook derives it.
    text = explorer.set_learning_rate(2 / np.linalg.eigvalsh(2 * design.T @ design).sum())
    assert "It has reached the least-squares fit." in text
    assert f"least squares w = {STANDARDISED.w_star:.4f}" in text
    assert explorer.standardised_toggle.value is True
    assert explorer.limit_note.value == "stability limit 2/λ<sub>max</sub> = 5.88e-2"


def test_too_many_iterations_are_answered_in_words(explorer):
    # A fraction's wording is helpers.inputs' (test_inputs.py).
    expected = "The number of iterations must be at most 500; got 1000. Nothing was run. Try a whole number from 1 to 500."
    assert explorer.set_iterations(1000) == expected
    assert explorer.iterations == 100


def test_a_new_rate_runs_the_loop_once_for_the_most_iterations_and_the_iterations_slider_only_redraws():
    counting = CountingTrain(train)
    explorer = DescentExplorer(counting, RAW, standardised=STANDARDISED)
    assert counting.calls == [(1e-4, CHECKED_STEPS)]
    explorer.learning_rate_slider.value = 1e-3
    before = explorer_pixels(explorer)
    explorer.iterations_slider.value = 40
    assert counting.calls == [(1e-4, CHECKED_STEPS), (1e-3, CHECKED_STEPS)]
    assert "40 iterations" in explorer.status_text and not np.array_equal(explorer_pixels(explorer), before)
    explorer.set_learning_rate(1e-4)  # remembered: no new run
    assert len(counting.calls) == 2
    explorer.set_learning_rate(10.0)  # diverged within the checked steps: that is the whole run
    assert counting.calls[-1] == (10.0, CHECKED_STEPS) and "diverged at step 1" in explorer.status_text


LONGEST = 300


@settings(max_examples=40, deadline=None)
@given(log10_rate=st.floats(min_value=-5.0, max_value=-1.0), data=st.data())
def test_first_steps_of_a_long_run_are_what_train_returns_for_that_many_iterations(log10_rate, data):
    rate = 10**log10_rate
    longest = train(RAW.x, RAW.y, rate, LONGEST)
    anywhere = st.integers(min_value=1, max_value=LONGEST)
    if longest[3] is not None:  # a diverging run: also just before, at and just after the step it stopped
        anywhere = st.one_of(st.sampled_from([longest[3] - 1, longest[3], longest[3] + 1]).filter(lambda k: k >= 1), anywhere)
    iterations = data.draw(anywhere, label="iterations")
    shortened = first_steps(longest, iterations)
    ws, bs, losses, diverged_at = train(RAW.x, RAW.y, rate, iterations)
    assert shortened[3] == diverged_at
    for got, wanted in zip(shortened[:3], (ws, bs, losses), strict=True):
        assert np.array_equal(np.asarray(got, dtype=float), np.asarray(wanted, dtype=float))


@pytest.mark.parametrize("typed", ["2.15e-4", "1.15e-3", "3.25e-6"])
def test_a_typed_rate_draws_exactly_the_path_and_losses_of_the_notebooks_train(explorer, typed):
    """What the classroom benchmark's jump types: the figure shows train's own numbers for that value, every step."""
    explorer.set_iterations(MAX_ITERATIONS)
    box = explorer.panel.children[0].children[0].children[1]
    box.value = typed
    ws, bs, losses, diverged_at = train(RAW.x, RAW.y, float(typed), MAX_ITERATIONS)
    figure = explorer.figure
    assert diverged_at is None and explorer.learning_rate == float(typed)
    assert np.array_equal(figure.path.get_xdata(), np.asarray(ws)) and np.array_equal(figure.path.get_ydata(), np.asarray(bs))
    assert np.array_equal(figure.loss_line.get_ydata(), np.asarray(losses))


def test_a_train_edited_in_class_is_run_in_full_when_its_first_steps_differ():
    def halved_steps(x, y, learning_rate, iterations):  # as if the teacher typed 0.5 * learning_rate in optimize
        return train(x, y, learning_rate / 2, iterations)

    counting = CountingTrain(halved_steps)
    explorer = DescentExplorer(counting, RAW, standardised=STANDARDISED)
    assert counting.calls == [(1e-4, CHECKED_STEPS), (1e-4, MAX_ITERATIONS)]
    explorer.set_iterations(100)
    ws, _, losses, _ = train(RAW.x, RAW.y, 0.5e-4, 100)
    assert np.array_equal(explorer.figure.path.get_xdata(), ws) and np.array_equal(explorer.figure.loss_line.get_ydata(), losses)


@settings(max_examples=25, deadline=None)
@given(log10_rate=st.floats(min_value=-6.0, max_value=-2.5))
def test_descend_is_the_notebooks_train_bit_for_bit(log10_rate):
    """The faster run equals train's whole run, also for rates that diverge late (above 1.3e-3), on raw and standardised x."""
    for fit, scale in ((RAW, 1.0), (STANDARDISED, 40.0)):
        rate = 10**log10_rate * scale
        expected = train(fit.x, fit.y, rate, 500)
        assert descend(fit, expected[0][0], expected[1][0], rate, 500) == expected


def test_after_a_one_position_step_the_next_position_that_way_is_run_while_idle_and_after_a_jump_nothing():
    counting = CountingTrain(train)
    explorer = DescentExplorer(counting, RAW, standardised=STANDARDISED)
    assert not explorer.run_idle_work() and len(counting.calls) == 1  # before any move, nothing is run ahead
    explorer.learning_rate_slider.value = 10 ** (-4 + 0.05) * (1 + 1e-16)  # one position up, as the browser sends it
    assert len(counting.calls) == 2 and "Learning rate 1.12e-04, 500 iterations" in explorer.status_text
    assert explorer.run_idle_work() and counting.calls[-1] == (pytest.approx(10 ** (-4 + 0.10)), CHECKED_STEPS)
    explorer.learning_rate_slider.value = 10 ** (-4 + 0.10)  # the next key press finds its run ready
    assert len(counting.calls) == 3 and "Learning rate 1.26e-04" in explorer.status_text  # 1.41e-4 waits for idle time
    explorer.set_learning_rate(1e-3)  # a jump (or a typed value): the waiting run is dropped, the next cannot be guessed
    assert not explorer.run_idle_work() and counting.calls[-1] == (1e-3, CHECKED_STEPS)
    explorer.learning_rate_slider.value = 10**-6  # at the slider's end: nothing lies beyond
    explorer.learning_rate_slider.value = 10 ** (-6 + 0.05)
    explorer.learning_rate_slider.value = 10**-6
    assert not explorer.run_idle_work()


def test_nan_losses_from_a_train_without_a_stop_count_as_divergence():
    def no_stop(x, y, learning_rate, iterations):
        ws, bs, losses, _ = train(x, y, learning_rate, iterations)
        return [*ws[:-1], math.nan], [*bs[:-1], math.nan], [*losses[:-2], math.inf, math.nan], None

    explorer = DescentExplorer(no_stop, RAW, standardised=STANDARDISED)
    assert "diverged at step 498" in explorer.status_text
    for data in moving_data(explorer):
        assert np.isfinite(data).all()


def test_the_standardised_bowl_must_be_a_line_fit():
    with pytest.raises(TypeError, match="standardised must be a LineFit"):
        DescentExplorer(train, RAW, standardised=RAW.x)


def test_a_short_train_result_is_answered_in_words():
    def short(x, y, learning_rate, iterations):
        ws, bs, losses, _ = train(x, y, learning_rate, 5)
        return ws, bs, losses, None

    explorer = DescentExplorer(short, RAW, standardised=STANDARDISED)
    assert explorer.status_text == (
        "What train(...) returned cannot be drawn: it holds 5 losses for 500 iterations without saying that it "
        "diverged; it should record one loss per step. Fix train and run its cell again."
    )


@pytest.mark.parametrize("fit", [RAW, STANDARDISED], ids=["raw", "standardised"])
def test_the_notebooks_fits_hold_the_least_squares_answer_and_the_stability_limit(fit):
    design = np.column_stack([fit.xs, np.ones_like(fit.xs)])
    (w_star, b_star), *_ = np.linalg.lstsq(design, fit.ys, rcond=None)
    assert (fit.w_star, fit.b_star) == pytest.approx((w_star, b_star), rel=1e-5)
    assert fit.loss_star == pytest.approx(float(np.sum((design @ [w_star, b_star] - fit.ys) ** 2)), rel=1e-6)
    largest_curvature = np.linalg.eigvalsh(2 * design.T @ design)[-1]
    assert fit.stability_limit == pytest.approx(2 / largest_curvature, rel=1e-5)
