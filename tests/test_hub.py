"""The classroom hub (course/hub.py): a student on it opens "Fitting a line by gradient descent", runs it, moves its
learning-rate slider and types a rate, and the explorer draws a new figure each time. Before it, how the simulated
student follows widgets, in milliseconds.

Whether students are kept apart is JupyterHub's and its spawner's business (deploy/README.md), not tested
here. Needs Node's configurable-http-proxy (``make`` runs ``npm ci``); skipped with the reason otherwise,
except under REQUIRE_HUB=1 (CI), where a missing piece is a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from course.hub import NOTEBOOK_FOLDER, Hub, SimulatedStudent, WidgetModels, carries_new_image, missing_prerequisite
from course.series import notebook_titled
from helpers.descent_explorer import LOG10_STEP

STUDENT = "hubtest-student"
SLIDER_NOTEBOOK_TITLE = "Fitting a line by gradient descent"
SLIDER = "learning rate"


def iopub(msg_type: str, content: dict, buffers: list | None = None) -> dict:
    """A message as it arrives from the kernel websocket."""
    return {"channel": "iopub", "header": {"msg_type": msg_type}, "parent_header": {}, "content": content,
            "buffers": buffers or []}


def opened(comm_id: str, buffer_paths: list | None = None, buffers: list | None = None, **state: object) -> dict:
    data = {"state": state, "buffer_paths": buffer_paths or []}
    return iopub("comm_open", {"comm_id": comm_id, "target_name": "jupyter.widget", "data": data}, buffers)


def update(comm_id: str, paths: list, buffers: list, **state: object) -> dict:
    return iopub("comm_msg", {"comm_id": comm_id, "data": {"method": "update", "state": state, "buffer_paths": paths}}, buffers)


def test_widget_models_find_the_explorers_parts_and_keep_the_figures_bytes_where_buffer_paths_say() -> None:
    models = WidgetModels()
    for message in (
        opened("rate", _model_name="FloatLogSliderModel", description="learning rate", value=1e-4),
        opened("steps", _model_name="IntSliderModel", description="iterations", value=150),
        opened("box", _model_name="TextModel", value="1.00e-4"),
        opened("row", _model_name="HBoxModel", children=["IPY_MODEL_rate", "IPY_MODEL_box"]),
        opened("figure", [["value"]], [b"first png"], _model_name="ImageModel", _dom_classes=["explorer-figure"]),
        opened("logo", _model_name="ImageModel", _dom_classes=[]),
    ):
        models.apply(message)
    assert models.slider("  Learning Rate ") == "rate"
    assert models.value_box("rate") == "box"
    assert models.figures() == {"figure"}
    assert models.states["figure"]["value"] == b"first png"
    models.apply(update("figure", [["value"]], [memoryview(b"new png")], width="9"))
    assert models.states["figure"] == {"_model_name": "ImageModel", "_dom_classes": ["explorer-figure"], "value": b"new png",
                                       "width": "9"}
    with pytest.raises(LookupError, match="found 0 float sliders"):
        models.slider("iterations")  # an int slider, not the learning rate's
    with pytest.raises(LookupError, match="no text box sits beside the slider steps"):
        models.value_box("steps")
    models.apply(iopub("comm_close", {"comm_id": "figure"}))
    with pytest.raises(LookupError, match="explorer-figure"):
        models.figures()


def test_only_the_figures_update_with_new_bytes_counts_as_a_new_figure() -> None:
    assert carries_new_image(update("figure", [["value"]], [b"png"]), {"figure"})
    assert not carries_new_image(update("logo", [["value"]], [b"png"]), {"figure"})
    assert not carries_new_image(update("figure", [], []), {"figure"})
    assert not carries_new_image(iopub("status", {"execution_state": "busy"}), {"figure"})


@pytest.fixture(scope="module")
def hub() -> Iterator[Hub]:
    missing = missing_prerequisite()
    if missing and os.environ.get("REQUIRE_HUB") == "1":
        pytest.fail(f"REQUIRE_HUB=1 but {missing}")
    if missing:
        pytest.skip(missing)
    with Hub(users=[STUDENT], spawner_environment={"OMP_NUM_THREADS": "1"}) as running:
        yield running


def test_a_student_moves_the_learning_rate_slider_and_types_a_rate_and_the_figure_changes(hub: Hub) -> None:
    server = hub.start_servers([STUDENT])[STUDENT]
    notebook = f"{NOTEBOOK_FOLDER}/{notebook_titled(SLIDER_NOTEBOOK_TITLE).name}"
    student = SimulatedStudent(server, notebook, timeout=120)
    try:
        student.open()
        student.run_all()
        assert student.errors == [], f"Run All on the hub failed:\n{hub.log_tail()}"
        figure = student.widgets.figures().pop()
        first = student.widgets.states[figure].get("value")
        assert isinstance(first, bytes) and first, "the explorer's first figure arrived without its PNG"
        # One key press down: always a stable rate, so the new run differs from the first without diverging.
        lowered = student.widgets.states[student.widgets.slider(SLIDER)]["value"] * 10**-LOG10_STEP
        student.move_slider(SLIDER, lowered)  # TimeoutError when no new figure comes
        moved = student.widgets.states[figure]["value"]
        assert moved != first, f"the figure is the same after moving the slider to {lowered:.3g}"
        student.type_value(SLIDER, "2.15e-5")  # as the classroom benchmark's jump does
        assert student.widgets.states[figure]["value"] not in (first, moved), "the figure is the same after typing 2.15e-5"
        student.check_kernel()
        assert not student.kernel_lost, "the student's kernel died"
    finally:
        student.close()
    assert student.errors == [], "the kernel's session could not be shut down"
