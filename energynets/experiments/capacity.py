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

:func:`run_dense_capacity` extends the measurement to dense associative memories (Krotov &
Hopfield 2016; Demircigil et al. 2017) and the modern Hopfield network (Ramsauer et al. 2020),
whose capacities grow as N^(n-1) / ln N (:func:`krotov_hopfield_capacity`) and exponentially
in N (:func:`demircigil_capacity`); :func:`run_correlated_recall` stores correlated patterns
(glyphs, digits), where the classical rules fail.

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

Krotov, D. & Hopfield, J. J. (2016). Dense associative memory for pattern recognition.
NeurIPS 29, 1172-1180.

Demircigil, M., Heusel, J., Loewe, M., Upgang, S. & Vermet, F. (2017). On a model of
associative memory with huge storage capacity. J. Stat. Phys. 168, 288-299.

Ramsauer, H. et al. (2021). Hopfield networks is all you need. ICLR (arXiv:2008.02217).
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
    "DENSE_COLUMNS",
    "CapacityResult",
    "DenseCapacityResult",
    "demircigil_capacity",
    "double_factorial",
    "krotov_hopfield_capacity",
    "mceliece_capacity",
    "one_step_error_theory",
    "run_capacity",
    "run_correlated_recall",
    "run_dense_capacity",
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

    References
    ----------
    Hertz, J., Krogh, A. & Palmer, R. G. (1991). Introduction to the Theory of Neural Computation.
    Addison-Wesley, chapter 2.

    Amit, D. J., Gutfreund, H. & Sompolinsky, H. (1985). Storing infinite numbers of patterns in a
    spin-glass model of neural networks. Phys. Rev. Lett. 55, 1530-1533.

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

    References
    ----------
    McEliece, R. J., Posner, E. C., Rodemich, E. R. & Venkatesh, S. S. (1987). The capacity of the
    Hopfield associative memory. IEEE Trans. Inf. Theory 33, 461-482.

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

    References
    ----------
    Storkey, A. (1997). Increasing the capacity of a Hopfield network without sacrificing
    functionality. ICANN'97, LNCS 1327, 451-456.

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

    Examples
    --------
    >>> res = run_capacity(n_units=50, alphas=[0.05, 0.1], rules=["hebbian", "storkey"], rng=0)
    >>> res.rules, res.column("n_patterns", "storkey").tolist()
    (['hebbian', 'storkey'], [2, 5])
    >>> print(res.to_markdown().splitlines()[2])
    | hebbian | 50 | 2 | 0.040 | 0.00000 | 1.000 | 1.000 | 0.00000 | 1 |
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
        """The records as an aligned plain-text table (text left, numbers right), for stdout.

        Returns
        -------
        str
            A header line, a line of dashes and one line per record, each ending in a newline.
        """
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
        """The records as a Markdown (GitHub pipe) table, numbers right-aligned.

        Returns
        -------
        str
            The header, the alignment row and one row per record, each ending in a newline.
        """
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


# -- dense associative memories and modern Hopfield networks -------------------------------------

#: The keys of every record of :func:`run_dense_capacity` and :func:`run_correlated_recall`.
DENSE_COLUMNS = (
    "model",
    "n_units",
    "n_patterns",
    "fraction_fixed",
    "fraction_recalled",
    "n_probes",
    "n_trials",
)


def double_factorial(k: int) -> int:
    """k!! = k (k - 2) (k - 4) ... down to 1 or 2; (-1)!! = 0!! = 1.

    Parameters
    ----------
    k : int >= -1

    Returns
    -------
    int

    Examples
    --------
    >>> double_factorial(5), double_factorial(6), double_factorial(-1)
    (15, 48, 1)
    """
    k = check_int(k, "k", minimum=-1)
    return math.prod(range(k, 0, -2)) if k > 0 else 1


def krotov_hopfield_capacity(n_units: int, degree: int) -> float:
    """Error-free capacity of the dense associative memory with F(z) = z^n.

    The number of random patterns that are all stable under one update, for large N
    (Krotov & Hopfield 2016, eq. 6):

        P_max = N^(n - 1) / (2 (2n - 3)!! ln N).

    n = 2 gives N / (2 ln N), the Hebbian result of McEliece et al. (1987).

    Parameters
    ----------
    n_units : int >= 2
    degree : int >= 2

    Returns
    -------
    float

    References
    ----------
    Krotov, D. & Hopfield, J. J. (2016). Dense associative memory for pattern recognition. NeurIPS
    2016, 1172-1180.

    Examples
    --------
    >>> round(krotov_hopfield_capacity(100, 4))  # 100^3 / (2 * 15 * ln 100)
    7238
    """
    n = _check_n_units_for_log(n_units)
    k = check_int(degree, "degree", minimum=2)
    return n ** (k - 1) / (2.0 * double_factorial(2 * k - 3) * math.log(n))


