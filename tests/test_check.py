"""Unit tests for helpers.check: verdicts are right, tolerant for floats, and never raise.

updated_leaf and learning_rate are tried, with the mistakes their verdicts name, through the exercises that
call them (04, 06, 11 and 13 in tests/test_exercise_mistakes.py)."""

import numpy as np
import pytest
import torch

from helpers import check


def verdict(capsys, function, *args, **kwargs) -> str:
    assert function(*args, **kwargs) is None  # the printed verdict is the cell's only output
    return capsys.readouterr().out


def test_close_accepts_a_float_within_tolerance_which_can_be_tightened(capsys):
    assert verdict(capsys, check.close, "slope", 0.1 + 0.2, 0.3, hint="h") == "Correct: slope matches.\n"
    assert verdict(capsys, check.close, "x", 1.0 + 1e-7, 1.0, hint="h").startswith("Correct")
    assert verdict(capsys, check.close, "x", 1.0 + 1e-7, 1.0, hint="h", rtol=0, atol=1e-10).startswith("Not yet")


@pytest.mark.parametrize(
    "answer", [torch.full((2, 2), 6.0, requires_grad=True), [[6, 6], [6, 6]], np.full((2, 2), 6.0)]
)
def test_close_accepts_tensors_lists_and_arrays(capsys, answer):
    expected = torch.tensor([[6.0, 6.0], [6.0, 6.0]])
    assert verdict(capsys, check.close, "grad", answer, expected, hint="h").startswith("Correct")


def test_close_rejects_a_wrong_value_and_shows_the_hint(capsys):
    out = verdict(capsys, check.close, "slope", 0.31, 0.3, hint="Differentiate w.r.t. x1.")
    assert out == "Not yet: slope is off (largest difference 0.01).\nHint: Differentiate w.r.t. x1.\n"


@pytest.mark.parametrize(
    ("answer", "expected", "says"),
    [
        (None, 1.0, "has no answer yet"),
        (..., 1.0, "has no answer yet"),
        (torch.ones(2), torch.ones(2, 2), "has shape (2,), but the answer has shape (2, 2)."),
        (float("nan"), 1.0, "contains NaN or inf"),
        ("three", 3.0, "should be numbers, but it is a str"),
    ],
)
def test_close_names_what_is_wrong_with_an_answer_it_cannot_compare(capsys, answer, expected, says):
    assert says in verdict(capsys, check.close, "answer", answer, expected, hint="h")


def test_equal_for_non_numeric_answers(capsys):
    assert verdict(capsys, check.equal, "shape", torch.Size([2, 2]), (2, 2), hint="h") == "Correct: shape is right.\n"
    out = verdict(capsys, check.equal, "is leaf", False, True, hint="Leaves are made by you.")
    assert out == "Not yet: is leaf is False, which is not right.\nHint: Leaves are made by you.\n"
    assert "has no answer yet" in verdict(capsys, check.equal, "is leaf", ..., True, hint="h")
    # None is unanswered too, unless None is the answer.
    assert "has no answer yet" in verdict(capsys, check.equal, "answers", None, [True, False], hint="h")
    assert verdict(capsys, check.equal, "x.grad", None, None, hint="h") == "Correct: x.grad is right.\n"
    # A listed mistake is named; a list answers a tuple.
    out = verdict(capsys, check.equal, "dtype", "torch.int64", torch.int64, hint="h", mistakes=[("torch.int64", "is text.")])
    assert out.startswith("Not yet: dtype is text.")
    assert verdict(capsys, check.equal, "answers", [False, True], (False, True), hint="h").startswith("Correct")


def test_a_listed_mistake_is_named_and_a_test_of_form_wins_over_the_values(capsys):
    mistakes = [(-0.3, "has the sign flipped."), (lambda answer: isinstance(answer, str), "is text.")]
    assert verdict(capsys, check.close, "slope", -0.3, 0.3, hint="h", mistakes=mistakes).startswith(
        "Not yet: slope has the sign flipped.\nHint: h"
    )
    copied = torch.tensor([0.3])
    is_copy = [(lambda answer: answer is copied, "is a copy.")]
    assert "is a copy." in verdict(capsys, check.close, "slope", copied, [0.3], hint="h", mistakes=is_copy)
    assert verdict(capsys, check.close, "slope", [0.3], [0.3], hint="h", mistakes=is_copy).startswith("Correct")
    assert "is off" in verdict(capsys, check.close, "slope", 0.5, 0.3, hint="h", mistakes=mistakes)


def test_function_reports_an_error_and_a_placeholder_result():
    # Its other verdicts are rows of tests/test_exercise_mistakes.py: a case's named mistake and the
    # right answer (07, 08), a constant (07, 08), a changed input (01) and a non-function (02).
    cases = [check.Case("at 1", (np.array([1.0]),), 2.0), check.Case("at 3", (np.array([3.0]),), 6.0)]
    raised = check._judge_function(lambda x: 1 / 0, cases, "same", 1e-5, 1e-6)[1]
    assert raised.startswith("raised ZeroDivisionError at 1")
    assert check._judge_function(lambda x: None, cases, "same", 1e-5, 1e-6)[1] == check.NO_ANSWER
