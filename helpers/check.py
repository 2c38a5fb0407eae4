"""Self-checks for the notebooks' exercises.

Each exercise ends with one call such as ``check.close("x.grad", my_grad, expected, hint=...)``.
It prints a friendly verdict, with a hint when the answer is not there yet, and returns
nothing (so the verdict is the cell's only output). It never raises, so a student can try
again without a traceback. Floats are compared with a tolerance, never with ``==``.

A check tests the idea, not only the numbers. It takes the mistakes a student is likely to make,
each as ``(the answer that mistake gives, what to say about it)``, and names the one it sees.
Where an exercise asks for a function, ``function`` calls it on inputs the student has not seen.
Where it asks for a step on a leaf tensor, ``updated_leaf`` looks at the tensor's state as well.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

PLACEHOLDERS = (None, Ellipsis)
NO_ANSWER = "has no answer yet: replace the placeholder with your code."

# (the answer a mistake gives, or a test of the answer that says it was made; what to tell the
# student, as the rest of a sentence that starts with the answer's name: "is ...")
Mistake = tuple[Any, str]


@dataclass(frozen=True)
class Case:
    """One call of a student's function: its arguments, the right result, the likely wrong ones."""

    label: str  # names the input in a message, e.g. "at x = (-1, 0.5, 2)"
    args: tuple[Any, ...]
    expected: Any
    mistakes: Sequence[Mistake] = ()


def close(
    name: str,
    answer: Any,
    expected: Any,
    *,
    hint: str,
    mistakes: Sequence[Mistake] = (),
    rtol: float = 1e-5,
    atol: float = 1e-6,
) -> None:
    """Say whether a numeric answer (number, list, array or tensor) matches ``expected`` within tolerance."""
    _say(name, *_judge_close(answer, expected, mistakes, rtol, atol), hint)


def equal(name: str, answer: Any, expected: Any, *, hint: str, mistakes: Sequence[Mistake] = ()) -> None:
    """Say whether a non-numeric answer (a shape, a bool, a string, a dtype, None) equals ``expected``."""
    _say(name, *_judge_equal(answer, expected, mistakes), hint)


def function(
    name: str,
    func: Any,
    cases: Sequence[Case],
    *,
    hint: str,
    same_everywhere: str = "gives the same answer for every input: compute it from the input.",
    rtol: float = 1e-5,
    atol: float = 1e-6,
) -> None:
    """Call a student's function on each case (some the student has not seen) and say where it fails.

    An answer that does not change with the input (a typed number, a copied result) gets
    ``same_everywhere``; a function that changes its arguments is told so.
    """
    _say(name, *_judge_function(func, cases, same_everywhere, rtol, atol), hint)


def updated_leaf(
    name: str,
    answer: Any,
    expected: Any,
    *,
    hint: str,
    reset: bool,
    mistakes: Sequence[Mistake] = (),
) -> None:
    """Say whether ``answer`` is the student's leaf tensor, stepped in place under ``torch.no_grad()``.

    Besides the values: it must still be a leaf that requires grad, its version counter must have
    moved (an in-place step moves it; a step through ``.data`` does not), and with ``reset`` its
    gradient must have been reset (None or zeros).
    """
    _say(name, *_judge_leaf(answer, expected, mistakes, reset), hint)


def learning_rate(
    name: str, rate: Any, losses: Callable[[float], Sequence[float]], target: float, *, hint: str, steps: str
) -> None:
    """Say whether a run at ``rate`` (``losses(rate)``, one loss per step) ends below ``target``.

    ``steps`` says how long the run is, for the messages ("500 steps").
    """
    _say(name, *_judge_rate(rate, losses, target, steps), hint)


def _judge_close(answer: Any, expected: Any, mistakes: Sequence[Mistake], rtol: float, atol: float) -> tuple[bool, str]:
    if _unanswered(answer):
        return False, NO_ANSWER
    try:
        got = _as_array(answer)
    except (TypeError, ValueError):
        return False, f"should be numbers, but it is a {type(answer).__name__}."
    for test, message in mistakes:
        if callable(test) and _holds(test, answer):
            return False, message  # a mistake of form, such as a copy, whatever the values
    want = _as_array(expected)
    if _matches(got, want, rtol, atol):
        return True, "matches."
    # A mistake's answer is often computed another way (a step n times too long), so it is
    # recognised within a looser tolerance than the right answer needs.
    for wrong, message in mistakes:
        if not callable(wrong) and _matches(got, _as_array(wrong), max(rtol, 1e-4), atol):
            return False, message
    if got.shape != want.shape:
        return False, f"has shape {tuple(got.shape)}, but the answer has shape {tuple(want.shape)}."
    if not np.all(np.isfinite(got)):
        return False, "contains NaN or inf."
    worst = float(np.max(np.abs(got - want)))
    return False, f"is off (largest difference {worst:.3g})."


def _judge_equal(answer: Any, expected: Any, mistakes: Sequence[Mistake]) -> tuple[bool, str]:
    # None is a placeholder too, unless None is the right answer (such as .grad before backward).
    if answer is Ellipsis or (answer is None and expected is not None):
        return False, NO_ANSWER
    if isinstance(expected, tuple) and isinstance(answer, list):
        answer = tuple(answer)
    if _same(answer, expected):
        return True, "is right."
    for wrong, message in mistakes:
        if _same(answer, wrong):
            return False, message
    return False, f"is {answer!r}, which is not right."


