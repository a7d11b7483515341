"""Storage capacity of the classical Hopfield network, measured against the published theory.

Random unbiased patterns xi^mu in {-1, +1}^N, mu = 1..P, are stored with a learning rule and
the load alpha = P / N is swept. For every rule and load :func:`run_capacity` measures

- the one-step bit error: the fraction of stored bits with xi_i^mu h_i(xi^mu) < 0, i.e. the
  bits that the first zero-temperature update would flip. For the Hebbian rule its large-N
  value is P_err = 1/2 erfc(sqrt(1 / (2 alpha))) (Hertz, Krogh & Palmer 1991, eq. 2.13 and
  table 2.1), :func:`one_step_error_theory`;
- the fraction of stored patterns that are fixed points of the dynamics, the criterion of
  McEliece et al. (1987), whose Hebbian capacity is N / (2 ln N) (N / (4 ln N) for all of the
  patterns at once), :func:`mceliece_capacity`, and of Storkey (1997), N / sqrt(2 ln N),
  :func:`storkey_capacity`;
- the fraction of probes (stored patterns with a fraction of their bits flipped) that relax
  exactly to their pattern: associative recall, which for the Hebbian rule breaks down near the
  critical load alpha_c = 0.138 (Amit, Gutfreund & Sompolinsky 1985), :data:`ALPHA_C`;
- the fraction of wrong bits after relaxing from the stored pattern itself: about 1.5% at
  alpha_c in the retrieval state of the Hebbian network (Amit et al. 1985).

The functions here only compute and return; the command line prints
:meth:`CapacityResult.to_text` and :mod:`energynets.plotting` draws the columns.

References
----------
Hopfield, J. J. (1982). Neural networks and physical systems with emergent collective
computational abilities. PNAS 79, 2554-2558.

Amit, D. J., Gutfreund, H. & Sompolinsky, H. (1985). Storing infinite numbers of patterns in a
spin-glass model of neural networks. Phys. Rev. Lett. 55, 1530-1533.

Personnaz, L., Guyon, I. & Dreyfus, G. (1985). Information storage and retrieval in spin-glass
like neural networks. J. Physique Lett. 46, L359-L365.

McEliece, R. J., Posner, E. C., Rodemich, E. R. & Venkatesh, S. S. (1987). The capacity of the
Hopfield associative memory. IEEE Trans. Inf. Theory 33, 461-482.

Hertz, J., Krogh, A. & Palmer, R. G. (1991). Introduction to the Theory of Neural Computation.
Addison-Wesley, chapter 2.

Storkey, A. (1997). Increasing the capacity of a Hopfield network without sacrificing
functionality. ICANN'97, LNCS 1327, 451-456.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import erfc

from energynets._validation import (
    RNGLike,
    as_float_array,
    check_choice,
    check_choices,
    check_float,
    check_int,
    check_rng,
    describe_rng,
    rng_stream,
)
from energynets.datasets import random_patterns
from energynets.learning.hopfield_rules import RULES
from energynets.models.hopfield import HopfieldNetwork
from energynets.sampling.dynamics import DYNAMICS, _tolerance, run_dynamics
from energynets.states import corrupt

__all__ = [
    "ALPHA_C",
    "COLUMNS",
    "CapacityResult",
    "mceliece_capacity",
    "one_step_error_theory",
    "run_capacity",
    "storkey_capacity",
]

#: Critical load P / N of the Hebbian network, above which the retrieval states disappear
#: (Amit, Gutfreund & Sompolinsky 1985).
ALPHA_C = 0.138

#: The keys of every record of a :class:`CapacityResult`, in table order.
COLUMNS = (
    "rule",
    "n_units",
    "n_patterns",
    "alpha",
    "one_step_error",
    "fraction_fixed",
    "fraction_recalled",
    "error_after_relax",
    "n_trials",
)


def one_step_error_theory(alpha: ArrayLike) -> np.ndarray:
    """Large-N probability that a stored bit of the Hebbian network is unstable.

    With W = (1/N) sum_mu xi^mu xi^mu^T the field on bit i of pattern nu is a signal of 1 plus
    a crosstalk term, a sum of about P N random +-1/N terms, which is Gaussian with variance
    alpha = P / N. The bit flips on the first update when the crosstalk is below -1:

        P_err = 1/2 erfc(sqrt(1 / (2 alpha))).

    It is 0.001 at alpha = 0.105, 0.0036 at 0.138, 0.01 at 0.185 and 0.05 at 0.370
    (Hertz, Krogh & Palmer 1991, eq. 2.13 and table 2.1). At finite N the exact argument is
    sqrt(N / (2 P)), so pass P / N for alpha.

    Parameters
    ----------
    alpha : array_like of float > 0
        Loads P / N, any shape.

    Returns
    -------
    ndarray of float, the shape of ``alpha`` (0-d for a scalar).

    Examples
    --------
    >>> float(one_step_error_theory(0.138))  # doctest: +ELLIPSIS
    0.0035...
    """
    a = as_float_array(alpha, "alpha", dtype=np.float64)
    if np.any(a <= 0):
        bad = a[a <= 0].ravel()[:3]
        raise ValueError(f"alpha must be > 0 (a load P / N), got values such as {bad}")
    return np.asarray(0.5 * erfc(np.sqrt(1.0 / (2.0 * a))))


def _check_n_units_for_log(n_units: Any) -> int:
    # ln N > 0 needs N >= 2
    return check_int(n_units, "n_units", minimum=2)


def mceliece_capacity(n_units: int, all_patterns: bool = False) -> float:
    """Hebbian capacity for error-free fixed points (McEliece et al. 1987).

    The number of random patterns that the Hebbian network stores as exact fixed points with
    probability tending to one as N -> infinity:

        P_max = N / (2 ln N)   (almost every pattern is a fixed point),
        P_max = N / (4 ln N)   (all patterns are fixed points at once).

    Parameters
    ----------
    n_units : int >= 2
        N, the number of units.
    all_patterns : bool
        Ask for the stricter criterion that every pattern be a fixed point.

    Returns
    -------
    float

    Examples
    --------
    >>> round(mceliece_capacity(1000), 1), round(mceliece_capacity(1000, all_patterns=True), 1)
    (72.4, 36.2)
    """
    n = _check_n_units_for_log(n_units)
    if not isinstance(all_patterns, bool | np.bool_):
        raise TypeError(f"all_patterns must be a bool, got {type(all_patterns).__name__}")
    return n / ((4.0 if all_patterns else 2.0) * math.log(n))


def storkey_capacity(n_units: int) -> float:
    """Capacity of the Storkey (1997) learning rule: P_max = N / sqrt(2 ln N).

    Parameters
    ----------
    n_units : int >= 2

    Returns
    -------
    float

    Examples
    --------
    >>> round(storkey_capacity(1000))
    269
    """
    n = _check_n_units_for_log(n_units)
    return n / math.sqrt(2.0 * math.log(n))


@dataclass
class CapacityResult:
    """The measurements of :func:`run_capacity`.

    Attributes
    ----------
    records : list of dict
        One dict per (rule, n_patterns), grouped by rule in the order the rules were given and
        by increasing load within a rule, with exactly the keys of :data:`COLUMNS`:

        - ``"rule"`` (str), ``"n_units"`` (int, N), ``"n_patterns"`` (int, P),
          ``"alpha"`` (float, P / N);
        - ``"one_step_error"`` (float): fraction of stored bits with xi_i^mu h_i(xi^mu) < 0;
        - ``"fraction_fixed"`` (float): fraction of stored patterns that are fixed points;
        - ``"fraction_recalled"`` (float): fraction of probes (stored patterns with
          round(flip_fraction * N) bits flipped) that relax exactly to their pattern;
        - ``"error_after_relax"`` (float): mean fraction of wrong bits after relaxing from
          the stored pattern itself;
        - ``"n_trials"`` (int): independent pattern sets averaged over.
    settings : dict
        ``n_units``, ``flip_fraction``, ``dynamics``, ``max_sweeps``, ``n_trials``,
        ``max_probes``, ``rules``, ``alphas`` (the loads asked for) and ``rng`` (the int seed,
        or a description of the generator that was passed).
    """

    records: list[dict[str, Any]] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def rules(self) -> list[str]:
        """The rules present in :attr:`records`, in order of first appearance."""
        return list(dict.fromkeys(r["rule"] for r in self.records))

    def column(self, name: str, rule: str | None = None) -> np.ndarray:
        """One column of the records as an array, optionally only the rows of one rule.

        Parameters
        ----------
        name : str
            One of :data:`COLUMNS`.
        rule : str, optional
            Keep only this rule's rows (in order of increasing load).

        Returns
        -------
        ndarray, shape (n_rows,): float for the measured columns and ``alpha``, int for the
        counts, str for ``rule``.
        """
        check_choice(name, "name", COLUMNS)
        rows = self.records
        if rule is not None:
            check_choice(rule, "rule", self.rules)
            rows = [r for r in rows if r["rule"] == rule]
        values = [r[name] for r in rows]
        if name == "rule":
            return np.array(values, dtype=str)
        if name in ("n_units", "n_patterns", "n_trials"):
            return np.array(values, dtype=np.int64)
        return np.array(values, dtype=np.float64)

    def _cells(self) -> list[list[str]]:
        rows = []
        for r in self.records:
            rows.append(
                [
                    r["rule"],
                    str(r["n_units"]),
                    str(r["n_patterns"]),
                    f"{r['alpha']:.3f}",
                    f"{r['one_step_error']:.5f}",
                    f"{r['fraction_fixed']:.3f}",
                    f"{r['fraction_recalled']:.3f}",
                    f"{r['error_after_relax']:.5f}",
                    str(r["n_trials"]),
                ]
            )
        return rows

    def to_text(self) -> str:
        """The records as an aligned plain-text table (text left, numbers right), for stdout."""
        rows = self._cells()
        widths = [max([len(c)] + [len(row[k]) for row in rows]) for k, c in enumerate(COLUMNS)]

        def line(cells: Iterable[str]) -> str:
            out = [
                c.ljust(w) if k == 0 else c.rjust(w)
                for k, (c, w) in enumerate(zip(cells, widths, strict=True))
            ]
            return "  ".join(out).rstrip()

        sep = "  ".join("-" * w for w in widths)
        return "\n".join([line(COLUMNS), sep, *(line(row) for row in rows)]) + "\n"

    def to_markdown(self) -> str:
        """The records as a Markdown (GitHub pipe) table, numbers right-aligned."""
        align = [":---"] + ["---:"] * (len(COLUMNS) - 1)
        lines = ["| " + " | ".join(COLUMNS) + " |", "| " + " | ".join(align) + " |"]
        lines += ["| " + " | ".join(row) + " |" for row in self._cells()]
        return "\n".join(lines) + "\n"


def _check_alphas(alphas: Any) -> np.ndarray:
    if alphas is None:
        return np.round(np.linspace(0.02, 0.5, 13), 3)
    a = as_float_array(alphas, "alphas", ndim=(0, 1), dtype=np.float64)
    a = np.atleast_1d(a)
    if np.any(a <= 0):
        bad = a[a <= 0][:3]
        raise ValueError(f"alphas must all be > 0 (loads P / N), got values such as {bad}")
    return a


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
    alphas : array_like of float > 0, optional
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
    alpha_grid = _check_alphas(alphas)
    rule_names = check_choices(rules, "rules", RULES, "rule")
    flip = check_float(flip_fraction, "flip_fraction", minimum=0.0, maximum=1.0)
    trials = check_int(n_trials, "n_trials", minimum=1)
    check_choice(dynamics, "dynamics", DYNAMICS)
    sweeps = check_int(max_sweeps, "max_sweeps", minimum=1)
    cap = None if max_probes is None else check_int(max_probes, "max_probes", minimum=1)
    if not isinstance(progress, bool | np.bool_):
        raise TypeError(f"progress must be a bool, got {type(progress).__name__}")
    gen = check_rng(rng)
    rng_description = describe_rng(rng)
    entropy = int(gen.integers(2**63))

    loads = sorted({max(1, round(float(a) * n)) for a in alpha_grid})
    cells = [
        (rule, p) for rule in rule_names for p in loads if not (rule == "pseudoinverse" and p >= n)
    ]
    sums: dict[tuple[str, int], np.ndarray] = {c: np.zeros(4) for c in cells}

    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=trials * len(cells), desc=f"capacity N={n}", unit="cell")
    try:
        for trial in range(trials):
            xi_all = random_patterns(loads[-1], n, rng=rng_stream(entropy, trial))
            storkey_net: HopfieldNetwork | None = None
            n_stored = 0  # patterns in storkey_net
            for p in loads:
                xi = xi_all[:p]
                probe_gen = rng_stream(entropy, trial, p, 0)
                idx = np.arange(p)
                if cap is not None and cap < p:
                    idx = np.sort(probe_gen.choice(p, size=cap, replace=False))
                noisy = corrupt(xi[idx], flip, rng=probe_gen)
                for rule in rule_names:
                    if (rule, p) not in sums:
                        continue
                    if rule == "storkey":
                        # incremental: storing the new patterns on top of the previous load's
                        # weights gives exactly the weights of storing all p at once
                        if storkey_net is None:
                            net = HopfieldNetwork.from_patterns(xi, rule="storkey")
                        else:
                            net = storkey_net.store(xi[n_stored:])
                        storkey_net, n_stored = net, p
                    else:
                        net = HopfieldNetwork.from_patterns(xi, rule=rule)
                    dyn_gen = rng_stream(entropy, trial, p, 1 + RULES.index(rule))
                    sums[(rule, p)] += _measure(net, xi, idx, noisy, dynamics, sweeps, dyn_gen)
                    if bar is not None:
                        bar.update(1)
    finally:
        if bar is not None:
            bar.close()

    records = []
    for rule, p in cells:
        one_step, fixed, recalled, relax_error = (sums[(rule, p)] / trials).tolist()
        records.append(
            {
                "rule": rule,
                "n_units": n,
                "n_patterns": p,
                "alpha": p / n,
                "one_step_error": one_step,
                "fraction_fixed": fixed,
                "fraction_recalled": recalled,
                "error_after_relax": relax_error,
                "n_trials": trials,
            }
        )
    settings = {
        "n_units": n,
        "flip_fraction": flip,
        "dynamics": dynamics,
        "max_sweeps": sweeps,
        "n_trials": trials,
        "max_probes": cap,
        "rules": list(rule_names),
        "alphas": alpha_grid.tolist(),
        "rng": rng_description,
    }
    return CapacityResult(records=records, settings=settings)


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
    h = net.local_fields(xi)
    unstable = xi * h < -_tolerance(net.weights, net.bias)  # the dynamics' sign(0) rule
    fixed = ~unstable.any(axis=1)
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
