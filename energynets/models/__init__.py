"""Models: each holds parameters and knows its energy, local fields and conditionals."""

from energynets.models.hopfield import HopfieldNetwork

__all__ = ["HopfieldNetwork"]
