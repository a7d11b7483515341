"""A Dask worker's allocation made fast again: with MALLOC_TRIM_THRESHOLD_ set (as Dask's nanny
sets it) glibc maps every block above 128 KiB fresh from the kernel, so each NumPy temporary of
a megabyte costs its 256 page faults; after :func:`energynets._workers.undo_malloc_trimming`
(which the first task of a sweep calls in its worker) the blocks are reused from the heap.
Counted by the kernel (minor page faults), in a child process started with that environment."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or os.confstr("CS_GNU_LIBC_VERSION") is None,
    reason="glibc's mallopt on Linux only",
)

CHILD = """
import resource, sys
import numpy as np
from energynets._workers import undo_malloc_trimming

def faults():
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(200):
        a = np.ones(1 << 17)  # 1 MiB, written: every page touched
        del a
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before

first = faults()
changed = undo_malloc_trimming()
faults()  # the heap grows once to hold the block
after = faults()
print(first, int(changed), after, int(undo_malloc_trimming()))
"""


def run_child(environment: dict[str, str]) -> list[int]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    env.update(environment)
    out = subprocess.run(
        [sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, check=True
    )
    return [int(x) for x in out.stdout.split()]


def test_a_trimming_worker_maps_every_megabyte_afresh_until_undone():
    first, changed, after, again = run_child({"MALLOC_TRIM_THRESHOLD_": "65536"})
    assert first >= 200 * 256 * 0.9  # 200 blocks of 256 pages, each page faulted in anew
    assert changed == 1 and again == 0  # set once per process
    assert after < first / 20


@pytest.mark.parametrize(
    "environment",
    [{}, {"MALLOC_TRIM_THRESHOLD_": "65536", "MALLOC_MMAP_THRESHOLD_": "131072"}],
    ids=["no trimming asked", "the user's own mmap threshold"],
)
def test_nothing_changes_where_the_environment_did_not_ask_for_trimming(environment):
    _, changed, _, _ = run_child(environment)
    assert changed == 0
