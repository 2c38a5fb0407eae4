"""A whole class at once: N students on a real JupyterHub run notebook 06 and move its learning-rate slider.

    .venv/bin/python benchmarks/classroom.py --students 20             # one class of 20, a minute of sliders
    .venv/bin/python benchmarks/classroom.py --students 2 --seconds 10 # a quick look
    .venv/bin/python benchmarks/classroom.py --table                   # N = 1, 5, 10, 20, 30, and threads compared
    .venv/bin/python benchmarks/classroom.py --students 10 20 --pattern steady jump --write-sizing

Each run starts a JupyterHub on 127.0.0.1 (``course.hub``: configurable-http-proxy, JupyterHub's
``SimpleLocalProcessSpawner``, every server as the current user) with N users, starts every user's server,
and then all students at the same moment open their own copy of the notebook on gradient descent (06), run all
its cells, and wait for each other.
Then, for ``--seconds`` (60), they move the explorer in one of two patterns (``--pattern``):

* ``steady``: each moves the learning-rate slider once a second, one key press (0.05 decade), to and fro
  between 1e-6 and just below the stability limit 2/λ_max that notebook 06 computes (so every move re-runs
  the whole loop; diverging runs stop early and would flatter the numbers). Students start their seconds
  spread evenly over the first second, as a class does not move in step.
* ``jump``: the teacher says "everyone type 2.15e-4 now": every 6 s, every student types the same new learning
  rate into the box beside the slider and presses Enter, each at a random moment (seeded) of the same second.
  The rates (ten in a minute) are spread over the same span, written with three digits as a teacher says them,
  never a slider position, so no kernel has run one before.

Student 1 (``--browsers`` of them) is headless Chromium, logged in to the hub with the user's cookie, running
JupyterLab as a student does: Run All from the command, key presses on the focused slider handle, and the
time from keydown (of the key press, or of the Enter that ends a typed value) to the new figure's ``<img>`` src
measured in the page (as ``benchmarks/slider_browser.py``).
The others are :class:`course.classroom.SimulatedStudent`: they speak the kernel protocol over the same proxy
and websocket as the browser (the comm ``update`` that sets the slider's value, then the Image model's
``update`` carrying the new PNG), so that N browsers do not swamp the 2 cores the kernels are measured on;
Chromium's own CPU share is printed, and in a real classroom it runs on the students' laptops instead.

Printed per run: the seconds until every server was up, the slowest kernel start (opening the notebook to a
kernel that answers), Run-All seconds (median and slowest student), key-to-figure p50 and p95 (all students;
and the browser's own), errors and lost kernels, torch's thread count in the kernels, peak RSS of a kernel and
of a single-user server, and CPU over the slider phase in % of one core: the hub (hub and proxy processes),
Chromium, this script (whose threads are the protocol students) and the whole machine (in % of all cores).
Targets at N = 20 on 2 cores: p95 <= 250 ms (steady) and <= 300 ms (jump), no errors, no lost kernels, peak kernel
RSS <= 400 MB.

``--threads one`` (the default) gives every kernel one torch thread (``OMP_NUM_THREADS=1`` in the spawner's
environment); ``--threads default`` leaves torch to size its pool from the host's cores. ``--table`` runs
N = 1, 5, 10, 20, 30 with one thread and N = 10, 20 with the default (steady), prints one table, and writes the
sizing recommendation to ``deploy/classroom-sizing.json`` (``--write-sizing`` does it for the runs asked for: every
``--students`` with every ``--pattern``), then the sizing lines of ``deploy/z2jh/config.yaml`` from it
(``course.generated``).
``--no-hub`` runs every student on one plain JupyterLab instead (for developing this script without a hub).
The hub needs Node.js and ``node_modules`` (``make``).
A ``--table`` run takes about 25-30 minutes on 2 cores; ``--students 20`` about 5.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import psutil
import websocket

from course import lab_page as lp
from course.classroom import (
    TARGET_KERNEL_MB,
    TARGET_P95_MS,
    RunFigures,
    SimulatedStudent,
    StudentResult,
    quantile,
    recommendation,
    zigzag,
)
from course.generated import SIZING, Z2JH, z2jh_text
from course.hub import NOTEBOOK_FOLDER, Hub, UserServer
from course.lab_page import RECORD, RECORDER
from course.lab_server import CHROMIUM, CHROMIUM_ARGS, LabServer
from course.lesson import load_definitions
from course.runner import environment
from course.series import NOTEBOOKS, notebook_titled
from helpers.descent_explorer import LOG10_STEP  # the slider's step, in decades: one key press

NOTEBOOK = notebook_titled("Fitting a line by gradient descent").name
SHOWN_SIZING, SHOWN_Z2JH = (path.relative_to(NOTEBOOKS.parent) for path in (SIZING, Z2JH))
SLIDER = "learning rate"
TABLE_RUNS = [(n, threads, "steady") for n, threads in
              [(1, "one"), (5, "one"), (10, "one"), (10, "default"), (20, "one"), (20, "default"), (30, "one")]]
TARGET_STUDENTS = 20
LOG10_LOW = -6.0  # the smallest learning rate a student moves to
START_LOG10 = -4.0  # the explorer's first learning rate, 1e-4
LOG10_MARGIN = 0.065  # how far below notebook 06's stability limit the largest learning rate stays, in decades
JUMP_SECONDS = 6  # seconds between two jumps: the teacher's pace
PATTERNS = ("steady", "jump")
THREAD_SETTINGS = {"one": {"OMP_NUM_THREADS": "1"}, "default": {}}
MB = 1024 * 1024
# Whether the notebook's kernel is idle, false (not an error) while JupyterLab has not opened the notebook yet.
KERNEL_IDLE_ONCE_OPEN = f"() => {{ try {{ return ({lp.KERNEL_IDLE})(); }} catch {{ return false; }} }}"


@dataclass
class Seat:
    """One student's place: their server, the notebook's path on it, and the address and cookies a browser opens it with."""

    server: UserServer
    notebook: str
    page_url: str
    cookies: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Classroom:
    """Every student's seat, and the pids whose CPU is the hub's (hub and proxy; none without a hub)."""

    seats: list[Seat]
    hub_pids: list[int]
    servers_ready_seconds: float


@contextmanager
def hub_classroom(students: int, extra_environment: dict[str, str]) -> Iterator[Classroom]:
    """A JupyterHub with ``students`` users, every user's server started at once (as a class logs in)."""
    names = [f"bench-{number:02d}" for number in range(1, students + 1)]
    notebook = f"{NOTEBOOK_FOLDER}/{NOTEBOOK}"
    # The browser student reads JupyterLab's state through window.jupyterapp (as the browser tests do), which the
    # servers only expose with this setting; it is passed in an extra config folder.
    with tempfile.TemporaryDirectory(prefix="classroom-config-") as config:
        (Path(config) / "jupyter_server_config.json").write_text(json.dumps({"LabApp": {"expose_app_in_browser": True}}))
        server_environment = extra_environment | {"JUPYTER_CONFIG_PATH": config}
        with Hub(users=names, spawner_environment=server_environment) as hub:
            yield from _seats_on(hub, names, notebook)


