"""What scikit-learn's conftest gives its test files, and the expected failures as marks.

Only what ``neural_network/tests/test_rbm.py`` and ``test_mlp.py`` use: the
``global_random_seed`` fixture (parametrized with scikit-learn's default seed, 42, so the
test ids are scikit-learn's) and the ``thread_unsafe`` marker (registered so that
``--strict-markers`` accepts it). Each suite module names its expected failures in
``EXPECTED_FAILURES`` (test id -> reason); they become strict ``xfail`` marks here.
"""

from __future__ import annotations

import pytest

#: scikit-learn's default value of its ``global_random_seed`` fixture.
GLOBAL_RANDOM_SEED = 42


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "thread_unsafe: scikit-learn's mark for tests that cannot run in threads"
    )


def pytest_generate_tests(metafunc):
    if "global_random_seed" in metafunc.fixturenames:
        metafunc.parametrize("global_random_seed", [GLOBAL_RANDOM_SEED])


def pytest_collection_modifyitems(config, items):
    for item in items:
        module = getattr(item, "module", None)
        expected = getattr(module, "EXPECTED_FAILURES", None)
        if expected is not None and item.name in expected:
            item.add_marker(pytest.mark.xfail(reason=expected[item.name], strict=True))
