"""The repo2docker/Binder image's files: environment.yml pins what requirements.txt pins, with the CPU-only torch
on Linux; postBuild installs the shipped JupyterLab settings; nothing hides the root files from repo2docker."""

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

from course.series import ROOT

PLATFORMS = ("linux", "darwin", "win32")
CPU_INDEX = "https://download.pytorch.org/whl/cpu"
# Installed in the hub image only, never by `make`: the server extension that serves nbgitpuller links.
IMAGE_ONLY = {"nbgitpuller"}
# Packages that only serve an NVIDIA GPU (triton is PyPI torch's GPU compiler on Linux).
CUDA_PACKAGE = re.compile(r"^(nvidia-|cuda|pytorch-cuda|cudatoolkit|triton\b)", re.IGNORECASE)
EDITABLE_PROJECT = "-e ."


def pip_entries(environment: dict) -> list[str]:
    """The ``- pip:`` list of a parsed environment.yml (empty when it has none)."""
    lists = [item["pip"] for item in environment.get("dependencies", []) if isinstance(item, dict) and "pip" in item]
    return [str(entry).strip() for entry in lists[0]] if lists else []


def requirement_lines(text: str) -> list[str]:
    """The lines of a requirements file without comments and blank lines."""
    lines = [line.split(" #", 1)[0].strip() for line in text.splitlines() if not line.lstrip().startswith("#")]
    return [line for line in lines if line]


def pins(entries: list[str], platform: str) -> dict[str, Version]:
    """``name -> pinned version`` of the entries that apply on ``platform`` (sys.platform); pip options and the
    editable project are skipped. An entry that is not an exact ``==`` pin is an error."""
    pinned: dict[str, Version] = {}
    for entry in entries:
        if entry.startswith("-"):
            continue
        requirement = Requirement(entry)
        if requirement.marker is not None and not requirement.marker.evaluate({"sys_platform": platform}):
            continue
        specifiers = list(requirement.specifier)
        if len(specifiers) != 1 or specifiers[0].operator != "==":
            raise ValueError(f"{entry!r} is not pinned with == to one version; pin it like numpy==2.4.6")
        name = canonicalize_name(requirement.name)
        if name in pinned:
            raise ValueError(f"{name} is pinned twice for {platform}; give the two entries exclusive markers")
        pinned[name] = Version(specifiers[0].version)
    return pinned


def disagreements(pip: dict[str, Version], conda: dict[str, Version], platform: str) -> list[str]:
    """Every way the two pin sets differ on ``platform``; a local label such as ``+cpu`` is not a difference."""
    problems = []
    for name in sorted(pip.keys() | conda.keys()):
        if name not in conda:
            problems.append(f"{name} is in requirements.txt but not in environment.yml's pip list ({platform})")
        elif name not in pip:
            if name not in IMAGE_ONLY:
                problems.append(f"{name} is in environment.yml but not in requirements.txt ({platform})")
        elif pip[name].public != conda[name].public:
            problems.append(f"{name}: requirements.txt says {pip[name]}, environment.yml says {conda[name]} ({platform})")
    return problems


@pytest.fixture(scope="module")
def environment() -> dict:
    return yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def requirements() -> list[str]:
    return requirement_lines((ROOT / "requirements.txt").read_text(encoding="utf-8"))


@pytest.mark.parametrize("platform", PLATFORMS)
def test_requirements_and_environment_agree(environment, requirements, platform):
    problems = disagreements(pins(requirements, platform), pins(pip_entries(environment), platform), platform)
    assert not problems, "\n".join(problems)
    assert EDITABLE_PROJECT in requirements and EDITABLE_PROJECT in pip_entries(environment), "both must install -e ."


def test_every_requirement_is_pinned_exactly(requirements):
    assert "torch" in pins(requirements, "linux")


def test_linux_gets_torch_from_the_cpu_index(environment):
    entries = pip_entries(environment)
    assert f"--extra-index-url={CPU_INDEX}" in entries, f"environment.yml's pip list needs --extra-index-url={CPU_INDEX}"
    torch = pins(entries, "linux")["torch"]
    assert torch.local == "cpu", f"on Linux pin the CPU build (torch=={torch.public}+cpu), not {torch}"
    assert pins(entries, "darwin")["torch"].local is None, "macOS has no +cpu build: its default torch is CPU-only"


def test_no_cuda_packages(environment):
    conda_names = [str(item) for item in environment["dependencies"] if isinstance(item, str)]
    names = conda_names + [Requirement(e).name for e in pip_entries(environment) if not e.startswith("-")]
    assert not [name for name in names if CUDA_PACKAGE.match(name)], names


def test_the_image_runs_python_the_project_supports(environment):
    python = next(item for item in environment["dependencies"] if isinstance(item, str) and item.startswith("python"))
    assert Version(python.split("=")[-1]) >= Version("3.11"), f"{python}: pyproject.toml requires Python 3.11 or newer"


def test_the_deploy_guides_name_the_pinned_versions(environment):
    pinned = pins(pip_entries(environment), "linux")
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


SAMPLE = yaml.safe_load(
    """\
dependencies:
  - python=3.11
  - pip
  - pip:
      - --extra-index-url=https://download.pytorch.org/whl/cpu
      - Torch==2.13.0+cpu; sys_platform == "linux"
      - torch==2.13.0; sys_platform != "linux"
      - ipykernel==7.4.0
      - nbgitpuller==1.3.0
      - -e .
  - nodejs
"""
)


def test_the_readers_apply_markers_and_normalise_names():
    assert pip_entries(SAMPLE)[0] == f"--extra-index-url={CPU_INDEX}"
    linux = pins(pip_entries(SAMPLE), "linux")
    assert linux == {"torch": Version("2.13.0+cpu"), "ipykernel": Version("7.4.0"), "nbgitpuller": Version("1.3.0")}
    assert pins(pip_entries(SAMPLE), "darwin")["torch"] == Version("2.13.0")
    assert pins(requirement_lines("# c\nTORCH == 2.13.0  # note\njupyter_server.mathjax==0.2.6\n-e .\n"), "linux") == {
        "torch": Version("2.13.0"),
        "jupyter-server-mathjax": Version("0.2.6"),
    }


@pytest.mark.parametrize(
    ("pip_text", "problem"),
    [
        ("torch==2.12.0\nipykernel==7.4.0", "torch: requirements.txt says 2.12.0, environment.yml says 2.13.0+cpu"),
        ("torch==2.13.0", "ipykernel is in environment.yml but not in requirements.txt"),
        ("torch==2.13.0\nipykernel==7.4.0\nnumpy==2.4.6", "numpy is in requirements.txt but not in"),
    ],
)
def test_a_disagreement_is_reported(pip_text, problem):
    problems = disagreements(pins(requirement_lines(pip_text), "linux"), pins(pip_entries(SAMPLE), "linux"), "linux")
    assert len(problems) == 1 and problems[0].startswith(problem), problems


@pytest.mark.parametrize(
    ("entries", "message"),
    [(["numpy>=2"], "not pinned with =="), (["torch==2.13.0", "torch==2.13.0+cpu"], "pinned twice")],
)
def test_a_loose_or_doubled_pin_is_an_error(entries, message):
    with pytest.raises(ValueError, match=message):
        pins(entries, "linux")
