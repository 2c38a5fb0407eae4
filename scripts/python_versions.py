"""Build a venv per Python version from requirements.txt and run strict nbval in each.

    python scripts/python_versions.py                  # 3.11, 3.12 and 3.13, each in a fresh .venv-3.X/, deleted after

The venv (its interpreter found by ``course.runner.interpreter``) gets exactly the pins of requirements.txt, as a
learner installs them; then strict nbval runs with that interpreter. Prints the README's version x result table and
exits 1 if any version failed. For 3.12 and 3.13 pip downloads PyPI's Linux torch wheel, which pulls the CUDA
libraries (about 3 GB per venv; the CPU arithmetic is the same).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time

from course.runner import interpreter, run, run_pytest
from course.series import NOTEBOOKS, ROOT

VERSIONS = ("3.11", "3.12", "3.13")


def check_version(version: str) -> dict[str, str]:
    python = interpreter(version)
    if python is None:
        return {"version": version, "python": "not found", "install": "-", "nbval": "not run"}
    venv = ROOT / f".venv-{version}"
    venv_python = venv / "bin" / "python"
    shutil.rmtree(venv, ignore_errors=True)
    pip = [str(venv_python), "-m", "pip", "install", "--quiet"]
    steps = [[str(python), "-m", "venv", str(venv)], [*pip, "--upgrade", "pip"], [*pip, "-r", "requirements.txt"]]
    install_seconds = 0.0
    for step in steps:
        ok, seconds, tail = run(step, tail=30)
        install_seconds += seconds
        if not ok:
            print(tail)
            return {"version": version, "python": str(python), "install": "FAILED", "nbval": "not run"}
    found, _, exact = run([str(venv_python), "-c", "import sys, torch; print(sys.version.split()[0], torch.__version__)"])
    env = {"PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    passed, seconds, tail = run_pytest([str(NOTEBOOKS)], env, python=venv_python, tail=30)
    summary = tail.splitlines()[-1]
    if not passed:
        print(tail)
    shutil.rmtree(venv)
    return {
        "version": version,
        "python": exact if found else str(python),
        "install": f"{install_seconds:.0f} s",
        "nbval": f"{'PASS' if passed else 'FAIL'} ({summary}) {seconds:.0f} s",
    }


def main() -> int:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    start = time.perf_counter()
    rows = []
    for version in VERSIONS:
        rows.append(check_version(version))
        print(f"{version}: {rows[-1]['nbval']}", flush=True)
    print("\n| Python (torch) | venv install | strict nbval over notebooks/ |\n| --- | --- | --- |")
    for row in rows:
        print(f"| {row['python']} | {row['install']} | {row['nbval']} |")
    print(f"\n{len(rows)} version(s) in {time.perf_counter() - start:.0f} s")
    return 0 if all(row["nbval"].startswith("PASS") for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
