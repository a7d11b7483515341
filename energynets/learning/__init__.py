"""Learning rules and trainers: functions of data (and a model) returning a model."""

from energynets.learning.backprop import GradientCheck, fit_mlp, gradient_check
from energynets.models.dbn import fit_dbn

__all__ = ["GradientCheck", "fit_dbn", "fit_mlp", "gradient_check"]
