"""Boltzmann machine benchmarks: dense Gibbs sweeps and the 2D Ising checkerboard update.

Dense Gibbs (float64 and float32): one random-scan Gibbs sweep of a fully connected 256-unit
spin machine (couplings N(0, 1/N), small biases) over 1024 chains at once, timed per sweep
(``energynets.sampling.gibbs`` with ``n_sweeps=10``, divided by 10). Floor: one
``(1024 x 256) @ (256 x 256)`` matrix product of the same dtype, the least a sweep can cost
(every unit's field depends on every other unit, and a sweep changes every unit); the issue's
target is one sweep within 5x of it. There is no library on PyPI that samples a dense Boltzmann
machine over a batch of chains, so the comparison row is ``numpy-loop``: the per-unit loop a
user would write (for each unit of a random order: field by a matrix-vector product over all
chains, draw, write back), vectorised over the chains.

2D Ising checkerboard (float32): heat-bath checkerboard sweeps of the ferromagnetic Ising model
(J = 1) on a periodic 32 x 32 lattice at T = 3, 256 chains at once, timed per spin update (so
1 / time is spin updates per second). Peer: ``ising-rs`` (PyPI, imported as ``isingmodel``), a
Rust 2D Ising simulator, used as its README shows: ``Lattice(...).simulation_step()`` in a Python
loop, one random-site Metropolis attempt per call, on one 32 x 32 lattice. Floor: the plain numpy
checkerboard a user would write (:func:`numpy_checkerboard`), on the same chains.

2D Ising frame (float32): what one frame of the playground's Ising animation costs, one
checkerboard heat-bath sweep of a single periodic 128 x 128 lattice stored by its bonds
(:class:`~energynets.models.lattice.LatticeIsing`, no dense matrix: the dense model's couplings
would take 1 GiB) at T = 3, plus its energy and magnetisation. Target: 20 frames per second,
at most 0.05 s per frame. Floor: the plain numpy checkerboard (:func:`numpy_checkerboard`),
one sweep of the same lattice, and its energy and magnetisation.

Every case checks its results before timing: states hold only the unit values, and for the
Ising cases the energy per spin after the timed sweeps is within 0.05 of Onsager's exact value
at T = 3, u = -0.8173, for every implementation (the frame: from a lattice equilibrated by the
floor, within 4 standard deviations of one 128 x 128 lattice's energy, and the energy and
magnetisation of the frame those of its states).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from benchmarks.runner import SECONDS, Case, Job, Target
from energynets.models.boltzmann import BoltzmannMachine, ising_2d
from energynets.models.lattice import LatticeIsing, ising_lattice
from energynets.sampling.gibbs import checkerboard, gibbs

GEMM = "gemm"
LOOP = "numpy-loop"
NUMPY = "numpy"
ISING_PEER = "ising-rs"
_SWEEPS_PER_CALL = 10
_ISING_T = 3.0
_ONSAGER_U_AT_3 = -0.8173  # energynets.experiments.sampling.onsager_energy(3.0) = -0.81726


# -- dense Gibbs ----------------------------------------------------------------------------
@dataclass(frozen=True)
class DenseInputs:
    model: BoltzmannMachine
    states: np.ndarray  # (n_chains, n_units), spins, the model's dtype
    n_sweeps: int


def numpy_gibbs_sweep(
    weights: np.ndarray, bias: np.ndarray, states: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """One random-scan Gibbs sweep of +-1 spins over a batch of chains, written plainly.

    For each unit i of a random order: h_i = s W[:, i] + b_i for all chains (a matrix-vector
    product), then s_i = +1 with probability sigma(2 h_i). ``states`` is updated in place and
    returned.
    """
    dtype = states.dtype
    for i in rng.permutation(weights.shape[0]):
        h = states @ weights[:, i] + bias[i]
        p_up = 1.0 / (1.0 + np.exp(-2.0 * h))
        states[:, i] = np.where(rng.random(states.shape[0], dtype=dtype) < p_up, 1.0, -1.0)
    return states


def _dense_setup(dtype: Any, quick: bool) -> DenseInputs:
    n_units, n_chains = (64, 128) if quick else (256, 1024)
    g = np.random.default_rng(0)
    upper = np.triu(g.normal(0.0, 1.0 / np.sqrt(n_units), (n_units, n_units)), 1)
    model = BoltzmannMachine(upper + upper.T, g.normal(0.0, 0.1, n_units), dtype=dtype)
    return DenseInputs(model, model.random_states(n_chains, rng=1), _SWEEPS_PER_CALL)


def _dense_ours(inputs: DenseInputs) -> Job:
    model, states, n = inputs.model, inputs.states, inputs.n_sweeps
    return Job(
        lambda: gibbs(model, states, n, rng=0).states,
        n_items=n,
        note=f"gibbs(model, states, n_sweeps={n}), random scan",
    )


def _dense_loop(inputs: DenseInputs) -> Job:
    w, b = inputs.model.weights, inputs.model.bias

    def run() -> np.ndarray:
        return numpy_gibbs_sweep(w, b, inputs.states.copy(), np.random.default_rng(0))

    return Job(run, note="per-unit loop: s @ W[:, i], sigmoid, draw; one sweep")


def _dense_gemm(inputs: DenseInputs) -> Job:
    a = inputs.states.copy()
    w = np.array(inputs.model.weights)
    out = np.empty_like(a)
    shape = f"({a.shape[0]} x {a.shape[1]}) @ ({w.shape[0]} x {w.shape[1]})"
    return Job(lambda: np.matmul(a, w, out=out), note=f"one {shape} {a.dtype} product")


def _dense_check(name: str, result: Any, inputs: DenseInputs) -> None:
    states = np.asarray(result)
    want = inputs.states.shape
    assert states.shape == want, f"{name}: shape {states.shape}, want {want}"
    dtype = inputs.model.dtype
    assert states.dtype == dtype, f"{name}: dtype {states.dtype}, want {dtype}"
    if name != GEMM:
        assert np.all(np.abs(states) == 1.0), f"{name}: states are not all +-1"


def _dense_case(dtype: Any) -> Case:
    bits = np.dtype(dtype).itemsize * 8
    return Case(
        name=f"boltzmann-gibbs-f{bits}",
        description=f"One random-scan Gibbs sweep of a dense 256-unit spin machine over 1024 "
        f"chains, float{bits}; time per sweep. --quick: 64 units, 128 chains.",
        setup=lambda quick: _dense_setup(dtype, quick),
        ours=_dense_ours,
        peers={LOOP: _dense_loop},
        floor=(GEMM, _dense_gemm),
        unit="per sweep",
        check=_dense_check,
        targets=(Target(GEMM, 1 / 5, "one sweep at most 5x one (1024 x 256) @ (256 x 256) GEMM"),),
    )


# -- 2D Ising checkerboard ------------------------------------------------------------------
@dataclass(frozen=True)
class IsingInputs:
    side: int
    model: BoltzmannMachine  # ising_2d(side) at T = 3: tempered(1 / 3), float32
    states: np.ndarray  # (n_chains, side * side), random spins, float32
    n_sweeps: int
    peer_sweeps: int


def numpy_checkerboard(
    spins: np.ndarray, beta: float, n_sweeps: int, rng: np.random.Generator
) -> np.ndarray:
    """Heat-bath checkerboard sweeps of the 2D Ising model (J = 1, h = 0), written plainly.

    ``spins`` has shape (n_chains, L, L), L even, periodic. Each half-sweep sums the four
    neighbours by rolling the lattice, draws s = +1 with probability sigma(2 beta h) on the
    sites of one colour, and keeps the others. Returns the new spins.
    """
    s = spins
    side = s.shape[1]
    colour = np.add.outer(np.arange(side), np.arange(side)) % 2
    masks = [colour == 0, colour == 1]
    two_beta = s.dtype.type(2.0 * beta)
    for _ in range(n_sweeps):
        for mask in masks:
            h = np.roll(s, 1, 1) + np.roll(s, -1, 1) + np.roll(s, 1, 2) + np.roll(s, -1, 2)
            p_up = 1.0 / (1.0 + np.exp(-two_beta * h))
            new = np.where(rng.random(s.shape, dtype=s.dtype) < p_up, 1.0, -1.0).astype(s.dtype)
            s = np.where(mask, new, s)
    return s


def _ising_setup(quick: bool) -> IsingInputs:
    side, n_chains, n_sweeps, peer_sweeps = (16, 32, 10, 20) if quick else (32, 256, 10, 100)
    model = ising_2d(side, dtype=np.float32).tempered(1.0 / _ISING_T)
    states = model.random_states(n_chains, rng=1)
    return IsingInputs(side, model, states, n_sweeps, peer_sweeps)


def _n_updates(inputs: IsingInputs) -> int:
    return inputs.n_sweeps * inputs.states.shape[0] * inputs.side**2


def _ising_ours(inputs: IsingInputs) -> Job:
    model, states, n = inputs.model, inputs.states, inputs.n_sweeps
    return Job(
        lambda: checkerboard(model, states, n, rng=0).states,
        n_items=_n_updates(inputs),
        note=f"checkerboard(model, states, n_sweeps={n}) on {states.shape[0]} chains",
    )


def _ising_floor(inputs: IsingInputs) -> Job:
    side = inputs.side
    lattices = inputs.states.reshape(-1, side, side).copy()

    def run() -> np.ndarray:
        out = numpy_checkerboard(
            lattices, 1.0 / _ISING_T, inputs.n_sweeps, np.random.default_rng(0)
        )
        return out.reshape(out.shape[0], -1)

    return Job(run, n_items=_n_updates(inputs), note="np.roll neighbour sums, np.where per colour")


def _ising_peer(inputs: IsingInputs) -> Job:
    from importlib.metadata import version

    from isingmodel import Lattice

    side, n_steps = inputs.side, inputs.peer_sweeps * inputs.side**2

    def run() -> np.ndarray:
        lattice = Lattice(width=side, height=side, temperature=_ISING_T, h_z=0.0)
        for _ in range(n_steps):
            lattice.simulation_step()
        return np.array(lattice.as_array(), dtype=np.float32)[None, :]

    note = (
        f"{ISING_PEER} {version(ISING_PEER)}: Lattice.simulation_step() in a Python loop, "
        f"one lattice, {inputs.peer_sweeps} sweeps"
    )
    return Job(run, n_items=n_steps, note=note)


def _ising_check(name: str, result: Any, inputs: IsingInputs) -> None:
    _check_onsager(name, np.asarray(result), inputs.side)


def _check_onsager(name: str, states: np.ndarray, side: int) -> None:
    """AssertionError unless ``states`` (n_chains, side**2) are spins whose energy per spin is
    Onsager's at T = 3, within the fluctuations of ``n_chains`` lattices of that side."""
    n_units = side**2
    assert states.ndim == 2 and states.shape[1] == n_units, f"{name}: shape {states.shape}"
    assert np.all(np.abs(states) == 1.0), f"{name}: states are not all +-1"
    # E / N from the untempered lattice: -sum over bonds s_i s_j / N
    lattice = states.reshape(-1, side, side).astype(np.float64)
    bonds = lattice * np.roll(lattice, 1, 1) + lattice * np.roll(lattice, 1, 2)
    u = float(-bonds.sum() / states.size)
    # one 32 x 32 lattice fluctuates by ~ sqrt(C T^2 / N) = 0.06 in E / N: allow 4 of those
    tolerance = 0.05 if states.shape[0] > 1 else 4 * np.sqrt(0.41 * _ISING_T**2 / n_units)
    assert abs(u - _ONSAGER_U_AT_3) < tolerance, (
        f"{name}: energy per spin {u:.4f}, want Onsager's {_ONSAGER_U_AT_3} at T = 3 "
        f"(within {tolerance:.3f})"
    )


