"""The fragility finder (course.fragility) and the portability matrix (course.variants).

The finder must list a cell whose printed number depends on the CPU's arithmetic path, and only
that cell: shown here with a synthetic notebook that prints a float32 sum of a million numbers to
nine significant digits, under one torch thread and under two. ATen splits a reduction that large
into one chunk per thread and adds the chunks' partial sums, so the order of the float32 additions,
and with it the last digits, follows the thread count on any x86 CPU, Intel or AMD, at any SIMD
level. (MKL's instruction levels would not do: on AMD CPUs MKL takes one path whatever
``MKL_ENABLE_INSTRUCTIONS`` says.) torch caps ``OMP_NUM_THREADS`` at the CPU's own thread count,
so this needs a CPU with two hardware threads, which every x86 machine we support has.
"""

from __future__ import annotations

import re
from itertools import combinations, product

import nbformat
import pytest
from support import new_code, new_markdown, python3_notebook, stream

from course.fragility import cell_changes, check_one
from course.runner import execute
from course.variants import (
    THREADS,
    SwitchEffect,
    Variant,
    covering_matrix,
    describe_switches,
    probe_switches,
    switch_levels,
)

ONE_THREAD = Variant("threads=1", {"OMP_NUM_THREADS": "1"})
TWO_THREADS = Variant("threads=2", {"OMP_NUM_THREADS": "2"})
FRAGILE = "import torch\ntorch.manual_seed(0)\na = torch.rand(1_000_000)\nprint(f'{a.sum().item():.9e}')"
STABLE = "print(2 + 2)"


def test_cell_changes_lists_only_the_cells_whose_text_differs_once_sanitised_as_nbval_does():
    old = python3_notebook(
        new_markdown("# t"),
        new_code("a", outputs=[stream("<AddBackward0 at 0x1f>\n")]),
        new_code("b", outputs=[stream("sum 1.000001\n")]),
    )
    new = nbformat.reads(nbformat.writes(old), as_version=4)
    new.cells[1].outputs = [stream("<AddBackward0 at 0x7ab0>\n")]
    new.cells[2].outputs = [stream("sum 1.000002\n")]
    changes = cell_changes("t.ipynb", old, new, "v")
    assert [(change.cell, change.variant) for change in changes] == [(2, "v")]
    assert "-sum 1.000001" in changes[0].diff and "+sum 1.000002" in changes[0].diff


def test_a_float32_sum_printed_to_nine_digits_is_found_and_a_stable_cell_is_not(tmp_path):
    notebook = python3_notebook(new_code(STABLE), new_code(FRAGILE))
    path = tmp_path / "01_fragile.ipynb"
    nbformat.write(execute(notebook, tmp_path, ONE_THREAD.env), path)

    assert check_one(path, ONE_THREAD) == [], "the same path must print the same digits"
    changes = check_one(path, TWO_THREADS)
    assert [change.cell for change in changes] == [1], "the sum of a million float32 numbers must change with the threads"
    assert changes[0].variant == TWO_THREADS.name and re.search(r"\n-[\d.]+e\+05\n\+[\d.]+e\+05$", changes[0].diff)


def test_a_cell_that_raises_is_reported_as_a_failed_run(tmp_path):
    path = tmp_path / "01_broken.ipynb"
    nbformat.write(python3_notebook(new_code("1 / 0")), path)
    changes = check_one(path, ONE_THREAD)
    assert any(change.cell == -1 and "ZeroDivisionError" in change.diff for change in changes)


AVX512_CPU = {"avx2", "avx512f"}
AVX2_CPU = {"avx2"}
NO_AVX_CPU: set[str] = set()
SWITCHES = ("ATEN_CPU_CAPABILITY", "MKL_ENABLE_INSTRUCTIONS", "NPY_DISABLE_CPU_FEATURES", "OMP_NUM_THREADS")


@pytest.mark.parametrize("flags", [AVX512_CPU, AVX2_CPU, NO_AVX_CPU], ids=["avx512", "avx2", "no-avx"])
def test_the_covering_matrix_meets_every_pair_of_levels_the_cpu_can_run_and_only_those(flags):
    runnable = switch_levels(flags)
    variants = covering_matrix(flags)
    for switch in SWITCHES:
        used = {variant.env[switch] for variant in variants}
        assert used == set(runnable[switch].values()), f"{switch} takes levels {used}, the CPU runs {runnable[switch]}"
    for a, b in combinations(SWITCHES, 2):
        met = {(variant.env[a], variant.env[b]) for variant in variants}
        wanted = set(product(runnable[a].values(), runnable[b].values()))
        assert met == wanted, f"{a} and {b} never meet as {wanted - met}"


def test_a_cpu_without_avx_needs_only_four_runs():
    # Without AVX every torch and MKL level falls back to the first, and numpy's avx2 level to its baseline:
    # the nine runs collapse to the two numpy levels by the two thread counts, each run once.
    assert sorted(variant.name for variant in covering_matrix(NO_AVX_CPU)) == [
        f"torch=default mkl=SSE4_2 numpy={numpy} threads={threads}" for numpy in ("baseline", "native") for threads in THREADS
    ]


def test_the_probe_sees_the_thread_count_change_a_sum_on_any_cpu():
    effects = {effect.switch: effect for effect in probe_switches()}
    assert effects["OMP_NUM_THREADS"].results > 1


def test_a_switch_that_changes_nothing_is_named_with_what_it_leaves_uncovered():
    effects = [
        SwitchEffect("ATEN_CPU_CAPABILITY", ("default", "avx2"), 2),
        SwitchEffect("MKL_ENABLE_INSTRUCTIONS", ("SSE4_2", "AVX2", "AVX512"), 1),
    ]
    report = describe_switches(effects, "AuthenticAMD")
    assert "ATEN_CPU_CAPABILITY: 2 levels (default, avx2) give 2 different results: covered" in report
    assert "MKL_ENABLE_INSTRUCTIONS has no effect on this CPU (AuthenticAMD): MKL's Intel paths are not covered" in report
    assert "an Intel CPU for MKL" in report
    assert "For full coverage" not in describe_switches(effects[:1], "GenuineIntel")
