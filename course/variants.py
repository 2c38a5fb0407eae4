"""The arithmetic paths that other learners' CPUs take, reproduced on this one.

torch picks its own SIMD kernels (``ATEN_CPU_CAPABILITY``), its matrix products go through MKL,
which picks its own (``MKL_ENABLE_INSTRUCTIONS``), numpy dispatches by CPU feature
(``NPY_DISABLE_CPU_FEATURES`` turns features off) and the thread count changes how sums are split
(``OMP_NUM_THREADS``). Each variable only lowers what the CPU offers, so a level the CPU lacks is
left out.

Crossing every level (3 x 3 x 3 x 2 = 54 runs) is not needed to meet every pair of levels:
``covering_matrix`` uses the L9 orthogonal array, 9 runs in which every level of each of the three
3-level switches meets every level of each other switch exactly once, and the thread count
alternates so that every level of every switch meets both thread counts.
"""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

TORCH_LEVELS = ("default", "avx2", "avx512")
MKL_LEVELS = ("SSE4_2", "AVX2", "AVX512")
# numpy 2.4 dispatches on top of its x86-64-v2 baseline: v3 is AVX2, v4 and later are AVX-512.
NUMPY_LEVELS = {
    "baseline": "X86_V3,X86_V4,AVX512_ICL,AVX512_SPR",
    "avx2": "X86_V4,AVX512_ICL,AVX512_SPR",
    "native": "",
}
THREADS = ("1", "2")
# L9(3^4): rows are runs, columns the levels of torch, MKL, numpy and (folded to 2 levels) threads.
L9 = ((0, 0, 0, 0), (0, 1, 1, 1), (0, 2, 2, 2), (1, 0, 1, 2), (1, 1, 2, 0), (1, 2, 0, 1),
      (2, 0, 2, 1), (2, 1, 0, 2), (2, 2, 1, 0))


@dataclass(frozen=True)
class Variant:
    """One combination of switches: a short name and the environment that selects it."""

    name: str
    env: dict[str, str] = field(default_factory=dict)


def cpuinfo_field(name: str, cpuinfo: Path = Path("/proc/cpuinfo")) -> str:
    """One field of the first CPU in /proc/cpuinfo ("" where the file or the field does not exist)."""
    try:
        text = cpuinfo.read_text(encoding="utf-8")
    except OSError:
        return ""
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == name:
            return value.strip()
    return ""


def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> set[str]:
    """The feature flags of this machine's CPU (empty where /proc/cpuinfo does not exist)."""
    return set(cpuinfo_field("flags", cpuinfo).split())


def _supported(level: str, flags: set[str]) -> bool:
    """Whether this CPU can run a level (``default``/``SSE4_2``/``baseline`` run everywhere)."""
    wanted = level.lower()
    if "avx512" in wanted:
        return "avx512f" in flags
    if "avx2" in wanted:
        return "avx2" in flags
    return True


def make_variant(torch_level: str, mkl_level: str, numpy_level: str, threads: str) -> Variant:
    name = f"torch={torch_level} mkl={mkl_level} numpy={numpy_level} threads={threads}"
    env = {
        "ATEN_CPU_CAPABILITY": torch_level,
        "MKL_ENABLE_INSTRUCTIONS": mkl_level,
        "NPY_DISABLE_CPU_FEATURES": NUMPY_LEVELS[numpy_level],
        "OMP_NUM_THREADS": threads,
    }
    return Variant(name, env)


def covering_matrix(flags: set[str] | None = None) -> list[Variant]:
    """The L9 covering runs, with levels this CPU lacks replaced by the next one down.

    On a CPU without AVX-512 the replaced runs repeat others, so duplicates are dropped.
    """
    flags = cpu_flags() if flags is None else flags
    numpy_names = list(NUMPY_LEVELS)
    variants: list[Variant] = []
    for t, m, n, d in L9:
        levels = []
        for index, choices in zip((t, m, n), (TORCH_LEVELS, MKL_LEVELS, numpy_names), strict=True):
            while index > 0 and not _supported(choices[index], flags):
                index -= 1
            levels.append(choices[index])
        variant = make_variant(levels[0], levels[1], levels[2], THREADS[d % 2])
        if variant not in variants:
            variants.append(variant)
    return variants


