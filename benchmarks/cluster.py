"""Cluster update benchmarks: Wolff and Swendsen-Wang on the 2D Ising model at T_c.

The ferromagnetic Ising model (J = 1, zero field) on a periodic 64 x 64 lattice stored by its
bonds (:class:`~energynets.models.lattice.LatticeIsing`, float32) at Onsager's critical
temperature T_c = 2 / ln(1 + sqrt 2) = 2.269, 32 chains at once, equilibrated beforehand (300
checkerboard heat-bath sweeps from all spins up).

Wolff: ``wolff(model, states, n_steps=20)``, timed per spin flipped (the clusters' sizes add
up to the work; at T_c and L = 64 a cluster holds about 40% of the lattice). Swendsen-Wang:
``swendsen_wang(model, states, n_sweeps=5)``, timed per spin visited (every spin, every
sweep). Both rows are deterministic for their seed, so the number of spins flipped is counted
once when the job is prepared.

Peer: ``python-wolff`` (:func:`python_wolff`), the textbook stack-based single-cluster
algorithm (Newman & Barkema 1999, section 4.2) a user would write: one lattice, a Python loop
over the sites of the cluster, spins in a flat Python list, neighbours by index arithmetic, the
uniforms drawn in blocks of 4096; timed per spin flipped. Floor: ``checkerboard``, the
package's heat-bath checkerboard sweep of the same chains, timed per spin visited: the local
update the cluster updates replace near T_c. Issue 21's targets: cluster updates at least 5x
faster per spin than the plain Wolff, and within 3x of the checkerboard per spin visited.

Every row is checked before it is timed: the states hold only +-1, and their mean energy per
spin is Onsager's -sqrt(2) at T_c within 4 standard deviations of the mean of the chains (the
energy per spin of one 64 x 64 lattice fluctuates by about 0.05 there) plus 1 / L for the
finite size: 0.05 for the 32 chains, 0.22 for the single lattice of the peer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from benchmarks.runner import Case, Job, Target
from energynets.models.lattice import LatticeIsing, ising_lattice
from energynets.sampling.cluster import swendsen_wang, wolff
from energynets.sampling.gibbs import checkerboard

T_C = 2.0 / np.log(1.0 + np.sqrt(2.0))
PEER = "python-wolff"
FLOOR = "checkerboard"
_U_AT_TC = -float(np.sqrt(2.0))  # Onsager's energy per spin at T_c, infinite lattice
_BLOCK = 4096


@dataclass(frozen=True)
class ClusterInputs:
    side: int
    model: LatticeIsing  # ising_lattice(side) at T_c: tempered(1 / T_c), float32
    states: np.ndarray  # (n_chains, side * side), equilibrated, float32
    wolff_steps: int
    sw_sweeps: int
    floor_sweeps: int
    peer_steps: int


def python_wolff(
    spins: np.ndarray, beta: float, n_steps: int, rng: np.random.Generator
) -> tuple[np.ndarray, int]:
    """Wolff single-cluster steps of one periodic L x L Ising lattice (J = 1), written plainly.

    Each step picks a random seed site, flips it and pushes it on a stack; for each site popped,
    every neighbour with the old spin joins (is flipped and pushed) with probability
    1 - exp(-2 beta). Returns the new spins (L, L) and the number of spins flipped.
    """
    side = spins.shape[0]
    n = side * side
    s = [int(x) for x in spins.ravel()]
    p = 1.0 - np.exp(-2.0 * beta)
    uniforms = iter(())
    flipped = 0

    def uniform() -> float:
        nonlocal uniforms
        try:
            return next(uniforms)
        except StopIteration:
            uniforms = iter(rng.random(_BLOCK).tolist())
            return next(uniforms)

    for _ in range(n_steps):
        seed = int(rng.integers(n))
        old = s[seed]
        s[seed] = -old
        stack = [seed]
        flipped += 1
        while stack:
            i = stack.pop()
            row, col = divmod(i, side)
            for j in (
                ((row + 1) % side) * side + col,
                ((row - 1) % side) * side + col,
                row * side + (col + 1) % side,
                row * side + (col - 1) % side,
            ):
                if s[j] == old and uniform() < p:
                    s[j] = -old
                    stack.append(j)
                    flipped += 1
    return np.array(s, dtype=spins.dtype).reshape(side, side), flipped


def _setup(quick: bool) -> ClusterInputs:
    side, n_chains = (16, 8) if quick else (64, 32)
    model = ising_lattice(side, dtype=np.float32).tempered(1.0 / T_C)
    ordered = np.ones((n_chains, side * side), dtype=np.float32)
    states = checkerboard(model, ordered, 300, rng=1).states
    return ClusterInputs(side, model, states, 20, 5, 5, 100 if quick else 200)


def _flipped(result: Any, n_steps: int) -> int:
    return round(float(result.acceptance.sum()) * result.states.shape[1] * n_steps)


def _wolff_ours(inputs: ClusterInputs) -> Job:
    model, states, n = inputs.model, inputs.states, inputs.wolff_steps
    n_flipped = _flipped(wolff(model, states, n, rng=0), n)  # the same run as the job's
    return Job(
        lambda: wolff(model, states, n, rng=0).states,
        n_items=n_flipped,
        note=f"wolff(LatticeIsing, {states.shape[0]} chains, n_steps={n}); per spin flipped "
        f"(mean cluster {n_flipped / (n * states.shape[0]):.0f} spins)",
    )


def _sw_ours(inputs: ClusterInputs) -> Job:
    model, states, n = inputs.model, inputs.states, inputs.sw_sweeps
    return Job(
        lambda: swendsen_wang(model, states, n, rng=0).states,
        n_items=n * states.size,
        note=f"swendsen_wang(LatticeIsing, {states.shape[0]} chains, n_sweeps={n}); per spin "
        "visited",
    )


def _peer(inputs: ClusterInputs) -> Job:
    side, n = inputs.side, inputs.peer_steps
    start = inputs.states[0].reshape(side, side)
    beta = 1.0 / T_C
    _, n_flipped = python_wolff(start, beta, n, np.random.default_rng(0))

    def run() -> np.ndarray:
        out, _ = python_wolff(start, beta, n, np.random.default_rng(0))
        return out.reshape(1, -1)

    note = f"stack-based Wolff in a Python loop, one lattice, {n} steps; per spin flipped"
    return Job(run, n_items=n_flipped, note=note)


def _floor(inputs: ClusterInputs) -> Job:
    model, states, n = inputs.model, inputs.states, inputs.floor_sweeps
    return Job(
        lambda: checkerboard(model, states, n, rng=0).states,
        n_items=n * states.size,
        note=f"checkerboard(LatticeIsing, {states.shape[0]} chains, n_sweeps={n}), heat bath; "
        "per spin visited",
    )


def _check(name: str, result: Any, inputs: ClusterInputs) -> None:
    states = np.asarray(result, dtype=np.float64)
    side = inputs.side
    assert states.ndim == 2 and states.shape[1] == side * side, f"{name}: shape {states.shape}"
    assert np.all(np.abs(states) == 1.0), f"{name}: states are not all +-1"
    lattice = states.reshape(-1, side, side)
    bonds = lattice * np.roll(lattice, 1, 1) + lattice * np.roll(lattice, 1, 2)
    u = float(-bonds.sum() / states.size)
    # 4 standard deviations of the mean of n_chains lattices (the specific heat at T_c is
    # about ln(L) / 2 per spin), and 1 / L for the finite-size shift of the mean
    sd = T_C * np.sqrt(0.5 * np.log(side) / side**2 / states.shape[0])
    tolerance = 4 * sd + 1 / side
    assert abs(u - _U_AT_TC) < tolerance, (
        f"{name}: energy per spin {u:.4f}, want {_U_AT_TC:.4f} at T_c (within {tolerance:.3f})"
    )


_TARGETS = (
    Target(PEER, 5.0, "at least 5x faster per spin than the plain Python Wolff"),
    Target(FLOOR, 1 / 3, "within 3x of the checkerboard sweep per spin visited"),
)

CASES = [
    Case(
        name="cluster-wolff",
        description="Wolff steps of the 2D Ising model at T_c, 64 x 64 periodic LatticeIsing, "
        "32 chains, float32; time per spin flipped (the floor: per spin visited). --quick: "
        "16 x 16, 8 chains.",
        setup=_setup,
        ours=_wolff_ours,
        peers={PEER: _peer},
        floor=(FLOOR, _floor),
        unit="per spin",
        check=_check,
        targets=_TARGETS,
    ),
    Case(
        name="cluster-swendsen-wang",
        description="Swendsen-Wang sweeps of the 2D Ising model at T_c, 64 x 64 periodic "
        "LatticeIsing, 32 chains, float32; time per spin visited (the peer: per spin "
        "flipped). --quick: 16 x 16, 8 chains.",
        setup=_setup,
        ours=_sw_ours,
        peers={PEER: _peer},
        floor=(FLOOR, _floor),
        unit="per spin",
        check=_check,
        targets=_TARGETS,
    ),
]
