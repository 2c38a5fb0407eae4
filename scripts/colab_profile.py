"""Check the series against Google Colab's packages (tests/profiles/colab.txt): the kernel side of a Colab runtime.

    python scripts/colab_profile.py          # CI's Python and torch 2.13.0 (make colab-profile, CI's last step)
    python scripts/colab_profile.py --full   # Colab's Python 3.13 and torch 2.11.0 from PyPI (make colab-full)

1. **nbval**: strict nbval over notebooks/ in a venv of the profile's pins (.venv-colab/, rebuilt when the profile
   changes), the helpers taken from this checkout.
2. **install from the branch**: the Colab edition of the working tree, committed as the branch ``student`` of a
   temporary repository; its notebooks alone run top to bottom in a fresh venv over the profile's packages, without
   helpers, offline: the first install cell pip-installs them from ``git+file://...@student``, and the installed
   helpers must read the data from inside the package.
3. **the ipywidgets 7 front end**: tests/browser/ipywidgets7/ in Chromium, against the venv.

README's Colab section says more. --full needs Python 3.13 (pyenv) and takes torch 2.11.0 from PyPI: the CUDA build
(about 3 GB), whose CPU kernels are those of Colab's 2.11.0+cpu; PyTorch's own CPU index is not reachable here.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

from course.cells import unexpected_errors
from course.colab import colab_edition
from course.runner import execute_file, interpreter, kernel_env, run_pytest
from course.series import NOTEBOOK_GLOB, NOTEBOOKS, ROOT
from course.student import student_edition, working_tree_sources, write_edition

PROFILE = ROOT / "tests" / "profiles" / "colab.txt"
SANITIZERS = ROOT / "tests" / "nbval_sanitize.cfg"
# What torch 2.11 words differently (make colab-full only).
TORCH_2_11_SANITIZERS = ROOT / "tests" / "profiles" / "colab-torch-2.11.cfg"
SAMPLE_REPO = "your-org/gradients-step-by-step"
BRANCH = "student"
COLAB_PYTHON, COLAB_TORCH = "3.13", "2.11.0"
# Offline: no package index, and the build backend taken from the venv (Colab's image has setuptools).
OFFLINE_PIP = {"PIP_NO_INDEX": "1", "PIP_NO_BUILD_ISOLATION": "0", "PIP_FIND_LINKS": ""}


def build_venv(venv: Path, python: Path, torch: str | None) -> float:
    """Create ``venv`` from the profile's pins unless it is up to date (a stamp newer than the profile); seconds spent."""
    stamp = venv / ".installed"
    if stamp.exists() and stamp.stat().st_mtime >= PROFILE.stat().st_mtime:
        return 0.0
    start = time.perf_counter()
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([str(python), "-m", "venv", str(venv)], check=True)
    pins = PROFILE.read_text(encoding="utf-8")
    if torch:
        pins = "\n".join(f"torch=={torch}" if line.startswith("torch==") else line for line in pins.splitlines())
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as pinned:
        pinned.write(pins + "\n")
    try:
        subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "-r", pinned.name], check=True)
    finally:
        os.unlink(pinned.name)
    stamp.touch()
    return time.perf_counter() - start


def run_nbval(venv: Path, extra_sanitizers: Path | None = None) -> tuple[bool, str]:
    """Strict nbval over notebooks/ with the venv's interpreter, sanitised as in make test plus ``extra_sanitizers``;
    (passed, pytest's last line or its tail)."""
    env = {"PYTHONPATH": str(ROOT), "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    sanitize: list[str] = []
    if extra_sanitizers:
        combined = Path(tempfile.mkdtemp()) / "sanitize.cfg"
        combined.write_text(SANITIZERS.read_text(encoding="utf-8") + "\n" + extra_sanitizers.read_text(encoding="utf-8"))
        sanitize = ["--nbval-sanitize-with", str(combined)]
    passed, _, detail = run_pytest([*sanitize, str(NOTEBOOKS)], env, python=venv / "bin" / "python")
    return passed, detail


def site_packages(python: Path) -> str:
    found = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                           capture_output=True, text=True, check=True)
    return found.stdout.strip()


def fresh_venv(base: Path, folder: Path) -> Path:
    """A venv in ``folder`` that sees ``base``'s packages (a .pth that adds its site-packages) and nothing else; its
    python. pip installs into it, so ``base`` stays without helpers."""
    python = base / "bin" / "python"
    subprocess.run([str(python), "-m", "venv", "--without-pip", str(folder)], check=True)
    fresh = folder / "bin" / "python"
    Path(site_packages(fresh), "colab-profile.pth").write_text(f"import site; site.addsitedir({site_packages(python)!r})\n")
    return fresh


