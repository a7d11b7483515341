"""Equilibrium propagation against its references: BPTT, backprop and contrastive Hebbian
learning.

Each function answers one question about :func:`~energynets.fit_eqprop` and its gradients
(:mod:`energynets.learning.eqprop_gradients`) and returns a result object like those of
:mod:`energynets.experiments.compare`: ``records`` (a tidy table), ``settings``, the tables
as Markdown (:meth:`~energynets.experiments.compare.CompareResult.table`) and text, a JSON
summary, and what the figures of :mod:`energynets.plotting` need
(:func:`~energynets.plotting.gdu_figure`, :func:`~energynets.plotting.eqprop_backprop_figure`,
:func:`~energynets.plotting.chl_figure`). ``energynets compare --experiments eqprop`` runs
all three and writes them into its report.

1. :func:`gdu_experiment` - does EP compute the gradient? Its neural and synaptic increments
   against the gradients of backprop through time, step by step and layer by layer (the GDU
   property of Ernoult et al. 2019), and the distance of its total update from the exact
   gradient as beta -> 0, one-sided (slope 1) and symmetric (slope 2).
2. :func:`backprop_experiment` - EP against backprop on the same architecture (784-500-10 on
   MNIST), data, mini-batches, epochs and seeds: accuracy, epochs and wall time per epoch.
3. :func:`chl_experiment` - contrastive Hebbian learning, which follows no objective, against
   EP and backprop on a small task where that shows.

One module per experiment (:mod:`~energynets.experiments.eqprop.gdu`,
:mod:`~energynets.experiments.eqprop.backprop`, :mod:`~energynets.experiments.eqprop.chl`)
and their records (:mod:`~energynets.experiments.eqprop.records`); every name is importable
from here.

References
----------
Scellier & Bengio (2017); Ernoult et al. (2019); Laborieux et al. (2021): full citations in
:mod:`energynets.models.eqnet`. Movellan (1991); Baldi & Pineda (1991): full citations in
:mod:`~energynets.experiments.eqprop.chl`.
"""

from energynets.experiments.eqprop.backprop import backprop_experiment
from energynets.experiments.eqprop.chl import CHL_RULES, chl_experiment
from energynets.experiments.eqprop.gdu import GDU_NETWORKS, gdu_experiment, unsaturated_network
from energynets.experiments.eqprop.records import BackpropResult, CHLResult, GDUResult

__all__ = [
    "CHL_RULES",
    "GDU_NETWORKS",
    "BackpropResult",
    "CHLResult",
    "GDUResult",
    "backprop_experiment",
    "chl_experiment",
    "gdu_experiment",
    "unsaturated_network",
]
