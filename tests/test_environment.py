"""The repo2docker/Binder image's files: environment.yml, which course/generated.py writes from requirements.txt
(tests/test_notebooks.py checks it is up to date), has exact pins and the CPU-only torch on Linux; postBuild
installs the shipped JupyterLab settings; nothing hides the root files from repo2docker."""

from __future__ import annotations

import json
import os
import re
import subprocess

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from course import generated
from course.series import ROOT

# Packages that only serve an NVIDIA GPU (triton is PyPI torch's GPU compiler on Linux).
CUDA_PACKAGE = re.compile(r"^(nvidia-|cuda|pytorch-cuda|cudatoolkit|triton\b)", re.IGNORECASE)


def pip_entries(environment_text: str) -> list[str]:
    """The ``- pip:`` list of an environment.yml."""
    dependencies = yaml.safe_load(environment_text)["dependencies"]
    return next(item["pip"] for item in dependencies if isinstance(item, dict))


def linux_pins(entries: list[str]) -> dict[str, Version]:
    """``name -> version`` of the ``==`` pins that apply on Linux (pip options and ``-e .`` skipped)."""
    requirements = [Requirement(entry) for entry in entries if not entry.startswith("-")]
    return {
        canonicalize_name(r.name): Version(next(iter(r.specifier)).version)
        for r in requirements
        if r.marker is None or r.marker.evaluate({"sys_platform": "linux"})
    }


def test_every_requirement_is_pinned_exactly_and_none_serves_only_a_gpu():
    entries = pip_entries(generated.environment_text())
    requirements = [Requirement(entry) for entry in entries if not entry.startswith("-")]
    loose = [str(r) for r in requirements if [s.operator for s in r.specifier] != ["=="]]
    assert not loose, f"pin these with == to one version, like numpy==2.4.6: {loose}"
    assert not [r.name for r in requirements if CUDA_PACKAGE.match(r.name)]


def test_linux_gets_torch_from_the_cpu_index_and_other_systems_the_default_wheel():
    entries = pip_entries(generated.environment_yaml("# header\ntorch==2.13.0\n# a note\nnumpy==2.4.6\n-e .\n"))
    assert entries == [
        f"--extra-index-url={generated.CPU_INDEX}",
        'torch==2.13.0+cpu; sys_platform == "linux"',
        'torch==2.13.0; sys_platform != "linux"',
        "numpy==2.4.6",
        "-e .",
        *[line for line in generated.IMAGE_ONLY if not line.startswith("#")],
    ]
    with pytest.raises(ValueError, match="pin torch as torch==<version>"):
        generated.environment_yaml("torch>=2.13\n")


def test_the_deploy_guides_name_the_pinned_versions():
    pinned = linux_pins(pip_entries(generated.ENVIRONMENT.read_text(encoding="utf-8")))
    for guide in sorted((ROOT / "deploy").glob("*.md")):
        for name, version in re.findall(r"([A-Za-z][\w.-]*)==([0-9][\w.+]*)", guide.read_text(encoding="utf-8")):
            found = pinned.get(canonicalize_name(name))
            assert found is not None and found.public == Version(version).public, (
                f"{guide.name} installs {name}=={version}, but environment.yml pins {found}"
            )


def test_repo2docker_reads_the_root_files():
    hiding = [name for name in ("binder", ".binder") if (ROOT / name).is_dir()]
    assert not hiding, f"repo2docker would read only {hiding[0]}/ and ignore environment.yml and postBuild at the root"


def test_post_build_installs_the_shipped_lab_settings(tmp_path):
    result = subprocess.run(
        ["bash", str(ROOT / "postBuild")],
        cwd=ROOT,
        env={**os.environ, "NB_PYTHON_PREFIX": str(tmp_path)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    installed = tmp_path / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    shipped = json.loads((ROOT / "deploy" / "jupyterlab" / "overrides.json").read_text(encoding="utf-8"))
    assert json.loads(installed.read_text(encoding="utf-8")) == shipped
