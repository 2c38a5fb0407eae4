"""The student copies (course.student, run by scripts/student_copy.py) keep every exercise and lose every solution.

That they still run is tests/test_student_edition.py's; that a reference solution never replaces a learner's answer
is tests/test_notebooks.py's (exercise_problems: no solution binds a name its exercise or check binds)."""

from __future__ import annotations

import nbformat
import pytest
from support import python3_notebook

from course import student as student_copy
from course.cells import tags
from course.series import notebook_paths


@pytest.mark.parametrize("name", [path.name for path in notebook_paths()])
def test_copy_differs_only_in_solution_cells_and_collapsed_discussions(name, series, edition):
    original, student = series[name], nbformat.reads(edition[f"notebooks/{name}"].decode(), as_version=4)
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


def test_a_solutions_note_is_shown_and_the_original_left_alone():
    hidden = {"tags": ["solution"], "jupyter": {"source_hidden": True}}
    notebook = python3_notebook(nbformat.v4.new_code_cell("solution_slope = 3.0", metadata=hidden))
    (note,) = student_copy.student_version(notebook).cells
    assert note.source == student_copy.SOLUTION_NOTE and "jupyter" not in note.metadata, "the note is collapsed"
    assert notebook.cells[0].source == "solution_slope = 3.0", "the original must be left alone"
