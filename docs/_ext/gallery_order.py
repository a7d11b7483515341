"""The reading order of the example gallery (sphinx-gallery ``within_subsection_order``).

Examples listed in ``ORDER`` come first, in that order; any other example follows,
alphabetically.
"""

from __future__ import annotations

from pathlib import Path

ORDER = (
    "plot_first_recall.py",
    "plot_energy_descent.py",
    "plot_storage_rules.py",
    "plot_glauber_exact.py",
    "plot_capacity.py",
    "plot_dense_capacity.py",
    "plot_gibbs_vs_exact.py",
    "plot_ising_transition.py",
    "plot_tempering_vs_gibbs.py",
    "plot_critical_slowing_down.py",
    "plot_boltzmann_encoder.py",
    "plot_rbm_bars_and_stripes.py",
    "plot_rbm_hopfield.py",
    "plot_mlp_initialisation.py",
    "plot_mlp_dropout.py",
    "plot_eqprop_gradient.py",
    "plot_eqprop_digits.py",
    "plot_rbm_pipeline_gridsearch.py",
    "plot_capacity_phase_diagram.py",
)


def example_order(filename: str) -> tuple[int, str]:
    """Sort key of one example file name."""
    name = Path(filename).name
    rank = ORDER.index(name) if name in ORDER else len(ORDER)
    return rank, name
