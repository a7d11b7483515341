"""Data sets: generated patterns, built-in glyphs, and the MNIST / Fashion-MNIST IDX loaders.

Generated sets need nothing on disk. MNIST and Fashion-MNIST are read from the original
gzipped IDX files in ``data_home`` (default: the ``ENERGYNETS_DATA`` environment variable), in
the layout ``<data_home>/mnist/train-images-idx3-ubyte.gz`` and so on. The loader only reads;
it never writes beside the files.
"""

from __future__ import annotations

import gzip
import os
import struct
from pathlib import Path
from typing import Any

import numpy as np

from energynets._validation import RNGLike, check_choice, check_float, check_int, check_rng

__all__ = [
    "bars_and_stripes",
    "glyph_shape",
    "glyphs",
    "load_fashion_mnist",
    "load_mnist",
    "random_patterns",
]


def random_patterns(
    n_patterns: int, n_units: int, rng: RNGLike = 0, *, bias: float = 0.0
) -> np.ndarray:
    """Independent random spin patterns, P(xi_i = +1) = (1 + bias) / 2.

    Parameters
    ----------
    n_patterns, n_units : int
    rng : int, Generator or None
    bias : float in (-1, 1)
        Mean activity; 0 gives unbiased patterns, the setting of the capacity theory.

    Returns
    -------
    ndarray, shape (n_patterns, n_units), float64 spins +-1

    Examples
    --------
    >>> random_patterns(2, 5, rng=0).shape
    (2, 5)
    """
    p = check_int(n_patterns, "n_patterns", minimum=0)
    n = check_int(n_units, "n_units", minimum=1)
    a = check_float(bias, "bias", minimum=-1.0, maximum=1.0)
    gen = check_rng(rng)
    return np.where(gen.random((p, n)) < (1.0 + a) / 2.0, 1.0, -1.0)


def bars_and_stripes(n: int) -> np.ndarray:
    """All distinct n x n bars-and-stripes patterns as bits, shape (2 * 2**n - 2, n * n).

    Each pattern has every row constant (stripes) or every column constant (bars); the two
    all-equal patterns belong to both families and appear once (MacKay 2003).

    Examples
    --------
    >>> bars_and_stripes(3).shape
    (14, 9)
    """
    m = check_int(n, "n", minimum=1, maximum=12)
    codes = ((np.arange(2**m)[:, None] >> np.arange(m - 1, -1, -1)) & 1).astype(np.float64)
    stripes = np.repeat(codes, m, axis=1)  # each row of the image constant
    bars = np.tile(codes, (1, m))  # each column constant
    allp = np.concatenate([stripes, bars])
    return np.unique(allp, axis=0)


def glyphs(names: str | None = None) -> tuple[np.ndarray, list[str]]:
    """Built-in letter and digit bitmaps as spins (+1 ink, -1 background).

    Parameters
    ----------
    names : str, optional
        Which glyphs, e.g. ``"ABC"``; all of them when None.

    Returns
    -------
    patterns : ndarray, shape (n_glyphs, height * width), float64 spins
    labels : list of str, one character per row

    See :func:`glyph_shape` for the image shape (height, width).
    """
    from energynets._glyphs import GLYPHS, HEIGHT, WIDTH

    chars = list(GLYPHS) if names is None else list(names)
    for c in chars:
        if c not in GLYPHS:
            raise ValueError(
                f"names must only contain characters from {''.join(GLYPHS)!r}, got {c!r}"
            )
    rows = []
    for c in chars:
        bitmap = GLYPHS[c]
        img = np.array([[ch == "#" for ch in line] for line in bitmap], dtype=np.float64)
        rows.append(2.0 * img.ravel() - 1.0)
    return np.array(rows).reshape(len(chars), HEIGHT * WIDTH), chars


def glyph_shape() -> tuple[int, int]:
    """(height, width) of the built-in glyph bitmaps."""
    from energynets._glyphs import HEIGHT, WIDTH

    return HEIGHT, WIDTH


