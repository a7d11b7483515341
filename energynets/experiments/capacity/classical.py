"""The storage capacity of the classical Hopfield network: :func:`run_capacity`.

Random unbiased patterns are stored by each learning rule at a grid of loads alpha = P / N,
and every (rule, load) cell is measured: the one-step bit error, the fraction of stored
patterns that are fixed points, the fraction of noisy probes recalled exactly and the bits
left wrong after relaxing from a stored pattern. :class:`CapacityResult` holds one record per
cell; :mod:`~energynets.experiments.capacity.theory` holds the published predictions they are
compared with.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from energynets._validation import (
    RNGLike,
    as_float_array,
    check_choices,
    check_float,
    check_int,
    describe_rng,
    rng_stream,
)
from energynets.datasets import random_patterns
from energynets.experiments._runs import check_bool, draw_entropy, progress_bar
from energynets.experiments.capacity._memories import (
    check_recall,
    draw_probes,
    pseudoinverse_skipped,
)
from energynets.experiments.capacity.records import CapacityResult
from energynets.learning.hopfield_rules import RULES
from energynets.models.hopfield import HopfieldNetwork
from energynets.sampling.dynamics import run_dynamics

__all__ = ["run_capacity"]


def check_alphas(alphas: Any) -> np.ndarray:
    """The loads P / N asked for, shape (n_loads,), all > 0; None gives the default grid
    0.02, 0.06, ..., 0.5 (13 loads)."""
    if alphas is None:
        return np.round(np.linspace(0.02, 0.5, 13), 3)
    a = as_float_array(alphas, "alphas", ndim=(0, 1), dtype=np.float64)
    a = np.atleast_1d(a)
    if np.any(a <= 0):
        bad = a[a <= 0][:3]
        raise ValueError(f"alphas must all be > 0 (loads P / N), got values such as {bad}")
    return a


@dataclass
class _Plan:
    """The checked arguments of one :func:`run_capacity` call and the cells they ask for."""

    n_units: int
    alphas: np.ndarray
    rules: tuple[str, ...]
    flip_fraction: float
    n_trials: int
    dynamics: str
    max_sweeps: int
    max_probes: int | None
    entropy: int  # seeds every stream of the run
    loads: list[int] = field(init=False)  # the distinct P = max(1, round(alpha N)), increasing
    cells: list[tuple[str, int]] = field(init=False)  # (rule, P): by rule, loads increasing

    def __post_init__(self) -> None:
        n = self.n_units
        self.loads = sorted({max(1, round(float(a) * n)) for a in self.alphas})
        self.cells = [
            (rule, p)
            for rule in self.rules
            for p in self.loads
            if not pseudoinverse_skipped(rule, p, n)
        ]


def run_capacity(
    n_units: int = 200,
    alphas: ArrayLike | None = None,
    rules: Iterable[str] = ("hebbian", "storkey", "pseudoinverse"),
    flip_fraction: float = 0.1,
    n_trials: int = 1,
    dynamics: str = "async",
    max_sweeps: int = 50,
    max_probes: int | None = None,
    rng: RNGLike = 0,
    progress: bool = False,
) -> CapacityResult:
    """Measure storage and recall of random patterns against the load alpha = P / N.

    For each trial a set of random unbiased patterns xi^mu in {-1, +1}^N is drawn; the load
    P = max(1, round(alpha N)) takes the first P of them, so the loads of one trial are nested
    (and each is the same as drawing P patterns afresh from that trial's stream). For every
    rule and load the patterns are stored, the stored bits are checked for one-step stability,

        one_step_error = mean over mu, i of [xi_i^mu h_i(xi^mu) < 0],
        h_i(s) = sum_j W_ij s_j + b_i,

    (a zero field counts as stable, as in the dynamics), and the network is relaxed at zero
    temperature, in one batch, from the stored patterns with exactly round(flip_fraction N)
    bits flipped (``fraction_recalled``: the fraction that stop exactly on their pattern) and
    from the stored patterns themselves (``error_after_relax``: the mean fraction of bits
    that end wrong). The batch holds only the probes whose outcome is not already known: a
    noisy probe can stop on its pattern only if the pattern is a fixed point, and a stored
    pattern that is a fixed point does not move. The dynamics are those of
    :meth:`HopfieldNetwork.recall` (:func:`energynets.sampling.dynamics.run_dynamics`,
    without recording overlaps). Each measurement is averaged over ``n_trials`` independent
    pattern sets.

    Parameters
    ----------
    n_units : int >= 2
        N, the number of units.
    alphas : array_like of float > 0, shape (n_loads,), optional
        Loads P / N to measure. Loads that round to the same P are measured once; the
        records hold the realised alpha = P / N. Default: the 13 loads
        ``np.round(np.linspace(0.02, 0.5, 13), 3)`` = 0.02, 0.06, ..., 0.5, which bracket
        alpha_c = 0.138 and the Storkey and pseudo-inverse limits.
    rules : sequence of {"hebbian", "storkey", "pseudoinverse"}
        Learning rules to compare (Hopfield 1982; Storkey 1997; Personnaz, Guyon & Dreyfus
        1985). The pseudo-inverse rule is measured only at loads with P < N: at P >= N
        (independent patterns span R^N) the projector onto the patterns' span is the
        identity, whose zero-diagonal remainder is W = 0, under which every state would count
        as a fixed point; those loads are skipped and have no record.
    flip_fraction : float in [0, 1]
        Fraction of the bits flipped in each recall probe (see :func:`energynets.corrupt`).
    n_trials : int >= 1
        Independent pattern sets to average over.
    dynamics : {"async", "sync"}
        Zero-temperature dynamics used for recall.
    max_sweeps : int >= 1
        Upper bound on the sweeps of each recall.
    max_probes : int >= 1, optional
        Probe at most this many stored patterns per load and trial, chosen at random without
        replacement (the same ones for every rule), to keep large loads cheap. The one-step
        error and ``fraction_fixed`` always use every stored pattern. Default: all patterns.
    rng : int, Generator, SeedSequence or None
        Source of all randomness. It is turned into a Generator once; one integer drawn from
        it seeds independent streams (:class:`numpy.random.SeedSequence` with a spawn key)
        for the patterns of each trial, the probes of each (trial, load) and the dynamics of
        each (trial, load, rule), so a measurement does not depend on the other loads or
        rules asked for, nor on the order of the loops.
    progress : bool
        Show a tqdm progress bar over the (trial, load, rule) cells.

    Returns
    -------
    CapacityResult
        ``records`` (one dict per rule and load) and ``settings``.

    Notes
    -----
    Cost per trial and load: storing is O(P N^2) (Storkey: the rule is incremental, and
    the loads of one trial are nested, so each pattern is stored once per trial), the
    stability check one (P, N) x (N, N) product, and recall up to ``max_sweeps``
    asynchronous sweeps of at most 2 min(P, max_probes) probes, each sweep O(N^2) per probe
    (above capacity the Hebbian dynamics take 10 to 50 sweeps at N = 1000; this dominates).

    Expected behaviour at N = 1000 and 10% flipped bits: the Hebbian one-step error follows
    :func:`one_step_error_theory`; every Hebbian pattern is a fixed point up to about
    N / (4 ln N) = 36 patterns (:func:`mceliece_capacity`), about half of them at alpha = 0.1
    (each of the N bits is stable with probability 1 - 7.4e-4, and 0.9993^1000 = 0.48), and
    recall collapses near alpha_c = 0.138; Storkey recall stays perfect to alpha ~ 0.3
    (capacity N / sqrt(2 ln N) = 269, :func:`storkey_capacity`); with the pseudo-inverse every
    pattern is a fixed point for P < N while the basins shrink to nothing as alpha -> 1.

    References
    ----------
    Hopfield (1982); Amit, Gutfreund & Sompolinsky (1985); Personnaz, Guyon & Dreyfus (1985);
    McEliece et al. (1987); Hertz, Krogh & Palmer (1991), chapter 2; Storkey (1997). Full
    citations in the module docstring.

    Examples
    --------
    >>> res = run_capacity(n_units=100, alphas=[0.05, 0.2], rules=["hebbian"], rng=0)
    >>> [r["n_patterns"] for r in res.records]
    [5, 20]
    >>> res.column("fraction_fixed").shape
    (2,)
    """
    n = check_int(n_units, "n_units", minimum=2)
    alpha_grid = check_alphas(alphas)
    rule_names = check_choices(rules, "rules", RULES, "rule")
    flip = check_float(flip_fraction, "flip_fraction", minimum=0.0, maximum=1.0)
    trials = check_int(n_trials, "n_trials", minimum=1)
    sweeps = check_recall(dynamics, max_sweeps)
    cap = None if max_probes is None else check_int(max_probes, "max_probes", minimum=1)
    check_bool(progress, "progress")
    plan = _Plan(n, alpha_grid, rule_names, flip, trials, dynamics, sweeps, cap, draw_entropy(rng))
    sums: dict[tuple[str, int], np.ndarray] = {cell: np.zeros(4) for cell in plan.cells}
    with progress_bar(progress, trials * len(plan.cells), f"capacity N={n}", "cell") as bar:
        for trial in range(trials):
            _run_trial(plan, trial, sums, bar)
    records = [_record(plan, rule, p, sums[(rule, p)]) for rule, p in plan.cells]
    return CapacityResult(records=records, settings=_settings(plan, rng))


class _Storkey:
    """The Storkey network of one trial, grown load by load.

    The Storkey rule is incremental and the loads of a trial are nested, so storing the new
    patterns on top of the previous load's weights gives exactly the weights of storing all
    P at once, and each pattern is stored once per trial.
    """

    def __init__(self) -> None:
        self.net: HopfieldNetwork | None = None
        self.n_stored = 0  # patterns in self.net

    def store(self, xi: np.ndarray) -> HopfieldNetwork:
        """The network storing all of ``xi`` (P, N), whose first rows are those stored so far."""
        if self.net is None:
            net = HopfieldNetwork.from_patterns(xi, rule="storkey")
        else:
            net = self.net.store(xi[self.n_stored :])
        self.net, self.n_stored = net, xi.shape[0]
        return net


def _run_trial(plan: _Plan, trial: int, sums: dict[tuple[str, int], np.ndarray], bar: Any) -> None:
    """Add one trial's measurements to ``sums``: draw its patterns, then at every load store
    the first P by each rule and measure the cell."""
    xi_all = random_patterns(plan.loads[-1], plan.n_units, rng=rng_stream(plan.entropy, trial))
    storkey = _Storkey()
    for p in plan.loads:
        xi = xi_all[:p]
        probe_gen = rng_stream(plan.entropy, trial, p, 0)
        idx, noisy = draw_probes(xi, plan.max_probes, plan.flip_fraction, probe_gen)
        for rule in plan.rules:
            if (rule, p) not in sums:
                continue
            if rule == "storkey":
                net = storkey.store(xi)
            else:
                net = HopfieldNetwork.from_patterns(xi, rule=rule)
            dyn_gen = rng_stream(plan.entropy, trial, p, 1 + RULES.index(rule))
            sums[(rule, p)] += _measure(
                net, xi, idx, noisy, plan.dynamics, plan.max_sweeps, dyn_gen
            )
            if bar is not None:
                bar.update(1)


def _record(plan: _Plan, rule: str, p: int, total: np.ndarray) -> dict[str, Any]:
    """The record of one cell from the sums of its measurements over the trials."""
    one_step, fixed, recalled, relax_error = (total / plan.n_trials).tolist()
    return {
        "rule": rule,
        "n_units": plan.n_units,
        "n_patterns": p,
        "alpha": p / plan.n_units,
        "one_step_error": one_step,
        "fraction_fixed": fixed,
        "fraction_recalled": recalled,
        "error_after_relax": relax_error,
        "n_trials": plan.n_trials,
    }


def _settings(plan: _Plan, rng: RNGLike) -> dict[str, Any]:
    return {
        "n_units": plan.n_units,
        "flip_fraction": plan.flip_fraction,
        "dynamics": plan.dynamics,
        "max_sweeps": plan.max_sweeps,
        "n_trials": plan.n_trials,
        "max_probes": plan.max_probes,
        "rules": list(plan.rules),
        "alphas": plan.alphas.tolist(),
        "rng": describe_rng(rng),
    }


def _measure(
    net: HopfieldNetwork,
    xi: np.ndarray,
    idx: np.ndarray,
    noisy: np.ndarray,
    dynamics: str,
    max_sweeps: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """[one_step_error, fraction_fixed, fraction_recalled, error_after_relax] of one cell.

    ``xi`` (P, N) are all stored patterns, ``idx`` (K,) the probed ones and ``noisy`` (K, N)
    their corrupted copies.

    Only the probes whose outcome is not already known are relaxed, in one batch: a noisy
    probe can stop on its pattern only if the pattern is a fixed point (otherwise it counts as
    not recalled), and a stored pattern that is a fixed point does not move (its relaxation
    error is 0). Leaving those rows out changes nothing else: the dynamics treat every probe
    on its own and draw one visiting order per sweep, shared by the batch.
    """
    unstable = net.unstable_units(xi)
    fixed = ~np.any(unstable, axis=1)
    targets = xi[idx]
    k = idx.size
    fixed_targets = fixed[idx]
    noisy_rows = np.flatnonzero(fixed_targets)
    clean_rows = np.flatnonzero(~fixed_targets)
    batch = np.concatenate([noisy[noisy_rows], targets[clean_rows]])
    recalled = 0.0
    relax_error = 0.0
    if batch.shape[0]:
        # run_dynamics is what HopfieldNetwork.recall calls; going around recall skips the
        # per-sweep overlaps with every stored pattern (n_sweeps x 2K x P numbers) we never use
        res = run_dynamics(
            net, batch, dynamics=dynamics, temperature=0.0, max_sweeps=max_sweeps, rng=rng
        )
        n_noisy = noisy_rows.size
        recalled = float(np.sum(np.all(res.states[:n_noisy] == targets[noisy_rows], axis=1)))
        relax_error = float(np.sum(res.states[n_noisy:] != targets[clean_rows]))
    return np.array(
        [
            float(unstable.mean()),
            float(fixed.mean()),
            recalled / k,
            relax_error / (k * xi.shape[1]),
        ]
    )
