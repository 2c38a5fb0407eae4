"""The editions made from the reference notebooks: the students' hand-out and the copy a teacher projects.

The **student edition** is what a student receives, as a folder (``make student`` writes ``student/``), a
zip of it, or the ``student`` branch that nbgitpuller links pull. Every channel holds the same files,
``EDITION_FILES``, and nothing else: the notebooks with solution code removed and outputs cleared,
``helpers/``, ``data/``, ``STUDENTS.md`` (how to use the notebooks), a ``requirements.txt`` and a
``pyproject.toml`` made for students (one command installs the helpers and the pinned packages), and
the classroom's JupyterLab settings with the ``postBuild`` that installs them on a hub or Binder.
Never the teacher's guide, the tests or the course tooling.

The **lecture copy** is what ``make lab`` opens (:func:`lecture_version`): no answer shows until its cell runs or
someone opens it.
"""

from __future__ import annotations

import copy
import fnmatch
import io
import zipfile
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

import nbformat

from course.cells import has_tag
from course.generated import CPU_INDEX

SOLUTION_NOTE = "# The reference solution is in the instructor's copy. Write yours in the exercise cell above."
FOLDER = "gradients-step-by-step"  # the folder the zip unpacks into, and the nbgitpuller clone
# The student edition: these files of the source, and only these (generated ones are rewritten).
EDITION_FILES = (
    "notebooks/[0-9][0-9]_*.ipynb",
    "helpers/*.py",
    "data/*",
    "STUDENTS.md",
    "requirements.txt",
    "pyproject.toml",
    "postBuild",
    "deploy/jupyterlab/overrides.json",
)
# What the notebooks import, from requirements.txt with its pins; the rest of it is for authors.
RUNTIME_PACKAGES = ("torch", "numpy", "matplotlib", "jupyterlab", "ipywidgets", "pillow", "ipython", "ipykernel")
STUDENT_PYPROJECT = """\
# Installs the notebooks' helpers (import helpers): in place (pip install -e .), they find data/ beside them;
# from the branch (pip install git+URL@branch, as on Colab), the CSV files go inside the package, as
# helpers/datasets, so no notebook needs a clone.
[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "gradients-step-by-step"
version = "0.1.0"
requires-python = ">=3.11"

[tool.setuptools]
packages = ["helpers", "helpers.datasets"]
package-dir = {"helpers.datasets" = "data"}
package-data = {"helpers.datasets" = ["*.csv"]}
"""
LECTURE = {"edition": "lecture"}  # notebook metadata["gradients"] of a lecture copy
SOLUTION_LABEL = "# Reference solution: open it after the class has tried.\n"
DISCUSSION_LABEL = "*About the answer: open this after running the cell above.*\n\n"


def is_solution(cell: nbformat.NotebookNode) -> bool:
    return cell.cell_type == "code" and has_tag(cell, "solution")


