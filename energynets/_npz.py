"""Files, written whole or not at all, and files read without trusting them.

Every file energynets writes (model files, checkpoints, pictures, JSON summaries, downloads)
goes through :func:`atomic_path`: the content is written to a new hidden sibling
``.<name>.<random>.tmp<suffix>``, flushed and fsynced, then renamed over the target with
:func:`os.replace` (atomic on POSIX and Windows within one file system), and the folder is
fsynced so the rename survives a crash. Readers therefore see either the old file or the
complete new one; an error or Ctrl-C midway leaves the old file untouched and no temporary
file behind. What the target may be:

- a regular file: replaced, its permission bits (``rwx`` of user, group and others) kept
  (not its owner: the new file is the writer's; other hard links keep the old content);
- nothing: a new file, with the permissions the umask gives;
- a symbolic link: written through (the file it points to is replaced, the link stays);
- anything else (a folder, a named pipe, a device, a socket): refused before anything is
  written, with a :class:`NotAFileError` (a ``ValueError``; for a folder also an
  ``IsADirectoryError``).

A process killed (SIGKILL, power loss) while writing leaves its temporary behind; the next
write of the same target removes the temporaries of that target's own name pattern
(``.<name>.<12 hex digits>.tmp<suffix>``, exactly) that are regular files untouched for more
than :data:`STALE_SECONDS`. A temporary that is still being written is touched by every write;
one whose writer paused longer than that without writing is removed, and that writer then
fails with an error instead of publishing (the target keeps its last complete content).

Every file energynets reads from a path a user gives (model files, checkpoints, sweep
results, data sets) is opened by :func:`open_regular`, which refuses anything but a regular
file before reading a byte: a named pipe would block forever, a device may never end.

Reading an ``.npz`` (:class:`NpzArchive`, :func:`read_npz`) checks every member's ``.npy``
header before any data is read: the dtype (numbers and booleans; strings only where the
reader expects them, and short; never objects, records or raw bytes), the declared bytes of
all arrays together against :data:`MAX_ARRAY_BYTES`, and the member's size in the zip against
exactly the header plus the declared array (nothing more, nothing less), so a crafted file
cannot make it allocate gigabytes or decompress a zip bomb. The data are read into arrays of
exactly the declared size (no other copy), every byte checked against the member's CRC-32;
big-endian arrays come back in the machine's byte order. Pickled objects are never
unpickled. Whatever is wrong becomes a :class:`BadFile` whose message the caller puts after
the file's name.

This module is the layer below :mod:`energynets.io` (model files) and
:mod:`energynets._checkpoint` (training checkpoints): it knows zips and files, not models.
"""

from __future__ import annotations

import contextlib
import errno
import math
import os
import re
import secrets
import stat
import time
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np
from numpy.lib import format as npy_format

__all__ = [
    "MAX_ARRAY_BYTES",
    "MAX_STRING_BYTES",
    "STALE_SECONDS",
    "BadFile",
    "FolderError",
    "Member",
    "NotAFileError",
    "NpzArchive",
    "atomic_file",
    "atomic_path",
    "one_line",
    "open_regular",
    "read_npz",
    "remove_stale_temporaries",
    "write_npz",
    "write_text",
]

#: Arrays declaring more bytes than this (all arrays of a file together) are refused before
#: anything is read.
MAX_ARRAY_BYTES = 2**34
#: String arrays declaring more bytes than this (all of a file together) are refused before
#: anything is read, where the reader does not name its strings and their limits.
MAX_STRING_BYTES = 2**25
#: A temporary of :func:`atomic_path` untouched for this many seconds is a dead writer's.
STALE_SECONDS = 60.0

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
#: dtype kinds read as numbers: booleans, signed and unsigned integers, floats, complex.
_NUMBER_KINDS = "biufc"
#: Bytes read from a member at a time (the only buffer besides the arrays themselves).
_CHUNK = 2**20


# -- what a path is ----------------------------------------------------------------------------
class NotAFileError(ValueError):
    """A path that must name a regular file names something else (a folder, a named pipe, a
    device, a socket)."""


class FolderError(IsADirectoryError, NotAFileError):
    """A folder given where a file must be: an ``IsADirectoryError`` and a ``ValueError``."""

    def __init__(self, message: str, filename: str) -> None:
        super().__init__(errno.EISDIR, message, filename)

    def __str__(self) -> str:
        return str(self.strerror)


def _kind(mode: int) -> str:
    """What a file of this ``st_mode`` is, in words."""
    kinds = (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a named pipe (FIFO)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISLNK, "a symbolic link"),
    )
    return next((name for test, name in kinds if test(mode)), "not a regular file")