# -- IDX loaders ----------------------------------------------------------------------------

_FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
_IDX_TYPES: dict[int, Any] = {
    0x08: np.uint8,
    0x09: np.int8,
    0x0B: ">i2",
    0x0C: ">i4",
    0x0D: ">f4",
    0x0E: ">f8",
}


def read_idx(path: str | os.PathLike[str]) -> np.ndarray:
    """Read a (possibly gzipped) IDX file into an array, checking its header and length."""
    p = Path(path)
    opener: Any = gzip.open if p.suffix == ".gz" else open
    try:
        with opener(p, "rb") as f:
            raw = f.read()
    except (OSError, EOFError) as exc:
        raise ValueError(f"cannot read IDX file {p.name}: {exc}") from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_TYPES:
        raise ValueError(f"{p.name} is not an IDX file (bad magic number)")
    ndim = raw[3]
    if len(raw) < 4 + 4 * ndim:
        raise ValueError(f"{p.name} is truncated (header)")
    shape = struct.unpack(f">{ndim}I", raw[4 : 4 + 4 * ndim])
    dtype = np.dtype(_IDX_TYPES[raw[2]])
    count = int(np.prod(shape, dtype=np.int64))
    body = raw[4 + 4 * ndim :]
    if len(body) != count * dtype.itemsize:
        raise ValueError(
            f"{p.name} is truncated or damaged: header declares shape {shape} "
            f"({count * dtype.itemsize} bytes), file holds {len(body)} bytes"
        )
    return np.frombuffer(body, dtype=dtype).reshape(shape).astype(dtype.newbyteorder("="))


def _data_home(data_home: str | os.PathLike[str] | None) -> Path:
    if data_home is None:
        env = os.environ.get("ENERGYNETS_DATA")
        if not env:
            raise FileNotFoundError(
                "data_home is not given and ENERGYNETS_DATA is not set: point either at a "
                "folder holding mnist/ and fashion-mnist/ with the original IDX .gz files"
            )
        data_home = env
    return Path(data_home)


def _load(
    folder: str, split: str, data_home: str | os.PathLike[str] | None
) -> tuple[np.ndarray, np.ndarray]:
    check_choice(split, "split", ("train", "test"))
    base = _data_home(data_home) / folder
    img_name, lab_name = _FILES[split]
    for name in (img_name, lab_name):
        if not (base / name).is_file():
            raise FileNotFoundError(f"{folder} file {name} not found in {base}")
    images = read_idx(base / img_name)
    labels = read_idx(base / lab_name)
    if images.ndim != 3 or labels.ndim != 1 or images.shape[0] != labels.shape[0]:
        raise ValueError(
            f"{folder} {split} files do not match: images {images.shape}, labels {labels.shape}"
        )
    return images.reshape(images.shape[0], -1), labels.astype(np.int64)


def load_mnist(
    split: str = "train", data_home: str | os.PathLike[str] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """MNIST digits (LeCun et al. 1998).

    Parameters
    ----------
    split : {"train", "test"}
        60,000 training or 10,000 test images.
    data_home : path, optional
        Folder holding ``mnist/`` with the four original ``*-ubyte.gz`` files; defaults to
        the ``ENERGYNETS_DATA`` environment variable.

    Returns
    -------
    X : ndarray of uint8, shape (n_samples, 784), pixel intensities 0-255
    y : ndarray of int64, shape (n_samples,), labels 0-9
    """
    return _load("mnist", split, data_home)


def load_fashion_mnist(
    split: str = "train", data_home: str | os.PathLike[str] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Fashion-MNIST (Xiao, Rasul & Vollgraf 2017), same layout and return values as
    :func:`load_mnist`, read from ``<data_home>/fashion-mnist/``."""
    return _load("fashion-mnist", split, data_home)
