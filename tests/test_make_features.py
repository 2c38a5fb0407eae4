"""Unit tests for data/make_features.py: the shipped features_3.csv is exactly what the script makes."""


import numpy as np
import pytest
import torch

from course.datasets import load_generator
from helpers.data import DATA_DIR, load_features

SHIPPED = DATA_DIR / "features_3.csv"


make_features = load_generator("make_features")


def test_shipped_file_loads_with_d_at_least_3():
    features, target = load_features("features_3.csv")
    assert features.shape == (make_features.N_ROWS, len(make_features.TRUE_W))
    assert features.shape[1] >= 3
    assert target.shape == (make_features.N_ROWS,)


def test_least_squares_recovers_the_stated_true_parameters():
    features, target = load_features("features_3.csv")
    design = torch.cat([features, torch.ones(len(features), 1)], dim=1).double()
    solution = torch.linalg.lstsq(design, target.double().unsqueeze(1)).solution.squeeze(1)
    truth = torch.tensor([*make_features.TRUE_W, make_features.TRUE_B], dtype=torch.float64)
    # Noise of std 0.1 over 60 rows moves each estimate by about 0.1/sqrt(60) ≈ 0.013.
    assert torch.allclose(solution, truth, atol=0.05)
    assert not torch.allclose(solution, truth, atol=1e-4)


def test_make_features_is_deterministic_rounded_and_follows_the_recipe():
    features, target = make_features.make_features(n=10, seed=3)
    again_features, again_target = make_features.make_features(n=10, seed=3)
    assert np.array_equal(features, again_features) and np.array_equal(target, again_target)
    assert features.shape == (10, 3) and target.shape == (10,)
    assert np.array_equal(features, np.round(features, make_features.DECIMALS))
    residual = target - (make_features.TRUE_B + features @ np.array(make_features.TRUE_W))
    assert np.all(np.abs(residual) < 5 * make_features.NOISE_STD)
    other_features, _ = make_features.make_features(n=10, seed=4)
    assert not np.array_equal(features, other_features)



def test_to_csv_formats_header_and_values_without_negative_zero():
    features = np.array([[1.0, -0.0, 2.5], [0.1234, 3.0, -1.0]])
    text = make_features.to_csv(features + 0.0, np.array([0.5, -2.0]))
    assert text == "x1,x2,x3,y\n1.000,0.000,2.500,0.500\n0.123,3.000,-1.000,-2.000\n"


def test_to_csv_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="shapes"):
        make_features.to_csv(np.zeros((3, 2)), np.zeros(4))
