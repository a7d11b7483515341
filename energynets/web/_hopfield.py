"""The Hopfield page: draw or pick patterns, store them, corrupt a probe, watch it recall.

Every computation is the package's own: :meth:`HopfieldNetwork.from_patterns` and
:meth:`~energynets.HopfieldNetwork.store` store the patterns, :func:`energynets.corrupt` flips
the probe's pixels, and one step of the animation is one sweep of
:meth:`~energynets.HopfieldNetwork.recall` (``max_sweeps=1``) from the grid the page shows,
drawn from the tab's own random generator, seeded when the patterns are stored. The page only
draws. A grid travels as a string of '0' and '1', row by row ('1' is ink, spin +1).

The actions (``POST /api/hopfield/<action>``, every body with its ``session``):

``glyph``  height, width, name -> the built-in glyph ``name`` centred in the grid
``digit``  height, width, digit, index -> a handwritten digit of the embedded set, centred
``store``  height, width, rule, patterns, seed -> the load alpha = P / N and the theory
``add_random``  seed -> one more random pattern stored, and the new load
``corrupt``  height, width, state, flip_fraction, seed -> the state with round(f N) flips
``measure``  height, width, state -> its energy and overlaps with the stored patterns
``step``  height, width, state, dynamics, temperature -> one sweep of the dynamics
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from energynets import datasets
from energynets.models.hopfield import HopfieldNetwork
from energynets.states import corrupt, overlap
from energynets.web import _limits as limits
from energynets.web._fields import (
    ApiError,
    bit_string,
    bit_strings,
    choice,
    integer,
    number,
    text,
)
from energynets.web._page import Action, Page

__all__ = ["PAGE", "HopfieldState", "from_bits", "to_bits"]

RULES = ("hebbian", "storkey", "pseudoinverse")
#: The page's dynamics: Glauber is the asynchronous dynamics at a temperature T > 0.
DYNAMICS = ("async", "sync", "glauber")
#: The side of the embedded handwritten digits, and how many examples of each the page offers
#: (the set holds at least 170 of each).
DIGIT_SIDE = 8
N_DIGIT_EXAMPLES = 100


class HopfieldState:
    """One tab's network and random generator (None until patterns are stored)."""

    def __init__(self) -> None:
        self.net: HopfieldNetwork | None = None
        self.shape = (0, 0)
        self.rng = np.random.default_rng(0)


def from_bits(bits: str) -> np.ndarray:
    """A grid string of '0'/'1' as spins, shape (n_cells,): '1' is +1, '0' is -1."""
    return np.frombuffer(bits.encode("ascii"), dtype=np.uint8).astype(np.float64) * 2.0 - 97.0


def to_bits(spins: np.ndarray) -> str:
    """Spins +-1 of one grid as a string of '0'/'1'."""
    codes = (np.asarray(spins).ravel() > 0).astype(np.uint8) + ord("0")
    return codes.tobytes().decode("ascii")


# -- the fields ---------------------------------------------------------------------------
SIDE = integer(limits.MIN_GRID_SIDE, limits.MAX_GRID_SIDE)
SEED = integer(0, limits.MAX_SEED, default=0)
GRID = {"height": SIDE, "width": SIDE}


def _network(state: HopfieldState, values: dict[str, Any] | None = None) -> HopfieldNetwork:
    """The stored network; its grid must be the one of the request."""
    if state.net is None:
        raise ApiError(409, "no patterns are stored in this session yet; store some first")
    if values is not None and (values["height"], values["width"]) != state.shape:
        height, width = state.shape
        raise ApiError(
            409,
            f"height x width must be the stored grid {height} x {width}, got "
            f"{values['height']} x {values['width']}",
            "height",
        )
    return state.net


def _load(state: HopfieldState) -> dict[str, Any]:
    """The load alpha = P / N of the stored network, beside the theory's for its rule."""
    from energynets.experiments.capacity.theory import (
        ALPHA_C,
        mceliece_capacity,
        storkey_capacity,
    )

    net = _network(state)
    assert net.patterns is not None
    n_patterns, n_units = net.patterns.shape
    critical = {
        "hebbian": ALPHA_C,  # Amit, Gutfreund & Sompolinsky (1985)
        "storkey": storkey_capacity(n_units) / n_units,  # Storkey (1997)
        "pseudoinverse": 1.0,  # any P <= N independent patterns (Personnaz et al. 1985)
    }[str(net.rule)]
    fixed = net.is_fixed_point(net.patterns)
    return {
        "n_patterns": int(n_patterns),
        "n_units": int(n_units),
        "rule": net.rule,
        "alpha": n_patterns / n_units,
        "alpha_c": critical,
        "mceliece_alpha": mceliece_capacity(n_units) / n_units,
        "fixed_points": [bool(f) for f in fixed],
    }


def _measure(net: HopfieldNetwork, spins: np.ndarray) -> dict[str, Any]:
    assert net.patterns is not None
    return {
        "energy": float(net.energy(spins[None, :])[0]),
        "overlaps": [float(m) for m in overlap(spins, net.patterns)],
    }


# -- the handlers -------------------------------------------------------------------------
def centred(picture: np.ndarray, values: dict[str, Any], what: str) -> dict[str, Any]:
    """The spins ``picture`` (2-D) centred in the request's height x width grid of
    background (-1); ApiError naming the side that is too small for it."""
    height, width = values["height"], values["width"]
    for field, side, need in (("height", height, picture.shape[0]),
                              ("width", width, picture.shape[1])):  # fmt: skip
        if side < need:
            raise ApiError(
                400, f"{field}: the {what} need a grid of at least {need}, got {side}", field
            )
    grid = -np.ones((height, width))
    top, left = (height - picture.shape[0]) // 2, (width - picture.shape[1]) // 2
    grid[top : top + picture.shape[0], left : left + picture.shape[1]] = picture
    return {"pattern": to_bits(grid)}


