"""Every dataset in data/ is exactly what its script makes (so the recipe's determinism and the CSV format are
checked byte for byte), every script fails in words, and each recipe makes what its docstring promises.

Each ``data/make_*.py`` has ``texts()`` (file name -> CSV text), ``to_csv`` and the command line of
``helpers.data.dataset_script_main``.
"""

from __future__ import annotations

import math
import runpy
import subprocess
import sys
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from course.series import ROOT
from helpers.data import load_features, load_xy

DATA = ROOT / "data"
SCRIPTS = sorted(DATA.glob("make_*.py"))


def load_generator(name: str) -> SimpleNamespace:
    """The top-level names of ``data/<name>.py`` (run as a module, not as a script: nothing is written)."""
    return SimpleNamespace(**runpy.run_path(str(DATA / f"{name}.py"), run_name=name))


def run_script(script, out_dir):
    return subprocess.run([sys.executable, str(script), "--out-dir", str(out_dir)], capture_output=True, text=True, check=False)


@pytest.mark.parametrize("script", SCRIPTS, ids=[path.stem for path in SCRIPTS])
def test_the_script_reproduces_the_shipped_files_byte_for_byte_and_reports_a_missing_folder_in_one_line(script, tmp_path):
    names = list(load_generator(script.stem).texts())
    result = run_script(script, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "wrote " + " and ".join(names)
    for name in names:
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), f"{name} differs from what {script.name} makes"
    missing = run_script(script, tmp_path / "missing")
    assert missing.returncode == 1
    assert missing.stderr.strip() == f"cannot write into {tmp_path / 'missing'}: the folder does not exist. Create it first."


def test_every_dataset_in_data_has_a_script():
    made = {name for script in SCRIPTS for name in load_generator(script.stem).texts()}
    shipped = {path.name for path in DATA.glob("*.csv")} - {"linear_17.csv"}  # the 17 points are given, not made
    assert shipped == made


# ---------------------------------------------------------------- the recipes


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
