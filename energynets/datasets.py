"""Data sets: generated patterns, built-in glyphs and digits, and the MNIST / Fashion-MNIST loaders.

Generated sets and the embedded 8x8 digits (:func:`load_digits`) need nothing on disk.
MNIST and Fashion-MNIST are read from the original gzipped IDX files, in the layout
``<folder>/mnist/train-images-idx3-ubyte.gz`` and so on, from the first of

1. ``data_home`` when it is given (then only there);
2. the folder named by the ``ENERGYNETS_DATA`` environment variable;
3. the cache folder :func:`cache_dir` (``$XDG_CACHE_HOME/energynets``, by default
   ``~/.cache/energynets``).

Every file is checked against the published checksums of the original files. When files are
missing and ``download=True`` they are fetched from the standard mirrors into the cache folder
(or into ``data_home`` when given), checked, and moved into place atomically; otherwise the
error says where to put them. Nothing is ever written beside files that are only read, and
nothing at all is written unless a download was asked for.

:func:`binarize` turns grey levels into bits, stochastically (v ~ Bernoulli(x / max), the
binarized-MNIST convention) or with a threshold.
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import io
import math
import os
import struct
import urllib.request
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import numpy as np

from energynets._npz import NotAFileError, atomic_file, open_regular
from energynets._validation import (
    RNGLike,
    as_float_array,
    check_choice,
    check_dtype,
    check_float,
    check_int,
    check_rng,
)
from energynets.states import state_rows

__all__ = [
    "bars_and_stripes",
    "binarize",
    "cache_dir",
    "glyph_shape",
    "glyphs",
    "load_digits",
    "load_fashion_mnist",
    "load_mnist",
    "random_patterns",
    "read_idx",
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

    References
    ----------
    Amit, D. J., Gutfreund, H. & Sompolinsky, H. (1985). Storing infinite numbers of patterns
    in a spin-glass model of neural networks. Phys. Rev. Lett. 55, 1530-1533.

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

    Parameters
    ----------
    n : int, 1 <= n <= 12
        The side of the square images.

    Returns
    -------
    ndarray, shape (2 * 2**n - 2, n * n)
        Bits 0.0 / 1.0, each row an image in row-major order, the rows in lexicographic order.

    References
    ----------
    MacKay, D. J. C. (2003). Information Theory, Inference, and Learning Algorithms.
    Cambridge University Press.

    Examples
    --------
    >>> bars_and_stripes(3).shape
    (14, 9)
    >>> bars_and_stripes(2).astype(int).tolist()
    [[0, 0, 0, 0], [0, 0, 1, 1], [0, 1, 0, 1], [1, 0, 1, 0], [1, 1, 0, 0], [1, 1, 1, 1]]
    """
    m = check_int(n, "n", minimum=1, maximum=12)
    codes = state_rows(m, "bits", 0, 2**m, np.float64)
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

    Examples
    --------
    >>> patterns, labels = glyphs("AB")
    >>> patterns.shape, labels
    ((2, 192), ['A', 'B'])
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
    """(height, width) of the built-in glyph bitmaps.

    Returns
    -------
    height, width : int
        Reshape a row of :func:`glyphs` to ``(height, width)`` to see the image.

    Examples
    --------
    >>> glyph_shape()
    (16, 12)
    """
    from energynets._glyphs import HEIGHT, WIDTH

    return HEIGHT, WIDTH


