"""The set-up of the worker processes of a local pool: one BLAS thread each, and no worker
outlives the process that started the pool.

A worker of a :class:`~concurrent.futures.ProcessPoolExecutor` whose parent was killed
(SIGKILL, SIGTERM) used to run on for minutes, finishing queued tasks nobody would read and
then waiting forever. :func:`init_worker` asks the kernel to kill the worker when its parent
ends (Linux ``prctl(PR_SET_PDEATHSIG, SIGKILL)``), and starts a thread that ends the worker
when its parent changes (the portable fallback: an orphan is adopted by another process).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

__all__ = ["init_worker"]

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
    # the parent may have ended before the request above: then this process was adopted
    if os.getppid() != parent or (start_method != "forkserver" and parent != starter):
        os._exit(1)
    threading.Thread(
        target=_watch_parent, args=(parent,), name="energynets-watch-parent", daemon=True
    ).start()


def _watch_parent(parent: int) -> None:
    """End this process once it has another parent (the first one ended)."""
    while os.getppid() == parent:
        time.sleep(_WATCH_INTERVAL)
    os._exit(1)


def _one_blas_thread() -> None:
    """One BLAS thread per worker process, so that k workers on k cores do not oversubscribe
    them (what Dask's nanny does with OMP/OPENBLAS/MKL_NUM_THREADS=1). Needs threadpoolctl;
    without it the workers keep the BLAS default."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    threadpool_limits(1)
