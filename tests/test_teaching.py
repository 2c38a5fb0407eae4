"""Can a teacher hand the series out as it is? The measurable parts of "paced for 50-minute classes":
the rules of CONTRIBUTING.md's "A notebook's shape", the index's times and TEACHING.md's time plans.

Each ``*_problems`` function takes a notebook (the index, or TEACHING.md's text, where it needs them) and
returns a list of problems in words; an empty list means fine. The tests at the top run them on every
``notebooks/NN_*.ipynb``, parametrized so that a failure names the notebook; the tests at the bottom feed
them small broken notebooks to show that each check can fail.
"""

from __future__ import annotations

import re

import nbformat
import pytest
from support import new_code, new_markdown, stream

from course.cells import output_texts, tags
from course.series import INDEX, ROOT, notebook_paths
from course.student import lecture_version, student_version

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
HEADING_MINUTES = re.compile(r"\((\d+) minutes")
PLAN_ROW = re.compile(r"^\| (.+?) \| (.+?) \|$")
PREDICT = re.compile(r"^\*\*Predict\b", re.MULTILINE)


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


def line_problems(notebook: nbformat.NotebookNode, code: int = MAX_CODE_LINE, output: int = MAX_OUTPUT_LINE) -> list[str]:
    """Every code line and text output line, error messages included, fits a projected screen (wrap long messages)."""
    problems = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        for kind, texts, limit in (("code", [cell.source], code), ("output", output_texts(cell, with_tracebacks=True), output)):
            wide = [line for text in texts for line in text.splitlines() if len(line) > limit]
            problems += [f"cell {index}: a {kind} line of {len(line)} characters (at most {limit}): {line[:60]}" for line in wide]
    return problems


def cell_count_problems(notebook: nbformat.NotebookNode, limit: int = MAX_CELLS) -> list[str]:
    count = len(notebook.cells)
    return [f"{count} cells; a 50-minute class has room for about {limit}"] if count > limit else []


def summary_problems(notebook: nbformat.NotebookNode) -> list[str]:
    """The last cell before the closing navigation is a markdown cell that starts with ``## Summary``."""
    body = [cell for cell in notebook.cells if "navigation" not in tags(cell)]
    last = body[-1] if body else None
    if last is None or last.cell_type != "markdown" or not last.source.lstrip().startswith("## Summary"):
        return ["the notebook does not end with a markdown cell starting '## Summary' (before the navigation)"]
    return []


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


def predict_problems(notebook: nbformat.NotebookNode) -> list[str]:
    """At least one '**Predict' question; each is answered by the code cell right after it, tagged ``predict-answer``
    with a stored output (more tagged answer cells may follow); every tagged cell answers a Predict; and the editions a
    class sees show no answer, nor the text that discusses it, before it runs."""
    cells = notebook.cells
    asked = [i for i, cell in enumerate(cells) if cell.cell_type == "markdown" and PREDICT.search(cell.source)]
    problems = [] if asked else ["no predict-then-run question: a markdown line starting '**Predict'"]
    for i in asked:
        answer = cells[i + 1] if i + 1 < len(cells) else None
        if answer is None or answer.cell_type != "code" or "predict-answer" not in tags(answer) or not answer.get("outputs"):
            problems.append(f"the Predict at cell {i} is not answered right after it by a code cell tagged predict-answer")
    for i, cell in enumerate(cells):
        follows = i - 1 in asked or "predict-answer" in tags(cells[i - 1])
        if "predict-answer" in tags(cell) and (cell.cell_type != "code" or not follows):
            problems.append(f"cell {i} is tagged predict-answer but no Predict question comes right before it")
    # Their outputs are cleared (tests/test_student_copy.py, test_workspace.py); the discussion after them is collapsed.
    for edition in (lecture_version, student_version):
        shown = edition(notebook).cells
        for i, cell in enumerate(shown[:-1]):
            after = shown[i + 1]
            if "predict-answer" in tags(cell) and after.cell_type == "markdown" and not after.source.startswith(("#", "*About")):
                problems.append(f"the {edition.__name__} shows the discussion of the answer at cell {i + 1} before it runs")
    return problems


