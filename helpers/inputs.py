"""Cleaning what a student types or a notebook passes: numbers, whole numbers, ranges and points.

One check per kind of value, each with one wording, so an explorer's constructor, its setters and the
plots that share a value all answer a bad one in the same words. The ``read_*`` functions return the
value and the sentence that says what is wrong with it (or None), for a caller that answers in a status
line; the ``checked_*`` functions raise :class:`ValueError` with that sentence, for constructors and plots.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import SupportsFloat

NUMBER_WORDS = ("no", "one", "two", "three", "four")


def as_number(value: object) -> float | None:
    """``value`` as a float, or None if it is not a single number (text and booleans do not count)."""
    if isinstance(value, bool | str | bytes) or not isinstance(value, SupportsFloat):
        return None
    try:
        return float(value)
    except (TypeError, ValueError, RuntimeError):  # e.g. a tensor of several numbers
        return None


def read_number(value: object, name: str, *, positive: bool = True) -> tuple[float, str | None]:
    """``value`` as a float, and what is wrong with it as a finite (by default positive) number, or None.

    The float means something only when there is no problem.
    """
    number = as_number(value)
    if number is None:
        return math.nan, f"The {name} must be a number; got {value!r}."
    if not math.isfinite(number):
        return number, f"The {name} must be a finite number; got {number}."
    if positive and number <= 0:
        return number, f"The {name} must be positive; got {number:g}."
    return number, None


def read_typed(text: str, name: str) -> tuple[float, str | None]:
    """What a learner typed into a value box, as a float, and why it is not a number (or None).

    Spaces, underscores and a typographic minus (−) are accepted; whether the number suits the ``name`` is
    for :func:`read_number` and friends to say, so the learner reads the same words as code calls get.
    """
    cleaned = text.strip().replace("\u2212", "-").replace(" ", "").replace("_", "")
    try:
        return float(cleaned), None
    except ValueError:
        shown = repr(text.strip()) if text.strip() else "An empty box"
        return math.nan, f"{shown} is not a number: type the {name} in digits, such as 0.5 or 1e-4."


def read_whole_number(value: object, name: str, highest: int) -> tuple[int, str | None]:
    """``value`` as an int, and what is wrong with it as a whole number from 1 to ``highest``, or None.

    The int means something only when there is no problem.
    """
    number, problem = read_number(value, name)
    if problem is None and number != int(number):
        problem = f"The {name} must be a whole number; got {value!r}."
    if problem is None and number > highest:
        problem = f"The {name} must be at most {highest}; got {number:g}."
    return (int(number) if problem is None else 0), problem


def checked_span(span: object, name: str) -> tuple[float, float]:
    """``span`` as (low, high) with low < high, both finite; a ValueError that shows an example otherwise."""
    numbers = as_numbers(span)
    if numbers is None or len(numbers) != 2:
        raise ValueError(f"{name} must be two numbers (low, high), e.g. (-2, 2); got {span!r}.")
    low, high = numbers
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise ValueError(f"{name} must be finite with low < high, e.g. (-2, 2); got {span!r}.")
    return low, high


def checked_point(point: object, spans: Sequence[tuple[float, float]], labels: Sequence[str]) -> tuple[float, ...]:
    """``point`` as floats, one per label, each inside its span; a ValueError that says which one is off and where to go."""
    coordinates = as_numbers(point)
    if coordinates is None or len(coordinates) != len(labels):
        count = NUMBER_WORDS[len(labels)] if len(labels) < len(NUMBER_WORDS) else str(len(labels))
        raise ValueError(f"The point must be {count} numbers ({', '.join(labels)}); got {point!r}.")
    for value, (low, high), label in zip(coordinates, spans, labels, strict=True):
        if not low <= value <= high:
            raise ValueError(
                f"{label} = {value:g} is off the plot: choose {label} between {low:g} and {high:g}, or widen {label}_range."
            )
    return tuple(coordinates)


def as_numbers(values: object) -> list[float] | None:
    """The numbers in ``values`` (a tuple, list or array) as floats, or None if it is not a collection of numbers only."""
    if not isinstance(values, Iterable) or isinstance(values, str | bytes):
        return None
    numbers = [as_number(value) for value in values]
    return [number for number in numbers if number is not None] if None not in numbers else None
