"""Every dataset in data/ is exactly what its script makes, and every script fails in words.

Each ``data/make_*.py`` has ``texts()`` (file name -> CSV text) and the command line of
``helpers.data.dataset_script_main``. The recipes themselves are tested per dataset
(tests/test_make_features.py, test_make_toy_data.py, test_make_curve.py).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from course.datasets import DATA, generator_scripts, load_generator
from helpers.data import write_dataset

SCRIPTS = generator_scripts()


@pytest.mark.parametrize("script", SCRIPTS, ids=[path.stem for path in SCRIPTS])
def test_running_the_script_reproduces_the_shipped_files_byte_for_byte(script, tmp_path):
    names = list(load_generator(script.stem).texts())
    result = subprocess.run(
        [sys.executable, str(script), "--out-dir", str(tmp_path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "wrote " + " and ".join(names)
    for name in names:
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), f"{name} differs from what {script.name} makes"


@pytest.mark.parametrize("script", SCRIPTS, ids=[path.stem for path in SCRIPTS])
def test_a_missing_folder_is_reported_in_one_line_without_a_traceback(script, tmp_path):
    missing = tmp_path / "missing"
    result = subprocess.run(
        [sys.executable, str(script), "--out-dir", str(missing)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 1
    assert result.stderr.strip() == f"cannot write into {missing}: the folder does not exist. Create it first."


def test_write_dataset_writes_unix_line_endings_and_returns_the_paths(tmp_path):
    paths = write_dataset({"a.csv": "x,y\n1,2\n", "b.csv": "x\n3\n"}, tmp_path)
    assert paths == [tmp_path / "a.csv", tmp_path / "b.csv"]
    assert (tmp_path / "a.csv").read_bytes() == b"x,y\n1,2\n"
    with pytest.raises(FileNotFoundError, match="Create it first"):
        write_dataset({"a.csv": ""}, tmp_path / "nope")


def test_every_dataset_in_data_has_a_script():
    made = {name for script in SCRIPTS for name in load_generator(script.stem).texts()}
    shipped = {path.name for path in DATA.glob("*.csv")} - {"linear_17.csv"}  # the 17 points are given, not made
    assert shipped == made


@pytest.mark.parametrize(
    ("name", "too_small", "message"),
    [
        ("make_features", {"n": 1}, "at least 2"),
        ("make_moons", {"n_per_class": 0}, "at least 1"),
        ("make_curve", {"n_train": 1}, "at least 2"),
    ],
)
def test_a_recipe_asked_for_too_few_points_says_so(name, too_small, message):
    with pytest.raises(ValueError, match=message):
        getattr(load_generator(name), name)(**too_small)
