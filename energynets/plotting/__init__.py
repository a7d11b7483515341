"""Pictures of states, dynamics, weights, capacity measurements, sampling experiments, RBMs and
equilibrium propagation.

Every function takes plain arrays (and, where it draws into one panel, an optional matplotlib
``Axes``), returns the ``Axes`` or ``Figure`` it drew on, and never calls ``show()``: the
caller decides whether to display, save or embed the picture. Figures are built with
:class:`matplotlib.figure.Figure` directly, not through :mod:`matplotlib.pyplot`, so nothing
here needs a display or touches pyplot's global state; :func:`save_figure` and
:func:`recall_animation` write their files atomically (a temporary file in the same folder,
then :func:`os.replace`), so a crash never leaves a half-written picture behind.

matplotlib is imported inside the functions, so ``import energynets`` stays fast and works
where matplotlib cannot start.

Conventions: a state of spins is drawn with +1 (ink) dark and -1 (background) light; the
tiles of a grid are separated by white gaps.

The functions live in one module per subject (:mod:`~energynets.plotting.hopfield`,
:mod:`~energynets.plotting.learning`, :mod:`~energynets.plotting.capacity`,
:mod:`~energynets.plotting.sampling`, :mod:`~energynets.plotting.compare`,
:mod:`~energynets.plotting.eqprop`) and are used from
here, ``energynets.plotting``, where they are documented.
"""

from energynets.plotting._common import save_figure
from energynets.plotting.capacity import capacity_figure, dense_capacity_figure
from energynets.plotting.compare import (
    cost_figure,
    features_figure,
    filters_figure,
    pretraining_figure,
    recall_comparison_figure,
)
from energynets.plotting.eqprop import chl_figure, eqprop_backprop_figure, gdu_figure
from energynets.plotting.hopfield import (
    energy_trace,
    overlap_trace,
    pattern_grid,
    recall_animation,
    recall_figure,
    weight_matrix,
)

# LEARNING_CURVES is not in __all__ (as before the split), but learning_curve's docstring
# names it, so it stays importable from here
from energynets.plotting.learning import LEARNING_CURVES as LEARNING_CURVES
from energynets.plotting.learning import (
    confusion_matrix_plot,
    learning_curve,
    rbm_filters,
    rbm_samples_figure,
)
from energynets.plotting.sampling import (
    autocorrelation_plot,
    chain_traces,
    histogram_vs_exact,
    ising_scan_figure,
    sampler_comparison_figure,
    sampling_figure,
    slowing_down_figure,
)

__all__ = [
    "autocorrelation_plot",
    "capacity_figure",
    "chain_traces",
    "chl_figure",
    "confusion_matrix_plot",
    "cost_figure",
    "dense_capacity_figure",
    "energy_trace",
    "eqprop_backprop_figure",
    "features_figure",
    "filters_figure",
    "gdu_figure",
    "histogram_vs_exact",
    "ising_scan_figure",
    "learning_curve",
    "overlap_trace",
    "pattern_grid",
    "pretraining_figure",
    "rbm_filters",
    "rbm_samples_figure",
    "recall_animation",
    "recall_comparison_figure",
    "recall_figure",
    "sampler_comparison_figure",
    "sampling_figure",
    "save_figure",
    "slowing_down_figure",
    "weight_matrix",
]

# The functions belong to this module, where they are imported from and documented: their
# reprs, pickles, doctests and documentation name energynets.plotting, as before the split.
for _function in (globals()[name] for name in __all__):
    _function.__module__ = __name__
del _function
