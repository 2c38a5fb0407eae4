"""Unit tests for course.lesson: a notebook's definitions, loaded from the notebook, and nothing else run."""

from pathlib import Path

import nbformat
import pytest

from course.lesson import load_definitions
from course.series import notebook_titled


def notebook(tmp_path: Path, *sources: str) -> Path:
    cells = [nbformat.v4.new_markdown_cell("# A lesson"), *(nbformat.v4.new_code_cell(source) for source in sources)]
    path = tmp_path / "lesson.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    return path


def test_loads_what_a_definition_uses_through_functions_lambdas_and_defaults_and_runs_nothing_else(tmp_path):
    path = notebook(
        tmp_path,
        "%xmode Minimal\nimport math\n\nprint(undefined_name)",
        "def square(v):\n    return v * v",
        "SCALE = 3\nfor i in range(3):\n    raise AssertionError('a loop must not run')",
        "def scaled_root(v):\n    return SCALE * math.sqrt(square(v))",
        "assert False, 'a statement that defines nothing must not run'",
        "OFFSET = 10",
        "STEP = 5",
        "methods = {'shifted': lambda v: square(v) + OFFSET}",
        "def g(v, step=STEP):\n    return v + step",
    )
    lesson = load_definitions(path, ["scaled_root", "methods", "g"])
    assert list(lesson) == ["scaled_root", "methods", "g"]
    assert (lesson["scaled_root"](-2.0), lesson["methods"]["shifted"](2), lesson["g"](1)) == (6.0, 14, 6)


def test_values_come_from_their_last_definition_and_a_dependency_from_the_one_before_its_use(tmp_path):
    path = notebook(
        tmp_path,
        "rate = 1",
        "doubled = 2 * rate",
        "rate = 5",
        "def current_rate():\n    return rate",
        "rate = 7",
    )
    lesson = load_definitions(path, ["doubled", "rate", "current_rate"])
    assert (lesson["doubled"], lesson["rate"], lesson["current_rate"]()) == (2, 7, 7)


def test_a_name_the_notebook_does_not_define_is_refused_by_name(tmp_path):
    path = notebook(tmp_path, "x = 1\nfor i in range(2):\n    y = i")
    with pytest.raises(LookupError, match="lesson.ipynb defines no y, z at the top level of a code cell"):
        load_definitions(path, ["x", "y", "z"])


def test_an_error_points_at_the_notebook_cell(tmp_path):
    path = notebook(tmp_path, "a = 1", "b = a / 0")
    with pytest.raises(ZeroDivisionError) as raised:
        load_definitions(path, ["b"])
    assert (str(raised.traceback[-1].path), raised.traceback[-1].lineno) == ("lesson.ipynb, cell 2", 0)


def test_the_descent_notebooks_train_is_the_lesson_as_written():
    lesson = load_definitions(notebook_titled("Fitting a line by gradient descent"), ["train", "x", "y"])
    ws, bs, losses, diverged_at = lesson["train"](lesson["x"], lesson["y"], 1e-4, 500)
    # The numbers the notebook prints after its first run (its stored outputs check them on every CPU).
    assert (f"{losses[450]:.3f}", f"{ws[-1]:.4f}", f"{bs[-1]:.4f}", diverged_at) == ("4.881", "0.3950", "-0.2175", None)
