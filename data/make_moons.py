"""Make ``two_moons.csv`` and ``two_moons_val.csv``, the training and validation sets of the classifier notebook.

Recipe for one set (numpy's ``default_rng(seed)``, all draws in this order; the numbers are those of the
training set, SEED = 1 with 20 points per class; the validation set draws 100 per class with VAL_SEED = 2):

1. ``t_upper``: 20 angles drawn uniformly from [0, pi]; the upper moon is ``(cos t, sin t)``.
2. ``t_lower``: 20 angles drawn uniformly from [0, pi]; the lower moon is ``(1 - cos t, 0.5 - sin t)``,
   the upper moon turned upside down and moved right and down, so the two interlock.
3. ``noise``: 40 × 2 values from N(0, 0.15²), added to the 40 points (upper moon first).
4. Every point is shifted by (-0.5, -0.25), which puts the middle of the picture near (0, 0), and
   rounded to 3 decimals.

Labels: ``y = 1`` for the upper moon, ``y = 0`` for the lower one (the targets of a sigmoid output, a
probability). No straight line separates the two classes, so a single neuron cannot get every point right,
but a curve can: a small hidden layer classifies all 40 training points correctly.

    python data/make_moons.py                      # rewrites data/two_moons.csv and two_moons_val.csv
    python data/make_moons.py --out-dir some/folder  # writes elsewhere (the unit test does this)

Running it again reproduces the shipped file byte for byte.
"""

from __future__ import annotations

import sys

import numpy as np

from helpers.data import dataset_script_main

SEED = 1
N_PER_CLASS = 20
VAL_SEED = 2
VAL_PER_CLASS = 100
NOISE_STD = 0.15
SHIFT = (-0.5, -0.25)
DECIMALS = 3


def make_moons(n_per_class: int = N_PER_CLASS, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """Draw the dataset of the recipe above: points ``X`` (2n×2, rounded) and labels ``y`` (2n, 1 then 0)."""
    rng = np.random.default_rng(seed)
    t_upper = rng.uniform(0.0, np.pi, n_per_class)
    t_lower = rng.uniform(0.0, np.pi, n_per_class)
    upper = np.stack([np.cos(t_upper), np.sin(t_upper)], axis=1)
    lower = np.stack([1.0 - np.cos(t_lower), 0.5 - np.sin(t_lower)], axis=1)
    noise = rng.normal(0.0, NOISE_STD, size=(2 * n_per_class, 2))
    points = np.round(np.concatenate([upper, lower]) + noise + np.array(SHIFT), DECIMALS)
    labels = np.concatenate([np.ones(n_per_class), np.zeros(n_per_class)])
    # Adding 0.0 turns a rounded -0.0 into 0.0, so no "-0.000" appears in the file.
    return points + 0.0, labels


def to_csv(points: np.ndarray, labels: np.ndarray) -> str:
    """Format the data as CSV text with header ``x1,x2,y``: DECIMALS places per coordinate, labels as 0 or 1."""
    rows = [f"{x1:.{DECIMALS}f},{x2:.{DECIMALS}f},{label:.0f}" for (x1, x2), label in zip(points, labels, strict=True)]
    return "\n".join(["x1,x2,y", *rows]) + "\n"


def texts() -> dict[str, str]:
    """The files this script makes, by name: the training set, then the validation set."""
    return {
        "two_moons.csv": to_csv(*make_moons()),
        "two_moons_val.csv": to_csv(*make_moons(VAL_PER_CLASS, VAL_SEED)),
    }


if __name__ == "__main__":
    sys.exit(dataset_script_main("Write the two-moons training and validation sets of the classifier notebook.", texts))
