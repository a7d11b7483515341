"""Numerical extremes: weights, fields and logits of +-1e4, temperatures near 0 and very large,
probabilities of exactly 0 and 1.

Every value is checked against a reference computed here with mpmath at 50 significant digits
from the very same float64 inputs (every float64 is exactly an mpmath number), or against an
analytic limit (the uniform distribution at infinite temperature, the ground states at zero
temperature). Tolerances are stated next to each check: they are the rounding of the float64
inputs' own sums (a few machine epsilons times the magnitude of the terms), never tuned.

Each call runs with warnings turned into errors and numpy's overflow, invalid-value and
divide-by-zero flags raising (:func:`strict`); only underflow is allowed, since exp(-1e4) is
meant to become 0 in a log-sum-exp.

The generated cases come from explicit seeded generators; ``CASES`` says how many each entry
point gets, each test counts the cases it checked and compares with it (nothing skipped), and
``docs/reliability.md`` quotes the same numbers (checked by :func:`test_doc_quotes_the_counts`).
"""

from __future__ import annotations

import contextlib
import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from energynets import energy, exact, metrics
from energynets.models.boltzmann import BoltzmannMachine
from energynets.models.hopfield import HopfieldNetwork
from energynets.models.mlp import MLP, OUTPUTS
from energynets.models.rbm import RBM

mpmath = pytest.importorskip("mpmath")
mp = mpmath.mp

#: Magnitude of the extreme weights, biases and logits.
EXTREME = 1e4
#: Random models (or batches of logits) generated per entry point.
N_MODELS = 8
#: Temperatures at which the exact oracle is checked: near 0, moderate and very large.
TEMPERATURES = (1e-300, 1e-8, 1e-3, 1.0, 1e3, 1e8, 1e300, 1.7e308)
#: Units of the Boltzmann machines (2**5 = 32 states, each summed by mpmath).
N_UNITS = 5
#: Layer sizes of the RBMs (2**(5 + 4) = 512 joint states for the mpmath references).
N_VISIBLE, N_HIDDEN = 5, 4
#: Rows of visible data per RBM (0/1 rows for likelihoods; probabilities with exact 0s and 1s
#: for the free energy and the conditionals).
N_ROWS = 6
#: Rows and classes of the logits given to the MLP losses.
N_LOGIT_ROWS, N_CLASSES = 12, 4

EPS = float(np.finfo(np.float64).eps)
SEED = 20240

#: Generated cases per entry point, as the tests count them and docs/reliability.md quotes them.
CASES = {
    "energy.quadratic_energy / quadratic_fields": N_MODELS * 2 * 2**N_UNITS,
    "HopfieldNetwork.energy / local_fields / recall": N_MODELS * (2**N_UNITS + 4),
    "BoltzmannMachine.energy / conditional_high / tempered": N_MODELS * 2 * (2**N_UNITS + 2),
    "exact.log_partition / probabilities / expectations": N_MODELS * 2 * len(TEMPERATURES),
    "exact.ground_states / sample (T near 0)": N_MODELS * 2,
    "RBM.energy / free_energy / conditionals": N_MODELS * 3 * N_ROWS,
    "RBM.label_probabilities": N_MODELS * N_ROWS,
    "metrics.rbm_log_partition / log_likelihood": N_MODELS * 3,
    "metrics.log_likelihood_gradient": N_MODELS * 3,
    "metrics.pseudo_likelihood": N_MODELS * 2,
    "metrics.free_energy_gap / reconstruction_error": N_MODELS * 3,
    "MLP softmax + cross-entropy": N_MODELS * 2 * N_LOGIT_ROWS,
    "MLP sigmoid + binary cross-entropy": N_MODELS * 2 * N_LOGIT_ROWS,
}


