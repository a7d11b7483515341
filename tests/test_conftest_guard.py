"""The global-random-state guard of conftest.py must be able to fail."""

from pathlib import Path

pytest_plugins = ["pytester"]


def test_guard_fails_a_test_that_uses_global_random(pytester):
    pytester.makeconftest((Path(__file__).parent / "conftest.py").read_text())
    pytester.makepyfile(
        """
        import numpy as np

        def test_uses_global():
            np.random.rand()

        def test_clean():
            np.random.default_rng(0).random()
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    # the offending test runs, then the guard errors at teardown; the clean one is untouched
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*ERROR at teardown of test_uses_global*"])
    assert "global random state" in result.stdout.str()
