"""Hostile counts and magnitudes: every count argument of the public API is bounded.

Each count argument (epochs, steps, sweeps, samples, chains, sizes, ...) gets each value of
:data:`HOSTILE_COUNTS` and must raise ``ValueError`` or ``TypeError`` whose message names it:
never run on (2**70 epochs), never raise ``OverflowError`` or ``MemoryError`` from a numpy call
deep inside. The bound is :data:`energynets._validation.MAX_COUNT`, applied by ``check_int``
unless a tighter one is given. A call that has not answered within :data:`PATIENCE_S` seconds
fails (on the code before the bound, 2**70 epochs or sweeps ran on). Also: shapes are
tuples of such counts (no silent ``int()`` of "2" or 2.5), experiment seeds are not counts
(any size), ints beyond the float range given for a real number are refused by name (no
``OverflowError``), the continuous Hopfield network's potentials, ``t_max`` and solver work
are bounded, and ``fit_boltzmann`` reports a float32 divergence as
:class:`~energynets.TrainingDiverged`. The counts are in docs/reliability.md (issue 22).
"""

from __future__ import annotations

import signal
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pytest

import energynets as en
from energynets import _validation, estimators, exact, plotting, sampling, states
from energynets.experiments import capacity, compare, eqprop
from energynets.experiments import sampling as sampling_experiments
from energynets.learning import eqprop_gradients, optim
from energynets.learning.lbfgs import FlatObjective, fit_lbfgs
from energynets.learning.softmax_regression import fit_softmax_regression
from energynets.models.boltzmann import ising_2d, sherrington_kirkpatrick
from tests.data_helpers import random_bits, random_spins

#: seconds a refused call may take before the test says it ran on
PATIENCE_S = 20


PATTERNS = random_spins(3, 12, 0)
PROBES = random_spins(4, 12, 1)
HOPFIELD = en.HopfieldNetwork.from_patterns(PATTERNS)
BITS = random_bits(10, 6, 2)
RBM = en.RBM(6, 4, rng=3)
REAL = np.random.default_rng(4).normal(size=(10, 6))
MLP = en.MLP([6, 5, 3], rng=6)
LABELS = np.array([0, 1, 2, 0, 1, 2, 0, 1, 2, 0])
MACHINE = sherrington_kirkpatrick(6, rng=7)
SPINS6 = random_spins(5, 6, 8)
LATTICE = ising_2d(4)
SPINS16 = random_spins(2, 16, 9)
DENSE = en.DenseAssociativeMemory(PATTERNS, interaction="polynomial", degree=3)
MODERN = en.ModernHopfield(REAL[:4], beta=2.0)
DBN = en.DBN([6, 4, 3], rng=9)
CRBM = en.ClassificationRBM(6, 3, 4, rng=10)
NET = en.EnergyNetwork([6, 4, 3], rng=11)
TARGETS = np.eye(3)[LABELS]
CONTINUOUS = en.ContinuousHopfield.from_patterns(PATTERNS, gain=2.0)
SERIES = np.random.default_rng(11).normal(size=(200,))
BETAS = np.linspace(0.1, 1.0, 4)


def _objective() -> FlatObjective:
    net = en.MLP([1, 1], output="identity", rng=0)
    X, t = np.array([[0.0], [1.0]]), np.array([[1.0], [3.0]])
    return FlatObjective(net, X, t, np.empty(0, np.int64), 0.0)


