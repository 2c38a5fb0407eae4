"""Files written from another file of the project, so that each fact has one source.

- ``helpers/engine.py`` from the cells of notebook "Autograd from scratch" marked ``#@save``;
- ``environment.yml`` from ``requirements.txt``;
- the sizing block of ``deploy/z2jh/config.yaml``, and the sizing table of ``deploy/README.md``, from
  ``deploy/classroom-sizing.json``.

``python scripts/generate.py`` (``make generated``, and the first step of ``make outputs``) writes them;
the tests compare each committed file with what its function here makes of the committed sources.

Marking notebook code for the engine (the ``#@save`` habit of the d2l book):

- a cell whose first line is ``#@save`` is saved whole, except the marker and its top-level bare
  expressions, which only show a value in the notebook (``Value(3.0)`` after the class);
- ``def name(...):  #@save as Value.attr`` saves that one function and binds it as ``Value.attr``. It is
  for a reference solution: its exercise cell attaches the student's placeholder, and the solution cell
  must not rebind what the exercise binds (CONTRIBUTING.md, "Exercises").
"""

from __future__ import annotations

import argparse
import ast
import json
import re
from collections.abc import Callable
from pathlib import Path

import nbformat
from packaging.requirements import Requirement

from course.series import ROOT, notebook_titled

ENGINE = ROOT / "helpers" / "engine.py"
ENGINE_LESSON_TITLE = "Autograd from scratch"
SAVE_MARK = "#@save"
SAVE_AS = re.compile(r"\s*#@save as (?P<target>[A-Za-z_][\w.]*)\s*$")

REQUIREMENTS = ROOT / "requirements.txt"
ENVIRONMENT = ROOT / "environment.yml"
CPU_INDEX = "https://download.pytorch.org/whl/cpu"
# Packages whose Linux wheel on PyPI pulls several GB of CUDA libraries; PyTorch's CPU index has a +cpu build.
CPU_BUILDS = {"torch"}
# Installed in the hub image only, never by `make`: the server extension behind nbgitpuller links.
IMAGE_ONLY = (
    "# Image only: the server extension behind the students' nbgitpuller links (deploy/README.md).",
    "nbgitpuller==1.3.0",
)

SIZING = ROOT / "deploy" / "classroom-sizing.json"
Z2JH = ROOT / "deploy" / "z2jh" / "config.yaml"
SIZING_BEGIN = "  # Generated from deploy/classroom-sizing.json by `make generated`"
SIZING_END = "  # End of the generated sizing."
DEPLOY_README = ROOT / "deploy" / "README.md"
TABLE_BEGIN = "<!-- Generated from classroom-sizing.json by `make generated`"
TABLE_END = "<!-- End of the generated sizing. -->"


class MarkerError(ValueError):
    """A ``#@save`` marker that the engine generator cannot follow."""


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


# ---------------------------------------------------------------- helpers/engine.py


def saved_code(source: str) -> str:
    """The code of one cell that belongs in the engine module ("" when the cell has no marker)."""
    if SAVE_MARK not in source:
        return ""
    lines = source.splitlines()
    if lines[0].strip() == SAVE_MARK:
        body = lines[1:]
        shown = {
            index
            for node in ast.parse("\n".join(body)).body
            if isinstance(node, ast.Expr)
            for index in range(node.lineno - 1, node.end_lineno or node.lineno)
        }
        if any(SAVE_MARK in line for line in body):
            raise MarkerError(f"a cell saved whole by its first line needs no other {SAVE_MARK}:\n{source}")
        return "\n".join(line for index, line in enumerate(body) if index not in shown).strip("\n")
    pieces, marked_lines = [], set()
    for node in ast.parse(source).body:
        match = SAVE_AS.search(lines[node.lineno - 1])
        if match is None:
            continue
        if not isinstance(node, ast.FunctionDef):
            raise MarkerError(f"'{SAVE_MARK} as' marks a function definition, not: {lines[node.lineno - 1].strip()}")
        marked_lines.add(node.lineno - 1)
        definition = [SAVE_AS.sub("", lines[node.lineno - 1]), *lines[node.lineno : node.end_lineno]]
        pieces.append("\n".join(definition) + f"\n\n\n{match['target']} = {node.name}")
    stray = [line.strip() for index, line in enumerate(lines) if SAVE_MARK in line and index not in marked_lines]
    if stray:
        raise MarkerError(
            f"{SAVE_MARK} goes on a cell's first line (the whole cell) or after a def line as "
            f"'{SAVE_MARK} as Value.name'; cannot follow: {stray}"
        )
    return "\n\n\n".join(pieces)


