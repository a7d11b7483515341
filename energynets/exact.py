"""Exact enumeration oracle: partition function, probabilities, moments and exact samples.

Every model in energynets defines a Boltzmann distribution over its states,

    P(s) = exp(-E(s) / T) / Z,    Z = sum_s exp(-E(s) / T),

and for a few units (at most :data:`MAX_UNITS`, 2**24 states) the sum can simply be written
out. This module does exactly that, for any model that exposes

- ``n_units`` (int) and ``energy(states)`` mapping states ``(n_states, n_units)`` to energies
  ``(n_states,)``;
- optionally ``unit_kind``: ``"spins"`` (values -1 and +1, the default when the attribute is
  absent) or ``"bits"`` (values 0 and 1), which says which states to enumerate.

It is the oracle the tests check samplers, annealed importance sampling and learning rules
against, and the "true" side of the "true versus sampled" demos. It deliberately does nothing
clever: no symmetry reduction, no Gray-code energy updates. The states are visited in blocks of
at most 2**16 so that, apart from functions that must return something of size 2**n_units
(:func:`probabilities`), memory stays small even at 24 units. All sums are done in log space
with the maximum subtracted (``scipy.special.logsumexp``), so large energies and low
temperatures neither overflow nor underflow to nonsense.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from energynets._validation import RNGLike, check_choice, check_float, check_int, check_rng
from energynets.states import MAX_ENUMERATION_UNITS, all_states, state_rows


def logsumexp(a: Any) -> Any:
    """scipy.special.logsumexp, imported on first use so that importing energynets stays fast."""
    from scipy.special import logsumexp as _logsumexp

    return _logsumexp(a)


__all__ = [
    "MAX_UNITS",
    "expectations",
    "ground_states",
    "log_partition",
    "probabilities",
    "sample",
]

#: The largest model :mod:`energynets.exact` will enumerate: 2**24 (16.7 million) states.
MAX_UNITS = MAX_ENUMERATION_UNITS

# States are enumerated in blocks of 2**_BLOCK_BITS rows: the energies of a block of 2**16
# states of 24 units take a few megabytes whatever the model.
_BLOCK_BITS = 16

_UNIT_KINDS = ("spins", "bits")


# -- the enumeration -----------------------------------------------------------------------
def _describe_model(model: Any) -> tuple[int, str]:
    """Check that ``model`` can be enumerated; return its ``(n_units, unit_kind)``."""
    if not hasattr(model, "n_units") or not callable(getattr(model, "energy", None)):
        raise TypeError(
            "model must have an n_units attribute and an energy(states) method, "
            f"got {type(model).__name__}"
        )
    n_units = check_int(model.n_units, "model.n_units", minimum=1)
    if n_units > MAX_UNITS:
        raise ValueError(
            f"model.n_units must be <= MAX_UNITS = {MAX_UNITS} for exact enumeration of its "
            f"2**n_units states, got n_units = {n_units}; use a Monte Carlo sampler or "
            "annealed importance sampling for larger models"
        )
    kind = check_choice(getattr(model, "unit_kind", "spins"), "model.unit_kind", _UNIT_KINDS)
    return n_units, kind


def _blocks(n_units: int, kind: str) -> Iterator[tuple[int, np.ndarray]]:
    """Yield ``(start, states)``: consecutive blocks of the rows of ``all_states``.

    Block k holds rows k * 2**b to (k + 1) * 2**b - 1 with b = min(n_units, _BLOCK_BITS): its
    first n_units - b columns are the binary expansion of k, the same in every row, and its
    last b columns are the same table for every block, so it is assembled by two copies.
    """
    low_bits = min(n_units, _BLOCK_BITS)
    high_bits = n_units - low_bits
    low = state_rows(low_bits, kind, 0, 2**low_bits, np.float64)
    high = state_rows(high_bits, kind, 0, 2**high_bits, np.float64)
    for k in range(2**high_bits):
        states = np.empty((2**low_bits, n_units), dtype=np.float64)
        states[:, :high_bits] = high[k]
        states[:, high_bits:] = low
        yield k * 2**low_bits, states


def _energies(model: Any, states: np.ndarray) -> np.ndarray:
    """``model.energy(states)`` as a float64 vector, checked for shape and finiteness."""
    energy = np.asarray(model.energy(states))
    if energy.shape != (states.shape[0],):
        raise ValueError(
            f"model.energy(states) must return shape ({states.shape[0]},) for states of shape "
            f"{states.shape}, got shape {energy.shape}"
        )
    energy = energy.astype(np.float64, copy=False)
    if not np.all(np.isfinite(energy)):
        raise ValueError("model.energy(states) must be finite for every state, got NaN or inf")
    return energy


def _energy_blocks(model: Any, n_units: int, kind: str) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield ``(states, energies)`` block by block, in the order of ``all_states``."""
    for _, states in _blocks(n_units, kind):
        yield states, _energies(model, states)


