"""Files, written whole or not at all, and ``.npz`` archives read without trusting them.

Every file energynets writes (model files, checkpoints, pictures, JSON summaries, sweep
results, downloads) goes through :func:`atomic_path`: the content is written to a new hidden
sibling ``.<name>.<random>.tmp<suffix>``, flushed and fsynced, then renamed over the target
with :func:`os.replace` (atomic on POSIX and Windows within one file system), and the folder
is fsynced so the rename survives a crash. Readers therefore see either the old file or the
complete new one; an error or Ctrl-C midway leaves the old file untouched and no temporary
file behind.

Reading an ``.npz`` (:func:`read_npz`) checks every member's ``.npy`` header before any data
is read: the declared size against :data:`MAX_ARRAY_ELEMENTS`, and the member's size in the
zip against exactly the header plus the declared array (nothing more, nothing less), so a
crafted file cannot make it allocate gigabytes or decompress a zip bomb, and every byte read
is checked against the member's CRC-32. Pickled objects are never unpickled. Whatever is
wrong becomes a :class:`BadFile` whose message the caller puts after the file's name.

This module is the layer below :mod:`energynets.io` (model files) and
:mod:`energynets._checkpoint` (training checkpoints): it knows zips and files, not models.
"""

from __future__ import annotations

import contextlib
import math
import os
import secrets
import zipfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO

import numpy as np
from numpy.lib import format as npy_format

__all__ = [
    "MAX_ARRAY_ELEMENTS",
    "BadFile",
    "atomic_file",
    "atomic_path",
    "one_line",
    "read_npz",
    "write_npz",
    "write_text",
]

#: Arrays declaring more elements than this (all arrays of a file together) are refused
#: before anything is read.
MAX_ARRAY_ELEMENTS = 2**31

# npy header dictionaries are small; numpy's own default limit is 10000 bytes
_MAX_HEADER_SIZE = 10000
# Damaged data makes zipfile, zlib and numpy's npy reader raise a zoo of exception types
# (BadZipFile, RuntimeError for "encrypted" members, NotImplementedError for unknown
# compression, EOFError, zlib.error, struct.error, ValueError, ...); none of them may reach
# the caller, so the few lines that read the file catch them all and say what was being read.
_READ_ERRORS = (Exception,)
# a model or a checkpoint has a few dozen arrays; thousands of members are no such file
_MAX_MEMBERS = 1000
#: The modification time written for every member (the earliest a zip file can hold).
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


# -- writing, atomically -----------------------------------------------------------------------
def _open_temporary(target: str) -> tuple[int, str]:
    """Create a new, empty hidden file next to ``target`` (same suffix, so that writers that
    choose a format by it still do); return its descriptor and name."""
    directory, base = os.path.split(target)
    suffix = os.path.splitext(base)[1]
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        temporary = os.path.join(directory, f".{base}.{secrets.token_hex(6)}.tmp{suffix}")
        try:
            # mode 0o666 lets the umask decide the permissions, as for any new file
            return os.open(temporary, flags, 0o666), temporary
        except FileExistsError:  # pragma: no cover - 48 random bits collided
            continue


def _fsync_directory(directory: str) -> None:
    """Make a rename durable (POSIX); a no-op where directories cannot be opened."""
    try:
        fd = os.open(directory or ".", os.O_RDONLY)
    except OSError:  # e.g. Windows
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _keep_previous(target: str) -> None:
    """Keep the file at ``target`` as ``<target>.prev`` (a hard link, or a copy)."""
    import shutil

    if not os.path.exists(target):
        return
    previous = target + ".prev"
    with contextlib.suppress(FileNotFoundError):
        os.unlink(previous)
    try:
        os.link(target, previous)
    except OSError:
        shutil.copy2(target, previous)


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str], *, keep_previous: bool = False) -> Iterator[Path]:
    """Yield the name of a new temporary sibling of ``path`` to write; publish it on success.

    The body writes the whole content to the yielded path (by name: matplotlib's ``savefig``,
    Pillow's ``save``). When it returns, the file is fsynced and renamed over ``path``; when
    it raises (Ctrl-C included), the temporary file is removed and ``path`` keeps what it held.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write, used exactly as given; its folder must exist.
    keep_previous : bool
        Keep the file that ``path`` held as ``<path>.prev`` (checkpoints do).
    """
    target = os.fspath(path)
    fd, temporary = _open_temporary(target)
    os.close(fd)
    try:
        yield Path(temporary)
        with open(temporary, "rb+") as file:
            os.fsync(file.fileno())
        if keep_previous:
            _keep_previous(target)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _fsync_directory(os.path.dirname(target))


@contextlib.contextmanager
def atomic_file(
    path: str | os.PathLike[str], *, keep_previous: bool = False
) -> Iterator[IO[bytes]]:
    """:func:`atomic_path` for a body that writes to an open binary file."""
    with atomic_path(path, keep_previous=keep_previous) as temporary, open(temporary, "wb") as f:
        yield f


