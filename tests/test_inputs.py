"""Unit tests for helpers.inputs: one check and one wording per kind of value."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from helpers.inputs import (
    as_number,
    as_numbers,
    checked_point,
    checked_span,
    read_number,
    read_typed,
    read_whole_number,
)

FINITE = st.floats(allow_nan=False, allow_infinity=False)
COORDINATES = st.floats(min_value=-1e6, max_value=1e6)


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
    assert read_number(math.inf, "learning rate")[1] == "The learning rate must be a finite number; got inf."
    assert read_number(-0.5, "learning rate")[1] == "The learning rate must be positive; got -0.5."


NUMBERS = st.one_of(st.floats(), st.integers(min_value=-(10**6), max_value=10**6))


@given(value=NUMBERS, positive=st.booleans())
def test_read_number_takes_exactly_the_finite_and_if_asked_positive_numbers(value, positive):
    number, problem = read_number(value, "rate", positive=positive)
    acceptable = math.isfinite(value) and (value > 0 or not positive)
    assert (problem is None) == acceptable
    if acceptable:
        assert number == value and isinstance(number, float)


@given(value=st.one_of(st.text(), st.booleans(), st.none(), st.lists(st.floats(), min_size=1, max_size=3)))
def test_read_number_refuses_what_is_not_a_single_number_and_shows_it(value):
    number, problem = read_number(value, "rate")
    assert math.isnan(number) and problem == f"The rate must be a number; got {value!r}."


@given(value=st.integers(min_value=-50, max_value=600), highest=st.integers(min_value=1, max_value=500))
def test_read_whole_number_takes_exactly_the_whole_numbers_from_one_to_the_highest(value, highest):
    for given_as in (value, float(value)):
        number, problem = read_whole_number(given_as, "batch size", highest)
        assert (problem is None) == (1 <= value <= highest)
        assert number == (value if problem is None else 0)


@given(value=st.floats(min_value=0.001, max_value=500).filter(lambda value: value != int(value)))
def test_read_whole_number_refuses_a_fraction_in_range_as_not_whole(value):
    assert read_whole_number(value, "batch size", 500) == (0, f"The batch size must be a whole number; got {value!r}.")


@given(low=FINITE, high=FINITE)
def test_checked_span_takes_exactly_the_finite_pairs_with_low_below_high(low, high):
    if low < high:
        assert checked_span((low, high), "x1_range") == (low, high)
    else:
        with pytest.raises(ValueError, match=r"^x1_range must be finite with low < high, e.g. \(-2, 2\); got \("):
            checked_span((low, high), "x1_range")


@given(
    spans=st.lists(st.tuples(COORDINATES, COORDINATES).map(sorted), min_size=2, max_size=2),
    fractions=st.lists(st.floats(min_value=-1.0, max_value=2.0), min_size=2, max_size=2),
)
def test_checked_point_names_the_first_coordinate_off_its_span(spans, fractions):
    labels = ("w", "b")
    point = tuple(low + fraction * (high - low) for (low, high), fraction in zip(spans, fractions, strict=True))
    off = [label for label, value, (low, high) in zip(labels, point, spans, strict=True) if not low <= value <= high]
    if not off:
        assert checked_point(point, spans, labels) == point
    else:
        with pytest.raises(ValueError, match=rf"^{off[0]} = .* is off the plot: choose {off[0]} between"):
            checked_point(point, spans, labels)


@given(value=FINITE, cuts=st.lists(st.integers(min_value=0, max_value=30), max_size=4), padding=st.sampled_from(["", " ", "\t "]))
def test_read_typed_reads_any_number_however_it_is_spaced_and_whichever_minus_it_has(value, cuts, padding):
    text = repr(value)
    for cut in sorted(set(cuts), reverse=True):  # spaces anywhere inside, as a learner may type "2 .5"
        text = text[:cut] + " " + text[cut:]
    assert read_typed(padding + text + padding, "learning rate") == (value, None)
    assert read_typed(text.replace("-", "\u2212"), "learning rate") == (value, None)  # a typographic minus


@given(whole=st.integers(min_value=-(10**12), max_value=10**12))
def test_read_typed_reads_digits_grouped_with_underscores(whole):
    assert read_typed(f"{whole:_}", "batch size") == (float(whole), None)


# No digits, and none of the letters of "inf", "infinity" or "nan", which float() reads.
WORDS = st.text(alphabet="bcdghjklmopqrsuvwxz,;:!?/()", min_size=1, max_size=12)


@given(text=WORDS, padding=st.sampled_from(["", " "]))
def test_read_typed_quotes_what_is_not_a_number(text, padding):
    value, problem = read_typed(padding + text + padding, "learning rate")
    assert math.isnan(value)
    assert problem == f"{text!r} is not a number: type the learning rate in digits, such as 0.5 or 1e-4."


def test_read_typed_leaves_infinity_to_the_explorer_to_refuse_and_calls_an_empty_box_so():
    assert read_typed("inf", "learning rate") == (math.inf, None)
    value, problem = read_typed("  ", "learning rate")
    assert math.isnan(value) and problem == "An empty box is not a number: type the learning rate in digits, such as 0.5 or 1e-4."
