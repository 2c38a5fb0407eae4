"""Self-checks for the notebooks' exercises.

Each exercise ends with one call such as ``check.close("x.grad", my_grad, expected, hint=...)``.
It prints a friendly verdict, with a hint when the answer is not there yet, and returns
nothing (so the verdict is the cell's only output). It never raises, so a student can try
again without a traceback. Floats are compared with a tolerance, never with ``==``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

PLACEHOLDERS = (None, Ellipsis)


def close(name: str, answer: Any, expected: Any, *, hint: str, rtol: float = 1e-5, atol: float = 1e-6) -> None:
    """Say whether a numeric answer (number, list, array or tensor) matches ``expected`` within tolerance."""
    _say(name, *_judge_close(answer, expected, rtol, atol), hint)


def equal(name: str, answer: Any, expected: Any, *, hint: str) -> None:
    """Say whether a non-numeric answer (a shape, a bool, a string, None) equals ``expected`` exactly."""
    # None is a placeholder too, unless None is the right answer (such as .grad before backward).
    if answer is Ellipsis or (answer is None and expected is not None):
        _say(name, False, "has no answer yet: replace the placeholder with your code.", hint)
    elif answer == expected:
        _say(name, True, "is right.", hint)
    else:
        _say(name, False, f"is {answer!r}, which is not right.", hint)


def _judge_close(answer: Any, expected: Any, rtol: float, atol: float) -> tuple[bool, str]:
    if _unanswered(answer):
        return False, "has no answer yet: replace the placeholder with your code."
    try:
        got = _as_array(answer)
    except (TypeError, ValueError):
        return False, f"should be numbers, but it is a {type(answer).__name__}."
    want = _as_array(expected)
    if got.shape != want.shape:
        return False, f"has shape {tuple(got.shape)}, but the answer has shape {tuple(want.shape)}."
    if not np.all(np.isfinite(got)):
        return False, "contains NaN or inf."
    if np.allclose(got, want, rtol=rtol, atol=atol):
        return True, "matches."
    worst = float(np.max(np.abs(got - want)))
    return False, f"is off (largest difference {worst:.3g})."


def _unanswered(answer: Any) -> bool:
    return any(answer is placeholder for placeholder in PLACEHOLDERS)


def _as_array(value: Any) -> np.ndarray:
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    array = np.asarray(value, dtype=np.float64)
    if array.dtype == object:
        raise TypeError("not numeric")
    return array


def _say(name: str, passed: bool, detail: str, hint: str) -> None:
    if passed:
        print(f"Correct: {name} {detail}")
    else:
        print(f"Not yet: {name} {detail}\nHint: {hint}")
