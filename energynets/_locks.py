"""Exclusive locks on open files that only the locking process holds, and stale locks named.

A POSIX ``flock`` lock belongs to the open file description, and a forked child shares its
parent's descriptions: a pool worker forked while a sweep holds its results file kept the file
locked after the sweep was killed, so that the documented resume (run the same command again)
found the file "in use" for as long as the orphaned worker lived. :func:`lock_exclusive`
therefore registers each file it locks, and a fork handler (:func:`os.register_at_fork`)
points the child's copy of the descriptor at ``/dev/null`` before any other code runs in the
child: only the process that took the lock holds it, and the kernel releases it when that
process ends, however it ends (``spawn`` and ``forkserver`` children, and ``subprocess``, never
receive the descriptor: Python opens files non-inheritable).

A lock still held by a process that is gone (a lock taken before this guard existed, or a
descriptor passed on by code outside Python) is recognised: :class:`FileInUse` then lists the
left-over processes that hold it, found in ``/proc`` (Linux; elsewhere the list is empty).

What it leaves out: platforms without ``fcntl`` (no lock is taken there), and locks on network
file systems whose holders are on other machines.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any

__all__ = ["FileInUse", "lock_exclusive", "unlock_and_close"]

#: How long a lock whose owner is gone is retried before its holders are reported: orphaned
#: workers that watch their parent (energynets._workers) end within a second.
STALE_WAIT = 3.0

#: fd -> (st_dev, st_ino) of the files this process holds locked through lock_exclusive.
_HELD: dict[int, tuple[int, int]] = {}
_HELD_GUARD = threading.Lock()


class FileInUse(Exception):
    """The file is locked by another process.

    Attributes
    ----------
    leftover : tuple of int
        The processes that hold the lock although the process that took it is gone (the
        orphans of a killed run); empty when the lock's owner is running.
    """

    def __init__(self, leftover: tuple[int, ...] = ()) -> None:
        super().__init__(leftover)
        self.leftover = leftover


def _identity(fd: int) -> tuple[int, int]:
    st = os.fstat(fd)
    return st.st_dev, st.st_ino


def _release_in_child() -> None:
    """After a fork, in the child: drop the child's share of every lock of the parent by
    pointing those descriptors at /dev/null (the numbers stay taken, so that a file object
    closing its descriptor later closes /dev/null and nothing else)."""
    if not _HELD:
        return
    null = os.open(os.devnull, os.O_RDWR)
    try:
        for fd, identity in list(_HELD.items()):
            try:
                if _identity(fd) == identity:
                    os.dup2(null, fd, inheritable=False)
            except OSError:
                pass
    finally:
        os.close(null)
    _HELD.clear()


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(after_in_child=_release_in_child)


def lock_exclusive(file: Any, *, stale_wait: float | None = None) -> None:
    """Take an exclusive lock on the open ``file`` that only this process holds.

    Parameters
    ----------
    file : binary file object
        Open on a regular file; keep it open while the lock is needed and release both with
        :func:`unlock_and_close`.
    stale_wait : float, optional
        Seconds to keep trying when the process that took the lock is gone (its orphans
        hold it, and may be ending); default :data:`STALE_WAIT`.

    Raises
    ------
    FileInUse
        Another process holds the lock (``leftover`` names the orphans of a killed process).
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no lock
        return
    fd = file.fileno()
    deadline = time.monotonic() + (STALE_WAIT if stale_wait is None else stale_wait)
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            leftover = _leftover_holders(fd)
            if leftover is None:
                raise FileInUse() from None
            if time.monotonic() >= deadline:
                raise FileInUse(leftover) from None
            time.sleep(0.1)
            continue
        with _HELD_GUARD:
            _HELD[fd] = _identity(fd)
        return


def unlock_and_close(file: Any) -> None:
    """Close a file locked by :func:`lock_exclusive` (which releases its lock)."""
    with _HELD_GUARD:
        if not file.closed:
            _HELD.pop(file.fileno(), None)
    file.close()


# -- stale locks (Linux /proc) ------------------------------------------------------------------


def _running(pid: int) -> bool:
    """Whether process ``pid`` exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rfind(")") + 2 :].split(" ", 1)[0] != "Z"


def _lock_owner(identity: tuple[int, int]) -> int | None:
    """The pid that took the FLOCK lock on the file of ``identity`` (/proc/locks), or None."""
    dev, ino = identity
    want = f"{os.major(dev):02x}:{os.minor(dev):02x}:{ino}"
    try:
        text = Path("/proc/locks").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        fields = line.split()
        # "1: FLOCK  ADVISORY  WRITE 27583 fe:00:2146357 0 EOF"
        if len(fields) >= 6 and fields[1] == "FLOCK" and fields[5] == want:
            try:
                return int(fields[4])
            except ValueError:
                return None
    return None


def _leftover_holders(fd: int) -> tuple[int, ...] | None:
    """None while the owner of the lock on ``fd``'s file runs (or nothing can be told: not
    Linux); else the other processes that have the file open (those that hold the lock)."""
    identity = _identity(fd)
    owner = _lock_owner(identity)
    if owner is None or _running(owner):
        return None
    holders = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            fds = list((entry / "fd").iterdir())
        except OSError:  # gone, or another user's
            continue
        for link in fds:
            try:
                st = os.stat(link)
            except OSError:
                continue
            if (st.st_dev, st.st_ino) == identity:
                holders.append(int(entry.name))
                break
    return tuple(sorted(holders))