#: (call, argument): the call with a hostile value in place of the count ``argument``
COUNT_ARGUMENTS: list[tuple[Callable[[Any], Any], str]] = [
    # models
    (lambda v: en.RBM(v, 4), "n_visible"),
    (lambda v: en.RBM(6, v), "n_hidden"),
    (lambda v: RBM.sample(v, n_steps=1), "n_samples"),
    (lambda v: RBM.sample(2, n_steps=v), "n_steps"),
    (lambda v: RBM.sample(2, n_steps=1, burn_in=v), "burn_in"),
    (lambda v: RBM.sample(2, n_steps=2, thin=v), "thin"),
    (lambda v: en.MLP([6, v, 3]), "layer_sizes"),
    (lambda v: en.DBN([6, v]), "layer_sizes"),
    (lambda v: DBN.generate(v, n_gibbs=1), "n_samples"),
    (lambda v: DBN.generate(2, n_gibbs=v), "n_gibbs"),
    (lambda v: DBN.up_pass(BITS, n_layers=v), "n_layers"),
    (lambda v: en.ClassificationRBM(v, 3, 4), "n_features"),
    (lambda v: en.ClassificationRBM(6, v, 4), "n_classes"),
    (lambda v: en.ClassificationRBM(6, 3, v), "n_hidden"),
    (lambda v: CRBM.generate([0, 1], n_gibbs=v), "n_gibbs"),
    (lambda v: en.BoltzmannMachine(np.zeros((3, 3)), n_visible=v), "n_visible"),
    (lambda v: MACHINE.random_states(v), "n_states"),
    (lambda v: HOPFIELD.recall(PROBES, max_sweeps=v), "max_sweeps"),
    (lambda v: en.DenseAssociativeMemory(PATTERNS, degree=v), "degree"),
    (lambda v: DENSE.recall(PROBES, max_sweeps=v), "max_sweeps"),
    (lambda v: MODERN.retrieve(REAL[:2], n_steps=v), "n_steps"),
    (lambda v: en.EnergyNetwork([6, v, 3]), "layer_sizes"),
    (lambda v: NET.relax(REAL, n_steps=v), "n_steps"),
    (lambda v: NET.predict(REAL, n_steps=v), "n_steps"),
    (lambda v: CONTINUOUS.simulate(PROBES, t_max=1.0, n_times=v), "n_times"),
    (lambda v: sherrington_kirkpatrick(v), "n_units"),
    (lambda v: ising_2d(v), "side"),
    (lambda v: en.all_states(v), "n_units"),
    (lambda v: exact.sample(MACHINE, v), "n_samples"),
    (lambda v: states.all_states(v), "n_units"),
    (lambda v: en.datasets.random_patterns(v, 10), "n_patterns"),
    (lambda v: en.datasets.random_patterns(3, v), "n_units"),
    (lambda v: en.datasets.bars_and_stripes(v), "n"),
    # sampling
    (lambda v: sampling.gibbs(MACHINE, SPINS6, n_sweeps=v), "n_sweeps"),
    (lambda v: sampling.gibbs(MACHINE, SPINS6, n_sweeps=1, burn_in=v), "burn_in"),
    (lambda v: sampling.gibbs(MACHINE, SPINS6, n_sweeps=2, thin=v), "thin"),
    (lambda v: sampling.metropolis(MACHINE, SPINS6, n_sweeps=v), "n_sweeps"),
    (lambda v: sampling.checkerboard(LATTICE, SPINS16, n_sweeps=v), "n_sweeps"),
    (lambda v: sampling.parallel_tempering(MACHINE, BETAS, SPINS6[:4], n_sweeps=v), "n_sweeps"),
    (lambda v: sampling.parallel_tempering(MACHINE, BETAS, SPINS6[:4], 2, swap_every=v),
     "swap_every"),
    (lambda v: sampling.run_dynamics(HOPFIELD, PROBES, max_sweeps=v), "max_sweeps"),
    (lambda v: sampling.trajectory(HOPFIELD, PROBES[0], max_sweeps=v), "max_sweeps"),
    (lambda v: sampling.trajectory(HOPFIELD, PROBES[0], max_sweeps=2, record_every=v),
     "record_every"),
    (lambda v: sampling.simulated_annealing(MACHINE, SPINS6, BETAS, sweeps_per_beta=v),
     "sweeps_per_beta"),
    (lambda v: sampling.schedule("linear", v, 0.1, 1.0), "n_steps"),
    (lambda v: sampling.geometric_ladder(v, 0.1), "n_temperatures"),
    (lambda v: sampling.autocorrelation(SERIES, max_lag=v), "max_lag"),
    (lambda v: sampling.salakhutdinov_murray_betas(v), "n_betas"),
    (lambda v: en.ais(RBM, n_runs=v, n_betas=20), "n_runs"),
    (lambda v: en.ais(RBM, n_runs=5, n_betas=v), "n_betas"),
    (lambda v: en.reverse_ais(RBM, BITS, n_runs=v, n_betas=20), "n_runs"),
    (lambda v: en.reverse_ais(RBM, BITS, n_betas=20, n_gibbs_steps=v), "n_gibbs_steps"),
    (lambda v: en.log_likelihood_bounds(RBM, BITS, n_runs=v, n_betas=20), "n_runs"),
    # learning
    (lambda v: en.fit_boltzmann(MACHINE, SPINS6, n_epochs=v), "n_epochs"),
    (lambda v: en.fit_boltzmann(MACHINE, SPINS6, n_epochs=1, batch_size=v), "batch_size"),
    (lambda v: en.fit_boltzmann(MACHINE, SPINS6, n_epochs=1, phases="sampled", n_sweeps=v),
     "n_sweeps"),
    (lambda v: en.fit_boltzmann(MACHINE, SPINS6, n_epochs=1, phases="sampled", n_chains=v),
     "n_chains"),
    (lambda v: en.fit_rbm(RBM, BITS, n_epochs=v, monitor=()), "n_epochs"),
    (lambda v: en.fit_rbm(RBM, BITS, n_epochs=1, batch_size=v, monitor=()), "batch_size"),
    (lambda v: en.fit_rbm(RBM, BITS, n_epochs=1, k=v, monitor=()), "k"),
    (lambda v: en.fit_rbm(RBM, BITS, n_epochs=1, method="pcd", n_chains=v, monitor=()),
     "n_chains"),
    (lambda v: en.fit_rbm(RBM, BITS, n_epochs=1, monitor_size=v), "monitor_size"),
    (lambda v: en.fit_mlp(MLP, REAL, LABELS, n_epochs=v), "n_epochs"),
    (lambda v: en.fit_mlp(MLP, REAL, LABELS, n_epochs=1, batch_size=v), "batch_size"),
    (lambda v: en.fit_mlp(MLP, REAL, LABELS, n_epochs=1, validation_data=(REAL, LABELS),
                          early_stopping=v), "early_stopping"),
    (lambda v: en.fit_dbn([6, 4], BITS, n_epochs=v), "n_epochs"),
    (lambda v: en.fit_dbn([6, 4], BITS, n_epochs=1, batch_size=v), "batch_size"),
    (lambda v: en.fit_classification_rbm(REAL > 0, LABELS, 4, n_epochs=v), "n_epochs"),
    (lambda v: en.fit_classification_rbm(REAL > 0, LABELS, v), "n_hidden"),
    (lambda v: en.fit_eqprop(NET, REAL, TARGETS, n_epochs=v), "n_epochs"),
    (lambda v: en.fit_eqprop(NET, REAL, TARGETS, n_epochs=1, n_free=v), "n_free"),
    (lambda v: en.fit_eqprop(NET, REAL, TARGETS, n_epochs=1, n_nudged=v), "n_nudged"),
    (lambda v: en.fit_eqprop(NET, REAL, TARGETS, n_epochs=1, batch_size=v), "batch_size"),
    (lambda v: en.gradient_check(MLP, REAL, LABELS, n_entries=v), "n_entries"),
    (lambda v: eqprop_gradients.ep_gradient(NET, REAL, TARGETS, n_free=v), "n_free"),
    (lambda v: eqprop_gradients.bptt_gradient(NET, REAL, TARGETS, n_steps=v), "n_steps"),
    (lambda v: optim.learning_rate_schedule("linear", v), "n_epochs"),
    # experiments
    (lambda v: compare.balanced_subset(LABELS, v), "n"),
    (lambda v: capacity.run_capacity(n_units=v), "n_units"),
    (lambda v: capacity.run_capacity(n_units=20, n_trials=v), "n_trials"),
    (lambda v: capacity.storkey_capacity(v), "n_units"),
    (lambda v: eqprop.chl_experiment(n_epochs=v), "n_epochs"),
    (lambda v: sampling_experiments.ising_temperature_scan(n_sweeps=v), "n_sweeps"),
    (lambda v: sampling_experiments.sample_system("sk", n_chains=v), "n_chains"),
    (lambda v: fit_softmax_regression(REAL, LABELS, max_iter=v), "max_iter"),
    (lambda v: fit_lbfgs(_objective(), max_iter=v, max_fun=10, tol=0.0), "max_iter"),
    (lambda v: fit_lbfgs(_objective(), max_iter=10, max_fun=v, tol=0.0), "max_fun"),
    # shapes: each side a count
    (lambda v: en.BoltzmannMachine(np.zeros((4, 4)), lattice_shape=(v, 2)), "lattice_shape"),
    (lambda v: compare.nudge_images(np.zeros((1, 4)), (2, v)), "shape"),
    (lambda v: compare.filter_smoothness(np.zeros((4, 3)), (v, 2)), "shape"),
    (lambda v: plotting.pattern_grid(np.zeros((1, 4)), (v, 2)), "shape"),
    # the scikit-learn style estimators (checked at fit)
    (lambda v: estimators.BernoulliRBM(n_components=v).fit(BITS), "n_components"),
    (lambda v: estimators.BernoulliRBM(n_iter=v).fit(BITS), "n_iter"),
    (lambda v: estimators.BernoulliRBM(batch_size=v).fit(BITS), "batch_size"),
    (lambda v: estimators.GaussianRBM(k=v).fit(REAL), "k"),
    (lambda v: estimators.MLPClassifier(max_iter=v).fit(REAL, LABELS), "max_iter"),
    (lambda v: estimators.MLPClassifier(hidden_layer_sizes=(v,)).fit(REAL, LABELS),
     "hidden_layer_sizes"),
    (lambda v: estimators.MLPRegressor(max_fun=v, solver="lbfgs").fit(REAL, REAL[:, 0]),
     "max_fun"),
    (lambda v: estimators.HopfieldMemory(max_sweeps=v).fit(PATTERNS), "max_sweeps"),
    (lambda v: estimators.DBNClassifier(pretrain_n_iter=v).fit(BITS, LABELS), "pretrain_n_iter"),
    (lambda v: estimators.EqPropClassifier(n_free=v).fit(REAL, LABELS), "n_free"),
]  # fmt: skip

