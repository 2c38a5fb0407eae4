"""Everyday use cannot break the regression check: ``make lab`` works on copies in workspace/,
and a reference notebook saved from a live session is named in one line with how to restore it."""

from __future__ import annotations

import shutil
import subprocess
import sys

import nbformat

from course.series import ROOT, notebook_paths
from course.student import is_lecture_copy, lecture_version
from course.workspace import live_session_problem, older_copies, prepare_workspace

SOURCE = notebook_paths()[1]  # any lesson with code cells


def test_make_lab_opens_the_workspace_copies_not_the_references():
    dry_run = subprocess.run(["make", "-n", "lab"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "scripts/workspace.py" in dry_run
    assert "--ServerApp.root_dir=workspace " in dry_run and "/lab/tree/notebooks/00_index.ipynb" in dry_run


def test_workspace_copies_missing_notebooks_and_keeps_edited_ones(tmp_path):
    before = SOURCE.read_bytes()
    target = tmp_path / "notebooks"
    assert prepare_workspace(target, [SOURCE]) == [SOURCE.name]
    assert (tmp_path / "STUDENTS.md").is_file(), "the index links ../STUDENTS.md"
    assert not (tmp_path / "TEACHING.md").exists(), "the projected copy links no teacher's guide"
    copy = target / SOURCE.name
    written = nbformat.read(copy, as_version=4)
    assert is_lecture_copy(written) and not [c for c in written.cells if c.cell_type == "code" and c.outputs]
    assert older_copies(target) == []
    copy.write_text("my own work", encoding="utf-8")
    assert prepare_workspace(target, [SOURCE]) == []
    assert copy.read_text(encoding="utf-8") == "my own work"
    shutil.copy2(SOURCE, copy)  # a copy made before lecture copies: the reference with its outputs
    assert older_copies(target) == [SOURCE.name]
    assert SOURCE.read_bytes() == before


def rehearsed(tmp_path):
    """A copy of a reference notebook as JupyterLab autosaves it after a rehearsal: cells re-run."""
    notebook = nbformat.read(SOURCE, as_version=4)
    for count, cell in enumerate((c for c in notebook.cells if c.cell_type == "code"), start=70):
        cell.execution_count = count
    folder = tmp_path / "notebooks"
    folder.mkdir()
    nbformat.write(notebook, folder / SOURCE.name)
    return folder


def test_cleared_outputs_and_saved_widgets_are_found(tmp_path):
    notebook = nbformat.read(SOURCE, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.execution_count, cell.outputs = None, []
    nbformat.write(notebook, tmp_path / "cleared.ipynb")
    assert "no execution count" in live_session_problem(tmp_path / "cleared.ipynb")

    notebook = nbformat.read(SOURCE, as_version=4)
    notebook.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    nbformat.write(notebook, tmp_path / "widgets.ipynb")
    assert "widget state" in live_session_problem(tmp_path / "widgets.ipynb")


def test_the_check_make_test_runs_first_names_a_rehearsed_notebook_in_one_line_with_the_way_back(tmp_path):
    folder = rehearsed(tmp_path)
    shutil.copy(notebook_paths()[0], folder)
    script = ROOT / "scripts" / "check_references.py"
    result = subprocess.run(
        [sys.executable, str(script), "--notebooks", str(folder)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 1
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"notebooks/{SOURCE.name} is not a fresh top-to-bottom run")
    assert "execution count 70, expected 1" in lines[0]
    assert f"git checkout notebooks/{SOURCE.name}" in lines[0] and "make outputs" in lines[0]
    clean = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=False)
    assert clean.returncode == 0, clean.stdout


def test_a_lecture_copy_collapses_what_would_give_an_answer_away():
    new_code, new_markdown = nbformat.v4.new_code_cell, nbformat.v4.new_markdown_cell
    notebook = nbformat.v4.new_notebook(
        cells=[
            new_markdown("**Predict.** What?"),
            new_code("print(1)", metadata={"tags": ["predict-answer"]}),
            new_markdown("It printed 1, because ..."),
            new_code("x = None  # your code here", metadata={"tags": ["exercise"]}),
            new_code("solution_x = 1", metadata={"tags": ["solution"]}),
            new_code("print(2)", metadata={"tags": ["predict-answer"]}),
            new_markdown("## The next section"),
        ]
    )
    cells = lecture_version(notebook).cells
    hidden = [i for i, cell in enumerate(cells) if cell.metadata.get("jupyter", {}).get("source_hidden")]
    assert hidden == [2, 4], "the discussion and the solution are collapsed, the next heading is not"
    assert cells[4].cell_type == "raw" and cells[4].source.endswith("\nsolution_x = 1"), "Run All passes it by"
    first_lines = [cells[i].source.splitlines()[0] for i in hidden]
    assert not [line for line in first_lines if "1" in line], "a collapsed cell shows its first line"
