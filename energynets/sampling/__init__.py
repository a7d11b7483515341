"""Dynamics and samplers: functions (model, states, rng, ...) -> states (+ info).

``energynets.sampling.gibbs`` is the sampler function (the module of the same name is
``energynets.sampling.gibbs`` only through ``from energynets.sampling.gibbs import ...``).
"""

from energynets.sampling.ais import (
    AISResult,
    BoltzmannPath,
    LikelihoodBounds,
    RBMPath,
    ais,
    base_rate_bias,
    log_likelihood_bounds,
    reverse_ais,
    salakhutdinov_murray_betas,
)
from energynets.sampling.annealing import schedule, simulated_annealing
from energynets.sampling.cluster import swendsen_wang, wolff
from energynets.sampling.diagnostics import (
    acceptance_summary,
    autocorrelation,
    effective_sample_size,
    integrated_autocorrelation_time,
)
from energynets.sampling.dynamics import RecallResult, run_dynamics, trajectory
from energynets.sampling.gibbs import ChainResult, checkerboard, gibbs, metropolis
from energynets.sampling.tempering import (
    TemperingState,
    geometric_ladder,
    parallel_tempering,
    swap_step,
)

__all__ = [
    "AISResult",
    "BoltzmannPath",
    "ChainResult",
    "LikelihoodBounds",
    "RBMPath",
    "RecallResult",
    "TemperingState",
    "acceptance_summary",
    "ais",
    "autocorrelation",
    "base_rate_bias",
    "checkerboard",
    "effective_sample_size",
    "geometric_ladder",
    "gibbs",
    "integrated_autocorrelation_time",
    "log_likelihood_bounds",
    "metropolis",
    "parallel_tempering",
    "reverse_ais",
    "run_dynamics",
    "salakhutdinov_murray_betas",
    "schedule",
    "simulated_annealing",
    "swap_step",
    "swendsen_wang",
    "trajectory",
    "wolff",
]