#: each must be refused with a ValueError or TypeError naming the argument
HOSTILE_COUNTS = [2**70, -1, 1.5, True, "3"]


class _RanOn(Exception):
    pass


@contextmanager
def _patience(seconds: int) -> Iterator[None]:
    """Raise :class:`_RanOn` in the call if it takes longer than ``seconds``."""

    def ring(signum: int, frame: Any) -> None:
        raise _RanOn

    previous = signal.signal(signal.SIGALRM, ring)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _refused(call: Callable[[], Any], argument: str, value: Any) -> None:
    try:
        with _patience(PATIENCE_S), warnings.catch_warnings():
            warnings.simplefilter("error")
            call()
    except (ValueError, TypeError) as exc:
        assert argument in str(exc), f"{argument}={value!r}: {exc!r} does not name it"
    except _RanOn:
        raise AssertionError(f"{argument}={value!r} ran on past {PATIENCE_S} s") from None
    except (OverflowError, MemoryError) as exc:
        raise AssertionError(f"{argument}={value!r} gave {exc!r}") from None
    else:
        raise AssertionError(f"{argument}={value!r} was accepted")


@pytest.mark.parametrize("value", HOSTILE_COUNTS, ids=repr)
@pytest.mark.parametrize(
    ("call", "argument"),
    COUNT_ARGUMENTS,
    ids=[f"{i}-{a}" for i, (_, a) in enumerate(COUNT_ARGUMENTS)],
)
def test_hostile_counts_are_refused_by_name(call, argument, value) -> None:
    _refused(lambda: call(value), argument, value)


