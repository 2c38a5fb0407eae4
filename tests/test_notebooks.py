"""Hygiene of every stored notebook: the things strict nbval cannot see on its own.

Each ``*_problems`` function takes a notebook (or the series) and returns a list of problems in
words; an empty list means clean. The tests at the top run them on every ``notebooks/NN_*.ipynb``
(parametrized, so a failure names the notebook); the tests at the bottom feed them small broken
notebooks to show that each check can fail.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest
from support import new_code, new_markdown, stream
from support import python3_notebook as notebook_of

from course import generated, navigation
from course.cells import RAISES, code_cells, output_texts, read_sanitize_cfg, sanitize, tags, unexpected_errors
from course.navigation import nav_source, regenerate
from course.series import INDEX, notebook_paths

NAMES = [path.name for path in notebook_paths()]
IGNORE_BUDGET = 0.10
MIN_EXERCISES = 2
GIVEAWAY_LENGTH = 10  # a hint may not spell out an expression of the solution this long

IGNORING_TAGS = {"nbval-ignore-output", "nbval-skip"}
IGNORING_COMMENTS = {"# NBVAL_IGNORE_OUTPUT", "# NBVAL_SKIP"}
# Absolute paths that would leak the author's machine or user name into a stored output.
PRIVATE_PATH = re.compile(r"/work/|/root/|/home/|/tmp/|/Users/|/private/|[A-Za-z]:\\\\?(Users|Documents)")
ADDRESS = re.compile(r"\b0x[0-9a-fA-F]+\b")  # not the 0xADDRESS placeholder
LINK = re.compile(r"\]\(([^)\s]+\.ipynb)\)")


def ignored_by_nbval(cell: nbformat.NotebookNode) -> bool:
    lines = {line.strip() for line in cell.source.splitlines()}
    return bool(IGNORING_TAGS & set(tags(cell))) or bool(IGNORING_COMMENTS & lines)


# ---------------------------------------------------------------- checks


def format_problems(notebook: nbformat.NotebookNode) -> list[str]:
    problems = []
    try:
        nbformat.validate(notebook)
    except nbformat.ValidationError as error:
        problems.append(f"invalid nbformat: {error.message}")
    kernel = notebook.metadata.get("kernelspec", {}).get("name")
    if kernel != "python3":
        problems.append(f"kernelspec is {kernel!r}, expected 'python3'")
    return problems


def output_problems(notebook: nbformat.NotebookNode, pairs: list[tuple[str, str]]) -> list[str]:
    """What a stored output must not hold, once sanitised with ``pairs``: an absolute path (it leaks the author's
    machine; tracebacks included), a memory address (it changes every run), an SVG (it embeds random ids)."""
    problems = []
    home = str(Path.home())
    for index, cell in enumerate(code_cells(notebook), start=1):
        for text in output_texts(cell, with_tracebacks=True):
            text = sanitize(text, pairs)
            found = PRIVATE_PATH.search(text)
            if found or (home != "/" and home in text):
                shown = text[max(0, found.start() - 20) : found.end() + 40] if found else home
                problems.append(f"code cell {index} output holds a private path: {shown!r}")
        for text in output_texts(cell, with_tracebacks=False):
            if found := ADDRESS.search(sanitize(text, pairs)):
                problems.append(f"code cell {index} output has {found.group()} that the sanitize file misses")
        if any("image/svg+xml" in output.get("data", {}) for output in cell.outputs):
            problems.append(f"code cell {index} has an SVG output (it embeds random ids, so nbval fails)")
    return problems


def ignore_budget_problems(notebooks: list[nbformat.NotebookNode], budget: float = IGNORE_BUDGET) -> list[str]:
    cells = [cell for notebook in notebooks for cell in code_cells(notebook)]
    ignored = sum(ignored_by_nbval(cell) for cell in cells)
    if cells and ignored > budget * len(cells):
        return [f"{ignored} of {len(cells)} code cells are ignored or skipped by nbval; the budget is {budget:.0%}"]
    return []


class _Bindings(ast.NodeVisitor):
    """The global names a cell binds: assignment targets (``w``, ``Value.tanh``, ``x[0]`` binds ``x``),
    ``def`` and ``class`` names. Function bodies, lambdas and comprehensions have scopes of their own."""

    def __init__(self) -> None:
        self.names: set[str] = set()

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        self.names.add(node.name)
        for decorator in node.decorator_list:
            self.visit(decorator)

    visit_AsyncFunctionDef = visit_ClassDef = visit_FunctionDef

    def visit_Lambda(self, node: ast.AST) -> None:
        pass

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = visit_Lambda

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Store | ast.Del):
            self.names.add(node.id)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if isinstance(node.ctx, ast.Store | ast.Del):
            self.names.add(ast.unparse(node))
        self.generic_visit(node)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        if isinstance(node.ctx, ast.Store | ast.Del):
            self.names.add(ast.unparse(node.value))
        self.generic_visit(node)


def parsed(source: str) -> ast.Module:
    """The cell's syntax tree; an empty module if it is not Python (a magic such as %xmode)."""
    try:
        return ast.parse(source)
    except SyntaxError:
        return ast.Module(body=[], type_ignores=[])


