"""Publish the students' copies to a git branch that nbgitpuller links can pull, without touching the working tree.

The branch holds the student edition (``course.student.student_edition``) of HEAD: the same files as the zip that
``make student`` writes, which include the files repo2docker reads, so the branch also builds on Binder. It is built
with git plumbing (a temporary index, ``commit-tree``, ``update-ref``), so uncommitted work and the checked-out branch
are never touched, and each publication is a child of the previous one: nbgitpuller fast-forwards students' clones
and keeps their edits.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from course.colab import colab_edition
from course.series import INDEX
from course.student import EDITION_FILES, FOLDER, in_edition, student_edition

STUDENT_BRANCH = "student"
# The folder nbgitpuller clones into, under the student's home, as the zip's. The hub's defaultUrl
# (deploy/z2jh/config.yaml) and the printed link both point inside it, so they must agree (tests/test_deploy.py).
CLONE_FOLDER = FOLDER
INDEX_IN_CLONE = f"notebooks/{INDEX}"
# The top-level paths of a commit that the edition's files come from.
SOURCE_PATHS = sorted({pattern.split("/")[0] for pattern in EDITION_FILES})


class PublishError(RuntimeError):
    """A git step of the publication failed; the message names the command and what git said."""


@dataclass(frozen=True)
class Publication:
    """What ``publish`` did: the branch commit, the source commit it was made from, and whether it is new."""

    commit: str
    source_commit: str
    new: bool
    files: int


def git(repo: Path, *args: str, stdin: bytes | None = None, env: Mapping[str, str] | None = None) -> bytes:
    """Run ``git args`` in ``repo`` and return its stdout; raise PublishError with git's message on failure."""
    completed = subprocess.run(
        ["git", *args], cwd=repo, input=stdin, capture_output=True, check=False, env={**os.environ, **(env or {})}
    )
    if completed.returncode != 0:
        message = completed.stderr.decode(errors="replace").strip()
        raise PublishError(f"`git {' '.join(args)}` failed in {repo}: {message}")
    return completed.stdout


def commit_sources(repo: Path, commit: str) -> dict[str, tuple[str, bytes]]:
    """``path -> (mode, content)`` for every file of ``commit`` that the student edition is made from."""
    listing = git(repo, "ls-tree", "-r", "-z", "--full-tree", commit, "--", *SOURCE_PATHS)
    sources = {}
    for record in listing.decode().split("\0"):
        if not record:
            continue
        header, path = record.split("\t", 1)
        mode, kind, blob = header.split()
        if not in_edition(path):
            continue
        if kind != "blob":
            raise PublishError(f"{path} in {commit[:12]} is a {kind}, not a file; publish cannot copy it")
        sources[path] = (mode, git(repo, "cat-file", "blob", blob))
    return sources


def student_tree(repo: Path, commit: str, colab: tuple[str, str] | None = None) -> tuple[str, int]:
    """Write the student edition of ``commit`` into the object store as a tree; return its id and file count.

    With ``colab = (owner/name, branch)`` it is the Colab edition (``course.colab``) published as that branch.
    """
    sources = commit_sources(repo, commit)
    edition = student_edition({path: content for path, (_, content) in sources.items()})
    if colab is not None:
        edition = colab_edition(edition, *colab)
    if INDEX_IN_CLONE not in edition:
        raise PublishError(f"{commit[:12]} has no {INDEX_IN_CLONE}: nothing for the students' link to open")
    lines = []
    for path, content in edition.items():
        blob = git(repo, "hash-object", "-w", "--stdin", stdin=content).decode().strip()
        mode = sources[path][0] if path in sources else "100644"
        lines.append(f"{mode} {blob}\t{path}")
    with tempfile.TemporaryDirectory() as scratch:
        # A private index: the repository's own index (the author's staged work) is never read or written.
        index = {"GIT_INDEX_FILE": str(Path(scratch) / "index")}
        git(repo, "update-index", "--add", "--index-info", stdin=("\n".join(lines) + "\n").encode(), env=index)
        tree = git(repo, "write-tree", env=index).decode().strip()
    return tree, len(lines)


def publish(repo: Path, branch: str = STUDENT_BRANCH, colab_repo: str | None = None) -> Publication:
    """Make ``branch`` hold the students' tree of HEAD, as a child of its previous tip.

    With ``colab_repo`` (GitHub's owner/name, where ``branch`` will be pushed), the tree is the Colab edition
    (``course.colab``). An unchanged tree makes no commit. A checked-out ``branch`` is refused: moving it would leave
    that working tree out of step with its branch.
    """
    worktrees = git(repo, "worktree", "list", "--porcelain").decode().splitlines()
    if f"branch refs/heads/{branch}" in worktrees:
        raise PublishError(f"{branch} is checked out in a working tree; switch that tree to another branch, then publish again")
    source_commit = git(repo, "rev-parse", "--verify", "HEAD^{commit}").decode().strip()
    tree, files = student_tree(repo, source_commit, (colab_repo, branch) if colab_repo else None)
    parent = git(repo, "branch", "--list", branch, "--format=%(objectname)").decode().strip() or None  # None: a new branch
    if parent is not None and git(repo, "rev-parse", f"{parent}^{{tree}}").decode().strip() == tree:
        return Publication(parent, source_commit, new=False, files=files)
    message = f"Students' copies of {source_commit[:12]}\n\nscripts/publish_student.py: solution code removed, outputs cleared."
    parent_args = ["-p", parent] if parent else []
    commit = git(repo, "commit-tree", tree, *parent_args, "-m", message).decode().strip()
    # The expected old value (zeros: no branch yet) makes the update fail, instead of losing commits, if the branch moved.
    git(repo, "update-ref", f"refs/heads/{branch}", commit, parent or "0" * 40)
    return Publication(commit, source_commit, new=True, files=files)


def lab_path() -> str:
    """The JupyterLab path of the index inside a student's clone (the hub's defaultUrl)."""
    return f"/lab/tree/{CLONE_FOLDER}/{INDEX_IN_CLONE}"


def nbgitpuller_link(hub_url: str, repo_url: str, branch: str = STUDENT_BRANCH) -> str:
    """The link that makes a student's server clone (or update) ``branch`` of ``repo_url`` and open the index."""
    if not hub_url.startswith(("https://", "http://")):
        raise ValueError(f"the hub URL must start with https:// (got {hub_url!r}), e.g. https://hub.example.edu")
    query = urlencode(
        {"repo": repo_url, "branch": branch, "targetpath": CLONE_FOLDER, "urlpath": lab_path().lstrip("/")}
    )
    return f"{hub_url.rstrip('/')}/hub/user-redirect/git-pull?{query}"
