"""The Colab edition: the student edition with an "Open in Colab" badge and an install cell in every notebook.

Colab opens a notebook straight from GitHub, without the rest of the repository, so ``import helpers`` and the
data would be missing there. The Colab edition is made from the student edition (``course.student``), never
kept as a copy: each notebook gets, at its top, a badge that opens it in Colab from the published branch, and
before its first code cell (when its code uses ``helpers``) a cell that installs the helpers and the data from
that branch with pip when ``import helpers`` fails, and does nothing where they are installed already (a clone
with ``make lab``, a hub, Binder, nbval). The student pyproject ships data/ inside the package (helpers/datasets),
so no notebook reads a path that only exists in a clone. The index gets the badge only: it has no code.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import nbformat

COLAB_BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"
REPO_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9_.-]+")
BADGE_TAG = "colab-badge"
INSTALL_TAG = "colab-install"
HELPERS_IMPORT = re.compile(r"^\s*(from|import) helpers\b", re.MULTILINE)
INSTALL_CELL = """\
# On Colab (or anywhere `helpers` is missing): install the series' helpers and data from
# the published branch. Where they are installed already, this cell does nothing.
try:
    import helpers
except ModuleNotFoundError:
    %pip install --quiet "{source}"
"""


def check_repo(repo: str) -> str:
    """``repo`` if it reads as GitHub's ``owner/name``; a ValueError saying what is expected otherwise."""
    if not REPO_PATTERN.fullmatch(repo):
        raise ValueError(f"REPO must be GitHub's owner/name, such as your-org/gradients-step-by-step; got {repo!r}")
    return repo


def colab_link(repo: str, branch: str, path: str) -> str:
    """The address that opens the notebook ``path`` of ``branch`` of the GitHub repository ``repo`` in Colab."""
    return f"https://colab.research.google.com/github/{check_repo(repo)}/blob/{branch}/{path}"


def pip_source(repo: str, branch: str) -> str:
    """What the install cell hands pip: the published branch, over https."""
    return f"git+https://github.com/{check_repo(repo)}@{branch}"


def colab_version(notebook: nbformat.NotebookNode, link: str, source: str) -> nbformat.NotebookNode:
    """``notebook`` with the badge (opening ``link``) first and, if it uses helpers, the install cell (``pip
    install source``) just before its first code cell."""
    copied = nbformat.from_dict(notebook)
    badge = nbformat.v4.new_markdown_cell(f"[![Open In Colab]({COLAB_BADGE_IMAGE})]({link})", metadata={"tags": [BADGE_TAG]})
    badge.id = BADGE_TAG
    cells = [badge, *copied.cells]
    if any(cell.cell_type == "code" and HELPERS_IMPORT.search(cell.source) for cell in copied.cells):
        install = nbformat.v4.new_code_cell(INSTALL_CELL.format(source=source).rstrip("\n"),
                                            metadata={"tags": [INSTALL_TAG]})
        install.id = INSTALL_TAG
        first_code = next(index for index, cell in enumerate(cells) if cell.cell_type == "code")
        cells.insert(first_code, install)
    copied.cells = cells
    return copied


def colab_edition(
    edition: Mapping[str, bytes], repo: str, branch: str, source: str | None = None
) -> dict[str, bytes]:
    """The Colab edition of the student edition ``edition`` (path -> content), published as ``branch`` of ``repo``.

    ``source`` is what the install cells hand pip (default: the branch on GitHub, :func:`pip_source`); tests
    point it at a local copy of the branch (``git+file://...``).
    """
    source = source or pip_source(repo, branch)
    made = dict(edition)
    for path, content in edition.items():
        if path.startswith("notebooks/") and path.endswith(".ipynb"):
            notebook = nbformat.reads(content.decode("utf-8"), as_version=4)
            changed = colab_version(notebook, colab_link(repo, branch, path), source)
            made[path] = (nbformat.writes(changed) + "\n").encode("utf-8")
    return made