def glyph(state: HopfieldState, values: dict[str, Any]) -> dict[str, Any]:
    """The glyph ``name`` centred in a height x width grid of background (-1)."""
    patterns, _ = datasets.glyphs(values["name"])
    return centred(patterns[0].reshape(datasets.glyph_shape()), values, "glyphs")


@functools.lru_cache(maxsize=1)
def _digits() -> tuple[np.ndarray, np.ndarray]:
    """The embedded 8 x 8 digits as bits (on above a quarter of the full grey level), and
    their labels."""
    images, labels = datasets.load_digits()
    return datasets.binarize(images, threshold=0.25, maximum=16), labels


def digit(state: HopfieldState, values: dict[str, Any]) -> dict[str, Any]:
    """Example ``index`` of the handwritten ``digit`` of :func:`energynets.datasets.load_digits`,
    on above a quarter of the full grey level, enlarged k times (the largest k that fits) and
    centred."""
    images, labels = _digits()
    image = images[np.flatnonzero(labels == values["digit"])[values["index"]]]
    k = max(1, min(values["height"], values["width"]) // DIGIT_SIDE)
    big = np.kron(image.reshape(DIGIT_SIDE, DIGIT_SIDE), np.ones((k, k)))
    return centred(2.0 * big - 1.0, values, "digits")


def store(state: HopfieldState, values: dict[str, Any]) -> dict[str, Any]:
    """Store the patterns with the rule; reseed the tab's generator."""
    patterns = np.array([from_bits(p) for p in values["patterns"]])
    n_patterns, n_units = patterns.shape
    if values["rule"] == "storkey" and n_patterns * n_units**2 > limits.MAX_STORKEY_WORK:
        most = limits.MAX_STORKEY_WORK // n_units**2
        raise ApiError(
            400,
            f"patterns: the Storkey rule stores at most {most} patterns of {n_units} cells in "
            f"one request (its cost grows as P N^2), got {n_patterns}",
            "patterns",
        )
    state.net = HopfieldNetwork.from_patterns(patterns, rule=values["rule"])
    state.shape = (values["height"], values["width"])
    state.rng = np.random.default_rng(values["seed"])
    return _load(state)


def add_random(state: HopfieldState, values: dict[str, Any]) -> dict[str, Any]:
    """Store one more random pattern (drawn from ``seed``) in the tab's network."""
    net = _network(state)
    assert net.patterns is not None
    if len(net.patterns) >= limits.MAX_PATTERNS:
        raise ApiError(409, f"at most {limits.MAX_PATTERNS} patterns can be stored")
    pattern = datasets.random_patterns(1, net.n_units, rng=values["seed"])
    state.net = net.store(pattern)
    return {"pattern": to_bits(pattern[0]), **_load(state)}


def corrupt_probe(state: HopfieldState, values: dict[str, Any]) -> dict[str, Any]:
    """The state with exactly round(flip_fraction * N) pixels flipped (drawn from ``seed``)."""
    spins = from_bits(values["state"])
    flipped = corrupt(spins[None, :], values["flip_fraction"], rng=values["seed"])
    return {"state": to_bits(flipped[0])}


def measure(state: HopfieldState, values: dict[str, Any]) -> dict[str, Any]:
    """The energy of the state and its overlaps m = s . xi / N with the stored patterns."""
    return _measure(_network(state, values), from_bits(values["state"]))


def step(state: HopfieldState, values: dict[str, Any]) -> dict[str, Any]:
    """One sweep of the dynamics from the state, with the tab's generator."""
    net = _network(state, values)
    glauber = values["dynamics"] == "glauber"
    result = net.recall(
        from_bits(values["state"])[None, :],
        dynamics="async" if glauber else values["dynamics"],
        temperature=values["temperature"] if glauber else 0.0,
        max_sweeps=1,
        rng=state.rng,
    )
    # the dynamics record the energy and the overlaps of every sweep: the last row is the
    # state returned (no second pass over the N x N weights)
    assert result.overlaps is not None
    return {
        "state": to_bits(result.states[0]),
        "converged": bool(result.converged[0]),
        "energy": float(result.energies[-1, 0]),
        "overlaps": [float(m) for m in result.overlaps[-1, 0]],
    }


STATE = bit_string()
PAGE = Page(
    name="hopfield",
    title="Hopfield network",
    html="hopfield.html",
    new_state=HopfieldState,
    actions={
        "glyph": Action({**GRID, "name": text("[A-Z0-9]", "one of A-Z or 0-9")}, glyph),
        "digit": Action(
            {**GRID, "digit": integer(0, 9), "index": integer(0, N_DIGIT_EXAMPLES - 1, default=0)},
            digit,
        ),
        "store": Action(
            {
                **GRID,
                "rule": choice(RULES),
                "patterns": bit_strings(limits.MAX_PATTERNS),
                "seed": SEED,
            },
            store,
        ),
        "add_random": Action({"seed": SEED}, add_random),
        "corrupt": Action(
            {**GRID, "state": STATE, "flip_fraction": number(0.0, 1.0), "seed": SEED},
            corrupt_probe,
        ),
        "measure": Action({**GRID, "state": STATE}, measure),
        "step": Action(
            {
                **GRID,
                "state": STATE,
                "dynamics": choice(DYNAMICS),
                "temperature": number(limits.MIN_TEMPERATURE, limits.MAX_TEMPERATURE, default=1.0),
            },
            step,
        ),
    },
)
