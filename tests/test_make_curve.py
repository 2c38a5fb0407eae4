"""Unit tests for data/make_curve.py: the shipped curve_train.csv and curve_val.csv are exactly what the script makes."""

import math

import numpy as np
import pytest
import torch

from course.datasets import load_generator
from helpers.data import DATA_DIR, load_xy

SHIPPED = (DATA_DIR / "curve_train.csv", DATA_DIR / "curve_val.csv")


make_curve = load_generator("make_curve")


def test_shipped_files_load_with_the_stated_sizes_sorted_within_minus_one_to_one():
    for shipped, n in zip(SHIPPED, (make_curve.N_TRAIN, make_curve.N_VAL), strict=True):
        x, y = load_xy(shipped.name)
        assert x.shape == (n, 1) and y.shape == (n,)
        assert torch.all(x[1:] >= x[:-1])
        assert x.min() >= -1 and x.max() <= 1


def test_the_noise_around_the_sine_has_about_the_stated_spread():
    for shipped in SHIPPED:
        x, y = load_xy(shipped.name)
        residual = (y.double() - torch.sin(math.pi * x[:, 0].double())).numpy()
        assert abs(residual.mean()) < 3 * make_curve.NOISE_STD / math.sqrt(len(residual)) + 0.01
        assert 0.5 * make_curve.NOISE_STD < residual.std() < 1.6 * make_curve.NOISE_STD


def test_make_curve_is_deterministic_rounded_and_draws_train_before_val():
    (x_train, y_train), (x_val, y_val) = make_curve.make_curve(n_train=5, n_val=7, seed=3)
    (again_x, again_y), _ = make_curve.make_curve(n_train=5, n_val=7, seed=3)
    assert np.array_equal(x_train, again_x) and np.array_equal(y_train, again_y)
    assert x_train.shape == y_train.shape == (5,) and x_val.shape == y_val.shape == (7,)
    for values in (x_train, y_train, x_val, y_val):
        assert np.array_equal(values, np.round(values, make_curve.DECIMALS))
    rng = np.random.default_rng(3)
    assert np.array_equal(x_train, np.round(np.sort(rng.uniform(-1, 1, 5)), make_curve.DECIMALS))
    (other_x, _), _ = make_curve.make_curve(n_train=5, n_val=7, seed=4)
    assert not np.array_equal(x_train, other_x)



def test_to_csv_formats_header_and_values():
    assert make_curve.to_csv(np.array([0.5, -0.25]), np.array([1.0, 0.1234])) == "x,y\n0.500,1.000\n-0.250,0.123\n"


def test_to_csv_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="same length"):
        make_curve.to_csv(np.zeros(3), np.zeros(4))
