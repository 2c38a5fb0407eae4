"""Unit tests of the pure parts of the classroom benchmark (course.classroom): widget bookkeeping, the slider plan, sizing.

The parts that need a hub and kernels run in ``benchmarks/classroom.py`` itself; these run in milliseconds.
"""

from __future__ import annotations

import math

import pytest

from course.classroom import (
    JUMP_SECONDS,
    LOG10_LOW,
    RunFigures,
    WidgetModels,
    carries_new_image,
    jump_rates,
    recommendation,
    student_plan,
    zigzag,
)
from helpers.descent_explorer import LOG10_STEP


def iopub(msg_type: str, content: dict, buffers: list[bytes] | None = None) -> dict:
    """A message as it arrives from the kernel websocket."""
    return {"channel": "iopub", "header": {"msg_type": msg_type}, "parent_header": {}, "content": content,
            "buffers": buffers or []}


def opened(comm_id: str, **state: object) -> dict:
    return iopub("comm_open", {"comm_id": comm_id, "target_name": "jupyter.widget", "data": {"state": state}})


def explorer_models() -> WidgetModels:
    """The models an explorer like notebook 06's opens: two sliders, a checkbox, the figure and another image."""
    models = WidgetModels()
    for message in (
        opened("rate", _model_name="FloatLogSliderModel", description="learning rate", value=1e-4),
        opened("steps", _model_name="IntSliderModel", description="iterations", value=150),
        opened("other", _model_name="FloatSliderModel", description="momentum", value=0.5),
        opened("figure", _model_name="ImageModel", _dom_classes=["explorer-figure"]),
        opened("logo", _model_name="ImageModel", _dom_classes=[]),
    ):
        models.apply(message)
    return models


def test_widget_models_follow_opens_and_updates_as_the_front_end_does() -> None:
    models = explorer_models()
    assert models.slider("learning rate") == "rate"
    assert models.slider("  Learning Rate ") == "rate"
    assert models.figures() == {"figure"}
    changed = models.apply(iopub("comm_msg", {"comm_id": "rate", "data": {"method": "echo_update", "state": {"value": 2e-4}}}))
    assert changed == "rate" and models.states["rate"]["value"] == 2e-4
    assert models.apply(iopub("comm_msg", {"comm_id": "unknown", "data": {"method": "update", "state": {}}})) is None
    models.apply(iopub("comm_close", {"comm_id": "figure"}))
    with pytest.raises(LookupError, match="explorer-figure.*1 Image models"):
        models.figures()


def test_image_bytes_from_the_buffers_are_kept_in_the_state_where_buffer_paths_say() -> None:
    models = WidgetModels()
    models.apply(iopub("comm_open", {"comm_id": "figure", "target_name": "jupyter.widget", "data": {
        "state": {"_model_name": "ImageModel"}, "buffer_paths": [["value"]]}}, [b"first png"]))
    assert models.states["figure"]["value"] == b"first png"
    update = {"method": "update", "state": {"width": "9"}, "buffer_paths": [["value"]]}
    models.apply(iopub("comm_msg", {"comm_id": "figure", "data": update}, [memoryview(b"new png")]))
    assert models.states["figure"] == {"_model_name": "ImageModel", "value": b"new png", "width": "9"}


def test_a_slider_must_be_named_once_and_a_missing_one_lists_the_sliders_seen() -> None:
    models = explorer_models()
    models.apply(opened("second", _model_name="FloatLogSliderModel", description="learning rate", value=1e-3))
    with pytest.raises(LookupError, match="found 2 sliders"):
        models.slider("learning rate")
    with pytest.raises(LookupError, match="FloatSliderModel 'momentum'"):
        models.slider("decay")


def test_only_the_figures_update_with_new_bytes_counts_as_a_new_figure() -> None:
    def update(comm_id: str, paths: list, buffers: list[bytes]) -> dict:
        return iopub("comm_msg", {"comm_id": comm_id, "data": {"method": "update", "state": {}, "buffer_paths": paths}}, buffers)

    assert carries_new_image(update("figure", [["value"]], [b"png"]), {"figure"})
    assert not carries_new_image(update("logo", [["value"]], [b"png"]), {"figure"})
    assert not carries_new_image(update("figure", [], []), {"figure"})
    assert not carries_new_image(iopub("status", {"execution_state": "busy"}), {"figure"})


