"""The systems the sampling experiments run on, and the settings every experiment shares.

The ready-made systems (:func:`make_system`: the 2D Ising model, the Sherrington-Kirkpatrick
spin glass, a frustrated ring) or any :class:`~energynets.models.boltzmann.BoltzmannMachine`,
their default sizes and temperatures, the parallel-tempering ladder, the sweep budget and the
starting states, checked and built once for :func:`sample_system`,
:func:`ising_temperature_scan` and :func:`compare_samplers`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from energynets._validation import RNGLike, check_choice, check_float, check_int, check_rng
from energynets.models.boltzmann import (
    BoltzmannMachine,
    frustrated_ring,
    ising_2d,
    sherrington_kirkpatrick,
)
from energynets.sampling.tempering import geometric_ladder

__all__ = [
    "COMPARE_TEMPERATURES",
    "DEFAULT_SIZES",
    "DEFAULT_TEMPERATURES",
    "SAMPLERS",
    "SYSTEMS",
    "make_system",
]

#: The ready-made systems: the 2D Ising model, the Sherrington-Kirkpatrick spin glass, an
#: antiferromagnetic ring.
SYSTEMS = ("ising", "sk", "ring")
#: The samplers the experiments run ("tempering": parallel tempering with a Gibbs kernel).
SAMPLERS = ("gibbs", "metropolis", "checkerboard", "tempering")
#: Default size of each system: the lattice side for "ising", the number of spins otherwise.
DEFAULT_SIZES = {"ising": 16, "sk": 64, "ring": 9}
#: Default temperature of each system (above T_c for the Ising lattice, so that chains from
#: random states mix; deep in the glassy phase for SK; strongly frustrated for the ring).
DEFAULT_TEMPERATURES = {"ising": 2.5, "sk": 0.5, "ring": 0.5}
#: Default temperature of each system in :func:`compare_samplers`: cold enough that
#: single-site chains get stuck (SK: well below its glass transition at T = 1; the Ising
#: lattice: below T_c, where random starts freeze into stripe domains).
COMPARE_TEMPERATURES = {"ising": 1.5, "sk": 0.25, "ring": 0.5}
# Largest sizes make_system builds: the models hold dense couplings (n_units x n_units).
MAX_SIZES = {"ising": 64, "sk": 4096, "ring": 4096}
_MIN_SIZES = {"ising": 2, "sk": 2, "ring": 3}


def make_system(system: str, size: int | None = None, *, rng: RNGLike = 0) -> BoltzmannMachine:
    """One of the ready-made systems as a :class:`BoltzmannMachine` (spins, T = 1).

    Parameters
    ----------
    system : {"ising", "sk", "ring"}
        - "ising": the ferromagnetic 2D Ising model, J = 1, h = 0, on a periodic
          ``size x size`` lattice (:func:`~energynets.models.boltzmann.ising_2d`);
        - "sk": the Sherrington-Kirkpatrick spin glass of ``size`` spins, J_ij ~ N(0, 1/N)
          (:func:`~energynets.models.boltzmann.sherrington_kirkpatrick`);
        - "ring": an antiferromagnetic ring of ``size`` spins, J = 1 (frustrated when ``size``
          is odd; :func:`~energynets.models.boltzmann.frustrated_ring`).
    size : int, optional
        Lattice side (ising, 2 to 64) or number of spins (sk: 2 to 4096; ring: 3 to 4096);
        default :data:`DEFAULT_SIZES`.
    rng : int, Generator, SeedSequence or None
        Draws the SK couplings (unused by the other systems).

    Returns
    -------
    BoltzmannMachine

    References
    ----------
    Onsager, L. (1944). Crystal statistics. I. A two-dimensional model with an order-disorder
    transition. Phys. Rev. 65, 117-149.

    Sherrington, D. & Kirkpatrick, S. (1975). Solvable model of a spin-glass. Phys. Rev. Lett. 35,
    1792-1796.

    Toulouse, G. (1977). Theory of the frustration effect in spin glasses: I. Commun. Phys. 2,
    115-119.

    Examples
    --------
    >>> make_system("ising", 4).lattice_shape, make_system("ring").n_units
    ((4, 4), 9)
    """
    name = check_choice(system, "system", SYSTEMS)
    n = DEFAULT_SIZES[name] if size is None else size
    n = check_int(n, "size", minimum=_MIN_SIZES[name], maximum=MAX_SIZES[name])
    if name == "ising":
        return ising_2d(n)
    if name == "sk":
        return sherrington_kirkpatrick(n, rng=check_rng(rng))
    return frustrated_ring(n)


def system_label(name: str | None, model: BoltzmannMachine) -> str:
    """The system in words, for the notes under a table."""
    if name == "ising" and model.lattice_shape is not None:
        rows, cols = model.lattice_shape
        return f"2D Ising model, {rows} x {cols} periodic lattice (J = 1)"
    if name == "sk":
        return f"Sherrington-Kirkpatrick spin glass, {model.n_units} spins"
    if name == "ring":
        return f"antiferromagnetic ring of {model.n_units} spins (J = 1)"
    return f"BoltzmannMachine with {model.n_units} {model.units}"


def resolve_system(
    system: Any, size: int | None, gen: np.random.Generator
) -> tuple[str | None, BoltzmannMachine]:
    """(name or None, machine): a named system built with ``gen``, or the machine given."""
    if isinstance(system, BoltzmannMachine):
        if size is not None:
            raise ValueError(
                f"size applies only to the named systems {SYSTEMS}, got size={size} with a "
                "BoltzmannMachine"
            )
        return None, system
    if not isinstance(system, str):
        raise TypeError(
            f"system must be one of {SYSTEMS} or a BoltzmannMachine, got {type(system).__name__}"
        )
    return system, make_system(system, size, rng=gen)


def default_temperature(
    name: str | None, temperature: Any, defaults: dict[str, float] = DEFAULT_TEMPERATURES
) -> float:
    """T: as given, else the named system's default (1 for a machine)."""
    if temperature is None:
        temperature = 1.0 if name is None else defaults[name]
    return check_float(temperature, "temperature", minimum=0.0, exclusive_minimum=True)


