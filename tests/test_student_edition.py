"""The student edition (course.student): exactly the files STUDENTS.md lists, no answers, the students' page
instead of the teacher's guide, and a zip that installs in a fresh venv, offline, and runs every notebook.

The nbgitpuller branch holds the same files (tests/test_deploy.py compares it with this edition byte for
byte), so what is proved here for the zip holds for the branch.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path

from course.cells import code_cells, has_tag, output_texts, unexpected_errors
from course.runner import execute_file, kernel_env
from course.series import INDEX, ROOT, notebook_paths
from course.student import FOLDER, edition_zip

NEVER_IN_IT = ("TEACHING.md", "course/", "tests/", "scripts/", "benchmarks/", "Makefile", ".ci/", "environment.yml")
WHEELHOUSE = ROOT / ".venv" / "student-wheelhouse"  # the zip's packages, downloaded once, then installed offline

def test_the_edition_holds_exactly_what_students_md_lists(edition):
    section = (ROOT / "STUDENTS.md").read_text(encoding="utf-8").split("## What is in this folder", 1)[1]
    listed = re.findall(r"`([^`\s]+)`", section)  # the paths it names, in backticks
    assert listed, "STUDENTS.md lists the folder's contents"
    unlisted = [path for path in edition if not any(path == item or path.startswith(item) for item in listed)]
    assert unlisted == [], "files in the edition that STUDENTS.md does not list"
    absent = [item for item in listed if not any(path == item or path.startswith(item) for path in edition)]
    assert absent == [], "STUDENTS.md lists what the edition lacks"
    assert [path for path in edition if path.startswith(NEVER_IN_IT)] == []
    notebooks = sorted(path for path in edition if path.startswith("notebooks/"))
    assert notebooks == [f"notebooks/{path.name}" for path in notebook_paths()]


def test_its_index_links_the_students_page(edition):
    """That its notebooks hold no answers is tests/test_student_copy.py's (it reads them from this edition)."""
    index = edition[f"notebooks/{INDEX}"].decode()
    assert "TEACHING" not in index, "the students' index must not point at the teacher's guide"
    assert "../STUDENTS.md" in index


def test_the_zip_unpacks_into_one_folder_that_installs_offline_in_a_fresh_venv_and_runs_every_notebook(
    edition, tmp_path
):
    unpacked = tmp_path / "unpacked"
    zipfile.ZipFile(io.BytesIO(edition_zip(edition))).extractall(unpacked)
    assert [path.name for path in unpacked.iterdir()] == [FOLDER]
    folder = unpacked / FOLDER
    wheels = wheelhouse(folder / "requirements.txt")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    # The one command STUDENTS.md documents, offline: only the downloaded wheels, no index.
    install = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--no-index", "--find-links", str(wheels)]
    done = subprocess.run([*install, "-r", "requirements.txt"], cwd=folder, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "python -m pip install -r requirements.txt" in (folder / "STUDENTS.md").read_text(encoding="utf-8")
    # Every notebook top to bottom on a fresh kernel of that venv, as a student would run it.
    env, problems = kernel_env(venv / "bin" / "python", tmp_path / "jupyter"), []
    for path in notebook_paths(folder / "notebooks"):
        executed = execute_file(path, env)
        said = ["".join(output_texts(cell)) for cell in code_cells(executed) if has_tag(cell, "check")]
        problems += [f"{path.name}: {problem}" for problem in unexpected_errors(executed)]
        problems += [f"{path.name}: a check said {text[:80]!r}, not 'Not yet'" for text in said if not text.startswith("Not yet")]
    assert problems == []


def wheelhouse(requirements: Path) -> Path:
    """The wheels for the zip's requirements (and its build backend), downloaded once through pip's own
    configuration; the install above then needs no network."""
    pins = [line for line in requirements.read_text(encoding="utf-8").splitlines() if "==" in line]
    stamp = WHEELHOUSE / "pins.txt"
    wanted = "\n".join([*pins, "setuptools>=68"])
    if stamp.is_file() and stamp.read_text(encoding="utf-8") == wanted:
        return WHEELHOUSE
    WHEELHOUSE.mkdir(parents=True, exist_ok=True)
    download = [sys.executable, "-m", "pip", "download", "--quiet", "-d", str(WHEELHOUSE), *wanted.splitlines()]
    subprocess.run(download, check=True)
    stamp.write_text(wanted, encoding="utf-8")
    return WHEELHOUSE
