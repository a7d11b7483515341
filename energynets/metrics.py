"""Metrics: recall quality for associative memories, and likelihoods you can trust for RBMs.

Associative memory
    :func:`overlap` (from :mod:`energynets.states`) and :func:`recall_accuracy`.

Restricted Boltzmann machines (see :class:`~energynets.models.rbm.RBM`)
    - :func:`reconstruction_error`: mean squared difference between v and the mean-field
      reconstruction E[v | h = p(h | v)]. Cheap, and the number most RBM code prints, but a poor
      guide to the likelihood (Hinton 2010, section 5).
    - :func:`pseudo_likelihood`: sum_i log p(v_i | v_-i) (Besag 1975), *exact over all sites*.
    - :func:`free_energy_gap`: mean F(held-out) - mean F(training), the overfitting monitor of
      Hinton 2010, section 6.
    - :func:`rbm_log_partition`, :func:`log_likelihood`, :func:`log_likelihood_gradient`: exact
      log Z, mean log p(v) and its gradient, by enumerating the smaller layer (at most
      2**25 states; beyond that pass ``log_z`` from :mod:`energynets.sampling.ais`).

All of them respect the softmax (one-of-K) visible groups of an RBM (``softmax_groups``):
enumerating the visible layer visits only valid states (one unit on per group,
2**n_free prod_g K_g of them); summing the visible layer out given h gives
logsumexp_{k in g}(a_k + (W h)_k) for a group where a free unit gives softplus(a_i + (W h)_i);
the pseudo-likelihood takes the conditional of each whole group given the rest of v.

The exact functions compute in float64 whatever the model's dtype, visit the enumerated states
in blocks (memory stays bounded), and sum in log space with the maximum subtracted.

References
----------
Besag, J. (1975). Statistical analysis of non-lattice data. The Statistician 24, 179-195.
Hinton, G. E. (2010). A practical guide to training restricted Boltzmann machines.
UTML TR 2010-003, University of Toronto.
Salakhutdinov, R. & Murray, I. (2008). On the quantitative analysis of deep belief networks.
ICML 2008, 872-879.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

import numpy as np

from energynets._validation import as_float_array, check_float
from energynets.models._units import softmax
from energynets.models.rbm import RBM
from energynets.states import overlap

__all__ = [
    "MAX_ENUMERATED_UNITS",
    "RBMGradient",
    "free_energy_gap",
    "log_likelihood",
    "log_likelihood_gradient",
    "overlap",
    "pseudo_likelihood",
    "rbm_log_partition",
    "recall_accuracy",
    "reconstruction_error",
]

#: The largest layer the exact RBM functions enumerate: 2**25 (33.5 million) states.
MAX_ENUMERATED_UNITS = 25

# Elements (rows x units) of one block of temporaries: 2**20 float64 values are 8 MB.
_BLOCK_ELEMENTS = 2**20

_LOG_SQRT_2PI = 0.5 * np.log(2.0 * np.pi)


class RBMGradient(NamedTuple):
    """A gradient (or any update) with respect to the parameters of an RBM.

    Attributes
    ----------
    weights : ndarray, shape (n_visible, n_hidden)
    visible_bias : ndarray, shape (n_visible,)
    hidden_bias : ndarray, shape (n_hidden,)

    Examples
    --------
    >>> from energynets.datasets import bars_and_stripes
    >>> gradient = log_likelihood_gradient(RBM(9, 3, rng=0), bars_and_stripes(3))
    >>> type(gradient).__name__, gradient.weights.shape, gradient.hidden_bias.shape
    ('RBMGradient', (9, 3), (3,))
    """

    weights: np.ndarray
    visible_bias: np.ndarray
    hidden_bias: np.ndarray


# -- associative memory ---------------------------------------------------------------------
def recall_accuracy(states: Any, patterns: Any) -> float:
    """Fraction of rows of ``states`` exactly equal to the same row of ``patterns``.

    Parameters
    ----------
    states : array_like, shape (n_samples, n_units)
        E.g. the final states of recall from corrupted probes.
    patterns : array_like, shape (n_samples, n_units) or (n_units,)
        The pattern each row should have recalled (one vector is compared with every row).

    Returns
    -------
    float in [0, 1]

    References
    ----------
    Amit, D. J., Gutfreund, H. & Sompolinsky, H. (1985). Storing infinite numbers of patterns in a
    spin-glass model of neural networks. Phys. Rev. Lett. 55, 1530-1533.

    Examples
    --------
    >>> recall_accuracy([[1, -1], [1, 1]], [[1, -1], [-1, 1]])
    0.5
    """
    s = as_float_array(states, "states", ndim=(1, 2))
    p = as_float_array(patterns, "patterns", ndim=(1, 2))
    s2 = s[None, :] if s.ndim == 1 else s
    p2 = p[None, :] if p.ndim == 1 else p
    if p2.shape[1] != s2.shape[1] or p2.shape[0] not in (1, s2.shape[0]):
        raise ValueError(
            f"patterns must have shape {s2.shape} (one pattern per row of states) or "
            f"({s2.shape[1]},), got shape {p.shape}"
        )
    return float(np.mean(np.all(s2 == p2, axis=1)))


# -- helpers --------------------------------------------------------------------------------
def _check_rbm(rbm: Any) -> RBM:
    if not isinstance(rbm, RBM):
        raise TypeError(f"rbm must be an energynets RBM, got {type(rbm).__name__}")
    return rbm


def _softplus(x: np.ndarray) -> np.ndarray:
    """log(1 + e^x), stable for any x."""
    return np.logaddexp(0.0, x)


def _params64(rbm: RBM) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(W, a, b, sigma) as float64 arrays (views when the model is float64)."""
    return (
        rbm.weights.astype(np.float64, copy=False),
        rbm.visible_bias.astype(np.float64, copy=False),
        rbm.hidden_bias.astype(np.float64, copy=False),
        rbm.sigma.astype(np.float64, copy=False),
    )


