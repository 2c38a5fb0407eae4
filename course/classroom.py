"""A simulated student: opens a notebook on a Jupyter server, runs all its cells and moves a slider, over the wire.

It speaks to the server as JupyterLab does, without a browser: the REST API creates a session and reads the
notebook (:class:`course.hub.UserServer`), and the kernel websocket carries the Jupyter messages
(:class:`course.hub.KernelClient`). Widgets are followed as the ipywidgets front end follows them (message
protocol 2.x: ``comm_open`` creates a model, ``comm_msg`` ``update`` changes it). Moving a slider is the front
end's ``update`` of the slider's value; the key-to-figure time runs from sending it to the Image model's
``update`` that carries a new PNG (it leaves out only the browser's few milliseconds to show it).
"""

from __future__ import annotations

import math
import time
import urllib.parse
from collections.abc import Callable, Container, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import websocket

from course.hub import KernelClient, UserServer
from helpers.descent_explorer import LOG10_STEP  # the slider's step, in decades: one key press

WIDGET_TARGET = "jupyter.widget"
SLIDER_MODELS = ("FloatLogSliderModel", "FloatSliderModel")
FIGURE_CLASS = "explorer-figure"  # helpers.explorer.FIGURE_CLASS, the class every explorer's figure carries
# Kernel states that mean the kernel the student was using is gone (jupyter_server reports them on iopub).
KERNEL_LOST = ("dead", "restarting", "autorestarting")


def value_update(comm_id: str, value: object) -> dict[str, Any]:
    """The content of the comm message with which the ipywidgets front end sets a widget's value."""
    return {"comm_id": comm_id, "data": {"method": "update", "state": {"value": value}, "buffer_paths": []}}


def zigzag(start: float, low: float, high: float, step: float, count: int) -> list[float]:
    """``count`` values from ``start`` in steps of ``step``, turning back at ``low`` and ``high``: a slider moved to and fro.

    Every value differs from the one before, so each move is a real change. Raises ValueError unless
    ``low < high``, ``step`` is positive and no larger than ``high - low``, and ``start`` is between them.
    """
    if not (low < high and 0 < step <= high - low and low <= start <= high):
        raise ValueError(f"zigzag needs low < high, 0 < step <= high - low and low <= start <= high; got {start=}, {low=}, "
                         f"{high=}, {step=}.")
    values, now, direction = [], start, 1.0
    for _ in range(count):
        if not low <= now + direction * step <= high:
            direction = -direction
        now += direction * step
        values.append(now)
    return values


def with_buffers(state: dict[str, Any], data: dict[str, Any], buffers: Sequence[bytes]) -> dict[str, Any]:
    """A copy of ``state`` with the binary ``buffers`` put where ``data["buffer_paths"]`` says (an Image's PNG is
    ``value``), as the ipywidgets front end puts them; a path without its buffer is left as it was."""
    state = dict(state)
    for path, buffer in zip(data.get("buffer_paths", []), buffers, strict=False):
        target = state
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = bytes(buffer)
    return state


@dataclass
class WidgetModels:
    """The widget models a kernel has opened and their current state (binary values included, such as an Image's PNG),
    kept as the ipywidgets front end keeps them."""

    states: dict[str, dict[str, Any]] = field(default_factory=dict)

    def apply(self, message: dict[str, Any]) -> str | None:
        """Take in one iopub message; return the comm id of the model it created or updated (None for others)."""
        msg_type, content = message["header"]["msg_type"], message["content"]
        data = content.get("data", {})
        if msg_type == "comm_open" and content.get("target_name") == WIDGET_TARGET:
            self.states[content["comm_id"]] = with_buffers(data.get("state", {}), data, message["buffers"])
            return str(content["comm_id"])
        if msg_type == "comm_msg" and content.get("comm_id") in self.states:
            if data.get("method") in ("update", "echo_update"):
                self.states[content["comm_id"]].update(with_buffers(data.get("state", {}), data, message["buffers"]))
                return str(content["comm_id"])
        if msg_type == "comm_close":
            self.states.pop(content.get("comm_id"), None)
        return None

    def slider(self, description: str) -> str:
        """The comm id of the one float slider whose description reads ``description`` (compared without case and
        surrounding spaces); a LookupError that lists the sliders seen otherwise."""
        sliders = {comm: state for comm, state in self.states.items() if state.get("_model_name") in SLIDER_MODELS}
        wanted = description.strip().casefold()
        named = [comm for comm, state in sliders.items() if str(state.get("description", "")).strip().casefold() == wanted]
        if len(named) != 1:
            seen = [f"{state.get('_model_name')} {state.get('description', '')!r}" for state in sliders.values()] or ["none"]
            raise LookupError(f"found {len(named)} sliders described {description!r}; the kernel opened these float "
                              f"sliders: {', '.join(seen)}. Did the explorer's cell run?")
        return named[0]

    def value_box(self, slider: str) -> str:
        """The comm id of the text box beside the slider ``slider`` (the Text model in the same HBox): the typed value's box."""
        for state in self.states.values():
            children = [str(child).removeprefix("IPY_MODEL_") for child in state.get("children", ())]
            if state.get("_model_name") == "HBoxModel" and slider in children:
                boxes = [child for child in children if self.states.get(child, {}).get("_model_name") == "TextModel"]
                if boxes:
                    return boxes[0]
        raise LookupError(f"no text box sits beside the slider {slider}: the explorer's value box was not found.")

    def figures(self) -> set[str]:
        """The comm ids of the Image models marked with the explorer figure's CSS class; LookupError when there is none."""
        found = {
            comm for comm, state in self.states.items()
            if state.get("_model_name") == "ImageModel" and FIGURE_CLASS in state.get("_dom_classes", ())
        }
        if not found:
            images = sum(state.get("_model_name") == "ImageModel" for state in self.states.values())
            raise LookupError(f"no Image model has the CSS class {FIGURE_CLASS!r} ({images} Image models in all): "
                              f"the explorer's figure was not found. Did the explorer's cell run?")
        return found


