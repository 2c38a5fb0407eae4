"""Can a teacher hand the series out as it is? The measurable parts of "paced for 50-minute classes".

Each ``*_problems`` function takes a notebook (the index, or TEACHING.md's text, where it needs them) and
returns a list of problems in words; an empty list means fine. The tests at the top run them on every
``notebooks/NN_*.ipynb``, parametrized so that a failure names the notebook; the tests at the bottom feed
them small broken notebooks to show that each check can fail.

What is checked:
- no provenance words: the examples are the series' own, so no "the seed", "the notes", "course notes";
- code lines of at most 88 characters and output lines of at most 100 (a projector shows about that);
- at most 50 cells per notebook, and a ``## Summary`` cell right before the closing navigation;
- at least one predict-then-run question: a markdown cell with a line that starts with ``**Predict``,
  followed by a code cell whose stored output reveals the answer;
- the index gives every notebook a time of at most 50 minutes, and names the teacher's guide;
- TEACHING.md has a section for every notebook.
"""

from __future__ import annotations

import re

import nbformat
import pytest

from course.cells import output_texts, tags
from course.series import INDEX, ROOT, notebook_paths

NOTEBOOKS = notebook_paths()
NAMES = [path.name for path in NOTEBOOKS]
LESSONS = [name for name in NAMES if name != INDEX]
GUIDE = ROOT / "TEACHING.md"

MAX_CODE_LINE = 88
MAX_OUTPUT_LINE = 100
MAX_CELLS = 50
MAX_MINUTES = 50

# Where the examples came from is not the students' business: "the seed('s)", "the (original/course) notes".
PROVENANCE = re.compile(
    r"\bthe seed\b|\bseed's\b|\boriginal (course )?notes\b|\bcourse notes\b|\bthe notes\b|\bnotes'",
    re.IGNORECASE,
)
MINUTES = re.compile(r"(\d+)\s*min\b")
PREDICT = re.compile(r"^\*\*Predict\b", re.MULTILINE)


def is_navigation(cell: nbformat.NotebookNode) -> bool:
    return "navigation" in tags(cell)


# ---------------------------------------------------------------- checks


def provenance_problems(notebook: nbformat.NotebookNode) -> list[str]:
    """No cell source or stored output names where the examples came from."""
    problems = []
    for index, cell in enumerate(notebook.cells):
        texts = [cell.source]
        if cell.cell_type == "code":
            texts += output_texts(cell, with_tracebacks=True)
        for text in texts:
            for found in PROVENANCE.finditer(text):
                context = text[max(0, found.start() - 30) : found.end() + 30].replace("\n", " ")
                problems.append(f"cell {index} says {found.group()!r}: ...{context}...")
    return problems


def code_line_problems(notebook: nbformat.NotebookNode, limit: int = MAX_CODE_LINE) -> list[str]:
    return [
        f"cell {index} has a code line of {len(line)} characters (at most {limit}): {line[:60]}..."
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "code"
        for line in cell.source.splitlines()
        if len(line) > limit
    ]


def output_line_problems(notebook: nbformat.NotebookNode, limit: int = MAX_OUTPUT_LINE) -> list[str]:
    """Every text output line, error messages included, fits a projected screen (wrap long messages)."""
    return [
        f"cell {index} has an output line of {len(line)} characters (at most {limit}): {line[:60]}..."
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "code"
        for text in output_texts(cell, with_tracebacks=True)
        for line in text.splitlines()
        if len(line) > limit
    ]


def cell_count_problems(notebook: nbformat.NotebookNode, limit: int = MAX_CELLS) -> list[str]:
    count = len(notebook.cells)
    return [f"{count} cells; a 50-minute class has room for about {limit}"] if count > limit else []


def summary_problems(notebook: nbformat.NotebookNode) -> list[str]:
    """The last cell before the closing navigation is a markdown cell that starts with ``## Summary``."""
    body = [cell for cell in notebook.cells if not is_navigation(cell)]
    last = body[-1] if body else None
    if last is None or last.cell_type != "markdown" or not last.source.lstrip().startswith("## Summary"):
        return ["the notebook does not end with a markdown cell starting '## Summary' (before the navigation)"]
    return []


