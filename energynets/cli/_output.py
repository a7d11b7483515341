"""What the ``energynets`` commands write and print: the output folder (checked, and locked
while a run uses it: :func:`output_folder`), the final files of a run published together
(:class:`Publication`), text and JSON files (written atomically by
:func:`energynets._npz.write_text`), the list of files written, wrapped help texts, one-line
error messages and values made fit for JSON.

An output folder in use holds the lock file LOCK_NAME (the pid and command line of the run,
locked with ``flock`` where the platform has it), so that a second run on the same folder is
refused at once, naming the first. The training commands and ``compare`` write their final
files into the hidden folder STAGING_NAME, then publish them: the manifest (MANIFEST_NAME,
every file with its size and SHA-256) is written there first, then each file is renamed into
the folder, the manifest last. A folder whose manifest lists files of the same sizes and
hashes holds a complete set; a publication cut short (Ctrl-C, a kill) is completed by the
next command run on the folder, and files staged but never published are removed.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import stat
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from energynets import _npz
from energynets._json import plain

#: The lock file of an output folder in use (its first line the run's pid, the second its
#: command line); removed when the run ends.
LOCK_NAME = ".energynets.lock"
#: The hidden folder in which a run writes its final files before publishing them.
STAGING_NAME = ".energynets-staging"
#: The list of the files of the last run published in an output folder, written last.
MANIFEST_NAME = "manifest.json"
#: The "format" of a manifest.
MANIFEST_FORMAT = "energynets-manifest-1"
#: The prefix of the file made and removed to see that an output folder is writable.
_PROBE_PREFIX = ".energynets-probe-"
#: The largest manifest read back (a manifest lists a few files: a larger one is not ours).
_MANIFEST_BYTES = 1 << 20


def use_agg() -> None:
    """Draw with matplotlib's Agg backend (no display needed)."""
    import matplotlib

    matplotlib.use("Agg")


# -- the output folder: created, checked writable, locked -------------------------------------


def _created_folders(folder: Path, name: str) -> list[Path]:
    """Create ``folder`` and its missing parents; return those it created, deepest first."""
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"--output {name!r} exists and is not a folder")
    missing = []
    for path in (folder, *folder.parents):
        if os.path.lexists(path):
            if not path.is_dir():
                raise ValueError(
                    f"--output {name!r} cannot be created: {os.fspath(path)!r} is not a folder"
                )
            break
        missing.append(path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise OSError(f"--output {name!r} cannot be created ({reason})") from None
    return missing


def _remove_if_empty(folders: Sequence[Path]) -> None:
    """Remove each of ``folders`` (deepest first) while it is empty."""
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:  # not empty (or gone): it stays, and so do its parents
            return


def _check_writable(folder: Path, name: str) -> None:
    """Make and remove a file in ``folder``: an error naming --output when it cannot."""
    import tempfile

    try:
        fd, probe = tempfile.mkstemp(prefix=_PROBE_PREFIX, dir=folder)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise OSError(
            f"--output {name!r} is not writable ({reason}); give a folder you can write to"
        ) from None
    os.close(fd)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(probe)


def _this_command() -> str:
    """The command line of this process, for the lock file."""
    import shlex

    words = list(sys.argv) or ["python"]
    if Path(words[0]).name in ("energynets", "__main__.py"):
        words[0] = "energynets"
    return shlex.join(words)


def _holder(fd: int) -> str:
    """Who holds the lock file ``fd``: "pid N: COMMAND", from what it holds."""
    try:
        text = os.pread(fd, 4096, 0).decode("utf-8", "replace")
    except OSError:
        text = ""
    pid, _, command = text.partition("\n")
    if not pid.strip().isdigit():
        return "its pid not yet written"
    command = " ".join(command.split())
    return f"pid {pid.strip()}" + (f": {command}" if command else "")


def _same_file(fd: int, path: Path) -> bool:
    """Whether ``path`` still names the file open as ``fd``."""
    try:
        here = os.stat(path)
    except OSError:
        return False
    there = os.fstat(fd)
    return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)


