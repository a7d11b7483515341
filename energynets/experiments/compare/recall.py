"""Associative memory: a Hopfield network against a denoising autoencoder
(:func:`recall_experiment`).

The same patterns, stored by one Hebbian outer product (no gradient) or learned by backprop
from corrupted copies (Vincent et al. 2008), restored from probes with a fraction of their
units flipped: recall against the noise, and against the number of patterns.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from energynets._validation import (
    RNGLike,
    as_float_array,
    check_choice,
    check_float,
    check_int,
    describe_rng,
    rng_stream,
)
from energynets.experiments._runs import draw_entropy
from energynets.experiments.compare._shared import Stream, check_counts, check_positive
from energynets.experiments.compare._training import default_init
from energynets.experiments.compare.records import RecallComparison

__all__ = ["recall_experiment"]


def _check_fractions(values: Any, name: str) -> tuple[float, ...]:
    """One fraction or a non-empty sequence of them, each in [0, 1]."""
    arr = np.atleast_1d(as_float_array(values, name, ndim=(0, 1), dtype=np.float64))
    if arr.size == 0:
        raise ValueError(f"{name} must hold at least one value")
    if np.any(arr < 0) or np.any(arr > 1):
        raise ValueError(f"{name} must lie in [0, 1], got {arr.tolist()}")
    return tuple(float(v) for v in arr)


def recall_experiment(
    n_units: int = 100,
    *,
    n_patterns: int = 10,
    noise_levels: Sequence[float] = (0.0, 0.05, 0.1, 0.2, 0.3, 0.4),
    pattern_counts: Sequence[int] = (2, 5, 10, 15, 20, 30, 40),
    load_noise: float = 0.1,
    n_probes: int = 5,
    rule: str = "hebbian",
    dynamics: str = "async",
    max_sweeps: int = 50,
    n_hidden: int | None = None,
    activation: str = "relu",
    n_epochs: int = 30,
    learning_rate: float = 0.01,
    batch_size: int = 50,
    n_copies: int = 50,
    train_noise: Sequence[float] | None = None,
    patterns: Any = None,
    rng: RNGLike = 0,
) -> RecallComparison:
    """Associative recall: a Hopfield network vs a denoising autoencoder trained by backprop.

    Both store the same patterns xi^mu in {-1, +1}^N and restore probes in which a fraction
    of the units is flipped (:func:`energynets.corrupt`):

    - **Hopfield network**: W from the patterns by a learning rule (Hebb: W = (1/N) sum_mu
      xi^mu xi^mu^T, one outer product, no gradient), recall by zero-temperature dynamics
      that descend the energy E(s) = -1/2 s^T W s to a fixed point;
    - **denoising autoencoder** (Vincent et al. 2008): ``MLP([N, H, N], output="sigmoid")``
      trained by backprop (binary cross-entropy, Adam) to map corrupted patterns (bits
      (s + 1) / 2, ``n_copies`` copies of each pattern at each ``train_noise`` level) to the
      clean ones; recall is one forward pass, the output thresholded at 1/2.

    Two sweeps: recall against the noise level at ``n_patterns`` patterns, and against the
    number of patterns at ``load_noise``. A probe counts as recalled when every unit is right.

    Parameters
    ----------
    n_units : int >= 2
        N.
    n_patterns : int >= 1
        Patterns stored in the noise sweep.
    noise_levels : sequence of float in [0, 1]
        Fractions of flipped units in the probes of the noise sweep.
    pattern_counts : sequence of int >= 1
        Numbers of patterns of the load sweep (the first P of one pool of patterns).
    load_noise : float in [0, 1]
        Noise of the probes of the load sweep.
    n_probes : int >= 1
        Probes per pattern at each point.
    rule : {"hebbian", "storkey", "pseudoinverse"}
    dynamics : {"async", "sync"}
    max_sweeps : int >= 1
    n_hidden : int >= 1, optional
        H, default 2 N.
    activation : str
        Hidden activation of the autoencoder.
    n_epochs, learning_rate, batch_size : training of the autoencoder
    n_copies : int >= 1
        Corrupted training copies of each pattern per training noise level.
    train_noise : sequence of float in [0, 1], optional
        Noise levels of the training copies; default the noise levels of both sweeps.
    patterns : array_like of +-1, shape (n_pool, n_units), optional
        Patterns to use instead of random ones (at least max(n_patterns, pattern_counts)
        rows; ``n_units`` is then their width).
    rng : int, Generator or None

    Returns
    -------
    RecallComparison

    References
    ----------
    Hopfield, J. J. (1982). Neural networks and physical systems with emergent collective
    computational abilities. PNAS 79, 2554-2558.

    Vincent, P., Larochelle, H., Bengio, Y. & Manzagol, P.-A. (2008). Extracting and composing
    robust features with denoising autoencoders. ICML 2008, 1096-1103.
    """
    from energynets.learning.hopfield_rules import RULES
    from energynets.models.mlp import ACTIVATIONS
    from energynets.sampling.dynamics import DYNAMICS

    p_noise = check_int(n_patterns, "n_patterns", minimum=1)
    noises = _check_fractions(noise_levels, "noise_levels")
    counts = check_counts(pattern_counts, "pattern_counts")
    l_noise = check_float(load_noise, "load_noise", minimum=0.0, maximum=1.0)
    probes_each = check_int(n_probes, "n_probes", minimum=1)
    rule_name = check_choice(rule, "rule", tuple(RULES))
    dyn = check_choice(dynamics, "dynamics", tuple(DYNAMICS))
    sweeps = check_int(max_sweeps, "max_sweeps", minimum=1)
    act = check_choice(activation, "activation", tuple(ACTIVATIONS))
    epochs = check_int(n_epochs, "n_epochs", minimum=1)
    eta = check_positive(learning_rate, "learning_rate")
    B = check_int(batch_size, "batch_size", minimum=1)
    copies = check_int(n_copies, "n_copies", minimum=1)
    t_noise = (
        tuple(sorted({*noises, l_noise}))
        if train_noise is None
        else _check_fractions(train_noise, "train_noise")
    )
    entropy = draw_entropy(rng)
    pool = _pattern_pool(patterns, n_units, max(p_noise, *counts), entropy)
    n = pool.shape[1]
    settings = {
        "n_units": int(n),
        "n_patterns": p_noise,
        "noise_levels": list(noises),
        "pattern_counts": list(counts),
        "load_noise": l_noise,
        "n_probes": probes_each,
        "rule": rule_name,
        "dynamics": dyn,
        "max_sweeps": sweeps,
        "n_hidden": 2 * n if n_hidden is None else check_int(n_hidden, "n_hidden", minimum=1),
        "activation": act,
        "n_epochs": epochs,
        "learning_rate": eta,
        "batch_size": B,
        "n_copies": copies,
        "train_noise": list(t_noise),
        "patterns": "random unbiased" if patterns is None else "given",
        "rng": describe_rng(rng),
    }
    records = _sweep_point(pool[:p_noise], noises, "noise", 0, settings, entropy)
    for i, count in enumerate(counts):
        records += _sweep_point(pool[:count], [l_noise], "load", 1 + i, settings, entropy)
    # group: noise sweep (hopfield rows, then autoencoder rows), then load sweep likewise
    order = {("noise", "hopfield"): 0, ("noise", "autoencoder"): 1}
    order.update({("load", "hopfield"): 2, ("load", "autoencoder"): 3})
    records.sort(key=lambda r: order[(r["sweep"], r["model"])])  # stable: sweep order kept
    return RecallComparison(records=records, settings=settings)


def _pattern_pool(patterns: Any, n_units: Any, n_pool: int, entropy: int) -> np.ndarray:
    """The patterns (n_pool or more, N): random unbiased ones of ``n_units``, or those given."""
    from energynets.datasets import random_patterns

    if patterns is None:
        n = check_int(n_units, "n_units", minimum=2)
        return random_patterns(n_pool, n, rng=rng_stream(entropy, Stream.PATTERNS))
    from energynets._validation import as_spins

    pool, _ = as_spins(patterns, "patterns", allow_1d=False)
    if pool.shape[0] < n_pool:
        raise ValueError(
            f"patterns must have shape (n_pool, n_units) with n_pool >= {n_pool} (the "
            f"largest number of patterns asked for), got shape {pool.shape}"
        )
    return pool


def _sweep_point(
    xi: np.ndarray, noise_list: Sequence[float], sweep: str, key: int, s: dict[str, Any],
    entropy: int,
) -> list[dict[str, Any]]:  # fmt: skip
    """The rows of one point of a sweep: both models store ``xi`` (P, N) and restore
    ``n_probes`` probes of every pattern at each noise level of ``noise_list``."""
    from energynets.models.hopfield import HopfieldNetwork
    from energynets.states import corrupt

    start = time.perf_counter()
    net = HopfieldNetwork.from_patterns(xi, rule=s["rule"])
    hop_train = time.perf_counter() - start
    dae, dae_train = _train_autoencoder(xi, s, entropy, key)
    targets = np.tile(xi, (s["n_probes"], 1))
    rows: list[dict[str, Any]] = []
    for j, f in enumerate(noise_list):
        probes = corrupt(targets, f, rng=rng_stream(entropy, Stream.PROBES, key, 1 + j))
        start = time.perf_counter()
        states = net.recall(
            probes, dynamics=s["dynamics"], max_sweeps=s["max_sweeps"],
            rng=rng_stream(entropy, Stream.FIT, key, j),
        ).states  # fmt: skip
        hop_recall = time.perf_counter() - start
        start = time.perf_counter()
        out = 2.0 * dae.predict((probes + 1.0) / 2.0) - 1.0
        dae_recall = time.perf_counter() - start
        rows.append(_row(sweep, "hopfield", xi, f, states, targets, hop_train, hop_recall))
        rows.append(_row(sweep, "autoencoder", xi, f, out, targets, dae_train, dae_recall))
    return rows


def _train_autoencoder(
    xi: np.ndarray, s: dict[str, Any], entropy: int, key: int
) -> tuple[Any, float]:
    """The denoising autoencoder N-H-N trained on copies of every pattern at every training
    noise level, and the seconds it took."""
    from energynets.learning.backprop import fit_mlp
    from energynets.models.mlp import MLP
    from energynets.states import corrupt

    n, copies, t_noise = s["n_units"], s["n_copies"], s["train_noise"]
    gen = rng_stream(entropy, Stream.PROBES, key, 0)
    clean = np.tile(xi, (copies * len(t_noise), 1))
    noisy = np.concatenate([corrupt(np.tile(xi, (copies, 1)), f, rng=gen) for f in t_noise])
    start = time.perf_counter()
    dae, _ = fit_mlp(
        MLP(
            [n, s["n_hidden"], n],
            activation=s["activation"],
            output="sigmoid",
            init=default_init(s["activation"]),
            rng=rng_stream(entropy, Stream.MLP_INIT, key),
        ),
        (noisy + 1.0) / 2.0,
        (clean + 1.0) / 2.0,
        optimizer="adam",
        learning_rate=s["learning_rate"],
        n_epochs=s["n_epochs"],
        batch_size=s["batch_size"],
        rng=rng_stream(entropy, Stream.FIT, key),
    )
    return dae, time.perf_counter() - start


def _row(
    sweep: str, model: str, xi: np.ndarray, noise: float, final: np.ndarray,
    targets: np.ndarray, train_seconds: float, recall_seconds: float,
) -> dict[str, Any]:  # fmt: skip
    """One record: how many probes of the patterns ``xi`` ended on their pattern (``final``
    against ``targets``), and the mean overlap with it."""
    n = xi.shape[1]
    return {
        "sweep": sweep,
        "model": model,
        "n_units": int(n),
        "n_patterns": int(xi.shape[0]),
        "noise": float(noise),
        "recalled": float(np.mean(np.all(final == targets, axis=1))),
        "overlap": float(np.mean(np.sum(final * targets, axis=1) / n)),
        "train_seconds": float(train_seconds),
        "recall_seconds": float(recall_seconds),
    }
