"""Learning rules and trainers: functions of data (and a model) returning a model."""

from energynets.learning.backprop import GradientCheck, fit_mlp, gradient_check
from energynets.learning.classification import (
    ClassificationRBM,
    discriminative_gradient,
    fit_classification_rbm,
)
from energynets.learning.dbn import fit_dbn
from energynets.learning.divergence import TrainingDiverged
from energynets.learning.eqprop import fit_eqprop

__all__ = [
    "ClassificationRBM",
    "GradientCheck",
    "TrainingDiverged",
    "discriminative_gradient",
    "fit_classification_rbm",
    "fit_dbn",
    "fit_eqprop",
    "fit_mlp",
    "gradient_check",
]