def carries_new_image(message: dict[str, Any], figures: set[str]) -> bool:
    """Whether ``message`` is an ``update`` of one of the ``figures`` that brings new image bytes."""
    content = message["content"]
    if message["header"]["msg_type"] != "comm_msg" or content.get("comm_id") not in figures:
        return False
    data = content.get("data", {})
    return data.get("method") == "update" and ["value"] in data.get("buffer_paths", []) and bool(message["buffers"])


def is_reply(message: dict[str, Any], msg_type: str, request_ids: Container[str]) -> bool:
    """Whether ``message`` is a ``msg_type`` answering one of the requests ``request_ids``."""
    return message["header"]["msg_type"] == msg_type and message["parent_header"].get("msg_id") in request_ids


@dataclass
class StudentResult:
    """What one simulated student measured: Run-All seconds, each move's seconds to a new figure, and what went wrong."""

    name: str
    kernel_id: str = ""
    run_all_seconds: float = math.nan
    figure_seconds: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    kernel_lost: bool = False


class SimulatedStudent:
    """One student on their own server: :meth:`open`, :meth:`run_all`, then :meth:`move_slider` as often as wanted.

    ``server`` is the student's server (a :class:`course.hub.UserServer`; any Jupyter server's address and token
    will do), ``notebook`` the notebook's path on it. ``result`` collects the measurements. The methods raise
    OSError, TimeoutError, ConnectionError or LookupError with what did not happen; the caller records them.
    Call :meth:`close` at the end.
    """

    def __init__(self, server: UserServer, notebook: str, timeout: float = 60.0) -> None:
        self.server = server
        self.notebook = notebook
        self.timeout = timeout
        self.result = StudentResult(server.name)
        self.widgets = WidgetModels()
        self._kernel: KernelClient | None = None

    def open(self) -> None:
        """Start a kernel for the notebook (a session, as opening it in JupyterLab does) and wait until it answers.

        While many kernels start at once the server may not answer the websocket in time; JupyterLab then connects
        again, and so does this (the server hands back the notebook's existing session).
        """
        began = time.monotonic()
        while self._kernel is None:
            try:
                self._kernel = self.server.open_kernel(self.notebook)
            except websocket.WebSocketTimeoutException:
                if time.monotonic() - began > self.timeout:
                    raise TimeoutError(f"the kernel's websocket did not answer within {self.timeout:.0f} s") from None
        sessions = self.server.api("GET", "api/sessions")
        self.result.kernel_id = next(session["kernel"]["id"] for session in sessions if session["path"] == self.notebook)
        info = self._connected().send("kernel_info_request", {})
        self._receive_until(lambda message: is_reply(message, "kernel_info_reply", {info}), "the kernel's kernel_info_reply")

    def run_all(self) -> None:
        """Send every code cell of the notebook at once, as Run All does, and wait for the last reply.

        Sets ``result.run_all_seconds``. A cell that fails without the ``raises-exception`` tag, or one the kernel
        skipped, is recorded as an error with the cell's number.
        """
        notebook = self.server.api("GET", "api/contents/" + urllib.parse.quote(self.notebook) + "?content=1")
        cells = [(index, cell) for index, cell in enumerate(notebook["content"]["cells"]) if cell["cell_type"] == "code"]
        began = time.perf_counter()
        pending: dict[str, int | None] = {}  # request id -> the cell's number, or None for a cell allowed to fail
        for number, cell in cells:
            may_fail = "raises-exception" in cell.get("metadata", {}).get("tags", [])
            request = self._connected().send("execute_request", {
                "code": cell["source"], "silent": False, "store_history": True, "user_expressions": {},
                "allow_stdin": False, "stop_on_error": not may_fail,
            })
            pending[request] = None if may_fail else number
        while pending:
            reply = self._receive_until(lambda message: is_reply(message, "execute_reply", pending), "the replies to Run All")
            index = pending.pop(reply["parent_header"]["msg_id"])
            content = reply["content"]
            if content.get("status") != "ok" and index is not None:
                detail = f" {content.get('ename', '')}: {content.get('evalue', '')}" if content.get("status") == "error" else ""
                self.result.errors.append(f"Run All: cell {index} ended {content.get('status')}{detail}")
        self.result.run_all_seconds = time.perf_counter() - began

    def move_slider(self, description: str, value: float) -> float:
        """Set the slider described ``description`` to ``value`` as the front end does; return the seconds to the new figure.

        The time is also appended to ``result.figure_seconds``.
        """
        return self._change(self.widgets.slider(description), value, f"{description} = {value:.3g}")

    def type_value(self, description: str, text: str) -> float:
        """Type ``text`` into the box beside the slider described ``description`` and press Enter, as the front end
        sends it; return the seconds to the new figure (also appended to ``result.figure_seconds``)."""
        box = self.widgets.value_box(self.widgets.slider(description))
        return self._change(box, text, f"{text} typed as the {description}")

    def _change(self, model: str, value: object, what: str) -> float:
        """Set the widget ``model``'s value to ``value`` as the front end does; return the seconds to the new figure."""
        figures = self.widgets.figures()
        began = time.perf_counter()
        self._connected().send("comm_msg", value_update(model, value))
        awaited = f"a new figure after {what}"
        self._receive_until(lambda message: carries_new_image(message, figures), awaited)
        seconds = time.perf_counter() - began
        self.result.figure_seconds.append(seconds)
        return seconds

    def listen(self, seconds: float) -> None:
        """Take in whatever the kernel sends for ``seconds``, as an open browser tab does while the student waits.

        Receiving is also what answers the server's websocket pings: a connection left unread for long is closed.
        """
        kernel = self._connected()
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                self._take_in(kernel.receive(left))
            except websocket.WebSocketTimeoutException:
                return

    def check_kernel(self) -> None:
        """Take in what is waiting on the websocket, then ask the server whether the kernel is alive; record it if not."""
        self.listen(0.05)
        model = self.server.api("GET", f"api/kernels/{self.result.kernel_id}")
        if model.get("execution_state") in KERNEL_LOST:
            self.result.kernel_lost = True

    def close(self) -> None:
        """Close the websocket and shut the kernel's session down (a failure to do so is recorded as an error)."""
        kernel, self._kernel = self._kernel, None
        if kernel is not None:
            try:
                kernel.close()
            except OSError as error:
                self.result.errors.append(f"could not shut the kernel down: {error}")

    def _connected(self) -> KernelClient:
        if self._kernel is None:
            raise RuntimeError("the student is not connected: call open() first")
        return self._kernel

    def _take_in(self, message: dict[str, Any]) -> None:
        """Follow widget state and kernel status, as the front end does, for every message received."""
        if message.get("channel") == "iopub":
            self.widgets.apply(message)
            if message["header"]["msg_type"] == "status" and message["content"].get("execution_state") in KERNEL_LOST:
                self.result.kernel_lost = True

    def _receive_until(self, wanted: Callable[[dict[str, Any]], bool], what: str) -> dict[str, Any]:
        """Receive messages (taking each in) until one is ``wanted``; return it. TimeoutError after ``timeout`` s."""
        kernel = self._connected()
        deadline = time.monotonic() + self.timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no {what} within {self.timeout:.0f} s")
            try:
                message = kernel.receive(left)
            except websocket.WebSocketTimeoutException:
                continue
            self._take_in(message)
            if self.result.kernel_lost:
                raise ConnectionError(f"the kernel died or restarted while waiting for {what}")
            if wanted(message):
                return message


