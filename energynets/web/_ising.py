"""The Ising page: a periodic 2D Ising lattice animating under the package's sampler.

The lattice is :func:`energynets.models.lattice.ising_lattice` (J = 1, an external field h; the
Ising model of :func:`~energynets.models.boltzmann.ising_2d` stored by its bonds, so that a
128 x 128 lattice takes 128 KiB rather than a dense 1 GiB) and a frame is ``sweeps`` sweeps of
:func:`energynets.sampling.checkerboard` (the Gibbs or the Metropolis rule) on
``model.tempered(1 / T)``, from the spins the tab's session holds, with the tab's random
generator, seeded when the lattice is made. So the frames are a function of the
seed, the temperatures and the sequence of requests. The page only draws the spins it receives,
as a string of '0' and '1' row by row ('1' is spin +1): 16384 bytes for 128 x 128 spins,
which loopback carries in well under a millisecond.

The exact values of the infinite lattice beside the measured ones are Onsager's energy per
spin and Yang's spontaneous magnetisation (:mod:`energynets.experiments.sampling.onsager`), at
h = 0 (where they hold; null otherwise).

The actions (``POST /api/ising/<action>``, every body with its ``session``):

``reset``  side, initial, seed -> a new lattice, all up or random (drawn from the seed)
``frame``  temperature, sweeps, rule, field -> the lattice after the sweeps, its m and e per
spin
``theory``  (no fields) -> T_c and the exact curves e(T) and m(T) on the page's range
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import numpy as np

from energynets.experiments.sampling.onsager import (
    ONSAGER_TC,
    onsager_energy,
    onsager_magnetisation,
)
from energynets.models.lattice import LatticeIsing, ising_lattice
from energynets.sampling.gibbs import checkerboard
from energynets.web import _limits as limits
from energynets.web._fields import ApiError, Field, choice, integer, number
from energynets.web._hopfield import to_bits
from energynets.web._page import Action, Page

__all__ = ["DTYPE", "PAGE", "IsingState", "lattice", "tempered"]

#: The dtype of the lattice models (float32: the sweeps' random numbers cost half).
DTYPE = np.float32
RULES = ("gibbs", "metropolis")
INITIAL = ("random", "up")
#: The temperature range of the page's slider, where the exact curves are drawn.
THEORY_RANGE = (0.5, 5.0)


class IsingState:
    """One tab's lattice: its side, spins (None until made) and random generator."""

    def __init__(self) -> None:
        self.side = 0
        self.spins: np.ndarray | None = None
        self.rng = np.random.default_rng(0)
        self.sweeps = 0


@functools.lru_cache(maxsize=4)
def lattice(side: int, field: float = 0.0) -> LatticeIsing:
    """The Ising model on a periodic side x side lattice (J = 1) in the field h."""
    return ising_lattice(side, field=field, dtype=DTYPE)


@functools.lru_cache(maxsize=4)
def tempered(side: int, field: float, temperature: float) -> LatticeIsing:
    """The lattice's model in the field h at inverse temperature 1 / T, kept for reuse while
    h and T stay."""
    return lattice(side, field).tempered(1.0 / temperature)


def _even_side(value: Any, values: Mapping[str, Any]) -> int:
    low, high = limits.MIN_LATTICE_SIDE, limits.MAX_LATTICE_SIDE
    side = int(integer(low, high).check(value, values))
    if side % 2:
        raise ValueError(f"expected an even integer in [{low}, {high}] (checkerboard updates)")
    return side


def _measure(state: IsingState, temperature: float | None, field: float = 0.0) -> dict[str, Any]:
    assert state.spins is not None
    n_units = state.spins.size
    answer: dict[str, Any] = {
        "side": state.side,
        "spins": to_bits(state.spins),
        "sweeps": state.sweeps,
        "magnetisation": float(np.mean(state.spins)),
        "energy": float(lattice(state.side, field).energy(state.spins)) / n_units,
        "field": field,
    }
    if temperature is not None:
        exact = field == 0.0  # Onsager's and Yang's results are for h = 0
        answer["temperature"] = temperature
        answer["exact_energy"] = float(onsager_energy(temperature)) if exact else None
        answer["exact_magnetisation"] = float(onsager_magnetisation(temperature)) if exact else None
    return answer


def reset(state: IsingState, values: dict[str, Any]) -> dict[str, Any]:
    """A new side x side lattice, all spins up or random (from the reseeded generator)."""
    side = values["side"]
    state.side = side
    state.rng = np.random.default_rng(values["seed"])
    state.sweeps = 0
    model = lattice(side)
    if values["initial"] == "up":
        state.spins = np.ones(model.n_units, dtype=DTYPE)
    else:
        state.spins = model.random_states(1, rng=state.rng)[0]
    return _measure(state, None)


def frame(state: IsingState, values: dict[str, Any]) -> dict[str, Any]:
    """``sweeps`` checkerboard sweeps of the tab's lattice at temperature T in the field h."""
    if state.spins is None:
        raise ApiError(409, "no lattice in this session yet; make one first (reset)")
    temperature, field = values["temperature"], values["field"]
    result = checkerboard(
        tempered(state.side, field, temperature),
        state.spins,
        values["sweeps"],
        rng=state.rng,
        rule=values["rule"],
    )
    state.spins = result.states[0]
    state.sweeps += values["sweeps"]
    return _measure(state, temperature, field)


def theory(state: IsingState, values: dict[str, Any]) -> dict[str, Any]:
    """T_c and the exact energy and magnetisation per spin of the infinite lattice."""
    grid = np.round(np.linspace(*THEORY_RANGE, 91), 10)
    return {
        "critical_temperature": ONSAGER_TC,
        "temperatures": grid.tolist(),
        "energy": onsager_energy(grid).tolist(),
        "magnetisation": onsager_magnetisation(grid).tolist(),
    }


PAGE = Page(
    name="ising",
    title="Ising and Boltzmann",
    html="ising.html",
    new_state=IsingState,
    actions={
        "reset": Action(
            {
                "side": Field(_even_side),
                "initial": choice(INITIAL),
                "seed": integer(0, limits.MAX_SEED, default=0),
            },
            reset,
        ),
        "frame": Action(
            {
                "temperature": number(limits.MIN_TEMPERATURE, limits.MAX_TEMPERATURE),
                "sweeps": integer(1, limits.MAX_SWEEPS_PER_FRAME, default=1),
                "rule": choice(RULES, default="gibbs"),
                "field": number(-limits.MAX_ISING_FIELD, limits.MAX_ISING_FIELD, default=0.0),
            },
            frame,
        ),
        "theory": Action({}, theory),
    },
)
