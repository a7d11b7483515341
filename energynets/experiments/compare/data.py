"""The default data of the comparisons: scikit-learn's nudged 8 x 8 digits.

:func:`nudge_images` adds to every image four copies shifted by one pixel, the augmentation
of scikit-learn's RBM-features example; :func:`nudged_digits` applies it to the embedded
digits and scales every column to [0, 1].
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from energynets._validation import as_float_array, check_int_tuple

__all__ = ["nudge_images", "nudged_digits"]


def nudge_images(X: Any, shape: Sequence[int]) -> np.ndarray:
    """The images and their copies shifted by one pixel up, left, right and down.

    The augmentation of scikit-learn's RBM-features example: every image is kept and four
    copies are added, moved by one pixel (the pixels moved out are lost, those moved in are 0).

    Parameters
    ----------
    X : array_like, shape (n_images, height * width)
        Not modified.
    shape : (int, int)
        (height, width) of one image.

    Returns
    -------
    ndarray of float64, shape (5 n_images, height * width)
        The originals first, then the copies shifted up, left, right and down, each block in
        the order of ``X``.

    References
    ----------
    Simard, P. Y., Steinkraus, D. & Platt, J. C. (2003). Best practices for convolutional neural
    networks applied to visual document analysis. ICDAR 2003, 958-963.

    scikit-learn developers. Restricted Boltzmann Machine features for digit classification (the
    example ``plot_rbm_logistic_classification``).

    Examples
    --------
    >>> nudge_images(np.arange(4.0).reshape(1, 4), (2, 2))
    array([[0., 1., 2., 3.],
           [2., 3., 0., 0.],
           [1., 0., 3., 0.],
           [0., 0., 0., 2.],
           [0., 0., 0., 1.]])
    """
    arr = as_float_array(X, "X", ndim=2, dtype=np.float64)
    height, width = check_int_tuple(
        shape, "shape", length=2, expected="a pair (height, width) of ints"
    )
    if height < 1 or width < 1 or height * width != arr.shape[1]:
        raise ValueError(
            f"shape (height, width) must be positive with height * width = {arr.shape[1]} (the "
            f"columns of X), got {(height, width)}"
        )
    images = arr.reshape(-1, height, width)
    out = [images]
    for dy, dx in ((-1, 0), (0, -1), (0, 1), (1, 0)):  # up, left, right, down
        moved = np.zeros_like(images)
        src_y = slice(max(-dy, 0), height - max(dy, 0))
        dst_y = slice(max(dy, 0), height - max(-dy, 0))
        src_x = slice(max(-dx, 0), width - max(dx, 0))
        dst_x = slice(max(dx, 0), width - max(-dx, 0))
        moved[:, dst_y, dst_x] = images[:, src_y, src_x]
        out.append(moved)
    return np.concatenate(out).reshape(-1, height * width)


def nudged_digits() -> tuple[np.ndarray, np.ndarray]:
    """The embedded 8 x 8 digits nudged as in scikit-learn's RBM-features example.

    :func:`~energynets.datasets.load_digits` (1,797 images), each with four copies shifted
    by one pixel (:func:`nudge_images`), every column min-max scaled to [0, 1] (a column that
    is constant becomes 0).

    Returns
    -------
    X : ndarray of float64, shape (8985, 64)
    y : ndarray of int64, shape (8985,)

    References
    ----------
    Alpaydin, E. & Kaynak, C. (1998). Optical Recognition of Handwritten Digits. UCI Machine
    Learning Repository, https://doi.org/10.24432/C50P49.

    scikit-learn developers. Restricted Boltzmann Machine features for digit classification (the
    example ``plot_rbm_logistic_classification``).
    """
    from energynets.datasets import load_digits

    grey, labels = load_digits()
    X = nudge_images(grey, (8, 8))
    low, high = X.min(axis=0), X.max(axis=0)
    span = np.where(high > low, high - low, 1.0)
    X -= low
    X /= span
    return X, np.tile(labels, 5)
