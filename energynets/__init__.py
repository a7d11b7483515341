"""energynets: Hopfield networks, Boltzmann machines and backprop networks on one energy core.

Every model is an energy over states; learning rules, dynamics, samplers, the exact oracle and
the metrics are functions of that energy.

Importing the package has no side effects: no random state is touched, no file is written,
and scipy, matplotlib and the command line are loaded only when first used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from energynets import datasets, exact, io, sampling, states
from energynets.learning.backprop import fit_mlp, gradient_check
from energynets.learning.boltzmann_rule import fit_boltzmann
from energynets.learning.contrastive import fit_rbm
from energynets.learning.divergence import TrainingDiverged
from energynets.models.boltzmann import BoltzmannMachine
from energynets.models.continuous import ContinuousHopfield
from energynets.models.dense import DenseAssociativeMemory, ModernHopfield
from energynets.models.hopfield import HopfieldNetwork
from energynets.models.mlp import MLP
from energynets.models.rbm import RBM
from energynets.sampling.ais import ais, log_likelihood_bounds, reverse_ais
from energynets.sampling.dynamics import RecallResult
from energynets.states import all_states, corrupt, overlap, to_bits, to_spins

if TYPE_CHECKING:
    from energynets.sweep import sweep as sweep

__version__ = "0.1.0"

_LAZY_MODULES = (
    "experiments",
    "learning",
    "metrics",
    "models",
    "plotting",
    "energy",
    "estimators",
)

# public names loaded on first access, by the module that defines them
_LAZY_NAMES = {
    "DBN": "energynets.models.dbn",
    "fit_dbn": "energynets.learning.dbn",
    "fit_eqprop": "energynets.learning.eqprop",
    "EnergyNetwork": "energynets.models.eqnet",
    "ClassificationRBM": "energynets.models.classification_rbm",
    "fit_classification_rbm": "energynets.learning.classification",
    # the function; importing its module binds the module here, so __getattr__ rebinds it
    "sweep": "energynets.sweep",
}

__all__ = [
    "DBN",
    "MLP",
    "RBM",
    "BoltzmannMachine",
    "ClassificationRBM",
    "ContinuousHopfield",
    "DenseAssociativeMemory",
    "EnergyNetwork",
    "HopfieldNetwork",
    "ModernHopfield",
    "RecallResult",
    "TrainingDiverged",
    "__version__",
    "ais",
    "all_states",
    "corrupt",
    "datasets",
    "energy",
    "estimators",
    "exact",
    "experiments",
    "fit_boltzmann",
    "fit_classification_rbm",
    "fit_dbn",
    "fit_eqprop",
    "fit_mlp",
    "fit_rbm",
    "gradient_check",
    "io",
    "learning",
    "log_likelihood_bounds",
    "metrics",
    "models",
    "overlap",
    "plotting",
    "reverse_ais",
    "sampling",
    "states",
    "sweep",
    "to_bits",
    "to_spins",
]


def __getattr__(name: str) -> Any:
    # submodules that pull in heavier dependencies load on first access
    if name in _LAZY_MODULES:
        return importlib.import_module(f"energynets.{name}")
    if name in _LAZY_NAMES:
        value = getattr(importlib.import_module(_LAZY_NAMES[name]), name)
        globals()[name] = value  # energynets.sweep: the function, not the module
        return value
    raise AttributeError(f"module 'energynets' has no attribute {name!r}")
