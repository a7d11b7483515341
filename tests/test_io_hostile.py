"""Hostile and damaged model files, and interrupted saves (energynets.io).

For every model class registered with :func:`energynets.io.register_model`, a saved file is
damaged on purpose (truncated, bytes flipped or overwritten, markers removed or changed,
arrays replaced by pickled objects, by headers declaring huge or impossible shapes, by members
holding more than they declare, by other classes' names) and loaded. Whatever the damage, load
must either raise a one-line ``ValueError`` that starts ``cannot load '<path>': `` and says what
is wrong, or, where the damage hit bytes no reader uses (a timestamp, a local header field that
the central directory overrides), return a model equal to the one saved: never another
exception, never different parameters, never code run, never gigabytes allocated. Files that
cannot be opened at all (missing, a directory) raise an ``OSError`` naming the path.

Saving is checked by failing it at many points (the disk full after k bytes, Ctrl-C, a failing
fsync or rename): the earlier file stays byte for byte and no temporary file is left.

The number of generated cases per entry point is in ``CASES``; each test counts the cases it
ran and compares (nothing skipped), and docs/reliability.md quotes the same numbers
(:func:`test_doc_quotes_the_counts`). Randomness: hypothesis with ``derandomize=True`` (the
same examples on every run) and explicitly seeded generators.
"""

from __future__ import annotations

import errno
import io
import os
import pickle
import re
import struct
import threading
import tracemalloc
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable
from functools import cache, lru_cache
from pathlib import Path
from typing import IO, Any

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from numpy.lib import format as npy_format

import energynets.io as enio
from energynets import _npz
from energynets.learning.classification import ClassificationRBM
from energynets.models.boltzmann import ising_2d
from energynets.models.continuous import ContinuousHopfield
from energynets.models.dbn import DBN
from energynets.models.dense import DenseAssociativeMemory, ModernHopfield
from energynets.models.eqnet import EnergyNetwork
from energynets.models.hopfield import HopfieldNetwork
from energynets.models.mlp import MLP
from energynets.models.rbm import RBM


def _patterns() -> np.ndarray:
    return np.random.default_rng(0).choice([-1.0, 1.0], size=(3, 12))


#: One small instance of every model class the package registers, by registered name.
MODELS: dict[str, Callable[[], Any]] = {
    "HopfieldNetwork": lambda: HopfieldNetwork.from_patterns(_patterns(), rule="storkey"),
    "BoltzmannMachine": lambda: ising_2d(3, coupling=0.5, field=0.1),
    "RBM": lambda: RBM(6, 3, rng=1, softmax_groups=[(4, 6)]),
    "MLP": lambda: MLP([4, 3, 2], activation="tanh", rng=2),
    "DenseAssociativeMemory": lambda: DenseAssociativeMemory(_patterns(), "polynomial", 3),
    "ModernHopfield": lambda: ModernHopfield(_patterns(), beta=2.0, dtype=np.float32),
    "ContinuousHopfield": lambda: ContinuousHopfield.from_patterns(_patterns(), gain=2.0),
    "DBN": lambda: DBN([6, 4, 3], rng=3),
    "ClassificationRBM": lambda: ClassificationRBM(4, 3, 5, rng=4),
    "EnergyNetwork": lambda: EnergyNetwork([4, 3, 2], "softmax", rng=5),
}
CLASSES = sorted(MODELS)