def _judge_function(
    func: Any, cases: Sequence[Case], same_everywhere: str, rtol: float, atol: float
) -> tuple[bool, str]:
    if _unanswered(func):
        return False, NO_ANSWER
    if not callable(func):
        return False, f"should be a function, but it is a {type(func).__name__}."
    results = []
    for case in cases:
        args = copy.deepcopy(case.args)
        try:
            result = func(*args)
        except Exception as error:  # the student's code: report what it raised, never a traceback
            return False, f"raised {type(error).__name__} {case.label}: {error}"
        if _unanswered(result):
            return False, NO_ANSWER
        if not all(_same_value(before, after) for before, after in zip(case.args, args, strict=True)):
            return False, f"changed its input {case.label}: work on a copy, so the caller's values stay as they were."
        results.append(result)
    failed = []
    for case, result in zip(cases, results, strict=True):
        passed, detail = _judge_close(result, case.expected, case.mistakes, rtol, atol)
        if not passed:
            failed.append((case, detail))
    named = {message for case in cases for _, message in case.mistakes}
    for case, detail in failed:
        if detail in named:  # a mistake we know by name says more than "the same everywhere"
            return False, f"{case.label} {detail}"
    if failed and len(cases) > 1 and _all_alike(results, rtol, atol):
        return False, same_everywhere
    if failed:
        case, detail = failed[0]
        return False, f"{case.label} {detail}"
    return True, f"is right on all {len(cases)} inputs."


def _judge_leaf(answer: Any, expected: Any, mistakes: Sequence[Mistake], reset: bool) -> tuple[bool, str]:
    if _unanswered(answer):
        return False, NO_ANSWER
    if not isinstance(answer, torch.Tensor):
        return False, f"should be the tensor w, but it is a {type(answer).__name__}."
    if not answer.is_leaf:
        return False, (
            "is a new tensor, computed from w and recorded in the graph: it is not the leaf you started "
            "with. Change w itself, in place."
        )
    if not answer.requires_grad:
        return False, "no longer requires grad: it was cut from the graph, so no later backward() can reach it."
    if answer._version == 0:
        if answer.grad is not None:
            return False, (
                "was changed through .data, which autograd cannot see (its version counter did not move): "
                "step under torch.no_grad() instead."
            )
        return False, (
            "was not changed in place under torch.no_grad() (its version counter never moved): a .data step "
            "or a fresh tensor, not the leaf w stepped in place."
        )
    passed, detail = _judge_close(answer, expected, mistakes, 1e-5, 1e-6)
    if not passed:
        return False, detail
    if reset and answer.grad is not None and bool(answer.grad.abs().sum() > 0):
        return False, "has the right values, but its gradient was not reset: the next backward() would add to it."
    return True, "matches, and is still the leaf w."


def _judge_rate(rate: Any, losses: Callable[[float], Sequence[float]], target: float, steps: str) -> tuple[bool, str]:
    if _unanswered(rate):
        return False, NO_ANSWER
    if isinstance(rate, bool) or not isinstance(rate, int | float):
        return False, f"should be a number, but it is a {type(rate).__name__}."
    if not rate > 0:
        return False, f"is {rate}: a learning rate must be positive, so that each step goes downhill."
    run = [float(loss) for loss in losses(rate)]
    first, last = run[0], run[-1]
    if not math.isfinite(last) or last > first:
        return False, f"makes the loss grow ({first:.3g} at the start): steps this large overshoot. Try a smaller rate."
    if last >= target:
        return False, f"is stable, but {steps} end at a loss of {last:.4g}, not below {target}. Try a larger rate."
    return True, f"ends {steps} below {target}."


def _matches(got: np.ndarray, want: np.ndarray, rtol: float, atol: float) -> bool:
    return got.shape == want.shape and bool(np.all(np.isfinite(got))) and np.allclose(got, want, rtol=rtol, atol=atol)


def _all_alike(values: Sequence[Any], rtol: float, atol: float) -> bool:
    try:
        arrays = [_as_array(value) for value in values]
    except (TypeError, ValueError):
        return False
    return all(_matches(array, arrays[0], rtol, atol) for array in arrays[1:])


def _same(answer: Any, expected: Any) -> bool:
    try:
        return bool(answer == expected)
    except (TypeError, ValueError, RuntimeError):
        return False


def _holds(test: Callable[[Any], Any], answer: Any) -> bool:
    """Whether a mistake's test says the answer made it; a test that cannot apply says no."""
    try:
        return bool(test(answer))
    except Exception:  # the test does not apply to this kind of answer (a list has no .dtype)
        return False


def _same_value(before: Any, after: Any) -> bool:
    if isinstance(before, torch.Tensor | np.ndarray):
        return bool(np.array_equal(_as_array(before), _as_array(after)))
    return True


def _unanswered(answer: Any) -> bool:
    return any(answer is placeholder for placeholder in PLACEHOLDERS)


def _as_array(value: Any) -> np.ndarray:
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    elif isinstance(value, list | tuple):
        value = [item.detach().cpu().numpy() if isinstance(item, torch.Tensor) else item for item in value]
    array = np.asarray(value, dtype=np.float64)
    if array.dtype == object:
        raise TypeError("not numeric")
    return array


def _say(name: str, passed: bool, detail: str, hint: str) -> None:
    if passed:
        print(f"Correct: {name} {detail}")
    else:
        print(f"Not yet: {name} {detail}\nHint: {hint}")
