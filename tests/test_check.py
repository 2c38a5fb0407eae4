"""Unit tests for helpers.check: verdicts are right, tolerant for floats, and never raise."""

import numpy as np
import pytest
import torch

from helpers import check


def test_close_accepts_a_float_within_tolerance(capsys):
    assert check.close("slope", 0.1 + 0.2, 0.3, hint="h") is True
    assert capsys.readouterr().out == "Correct: slope matches.\n"


def test_close_accepts_tensors_lists_and_arrays():
    expected = torch.tensor([[6.0, 6.0], [6.0, 6.0]])
    assert check.close("grad", torch.full((2, 2), 6.0, requires_grad=True), expected, hint="h")
    assert check.close("grad", [[6, 6], [6, 6]], expected, hint="h")
    assert check.close("grad", np.full((2, 2), 6.0), expected, hint="h")


def test_close_rejects_a_wrong_value_and_shows_the_hint(capsys):
    assert check.close("slope", 0.31, 0.3, hint="Differentiate w.r.t. x1.") is False
    out = capsys.readouterr().out
    assert out.startswith("Not yet: slope is off (largest difference 0.01).")
    assert "Hint: Differentiate w.r.t. x1." in out


@pytest.mark.parametrize("placeholder", [None, ...])
def test_close_treats_placeholders_as_unanswered(capsys, placeholder):
    assert check.close("answer", placeholder, 1.0, hint="h") is False
    assert "has no answer yet" in capsys.readouterr().out


def test_close_reports_shape_mismatch(capsys):
    assert check.close("grad", torch.ones(2), torch.ones(2, 2), hint="h") is False
    assert "has shape (2,), but the answer has shape (2, 2)." in capsys.readouterr().out


def test_close_reports_nan(capsys):
    assert check.close("loss", float("nan"), 1.0, hint="h") is False
    assert "contains NaN or inf" in capsys.readouterr().out


def test_close_reports_non_numbers(capsys):
    assert check.close("loss", "three", 3.0, hint="h") is False
    assert "should be numbers, but it is a str" in capsys.readouterr().out


def test_close_tolerance_can_be_tightened():
    assert check.close("x", 1.0 + 1e-7, 1.0, hint="h")
    assert not check.close("x", 1.0 + 1e-7, 1.0, hint="h", rtol=0, atol=1e-10)


def test_equal_for_non_numeric_answers(capsys):
    assert check.equal("shape", torch.Size([2, 2]), (2, 2), hint="h")
    assert not check.equal("is leaf", False, True, hint="Leaves are made by you.")
    assert not check.equal("is leaf", ..., True, hint="h")
    out = capsys.readouterr().out
    assert "Not yet: is leaf is False, which is not right.\nHint: Leaves are made by you." in out
    assert "has no answer yet" in out
