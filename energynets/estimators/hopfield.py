"""The scikit-learn front of the Hopfield network: store patterns with ``fit``, recall with
``predict``."""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass
from typing import Any, ClassVar

import numpy as np

from energynets.estimators._base import Estimator, as_generator, check_fitted
from energynets.estimators._params import Constraint, Integer, OneOf, Real, check_params
from energynets.learning.hopfield_rules import RULES
from energynets.models.hopfield import HopfieldNetwork

__all__ = ["HopfieldMemory"]


@dataclass(eq=False, repr=False)
class HopfieldMemory(Estimator):
    """An associative memory: ``fit`` stores patterns in a Hopfield network, ``predict``
    recalls.

    The rows of X are binarised into spins, s = +1 where x > ``threshold`` and -1 elsewhere
    (so 0/1 bits and +-1 spins both map as expected with the default threshold 0), and
    stored with a learning rule (:meth:`energynets.HopfieldNetwork.from_patterns`). ``predict``
    binarises its probes the same way and relaxes them under the network's dynamics
    (:meth:`energynets.HopfieldNetwork.recall`), descending the energy
    E(s) = -1/2 s^T W s.

    Parameters
    ----------
    rule : {"hebbian", "storkey", "pseudoinverse"}
        The storage rule: Hebbian W = X^T X / N (Hopfield 1982), Storkey (1997), or the
        projector onto the patterns' span (Personnaz et al. 1985).
    threshold : float
        Values of X above it become +1 spins, the others -1.
    dynamics : {"async", "sync"}
        Asynchronous (one unit at a time, random order) or synchronous updates.
    temperature : float >= 0
        0: deterministic descent to a fixed point; T > 0: Glauber dynamics for exactly
        ``max_sweeps`` sweeps.
    max_sweeps : int >= 1
        Upper bound on the sweeps of a recall.
    random_state : int, Generator, SeedSequence, RandomState or None
        Converted once in ``fit``, where it draws :attr:`recall_seed_`.

    Attributes
    ----------
    network_ : energynets.HopfieldNetwork
        The network, with its weights (n_features, n_features) and the stored patterns.
    patterns_ : ndarray, shape (n_patterns, n_features)
        The stored spins (read-only).
    recall_seed_ : int
        Seed of the random visiting order of every ``predict``: recall is a deterministic
        function of the fitted memory and the probes, and at temperature 0 the recall of a
        probe does not depend on the other probes of the batch.
    n_features_in_ : int

    Notes
    -----
    ``fit`` stores X; it does not add to the patterns of an earlier fit (use
    ``network_.store`` for that).

    Examples
    --------
    >>> import energynets as en
    >>> patterns = en.datasets.random_patterns(3, 64, rng=0)
    >>> memory = HopfieldMemory(random_state=0).fit(patterns)
    >>> probes = en.corrupt(patterns, 0.1, rng=1)
    >>> bool((memory.predict(probes) == patterns).all())
    True

    References
    ----------
    Hopfield, J. J. (1982). Neural networks and physical systems with emergent collective
    computational abilities. PNAS 79, 2554-2558.
    """

    rule: str = "hebbian"
    _: KW_ONLY
    threshold: float = 0.0
    dynamics: str = "async"
    temperature: float = 0.0
    max_sweeps: int = 100
    random_state: Any = None

    _parameter_checks: ClassVar[dict[str, Constraint]] = {
        "rule": OneOf(RULES),
        "threshold": Real(),
        "dynamics": OneOf(("async", "sync")),
        "temperature": Real(0.0),
        "max_sweeps": Integer(1),
    }

    def _spins(self, X: np.ndarray) -> np.ndarray:
        return np.where(X > self.threshold, 1.0, -1.0)

    def fit(self, X: Any, y: Any = None) -> HopfieldMemory:
        """Store the rows of X.

        Parameters
        ----------
        X : array_like, shape (n_patterns, n_features)
            Patterns, binarised at ``threshold``. Not modified.
        y : ignored

        Returns
        -------
        self
        """
        p = check_params(self)
        arr = self._check_X(X, reset=True)
        gen = as_generator(self.random_state)
        spins = np.where(arr > p["threshold"], 1.0, -1.0)
        self.network_ = HopfieldNetwork.from_patterns(spins, p["rule"])
        self.recall_seed_ = int(gen.integers(2**63))
        return self

    @property
    def patterns_(self) -> np.ndarray:
        patterns = self.network_.patterns
        assert patterns is not None  # from_patterns keeps them
        return patterns

    def predict(self, X: Any) -> np.ndarray:
        """Recall: relax each probe under the network's dynamics.

        Parameters
        ----------
        X : array_like, shape (n_probes, n_features)
            Probes, binarised at ``threshold``. Not modified.

        Returns
        -------
        ndarray, shape (n_probes, n_features)
            The final states, spins +-1 (float64).
        """
        check_fitted(self, "network_")
        arr = self._check_X(X, reset=False)
        result = self.network_.recall(
            self._spins(arr),
            dynamics=self.dynamics,
            temperature=self.temperature,
            max_sweeps=self.max_sweeps,
            rng=self.recall_seed_,
        )
        return result.states

    def energy(self, X: Any) -> np.ndarray:
        """The energy E(s) = -1/2 s^T W s - b^T s of each (binarised) row, shape (n_samples,)."""
        check_fitted(self, "network_")
        arr = self._check_X(X, reset=False)
        return np.asarray(self.network_.energy(self._spins(arr)))
