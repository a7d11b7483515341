"""Energy-based versus backprop learning, side by side, on the same data.

Each function answers one question with a fair comparison (the same rows, the same mini-batch
order, the same number of passes over the data, seeds derived from one ``rng``) and returns a
result object: ``records`` (a tidy table, one dict per row), ``settings`` (everything needed
to rerun it), :meth:`CompareResult.table` (Markdown) and :meth:`CompareResult.to_text`, plus
whatever the figures need. :mod:`energynets.plotting` draws them
(:func:`~energynets.plotting.features_figure`, ...), ``energynets compare`` runs them all and
writes a report.

1. :func:`features_experiment` - what an RBM's hidden units are worth as features: softmax
   regression minimised to convergence by L-BFGS on raw pixels and on the hidden
   probabilities p(h = 1 | v) of an RBM trained by persistent contrastive divergence, and an
   MLP trained end to end, with the settings and split of scikit-learn's RBM-features example
   on its "nudged" 8 x 8 digits (:func:`nudged_digits`), where it reports
   raw 0.781 < RBM features 0.930 < MLP 0.972.
2. :func:`pretraining_experiment` - does generative pretraining help when labels are scarce?
   A deep belief network (greedy RBMs, Hinton, Osindero & Teh 2006) turned into an MLP and
   fine-tuned, against the same MLP from random weights, as the number of labels grows.
3. :func:`recall_experiment` - associative memory: a Hopfield network (one Hebbian outer
   product, no gradient) against a denoising autoencoder N-H-N trained by backprop to map
   corrupted patterns to clean ones, against noise and against the number of patterns.
4. :func:`filters_experiment` - what is learned: the RBM's receptive fields and the first
   layer of an MLP, as images, with numbers that tell them apart (spatial smoothness,
   redundancy).
5. :func:`cost_experiment` - the price: wall time and passes over the data until the
   RBM + softmax-regression pipeline and the MLP reach a given held-out accuracy.

Softmax regression in the features experiment is scikit-learn's ``LogisticRegression``
objective minimised to convergence
(:func:`~energynets.learning.softmax_regression.fit_softmax_regression`), as in the example;
in the cost experiment it is the package's own ``MLP([n_features, n_classes])`` (no hidden
layer, softmax output, cross-entropy), trained by :func:`~energynets.fit_mlp` like the MLP, so
that both pipelines are counted in the same passes. No scikit-learn is needed.

One module per experiment (:mod:`~energynets.experiments.compare.features`,
:mod:`~energynets.experiments.compare.pretraining`,
:mod:`~energynets.experiments.compare.recall`, :mod:`~energynets.experiments.compare.filters`,
:mod:`~energynets.experiments.compare.cost`), their records
:mod:`~energynets.experiments.compare.records` and the default data
:mod:`~energynets.experiments.compare.data`; every name is importable from here.

References
----------
Hinton, G. E. (2002). Training products of experts by minimizing contrastive divergence.
Neural Computation 14, 1771-1800.
Hinton, G. E., Osindero, S. & Teh, Y.-W. (2006). A fast learning algorithm for deep belief
nets. Neural Computation 18, 1527-1554.
Vincent, P., Larochelle, H., Bengio, Y. & Manzagol, P.-A. (2008). Extracting and composing
robust features with denoising autoencoders. ICML 2008, 1096-1103.
Hopfield, J. J. (1982). Neural networks and physical systems with emergent collective
computational abilities. PNAS 79, 2554-2558.
scikit-learn developers. Restricted Boltzmann Machine features for digit classification
(example ``plot_rbm_logistic_classification``).
"""

from energynets.experiments.compare.cost import cost_experiment
from energynets.experiments.compare.data import nudge_images, nudged_digits
from energynets.experiments.compare.features import features_experiment
from energynets.experiments.compare.filters import (
    filter_redundancy,
    filter_smoothness,
    filters_experiment,
)
from energynets.experiments.compare.pretraining import balanced_subset, pretraining_experiment
from energynets.experiments.compare.recall import recall_experiment
from energynets.experiments.compare.records import (
    SKLEARN_REFERENCE,
    CompareResult,
    CostResult,
    FeaturesResult,
    FiltersResult,
    PretrainingResult,
    RecallComparison,
)

__all__ = [
    "SKLEARN_REFERENCE",
    "CompareResult",
    "CostResult",
    "FeaturesResult",
    "FiltersResult",
    "PretrainingResult",
    "RecallComparison",
    "balanced_subset",
    "cost_experiment",
    "features_experiment",
    "filter_redundancy",
    "filter_smoothness",
    "filters_experiment",
    "nudge_images",
    "nudged_digits",
    "pretraining_experiment",
    "recall_experiment",
]