def _refuse_special(path: str, mode: int, what: str, refusal: str | None) -> None:
    """NotAFileError (FolderError for a folder) unless ``mode`` is a regular file's."""
    if stat.S_ISREG(mode):
        return
    start = f"cannot read '{path}'" if refusal is None else refusal
    if stat.S_ISDIR(mode):
        raise FolderError(f"{start}: a directory is not a {what}", path)
    raise NotAFileError(f"{start}: it is {_kind(mode)}, not a regular file")


def open_regular(
    path: str | os.PathLike[str], what: str, *, mode: str = "rb", refusal: str | None = None
) -> IO[bytes]:
    """Open the regular file ``path`` in binary ``mode``; refuse anything else unread.

    A named pipe is opened without waiting for a writer (``O_NONBLOCK``, cleared once the
    file is known to be regular) and a device is not opened at all when the path already
    names one; the opened file is checked again (``fstat``), so a path swapped in between is
    refused too.

    Parameters
    ----------
    path : str or os.PathLike
        The file, used exactly as given (a symbolic link to a regular file is followed).
    what : str
        What the file should be, for the message: ``"model file"``, ``"checkpoint"``, ...
    mode : {"rb", "a+b"}
        Read only, or read and append (created if missing, as :func:`open` does).
    refusal : str, optional
        The start of the message, naming the path (default ``"cannot read '<path>'"``).

    Returns
    -------
    file object
        The open binary file; the caller closes it.

    Raises
    ------
    NotAFileError
        (a ``ValueError``) If ``path`` is a named pipe, a device or a socket; the message
        names the path and what it is. :class:`FolderError` (also an ``IsADirectoryError``)
        for a folder.
    OSError
        If the file cannot be opened: ``FileNotFoundError``, ``PermissionError``, ...
    """
    name = os.fspath(path)
    flags = {"rb": os.O_RDONLY, "a+b": os.O_RDWR | os.O_CREAT | os.O_APPEND}[mode]
    with contextlib.suppress(FileNotFoundError):  # a device is refused before it is opened
        _refuse_special(name, os.stat(name).st_mode, what, refusal)
    for extra in ("O_NONBLOCK", "O_NOCTTY", "O_CLOEXEC", "O_BINARY"):
        flags |= getattr(os, extra, 0)
    fd = os.open(name, flags, 0o666)
    try:
        _refuse_special(name, os.fstat(fd).st_mode, what, refusal)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, mode)
    except BaseException:
        os.close(fd)
        raise


# -- writing, atomically -----------------------------------------------------------------------
def _open_temporary(target: str, mode: int) -> tuple[int, str]:
    """Create a new, empty hidden file next to ``target`` (same suffix, so that writers that
    choose a format by it still do) with permissions ``mode`` less the umask; return its
    descriptor and name."""
    directory, base = os.path.split(target)
    suffix = os.path.splitext(base)[1]
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        temporary = os.path.join(directory, f".{base}.{secrets.token_hex(6)}.tmp{suffix}")
        try:
            return os.open(temporary, flags, mode), temporary
        except FileExistsError:  # pragma: no cover - 48 random bits collided
            continue


def _write_target(path: str) -> tuple[str, int | None]:
    """The file to replace for ``path`` (a symbolic link resolved: written through) and its
    permission bits (None for a new file); NotAFileError for anything but a regular file."""
    target = path
    try:
        mode = os.lstat(target).st_mode
        if stat.S_ISLNK(mode):
            target = os.path.realpath(path)
            mode = os.stat(target).st_mode
    except FileNotFoundError:  # nothing there, or a link to nothing: a new file
        return target, None
    if stat.S_ISREG(mode):
        return target, stat.S_IMODE(mode) & 0o777
    message = f"cannot write '{path}': it is {_kind(mode)}, not a regular file"
    if stat.S_ISDIR(mode):
        raise FolderError(message, path)
    raise NotAFileError(message)


