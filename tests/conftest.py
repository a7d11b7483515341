"""Shared test configuration.

The autouse fixtures below fail any test that draws from (or reseeds) numpy's global random
state (every random number in energynets must come from an explicit ``rng``), and make every
download attempt fail as it would offline (tests never touch the network; the download tests
install fake mirrors).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import settings

settings.register_profile("ci", max_examples=60, deadline=None, derandomize=True)
settings.register_profile("dev", max_examples=30, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


def _global_state() -> tuple:
    state = np.random.get_state(legacy=False)  # noqa: NPY002 - reading it is the point
    assert isinstance(state, dict)
    return (state["bit_generator"], repr(state["state"]), state["has_gauss"], state["gauss"])


@pytest.fixture(autouse=True)
def _no_global_numpy_random():
    before = _global_state()
    yield
    after = _global_state()
    if after != before:
        pytest.fail(
            "the test touched numpy's global random state (np.random.*); "
            "use an explicit rng (int seed or np.random.Generator) instead"
        )


@pytest.fixture(autouse=True)
def _offline(monkeypatch):
    from energynets import datasets

    def unreachable(url, timeout=None):
        raise OSError(f"network disabled in the tests: {url}")

    monkeypatch.setattr(datasets, "_urlopen", unreachable)


@pytest.fixture
def data_home() -> Path:
    """The folder of MNIST / Fashion-MNIST files (ENERGYNETS_DATA); skip if absent."""
    env = os.environ.get("ENERGYNETS_DATA")
    if not env or not Path(env, "mnist", "train-labels-idx1-ubyte.gz").is_file():
        pytest.skip("ENERGYNETS_DATA does not point at the MNIST files")
    return Path(env)
