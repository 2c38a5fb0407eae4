"""environment.yml (conda/Binder) and requirements.txt (pip) must pin the same packages at the same versions."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def normalise(name: str) -> str:
    """PEP 503 name normalisation: case and runs of -, _ and . do not matter."""
    return re.sub(r"[-_.]+", "-", name).lower()


def parse_requirement(line: str) -> tuple[str, str]:
    """``'Torch==2.13.0'`` -> ``('torch', '==2.13.0')``; ``'-e .'`` stays as it is."""
    line = line.split("#", 1)[0].strip()
    if line.startswith("-e"):
        return line, ""
    match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)", line)
    if not match:
        raise ValueError(f"cannot read the requirement {line!r}")
    return normalise(match.group(1)), match.group(3).replace(" ", "")


def requirements_txt(text: str) -> dict[str, str]:
    lines = [line.split("#", 1)[0].strip() for line in text.splitlines()]
    return dict(parse_requirement(line) for line in lines if line)


def environment_pip(text: str) -> dict[str, str]:
    """The entries of the ``- pip:`` list in an environment.yml (a tiny reader, enough for this file)."""
    entries, in_pip, pip_indent = [], False, 0
    for raw in text.splitlines():
        line = raw.split(" #", 1)[0].rstrip()
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        indent = len(line) - len(line.lstrip())
        if line.strip() == "- pip:":
            in_pip, pip_indent = True, indent
        elif in_pip and indent > pip_indent and line.strip().startswith("- "):
            entries.append(line.strip()[2:].strip())
        elif in_pip:
            in_pip = False
    return dict(parse_requirement(entry) for entry in entries)


def disagreements(pip: dict[str, str], conda: dict[str, str]) -> list[str]:
    problems = []
    for name in sorted(pip.keys() | conda.keys()):
        if name not in conda:
            problems.append(f"{name} is in requirements.txt but not in environment.yml's pip list")
        elif name not in pip:
            problems.append(f"{name} is in environment.yml but not in requirements.txt")
        elif pip[name] != conda[name]:
            problems.append(f"{name}: requirements.txt says {pip[name]!r}, environment.yml says {conda[name]!r}")
    return problems


def test_requirements_and_environment_agree():
    pip = requirements_txt((ROOT / "requirements.txt").read_text(encoding="utf-8"))
    conda = environment_pip((ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert "torch" in pip and "-e ." in pip
    assert not disagreements(pip, conda), "\n".join(disagreements(pip, conda))


def test_every_requirement_is_pinned_exactly():
    pip = requirements_txt((ROOT / "requirements.txt").read_text(encoding="utf-8"))
    loose = [name for name, spec in pip.items() if name != "-e ." and not spec.startswith("==")]
    assert not loose, f"pin these with ==: {loose}"


ENVIRONMENT = """\
name: demo
dependencies:
  - python=3.11
  - pip
  - pip:
      - Torch==2.13.0   # CPU wheel
      - ipykernel==7.4.0
      - -e .
  - nodejs
"""


def test_the_readers_normalise_names_and_stop_at_the_end_of_the_pip_list():
    assert environment_pip(ENVIRONMENT) == {"torch": "==2.13.0", "ipykernel": "==7.4.0", "-e .": ""}
    assert requirements_txt("# c\nTORCH == 2.13.0\njupyter_server.mathjax==0.2.6\n-e .\n") == {
        "torch": "==2.13.0",
        "jupyter-server-mathjax": "==0.2.6",
        "-e .": "",
    }


@pytest.mark.parametrize(
    ("pip_text", "problem"),
    [
        ("torch==2.12.0\nipykernel==7.4.0\n-e .", "torch: requirements.txt says '==2.12.0'"),
        ("torch==2.13.0\n-e .", "ipykernel is in environment.yml but not in requirements.txt"),
        ("torch==2.13.0\nipykernel==7.4.0\nnumpy==2.4.6\n-e .", "numpy is in requirements.txt but not in"),
        ("torch==2.13.0\nipykernel==7.4.0", "-e . is in environment.yml but not in requirements.txt"),
    ],
)
def test_a_disagreement_is_reported(pip_text, problem):
    problems = disagreements(requirements_txt(pip_text), environment_pip(ENVIRONMENT))
    assert len(problems) == 1 and problems[0].startswith(problem)


def test_an_unreadable_requirement_is_an_error():
    with pytest.raises(ValueError, match="cannot read"):
        parse_requirement("==1.0")