# -- helpers ---------------------------------------------------------------------------------
@contextlib.contextmanager
def strict() -> Iterator[None]:
    """Warnings are errors; overflow, invalid values and division by zero raise."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
            yield


@contextlib.contextmanager
def precise() -> Iterator[None]:
    with mp.workdps(50):
        yield


def mpf(x: Any) -> Any:
    """A float64 as an mpmath number: exact (53 bits fit in any mpmath precision)."""
    return mp.mpf(float(x))


def mp_exp(x: Any) -> Any:
    """e^x, with 0 below x = -10^4 (e^-10^4 < 10^-4342 is invisible next to any float64
    tolerance, and mpmath's exp of -1e305 is slow: it reduces the argument at high precision)."""
    return mp.zero if x < -1e4 else mp.exp(x)


def mp_logsumexp(values: list[Any]) -> Any:
    top = max(values)
    return top + mp.log(mp.fsum(mp_exp(v - top) for v in values))


def mp_softplus(x: Any) -> Any:
    return mp.log1p(mp.exp(x)) if x < 0 else x + mp.log1p(mp.exp(-x))


def mp_sigmoid(x: Any) -> Any:
    return 1 / (1 + mp.exp(-x))


def assert_close(value: Any, reference: Any, tolerance: float, what: Any) -> None:
    """|value - reference| <= tolerance, value finite (reference an mpmath number). ``what``
    names the quantity in the failure message (formatted only then)."""
    value = float(value)
    assert np.isfinite(value), f"{what}: got {value}, expected {mp.nstr(reference, 17)}"
    error = abs(mp.mpf(value) - reference)
    assert error <= tolerance, (
        f"{what}: got {value!r}, reference {mp.nstr(reference, 20)}, error {mp.nstr(error, 3)} "
        f"> tolerance {tolerance:.3g}"
    )


def assert_relative(
    value: Any, reference: Any, rtol: float, what: Any, dtype: Any = np.float64
) -> None:
    """Relative error <= rtol, except below the smallest normal number of ``dtype``, where no
    floating-point result has full relative precision (e^-1e4 is 0 in any dtype)."""
    tiny = float(np.finfo(dtype).tiny)
    assert_close(value, reference, rtol * float(abs(reference)) + tiny, what)


def states_of(n_units: int, kind: str) -> np.ndarray:
    """Every state, row k the binary digits of k (first unit most significant)."""
    codes = np.arange(2**n_units)[:, None] >> np.arange(n_units - 1, -1, -1)[None, :]
    bits = (codes & 1).astype(np.float64)
    return 2.0 * bits - 1.0 if kind == "spins" else bits


def extreme_couplings(rng: np.random.Generator, n: int, case: int) -> tuple[np.ndarray, ...]:
    """Symmetric zero-diagonal couplings and biases of magnitude up to 1e4: uniform in
    [-1e4, 1e4] for even cases, exactly +-1e4 (degenerate energies) for odd ones."""
    if case % 2 == 0:
        upper = np.triu(rng.uniform(-EXTREME, EXTREME, (n, n)), 1)
        bias = rng.uniform(-EXTREME, EXTREME, n)
    else:
        upper = np.triu(rng.choice([-EXTREME, EXTREME], (n, n)), 1)
        bias = rng.choice([-EXTREME, EXTREME], n)
    return upper + upper.T, bias


def sum_tolerance(n_terms: int, magnitude: float) -> float:
    """Rounding bound of a float64 sum or dot product of ``n_terms`` terms whose magnitudes
    add up to ``magnitude``: n eps |terms| (Higham, Accuracy and Stability of Numerical
    Algorithms, eq. 3.5, with a factor 2 to spare)."""
    return 2.0 * n_terms * EPS * magnitude


class MpQuadratic:
    """E(s) = -1/2 s^T W s - b^T s and the fields W s + b, in mpmath, from float64 W and b."""

    def __init__(self, w: np.ndarray, b: np.ndarray, case: int) -> None:
        self.n = b.shape[0]
        self.w = [[mpf(x) for x in row] for row in w]
        self.b = [mpf(x) for x in b]
        # the rounding bound of float64 energies; for couplings of exactly +-1e4 every partial
        # sum is an integer (or a half-integer) far below 2**53: the float64 energies are exact
        scale = float(0.5 * np.abs(w).sum() + np.abs(b).sum())
        self.energy_error = 0.0 if case % 2 else sum_tolerance(self.n**2, scale)
        self.field_error = 0.0 if case % 2 else sum_tolerance(self.n, scale)
        self.scale = scale

    def fields(self, s: np.ndarray) -> list[Any]:
        """h_i = sum_j W_ij s_j + b_i (s_j in {-1, 0, 1}: each term is +-W_ij, exactly)."""
        return [
            mp.fsum([row[j] if x > 0 else -row[j] for j, x in enumerate(s) if x != 0] + [b_i])
            for row, b_i in zip(self.w, self.b, strict=True)
        ]

    def energy(self, s: np.ndarray, fields: list[Any] | None = None) -> Any:
        """-1/2 sum_i s_i (W s)_i - sum_i b_i s_i, with (W s)_i = h_i - b_i."""
        h = self.fields(s) if fields is None else fields
        terms = [(h_i - b_i) / 2 + b_i for h_i, b_i in zip(h, self.b, strict=True)]
        return -mp.fsum([t if x > 0 else -t for t, x in zip(terms, s, strict=True) if x != 0])


# -- the energy functions and the Hopfield network ---------------------------------------------
def test_quadratic_energy_and_fields_at_extreme_weights() -> None:
    rng = np.random.default_rng([SEED, 1])
    checked = 0
    with precise():
        for case in range(N_MODELS):
            w, b = extreme_couplings(rng, N_UNITS, case)
            ref = MpQuadratic(w, b, case)
            for kind in ("spins", "bits"):
                states = states_of(N_UNITS, kind)
                with strict():
                    e = energy.quadratic_energy(states, w, b)
                    h = energy.quadratic_fields(states, w, b)
                for s, e_s, h_s in zip(states, e, h, strict=True):
                    fields = ref.fields(s)
                    assert_close(e_s, ref.energy(s, fields), ref.energy_error, ("E", s))
                    for i, field in enumerate(fields):
                        assert_close(h_s[i], field, ref.field_error, ("h", i, s))
                    checked += 1
    assert checked == CASES["energy.quadratic_energy / quadratic_fields"]


def test_hopfield_energies_and_updates_at_extreme_weights() -> None:
    rng = np.random.default_rng([SEED, 2])
    checked = 0
    spins = states_of(N_UNITS, "spins")
    with precise():
        for case in range(N_MODELS):
            w, b = extreme_couplings(rng, N_UNITS, case)
            net = HopfieldNetwork(w, b)
            ref = MpQuadratic(w, b, case)
            with strict():
                e = net.energy(spins)
                h = net.local_fields(spins)
            ref_e = [ref.energy(s) for s in spins]
            i = case % N_UNITS  # the unit flipped: row k ^ bit (n - 1 - i) flips unit i
            for k, s in enumerate(spins):
                assert_close(e[k], ref_e[k], ref.energy_error, ("E", s))
                # flipping unit i changes E by exactly 2 s_i h_i (zero diagonal)
                delta = ref_e[k ^ (1 << (N_UNITS - 1 - i))] - ref_e[k]
                assert_close(2 * s[i] * h[k, i], delta, 2 * ref.field_error, "2 s_i h_i")
                checked += 1
            probes = rng.choice([-1.0, 1.0], (3, N_UNITS))
            # zero temperature, and a temperature so small that every Glauber probability is
            # exactly 0 or 1 (|2 h / T| > 1e290): the dynamics stops at a fixed point; at huge
            # temperatures every probability is 1/2: the states stay +-1; the recorded
            # energies are always those of the states
            for temperature in (0.0, 1e-300, 1e300, 1.7e308):
                with strict():
                    result = net.recall(probes, temperature=temperature, max_sweeps=30, rng=case)
                assert np.all(np.abs(result.states) == 1.0)
                assert np.all(np.isfinite(result.energies))
                np.testing.assert_allclose(
                    result.energies[-1],
                    net.energy(result.states),
                    rtol=0,
                    atol=2 * ref.energy_error,
                )
                if temperature < 1.0:
                    assert np.all(net.is_fixed_point(result.states)), temperature
                checked += 1
    assert checked == CASES["HopfieldNetwork.energy / local_fields / recall"]


# -- Boltzmann machines and the exact oracle -----------------------------------------------------
def test_boltzmann_energy_conditionals_and_tempering() -> None:
    rng = np.random.default_rng([SEED, 3])
    checked = 0
    with precise():
        for case in range(N_MODELS):
            w, b = extreme_couplings(rng, N_UNITS, case)
            ref = MpQuadratic(w, b, case)
            for units in ("spins", "bits"):
                bm = BoltzmannMachine(w, b, units=units)
                states = states_of(N_UNITS, units)
                with strict():
                    e = bm.energy(states)
                    fields = bm.local_fields(states)
                    p_high = bm.conditional_high(fields)
                factor = 2 if units == "spins" else 1
                for k, s in enumerate(states):
                    assert_close(e[k], ref.energy(s), ref.energy_error, ("E", s))
                    # fields of +-1e4: p is 0 or 1 where the reference rounds to it, otherwise
                    # within a few eps plus the field's rounding times the slope (<= 1/2)
                    i = k % N_UNITS
                    p_ref = mp_sigmoid(factor * mpf(fields[k, i]))
                    assert_close(p_high[k, i], p_ref, 4 * EPS, ("p(s_i = high | rest)", i))
                    checked += 1
                # beta E for beta as large as keeps beta * W finite, and beta 0; beyond, a
                # clear error instead of infinite energies
                big = 1e300
                with strict():
                    hot = bm.tempered(0.0).energy(states)
                    cold = bm.tempered(big).energy(states)
                assert np.all(hot == 0.0)
                # beta W rounds each coupling: the error is relative to beta's energy scale
                atol = 2 * sum_tolerance(N_UNITS**2, big * ref.scale)
                np.testing.assert_allclose(cold, big * e, rtol=0, atol=atol)
                checked += 1
                with strict(), pytest.raises(ValueError, match="beta must keep the energies"):
                    bm.tempered(1e306)
                checked += 1
    assert checked == CASES["BoltzmannMachine.energy / conditional_high / tempered"]


def mp_logaddexp(a: Any, b: Any) -> Any:
    if a == mp.ninf or b == mp.ninf:
        return b if a == mp.ninf else a
    high, low = (a, b) if a > b else (b, a)
    return high + mp.log1p(mp_exp(low - high))


def probability_bounds(
    ref_e: list[Any], energy_error: float, t: float
) -> tuple[Any, list[tuple[Any, Any, Any]]]:
    """log Z and, for each state, (P_low, P, P_high) in mpmath.

    P_low and P_high are the extreme values of P(s) when every energy may be off by
    ``energy_error`` (the rounding of float64 energies): the weight w_s = e^{-E_s / T} moves by
    e^{+-error / T} and every other weight the other way, so with W_s the sum of the other
    weights P_high = w_s / (w_s + e^{-2 error / T} W_s) and P_low likewise with e^{+2 error / T}.
    log W_s comes from prefix and suffix log-sum-exps, so that nothing cancels.
    """
    # weights relative to the lowest energy E_0: at T = 1e-300, -E / T is near 1e305 and 50
    # digits could not resolve the O(1) differences of log-weights that P depends on
    e0 = min(ref_e)
    log_w = [-(e - e0) / mpf(t) for e in ref_e]
    n = len(log_w)
    prefix, suffix = [mp.ninf], [mp.ninf] * (n + 1)
    for x in log_w:
        prefix.append(mp_logaddexp(prefix[-1], x))
    for k in range(n - 1, -1, -1):
        suffix[k] = mp_logaddexp(suffix[k + 1], log_w[k])
    log_z = prefix[n]  # relative to -E_0 / T
    shift = 2 * mpf(energy_error) / mpf(t)
    bounds = []
    for k, lw in enumerate(log_w):
        others = mp_logaddexp(prefix[k], suffix[k + 1])
        low = mp_exp(lw - mp_logaddexp(lw, others + shift))
        high = mp_exp(lw - mp_logaddexp(lw, others - shift))
        bounds.append((low, mp_exp(lw - log_z), high))
    return -e0 / mpf(t) + log_z, bounds


def test_exact_oracle_at_extreme_temperatures() -> None:
    """log Z, P(s) and <s_i> against mpmath sums over the 2**5 states, at every temperature
    of TEMPERATURES: log Z within the rounding of the energies amplified by 1/T (error / T)
    plus 8 eps |log Z|; each P(s) within its bounds (see probability_bounds) plus 8 eps."""
    rng = np.random.default_rng([SEED, 4])
    checked = 0
    with precise():
        for case in range(N_MODELS):
            w, b = extreme_couplings(rng, N_UNITS, case)
            ref = MpQuadratic(w, b, case)
            for units in ("spins", "bits"):
                bm = BoltzmannMachine(w, b, units=units)
                states = states_of(N_UNITS, units)
                ref_e = [ref.energy(s) for s in states]
                for t in TEMPERATURES:
                    ref_log_z, bounds = probability_bounds(ref_e, ref.energy_error, t)
                    with strict():
                        log_z = exact.log_partition(bm, t)
                        got_states, p = exact.probabilities(bm, t)
                        mean, second = exact.expectations(bm, t)
                    tol = ref.energy_error / t + 8 * EPS * (float(abs(ref_log_z)) + N_UNITS)
                    assert_close(log_z, ref_log_z, tol, ("log Z, T", t))
                    np.testing.assert_array_equal(got_states, states)
                    spread = 0.0
                    for k, (low, p_ref, high) in enumerate(bounds):
                        slack = float(max(high - p_ref, p_ref - low))
                        assert_close(p[k], p_ref, slack + 8 * EPS, ("P(s), T", states[k], t))
                        spread += slack
                    for i in range(N_UNITS):
                        ref_mean = mp.fsum(
                            q[1] * int(s[i]) for q, s in zip(bounds, states, strict=True)
                        )
                        assert_close(mean[i], ref_mean, spread + 2**N_UNITS * 8 * EPS, "<s_i>")
                    diagonal = mean if units == "bits" else np.ones(N_UNITS)
                    np.testing.assert_allclose(np.diag(second), diagonal, rtol=4 * EPS, atol=0)
                    checked += 1
    assert checked == CASES["exact.log_partition / probabilities / expectations"]


def test_exact_oracle_when_log_z_overflows() -> None:
    """At T = 1e-305, -E_0 / T exceeds the largest float64 for energies of 1e4: log Z cannot
    be returned (a clear error, not inf), but the distribution is perfectly defined, uniform on
    the ground states (the analytic limit T -> 0), and probabilities, expectations and exact
    samples give it."""
    rng = np.random.default_rng([SEED, 5])
    checked = 0
    t = 1e-305
    for case in range(N_MODELS):
        w, b = extreme_couplings(rng, N_UNITS, case)
        for units in ("spins", "bits"):
            bm = BoltzmannMachine(w, b, units=units)
            ground, e0 = exact.ground_states(bm)
            with strict():
                if abs(e0) / t > float(np.finfo(np.float64).max):
                    with pytest.raises(ValueError, match="temperature must be large enough"):
                        exact.log_partition(bm, t)
                states, p = exact.probabilities(bm, t)
                mean, _ = exact.expectations(bm, t)
                drawn = exact.sample(bm, 100, t, rng=case)
            is_ground = (states[:, None, :] == ground[None, :, :]).all(axis=2).any(axis=1)
            np.testing.assert_allclose(p[is_ground], 1.0 / ground.shape[0], rtol=4 * EPS)
            assert np.all(p[~is_ground] == 0.0)
            np.testing.assert_allclose(mean, ground.mean(axis=0), rtol=0, atol=8 * EPS)
            assert (drawn[:, None, :] == ground[None, :, :]).all(axis=2).any(axis=1).all()
            checked += 1
    assert checked == CASES["exact.ground_states / sample (T near 0)"]


# -- restricted Boltzmann machines -------------------------------------------------------------
RBM_KINDS = ("bernoulli", "softmax group", "gaussian")


def extreme_rbm(rng: np.random.Generator, kind: str) -> RBM:
    """An RBM whose weights and biases are uniform in [-1e4, 1e4]; Gaussian visible units get
    standard deviations in [0.5, 2], the softmax kind a one-of-2 group on units 3 and 4."""
    w = rng.uniform(-EXTREME, EXTREME, (N_VISIBLE, N_HIDDEN))
    a = rng.uniform(-EXTREME, EXTREME, N_VISIBLE)
    b = rng.uniform(-EXTREME, EXTREME, N_HIDDEN)
    if kind == "gaussian":
        sigma = rng.uniform(0.5, 2.0, N_VISIBLE)
        return RBM.from_params(w, a, b, visible="gaussian", sigma=sigma)
    groups = [(3, 5)] if kind == "softmax group" else None
    return RBM.from_params(w, a, b, softmax_groups=groups)


def visible_rows(rng: np.random.Generator, rbm: RBM, bits: bool) -> np.ndarray:
    """Rows of visible values: 0/1 (one-hot in the group) when ``bits``, else probabilities
    with exact 0s and 1s among values in (0, 1) (group rows summing exactly to 1); Gaussian
    units get values in [-3, 3]."""
    if rbm.visible == "gaussian":
        return rng.uniform(-3.0, 3.0, (N_ROWS, N_VISIBLE))
    if bits:
        v = rng.integers(0, 2, (N_ROWS, N_VISIBLE)).astype(np.float64)
    else:
        v = rng.choice([0.0, 1.0, 0.25, 0.5, 0.875], (N_ROWS, N_VISIBLE))
    if rbm.softmax_groups:
        v[:, 3] = rng.integers(0, 2, N_ROWS) if bits else rng.choice([0.0, 0.25, 1.0], N_ROWS)
        v[:, 4] = 1.0 - v[:, 3]
    return v


def rbm_tolerance(rbm: RBM, v: np.ndarray | None = None) -> float:
    """The rounding bound (sum_tolerance) of the nv nh + nv + nh terms of E(v, h), F(v) or a
    log-weight of the enumeration, with |h| <= 1 and |v / sigma| at most its largest value
    (1 for Bernoulli units), doubled for the softplus or log-sum-exp that follows."""
    w, a, b, sigma = rbm.weights, rbm.visible_bias, rbm.hidden_bias, rbm.sigma
    s = 1.0 if v is None else max(1.0, float(np.max(np.abs(v / sigma))))
    scale = s * (np.abs(w).sum() + np.abs(a).sum()) + np.abs(b).sum()
    if rbm.visible == "gaussian":  # (v - a)^2 / (2 sigma^2), and u (a / sigma + u / 2), u = W h
        u = np.abs(w).sum(axis=1)
        scale += np.sum((u + np.abs(a) / sigma) ** 2) + np.sum((s * sigma + np.abs(a)) ** 2)
    n_terms = rbm.n_visible * rbm.n_hidden + rbm.n_visible + rbm.n_hidden
    return 2 * sum_tolerance(n_terms, float(scale))


class MpRBM:
    """An RBM's energy, free energy, conditionals, log Z and moments in mpmath, written from
    the definitions: log Z and the moments enumerate every joint state (v, h) for Bernoulli
    units and integrate v analytically for Gaussian ones."""

    def __init__(self, rbm: RBM) -> None:
        self.nv, self.nh = rbm.n_visible, rbm.n_hidden
        self.w = [[mpf(x) for x in row] for row in rbm.weights]
        self.a = [mpf(x) for x in rbm.visible_bias]
        self.b = [mpf(x) for x in rbm.hidden_bias]
        self.sigma = [mpf(x) for x in rbm.sigma]
        self.gaussian = rbm.visible == "gaussian"
        self.groups = [[int(i) for i in g] for g in rbm.softmax_groups]
        states = states_of(self.nv, "bits")
        for g in self.groups:
            states = states[states[:, g].sum(axis=1) == 1]
        self.visible_states = states
        self.hidden_states = states_of(self.nh, "bits")

    def scaled(self, v: Any) -> list[Any]:
        return [mpf(x) / self.sigma[i] if self.gaussian else mpf(x) for i, x in enumerate(v)]

    def hidden_input(self, v: Any) -> list[Any]:
        """x_j = b_j + sum_i s_i W_ij, s = v or v / sigma."""
        s = self.scaled(v)
        return [
            self.b[j] + mp.fsum([s[i] * self.w[i][j] for i in range(self.nv)])
            for j in range(self.nh)
        ]

    def visible_term(self, v: Any) -> Any:
        if self.gaussian:
            return mp.fsum(
                [(mpf(x) - self.a[i]) ** 2 / (2 * self.sigma[i] ** 2) for i, x in enumerate(v)]
            )
        return -mp.fsum([mpf(x) * self.a[i] for i, x in enumerate(v)])

    def free_energy(self, v: Any) -> Any:
        return self.visible_term(v) - mp.fsum([mp_softplus(x) for x in self.hidden_input(v)])

    def energy(self, v: Any, h: Any) -> Any:
        """E(v, h) = visible term - sum_j h_j x_j (= -v W h - b h - a v for Bernoulli units)."""
        x = self.hidden_input(v)
        return self.visible_term(v) - mp.fsum([x[j] * mpf(h[j]) for j in range(self.nh)])

    def visible_mean(self, h: Any) -> list[Any]:
        """E[v | h] for hidden values or probabilities h."""
        u = [mp.fsum([self.w[i][j] * mp.mpf(h[j]) for j in range(self.nh)]) for i in range(self.nv)]
        if self.gaussian:
            return [self.a[i] + self.sigma[i] * u[i] for i in range(self.nv)]
        out = [mp_sigmoid(self.a[i] + u[i]) for i in range(self.nv)]
        for g in self.groups:
            logits = [self.a[i] + u[i] for i in g]
            lse = mp_logsumexp(logits)
            for i, x in zip(g, logits, strict=True):
                out[i] = mp_exp(x - lse)
        return out

    def joint(self) -> list[tuple[np.ndarray, np.ndarray, Any]]:
        """(v, h, log w): every joint state with its log-weight -E(v, h) (Bernoulli), or
        (E[v | h], h, log w(h)) with v integrated out (Gaussian): int exp(-(v - a)^2 /
        (2 sigma^2) + v u / sigma) dv = sqrt(2 pi) sigma exp(a u / sigma + u^2 / 2)."""
        out = []
        if not self.gaussian:
            for v in self.visible_states:
                x = self.hidden_input(v)
                term = self.visible_term(v)
                for h in self.hidden_states:
                    out.append((v, h, mp.fsum([x[j] for j in range(self.nh) if h[j]]) - term))
            return out
        constant = mp.fsum([mp.log(mp.sqrt(2 * mp.pi) * s) for s in self.sigma])
        for h in self.hidden_states:
            u = [mp.fsum([self.w[i][j] for j in range(self.nh) if h[j]]) for i in range(self.nv)]
            log_w = mp.fsum([self.b[j] for j in range(self.nh) if h[j]])
            log_w += mp.fsum(
                [self.a[i] * u[i] / self.sigma[i] + u[i] ** 2 / 2 for i in range(self.nv)]
            )
            mean = [self.a[i] + self.sigma[i] * u[i] for i in range(self.nv)]
            out.append((mean, h, log_w + constant))
        return out

    def log_partition(self) -> Any:
        return mp_logsumexp([lw for _, _, lw in self.joint()])

    def moments(self) -> tuple[list[list[Any]], list[Any], list[Any]]:
        """<s_i h_j>, <v_i>, <h_j> under the model (s = v, or v / sigma)."""
        joint = self.joint()
        log_z = mp_logsumexp([lw for _, _, lw in joint])
        vh = [[mp.zero] * self.nh for _ in range(self.nv)]
        v_m, h_m = [mp.zero] * self.nv, [mp.zero] * self.nh
        for v, h, lw in joint:
            p = mp_exp(lw - log_z)
            pv = [p * mp.mpf(x) for x in v]  # p v_i, or p E[v_i | h]
            for i in range(self.nv):
                v_m[i] += pv[i]
                for j in range(self.nh):
                    if h[j]:
                        vh[i][j] += pv[i] / self.sigma[i] if self.gaussian else pv[i]
            for j in range(self.nh):
                if h[j]:
                    h_m[j] += p
        return vh, v_m, h_m


def test_rbm_energies_free_energies_and_conditionals() -> None:
    rng = np.random.default_rng([SEED, 6])
    checked = 0
    with precise():
        for _ in range(N_MODELS):
            for kind in RBM_KINDS:
                rbm = extreme_rbm(rng, kind)
                ref = MpRBM(rbm)
                v = visible_rows(rng, rbm, bits=False)
                h = rng.choice([0.0, 1.0, 0.5], (N_ROWS, N_HIDDEN))
                tol = rbm_tolerance(rbm, v)
                with strict():
                    e = rbm.energy(v, h)
                    f = rbm.free_energy(v)
                    q = rbm.hidden_probabilities(v)
                    mean = rbm.visible_mean(h)
                for r in range(N_ROWS):
                    assert_close(e[r], ref.energy(v[r], h[r]), tol, (kind, "E(v, h)"))
                    assert_close(f[r], ref.free_energy(v[r]), tol, (kind, "F(v)"))
                    # sigmoid has slope <= 1/4: the input's rounding, plus a few eps
                    for j, x in enumerate(ref.hidden_input(v[r])):
                        assert_close(q[r, j], mp_sigmoid(x), 0.25 * tol + 4 * EPS, "p(h | v)")
                    ref_mean = ref.visible_mean(h[r])
                    for i in range(N_VISIBLE):
                        size = float(abs(ref_mean[i])) if kind == "gaussian" else 0.0
                        assert_close(mean[r, i], ref_mean[i], tol + 8 * EPS * (1 + size), "E[v|h]")
                    checked += 1
    assert checked == CASES["RBM.energy / free_energy / conditionals"]


def test_rbm_label_probabilities() -> None:
    rng = np.random.default_rng([SEED, 7])
    checked = 0
    with precise():
        for _ in range(N_MODELS):
            rbm = extreme_rbm(rng, "softmax group")
            ref = MpRBM(rbm)
            v = visible_rows(rng, rbm, bits=True)
            tol = rbm_tolerance(rbm)
            with strict():
                p = rbm.label_probabilities(v)
                label = rbm.predict_label(v)
            for r in range(N_ROWS):
                # p(y = k | x) = e^{-F(x, e_k)} / sum_l e^{-F(x, e_l)}
                minus_f = []
                for k in (3, 4):
                    row = v[r].copy()
                    row[3:5] = 0.0
                    row[k] = 1.0
                    minus_f.append(-ref.free_energy(row))
                lse = mp_logsumexp(minus_f)
                for k in range(2):
                    assert_close(p[r, k], mp_exp(minus_f[k] - lse), tol + 8 * EPS, "p(y | x)")
                if abs(minus_f[0] - minus_f[1]) > 2 * tol:
                    assert label[r] == int(minus_f[1] > minus_f[0])
                checked += 1
    assert checked == CASES["RBM.label_probabilities"]


def test_rbm_log_partition_and_log_likelihood() -> None:
    rng = np.random.default_rng([SEED, 8])
    checked = 0
    with precise():
        for _ in range(N_MODELS):
            for kind in RBM_KINDS:
                rbm = extreme_rbm(rng, kind)
                ref = MpRBM(rbm)
                v = visible_rows(rng, rbm, bits=True)
                tol = rbm_tolerance(rbm, v)
                with strict():
                    log_z = metrics.rbm_log_partition(rbm)
                    ll = metrics.log_likelihood(rbm, v)
                    ll_given = metrics.log_likelihood(rbm, v, log_z=log_z)
                ref_log_z = ref.log_partition()
                slack = 8 * EPS * float(abs(ref_log_z))
                assert_close(log_z, ref_log_z, tol + slack, (kind, "log Z"))
                ref_ll = mp.fsum([-ref.free_energy(row) for row in v]) / N_ROWS - ref_log_z
                assert_close(ll, ref_ll, 2 * tol + slack, (kind, "log p(v)"))
                assert ll == ll_given
                if kind != "gaussian":
                    assert ll <= 0.0  # the log-probability of a discrete state
                checked += 1
    assert checked == CASES["metrics.rbm_log_partition / log_likelihood"]


def test_rbm_log_likelihood_gradient() -> None:
    """The exact gradient <s h>_data - <s h>_model (and the biases' analogues) against mpmath
    moments. A probability e^{log w - log Z} carries the rounding of its exponent (at most
    ``tol``) relatively, so each moment is within 2 tol times its largest term."""
    rng = np.random.default_rng([SEED, 9])
    checked = 0
    with precise():
        for _ in range(N_MODELS):
            for kind in RBM_KINDS:
                rbm = extreme_rbm(rng, kind)
                ref = MpRBM(rbm)
                v = visible_rows(rng, rbm, bits=True)
                with strict():
                    grad = metrics.log_likelihood_gradient(rbm, v)
                s = [ref.scaled(row) for row in v]
                q = [[mp_sigmoid(x) for x in ref.hidden_input(row)] for row in v]
                vh, v_m, h_m = ref.moments()
                size = 1.0
                if kind == "gaussian":
                    size += max(float(abs(x)) for x in v_m)
                    size += max(float(abs(x)) for row in s for x in row)
                tol = 4 * (rbm_tolerance(rbm, v) + 8 * EPS) * size
                sigma2 = [x**2 if kind == "gaussian" else 1 for x in ref.sigma]
                for i in range(N_VISIBLE):
                    for j in range(N_HIDDEN):
                        data = mp.fsum([s[r][i] * q[r][j] for r in range(N_ROWS)]) / N_ROWS
                        assert_close(grad.weights[i, j], data - vh[i][j], tol, "dL/dW")
                    data_v = mp.fsum([mpf(row[i]) for row in v]) / N_ROWS
                    ref_v = (data_v - v_m[i]) / sigma2[i]
                    assert_close(grad.visible_bias[i], ref_v, tol, "dL/da")
                for j in range(N_HIDDEN):
                    data_h = mp.fsum([q[r][j] for r in range(N_ROWS)]) / N_ROWS
                    assert_close(grad.hidden_bias[j], data_h - h_m[j], tol, "dL/db")
                checked += 1
    assert checked == CASES["metrics.log_likelihood_gradient"]


def test_rbm_pseudo_likelihood() -> None:
    """sum_i log p(v_i | v_-i) from mpmath free energies; a softmax group is one site."""
    rng = np.random.default_rng([SEED, 10])
    checked = 0
    with precise():
        for _ in range(N_MODELS):
            for kind in ("bernoulli", "softmax group"):
                rbm = extreme_rbm(rng, kind)
                ref = MpRBM(rbm)
                v = visible_rows(rng, rbm, bits=True)
                tol = rbm_tolerance(rbm, v)
                with strict():
                    pl = metrics.pseudo_likelihood(rbm, v)
                total = []
                for row in v:
                    minus_f = -ref.free_energy(row)
                    for i in rbm.free_units:
                        flipped = row.copy()
                        flipped[i] = 1.0 - row[i]
                        options = [minus_f, -ref.free_energy(flipped)]
                        total.append(minus_f - mp_logsumexp(options))
                    for g in rbm.softmax_groups:
                        options = []
                        for k in g:
                            other = row.copy()
                            other[g] = 0.0
                            other[k] = 1.0
                            options.append(-ref.free_energy(other))
                        total.append(minus_f - mp_logsumexp(options))
                ref_pl = mp.fsum(total) / N_ROWS
                # each site's term is a difference of two free energies: 2 tol per site
                assert_close(pl, ref_pl, 2 * N_VISIBLE * tol, (kind, "pseudo-likelihood"))
                assert pl <= 0.0
                checked += 1
    assert checked == CASES["metrics.pseudo_likelihood"]


def test_rbm_free_energy_gap_and_reconstruction_error() -> None:
    rng = np.random.default_rng([SEED, 11])
    checked = 0
    with precise():
        for _ in range(N_MODELS):
            for kind in RBM_KINDS:
                rbm = extreme_rbm(rng, kind)
                ref = MpRBM(rbm)
                train = visible_rows(rng, rbm, bits=False)
                held_out = visible_rows(rng, rbm, bits=False)
                tol = rbm_tolerance(rbm, np.concatenate([train, held_out]))
                with strict():
                    gap = metrics.free_energy_gap(rbm, train, held_out)
                    error = metrics.reconstruction_error(rbm, train)
                ref_gap = (
                    mp.fsum([ref.free_energy(r) for r in held_out])
                    - mp.fsum([ref.free_energy(r) for r in train])
                ) / N_ROWS
                assert_close(gap, ref_gap, 2 * tol, (kind, "free-energy gap"))
                squares = []
                for row in train:
                    p = [mp_sigmoid(x) for x in ref.hidden_input(row)]
                    squares += [
                        (mpf(x) - m) ** 2 for x, m in zip(row, ref.visible_mean(p), strict=True)
                    ]
                ref_error = mp.fsum(squares) / len(squares)
                # p = p(h | v) is within tol / 4 + 4 eps; v_hat = E[v | h = p] then moves by
                # up to |W| (row sums) times that, plus its own rounding (slope <= 1/4 for
                # Bernoulli units, sigma for Gaussian ones); (v - v_hat)^2 by twice |v - v_hat|
                # times that
                err_p = 0.25 * tol + 4 * EPS
                err_x = tol + float(np.abs(rbm.weights).sum(axis=1).max()) * err_p
                slope = float(rbm.sigma.max()) if kind == "gaussian" else 0.25
                err_mean = slope * err_x + 8 * EPS
                reach = 1.0 + (float(max(abs(x) for x in squares)) ** 0.5)
                assert_close(error, ref_error, 2 * reach * err_mean, (kind, "reconstruction"))
                checked += 1
    assert checked == CASES["metrics.free_energy_gap / reconstruction_error"]


# -- backprop losses -----------------------------------------------------------------------------
def extreme_logits(rng: np.random.Generator) -> np.ndarray:
    """Rows of logits: +-1e4 signs, uniform in [-1e4, 1e4], values near +-30 to +-40 (where
    log(1 + e^-z) is far below the rounding of z), all equal, and exact ties at the top."""
    rows = [
        rng.choice([-EXTREME, EXTREME], N_CLASSES),
        rng.uniform(-EXTREME, EXTREME, N_CLASSES),
        rng.uniform(-EXTREME, EXTREME, N_CLASSES),
        rng.choice([-1.0, 1.0], N_CLASSES) * rng.uniform(30.0, 40.0, N_CLASSES),
        rng.choice([-1.0, 1.0], N_CLASSES) * rng.uniform(30.0, 40.0, N_CLASSES),
        rng.uniform(-700.0, 700.0, N_CLASSES),
        np.full(N_CLASSES, rng.choice([-EXTREME, 0.0, EXTREME])),
        np.array([EXTREME, EXTREME, -EXTREME, 0.0]),
    ]
    rows += [rng.uniform(-50.0, 50.0, N_CLASSES) for _ in range(N_LOGIT_ROWS - len(rows))]
    return np.array(rows)


def identity_network(output: str, dtype: Any) -> MLP:
    """One layer with identity weights: the logits are the input, exactly."""
    eye = np.eye(N_CLASSES)
    return MLP.from_params([eye], [np.zeros(N_CLASSES)], output=output, dtype=dtype)


DTYPES = (np.float64, np.float32)


def exponent_rtol(gaps: np.ndarray, dtype: Any) -> float:
    """Relative tolerance of a sum of e^{-gap} terms computed in ``dtype``: each gap is
    rounded (relative eps), which moves e^{-gap} by eps * gap relatively; only gaps below
    -log(tiny) (708 in float64, 87 in float32) leave a term above the underflow threshold."""
    eps = float(np.finfo(dtype).eps)
    cutoff = -float(np.log(np.finfo(dtype).tiny))
    return eps * (8.0 + min(float(np.max(np.abs(gaps))), cutoff))


@pytest.mark.parametrize("dtype", DTYPES)
def test_softmax_cross_entropy_at_extreme_logits(dtype: Any) -> None:
    """-log softmax_y(z) = log sum_k e^{z_k - z_y} against mpmath (written as log1p of the sum
    over k != y, so that 50 digits resolve losses down to e^-1e4), per row and as the mean
    loss of an MLP whose logits are its input; softmax probabilities of exactly 0 and 1."""
    rng = np.random.default_rng([SEED, 12, np.dtype(dtype).itemsize])
    eps = float(np.finfo(dtype).eps)
    checked = 0
    with precise():
        for _ in range(N_MODELS):
            z = extreme_logits(rng).astype(dtype)
            # the labels: the largest logit for half the rows (a loss far below 1, where
            # log(sum e^(z - max)) = log(1 + tiny) must not round to 0), random otherwise
            y = np.where(
                np.arange(N_LOGIT_ROWS) % 2 == 0,
                np.argmax(z, axis=1),
                rng.integers(0, N_CLASSES, N_LOGIT_ROWS),
            )
            net = identity_network("softmax", dtype)
            with strict():
                losses = OUTPUTS["softmax"].loss(z, np.eye(N_CLASSES, dtype=dtype)[y])
                mean_loss = net.loss(z, y)
                proba = net.predict_proba(z)
                loss_again, grads_w, grads_b = net.gradient(z, y)
            refs = []
            rtol_mean = 0.0
            for r in range(N_LOGIT_ROWS):
                zr = [mpf(x) for x in z[r]]
                others = [mp_exp(zr[k] - zr[y[r]]) for k in range(N_CLASSES) if k != y[r]]
                ref = mp.log1p(mp.fsum(others))
                refs.append(ref)
                rtol = exponent_rtol(z[r] - z[r, y[r]], dtype)
                rtol_mean = max(rtol_mean, rtol)
                assert_relative(losses[r], ref, rtol, ("cross-entropy of", z[r]), dtype)
                lse = mp_logsumexp(zr)
                for k in range(N_CLASSES):
                    assert_close(proba[r, k], mp_exp(zr[k] - lse), 4 * eps, "softmax")
                checked += 1
            assert_relative(mean_loss, mp.fsum(refs) / N_LOGIT_ROWS, rtol_mean, "mean", dtype)
            assert loss_again == mean_loss
            assert all(np.all(np.isfinite(g)) for g in grads_w + grads_b)
    assert checked * len(DTYPES) == CASES["MLP softmax + cross-entropy"]


@pytest.mark.parametrize("dtype", DTYPES)
def test_sigmoid_binary_cross_entropy_at_extreme_logits(dtype: Any) -> None:
    """sum_k softplus(z_k) - t_k z_k against mpmath (written as (1 - t) z + log1p(e^-z) for
    z >= 0 and -t z + log1p(e^z) otherwise, so that 50 digits resolve losses down to e^-1e4),
    with targets of exactly 0 and 1 and soft targets; sigmoid outputs of exactly 0 and 1."""
    rng = np.random.default_rng([SEED, 13, np.dtype(dtype).itemsize])
    eps = float(np.finfo(dtype).eps)
    checked = 0
    with precise():
        for _ in range(N_MODELS):
            z = extreme_logits(rng).astype(dtype)
            # targets on the side of the logit (a tiny loss) for even rows; soft targets
            # (probabilities, some exactly 0 or 1) for odd rows
            hard = (z > 0).astype(dtype)
            soft = rng.choice([0.0, 1.0, 0.25, 0.5, 1.0 - 2.0**-20], z.shape).astype(dtype)
            t = np.where((np.arange(N_LOGIT_ROWS) % 2 == 0)[:, None], hard, soft)
            net = identity_network("sigmoid", dtype)
            with strict():
                losses = OUTPUTS["sigmoid"].loss(z, t)
                mean_loss = net.loss(z, t)
                proba = net.predict_proba(z)
                _, grads_w, grads_b = net.gradient(z, t)
            refs = []
            rtol_mean = 0.0
            for r in range(N_LOGIT_ROWS):
                terms = []
                for x, tk in zip(z[r], t[r], strict=True):
                    x_, t_ = mpf(x), mpf(tk)
                    if x_ >= 0:
                        terms.append((1 - t_) * x_ + mp.log1p(mp_exp(-x_)))
                    else:
                        terms.append(-t_ * x_ + mp.log1p(mp_exp(x_)))
                ref = mp.fsum(terms)
                refs.append(ref)
                rtol = exponent_rtol(z[r], dtype)
                rtol_mean = max(rtol_mean, rtol)
                assert_relative(losses[r], ref, rtol, ("BCE of", z[r], t[r]), dtype)
                for k in range(N_CLASSES):
                    assert_close(proba[r, k], mp_sigmoid(mpf(z[r, k])), 4 * eps, "sigmoid")
                checked += 1
            assert_relative(mean_loss, mp.fsum(refs) / N_LOGIT_ROWS, rtol_mean, "mean", dtype)
            assert all(np.all(np.isfinite(g)) for g in grads_w + grads_b)
    assert checked * len(DTYPES) == CASES["MLP sigmoid + binary cross-entropy"]


# -- the counts in the documentation -----------------------------------------------------------
def test_doc_quotes_the_counts() -> None:
    """docs/reliability.md lists, in its "Numerical extremes" table, each entry point with the
    number of generated cases above, and their total."""
    doc = Path(__file__).resolve().parents[1] / "docs" / "reliability.md"
    text = doc.read_text(encoding="utf-8")
    start, end = "<!-- extremes-counts start -->", "<!-- extremes-counts end -->"
    section = text.split(start)[1].split(end)[0]
    quoted = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 2 and cells[0].startswith("`"):
            quoted[cells[0].strip("`")] = int(re.sub(r"[^0-9]", "", cells[-1]))
    assert quoted == CASES
    assert f"all {sum(CASES.values())} cases" in text.split(end)[1]