def demircigil_capacity(n_units: int, flip_fraction: float = 0.0) -> float:
    """Capacity of the exponential dense memory F(z) = exp(z): exponential in N.

    Demircigil et al. (2017) show that P = exp(a N) random patterns are retrieved in one
    update from probes with a fraction rho of their bits flipped when

        a < I(1 - 2 rho) / 2,   I(x) = ((1 + x) ln(1 + x) + (1 - x) ln(1 - x)) / 2,

    so P_max = exp(N I(1 - 2 rho) / 2); without noise (rho = 0, I(1) = ln 2) this is
    2^(N / 2).

    Parameters
    ----------
    n_units : int >= 1
    flip_fraction : float in [0, 1/2)

    Returns
    -------
    float (inf when it exceeds the float range)

    References
    ----------
    Demircigil, M., Heusel, J., Loewe, M., Upgang, S. & Vermet, F. (2017). On a model of associative
    memory with huge storage capacity. J. Stat. Phys. 168, 288-299.

    Examples
    --------
    >>> demircigil_capacity(40) == 2.0**20
    True
    """
    n = check_int(n_units, "n_units", minimum=1)
    rho = check_float(flip_fraction, "flip_fraction", minimum=0.0)
    if rho >= 0.5:
        raise ValueError(f"flip_fraction must be < 0.5, got {rho}")
    x = 1.0 - 2.0 * rho
    info = 0.5 * ((1 + x) * math.log1p(x) + ((1 - x) * math.log1p(-x) if x < 1 else 0.0))
    exponent = n * info / 2.0
    if rho == 0.0:
        return 2.0 ** (n / 2.0)
    return math.exp(exponent) if exponent < 709.0 else math.inf


def _parse_model(name: Any) -> tuple[str, int]:
    """A model name: a rule ("hebbian", ...), "polynomial-<n>", "rectified-<n>",
    "exponential" or "modern"; returns (kind, degree)."""
    if not isinstance(name, str):
        raise TypeError(f"models must be names (str), got {type(name).__name__}")
    if name in RULES or name in ("exponential", "modern"):
        return name, 2
    kind, _, degree = name.partition("-")
    if kind in ("polynomial", "rectified") and degree.isdigit() and int(degree) >= 2:
        return kind, int(degree)
    raise ValueError(
        f"models must name a rule ({', '.join(RULES)}), 'polynomial-<n>' or 'rectified-<n>' "
        f"with n >= 2, 'exponential' or 'modern', got {name!r}"
    )


class _Memory:
    """One model of :func:`run_dense_capacity` behind one interface: fixed points, recall."""

    def __init__(self, name: str, patterns: np.ndarray, beta: float) -> None:
        from energynets.models.dense import DenseAssociativeMemory, ModernHopfield

        kind, degree = _parse_model(name)
        self.kind = kind
        self.patterns = patterns
        self.model: Any
        if kind in RULES:
            self.model = HopfieldNetwork.from_patterns(patterns, rule=kind)
        elif kind == "modern":
            self.model = ModernHopfield(patterns, beta=beta)
        else:
            self.model = DenseAssociativeMemory(patterns, kind, degree)

    def fixed(self) -> np.ndarray:
        """Which stored patterns are fixed points (modern: one update keeps every sign)."""
        if self.kind in RULES:
            xi = self.patterns
            h = self.model.local_fields(xi)
            return ~np.any(xi * h < -_tolerance(self.model.weights, self.model.bias), axis=1)
        if self.kind == "modern":
            kept = np.sign(self.model.retrieve(self.patterns, n_steps=1).states)
            return np.all(kept == self.patterns, axis=1)
        return self.model.is_fixed_point(self.patterns)

    def recall(
        self, probes: np.ndarray, dynamics: str, max_sweeps: int, rng: np.random.Generator
    ) -> np.ndarray:
        """Final states (spins) from ``probes``; modern: the signs after one update."""
        if self.kind == "modern":
            return np.sign(self.model.retrieve(probes, n_steps=1).states)
        if self.kind in RULES:
            return run_dynamics(
                self.model, probes, dynamics=dynamics, max_sweeps=max_sweeps, rng=rng
            ).states
        return self.model.recall(probes, dynamics=dynamics, max_sweeps=max_sweeps, rng=rng).states


