"""The memories the capacity experiments fill, and how they are probed, written once.

- :func:`check_recall`: the zero-temperature dynamics of recall and its bound on sweeps;
- :func:`draw_probes`: which stored patterns are probed at a load, and their noisy copies;
- :func:`pseudoinverse_skipped`: the pseudo-inverse rule is measured only at P < N;
- :class:`Memory`: a classical network, a dense associative memory or the modern Hopfield
  network behind one interface (:func:`run_dense_capacity`, :func:`run_correlated_recall`),
  named as :func:`check_models` accepts.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from energynets._validation import check_choice, check_int
from energynets.learning.hopfield_rules import RULES
from energynets.models.hopfield import HopfieldNetwork
from energynets.sampling.dynamics import DYNAMICS, run_dynamics
from energynets.states import corrupt


def check_recall(dynamics: Any, max_sweeps: Any) -> int:
    """Check that ``dynamics`` is one of the zero-temperature dynamics ("async", "sync");
    ``max_sweeps``, the bound on the sweeps of one recall, as an int >= 1."""
    check_choice(dynamics, "dynamics", DYNAMICS)
    return check_int(max_sweeps, "max_sweeps", minimum=1)


def draw_probes(
    xi: np.ndarray, max_probes: int | None, flip_fraction: float, gen: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """The probed patterns' indices (at most ``max_probes`` of the P, at random, sorted) and
    their copies with round(flip_fraction N) bits flipped, both drawn from ``gen``."""
    p = xi.shape[0]
    idx = np.arange(p)
    if max_probes is not None and max_probes < p:
        idx = np.sort(gen.choice(p, size=max_probes, replace=False))
    return idx, corrupt(xi[idx], flip_fraction, rng=gen)


def pseudoinverse_skipped(rule: str, n_patterns: int, n_units: int) -> bool:
    """Whether a load is left out: the pseudo-inverse rule at P >= N (independent patterns
    span R^N, the projector is the identity and W = 0 would fix every state)."""
    return rule == "pseudoinverse" and n_patterns >= n_units


def parse_model(name: Any) -> tuple[str, int]:
    """A model name: a rule ("hebbian", ...), "polynomial-<n>", "rectified-<n>",
    "exponential" or "modern"; returns (kind, degree)."""
    if not isinstance(name, str):
        raise TypeError(f"models must be names (str), got {type(name).__name__}")
    if name in RULES or name in ("exponential", "modern"):
        return name, 2
    kind, _, degree = name.partition("-")
    if kind in ("polynomial", "rectified") and degree.isdigit() and int(degree) >= 2:
        return kind, int(degree)
    raise ValueError(
        f"models must name a rule ({', '.join(RULES)}), 'polynomial-<n>' or 'rectified-<n>' "
        f"with n >= 2, 'exponential' or 'modern', got {name!r}"
    )


def check_models(models: Any) -> list[str]:
    """The model names asked for (a name or an iterable of names), repeats dropped."""
    if isinstance(models, str):
        models = [models]
    names = list(dict.fromkeys(models))
    if not names:
        raise ValueError("models must name at least one model, got none")
    for name in names:
        parse_model(name)
    return names


class Memory:
    """One model of the dense capacity experiments behind one interface: fixed points, recall."""

    def __init__(self, name: str, patterns: np.ndarray, beta: float) -> None:
        from energynets.models.dense import DenseAssociativeMemory, ModernHopfield

        kind, degree = parse_model(name)
        self.kind = kind
        self.patterns = patterns
        self.model: Any
        if kind in RULES:
            self.model = HopfieldNetwork.from_patterns(patterns, rule=kind)
        elif kind == "modern":
            self.model = ModernHopfield(patterns, beta=beta)
        else:
            self.model = DenseAssociativeMemory(patterns, kind, degree)

    def fixed(self) -> np.ndarray:
        """Which stored patterns are fixed points (modern: one update keeps every sign)."""
        if self.kind in RULES:
            return ~np.any(self.model.unstable_units(self.patterns), axis=1)
        if self.kind == "modern":
            kept = np.sign(self.model.retrieve(self.patterns, n_steps=1, details=False).states)
            return np.all(kept == self.patterns, axis=1)
        return self.model.is_fixed_point(self.patterns)

    def recall(
        self, probes: np.ndarray, dynamics: str, max_sweeps: int, rng: np.random.Generator
    ) -> np.ndarray:
        """Final states (spins) from ``probes``; modern: the signs after one update."""
        if self.kind == "modern":
            return np.sign(self.model.retrieve(probes, n_steps=1, details=False).states)
        if self.kind in RULES:
            return run_dynamics(
                self.model, probes, dynamics=dynamics, max_sweeps=max_sweeps, rng=rng
            ).states
        return self.model.recall(probes, dynamics=dynamics, max_sweeps=max_sweeps, rng=rng).states
