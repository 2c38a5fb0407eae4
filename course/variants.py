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
      (2, 0, 2, 1), (2, 1, 0, 2), (2, 2, 1, 0))  # fmt: skip


@dataclass(frozen=True)
class Variant:
    """One combination of switches: a short name and the environment that selects it."""

    name: str
    env: dict[str, str] = field(default_factory=dict)


def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> set[str]:
    """The feature flags of this machine's CPU (empty where /proc/cpuinfo does not exist)."""
    try:
        text = cpuinfo.read_text(encoding="utf-8")
    except OSError:
        return set()
    for line in text.splitlines():
        if line.startswith("flags"):
            return set(line.partition(":")[2].split())
    return set()


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
        levels = [TORCH_LEVELS[t], MKL_LEVELS[m], numpy_names[n]]
        for position, choices in enumerate((TORCH_LEVELS, MKL_LEVELS, numpy_names)):
            index = choices.index(levels[position])
            while index > 0 and not _supported(choices[index], flags):
                index -= 1
            levels[position] = choices[index]
        variant = make_variant(levels[0], levels[1], levels[2], THREADS[d % 2])
        if variant not in variants:
            variants.append(variant)
    return variants