# -- the embedded 8x8 digits ------------------------------------------------------------------


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """The UCI optical recognition of handwritten digits set (8x8), embedded in the package.

    1,797 images of 8 x 8 pixels with 17 grey levels (0 = white, 16 = black), about 180 per
    digit: each pixel counts the ink in a 4 x 4 block of a 32 x 32 bitmap. Small enough for
    exact checks and CI, real enough for demos; :func:`binarize` with ``maximum=16`` gives
    bits for a Bernoulli RBM. The data are the test-set images of the UCI repository as
    distributed with scikit-learn.

    Returns
    -------
    X : ndarray of uint8, shape (1797, 64)
        Grey levels 0-16, each row an image in row-major order (reshape to (8, 8)).
    y : ndarray of int64, shape (1797,)
        The digits 0-9.

    Notes
    -----
    Licensed under CC BY 4.0 (see References for the source).

    References
    ----------
    Alpaydin, E. & Kaynak, C. (1998). Optical Recognition of Handwritten Digits. UCI Machine
    Learning Repository, https://doi.org/10.24432/C50P49.

    Examples
    --------
    >>> X, y = load_digits()
    >>> X.shape, int(X.max()), y[:5].tolist()
    ((1797, 64), 16, [0, 1, 2, 3, 4])
    """
    from importlib import resources

    raw = resources.files("energynets").joinpath("_digits.csv.gz").read_bytes()
    table = np.loadtxt(gzip.decompress(raw).decode("ascii").splitlines(), delimiter=",")
    return table[:, :-1].astype(np.uint8), table[:, -1].astype(np.int64)


def binarize(
    X: Any,
    rng: RNGLike = 0,
    threshold: float | None = None,
    *,
    maximum: float | None = None,
    dtype: Any = np.float64,
) -> np.ndarray:
    """Grey levels to bits: stochastically, v ~ Bernoulli(x / maximum), or by a threshold.

    The stochastic rule is the binarized-MNIST convention of Salakhutdinov & Murray (2008):
    each pixel is on with probability equal to its intensity, drawn independently (a fixed
    seed gives a fixed data set). With a threshold, v = 1 where x / maximum > threshold.

    Parameters
    ----------
    X : array_like, any shape
        Non-negative intensities, e.g. uint8 MNIST (0-255) or :func:`load_digits` (0-16).
        Not modified.
    rng : int, Generator or None
        Randomness of the stochastic rule (ignored with a threshold).
    threshold : float in [0, 1), optional
        Fraction of ``maximum`` above which a pixel is on; None for the stochastic rule.
    maximum : float > 0, optional
        The intensity of a fully-on pixel: 255 for MNIST, 16 for the digits. Default: the
        largest value in ``X`` (pass it explicitly when binarizing parts of a set separately).
    dtype : numpy.float32 or numpy.float64
        dtype of the result.

    Returns
    -------
    ndarray of 0.0 / 1.0, the shape of ``X``

    References
    ----------
    Salakhutdinov, R. & Murray, I. (2008). On the quantitative analysis of deep belief
    networks. ICML 2008, 872-879 (binarized MNIST).

    Examples
    --------
    >>> binarize([[0, 8, 16]], threshold=0.25)
    array([[0., 1., 1.]])
    >>> binarize([[0, 16, 16]], rng=0).tolist()  # probabilities 0, 1, 1
    [[0.0, 1.0, 1.0]]
    """
    x = as_float_array(X, "X", dtype=np.float64, allow_empty=True)
    dt = check_dtype(dtype)
    if x.size and x.min() < 0:
        raise ValueError(f"X must be non-negative intensities, got a minimum of {x.min():g}")
    top = float(x.max()) if x.size else 0.0
    if maximum is None:
        scale = top if top > 0 else 1.0
    else:
        scale = check_float(maximum, "maximum", minimum=0.0, exclusive_minimum=True)
        if top > scale:
            raise ValueError(f"X must not exceed maximum = {scale:g}, got a value of {top:g}")
    p = x / scale
    if threshold is not None:
        t = check_float(threshold, "threshold", minimum=0.0)
        if t >= 1.0:
            raise ValueError(f"threshold must be in [0, 1), got {t:g}")
        return (p > t).astype(dt)
    gen = check_rng(rng)
    return (gen.random(p.shape) < p).astype(dt)


# -- IDX files ----------------------------------------------------------------------------

_FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
#: Number of items in the original files of each split (the header's first dimension).
_ORIGINAL_COUNTS = {"train": 60000, "test": 10000}
#: (md5, sha256) of the original gzipped files; the md5 sums are the published ones.
_CHECKSUMS: dict[tuple[str, str], tuple[str, str]] = {
    ("mnist", "train-images-idx3-ubyte.gz"): (
        "f68b3c2dcbeaaa9fbdd348bbdeb94873",
        "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    ),
    ("mnist", "train-labels-idx1-ubyte.gz"): (
        "d53e105ee54ea40749a09fcbcd1e9432",
        "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    ),
    ("mnist", "t10k-images-idx3-ubyte.gz"): (
        "9fb629c4189551a2d022fa330f9573f3",
        "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    ),
    ("mnist", "t10k-labels-idx1-ubyte.gz"): (
        "ec29112dd5afa0611ce80d1b7f02629c",
        "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
    ),
    ("fashion-mnist", "train-images-idx3-ubyte.gz"): (
        "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
        "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
    ),
    ("fashion-mnist", "train-labels-idx1-ubyte.gz"): (
        "25c81989df183df01b3e8a0aad5dffbe",
        "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
    ),
    ("fashion-mnist", "t10k-images-idx3-ubyte.gz"): (
        "bef4ecab320f06d8554ea6380940ec79",
        "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
    ),
    ("fashion-mnist", "t10k-labels-idx1-ubyte.gz"): (
        "bb300cfdad3c16e7a12a480ee83cd310",
        "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
    ),
}
#: The standard mirrors, tried in order.
_MIRRORS: dict[str, tuple[str, ...]] = {
    "mnist": (
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
        "http://yann.lecun.com/exdb/mnist/",
    ),
    "fashion-mnist": (
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
    ),
}
#: Seconds to wait for a mirror before trying the next one.
_DOWNLOAD_TIMEOUT = 30.0
#: How URLs are opened; the tests replace it, so they never touch the network.
_urlopen: Callable[..., Any] = urllib.request.urlopen

_IDX_TYPES: dict[int, Any] = {
    0x08: np.uint8,
    0x09: np.int8,
    0x0B: ">i2",
    0x0C: ">i4",
    0x0D: ">f4",
    0x0E: ">f8",
}


#: Bytes decompressed or read at a time (the only buffer besides the array itself).
_IDX_CHUNK = 2**20


def _idx_header(
    stream: IO[bytes] | gzip.GzipFile, name: str
) -> tuple[tuple[int, ...], np.dtype, int]:
    """(shape, dtype, header bytes) of the IDX file ``stream`` is at the start of."""
    head = stream.read(4)
    if len(head) < 4 or head[0] != 0 or head[1] != 0 or head[2] not in _IDX_TYPES:
        raise ValueError(f"{name} is not an IDX file (bad magic number)")
    ndim = head[3]
    dims = stream.read(4 * ndim)
    if len(dims) < 4 * ndim:
        raise ValueError(f"{name} is truncated (header)")
    return struct.unpack(f">{ndim}I", dims), np.dtype(_IDX_TYPES[head[2]]), 4 + 4 * ndim


def _parse_idx(source: IO[bytes], name: str, compressed: bool) -> np.ndarray:
    """Decode the IDX file in the seekable binary ``source`` (gzipped if ``compressed``),
    checking its header against its length before the array is allocated: a file declaring
    more than it holds (a gzip bomb included) costs no more memory than it holds."""
    try:
        if compressed:
            with gzip.GzipFile(fileobj=source, mode="rb") as stream:
                shape, dtype, _ = _idx_header(stream, name)
                array = _read_gzipped(stream, shape, dtype, name)
        else:
            size = source.seek(0, os.SEEK_END)
            source.seek(0)
            shape, dtype, header = _idx_header(source, name)
            _check_length(name, shape, dtype, size - header)
            array = _read_into(source, np.empty(shape, dtype))
    except (OSError, EOFError, zlib.error) as exc:
        raise ValueError(f"cannot read IDX file {name}: {exc}") from None
    if not dtype.isnative:
        array = array.byteswap(inplace=True).view(dtype.newbyteorder("="))
    return array


def _check_length(name: str, shape: tuple[int, ...], dtype: np.dtype, held: int) -> None:
    """ValueError unless the file holds exactly the ``held`` bytes of data the header
    declares."""
    nbytes = math.prod(shape) * dtype.itemsize
    if held != nbytes:
        raise ValueError(
            f"{name} is truncated or damaged: header declares shape {shape} "
            f"({nbytes} bytes), file holds {held} bytes"
        )


def _read_into(stream: IO[bytes], array: np.ndarray) -> np.ndarray:
    """Fill ``array`` with the next bytes of ``stream``, a chunk at a time."""
    flat = array.reshape(-1).view(np.uint8)
    done = 0
    while done < flat.size:
        chunk = stream.read(min(_IDX_CHUNK, flat.size - done))
        if not chunk:  # the file changed while it was read
            raise EOFError("the file ends before its data")
        flat[done : done + len(chunk)] = np.frombuffer(chunk, np.uint8)
        done += len(chunk)
    return array


def _read_gzipped(
    stream: gzip.GzipFile, shape: tuple[int, ...], dtype: np.dtype, name: str
) -> np.ndarray:
    """The data after the header of a gzipped IDX file, decompressed once: gathered as they
    come (never more than the header declares plus a chunk, so a bomb stops early), then
    checked against the declared length."""
    nbytes = math.prod(shape) * dtype.itemsize
    data = bytearray()
    while chunk := stream.read(_IDX_CHUNK):
        data += chunk
        if len(data) > nbytes:
            break
    held = len(data) + sum(len(c) for c in iter(lambda: stream.read(_IDX_CHUNK), b""))
    _check_length(name, shape, dtype, held)
    return np.frombuffer(data, dtype).reshape(shape)


def _read_file(path: Path) -> bytes:
    """The bytes of the regular file ``path``: ValueError naming it otherwise."""
    try:
        with open_regular(path, "data set file", refusal=f"cannot read IDX file {path}") as file:
            return file.read()
    except NotAFileError:  # a folder is also an OSError: its message says it all
        raise
    except OSError as exc:
        raise ValueError(f"cannot read IDX file {path.name}: {exc}") from None


def read_idx(path: str | os.PathLike[str]) -> np.ndarray:
    """Read a (possibly gzipped) IDX file into an array, checking its header and length.

    Parameters
    ----------
    path : str or path-like
        An IDX file (the format of the MNIST files), gzipped when its name ends in ``.gz``.

    Returns
    -------
    ndarray
        The array the header declares: its dtype (in the machine's byte order) and shape,
        e.g. uint8 of shape (n_images, 28, 28) for an MNIST image file.

    Raises
    ------
    ValueError
        If the file cannot be read, is not a regular file (a folder, a named pipe, a
        device), or its header or length is not that of an IDX file. The header is checked
        against the file's length before the array is allocated.
    """
    p = Path(path)
    if p.suffix == ".gz":
        return _parse_idx(io.BytesIO(_read_file(p)), p.name, compressed=True)
    try:
        with open_regular(p, "data set file", refusal=f"cannot read IDX file {p}") as file:
            return _parse_idx(file, p.name, compressed=False)
    except NotAFileError:  # a folder is also an OSError: its message says it all
        raise
    except OSError as exc:
        raise ValueError(f"cannot read IDX file {p.name}: {exc}") from None


def cache_dir() -> Path:
    """The folder downloads go to: ``$XDG_CACHE_HOME/energynets``, else ``~/.cache/energynets``.

    Only returned, never created: it is written only when a loader is asked to download.

    Returns
    -------
    pathlib.Path
    """
    base = os.environ.get("XDG_CACHE_HOME")
    return (Path(base) if base else Path.home() / ".cache") / "energynets"


def _checksum_error(path: Path, folder: str, digest: str, expected: str) -> ValueError:
    return ValueError(
        f"{path} does not match the checksum of the original {folder} file {path.name} "
        f"(sha256 {digest}, expected {expected}): it is damaged or a different file. "
        "Replace it with the original (or delete it and load with download=True), or pass "
        "verify=False to read it anyway"
    )


def _read_checked(path: Path, folder: str, split: str, verify: bool | None) -> np.ndarray:
    """Read one gzipped IDX file, checking it against the original's sha256 (see _load)."""
    raw = _read_file(path)
    expected = _CHECKSUMS[(folder, path.name)][1]
    digest = hashlib.sha256(raw).hexdigest()
    if digest == expected or verify is False:
        return _parse_idx(io.BytesIO(raw), path.name, compressed=True)
    if verify is True:
        raise _checksum_error(path, folder, digest, expected)
    # verify=None: a file declaring the original's size must be the original; any other
    # well-formed IDX file (a user's subset, test data) is read with the header checks only
    try:
        array = _parse_idx(io.BytesIO(raw), path.name, compressed=True)
    except ValueError as exc:
        raise _checksum_error(path, folder, digest, expected) from exc
    if array.shape[:1] == (_ORIGINAL_COUNTS[split],):
        raise _checksum_error(path, folder, digest, expected)
    return array


class _FolderError(Exception):
    """The download folder cannot be created (not a network problem: no other mirror helps)."""


def _fetch(url: str, destination: Path, expected: str) -> None:
    """Download ``url`` to ``destination`` atomically, checked against ``expected`` (sha256);
    nothing is left behind on failure."""
    with _urlopen(url, timeout=_DOWNLOAD_TIMEOUT) as response:
        # the folder is created only once a mirror answers: offline, nothing is written
        try:
            destination.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            folder = destination.parent
            raise _FolderError(f"cannot create the download folder {folder}: {exc}") from None
        _fetch_into(response, destination, expected)


def _fetch_into(response: Any, destination: Path, expected: str) -> None:
    """Stream ``response`` into ``destination`` through the atomic writer; a checksum that
    does not match raises inside it, so nothing is published and the temporary file goes."""
    with atomic_file(destination) as out:
        digest = hashlib.sha256()
        while chunk := response.read(1 << 20):
            digest.update(chunk)
            out.write(chunk)
        if digest.hexdigest() != expected:
            raise ValueError(
                f"checksum mismatch (sha256 {digest.hexdigest()}, expected {expected})"
            )


def _download(folder: str, name: str, target: Path) -> Path:
    """Fetch one original file into ``target`` from the first mirror that serves it intact."""
    expected = _CHECKSUMS[(folder, name)][1]
    failures = []
    for base in _MIRRORS[folder]:
        url = base + name
        try:
            _fetch(url, target / name, expected)
            return target / name
        except _FolderError as exc:
            raise OSError(str(exc)) from None
        except (OSError, ValueError, http.client.HTTPException) as exc:  # URLError is an OSError
            failures.append(f"{url}: {exc}")
    all_names = ", ".join(n for names in _FILES.values() for n in names)
    raise FileNotFoundError(
        f"could not download {folder} file {name} (no network?); tried "
        + "; ".join(failures)
        + f". Put the original files ({all_names}) in {target}, or point data_home or "
        f"ENERGYNETS_DATA at the folder above {folder}/"
    )


def _load(
    folder: str,
    split: str,
    data_home: str | os.PathLike[str] | None,
    download: bool,
    verify: bool | None,
) -> tuple[np.ndarray, np.ndarray]:
    check_choice(split, "split", ("train", "test"))
    if not isinstance(download, bool):
        raise TypeError(f"download must be a bool, got {type(download).__name__}")
    if verify is not None and not isinstance(verify, bool):
        raise TypeError(f"verify must be True, False or None, got {type(verify).__name__}")
    env = os.environ.get("ENERGYNETS_DATA")
    if data_home is not None:
        candidates = [Path(data_home) / folder]
    else:
        candidates = ([Path(env) / folder] if env else []) + [cache_dir() / folder]
    target = candidates[0] if data_home is not None else cache_dir() / folder
    paths = []
    for name in _FILES[split]:
        # a folder, a pipe or a device of that name is found, then refused by name
        found = next((c / name for c in candidates if (c / name).exists()), None)
        if found is None and download:
            found = _download(folder, name, target)
        if found is None:
            where = " or ".join(str(c) for c in candidates)
            hint = "" if data_home is not None or env else "; ENERGYNETS_DATA is not set"
            raise FileNotFoundError(
                f"{folder} file {name} not found in {where}{hint}. Put the original files "
                f"({', '.join(n for names in _FILES.values() for n in names)}) in "
                f"{candidates[0]}, point data_home or ENERGYNETS_DATA at the folder above "
                f"{folder}/, or pass download=True to fetch them into {target}"
            )
        paths.append(found)
    images = _read_checked(paths[0], folder, split, verify)
    labels = _read_checked(paths[1], folder, split, verify)
    if images.ndim != 3 or labels.ndim != 1 or images.shape[0] != labels.shape[0]:
        raise ValueError(
            f"{folder} {split} files do not match: images {images.shape}, labels {labels.shape}"
        )
    return images.reshape(images.shape[0], -1), labels.astype(np.int64)


def load_mnist(
    split: str = "train",
    data_home: str | os.PathLike[str] | None = None,
    *,
    download: bool = True,
    verify: bool | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """MNIST digits (LeCun et al. 1998).

    Parameters
    ----------
    split : {"train", "test"}
        60,000 training or 10,000 test images.
    data_home : path, optional
        Folder holding ``mnist/`` with the four original ``*-ubyte.gz`` files; only this
        folder is searched when given. Default: ``$ENERGYNETS_DATA``, then :func:`cache_dir`.
    download : bool
        Fetch missing files from the standard mirrors (into ``data_home/mnist`` when given,
        else into ``cache_dir()/mnist``), checked against their sha256 and written
        atomically; offline, FileNotFoundError says where to put them. False: never touch the
        network (a missing file raises FileNotFoundError saying where to put it).
    verify : bool or None
        Check each file against the sha256 of the original. True: every file must be the
        original; False: no check (the IDX header and length are always checked); None (the
        default): files declaring the original's number of items must be the original, other
        well-formed IDX files (a user's subset) are read as they are. A mismatch raises
        ValueError naming the file.

    Returns
    -------
    X : ndarray of uint8, shape (n_samples, 784), pixel intensities 0-255
    y : ndarray of int64, shape (n_samples,), labels 0-9

    References
    ----------
    LeCun, Y., Bottou, L., Bengio, Y. & Haffner, P. (1998). Gradient-based learning applied
    to document recognition. Proc. IEEE 86, 2278-2324.
    """
    return _load("mnist", split, data_home, download, verify)


def load_fashion_mnist(
    split: str = "train",
    data_home: str | os.PathLike[str] | None = None,
    *,
    download: bool = True,
    verify: bool | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Fashion-MNIST (Xiao, Rasul & Vollgraf 2017): 28 x 28 grey images of ten kinds of clothes.

    The same layout, options and return values as :func:`load_mnist`, read from
    ``fashion-mnist/``.

    Parameters
    ----------
    split : {"train", "test"}
        60,000 training or 10,000 test images.
    data_home : path, optional
        Folder holding ``fashion-mnist/`` with the four original ``*-ubyte.gz`` files; only
        this folder is searched when given. Default: ``$ENERGYNETS_DATA``, then
        :func:`cache_dir`.
    download : bool
        Fetch missing files from the standard mirrors, as :func:`load_mnist` does.
    verify : bool or None
        Check each file against the sha256 of the original, as :func:`load_mnist` does.

    Returns
    -------
    X : ndarray of uint8, shape (n_samples, 784), pixel intensities 0-255
    y : ndarray of int64, shape (n_samples,)
        Labels 0-9: T-shirt/top, trouser, pullover, dress, coat, sandal, shirt, sneaker, bag,
        ankle boot.

    References
    ----------
    Xiao, H., Rasul, K. & Vollgraf, R. (2017). Fashion-MNIST: a novel image dataset for
    benchmarking machine learning algorithms. arXiv:1708.07747.
    """
    return _load("fashion-mnist", split, data_home, download, verify)