LOG10_LOW = -6.0  # the smallest learning rate a student of the classroom benchmark moves to
START_LOG10 = -4.0  # the explorer's first learning rate, 1e-4
JUMP_SECONDS = 6  # seconds between two jumps: the teacher's pace


@dataclass
class Move:
    """One move of a student: when (seconds after the slider phase starts), and the learning rate it asks for.

    ``typed`` is the rate as typed into the box (a jump), or empty for one key press on the slider.
    """

    at: float
    log10_rate: float
    typed: str = ""


def student_plan(number: int, students: int, seconds: int, high_log10: float, pattern: str) -> list[Move]:
    """The moves of student ``number`` (0-based) of ``students`` over ``seconds``, in ``pattern``."""
    if pattern == "steady":
        values = zigzag(START_LOG10, LOG10_LOW, high_log10, LOG10_STEP, seconds)
        return [Move(number / students + second, value) for second, value in enumerate(values)]
    moves = []
    for jump, rate in enumerate(jump_rates(seconds // JUMP_SECONDS, high_log10)):
        moment = np.random.default_rng([jump, number]).uniform(0.0, 1.0)  # a moment of the jump's second, seeded
        moves.append(Move(jump * JUMP_SECONDS + moment, math.log10(rate), f"{rate:.2e}"))
    return moves


def jump_rates(count: int, high_log10: float) -> list[float]:
    """``count`` learning rates with three significant digits, spread over the span and shuffled (seeded).

    Each is nudged until it lies between two slider positions, so no kernel has it ready from a slider move.
    """
    rates = []
    for log10_rate in np.random.default_rng(0).permutation(np.linspace(LOG10_LOW + 0.5, high_log10, count)):
        rate = float(f"{10**log10_rate:.2e}")
        while abs((math.log10(rate) - LOG10_LOW) / LOG10_STEP % 1 - 0.5) > 0.3:
            rate = float(f"{rate * 1.01:.2e}")
        rates.append(rate)
    return rates


# What a class must see for the sizing to count it (benchmarks/classroom.py measures, recommendation decides):
# the key-to-figure p95 for each pattern of moves (steady: a key press a second; jump: everyone types a new rate
# in the same second), and a kernel's peak memory.
TARGET_P95_MS = {"steady": 250.0, "jump": 300.0}
TARGET_KERNEL_MB = 400.0


@dataclass
class RunFigures:
    """What one class of ``students`` measured (times in seconds, memory in MB)."""

    students: int
    pattern: str  # a key of TARGET_P95_MS
    run_all_seconds: list[float]
    figure_seconds: list[float]  # every move's key-to-figure time, all students together
    errors: list[str]
    lost_kernels: int
    peak_kernel_mb: float
    peak_server_mb: float

    @property
    def key_to_figure_ms(self) -> tuple[float, float]:
        """p50 and p95 of every move's key-to-figure time, in ms (NaN when no move was measured)."""
        if not self.figure_seconds:
            return math.nan, math.nan
        p50, p95 = np.percentile(self.figure_seconds, [50, 95]) * 1000
        return float(p50), float(p95)

    def meets_targets(self) -> bool:
        """p95 within the pattern's target, no errors, no lost kernel, and the peak kernel RSS within its target."""
        return (self.key_to_figure_ms[1] <= TARGET_P95_MS[self.pattern] and not self.errors and not self.lost_kernels
                and self.peak_kernel_mb <= TARGET_KERNEL_MB)


def round_up(value: float, multiple: int) -> int:
    """``value`` rounded up to a whole multiple of ``multiple``."""
    return int(math.ceil(value / multiple) * multiple)


def recommendation(rows: Sequence[RunFigures], cores: int, command: str) -> dict[str, Any]:
    """The sizing that the measured ``rows`` support, in the format of ``deploy/classroom-sizing.json``.

    Students per core: the largest class that met every target in every pattern measured for it, divided by
    ``cores``. Memory: the guarantee holds one server and one kernel at their peaks (rounded up to 64 MB); the
    limit leaves room for a second notebook's kernel (rounded up to 128 MB). CPU guarantee: one core's share.
    Raises ValueError when no class met the targets, since there is then nothing measured to recommend.
    """
    passing = [row for row in rows if all(other.meets_targets() for other in rows if other.students == row.students)]
    if not passing:
        raise ValueError("no class met the targets, so there is no sizing to recommend")
    largest = max(row.students for row in passing)
    per_core = max(1, largest // cores)
    kernel_mb = max(row.peak_kernel_mb for row in rows)
    server_mb = max(row.peak_server_mb for row in rows)
    guarantee = round_up(kernel_mb + server_mb, 64)
    return {
        "students_per_core": per_core,
        "memory_guarantee_mb": guarantee,
        "memory_limit_mb": round_up(guarantee + kernel_mb, 128),
        "cpu_guarantee": round(1 / per_core, 3),
        "kernel_threads": 1,  # every kernel runs with OMP_NUM_THREADS=1 (benchmarks/classroom.py)
        "measured": {
            "cores": cores,
            "largest_class_meeting_targets": largest,
            "peak_kernel_rss_mb": round(kernel_mb),
            "peak_server_rss_mb": round(server_mb),
            "runs": [asdict(row) | {"key_to_figure_p50_p95_ms": [round(ms) for ms in row.key_to_figure_ms],
                                    "meets_targets": row.meets_targets()} for row in rows],
        },
        "command": command,
    }