def test_the_count_bound_is_the_largest_c_int_everywhere() -> None:
    from energynets.cli import _args

    assert _validation.MAX_COUNT == _args.MAX_COUNT == np.iinfo(np.int32).max
    assert _validation.check_int(_validation.MAX_COUNT, "n") == 2**31 - 1
    with pytest.raises(ValueError, match=r"n must be <= 2147483647, got 2147483648"):
        _validation.check_int(2**31, "n", minimum=0)
    # a number too long to print is still described
    with pytest.raises(ValueError, match=r"n must be <= 2147483647, got about 2\*\*16609"):
        _validation.check_int(10**5000, "n")
    with pytest.raises(ValueError, match=r"x must be finite, got a number beyond the float"):
        _validation.check_float(10**400, "x")


# -- the continuous Hopfield network: potentials and t_max -----------------------------------
@pytest.mark.parametrize(
    ("potentials", "message"),
    [
        ([[1e308, 0.1] + [0.0] * 10], r"potentials must lie within \+-1e\+100"),
        ([[-1e101] + [0.0] * 11], r"got max \|u\| = 1e\+101"),
        ([[np.inf] + [0.0] * 11], "potentials must contain only finite values"),
        ([[np.nan] + [0.0] * 11], "potentials must contain only finite values"),
    ],
)
def test_simulate_refuses_potentials_that_overflow(potentials, message) -> None:
    # before: hundreds of RuntimeWarnings, then a raw error from inside the solver
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=message):
            CONTINUOUS.simulate(potentials, t_max=1.0)