def bound_names(source: str) -> set[str]:
    """Global names (and attributes) that running ``source`` binds."""
    visitor = _Bindings()
    visitor.visit(parsed(source))
    return visitor.names


def used_names(source: str) -> set[str]:
    nodes = ast.walk(parsed(source))
    return {node.id for node in nodes if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}


def hints(source: str) -> list[str]:
    """The literal ``hint=`` strings of the check calls in ``source``."""
    calls = [node for node in ast.walk(parsed(source)) if isinstance(node, ast.Call)]
    hinted = [keyword.value for call in calls for keyword in call.keywords if keyword.arg == "hint"]
    return [str(value.value) for value in hinted if isinstance(value, ast.Constant)]


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text).replace("'", '"')


def giveaways(solution: str, hint: str, shortest: int = GIVEAWAY_LENGTH) -> list[str]:
    """Expressions of the solution's code (``shortest`` characters or more) that the hint spells out."""
    tree = parsed(solution)
    flat_hint = squeezed(hint)
    # Computations, not bare names: a hint may name torch.linalg.solve, but not spell out the call.
    kinds = (ast.Call, ast.BinOp, ast.UnaryOp, ast.Lambda, ast.List, ast.Tuple, ast.Subscript, ast.Compare)
    expressions = {ast.unparse(node) for node in ast.walk(tree) if isinstance(node, kinds)}
    spelled = [e for e in expressions if len(squeezed(e)) >= shortest and squeezed(e) in flat_hint]
    return sorted(spelled, key=lambda expression: (-len(expression), expression))


def exercise_problems(notebook: nbformat.NotebookNode, minimum: int = 0) -> list[str]:
    """Every exercise is the learner's cell, a check, then a hidden reference solution that never touches the answer.

    - The exercise cell (tag ``exercise``) holds the learner's placeholder.
    - The check cell right after it (tag ``check``) calls ``helpers.check``. Its stored verdict is "Not yet":
      in the instructor's copy nothing fills the learner's placeholder, not even the solution.
    - The solution cell after the check (tag ``solution``, collapsed with ``jupyter.source_hidden``) works
      under names of its own and checks itself: its stored output says "Correct". It binds no name that the
      exercise or the check binds, and the check reads no name that only the solution binds, so running the
      cells in order never replaces a learner's answer and the student copy (solution removed) still runs.
    - No hint spells out an expression of the solution.
    """
    problems = []
    cells = notebook.cells
    exercises = [i for i, cell in enumerate(cells) if "exercise" in tags(cell)]
    for i in exercises:
        exercise = cells[i]
        check = cells[i + 1] if i + 1 < len(cells) else None
        solution = cells[i + 2] if i + 2 < len(cells) else None
        check_ok = check is not None and check.cell_type == "code" and "check" in tags(check)
        solution_ok = solution is not None and solution.cell_type == "code" and "solution" in tags(solution)
        if not check_ok:
            problems.append(f"exercise at cell {i} is not followed by a code cell tagged 'check'")
        elif "check." not in check.source:
            problems.append(f"check at cell {i + 1} does not call helpers.check (check.close / check.equal)")
        elif "Not yet" not in "".join(output_texts(check, with_tracebacks=False)):
            problems.append(
                f"check at cell {i + 1} does not print 'Not yet': in the full notebook the exercise keeps its "
                "placeholder, and nothing else may fill it"
            )
        if not solution_ok:
            problems.append(f"exercise at cell {i} is not followed by a check and then a code cell tagged 'solution'")
            continue
        if not solution.metadata.get("jupyter", {}).get("source_hidden"):
            problems.append(f"solution at cell {i + 2} is not hidden (metadata jupyter.source_hidden)")
        if "Correct" not in "".join(output_texts(solution, with_tracebacks=False)):
            problems.append(f"solution at cell {i + 2} does not check itself and print 'Correct'")
        learner = bound_names(exercise.source) | (bound_names(check.source) if check_ok else set())
        if clash := sorted(bound_names(solution.source) & learner):
            problems.append(
                f"solution at cell {i + 2} rebinds {', '.join(clash)}: running it would replace the learner's work"
            )
        if check_ok and (borrowed := sorted(used_names(check.source) & bound_names(solution.source))):
            problems.append(
                f"check at cell {i + 1} reads {', '.join(borrowed)} from the solution: "
                "the student copy has no solution"
            )
        for hint in hints(check.source) if check_ok else []:
            if spelled := giveaways(solution.source, hint):
                problems.append(f"the hint at cell {i + 1} gives the solution away: {spelled[0]}")
    for kind, offset in (("check", 1), ("solution", 2)):
        orphans = [i for i, cell in enumerate(cells) if kind in tags(cell) and i - offset not in exercises]
        problems += [f"{kind} at cell {i} does not belong to an exercise {offset} cell(s) before it" for i in orphans]
    if len(exercises) < minimum:
        problems.append(f"{len(exercises)} exercise(s); every lesson needs at least {minimum}")
    return problems