def _check_temperature(temperature: Any) -> float:
    return check_float(temperature, "temperature", minimum=0.0, exclusive_minimum=True)


def _log_weights(energy: np.ndarray, shift: float, t: float) -> np.ndarray:
    """-(E - shift) / T for energies E >= shift (shift: the lowest energy seen).

    The result is <= 0. Near T = 0 the division can exceed the largest float64: the result is
    then -inf, whose exponential, 0, is the correct weight of a state so far above the lowest.
    """
    with np.errstate(over="ignore"):
        return -(energy - shift) / t


def _block_summary(energy: np.ndarray, t: float) -> tuple[float, float]:
    """A block's lowest energy m and log sum_s exp(-(E(s) - m) / T) (finite, >= 0)."""
    lowest = float(np.min(energy))
    return lowest, float(logsumexp(_log_weights(energy, lowest, t)))


def _leading_term(lowest: float, t: float) -> float:
    """-E_0 / T, the leading term of log Z; a clear error when it is not a float64."""
    lead = -lowest / t  # a Python float: inf on overflow, without a warning
    if not np.isfinite(lead):
        raise ValueError(
            f"temperature must be large enough for log Z to be a float64, got temperature = "
            f"{t:g} with a lowest energy of {lowest:.6g}: -E_0 / T overflows (|E_0| / T > "
            f"{np.finfo(np.float64).max:.3g}); probabilities, expectations and sample still "
            "work at this temperature"
        )
    return lead


# -- public functions ------------------------------------------------------------------------
def log_partition(model: Any, temperature: float = 1.0) -> float:
    """Log partition function log Z = log sum_s exp(-E(s) / T), by enumeration.

    Parameters
    ----------
    model : object with ``n_units``, ``energy(states)`` and optionally ``unit_kind``
        ``energy`` maps states ``(n_states, n_units)`` to ``(n_states,)``; ``unit_kind`` is
        ``"spins"`` (default) or ``"bits"``. At most :data:`MAX_UNITS` units.
    temperature : float > 0
        T in the Boltzmann weight exp(-E / T).

    Returns
    -------
    float
        log Z, computed as -E_0 / T + log sum_s exp(-(E(s) - E_0) / T) with E_0 the lowest
        energy, the sum taken block by block (blocks of at most 2**16 states) in log space, so
        that no exponent is positive: it neither overflows nor underflows, from temperatures
        near 0 to the largest float64. Time O(2**n_units) energy evaluations, memory O(2**16).

    Raises
    ------
    ValueError
        If ``model.n_units > MAX_UNITS`` or ``temperature <= 0``, or if -E_0 / T itself is
        beyond the largest float64 (``abs(E_0) / T > 1.8e308``: log Z is not a float64;
        :func:`probabilities`, :func:`expectations` and :func:`sample` still work).

    References
    ----------
    Ackley, D. H., Hinton, G. E. & Sejnowski, T. J. (1985). A learning algorithm for Boltzmann
    machines. Cognitive Science 9, 147-169 (the Boltzmann distribution and its normalisation Z).

    Examples
    --------
    Two spins coupled by W_12 = 1 have E(s) = -s_1 s_2: the two aligned states have E = -1,
    the two others E = +1, so Z = 2 e + 2 / e.

    >>> import numpy as np
    >>> from energynets import HopfieldNetwork, exact
    >>> net = HopfieldNetwork([[0.0, 1.0], [1.0, 0.0]])
    >>> bool(np.isclose(exact.log_partition(net), np.log(2 * np.e + 2 / np.e)))
    True
    """
    n_units, kind = _describe_model(model)
    t = _check_temperature(temperature)
    # log Z = -E_0 / T + log sum_s exp(-(E(s) - E_0) / T), E_0 the lowest energy: every
    # exponent is <= 0, so nothing overflows however small T is (only -E_0 / T itself can)
    lowest, sums = np.array(
        [_block_summary(energy, t) for _, energy in _energy_blocks(model, n_units, kind)]
    ).T
    e0 = float(np.min(lowest))
    rest = float(logsumexp(_log_weights(lowest, e0, t) + sums))
    return _leading_term(e0, t) + rest