def _seats_on(hub: Hub, names: list[str], notebook: str) -> Iterator[Classroom]:
    """Start every student's server at once (as a class logs in) and give each a seat."""
    began = time.monotonic()
    servers = hub.start_servers(names)
    ready = time.monotonic() - began
    seats = [Seat(server, notebook, f"{server.url}lab/tree/{notebook}", hub.login_cookies(name))
             for name, server in servers.items()]
    yield Classroom(seats, list(hub.processes().values()), ready)


@contextmanager
def lab_classroom(students: int, extra_environment: dict[str, str]) -> Iterator[Classroom]:
    """Every student on one plain JupyterLab, each with a copy of the notebook in a folder of their own (no hub)."""
    began = time.monotonic()
    lab = LabServer()
    with environment(extra_environment):  # the server, and so every kernel it starts, inherits this environment
        if "OMP_NUM_THREADS" not in extra_environment:
            os.environ.pop("OMP_NUM_THREADS", None)  # torch's own choice: one thread per host core
        lab.start()
    try:
        seats = []
        for number in range(1, students + 1):
            folder = lab.root / f"student{number:02d}"
            folder.mkdir()
            (folder / NOTEBOOK).write_bytes((NOTEBOOKS / NOTEBOOK).read_bytes())
            notebook = f"{folder.name}/{NOTEBOOK}"
            server = UserServer(folder.name, lab.url + "/", lab.token)
            seats.append(Seat(server, notebook, lab.notebook_url(notebook, workspace=folder.name)))
        yield Classroom(seats, [], time.monotonic() - began)
    finally:
        lab.stop()


