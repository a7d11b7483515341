"""energynets: Hopfield networks, Boltzmann machines and backprop networks on one energy core.

Every model is an energy over states; learning rules, dynamics, samplers, the exact oracle and
the metrics are functions of that energy. See https://github.com/energynets/energynets and the
documentation for the guided tour.

Importing the package has no side effects: no random state is touched, no file is written,
matplotlib and the command line are loaded only when used.
"""

from __future__ import annotations

from energynets import datasets, exact, io, states
from energynets.models.hopfield import HopfieldNetwork
from energynets.sampling.dynamics import RecallResult
from energynets.states import all_states, corrupt, overlap, to_bits, to_spins

__version__ = "0.1.0"

__all__ = [
    "HopfieldNetwork",
    "RecallResult",
    "__version__",
    "all_states",
    "corrupt",
    "datasets",
    "exact",
    "io",
    "overlap",
    "states",
    "to_bits",
    "to_spins",
]
