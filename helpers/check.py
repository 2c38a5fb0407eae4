"""Self-checks for the notebooks' exercises.

Each exercise ends with one call such as ``check.close("x.grad", my_grad, expected, hint=...)``.
It prints a friendly verdict (and a hint when the answer is not there yet) instead of
raising, so a student can try again without a traceback. Floats are compared with a
tolerance, never with ``==``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

PLACEHOLDERS = (None, Ellipsis)


def close(name: str, answer: Any, expected: Any, *, hint: str, rtol: float = 1e-5, atol: float = 1e-6) -> bool:
    """Say whether a numeric answer (number, list, array or tensor) matches ``expected`` within tolerance."""
    if _unanswered(answer):
        return _verdict(False, name, "has no answer yet: replace the placeholder with your code.", hint)
    try:
        got = _as_array(answer)
    except (TypeError, ValueError):
        return _verdict(False, name, f"should be numbers, but it is a {type(answer).__name__}.", hint)
    want = _as_array(expected)
    if got.shape != want.shape:
        return _verdict(False, name, f"has shape {tuple(got.shape)}, but the answer has shape {tuple(want.shape)}.", hint)
    if not np.all(np.isfinite(got)):
        return _verdict(False, name, "contains NaN or inf.", hint)
    if np.allclose(got, want, rtol=rtol, atol=atol):
        return _verdict(True, name, "matches.", hint)
    worst = float(np.max(np.abs(got - want)))
    return _verdict(False, name, f"is off (largest difference {worst:.3g}).", hint)


def equal(name: str, answer: Any, expected: Any, *, hint: str) -> bool:
    """Say whether a non-numeric answer (a shape, a bool, a string, None) equals ``expected`` exactly."""
    if answer is Ellipsis:
        return _verdict(False, name, "has no answer yet: replace the ... with your code.", hint)
    if answer == expected:
        return _verdict(True, name, "is right.", hint)
    return _verdict(False, name, f"is {answer!r}, which is not right.", hint)


def _unanswered(answer: Any) -> bool:
    return any(answer is placeholder for placeholder in PLACEHOLDERS)


def _as_array(value: Any) -> np.ndarray:
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    array = np.asarray(value, dtype=np.float64)
    if array.dtype == object:
        raise TypeError("not numeric")
    return array


def _verdict(passed: bool, name: str, detail: str, hint: str) -> bool:
    if passed:
        print(f"Correct: {name} {detail}")
    else:
        print(f"Not yet: {name} {detail}\nHint: {hint}")
    return passed
