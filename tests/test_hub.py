"""The classroom hub (course/hub.py): a student on it opens "Fitting a line by gradient descent", runs it
and moves its learning-rate slider, and the explorer draws a new figure.

Whether students are kept apart is JupyterHub's and its spawner's business (deploy/README.md), not tested
here. Needs Node's configurable-http-proxy (``make`` runs ``npm ci``); skipped with the reason otherwise,
except under REQUIRE_HUB=1 (CI), where a missing piece is a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from course.classroom import SimulatedStudent
from course.hub import NOTEBOOK_FOLDER, Hub, missing_prerequisite
from course.series import notebook_titled
from helpers.descent_explorer import LOG10_STEP

STUDENT = "hubtest-student"
SLIDER_NOTEBOOK_TITLE = "Fitting a line by gradient descent"
SLIDER = "learning rate"


@pytest.fixture(scope="module")
def hub() -> Iterator[Hub]:
    missing = missing_prerequisite()
    if missing and os.environ.get("REQUIRE_HUB") == "1":
        pytest.fail(f"REQUIRE_HUB=1 but {missing}")
    if missing:
        pytest.skip(missing)
    with Hub(users=[STUDENT], spawner_environment={"OMP_NUM_THREADS": "1"}) as running:
        yield running


def test_a_student_moves_the_learning_rate_slider_and_the_figure_changes(hub: Hub) -> None:
    server = hub.start_servers([STUDENT])[STUDENT]
    notebook = f"{NOTEBOOK_FOLDER}/{notebook_titled(SLIDER_NOTEBOOK_TITLE).name}"
    student = SimulatedStudent(server, notebook, timeout=120)
    try:
        student.open()
        student.run_all()
        assert student.result.errors == [], f"Run All on the hub failed:\n{hub.log_tail()}"
        figure = student.widgets.figures().pop()
        before = student.widgets.states[figure].get("value")
        assert isinstance(before, bytes) and before, "the explorer's first figure arrived without its PNG"
        # One key press down: always a stable rate, so the new run differs from the first without diverging.
        lowered = student.widgets.states[student.widgets.slider(SLIDER)]["value"] * 10**-LOG10_STEP
        student.move_slider(SLIDER, lowered)  # TimeoutError when no new figure comes
        after = student.widgets.states[figure]["value"]
        assert after != before, f"the figure is the same after moving the slider to {lowered:.3g}"
        student.check_kernel()
        assert not student.result.kernel_lost, "the student's kernel died"
    finally:
        student.close()
    assert student.result.errors == [], "the kernel's session could not be shut down"
    # The browser student of benchmarks/classroom.py logs in like this (login_cookies raises when it fails).
    assert {cookie["name"] for cookie in hub.login_cookies(STUDENT)} >= {"jupyterhub-session-id"}
