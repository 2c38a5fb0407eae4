"""The student copies (course.student, run by scripts/student_copy.py) keep every exercise, lose every solution, and still run."""

from __future__ import annotations

import nbformat
import pytest
from nbclient import NotebookClient
from support import python3_notebook

from course import student as student_copy
from course.cells import tags
from course.series import ROOT, notebook_paths

NOTEBOOKS = notebook_paths()


@pytest.fixture(scope="module")
def copies() -> dict[str, tuple[nbformat.NotebookNode, nbformat.NotebookNode]]:
    """Each reference notebook beside its copy in the student edition (what make student writes)."""
    edition = student_copy.student_edition(student_copy.working_tree_sources(ROOT))
    return {
        path.name: (nbformat.read(path, as_version=4), nbformat.reads(edition[f"notebooks/{path.name}"].decode(), as_version=4))
        for path in NOTEBOOKS
    }


@pytest.mark.parametrize("name", [path.name for path in NOTEBOOKS])
def test_copy_differs_only_in_solution_cells_and_collapsed_discussions(name, copies):
    original, student = copies[name]
    for i, (before, after) in enumerate(zip(original.cells, student.cells, strict=True)):
        if "solution" in tags(before):
            assert after.source == student_copy.SOLUTION_NOTE, f"{name}: solution cell {i} kept code"
        elif student_copy.explains(original, i):
            assert after.source == student_copy.DISCUSSION_LABEL + before.source
            assert after.metadata["jupyter"]["source_hidden"], f"{name}: the discussion at cell {i} is not collapsed"
        else:
            assert after.source == before.source, f"{name}: cell {i} changed but is not a solution"
            assert tags(after) == tags(before)
        if after.cell_type == "code":
            assert after.outputs == [] and after.execution_count is None, f"{name}: cell {i} kept its output"
    solutions = [cell.source.strip() for cell in original.cells if "solution" in tags(cell)]
    assert not [s for s in solutions if s in nbformat.writes(student)], f"{name}: another cell repeats a solution"


def exercise_notebook() -> nbformat.NotebookNode:
    new_code = nbformat.v4.new_code_cell
    return python3_notebook(
        new_code("from helpers import check"),
        nbformat.v4.new_markdown_cell("Compute the slope of 3x + 1."),
        new_code("my_slope = None  # your code here", metadata={"tags": ["exercise"]}),
        new_code('check.close("my_slope", my_slope, 3.0, hint="The factor of x.")', metadata={"tags": ["check"]}),
        new_code(
            'solution_slope = 3.0\ncheck.close("solution_slope", solution_slope, 3.0, hint="fix")',
            metadata={"tags": ["solution"], "jupyter": {"source_hidden": True}},
        ),
    )


def test_a_solutions_note_is_shown_and_the_original_left_alone():
    notebook = exercise_notebook()
    notebook.cells[4].outputs = [nbformat.v4.new_output("stream", name="stdout", text="x")]
    notebook.cells[4].execution_count = 5
    student = student_copy.student_version(notebook)
    # The note, the cleared outputs and the kept exercises: test_copy_differs_only_in_solution_cells_..., on every notebook.
    assert "jupyter" not in student.cells[4].metadata, "a solution's note is not collapsed"
    assert notebook.cells[4].source.startswith("solution_slope = 3.0"), "the original must be left alone"


def test_running_the_full_notebook_in_order_keeps_the_learners_answer(tmp_path):
    """Shift+Enter through the instructor's copy: the reference solution runs after the check and leaves
    the learner's answer, right or wrong, alone."""
    notebook = exercise_notebook()
    notebook.cells[2].source = "my_slope = 2.5  # a wrong answer"
    NotebookClient(notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    check_output = "".join(o.get("text", "") for o in notebook.cells[3].outputs)
    assert check_output.startswith("Not yet: my_slope is off"), check_output
    notebook.cells.append(nbformat.v4.new_code_cell("print(my_slope)"))
    NotebookClient(notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    assert "".join(o.get("text", "") for o in notebook.cells[-1].outputs) == "2.5\n"
