"""The set-up of the worker processes of a local pool: one BLAS thread each, and no worker
outlives the process that started the pool; and, in any worker (a Dask worker included),
memory allocation as fast as glibc's defaults make it.

A worker of a :class:`~concurrent.futures.ProcessPoolExecutor` whose parent was killed
(SIGKILL, SIGTERM) used to run on for minutes, finishing queued tasks nobody would read and
then waiting forever. :func:`init_worker` asks the kernel to kill the worker when its parent
ends (Linux ``prctl(PR_SET_PDEATHSIG, SIGKILL)``), and starts a thread that ends the worker
when its parent changes (the portable fallback: an orphan is adopted by another process) or,
for a ``forkserver`` worker, whose parent is the fork server, when the process that made the
pool has ended (the fork server lives on while any of its workers does).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

__all__ = ["init_worker", "undo_malloc_trimming"]

# -- allocation ------------------------------------------------------------------------------
#: glibc's ``mallopt`` parameters (<malloc.h>).
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
#: The ceiling glibc's adaptive mmap threshold grows to on 64-bit systems
#: (DEFAULT_MMAP_THRESHOLD_MAX), and the trim threshold it keeps beside it (twice as much).
MMAP_THRESHOLD = 32 << 20
TRIM_THRESHOLD = 2 * MMAP_THRESHOLD
_allocation_checked = False


def undo_malloc_trimming() -> bool:
    """Give back glibc's adaptive allocation to a process started with MALLOC_TRIM_THRESHOLD_.

    Dask's nanny starts every worker with ``MALLOC_TRIM_THRESHOLD_=65536`` (so that freed
    memory goes back to the system at once). Setting any threshold by hand turns off glibc's
    adaptive mmap threshold, which stays at 128 KiB: every NumPy temporary above that is then
    mapped fresh from the kernel and unmapped when freed, so each one costs a page fault per
    4 KiB page. The capacity cells of a sweep (arrays of 0.3 to 1.3 MB, made and freed many
    times a task) ran about 2.5x slower on such a worker than in a process pool. This sets the
    two thresholds where glibc's adaptation would take them (mmap above 32 MiB, trim above
    64 MiB), once per process, when the environment asked for trimming and did not set the
    mmap threshold itself; elsewhere (another C library, another platform) it does nothing.

    Returns
    -------
    bool
        Whether the thresholds were set (only the first call in a process can).

    References
    ----------
    The GNU C Library manual, "Memory Allocation Tunables" and ``mallopt(3)``: a threshold set
    explicitly disables the dynamic adjustment of the mmap threshold.
    """
    global _allocation_checked
    if _allocation_checked:
        return False
    _allocation_checked = True
    environ = os.environ
    if not sys.platform.startswith("linux") or "MALLOC_TRIM_THRESHOLD_" not in environ:
        return False
    if "MALLOC_MMAP_THRESHOLD_" in environ:  # the user's own choice
        return False
    try:
        import ctypes

        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # pragma: no cover - no C library mallopt
        return False
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )


#: prctl option of <linux/prctl.h>: the signal a process gets when its parent ends.
_PR_SET_PDEATHSIG = 1

#: Seconds between two looks at the parent process.
_WATCH_INTERVAL = 0.5


def init_worker(starter: int, start_method: str) -> None:
    """Pool initializer: end with the parent process, one BLAS thread.

    Parameters
    ----------
    starter : int
        The pid of the process that made the pool (the parent of a ``fork`` or ``spawn``
        worker; a ``forkserver`` worker's parent is the fork server, which ends with it).
    start_method : str
        The pool's multiprocessing start method.
    """
    _die_with_parent(starter, start_method)
    _one_blas_thread()


def _die_with_parent(starter: int, start_method: str) -> None:
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - no libc prctl
            pass
    # a fork server's worker watches the pool's maker itself, not only its parent
    watched = starter if start_method == "forkserver" else None
    # the parent may have ended before the request above: then this process was adopted
    if _orphaned(parent, watched) or (watched is None and parent != starter):
        os._exit(1)
    threading.Thread(
        target=_watch, args=(parent, watched), name="energynets-watch-parent", daemon=True
    ).start()


def _orphaned(parent: int, starter: int | None) -> bool:
    """Whether this process has another parent than ``parent``, or ``starter`` (if given)
    has ended."""
    return os.getppid() != parent or (starter is not None and not _running(starter))


def _watch(parent: int, starter: int | None) -> None:
    """End this process once it is orphaned (see :func:`_orphaned`)."""
    while not _orphaned(parent, starter):
        time.sleep(_WATCH_INTERVAL)
    os._exit(1)


def _running(pid: int) -> bool:
    """Whether process ``pid`` runs: it exists and, where /proc tells, is not a zombie (ended,
    not yet reaped by its parent)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's: a reused pid, but not for us to judge
        return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            text = stat.read()
    except FileNotFoundError:
        return False
    except OSError:  # no /proc
        return True
    return text[text.rfind(b")") + 2 : text.rfind(b")") + 3] != b"Z"


def _one_blas_thread() -> None:
    """One BLAS thread per worker process, so that k workers on k cores do not oversubscribe
    them (what Dask's nanny does with OMP/OPENBLAS/MKL_NUM_THREADS=1). Needs threadpoolctl;
    without it the workers keep the BLAS default."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    threadpool_limits(1)
