"""Unit tests for helpers.check: verdicts are right, tolerant for floats, and never raise."""

import numpy as np
import pytest
import torch

from helpers import check


def verdict(capsys, function, *args, **kwargs) -> str:
    assert function(*args, **kwargs) is None  # the printed verdict is the cell's only output
    return capsys.readouterr().out


def test_close_accepts_a_float_within_tolerance(capsys):
    assert verdict(capsys, check.close, "slope", 0.1 + 0.2, 0.3, hint="h") == "Correct: slope matches.\n"


@pytest.mark.parametrize(
    "answer", [torch.full((2, 2), 6.0, requires_grad=True), [[6, 6], [6, 6]], np.full((2, 2), 6.0)]
)
def test_close_accepts_tensors_lists_and_arrays(capsys, answer):
    expected = torch.tensor([[6.0, 6.0], [6.0, 6.0]])
    assert verdict(capsys, check.close, "grad", answer, expected, hint="h").startswith("Correct")


def test_close_rejects_a_wrong_value_and_shows_the_hint(capsys):
    out = verdict(capsys, check.close, "slope", 0.31, 0.3, hint="Differentiate w.r.t. x1.")
    assert out == "Not yet: slope is off (largest difference 0.01).\nHint: Differentiate w.r.t. x1.\n"


@pytest.mark.parametrize("placeholder", [None, ...])
def test_close_treats_placeholders_as_unanswered(capsys, placeholder):
    assert "has no answer yet" in verdict(capsys, check.close, "answer", placeholder, 1.0, hint="h")


def test_close_reports_shape_mismatch(capsys):
    out = verdict(capsys, check.close, "grad", torch.ones(2), torch.ones(2, 2), hint="h")
    assert "has shape (2,), but the answer has shape (2, 2)." in out


def test_close_reports_nan(capsys):
    assert "contains NaN or inf" in verdict(capsys, check.close, "loss", float("nan"), 1.0, hint="h")


def test_close_reports_non_numbers(capsys):
    assert "should be numbers, but it is a str" in verdict(capsys, check.close, "loss", "three", 3.0, hint="h")


def test_close_tolerance_can_be_tightened(capsys):
    assert verdict(capsys, check.close, "x", 1.0 + 1e-7, 1.0, hint="h").startswith("Correct")
    assert verdict(capsys, check.close, "x", 1.0 + 1e-7, 1.0, hint="h", rtol=0, atol=1e-10).startswith("Not yet")


def test_equal_for_non_numeric_answers(capsys):
    assert verdict(capsys, check.equal, "shape", torch.Size([2, 2]), (2, 2), hint="h") == "Correct: shape is right.\n"
    out = verdict(capsys, check.equal, "is leaf", False, True, hint="Leaves are made by you.")
    assert out == "Not yet: is leaf is False, which is not right.\nHint: Leaves are made by you.\n"
    assert "has no answer yet" in verdict(capsys, check.equal, "is leaf", ..., True, hint="h")


def test_equal_treats_none_as_unanswered_unless_none_is_the_answer(capsys):
    assert "has no answer yet" in verdict(capsys, check.equal, "answers", None, [True, False], hint="h")
    assert verdict(capsys, check.equal, "x.grad", None, None, hint="h") == "Correct: x.grad is right.\n"
