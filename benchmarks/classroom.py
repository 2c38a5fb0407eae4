"""A whole class at once: N students on a real JupyterHub run notebook 06 and move its learning-rate slider.

    .venv/bin/python benchmarks/classroom.py --students 20             # one class of 20, a minute of moves
    .venv/bin/python benchmarks/classroom.py --students 2 --seconds 12 # a quick look
    .venv/bin/python benchmarks/classroom.py --students 10 20 --pattern steady jump --write-sizing

Each run starts a JupyterHub on 127.0.0.1 (``course.hub``: configurable-http-proxy from ``make``, JupyterHub's
``SimpleLocalProcessSpawner``, every server as the current user, one torch thread per kernel) with N users and
starts every server; then all students open their own copy of notebook 06, run all its cells, wait for each
other (a ``threading.Barrier``) and, for ``--seconds`` (60), move the explorer in one ``--pattern``:

* ``steady``: one key press (0.05 decade) a second, to and fro between 1e-6 and just below the stability limit
  notebook 06 computes; students start spread over the first second, as a class does not move in step.
* ``jump``: "everyone type 2.15e-4 now": every 6 s, every student types the same new rate (three digits, never
  a slider position) into the box beside the slider, each at a random (seeded) moment of the same second.

Student 1 is headless Chromium running JupyterLab (``course.lab_page``), logged in with the hub's cookies; the
time from keydown to the new figure's ``<img>`` src is measured in the page. The others are
:class:`course.classroom.SimulatedStudent`, speaking the kernel protocol through the same proxy, so that N
browsers do not swamp the cores the kernels are measured on.

Printed per run: Run-All seconds, key-to-figure p50 and p95 (all students), errors, lost kernels and the peak
RSS of a kernel and of a single-user server. ``--write-sizing`` writes the recommendation
(``course.classroom.recommendation``) to ``deploy/classroom-sizing.json``, then the sizing lines of
``deploy/z2jh/config.yaml`` from it (``course.generated``).
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
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import psutil
import websocket
from slider_browser import LOG10_MARGIN, slider_in  # benchmarks/, beside this file

from course import lab_page as lp
from course.classroom import (
    JUMP_SECONDS,
    START_LOG10,
    TARGET_KERNEL_MB,
    TARGET_P95_MS,
    Move,
    RunFigures,
    SimulatedStudent,
    StudentResult,
    recommendation,
    student_plan,
)
from course.generated import SIZING, Z2JH, z2jh_text
from course.hub import NOTEBOOK_FOLDER, Hub, UserServer
from course.lab_page import RECORD, RECORDER
from course.lab_server import CHROMIUM, CHROMIUM_ARGS
from course.lesson import load_definitions
from course.series import NOTEBOOKS, notebook_titled

NOTEBOOK = notebook_titled("Fitting a line by gradient descent").name
SHOWN_SIZING, SHOWN_Z2JH = (path.relative_to(NOTEBOOKS.parent) for path in (SIZING, Z2JH))
SLIDER = "learning rate"
TARGET_STUDENTS = 20
PATTERNS = ("steady", "jump")
MB = 1024 * 1024
# Whether the notebook's kernel is idle, false (not an error) while JupyterLab has not opened the notebook yet.
KERNEL_IDLE_ONCE_OPEN = f"() => {{ try {{ return ({lp.KERNEL_IDLE})(); }} catch {{ return false; }} }}"
# What a student may meet on the way; it is recorded as an error of that student, and the class goes on.
STUDENT_ERRORS = (OSError, TimeoutError, ConnectionError, LookupError, RuntimeError, websocket.WebSocketException)


class MemoryWatch(threading.Thread):
    """Samples, every ``interval`` s, the RSS of each kernel given to :meth:`watch` and of its parent (the user's server).

    A kernel is found by its connection file's name, which holds its id. ``gone`` lists the kernels whose
    process disappeared while watched (a dead kernel).
    """

    def __init__(self, interval: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.interval = interval
        self.processes: dict[str, psutil.Process] = {}
        self.peak_kernel: dict[str, int] = {}
        self.peak_server: dict[str, int] = {}
        self.gone: set[str] = set()
        self.stopped = threading.Event()
        self.lock = threading.Lock()

    def watch(self, kernel_id: str) -> None:
        """Start following the kernel with this id."""
        for process in psutil.process_iter(["cmdline"]):
            if any(f"kernel-{kernel_id}.json" in part for part in process.info["cmdline"] or ()):
                with self.lock:
                    self.processes[kernel_id] = process

    def release(self, kernel_id: str) -> None:
        """Take a last sample and stop following the kernel (before it is shut down on purpose)."""
        self.sample()
        with self.lock:
            self.processes.pop(kernel_id, None)

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            self.sample()

    def sample(self) -> None:
        """Record each watched kernel's and server's RSS now."""
        with self.lock:
            for kernel_id, process in list(self.processes.items()):
                try:
                    kernel_rss = process.memory_info().rss
                    parent = process.parent()
                    server_rss = parent.memory_info().rss if parent is not None else 0
                except psutil.NoSuchProcess:
                    self.gone.add(kernel_id)
                    del self.processes[kernel_id]
                    continue
                self.peak_kernel[kernel_id] = max(self.peak_kernel.get(kernel_id, 0), kernel_rss)
                self.peak_server[kernel_id] = max(self.peak_server.get(kernel_id, 0), server_rss)


class Phase:
    """The class's meeting point once every student has run all cells, and the moment the moves start then."""

    def __init__(self, students: int) -> None:
        self.start = math.nan
        # The last student to arrive sets the start, before anyone is released.
        self.barrier = threading.Barrier(students, action=self._begin)

    def _begin(self) -> None:
        self.start = time.monotonic()


def wait_for(moment: float) -> None:
    """Sleep until ``time.monotonic()`` reaches ``moment`` (return at once if it has)."""
    left = moment - time.monotonic()
    if left > 0:
        time.sleep(left)


def protocol_student(server: UserServer, plan: list[Move], phase: Phase, watch: MemoryWatch) -> StudentResult:
    """Open, run all, wait for the class, then make the planned moves over the kernel protocol."""
    student = SimulatedStudent(server, f"{NOTEBOOK_FOLDER}/{NOTEBOOK}", timeout=300.0)
    ready = False
    try:
        student.open()
        watch.watch(student.result.kernel_id)
        student.run_all()
        ready = True
    except STUDENT_ERRORS as error:
        student.result.errors.append(f"before the sliders: {type(error).__name__}: {error}")
    # Wait for the class while reading the websocket, as the tab does: a connection left unread is closed.
    waiting = threading.Thread(target=phase.barrier.wait)
    waiting.start()
    try:
        while ready and waiting.is_alive():
            student.listen(0.5)
        waiting.join()
        for move in plan if ready else []:
            wait_for(phase.start + move.at)
            if move.typed:
                student.type_value(SLIDER, move.typed)
            else:
                student.move_slider(SLIDER, 10**move.log10_rate)
        student.check_kernel()
    except STUDENT_ERRORS as error:
        student.result.errors.append(f"moving the slider: {type(error).__name__}: {error}")
    finally:
        watch.release(student.result.kernel_id)
        student.close()
    return student.result


def figure_after_press(record: dict[str, list[float]], press: int) -> bool:
    """Whether the page's ``record`` holds key press number ``press`` and a figure change at or after it."""
    return len(record["keys"]) > press and any(t >= record["keys"][press] for t in record["srcs"])


def browser_student(hub: Hub, server: UserServer, plan: list[Move], phase: Phase, watch: MemoryWatch) -> StudentResult:
    """The same in headless Chromium: JupyterLab's Run All, then each move as an arrow key on the slider or a typed rate."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    result = StudentResult(server.name)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 1000})
        context.add_cookies(hub.login_cookies(server.name))  # type: ignore[arg-type]
        page = context.new_page()
        slider = None
        try:
            page.goto(f"{server.url}lab/tree/{NOTEBOOK_FOLDER}/{NOTEBOOK}")
            page.wait_for_function(KERNEL_IDLE_ONCE_OPEN, timeout=180_000)
            result.kernel_id = page.evaluate(f"() => {lp.CURRENT}.sessionContext.session.kernel.id")
            watch.watch(result.kernel_id)
            began = time.perf_counter()
            cells = lp.run_all(page, timeout=300.0)
            result.run_all_seconds = time.perf_counter() - began
            for number, cell in enumerate(cells):
                if cell.errors and "raises-exception" not in cell.tags:
                    result.errors.append(f"Run All: cell {number} raised {cell.errors[0].get('ename')}")
            slider = slider_in(page, SLIDER)
            lp.explorer_output(slider).evaluate(RECORDER)
        except (PlaywrightError, TimeoutError) as error:
            result.errors.append(f"before the sliders: {type(error).__name__}: {error}")
        phase.barrier.wait()
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
            watch.release(result.kernel_id)
            context.close()
            browser.close()
    return result


def run_class(students: int, pattern: str, seconds: int) -> RunFigures:
    """Run one class of ``students`` (the first in Chromium) moving in ``pattern`` on a fresh hub; return its figures."""
    high_log10 = math.log10(load_definitions(NOTEBOOKS / NOTEBOOK, ["lr_limit"])["lr_limit"]) - LOG10_MARGIN
    names = [f"bench-{number:02d}" for number in range(1, students + 1)]
    # The browser student reads JupyterLab's state through window.jupyterapp (as the browser tests do), which the
    # servers only expose with this setting, passed in an extra config folder.
    with tempfile.TemporaryDirectory(prefix="classroom-config-") as config:
        (Path(config) / "jupyter_server_config.json").write_text(json.dumps({"LabApp": {"expose_app_in_browser": True}}))
        with Hub(users=names, spawner_environment={"OMP_NUM_THREADS": "1", "JUPYTER_CONFIG_PATH": config}) as hub:
            servers = list(hub.start_servers(names).values())
            watch = MemoryWatch()
            watch.start()
            phase = Phase(students)
            with ThreadPoolExecutor(max_workers=students) as pool:
                futures = [pool.submit(browser_student, hub, servers[0], student_plan(0, students, seconds, high_log10, pattern),
                                       phase, watch)]
                futures += [pool.submit(protocol_student, server, student_plan(number, students, seconds, high_log10, pattern),
                                        phase, watch) for number, server in enumerate(servers[1:], start=1)]
                results = [future.result() for future in futures]
            watch.stopped.set()
    kernels = {result.kernel_id for result in results}
    return RunFigures(
        students=students,
        pattern=pattern,
        run_all_seconds=[result.run_all_seconds for result in results],
        figure_seconds=[seconds for result in results for seconds in result.figure_seconds],
        errors=[f"{result.name}: {error}" for result in results for error in result.errors],
        lost_kernels=sum(result.kernel_lost for result in results) + len(watch.gone & kernels),
        peak_kernel_mb=max(watch.peak_kernel.values(), default=0) / MB,
        peak_server_mb=max(watch.peak_server.values(), default=0) / MB,
    )


def table_row(figures: RunFigures) -> str:
    """One line of the printed table for ``figures``, under HEADER."""
    p50, p95 = figures.key_to_figure_ms
    run_all = [seconds for seconds in figures.run_all_seconds if not math.isnan(seconds)]
    run_all_median = float(np.median(run_all)) if run_all else math.nan
    run_all_cell = f"{run_all_median:.1f}/{max(run_all, default=math.nan):.1f}"
    cells = [figures.students, figures.pattern, run_all_cell, f"{p50:.0f}/{p95:.0f}", len(figures.errors), figures.lost_kernels,
             f"{figures.peak_kernel_mb:.0f}", f"{figures.peak_server_mb:.0f}", "met" if figures.meets_targets() else "MISSED"]
    return " ".join(f"{cell:>{len(title)}}" for cell, title in zip(cells, COLUMNS, strict=True))


COLUMNS = ["  N", "pattern", "Run All s med/max", "key→fig ms p50/p95", "errors", "lost", "kernel MB", "server MB", "targets"]
HEADER = " ".join(COLUMNS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, nargs="+", default=[TARGET_STUDENTS],
                        help="students in the class; several sizes run one class each (default 20)")
    parser.add_argument("--pattern", choices=PATTERNS, nargs="+", default=["steady"],
                        help="how students move: steady (a key press a second) or jump (everyone types a new rate "
                             "every 6 s); several run one class each (default steady)")
    parser.add_argument("--seconds", type=int, default=60, help="seconds of moves (default 60)")
    parser.add_argument("--write-sizing", action="store_true", help=f"write the recommendation to {SHOWN_SIZING}")
    args = parser.parse_args()
    if min(args.students) < 1 or args.seconds < JUMP_SECONDS:
        parser.error(f"--students must be at least 1 and --seconds at least {JUMP_SECONDS}")
    if not CHROMIUM.exists():
        sys.exit(f"{CHROMIUM} is missing: install it with `apt-get install -y chromium`")
    cores = os.cpu_count() or 1
    began = time.monotonic()
    print(f"{cores} cores; {args.seconds} s of moves per class; one student in Chromium", flush=True)
    rows = []
    for students in args.students:
        for pattern in args.pattern:
            rows.append(run_class(students, pattern, args.seconds))
            print(f"  N={students} {pattern}: done after {time.monotonic() - began:.0f} s, load average "
                  f"{os.getloadavg()[0]:.2f}", flush=True)
    print(HEADER)
    for row in rows:
        print(table_row(row))
    for row in rows:
        for error in row.errors[:5]:
            print(f"  N={row.students} {row.pattern}: {error}")
    targets = " and ".join(f"<= {ms:.0f} ms ({pattern})" for pattern, ms in TARGET_P95_MS.items())
    print(f"(targets at N={TARGET_STUDENTS}: p95 {targets}, no errors, no lost kernels, kernel RSS <= "
          f"{TARGET_KERNEL_MB:.0f} MB; whole run {time.monotonic() - began:.0f} s)")
    if args.write_sizing:
        command = "python benchmarks/classroom.py " + " ".join(sys.argv[1:])
        try:
            sizing = recommendation(rows, cores, command.strip())
        except ValueError as error:
            sys.exit(f"{SHOWN_SIZING} was not written: {error}")
        SIZING.write_text(json.dumps(sizing, indent=2) + "\n", encoding="utf-8")
        Z2JH.write_text(z2jh_text(), encoding="utf-8")  # its sizing lines are generated from the new numbers
        print(f"wrote {SHOWN_SIZING}: {sizing['students_per_core']} students per core, "
              f"{sizing['memory_guarantee_mb']} MB guaranteed, {sizing['memory_limit_mb']} MB limit; "
              f"and its lines in {SHOWN_Z2JH}")


if __name__ == "__main__":
    main()
