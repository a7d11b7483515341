"""Files a careless or hostile user hands the package (issue 22, items 1, 6, 7, 12, 13).

- Every reader (model files, checkpoints, sweep results, data sets; from Python and from the
  command line) refuses a named pipe, a device and a folder at once, naming the path and what
  it is (on 5f5d996 a pipe hung, /dev/zero was read until memory ran out, eval-rbm said
  "no such file").
- Crafted files are refused before they allocate: nothing read allocates more than 64 MiB
  beyond the data a file legitimately holds (numpy reports its allocations to tracemalloc).
- Big-endian arrays are read, in the machine's byte order.
- Writes refuse a target that is no regular file, write through a symbolic link and keep
  the replaced file's permission bits.
- The temporaries a killed writer leaves are removed by the next write of the same file,
  and nothing else is.

The device and pipe cases of the readers run in a child process with an address-space
limit and an alarm, so that a reader that hangs or reads forever fails the test instead of
the test run.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import signal
import socket
import stat
import subprocess
import sys
import textwrap
import time
import tracemalloc
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from numpy.lib import format as npy_format

import energynets as en
from energynets import _npz, datasets
from energynets import io as enio

ROOT = Path(__file__).resolve().parents[1]
LEGACY_MODELS = sorted((ROOT / "tests" / "fixtures" / "legacy" / "models").glob("*.npz"))
POSIX = hasattr(os, "mkfifo") and sys.platform != "win32"
needs_posix = pytest.mark.skipif(not POSIX, reason="named pipes and devices are POSIX")

#: The allocation no file may cause beyond the data it legitimately holds (issue 22, item 6).
MEMORY_BOUND = 64 * 2**20
#: The size of the crafted members: on 5f5d996 each one made the readers allocate it twice.
BIG = 128 * 2**20

SMALL_RBM = ["train-rbm", "--size", "2", "--hidden", "3", "--epochs", "2", "--seed", "4"]
SMALL_MLP = ["train-mlp", "--limit", "100", "--hidden", "5", "--epochs", "2", "--seed", "4"]


# -- readers: a named pipe, a device, a folder -------------------------------------------------
#: Every entry point that reads a file a user names, as the child process calls it.
READERS = (
    "io.load",
    "fit_rbm(resume=)",
    "fit_mlp(resume=)",
    "sweep(results=)",
    "read_idx",
    "read_idx .gz",
    "load_mnist",
    "train-rbm --resume",
    "train-mlp --resume",
    "eval-rbm MODEL",
)
#: The readers that are commands: they answer with a one-line error and status 2.
COMMANDS = {"train-rbm --resume", "train-mlp --resume", "eval-rbm MODEL"}
#: What the path is, and the words the refusal must use for it.
KINDS = {
    "fifo": ("named pipe",),
    "device": ("character device",),
    "folder": ("directory", "folder"),
}

CHILD = textwrap.dedent(
    """
    import contextlib, io, json, signal, sys
    import numpy as np
    import energynets as en
    from energynets.cli import main
    from energynets.sweep import sweep

    class Hang(Exception):
        pass

    def alarm(*_):
        raise Hang("still waiting after 5 s")

    def square(x):
        return x * x

    def run(reader, path, out):
        if reader == "io.load":
            return en.io.load(path)
        if reader == "fit_rbm(resume=)":
            data = en.datasets.bars_and_stripes(2)
            return en.fit_rbm(en.RBM(4, 3, rng=0), data, n_epochs=1, resume=path)
        if reader == "fit_mlp(resume=)":
            X = np.eye(4)
            return en.fit_mlp(en.MLP([4, 2]), X, [0, 1, 0, 1], n_epochs=1, resume=path)
        if reader == "sweep(results=)":
            return sweep(square, {"x": [1, 2]}, workers=1, results=path)
        if reader in ("read_idx", "read_idx .gz"):
            return en.datasets.read_idx(path)
        if reader == "load_mnist":
            return en.datasets.load_mnist("test", data_home=path, download=False)
        argv = {
            "train-rbm --resume": [*SMALL_RBM, "--resume", path, "-o", out],
            "train-mlp --resume": [*SMALL_MLP, "--resume", path, "-o", out],
            "eval-rbm MODEL": ["eval-rbm", path, "--dataset", "bars-and-stripes"],
        }[reader]
        return main(argv)

    signal.signal(signal.SIGALRM, alarm)
    SMALL_RBM, SMALL_MLP, cases = json.loads(sys.argv[1])
    for reader, path, out in cases:
        err = io.StringIO()
        signal.alarm(5)
        try:
            with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
                status = run(reader, path, out)
            outcome = {"status": status if isinstance(status, int) else "returned"}
        except BaseException as exc:
            outcome = {"type": type(exc).__name__, "value_error": isinstance(exc, ValueError)}
            outcome["message"] = str(exc)
        finally:
            signal.alarm(0)
        outcome.update(reader=reader, path=path, stderr=err.getvalue())
        print(json.dumps(outcome), flush=True)
    """
)


def _limit_memory() -> None:  # pragma: no cover - runs in the child
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (6 * 2**30, 6 * 2**30))


def _special_paths(tmp_path: Path) -> dict[str, dict[str, str]]:
    """For each kind, the path each reader is given: a pipe, /dev/zero (through a link where
    the name matters), a folder; load_mnist gets a data home holding one in place of a file."""
    paths: dict[str, dict[str, str]] = {}
    for kind in KINDS:
        folder = tmp_path / kind
        (folder / "mnist").mkdir(parents=True)
        plain, gz = folder / "thing.npz", folder / "thing.gz"
        mnist = folder / "mnist" / "t10k-images-idx3-ubyte.gz"
        _idx_gz(folder / "mnist" / "t10k-labels-idx1-ubyte.gz", (3,), iter([bytes(3)]))
        for path in (plain, gz, mnist):
            if kind == "fifo":
                os.mkfifo(path)
            elif kind == "device":
                path.symlink_to("/dev/zero")
            else:
                path.mkdir()
        device = kind == "device"
        paths[kind] = {reader: "/dev/zero" if device else str(plain) for reader in READERS}
        paths[kind]["read_idx .gz"] = str(gz)
        paths[kind]["load_mnist"] = str(folder)
    return paths


@needs_posix
def test_every_reader_refuses_pipes_devices_and_folders_at_once(tmp_path: Path) -> None:
    """10 readers x 3 kinds: a ValueError (a one-line error and status 2 on the command line)
    naming the path and saying what it is; none hangs, none reads /dev/zero."""
    paths = _special_paths(tmp_path)
    cases = [
        (reader, paths[kind][reader], str(tmp_path / f"out-{kind}-{i}"))
        for kind in KINDS
        for i, reader in enumerate(READERS)
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    env.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    child = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps([SMALL_RBM, SMALL_MLP, cases])],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        preexec_fn=_limit_memory,
    )
    outcomes = [json.loads(line) for line in child.stdout.splitlines()]
    assert len(outcomes) == len(cases), child.stderr[-3000:]
    problems = []
    for (reader, path, _), outcome, kind in zip(
        cases, outcomes, [k for k in KINDS for _ in READERS], strict=True
    ):
        if reader in COMMANDS:
            lines = outcome["stderr"].strip().splitlines()
            message = lines[-1] if lines else ""
            good = outcome.get("status") == 2 and len(lines) == 1 and ": error: " in message
        else:
            message = outcome.get("message", "")
            good = outcome.get("value_error", False)
        good = good and "no such file" not in message
        good = good and any(word in message for word in KINDS[kind])
        shown = path if reader != "load_mnist" else os.path.join(path, "mnist")
        if not (good and shown in message):
            problems.append((reader, kind, outcome))
    assert problems == []


def test_eval_rbm_says_what_the_model_path_is(tmp_path: Path, capsys: Any) -> None:
    """eval-rbm on a folder said "no such file"; it says "directory" (the pipe and device
    cases are in the test above; a missing file still says "no such file")."""
    from energynets.cli import main

    argv = ["eval-rbm", str(tmp_path), "--dataset", "bars-and-stripes"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "no such file" not in err and "a directory is not a model file" in err
    assert str(tmp_path) in err
    assert main(["eval-rbm", str(tmp_path / "absent.npz"), "--dataset", "bars-and-stripes"]) == 2
    assert "argument MODEL: no such file" in capsys.readouterr().err


# -- crafted files: nothing allocates more than 64 MiB beyond what a file holds ----------------
def peak_memory(call: Callable[[], Any]) -> tuple[int, BaseException | None]:
    """Peak bytes allocated (numpy arrays included) while ``call`` runs, and what it raised."""
    tracemalloc.start()
    try:
        try:
            call()
        except Exception as exc:
            error: BaseException | None = exc
        else:
            error = None
        return tracemalloc.get_traced_memory()[1], error
    finally:
        tracemalloc.stop()


def npy_header(descr: Any, shape: tuple[int, ...]) -> bytes:
    buffer = io.BytesIO()
    npy_format.write_array_header_1_0(
        buffer, {"descr": descr, "fortran_order": False, "shape": shape}
    )
    return buffer.getvalue()


def zeros_member(archive: zipfile.ZipFile, key: str, descr: Any, shape: tuple[int, ...]) -> None:
    """Write the member ``key.npy``: an honest header and as many zero bytes as it declares,
    deflated (streamed, so the test itself never holds them)."""
    info = zipfile.ZipInfo(key + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    remaining = int(np.prod(shape, dtype=np.int64)) * np.dtype(descr).itemsize
    chunk = bytes(2**20)
    with archive.open(info, "w", force_zip64=True) as out:
        out.write(npy_header(descr, shape))
        while remaining:
            out.write(chunk[: min(remaining, len(chunk))])
            remaining -= min(remaining, len(chunk))


def rewrite(source: Path, target: Path, members: dict[str, tuple[Any, tuple[int, ...]]]) -> None:
    """``source`` with the given members replaced (or added) by zero-filled ones."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            if info.filename[: -len(".npy")] not in members:
                new.writestr(info, old.read(info))
        for key, (descr, shape) in members.items():
            zeros_member(new, key, descr, shape)