def probabilities(model: Any, temperature: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Every state and its Boltzmann probability P(s) = exp(-E(s) / T) / Z.

    Parameters
    ----------
    model : object with ``n_units``, ``energy(states)`` and optionally ``unit_kind``
        See :func:`log_partition`; the result holds all 2**n_units states.
    temperature : float > 0

    Returns
    -------
    states : ndarray, shape (2**n_units, n_units), float64
        Every state, in the order of :func:`energynets.states.all_states` (row k is the binary
        expansion of k, first unit most significant), spins or bits after ``model.unit_kind``.
    probs : ndarray, shape (2**n_units,), float64
        P(s) = exp(-E(s) / T - log Z); sums to 1 up to rounding.

    Notes
    -----
    The result itself has 2**n_units rows: at 24 units ``states`` takes 3.2 GB. For sums over
    the distribution prefer :func:`log_partition` and :func:`expectations`, which work block
    by block.

    References
    ----------
    Ackley, Hinton & Sejnowski (1985), cited in full under :func:`log_partition` (the
    probabilities P(s) of the states of a machine).

    Examples
    --------
    >>> import numpy as np
    >>> from energynets import HopfieldNetwork, exact
    >>> net = HopfieldNetwork([[0.0, 1.0], [1.0, 0.0]])
    >>> states, probs = exact.probabilities(net)
    >>> states
    array([[-1., -1.],
           [-1.,  1.],
           [ 1., -1.],
           [ 1.,  1.]])
    >>> bool(np.allclose(probs, np.array([np.e, 1 / np.e, 1 / np.e, np.e]) / (2 * np.e + 2 / np.e)))
    True
    """
    n_units, kind = _describe_model(model)
    t = _check_temperature(temperature)
    states = all_states(n_units, kind, dtype=np.float64)
    energies = np.empty(states.shape[0], dtype=np.float64)
    block = 2 ** min(n_units, _BLOCK_BITS)
    for start in range(0, states.shape[0], block):
        energies[start : start + block] = _energies(model, states[start : start + block])
    # weights relative to the lowest energy: exact at any T > 0, even where log Z itself
    # would not be a float64
    log_weights = _log_weights(energies, float(np.min(energies)), t)
    probs = np.exp(log_weights - logsumexp(log_weights))
    return states, probs


def expectations(model: Any, temperature: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """First and second moments <s_i> and <s_i s_j> under the Boltzmann distribution.

    <s_i> = sum_s P(s) s_i and <s_i s_j> = sum_s P(s) s_i s_j, with P(s) = exp(-E(s) / T) / Z.

    Parameters
    ----------
    model : object with ``n_units``, ``energy(states)`` and optionally ``unit_kind``
        See :func:`log_partition`; summed block by block, up to :data:`MAX_UNITS` units.
    temperature : float > 0

    Returns
    -------
    mean : ndarray, shape (n_units,)
        <s_i>.
    second_moment : ndarray, shape (n_units, n_units), symmetric
        <s_i s_j> (its diagonal is 1 for spins and <s_i> for bits). The covariance is
        ``second_moment - np.outer(mean, mean)``.

    Notes
    -----
    The sums run block by block with a running minimum m of the energy: each block's weights
    are exp(-(E - m) / T) <= 1 and earlier partial sums are rescaled by exp(-(m_old - m_new) / T)
    when m falls, so memory stays O(2**16 * n_units) and nothing overflows at any T > 0.

    References
    ----------
    Ackley, Hinton & Sejnowski (1985), cited in full under :func:`log_partition` (the
    statistics <s_i s_j> their learning rule uses).

    Examples
    --------
    >>> import numpy as np
    >>> from energynets import HopfieldNetwork, exact
    >>> net = HopfieldNetwork([[0.0, 1.0], [1.0, 0.0]])
    >>> mean, second = exact.expectations(net)
    >>> bool(np.allclose(mean, 0.0)), bool(np.isclose(second[0, 1], np.tanh(1.0)))
    (True, True)
    """
    n_units, kind = _describe_model(model)
    t = _check_temperature(temperature)
    total = 0.0
    first = np.zeros(n_units, dtype=np.float64)
    second = np.zeros((n_units, n_units), dtype=np.float64)
    running_min = np.inf
    for states, energy in _energy_blocks(model, n_units, kind):
        block_min = float(np.min(energy))
        if block_min < running_min:
            if np.isfinite(running_min):  # the first block has nothing to rescale
                rescale = float(np.exp(_log_weights(np.array(running_min), block_min, t)))
                total *= rescale
                first *= rescale
                second *= rescale
            running_min = block_min
        weights = np.exp(_log_weights(energy, running_min, t))
        total += float(np.sum(weights))
        first += weights @ states
        second += (states * weights[:, None]).T @ states
    second = 0.5 * (second + second.T)  # exact symmetry despite rounding in the products
    return first / total, second / total


def ground_states(model: Any, *, rtol: float | None = None) -> tuple[np.ndarray, float]:
    """All states of minimal energy, argmin_s E(s), and that energy.

    Parameters
    ----------
    model : object with ``n_units``, ``energy(states)`` and optionally ``unit_kind``
        See :func:`log_partition`.
    rtol : float >= 0, optional
        Two energies count as equal when they differ by at most ``rtol * max_s |E(s)|``, so
        that states related by a symmetry (a spin flip, a permutation) are all returned even
        when rounding makes their computed energies differ in the last bits. The default,
        ``8 * n_units * eps`` with ``eps`` the machine epsilon of the energies' dtype, covers
        the rounding of a sum of order n_units**2 terms.

    Returns
    -------
    states : ndarray, shape (n_ground_states, n_units), float64
        The minimisers, in the order of :func:`energynets.states.all_states`.
    energy : float
        The minimal energy E_0 = min_s E(s).

    Notes
    -----
    Two passes over the states (time O(2**n_units) energies, memory O(2**16)): the first finds
    the minimum and the energy scale, the second collects every state within tolerance.

    References
    ----------
    Hopfield, J. J. (1982). Neural networks and physical systems with emergent collective
    computational abilities. PNAS 79, 2554-2558 (the energy whose minima the dynamics reach).

    Examples
    --------
    A Hebbian network storing one pattern has that pattern and its mirror as ground states:

    >>> import numpy as np
    >>> from energynets import HopfieldNetwork, exact
    >>> net = HopfieldNetwork.from_patterns(np.array([[1.0, -1.0, 1.0]]))
    >>> states, energy = exact.ground_states(net)
    >>> states
    array([[-1.,  1., -1.],
           [ 1., -1.,  1.]])
    >>> round(energy, 6)
    -1.0
    """
    n_units, kind = _describe_model(model)
    lowest = np.inf
    scale = 0.0
    for _, energy in _energy_blocks(model, n_units, kind):
        lowest = min(lowest, float(np.min(energy)))
        scale = max(scale, float(np.max(np.abs(energy))))
    if rtol is None:
        # rounding of E depends on the dtype the model computes in (float32 models too)
        dtype = np.asarray(model.energy(state_rows(n_units, kind, 0, 1, np.float64))).dtype
        eps = float(np.finfo(dtype).eps) if np.issubdtype(dtype, np.inexact) else 0.0
        tolerance = 8.0 * n_units * eps * scale
    else:
        tolerance = check_float(rtol, "rtol", minimum=0.0) * scale
    found = [
        states[energy <= lowest + tolerance]
        for states, energy in _energy_blocks(model, n_units, kind)
    ]
    return np.concatenate(found, axis=0), lowest


def sample(model: Any, n_samples: int, temperature: float = 1.0, rng: RNGLike = 0) -> np.ndarray:
    """Independent exact samples from P(s) = exp(-E(s) / T) / Z, for small models.

    Parameters
    ----------
    model : object with ``n_units``, ``energy(states)`` and optionally ``unit_kind``
        See :func:`log_partition`; only the blocks that receive samples are revisited.
    n_samples : int >= 0
    temperature : float > 0
    rng : int, numpy.random.Generator or None
        The only source of randomness (numpy's global random state is never used).

    Returns
    -------
    ndarray, shape (n_samples, n_units), float64
        Independent draws, spins or bits after ``model.unit_kind``, in random order.

    Notes
    -----
    Two-stage inverse-CDF sampling that never holds all 2**n_units probabilities: the first
    pass computes each block's mass exp(log Z_block - log Z) and draws how many samples fall
    in each block (multinomial); the second pass revisits only the blocks that received
    samples and draws within them by inverting the block's cumulative distribution. The
    samples are finally shuffled so that their order carries no information.

    References
    ----------
    Devroye, L. (1986). Non-Uniform Random Variate Generation. Springer, New York (the inversion
    method, chapter 2).

    Examples
    --------
    >>> import numpy as np
    >>> from energynets import HopfieldNetwork, exact
    >>> net = HopfieldNetwork([[0.0, 2.0], [2.0, 0.0]])
    >>> s = exact.sample(net, 1000, rng=0)
    >>> s.shape
    (1000, 2)
    >>> bool(np.mean(s[:, 0] == s[:, 1]) > 0.9)  # P(aligned) = e^2 / (e^2 + e^-2) = 0.98
    True
    """
    n_units, kind = _describe_model(model)
    count = check_int(n_samples, "n_samples", minimum=0)
    t = _check_temperature(temperature)
    gen = check_rng(rng)
    # each block: its lowest energy m_b and log sum exp(-(E - m_b) / T); its mass relative to
    # the lowest energy overall, E_0, is exp(-(m_b - E_0) / T + that sum): no overflow at any T
    lowest, sums = np.array(
        [_block_summary(energy, t) for _, energy in _energy_blocks(model, n_units, kind)]
    ).T
    block_log_mass = _log_weights(lowest, float(np.min(lowest)), t) + sums
    block_mass = np.exp(block_log_mass - logsumexp(block_log_mass))
    counts = gen.multinomial(count, block_mass / np.sum(block_mass))
    drawn = [np.empty((0, n_units), dtype=np.float64)]
    for (_, states), block_count, block_lowest, log_sum in zip(
        _blocks(n_units, kind), counts, lowest, sums, strict=True
    ):
        if block_count == 0:
            continue
        log_weights = _log_weights(_energies(model, states), float(block_lowest), t)
        cdf = np.cumsum(np.exp(log_weights - log_sum))
        cdf /= cdf[-1]
        # side="right" never picks a state whose probability underflowed to zero
        index = np.searchsorted(cdf, gen.random(int(block_count)), side="right")
        drawn.append(states[np.minimum(index, states.shape[0] - 1)])
    samples = np.concatenate(drawn, axis=0)
    return samples[gen.permutation(samples.shape[0])]