# ---------------------------------------------------------------- the series


@pytest.mark.parametrize("name", NAMES)
def test_notebook_hygiene(name, series):
    notebook, pairs = series[name], read_sanitize_cfg()
    problems = (
        format_problems(notebook)
        + unexpected_errors(notebook)
        + output_problems(notebook, pairs)
    )
    assert not problems, f"{name}:\n" + "\n".join(problems)


@pytest.mark.parametrize("name", [n for n in NAMES if n != INDEX])
def test_exercises_have_solution_and_check(name, series):
    problems = exercise_problems(series[name], MIN_EXERCISES)
    assert not problems, f"{name}:\n" + "\n".join(problems)


def test_at_most_ten_percent_of_code_cells_ignored(series):
    assert not ignore_budget_problems(list(series.values()))


def test_generated_files_and_navigation_are_up_to_date():
    """helpers/engine.py, environment.yml and the z2jh sizing (course/generated.py) and every notebook's navigation."""
    stale = generated.update(write=False) + navigation.update(write=False)
    assert not stale, f"stale: {stale}; run `make generated` and `make navigation`, never edit generated text by hand"


# ---------------------------------------------------------------- the checks can fail


def test_wrong_kernel_and_invalid_format_are_found():
    notebook = notebook_of(new_code("1"))
    notebook.metadata["kernelspec"]["name"] = "julia"
    notebook.cells[0]["bogus"] = 1
    problems = format_problems(notebook)
    assert any("kernelspec" in p for p in problems)
    assert any("invalid nbformat" in p for p in problems)


def test_an_error_output_and_the_raises_tag_go_together():
    error = nbformat.v4.new_output("error", ename="RuntimeError", evalue="boom", traceback=["RuntimeError: boom"])
    cell = new_code("raise RuntimeError", outputs=[error])
    assert unexpected_errors(notebook_of(cell)) == ["cell 0 raised RuntimeError: boom"]
    cell.metadata["tags"] = [RAISES]
    assert unexpected_errors(notebook_of(cell)) == []
    cell.outputs = []
    assert unexpected_errors(notebook_of(cell)) == [f"cell 0 is tagged {RAISES} but did not raise"]


LEAKS = ("/work/main/data/x.csv", "/home/ana/x.py", "/root/.cache", "/Users/bo/x", "C:\\Users\\bo")
ADDRESS_OUTPUT = nbformat.v4.new_output("execute_result", data={"text/plain": "<AddBackward0 at 0x7f3a9c0>"})
BAD_OUTPUTS = [
    *(stream(f"File {leak}\n") for leak in LEAKS),
    nbformat.v4.new_output("error", ename="E", evalue="e", traceback=["\x1b[0;31mFile /work/main/.venv/lib/x.py:3\x1b[0m"]),
    ADDRESS_OUTPUT,
    nbformat.v4.new_output("display_data", data={"image/svg+xml": "<svg/>", "text/plain": "<Figure>"}),
]


@pytest.mark.parametrize("output", BAD_OUTPUTS)
def test_private_paths_addresses_and_svg_in_outputs_are_found(output):
    assert output_problems(notebook_of(new_code("f()", outputs=[output])), [])


def test_what_the_projects_sanitize_file_replaces_is_not_reported():
    warning = nbformat.v4.new_output("stream", name="stderr", text="/tmp/ipykernel_12/345.py:1: UserWarning: w\n")
    assert output_problems(notebook_of(new_code("w()", outputs=[warning, ADDRESS_OUTPUT])), read_sanitize_cfg()) == []


def test_the_generated_navigation_links_previous_contents_and_next_in_file_order():
    """With the up-to-date check above, every stored notebook starts and ends with such a cell."""
    paths, titles = [Path(INDEX), Path("01_a.ipynb"), Path("02_b.ipynb")], ["Index", "A", "B"]
    notebook = notebook_of(new_markdown("# 01 · A"))
    regenerate(notebook, nav_source(paths, titles, 1), contents=None)
    middle = [INDEX, INDEX, "02_b.ipynb"]
    assert [LINK.findall(cell.source) for cell in notebook.cells] == [middle, [], middle]
    assert "navigation" in tags(notebook.cells[0]) and "navigation" in tags(notebook.cells[-1])
    assert LINK.findall(nav_source(paths, titles, 0)) == ["01_a.ipynb"]
    assert LINK.findall(nav_source(paths, titles, 2)) == ["01_a.ipynb", INDEX]