class ProcessWatch(threading.Thread):
    """Samples, every ``interval`` s, the RSS of each kernel given to :meth:`watch` and of its parent (the user's server).

    A kernel is found by its connection file's name, which holds its id. ``gone`` lists the kernels whose
    process disappeared while watched (a dead kernel).
    """

    def __init__(self, interval: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.interval = interval
        self.kernel_ids: set[str] = set()
        self.processes: dict[str, psutil.Process] = {}
        self.peak_kernel: dict[str, int] = {}
        self.peak_server: dict[str, int] = {}
        self.gone: set[str] = set()
        self.kernel_cpu: dict[str, float] = {}  # the latest CPU seconds of each kernel, and of its server
        self.server_cpu: dict[str, float] = {}
        self._stop_event = threading.Event()
        self._lock = threading.Lock()

    def watch(self, kernel_id: str) -> None:
        """Start following the kernel with this id."""
        with self._lock:
            self.kernel_ids.add(kernel_id)

    def release(self, kernel_id: str) -> None:
        """Take a last sample of the kernel and stop following it (before it is shut down on purpose)."""
        self.sample()
        with self._lock:
            self.kernel_ids.discard(kernel_id)

    def cpu_seconds(self) -> tuple[dict[str, float], dict[str, float]]:
        """The latest CPU seconds of every kernel and of its server (by kernel id), sampled now."""
        self.sample()
        with self._lock:
            return dict(self.kernel_cpu), dict(self.server_cpu)

    def run(self) -> None:
        while not self._stop_event.wait(self.interval):
            self.sample()

    def stop(self) -> None:
        """Take a last sample and stop."""
        self._stop_event.set()
        self.join()
        self.sample()

    def sample(self) -> None:
        """Record each watched kernel's and server's RSS now."""
        with self._lock:
            watched = set(self.kernel_ids)
            unseen = watched - set(self.processes) - self.gone
            if unseen:
                for process in psutil.process_iter(["cmdline"]):
                    for kernel_id in unseen:
                        if any(f"kernel-{kernel_id}.json" in part for part in process.info["cmdline"] or ()):
                            self.processes[kernel_id] = process
            self._sample_known(watched)

    def _sample_known(self, watched: set[str]) -> None:
        for kernel_id, process in list(self.processes.items()):
            if kernel_id not in watched:
                continue
            try:
                kernel_rss = process.memory_info().rss
                self.kernel_cpu[kernel_id] = sum(process.cpu_times()[:2])
                parent = process.parent()
                server_rss = parent.memory_info().rss if parent is not None else 0
                self.server_cpu[kernel_id] = sum(parent.cpu_times()[:2]) if parent is not None else 0.0
            except psutil.NoSuchProcess:
                self.gone.add(kernel_id)
                del self.processes[kernel_id]
                continue
            self.peak_kernel[kernel_id] = max(self.peak_kernel.get(kernel_id, 0), kernel_rss)
            self.peak_server[kernel_id] = max(self.peak_server.get(kernel_id, 0), server_rss)


def cpu_by_pid(pids: Sequence[int]) -> dict[int, float]:
    """User + system CPU seconds each of the processes ``pids`` has used so far (those that have ended are left out)."""
    used = {}
    for pid in pids:
        try:
            times = psutil.Process(pid).cpu_times()
        except psutil.NoSuchProcess:
            continue
        used[pid] = times.user + times.system
    return used


def cpu_since(before: dict[int, float], now: dict[int, float]) -> float:
    """CPU seconds used between two :func:`cpu_by_pid` readings, by the processes alive at the second one."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in now.items())


def browser_pids() -> list[int]:
    """The Chromium processes this script started (through Playwright's driver)."""
    found = []
    for child in psutil.Process().children(recursive=True):
        try:
            if "chrom" in child.name().lower() or "headless" in child.name().lower():
                found.append(child.pid)
        except psutil.NoSuchProcess:
            continue
    return found


@dataclass
class Phase:
    """When the slider phase starts (set once every student has run all cells), and the CPU counters then."""

    students: int
    start: float = math.nan
    started: threading.Event = field(default_factory=threading.Event)
    arrived: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    hub_cpu: dict[int, float] = field(default_factory=dict)
    browser_cpu: dict[int, float] = field(default_factory=dict)
    browser_cpu_end: dict[int, float] = field(default_factory=dict)  # read by each browser student before it closes
    machine: Any = None  # psutil.cpu_times() at the start
    driver_cpu: float = 0.0  # this script's own CPU seconds at the start (its threads are the simulated students)
    kernel_cpu: dict[str, float] = field(default_factory=dict)  # each kernel's CPU seconds at the start
    server_cpu: dict[str, float] = field(default_factory=dict)  # each kernel's server's CPU seconds at the start

    def arrive(self, hub_pids: Sequence[int], watch: ProcessWatch) -> None:
        """Say that one more student has run all cells (or given up); the last one starts the slider phase."""
        with self.lock:
            self.arrived += 1
            if self.arrived == self.students:
                self.hub_cpu, self.browser_cpu = cpu_by_pid(hub_pids), cpu_by_pid(browser_pids())
                self.machine = psutil.cpu_times()
                self.driver_cpu = sum(psutil.Process().cpu_times()[:2])
                self.kernel_cpu, self.server_cpu = watch.cpu_seconds()
                self.start = time.monotonic()
                self.started.set()


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


def wait_for(moment: float) -> None:
    """Sleep until ``time.monotonic()`` reaches ``moment`` (return at once if it has)."""
    left = moment - time.monotonic()
    if left > 0:
        time.sleep(left)


def protocol_student(seat: Seat, plan: list[Move], phase: Phase, hub_pids: list[int],
                     watch: ProcessWatch) -> StudentResult:
    """Open, run all, wait for the class, then make the planned moves over the kernel protocol."""
    student = SimulatedStudent(seat.server, seat.notebook, timeout=300.0)
    ready = False
    try:
        student.open()
        watch.watch(student.result.kernel_id)
        student.run_all()
        student.result.torch_threads = int(student.evaluate("__import__('torch').get_num_threads()"))
        ready = True
    except (OSError, TimeoutError, ConnectionError, LookupError, RuntimeError, websocket.WebSocketException) as error:
        student.result.errors.append(f"before the sliders: {type(error).__name__}: {error}")
    finally:
        phase.arrive(hub_pids, watch)
    try:
        while ready and not phase.started.is_set():
            student.listen(0.5)  # as the tab does while the others still run their cells
        phase.started.wait()
        for move in plan if ready else []:
            wait_for(phase.start + move.at)
            if move.typed:
                student.type_value(SLIDER, move.typed)
            else:
                student.move_slider(SLIDER, 10**move.log10_rate)
        student.check_kernel()
    except (OSError, TimeoutError, ConnectionError, LookupError, websocket.WebSocketException) as error:
        student.result.errors.append(f"moving the slider: {type(error).__name__}: {error}")
    finally:
        watch.release(student.result.kernel_id)
        student.close()
    return student.result


def figure_after_press(record: dict[str, list[float]], press: int) -> bool:
    """Whether the page's ``record`` holds key press number ``press`` and a figure change at or after it."""
    return len(record["keys"]) > press and any(t >= record["keys"][press] for t in record["srcs"])


def browser_student(seat: Seat, plan: list[Move], phase: Phase, hub_pids: list[int], watch: ProcessWatch) -> StudentResult:
    """The same in headless Chromium: JupyterLab's Run All, then each move as an arrow key on the slider or a typed rate."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    result = StudentResult(seat.server.name)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 1000})
        context.add_cookies(seat.cookies)  # type: ignore[arg-type]
        page = context.new_page()
        slider = None
        try:
            page.goto(seat.page_url)
            began = time.perf_counter()
            page.wait_for_function(KERNEL_IDLE_ONCE_OPEN, timeout=180_000)
            result.open_seconds = time.perf_counter() - began
            result.kernel_id = page.evaluate(f"() => {lp.CURRENT}.sessionContext.session.kernel.id")
            watch.watch(result.kernel_id)
            began = time.perf_counter()
            cells = lp.run_all(page, timeout=300.0)
            result.run_all_seconds = time.perf_counter() - began
            for number, cell in enumerate(cells):
                if cell.errors and "raises-exception" not in cell.tags:
                    result.errors.append(f"Run All: cell {number} raised {cell.errors[0].get('ename')}")
            slider = lp.wait_until(lambda: lp.sliders(page, SLIDER).count() and lp.sliders(page, SLIDER), timeout=60)
            slider = slider.first
            lp.explorer_output(slider).evaluate(RECORDER)
        except (PlaywrightError, TimeoutError) as error:
            result.errors.append(f"before the sliders: {type(error).__name__}: {error}")
        finally:
            phase.arrive(hub_pids, watch)
        phase.started.wait()
        try:
            before_value = START_LOG10
            for move in plan if slider is not None else []:
                wait_for(phase.start + move.at)
                if move.typed:
                    lp.type_into_box(page, slider, move.typed)  # the clock starts at its last key, the Enter
                else:
                    # Focus again before each press: JupyterLab may move the focus to the active cell when a run ends.
                    lp.press_on_slider(page, slider, "ArrowRight" if move.log10_rate > before_value else "ArrowLeft")
                before_value = move.log10_rate
                last_key = len(page.evaluate(RECORD)["keys"]) - 1
                # Wait for a figure drawn after this key press: under load, the previous move's figure may land later.
                lp.wait_until(lambda last_key=last_key: figure_after_press(page.evaluate(RECORD), last_key),
                              timeout=60, interval=0.01, message="a new figure after a key press")
                now = page.evaluate(RECORD)
                pressed = now["keys"][last_key]
                result.figure_seconds.append((min(t for t in now["srcs"] if t >= pressed) - pressed) / 1000)
            if page.evaluate(f"() => {lp.CURRENT}.sessionContext.session.kernel.status") in ("dead", "restarting"):
                result.kernel_lost = True
        except (PlaywrightError, TimeoutError) as error:
            result.errors.append(f"moving the slider: {type(error).__name__}: {error}")
        finally:
            phase.browser_cpu_end.update(cpu_by_pid(browser_pids()))
            watch.release(result.kernel_id)
            context.close()
            browser.close()
    return result


def run_class(students: int, threads: str, pattern: str, seconds: int, browsers: int, use_hub: bool) -> RunFigures:
    """Run one class of ``students`` (the first ``browsers`` in Chromium) moving in ``pattern``; return its figures."""
    stability_limit = load_definitions(NOTEBOOKS / NOTEBOOK, ["lr_limit"])["lr_limit"]
    high_log10 = math.log10(stability_limit) - LOG10_MARGIN
    classroom = hub_classroom if use_hub else lab_classroom
    with classroom(students, THREAD_SETTINGS[threads]) as room:
        watch = ProcessWatch()
        watch.start()
        phase = Phase(students)
        with ThreadPoolExecutor(max_workers=students) as pool:
            futures = []
            for number, seat in enumerate(room.seats):
                plan = student_plan(number, students, seconds, high_log10, pattern)
                if number < browsers:
                    futures.append(pool.submit(browser_student, seat, plan, phase, room.hub_pids, watch))
                else:
                    futures.append(pool.submit(protocol_student, seat, plan, phase, room.hub_pids, watch))
            results = [future.result() for future in futures]
        # CPU is counted over the slider phase only: from the moment every student had run all cells to the end.
        elapsed = time.monotonic() - phase.start
        hub_cpu = cpu_since(phase.hub_cpu, cpu_by_pid(room.hub_pids))
        browser_cpu = cpu_since(phase.browser_cpu, phase.browser_cpu_end)
        machine_after = psutil.cpu_times()
        driver_cpu = sum(psutil.Process().cpu_times()[:2]) - phase.driver_cpu
        watch.stop()
    moves = sum(len(result.figure_seconds) for result in results)
    # The kernels' and servers' last samples were taken as each student finished (ProcessWatch.release).
    kernel_cpu = sum(seconds - phase.kernel_cpu.get(kernel, seconds) for kernel, seconds in watch.kernel_cpu.items())
    server_cpu = sum(seconds - phase.server_cpu.get(kernel, seconds) for kernel, seconds in watch.server_cpu.items())
    busy = (machine_after.user + machine_after.system) - (phase.machine.user + phase.machine.system)
    total = sum(machine_after) - sum(phase.machine)
    kernels = {result.kernel_id for result in results}
    return RunFigures(
        students=students,
        threads=threads,
        pattern=pattern,
        servers_ready_seconds=room.servers_ready_seconds,
        open_seconds=[result.open_seconds for result in results],
        run_all_seconds=[result.run_all_seconds for result in results],
        protocol_seconds=[time_ for result in results[browsers:] for time_ in result.figure_seconds],
        browser_seconds=[time_ for result in results[:browsers] for time_ in result.figure_seconds],
        errors=[f"{result.name}: {error}" for result in results for error in result.errors],
        lost_kernels=sum(result.kernel_lost for result in results) + len(watch.gone & kernels),
        torch_threads=sorted({result.torch_threads for result in results if result.torch_threads}),
        peak_kernel_mb=max(watch.peak_kernel.values(), default=0) / MB,
        peak_server_mb=max(watch.peak_server.values(), default=0) / MB,
        hub_cpu_percent=100 * hub_cpu / elapsed,
        browser_cpu_percent=100 * browser_cpu / elapsed,
        driver_cpu_percent=100 * driver_cpu / elapsed,
        kernel_cpu_ms_per_move=1000 * kernel_cpu / moves if moves else math.nan,
        server_cpu_ms_per_move=1000 * server_cpu / moves if moves else math.nan,
        machine_busy_percent=100 * busy / total if total else math.nan,
    )


COLUMNS = [  # (title, width) of each column of the table
    ("N", 3), ("threads", 7), ("pattern", 7), ("torch", 5), ("servers s", 9), ("kernel s max", 12), ("Run All s med/max", 17),
    ("key→fig p50/p95 ms", 18), ("browser p50/p95", 15), ("errors", 6), ("lost", 4), ("kernel MB", 9),
    ("server MB", 9), ("CPU ms/move kernel+server", 25), ("hub CPU", 7), ("Chromium", 8), ("driver", 6),
    ("machine", 7), ("targets", 7),
]
HEADER = " ".join(f"{title:>{width}}" for title, width in COLUMNS)


def table_row(figures: RunFigures) -> str:
    """One line of the table for ``figures``."""
    p50, p95 = figures.key_to_figure_ms
    b50, b95 = quantile(figures.browser_seconds, 0.5) * 1000, quantile(figures.browser_seconds, 0.95) * 1000
    run_all = [seconds for seconds in figures.run_all_seconds if not math.isnan(seconds)]
    opened = [seconds for seconds in figures.open_seconds if not math.isnan(seconds)]
    cells = [
        str(figures.students), figures.threads, figures.pattern, ",".join(map(str, figures.torch_threads)) or "?",
        f"{figures.servers_ready_seconds:.1f}", f"{max(opened, default=math.nan):.1f}",
        f"{quantile(run_all, 0.5):.1f}/{max(run_all, default=math.nan):.1f}",
        f"{p50:.0f}/{p95:.0f}", f"{b50:.0f}/{b95:.0f}", str(len(figures.errors)), str(figures.lost_kernels),
        f"{figures.peak_kernel_mb:.0f}", f"{figures.peak_server_mb:.0f}",
        f"{figures.kernel_cpu_ms_per_move:.0f}+{figures.server_cpu_ms_per_move:.0f}", f"{figures.hub_cpu_percent:.1f}%",
        f"{figures.browser_cpu_percent:.1f}%", f"{figures.driver_cpu_percent:.1f}%", f"{figures.machine_busy_percent:.0f}%",
        "met" if figures.meets_targets() else "MISSED",
    ]
    return " ".join(f"{cell:>{width}}" for cell, (_, width) in zip(cells, COLUMNS, strict=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, nargs="+", default=[TARGET_STUDENTS],
                        help="students in the class; several sizes run one class each (default 20)")
    parser.add_argument("--pattern", choices=PATTERNS, nargs="+", default=["steady"],
                        help="how students move: steady (a key press a second) or jump (everyone types a new rate "
                             "every 6 s); several run one class each (default steady)")
    parser.add_argument("--table", action="store_true", help="run N = 1, 5, 10, 20, 30 and the threads comparison")
    parser.add_argument("--seconds", type=int, default=60, help="seconds of moves (default 60)")
    parser.add_argument("--threads", choices=sorted(THREAD_SETTINGS), default="one", help="torch threads per kernel")
    parser.add_argument("--browsers", type=int, default=1, help="students in headless Chromium (default 1)")
    parser.add_argument("--no-hub", action="store_true", help="all students on one JupyterLab, without a hub")
    parser.add_argument("--write-sizing", action="store_true", help=f"write the recommendation to {SHOWN_SIZING}")
    args = parser.parse_args()
    if min(args.students) < 1 or args.seconds < JUMP_SECONDS or not 0 <= args.browsers <= min(args.students):
        parser.error(f"--students must be at least 1, --seconds at least {JUMP_SECONDS}, and --browsers between 0 and "
                     "--students")
    if args.browsers and not CHROMIUM.exists():
        sys.exit(f"{CHROMIUM} is missing: install it with `apt-get install -y chromium`, or pass --browsers 0")

    runs = TABLE_RUNS if args.table else [(n, args.threads, pattern) for n in args.students for pattern in args.pattern]
    cores = os.cpu_count() or 1
    began = time.monotonic()
    print(f"{cores} cores; {args.seconds} s of moves per class; {args.browsers} student(s) in Chromium; "
          f"{'one JupyterLab, no hub' if args.no_hub else 'JupyterHub, one server per student'}", flush=True)
    rows = []
    for students, threads, pattern in runs:
        browsers = min(args.browsers, students)
        rows.append(run_class(students, threads, pattern, args.seconds, browsers, use_hub=not args.no_hub))
        print(f"  N={students} threads={threads} {pattern}: done after {time.monotonic() - began:.0f} s, load average "
              f"{os.getloadavg()[0]:.2f}", flush=True)
    print(HEADER)
    for row in rows:
        print(table_row(row))
    for row in rows:
        for error in row.errors[:5]:
            print(f"  N={row.students} {row.threads} {row.pattern}: {error}")
    targets = " and ".join(f"<= {ms:.0f} ms ({pattern})" for pattern, ms in TARGET_P95_MS.items())
    print(f"(targets at N={TARGET_STUDENTS}: p95 {targets}, no errors, no lost kernels, kernel RSS <= "
          f"{TARGET_KERNEL_MB:.0f} MB; CPU in % of one core over the slider phase; whole run {time.monotonic() - began:.0f} s)")
    if args.table or args.write_sizing:
        command = "python benchmarks/classroom.py " + " ".join(sys.argv[1:])
        try:
            sizing = recommendation(rows, cores, command.strip())
        except ValueError as error:
            sys.exit(f"{SHOWN_SIZING} was not written: {error}")
        SIZING.write_text(json.dumps(sizing, indent=2) + "\n", encoding="utf-8")
        Z2JH.write_text(z2jh_text(), encoding="utf-8")  # its sizing lines are generated from the new numbers
        print(f"wrote {SHOWN_SIZING}: {sizing['students_per_core']} students per core, "
              f"{sizing['memory_guarantee_mb']} MB guaranteed, {sizing['memory_limit_mb']} MB limit, "
              f"{sizing['kernel_threads']} torch thread(s) per kernel; and its lines in {SHOWN_Z2JH}")


if __name__ == "__main__":
    main()