def remove_stale_temporaries(target: str) -> None:
    """Remove what killed writers of ``target`` left: regular files named exactly like this
    module's temporaries of ``target`` and untouched for more than STALE_SECONDS."""
    directory, base = os.path.split(target)
    suffix = os.path.splitext(base)[1]
    pattern = re.compile(re.escape(f".{base}.") + "[0-9a-f]{12}" + re.escape(f".tmp{suffix}"))
    oldest = time.time() - STALE_SECONDS
    try:
        entries = list(os.scandir(directory or "."))
    except OSError:  # an unreadable folder: nothing to clean, the write reports any problem
        return
    for entry in entries:
        if not pattern.fullmatch(entry.name):
            continue
        with contextlib.suppress(OSError):  # gone already, or not ours to remove
            info = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(info.st_mode) and info.st_mtime < oldest:
                os.unlink(entry.path)


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
    What ``path`` may be (a file, nothing, a link; nothing else), which permissions the new
    file gets and which stale temporaries are removed first: see the module docstring.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write, used exactly as given; its folder must exist.
    keep_previous : bool
        Keep the file that ``path`` held as ``<path>.prev`` (checkpoints do).

    Raises
    ------
    NotAFileError
        (a ``ValueError``) If ``path`` is a named pipe, a device or a socket, before anything
        is written; :class:`FolderError` (also an ``IsADirectoryError``) for a folder.
    OSError
        If the file cannot be written.
    """
    target, mode = _write_target(os.fspath(path))
    remove_stale_temporaries(target)
    # a replaced file's content is never readable by more people than the file was, even
    # while it is being written; 0o666 lets the umask decide for a new file, as for any other
    fd, temporary = _open_temporary(target, 0o666 if mode is None else mode)
    os.close(fd)
    try:
        yield Path(temporary)
        with open(temporary, "rb+") as file:
            os.fsync(file.fileno())
        if mode is not None:  # the umask may have taken bits the old file had
            os.chmod(temporary, mode)
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


@dataclass(frozen=True)
class Member:
    """One ``.npy`` member of an archive, its header read and checked."""

    info: zipfile.ZipInfo
    shape: tuple[int, ...]
    fortran_order: bool
    dtype: np.dtype
    header_size: int

    @property
    def nbytes(self) -> int:
        """The bytes of the array's data."""
        return math.prod(self.shape) * self.dtype.itemsize


def _read_header(archive: zipfile.ZipFile, info: zipfile.ZipInfo, key: str) -> Member:
    """The header of one ``.npy`` member."""
    try:
        with archive.open(info) as member:
            version = npy_format.read_magic(member)
            if version == (1, 0):
                header = npy_format.read_array_header_1_0(member, max_header_size=_MAX_HEADER_SIZE)
            elif version == (2, 0):
                header = npy_format.read_array_header_2_0(member, max_header_size=_MAX_HEADER_SIZE)
            else:
                raise BadFile(f"array {_quoted(key)} has unsupported npy format version {version}")
            return Member(info, *header, member.tell())
    except BadFile:
        raise
    except _READ_ERRORS as exc:
        raise BadFile(f"array {_quoted(key)} has a damaged header ({one_line(exc)})") from None


def _check_dtype(key: str, dtype: np.dtype) -> None:
    """Numbers, booleans and (checked later against the reader's) strings; nothing else."""
    if dtype.kind not in _NUMBER_KINDS + "U" or dtype.fields is not None or dtype.subdtype:
        raise BadFile(
            f"array {_quoted(key)} has dtype {dtype.str} ({dtype}); files hold numbers, "
            "booleans and short strings only"
        )


def _check_members(archive: zipfile.ZipFile) -> dict[str, Member]:
    """Check every member's npy header (dtype, size) before any data is read."""
    infos = archive.infolist()
    if len(infos) > _MAX_MEMBERS:
        raise BadFile(f"the archive holds {len(infos)} members (a model has a few arrays)")
    members: dict[str, Member] = {}
    total = 0
    for info in infos:
        if not info.filename.endswith(".npy") or "/" in info.filename:
            raise BadFile(f"unexpected member {_quoted(info.filename)} (only .npy arrays belong)")
        key = info.filename[: -len(".npy")]
        if key in members:
            raise BadFile("the archive holds the same array twice")
        _check_compression(info, key)
        member = _read_header(archive, info, key)
        shape, dtype = member.shape, member.dtype
        if dtype.hasobject:  # its member holds a pickle, whose size no header declares
            raise BadFile(f"array {_quoted(key)} holds Python objects (pickled data is refused)")
        if any(d < 0 for d in shape):
            raise BadFile(f"array {_quoted(key)} declares a negative dimension, shape {shape}")
        total += member.nbytes
        if member.nbytes > MAX_ARRAY_BYTES or total > MAX_ARRAY_BYTES:
            raise BadFile(
                f"array {_quoted(key)} declares shape {shape} ({math.prod(shape)} elements of "
                f"{dtype}: {member.nbytes} bytes, more than the limit of {MAX_ARRAY_BYTES} "
                "bytes for all arrays together)"
            )
        # an npy member is its header and the array's bytes, nothing else: a member holding
        # less is damaged, one holding more hides data (a zip bomb need not be read to be
        # refused), and reading every declared byte makes zipfile check the member's CRC-32
        expected = member.header_size + member.nbytes
        if info.file_size != expected:
            only = "only " if info.file_size < expected else ""
            raise BadFile(
                f"array {_quoted(key)} declares shape {shape} of {dtype} but its member holds "
                f"{only}{info.file_size} bytes ({expected} expected: a {member.header_size}-"
                f"byte header and {member.nbytes} bytes of data)"
            )
        members[key] = member
    # the dtypes once every header is known sound (no data has been read either way)
    for key, member in members.items():
        _check_dtype(key, member.dtype)
    return members


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


