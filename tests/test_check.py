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


def test_equal_names_a_listed_mistake(capsys):
    out = verdict(capsys, check.equal, "dtype", "torch.int64", torch.int64, hint="h", mistakes=[("torch.int64", "is text.")])
    assert out.startswith("Not yet: dtype is text.")
    assert verdict(capsys, check.equal, "answers", [False, True], (False, True), hint="h").startswith("Correct")


def square_grad(x):
    return 2 * x


def test_function_is_called_on_every_case_and_names_the_one_it_fails():
    cases = [check.Case("at 1", (torch.tensor(1.0),), 2.0), check.Case("at 3", (torch.tensor(3.0),), 6.0)]
    assert check._judge_function(square_grad, cases, "same", 1e-5, 1e-6) == (True, "is right on all 2 inputs.")
    wrong = [check.Case("at 1", (torch.tensor(1.0),), 2.0), check.Case("at 3", (torch.tensor(3.0),), 5.0, [(6.0, "x")])]
    assert check._judge_function(square_grad, wrong, "same", 1e-5, 1e-6) == (False, "at 3 x")


def test_function_catches_a_constant_a_changed_input_an_error_and_a_placeholder():
    cases = [check.Case("at 1", (np.array([1.0]),), 2.0), check.Case("at 3", (np.array([3.0]),), 6.0)]

    def changes_input(x):
        x += 1
        return 2 * x

    judged = {
        name: check._judge_function(func, cases, "gives one answer.", 1e-5, 1e-6)[1]
        for name, func in [
            ("constant", lambda x: 2.0),
            ("changes", changes_input),
            ("raises", lambda x: 1 / 0),
            ("none", lambda x: None),
            ("not callable", 2.0),
        ]
    }
    assert judged["constant"] == "gives one answer."
    assert judged["changes"].startswith("changed its input at 1")
    assert judged["raises"].startswith("raised ZeroDivisionError at 1")
    assert judged["none"] == check.NO_ANSWER
    assert judged["not callable"] == "should be a function, but it is a float."


def stepped(how: str, reset: bool = False) -> torch.Tensor:
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    ((w - 3) ** 2).sum().backward()
    if how == "no_grad":
        with torch.no_grad():
            w -= 0.25 * w.grad
    elif how == "data":
        w.data -= 0.25 * w.grad
    elif how == "new":
        w = w - 0.25 * w.grad
    elif how == "detached":
        w = (w - 0.25 * w.grad).detach()
    elif how == "fresh":
        w = (w - 0.25 * w.grad).detach().requires_grad_()
    if reset and w.grad is not None:
        w.grad = None
    return w


@pytest.mark.parametrize(
    ("how", "reset", "says"),
    [
        ("no_grad", True, "matches, and is still the leaf w."),
        ("new", False, "is a new tensor"),
        ("detached", False, "no longer requires grad"),
        ("data", False, "through .data"),
        ("fresh", False, "version counter never moved"),
        ("no_grad", False, "gradient was not reset"),
    ],
)
def test_updated_leaf_looks_at_the_tensor_not_only_its_values(how, reset, says):
    passed, detail = check._judge_leaf(stepped(how, reset), [2.0, 2.5], [], reset=True)
    assert passed == (how == "no_grad" and reset) and says in detail


def test_learning_rate_says_whether_the_run_diverged_crawled_or_arrived():
    def run(rate: float) -> list[float]:
        factor = 1 - rate
        return [factor ** (2 * k) for k in range(20)]

    assert check._judge_rate(0.5, run, 0.01, "20 steps")[0]
    assert "makes the loss grow" in check._judge_rate(2.5, run, 0.01, "20 steps")[1]
    assert "is stable, but 20 steps end" in check._judge_rate(0.01, run, 0.01, "20 steps")[1]
    assert "must be positive" in check._judge_rate(-1.0, run, 0.01, "20 steps")[1]
    assert "should be a number" in check._judge_rate("0.5", run, 0.01, "20 steps")[1]
