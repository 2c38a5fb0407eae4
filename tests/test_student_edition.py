"""The student edition (course.student): exactly the files STUDENTS.md lists, no answers, the students' page
instead of the teacher's guide, and a zip that installs in a fresh venv, offline, and runs every notebook.

The nbgitpuller branch holds the same files (tests/test_deploy.py compares it with this edition byte for
byte), so what is proved here for the zip holds for the branch.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

from course.series import INDEX, ROOT, notebook_paths
from course.student import FOLDER, edition_zip

NEVER_IN_IT = ("TEACHING.md", "course/", "tests/", "scripts/", "benchmarks/", "Makefile", ".ci/", "environment.yml")
WHEELHOUSE = ROOT / ".venv" / "student-wheelhouse"  # the zip's packages, downloaded once, then installed offline

# Run inside the fresh venv: every notebook top to bottom on a fresh kernel, as a student would. Prints,
# as JSON, each cell that raised without the raises-exception tag and each check that did not say "Not yet".
RUN_EVERY_NOTEBOOK = """
import json, sys
from pathlib import Path
import nbformat
from nbclient import NotebookClient
problems = []
for path in sorted(Path(sys.argv[1]).glob("[0-9][0-9]_*.ipynb")):
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=600, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        tags = cell.metadata.get("tags", [])
        text = "".join(output.get("text", "") for output in cell.outputs)
        errors = [output["ename"] for output in cell.outputs if output.output_type == "error"]
        if errors and "raises-exception" not in tags:
            problems.append(f"{path.name} cell {index} raised {errors[0]}")
        if "check" in tags and not text.startswith("Not yet"):
            problems.append(f"{path.name} cell {index}: the check said {text[:80]!r}, not 'Not yet'")
print(json.dumps(problems))
"""


def listed_paths() -> list[str]:
    """The paths that STUDENTS.md's "What is in this folder" names, in backticks."""
    text = (ROOT / "STUDENTS.md").read_text(encoding="utf-8")
    section = text.split("## What is in this folder", 1)[1]
    return re.findall(r"`([^`\s]+)`", section)


def test_the_edition_holds_exactly_what_students_md_lists(edition):
    listed = listed_paths()
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
    python = str(venv / "bin" / "python")
    # The one command STUDENTS.md documents, offline: only the downloaded wheels, no index.
    install = [python, "-m", "pip", "install", "--quiet", "--no-index", "--find-links", str(wheels)]
    done = subprocess.run([*install, "-r", "requirements.txt"], cwd=folder, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "python -m pip install -r requirements.txt" in (folder / "STUDENTS.md").read_text(encoding="utf-8")
    ran = subprocess.run(
        [python, "-c", RUN_EVERY_NOTEBOOK, str(folder / "notebooks")], capture_output=True, text=True, check=False
    )
    assert ran.returncode == 0, ran.stderr[-3000:]
    assert json.loads(ran.stdout.strip().splitlines()[-1]) == []


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