def predict_problems(notebook: nbformat.NotebookNode) -> list[str]:
    """At least one '**Predict' question, answered by the stored output of the code cell right after it."""
    cells = notebook.cells
    for index, cell in enumerate(cells[:-1]):
        answer = cells[index + 1]
        if cell.cell_type == "markdown" and PREDICT.search(cell.source):
            if answer.cell_type == "code" and answer.get("outputs"):
                return []
    return ["no predict-then-run question: a markdown line starting '**Predict' right before a code cell with output"]


def time_problems(index: nbformat.NotebookNode, name: str, limit: int = MAX_MINUTES) -> list[str]:
    """The index gives the notebook a time, on a line that links it, of at most ``limit`` minutes."""
    lines = [
        line
        for cell in index.cells
        if cell.cell_type == "markdown"
        for line in cell.source.splitlines()
        if f"({name})" in line and MINUTES.search(line)
    ]
    if not lines:
        return [f"the index gives no time for {name} (a line that links it and says 'NN min')"]
    minutes = max(int(found) for line in lines for found in MINUTES.findall(line))
    return [f"{name} is planned for {minutes} min; a class is {limit}"] if minutes > limit else []


def guide_problems(guide: str, name: str) -> list[str]:
    """TEACHING.md has a heading for the notebook that starts with its number (e.g. '## 03 ·')."""
    number = name[:2]
    if not re.search(rf"^#+ {number}\b", guide, re.MULTILINE):
        return [f"TEACHING.md has no section for {name} (a heading starting '{number}')"]
    return []


# ---------------------------------------------------------------- the series


@pytest.fixture(scope="module")
def series() -> dict[str, nbformat.NotebookNode]:
    return {path.name: nbformat.read(path, as_version=4) for path in NOTEBOOKS}


def report(name: str, problems: list[str]) -> str:
    return f"{name}:\n" + "\n".join(problems)


PER_NOTEBOOK = {
    "no provenance words": provenance_problems,
    "code lines fit a projector": code_line_problems,
    "output lines fit a projector": output_line_problems,
    "at most fifty cells": cell_count_problems,
    "ends with a summary": summary_problems,
}


@pytest.mark.parametrize("check", PER_NOTEBOOK)
@pytest.mark.parametrize("name", NAMES)
def test_notebook_is_ready_for_a_class(name, check, series):
    problems = PER_NOTEBOOK[check](series[name])
    assert not problems, report(name, problems)


@pytest.mark.parametrize("name", LESSONS)
def test_has_a_predict_then_run_question(name, series):
    problems = predict_problems(series[name])
    assert not problems, report(name, problems)


@pytest.mark.skipif(INDEX not in NAMES, reason="no index notebook")
@pytest.mark.parametrize("name", LESSONS)
def test_index_gives_a_time_of_at_most_fifty_minutes(name, series):
    problems = time_problems(series[INDEX], name)
    assert not problems, report(name, problems)


@pytest.mark.skipif(INDEX not in NAMES, reason="no index notebook")
def test_index_names_the_teachers_guide(series):
    text = "\n".join(cell.source for cell in series[INDEX].cells if cell.cell_type == "markdown")
    assert "TEACHING.md" in text


@pytest.mark.parametrize("name", NAMES)
def test_teaching_guide_covers_the_notebook(name):
    assert GUIDE.is_file(), "TEACHING.md is missing at the repository root"
    problems = guide_problems(GUIDE.read_text(encoding="utf-8"), name)
    assert not problems, report(name, problems)


# ---------------------------------------------------------------- the checks can fail

new_code = nbformat.v4.new_code_cell
new_markdown = nbformat.v4.new_markdown_cell