ISING = Case(
    name="boltzmann-ising-checkerboard",
    description="Heat-bath checkerboard sweeps of the 2D Ising model, 32 x 32 periodic lattice, "
    "T = 3, 256 chains, float32; time per spin update (the peer: one lattice). "
    "--quick: 16 x 16, 32 chains.",
    setup=_ising_setup,
    ours=_ising_ours,
    peers={ISING_PEER: _ising_peer},
    floor=(NUMPY, _ising_floor),
    unit="per spin update",
    check=_ising_check,
    targets=(Target(NUMPY, 1 / 1.5, "ours within 1.5x of the plain numpy checkerboard"),),
)


# -- one frame of a 128 x 128 Ising lattice ---------------------------------------------------
_FRAMES_PER_SECOND = 20
_EQUILIBRATION_SWEEPS = 200


@dataclass(frozen=True)
class FrameInputs:
    side: int
    model: LatticeIsing  # ising_lattice(side) at T = 3: tempered(1 / 3), float32
    states: np.ndarray  # (1, side * side), equilibrated at T = 3 by the floor, float32


def _frame_setup(quick: bool) -> FrameInputs:
    side = 32 if quick else 128
    model = ising_lattice(side, dtype=np.float32).tempered(1.0 / _ISING_T)
    start = model.random_states(1, rng=1).reshape(1, side, side)
    warm = numpy_checkerboard(
        start, 1.0 / _ISING_T, _EQUILIBRATION_SWEEPS, np.random.default_rng(2)
    )
    return FrameInputs(side, model, warm.reshape(1, -1))


