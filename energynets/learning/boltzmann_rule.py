"""The Boltzmann machine learning rule (Ackley, Hinton & Sejnowski 1985).

A Boltzmann machine with energy E(s) = -1/2 s^T W s - b^T s over visible units v (the first
``n_visible``) and hidden units h gives the visible units the marginal
p(v) = sum_h exp(-E(v, h)) / Z. The gradient of the mean log-likelihood of data {v_d} is a
difference of two sets of correlations,

    d/dW_ij (1/N) sum_d log p(v_d) = <s_i s_j>_clamped - <s_i s_j>_free,
    d/db_i  (1/N) sum_d log p(v_d) = <s_i>_clamped - <s_i>_free,

where the *clamped* phase averages over the data with the visible units fixed to a data
vector and the hidden units drawn from p(h | v_d), and the *free* phase averages over the
machine's own distribution p(s). The learning rule follows it uphill:

    dW_ij = eps (<s_i s_j>_clamped - <s_i s_j>_free),   db_i = eps (<s_i>_clamped - <s_i>_free).

Both phases are computed either exactly, by enumerating the states (small machines: the
hidden units for each distinct data vector, all units for the free phase), or by Gibbs
sampling: persistent free chains (Tieleman 2008) and, with hidden units, persistent clamped
chains, one per data vector, whose visible units stay fixed. Updates use the whole data set
or mini-batches, with momentum, L2 weight decay and a constant or linearly decreasing step.

This module deliberately leaves out the annealing schedules of the 1985 paper (exact phases or
persistent chains replace them), its noisy clamping and fixed-size weight steps, and the
mean-field variant; restricted machines have their own, much faster, trainer (contrastive
divergence). The papers (Ackley, Hinton & Sejnowski 1985; Tieleman 2008 for persistent
chains) are cited in full under :func:`fit_boltzmann`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from energynets._validation import (
    RNGLike,
    as_float_array,
    check_choice,
    check_float,
    check_int,
    check_rng,
)
from energynets.learning import optim
from energynets.learning._loop import Training, run
from energynets.models.boltzmann import BoltzmannMachine
from energynets.states import MAX_ENUMERATION_UNITS, all_states

__all__ = ["fit_boltzmann", "log_likelihood_gradient", "mean_log_likelihood"]

PHASES = ("exact", "sampled")

# Machines of at most this many units keep all 2**n_units states in memory (8 MB at 16 units)
# during exact training; larger ones go through energynets.exact block by block.
_CACHE_MAX_UNITS = 16

Callback = Callable[[int, BoltzmannMachine, dict[str, Any]], Any]


# -- checks ------------------------------------------------------------------------------------
def _check_model(model: Any) -> BoltzmannMachine:
    if not isinstance(model, BoltzmannMachine):
        raise TypeError(f"model must be a BoltzmannMachine, got {type(model).__name__}")
    if model.n_visible < 1:
        raise ValueError("model must have at least one visible unit, got n_visible = 0")
    return model


def _check_data(model: BoltzmannMachine, data: Any) -> np.ndarray:
    """Data as a float64 array (n_data, n_visible) of the model's unit values (may share memory)."""
    arr = as_float_array(data, "data", ndim=(1, 2), dtype=np.float64)
    arr2 = arr[None, :] if arr.ndim == 1 else arr
    if arr2.shape[1] != model.n_visible:
        raise ValueError(
            f"data must have n_visible = {model.n_visible} columns to match the model, "
            f"got shape {arr.shape}"
        )
    model.check_unit_values(arr2, "data", f"{model.units}, the model's units")
    return arr2


def _check_connectivity(connectivity: Any, n_units: int) -> np.ndarray:
    """A symmetric boolean mask (n_units, n_units) with a False diagonal."""
    if connectivity is None:
        mask = np.ones((n_units, n_units), dtype=bool)
    else:
        raw = np.asarray(connectivity)
        if raw.dtype != np.bool_:
            raise TypeError(
                f"connectivity must be a boolean array (True where a coupling may be "
                f"non-zero), got dtype {raw.dtype}"
            )
        if raw.shape != (n_units, n_units):
            raise ValueError(
                f"connectivity must have shape ({n_units}, {n_units}) to match the model, "
                f"got {raw.shape}"
            )
        if np.any(raw != raw.T):
            raise ValueError("connectivity must be symmetric (a coupling links two units)")
        mask = raw.copy()
    np.fill_diagonal(mask, False)
    return mask