def _check_data(rbm: RBM, data: Any, name: str, *, bits: bool) -> np.ndarray:
    """``data`` as 2-D float64 rows for ``rbm``: finite, n_visible columns, at least one row;
    values in [0, 1] for Bernoulli units, and only 0 and 1 when ``bits``; each softmax group
    summing to 1 (one-hot when ``bits``)."""
    arr = as_float_array(data, name, ndim=(1, 2), dtype=np.float64)
    v = arr[None, :] if arr.ndim == 1 else arr
    if v.shape[1] != rbm.n_visible:
        raise ValueError(
            f"{name} must have {rbm.n_visible} columns (n_visible), got shape {arr.shape}"
        )
    if rbm.visible == "bernoulli":
        if bits and not np.all((v == 0.0) | (v == 1.0)):
            bad = v[(v != 0.0) & (v != 1.0)][:3]
            raise ValueError(
                f"{name} must contain only 0 and 1 (Bernoulli visible units), got values "
                f"such as {bad}"
            )
        if v.min() < 0.0 or v.max() > 1.0:
            raise ValueError(
                f"{name} must lie in [0, 1] for Bernoulli visible units, got values in "
                f"[{v.min():g}, {v.max():g}]"
            )
        if rbm.softmax_groups:
            rbm.check_group_rows(v, name)
    return v