@dataclass
class DenseCapacityResult:
    """The measurements of :func:`run_dense_capacity` or :func:`run_correlated_recall`.

    Attributes
    ----------
    records : list of dict
        One per (model, n_patterns), with the keys of :data:`DENSE_COLUMNS`:
        ``"model"``, ``"n_units"`` (N), ``"n_patterns"`` (P), ``"fraction_fixed"`` (stored
        patterns that are fixed points; for the modern network: kept by one update, signs
        compared), ``"fraction_recalled"`` (noisy probes that end exactly on their
        pattern), ``"n_probes"`` and ``"n_trials"``.
    settings : dict
        The arguments (``rng`` as given or described).

    Examples
    --------
    Glyphs are strongly correlated: the Hebbian network keeps none of them, the exponential
    dense memory all:

    >>> import energynets as en
    >>> xi, _ = en.datasets.glyphs("HOPFIELD")
    >>> res, recalled, probes = run_correlated_recall(xi, models=["hebbian", "exponential"], rng=0)
    >>> print(res.to_text())
    model        n_units  n_patterns  fraction_fixed  fraction_recalled  n_probes  n_trials
    -----------  -------  ----------  --------------  -----------------  --------  --------
    hebbian          192           8           0.000              0.000         8         1
    exponential      192           8           1.000              1.000         8         1
    <BLANKLINE>
    >>> res.models, res.column("fraction_recalled", "exponential").tolist()
    (['hebbian', 'exponential'], [1.0])
    """

    records: list[dict[str, Any]] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def models(self) -> list[str]:
        """The models present in :attr:`records`, in order of first appearance."""
        return list(dict.fromkeys(r["model"] for r in self.records))

    def column(self, name: str, model: str | None = None) -> np.ndarray:
        """One column as an array, optionally only the rows of one model.

        Parameters
        ----------
        name : str
            One of :data:`DENSE_COLUMNS`.
        model : str, optional
            Keep only this model's rows (in order of increasing load).

        Returns
        -------
        ndarray, shape (n_rows,)
            Float for the fractions, str for ``model``, int for the counts.
        """
        check_choice(name, "name", DENSE_COLUMNS)
        rows = self.records
        if model is not None:
            check_choice(model, "model", self.models)
            rows = [r for r in rows if r["model"] == model]
        values = [r[name] for r in rows]
        if name == "model":
            return np.array(values, dtype=str)
        if name.startswith("fraction"):
            return np.array(values, dtype=np.float64)
        return np.array(values, dtype=np.int64)

    def to_text(self) -> str:
        """The records as an aligned plain-text table.

        Returns
        -------
        str
            A header line, a line of dashes and one line per record, each ending in a newline.
        """
        cells = [
            [
                r["model"],
                str(r["n_units"]),
                str(r["n_patterns"]),
                f"{r['fraction_fixed']:.3f}",
                f"{r['fraction_recalled']:.3f}",
                str(r["n_probes"]),
                str(r["n_trials"]),
            ]
            for r in self.records
        ]
        widths = [
            max([len(c)] + [len(row[k]) for row in cells]) for k, c in enumerate(DENSE_COLUMNS)
        ]

        def line(row: Iterable[str]) -> str:
            parts = [
                c.ljust(w) if k == 0 else c.rjust(w)
                for k, (c, w) in enumerate(zip(row, widths, strict=True))
            ]
            return "  ".join(parts).rstrip()

        sep = "  ".join("-" * w for w in widths)
        return "\n".join([line(DENSE_COLUMNS), sep, *(line(r) for r in cells)]) + "\n"


def _check_models(models: Any) -> list[str]:
    if isinstance(models, str):
        models = [models]
    names = list(dict.fromkeys(models))
    if not names:
        raise ValueError("models must name at least one model, got none")
    for name in names:
        _parse_model(name)
    return names