def plan_problems(guide: str, notebook: nbformat.NotebookNode, name: str, limit: int = MAX_MINUTES) -> list[str]:
    """TEACHING.md's section on the notebook has a time plan that adds up: a ``| part | minutes |`` table whose
    rows add up to its Total, which is the heading's minutes and at most ``limit``; one ``Predict:`` row per
    Predict question, one row per exercise (``Exercise k:``, or ``After class: Exercise k:`` with no minutes);
    and a ``**Prerequisites:**`` line."""
    number = name[:2]
    found = re.search(rf"^## {number} ·(.*?)(?=^## |\Z)", guide, re.MULTILINE | re.DOTALL)
    if not found:
        return [f"TEACHING.md has no section '## {number} ·'"]
    section = found.group(0)
    heading = HEADING_MINUTES.search(section.splitlines()[0])
    rows = [match.groups() for line in section.splitlines() if (match := PLAN_ROW.match(line.strip()))]
    rows = [(part.strip(), minutes.strip()) for part, minutes in rows if part.strip() not in ("part", "---")]
    if not heading or not rows:
        return [f"the section on {number} needs '(N minutes)' in its heading and a '| part | minutes |' table"]
    problems = []
    totals = [minutes.strip("*") for part, minutes in rows if part.strip("*") == "Total"]
    counted = [(part, minutes) for part, minutes in rows if part.strip("*") != "Total" and not part.startswith("After class")]
    if not all(minutes.isdigit() for _, minutes in counted):
        problems.append(f"every in-class row of {number}'s plan needs whole minutes: {counted}")
    else:
        added = sum(int(minutes) for _, minutes in counted)
        if totals != [str(added)]:
            problems.append(f"{number}'s parts add up to {added} minutes, but its Total says {totals}")
        if added != int(heading.group(1)) or added > limit:
            problems.append(f"{number}'s plan is {added} minutes; its heading says {heading.group(1)}, a class is {limit}")
    predicts = sum(bool(PREDICT.search(cell.source)) for cell in notebook.cells if cell.cell_type == "markdown")
    planned = sum(part.startswith("Predict:") for part, _ in rows)
    if planned != predicts:
        problems.append(f"{number} asks {predicts} Predict question(s); its plan has {planned} Predict row(s)")
    exercises = sum("exercise" in tags(cell) for cell in notebook.cells)
    for k in range(1, exercises + 1):
        listed = [p for p, _ in rows if re.match(rf"(After class: )?Exercise {k}\b", p)]
        if len(listed) != 1:
            problems.append(f"{number}'s plan must list Exercise {k} once (in class or 'After class:'), found {listed}")
    if "**Prerequisites:**" not in section:
        problems.append(f"the section on {number} names no **Prerequisites:**")
    return problems


# ---------------------------------------------------------------- the series


def report(name: str, problems: list[str]) -> str:
    return f"{name}:\n" + "\n".join(problems)


PER_NOTEBOOK = {
    "no provenance words": provenance_problems,
    "code and output lines fit a projector": line_problems,
    "at most fifty cells": cell_count_problems,
    "ends with a summary": summary_problems,
}


@pytest.mark.parametrize("check", PER_NOTEBOOK)
@pytest.mark.parametrize("name", NAMES)
def test_notebook_is_ready_for_a_class(name, check, series):
    problems = PER_NOTEBOOK[check](series[name])
    assert not problems, report(name, problems)


@pytest.mark.parametrize("name", LESSONS)
def test_has_a_predict_then_run_question_and_a_time_of_at_most_fifty_minutes_in_the_index(name, series):
    problems = predict_problems(series[name]) + time_problems(series[INDEX], name)
    assert not problems, report(name, problems)


@pytest.mark.parametrize("name", NAMES)
def test_the_time_plan_adds_up(name, series):
    problems = plan_problems(GUIDE.read_text(encoding="utf-8"), series[name], name)
    assert not problems, report(name, problems)


# ---------------------------------------------------------------- the checks can fail


def nav() -> nbformat.NotebookNode:
    return new_markdown("[Contents](00_index.ipynb)", metadata={"tags": ["navigation"]})


