"""Unit tests for helpers/engine.py: it computes what torch computes, and it is the engine the lesson teaches.

The first half runs the engine against ``torch.autograd`` in float64 on graphs in which every operand
also reaches the output by a second path (so an ``=`` in place of a ``+=`` would be caught), and shows
that the comparison fails on such a broken operation. A whole tanh network, 50 steps of it, is compared
with torch in notebook 12, whose stored output strict nbval checks.

The second half checks that helpers/engine.py is exactly what course/generated.py writes from the cells
of the "Autograd from scratch" notebook marked ``#@save``, so a hand edit of either side fails, and
that the generator follows the two forms of the marker.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import nbformat
import pytest
import torch

from course import generated
from helpers.engine import Value

TOLERANCE = 1e-10

# ---------------------------------------------------------------- (a) against torch, in float64

# Each graph uses its operation's operands again after it, as the engine notebook (09) explains.
GRAPHS: dict[str, Callable] = {
    "a + b": lambda a, b: (a + b) * a * b,
    "2 + a": lambda a, b: (2 + a) * a + b,
    "a * b": lambda a, b: a * b + a + b,
    "3 * a": lambda a, b: (3 * a) * b + a,
    "a ** 3": lambda a, b: a**3 * b + a,
    "a ** -1.5 (a > 0)": lambda a, b: (a * a) ** -1.5 * b + a,
    "exp(a)": lambda a, b: a.exp() * b + a,
    "tanh(a)": lambda a, b: a.tanh() * b + a,
    "-a": lambda a, b: (-a) * b + a,
    "a - b": lambda a, b: (a - b) * a * b,
    "1 - a": lambda a, b: (1 - a) * b + a,
    "a / b": lambda a, b: (a / b) * a + b,
    "a used three times": lambda a, b: a * a * a + (a * b).tanh(),
}
POINTS = [(0.7, -1.3), (-0.4, 2.1), (1.9, 0.35)]


def run_ours(graph: Callable, a: float, b: float) -> list[float]:
    a_ours, b_ours = Value(a), Value(b)
    out = graph(a_ours, b_ours)
    out.backward()
    return [out.data, a_ours.grad, b_ours.grad]


def run_torch(graph: Callable, a: float, b: float) -> list[float]:
    a_t = torch.tensor(a, dtype=torch.float64, requires_grad=True)
    b_t = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    out = graph(a_t, b_t)
    out.backward()
    return [out.item(), a_t.grad.item(), b_t.grad.item()]


def largest_difference(graph: Callable, a: float, b: float) -> float:
    return max(abs(o - t) for o, t in zip(run_ours(graph, a, b), run_torch(graph, a, b), strict=True))


@pytest.mark.parametrize("point", POINTS)
@pytest.mark.parametrize("name", GRAPHS)
def test_engine_matches_torch_in_float64(name, point):
    assert largest_difference(GRAPHS[name], *point) < TOLERANCE


def test_the_comparison_catches_an_overwriting_tanh(monkeypatch):
    def tanh_overwriting(self):
        out = Value(math.tanh(self.data), (self,), "tanh")

        def _backward():
            self.grad = (1 - out.data**2) * out.grad

        out._backward = _backward
        return out

    monkeypatch.setattr(Value, "tanh", tanh_overwriting)
    assert largest_difference(GRAPHS["tanh(a)"], 0.7, -1.3) > 1e-3


def test_a_value_power_is_refused():
    with pytest.raises(TypeError, match="plain number k, not a Value"):
        Value(2.0) ** Value(2.0)


# ---------------------------------------------------------------- (b) written from the lesson


def test_the_engine_is_what_the_generator_writes_from_the_lesson():
    assert generated.ENGINE.read_text(encoding="utf-8") == generated.engine_text(), (
        "helpers/engine.py is not what the lesson's #@save cells give: edit the notebook, never the file, "
        "then run `make generated`"
    )


def test_the_generator_follows_both_markers_and_leaves_out_what_a_cell_only_shows():
    code = nbformat.v4.new_code_cell
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        code("#@save\nclass Value:\n    pass\n\n\nValue(3.0)"),
        code("def shown_only(x):\n    return x\n\n\nshown_only(1)"),
        code("def solution_tanh(self):  #@save as Value.tanh\n    return self\n\n\nsolution_w = 1"),
    ]
    module = generated.engine_module(notebook, "notebooks/08_x.ipynb")
    saved_tanh = "def solution_tanh(self):\n    return self\n\n\nValue.tanh = solution_tanh\n"
    assert module.endswith("import math\n\n\nclass Value:\n    pass\n\n\n" + saved_tanh)
    assert "# Generated from the cells marked #@save in notebooks/08_x.ipynb" in module


@pytest.mark.parametrize("source", ["x = 1  #@save", "#@save\nx = 1  #@save", "y = 2\nx = 1  #@save as Value.x"])
def test_a_marker_the_generator_cannot_follow_is_an_error(source):
    with pytest.raises(generated.MarkerError):
        generated.saved_code(source)