def _cleared(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    copied = copy.deepcopy(notebook)
    for cell in copied.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    copied.metadata.pop("widgets", None)
    return copied


def student_version(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return a copy of ``notebook`` without solution code, outputs or execution counts, with the text that
    discusses each Predict answer collapsed (open it after running the cell)."""
    copied = _cleared(notebook)
    for index, cell in enumerate(copied.cells):
        if explains(notebook, index):
            _collapse_discussion(cell)
        if is_solution(cell):
            cell.source = SOLUTION_NOTE
            # Nothing left to hide: show the note so the student knows where the answer went.
            cell.metadata.get("jupyter", {}).pop("source_hidden", None)
            if cell.metadata.get("jupyter") == {}:
                del cell.metadata["jupyter"]
    return copied


def lecture_version(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return the copy a teacher projects: no outputs; solutions and live-code cells collapsed.

    The text that discusses a Predict answer, right after the answer's cell, is collapsed too: open it after
    the reveal. A reference solution becomes a collapsed raw cell, so Run All passes it by and shows no
    answer: JupyterLab clears a code cell's ``outputs_hidden`` whenever the cell runs, so that metadata alone
    cannot keep a solution's output hidden. To show one, open it, make it a code cell (Y) and run it. A live-code cell stays
    a code cell and runs with the rest, so the teacher may type it in a cell above instead.
    """
    copied = _cleared(notebook)
    for index, cell in enumerate(copied.cells):
        if is_solution(cell):
            # A collapsed cell still shows its first line: a solution's gets a neutral one.
            raw = nbformat.v4.new_raw_cell(SOLUTION_LABEL + cell.source, metadata=copy.deepcopy(cell.metadata))
            raw.id = cell.id
            raw.metadata.setdefault("jupyter", {})["source_hidden"] = True
            copied.cells[index] = raw
        elif explains(notebook, index):
            _collapse_discussion(cell)
        elif cell.cell_type == "code" and has_tag(cell, "live-code"):
            cell.metadata.setdefault("jupyter", {})["source_hidden"] = True
    copied.metadata["gradients"] = dict(LECTURE)
    return copied


def explains(notebook: nbformat.NotebookNode, index: int) -> bool:
    """Whether cell ``index`` is the text right after a Predict answer, which discusses that answer (a new
    section's heading is not): projected before the answer runs, it would give the answer away."""
    cell = notebook.cells[index]
    before = notebook.cells[index - 1] if index else None
    return (
        cell.cell_type == "markdown"
        and before is not None
        and has_tag(before, "predict-answer")
        and not cell.source.lstrip().startswith("#")
    )


def _collapse_discussion(cell: nbformat.NotebookNode) -> None:
    # A collapsed cell still shows its first line: give it one that says nothing of the answer.
    cell.source = DISCUSSION_LABEL + cell.source
    cell.metadata.setdefault("jupyter", {})["source_hidden"] = True


def is_lecture_copy(notebook: nbformat.NotebookNode) -> bool:
    return notebook.metadata.get("gradients") == LECTURE


def student_requirements(requirements: str) -> str:
    """The students' requirements.txt: the runtime packages with the authors' pins, then the helpers."""
    pins = [line for line in requirements.splitlines() if line.split("==")[0].strip().lower() in RUNTIME_PACKAGES]
    missing = set(RUNTIME_PACKAGES) - {line.split("==")[0].strip().lower() for line in pins}
    if missing:
        raise ValueError(f"requirements.txt does not pin {', '.join(sorted(missing))}")
    return "\n".join(
        [
            "# Install everything with: python -m pip install -r requirements.txt",
            "# torch's CPU-only build (the CUDA build from PyPI is several GB and not needed here):",
            f"--extra-index-url {CPU_INDEX}",
            *pins,
            "# The notebooks' helpers, installed in place so that they find data/ beside them:",
            "-e .",
            "",
        ]
    )


def in_edition(path: str) -> bool:
    return any(fnmatch.fnmatchcase(path, pattern) for pattern in EDITION_FILES)


def student_edition(sources: Mapping[str, bytes]) -> dict[str, bytes]:
    """The student edition's files (path -> content), made from the source's files (path -> content)."""
    edition: dict[str, bytes] = {}
    for path, content in sources.items():
        if not in_edition(path) or path == "pyproject.toml":
            continue
        if path.endswith(".ipynb"):
            notebook = nbformat.reads(content.decode("utf-8"), as_version=4)
            content = (nbformat.writes(student_version(notebook)) + "\n").encode("utf-8")
        elif path == "requirements.txt":
            content = student_requirements(content.decode("utf-8")).encode("utf-8")
        edition[path] = content
    edition["pyproject.toml"] = STUDENT_PYPROJECT.encode("utf-8")
    return dict(sorted(edition.items()))


def working_tree_sources(root: Path) -> dict[str, bytes]:
    """The files of the working tree at ``root`` that the student edition is made from."""
    found = {}
    for pattern in EDITION_FILES:
        for path in sorted(root.glob(pattern)):
            if path.is_file() and "__pycache__" not in path.parts:
                found[path.relative_to(root).as_posix()] = path.read_bytes()
    return found


def write_edition(edition: Mapping[str, bytes], folder: Path) -> None:
    """Write the edition's files under ``folder`` (executable where the source was: postBuild)."""
    for path, content in edition.items():
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        if path == "postBuild":
            target.chmod(0o755)


def edition_zip(edition: Mapping[str, bytes]) -> bytes:
    """The edition as a zip that unpacks into one folder, ``FOLDER``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, content in edition.items():
            info = zipfile.ZipInfo(str(PurePosixPath(FOLDER) / path), date_time=(2026, 1, 1, 0, 0, 0))
            info.external_attr = (0o755 if path == "postBuild" else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return buffer.getvalue()
