"""Learning rules and trainers: functions of data (and a model) returning a model."""

from energynets.learning.backprop import GradientCheck, fit_mlp, gradient_check

__all__ = ["GradientCheck", "fit_mlp", "gradient_check"]