def engine_module(notebook: nbformat.NotebookNode, notebook_name: str) -> str:
    """helpers/engine.py: a header, a docstring, the imports, then the saved code of every cell in order."""
    saved = [code for cell in notebook.cells if cell.cell_type == "code" and (code := saved_code(cell.source))]
    if not saved:
        raise MarkerError(f"{notebook_name} has no cell marked {SAVE_MARK}")
    header = f'''\
# Generated from the cells marked {SAVE_MARK} in {notebook_name} by `make generated`
# (python scripts/generate.py). Do not edit: change the notebook, then regenerate.
# The notebook attaches methods to the class one cell at a time (Value.__add__ = add), which a type
# checker cannot follow, so mypy skips this file; tests/test_engine.py checks it against torch instead.
# mypy: ignore-errors
"""The scalar autograd engine built in notebook "{ENGINE_LESSON_TITLE}", saved for reuse.

A later notebook can ``from helpers.engine import Value`` instead of copying the engine: the class with
``+``, ``*``, ``**`` by a number, ``exp``, ``-``, the topological sort and ``backward()``, plus ``tanh`` and
``/`` as the reference solutions of that notebook's exercises write them.
"""

import math
'''
    return header + "\n\n" + "\n\n\n".join(saved) + "\n"


def engine_text() -> str:
    path = notebook_titled(ENGINE_LESSON_TITLE)
    return engine_module(nbformat.read(path, as_version=4), relative(path))


# ---------------------------------------------------------------- environment.yml


def environment_yaml(requirements: str) -> str:
    """environment.yml for conda, repo2docker and Binder: the pins of ``requirements`` (its header comment
    left out, the comments between pins kept), the CPU-only torch on Linux, and IMAGE_ONLY."""
    lines = [line.strip() for line in requirements.splitlines() if line.strip()]
    first_pin = next(index for index, line in enumerate(lines) if not line.startswith("#"))
    entries: list[str] = []
    for line in lines[first_pin:]:
        requirement = None if line.startswith(("#", "-")) else Requirement(line)
        if requirement is None or requirement.name not in CPU_BUILDS:
            entries.append(line)
            continue
        specifiers = list(requirement.specifier)
        specifier = specifiers[0] if len(specifiers) == 1 else None
        if specifier is None or specifier.operator != "==" or requirement.marker is not None or "+" in specifier.version:
            raise ValueError(f"{line!r}: pin {requirement.name} as {requirement.name}==<version>, with no marker or +label")
        entries += [
            f'{requirement.name}=={specifier.version}+cpu; sys_platform == "linux"',
            f'{requirement.name}=={specifier.version}; sys_platform != "linux"',
        ]
    pip = [f"--extra-index-url={CPU_INDEX}", *entries, *IMAGE_ONLY]
    return (
        """\
# Generated from requirements.txt by `make generated` (python scripts/generate.py). Do not edit: change
# requirements.txt (or IMAGE_ONLY in course/generated.py), then regenerate.
# Generated rather than listing `- -r requirements.txt` under pip: conda finds that file next to this one,
# but mamba and micromamba, which repo2docker may run, hand pip a copy of the list in a temporary folder,
# where a relative -r path is not found (mamba-org/mamba#1894). Generating also lets the image pin torch's
# +cpu build on Linux from PyTorch's CPU index (PyPI's Linux wheel pulls several GB of CUDA libraries a
# classroom server never uses) while requirements.txt keeps the plain pin that laptops install.
name: gradients-step-by-step
channels:
  - conda-forge
dependencies:
  - python=3.11
  - pip
  - pip:
"""
        + "".join(f"      {entry}\n" if entry.startswith("#") else f"      - {entry}\n" for entry in pip)
    )


def environment_text() -> str:
    return environment_yaml(REQUIREMENTS.read_text(encoding="utf-8"))


# ---------------------------------------------------------------- deploy/z2jh/config.yaml and deploy/README.md


def sizing_block(sizing: dict) -> list[str]:
    """The singleuser lines that carry the classroom sizing (KubeSpawner's M is MiB)."""
    guarantee, limit = int(sizing["memory_guarantee_mb"]), int(sizing["memory_limit_mb"])
    threads = int(sizing["kernel_threads"])
    if limit < guarantee or threads < 1:
        raise ValueError(f"{relative(SIZING)}: the memory limit is below the guarantee, or fewer than 1 kernel thread")
    return [
        f"{SIZING_BEGIN}: edit that file (benchmarks/classroom.py writes it), not these lines.",
        "  memory:",
        f"    guarantee: {guarantee}M  # memory_guarantee_mb: one server and one kernel at their measured peaks",
        f"    limit: {limit}M  # memory_limit_mb: room for a second notebook's kernel",
        "  cpu:",
        "    # No CPU limit on purpose: between drags a student's kernel is idle, so a burst may use what others leave.",
        f"    guarantee: {float(sizing['cpu_guarantee'])}  # cpu_guarantee: one core's share at students_per_core",
        "  extraEnv:",
        "    # torch sizes its thread pool from the node's cores, not from the pod's CPU share.",
        f'    OMP_NUM_THREADS: "{threads}"  # kernel_threads',
        SIZING_END,
    ]