def test_simulate_refuses_a_start_whose_velocity_overflows() -> None:
    # |u| within the bound, but u / tau overflows for this tau
    fast = en.ContinuousHopfield([[0.0, 1.0], [1.0, 0.0]], tau=1e-300)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=r"potentials too large for this network.*tau=1e-300"):
            fast.simulate([1e10, 0.0], t_max=1e-299)


def test_large_potentials_within_the_bound_decay_as_the_leak_says() -> None:
    # an isolated unit (no couplings, no bias): du/dt = -u / tau, so u(t) = u0 exp(-t / tau),
    # from u0 = 1e99 as from 1
    lone = en.ContinuousHopfield(np.zeros((1, 1)), tau=2.0)
    traj = lone.simulate([[1e99], [1.0]], t_max=4.0, n_times=3, rtol=1e-10, atol=1e-12)
    expected = np.array([1e99, 1.0]) * np.exp(-traj.times[:, None] / 2.0)
    np.testing.assert_allclose(traj.potentials[:, :, 0], expected, rtol=1e-7)
    assert np.all(np.isfinite(traj.energies))


@pytest.mark.parametrize("t_max", [1e300, 1e4 * 2.0 * (1 + 1e-9)])
def test_simulate_bounds_t_max_in_time_constants(t_max) -> None:
    net = en.ContinuousHopfield([[0.0, 1.0], [1.0, 0.0]], tau=2.0)
    with _patience(PATIENCE_S):  # before: 1e300 did not return
        with pytest.raises(ValueError, match=r"t_max must be <= 10000 time constants \(tau=2\)"):
            net.simulate([0.1, 0.2], t_max=t_max)


def test_simulate_bounds_the_solver_work(monkeypatch) -> None:
    from energynets.models import continuous

    # tau = 1e-3 and t_max = 10 (1e4 time constants): RK45 needs steps of about tau, some
    # 20,000 evaluations; a bound of 1,000 stops it with advice, a stiff method passes
    net = en.ContinuousHopfield([[0.0, 1.0], [1.0, 0.0]], tau=1e-3)
    monkeypatch.setattr(continuous, "MAX_EVALUATIONS", 1000)
    with _patience(PATIENCE_S), pytest.raises(RuntimeError, match=r"more than 1000 evaluat"):
        net.simulate([0.1, 0.2], t_max=10.0)
    monkeypatch.setattr(continuous, "MAX_EVALUATIONS", 10**6)
    assert net.simulate([0.1, 0.2], t_max=10.0).final.shape == (1, 2)


