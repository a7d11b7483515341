"""Restricted Boltzmann machines (Smolensky 1986; Hinton 2002).

Units: visible v (Bernoulli bits, or real-valued Gaussian units) and Bernoulli hidden units h,
connected only across the two layers by weights W of shape ``(n_visible, n_hidden)``.

Energies (a: visible bias, b: hidden bias, sigma: visible standard deviations)
    Bernoulli visible:  E(v, h) = -v^T W h - a^T v - b^T h
    Gaussian visible:   E(v, h) = sum_i (v_i - a_i)^2 / (2 sigma_i^2) - (v / sigma)^T W h - b^T h

Summing the hidden units out gives the free energy F(v) = -log sum_h exp(-E(v, h)):
    Bernoulli: F(v) = -a^T v - sum_j softplus(b_j + (v W)_j)
    Gaussian:  F(v) = sum_i (v_i - a_i)^2 / (2 sigma_i^2) - sum_j softplus(b_j + ((v / sigma) W)_j)
with softplus(x) = log(1 + e^x) computed as ``np.logaddexp(0, x)``, stable for any x.

Conditionals (the layers are conditionally independent given each other)
    p(h_j = 1 | v) = sigmoid(b_j + ((v / sigma) W)_j)
    Bernoulli: p(v_i = 1 | h) = sigmoid(a_i + (W h)_i)
    Gaussian:  v_i | h ~ N(a_i + sigma_i (W h)_i, sigma_i^2)

The model holds parameters only; samplers and trainers take an explicit ``rng`` and never
change the model they are given.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from energynets._validation import (
    RNGLike,
    as_float_array,
    check_choice,
    check_dtype,
    check_float,
    check_int,
    check_rng,
)

__all__ = ["RBM"]

VISIBLE_KINDS = ("bernoulli", "gaussian")


def _sigmoid(x: np.ndarray) -> np.ndarray:
    """Logistic function, overflow-free for any x, keeping the dtype of x."""
    out = np.empty_like(x)
    pos = x >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-x[pos]))
    ex = np.exp(x[~pos])
    out[~pos] = ex / (1.0 + ex)
    return out


class RBM:
    """A restricted Boltzmann machine with Bernoulli hidden units.

    Parameters
    ----------
    n_visible, n_hidden : int
    visible : {"bernoulli", "gaussian"}
        Bernoulli (0/1) or Gaussian (real-valued) visible units.
    rng : int, Generator or None
        Randomness of the initial weights, W_ij ~ N(0, weight_scale^2) (Hinton 2010).
    dtype : numpy.float32 or numpy.float64
        Every parameter, buffer and random number of the model and its training.
    weight_scale : float
        Standard deviation of the initial weights (0.01 in Hinton's practical guide).
    sigma : float or array_like of shape (n_visible,)
        Standard deviations of Gaussian visible units (1: unit variance, the usual choice for
        standardised data). Ignored for Bernoulli units.

    Attributes
    ----------
    weights : ndarray, shape (n_visible, n_hidden)
    visible_bias : ndarray, shape (n_visible,)
    hidden_bias : ndarray, shape (n_hidden,)
    sigma : ndarray, shape (n_visible,)

    Examples
    --------
    >>> rbm = RBM(6, 3, rng=0)
    >>> v = np.array([[1, 0, 1, 1, 0, 0]])
    >>> rbm.free_energy(v).shape
    (1,)

    References
    ----------
    Hinton, G. E. (2002). Training products of experts by minimizing contrastive divergence.
    Neural Computation 14, 1771-1800. Hinton, G. E. (2010). A practical guide to training
    restricted Boltzmann machines. UTML TR 2010-003.
    """

    def __init__(
        self,
        n_visible: int,
        n_hidden: int,
        visible: str = "bernoulli",
        *,
        rng: RNGLike = 0,
        dtype: Any = np.float64,
        weight_scale: float = 0.01,
        sigma: Any = 1.0,
    ) -> None:
        nv = check_int(n_visible, "n_visible", minimum=1)
        nh = check_int(n_hidden, "n_hidden", minimum=1)
        self.visible = check_choice(visible, "visible", VISIBLE_KINDS)
        dt = check_dtype(dtype)
        scale = check_float(weight_scale, "weight_scale", minimum=0.0)
        gen = check_rng(rng)
        self.weights = (gen.standard_normal((nv, nh)) * scale).astype(dt)
        self.visible_bias = np.zeros(nv, dtype=dt)
        self.hidden_bias = np.zeros(nh, dtype=dt)
        sig = np.broadcast_to(as_float_array(sigma, "sigma", ndim=(0, 1)), (nv,))
        if np.any(sig <= 0):
            raise ValueError("sigma must be positive")
        self.sigma = np.array(sig, dtype=dt)

    # -- construction helpers --------------------------------------------------------------
    @classmethod
    def from_params(
        cls,
        weights: Any,
        visible_bias: Any = None,
        hidden_bias: Any = None,
        *,
        visible: str = "bernoulli",
        sigma: Any = 1.0,
        dtype: Any = None,
    ) -> RBM:
        """Build an RBM from given parameters (copied).

        Parameters
        ----------
        weights : array_like, shape (n_visible, n_hidden)
        visible_bias : array_like, shape (n_visible,), optional (zeros)
        hidden_bias : array_like, shape (n_hidden,), optional (zeros)
        """
        w = as_float_array(weights, "weights", ndim=2)
        dt = check_dtype(w.dtype if dtype is None else dtype)
        nv, nh = w.shape
        rbm = cls(nv, nh, visible, rng=0, dtype=dt, weight_scale=0.0, sigma=sigma)
        rbm.weights = np.array(w, dtype=dt, copy=True)
        for name, value, n in (
            ("visible_bias", visible_bias, nv),
            ("hidden_bias", hidden_bias, nh),
        ):
            if value is not None:
                arr = as_float_array(value, name, ndim=1)
                if arr.shape != (n,):
                    raise ValueError(f"{name} must have shape ({n},), got {arr.shape}")
                setattr(rbm, name, np.array(arr, dtype=dt, copy=True))
        return rbm

    def copy(self) -> RBM:
        """A deep copy."""
        out = RBM.__new__(RBM)
        out.visible = self.visible
        out.weights = self.weights.copy()
        out.visible_bias = self.visible_bias.copy()
        out.hidden_bias = self.hidden_bias.copy()
        out.sigma = self.sigma.copy()
        return out

    # -- shapes ----------------------------------------------------------------------------
    @property
    def n_visible(self) -> int:
        return int(self.weights.shape[0])

    @property
    def n_hidden(self) -> int:
        return int(self.weights.shape[1])

    @property
    def dtype(self) -> np.dtype:
        return self.weights.dtype

    def __repr__(self) -> str:
        return (
            f"RBM(n_visible={self.n_visible}, n_hidden={self.n_hidden}, "
            f"visible={self.visible!r}, dtype={self.dtype.name})"
        )

    def check_visible(self, v: Any, name: str = "v") -> np.ndarray:
        """Validate a batch of visible vectors; return a 2-D array of the model's dtype.

        Bernoulli visible units accept values in [0, 1] (probabilities, e.g. grey levels, are
        allowed as inputs to the free energy and the conditionals); Gaussian units any finite
        value. Shape (n_samples, n_visible) or one vector (n_visible,).
        """
        arr = as_float_array(v, name, ndim=(1, 2), dtype=self.dtype, allow_empty=True)
        arr2 = arr[None, :] if arr.ndim == 1 else arr
        if arr2.shape[1] != self.n_visible:
            raise ValueError(
                f"{name} must have {self.n_visible} columns (n_visible), got shape {arr.shape}"
            )
        if self.visible == "bernoulli" and arr2.size and (arr2.min() < 0 or arr2.max() > 1):
            raise ValueError(
                f"{name} must lie in [0, 1] for Bernoulli visible units, got values in "
                f"[{arr2.min():g}, {arr2.max():g}]"
            )
        return arr2

    def check_hidden(self, h: Any, name: str = "h") -> np.ndarray:
        """Validate a batch of hidden vectors (values in [0, 1]); return 2-D, model dtype."""
        arr = as_float_array(h, name, ndim=(1, 2), dtype=self.dtype, allow_empty=True)
        arr2 = arr[None, :] if arr.ndim == 1 else arr
        if arr2.shape[1] != self.n_hidden:
            raise ValueError(
                f"{name} must have {self.n_hidden} columns (n_hidden), got shape {arr.shape}"
            )
        if arr2.size and (arr2.min() < 0 or arr2.max() > 1):
            raise ValueError(f"{name} must lie in [0, 1] (Bernoulli hidden units)")
        return arr2

    # -- energies --------------------------------------------------------------------------
    def _scaled(self, v: np.ndarray) -> np.ndarray:
        return v if self.visible == "bernoulli" else v / self.sigma

    def _visible_term(self, v: np.ndarray) -> np.ndarray:
        """The energy terms of the visible units alone: -a.v, or sum (v - a)^2 / (2 sigma^2)."""
        if self.visible == "bernoulli":
            return -(v @ self.visible_bias)
        return 0.5 * np.sum(((v - self.visible_bias) / self.sigma) ** 2, axis=1)

    def energy(self, v: Any, h: Any) -> np.ndarray:
        """Joint energy E(v, h), shape (n_samples,) (see the module docstring)."""
        v2 = self.check_visible(v)
        h2 = self.check_hidden(h)
        if v2.shape[0] != h2.shape[0]:
            raise ValueError(
                f"v and h must have the same number of rows, got {v2.shape[0]} and {h2.shape[0]}"
            )
        interaction = np.einsum("bj,bj->b", self._scaled(v2) @ self.weights, h2)
        return self._visible_term(v2) - interaction - h2 @ self.hidden_bias

    def hidden_input(self, v: np.ndarray) -> np.ndarray:
        """Total input to the hidden units, b + (v / sigma) W, shape (n_samples, n_hidden)."""
        return self._scaled(v) @ self.weights + self.hidden_bias

    def free_energy(self, v: Any) -> np.ndarray:
        """Free energy F(v) = -log sum_h exp(-E(v, h)), shape (n_samples,), stable for any input.

        F(v) = visible term - sum_j softplus(b_j + ((v / sigma) W)_j), softplus via
        ``np.logaddexp(0, x)``.
        """
        v2 = self.check_visible(v)
        return self._visible_term(v2) - np.logaddexp(0, self.hidden_input(v2)).sum(axis=1)

    # -- conditionals and sampling ---------------------------------------------------------
    def hidden_probabilities(self, v: Any) -> np.ndarray:
        """p(h_j = 1 | v) = sigmoid(b_j + ((v / sigma) W)_j), shape (n_samples, n_hidden)."""
        return _sigmoid(self.hidden_input(self.check_visible(v)))

    def visible_mean(self, h: Any) -> np.ndarray:
        """E[v | h]: sigmoid(a + W h) (Bernoulli) or a + sigma W h (Gaussian)."""
        h2 = self.check_hidden(h)
        x = h2 @ self.weights.T
        if self.visible == "bernoulli":
            return _sigmoid(x + self.visible_bias)
        return self.visible_bias + self.sigma * x

    def sample_hidden(self, v: Any, rng: RNGLike = 0) -> np.ndarray:
        """Draw h ~ p(h | v); shape (n_samples, n_hidden), values 0/1 in the model's dtype."""
        gen = check_rng(rng)
        p = self.hidden_probabilities(v)
        return (gen.random(p.shape, dtype=self.dtype) < p).astype(self.dtype)

    def sample_visible(self, h: Any, rng: RNGLike = 0) -> np.ndarray:
        """Draw v ~ p(v | h); shape (n_samples, n_visible)."""
        gen = check_rng(rng)
        mean = self.visible_mean(h)
        if self.visible == "bernoulli":
            return (gen.random(mean.shape, dtype=self.dtype) < mean).astype(self.dtype)
        return mean + self.sigma * gen.standard_normal(mean.shape, dtype=self.dtype)

    def gibbs_step(
        self, v: Any, rng: RNGLike = 0, *, clamp: Any = None, clamp_values: Any = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """One block-Gibbs step v -> h -> v'. Returns (v', h).

        ``clamp`` (bool mask, shape (n_visible,) or like v) holds those visible units at
        ``clamp_values`` (default: their values in ``v``), for completing partial inputs.
        """
        gen = check_rng(rng)
        v2 = self.check_visible(v)
        h = self.sample_hidden(v2, gen)
        v_new = self.sample_visible(h, gen)
        if clamp is not None:
            mask = np.broadcast_to(np.asarray(clamp, dtype=bool), v2.shape)
            fixed = v2 if clamp_values is None else np.broadcast_to(clamp_values, v2.shape)
            v_new = np.where(mask, fixed, v_new).astype(self.dtype)
        return v_new, h

    def sample(
        self,
        n_samples: int | None = None,
        n_steps: int = 1000,
        rng: RNGLike = 0,
        *,
        init: Any = None,
        burn_in: int = 0,
        thin: int | None = None,
        clamp: Any = None,
    ) -> np.ndarray:
        """Run block-Gibbs chains and return visible states.

        Parameters
        ----------
        n_samples : int, optional
            Number of chains started from noise (uniform bits, or N(a, sigma^2)); ignored when
            ``init`` is given.
        n_steps : int
            Gibbs steps per chain.
        rng : int, Generator or None
        init : array_like, shape (n_chains, n_visible), optional
            Starting visible states (e.g. data); not modified.
        burn_in : int
            Steps before the first recorded state when ``thin`` is given.
        thin : int, optional
            Record every ``thin`` steps after ``burn_in``; when None only the final states are
            returned.
        clamp : bool array, shape (n_visible,) or like init, optional
            Visible units held at their initial values (e.g. the bottom half of a digit).

        Returns
        -------
        ndarray, shape (n_chains, n_visible) when ``thin`` is None, else
        (n_recorded, n_chains, n_visible).
        """
        gen = check_rng(rng)
        steps = check_int(n_steps, "n_steps", minimum=0)
        burn = check_int(burn_in, "burn_in", minimum=0)
        if init is None:
            if n_samples is None:
                raise ValueError("give n_samples (chains from noise) or init (starting states)")
            n = check_int(n_samples, "n_samples", minimum=1)
            if self.visible == "bernoulli":
                v = (gen.random((n, self.n_visible), dtype=self.dtype) < 0.5).astype(self.dtype)
            else:
                noise = gen.standard_normal((n, self.n_visible), dtype=self.dtype)
                v = self.visible_bias + self.sigma * noise
        else:
            v = np.array(self.check_visible(init, "init"), copy=True)
        fixed = v.copy() if clamp is not None else None
        recorded = []
        every = None if thin is None else check_int(thin, "thin", minimum=1)
        for step in range(1, steps + 1):
            v, _ = self.gibbs_step(v, gen, clamp=clamp, clamp_values=fixed)
            if every is not None and step > burn and (step - burn) % every == 0:
                recorded.append(v.copy())
        if every is None:
            return v
        if not recorded:
            return np.empty((0, *v.shape), dtype=self.dtype)
        return np.stack(recorded)

    # -- persistence -----------------------------------------------------------------------
    def get_params(self) -> dict[str, Any]:
        """Arrays and settings that define the model (used by :mod:`energynets.io`)."""
        return {
            "weights": self.weights,
            "visible_bias": self.visible_bias,
            "hidden_bias": self.hidden_bias,
            "sigma": self.sigma,
            "visible": self.visible,
        }
