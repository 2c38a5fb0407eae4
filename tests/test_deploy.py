"""Deployment for a class: the branch of students' copies that nbgitpuller links pull (course.publish), and the
Zero to JupyterHub values (deploy/z2jh/config.yaml), whose sizing is generated from the classroom benchmark's."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from course import generated, publish
from course.series import ROOT
from course.student import student_edition, working_tree_sources

LAB_SETTINGS = ROOT / "deploy" / "jupyterlab" / "overrides.json"


def run_git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True).stdout


@pytest.fixture
def clone(tmp_path, monkeypatch) -> Path:
    """A throw-away clone of this repository's HEAD to publish in (the real repository is never written)."""
    if not (ROOT / ".git").exists():
        pytest.skip("publishing builds a git branch: these tests need a git checkout of the project, not an export")
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Publisher Test")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "publisher@example.invalid")
    target = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", "--shared", str(ROOT), str(target)], check=True)
    return target


def test_the_branch_is_the_student_edition_byte_for_byte(clone):
    """The same files as the zip that make student writes (tests/test_student_edition.py proves that it holds nothing
    of the instructor's, test_student_copy.py that its notebooks are the student versions)."""
    publish.publish(clone)
    files = run_git(clone, "ls-tree", "-r", "--name-only", publish.STUDENT_BRANCH).splitlines()
    edition = student_edition(working_tree_sources(clone))
    assert sorted(files) == sorted(edition)
    different = [path for path in files if publish.git(clone, "show", f"{publish.STUDENT_BRANCH}:{path}") != edition[path]]
    assert different == []
    assert run_git(clone, "ls-tree", publish.STUDENT_BRANCH, "postBuild").startswith("100755"), "postBuild runs"


def test_publishing_again_adds_nothing_and_a_new_commit_is_a_child(clone):
    first = publish.publish(clone)
    assert first.new and publish.publish(clone) == publish.Publication(first.commit, first.source_commit, False, first.files)
    (clone / "data" / "README.md").write_text("A changed data note.\n", encoding="utf-8")
    run_git(clone, "commit", "--quiet", "-am", "change the data note")
    head, status = run_git(clone, "rev-parse", "HEAD"), run_git(clone, "status", "--porcelain")
    second = publish.publish(clone)
    assert second.new and run_git(clone, "rev-parse", f"{second.commit}^").strip() == first.commit, "not a fast-forward"
    assert run_git(clone, "show", f"{publish.STUDENT_BRANCH}:data/README.md") == "A changed data note.\n"
    assert (run_git(clone, "rev-parse", "HEAD"), run_git(clone, "status", "--porcelain")) == (head, status), "work touched"


def test_publish_refuses_a_checked_out_branch(clone):
    run_git(clone, "switch", "--quiet", "-c", publish.STUDENT_BRANCH)
    with pytest.raises(publish.PublishError, match="checked out in a working tree"):
        publish.publish(clone)


def test_the_link_clones_the_branch_into_the_folder_the_hub_opens():
    link = publish.nbgitpuller_link("https://hub.example.edu/", "https://github.com/you/gradients-step-by-step")
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "hub.example.edu", "/hub/user-redirect/git-pull")
    assert {key: values[0] for key, values in parse_qs(parts.query).items()} == {
        "repo": "https://github.com/you/gradients-step-by-step",
        "branch": publish.STUDENT_BRANCH,
        "targetpath": publish.CLONE_FOLDER,
        "urlpath": f"lab/tree/{publish.CLONE_FOLDER}/notebooks/00_index.ipynb",
    }
    with pytest.raises(ValueError, match="must start with https://"):
        publish.nbgitpuller_link("hub.example.edu", "https://github.com/you/x")


@pytest.fixture(scope="module")
def z2jh() -> dict:
    return yaml.safe_load(generated.Z2JH.read_text(encoding="utf-8"))


def test_the_generated_z2jh_sizing_lies_under_singleuser(z2jh):
    """That it is what deploy/classroom-sizing.json gives is tests/test_notebooks.py's (generated files up to date)."""
    assert {"memory", "cpu", "extraEnv"} <= set(z2jh["singleuser"]), "the generated lines belong under singleuser"
    with pytest.raises(ValueError, match="limit is below the guarantee"):
        generated.sizing_block({"memory_guarantee_mb": 512, "memory_limit_mb": 256, "cpu_guarantee": 0.2, "kernel_threads": 1})


def test_z2jh_opens_the_index_of_the_students_clone(z2jh):
    singleuser = z2jh["singleuser"]
    assert singleuser["defaultUrl"] == publish.lab_path()
    pull = singleuser["lifecycleHooks"]["postStart"]["exec"]["command"][-1]
    assert f" {publish.STUDENT_BRANCH} /home/jovyan/{publish.CLONE_FOLDER} " in pull, pull


def test_z2jh_culls_idle_servers(z2jh):
    cull = z2jh["cull"]
    assert cull["enabled"] is True and isinstance(cull["timeout"], int) and cull["timeout"] > 0


def test_z2jh_mounts_the_shipped_lab_settings(z2jh):
    (mounted,) = z2jh["singleuser"]["extraFiles"].values()
    assert mounted["mountPath"].endswith("/share/jupyter/lab/settings/overrides.json")
    assert mounted["data"] == json.loads(LAB_SETTINGS.read_text(encoding="utf-8")), f"copy {LAB_SETTINGS.name} here again"