def _unique_rows(data: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct data vectors, their relative frequencies and each data row's distinct index."""
    rows, inverse, counts = np.unique(data, axis=0, return_inverse=True, return_counts=True)
    return rows, counts / data.shape[0], inverse.reshape(-1)


def _logsumexp_rows(x: np.ndarray) -> np.ndarray:
    """log sum_k exp(x_dk) for each row d, with the row maximum subtracted (finite x).

    Plain numpy: scipy.special.logsumexp costs more than the whole epoch of a small machine.
    """
    top = np.max(x, axis=1)
    return top + np.log(np.sum(np.exp(x - top[:, None]), axis=1))


# -- exact phases ------------------------------------------------------------------------------
class _ExactPhases:
    """Exact clamped and free statistics of a machine of fixed shape, for changing parameters.

    The hidden states, and for small machines all states, are enumerated once.
    """

    def __init__(self, model: BoltzmannMachine, data: np.ndarray) -> None:
        n, nv = model.n_units, model.n_visible
        if n > MAX_ENUMERATION_UNITS:
            raise ValueError(
                f"phases='exact' enumerates all 2**n_units states, so model.n_units must be "
                f"<= {MAX_ENUMERATION_UNITS}, got {n}; use phases='sampled'"
            )
        self.units, self.n_visible, self.lattice_shape = model.units, nv, model.lattice_shape
        self.visible, self.frequency, self.row_index = _unique_rows(data)
        self.hidden_states = all_states(n - nv, model.units)
        self.all = all_states(n, model.units) if n <= _CACHE_MAX_UNITS else None

    def clamped(
        self, w: np.ndarray, b: np.ndarray, rows: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, float]:
        """<s>_clamped, <s s^T>_clamped and (1/N) sum_d log sum_h exp(-E(v_d, h)).

        Over the whole data, or over the data rows ``rows`` (a mini-batch). For each distinct
        data vector v (frequency c_v) the hidden posterior over the enumerated hidden states H
        is q(h | v) ∝ exp(a_v . h + 1/2 h^T W_hh h) with a_v = v W_vh + b_h, and
        log sum_h exp(-E(v, h)) = 1/2 v^T W_vv v + b_v . v + log sum_h exp(a_v . h +
        1/2 h^T W_hh h).
        """
        nv = self.n_visible
        v, c, hs = self.visible, self.frequency, self.hidden_states
        if rows is not None:
            counts = np.bincount(self.row_index[rows], minlength=v.shape[0])
            present = counts > 0
            v, c = v[present], counts[present] / rows.shape[0]
        w64, b64 = w.astype(np.float64), b.astype(np.float64)
        visible_part = 0.5 * np.einsum("di,di->d", v @ w64[:nv, :nv], v) + v @ b64[:nv]
        if hs.shape[1] == 0:  # fully visible: the clamped phase is the data itself
            mean = c @ v
            second = v.T @ (c[:, None] * v)
            return mean, second, float(c @ visible_part)
        a = v @ w64[:nv, nv:] + b64[nv:]  # (n_distinct, n_hidden)
        hidden_pair = 0.5 * np.einsum("ki,ki->k", hs @ w64[nv:, nv:], hs)  # (2**n_hidden,)
        logits = a @ hs.T + hidden_pair[None, :]
        log_norm = _logsumexp_rows(logits)
        q = np.exp(logits - log_norm[:, None])  # p(h | v), rows sum to 1
        expected_h = q @ hs  # (n_distinct, n_hidden)
        mass = c @ q  # data-averaged posterior of each hidden state
        mean = np.concatenate([c @ v, c @ expected_h])
        n = w.shape[0]
        second = np.empty((n, n))
        second[:nv, :nv] = v.T @ (c[:, None] * v)
        second[:nv, nv:] = v.T @ (c[:, None] * expected_h)
        second[nv:, :nv] = second[:nv, nv:].T
        second[nv:, nv:] = hs.T @ (mass[:, None] * hs)
        return mean, second, float(c @ (visible_part + log_norm))

    def free(self, w: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
        """<s>_free, <s s^T>_free and log Z, in one pass over the enumerated states."""
        if self.all is None:  # large: block by block through the oracle (two passes)
            from energynets import exact

            model = self.machine(w, b)
            mean, second = exact.expectations(model)
            return mean, second, exact.log_partition(model)
        s = self.all
        w64, b64 = w.astype(np.float64), b.astype(np.float64)
        log_f = 0.5 * np.einsum("ki,ki->k", s @ w64, s) + s @ b64  # -E(s)
        log_z = float(_logsumexp_rows(log_f[None, :])[0])
        p = np.exp(log_f - log_z)
        return p @ s, s.T @ (p[:, None] * s), log_z

    def machine(self, w: np.ndarray, b: np.ndarray) -> BoltzmannMachine:
        return BoltzmannMachine(
            w,
            b,
            self.n_visible,
            units=self.units,
            dtype=w.dtype,
            lattice_shape=self.lattice_shape,
        )


def log_likelihood_gradient(model: BoltzmannMachine, data: Any) -> tuple[np.ndarray, np.ndarray]:
    """The exact gradient of the mean log-likelihood, by enumeration.

    grad_W_ij = <s_i s_j>_clamped - <s_i s_j>_free (i != j; zero diagonal),
    grad_b_i = <s_i>_clamped - <s_i>_free,

    the derivatives of (1/N) sum_d log p(v_d) with respect to the coupling W_ij = W_ji of a
    pair (counted once, as in E = -sum_{i<j} W_ij s_i s_j - b . s) and the bias b_i.

    Parameters
    ----------
    model : BoltzmannMachine
        At most 24 units; visible units are the first ``n_visible``.
    data : array_like, shape (n_data, n_visible)
        Visible vectors in the model's units (spins or bits).

    Returns
    -------
    grad_weights : ndarray, shape (n_units, n_units), symmetric, zero diagonal, float64
    grad_bias : ndarray, shape (n_units,), float64

    References
    ----------
    Ackley, D. H., Hinton, G. E. & Sejnowski, T. J. (1985). A learning algorithm for Boltzmann
    machines. Cognitive Science 9, 147-169.
    """
    (mean_c, second_c, _), (mean_f, second_f, _) = _exact_statistics(model, data)
    grad_w = second_c - second_f
    np.fill_diagonal(grad_w, 0.0)
    return grad_w, mean_c - mean_f


def mean_log_likelihood(model: BoltzmannMachine, data: Any) -> float:
    """Exact mean log-likelihood (1/N) sum_d log p(v_d) of visible data, by enumeration.

    log p(v) = log sum_h exp(-E(v, h)) - log Z (the sum over h is empty without hidden units).

    Parameters
    ----------
    model : BoltzmannMachine
        At most 24 units.
    data : array_like, shape (n_data, n_visible)

    Returns
    -------
    float, in nats.

    References
    ----------
    Ackley, D. H., Hinton, G. E. & Sejnowski, T. J. (1985). A learning algorithm for Boltzmann
    machines. Cognitive Science 9, 147-169.
    """
    (_, _, log_unnormalized), (_, _, log_z) = _exact_statistics(model, data)
    return log_unnormalized - log_z


def _exact_statistics(model: BoltzmannMachine, data: Any) -> tuple[tuple, tuple]:
    """The clamped and free statistics (means, second moments, log-sum) of the checked model
    and data, by enumeration."""
    m = _check_model(model)
    phases = _ExactPhases(m, _check_data(m, data))
    return phases.clamped(m.weights, m.bias), phases.free(m.weights, m.bias)


# -- sampled phases ----------------------------------------------------------------------------
def _clamped_gibbs_(
    states: np.ndarray,
    weights: np.ndarray,
    bias: np.ndarray,
    units: str,
    sites: np.ndarray,
    n_sweeps: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Single-site Gibbs sweeps over ``sites`` only, in place: the other units stay clamped.

    Each sweep visits ``sites`` in a fresh random order and sets unit i high with probability
    sigma(h_i) (bits) or sigma(2 h_i) (spins), h_i = sum_j W_ij s_j + b_i, in every chain (row)
    at once; this leaves p(s_sites | s_rest) invariant. Returns the sums, over the sweeps and
    the chains, of the states and of their outer products (sum s and sum s^T s).
    """
    from scipy.special import expit

    lo, hi = (-1.0, 1.0) if units == "spins" else (0.0, 1.0)
    scale = 2.0 if units == "spins" else 1.0
    n_chains, n = states.shape
    sum_first = np.zeros(n)
    sum_second = np.zeros((n, n))
    for _ in range(n_sweeps):
        order = rng.permutation(sites)
        u = rng.random((order.shape[0], n_chains))
        for k, i in enumerate(order):
            field = states @ weights[i] + bias[i]  # W symmetric: row i is column i
            states[:, i] = np.where(u[k] < expit(scale * field), hi, lo)
        sum_first += states.sum(axis=0)
        sum_second += states.T @ states
    return sum_first, sum_second


class _SampledPhases:
    """Persistent free chains and, with hidden units, persistent clamped chains.

    The clamped chains are the data rows repeated ``reps`` times (so there are at least
    ``n_chains`` of them), chain r belonging to data row r % n_data; their hidden units start
    at random and their visible units are never updated.
    """

    def __init__(
        self,
        model: BoltzmannMachine,
        data: np.ndarray,
        n_chains: int,
        n_sweeps: int,
        rng: np.random.Generator,
    ) -> None:
        self.template, self.n_sweeps, self.rng = model, n_sweeps, rng
        n, nv = model.n_units, model.n_visible
        self.data = data
        self.free_chains = model.random_states(n_chains, rng)
        self.hidden_sites = np.arange(nv, n)
        self.clamped_chains: np.ndarray | None = None
        if nv < n:
            self.reps = -(-n_chains // data.shape[0])
            visible = np.tile(data, (self.reps, 1)).astype(model.dtype)
            hidden = model.random_states(visible.shape[0], rng)[:, nv:]
            self.clamped_chains = np.concatenate([visible, hidden], axis=1)

    def clamped(
        self, w: np.ndarray, b: np.ndarray, rows: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Clamped statistics of the data rows ``rows``."""
        if self.clamped_chains is None:  # fully visible: the data's own statistics
            v = self.data[rows]
            return v.mean(axis=0), v.T @ v / v.shape[0]
        n_data = self.data.shape[0]
        ids = (rows[None, :] + n_data * np.arange(self.reps)[:, None]).ravel()
        chains = self.clamped_chains[ids]
        first, second = _clamped_gibbs_(
            chains, w, b, self.template.units, self.hidden_sites, self.n_sweeps, self.rng
        )
        self.clamped_chains[ids] = chains
        count = self.n_sweeps * ids.shape[0]
        return first / count, second / count

    def free(self, w: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Free statistics from ``n_sweeps`` sweeps of the persistent chains (all sweeps)."""
        from energynets.sampling.gibbs import gibbs

        run = gibbs(
            _machine(self.template, w, b), self.free_chains, self.n_sweeps, self.rng, record=True
        )
        self.free_chains = run.states
        assert run.samples is not None
        samples = run.samples.reshape(-1, w.shape[0]).astype(np.float64)
        return samples.mean(axis=0), samples.T @ samples / samples.shape[0]


# -- the trainer -------------------------------------------------------------------------------
SCHEDULES = ("constant", "linear")


def fit_boltzmann(
    model: BoltzmannMachine,
    data: Any,
    *,
    n_epochs: int = 1000,
    learning_rate: float = 0.1,
    learning_rate_schedule: str = "constant",
    batch_size: int | None = None,
    phases: str = "exact",
    n_sweeps: int = 1,
    n_chains: int = 100,
    connectivity: Any = None,
    weight_decay: float = 0.0,
    momentum: float = 0.0,
    rng: RNGLike = 0,
    callback: Callback | None = None,
    progress: bool = False,
) -> tuple[BoltzmannMachine, dict[str, Any]]:
    """Train a Boltzmann machine with the learning rule of Ackley, Hinton & Sejnowski (1985).

    Every update estimates both phases on a mini-batch of the data (by default the whole data
    set) and takes one step

        g_W = <s s^T>_clamped - <s s^T>_free (off the diagonal, inside ``connectivity``),
        g_b = <s>_clamped - <s>_free,
        V_W <- momentum V_W + eps_t (g_W - weight_decay W),   W <- W + V_W,
        V_b <- momentum V_b + eps_t g_b,                       b <- b + V_b,

    stochastic gradient ascent on the mean log-likelihood (1/N) sum_d log p(v_d) (exact
    gradient ascent with exact phases and full batches), with an L2 penalty
    (weight_decay / 2) ||W||^2 on the couplings only.

    Parameters
    ----------
    model : BoltzmannMachine
        The starting point (its couplings, biases, units and visible/hidden split). Not
        modified: the function copies it once and updates the copy.
    data : array_like, shape (n_data, n_visible)
        Visible vectors in the model's units. Not modified. Repeated rows count as often as
        they appear.
    n_epochs : int >= 0
        Passes over the data.
    learning_rate : float > 0
        eps, the step size.
    learning_rate_schedule : {"constant", "linear"}
        eps_t = eps, or eps_t = eps (1 - t / T) decreasing linearly over the T updates of the
        whole run (t = 0, ..., T - 1): large early steps explore, the last ones settle.
    batch_size : int >= 1, optional
        Data rows per update, drawn without replacement in a fresh random order each epoch
        (``rng``); the whole data set when None (one deterministic update per epoch).
    phases : {"exact", "sampled"}
        "exact": enumerate the states (at most 24 units; the hidden units of each distinct
        data vector for the clamped phase, all units for the free phase). "sampled": Gibbs
        sampling; the free phase from ``n_chains`` persistent chains
        (:func:`energynets.sampling.gibbs.gibbs`), the clamped phase, with hidden units, from
        persistent chains whose visible units stay clamped to a data row (each row has
        ceil(n_chains / n_data) chains); without hidden units it is the data's own statistics.
        Each phase runs ``n_sweeps`` sweeps per update and averages over all of them.
    n_sweeps : int >= 1
        Gibbs sweeps per phase per update ("sampled" only).
    n_chains : int >= 1
        Persistent free chains ("sampled" only).
    connectivity : array_like of bool, shape (n_units, n_units), optional
        Symmetric mask of the couplings that may be non-zero (e.g. no V1-V2 couplings in the
        4-2-4 encoder); the diagonal is ignored. Couplings outside the mask are set to zero
        in the copy and stay zero. Default: every pair.
    weight_decay : float >= 0
        L2 penalty on the couplings (not the biases).
    momentum : float in [0, 1)
        Heavy-ball momentum.
    rng : int, numpy.random.Generator or None
        The only source of randomness (mini-batch order and the sampled phases; exact phases
        with full batches are deterministic).
    callback : callable, optional
        ``callback(epoch, model, history)`` after every epoch (epoch counts from 1, ``model``
        a snapshot, ``history`` the lists so far); returning True stops training.
    progress : bool
        Show a tqdm progress bar over the epochs.

    Returns
    -------
    model : BoltzmannMachine
        The trained machine (same units, split, dtype and lattice shape as the input).
    history : dict of ndarray
        ``"gradient_norm"`` (n_epochs_run,): the norm of the gradient over the pairs i < j and
        the biases (weight decay not included): with exact phases, of the exact full-data
        log-likelihood gradient at the start of each epoch; with sampled phases, of the mean
        of the epoch's estimates. With exact phases also ``"log_likelihood"``
        (n_epochs_run + 1,): the exact mean log-likelihood of the data, in nats, before the
        first epoch and after each one.

    Raises
    ------
    ValueError
        For data that does not match the model's visible units, an asymmetric or misshapen
        ``connectivity``, out-of-range settings, or exact phases on more than 24 units.
    TrainingDiverged
        When the couplings or biases after an epoch are not finite (a learning rate far too
        large): its ``model`` has those of the end of the last finite epoch.

    Notes
    -----
    Cost of an update: exact, O(2**n_units n_units^2) for the free phase plus
    O(n_distinct 2**n_hidden n_hidden) for the clamped phase; sampled,
    O(n_sweeps (n_chains + batch_size ceil(n_chains / n_data)) n_units^2).

    Maximum likelihood from a small random start can end in a local optimum (in the 4-2-4
    encoder, two patterns sharing a hidden code); the noise of small batches with a linearly
    decreasing learning rate escapes them: the tests learn the encoder with
    ``batch_size=1, learning_rate=0.25, learning_rate_schedule="linear", n_epochs=100``.

    References
    ----------
    Ackley, D. H., Hinton, G. E. & Sejnowski, T. J. (1985). A learning algorithm for Boltzmann
    machines. Cognitive Science 9, 147-169.

    Tieleman, T. (2008). Training restricted Boltzmann machines using approximations to the
    likelihood gradient. ICML 2008.

    Examples
    --------
    Learn the couplings of a 3-spin chain from exact samples of it:

    >>> from energynets import exact
    >>> true = BoltzmannMachine([[0, 1, 0], [1, 0, 1], [0, 1, 0]], [0.2, 0, -0.2])
    >>> data = exact.sample(true, 5000, rng=0)
    >>> start = BoltzmannMachine(np.zeros((3, 3)))
    >>> fitted, history = fit_boltzmann(start, data, n_epochs=300)
    >>> bool(np.max(np.abs(fitted.weights - true.weights)) < 0.1)
    True
    """
    m = _check_model(model)
    v = _check_data(m, data)
    epochs = check_int(n_epochs, "n_epochs", minimum=0)
    lr = check_float(learning_rate, "learning_rate", minimum=0.0, exclusive_minimum=True)
    schedule = check_choice(learning_rate_schedule, "learning_rate_schedule", SCHEDULES)
    n_data = v.shape[0]
    if batch_size is None:
        batch = n_data
    else:
        batch = min(check_int(batch_size, "batch_size", minimum=1), n_data)
    mode = check_choice(phases, "phases", PHASES)
    sweeps = check_int(n_sweeps, "n_sweeps", minimum=1)
    chains = check_int(n_chains, "n_chains", minimum=1)
    mask = _check_connectivity(connectivity, m.n_units)
    decay = check_float(weight_decay, "weight_decay", minimum=0.0)
    mom = check_float(momentum, "momentum", minimum=0.0)
    if mom >= 1.0:
        raise ValueError(f"momentum must be < 1, got {mom}")
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be callable or None, got {type(callback).__name__}")
    if not isinstance(progress, bool | np.bool_):
        raise TypeError(f"progress must be a bool, got {type(progress).__name__}")
    gen = check_rng(rng)
    rule = _Rule(m, v, mask, (mode, chains, sweeps), (lr, schedule, batch, decay, mom, epochs), gen)
    callbacks = () if callback is None else (_snapshot_callback(callback, rule),)
    run(rule, epochs, callbacks=callbacks, progress=bool(progress), desc="Boltzmann rule")
    return rule.snapshot(), rule.finish()


def _snapshot_callback(callback: Callback, rule: _Rule) -> Callable[..., bool]:
    """The user's ``callback(epoch, model, history)``, with epochs counted from 1 and a
    snapshot of the machine; it stops the training when it returns True."""

    def call(epoch: int, model: Any, history: Any) -> bool:
        return callback(epoch + 1, rule.snapshot(), rule.history) is True

    return call


class _Rule(Training):
    """The state of one :func:`fit_boltzmann` run for the training loop: the couplings and
    biases (updated in place), the momentum, the phases and the history."""

    name = "fit_boltzmann"

    def __init__(
        self,
        m: BoltzmannMachine,
        v: np.ndarray,
        mask: np.ndarray,
        phases: tuple[str, int, int],
        settings: tuple[float, str, int, float, float, int],
        gen: np.random.Generator,
    ) -> None:
        mode, chains, sweeps = phases
        lr, schedule, batch, decay, momentum, n_epochs = settings
        self.template, self.v, self.mask, self.gen = m, v, mask, gen
        # the one copy; from here on w and b are updated in place
        self.w = np.where(mask, m.weights, 0.0).astype(m.dtype)
        self.b = np.array(m.bias, copy=True)
        self.momentum = momentum
        self.optimizer = optim.Momentum([self.w, self.b], rescale=False, velocity=momentum != 0.0)
        self.upper = np.triu(mask, k=1)
        self.exact = _ExactPhases(m, v) if mode == "exact" else None
        self.sampled = _SampledPhases(m, v, chains, sweeps, gen) if mode == "sampled" else None
        self.grad_norms: list[float] = []
        self.log_likelihoods: list[float] = []
        self.history: dict[str, Any] = {"gradient_norm": self.grad_norms}
        if self.exact is not None:
            self.history["log_likelihood"] = self.log_likelihoods
        self.t = 0
        self.learning_rate = lr
        self.steps_per_epoch = -(-v.shape[0] // batch)
        self.settings_ = (lr, schedule, batch, decay, n_epochs * self.steps_per_epoch)

    @property
    def model(self) -> BoltzmannMachine | None:
        """A snapshot of the machine being trained (a new BoltzmannMachine); None while its
        couplings or biases are not finite (an epoch that overflowed, as float32 ones do:
        the divergence guard then raises with the snapshot :meth:`release` takes of the
        restored machine)."""
        if not (np.isfinite(self.w).all() and np.isfinite(self.b).all()):
            return None
        return self.snapshot()

    def snapshot(self) -> BoltzmannMachine:
        """A new BoltzmannMachine with the current couplings and biases (finite)."""
        return _machine(self.template, self.w, self.b)

    def train_epoch(self, epoch: int) -> None:
        self.epoch(*self.settings_)

    def record(self, epoch: int, seconds: float) -> bool:
        return False  # the epoch recorded the gradient norm and the log-likelihood

    def watched(self) -> dict[str, np.ndarray]:
        return {"the couplings": self.w, "the biases": self.b}

    def release(self) -> BoltzmannMachine:
        return self.snapshot()  # the restored couplings and biases

    def norm(self, grad_w: np.ndarray, grad_b: np.ndarray) -> float:
        return float(np.sqrt(np.sum(grad_w[self.upper] ** 2) + np.sum(grad_b**2)))

    def epoch(self, lr: float, schedule: str, batch: int, decay: float, n_updates: int) -> None:
        """One pass over the data in mini-batches of ``batch`` rows."""
        n_data = self.v.shape[0]
        order = np.arange(n_data) if batch == n_data else self.gen.permutation(n_data)
        free_now = None  # free statistics at the current parameters, if known
        w, b, exact = self.w, self.b, self.exact
        if exact is not None:  # the full-data likelihood and gradient, exactly
            mean_c, second_c, log_unnormalized = exact.clamped(w, b)
            free_now = exact.free(w, b)
            self.log_likelihoods.append(log_unnormalized - free_now[2])
            self.grad_norms.append(
                self.norm(np.where(self.mask, second_c - free_now[1], 0.0), mean_c - free_now[0])
            )
        sum_grad_w, sum_grad_b = np.zeros(w.shape), np.zeros(b.shape)
        n_batches = -(-n_data // batch)
        for k in range(n_batches):
            rows = order[k * batch : (k + 1) * batch]
            if exact is not None:
                if batch < n_data:  # (a full batch's statistics were computed above)
                    mean_c, second_c, _ = exact.clamped(w, b, rows)
                if free_now is None:
                    free_now = exact.free(w, b)
                mean_f, second_f = free_now[0], free_now[1]
            else:
                assert self.sampled is not None
                mean_c, second_c = self.sampled.clamped(w, b, rows)
                mean_f, second_f = self.sampled.free(w, b)
            grad_w = np.where(self.mask, second_c - second_f, 0.0)
            grad_w = 0.5 * (grad_w + grad_w.T)  # exactly symmetric despite rounding
            grad_b = mean_c - mean_f
            sum_grad_w += grad_w
            sum_grad_b += grad_b
            rate = lr if schedule == "constant" else lr * (1.0 - self.t / n_updates)
            steps = [rate * (grad_w - decay * w), rate * grad_b]
            self.optimizer.step_(steps, 1.0, scale=-1.0, momentum=self.momentum)
            free_now = None  # the parameters moved
            self.t += 1
        if self.sampled is not None:
            self.grad_norms.append(self.norm(sum_grad_w / n_batches, sum_grad_b / n_batches))

    def finish(self) -> dict[str, Any]:
        """The history, with the final log-likelihood (exact phases)."""
        if self.exact is not None:
            _, _, log_unnormalized = self.exact.clamped(self.w, self.b)
            self.log_likelihoods.append(log_unnormalized - self.exact.free(self.w, self.b)[2])
            self.history["log_likelihood"] = np.array(self.log_likelihoods)
        self.history["gradient_norm"] = np.array(self.grad_norms)
        return self.history


def _machine(template: BoltzmannMachine, w: np.ndarray, b: np.ndarray) -> BoltzmannMachine:
    """A new machine with couplings w and biases b and the template's settings (copies)."""
    return BoltzmannMachine(
        w,
        b,
        template.n_visible,
        units=template.units,
        dtype=template.dtype,
        lattice_shape=template.lattice_shape,
    )