#: Crafted members of a model file (an RBM): (name, dtype, shape) and a phrase of the refusal.
MODEL_CRAFTS: dict[str, tuple[str, Any, tuple[int, ...], str]] = {
    "an extra array of 128 MiB": ("extra", "<f8", (BIG // 8,), "unexpected arrays ['extra']"),
    "a 0-d string of 128 MiB where a string belongs": (
        "visible",
        f"<U{BIG // 4}",
        (),
        "bytes of strings, more than 4096",
    ),
    "a 0-d string of 128 MiB where numbers belong": (
        "weights",
        f"<U{BIG // 4}",
        (),
        "weights must be an array of numbers, got strings",
    ),
    "a 128 MiB string as the class marker": (
        "__class__",
        f"<U{BIG // 4}",
        (),
        "__class__ holds 134217728 bytes",
    ),
    "a 0-d field of dtype V134217728": ("weights", f"|V{BIG}", (), "has dtype |V134217728"),
    "an extra array of dtype V134217728": ("extra", f"|V{BIG}", (), "has dtype |V134217728"),
    "a record array": ("weights", [("x", "<f8"), ("y", "<i4")], (6, 4), "files hold numbers"),
}
#: Crafted members of a checkpoint (of fit_rbm), read through fit_rbm(resume=).
CHECKPOINT_CRAFTS = {
    "meta a string of 128 MiB": ("meta", f"<U{BIG // 4}", (), "bytes of strings"),
    "the weights a string of 128 MiB": ("model.weights", f"<U{BIG // 4}", (), "bytes of strings"),
    "an extra array of dtype V134217728": ("extra", f"|V{BIG}", (), "has dtype |V134217728"),
}


def test_crafted_model_files_are_refused_before_allocating(tmp_path: Path) -> None:
    """7 crafted model files (on 5f5d996 each made load allocate 256 MiB or more)."""
    honest = tmp_path / "honest.npz"
    enio.save(en.RBM(6, 4, rng=0), honest)
    counted = 0
    for name, (key, descr, shape, phrase) in MODEL_CRAFTS.items():
        path = tmp_path / "crafted.npz"
        rewrite(honest, path, {key: (descr, shape)})
        peak, error = peak_memory(lambda p=path: enio.load(p))
        assert isinstance(error, ValueError), (name, error)
        assert f"cannot load '{path}'" in str(error) and phrase in str(error), (name, error)
        assert peak < MEMORY_BOUND, (name, peak)
        counted += 1
    assert counted == len(MODEL_CRAFTS) == 7


def test_crafted_checkpoints_are_refused_before_allocating(tmp_path: Path) -> None:
    """3 crafted checkpoints, resumed by fit_rbm (on 5f5d996 each allocated 256 MiB)."""
    data = en.datasets.bars_and_stripes(2)
    honest = tmp_path / "honest.npz"
    en.fit_rbm(en.RBM(4, 3, rng=0), data, n_epochs=1, checkpoint=honest)
    for name, (key, descr, shape, phrase) in CHECKPOINT_CRAFTS.items():
        path = tmp_path / "crafted.npz"
        rewrite(honest, path, {key: (descr, shape)})

        def resume(p: Path = path) -> Any:
            return en.fit_rbm(en.RBM(4, 3, rng=0), data, n_epochs=2, resume=p)

        peak, error = peak_memory(resume)
        assert isinstance(error, ValueError), (name, error)
        assert f"cannot resume from '{path}'" in str(error) and phrase in str(error), name
        assert peak < MEMORY_BOUND, (name, peak)


def _idx_gz(path: Path, header_shape: tuple[int, ...], body: Iterator[bytes]) -> None:
    """A gzipped IDX file of unsigned bytes: a header declaring ``header_shape``, then
    ``body`` (streamed)."""
    header = bytes([0, 0, 0x08, len(header_shape)])
    header += b"".join(int(d).to_bytes(4, "big") for d in header_shape)
    with gzip.open(path, "wb", compresslevel=1) as out:
        out.write(header)
        for chunk in body:
            out.write(chunk)


def test_a_gzip_bomb_of_an_idx_file_is_refused_without_holding_it(tmp_path: Path) -> None:
    """A 128 MiB body behind a header declaring 16 bytes, gzipped to a few hundred KB: on
    5f5d996 read_idx decompressed and copied all of it (256 MiB) before refusing."""
    path = tmp_path / "bomb-idx1-ubyte.gz"
    _idx_gz(path, (16,), (bytes(2**20) for _ in range(BIG // 2**20)))
    peak, error = peak_memory(lambda: datasets.read_idx(path))
    assert isinstance(error, ValueError) and "is truncated or damaged" in str(error)
    assert "header declares shape (16,) (16 bytes)" in str(error)
    assert peak < MEMORY_BOUND


def test_a_full_size_data_set_costs_its_size_and_little_more(tmp_path: Path) -> None:
    """60,000 images of 784 bytes (47 MB; the size of MNIST's training split): load_mnist
    allocates them once, plus the compressed file (on 5f5d996: three times, 141 MB)."""
    folder = tmp_path / "mnist"
    folder.mkdir()
    n, size = 60000, 784
    row = (np.arange(size) % 251).astype(np.uint8).tobytes()
    _idx_gz(folder / "train-images-idx3-ubyte.gz", (n, 28, 28), (row * 1000 for _ in range(60)))
    labels = (np.arange(n) % 10).astype(np.uint8).tobytes()
    _idx_gz(folder / "train-labels-idx1-ubyte.gz", (n,), iter([labels]))
    held = n * size + n * 8  # the images and the int64 labels returned
    result: list[Any] = []
    peak, error = peak_memory(
        lambda: result.append(datasets.load_mnist("train", tmp_path, download=False, verify=False))
    )
    assert error is None
    X, y = result[0]
    assert X.shape == (n, size) and X.dtype == np.uint8 and X.flags.writeable
    assert np.array_equal(X[59999], np.frombuffer(row, np.uint8)) and y[11] == 1
    assert peak - held < MEMORY_BOUND, peak


# -- big-endian arrays -------------------------------------------------------------------------
def big_endian(arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The arrays with every multi-byte dtype (strings included) in big-endian order."""
    return {
        key: value.astype(value.dtype.newbyteorder(">")) if value.dtype.itemsize > 1 else value
        for key, value in arrays.items()
    }


def test_big_endian_model_files_load_as_the_same_model(tmp_path: Path) -> None:
    """13 model files (every class) rewritten big-endian (``>f8``, ``>i8``, ``>U``) load as
    the model the little-endian file holds, dtypes in native order (on 5f5d996 10 of the 13
    were refused)."""
    assert len(LEGACY_MODELS) == 13
    for fixture in LEGACY_MODELS:
        with np.load(fixture) as npz:
            arrays = {key: npz[key] for key in npz.files}
        path = tmp_path / f"{fixture.stem}-big-endian.npz"
        np.savez(path, **big_endian(arrays))
        with np.load(path) as npz:  # the file really is big-endian
            assert sum(not npz[key].dtype.isnative for key in npz.files) >= 3
        want, got = enio.load(fixture).get_params(), enio.load(path).get_params()
        assert sorted(want) == sorted(got), fixture.stem
        for key, value in want.items():
            if not isinstance(value, np.ndarray):
                assert got[key] == value, (fixture.stem, key)
                continue
            assert got[key].dtype == value.dtype and got[key].dtype.isnative, (fixture.stem, key)
            assert np.array_equal(got[key], value), (fixture.stem, key)


def test_a_big_endian_checkpoint_resumes_as_the_original(tmp_path: Path) -> None:
    data = en.datasets.bars_and_stripes(2)
    original, swapped = tmp_path / "c.npz", tmp_path / "c-big-endian.npz"
    en.fit_rbm(en.RBM(4, 3, rng=0), data, n_epochs=2, checkpoint=original)
    with np.load(original) as npz:
        np.savez(swapped, **big_endian({key: npz[key] for key in npz.files}))
    a, _ = en.fit_rbm(en.RBM(4, 3, rng=0), data, n_epochs=4, resume=original)
    b, _ = en.fit_rbm(en.RBM(4, 3, rng=0), data, n_epochs=4, resume=swapped)
    assert np.array_equal(a.weights, b.weights) and b.weights.dtype.isnative


# -- writing: what the target is ---------------------------------------------------------------
def _special_targets(tmp_path: Path) -> dict[str, tuple[Path, Callable[[int], bool]]]:
    """Targets that are no regular file, each with the test its kind passes."""
    targets: dict[str, tuple[Path, Callable[[int], bool]]] = {}
    folder = tmp_path / "folder.npz"
    folder.mkdir()
    targets["directory"] = (folder, stat.S_ISDIR)
    if POSIX:
        os.mkfifo(tmp_path / "pipe.npz")
        targets["named pipe"] = (tmp_path / "pipe.npz", stat.S_ISFIFO)
        server = socket.socket(socket.AF_UNIX)
        server.bind(str(tmp_path / "sock.npz"))
        server.close()
        targets["socket"] = (tmp_path / "sock.npz", stat.S_ISSOCK)
        try:  # a null device of our own (root only); never the system's
            os.mknod(tmp_path / "null.npz", stat.S_IFCHR | 0o666, os.makedev(1, 3))
        except (PermissionError, AttributeError):
            pass
        else:
            targets["character device"] = (tmp_path / "null.npz", stat.S_ISCHR)
    return targets


def test_save_refuses_targets_that_are_not_files(tmp_path: Path) -> None:
    """A folder, a named pipe, a socket and a device (where one can be made) are refused
    before anything is written, and stay what they were (on 5f5d996 the pipe, the socket and
    the device became regular files)."""
    model = en.RBM(4, 3, rng=0)
    targets = _special_targets(tmp_path)
    for kind, (path, is_kind) in targets.items():
        with pytest.raises(ValueError) as info:
            enio.save(model, path)
        message = str(info.value)
        assert str(path) in message and kind in message and "not a regular file" in message
        assert is_kind(os.lstat(path).st_mode), kind
    # nothing was written: no temporary, no other file
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p, _ in targets.values())


def test_a_checkpoint_into_a_pipe_is_refused(tmp_path: Path) -> None:
    if not POSIX:
        pytest.skip("named pipes are POSIX")
    os.mkfifo(tmp_path / "c.npz")
    data = en.datasets.bars_and_stripes(2)
    with pytest.raises(ValueError, match="it is a named pipe"):
        en.fit_rbm(en.RBM(4, 3, rng=0), data, n_epochs=1, checkpoint=tmp_path / "c.npz")
    assert stat.S_ISFIFO(os.lstat(tmp_path / "c.npz").st_mode)


@needs_posix
def test_save_writes_through_symbolic_links(tmp_path: Path) -> None:
    """A link to a file: the file is replaced, the link stays a link; a link to nothing
    creates the file it names (on 5f5d996 the links were replaced by regular files)."""
    real, link = tmp_path / "real.npz", tmp_path / "link.npz"
    enio.save(en.RBM(4, 3, rng=0), real)
    link.symlink_to(real.name)
    newer = en.RBM(4, 3, rng=1)
    enio.save(newer, link)
    assert link.is_symlink() and os.readlink(link) == real.name
    assert np.array_equal(enio.load(real).weights, newer.weights)
    dangling, absent = tmp_path / "dangling.npz", tmp_path / "absent.npz"
    dangling.symlink_to(absent.name)
    enio.save(newer, dangling)
    assert dangling.is_symlink() and np.array_equal(enio.load(absent).weights, newer.weights)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "absent.npz",
        "dangling.npz",
        "link.npz",
        "real.npz",
    ]


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


@needs_posix
@pytest.mark.parametrize("mode", [0o600, 0o640, 0o664, 0o444])
def test_save_keeps_the_permissions_of_the_file_it_replaces(
    tmp_path: Path, mode: int, umask_022: None
) -> None:
    """4 modes (on 5f5d996 every replaced file became 0644); a new file gets 0644."""
    path = tmp_path / "model.npz"
    enio.save(en.RBM(4, 3, rng=0), path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o644
    os.chmod(path, mode)
    enio.save(en.RBM(4, 3, rng=1), path)
    assert stat.S_IMODE(os.stat(path).st_mode) == mode
    assert np.array_equal(enio.load(path).weights, en.RBM(4, 3, rng=1).weights)


# -- temporaries of killed writers -------------------------------------------------------------
def _age(path: Path, seconds: float) -> None:
    past = time.time() - seconds
    os.utime(path, (past, past), follow_symlinks=False)


def test_stale_temporaries_of_the_target_and_only_they_are_removed(tmp_path: Path) -> None:
    """One stale temporary of model.npz goes; 10 look-alikes stay: fresh (a writer at work),
    another target's, a folder and a link of the pattern, and names one character off."""
    hexes = "0123456789ab"
    stale = tmp_path / f".model.npz.{hexes}.tmp.npz"
    stale.write_bytes(b"PK half an archive")
    _age(stale, 3600)
    kept_files = [
        f".model.npz.{'f' * 12}.tmp.npz",  # fresh: a concurrent writer's
        f".other.npz.{hexes}.tmp.npz",  # another target's
        f".model.npz.{hexes}.tmp",  # no suffix
        f".model.npz.{hexes.upper()}.tmp.npz",  # not our hex digits
        f".model.npz.{hexes[:-1]}.tmp.npz",  # 11 digits
        f"model.npz.{hexes}.tmp.npz",  # not hidden
        f".model.npz.{hexes}.tmp.npz.x",  # more after the suffix
        f"..model.npz.{hexes}.tmp.npz",  # one dot more
    ]
    for name in kept_files:
        (tmp_path / name).write_bytes(b"keep")
        if not name.startswith(f".model.npz.{'f' * 12}"):
            _age(tmp_path / name, 3600)
    folder = tmp_path / f".model.npz.{'1' * 12}.tmp.npz"
    folder.mkdir()
    link = tmp_path / f".model.npz.{'2' * 12}.tmp.npz"
    link.symlink_to("elsewhere")
    _age(folder, 3600)
    _age(link, 3600)
    enio.save(en.RBM(4, 3, rng=0), tmp_path / "model.npz")
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted([*kept_files, folder.name, link.name, "model.npz"])
    assert stale.name not in left


KILLED_WRITER = textwrap.dedent(
    """
    import os, signal, sys
    import energynets as en
    from energynets import _npz

    real_write, calls = _npz.write_npz, []

    def killed_inside(file, arrays):
        calls.append(1)
        if len(calls) == int(sys.argv[3]):
            real_write(file, dict(list(arrays.items())[:2]))
            file.flush()
            os.kill(os.getpid(), signal.SIGKILL)
        real_write(file, arrays)

    _npz.write_npz = killed_inside
    data = en.datasets.bars_and_stripes(2)
    if sys.argv[1] == "save":
        en.io.save(en.RBM(4, 3, rng=1), sys.argv[2])
    else:
        en.fit_rbm(en.RBM(4, 3, rng=0), data, n_epochs=3, checkpoint=sys.argv[2])
    """
)


def _killed_while_writing(kind: str, path: Path, at_write: int) -> Path:
    """Run a child that SIGKILLs itself inside its ``at_write``-th write of ``path``; return
    the temporary it left (aged past the stale limit, as a later run finds it)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.run(
        [sys.executable, "-c", KILLED_WRITER, kind, str(path), str(at_write)],
        env=env,
        capture_output=True,
        timeout=300,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr[-2000:]
    left = list(path.parent.glob(f".{path.name}.*.tmp.npz"))
    assert len(left) == 1  # what the killed writer left (and 5f5d996 never removed)
    _age(left[0], 3600)  # _npz.STALE_SECONDS is a minute
    return left[0]


@needs_posix
def test_the_temporary_of_a_killed_save_is_removed_by_the_next_save(tmp_path: Path) -> None:
    path = tmp_path / "model.npz"
    earlier = en.RBM(4, 3, rng=0)
    enio.save(earlier, path)
    _killed_while_writing("save", path, at_write=1)
    assert np.array_equal(enio.load(path).weights, earlier.weights)  # untouched
    enio.save(en.RBM(4, 3, rng=2), path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.npz"]


@needs_posix
def test_the_temporary_of_a_killed_checkpoint_is_removed_when_the_run_resumes(
    tmp_path: Path,
) -> None:
    path = tmp_path / "checkpoint.npz"
    _killed_while_writing("fit_rbm", path, at_write=2)
    data = en.datasets.bars_and_stripes(2)
    resumed, _ = en.fit_rbm(en.RBM(4, 3, rng=0), data, n_epochs=3, resume=path, checkpoint=path)
    whole, _ = en.fit_rbm(en.RBM(4, 3, rng=0), data, n_epochs=3)
    assert np.array_equal(resumed.weights, whole.weights)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checkpoint.npz", "checkpoint.npz.prev"]


def test_a_stale_picture_temporary_is_removed_by_the_next_run(tmp_path: Path) -> None:
    """``.samples.png.<hex>.tmp.png`` (what a SIGKILL inside the picture's write leaves) is
    gone after the next train-rbm run into the folder writes samples.png."""
    from energynets.cli import main

    out = tmp_path / "out"
    out.mkdir()
    stale = out / ".samples.png.0123456789ab.tmp.png"
    stale.write_bytes(b"\x89PNG half a picture")
    _age(stale, 3600)
    assert main([*SMALL_RBM, "-o", str(out)]) == 0
    assert (out / "samples.png").exists() and not stale.exists()
    assert not [p for p in out.iterdir() if ".tmp" in p.name]


# -- the helper itself -------------------------------------------------------------------------
@needs_posix
def test_open_regular_does_not_wait_for_a_pipe_writer(tmp_path: Path) -> None:
    """Opened without O_NONBLOCK, a pipe with no writer blocks open() for ever; the refusal
    comes at once, in both modes (a FolderError is both an IsADirectoryError and a
    ValueError)."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for mode in ("rb", "a+b"):
        with pytest.raises(_npz.NotAFileError, match="named pipe"):
            _npz.open_regular(fifo, "thing", mode=mode)
    with pytest.raises(IsADirectoryError) as info:
        _npz.open_regular(tmp_path, "thing")
    assert isinstance(info.value, ValueError) and info.value.filename == str(tmp_path)
    with _npz.open_regular(tmp_path / "new", "thing", mode="a+b") as file:
        file.write(b"x")
    assert (tmp_path / "new").read_bytes() == b"x"