#: Byte offsets at which each class's file is truncated (spread evenly over the file).
TRUNCATIONS = 48
#: Single bytes XOR-ed with a nonzero mask, per class (hypothesis examples).
FLIPS = 60
#: Runs of 1 to 64 bytes overwritten with arbitrary bytes, per class (hypothesis examples).
OVERWRITES = 30
#: Invalid __format_version__ values, per class.
BAD_VERSIONS: tuple[Any, ...] = (
    np.array(0),
    np.array(-1),
    np.array(2),
    np.array(2**62),
    np.array(2**64 - 1, dtype=np.uint64),
    np.array(1.0),
    np.array("1"),
    np.array([1]),
    np.array(True),
)
#: Kinds of damage to one parameter array, applied to every parameter of every class.
BAD_VALUES: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "NaN": lambda a: np.full(a.shape, np.nan),
    "inf": lambda a: np.full(a.shape, -np.inf),
    "0-d": lambda a: np.array(1.5),
    "empty": lambda a: np.zeros((0,) * max(a.ndim, 1)),
    "extra axis": lambda a: np.zeros((*a.shape, 2)),
    "complex": lambda a: np.zeros(a.shape, dtype=np.complex128),
    "string": lambda a: np.full(a.shape, "x"),
    "bool": lambda a: np.ones(a.shape, dtype=bool),
    "int8": lambda a: np.ones(a.shape, dtype=np.int8),
    "float16": lambda a: np.ones(a.shape, dtype=np.float16),
    "datetime": lambda a: np.zeros(a.shape, dtype="M8[s]"),
    "structured": lambda a: np.zeros(a.shape, dtype=[("x", "<f8")]),
}
#: Byte counts after which a save is interrupted by a full disk, per class.
SAVE_CUTS = 8
#: Other interruptions of a save, per class: Ctrl-C while writing, fsync failing, rename
#: failing, the destination being a directory, and a first save (no earlier file) failing.
SAVE_OTHER = 5
#: Crafted files, each checked once (see test_crafted_files).
CRAFTED = (
    "empty file",
    "random bytes",
    "text",
    "a .npy file",
    "a gzip file",
    "a pickle file (live payload)",
    "a zip of other files",
    "member name with a folder",
    "the same member twice",
    "1001 members",
    "header longer than 10000 bytes",
    "header that is a Python expression",
    "npy format version 9",
    "encrypted member",
    "bzip2 member",
    "lzma member",
    "member data too short",
    "negative dimension",
    "non-integer dimension",
)

N = len(CLASSES)
#: Generated cases per entry point, as counted by the tests and quoted by docs/reliability.md.
CASES = {
    "truncated": N * TRUNCATIONS,
    "byte flipped": N * FLIPS,
    "bytes overwritten": N * OVERWRITES,
    "wrong format version": N * len(BAD_VERSIONS),
    "marker missing": N * 3,
    "other format name": N,
    "class renamed": N * N,
    "pickled object array (live payload)": N,
    "huge declared shape": N * 2,
    "member larger than declared": N * 2,
    "parameter damaged": len(BAD_VALUES)
    * sum(len(make().get_params()) for make in MODELS.values()),
    "crafted file": len(CRAFTED),
    "not a file": 4,
    "save interrupted": N * (SAVE_CUTS + SAVE_OTHER),
}


# -- helpers -----------------------------------------------------------------------------------
@cache
def saved_bytes(name: str) -> bytes:
    """The bytes ``save`` writes for MODELS[name] (its archive writer, into memory), made once
    so that every case of a class damages the same file."""
    buffer = io.BytesIO()
    _npz.write_npz(buffer, enio._file_arrays(MODELS[name](), name))
    return buffer.getvalue()


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder for the damaged files (one file per class, rewritten for each case)."""
    return tmp_path_factory.mktemp("hostile")


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / f"{name}.npz"
    path.write_bytes(data)
    return path


def file_arrays(data: bytes) -> dict[str, np.ndarray]:
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        return {key: npz[key] for key in npz.files}


def npz_bytes(arrays: dict[str, Any], *, allow_pickle: bool = False) -> bytes:
    """A deflated .npz of ``arrays`` (values written as given: any dtype, pickle allowed)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for key, value in arrays.items():
            with archive.open(key + ".npy", "w") as member:
                npy_format.write_array(member, np.asanyarray(value), allow_pickle=allow_pickle)
    return buffer.getvalue()


def npy_bytes(value: Any, *, allow_pickle: bool = False) -> bytes:
    buffer = io.BytesIO()
    npy_format.write_array(buffer, np.asanyarray(value), allow_pickle=allow_pickle)
    return buffer.getvalue()


def header_bytes(header: dict[str, Any] | bytes, version: tuple[int, int] = (1, 0)) -> bytes:
    """An npy header (magic, length, dictionary text) declaring whatever it is given."""
    if isinstance(header, dict):
        text = repr(header).encode("latin1")
    else:
        text = header
    text += b" " * ((64 - (len(text) + 11) % 64) % 64) + b"\n"
    if version == (1, 0):
        return npy_format.magic(1, 0) + struct.pack("<H", len(text)) + text
    return npy_format.magic(*version) + struct.pack("<I", len(text)) + text