def _frame_ours(inputs: FrameInputs) -> Job:
    model, states = inputs.model, inputs.states
    gen = np.random.default_rng(0)

    def frame() -> tuple[np.ndarray, float, float]:
        res = checkerboard(model, states, 1, rng=gen)
        return res.states, float(res.energies[-1, 0]) * _ISING_T, float(res.states.mean())

    note = f"checkerboard(LatticeIsing {inputs.side} x {inputs.side}, 1 chain, n_sweeps=1)"
    return Job(frame, note=note + ", energy and magnetisation")


def _frame_floor(inputs: FrameInputs) -> Job:
    side = inputs.side
    lattice = inputs.states.reshape(1, side, side).copy()
    gen = np.random.default_rng(0)

    def frame() -> tuple[np.ndarray, float, float]:
        s = numpy_checkerboard(lattice, 1.0 / _ISING_T, 1, gen)
        energy = -float(np.sum(s * np.roll(s, 1, 1)) + np.sum(s * np.roll(s, 1, 2)))
        return s.reshape(1, -1), energy, float(s.mean())

    return Job(frame, note="np.roll neighbour sums, np.where per colour; one sweep")


def _frame_check(name: str, result: Any, inputs: FrameInputs) -> None:
    states, energy, magnetisation = result
    lattice = np.asarray(states, dtype=np.float64).reshape(-1, inputs.side, inputs.side)
    want = -float(
        np.sum(lattice * np.roll(lattice, 1, 1)) + np.sum(lattice * np.roll(lattice, 1, 2))
    )
    assert abs(energy - want) <= 1e-4 * abs(want), f"{name}: energy {energy}, want {want}"
    assert abs(magnetisation - float(lattice.mean())) < 1e-6, f"{name}: magnetisation"
    _check_onsager(name, np.asarray(states), inputs.side)


FRAME = Case(
    name="boltzmann-ising-frame",
    description="One frame of the Ising animation: one checkerboard heat-bath sweep of a "
    "single 128 x 128 periodic lattice stored by its bonds (LatticeIsing), T = 3, float32, "
    "with its energy and magnetisation; time per frame. --quick: 32 x 32.",
    setup=_frame_setup,
    ours=_frame_ours,
    floor=(NUMPY, _frame_floor),
    unit="per frame",
    check=_frame_check,
    targets=(
        Target(
            SECONDS,
            1 / _FRAMES_PER_SECOND,
            f"{_FRAMES_PER_SECOND} frames per second: at most 0.05 s per frame",
        ),
    ),
)

CASES = [_dense_case(np.float64), _dense_case(np.float32), ISING, FRAME]
