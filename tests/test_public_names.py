"""The public surface stays where it is: every name the API reference listed, and the command
line, before the modules were redesigned.

The list below was read from ``docs/api.rst`` at that time and is frozen here on purpose: a
name may gain a new home, but it must stay importable from the one users know.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest

from tests.fixtures.legacy import cli_spec

API_NAMES = """
energynets:to_spins
energynets:to_bits
energynets:corrupt
energynets:overlap
energynets:all_states
energynets:HopfieldNetwork
energynets:RecallResult
energynets.sampling.dynamics:run_dynamics
energynets.sampling.dynamics:trajectory
energynets.learning.hopfield_rules:hebbian
energynets.learning.hopfield_rules:storkey
energynets.learning.hopfield_rules:pseudoinverse
energynets.energy:quadratic_energy
energynets.energy:quadratic_fields
energynets:DenseAssociativeMemory
energynets:ModernHopfield
energynets:ContinuousHopfield
energynets.models.dense:ModernRetrieval
energynets.models.dense:INTERACTIONS
energynets.models.dense:FIXED_POINT_TYPES
energynets.models.continuous:ContinuousTrajectory
energynets:BoltzmannMachine
energynets.models.boltzmann:ising_2d
energynets.models.boltzmann:sherrington_kirkpatrick
energynets.models.boltzmann:frustrated_ring
energynets.sampling:gibbs
energynets.sampling:metropolis
energynets.sampling:checkerboard
energynets.sampling:ChainResult
energynets.sampling:parallel_tempering
energynets.sampling:TemperingState
energynets.sampling:geometric_ladder
energynets.sampling:swap_step
energynets.sampling:simulated_annealing
energynets.sampling:schedule
energynets.sampling:autocorrelation
energynets.sampling:integrated_autocorrelation_time
energynets.sampling:effective_sample_size
energynets.sampling:acceptance_summary
energynets.sampling.gibbs:SAMPLERS
energynets.sampling.tempering:swap_order
energynets.sampling.tempering:check_ladder
energynets.sampling:ais
energynets.sampling:reverse_ais
energynets.sampling:log_likelihood_bounds
energynets.sampling:AISResult
energynets.sampling:LikelihoodBounds
energynets.sampling:BoltzmannPath
energynets.sampling:RBMPath
energynets.sampling:base_rate_bias
energynets.sampling:salakhutdinov_murray_betas
energynets.sampling.ais:AnnealingPath
energynets.sampling.ais:linear_betas
energynets:fit_boltzmann
energynets.learning.boltzmann_rule:log_likelihood_gradient
energynets.learning.boltzmann_rule:mean_log_likelihood
energynets:RBM
energynets:fit_rbm
energynets.metrics:rbm_log_partition
energynets.metrics:log_likelihood
energynets.metrics:log_likelihood_gradient
energynets.metrics:pseudo_likelihood
energynets.metrics:reconstruction_error
energynets.metrics:free_energy_gap
energynets.metrics:recall_accuracy
energynets:MLP
energynets:fit_mlp
energynets:gradient_check
energynets.learning.backprop:GradientCheck
energynets.learning.divergence:TrainingDiverged
energynets.models.mlp:ACTIVATIONS
energynets.models.mlp:OUTPUTS
energynets.models.mlp:INITIALIZERS
energynets.models.mlp:Activation
energynets.models.mlp:Output
energynets.learning.optim:Optimizer
energynets.learning.optim:SGD
energynets.learning.optim:Momentum
energynets.learning.optim:Nesterov
energynets.learning.optim:Adam
energynets.learning.optim:make_optimizer
energynets.learning.optim:learning_rate_schedule
energynets.learning.optim:OPTIMIZERS
energynets:DBN
energynets:fit_dbn
energynets:ClassificationRBM
energynets:fit_classification_rbm
energynets.learning.classification:discriminative_gradient
energynets.estimators:HopfieldMemory
energynets.estimators:BernoulliRBM
energynets.estimators:GaussianRBM
energynets.estimators:MLPClassifier
energynets.estimators:MLPRegressor
energynets.estimators:DBNClassifier
energynets.estimators:expected_failed_checks
energynets.estimators:EXPECTED_FAILED_CHECKS
energynets.estimators:SKLEARN_AVAILABLE
energynets.datasets:random_patterns
energynets.datasets:glyphs
energynets.datasets:glyph_shape
energynets.datasets:bars_and_stripes
energynets.datasets:load_digits
energynets.datasets:binarize
energynets.datasets:load_mnist
energynets.datasets:load_fashion_mnist
energynets.datasets:cache_dir
energynets.exact:log_partition
energynets.exact:probabilities
energynets.exact:expectations
energynets.exact:ground_states
energynets.exact:sample
energynets.exact:MAX_UNITS
energynets.io:save
energynets.io:load
energynets.io:register_model
energynets.io:FORMAT_NAME
energynets.io:FORMAT_VERSION
energynets.sweep:sweep
energynets.sweep:SweepResult
energynets.sweep:task_seed
energynets.sweep:FORMAT_NAME
energynets.experiments.capacity:run_capacity
energynets.experiments.capacity:CapacityResult
energynets.experiments.capacity:one_step_error_theory
energynets.experiments.capacity:mceliece_capacity
energynets.experiments.capacity:storkey_capacity
energynets.experiments.capacity:ALPHA_C
energynets.experiments.capacity:COLUMNS
energynets.experiments.capacity:run_dense_capacity
energynets.experiments.capacity:run_correlated_recall
energynets.experiments.capacity:DenseCapacityResult
energynets.experiments.capacity:krotov_hopfield_capacity
energynets.experiments.capacity:demircigil_capacity
energynets.experiments.capacity:double_factorial
energynets.experiments.capacity:DENSE_COLUMNS
energynets.experiments.sampling:sample_system
energynets.experiments.sampling:SampleResult
energynets.experiments.sampling:HistogramCheck
energynets.experiments.sampling:ising_temperature_scan
energynets.experiments.sampling:IsingScanResult
energynets.experiments.sampling:compare_samplers
energynets.experiments.sampling:ComparisonResult
energynets.experiments.sampling:make_system
energynets.experiments.sampling:gelman_rubin
energynets.experiments.sampling:onsager_critical_temperature
energynets.experiments.sampling:onsager_magnetisation
energynets.experiments.sampling:onsager_energy
energynets.experiments.sampling:ONSAGER_TC
energynets.experiments.sampling:SYSTEMS
energynets.experiments.sampling:SAMPLERS
energynets.experiments.sampling:DEFAULT_SIZES
energynets.experiments.sampling:DEFAULT_TEMPERATURES
energynets.experiments.sampling:COMPARE_TEMPERATURES
energynets.experiments.sampling:MAX_EXACT_UNITS
energynets.experiments.sampling:SAMPLE_COLUMNS
energynets.experiments.sampling:SCAN_COLUMNS
energynets.experiments.sampling:COMPARE_COLUMNS
energynets.experiments.compare:features_experiment
energynets.experiments.compare:pretraining_experiment
energynets.experiments.compare:recall_experiment
energynets.experiments.compare:filters_experiment
energynets.experiments.compare:cost_experiment
energynets.experiments.compare:CompareResult
energynets.experiments.compare:FeaturesResult
energynets.experiments.compare:PretrainingResult
energynets.experiments.compare:RecallComparison
energynets.experiments.compare:FiltersResult
energynets.experiments.compare:CostResult
energynets.experiments.compare:nudged_digits
energynets.experiments.compare:nudge_images
energynets.experiments.compare:balanced_subset
energynets.experiments.compare:filter_smoothness
energynets.experiments.compare:filter_redundancy
energynets.experiments.compare:SKLEARN_REFERENCE
energynets.plotting:pattern_grid
energynets.plotting:recall_figure
energynets.plotting:energy_trace
energynets.plotting:overlap_trace
energynets.plotting:weight_matrix
energynets.plotting:capacity_figure
energynets.plotting:dense_capacity_figure
energynets.plotting:chain_traces
energynets.plotting:autocorrelation_plot
energynets.plotting:histogram_vs_exact
energynets.plotting:sampling_figure
energynets.plotting:ising_scan_figure
energynets.plotting:sampler_comparison_figure
energynets.plotting:recall_animation
energynets.plotting:rbm_filters
energynets.plotting:rbm_samples_figure
energynets.plotting:learning_curve
energynets.plotting:confusion_matrix_plot
energynets.plotting:features_figure
energynets.plotting:pretraining_figure
energynets.plotting:recall_comparison_figure
energynets.plotting:filters_figure
energynets.plotting:cost_figure
energynets.plotting:save_figure
energynets.cli:main
energynets.cli:build_parser
""".split()


@pytest.mark.parametrize("dotted", API_NAMES)
def test_every_documented_name_is_importable_from_where_it_was(dotted):
    module_name, _, attribute = dotted.partition(":")
    value = importlib.import_module(module_name)
    for part in attribute.split("."):
        value = getattr(value, part)
    assert value is not None


def test_the_names_in_all_are_the_ones_documented_and_import():
    import energynets

    for name in energynets.__all__:
        assert getattr(energynets, name) is not None


def test_the_command_line_is_unchanged():
    from energynets.cli import build_parser

    with open(Path(cli_spec.HERE) / "cli.json", encoding="utf-8") as f:
        frozen = json.load(f)
    now = json.loads(json.dumps(cli_spec.describe(build_parser())))
    assert sorted(now["commands"]) == sorted(frozen["commands"])
    for name, command in frozen["commands"].items():
        assert now["commands"][name] == command, name