def between_markers(text: str, begin: str, end: str, block: list[str], path: Path) -> str:
    """``text`` (of the file at ``path``) with the lines from the one starting with ``begin`` to the one equal to
    ``end`` replaced by ``block``."""
    lines = text.splitlines()
    begins = [index for index, line in enumerate(lines) if line.startswith(begin)]
    ends = [index for index, line in enumerate(lines) if line == end]
    if len(begins) != 1 or len(ends) != 1 or ends[0] < begins[0]:
        raise ValueError(f"{relative(path)} needs one line starting {begin.strip()!r}, then one {end.strip()!r}")
    return "\n".join([*lines[: begins[0]], *block, *lines[ends[0] + 1 :]]) + "\n"


def read_sizing() -> dict:
    """deploy/classroom-sizing.json, as written by benchmarks/classroom.py --write-sizing."""
    return json.loads(SIZING.read_text(encoding="utf-8"))


def z2jh_text() -> str:
    return between_markers(Z2JH.read_text(encoding="utf-8"), SIZING_BEGIN, SIZING_END, sizing_block(read_sizing()), Z2JH)


def sizing_table(sizing: dict) -> list[str]:
    """The sizing paragraph and table of deploy/README.md: the recommendation, and every class measured for it."""
    measured = sizing["measured"]
    threads = int(sizing["kernel_threads"])
    targets = ", ".join(f"≤ {ms:g} ms {pattern}" for pattern, ms in measured["target_p95_ms"].items())
    return [
        f"{TABLE_BEGIN}: edit that file (benchmarks/classroom.py writes it), not these lines. -->",
        f"One core carries about {sizing['students_per_core']} students; give each student "
        f"{sizing['memory_guarantee_mb']} MB (limit {sizing['memory_limit_mb']} MB), {threads} torch thread per kernel "
        f"(`OMP_NUM_THREADS={threads}`). Measured on {measured['date']} with `{sizing['command']}` on "
        f"{measured['cores']} cores ({measured['cpu']}):",
        "",
        "| students | pattern | key press to new figure (every student), median / 95th percentile | errors, lost kernels |",
        "| --- | --- | --- | --- |",
        *(f"| {run['students']} | {run['pattern']} | {run['key_to_figure_p50_p95_ms'][0]} ms / "
          f"{run['key_to_figure_p50_p95_ms'][1]} ms | {len(run['errors'])}, {run['lost_kernels']} |"
          for run in measured["runs"]),
        "",
        "The largest measured class that met every target in every pattern: "
        f"{measured['largest_class_meeting_targets']} students on {measured['cores']} cores (95th percentile {targets}; "
        "no errors, no lost kernels). A kernel peaks at "
        f"{measured['peak_kernel_rss_mb']} MB and its server at {measured['peak_server_rss_mb']} MB.",
        TABLE_END,
    ]


def deploy_readme_text() -> str:
    return between_markers(
        DEPLOY_README.read_text(encoding="utf-8"), TABLE_BEGIN, TABLE_END, sizing_table(read_sizing()), DEPLOY_README
    )


# ---------------------------------------------------------------- all of them

GENERATORS: dict[Path, Callable[[], str]] = {
    ENGINE: engine_text,
    ENVIRONMENT: environment_text,
    Z2JH: z2jh_text,
    DEPLOY_README: deploy_readme_text,
}


def update(write: bool) -> list[str]:
    """The generated files that differ from what their sources give, each rewritten when ``write``."""
    stale = []
    for path, text in GENERATORS.items():
        fresh = text()
        if path.read_text(encoding="utf-8") != fresh:
            stale.append(relative(path))
            if write:
                path.write_text(fresh, encoding="utf-8")
    return stale


def check_or_write(update: Callable[[bool], list[str]], what: str, command: str, description: str) -> int:
    """The command line of scripts/generate.py and scripts/navigation.py: ``update(write)`` returns the stale files;
    with ``--check`` they are only reported (exit 1, naming ``command``), otherwise rewritten."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--check", action="store_true", help=f"only report stale {what} (exit 1)")
    check = parser.parse_args().check
    try:
        stale = update(not check)
    except ValueError as error:  # a notebook without a title, a #@save marker the generator cannot follow
        print(error)
        return 1
    if check and stale:
        print(f"stale {what}: {', '.join(stale)}\nrun: {command}")
        return 1
    print(f"{what} up to date" if not stale else "updated: " + ", ".join(stale))
    return 0
