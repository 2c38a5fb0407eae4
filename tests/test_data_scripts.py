"""Every dataset in data/ is exactly what its script makes, every script fails in words, and each recipe makes
what its docstring promises.

Each ``data/make_*.py`` has ``texts()`` (file name -> CSV text), ``to_csv`` and the command line of
``helpers.data.dataset_script_main``.
"""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest
import torch

from course.datasets import DATA, generator_scripts, load_generator
from helpers.data import load_features, load_xy, write_dataset

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
    assert (tmp_path / "a.csv").read_bytes() == b"x,y\n1,2\n"  # a missing folder: the test above, through each script


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


# ---------------------------------------------------------------- the recipes

SMALL = {"make_curve": {"n_train": 5, "n_val": 7}, "make_features": {"n": 10}, "make_moons": {"n_per_class": 10}}


def made_arrays(name: str, seed: int) -> list[np.ndarray]:
    """Every array a recipe returns for a small size and ``seed``, flattened out of its nested tuples."""
    made = getattr(load_generator(name), name)(**SMALL[name], seed=seed)
    return [array for part in made for array in (part if isinstance(part, tuple) else (part,))]


@pytest.mark.parametrize("name", SMALL)
def test_a_recipe_is_deterministic_per_seed_and_rounded(name):
    made = made_arrays(name, seed=3)
    assert all(np.array_equal(a, b) for a, b in zip(made, made_arrays(name, seed=3), strict=True))
    assert not all(np.array_equal(a, b) for a, b in zip(made, made_arrays(name, seed=4), strict=True))
    decimals = load_generator(name).DECIMALS
    assert all(np.array_equal(array, np.round(array, decimals)) for array in made)


@pytest.mark.parametrize(
    ("name", "columns", "target", "text"),
    [
        ("make_curve", [0.5, -0.25], [1.0, 0.1234], "x,y\n0.500,1.000\n-0.250,0.123\n"),
        (
            "make_features",
            [[1.0, -0.0, 2.5], [0.1234, 3.0, -1.0]],
            [0.5, -2.0],
            "x1,x2,x3,y\n1.000,0.000,2.500,0.500\n0.123,3.000,-1.000,-2.000\n",
        ),
        ("make_moons", [[1.0, -0.0], [0.1234, -2.5]], [1.0, 0.0], "x1,x2,y\n1.000,0.000,1\n0.123,-2.500,0\n"),
    ],
)
def test_to_csv_writes_the_header_and_rounded_values_without_negative_zero(name, columns, target, text):
    assert load_generator(name).to_csv(np.array(columns) + 0.0, np.array(target)) == text


@pytest.mark.parametrize(
    ("name", "columns", "target", "message"),
    [
        ("make_curve", (3,), (4,), "same length"),
        ("make_features", (3, 2), (4,), "shapes"),
        ("make_moons", (3, 3), (3,), "shapes"),
        ("make_moons", (3, 2), (4,), "shapes"),
    ],
)
def test_to_csv_rejects_mismatched_shapes(name, columns, target, message):
    with pytest.raises(ValueError, match=message):
        load_generator(name).to_csv(np.zeros(columns), np.zeros(target))


def test_the_curve_is_a_noisy_sine_on_sorted_uniform_x():
    make_curve = load_generator("make_curve")
    (x_train, _), _ = make_curve.make_curve(n_train=5, n_val=7, seed=3)
    rng = np.random.default_rng(3)
    assert np.array_equal(x_train, np.round(np.sort(rng.uniform(-1, 1, 5)), make_curve.DECIMALS)), "train is drawn first"
    for shipped in ("curve_train.csv", "curve_val.csv"):
        x, y = load_xy(shipped)
        residual = (y.double() - torch.sin(math.pi * x[:, 0].double())).numpy()
        assert abs(residual.mean()) < 3 * make_curve.NOISE_STD / math.sqrt(len(residual)) + 0.01
        assert 0.5 * make_curve.NOISE_STD < residual.std() < 1.6 * make_curve.NOISE_STD


def test_least_squares_recovers_the_stated_true_parameters_of_the_features():
    make_features = load_generator("make_features")
    features, target = load_features("features_3.csv")
    assert features.shape == (make_features.N_ROWS, len(make_features.TRUE_W))
    design = torch.cat([features, torch.ones(len(features), 1)], dim=1).double()
    solution = torch.linalg.lstsq(design, target.double().unsqueeze(1)).solution.squeeze(1)
    truth = torch.tensor([*make_features.TRUE_W, make_features.TRUE_B], dtype=torch.float64)
    # Noise of std 0.1 over 60 rows moves each estimate by about 0.1/sqrt(60) ≈ 0.013.
    assert torch.allclose(solution, truth, atol=0.05)
    assert not torch.allclose(solution, truth, atol=1e-4)


def test_the_moons_lie_near_their_circles_with_balanced_labels():
    make_moons = load_generator("make_moons")
    points, labels = make_moons.make_moons(n_per_class=10, seed=3)
    assert points.shape == (20, 2) and labels.tolist() == [1.0] * 10 + [0.0] * 10
    # Undo the shift: the upper moon lies near the unit circle, the lower near the circle around (1, 0.5).
    upper = points[:10] - np.array(make_moons.SHIFT)
    lower = points[10:] - np.array(make_moons.SHIFT)
    tolerance = 5 * make_moons.NOISE_STD * np.sqrt(2)
    assert np.all(np.abs(np.hypot(*upper.T) - 1.0) < tolerance)
    assert np.all(np.abs(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5) - 1.0) < tolerance)


def test_the_moons_validation_set_holds_no_training_point():
    training, _ = load_features("two_moons.csv")
    validation, _ = load_features("two_moons_val.csv")
    assert not (validation[:, None, :] == training[None, :, :]).all(dim=2).any()


def test_no_straight_line_separates_the_moons():
    """The least-squares line through the 0/1 labels, cut at 1/2, misclassifies some points: the classifier needs a curve."""
    points, labels = load_features("two_moons.csv")
    design = torch.cat([points, torch.ones(len(points), 1)], dim=1).double()
    theta = torch.linalg.lstsq(design, labels.double().unsqueeze(1)).solution.squeeze(1)
    wrong = ((design @ theta > 0.5).double() != labels.double()).sum().item()
    assert 0 < wrong < len(points) // 4