def raw_zip(members: list[dict[str, Any]]) -> bytes:
    """A zip archive written byte by byte, so that its declared sizes, CRCs, methods and flags
    can lie. Each member: ``name``, ``data`` (the stored or compressed bytes), and optionally
    ``method`` (0 stored, 8 deflated, ...), ``size`` (declared uncompressed size), ``crc``,
    ``flags``."""
    out, central = bytearray(), bytearray()
    for m in members:
        name = m["name"].encode()
        data = m["data"]
        method, flags = m.get("method", 0), m.get("flags", 0)
        size, crc = m["size"], m["crc"]
        fields = (20, flags, method, 0, 0x21, crc, len(data), size, len(name), 0)
        offset = len(out)
        out += struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", *fields) + name + data
        central += struct.pack(
            "<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, *fields, 0, 0, 0, 0, offset
        )
        central += name
    n = len(members)
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, n, n, len(central), len(out), 0)
    return bytes(out + central + end)


def deflated(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def honest_members(arrays: dict[str, np.ndarray]) -> list[dict[str, Any]]:
    """raw_zip members for ``arrays``, deflated, with true sizes and CRCs."""
    members = []
    for key, value in arrays.items():
        data = npy_bytes(value)
        members.append(
            {
                "name": key + ".npy",
                "data": deflated(data),
                "method": 8,
                "size": len(data),
                "crc": zlib.crc32(data),
            }
        )
    return members


def same_params(a: Any, b: Any) -> bool:
    pa, pb = a.get_params(), b.get_params()
    if set(pa) != set(pb):
        return False
    for key in pa:
        x, y = np.asarray(pa[key]), np.asarray(pb[key])
        nan = x.dtype.kind in "fc"
        if x.dtype != y.dtype or x.shape != y.shape or not np.array_equal(x, y, equal_nan=nan):
            return False
    return True


def load_outcome(path: Path, expected: Any = None) -> str:
    """Load ``path``: "error" for a clear one-line ValueError naming the file, "identical"
    when a model equal to ``expected`` comes back. Anything else fails the test."""
    return "error" if _load(path, expected) is not None else "identical"


def load_error(path: Path) -> str:
    """The message of the clear ValueError that loading ``path`` must raise."""
    message = _load(path, None)
    assert message is not None
    return message


def _load(path: Path, expected: Any) -> str | None:
    try:
        model = enio.load(path)
    except ValueError as exc:
        message = str(exc)
        assert message.startswith(f"cannot load '{path}': "), message
        assert "\n" not in message and len(message) < 600, message
        assert len(message) > len(f"cannot load '{path}': ") + 10, message
        return message
    assert expected is not None, f"a damaged file loaded: {model!r}"
    assert type(model) is type(expected) and same_params(model, expected), "different model"
    return None


def check_count(name: str, counted: int) -> None:
    """Every generated case of the entry ``name`` ran: none skipped, none lost."""
    assert counted == CASES[name], (name, counted, CASES[name])


# -- the registry is covered -------------------------------------------------------------------
def test_every_registered_class_is_damaged_here(scratch: Path) -> None:
    """A class registered later must get an instance in MODELS (and so every test below)."""
    assert set(MODELS) == set(enio._REGISTRY)
    for name, make in MODELS.items():
        model = make()
        assert enio._REGISTRY[name][0] is type(model)
        assert same_params(enio.load(write(scratch, name, saved_bytes(name))), model)


# -- byte-level damage -------------------------------------------------------------------------
def test_truncation_at_many_offsets(scratch: Path) -> None:
    counted = 0
    for name in CLASSES:
        data = saved_bytes(name)
        offsets = np.unique(np.linspace(0, len(data) - 1, TRUNCATIONS).astype(int))
        assert offsets.size == TRUNCATIONS
        for cut in offsets:
            # the end-of-archive record is the last 22 bytes: no cut leaves a loadable file
            assert load_outcome(write(scratch, name, data[:cut])) == "error"
            counted += 1
    check_count("truncated", counted)


_DAMAGE_SETTINGS = settings(
    derandomize=True,
    database=None,
    deadline=None,
    phases=(Phase.generate, Phase.shrink),
    suppress_health_check=list(HealthCheck),
)


@pytest.mark.parametrize("name", CLASSES)
def test_random_byte_flips(name: str, scratch: Path) -> None:
    data = saved_bytes(name)
    original = MODELS[name]()
    outcomes: Counter[str] = Counter()

    @settings(_DAMAGE_SETTINGS, max_examples=FLIPS)
    @given(offset=st.integers(0, len(data) - 1), mask=st.integers(1, 255))
    def flip(offset: int, mask: int) -> None:
        damaged = bytearray(data)
        damaged[offset] ^= mask
        outcomes[load_outcome(write(scratch, name, bytes(damaged)), original)] += 1

    flip()
    assert sum(outcomes.values()) * N == CASES["byte flipped"], outcomes
    assert outcomes["error"] > 0  # the damage is real


@pytest.mark.parametrize("name", CLASSES)
def test_random_runs_overwritten(name: str, scratch: Path) -> None:
    data = saved_bytes(name)
    original = MODELS[name]()
    outcomes: Counter[str] = Counter()

    @settings(_DAMAGE_SETTINGS, max_examples=OVERWRITES)
    @given(offset=st.integers(0, len(data) - 1), junk=st.binary(min_size=1, max_size=64))
    def overwrite(offset: int, junk: bytes) -> None:
        damaged = (data[:offset] + junk + data[offset + len(junk) :])[: len(data)]
        outcomes[load_outcome(write(scratch, name, damaged), original)] += 1

    overwrite()
    assert sum(outcomes.values()) * N == CASES["bytes overwritten"], outcomes


# -- markers, versions and class names ---------------------------------------------------------
def test_wrong_format_versions(scratch: Path) -> None:
    counted = 0
    for name in CLASSES:
        arrays = file_arrays(saved_bytes(name))
        for version in BAD_VERSIONS:
            message = load_error(
                write(scratch, name, npz_bytes({**arrays, "__format_version__": version}))
            )
            value = version.item() if version.shape == () else None
            if isinstance(value, int) and not isinstance(value, bool) and value > 1:
                assert f"format version {value} by a newer energynets" in message
            elif isinstance(value, int) and not isinstance(value, bool):
                assert f"invalid format version {value}" in message
            else:
                assert "__format_version__ must be a 0-d integer" in message
            counted += 1
    check_count("wrong format version", counted)


def test_missing_markers_and_other_format_names(scratch: Path) -> None:
    missing = other = 0
    for name in CLASSES:
        arrays = file_arrays(saved_bytes(name))
        for marker in ("__format__", "__format_version__", "__class__"):
            rest = {k: v for k, v in arrays.items() if k != marker}
            message = load_error(write(scratch, name, npz_bytes(rest)))
            assert marker in message
            missing += 1
        renamed = {**arrays, "__format__": np.array("keras-model")}
        assert "__format__ is 'keras-model'" in load_error(write(scratch, name, npz_bytes(renamed)))
        other += 1
    check_count("marker missing", missing)
    check_count("other format name", other)


def test_class_renamed_to_every_registered_class(scratch: Path) -> None:
    """A file relabelled as another class is refused, naming that class's parameters, or loads
    as that class holding exactly the file's arrays: only an RBM with its label group last and
    a ClassificationRBM share a layout."""
    counted = 0
    loaded = set()
    for name in CLASSES:
        arrays = file_arrays(saved_bytes(name))
        for other in CLASSES:
            path = write(scratch, name, npz_bytes({**arrays, "__class__": np.array(other)}))
            if other == name:
                assert load_outcome(path, MODELS[name]()) == "identical"
            else:
                try:
                    model = enio.load(path)
                except ValueError as exc:
                    assert str(exc).startswith(f"cannot load '{path}': "), exc
                    assert f"invalid {other} parameters" in str(exc) or other in str(exc), exc
                else:
                    assert type(model) is enio._REGISTRY[other][0]
                    params = model.get_params()
                    file_params = {k: v for k, v in arrays.items() if not k.startswith("__")}
                    assert set(params) == set(file_params)
                    for key, value in params.items():
                        np.testing.assert_array_equal(np.asarray(value), file_params[key])
                    loaded.add((name, other))
            counted += 1
    check_count("class renamed", counted)
    assert loaded == {("RBM", "ClassificationRBM"), ("ClassificationRBM", "RBM")}


# -- pickles, huge shapes, bombs ---------------------------------------------------------------
class Payload:
    """Unpickling this runs os.mkdir(marker): proof that code ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (os.mkdir, (str(self.marker),))


def live_object_array(marker: Path) -> np.ndarray:
    array = np.empty(2, dtype=object)
    array[0], array[1] = Payload(marker), "weights"
    return array


def test_pickled_object_arrays_are_refused_and_never_run(tmp_path: Path, scratch: Path) -> None:
    marker = tmp_path / "payload-ran"
    # the payload is live: numpy with allow_pickle=True does run it
    np.load(io.BytesIO(npy_bytes(live_object_array(marker), allow_pickle=True)), allow_pickle=True)
    assert marker.is_dir()
    marker.rmdir()
    counted = 0
    for name in CLASSES:
        arrays = file_arrays(saved_bytes(name))
        key = sorted(k for k in arrays if not k.startswith("__"))[0]
        data = npz_bytes({**arrays, key: live_object_array(marker)}, allow_pickle=True)
        message = load_error(write(scratch, name, data))
        assert f"array '{key}' holds Python objects (pickled data is refused)" in message
        assert not marker.exists()
        counted += 1
    check_count("pickled object array (live payload)", counted)


def peak_memory_of_load(path: Path) -> int:
    """Peak bytes allocated (numpy arrays included) while load refuses ``path``."""
    tracemalloc.start()
    try:
        with pytest.raises(ValueError):
            enio.load(path)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


#: No refused file may make load allocate more than this (the crafted ones declare gigabytes).
MEMORY_BOUND = 4 * 2**20


def test_huge_declared_shapes_are_refused_before_allocating(scratch: Path) -> None:
    """A header declaring 2**40 elements (8 TB; above MAX_ARRAY_ELEMENTS), and one declaring
    2**31 - 1 elements (16 GB, within the limit) over 8 bytes of data: both refused from the
    header alone, with a bounded peak memory."""
    counted = 0
    for name in CLASSES:
        arrays = file_arrays(saved_bytes(name))
        key = sorted(k for k in arrays if not k.startswith("__"))[0]
        members = honest_members({k: v for k, v in arrays.items() if k != key})
        for shape in ((2**20, 2**20), (2**31 - 1,)):
            data = header_bytes({"descr": "<f8", "fortran_order": False, "shape": shape})
            data += b"\0" * 8
            member = {"name": key + ".npy", "data": data, "size": len(data)}
            path = write(scratch, name, raw_zip([*members, {**member, "crc": zlib.crc32(data)}]))
            message = load_error(path)
            assert f"array '{key}' declares shape {shape}" in message
            assert peak_memory_of_load(path) < MEMORY_BOUND
            counted += 1
    check_count("huge declared shape", counted)


@lru_cache(maxsize=1)
def zeros_deflated() -> tuple[bytes, int, int]:
    """32 MiB of zeros, deflated (32 KiB), its CRC-32 and its size."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = bytes(2**20)
    parts = [compressor.compress(chunk) for _ in range(32)]
    crc = 0
    for _ in range(32):
        crc = zlib.crc32(chunk, crc)
    return b"".join(parts) + compressor.flush(), crc, 32 * 2**20


def test_members_larger_than_declared_are_refused_without_reading_them(scratch: Path) -> None:
    """Two zip bombs of 32 MiB: a member whose .npy header declares a (2, 2) array followed by
    32 MiB more (the zip declares the true size), and a member whose zip entry declares only
    the header and the (2, 2) array while its deflate stream goes on for 32 MiB."""
    counted = 0
    for name in CLASSES:
        arrays = file_arrays(saved_bytes(name))
        key = sorted(k for k in arrays if not k.startswith("__"))[0]
        members = honest_members({k: v for k, v in arrays.items() if k != key})
        head = npy_bytes(np.zeros((2, 2)))
        zeros, zeros_crc, zeros_size = zeros_deflated()
        # one deflate stream: the head, flushed to a byte boundary, then the zeros' stream
        compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
        stream = compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH) + zeros
        total_crc = _crc_combine(zlib.crc32(head), zeros_crc, zeros_size)
        honest = {
            "name": key + ".npy",
            "data": stream,
            "method": 8,
            "size": len(head) + zeros_size,
            "crc": total_crc,
        }
        hidden = {**honest, "size": len(head), "crc": zlib.crc32(head)}
        for member, expected in (
            (honest, f"array '{key}' declares shape (2, 2) of float64 but its member holds"),
            (hidden, f"array '{key}' has {len(stream)} bytes of compressed data for the"),
        ):
            path = write(scratch, name, raw_zip([*members, member]))
            assert expected in load_error(path)
            assert peak_memory_of_load(path) < MEMORY_BOUND
            counted += 1
    check_count("member larger than declared", counted)


