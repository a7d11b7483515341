"""Models: each holds parameters and knows its energy, local fields and conditionals."""

from energynets.models.boltzmann import (
    BoltzmannMachine,
    frustrated_ring,
    ising_2d,
    sherrington_kirkpatrick,
)
from energynets.models.classification_rbm import ClassificationRBM
from energynets.models.continuous import ContinuousHopfield
from energynets.models.dbn import DBN
from energynets.models.dense import DenseAssociativeMemory, ModernHopfield
from energynets.models.eqnet import EnergyNetwork
from energynets.models.hopfield import HopfieldNetwork
from energynets.models.lattice import LatticeIsing, ising_lattice
from energynets.models.mlp import MLP
from energynets.models.rbm import RBM

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
    "LatticeIsing",
    "ModernHopfield",
    "frustrated_ring",
    "ising_2d",
    "ising_lattice",
    "sherrington_kirkpatrick",
]