def write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically; return ``path`` as a Path."""
    with atomic_file(path) as file:
        file.write(text.encode("utf-8"))
    return Path(path)


def write_npz(file: IO[bytes], arrays: Mapping[str, np.ndarray]) -> None:
    """Write ``arrays`` as a compressed ``.npz`` archive into the open binary ``file``.

    The same layout as :func:`numpy.savez_compressed` (one ``<key>.npy`` member per array,
    zip64 forced), written directly so that a parameter named like one of ``savez``'s own
    keyword arguments (``allow_pickle``) cannot be mistaken for it, and with pickle disabled.
    The members carry a fixed time stamp, so equal arrays give byte-identical files.
    """
    with zipfile.ZipFile(file, mode="w", compression=zipfile.ZIP_DEFLATED) as archive:
        for key, value in arrays.items():
            info = zipfile.ZipInfo(key + ".npy", date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, mode="w", force_zip64=True) as member:
                npy_format.write_array(member, value, allow_pickle=False)


# -- reading, without trust --------------------------------------------------------------------
class BadFile(Exception):
    """What is wrong with a file; the caller turns it into a ValueError naming the file."""


def one_line(exc: BaseException, *, with_type: bool = True) -> str:
    """The exception's message on one line, shortened, after its type's name if asked."""
    text = " ".join(str(exc).split())
    text = text if len(text) <= 200 else text[:197] + "..."
    if not text:
        return type(exc).__name__
    return f"{type(exc).__name__}: {text}" if with_type else text


def _quoted(name: str) -> str:
    """``repr`` of a (possibly garbled) member name, shortened for a one-line message."""
    text = repr(name)
    return text if len(text) <= 60 else text[:57] + "..."


def _read_header(archive: zipfile.ZipFile, info: zipfile.ZipInfo, key: str) -> tuple:
    """(shape, fortran_order, dtype, header size) of one ``.npy`` member."""
    try:
        with archive.open(info) as member:
            version = npy_format.read_magic(member)
            if version == (1, 0):
                header = npy_format.read_array_header_1_0(member, max_header_size=_MAX_HEADER_SIZE)
            elif version == (2, 0):
                header = npy_format.read_array_header_2_0(member, max_header_size=_MAX_HEADER_SIZE)
            else:
                raise BadFile(f"array {_quoted(key)} has unsupported npy format version {version}")
            return (*header, member.tell())
    except BadFile:
        raise
    except _READ_ERRORS as exc:
        raise BadFile(f"array {_quoted(key)} has a damaged header ({one_line(exc)})") from None


def _check_members(archive: zipfile.ZipFile) -> list[str]:
    """Check every member's npy header (dtype, size) before any data is read; return keys."""
    members = archive.infolist()
    if len(members) > _MAX_MEMBERS:
        raise BadFile(f"the archive holds {len(members)} members (a model has a few arrays)")
    keys = []
    total = 0
    for info in members:
        if not info.filename.endswith(".npy") or "/" in info.filename:
            raise BadFile(f"unexpected member {_quoted(info.filename)} (only .npy arrays belong)")
        key = info.filename[: -len(".npy")]
        _check_compression(info, key)
        shape, _, dtype, header_size = _read_header(archive, info, key)
        if dtype.hasobject:
            raise BadFile(f"array {_quoted(key)} holds Python objects (pickled data is refused)")
        if any(d < 0 for d in shape):
            raise BadFile(f"array {_quoted(key)} declares a negative dimension, shape {shape}")
        n_elements = math.prod(shape)
        total += n_elements
        if n_elements > MAX_ARRAY_ELEMENTS or total > MAX_ARRAY_ELEMENTS:
            raise BadFile(
                f"array {_quoted(key)} declares shape {shape} ({n_elements} elements, more than "
                f"the limit of {MAX_ARRAY_ELEMENTS} for all arrays together)"
            )
        # an npy member is its header and the array's bytes, nothing else: a member holding
        # less is damaged, one holding more hides data (a zip bomb need not be read to be
        # refused), and reading every declared byte makes zipfile check the member's CRC-32
        expected = header_size + n_elements * dtype.itemsize
        if info.file_size != expected:
            only = "only " if info.file_size < expected else ""
            raise BadFile(
                f"array {_quoted(key)} declares shape {shape} of {dtype} but its member holds "
                f"{only}{info.file_size} bytes ({expected} expected: a {header_size}-byte header "
                f"and {expected - header_size} bytes of data)"
            )
        keys.append(key)
    return keys


def _check_compression(info: zipfile.ZipInfo, key: str) -> None:
    """Refuse compression methods numpy never writes, and compressed data larger than the
    member's declared size could need (data hidden behind a smaller declared size)."""
    if info.compress_type == zipfile.ZIP_STORED:
        bound = info.file_size
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        # deflate never needs more than n + n / 1000 + 64 bytes (stored blocks cost 5 bytes
        # per 65535, zlib's deflateBound is smaller still); twice n leaves room for any encoder
        bound = 2 * info.file_size + 1024
    else:
        raise BadFile(
            f"array {_quoted(key)} uses zip compression method {info.compress_type} (numpy "
            f"writes only stored ({zipfile.ZIP_STORED}) or deflated ({zipfile.ZIP_DEFLATED}) "
            "members)"
        )
    if info.compress_size > bound:
        raise BadFile(
            f"array {_quoted(key)} has {info.compress_size} bytes of compressed data for the "
            f"{info.file_size} bytes its member declares (more than any encoder needs: data "
            "hidden behind a smaller declared size)"
        )


def read_npz(file: IO[bytes]) -> dict[str, np.ndarray]:
    """Every array of the ``.npz`` archive in the open binary ``file``, checked as the module
    docstring says; :class:`BadFile` saying what is wrong otherwise."""
    try:
        with zipfile.ZipFile(file) as archive:
            keys = _check_members(archive)
    except BadFile:
        raise
    except _READ_ERRORS as exc:
        raise BadFile(f"not a valid .npz (zip) archive ({one_line(exc)})") from None
    if len(set(keys)) != len(keys):
        raise BadFile("the archive holds the same array twice")
    file.seek(0)
    arrays = {}
    try:
        with np.load(file, allow_pickle=False) as npz:
            for key in keys:
                arrays[key] = npz[key]
    except _READ_ERRORS as exc:
        raise BadFile(f"damaged array data ({one_line(exc)})") from None
    return arrays