def _take_lock(path: Path, name: str) -> int | None:
    """Open and lock the lock file ``path`` (None where there is no ``flock``); a second run
    is refused at once, naming the run that holds it."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no lock, as in energynets.sweep
        return None
    for _ in range(100):  # the holder removes the file as it ends: open the new one
        try:  # never through a link; and a lock file that is no file is refused
            fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                os.close(fd)
                raise OSError(errno.EINVAL, "it is not a regular file")
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            raise OSError(
                f"--output {name!r}: cannot open its lock file {LOCK_NAME} ({reason})"
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            os.close(fd)
            raise ValueError(
                f"--output {name!r} is in use by another run ({holder}); wait for it to end, "
                "or give another --output"
            ) from None
        except OSError as exc:
            os.close(fd)
            reason = exc.strerror or type(exc).__name__
            raise OSError(f"--output {name!r}: cannot lock it ({reason})") from None
        if _same_file(fd, path):
            return fd
        os.close(fd)
    raise OSError(f"--output {name!r}: cannot lock it (its lock file keeps changing)")


@contextlib.contextmanager
def _locked(folder: Path, name: str) -> Iterator[None]:
    """Hold the lock of ``folder`` (its file holds this run's pid and command line)."""
    path = folder / LOCK_NAME
    fd = _take_lock(path, name)
    if fd is None:  # pragma: no cover - not POSIX
        yield
        return
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n{_this_command()}\n".encode(), 0)
        yield
    finally:
        # removed while still locked: a run that opened it meanwhile sees it gone (see
        # _take_lock) and makes a new one
        if _same_file(fd, path):
            with contextlib.suppress(OSError):
                os.unlink(path)
        os.close(fd)


@contextlib.contextmanager
def output_folder(name: str) -> Iterator[Path]:
    """The folder ``--output name``, created if missing, checked writable and locked while
    the block runs: one-line errors naming --output.

    A second run on the same folder is refused at once (a ValueError naming the pid and
    command line of the run that holds it). With the lock held, a publication of an earlier
    run cut short is completed, or its unpublished files removed (:class:`Publication`).
    When the block fails with an error, the folders this call created are removed again if
    they are empty, so that a run refused after this point leaves nothing behind.
    """
    folder = Path(name)
    created = _created_folders(folder, name)
    try:
        _check_writable(folder, name)
        with _locked(folder, name):
            finish_publication(folder)
            yield folder
    except Exception:
        _remove_if_empty(created)
        raise


# -- publishing a run's files together ---------------------------------------------------------


def _sha256(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _move(source: Path, target: Path) -> None:
    """Rename ``source`` over ``target``: one step of publishing (the tests interrupt it).
    Temporaries of ``target`` that a killed writer left beside it are removed first."""
    _npz.remove_stale_temporaries(os.fspath(target))
    os.replace(source, target)


def _fsync_folder(folder: Path) -> None:
    """Make the renames into ``folder`` durable (POSIX); a no-op where folders cannot be
    opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    with contextlib.suppress(OSError):
        os.fsync(fd)
    os.close(fd)


def _plain_name(name: Any) -> bool:
    """Whether ``name`` is a file name a manifest may list: no folder, not hidden."""
    return (
        isinstance(name, str)
        and bool(name)
        and not name.startswith(".")
        and os.path.basename(name) == name
        and "\0" not in name
        and name != MANIFEST_NAME
    )


def read_manifest(path: Path) -> dict[str, Any] | None:
    """The manifest at ``path`` when it is one (a regular file of at most 1 MiB holding
    MANIFEST_FORMAT and a list of files, each a plain name with its size and SHA-256), else
    None."""
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return None
        with open(path, "rb") as file:
            data = file.read(_MANIFEST_BYTES + 1)
        manifest = json.loads(data) if len(data) <= _MANIFEST_BYTES else None
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        return None
    files = manifest.get("files")
    if not isinstance(files, list) or not all(
        isinstance(f, dict)
        and _plain_name(f.get("name"))
        and isinstance(f.get("bytes"), int)
        and isinstance(f.get("sha256"), str)
        for f in files
    ):
        return None
    return manifest


def _matches(path: Path, entry: dict[str, Any]) -> bool:
    """Whether ``path`` is a regular file of the size and SHA-256 of the manifest's
    ``entry``."""
    try:
        info = os.lstat(path)
        return (
            stat.S_ISREG(info.st_mode)
            and info.st_size == entry["bytes"]
            and _sha256(path) == entry["sha256"]
        )
    except OSError:
        return False


def _publish_staged(folder: Path, manifest: dict[str, Any]) -> list[Path]:
    """Move the files of ``manifest`` (those still staged) from STAGING_NAME into ``folder``,
    the manifest last, and remove the staging folder; return the files published."""
    staging = folder / STAGING_NAME
    with contextlib.suppress(FileNotFoundError):  # the folder no longer claims a complete set
        os.unlink(folder / MANIFEST_NAME)
    names = [entry["name"] for entry in manifest["files"]]
    for name in names:
        if os.path.lexists(staging / name):
            _move(staging / name, folder / name)
    _move(staging / MANIFEST_NAME, folder / MANIFEST_NAME)
    _fsync_folder(folder)
    shutil.rmtree(staging, ignore_errors=True)
    return [folder / name for name in [*names, MANIFEST_NAME]]


def _remove(path: Path) -> None:
    """Remove the staging folder ``path`` and what it holds (a file or link: itself)."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    elif os.path.lexists(path):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def published_files(folder: Path) -> list[Path] | None:
    """The files of the last run published in ``folder`` (its manifest's, the manifest
    last) when each is there with the size and SHA-256 the manifest gives it, else None."""
    manifest = read_manifest(folder / MANIFEST_NAME)
    if manifest is None:
        return None
    if not all(_matches(folder / entry["name"], entry) for entry in manifest["files"]):
        return None
    return [folder / entry["name"] for entry in manifest["files"]] + [folder / MANIFEST_NAME]


def finish_publication(folder: Path) -> None:
    """Complete the publication of a run that was cut short in ``folder``, or remove the
    files it staged but never published (and the probes of writability left by a kill).

    The staged files are published when the staging folder holds a manifest whose every file
    is there, or already in ``folder``, with its size and SHA-256; otherwise nothing of them
    is, and the old files stay as they were. Called with the folder's lock held.
    """
    for probe in folder.glob(_PROBE_PREFIX + "*"):
        with contextlib.suppress(OSError):
            probe.unlink()
    staging = folder / STAGING_NAME
    if not os.path.lexists(staging):
        return
    manifest = read_manifest(staging / MANIFEST_NAME)
    complete = manifest is not None and all(
        _matches(staging / entry["name"], entry) or _matches(folder / entry["name"], entry)
        for entry in manifest["files"]
    )
    if manifest is not None and complete:
        _publish_staged(folder, manifest)
        print(
            f"Completed the publication of the files of an interrupted run in {folder} "
            f"(listed in {MANIFEST_NAME}).",
            file=sys.stderr,
        )
    elif manifest is not None:
        print(
            f"The files of an interrupted run in {folder} could not be completed (some were "
            "changed or removed); they were not published.",
            file=sys.stderr,
        )
    _remove(staging)


def _target_modes(folder: Path, names: Sequence[str]) -> dict[str, int | None]:
    """The permissions of the files ``names`` of ``folder`` that a publication replaces
    (None: none there yet); a ValueError naming --output when one is not a regular file."""
    modes: dict[str, int | None] = {}
    for name in names:
        try:
            info = os.lstat(folder / name)
        except FileNotFoundError:
            modes[name] = None
            continue
        if not stat.S_ISREG(info.st_mode):
            raise ValueError(
                f"--output {os.fspath(folder)!r} holds {name!r}, which is not a regular file "
                "(a folder, a link or a device); remove it or give another --output"
            )
        modes[name] = stat.S_IMODE(info.st_mode)
    return modes


class Publication:
    """The final files of a run, written into a hidden folder of ``folder``, then published
    together (see the module docstring)::

        publication = Publication(folder, "train-rbm", advice)
        with publication as staging:
            written = [write(staging / "rbm.npz"), ...]
            final = publication.publish(written)

    ``names``, the files the run will publish, are checked at once: each must be a regular
    file or absent in ``folder`` (a file replaced keeps its permissions). When the block
    fails before :meth:`publish` has written the manifest, the staged files are removed and
    ``folder`` keeps what it held; on Ctrl-C it says so, then ``advice()`` (e.g. how to
    resume). Cut short while publishing, the publication is completed by the next command
    run on ``folder`` (:func:`finish_publication`).
    """

    def __init__(
        self,
        folder: Path,
        command: str,
        advice: Callable[[], str] | None = None,
        names: Sequence[str] = (),
    ) -> None:
        self.folder = folder
        self.staging = folder / STAGING_NAME
        self.command = command
        self.advice = advice
        self.committed = False
        _target_modes(folder, [*names, MANIFEST_NAME])  # before any work: see publish

    def __enter__(self) -> Path:
        _remove(self.staging)
        self.staging.mkdir()
        self.committed = False
        return self.staging

    def publish(self, written: Sequence[Path]) -> list[Path]:
        """Publish the files ``written`` into the staging folder: return their paths in
        ``folder``, the manifest's last."""
        names = [Path(path).name for path in written]
        for path, name in zip(written, names, strict=True):
            if Path(path).parent != self.staging or not _plain_name(name):
                raise ValueError(f"{os.fspath(path)!r} is not a file of {self.staging}")
        for name, mode in _target_modes(self.folder, [*names, MANIFEST_NAME]).items():
            if mode is not None and name != MANIFEST_NAME:  # a file replaced keeps its mode
                os.chmod(self.staging / name, mode)
        manifest = {
            "format": MANIFEST_FORMAT,
            "command": self.command,
            "files": [
                {
                    "name": name,
                    "bytes": (self.staging / name).stat().st_size,
                    "sha256": _sha256(self.staging / name),
                }
                for name in names
            ],
        }
        write_json(manifest, self.staging / MANIFEST_NAME)  # from here on, it is published
        self.committed = True
        return _publish_staged(self.folder, manifest)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        interrupted = kind is not None and issubclass(kind, KeyboardInterrupt)
        if self.committed:
            if interrupted:
                print(
                    f"Interrupted while publishing the files in {self.folder}: the next "
                    "command run on it completes them (run the same command again).",
                    file=sys.stderr,
                )
            return
        _remove(self.staging)
        if interrupted:
            print(
                f"Interrupted while writing the files: none was published in {self.folder}.",
                file=sys.stderr,
            )
            if self.advice is not None:
                print(self.advice(), file=sys.stderr)


# -- files and messages ------------------------------------------------------------------------


def write_text(text: str, path: Path) -> Path:
    """Write ``text`` to ``path`` atomically; return ``path``."""
    from energynets import _npz

    return _npz.write_text(path, text)


def write_json(data: Any, path: Path) -> Path:
    """Write ``data`` as indented JSON, atomically; return ``path``."""
    return write_text(json.dumps(data, indent=2, allow_nan=False) + "\n", path)


def report(written: Sequence[Path]) -> None:
    """Print the files a command wrote."""
    print("Wrote:")
    for path in written:
        print(f"  {path}")


def wrap(text: str, indent: str = "") -> str:
    """``text`` filled to 78 columns (for parsers whose help text is printed as it is)."""
    import textwrap

    return textwrap.fill(text, 78, initial_indent=indent, subsequent_indent=indent)


def one_line(exc: BaseException) -> str:
    """The message of ``exc`` on one line (its type's name when it has none)."""
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


def jsonable(value: Any) -> Any:
    """``value`` with numpy scalars and arrays as Python numbers and lists, NaN and inf as
    None (JSON has neither)."""
    return plain(value, finite=True)