def published_branch(folder: Path) -> str:
    """The Colab edition of the working tree, committed as ``BRANCH`` of a git repository in ``folder``; the pip URL of
    that branch. Its install cells point at that URL (on GitHub they point at SAMPLE_REPO's branch)."""
    repo = folder / "published"
    source = f"git+file://{repo}@{BRANCH}"
    write_edition(colab_edition(student_edition(working_tree_sources(ROOT)), SAMPLE_REPO, BRANCH, source), repo)
    env = {**os.environ, "GIT_AUTHOR_NAME": "colab check", "GIT_AUTHOR_EMAIL": "colab@localhost",
           "GIT_COMMITTER_NAME": "colab check", "GIT_COMMITTER_EMAIL": "colab@localhost"}
    commands = (["init", "--quiet", "--initial-branch", BRANCH], ["add", "--all"], ["commit", "--quiet", "-m", "Colab edition"])
    for command in commands:
        subprocess.run(["git", *command], cwd=repo, env=env, check=True)
    return source


def run_from_branch(base: Path) -> tuple[bool, str]:
    """Run the Colab edition's notebooks, alone in a folder, in a fresh venv over ``base``; (passed, report)."""
    with tempfile.TemporaryDirectory(prefix="colab-edition-") as scratch:
        folder = Path(scratch)
        published_branch(folder)
        python = fresh_venv(base, folder / "venv")
        alone = folder / "notebooks"
        alone.mkdir()
        for path in sorted((folder / "published" / "notebooks").glob(NOTEBOOK_GLOB)):
            shutil.copy(path, alone)
        env = {**OFFLINE_PIP, **kernel_env(python, folder / "jupyter"), "PYTHONPATH": ""}
        problems = []
        for path in sorted(alone.glob(NOTEBOOK_GLOB)):
            problems += [f"{path.name}: {problem}" for problem in unexpected_errors(execute_file(path, env))]
        where = "import helpers.data as d; print(d.__file__); print(d.DATA_DIR); print(len(list(d.DATA_DIR.glob('*.csv'))))"
        installed = subprocess.run(
            [str(python), "-c", where],
            cwd=folder, capture_output=True, text=True, check=False, env={**os.environ, "PYTHONPATH": ""},
        )
        module, data, csv_files = (installed.stdout.split("\n") + ["", "", ""])[:3]
        if not module.startswith(str(folder / "venv")):
            problems.append(f"helpers was not installed into the fresh venv: {installed.stdout or installed.stderr}")
        elif not data.startswith(str(folder / "venv")) or csv_files in ("", "0"):
            problems.append(f"the installed helpers read the data from {data} ({csv_files} CSV files), not from the package")
        count = len(list(alone.glob(NOTEBOOK_GLOB)))
        report = f"{count} notebooks ran top to bottom; helpers and {csv_files} data files installed from the branch"
        return not problems, report if not problems else "\n".join(problems)


def run_front_end(venv: Path) -> tuple[bool, str]:
    """The ipywidgets 7 browser test (tests/browser/ipywidgets7/) against ``venv``; (passed, pytest's last line or tail)."""
    env = {"COLAB_VENV": str(venv), "REQUIRE_COLAB": "1"}
    passed, _, detail = run_pytest([str(ROOT / "tests" / "browser" / "ipywidgets7")], env)
    return passed, detail


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help=f"Python {COLAB_PYTHON} and torch {COLAB_TORCH}, as on Colab")
    parser.add_argument("--build-only", action="store_true", help="build the venv if needed, run nothing (for make bench)")
    args = parser.parse_args()
    python = interpreter(COLAB_PYTHON) if args.full else Path(sys.executable).resolve()
    if python is None:
        parser.exit(1, f"colab_profile: python{COLAB_PYTHON} not found (pyenv install {COLAB_PYTHON})\n")
    venv = ROOT / (f".venv-colab-{COLAB_PYTHON}" if args.full else ".venv-colab")
    start = time.perf_counter()
    built = build_venv(venv, python, COLAB_TORCH if args.full else None)
    print(f"venv {venv.name}: {'built in ' + format(built, '.0f') + ' s' if built else 'up to date'}", flush=True)
    if args.build_only:
        return 0
    failed = 0
    nbval = partial(run_nbval, extra_sanitizers=TORCH_2_11_SANITIZERS if args.full else None)
    steps = (("nbval", nbval), ("install from the branch", run_from_branch), ("ipywidgets 7 in a browser", run_front_end))
    for name, step in steps:
        began = time.perf_counter()
        passed, detail = step(venv)
        print(f"{'PASS' if passed else 'FAIL'} {time.perf_counter() - began:5.0f} s  {name}: {detail}", flush=True)
        failed += not passed
    print(f"colab profile in {time.perf_counter() - start:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
