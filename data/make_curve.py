"""Make ``curve_train.csv`` and ``curve_val.csv``, the noisy sine curve of the notebook on minibatches and validation.

Recipe (numpy's ``default_rng(SEED)`` with SEED = 2, all draws in this order):

1. ``x_train``: 12 values drawn uniformly from [-1, 1], sorted.
2. ``x_val``: 40 values drawn uniformly from [-1, 1], sorted.
3. ``noise_train``: 12 values from N(0, 0.25²); then ``noise_val``: 40 values from N(0, 0.25²).
4. ``y = sin(pi x) + noise`` for each set; ``x`` and ``y`` rounded to 3 decimals.

The 12 training points are few enough that a model with 60 random cosine features and a bias can pass
close to every one of them and so learn their noise; the 40 validation points, from the same curve
with noise of their own, show that it then predicts new points worse (overfitting).

    python data/make_curve.py                         # rewrites data/curve_train.csv and data/curve_val.csv
    python data/make_curve.py --out-dir some/folder   # writes both files elsewhere (the unit test does this)

Running it again reproduces the shipped files byte for byte.
"""

from __future__ import annotations

import sys

import numpy as np

from helpers.data import dataset_script_main

SEED = 2
N_TRAIN = 12
N_VAL = 40
NOISE_STD = 0.25
DECIMALS = 3


def make_curve(
    n_train: int = N_TRAIN, n_val: int = N_VAL, seed: int = SEED
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Draw the data of the recipe above: ``(x_train, y_train), (x_val, y_val)``, already rounded."""
    rng = np.random.default_rng(seed)
    x_train = np.sort(rng.uniform(-1.0, 1.0, n_train))
    x_val = np.sort(rng.uniform(-1.0, 1.0, n_val))
    noise_train = rng.normal(0.0, NOISE_STD, n_train)
    noise_val = rng.normal(0.0, NOISE_STD, n_val)
    sets = []
    for x, noise in ((x_train, noise_train), (x_val, noise_val)):
        y = np.sin(np.pi * x) + noise
        # Adding 0.0 turns a rounded -0.0 into 0.0, so no "-0.000" appears in the files.
        sets.append((np.round(x, DECIMALS) + 0.0, np.round(y, DECIMALS) + 0.0))
    return sets[0], sets[1]


def to_csv(x: np.ndarray, y: np.ndarray) -> str:
    """Format one set as CSV text with header ``x,y`` and DECIMALS places per value."""
    rows = [f"{a:.{DECIMALS}f},{b:.{DECIMALS}f}" for a, b in zip(x, y, strict=True)]
    return "\n".join(["x,y", *rows]) + "\n"


def texts() -> dict[str, str]:
    """The files this script makes, by name: the training set, then the validation set."""
    (x_train, y_train), (x_val, y_val) = make_curve()
    return {"curve_train.csv": to_csv(x_train, y_train), "curve_val.csv": to_csv(x_val, y_val)}


if __name__ == "__main__":
    sys.exit(dataset_script_main("Write the training and validation curve of the minibatch notebook.", texts))