def run_dense_capacity(
    n_units: int = 100,
    n_patterns: Iterable[int] = (5, 10, 20, 50, 100, 200, 500, 1000, 2000),
    models: Iterable[str] = ("hebbian", "polynomial-3", "polynomial-4", "exponential", "modern"),
    flip_fraction: float = 0.1,
    n_trials: int = 1,
    dynamics: str = "async",
    max_sweeps: int = 50,
    max_probes: int | None = 200,
    beta: float = 1.0,
    rng: RNGLike = 0,
) -> DenseCapacityResult:
    """Storage and recall of random patterns by classical, dense and modern memories.

    For each trial, random unbiased patterns xi^mu in {-1, +1}^N are drawn and the first P
    of them stored in every model (the loads of a trial are nested). ``fraction_fixed``
    counts the stored patterns that are fixed points; ``fraction_recalled`` relaxes up to
    ``max_probes`` stored patterns with round(flip_fraction N) bits flipped and counts those
    that end exactly on their pattern (classical rules and dense memories: the
    zero-temperature dynamics to convergence; the modern network: the signs after one
    update xi <- X^T softmax(beta X xi), Ramsauer et al. 2020).

    Predictions to compare with: :func:`mceliece_capacity` (Hebbian, N / (2 ln N)),
    :func:`krotov_hopfield_capacity` (F(z) = z^n, N^(n-1) / (2 (2n-3)!! ln N)),
    :func:`demircigil_capacity` (F(z) = exp(z), exponential in N);
    :func:`energynets.plotting.dense_capacity_figure` draws them over the measurements.

    Parameters
    ----------
    n_units : int >= 2
    n_patterns : iterable of int >= 1
        The loads P.
    models : iterable of str
        Rules of the classical network (``"hebbian"``, ``"storkey"``, ``"pseudoinverse"``),
        ``"polynomial-<n>"``, ``"rectified-<n>"``, ``"exponential"``, ``"modern"``. The
        pseudo-inverse rule is skipped at P >= N (as in :func:`run_capacity`).
    flip_fraction : float in [0, 1]
    n_trials : int >= 1
    dynamics : {"async", "sync"}
    max_sweeps : int >= 1
    max_probes : int >= 1 or None
        Probe at most this many patterns per load and trial (chosen at random, the same for
        every model).
    beta : float > 0
        Inverse temperature of the modern network.
    rng : int, Generator, SeedSequence or None
        One integer drawn from it seeds independent streams for the patterns of each trial,
        the probes of each load and the dynamics of each model, as in :func:`run_capacity`.

    Returns
    -------
    DenseCapacityResult

    References
    ----------
    Krotov, D. & Hopfield, J. J. (2016). Dense associative memory for pattern recognition. NeurIPS
    2016, 1172-1180.

    Demircigil, M., Heusel, J., Loewe, M., Upgang, S. & Vermet, F. (2017). On a model of associative
    memory with huge storage capacity. J. Stat. Phys. 168, 288-299.

    Ramsauer, H. et al. (2021). Hopfield networks is all you need. ICLR 2021 (arXiv:2008.02217).

    Examples
    --------
    >>> res = run_dense_capacity(n_units=30, n_patterns=[5, 50], models=["hebbian", "exponential"])
    >>> res.column("fraction_recalled", "exponential").tolist()
    [1.0, 1.0]
    """
    n = check_int(n_units, "n_units", minimum=2)
    loads = sorted({check_int(p, "n_patterns", minimum=1) for p in n_patterns})
    if not loads:
        raise ValueError("n_patterns must hold at least one load, got none")
    names = _check_models(models)
    flip = check_float(flip_fraction, "flip_fraction", minimum=0.0, maximum=1.0)
    trials = check_int(n_trials, "n_trials", minimum=1)
    check_choice(dynamics, "dynamics", DYNAMICS)
    sweeps = check_int(max_sweeps, "max_sweeps", minimum=1)
    cap = None if max_probes is None else check_int(max_probes, "max_probes", minimum=1)
    b = check_float(beta, "beta", minimum=0.0, exclusive_minimum=True)
    gen = check_rng(rng)
    entropy = int(gen.integers(2**63))

    sums: dict[tuple[str, int], np.ndarray] = {}
    n_probes: dict[int, int] = {}
    for trial in range(trials):
        xi_all = random_patterns(loads[-1], n, rng=rng_stream(entropy, trial))
        for p in loads:
            xi = xi_all[:p]
            probe_gen = rng_stream(entropy, trial, p, 0)
            idx = np.arange(p)
            if cap is not None and cap < p:
                idx = np.sort(probe_gen.choice(p, size=cap, replace=False))
            n_probes[p] = idx.size
            noisy = corrupt(xi[idx], flip, rng=probe_gen)
            for k, name in enumerate(names):
                if name == "pseudoinverse" and p >= n:
                    continue
                memory = _Memory(name, xi, b)
                fixed = memory.fixed()
                final = memory.recall(noisy, dynamics, sweeps, rng_stream(entropy, trial, p, 1 + k))
                recalled = np.all(final == xi[idx], axis=1)
                sums.setdefault((name, p), np.zeros(2))
                sums[(name, p)] += [fixed.mean(), recalled.mean()]
    records = [
        {
            "model": name,
            "n_units": n,
            "n_patterns": p,
            "fraction_fixed": float(sums[(name, p)][0] / trials),
            "fraction_recalled": float(sums[(name, p)][1] / trials),
            "n_probes": n_probes[p],
            "n_trials": trials,
        }
        for name in names
        for p in loads
        if (name, p) in sums
    ]
    settings = {
        "n_units": n,
        "n_patterns": loads,
        "models": names,
        "flip_fraction": flip,
        "n_trials": trials,
        "dynamics": dynamics,
        "max_sweeps": sweeps,
        "max_probes": cap,
        "beta": b,
        "rng": describe_rng(rng),
    }
    return DenseCapacityResult(records, settings)


