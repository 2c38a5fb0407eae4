"""Make ``features_3.csv``, the three-feature dataset of notebook 09, deterministically.

Recipe (numpy's ``default_rng(SEED)`` with SEED = 8, all draws in this order):

1. ``X``: 60 rows × 3 features, each value drawn from the standard normal N(0, 1) and rounded
   to 3 decimals.
2. ``noise``: 60 values from N(0, 0.1²).
3. ``y = 1.0 + 2.0 x1 - 1.5 x2 + 0.5 x3 + noise``, computed from the rounded ``X`` and rounded
   to 3 decimals.

True parameters: w = (2.0, -1.5, 0.5), b = 1.0, noise standard deviation 0.1. A least-squares
fit lands close to them but not on them, because of the noise.

    python data/make_features.py                      # rewrites data/features_3.csv
    python data/make_features.py --out-dir some/folder  # writes elsewhere (the unit test does this)

Running it again reproduces the shipped file byte for byte.
"""

from __future__ import annotations

import sys

import numpy as np

from helpers.data import dataset_script_main

SEED = 8
N_ROWS = 60
TRUE_W = (2.0, -1.5, 0.5)
TRUE_B = 1.0
NOISE_STD = 0.1
DECIMALS = 3


def make_features(n: int = N_ROWS, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """Draw the dataset of the recipe above: ``X`` (n×3) and ``y`` (n), already rounded."""
    rng = np.random.default_rng(seed)
    features = np.round(rng.standard_normal((n, len(TRUE_W))), DECIMALS)
    noise = rng.normal(0.0, NOISE_STD, size=n)
    target = np.round(TRUE_B + features @ np.array(TRUE_W) + noise, DECIMALS)
    # Adding 0.0 turns a rounded -0.0 into 0.0, so no "-0.000" appears in the file.
    return features + 0.0, target + 0.0


def to_csv(features: np.ndarray, target: np.ndarray) -> str:
    """Format the data as CSV text with header ``x1,...,xd,y`` and DECIMALS places per value."""
    d = features.shape[1]
    header = ",".join([f"x{i}" for i in range(1, d + 1)] + ["y"])
    rows = [",".join(f"{value:.{DECIMALS}f}" for value in [*row, y]) for row, y in zip(features, target, strict=True)]
    return "\n".join([header, *rows]) + "\n"


def texts() -> dict[str, str]:
    """The file this script makes, by name."""
    return {"features_3.csv": to_csv(*make_features())}


if __name__ == "__main__":
    sys.exit(dataset_script_main("Write the three-feature dataset of the many-features notebook.", texts))