def _field_scale(model: BoltzmannMachine) -> float:
    """sigma = sqrt(mean_i (sum_j W_ij^2 + b_i^2)): the typical size of a local field."""
    w = model.weights.astype(np.float64)
    b = model.bias.astype(np.float64)
    return float(np.sqrt(np.mean(np.sum(w * w, axis=1) + b * b)))


def ladder(
    model: BoltzmannMachine, temperature: float, n_temperatures: Any, hottest: Any
) -> tuple[np.ndarray, float]:
    """Relative inverse temperatures for parallel tempering of ``model.tempered(1 / T)``."""
    r = check_int(n_temperatures, "n_temperatures", minimum=2)
    if hottest is None:
        t_hot = max(2.0 * temperature, 2.0 * _field_scale(model))
    else:
        t_hot = check_float(hottest, "hottest_temperature", minimum=0.0, exclusive_minimum=True)
        if t_hot <= temperature:
            raise ValueError(
                f"hottest_temperature must be > temperature = {temperature:g}, got {t_hot:g}"
            )
    return geometric_ladder(r, temperature / t_hot), t_hot


def check_budget(n_sweeps: Any, burn_in: Any) -> tuple[int, int]:
    """(n_sweeps, burn_in), leaving at least 2 sweeps to measure."""
    n = check_int(n_sweeps, "n_sweeps", minimum=2)
    burn = check_int(burn_in, "burn_in", minimum=0)
    if n - burn < 2:
        raise ValueError(
            f"burn_in must leave at least 2 sweeps to measure (burn_in <= n_sweeps - 2 = "
            f"{n - 2}), got burn_in={burn} with n_sweeps={n}"
        )
    return n, burn


def initial_states(
    model: BoltzmannMachine, n_chains: int, initial: str, gen: np.random.Generator
) -> np.ndarray:
    """Starting states of the chains: random (drawn from ``gen``) or every unit high."""
    if initial == "ordered":
        return np.full((n_chains, model.n_units), model.unit_values[1], dtype=model.dtype)
    return model.random_states(n_chains, rng=gen)


def check_lattice(name: str | None, model: BoltzmannMachine) -> None:
    """Raise unless ``model`` is a lattice, which the checkerboard sampler needs."""
    if model.lattice_shape is None:
        raise ValueError(
            "sampler 'checkerboard' needs a lattice system (system='ising'), got "
            f"{system_label(name, model)}"
        )


def system_settings(name: str | None, size: int | None, model: BoltzmannMachine) -> dict[str, Any]:
    """The first settings of every sampling experiment: system, its label, size and units."""
    return {
        "system": name if name is not None else "BoltzmannMachine",
        "system_label": system_label(name, model),
        "size": None if name is None else (DEFAULT_SIZES[name] if size is None else size),
        "n_units": model.n_units,
    }