# What each switch changes, if anything, on this CPU. Float32 computations that take each path:
# torch's exp and tanh (ATen's SIMD kernels, which round differently from its scalar ones on [-3, 3]),
# a 1e6-element sum (split into one chunk per thread), a 100x100 matrix product (MKL), numpy's tanh
# and exp (numpy's dispatch). The printed digest changes when any of them rounds differently.
PROBE = """
import hashlib, numpy, torch
torch.manual_seed(0)
a = torch.rand(1_000_000)
m = torch.rand(100, 100)
t = torch.linspace(-3, 3, 10_001)
x = t.numpy()
parts = [t.exp().numpy(), t.tanh().numpy(), a.sum().numpy(), (m @ m).numpy(), numpy.tanh(x), numpy.exp(x)]
print(hashlib.sha256(b"".join(part.tobytes() for part in parts)).hexdigest())
"""
# What a switch that changes nothing here leaves uncovered, and where it would be covered.
UNCOVERED = {
    "ATEN_CPU_CAPABILITY": "torch's other SIMD kernels are not covered here",
    "MKL_ENABLE_INSTRUCTIONS": "MKL's Intel paths are not covered here (MKL takes one path on other vendors' CPUs)",
    "NPY_DISABLE_CPU_FEATURES": "numpy's other dispatch paths are not covered here",
    "OMP_NUM_THREADS": "other thread counts' sums are not covered here (torch caps the threads at the CPU's own count)",
}


@dataclass(frozen=True)
class SwitchEffect:
    """What one switch's levels did to the probe on this CPU."""

    switch: str
    levels: tuple[str, ...]  # the names of the levels this CPU can run
    results: int  # how many different probe results they gave: more than one means it changes the arithmetic


def switch_levels(flags: set[str]) -> dict[str, dict[str, str]]:
    """Each switch's levels that this CPU can run: level name -> environment value."""
    return {
        "ATEN_CPU_CAPABILITY": {level: level for level in TORCH_LEVELS if _supported(level, flags)},
        "MKL_ENABLE_INSTRUCTIONS": {level: level for level in MKL_LEVELS if _supported(level, flags)},
        "NPY_DISABLE_CPU_FEATURES": {name: value for name, value in NUMPY_LEVELS.items() if _supported(name, flags)},
        "OMP_NUM_THREADS": {threads: threads for threads in THREADS},
    }


def _probe(switch: str, value: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], env={**os.environ, switch: value}, capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def probe_switches(flags: set[str] | None = None) -> list[SwitchEffect]:
    """Run the probe once per level of each switch (the others left as they are) and count results."""
    levels = switch_levels(cpu_flags() if flags is None else flags)
    jobs = [(switch, value) for switch, values in levels.items() for value in values.values()]
    with ThreadPoolExecutor(max_workers=2) as pool:
        digests = list(pool.map(_probe, *zip(*jobs, strict=True)))
    found: dict[str, set[str]] = {switch: set() for switch in levels}
    for (switch, _), digest in zip(jobs, digests, strict=True):
        found[switch].add(digest)
    return [SwitchEffect(switch, tuple(levels[switch]), len(found[switch])) for switch in levels]


def describe_switches(effects: list[SwitchEffect], vendor: str) -> str:
    """What the matrix can vary on this CPU, a line per switch, for the top of a matrix run."""
    vendor = vendor or "unknown vendor"
    lines = [f"What each switch changes on this CPU ({vendor}), probed at every level it can run:"]
    for effect in effects:
        levels = f"{len(effect.levels)} levels ({', '.join(effect.levels)})"
        if effect.results > 1:
            lines.append(f"  {effect.switch}: {levels} give {effect.results} different results: covered")
        else:
            lines.append(f"  {effect.switch} has no effect on this CPU ({vendor}): {UNCOVERED[effect.switch]}")
    if not all(effect.results > 1 for effect in effects):
        lines.append("  For full coverage, run `make portability` once on a CPU where they do (an Intel CPU for MKL).")
    return "\n".join(lines)


def report_switches() -> str:
    """Probe this machine's switches and describe them (about 15 s: eleven short Python runs)."""
    return describe_switches(probe_switches(), cpuinfo_field("vendor_id"))
