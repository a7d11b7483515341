"""Reusable experiment functions; the command line calls them.

:mod:`~energynets.experiments.capacity` (storage capacity of Hopfield networks and dense
memories), :mod:`~energynets.experiments.sampling` (samplers against exact and published
results) and :mod:`~energynets.experiments.compare` (energy-based versus backprop learning on
the same data).
"""