def _crc_combine(crc1: int, crc2: int, length2: int) -> int:
    """CRC-32 of A + B from crc(A), crc(B) and len(B) (zlib's crc32_combine, in Python)."""

    def times(matrix: list[int], vector: int) -> int:
        total, i = 0, 0
        while vector:
            if vector & 1:
                total ^= matrix[i]
            vector >>= 1
            i += 1
        return total

    def square(matrix: list[int]) -> list[int]:
        return [times(matrix, matrix[n]) for n in range(32)]

    odd = [0xEDB88320] + [1 << n for n in range(31)]
    even = square(odd)
    odd = square(even)
    while True:
        even = square(odd)
        if length2 & 1:
            crc1 = times(even, crc1)
        length2 >>= 1
        if not length2:
            break
        odd = square(even)
        if length2 & 1:
            crc1 = times(odd, crc1)
        length2 >>= 1
        if not length2:
            break
    return crc1 ^ crc2


# -- crafted and foreign files -----------------------------------------------------------------
def crafted_file(kind: str, marker: Path) -> tuple[bytes, str]:
    """The bytes of a crafted file and a phrase its load error must contain."""
    arrays = file_arrays(saved_bytes("HopfieldNetwork"))
    members = honest_members(arrays)
    weights = npy_bytes(arrays["weights"])
    not_zip = "not a valid .npz (zip) archive"
    if kind == "empty file":
        return b"", not_zip
    if kind == "random bytes":
        return np.random.default_rng(5).bytes(3000), not_zip
    if kind == "text":
        return b"weights = [[0, 1], [1, 0]]\n" * 20, not_zip
    if kind == "a .npy file":
        return weights, not_zip
    if kind == "a gzip file":
        import gzip

        return gzip.compress(saved_bytes("HopfieldNetwork")), not_zip
    if kind == "a pickle file (live payload)":
        return pickle.dumps(Payload(marker)), not_zip
    if kind == "a zip of other files":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("readme.txt", "hello")
        return buffer.getvalue(), "unexpected member 'readme.txt'"
    if kind == "member name with a folder":
        evil = {**members[0], "name": "../../outside.npy"}
        return raw_zip([*members, evil]), "unexpected member '../../outside.npy'"
    if kind == "the same member twice":
        return raw_zip([*members, members[0]]), "the same array twice"
    if kind == "1001 members":
        many = [{**members[0], "name": f"a{i}.npy"} for i in range(1001)]
        return raw_zip(many), "the archive holds 1001 members"
    if kind == "header longer than 10000 bytes":
        text = repr({"descr": "<f8", "fortran_order": False, "shape": (1,), "x": "y" * 20000})
        data = header_bytes(text.encode(), (2, 0)) + bytes(8)
        return raw_zip([*members[1:], _stored("weights", data)]), "damaged header"
    if kind == "header that is a Python expression":
        code = f"__import__('os').mkdir({str(marker)!r})".encode()
        data = header_bytes(code) + bytes(8)
        return raw_zip([*members[1:], _stored("weights", data)]), "damaged header"
    if kind == "npy format version 9":
        data = npy_format.magic(9, 0) + weights[8:]
        return raw_zip([*members[1:], _stored("weights", data)]), "npy format version (9, 0)"
    if kind == "encrypted member":
        return raw_zip([{**members[0], "flags": 1}, *members[1:]]), "damaged header"
    if kind == "bzip2 member":
        return raw_zip([{**members[0], "method": 12}, *members[1:]]), "compression method 12"
    if kind == "lzma member":
        return raw_zip([{**members[0], "method": 14}, *members[1:]]), "compression method 14"
    if kind == "member data too short":
        data = weights[:-8]
        return raw_zip([*members[1:], _stored("weights", data)]), "but its member holds only"
    if kind == "negative dimension":
        header = {"descr": "<f8", "fortran_order": False, "shape": (-2, -3)}
        data = header_bytes(header) + bytes(48)
        return raw_zip([*members[1:], _stored("weights", data)]), "negative dimension"
    if kind == "non-integer dimension":
        header = {"descr": "<f8", "fortran_order": False, "shape": (2.5,)}
        data = header_bytes(header) + bytes(16)
        return raw_zip([*members[1:], _stored("weights", data)]), "damaged header"
    raise AssertionError(kind)