def _free_energy64(rbm: RBM, v: np.ndarray) -> np.ndarray:
    """F(v) in float64 for checked data ``v`` (see :meth:`RBM.free_energy`)."""
    w, a, b, sigma = _params64(rbm)
    out = np.empty(v.shape[0])
    rows = max(1, _BLOCK_ELEMENTS // max(rbm.n_hidden, rbm.n_visible))
    for start in range(0, v.shape[0], rows):
        vb = v[start : start + rows]
        if rbm.visible == "bernoulli":
            visible_term = -(vb @ a)
            x = vb @ w + b
        else:
            visible_term = 0.5 * np.sum(((vb - a) / sigma) ** 2, axis=1)
            x = (vb / sigma) @ w + b
        out[start : start + rows] = visible_term - _softplus(x).sum(axis=1)
    return out


def _n_visible_states(rbm: RBM) -> int:
    """The number of valid visible states: 2**n_free times the size of each softmax group."""
    n = 2 ** int(rbm.free_units.size)
    for g in rbm.softmax_groups:
        n *= int(g.size)
    return n


def enumerated_layer(rbm: RBM) -> str:
    """Which layer the exact functions sum over: the one with fewer states (hidden for
    Gaussian units); with softmax groups the visible layer has 2**n_free prod_g K_g states."""
    grouped = bool(rbm.softmax_groups)
    n_vstates = _n_visible_states(rbm) if grouped else None
    if rbm.visible == "gaussian":
        layer, n = "hidden", rbm.n_hidden
    elif n_vstates is None and rbm.n_hidden <= rbm.n_visible:
        layer, n = "hidden", rbm.n_hidden
    elif n_vstates is None:
        layer, n = "visible", rbm.n_visible
    elif 2**rbm.n_hidden <= n_vstates:
        layer, n = "hidden", rbm.n_hidden
    else:
        layer, n = "visible", int(np.ceil(np.log2(n_vstates)))
    if n > MAX_ENUMERATED_UNITS:
        if rbm.visible == "gaussian":
            sizes = (
                f"n_hidden = {rbm.n_hidden} (Gaussian visible units are integrated "
                "analytically, the hidden layer is enumerated)"
            )
        elif grouped:
            sizes = (
                f"n_hidden = {rbm.n_hidden} and {n_vstates} valid visible states "
                f"(2**{rbm.free_units.size} free units times the softmax group sizes)"
            )
        else:
            sizes = f"n_visible = {rbm.n_visible} and n_hidden = {rbm.n_hidden}"
        raise ValueError(
            f"exact enumeration needs a layer of at most {MAX_ENUMERATED_UNITS} units "
            f"(2**{MAX_ENUMERATED_UNITS} states), got {sizes}; pass log_z from "
            "energynets.ais (annealed importance sampling) instead"
        )
    return layer


def _state_block(n_units: int, start: int, stop: int) -> np.ndarray:
    """Rows start:stop of the table of all 0/1 states of n_units (row k = binary digits of k)."""
    codes = np.arange(start, stop, dtype=np.int64)[:, None]
    shifts = np.arange(n_units - 1, -1, -1, dtype=np.int64)[None, :]
    return ((codes >> shifts) & 1).astype(np.float64)


def _visible_state_block(rbm: RBM, start: int, stop: int) -> np.ndarray:
    """Rows start:stop of the table of all valid visible states of a grouped RBM.

    Row code c = f + 2**n_free (k_0 + K_0 (k_1 + K_1 (...))): the free units hold the binary
    digits of f, group g has its unit k_g on.
    """
    codes = np.arange(start, stop, dtype=np.int64)
    free = rbm.free_units
    states = np.zeros((codes.size, rbm.n_visible))
    if free.size:
        shifts = np.arange(free.size - 1, -1, -1, dtype=np.int64)[None, :]
        states[:, free] = ((codes[:, None] >> shifts) & 1).astype(np.float64)
    rest = codes >> free.size
    rows = np.arange(codes.size)
    for g in rbm.softmax_groups:
        rest, k = np.divmod(rest, g.size)
        states[rows, g[k]] = 1.0
    return states


def _enumerate(
    rbm: RBM, with_mean: bool = True
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray | None]]:
    """Yield blocks ``(states, log_weights, conditional_mean)`` over the enumerated layer
    (``conditional_mean`` is None when ``with_mean`` is false: log Z does not need it).

    Enumerating the hidden layer (h in {0,1}^n_hidden, u = W h):
        Bernoulli: log w(h) = b.h + sum_i softplus(a_i + u_i),  E[v | h] = sigmoid(a + u)
        Gaussian:  log w(h) = b.h + sum_i (a_i u_i / sigma_i + u_i^2 / 2) + sum_i log(sqrt(2 pi)
                   sigma_i),  E[v | h] = a + sigma u
        with softmax groups (Bernoulli): the free units as above, and for each group g
                   log w(h) += logsumexp_{k in g}(a_k + u_k),  E[v_g | h] = softmax_g(a + u)
    Enumerating the visible layer (Bernoulli only, x = v W + b):
        log w(v) = a.v + sum_j softplus(x_j) = -F(v),  E[h | v] = sigmoid(x)
        (with softmax groups, only the valid states: one unit on per group)
    In both cases Z = sum of w over the enumerated states.
    """
    from scipy.special import expit

    w, a, b, sigma = _params64(rbm)
    layer = enumerated_layer(rbm)
    groups = rbm.softmax_groups
    free = rbm.free_units
    n_enum = rbm.n_hidden if layer == "hidden" else rbm.n_visible
    n_other = rbm.n_visible if layer == "hidden" else rbm.n_hidden
    total = _n_visible_states(rbm) if (layer == "visible" and groups) else 2**n_enum
    rows = min(total, max(1, 2 ** int(np.log2(max(1, _BLOCK_ELEMENTS // max(n_other, n_enum))))))
    gaussian_constant = float(np.sum(_LOG_SQRT_2PI + np.log(sigma)))
    for start in range(0, total, rows):
        if layer == "visible" and groups:
            states = _visible_state_block(rbm, start, min(start + rows, total))
        else:
            states = _state_block(n_enum, start, min(start + rows, total))
        if layer == "visible":
            x = states @ w + b
            yield states, states @ a + _softplus(x).sum(axis=1), expit(x) if with_mean else None
            continue
        u = states @ w.T
        if rbm.visible == "bernoulli" and groups:
            from scipy.special import logsumexp

            x = u + a
            log_w = states @ b + _softplus(x[:, free]).sum(axis=1)
            mean = expit(x) if with_mean else None
            for g in groups:
                log_w += logsumexp(x[:, g], axis=1)
                if mean is not None:
                    mean[:, g] = softmax(x[:, g])
            yield states, log_w, mean
        elif rbm.visible == "bernoulli":
            x = u + a
            yield states, states @ b + _softplus(x).sum(axis=1), expit(x) if with_mean else None
        else:
            log_w = states @ b + (u * (a / sigma + 0.5 * u)).sum(axis=1) + gaussian_constant
            yield states, log_w, a + sigma * u if with_mean else None


# -- RBM metrics ----------------------------------------------------------------------------
def reconstruction_error(rbm: RBM, data: Any) -> float:
    """Mean squared error between data and their mean-field reconstructions.

    For each row v: p = p(h = 1 | v), v_hat = E[v | h = p] (sigmoid(a + W p) for Bernoulli,
    a + sigma W p for Gaussian visible units), and the result is the mean of (v - v_hat)^2 over
    rows and units.

    Parameters
    ----------
    rbm : RBM
    data : array_like, shape (n_samples, n_visible)
        Values in [0, 1] for Bernoulli units (grey levels allowed).

    Returns
    -------
    float

    Notes
    -----
    Hinton (2010, section 5) warns that the reconstruction error is "a very poor measure of
    the progress of learning": it is what CD-1 is close to minimising, not the likelihood.

    References
    ----------
    Hinton, G. E. (2010). A practical guide to training restricted Boltzmann machines. UTML TR
    2010-003, University of Toronto. Section 5: monitoring the progress of learning.

    Examples
    --------
    >>> rbm = RBM(4, 2, weight_scale=0.0)  # reconstructs every unit as 1/2
    >>> reconstruction_error(rbm, [[0, 1, 1, 0]])
    0.25
    """
    model = _check_rbm(rbm)
    v = model.check_visible(data, "data")
    if v.shape[0] == 0:
        raise ValueError(f"data must have at least one row, got shape {v.shape}")
    total = 0.0
    rows = max(1, _BLOCK_ELEMENTS // max(model.n_visible, model.n_hidden))
    for start in range(0, v.shape[0], rows):
        vb = v[start : start + rows]
        v_hat = model.visible_mean(model.hidden_probabilities(vb))
        total += float(np.sum((vb - v_hat).astype(np.float64) ** 2))
    return total / v.size


def free_energy_gap(rbm: RBM, train: Any, held_out: Any) -> float:
    """Mean free energy of held-out data minus that of training data.

    gap = mean_{v in held_out} F(v) - mean_{v in train} F(v), F(v) = -log sum_h exp(-E(v, h)).

    log p(v) = -F(v) - log Z, so the gap is the difference of the mean log-likelihoods of the
    two sets, training minus held-out, without needing Z. It grows when the model starts to
    overfit (Hinton 2010, section 6); compare sets of the same size and distribution, e.g. a
    random training subset against a validation set.

    Parameters
    ----------
    rbm : RBM
    train, held_out : array_like, shape (n_samples, n_visible)

    Returns
    -------
    float

    References
    ----------
    Hinton, G. E. (2010). A practical guide to training restricted Boltzmann machines. UTML TR
    2010-003, University of Toronto.
    """
    model = _check_rbm(rbm)
    tr = _check_data(model, train, "train", bits=False)
    ho = _check_data(model, held_out, "held_out", bits=False)
    return float(_free_energy64(model, ho).mean() - _free_energy64(model, tr).mean())


def pseudo_likelihood(rbm: RBM, data: Any) -> float:
    """Exact pseudo-log-likelihood, summed over every visible unit (Besag 1975).

    ``PL(v) = sum_i log p(v_i | v_-i)``, with ``p(v_i | v_-i) = 1 / (1 + exp(F(v) - F(v^(i))))``,

    where ``v^(i)`` is v with unit i flipped (v_i -> 1 - v_i) and F the free energy. The result is
    the mean of PL(v) over the rows of ``data``.

    Writing x = v W + b, d_i = 1 - 2 v_i (the change of v_i when flipped)::

        F(v) - F(v^(i)) = a_i d_i + sum_j [softplus(x_j + d_i W_ij) - softplus(x_j)],

    evaluated for all sites at once in blocks of rows and sites (memory bounded). Cost
    O(n_samples n_visible n_hidden) softplus evaluations.

    A softmax (one-of-K) group g is one site, its unit vector one value: the sum has the term
    ``log p(v_g | v_rest) = -F(v) - logsumexp_{k in g}(-F(v with v_g = e_k))``, the conditional
    of the whole group given the rest (flipping one unit of a group would leave the state
    space). The free units keep the single-flip terms.

    Parameters
    ----------
    rbm : RBM with Bernoulli visible units
    data : array_like of 0/1, shape (n_samples, n_visible)
        One-hot in each softmax group.

    Returns
    -------
    float
        Mean over rows of PL(v), in nats (<= 0).

    Notes
    -----
    scikit-learn's ``BernoulliRBM.score_samples`` flips *one randomly chosen* unit per sample
    and multiplies by n_visible: an unbiased but noisy (and seed-dependent) estimate of this
    sum. Here every unit is flipped, so the value is deterministic and exact.

    References
    ----------
    Besag, J. (1975). Statistical analysis of non-lattice data. The Statistician 24, 179-195.

    Examples
    --------
    A model with zero parameters gives every unit probability 1/2 given the others:

    >>> rbm = RBM(4, 2, weight_scale=0.0)
    >>> round(pseudo_likelihood(rbm, [[0, 1, 1, 0]]), 6), round(-4 * float(np.log(2)), 6)
    (-2.772589, -2.772589)
    """
    from scipy.special import logsumexp

    model = _check_rbm(rbm)
    if model.visible != "bernoulli":
        raise ValueError(
            "pseudo_likelihood needs Bernoulli visible units (flipping a unit), got "
            f"visible={model.visible!r}"
        )
    v = _check_data(model, data, "data", bits=True)
    w, a, b, _ = _params64(model)
    n = v.shape[0]
    nh = model.n_hidden
    groups = model.softmax_groups
    free = model.free_units
    n_free = free.size
    sample_rows = max(1, min(n, _BLOCK_ELEMENTS // nh))
    total = 0.0
    for s0 in range(0, n, sample_rows):
        vb = v[s0 : s0 + sample_rows]
        x = vb @ w + b  # (rows, nh)
        base = _softplus(x).sum(axis=1)  # sum_j softplus(x_j), (rows,)
        d = 1.0 - 2.0 * vb  # (rows, nv)
        sites = max(1, _BLOCK_ELEMENTS // (vb.shape[0] * nh))
        for i0 in range(0, n_free, sites):
            # the free units i0 : i0 + sites (a slice when there are no groups)
            idx = free[i0 : i0 + sites] if groups else slice(i0, i0 + sites)
            di = d[:, idx]  # (rows, sites)
            flipped = x[:, None, :] + di[:, :, None] * w[None, idx, :]
            delta_f = a[idx] * di + _softplus(flipped).sum(axis=2) - base[:, None]
            total -= float(_softplus(delta_f).sum())
        for g in groups:
            # -F(v with v_g = e_k) up to the terms outside g: a_k + sum_j softplus(x_j
            # - (v_g W_g)_j + W_kj); the observed k gives -F(v) up to the same terms
            wg = w[g]  # (K, nh)
            x_rest = x - vb[:, g] @ wg
            observed = np.argmax(vb[:, g], axis=1)
            rows = max(1, _BLOCK_ELEMENTS // (g.size * nh))
            for r0 in range(0, vb.shape[0], rows):
                logits = a[g] + _softplus(x_rest[r0 : r0 + rows, None, :] + wg).sum(axis=2)
                chosen = logits[np.arange(logits.shape[0]), observed[r0 : r0 + rows]]
                total += float(np.sum(chosen - logsumexp(logits, axis=1)))
    return total / n


def rbm_log_partition(rbm: RBM) -> float:
    """Exact log partition function log Z of an RBM, by enumerating its smaller layer.

    Summing the other layer out analytically, with u = W h and x = v W + b::

        hidden layer enumerated:   log Z = logsumexp_h [ b.h + sum_i softplus(a_i + u_i) ]
        visible layer enumerated:  log Z = logsumexp_v [ a.v + sum_j softplus(x_j) ]
        Gaussian visible units:    log Z = logsumexp_h [ b.h + sum_i (a_i u_i / sigma_i
                                           + u_i^2 / 2) ] + sum_i log(sqrt(2 pi) sigma_i)

    (the last is the Gaussian integral over v, which makes it a log-density normaliser).
    With softmax groups, a group g contributes logsumexp_{k in g}(a_k + u_k) instead of its
    units' softplus terms, and the visible enumeration visits only the 2**n_free prod_g K_g
    valid states (the layer with fewer states is enumerated).

    Parameters
    ----------
    rbm : RBM
        The smaller layer (the hidden layer for Gaussian visible units) must have at most
        :data:`MAX_ENUMERATED_UNITS` = 25 units.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If both layers (the hidden layer, for Gaussian units) have more than 25 units: use
        annealed importance sampling (:mod:`energynets.sampling.ais`) instead.

    Notes
    -----
    float64 whatever the model's dtype. States are visited in blocks of at most
    2**20 / n_other rows; time O(2**n n_other) with n the enumerated layer's size (16 hidden
    units on MNIST: about 0.1 s; 25: tens of minutes).

    References
    ----------
    Smolensky, P. (1986). Information processing in dynamical systems: foundations of harmony
    theory. In Parallel Distributed Processing, vol. 1, 194-281. MIT Press.

    Salakhutdinov, R. & Murray, I. (2008). On the quantitative analysis of deep belief networks.
    ICML 2008, 872-879.

    Examples
    --------
    With zero parameters Z = 2**(n_visible + n_hidden):

    >>> round(rbm_log_partition(RBM(4, 2, weight_scale=0.0)), 6), round(6 * float(np.log(2)), 6)
    (4.158883, 4.158883)
    """
    from scipy.special import logsumexp

    model = _check_rbm(rbm)
    block_log_z = [float(logsumexp(log_w)) for _, log_w, _ in _enumerate(model, with_mean=False)]
    return float(logsumexp(block_log_z))


def log_likelihood(rbm: RBM, data: Any, log_z: float | None = None) -> float:
    """Mean log-likelihood of data, mean_v [ -F(v) - log Z ], in nats.

    Parameters
    ----------
    rbm : RBM
    data : array_like, shape (n_samples, n_visible)
        0/1 values for Bernoulli visible units; real values for Gaussian units (then the result
        is a log-density).
    log_z : float, optional
        log Z of the model. None computes it exactly with :func:`rbm_log_partition`, possible
        when the smaller layer has at most 25 units; otherwise pass an estimate, e.g.
        ``energynets.ais(rbm).log_z`` (annealed importance sampling).

    Returns
    -------
    float

    References
    ----------
    Salakhutdinov, R. & Murray, I. (2008). On the quantitative analysis of deep belief networks.
    ICML 2008, 872-879.

    Examples
    --------
    A model with zero parameters is uniform over the 2**n_visible visible states:

    >>> rbm = RBM(4, 2, weight_scale=0.0)
    >>> round(log_likelihood(rbm, [[0, 1, 1, 0]]), 6), round(-4 * float(np.log(2)), 6)
    (-2.772589, -2.772589)
    """
    model = _check_rbm(rbm)
    v = _check_data(model, data, "data", bits=True)
    if log_z is None:
        lz = rbm_log_partition(model)
    else:
        lz = check_float(log_z, "log_z")
    return float(-_free_energy64(model, v).mean() - lz)


def log_likelihood_gradient(rbm: RBM, data: Any) -> RBMGradient:
    """Exact gradient of the mean log-likelihood with respect to W, a and b.

    For the free energy F and the model distribution p::

        dL/dW_ij = < s_i q_j >_data - < s_i h_j >_model
        dL/da_i  = < v_i >_data - < v_i >_model                 (Bernoulli)
                 = ( < v_i >_data - < v_i >_model ) / sigma_i^2 (Gaussian)
        dL/db_j  = < q_j >_data - < h_j >_model

    with s = v (Bernoulli) or v / sigma (Gaussian) and q = p(h = 1 | v). The model moments are
    sums over the enumerated layer (see :func:`rbm_log_partition`), with the other layer
    replaced by its conditional mean. This is the ascent direction: the quantity that contrastive
    divergence and persistent CD estimate.

    Parameters
    ----------
    rbm : RBM
        As for :func:`rbm_log_partition` (a layer of at most 25 units).
    data : array_like, shape (n_samples, n_visible)

    Returns
    -------
    RBMGradient
        ``(weights, visible_bias, hidden_bias)``, float64.

    References
    ----------
    Ackley, D. H., Hinton, G. E. & Sejnowski, T. J. (1985). A learning algorithm for Boltzmann
    machines. Cognitive Science 9, 147-169.

    Hinton, G. E. (2002). Training products of experts by minimizing contrastive divergence. Neural
    Computation 14, 1771-1800.
    """
    from scipy.special import expit

    model = _check_rbm(rbm)
    v = _check_data(model, data, "data", bits=True)
    w, a, b, sigma = _params64(model)
    gaussian = model.visible == "gaussian"
    s = v / sigma if gaussian else v
    q = expit(s @ w + b)
    data_w = s.T @ q / v.shape[0]
    data_v = v.mean(axis=0)
    data_h = q.mean(axis=0)

    log_z = rbm_log_partition(model)
    model_w = np.zeros_like(w)
    model_v = np.zeros_like(a)
    model_h = np.zeros_like(b)
    layer = enumerated_layer(model)
    for states, log_w, mean in _enumerate(model):
        assert mean is not None  # asked for (with_mean defaults to True)
        p = np.exp(log_w - log_z)  # probability of each enumerated state
        if layer == "hidden":
            weighted = mean * p[:, None]  # p(h) E[v | h]
            model_v += weighted.sum(axis=0)
            model_h += p @ states
            model_w += ((weighted / sigma).T if gaussian else weighted.T) @ states
        else:
            model_v += p @ states
            model_h += p @ mean
            model_w += (states * p[:, None]).T @ mean
    grad_v = data_v - model_v
    if gaussian:
        grad_v = grad_v / sigma**2
    return RBMGradient(data_w - model_w, grad_v, data_h - model_h)
