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

Softmax (one-of-K) visible groups (Bernoulli visible units only). ``softmax_groups`` names
disjoint sets of K >= 2 visible units of which exactly one is on, e.g. the label block of a
classification RBM (Larochelle & Bengio 2008). The energy and the free energy keep the
formulas above; only the state space shrinks (each group holds one of its K unit vectors), so
the conditional of a group is a softmax instead of K independent sigmoids:

    p(v_g = e_k | h) = exp(a_k + (W h)_k) / sum_{l in g} exp(a_l + (W h)_l),

and summing a group out (given h) gives logsumexp_{k in g}(a_k + (W h)_k) where a free unit
gives softplus(a_i + (W h)_i). Given the rest of v, the label distribution is exact:

    p(v_g = e_k | v_rest) = exp(-F(v with v_g = e_k)) / sum_{l in g} exp(-F(v with v_g = e_l)),
    -F(v with v_g = e_k) = a_k + sum_j softplus(b_j + W_kj + sum_{i not in g} v_i W_ij) + const

(:meth:`RBM.label_probabilities`, :meth:`RBM.predict_label`).

The model holds parameters only; samplers and trainers take an explicit ``rng`` and never
change the model they are given.

References
----------
Larochelle, H. & Bengio, Y. (2008). Classification using discriminative restricted Boltzmann
machines. ICML 2008, 536-543.
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
from energynets.models import _softmax_groups as one_of_k
from energynets.models._units import sample_one_hot, sigmoid, softmax

__all__ = ["GROUP_SUM_TOLERANCE", "RBM", "check_softmax_groups"]

VISIBLE_KINDS = ("bernoulli", "gaussian")

#: The values of a softmax group in one row must sum to 1 within this tolerance (exactly one
#: unit on for 0/1 rows; probabilities, e.g. a mean-field label, otherwise).
GROUP_SUM_TOLERANCE = 1e-4


