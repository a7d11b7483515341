"""The rng convention and the shared argument checks."""

import numpy as np
import pytest

from energynets._validation import check_dtype, check_rng, check_square_symmetric


def test_check_rng_conventions():
    g = np.random.default_rng(3)
    assert check_rng(g) is g  # a Generator is used as is, continuing its stream
    assert check_rng(5).random() == np.random.default_rng(5).random()
    assert isinstance(check_rng(None), np.random.Generator)
    assert check_rng(np.int64(7)).random() == np.random.default_rng(7).random()


@pytest.mark.parametrize(
    ("value", "err", "match"),
    [
        (-3, ValueError, "rng must be a non-negative int seed, got -3"),
        (True, TypeError, "rng must be an int seed.*got bool"),
        ("0", TypeError, "rng must be an int seed.*got str"),
        (np.random.RandomState(0), TypeError, "got RandomState"),
    ],
)
def test_check_rng_rejects(value, err, match):
    with pytest.raises(err, match=match):
        check_rng(value)


def test_check_square_symmetric_messages():
    with pytest.raises(ValueError, match="must be a square 2-D array, got shape \\(2, 3\\)"):
        check_square_symmetric(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="must be symmetric"):
        check_square_symmetric(np.array([[0.0, 1.0], [2.0, 0.0]]))
    with pytest.raises(ValueError, match="zero diagonal"):
        check_square_symmetric(np.eye(2))


def test_check_dtype():
    assert check_dtype(np.float32) == np.float32
    with pytest.raises(
        ValueError, match=r"dtype must be numpy\.float32 or numpy\.float64, got int64"
    ):
        check_dtype(np.int64)
