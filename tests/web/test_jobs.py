"""Training jobs: a run in its own thread ends done, cancelled, timed out or failed, as its
work and its caller say; the server runs at most MAX_RUNNING_JOBS at once; a dropped session
cancels its tab's job."""

from __future__ import annotations

import threading

import pytest

from energynets.web import _limits as limits
from energynets.web._fields import ApiError
from energynets.web._jobs import Job, JobState, finite, start_job
from energynets.web._sessions import SessionStore


def counting(n_steps: int, release: threading.Event | None = None):
    """Work that publishes steps 1..n_steps (waiting for ``release`` before each, if given)
    and stops when asked."""

    def work(job: Job) -> None:
        for step in range(1, n_steps + 1):
            if release is not None:
                release.wait(10)
            job.publish(step / n_steps, {"step": step})
            if job.stopping:
                return

    return work


def test_a_job_runs_to_its_end_and_reports_its_last_snapshot():
    job = start_job(counting(25), seconds=60)
    job.thread.join(10)
    report = job.report()
    assert report["status"] == "done" and report["progress"] == 1.0
    assert report["step"] == 25 and report["error"] is None
    assert report["version"] == 26  # 25 snapshots and the end


def test_a_cancelled_job_stops_at_its_next_step_and_keeps_its_snapshot():
    release = threading.Event()
    job = start_job(counting(1000, release), seconds=60)
    job.cancel()
    release.set()
    job.thread.join(10)
    report = job.report()
    assert report["status"] == "cancelled"
    assert report["step"] == 1 and report["progress"] == pytest.approx(0.001)


def test_a_job_past_its_time_limit_stops():
    now = [0.0]

    def work(job: Job) -> None:
        for step in range(100):
            now[0] += 1.0  # each step takes a second of the fake clock
            job.publish(step / 100, {"step": step})
            if job.stopping:
                return

    job = Job(work, seconds=10.5, clock=lambda: now[0])
    job.thread.start()
    job.thread.join(10)
    assert job.status == "timed out"
    assert job.snapshot == {"step": 10}  # the first step that ended past 10.5 s


def test_a_failing_job_reports_its_error_and_frees_its_slot():
    def work(job: Job) -> None:
        raise ArithmeticError("the weights diverged")

    for _ in range(limits.MAX_RUNNING_JOBS + 1):  # a slot leaked by a failure would refuse one
        job = start_job(work, seconds=60)
        job.thread.join(10)
        assert job.status == "error"
        assert job.error == "ArithmeticError: the weights diverged"


def test_at_most_max_running_jobs_run_at_once():
    release = threading.Event()
    jobs = [start_job(counting(3, release), 60) for _ in range(limits.MAX_RUNNING_JOBS)]
    try:
        with pytest.raises(ApiError) as refused:
            start_job(counting(3), 60)
        assert refused.value.status == 429
        assert f"at most {limits.MAX_RUNNING_JOBS} trainings" in refused.value.message
    finally:
        release.set()
        for job in jobs:
            job.thread.join(10)
    job = start_job(counting(3), 60)  # the slots are free again
    job.thread.join(10)
    assert job.status == "done"


def test_wait_returns_at_the_next_change_or_after_its_timeout():
    release = threading.Event()
    job = start_job(counting(2, release), 60)
    first = job.wait(-1, 0.05)  # version 0 is past -1: at once
    assert first["version"] == 0 and first["status"] == "running"
    assert job.wait(0, 0.05)["version"] == 0  # nothing changed within the timeout
    release.set()
    job.thread.join(10)
    assert job.wait(0, 0.05)["status"] == "done"


def test_restart_cancels_the_tabs_running_job():
    state = JobState()
    with pytest.raises(ApiError) as missing:
        state.current()
    assert missing.value.status == 409
    release = threading.Event()
    state.restart(counting(100, release))
    first = state.current()
    release.set()
    state.restart(counting(1))
    assert first.status == "cancelled" and state.current() is not first
    state.current().thread.join(10)
    assert state.current().status == "done"


def test_a_dropped_session_cancels_its_job():
    store = SessionStore(max_sessions=1, ttl=60)
    release = threading.Event()
    state = store.get("first-tab").state("rbm", JobState)
    state.restart(counting(100, release))
    store.get("second-tab")  # the store is full: the first tab's session is dropped
    release.set()
    state.current().thread.join(10)
    assert state.current().status == "cancelled"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1.5, 1.5), (float("nan"), None), (float("inf"), None), (-float("inf"), None), (0, 0.0)],
)
def test_finite(value, expected):
    assert finite(value) == expected