def run_correlated_recall(
    patterns: ArrayLike,
    models: Iterable[str] = ("hebbian", "pseudoinverse", "polynomial-3", "exponential", "modern"),
    flip_fraction: float = 0.1,
    dynamics: str = "async",
    max_sweeps: int = 50,
    beta: float = 1.0,
    rng: RNGLike = 0,
) -> tuple[DenseCapacityResult, dict[str, np.ndarray], np.ndarray]:
    """Store correlated patterns (glyphs, digits) in several memories and recall them.

    Correlated patterns break the Hebbian network far below its random-pattern capacity:
    their crosstalk does not average out. Dense memories, whose interaction F amplifies the
    largest overlap, and the modern network still retrieve them.

    Parameters
    ----------
    patterns : array_like, shape (n_patterns, n_units)
        Spins +-1, e.g. :func:`energynets.datasets.glyphs` or binarized MNIST digits
        (``2 * bits - 1``).
    models : iterable of str
        As in :func:`run_dense_capacity`.
    flip_fraction : float in [0, 1]
    dynamics : {"async", "sync"}
    max_sweeps : int >= 1
    beta : float > 0
        Inverse temperature of the modern network (for +-1 patterns of N units, beta of
        order 1 / sqrt(N) to 1).
    rng : int, Generator, SeedSequence or None

    Returns
    -------
    result : DenseCapacityResult
        One record per model (``n_patterns`` = all the patterns, each probed once).
    recalled : dict of str -> ndarray, shape (n_patterns, n_units)
        The final states of each model.
    probes : ndarray, shape (n_patterns, n_units)
        The corrupted probes (the same for every model).

    References
    ----------
    Krotov, D. & Hopfield, J. J. (2016). Dense associative memory for pattern recognition. NeurIPS
    2016, 1172-1180.

    Demircigil, M., Heusel, J., Loewe, M., Upgang, S. & Vermet, F. (2017). On a model of associative
    memory with huge storage capacity. J. Stat. Phys. 168, 288-299.

    Ramsauer, H. et al. (2021). Hopfield networks is all you need. ICLR 2021 (arXiv:2008.02217).

    Examples
    --------
    >>> import energynets as en
    >>> xi, _ = en.datasets.glyphs("HOPFIELD")
    >>> res, recalled, probes = run_correlated_recall(xi, models=["hebbian", "modern"], rng=0)
    >>> recalled["modern"].shape, probes.shape
    ((8, 192), (8, 192))
    """
    from energynets._validation import as_spins

    xi, _ = as_spins(patterns, "patterns", allow_1d=False)
    names = _check_models(models)
    flip = check_float(flip_fraction, "flip_fraction", minimum=0.0, maximum=1.0)
    check_choice(dynamics, "dynamics", DYNAMICS)
    sweeps = check_int(max_sweeps, "max_sweeps", minimum=1)
    b = check_float(beta, "beta", minimum=0.0, exclusive_minimum=True)
    gen = check_rng(rng)
    entropy = int(gen.integers(2**63))
    p, n = xi.shape
    probes = corrupt(xi, flip, rng=rng_stream(entropy, 0))
    records, recalled = [], {}
    for k, name in enumerate(names):
        if name == "pseudoinverse" and p >= n:
            continue
        memory = _Memory(name, xi, b)
        final = memory.recall(probes, dynamics, sweeps, rng_stream(entropy, 1 + k))
        recalled[name] = final
        records.append(
            {
                "model": name,
                "n_units": n,
                "n_patterns": p,
                "fraction_fixed": float(memory.fixed().mean()),
                "fraction_recalled": float(np.all(final == xi, axis=1).mean()),
                "n_probes": p,
                "n_trials": 1,
            }
        )
    settings = {
        "models": names,
        "flip_fraction": flip,
        "dynamics": dynamics,
        "max_sweeps": sweeps,
        "beta": b,
        "rng": describe_rng(rng),
    }
    return DenseCapacityResult(records, settings), recalled, probes
