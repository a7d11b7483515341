"""scikit-learn's own ``neural_network/tests/test_rbm.py``, run against energynets.estimators.

The installed file is executed with its ``from sklearn.neural_network import ...`` changed to
``from energynets.estimators import ...`` (see :mod:`tests.sklearn_suite._suite`); its test
functions are collected here with scikit-learn's parametrize marks. The items that fail are
listed, each with its reason, in :mod:`tests.sklearn_suite.expected_failures` and marked as
strict expected failures, so a change in the number of passing items fails the run until the
list is updated.
"""

from __future__ import annotations

from tests.sklearn_suite._suite import install_suite
from tests.sklearn_suite.expected_failures import RBM_EXPECTED_FAILURES

install_suite(globals(), "test_rbm.py", RBM_EXPECTED_FAILURES)
