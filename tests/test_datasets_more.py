"""Data sets: the embedded digits, binarisation, checksums, the cache folder and downloads.

The network is never touched: ``datasets._urlopen`` is replaced by a fake in every test that
could download (and by a guard that fails the test in all the others).
"""

import gzip
import hashlib
import io
import os
import struct
import urllib.error
from pathlib import Path

import numpy as np
import pytest

from energynets import datasets


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    def refuse(url, timeout=None):
        raise AssertionError(f"a test tried to reach the network: {url}")

    monkeypatch.setattr(datasets, "_urlopen", refuse)


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """No ENERGYNETS_DATA, and a cache folder inside tmp_path."""
    monkeypatch.delenv("ENERGYNETS_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path


def _idx_gz(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return gzip.compress(header + array.astype(np.uint8).tobytes(), mtime=0)


def _fake_test_split(n: int = 5) -> dict[str, bytes]:
    images = np.arange(n * 28 * 28, dtype=np.int64).reshape(n, 28, 28) % 256
    return {
        "t10k-images-idx3-ubyte.gz": _idx_gz(images),
        "t10k-labels-idx1-ubyte.gz": _idx_gz(np.arange(n) % 10),
    }


def _pretend_original(monkeypatch, folder: str, files: dict[str, bytes]) -> None:
    """Make ``files`` the 'originals' of the checksum table (their own sha256)."""
    table = dict(datasets._CHECKSUMS)
    for name, content in files.items():
        table[(folder, name)] = ("", hashlib.sha256(content).hexdigest())
    monkeypatch.setattr(datasets, "_CHECKSUMS", table)


class _FakeMirrors:
    """Serves files by URL: bytes, or an exception to raise; records what was asked."""

    def __init__(self, responses):
        self.responses = responses
        self.requested = []

    def __call__(self, url, timeout=None):
        self.requested.append(url)
        for prefix, answer in self.responses.items():
            if url.startswith(prefix):
                if isinstance(answer, Exception):
                    raise answer
                return io.BytesIO(answer[url.rsplit("/", 1)[1]])
        raise urllib.error.URLError("unknown host")


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.is_file())


# -- embedded digits ---------------------------------------------------------------------------
def test_load_digits():
    X, y = datasets.load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.uint8
    assert y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0 and X.max() == 16
    # the class counts of the UCI test set
    assert np.bincount(y).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    # the first image, a zero, read off the file
    assert y[0] == 0
    assert X[0, :16].tolist() == [0, 0, 5, 13, 9, 1, 0, 0, 0, 0, 13, 15, 10, 15, 5, 0]
    # every call returns fresh arrays
    X[0, 0] = 99
    assert datasets.load_digits()[0][0, 0] == 0


# -- binarize ------------------------------------------------------------------------------------
def test_binarize_with_a_threshold_by_hand():
    x = np.array([[0, 4, 8, 12, 16]], dtype=np.uint8)
    # x / 16 = 0, 0.25, 0.5, 0.75, 1; on where strictly above the threshold
    np.testing.assert_array_equal(datasets.binarize(x, threshold=0.5), [[0, 0, 0, 1, 1]])
    np.testing.assert_array_equal(datasets.binarize(x, threshold=0.0), [[0, 1, 1, 1, 1]])
    # maximum given: 8 / 255 and 16 / 255 are both under 0.05 = 12.75 / 255
    assert datasets.binarize(x, threshold=0.05, maximum=255).tolist() == [[0, 0, 0, 0, 1]]
    assert x.tolist() == [[0, 4, 8, 12, 16]]  # not modified


def test_binarize_stochastic_has_the_right_rate_and_is_seeded():
    x = np.tile(np.array([0, 64, 128, 191, 255], dtype=np.uint8), (8000, 1))
    bits = datasets.binarize(x, rng=0, maximum=255)
    assert bits.dtype == np.float64 and set(np.unique(bits)) == {0.0, 1.0}
    rates = bits.mean(axis=0)
    expected = np.array([0, 64, 128, 191, 255]) / 255
    # 8000 draws each: standard error at most 0.0056, so 4 standard errors 0.023
    np.testing.assert_allclose(rates, expected, atol=0.023)
    assert rates[0] == 0.0 and rates[-1] == 1.0  # probabilities 0 and 1 are exact
    np.testing.assert_array_equal(bits, datasets.binarize(x, rng=0, maximum=255))
    assert not np.array_equal(bits, datasets.binarize(x, rng=1, maximum=255))
    assert datasets.binarize(x[:2], rng=0, dtype=np.float32).dtype == np.float32
    # the default maximum is the largest value: a 0-16 image uses 16
    digits = np.array([[0, 16, 16, 0]])
    assert datasets.binarize(digits, rng=3).tolist() == [[0.0, 1.0, 1.0, 0.0]]


def test_binarize_rejects_bad_input():
    with pytest.raises(ValueError, match="X must be non-negative"):
        datasets.binarize([[-1.0, 2.0]])
    with pytest.raises(ValueError, match="X must not exceed maximum = 16, got a value of 17"):
        datasets.binarize([[17.0]], maximum=16)
    with pytest.raises(ValueError, match=r"threshold must be in \[0, 1\), got 1"):
        datasets.binarize([[1.0]], threshold=1.0)
    with pytest.raises(ValueError, match="maximum must be > 0"):
        datasets.binarize([[1.0]], maximum=0)
    with pytest.raises(ValueError, match="X must contain only finite values"):
        datasets.binarize([[np.nan]])
    assert datasets.binarize(np.zeros((2, 3))).sum() == 0  # all-blank images stay blank


# -- the cache folder and where files are looked for ----------------------------------------
def test_cache_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert datasets.cache_dir() == tmp_path / "energynets"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert datasets.cache_dir() == tmp_path / "home" / ".cache" / "energynets"
    assert not (tmp_path / "home").exists()  # never created just by asking


def test_missing_files_offline_error_says_where_to_put_them(isolated):
    with pytest.raises(FileNotFoundError) as info:
        datasets.load_mnist("test", download=False)
    message = str(info.value)
    assert "t10k-images-idx3-ubyte.gz not found" in message
    assert "ENERGYNETS_DATA is not set" in message
    assert str(isolated / "cache" / "energynets" / "mnist") in message
    assert "download=True" in message
    assert not (isolated / "cache").exists()  # nothing is written without a download


def test_files_are_found_in_energynets_data_before_the_cache(isolated, monkeypatch):
    # made-up files, not the originals: with verify=None a subset in the IDX format loads
    for home, n in ((isolated / "env", 4), (isolated / "cache" / "energynets", 3)):
        (home / "mnist").mkdir(parents=True)
        for name, content in _fake_test_split(n).items():
            (home / "mnist" / name).write_bytes(content)
    x, _ = datasets.load_mnist("test")  # only the cache
    assert x.shape == (3, 784)
    monkeypatch.setenv("ENERGYNETS_DATA", str(isolated / "env"))
    x, y = datasets.load_mnist("test")
    assert x.shape == (4, 784) and y.tolist() == [0, 1, 2, 3]


# -- checksums -------------------------------------------------------------------------------
def test_checksum_mismatch_names_the_file(isolated):
    folder = isolated / "home" / "mnist"
    folder.mkdir(parents=True)
    # a made-up file with the original's number of items claims to be the original
    (folder / "t10k-images-idx3-ubyte.gz").write_bytes(
        _idx_gz(np.zeros((10000, 28, 28), dtype=np.uint8))
    )
    (folder / "t10k-labels-idx1-ubyte.gz").write_bytes(_idx_gz(np.zeros(10000, dtype=np.uint8)))
    with pytest.raises(ValueError, match=r"t10k-images-idx3-ubyte.gz does not match the checksum"):
        datasets.load_mnist("test", data_home=isolated / "home")
    x, y = datasets.load_mnist("test", data_home=isolated / "home", verify=False)
    assert x.shape == (10000, 784) and y.shape == (10000,)
    # a small subset loads by default but not when every file must be the original
    for name, content in _fake_test_split(3).items():
        (folder / name).write_bytes(content)
    assert datasets.load_mnist("test", data_home=isolated / "home")[0].shape == (3, 784)
    with pytest.raises(ValueError, match="sha256 .*expected 8d422c7b"):
        datasets.load_mnist("test", data_home=isolated / "home", verify=True)


def test_a_damaged_original_is_reported_by_checksum(isolated):
    folder = isolated / "mnist"
    folder.mkdir()
    for name, content in _fake_test_split(3).items():
        (folder / name).write_bytes(content[: len(content) // 2])
    with pytest.raises(ValueError, match="t10k-images-idx3-ubyte.gz does not match the checksum"):
        datasets.load_mnist("test", data_home=isolated)


def test_bad_loader_arguments(isolated):
    with pytest.raises(TypeError, match="download must be a bool"):
        datasets.load_mnist("test", data_home=isolated, download="yes")
    with pytest.raises(TypeError, match="verify must be True, False or None"):
        datasets.load_fashion_mnist("test", data_home=isolated, verify=1)


def test_the_shared_files_match_the_published_checksums(data_home):
    for (folder, name), (md5, sha256) in datasets._CHECKSUMS.items():
        content = (data_home / folder / name).read_bytes()
        assert hashlib.md5(content).hexdigest() == md5, name
        assert hashlib.sha256(content).hexdigest() == sha256, name
    x, y = datasets.load_fashion_mnist("test", data_home=data_home, verify=True)
    assert x.shape == (10000, 784) and np.bincount(y).tolist() == [1000] * 10


# -- downloads (fake mirrors) -------------------------------------------------------------------
def test_download_into_the_cache_with_checks(isolated, monkeypatch):
    files = _fake_test_split(5)
    _pretend_original(monkeypatch, "mnist", files)
    first, second, third = datasets._MIRRORS["mnist"]
    mirrors = _FakeMirrors(
        {
            first: urllib.error.URLError("connection refused"),  # down
            second: {name: b"garbage" + c for name, c in files.items()},  # serves damaged files
            third: files,
        }
    )
    monkeypatch.setattr(datasets, "_urlopen", mirrors)
    x, y = datasets.load_mnist("test", download=True)
    assert x.shape == (5, 784) and y.tolist() == [0, 1, 2, 3, 4]
    target = isolated / "cache" / "energynets" / "mnist"
    # the two files, and no temporary file left behind
    assert _leftovers(isolated / "cache") == sorted(files)
    for name, content in files.items():
        assert (target / name).read_bytes() == content
    assert mirrors.requested[:3] == [
        m + "t10k-images-idx3-ubyte.gz" for m in (first, second, third)
    ]
    # the next load reads the cache: no request
    mirrors.requested.clear()
    assert datasets.load_mnist("test", download=True)[0].shape == (5, 784)
    assert mirrors.requested == []


def test_download_into_data_home_only_fetches_what_is_missing(isolated, monkeypatch):
    files = _fake_test_split(2)
    _pretend_original(monkeypatch, "fashion-mnist", files)
    (isolated / "fashion-mnist").mkdir()
    (isolated / "fashion-mnist" / "t10k-images-idx3-ubyte.gz").write_bytes(
        files["t10k-images-idx3-ubyte.gz"]
    )
    mirrors = _FakeMirrors({datasets._MIRRORS["fashion-mnist"][0]: files})
    monkeypatch.setattr(datasets, "_urlopen", mirrors)
    x, _ = datasets.load_fashion_mnist("test", data_home=isolated, download=True)
    assert x.shape == (2, 784)
    assert [u.rsplit("/", 1)[1] for u in mirrors.requested] == ["t10k-labels-idx1-ubyte.gz"]
    assert not (isolated / "cache").exists()


def test_download_offline_gives_a_clear_error_and_leaves_nothing(isolated, monkeypatch):
    monkeypatch.setattr(datasets, "_urlopen", _FakeMirrors({}))  # every host unreachable
    with pytest.raises(FileNotFoundError) as info:
        datasets.load_mnist("train", download=True)
    message = str(info.value)
    assert "could not download mnist file train-images-idx3-ubyte.gz" in message
    for mirror in datasets._MIRRORS["mnist"]:
        assert mirror + "train-images-idx3-ubyte.gz" in message
    assert str(isolated / "cache" / "energynets" / "mnist") in message
    assert _leftovers(isolated / "cache") == []


def test_download_of_a_wrong_file_is_rejected(isolated, monkeypatch):
    files = _fake_test_split(2)  # not the originals: every mirror serves a mismatch
    mirrors = _FakeMirrors({m: files for m in datasets._MIRRORS["mnist"]})
    monkeypatch.setattr(datasets, "_urlopen", mirrors)
    with pytest.raises(FileNotFoundError, match="checksum mismatch"):
        datasets.load_mnist("test", data_home=isolated, download=True)
    assert _leftovers(isolated) == []
    assert os.listdir(isolated / "mnist") == []
