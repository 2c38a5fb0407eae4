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

Every student is a :class:`course.hub.SimulatedStudent`, speaking the kernel protocol through the hub's proxy as
JupyterLab does, so that N browsers do not swamp the cores the kernels are measured on (the browser's own part
of a key press is measured by ``benchmarks/slider_browser.py``).

Printed per run: Run-All seconds, key-to-figure p50 and p95 (all students), errors, lost kernels and the peak
RSS of a kernel and of a single-user server (read, and the kernels shut down, only once every student has made
its last move, so that no student's last figure waits for that work). ``--write-sizing`` writes the sizing the
runs support to ``deploy/classroom-sizing.json`` (see :func:`recommendation`), then the files generated from it
(``course.generated``): the sizing lines of ``deploy/z2jh/config.yaml`` and the table of ``deploy/README.md``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import sys
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import psutil
import websocket

from course.generated import DEPLOY_README, SIZING, Z2JH, update
from course.hub import NOTEBOOK_FOLDER, Hub, SimulatedStudent, UserServer
from course.lesson import load_definitions
from course.series import NOTEBOOKS, notebook_titled
from helpers.descent_explorer import LOG10_STEP  # the slider's step, in decades: one key press

NOTEBOOK = notebook_titled("Fitting a line by gradient descent").name
SHOWN_SIZING, SHOWN_Z2JH, SHOWN_README = (path.relative_to(NOTEBOOKS.parent) for path in (SIZING, Z2JH, DEPLOY_README))
SLIDER = "learning rate"
TARGET_STUDENTS = 20
PATTERNS = ("steady", "jump")
LOG10_LOW = -6.0  # the smallest learning rate a student moves to
START_LOG10 = -4.0  # the explorer's first learning rate, 1e-4
LOG10_MARGIN = 0.065  # how far below notebook 06's stability limit 2/λ_max the highest rate stays, in powers of ten
JUMP_SECONDS = 6  # seconds between two jumps: the teacher's pace
# What a class must see for the sizing to count it: the key-to-figure p95 for each pattern, and a kernel's peak memory.
TARGET_P95_MS = {"steady": 250.0, "jump": 300.0}
TARGET_KERNEL_MB = 400.0
MB = 1024 * 1024
# What a student may meet on the way; it is recorded as an error of that student, and the class goes on.
STUDENT_ERRORS = (OSError, TimeoutError, ConnectionError, LookupError, RuntimeError, websocket.WebSocketException)


@dataclass
class Move:
    """One move of a student: when (seconds after the moves start), and the learning rate it asks for.

    ``typed`` is the rate as typed into the box (a jump), or empty for one key press on the slider.
    """

    at: float
    log10_rate: float
    typed: str = ""


def student_plan(number: int, students: int, seconds: int, high_log10: float, pattern: str) -> list[Move]:
    """The moves of student ``number`` (0-based) of ``students`` over ``seconds``, in ``pattern``."""
    if pattern == "steady":  # a key press a second, turning back at either end of the span
        moves, now, direction = [], START_LOG10, 1.0
        for second in range(seconds):
            if not LOG10_LOW <= now + direction * LOG10_STEP <= high_log10:
                direction = -direction
            now += direction * LOG10_STEP
            moves.append(Move(number / students + second, now))
        return moves
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


def peak_rss(pid: int) -> int:
    """The process's peak resident set size so far, in bytes (Linux's VmHWM)."""
    with open(f"/proc/{pid}/status", encoding="utf-8") as status:
        return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM:"))


def cpu_model() -> str:
    """The CPU's model name, as Linux reports it."""
    with open("/proc/cpuinfo", encoding="utf-8") as info:
        return next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), "unknown CPU")


def kernel_and_server_peaks(kernel_id: str) -> tuple[int, int]:
    """The peak RSS of the kernel with this id (found by its connection file's name) and of its parent, the server."""
    for process in psutil.process_iter(["cmdline"]):
        if any(f"kernel-{kernel_id}.json" in part for part in process.info["cmdline"] or ()):
            return peak_rss(process.pid), peak_rss(process.ppid())
    raise LookupError(f"no process runs the kernel {kernel_id}")


class Phase:
    """The class's two meeting points, once every student has run all cells and once every student has made its last
    move, and the moment the moves start."""

    def __init__(self, students: int) -> None:
        self.start = math.nan
        # The last student to arrive sets the start, before anyone is released.
        self.ready = threading.Barrier(students, action=self._begin)
        self.moved = threading.Barrier(students)

    def _begin(self) -> None:
        self.start = time.monotonic()


def wait_for_class(barrier: threading.Barrier, student: SimulatedStudent, listening: bool) -> None:
    """Wait at ``barrier`` for the whole class, reading the websocket meanwhile (if ``listening``) as the tab does:
    a connection left unread is closed."""
    waiting = threading.Thread(target=barrier.wait)
    waiting.start()
    try:
        while listening and waiting.is_alive():
            student.listen(0.5)
    finally:
        waiting.join()


