"""The copy a teacher projects (``make lab``'s lecture copies, course.student.lecture_version) in Chromium.

Notebook 06 opens with no output anywhere, so a Predict answer appears only when its cell runs (screenshots
before and after, in tests/browser/screenshots/). After Run All, no reference solution shows its code or an
output: each is a collapsed raw cell that Run All passes by (JupyterLab un-hides a code cell's output whenever
it runs, so ``outputs_hidden`` alone cannot do this). Opened, made a code cell and run, it says "Correct".
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from course import lab_page as lp
from course.lab_server import LabServer
from course.series import notebook_titled
from course.workspace import prepare_workspace

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

PROJECTOR = {"width": 1280, "height": 720}
LESSON = notebook_titled("Fitting a line by gradient descent")

SHOWN_OUTPUTS = f"() => {lp.CURRENT}.content.node.querySelectorAll('.jp-OutputArea-output').length"


@pytest.fixture(scope="module")
def page(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Page]:
    """06's lecture copy, as make lab writes it, open in a 1280×720 JupyterLab on a fresh kernel."""
    folder = tmp_path_factory.mktemp("workspace") / "notebooks"
    prepare_workspace(folder, [LESSON])
    context = browser.new_context(viewport=PROJECTOR)
    with LabServer(notebooks=folder) as lab:
        page = context.new_page()
        lp.open_notebook(page, lab, LESSON.name, workspace="lecture")
        yield page
    context.close()


def tagged(page: Page, tag: str) -> list[dict]:
    """Each cell tagged ``tag``: its index and type, whether its source is collapsed, whether it shows any output,
    and the text of its outputs in the model (there even when collapsed)."""
    found = []
    for index, cell in enumerate(lp.notebook_cells(page)):
        if tag in cell.tags:
            node = page.locator(".jp-Notebook .jp-Cell").nth(index)
            shown = node.locator(".jp-Cell-outputWrapper .jp-OutputArea-output").first.is_visible()
            hidden = page.evaluate(f"index => {lp.CURRENT}.content.widgets[index].inputHidden", index)
            text = "".join(output.get("text", "") for output in cell.outputs)
            found.append({"index": index, "type": cell.type, "sourceHidden": hidden, "outputShown": shown, "text": text})
    return found


def screenshot_cell(page: Page, index: int, path: Path) -> None:
    page.evaluate(f"index => {lp.CURRENT}.content.widgets[index].node.scrollIntoView({{block: 'center'}})", index)
    page.wait_for_timeout(300)
    page.screenshot(path=path)


def test_a_predict_answer_appears_only_when_its_cell_runs(page: Page, screenshot_dir: Path):
    assert page.evaluate(SHOWN_OUTPUTS) == 0, "the lecture copy opened with stored outputs"
    answers = tagged(page, "predict-answer")
    assert answers, "06 marks the cell that answers its Predict question"
    first = answers[0]["index"]
    page.evaluate(f"index => {{ {lp.CURRENT}.content.activeCellIndex = index; }}", first)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-above')")
    page.wait_for_function(lp.KERNEL_IDLE, timeout=120_000)
    before = tagged(page, "predict-answer")[0]
    assert before["text"] == "" and not before["outputShown"], "the answer showed before its cell ran"
    discussion = page.evaluate(f"index => {lp.CURRENT}.content.widgets[index].inputHidden", first + 1)
    assert discussion, "the text that discusses the answer is on screen before the answer"
    screenshot_cell(page, first, screenshot_dir / "lecture_06_predict_before.png")
    lp.run_cell_alone(page, first)
    after = tagged(page, "predict-answer")[0]
    assert after["text"] and after["outputShown"], "the Predict cell ran but shows no answer"
    screenshot_cell(page, first, screenshot_dir / "lecture_06_predict_after.png")


def test_after_run_all_no_solution_shows_its_code_or_output_until_opened(page: Page, screenshot_dir: Path):
    cells = lp.run_all(page, timeout=240)
    assert [cell.count for cell in cells if cell.type == "code" and cell.count is None] == [], "Run All stopped"
    solutions = tagged(page, "solution")
    assert solutions, "06 has reference solutions"
    for solution in solutions:
        shown = solution["type"] != "raw" or not solution["sourceHidden"] or solution["outputShown"]
        assert not shown, f"the solution at cell {solution['index']} shows after Run All: {solution}"
    opened = solutions[0]["index"]
    page.evaluate(
        f"""async index => {{
            const panel = {lp.CURRENT};
            panel.content.activeCellIndex = index;
            panel.content.activeCell.inputHidden = false;
            await window.jupyterapp.commands.execute('notebook:change-cell-to-code');
            await window.jupyterapp.commands.execute('notebook:run-cell');
        }}""",
        opened,
    )
    page.wait_for_function(lp.KERNEL_IDLE, timeout=60_000)
    now = tagged(page, "solution")[0]
    assert now["type"] == "code" and now["outputShown"] and now["text"].startswith("Correct"), now
    screenshot_cell(page, opened, screenshot_dir / "lecture_06_solution_opened.png")