def test_zigzag_turns_back_at_both_ends_and_never_repeats_a_value() -> None:
    values = zigzag(0.0, -0.2, 0.2, 0.1, 8)
    assert values == pytest.approx([0.1, 0.2, 0.1, 0.0, -0.1, -0.2, -0.1, 0.0])
    assert all(a != b for a, b in zip([0.0, *values], values, strict=False))
    with pytest.raises(ValueError, match="low < high"):
        zigzag(1.0, -0.2, 0.2, 0.1, 3)


def row(students: int, p95_ms: float, errors: int = 0, kernel_mb: float = 300.0, pattern: str = "steady") -> RunFigures:
    """The figures of one class whose every key-to-figure time is ``p95_ms``."""
    return RunFigures(students=students, pattern=pattern, run_all_seconds=[5.0] * students, figure_seconds=[p95_ms / 1000] * 20,
                      errors=["boom"] * errors, lost_kernels=0, peak_kernel_mb=kernel_mb, peak_server_mb=110.0)


def test_recommendation_takes_the_largest_class_that_met_the_targets_and_sizes_memory_from_the_peaks() -> None:
    rows = [row(10, 90, kernel_mb=320), row(20, 200), row(30, 400)]
    sizing = recommendation(rows, cores=2, command="python benchmarks/classroom.py")
    assert sizing["students_per_core"] == 10  # 20 met the targets, 30 did not (p95 400 ms)
    assert sizing["cpu_guarantee"] == 0.1
    assert sizing["memory_guarantee_mb"] == 448  # 320 + 110 rounded up to 64 MB
    assert sizing["memory_limit_mb"] == 768  # room for a second kernel: 448 + 320, rounded up to 128 MB
    assert [run["meets_targets"] for run in sizing["measured"]["runs"]] == [True, True, False]


def test_errors_fail_a_class_and_nothing_passing_is_refused() -> None:
    assert not row(5, 100, errors=1).meets_targets()
    assert not row(5, 100, kernel_mb=500).meets_targets()
    with pytest.raises(ValueError, match="no class met the targets"):
        recommendation([row(5, 900), row(10, 100, errors=1)], cores=2, command="")


def test_a_class_counts_only_when_every_pattern_met_its_own_target() -> None:
    steady_ok, jump_ok = row(10, 240), row(10, 290, pattern="jump")  # targets 250 and 300 ms
    assert steady_ok.meets_targets() and jump_ok.meets_targets() and not row(10, 290).meets_targets()
    rows = [steady_ok, jump_ok, row(20, 200), row(20, 310, pattern="jump")]
    sizing = recommendation(rows, cores=2, command="")
    assert sizing["students_per_core"] == 5  # 20 students met the steady target but not the jump's
    assert sizing["measured"]["largest_class_meeting_targets"] == 10


def test_the_value_box_is_the_text_model_beside_the_slider() -> None:
    models = explorer_models()
    models.apply(opened("box", _model_name="TextModel", value="1.00e-4"))
    models.apply(opened("note", _model_name="HTMLModel", value="limit"))
    models.apply(opened("row", _model_name="HBoxModel", children=["IPY_MODEL_rate", "IPY_MODEL_box", "IPY_MODEL_note"]))
    assert models.value_box(models.slider("learning rate")) == "box"
    with pytest.raises(LookupError, match="no text box sits beside the slider steps"):
        models.value_box("steps")


def test_jump_rates_are_distinct_within_the_span_and_between_two_slider_positions() -> None:
    rates = jump_rates(10, -3.0)
    assert len(set(rates)) == 10
    for rate in rates:
        position = (math.log10(rate) - LOG10_LOW) / LOG10_STEP
        assert LOG10_LOW < math.log10(rate) < -3.0 + LOG10_STEP
        assert abs(position - round(position)) >= 0.2, f"{rate} is (nearly) a slider position, which a kernel may have run"


def test_in_a_jump_every_student_types_the_same_rate_in_the_same_second_and_steady_moves_are_one_key_apart() -> None:
    jumps = zip(*(student_plan(number, 20, 60, -3.0, "jump") for number in range(20)), strict=True)
    for index, moves in enumerate(jumps):
        assert len({move.typed for move in moves}) == 1
        assert all(index * JUMP_SECONDS <= move.at < index * JUMP_SECONDS + 1 for move in moves)
    steady = student_plan(3, 20, 60, -3.0, "steady")
    assert len(steady) == 60 and not any(move.typed for move in steady)
    assert all(later.at - earlier.at == pytest.approx(1.0) for earlier, later in zip(steady, steady[1:], strict=False))
    assert all(abs(later.log10_rate - earlier.log10_rate) == pytest.approx(LOG10_STEP)
               for earlier, later in zip(steady, steady[1:], strict=False))
