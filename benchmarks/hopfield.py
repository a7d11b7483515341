"""Hopfield network benchmarks: storing patterns and recalling them (float64).

Peer: ``hopfieldnetwork`` 1.0.1 (PyPI), used the way its own utilities and README use it:
``HopfieldNetwork(N).train_pattern(xi)`` with the patterns as the columns of ``xi`` (its
``construct_hebb_matrix`` is an ``einsum``), and ``set_initial_neurons_state(probe)`` followed by
``update_neurons(1, "async", run_max=True)``, a Python loop over the units in a random order
(numpy's global random state) with one dot product of length N per unit, until a sweep changes
nothing. Its sign convention sends a zero field to +1 where ours keeps the state; the patterns
used here are chosen so that no field is zero at a stored pattern.

Floors: ``X.T @ X / N`` with a zeroed diagonal for storage, and :func:`numpy_async_recall`, the
batched incremental-field loop over units a user would write in numpy, for recall.

Every case checks its results before timing: the weights of all implementations agree, and every
recalled state equals the stored pattern its probe was made from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

import energynets as en
from benchmarks.runner import OURS, Case, Job, Target

PEER = "hopfieldnetwork"
FLOOR = "numpy"
_FLIP_FRACTION = 0.1


def numpy_async_recall(
    weights: np.ndarray, probes: np.ndarray, rng: int, max_sweeps: int = 100
) -> np.ndarray:
    """Zero-temperature asynchronous recall of a batch of probes, written plainly in numpy.

    Keeps the local fields h = s W up to date incrementally: for each unit i of a fresh random
    order per sweep, the probes where s_i h_i < 0 flip unit i and add 2 s_i_new W_i to their
    fields. A zero field keeps the state. Sweeps until no probe has an unstable unit (bias zero).

    Parameters
    ----------
    weights : ndarray, shape (N, N), symmetric with zero diagonal
    probes : ndarray, shape (B, N), spins +-1; not modified
    rng : int
        Seed of the visiting order.
    max_sweeps : int

    Returns
    -------
    ndarray, shape (B, N)
    """
    s = np.array(probes, dtype=np.float64, copy=True)
    h = s @ weights
    gen = np.random.default_rng(rng)
    n_units = s.shape[1]
    for _ in range(max_sweeps):
        if not (s * h < 0).any():
            break
        for i in gen.permutation(n_units):
            flipped = np.flatnonzero(s[:, i] * h[:, i] < 0)
            if flipped.size:
                s[flipped, i] *= -1.0
                h[flipped] += 2.0 * s[flipped, i, None] * weights[i]
    return s


def _patterns(n_patterns: int, n_units: int, seed: int) -> np.ndarray:
    """Random patterns that are all strict fixed points of the Hebbian network.

    Strict (s_i h_i > 0 for every unit), so that the peer's sign(0) = +1 convention and ours
    (sign(0) keeps the state) agree on them and a correct recall must end exactly on them.
    """
    patterns = en.datasets.random_patterns(n_patterns, n_units, rng=seed)
    weights = patterns.T @ patterns / n_units
    np.fill_diagonal(weights, 0.0)
    if not np.all(patterns * (patterns @ weights) > 1e-9):
        raise AssertionError(
            f"seed {seed} gives a pattern that is not a strict fixed point; pick another seed"
        )
    return patterns


def _peer_version() -> str:
    from importlib.metadata import version

    return f"{PEER} {version(PEER)}"


def _peer_network(patterns: np.ndarray) -> Any:
    from hopfieldnetwork import HopfieldNetwork as PeerNetwork

    net = PeerNetwork(N=patterns.shape[1])
    net.train_pattern(np.ascontiguousarray(patterns.T))  # xi: (N, P), one pattern per column
    return net


# -- store --------------------------------------------------------------------------------
@dataclass(frozen=True)
class StoreInputs:
    patterns: np.ndarray  # (P, N)
    columns: np.ndarray  # (N, P) C-contiguous: the peer's layout
    weights: np.ndarray  # the reference Hebbian weights


def _store_setup(quick: bool) -> StoreInputs:
    n_units, n_patterns = (200, 20) if quick else (1000, 100)
    patterns = en.datasets.random_patterns(n_patterns, n_units, rng=0)
    assert patterns.dtype == np.float64
    weights = patterns.T @ patterns / n_units
    np.fill_diagonal(weights, 0.0)
    return StoreInputs(patterns, np.ascontiguousarray(patterns.T), weights)


def _store_ours(inputs: StoreInputs) -> Job:
    patterns = inputs.patterns
    return Job(lambda: en.HopfieldNetwork.from_patterns(patterns, "hebbian"))


def _store_peer(inputs: StoreInputs) -> Job:
    from hopfieldnetwork import HopfieldNetwork as PeerNetwork

    columns = inputs.columns
    n_units = columns.shape[0]

    def run() -> Any:
        net = PeerNetwork(N=n_units)
        net.train_pattern(columns)
        return net

    return Job(run, note=f"{_peer_version()}: HopfieldNetwork(N).train_pattern(X.T)")


def _store_floor(inputs: StoreInputs) -> Job:
    patterns = inputs.patterns
    n_units = patterns.shape[1]

    def run() -> np.ndarray:
        w = patterns.T @ patterns / n_units
        np.fill_diagonal(w, 0.0)
        return w

    return Job(run, note="X.T @ X / N, fill_diagonal")


def _store_check(name: str, result: Any, inputs: StoreInputs) -> None:
    if name == OURS:
        weights = result.weights
    elif name == PEER:
        weights = result.w
    else:
        weights = result
    assert weights.dtype == np.float64, f"{name}: dtype {weights.dtype}, expected float64"
    assert np.allclose(weights, inputs.weights, rtol=0, atol=1e-12), f"{name}: wrong weights"


STORE = Case(
    name="hopfield-store",
    description="Hebbian storage of P = 100 random patterns in N = 1000 units "
    "(W = X^T X / N, zero diagonal), float64. --quick: 20 patterns, 200 units.",
    setup=_store_setup,
    ours=_store_ours,
    peers={PEER: _store_peer},
    floor=(FLOOR, _store_floor),
    unit="per call",
    check=_store_check,
    targets=(Target(FLOOR, 1 / 1.5, "ours within 1.5x of the numpy floor"),),
)


# -- recall -------------------------------------------------------------------------------
@dataclass(frozen=True)
class RecallInputs:
    patterns: np.ndarray  # (P, N)
    probes: np.ndarray  # (B, N), each a stored pattern with 10% of its bits flipped
    expected: np.ndarray  # (B, N), the pattern each probe was made from
    net: en.HopfieldNetwork
    peer_probes: int  # how many probes the (slow) peer runs per call


def _recall_inputs(n_units: int, n_patterns: int, n_probes: int, peer_probes: int) -> RecallInputs:
    patterns = _patterns(n_patterns, n_units, seed=0)
    expected = patterns[np.arange(n_probes) % n_patterns]
    probes = en.corrupt(expected, _FLIP_FRACTION, rng=1)
    net = en.HopfieldNetwork.from_patterns(patterns, "hebbian")
    return RecallInputs(patterns, probes, expected, net, min(peer_probes, n_probes))


def _recall_check(name: str, result: Any, inputs: RecallInputs) -> None:
    states = np.asarray(result)
    n = states.shape[0]
    expected = inputs.expected[:n]
    assert states.shape == expected.shape, f"{name}: shape {states.shape}, want {expected.shape}"
    wrong = int(np.count_nonzero(np.any(states != expected, axis=1)))
    assert wrong == 0, f"{name}: {wrong} of {n} probes not recalled exactly"


def _peer_recall_job(inputs: RecallInputs, n_probes: int) -> Job:
    net = _peer_network(inputs.patterns)
    # the peer draws its visiting order from numpy's global state: seed it for repeatability
    np.random.seed(0)  # noqa: NPY002
    probes = inputs.probes[:n_probes]

    def run() -> np.ndarray:
        out = np.empty_like(probes)
        for k, probe in enumerate(probes):
            net.set_initial_neurons_state(probe.copy())
            net.update_neurons(1, "async", run_max=True)
            out[k] = net.S
        return out

    note = f"{_peer_version()}: {n_probes} probes, one at a time"
    return Job(run, n_items=n_probes, note=note)


# one recall of one probe
def _one_setup(quick: bool) -> RecallInputs:
    # 10 single recalls per timed call, so that each time is not a few milliseconds of noise
    return _recall_inputs(200, 10, 3, 3) if quick else _recall_inputs(1000, 50, 10, 10)


def _one_ours(inputs: RecallInputs) -> Job:
    net, probes = inputs.net, inputs.probes

    def run() -> np.ndarray:
        out = np.empty_like(probes)
        for k, probe in enumerate(probes):
            out[k] = net.recall(probe, rng=k).states
        return out

    return Job(run, n_items=len(probes), note=f"{len(probes)} single-probe calls")


def _one_peer(inputs: RecallInputs) -> Job:
    return _peer_recall_job(inputs, len(inputs.probes))


def _one_floor(inputs: RecallInputs) -> Job:
    weights, probes = inputs.net.weights, inputs.probes

    def run() -> np.ndarray:
        out = np.empty_like(probes)
        for k, probe in enumerate(probes):
            out[k] = numpy_async_recall(weights, probe[None], rng=k)[0]
        return out

    return Job(run, n_items=len(probes), note="numpy_async_recall on a batch of one")


RECALL_ONE = Case(
    name="hopfield-recall-one",
    description="Asynchronous recall of one probe until convergence: N = 1000, "
    "alpha = P/N = 0.05 (Hebbian), 10% of the bits flipped, float64; "
    "time per recall (the mean of 10 single-probe calls). --quick: N = 200, 3 calls.",
    setup=_one_setup,
    ours=_one_ours,
    peers={PEER: _one_peer},
    floor=(FLOOR, _one_floor),
    unit="per recall",
    check=_recall_check,
    targets=(Target(PEER, 5.0, "ours at least 5x faster than hopfieldnetwork"),),
)


# a batch of probes
def _batch_setup(quick: bool) -> RecallInputs:
    return _recall_inputs(200, 10, 100, 10) if quick else _recall_inputs(1000, 50, 1000, 50)


def _batch_ours(inputs: RecallInputs) -> Job:
    net, probes = inputs.net, inputs.probes
    return Job(
        lambda: net.recall(probes, rng=0).states,
        n_items=len(probes),
        note=f"net.recall on {len(probes)} probes",
    )


def _batch_peer(inputs: RecallInputs) -> Job:
    return _peer_recall_job(inputs, inputs.peer_probes)


def _batch_floor(inputs: RecallInputs) -> Job:
    weights, probes = inputs.net.weights, inputs.probes
    return Job(
        lambda: numpy_async_recall(weights, probes, rng=0),
        n_items=len(probes),
        note=f"numpy_async_recall on {len(probes)} probes",
    )


RECALL_BATCH = Case(
    name="hopfield-recall-batch",
    description="Asynchronous recall of 1000 probes as one batch: N = 1000, alpha = 0.05 "
    "(Hebbian), 10% of the bits flipped, float64; time per probe (the peer runs 50 probes "
    "one at a time). --quick: N = 200, 100 probes, the peer 10.",
    setup=_batch_setup,
    ours=_batch_ours,
    peers={PEER: _batch_peer},
    floor=(FLOOR, _batch_floor),
    unit="per probe",
    check=_recall_check,
    targets=(Target(PEER, 50.0, "ours at least 50x faster per probe than hopfieldnetwork"),),
)

CASES = [STORE, RECALL_ONE, RECALL_BATCH]
