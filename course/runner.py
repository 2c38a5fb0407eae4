"""Run what the checks run: a notebook top to bottom on a fresh kernel (this venv's or another's), a command such as
the project's pytest under extra environment variables, and find the interpreters of other Python versions."""

from __future__ import annotations

import copy
import glob
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from unittest.mock import patch

import nbformat
from nbclient import NotebookClient

from course.series import ROOT

CELL_TIMEOUT = 600  # seconds; the slowest cell of the series takes a few


def execute(notebook: nbformat.NotebookNode, directory: Path, env: Mapping[str, str] | None = None) -> nbformat.NotebookNode:
    """Return an executed copy of ``notebook``, run with ``directory`` as its working directory.

    Errors are recorded as outputs, not raised (check them with ``course.cells.unexpected_errors``).
    """
    executed = copy.deepcopy(notebook)
    client = NotebookClient(
        executed,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        allow_errors=True,
        record_timing=False,
        # nbclient 0.11 crashes on Output-capturing widgets unless it tracks widget state;
        # the state is dropped below because explorers need a live kernel anyway.
        store_widget_state=True,
        resources={"metadata": {"path": str(directory)}},
    )
    with patch.dict(os.environ, env or {}):  # for this run only: the kernel inherits it (JUPYTER_PATH finds its spec)
        # The kernel's own log lines (a TCP warning per start) would drown the report.
        client.execute(stderr=subprocess.DEVNULL)
    executed.metadata.pop("widgets", None)
    return executed


def execute_file(path: Path, env: Mapping[str, str] | None = None) -> nbformat.NotebookNode:
    """Read the notebook at ``path`` and return an executed copy (the file is not changed)."""
    return execute(nbformat.read(path, as_version=4), path.parent, env)


def interpreter(version: str) -> Path | None:
    """The newest ``python3.X`` that pyenv has, else the one on PATH, else None."""
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    found = sorted(glob.glob(str(pyenv_root / "versions" / f"{version}.*" / "bin" / f"python{version}")))
    if found:
        return Path(found[-1])
    on_path = shutil.which(f"python{version}")
    return Path(on_path) if on_path else None


def kernel_env(python: Path, folder: Path) -> dict[str, str]:
    """The environment under which :func:`execute` runs notebooks on ``python`` (a venv's), not on this one:
    a ``python3`` kernel spec for it, written under ``folder``."""
    spec = folder / "kernels" / "python3"
    spec.mkdir(parents=True)
    argv = [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "language": "python", "display_name": python.parent.parent.name}))
    return {"JUPYTER_PATH": str(folder)}


def run(command: list[str], env: Mapping[str, str] | None = None, tail: int = 60) -> tuple[bool, float, str]:
    """Run ``command`` in the project, with ``env`` added to this process's environment.

    Return (succeeded, seconds, detail): its last line if it succeeded, else its last ``tail`` lines and the end of stderr.
    """
    start = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, env={**os.environ, **(env or {})}, capture_output=True, text=True, check=False)
    lines = result.stdout.strip().splitlines() or ["(no output)"]
    detail = lines[-1] if result.returncode == 0 else "\n".join(lines[-tail:] + result.stderr.splitlines()[-5:])
    return result.returncode == 0, time.perf_counter() - start, detail


def run_pytest(
    args: list[str], env: Mapping[str, str] | None = None, python: str | Path = sys.executable, tail: int = 60
) -> tuple[bool, float, str]:
    """:func:`run` ``python -m pytest -q *args``: (passed, seconds, pytest's summary line or its tail)."""
    return run([str(python), "-m", "pytest", "-q", *args], env, tail)
