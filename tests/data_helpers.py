"""Small random data sets shared by the hostile-input tests."""

from __future__ import annotations

import numpy as np


def random_spins(n_rows: int, n_units: int, seed: int) -> np.ndarray:
    """A (n_rows, n_units) float64 array of +-1, each sign with probability 1/2."""
    return np.where(np.random.default_rng(seed).random((n_rows, n_units)) < 0.5, -1.0, 1.0)


def random_bits(n_rows: int, n_units: int, seed: int) -> np.ndarray:
    """A (n_rows, n_units) float64 array of 0/1, each with probability 1/2."""
    return (np.random.default_rng(seed).random((n_rows, n_units)) < 0.5).astype(np.float64)