# -- fit_boltzmann's divergence guard ------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fit_boltzmann_divergence_is_a_floating_point_error(dtype) -> None:
    # lr = 1e300: one step sends the couplings past sqrt(max float), or to inf in float32
    # (before: float32 gave "ValueError: weights must contain only finite values")
    start = en.BoltzmannMachine(np.zeros((4, 4)), dtype=dtype)
    data = [[1, 1, -1, -1], [1, -1, 1, -1]]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(FloatingPointError, match="fit_boltzmann diverged.*during epoch 0"):
            en.fit_boltzmann(start, data, n_epochs=3, learning_rate=1e300)
    with pytest.raises(en.TrainingDiverged, match="a smaller learning rate") as info:
        en.fit_boltzmann(start, data, n_epochs=3, learning_rate=1e300, batch_size=1)
    assert info.value.epoch == 0 and info.value.quantity == "the couplings"
    assert info.value.model.dtype == dtype
    np.testing.assert_array_equal(info.value.model.weights, start.weights)


def test_fit_boltzmann_float32_normal_run_is_one_exact_gradient_step() -> None:
    # the oracle: the exact log-likelihood gradient by enumeration, computed in float64
    from energynets.learning.boltzmann_rule import log_likelihood_gradient

    w = np.random.default_rng(0).normal(scale=0.3, size=(4, 4))
    w = np.triu(w, 1) + np.triu(w, 1).T
    start = en.BoltzmannMachine(w.astype(np.float32), dtype=np.float32)
    data = random_spins(6, 4, 1)
    grad_w, grad_b = log_likelihood_gradient(en.BoltzmannMachine(w), data)
    fitted, _ = en.fit_boltzmann(start, data, n_epochs=1, learning_rate=0.5)
    assert fitted.dtype == np.float32
    np.testing.assert_allclose(fitted.weights, start.weights + 0.5 * grad_w, atol=1e-6)
    np.testing.assert_allclose(fitted.bias, 0.5 * grad_b, atol=1e-6)


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda v: en.BoltzmannMachine(np.zeros((4, 4)), lattice_shape=v), "lattice_shape"),
        (lambda v: compare.nudge_images(np.zeros((1, 4)), v), "shape"),
        (lambda v: compare.filter_smoothness(np.zeros((4, 3)), v), "shape"),
        (lambda v: plotting.pattern_grid(np.zeros((1, 4)), v), "shape"),
    ],
    ids=["lattice_shape", "nudge_images", "filter_smoothness", "pattern_grid"],
)
@pytest.mark.parametrize("shape", [("2", "2"), (2.0, 2), (2, 2.5), (-2, -2), "22", 4])
def test_shapes_whose_product_fits_are_still_refused(call, argument, shape) -> None:
    # each of these has the right product (4) but is no shape of ints; before, int() made
    # ("2", "2") and (2.0, 2) into (2, 2) silently, and (-2, -2) failed inside a reshape
    _refused(lambda: call(shape), argument, shape)


def test_experiment_seeds_are_not_counts() -> None:
    # seeds of any size are seeds (SeedSequence takes them); negative ones are refused by name
    from energynets.experiments.compare._shared import check_seeds

    assert check_seeds([0, 2**70]) == (0, 2**70)
    with pytest.raises(ValueError, match=r"seeds\[1\] must be a non-negative int seed"):
        check_seeds([0, -1])
    with pytest.raises(TypeError, match="seeds must be an int or a sequence of ints"):
        check_seeds(1.5)
    with pytest.raises(ValueError, match=r"seeds\[0\] must be a non-negative int seed"):
        eqprop.chl_experiment(seeds=[-1])


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda v: HOPFIELD.recall(PROBES, temperature=v, rng=0), "temperature"),
        (lambda v: exact.sample(MACHINE, 3, temperature=v), "temperature"),
        (lambda v: en.fit_rbm(RBM, BITS, n_epochs=1, learning_rate=v, monitor=()), "learning_rate"),
        (lambda v: CONTINUOUS.simulate(PROBES, t_max=v), "t_max"),
        (lambda v: en.ContinuousHopfield(np.zeros((2, 2)), gain=v), "gain"),
    ],
    ids=["recall", "exact.sample", "fit_rbm", "simulate", "ContinuousHopfield"],
)
@pytest.mark.parametrize("value", [10**400, -(10**400)], ids=["10**400", "-10**400"])
def test_ints_beyond_the_float_range_are_refused_by_name(call, argument, value) -> None:
    # before: float(10**400) raised "OverflowError: int too large to convert to float"
    _refused(lambda: call(value), argument, value)
