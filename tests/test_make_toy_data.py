"""Unit tests for data/make_moons.py: the recipe, and what the shipped training and validation sets hold."""

import numpy as np
import pytest
import torch

from course.datasets import load_generator
from helpers.data import load_features

make_moons = load_generator("make_moons")


@pytest.mark.parametrize(
    ("name", "per_class"), [("two_moons.csv", make_moons.N_PER_CLASS), ("two_moons_val.csv", make_moons.VAL_PER_CLASS)]
)
def test_shipped_files_load_with_two_features_and_balanced_0_1_labels(name, per_class):
    points, labels = load_features(name)
    assert points.shape == (2 * per_class, 2) and labels.shape == (2 * per_class,)
    assert sorted(set(labels.tolist())) == [0.0, 1.0]
    assert labels.sum().item() == per_class


def test_the_validation_set_holds_no_training_point():
    training, _ = load_features("two_moons.csv")
    validation, _ = load_features("two_moons_val.csv")
    assert not (validation[:, None, :] == training[None, :, :]).all(dim=2).any()


def test_no_straight_line_separates_the_classes():
    """The least-squares line through the 0/1 labels, cut at 1/2, misclassifies some points: the classifier needs a curve."""
    points, labels = load_features("two_moons.csv")
    design = torch.cat([points, torch.ones(len(points), 1)], dim=1).double()
    theta = torch.linalg.lstsq(design, labels.double().unsqueeze(1)).solution.squeeze(1)
    wrong = ((design @ theta > 0.5).double() != labels.double()).sum().item()
    assert 0 < wrong < len(points) // 4


def test_make_moons_is_deterministic_rounded_and_follows_the_recipe():
    points, labels = make_moons.make_moons(n_per_class=10, seed=3)
    again_points, again_labels = make_moons.make_moons(n_per_class=10, seed=3)
    assert np.array_equal(points, again_points) and np.array_equal(labels, again_labels)
    assert points.shape == (20, 2) and labels.tolist() == [1.0] * 10 + [0.0] * 10
    assert np.array_equal(points, np.round(points, make_moons.DECIMALS))
    # Undo the shift: the upper moon lies near the unit circle, the lower near the circle around (1, 0.5).
    upper = points[:10] - np.array(make_moons.SHIFT)
    lower = points[10:] - np.array(make_moons.SHIFT)
    tolerance = 5 * make_moons.NOISE_STD * np.sqrt(2)
    assert np.all(np.abs(np.hypot(*upper.T) - 1.0) < tolerance)
    assert np.all(np.abs(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5) - 1.0) < tolerance)
    other_points, _ = make_moons.make_moons(n_per_class=10, seed=4)
    assert not np.array_equal(points, other_points)


def test_to_csv_formats_header_values_and_labels_without_negative_zero():
    text = make_moons.to_csv(np.array([[1.0, -0.0], [0.1234, -2.5]]) + 0.0, np.array([1.0, 0.0]))
    assert text == "x1,x2,y\n1.000,0.000,1\n0.123,-2.500,0\n"


def test_to_csv_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="shapes"):
        make_moons.to_csv(np.zeros((3, 3)), np.zeros(3))
    with pytest.raises(ValueError, match="shapes"):
        make_moons.to_csv(np.zeros((3, 2)), np.zeros(4))