def lesson(*cells: nbformat.NotebookNode) -> nbformat.NotebookNode:
    return nbformat.v4.new_notebook(cells=[nav(), *cells, nav()])


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
    assert [problem.split()[3] for problem in line_problems(notebook)] == ["code", "output"]
    error = nbformat.v4.new_output("error", ename="RuntimeError", evalue="e", traceback=["RuntimeError: " + "c" * 100])
    assert line_problems(lesson(new_code("f()", outputs=[error])))


def test_too_many_cells_are_found():
    assert cell_count_problems(lesson(*[new_markdown("x") for _ in range(48)])) == []
    assert cell_count_problems(lesson(*[new_markdown("x") for _ in range(49)]))


def test_a_missing_or_misplaced_summary_is_found():
    summary, code = new_markdown("## Summary\n\n- It is 2."), new_code("print(1 + 1)", outputs=[stream("2\n")])
    assert summary_problems(lesson(code, summary)) == []
    assert summary_problems(lesson(summary, code))
    assert summary_problems(lesson(new_markdown("# 01 · T")))


def test_times_in_the_index_are_found_and_bounded():
    index = nbformat.v4.new_notebook(
        cells=[new_markdown("| [A](01_a.ipynb) | 45 min |\n| [B](02_b.ipynb) | 75 min |\n- [C](03_c.ipynb)")]
    )
    assert time_problems(index, "01_a.ipynb") == []
    assert time_problems(index, "02_b.ipynb") == ["02_b.ipynb is planned for 75 min; a class is 50"]
    assert time_problems(index, "03_c.ipynb")
    assert time_problems(index, "04_d.ipynb")


def test_a_predict_question_needs_a_tagged_answer_with_output_right_after_it():
    asked = new_markdown("**Predict.** What?")
    answer = new_code("1", outputs=[stream("1\n")], metadata={"tags": ["predict-answer"]})
    assert predict_problems(lesson(asked, answer)) == []
    assert predict_problems(lesson(new_markdown("Predict the output."), answer))
    assert predict_problems(lesson(asked, new_code("1", outputs=[stream("1\n")])))
    assert predict_problems(lesson(asked, new_code("x = 1", metadata={"tags": ["predict-answer"]})))
    assert predict_problems(lesson(asked, new_markdown("It is 1."), answer))
    assert predict_problems(lesson(asked, answer, new_markdown("Text."), new_code("2", metadata={"tags": ["predict-answer"]})))


PLAN = """## 07 · Slow (20 minutes)

| part | minutes |
| --- | --- |
| Objectives | 2 |
| Predict: the error | 3 |
| Exercise 1: a limit | 15 |
| After class: Exercise 2: a factor | — |
| **Total** | **20** |

**Prerequisites:** notebook 06.
"""


def test_a_time_plan_that_does_not_add_up_is_found():
    notebook = lesson(
        new_markdown("**Predict.** What?"),
        new_code("x", metadata={"tags": ["exercise"]}),
        new_code("y", metadata={"tags": ["exercise"]}),
    )
    assert plan_problems(PLAN, notebook, "07_slow.ipynb") == []
    assert plan_problems(PLAN, notebook, "08_other.ipynb") == ["TEACHING.md has no section '## 08 ·'"]
    assert plan_problems(PLAN.replace("| 15 |", "| 16 |"), notebook, "07_slow.ipynb")
    assert plan_problems(PLAN.replace("20 minutes", "25 minutes"), notebook, "07_slow.ipynb")
    assert plan_problems(PLAN.replace("After class: Exercise 2", "Homework 2"), notebook, "07_slow.ipynb")
    assert plan_problems(PLAN.replace("| Predict: the error | 3 |", "| Pause | 3 |"), notebook, "07_slow.ipynb")
    assert plan_problems(PLAN.replace("**Prerequisites:**", "Needs"), notebook, "07_slow.ipynb")
    long = PLAN.replace("| 15 |", "| 45 |").replace("20", "50")
    assert plan_problems(long, notebook, "07_slow.ipynb") == []
    assert plan_problems(long, notebook, "07_slow.ipynb", limit=40)
