"""Background jobs: a training run in a thread of its own, with progress, a time limit and
cancellation.

A page that trains (the RBM page, the EP-against-backprop page) starts a :class:`Job` with a
``work(job)`` function. The work runs in a daemon thread and calls :meth:`Job.publish` after
each step with its progress in [0, 1] and a JSON-ready snapshot (the curves so far, the
filters, the samples), and ends at the first step where :attr:`Job.stopping` is true: the job
was cancelled or has run past its time limit (a trainer's callback returns it, which stops
the training after that epoch). The last snapshot stays.
The page reads :meth:`Job.report` (the ``progress`` action) or follows the reports as they
come (:meth:`Job.wait`, behind the server's event stream).

At most :data:`~energynets.web._limits.MAX_RUNNING_JOBS` jobs run at once in the process,
whatever the number of tabs: a job asked for beyond that is refused with a 429 answer, so that
the server stays responsive on a small machine.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import Any

from energynets.web import _limits as limits
from energynets.web._fields import ApiError
from energynets.web._page import Action

__all__ = ["JOB_ACTIONS", "Job", "JobState", "cancel", "finite", "progress", "start_job"]

#: The jobs running now, in this process (each holds one slot until its thread ends).
_SLOTS = threading.BoundedSemaphore(limits.MAX_RUNNING_JOBS)

#: The states a job goes through: running, then one of the others.
RUNNING, DONE, CANCELLED, TIMED_OUT, FAILED = "running", "done", "cancelled", "timed out", "error"


class Job:
    """One background run: its status, progress, latest snapshot and cancel flag.

    Parameters
    ----------
    work : callable
        ``work(job)``, run in the job's thread; it calls ``job.publish(progress, snapshot)``
        after each step and returns when it is done or ``job.stopping`` is true.
    seconds : float
        The time limit, after which ``job.stopping`` is true.
    clock : callable
        Seconds, monotonic (a test may pass its own).
    on_end : callable, optional
        Called in the job's thread when the work has ended, however it ended.
    """

    def __init__(
        self,
        work: Callable[[Job], None],
        seconds: float,
        clock: Callable[[], float] = time.monotonic,
        on_end: Callable[[], None] | None = None,
    ) -> None:
        self._work = work
        self._on_end = on_end
        self._seconds = seconds
        self._clock = clock
        self._started = clock()
        self._changed = threading.Condition()
        self._cancel = threading.Event()
        self.status = RUNNING
        self.progress = 0.0
        self.snapshot: dict[str, Any] = {}
        self.error: str | None = None
        self.version = 0  # counts the changes, so that a follower sees each one
        self.thread = threading.Thread(target=self._run, name="energynets-job", daemon=True)

    def _run(self) -> None:
        error = None
        try:
            self._work(self)
            status = DONE
            if self._cancel.is_set():
                status = CANCELLED
            elif self.elapsed() > self._seconds:
                status = TIMED_OUT
        except Exception as exc:  # reported to the page; the server goes on
            status, error = FAILED, f"{type(exc).__name__}: {str(exc)[:300]}"
        finally:
            if self._on_end is not None:
                self._on_end()
        with self._changed:
            self.status, self.error = status, error
            if status == DONE:
                self.progress = 1.0
            self.version += 1
            self._changed.notify_all()

    @property
    def running(self) -> bool:
        """Whether the job's thread is still at work."""
        return self.status == RUNNING

    def elapsed(self) -> float:
        """Seconds since the job started."""
        return self._clock() - self._started

    @property
    def stopping(self) -> bool:
        """Whether the work should stop now: cancelled, or past its time limit."""
        return self._cancel.is_set() or self.elapsed() > self._seconds

    def publish(self, progress: float, snapshot: dict[str, Any]) -> None:
        """Record the work's progress in [0, 1] and its latest snapshot (called by the work)."""
        with self._changed:
            self.progress = min(max(float(progress), 0.0), 1.0)
            self.snapshot = snapshot
            self.version += 1
            self._changed.notify_all()

    def cancel(self) -> None:
        """Ask the work to stop at its next step (its thread ends soon after)."""
        self._cancel.set()

    def report(self) -> dict[str, Any]:
        """The job's state as JSON: status, progress, seconds, error, and the snapshot."""
        with self._changed:
            return {
                **self.snapshot,
                "status": self.status,
                "progress": self.progress,
                "seconds": round(self.elapsed(), 3),
                "time_limit": self._seconds,
                "error": self.error,
                "version": self.version,
            }

    def wait(self, version: int, timeout: float) -> dict[str, Any]:
        """The report once the job has changed past ``version`` (or after ``timeout``
        seconds, whichever comes first)."""
        with self._changed:
            self._changed.wait_for(lambda: self.version > version, timeout)
        return self.report()


def start_job(work: Callable[[Job], None], seconds: float) -> Job:
    """Start ``work`` in a new :class:`Job` limited to ``seconds``, if a slot is free.

    Raises
    ------
    ApiError
        429 when :data:`~energynets.web._limits.MAX_RUNNING_JOBS` jobs are running already.
    """
    if not _SLOTS.acquire(blocking=False):
        raise ApiError(
            429,
            f"the server runs at most {limits.MAX_RUNNING_JOBS} trainings at once; cancel one "
            "or wait for it to end",
        )
    job = Job(work, seconds, on_end=_SLOTS.release)
    try:
        job.thread.start()
    except BaseException:
        _SLOTS.release()
        raise
    return job


def finite(value: float) -> float | None:
    """``value`` as a float, or None (JSON's null) when it is not finite: a curve of a run
    that diverged stays valid JSON."""
    number = float(value)
    return number if math.isfinite(number) else None


class JobState:
    """The state of a page that trains: the tab's latest job (pages subclass it)."""

    def __init__(self) -> None:
        self.job: Job | None = None

    def close(self) -> None:
        """Cancel the running job (the session is dropped)."""
        if self.job is not None:
            self.job.cancel()

    def restart(self, work: Callable[[Job], None]) -> dict[str, Any]:
        """Cancel the tab's running job (waiting a little for it), start ``work``; its report."""
        if self.job is not None and self.job.running:
            self.job.cancel()
            self.job.thread.join(timeout=5.0)
        self.job = start_job(work, limits.MAX_TRAINING_SECONDS)
        return self.job.report()

    def current(self) -> Job:
        """The tab's latest job, or ApiError 409 when it has none."""
        if self.job is None:
            raise ApiError(409, "no training in this session yet; start one first (train)")
        return self.job


def progress(state: JobState, values: dict[str, Any]) -> dict[str, Any]:
    """The report of this tab's job."""
    return state.current().report()


def cancel(state: JobState, values: dict[str, Any]) -> dict[str, Any]:
    """Tell this tab's job to stop; its report."""
    job = state.current()
    job.cancel()
    return job.report()


#: The actions every training page has: ``progress`` and ``cancel``.
JOB_ACTIONS = {"progress": Action({}, progress), "cancel": Action({}, cancel)}