def _stored(key: str, data: bytes) -> dict[str, Any]:
    return {"name": key + ".npy", "data": data, "size": len(data), "crc": zlib.crc32(data)}


def test_crafted_files(tmp_path: Path) -> None:
    marker = tmp_path / "payload-ran"
    counted = 0
    for kind in CRAFTED:
        data, phrase = crafted_file(kind, marker)
        path = tmp_path / "crafted.npz"
        path.write_bytes(data)
        message = load_error(path)
        assert phrase in message, (kind, message)
        assert not marker.exists(), kind
        assert peak_memory_of_load(path) < MEMORY_BOUND, kind
        counted += 1
    assert counted == CASES["crafted file"]
    # the members written by raw_zip are sound: the honest archive loads
    honest = tmp_path / "honest.npz"
    honest.write_bytes(raw_zip(honest_members(file_arrays(saved_bytes("HopfieldNetwork")))))
    assert same_params(enio.load(honest), MODELS["HopfieldNetwork"]())


def test_paths_that_are_not_model_files(tmp_path: Path) -> None:
    """A missing file and a directory raise OSErrors naming the path; a named pipe (which
    open() would wait on forever) and a device are refused at once."""
    with pytest.raises(FileNotFoundError, match=re.escape(str(tmp_path / "absent.npz"))):
        enio.load(tmp_path / "absent.npz")
    with pytest.raises(IsADirectoryError, match="a directory is not a model file") as info:
        enio.load(tmp_path)
    assert info.value.filename == str(tmp_path)
    counted = 2
    message = load_error(Path(os.devnull))
    assert "not a regular file" in message
    counted += 1
    if hasattr(os, "mkfifo"):
        fifo = tmp_path / "pipe.npz"
        os.mkfifo(fifo)
        result: list[str] = []
        thread = threading.Thread(target=lambda: result.append(load_error(fifo)), daemon=True)
        thread.start()
        thread.join(timeout=10)
        if thread.is_alive():  # release the blocked open() before failing
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        assert result and "not a regular file" in result[0]
    counted += 1
    check_count("not a file", counted)