def test_ignore_budget_counts_tags_and_comments():
    plain = [new_code("x = 1") for _ in range(18)]
    tagged = new_code("w", metadata={"tags": ["nbval-ignore-output"]})
    commented = new_code("# NBVAL_SKIP\nw")
    assert ignore_budget_problems([notebook_of(*plain, tagged, commented)]) == []  # 2 of 20
    assert ignore_budget_problems([notebook_of(*plain[:10], tagged, commented)])  # 2 of 12


def exercise_quad(
    hidden: bool = True, check_says: str = "Not yet: g has no answer yet.\n", solution_says: str = "Correct: s.\n"
) -> list[nbformat.NotebookNode]:
    """A task, the learner's cell, the check, then the hidden reference solution under its own name."""
    solution_meta = {"tags": ["solution"], "jupyter": {"source_hidden": True} if hidden else {}}
    return [
        new_markdown("Compute g, the slope of 2x."),
        new_code("g = None  # your code here", metadata={"tags": ["exercise"]}),
        new_code('check.close("g", g, 2, hint="h")', metadata={"tags": ["check"]}, outputs=[stream(check_says)]),
        new_code(
            'solution_g = 2\ncheck.close("solution_g", solution_g, 2, hint="fix")',
            metadata=solution_meta,
            outputs=[stream(solution_says)],
        ),
    ]


def exercise_faults(*cells: nbformat.NotebookNode, minimum: int = 0) -> list[str]:
    return exercise_problems(notebook_of(*cells), minimum)


def test_exercise_faults_are_found():
    assert exercise_faults(*exercise_quad(), minimum=2) == ["1 exercise(s); every lesson needs at least 2"]
    assert "is not hidden" in exercise_faults(*exercise_quad(hidden=False))[0]
    assert "does not print 'Not yet'" in exercise_faults(*exercise_quad(check_says="Correct: g\n"))[0]
    assert "does not check itself" in exercise_faults(*exercise_quad(solution_says="Not yet\n"))[0]
    no_solution = exercise_quad()
    del no_solution[3]
    assert exercise_faults(*no_solution)
    no_check_call = exercise_quad()
    no_check_call[2].source = "print(g == 2)"
    assert "does not call helpers.check" in exercise_faults(*no_check_call)[0]
    old_order = exercise_quad()
    old_order[2], old_order[3] = old_order[3], old_order[2]
    assert exercise_faults(*old_order)
    orphan = new_code("g = 2", metadata={"tags": ["solution"], "jupyter": {"source_hidden": True}})
    assert exercise_faults(orphan) == ["solution at cell 0 does not belong to an exercise 2 cell(s) before it"]


@pytest.mark.parametrize(
    "solution",
    [
        "g = 2",  # the old way: the solution overwrites the learner's answer
        "def g():\n    return 2",
        "x = [0]\ng[0] = 2",  # a change inside the learner's object
    ],
)
def test_a_solution_that_rebinds_the_learners_names_is_found(solution):
    quad = exercise_quad()
    quad[3].source = solution + '\ncheck.close("g", g, 2, hint="fix")'
    assert any("rebinds g" in problem for problem in exercise_faults(*quad))


def test_a_check_that_needs_the_solution_is_found():
    quad = exercise_quad()
    quad[2].source = 'check.close("g", g, solution_g, hint="h")'
    assert any("from the solution" in problem for problem in exercise_faults(*quad))


def test_a_hint_that_spells_out_the_solution_is_found():
    quad = exercise_quad()
    quad[3].source = 'solution_g = torch.ones(2).sum()\ncheck.close("solution_g", solution_g, 2, hint="fix")'
    quad[2].source = 'check.close("g", g, 2, hint="Use torch.ones(2).sum().")'
    assert any("gives the solution away: torch.ones(2).sum()" in p for p in exercise_faults(*quad))
    quad[2].source = 'check.close("g", g, 2, hint="Add up a vector of ones.")'
    assert exercise_faults(*quad) == []


def test_names_bound_by_a_cell():
    source = "a = 1\nb, c = 2, 3\nV.tanh = f\nx[0] += 1\ndef f(y):\n    z = y\n[q for q in a]\nlambda k: k"
    assert bound_names(source) == {"a", "b", "c", "V.tanh", "x", "f"}
    assert bound_names("%xmode Minimal") == set()
