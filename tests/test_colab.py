"""The Colab edition (course/colab.py): a badge on every notebook, an install cell that runs pip only where the helpers
are missing, and a student pyproject whose wheel carries the data inside the package.

The whole path (the edition committed as a branch, installed with pip from git+file://, every notebook run top to
bottom in a fresh venv of Colab's packages, offline) is ``make colab-profile``'s, in CI's Colab step.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from IPython.core.interactiveshell import InteractiveShell

from course.colab import BADGE_TAG, INSTALL_TAG, colab_edition, colab_link, pip_source
from course.series import notebook_titled
from course.student import write_edition

REPO, BRANCH = "your-org/gradients-step-by-step", "student"


@pytest.fixture(scope="module")
def colab(edition: dict[str, bytes]) -> dict[str, bytes]:
    return colab_edition(edition, REPO, BRANCH)


def notebooks(files: dict[str, bytes]) -> dict[str, nbformat.NotebookNode]:
    return {
        path: nbformat.reads(content.decode("utf-8"), as_version=4)
        for path, content in files.items()
        if path.startswith("notebooks/") and path.endswith(".ipynb")
    }


def test_each_notebook_gets_a_badge_to_itself_and_where_helpers_are_used_an_install_cell_and_nothing_else_changes(
    edition: dict[str, bytes], colab: dict[str, bytes]
) -> None:
    before, after = notebooks(edition), notebooks(colab)
    assert colab.keys() == edition.keys() and {path for path in edition if colab[path] != edition[path]} == set(after)
    for path, notebook in after.items():
        badge, *cells = notebook.cells
        assert BADGE_TAG in badge.metadata.get("tags", []), path
        assert f"](https://colab.research.google.com/github/{REPO}/blob/{BRANCH}/{path})" in badge.source, badge.source
        install = [cell for cell in cells if INSTALL_TAG in cell.metadata.get("tags", [])]
        uses = any("import helpers" in c.source or "from helpers" in c.source for c in before[path].cells)
        assert len(install) == uses, path
        if uses:
            assert install[0] is next(cell for cell in cells if cell.cell_type == "code"), f"{path}: install first"
            assert f'%pip install --quiet "{pip_source(REPO, BRANCH)}"' in install[0].source
        assert [cell.source for cell in cells if cell not in install] == [cell.source for cell in before[path].cells]


@pytest.mark.parametrize("repo", ["your-org", "https://github.com/your-org/repo", "a/b c", ""])
def test_a_repo_that_is_not_owner_slash_name_is_refused_in_words(repo: str) -> None:
    with pytest.raises(ValueError, match="REPO must be GitHub's owner/name"):
        colab_link(repo, BRANCH, "notebooks/00_index.ipynb")


@pytest.mark.parametrize(("missing", "calls"), [(False, []), (True, [f'install --quiet "{pip_source(REPO, BRANCH)}"'])])
def test_the_install_cell_runs_pip_only_where_helpers_are_missing(colab, monkeypatch, missing, calls) -> None:
    """The descent notebook's install cell, run with the %pip magic recording its lines instead of installing."""
    if missing:
        monkeypatch.setitem(sys.modules, "helpers", None)  # `import helpers` now fails as in a fresh Colab runtime
    notebook = notebooks(colab)[f"notebooks/{notebook_titled('Fitting a line by gradient descent').name}"]
    (cell,) = [cell for cell in notebook.cells if INSTALL_TAG in cell.metadata.get("tags", [])]
    shell, recorded = InteractiveShell.instance(), []
    monkeypatch.setitem(shell.magics_manager.magics["line"], "pip", recorded.append)
    result = shell.run_cell(cell.source, store_history=False)
    assert result.success, result.error_in_exec
    assert recorded == calls


def test_the_wheel_built_from_the_branch_carries_every_dataset_inside_the_package(
    edition: dict[str, bytes], tmp_path: Path
) -> None:
    write_edition(edition, tmp_path / "branch")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", str(tmp_path), "."],
        cwd=tmp_path / "branch", capture_output=True, text=True, check=False,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    datasets = {Path(path).name for path in edition if path.startswith("data/") and path.endswith(".csv")}
    assert datasets and {f"helpers/datasets/{name}" for name in datasets} <= names
    assert "helpers/data.py" in names