# -- damaged parameters ------------------------------------------------------------------------
def test_every_parameter_damaged_in_every_way(scratch: Path) -> None:
    """Each parameter array replaced by NaNs, infinities, the wrong shape or the wrong dtype:
    refused with a ValueError naming the file (the model's own checks, or the format's), or
    loaded as a model holding exactly the file's values (a 0-d value broadcast, as the
    constructors broadcast a number)."""
    counted = 0
    loaded, problems = [], []
    for name in CLASSES:
        arrays = file_arrays(saved_bytes(name))
        for key in sorted(k for k in arrays if not k.startswith("__")):
            for kind, bad in BAD_VALUES.items():
                value = bad(np.asarray(arrays[key]))
                path = write(scratch, name, npz_bytes({**arrays, key: value}))
                try:
                    model = enio.load(path)
                except ValueError as exc:
                    message = str(exc)
                    if not message.startswith(f"cannot load '{path}': ") or "\n" in message:
                        problems.append((name, key, kind, message))
                except Exception as exc:  # any other type is the failure
                    problems.append((name, key, kind, f"{type(exc).__name__}: {exc}"))
                else:
                    got = np.asarray(model.get_params()[key])
                    want = np.broadcast_to(value, got.shape) if value.ndim == 0 else value
                    if got.shape != want.shape or not np.array_equal(got, want):
                        problems.append((name, key, kind, f"loaded as {got!r}"))
                    loaded.append((name, key, kind))
                counted += 1
    assert problems == []
    check_count("parameter damaged", counted)
    # what may load: numbers that convert exactly (booleans, small integers, float16), a
    # number for a vector of them; never a NaN, an infinity or something that is no number
    never = {"NaN", "inf", "complex", "string", "datetime", "structured"}
    assert not never & {kind for _, _, kind in loaded}, loaded