def take_part(server: UserServer, plan: list[Move], phase: Phase) -> tuple[SimulatedStudent, tuple[int, int]]:
    """Open, run all, wait for the class, then make the planned moves; the student and its kernel's and server's peak RSS."""
    student = SimulatedStudent(server, f"{NOTEBOOK_FOLDER}/{NOTEBOOK}", timeout=300.0)
    ready = False
    try:
        student.open()
        student.run_all()
        ready = True
    except STUDENT_ERRORS as error:
        student.errors.append(f"before the sliders: {type(error).__name__}: {error}")
    try:
        wait_for_class(phase.ready, student, listening=ready)
        for move in plan if ready else []:
            time.sleep(max(0.0, phase.start + move.at - time.monotonic()))
            if move.typed:
                student.type_value(SLIDER, move.typed)
            else:
                student.move_slider(SLIDER, 10**move.log10_rate)
        student.check_kernel()
    except STUDENT_ERRORS as error:
        ready = False
        student.errors.append(f"moving the slider: {type(error).__name__}: {error}")
    # Scanning the processes for the peaks, and shutting a kernel down, take CPU and this process's GIL, under which
    # the other students' clocks run: so neither starts before the whole class has made its last move.
    peaks = (0, 0)
    try:
        wait_for_class(phase.moved, student, listening=ready)
        if ready:
            peaks = kernel_and_server_peaks(student.kernel_id)
    except STUDENT_ERRORS as error:
        student.errors.append(f"after the moves: {type(error).__name__}: {error}")
    finally:
        student.close()
    return student, peaks


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


def run_class(students: int, pattern: str, seconds: int) -> RunFigures:
    """Run one class of ``students`` moving in ``pattern`` on a fresh hub; return its figures."""
    high_log10 = math.log10(load_definitions(NOTEBOOKS / NOTEBOOK, ["lr_limit"])["lr_limit"]) - LOG10_MARGIN
    names = [f"bench-{number:02d}" for number in range(1, students + 1)]
    with Hub(users=names, spawner_environment={"OMP_NUM_THREADS": "1"}) as hub:
        servers = hub.start_servers(names).values()
        phase = Phase(students)
        with ThreadPoolExecutor(max_workers=students) as pool:
            futures = [pool.submit(take_part, server, student_plan(number, students, seconds, high_log10, pattern), phase)
                       for number, server in enumerate(servers)]
            results = [future.result() for future in futures]
    return RunFigures(
        students=students,
        pattern=pattern,
        run_all_seconds=[student.run_all_seconds for student, _ in results],
        figure_seconds=[seconds for student, _ in results for seconds in student.figure_seconds],
        errors=[f"{student.server.name}: {error}" for student, _ in results for error in student.errors],
        lost_kernels=sum(student.kernel_lost for student, _ in results),
        peak_kernel_mb=max(kernel for _, (kernel, _) in results) / MB,
        peak_server_mb=max(server for _, (_, server) in results) / MB,
    )


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
        "kernel_threads": 1,  # every kernel runs with OMP_NUM_THREADS=1 (run_class)
        "measured": {
            "date": datetime.date.today().isoformat(),
            "cores": cores,
            "cpu": cpu_model(),
            "target_p95_ms": TARGET_P95_MS,
            "largest_class_meeting_targets": largest,
            "peak_kernel_rss_mb": round(kernel_mb),
            "peak_server_rss_mb": round(server_mb),
            "runs": [asdict(row) | {"key_to_figure_p50_p95_ms": [round(ms) for ms in row.key_to_figure_ms],
                                    "meets_targets": row.meets_targets()} for row in rows],
        },
        "command": command,
    }


COLUMNS = ["  N", "pattern", "Run All s med/max", "key→fig ms p50/p95", "errors", "lost", "kernel MB", "server MB", "targets"]


def table_row(figures: RunFigures) -> str:
    """One line of the printed table for ``figures``, under COLUMNS."""
    p50, p95 = figures.key_to_figure_ms
    run_all = [seconds for seconds in figures.run_all_seconds if not math.isnan(seconds)]
    run_all_cell = f"{np.median(run_all) if run_all else math.nan:.1f}/{max(run_all, default=math.nan):.1f}"
    cells = [figures.students, figures.pattern, run_all_cell, f"{p50:.0f}/{p95:.0f}", len(figures.errors), figures.lost_kernels,
             f"{figures.peak_kernel_mb:.0f}", f"{figures.peak_server_mb:.0f}", "met" if figures.meets_targets() else "MISSED"]
    return " ".join(f"{cell:>{len(title)}}" for cell, title in zip(cells, COLUMNS, strict=True))


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
    cores = os.cpu_count() or 1
    began = time.monotonic()
    print(f"{cores} cores; {args.seconds} s of moves per class", flush=True)
    rows = []
    for students in args.students:
        for pattern in args.pattern:
            rows.append(run_class(students, pattern, args.seconds))
            print(f"  N={students} {pattern}: done after {time.monotonic() - began:.0f} s, load average "
                  f"{os.getloadavg()[0]:.2f}", flush=True)
    print(" ".join(COLUMNS))
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
        update(write=True)  # the sizing lines of Z2JH and the table of DEPLOY_README are generated from it
        print(f"wrote {SHOWN_SIZING}: {sizing['students_per_core']} students per core, "
              f"{sizing['memory_guarantee_mb']} MB guaranteed, {sizing['memory_limit_mb']} MB limit; "
              f"and its lines in {SHOWN_Z2JH} and {SHOWN_README}")


if __name__ == "__main__":
    main()