def stream(text: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_output("stream", name="stdout", text=text)


def nav() -> nbformat.NotebookNode:
    return new_markdown("[Contents](00_index.ipynb)", metadata={"tags": ["navigation"]})


def lesson(*cells: nbformat.NotebookNode) -> nbformat.NotebookNode:
    return nbformat.v4.new_notebook(cells=[nav(), *cells, nav()])


def good_lesson() -> nbformat.NotebookNode:
    return lesson(
        new_markdown("# 01 · T\n\n**You will learn to**\n- add"),
        new_markdown("**Predict.** What is 1 + 1? Write it down, then run the cell."),
        new_code("print(1 + 1)", outputs=[stream("2\n")]),
        new_markdown("## Summary\n\n- It is 2."),
    )


def test_a_clean_lesson_has_no_problems():
    notebook = good_lesson()
    for check in (
        provenance_problems,
        code_line_problems,
        output_line_problems,
        cell_count_problems,
        summary_problems,
        predict_problems,
    ):
        assert check(notebook) == [], check.__name__


@pytest.mark.parametrize(
    "text", ["The seed computed h.", "the seed's loss", "the original notes", "The course notes define", "the notes' run"]
)
def test_provenance_words_are_found_in_sources_and_outputs(text):
    assert provenance_problems(lesson(new_markdown(text)))
    assert provenance_problems(lesson(new_code("f()", outputs=[stream(text + "\n")])))


@pytest.mark.parametrize("text", ["torch.manual_seed(0)", "a seeded start", "drawn without a seed", "notebook 02"])
def test_ordinary_uses_of_seed_are_not_provenance(text):
    assert provenance_problems(lesson(new_markdown(text))) == []


def test_long_code_and_output_lines_are_found():
    notebook = lesson(new_code("x = 1  # " + "a" * 80, outputs=[stream("b" * 101 + "\nshort\n")]))
    assert len(code_line_problems(notebook)) == 1
    assert len(output_line_problems(notebook)) == 1
    error = nbformat.v4.new_output("error", ename="RuntimeError", evalue="e", traceback=["RuntimeError: " + "c" * 100])
    assert output_line_problems(lesson(new_code("f()", outputs=[error])))


def test_too_many_cells_are_found():
    assert cell_count_problems(lesson(*[new_markdown("x") for _ in range(48)])) == []
    assert cell_count_problems(lesson(*[new_markdown("x") for _ in range(49)]))


def test_a_missing_or_misplaced_summary_is_found():
    notebook = good_lesson()
    notebook.cells[-2], notebook.cells[-3] = notebook.cells[-3], notebook.cells[-2]
    assert summary_problems(notebook)
    assert summary_problems(lesson(new_markdown("# 01 · T")))


def test_a_predict_question_needs_a_revealing_cell_right_after_it():
    assert predict_problems(lesson(new_markdown("Predict the output."), new_code("1", outputs=[stream("1\n")])))
    assert predict_problems(lesson(new_markdown("**Predict.** What?"), new_code("x = 1")))
    assert predict_problems(lesson(new_markdown("**Predict.** What?"), new_markdown("It is 1.")))


def test_times_in_the_index_are_found_and_bounded():
    index = nbformat.v4.new_notebook(
        cells=[new_markdown("| [A](01_a.ipynb) | 45 min |\n| [B](02_b.ipynb) | 75 min |\n- [C](03_c.ipynb)")]
    )
    assert time_problems(index, "01_a.ipynb") == []
    assert time_problems(index, "02_b.ipynb") == ["02_b.ipynb is planned for 75 min; a class is 50"]
    assert time_problems(index, "03_c.ipynb")
    assert time_problems(index, "04_d.ipynb")


def test_the_guide_needs_a_section_per_notebook():
    guide = "# Teaching\n\n## 01 · Partial derivatives\n\ntext\n\n### 02 · Autograd\n"
    assert guide_problems(guide, "01_partial_derivatives.ipynb") == []
    assert guide_problems(guide, "02_autograd_basics.ipynb") == []
    assert guide_problems(guide, "03_graphs.ipynb")
