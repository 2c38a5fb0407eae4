"""Unit tests for helpers.inputs: one check and one wording per kind of value."""

import math

import numpy as np
import pytest
import torch

from helpers.inputs import (
    as_number,
    as_numbers,
    checked,
    checked_point,
    checked_span,
    read_number,
    read_typed,
    read_whole_number,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(3, 3.0), (2.5, 2.5), (np.float64(0.5), 0.5), (torch.tensor(4.0), 4.0), (math.nan, math.nan)],
)
def test_as_number_takes_single_numbers_of_any_kind(value, expected):
    assert as_number(value) == pytest.approx(expected, nan_ok=True)


@pytest.mark.parametrize("value", [True, "1e-3", b"1", None, [1.0], torch.tensor([1.0, 2.0]), object()])
def test_as_number_refuses_text_booleans_and_collections(value):
    assert as_number(value) is None


def test_as_numbers_takes_a_collection_of_numbers_only():
    assert as_numbers((1, np.float64(2.5), torch.tensor(3.0))) == [1.0, 2.5, 3.0]
    assert as_numbers(np.array([1.0, 2.0])) == [1.0, 2.0]
    for refused in ("12", 3.0, (1, "2"), (1, None)):
        assert as_numbers(refused) is None


def test_read_number_says_what_is_wrong_once_in_one_wording():
    assert read_number(0.5, "learning rate") == (0.5, None)
    assert read_number(-2, "offset", positive=False) == (-2.0, None)
    assert read_number("fast", "learning rate")[1] == "The learning rate must be a number; got 'fast'."
    assert read_number(math.inf, "learning rate")[1] == "The learning rate must be a finite number; got inf."
    assert read_number(-0.5, "learning rate")[1] == "The learning rate must be positive; got -0.5."


def test_read_whole_number_checks_wholeness_and_the_highest_value():
    assert read_whole_number(7.0, "number of iterations", 10) == (7, None)
    assert read_whole_number(2.5, "number of iterations", 10)[1] == "The number of iterations must be a whole number; got 2.5."
    assert read_whole_number(11, "number of iterations", 10)[1] == "The number of iterations must be at most 10; got 11."
    assert read_whole_number(0, "number of iterations", 10)[1] == "The number of iterations must be positive; got 0."


def test_checked_returns_the_value_or_raises_with_the_hint():
    assert checked(read_number(0.5, "step"), "0.05") == 0.5
    with pytest.raises(ValueError, match=r"^The step must be positive; got 0\. Try 0\.05\.$"):
        checked(read_number(0, "step"), "0.05")


def test_checked_span_and_point():
    assert checked_span([-1, 2], "x1_range") == (-1.0, 2.0)
    with pytest.raises(ValueError, match=r"x1_range must be finite with low < high, e.g. \(-2, 2\); got \(1, 1\)\."):
        checked_span((1, 1), "x1_range")
    spans = [(-2.0, 2.0), (0.0, 1.0)]
    assert checked_point(np.array([1.0, 0.5]), spans, ("x1", "x2")) == (1.0, 0.5)
    with pytest.raises(ValueError, match=r"^x2 = 1.5 is off the plot: choose x2 between 0 and 1, or widen x2_range\.$"):
        checked_point((0, 1.5), spans, ("x1", "x2"))
    with pytest.raises(ValueError, match=r"^The point must be two numbers \(x1, x2\); got \(1, 2, 3\)\.$"):
        checked_point((1, 2, 3), spans, ("x1", "x2"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0.03", 0.03), (" 1e-4 ", 1e-4), ("\u22121", -1.0), ("-1", -1.0), ("1_000", 1000.0), ("2 .5", 2.5), ("inf", math.inf)],
)
def test_read_typed_reads_what_a_learner_types_and_leaves_the_judging_to_the_explorer(text, expected):
    assert read_typed(text, "learning rate") == (expected, None)


@pytest.mark.parametrize(
    ("text", "start"),
    [("fast", "'fast' is not a number"), ("", "An empty box is not a number"), ("1,5", "'1,5' is not a number")],
)
def test_read_typed_says_what_is_not_a_number(text, start):
    value, problem = read_typed(text, "learning rate")
    assert math.isnan(value)
    assert problem == f"{start}: type the learning rate in digits, such as 0.5 or 1e-4."
