"""Data sets: generated sets by hand, the IDX reader on made-up files, MNIST when present."""

import gzip
import struct

import numpy as np
import pytest

import energynets as en
from energynets import datasets


def test_random_patterns_are_spins_and_reproducible():
    x = datasets.random_patterns(20, 300, rng=0)
    assert x.shape == (20, 300) and set(np.unique(x)) == {-1.0, 1.0}
    assert np.array_equal(x, datasets.random_patterns(20, 300, rng=0))
    assert abs(x.mean()) < 0.05  # 6000 fair coin flips: sd of the mean is 0.013
    biased = datasets.random_patterns(50, 400, rng=1, bias=0.5)
    assert abs(biased.mean() - 0.5) < 0.03  # sd 0.012


def test_bars_and_stripes_by_hand():
    bas = datasets.bars_and_stripes(2)
    # 2 x 2: stripes 00/11 rows -> 4 patterns, bars -> 4, all-0 and all-1 counted once: 6
    assert bas.shape == (6, 4)
    assert {tuple(r) for r in bas.astype(int)} == {
        (0, 0, 0, 0), (1, 1, 1, 1), (1, 1, 0, 0), (0, 0, 1, 1), (1, 0, 1, 0), (0, 1, 0, 1)
    }  # fmt: skip
    assert datasets.bars_and_stripes(3).shape == (14, 9)
    assert datasets.bars_and_stripes(4).shape == (30, 16)


def _write_idx(path, array, type_code=0x08):
    header = bytes([0, 0, type_code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    with gzip.open(path, "wb") as f:
        f.write(header + array.astype(">u1" if type_code == 0x08 else ">i4").tobytes())


def test_idx_reader_round_trip_and_damage(tmp_path):
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    _write_idx(tmp_path / "x.gz", images)
    assert np.array_equal(datasets.read_idx(tmp_path / "x.gz"), images)
    raw = gzip.open(tmp_path / "x.gz").read()
    with gzip.open(tmp_path / "cut.gz", "wb") as f:
        f.write(raw[:-5])
    with pytest.raises(ValueError, match="cut.gz is truncated or damaged"):
        datasets.read_idx(tmp_path / "cut.gz")
    (tmp_path / "junk.gz").write_bytes(b"not gzip at all")
    with pytest.raises(ValueError, match="cannot read IDX file junk.gz"):
        datasets.read_idx(tmp_path / "junk.gz")
    with gzip.open(tmp_path / "magic.gz", "wb") as f:
        f.write(b"\x01\x02\x08\x01" + b"\x00" * 8)
    with pytest.raises(ValueError, match="not an IDX file"):
        datasets.read_idx(tmp_path / "magic.gz")


def test_loader_finds_files_and_reports_missing(tmp_path, monkeypatch):
    folder = tmp_path / "mnist"
    folder.mkdir()
    _write_idx(folder / "t10k-images-idx3-ubyte.gz", np.zeros((3, 28, 28), dtype=np.uint8))
    _write_idx(folder / "t10k-labels-idx1-ubyte.gz", np.array([1, 2, 3], dtype=np.uint8))
    x, y = datasets.load_mnist("test", data_home=tmp_path)
    assert x.shape == (3, 784) and x.dtype == np.uint8 and y.tolist() == [1, 2, 3]
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte.gz not found"):
        datasets.load_mnist("train", data_home=tmp_path, download=False)
    # by default a missing file is downloaded; offline (as in every test) the error says
    # where to put it, and nothing is left behind
    with pytest.raises(FileNotFoundError) as info:
        datasets.load_mnist("train", data_home=tmp_path)
    message = str(info.value)
    assert "could not download mnist file train-images-idx3-ubyte.gz" in message
    assert f"in {tmp_path / 'mnist'}, or point data_home or ENERGYNETS_DATA" in message
    assert sorted(p.name for p in folder.iterdir()) == [
        "t10k-images-idx3-ubyte.gz",
        "t10k-labels-idx1-ubyte.gz",
    ]
    with pytest.raises(FileNotFoundError, match="could not download"):
        datasets.load_mnist("test", data_home=tmp_path / "absent")
    assert not (tmp_path / "absent").exists()  # no folder is created when no mirror answers
    with pytest.raises(ValueError, match="split must be one of 'train', 'test', got 'val'"):
        datasets.load_mnist("val", data_home=tmp_path)
    monkeypatch.delenv("ENERGYNETS_DATA", raising=False)
    with pytest.raises(FileNotFoundError, match="ENERGYNETS_DATA is not set"):
        datasets.load_mnist("test", download=False)


def test_mnist_from_the_shared_files(data_home):
    x, y = en.datasets.load_mnist("train", data_home=data_home)
    assert x.shape == (60000, 784) and x.dtype == np.uint8
    counts = np.bincount(y, minlength=10)
    # published class counts of the MNIST training set
    assert counts.tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    xt, yt = en.datasets.load_fashion_mnist("test", data_home=data_home)
    assert xt.shape == (10000, 784) and np.all(np.bincount(yt) == 1000)