def check_softmax_groups(
    groups: Any, n_visible: int, visible: str = "bernoulli"
) -> tuple[np.ndarray, ...]:
    """Validate ``softmax_groups``; return one read-only int64 index array per group.

    Parameters
    ----------
    groups : sequence or None
        Each entry a ``(start, stop)`` pair of ints (units start, ..., stop - 1), a ``slice``
        or a list (1-D array) of visible indices, whose order is the order of the K classes.
        Groups must be disjoint, lie in [0, n_visible) and hold at least 2 units each. None or
        an empty sequence: no groups.
    n_visible : int
    visible : {"bernoulli", "gaussian"}
        Groups need Bernoulli visible units.

    Returns
    -------
    tuple of ndarray
        ``groups[g]`` holds the visible indices of group g, shape (K_g,).

    Raises
    ------
    ValueError, TypeError
        Naming ``softmax_groups`` (and the entry), what was expected and what was given.
    """
    if groups is None:
        return ()
    if isinstance(groups, str | bytes) or not hasattr(groups, "__iter__"):
        raise TypeError(
            "softmax_groups must be a sequence of groups, each a (start, stop) pair, a slice "
            f"or a list of visible indices, got {type(groups).__name__} {groups!r}"[:200]
        )
    items = list(groups)
    if items and visible != "bernoulli":
        raise ValueError(
            "softmax_groups needs Bernoulli visible units (a one-of-K group is binary), got "
            f"visible={visible!r}"
        )
    return one_of_k.disjoint_groups(items, n_visible)


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
    softmax_groups : sequence, optional
        Disjoint one-of-K groups of Bernoulli visible units (see :func:`check_softmax_groups`),
        each given as a ``(start, stop)`` pair, a slice or a list of indices (the order of the
        list is the order of the classes): within a group exactly one unit is on, and
        p(v_g = e_k | h) = softmax_k(a_k + (W h)_k). E.g. ``softmax_groups=[(784, 794)]`` for
        MNIST pixels followed by a 10-unit label (Larochelle & Bengio 2008).

    Attributes
    ----------
    weights : ndarray, shape (n_visible, n_hidden)
    visible_bias : ndarray, shape (n_visible,)
    hidden_bias : ndarray, shape (n_hidden,)
    sigma : ndarray, shape (n_visible,)
    softmax_groups : tuple of int ndarrays
        The visible indices of each group, shape (K_g,); () without groups.

    Notes
    -----
    Visible rows given to the model must hold, in every softmax group, values in [0, 1]
    summing to 1 (within :data:`GROUP_SUM_TOLERANCE`): exactly one unit on for 0/1 rows,
    class probabilities otherwise (allowed wherever Bernoulli units accept probabilities: the
    free energy, the conditionals; the likelihoods need 0/1 rows, hence one-hot groups).

    Examples
    --------
    >>> rbm = RBM(6, 3, rng=0)
    >>> v = np.array([[1, 0, 1, 1, 0, 0]])
    >>> rbm.free_energy(v).shape
    (1,)
    >>> clf = RBM(6, 3, rng=0, softmax_groups=[(4, 6)])  # 4 pixels and a 2-class label
    >>> clf.label_probabilities([[1, 0, 1, 1]]).shape
    (1, 2)

    References
    ----------
    Smolensky, P. (1986). Information processing in dynamical systems: foundations of harmony
    theory. In Parallel Distributed Processing, vol. 1, 194-281. MIT Press.

    Hinton, G. E. (2002). Training products of experts by minimizing contrastive divergence.
    Neural Computation 14, 1771-1800.

    Hinton, G. E. (2010). A practical guide to training restricted Boltzmann machines. UTML TR
    2010-003, University of Toronto.

    Larochelle, H. & Bengio, Y. (2008). Classification using discriminative restricted
    Boltzmann machines. ICML 2008, 536-543 (a softmax group as the label of an image).
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
        softmax_groups: Any = None,
    ) -> None:
        nv = check_int(n_visible, "n_visible", minimum=1)
        nh = check_int(n_hidden, "n_hidden", minimum=1)
        self.visible = check_choice(visible, "visible", VISIBLE_KINDS)
        self._groups = check_softmax_groups(softmax_groups, nv, self.visible)
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
        softmax_groups: Any = None,
    ) -> RBM:
        """Build an RBM from given parameters (copied).

        Parameters
        ----------
        weights : array_like, shape (n_visible, n_hidden)
        visible_bias : array_like, shape (n_visible,), optional (zeros)
        hidden_bias : array_like, shape (n_hidden,), optional (zeros)
        visible, sigma, dtype, softmax_groups
            As for :class:`RBM` (dtype: that of ``weights`` when None).

        Returns
        -------
        RBM
            A new model owning copies of the given arrays.

        Examples
        --------
        >>> rbm = RBM.from_params(np.zeros((4, 2)), hidden_bias=[1.0, -1.0])
        >>> rbm.n_visible, rbm.n_hidden, rbm.hidden_bias.tolist()
        (4, 2, [1.0, -1.0])
        """
        w = as_float_array(weights, "weights", ndim=2)
        dt = check_dtype(w.dtype if dtype is None else dtype)
        nv, nh = w.shape
        rbm = cls(
            nv,
            nh,
            visible,
            rng=0,
            dtype=dt,
            weight_scale=0.0,
            sigma=sigma,
            softmax_groups=softmax_groups,
        )
        rbm.weights = np.array(w, dtype=dt, copy=True)
        for name, value, n in (
            ("visible_bias", visible_bias, nv),
            ("hidden_bias", hidden_bias, nh),
        ):
            if value is not None:
                arr = as_float_array(value, name, ndim=1)
                if arr.shape != (n,):
                    raise ValueError(
                        f"{name} must have shape ({n},) to match weights of shape {w.shape} "
                        f"(n_visible, n_hidden), got {arr.shape}"
                    )
                setattr(rbm, name, np.array(arr, dtype=dt, copy=True))
        return rbm

    def copy(self) -> RBM:
        """A deep copy (the read-only group index arrays are shared).

        Returns
        -------
        RBM
        """
        out = RBM.__new__(RBM)
        out.visible = self.visible
        out._groups = self._groups
        out.weights = self.weights.copy()
        out.visible_bias = self.visible_bias.copy()
        out.hidden_bias = self.hidden_bias.copy()
        out.sigma = self.sigma.copy()
        return out

    # -- shapes ----------------------------------------------------------------------------
    @property
    def n_visible(self) -> int:
        """Number of visible units."""
        return int(self.weights.shape[0])

    @property
    def n_hidden(self) -> int:
        """Number of hidden units."""
        return int(self.weights.shape[1])

    @property
    def dtype(self) -> np.dtype:
        """Floating-point type of the parameters and of every computation."""
        return self.weights.dtype

    @property
    def softmax_groups(self) -> tuple[np.ndarray, ...]:
        """The visible indices of each one-of-K group (read-only arrays); () without groups."""
        return self._groups

    @property
    def free_units(self) -> np.ndarray:
        """Indices of the visible units outside every softmax group, increasing, int64."""
        if not self._groups:
            return np.arange(self.n_visible, dtype=np.int64)
        mask = np.ones(self.n_visible, dtype=bool)
        for g in self._groups:
            mask[g] = False
        return np.flatnonzero(mask)

    def __repr__(self) -> str:
        groups = ""
        if self._groups:
            groups = ", softmax_groups=[" + ", ".join(map(one_of_k.describe_group, self._groups))
            groups += "]"
        return (
            f"RBM(n_visible={self.n_visible}, n_hidden={self.n_hidden}, "
            f"visible={self.visible!r}, dtype={self.dtype.name}{groups})"
        )

    def _rows(self, x: Any, name: str, n_columns: int, what: str) -> np.ndarray:
        """``x`` as a 2-D array of the model's dtype with ``n_columns`` columns (one row for a
        1-D input; a view when no conversion was needed)."""
        arr = as_float_array(x, name, ndim=(1, 2), dtype=self.dtype, allow_empty=True)
        arr2 = arr[None, :] if arr.ndim == 1 else arr
        if arr2.shape[1] != n_columns:
            raise ValueError(
                f"{name} must have {n_columns} columns ({what}), got shape {arr.shape}"
            )
        return arr2

    def check_visible(self, v: Any, name: str = "v") -> np.ndarray:
        """Validate a batch of visible vectors; return a 2-D array of the model's dtype.

        Bernoulli visible units accept values in [0, 1] (probabilities, e.g. grey levels, are
        allowed as inputs to the free energy and the conditionals); Gaussian units any finite
        value. In each softmax group the values of a row must sum to 1 (within
        :data:`GROUP_SUM_TOLERANCE`): one-hot for 0/1 rows, class probabilities otherwise.
        Shape (n_samples, n_visible) or one vector (n_visible,).

        Parameters
        ----------
        v : array_like, shape (n_samples, n_visible) or (n_visible,)
            Visible rows, or one visible vector.
        name : str
            The argument name the error messages use.

        Returns
        -------
        ndarray, shape (n_samples, n_visible)
            The model's dtype (one row for a 1-D input); a view of ``v`` when no conversion
            was needed.

        Raises
        ------
        ValueError
            Naming ``name``, if the shape or the values do not fit the model.
        """
        arr2 = self._rows(v, name, self.n_visible, "n_visible")
        if self.visible == "bernoulli" and arr2.size and (arr2.min() < 0 or arr2.max() > 1):
            raise ValueError(
                f"{name} must lie in [0, 1] for Bernoulli visible units, got values in "
                f"[{arr2.min():g}, {arr2.max():g}]"
            )
        if self._groups:
            self.check_group_rows(arr2, name)
        return arr2

    def check_group_rows(self, v: np.ndarray, name: str = "v") -> None:
        """Raise ValueError unless every softmax group of every row of ``v`` sums to 1.

        ``v`` is a checked 2-D array (values in [0, 1]); with 0/1 values this says that
        exactly one unit of each group is on.

        Parameters
        ----------
        v : ndarray, shape (n_samples, n_visible)
        name : str
            The argument name the error message uses.

        Raises
        ------
        ValueError
            Naming ``name``, the first row and the group that do not sum to 1.
        """
        one_of_k.check_rows_sum_to_one(self._groups, v, name, GROUP_SUM_TOLERANCE)

    def check_hidden(self, h: Any, name: str = "h") -> np.ndarray:
        """Validate a batch of hidden vectors (values in [0, 1]); return 2-D, model dtype.

        Parameters
        ----------
        h : array_like, shape (n_samples, n_hidden) or (n_hidden,)
            Hidden rows: 0/1 states or probabilities.
        name : str
            The name of ``h`` in the error messages.

        Returns
        -------
        ndarray, shape (n_samples, n_hidden)

        Raises
        ------
        ValueError
            Naming ``name``, if a row does not have n_hidden values or a value lies outside
            [0, 1].
        """
        arr2 = self._rows(h, name, self.n_hidden, "n_hidden")
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
        """Joint energy E(v, h), shape (n_samples,) (see the module docstring).

        Bernoulli visible units: E(v, h) = -v^T W h - a^T v - b^T h; Gaussian:
        E(v, h) = sum_i (v_i - a_i)^2 / (2 sigma_i^2) - (v / sigma)^T W h - b^T h.

        Parameters
        ----------
        v : array_like, shape (n_samples, n_visible) or (n_visible,)
            Visible states.
        h : array_like, shape (n_samples, n_hidden) or (n_hidden,)
            Hidden states, 0 or 1, one row per row of ``v``.

        Returns
        -------
        ndarray, shape (n_samples,)

        References
        ----------
        Smolensky, P. (1986). Information processing in dynamical systems: foundations of
        harmony theory. In Parallel Distributed Processing, vol. 1, 194-281. MIT Press.

        Examples
        --------
        >>> rbm = RBM.from_params([[1.0, 2.0]], visible_bias=[0.5])
        >>> rbm.energy([[1.0]], [[1.0, 1.0]])  # -(1 + 2) - 0.5
        array([-3.5])
        """
        v2 = self.check_visible(v)
        h2 = self.check_hidden(h)
        if v2.shape[0] != h2.shape[0]:
            raise ValueError(
                f"v and h must have the same number of rows, got {v2.shape[0]} and {h2.shape[0]}"
            )
        interaction = np.einsum("bj,bj->b", self._scaled(v2) @ self.weights, h2)
        return self._visible_term(v2) - interaction - h2 @ self.hidden_bias

    def hidden_input(self, v: np.ndarray) -> np.ndarray:
        """Total input to the hidden units, b + (v / sigma) W, shape (n_samples, n_hidden).

        Parameters
        ----------
        v : ndarray, shape (n_samples, n_visible)
            Checked visible rows (see :meth:`check_visible`).

        Returns
        -------
        ndarray, shape (n_samples, n_hidden)
        """
        return self._scaled(v) @ self.weights + self.hidden_bias

    def free_energy(self, v: Any) -> np.ndarray:
        """Free energy F(v) = -log sum_h exp(-E(v, h)), shape (n_samples,), stable for any input.

        F(v) = visible term - sum_j softplus(b_j + ((v / sigma) W)_j), softplus via
        ``np.logaddexp(0, x)``. Softmax groups do not change the formula (they restrict
        which v are states, not the energy of a state).

        Parameters
        ----------
        v : array_like, shape (n_samples, n_visible) or (n_visible,)

        Returns
        -------
        ndarray, shape (n_samples,)

        References
        ----------
        Hinton, G. E. (2010). A practical guide to training restricted Boltzmann machines.
        UTML TR 2010-003, University of Toronto.

        Examples
        --------
        >>> rbm = RBM(3, 2, rng=0, weight_scale=0.0)  # F(v) = -2 log 2 for every v
        >>> np.round(rbm.free_energy([[0, 1, 1]]), 4)
        array([-1.3863])
        """
        v2 = self.check_visible(v)
        return self._visible_term(v2) - np.logaddexp(0, self.hidden_input(v2)).sum(axis=1)

    # -- conditionals and sampling ---------------------------------------------------------
    def hidden_probabilities(self, v: Any) -> np.ndarray:
        """p(h_j = 1 | v) = sigmoid(b_j + ((v / sigma) W)_j), shape (n_samples, n_hidden).

        Parameters
        ----------
        v : array_like, shape (n_samples, n_visible) or (n_visible,)
            Visible rows (probabilities are allowed for Bernoulli units: mean-field inputs).

        Returns
        -------
        ndarray, shape (n_samples, n_hidden)
        """
        return sigmoid(self.hidden_input(self.check_visible(v)))

    def visible_mean(self, h: Any) -> np.ndarray:
        """E[v | h], shape (n_samples, n_visible).

        Bernoulli: sigmoid(a + W h) for free units and, in each softmax group g,
        softmax_{k in g}(a_k + (W h)_k); Gaussian: a + sigma W h.

        Parameters
        ----------
        h : array_like, shape (n_samples, n_hidden) or (n_hidden,)

        Returns
        -------
        ndarray, shape (n_samples, n_visible)
        """
        h2 = self.check_hidden(h)
        x = h2 @ self.weights.T
        if self.visible == "bernoulli":
            x += self.visible_bias
            mean = sigmoid(x)
            for g in self._groups:
                mean[:, g] = softmax(x[:, g])
            return mean
        return self.visible_bias + self.sigma * x

    def sample_hidden(self, v: Any, rng: RNGLike = 0) -> np.ndarray:
        """Draw h ~ p(h | v); shape (n_samples, n_hidden), values 0/1 in the model's dtype.

        Parameters
        ----------
        v : array_like, shape (n_samples, n_visible) or (n_visible,)
        rng : int, Generator or None
            One uniform number per hidden unit and row.

        Returns
        -------
        ndarray, shape (n_samples, n_hidden)
        """
        gen = check_rng(rng)
        p = self.hidden_probabilities(v)
        return (gen.random(p.shape, dtype=self.dtype) < p).astype(self.dtype)

    def sample_visible(self, h: Any, rng: RNGLike = 0) -> np.ndarray:
        """Draw v ~ p(v | h); shape (n_samples, n_visible).

        Each softmax group gets one unit on, drawn from its softmax (the inverse CDF of the
        uniform number drawn for the group's first unit), the free units independent bits.

        Parameters
        ----------
        h : array_like, shape (n_samples, n_hidden) or (n_hidden,)
        rng : int, Generator or None

        Returns
        -------
        ndarray, shape (n_samples, n_visible)
            Bits (Bernoulli visible units) or reals drawn from N(a + sigma W h, sigma^2)
            (Gaussian visible units).
        """
        gen = check_rng(rng)
        mean = self.visible_mean(h)
        if self.visible == "bernoulli":
            u = gen.random(mean.shape, dtype=self.dtype)
            v = (u < mean).astype(self.dtype)
            for g in self._groups:
                v[:, g] = sample_one_hot(mean[:, g], u[:, g[0]])
            return v
        return mean + self.sigma * gen.standard_normal(mean.shape, dtype=self.dtype)

    def gibbs_step(
        self, v: Any, rng: RNGLike = 0, *, clamp: Any = None, clamp_values: Any = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """One block-Gibbs step v -> h -> v'. Returns (v', h).

        ``clamp`` (bool mask, shape (n_visible,) or like v) holds those visible units at
        ``clamp_values`` (default: their values in ``v``), for completing partial inputs. A
        softmax group must be clamped whole or not at all: clamp the pixels to sample a
        label given an image, or the label to sample images of a class.

        Parameters
        ----------
        v : array_like, shape (n_samples, n_visible) or (n_visible,)
            The current visible states. Not modified.
        rng : int, Generator or None
        clamp : bool array_like, shape (n_visible,) or (n_samples, n_visible), optional
            Visible units that keep their value.
        clamp_values : array_like, broadcastable to (n_samples, n_visible), optional
            The values of the clamped units; their values in ``v`` when None.

        Returns
        -------
        v_new : ndarray, shape (n_samples, n_visible)
            v' ~ p(v | h), with the clamped units reset.
        h : ndarray, shape (n_samples, n_hidden)
            h ~ p(h | v).

        References
        ----------
        Geman, S. & Geman, D. (1984). Stochastic relaxation, Gibbs distributions, and the
        Bayesian restoration of images. IEEE Trans. PAMI 6, 721-741.
        """
        gen = check_rng(rng)
        v2 = self.check_visible(v)
        h = self.sample_hidden(v2, gen)
        v_new = self.sample_visible(h, gen)
        if clamp is not None:
            mask = one_of_k.check_clamp(self._groups, clamp, v2.shape)
            fixed = v2 if clamp_values is None else np.broadcast_to(clamp_values, v2.shape)
            v_new = np.where(mask, fixed, v_new).astype(self.dtype)
        return v_new, h

    def _noise(self, n: int, gen: np.random.Generator) -> np.ndarray:
        """``n`` visible rows of noise: uniform bits with one uniformly chosen unit on in each
        softmax group, or N(a, sigma^2)."""
        if self.visible == "bernoulli":
            u = gen.random((n, self.n_visible), dtype=self.dtype)
            v = (u < 0.5).astype(self.dtype)
            for g in self._groups:
                v[:, g] = sample_one_hot(np.ones((n, g.size), self.dtype), u[:, g[0]])
            return v
        noise = gen.standard_normal((n, self.n_visible), dtype=self.dtype)
        return self.visible_bias + self.sigma * noise

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
            Number of chains started from noise (uniform bits with one uniformly chosen unit
            on in each softmax group, or N(a, sigma^2)); ignored when ``init`` is given.
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
            Visible units held at their initial values (e.g. the bottom half of a digit, or
            the pixels of an image while its label is sampled); softmax groups whole or not.

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
            v = self._noise(check_int(n_samples, "n_samples", minimum=1), gen)
        else:
            v = np.array(self.check_visible(init, "init"), copy=True)
        fixed = v.copy() if clamp is not None else None
        if clamp is not None:
            one_of_k.check_clamp(self._groups, clamp, v.shape)
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

    # -- classification with a softmax group ---------------------------------------------
    def _group(self, group: Any) -> np.ndarray:
        if not self._groups:
            raise ValueError(
                "label_probabilities needs a softmax group (build the RBM with "
                "softmax_groups=...), got a model without softmax groups"
            )
        g = check_int(group, "group", minimum=0, maximum=len(self._groups) - 1)
        return self._groups[g]

    def label_probabilities(self, v: Any, group: int = 0) -> np.ndarray:
        """Exact p(v_g = e_k | rest of v) for each row and class k, shape (n_samples, K).

        p(y = k | x) = exp(-F(x, e_k)) / sum_l exp(-F(x, e_l)), with (a_k the bias of the
        group's k-th unit, W_k its row of weights, x the other visible units)

            -F(x, e_k) = a_k + sum_j softplus(b_j + W_kj + sum_{i not in g} x_i W_ij) + const,

        normalised by a softmax with the maximum subtracted (Larochelle & Bengio 2008:
        how a classification RBM predicts). Cost O(n_samples K n_hidden), in row blocks.

        Parameters
        ----------
        v : array_like, shape (n_samples, n_visible) or (n_samples, n_visible - K)
            Full visible rows (the group's columns are ignored, any values), or the other
            visible units only, in increasing order of their indices. Other groups must be
            valid (see :meth:`check_visible`). One row may be given as a 1-D vector.
        group : int
            Which softmax group (index into ``softmax_groups``) is the label.

        Returns
        -------
        ndarray, shape (n_samples, K), the model's dtype; rows sum to 1.

        References
        ----------
        Larochelle, H. & Bengio, Y. (2008). Classification using discriminative restricted
        Boltzmann machines. ICML 2008, 536-543.
        """
        return one_of_k.label_probabilities(self, v, self._group(group), group)

    def predict_label(self, v: Any, group: int = 0) -> np.ndarray:
        """The most probable class of each row, argmax_k p(v_g = e_k | rest of v).

        Parameters
        ----------
        v, group
            As for :meth:`label_probabilities`.

        Returns
        -------
        ndarray of int64, shape (n_samples,)
            Class indices k in [0, K) (the k-th unit of the group).
        """
        return np.argmax(self.label_probabilities(v, group), axis=1).astype(np.int64)

    # -- persistence -----------------------------------------------------------------------
    def get_params(self) -> dict[str, Any]:
        """Arrays and settings that define the model (used by :mod:`energynets.io`).

        With softmax groups, also ``softmax_units`` (the groups' indices, concatenated) and
        ``softmax_sizes`` (their sizes), both int64; without, these keys are absent.

        Returns
        -------
        dict
            ``weights``, ``visible_bias``, ``hidden_bias``, ``sigma``, ``visible`` (and the
            two softmax keys).
        """
        params: dict[str, Any] = {
            "weights": self.weights,
            "visible_bias": self.visible_bias,
            "hidden_bias": self.hidden_bias,
            "sigma": self.sigma,
            "visible": self.visible,
        }
        if self._groups:
            params["softmax_units"] = np.concatenate(self._groups)
            params["softmax_sizes"] = np.array([g.size for g in self._groups], dtype=np.int64)
        return params