class NpzArchive:
    """An ``.npz`` archive open for reading: every member's header is checked on opening
    (see the module docstring), the data of a member only when :meth:`read` asks for it.

    Parameters
    ----------
    file : binary file object
        The archive, open for reading and seekable (:func:`open_regular` gives one).

    Attributes
    ----------
    members : dict of str to Member
        The arrays' names (without ``.npy``) and their checked headers, in archive order.

    Raises
    ------
    BadFile
        If the file is no zip, or a member is no sound ``.npy`` array of an allowed dtype.
    """

    def __init__(self, file: IO[bytes]) -> None:
        try:
            self._zip = zipfile.ZipFile(file)
        except _READ_ERRORS as exc:
            raise BadFile(f"not a valid .npz (zip) archive ({one_line(exc)})") from None
        try:
            self.members = _check_members(self._zip)
        except BadFile:
            self._zip.close()
            raise
        except _READ_ERRORS as exc:
            self._zip.close()
            raise BadFile(f"not a valid .npz (zip) archive ({one_line(exc)})") from None

    def __enter__(self) -> NpzArchive:
        return self

    def __exit__(self, *exc: object) -> None:
        self._zip.close()

    def check_strings(self, strings: Mapping[str, int] | None) -> None:
        """Refuse string arrays the reader does not expect, before any is read.

        ``strings`` maps the names that may hold a string to their limits in bytes; None:
        any member may, all of them together at most :data:`MAX_STRING_BYTES`.
        """
        total = 0
        for key, member in self.members.items():
            if member.dtype.kind != "U":
                continue
            if strings is not None and key not in strings:
                raise BadFile(
                    f"array {_quoted(key)} holds strings ({member.dtype.str}), where only "
                    f"numbers belong (the strings of this file: {', '.join(sorted(strings))})"
                )
            limit = MAX_STRING_BYTES - total if strings is None else strings[key]
            total += member.nbytes
            if member.nbytes > limit:
                raise BadFile(
                    f"array {_quoted(key)} declares {member.nbytes} bytes of strings "
                    f"({member.dtype.str} of shape {member.shape}), more than the "
                    f"{limit} bytes left for its strings"
                )

    def read(self, key: str) -> np.ndarray:
        """The array ``key``, read into an array of exactly its declared size and checked
        against the member's CRC-32; in the machine's byte order."""
        member = self.members[key]
        array = np.empty(member.shape, member.dtype, order="F" if member.fortran_order else "C")
        # the array's bytes in memory order (a view): the data are read into it in chunks
        flat = array.ravel(order="K").view(np.uint8)
        try:
            with self._zip.open(member.info) as stream:
                stream.read(member.header_size)
                done = 0
                while done < flat.size:
                    chunk = stream.read(min(_CHUNK, flat.size - done))
                    if not chunk:
                        raise EOFError("the member ends before its data")
                    flat[done : done + len(chunk)] = np.frombuffer(chunk, np.uint8)
                    done += len(chunk)
                stream.read(1)  # at the end: zipfile checks the CRC-32 here at the latest
        except _READ_ERRORS as exc:
            raise BadFile(f"damaged array data ({one_line(exc)})") from None
        if not member.dtype.isnative:
            array = array.byteswap(inplace=True).view(member.dtype.newbyteorder("="))
        return array


def read_npz(
    file: IO[bytes],
    *,
    names: Callable[[str], bool] | None = None,
    strings: Mapping[str, int] | None = None,
    max_bytes: int | None = None,
) -> dict[str, np.ndarray]:
    """Every array of the ``.npz`` archive in the open binary ``file``, checked as the module
    docstring says; :class:`BadFile` saying what is wrong otherwise.

    Parameters
    ----------
    file : binary file object
        The archive, open for reading and seekable.
    names : callable, optional
        ``names(key)`` is true for the arrays the reader expects; any other is refused before
        any data is read. None: any name.
    strings : mapping of str to int, optional
        The arrays that may hold strings, each with its limit in bytes; None: any, all
        together at most :data:`MAX_STRING_BYTES`.
    max_bytes : int, optional
        The most bytes the numeric arrays may declare in all (a reader that knows how much
        data a file of its kind holds); refused before any data is read.
    """
    with NpzArchive(file) as archive:
        numeric = sum(m.nbytes for m in archive.members.values() if m.dtype.kind != "U")
        if max_bytes is not None and numeric > max_bytes:
            raise BadFile(
                f"its arrays declare {numeric} bytes of numbers, more than the {max_bytes} "
                "bytes a file of this kind can hold here"
            )
        if names is not None:
            unexpected = sorted(key for key in archive.members if not names(key))
            if unexpected:
                shown = ", ".join(_quoted(k) for k in unexpected[:10])
                raise BadFile(f"unexpected arrays {shown} (not arrays of this kind of file)")
        archive.check_strings(strings)
        return {key: archive.read(key) for key in archive.members}