# -- interrupted saves -------------------------------------------------------------------------
class DiskFull(io.RawIOBase):
    """A writable file that fails with ENOSPC once ``budget`` bytes are written."""

    def __init__(self, file: IO[bytes], budget: int) -> None:
        self.file, self.budget = file, budget

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        data = bytes(data)
        if len(data) > self.budget:
            self.file.write(data[: self.budget])
            self.budget = 0
            raise OSError(errno.ENOSPC, "No space left on device")
        self.budget -= len(data)
        return self.file.write(data)

    def tell(self) -> int:
        return self.file.tell()

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.file.seek(offset, whence)

    def flush(self) -> None:
        self.file.flush()


def interrupt(exc: BaseException) -> Callable[..., None]:
    def fail(*args: Any, **kwargs: Any) -> None:
        raise exc

    return fail


@pytest.mark.parametrize("name", CLASSES)
def test_interrupted_saves_keep_the_earlier_file(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    earlier = MODELS[name]()
    path = tmp_path / "model.npz"
    enio.save(earlier, path)
    content = path.read_bytes()
    newer = MODELS[name]()
    size = len(saved_bytes(name))
    real_write = _npz.write_npz
    counted = 0

    def check_intact() -> None:
        assert sorted(os.listdir(tmp_path)) == ["model.npz"]  # no temporary file left
        assert path.read_bytes() == content
        assert same_params(enio.load(path), earlier)

    for budget in np.linspace(0, size - 1, SAVE_CUTS).astype(int):
        with monkeypatch.context() as patch:
            patch.setattr(
                _npz, "write_npz", lambda f, a, b=int(budget): real_write(DiskFull(f, b), a)
            )
            with pytest.raises(OSError, match="No space left"):
                enio.save(newer, path)
        check_intact()
        counted += 1

    def ctrl_c_after_two_members(file: IO[bytes], arrays: dict[str, np.ndarray]) -> None:
        first = dict(list(arrays.items())[:2])
        real_write(file, first)
        raise KeyboardInterrupt

    for target, attribute, replacement, error in (
        (_npz, "write_npz", ctrl_c_after_two_members, KeyboardInterrupt),
        (os, "fsync", interrupt(OSError(errno.EIO, "I/O error")), OSError),
        (os, "replace", interrupt(OSError(errno.EXDEV, "cross-device link")), OSError),
    ):
        with monkeypatch.context() as patch:
            patch.setattr(target, attribute, replacement)
            with pytest.raises(error):
                enio.save(newer, path)
        check_intact()
        counted += 1

    # the destination is a folder: the rename fails, nothing is left behind
    folder = tmp_path / "folder.npz"
    folder.mkdir()
    (folder / "inside").write_bytes(b"kept")
    with pytest.raises(OSError):
        enio.save(newer, folder)
    assert (folder / "inside").read_bytes() == b"kept"
    folder.joinpath("inside").unlink()
    folder.rmdir()
    check_intact()
    counted += 1

    # a first save that fails leaves no file at all
    with monkeypatch.context() as patch:
        patch.setattr(_npz, "write_npz", ctrl_c_after_two_members)
        with pytest.raises(KeyboardInterrupt):
            enio.save(newer, tmp_path / "first.npz")
    check_intact()
    counted += 1
    assert counted * N == CASES["save interrupted"]


# -- the counts in the documentation -----------------------------------------------------------
def test_doc_quotes_the_counts() -> None:
    """docs/reliability.md's "Model files" table lists every entry of CASES with its count."""
    doc = Path(__file__).resolve().parents[1] / "docs" / "reliability.md"
    text = doc.read_text(encoding="utf-8")
    section = text.split("<!-- io-counts start -->")[1].split("<!-- io-counts end -->")[0]
    quoted = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and cells[0] and not set(cells[0]) <= set("-: "):
            if cells[0] != "fault":
                quoted[cells[0]] = int(re.sub(r"[^0-9]", "", cells[-1]))
    assert quoted == CASES
    assert f"each of the {N} model classes" in text
    assert f"all {sum(CASES.values())} cases" in text.split("<!-- io-counts end -->")[1]
    for phrase in (
        f"cut at {TRUNCATIONS} offsets",
        f"{FLIPS} per class",
        f"{OVERWRITES} per class",
        f"full after {SAVE_CUTS} different byte counts",
    ):
        assert phrase in section, phrase
