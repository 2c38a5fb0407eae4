"""Unit tests for helpers/engine.py: it computes what torch computes, and it is the engine the lesson teaches.

The first half runs the engine against ``torch.autograd`` in float64 on graphs in which every operand
also reaches the output by a second path (so an ``=`` in place of a ``+=`` would be caught), and shows
that the comparison fails on such a broken operation.

The second half compares the source of every method of ``Value`` (and of ``as_value`` and
``topological_order``) with the definitions in the "Autograd from scratch" notebook, found by its title
so that renumbering the series does not break the test. The notebook attaches functions to the class
cell by cell (``Value.__add__ = add``, ``Value.__neg__ = lambda self: ...``); the engine writes them as
methods. The comparison is on the syntax tree of each body (docstrings and annotations left out), so it
ignores formatting but notices any change to what the code does. For an exercise whose cell attaches a
placeholder (``Value.tanh = value_tanh``), the function of the reference solution cell after it counts.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest
import torch
from IPython.core.inputtransformer2 import TransformerManager

from course.cells import tags
from course.series import notebook_titled
from helpers import engine
from helpers.engine import Value, as_value, topological_order

ENGINE_SOURCE = Path(engine.__file__)
LESSON_TITLE = "Autograd from scratch"
MODULE_FUNCTIONS = ("as_value", "topological_order")  # the engine's module-level functions
TOLERANCE = 1e-10

# ---------------------------------------------------------------- (a) against torch, in float64

# Each graph uses its operation's operands again after it, as notebook 07's section 2 explains.
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


def test_a_small_tanh_network_and_mean_loss_match_torch():
    """One hidden layer of 3 tanh units on 4 points, mean squared error: value and all 13 gradients."""
    torch.manual_seed(0)
    theta = torch.randn(13, dtype=torch.float64)
    points = torch.tensor([[0.5, -1.0], [1.5, 0.25], [-0.75, 0.8], [0.1, 0.2]], dtype=torch.float64)
    targets = [1.0, -1.0, 1.0, -1.0]

    params = [Value(t) for t in theta.tolist()]
    hidden = [
        [(params[2 * k] * x[0] + params[2 * k + 1] * x[1] + params[6 + k]).tanh() for k in range(3)] for x in points.tolist()
    ]
    y_hat = [(sum(params[9 + k] * h[k] for k in range(3)) + params[12]).tanh() for h in hidden]
    loss = sum((p - t) ** 2 for p, t in zip(y_hat, targets, strict=True)) * (1 / len(targets))
    loss.backward()

    leaf = theta.clone().requires_grad_()
    h = torch.tanh(points @ leaf[:6].view(3, 2).T + leaf[6:9])
    loss_t = ((torch.tanh(h @ leaf[9:12] + leaf[12]) - torch.tensor(targets, dtype=torch.float64)) ** 2).mean()
    loss_t.backward()

    ours = [loss.data, *(p.grad for p in params)]
    theirs = [loss_t.item(), *leaf.grad.tolist()]
    assert max(abs(o - t) for o, t in zip(ours, theirs, strict=True)) < TOLERANCE
    assert len(topological_order(loss)) > 100


def test_the_comparison_catches_an_overwriting_tanh(monkeypatch):
    def tanh_overwriting(self):
        out = Value(math.tanh(self.data), (self,), "tanh")

        def _backward():
            self.grad = (1 - out.data**2) * out.grad

        out._backward = _backward
        return out

    monkeypatch.setattr(Value, "tanh", tanh_overwriting)
    assert largest_difference(GRAPHS["tanh(a)"], 0.7, -1.3) > 1e-3


def test_repr_as_value_and_power_refusal():
    assert repr(Value(3.0)) == "Value(data=3.0000, grad=0.0000)"
    v = Value(2.0)
    assert as_value(v) is v and as_value(2).data == 2.0
    with pytest.raises(TypeError, match="plain number k, not a Value"):
        v ** Value(2.0)


def test_topological_order_lists_inputs_first_and_a_shared_node_once():
    a, b = Value(2.0), Value(-3.0)
    c = a * b + a**2
    order = topological_order(c)
    assert order[-1] is c and order.count(a) == 1 and len(order) == 5
    assert order.index(a) < order.index(c._prev[0]) and order.index(b) < order.index(c._prev[0])


# ---------------------------------------------------------------- (b) the same source as the lesson


def lesson_path() -> Path:
    return notebook_titled(LESSON_TITLE)


Definition = ast.FunctionDef | ast.Lambda


def notebook_definitions(notebook: nbformat.NotebookNode) -> dict[str, Definition]:
    """What ``Value``'s methods and the engine's functions are in the notebook after a top-to-bottom run.

    Keys are method names (``__add__``, ``tanh``, ...) and the MODULE_FUNCTIONS. A method attached from a
    function defined in an ``exercise`` cell is taken from the ``solution`` cell that follows it.
    """
    transform = TransformerManager().transform_cell
    cells = notebook.cells
    functions: dict[str, ast.FunctionDef] = {}
    methods: dict[str, Definition] = {}
    exercise_functions: dict[str, int] = {}  # function name -> index of its exercise cell

    def solution_function(exercise_cell: int) -> ast.FunctionDef:
        later = [i for i in range(exercise_cell + 1, len(cells)) if "solution" in tags(cells[i])]
        assert later, f"the exercise at cell {exercise_cell} has no solution cell after it"
        tree = ast.parse(transform(cells[later[0]].source))
        defined = [node for node in tree.body if isinstance(node, ast.FunctionDef)]
        assert len(defined) == 1, f"the solution at cell {later[0]} should define exactly one function"
        return defined[0]

    def resolve(value: ast.expr, cell: int) -> Definition:
        if isinstance(value, ast.Lambda):
            return value
        if isinstance(value, ast.Name) and value.id in exercise_functions:
            return solution_function(exercise_functions[value.id])
        if isinstance(value, ast.Name) and value.id in functions:
            return functions[value.id]
        raise AssertionError(f"cell {cell}: cannot tell which function {ast.unparse(value)} is")

    for index, cell in enumerate(cells):
        if cell.cell_type != "code":
            continue
        for node in ast.parse(transform(cell.source)).body:
            if isinstance(node, ast.FunctionDef):
                functions[node.name] = node
                if "exercise" in tags(cell):
                    exercise_functions[node.name] = index
                else:
                    exercise_functions.pop(node.name, None)
            elif isinstance(node, ast.ClassDef) and node.name == "Value":
                methods.update({item.name: item for item in node.body if isinstance(item, ast.FunctionDef)})
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "Value":
                        methods[target.attr] = resolve(node.value, index)
    for name in MODULE_FUNCTIONS:
        assert name in functions, f"the notebook defines no function {name}"
        methods[name] = functions[name]
    return methods


def engine_definitions(source: str) -> dict[str, Definition]:
    """The methods of ``Value`` (aliases such as ``__radd__ = __add__`` resolved) and the module functions."""
    definitions: dict[str, Definition] = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.ClassDef) and node.name == "Value":
            for item in node.body:
                if isinstance(item, ast.FunctionDef):
                    definitions[item.name] = item
                elif isinstance(item, ast.Assign) and isinstance(item.value, ast.Name):
                    for target in item.targets:
                        assert isinstance(target, ast.Name)
                        definitions[target.id] = definitions[item.value.id]
        elif isinstance(node, ast.FunctionDef) and node.name in MODULE_FUNCTIONS:
            definitions[node.name] = node
    return definitions


def shape(definition: Definition) -> str:
    """The argument names, defaults and body statements, without docstring, annotations or formatting."""
    arguments = definition.args
    names = [argument.arg for argument in arguments.args]
    defaults = [ast.dump(default) for default in arguments.defaults]
    if isinstance(definition, ast.Lambda):
        body: list[ast.stmt] = [ast.Return(value=definition.body)]
    else:
        body = definition.body
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            body = body[1:]  # the docstring
    return repr((names, defaults, [ast.dump(statement) for statement in body]))


def source_differences(notebook: nbformat.NotebookNode, engine_source: str) -> list[str]:
    """Every name whose definition differs between the notebook and the engine, or exists in only one."""
    ours, lesson = engine_definitions(engine_source), notebook_definitions(notebook)
    problems = [f"{name}: in the notebook but not in helpers/engine.py" for name in sorted(lesson.keys() - ours.keys())]
    problems += [f"{name}: in helpers/engine.py but not in the notebook" for name in sorted(ours.keys() - lesson.keys())]
    for name in sorted(ours.keys() & lesson.keys()):
        if shape(ours[name]) != shape(lesson[name]):
            problems.append(f"{name}: differs.\n  notebook: {ast.unparse(lesson[name])}\n  engine:   {ast.unparse(ours[name])}")
    return problems


@pytest.fixture(scope="module")
def lesson() -> nbformat.NotebookNode:
    return nbformat.read(lesson_path(), as_version=4)


def test_every_method_has_the_source_the_lesson_teaches(lesson):
    problems = source_differences(lesson, ENGINE_SOURCE.read_text(encoding="utf-8"))
    assert not problems, "helpers/engine.py and the notebook disagree:\n" + "\n".join(problems)


def test_the_engine_covers_what_the_lesson_attaches(lesson):
    names = set(notebook_definitions(lesson))
    assert {"__init__", "__add__", "__radd__", "__mul__", "__pow__", "exp", "tanh", "backward"} <= names
    assert set(MODULE_FUNCTIONS) <= names


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ("self.grad += other.data * out.grad", "self.grad = other.data * out.grad", "__mul__"),
        ("self.grad += (1 - out.data**2) * out.grad", "self.grad += (1 - out.data) * out.grad", "tanh"),
        ("return self * -1", "return self * -1.0", "__neg__"),
        ("for node in reversed(topological_order(self)):", "for node in topological_order(self):", "backward"),
        ("__rmul__ = __mul__", "__rmul__ = __add__", "__rmul__"),
    ],
)
def test_a_changed_engine_is_caught(lesson, old, new, where):
    source = ENGINE_SOURCE.read_text(encoding="utf-8")
    assert old in source
    problems = source_differences(lesson, source.replace(old, new, 1))
    assert any(problem.startswith(f"{where}:") for problem in problems), problems


def test_a_changed_lesson_and_a_new_lesson_operation_are_caught(lesson):
    source = ENGINE_SOURCE.read_text(encoding="utf-8")
    changed = nbformat.from_dict(lesson)
    cell = next(c for c in changed.cells if c.cell_type == "code" and "def exp(self):" in c.source)
    cell.source = cell.source.replace("out.data * out.grad", "out.grad * out.data")
    assert [p for p in source_differences(changed, source) if p.startswith("exp:")]
    cell.source += "\n\nValue.exp2 = exp\n"
    assert "exp2: in the notebook but not in helpers/engine.py" in source_differences(changed, source)


def test_an_exercise_placeholder_counts_as_its_solution():
    notebook = nbformat.v4.new_notebook()
    code = nbformat.v4.new_code_cell
    notebook.cells = [
        code("def as_value(x):\n    return x\n\n\ndef topological_order(root):\n    return [root]"),
        code("class Value:\n    def __init__(self, data):\n        self.data = data"),
        code(
            "def value_tanh(self):\n    return None  # your code here\n\n\nValue.tanh = value_tanh",
            metadata={"tags": ["exercise"]},
        ),
        code("check.close('t', t, 1, hint='h')", metadata={"tags": ["check"]}),
        code("def solution_tanh(self):\n    return self.data\n\n\nt = 1", metadata={"tags": ["solution"]}),
    ]
    definitions = notebook_definitions(notebook)
    assert ast.unparse(definitions["tanh"]).startswith("def solution_tanh(self):")
