"""The annealing path of an RBM (Salakhutdinov & Murray 2008), hidden units summed out.

The path runs from a base-rate model, the RBM without weights whose visible biases match
the data (:func:`base_rate_bias`), to the RBM, through the RBMs of weights beta W: see
:class:`RBMPath`. Its log-weight increments sum softplus differences that nearly cancel for
the small steps of an annealing schedule; :func:`_softplus_increments` sums them by a series
free of cancellation, so float32 models stay float32 without losing the increments.

References
----------
Salakhutdinov, R. & Murray, I. (2008). On the quantitative analysis of deep belief networks.
ICML 2008, 872-879.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from energynets._validation import as_float_array, check_choice, check_float
from energynets.models._units import sample_one_hot, softmax
from energynets.models.rbm import RBM, check_softmax_groups
from energynets.sampling.annealing_paths import base_biases

__all__ = ["RBMPath", "base_rate_bias"]

#: Largest error allowed, per hidden unit and step, when the softplus increments of
#: :class:`RBMPath` are summed by their Taylor series instead of being computed exactly.
_TAYLOR_TOLERANCE = 1e-11
#: (degree d, largest m = |beta_to - beta_from| max_j |x_j| for which degree d is enough):
#: the remainder after degree d is at most 2 (m / pi)^(d + 1) (see _softplus_increments).
_TAYLOR_LIMITS = tuple((d, float(np.pi * _TAYLOR_TOLERANCE ** (1.0 / (d + 1)))) for d in (2, 3, 4))


def _capped_sigmoid(
    x: np.ndarray, scale: float = 1.0, shift: Any = None, out: np.ndarray | None = None
) -> np.ndarray:
    """sigma(scale x + shift) = 1 / (1 + e^-(scale x + shift)) in the dtype of x (into ``out``).

    e^-(...) is capped at e^80 (float32) or e^700 (float64), so it never overflows; below the
    cap sigma < 2e-35 (or 1e-304), far under any uniform random number compared with it.
    """
    cap = 80.0 if x.dtype == np.float32 else 700.0
    y = np.multiply(x, x.dtype.type(-scale), out=out)
    if shift is not None:
        y -= shift
    np.minimum(y, cap, out=y)
    np.exp(y, out=y)
    y += 1.0
    np.reciprocal(y, out=y)
    return y


def _softplus_increments(
    x: np.ndarray, s: np.ndarray, beta_from: float, beta_to: float
) -> np.ndarray:
    """sum_j [softplus(beta_to x_j) - softplus(beta_from x_j)] for each row, float64.

    Parameters
    ----------
    x : ndarray, shape (n_runs, n_hidden)
        The hidden inputs b + (v / sigma) W.
    s : ndarray, shape (n_runs, n_hidden)
        sigma(beta_to x), computed anyway to sample the hidden units.

    Notes
    -----
    The two softplus terms are nearly equal for the small steps of an annealing schedule
    (1e-5 in most of the Salakhutdinov & Murray schedule), so subtracting them loses most
    digits, all of them in float32. Instead, with delta = (beta_to - beta_from) x,

        softplus(y) - softplus(y - delta) = -log(1 - s + s e^-delta) = -K_s(-delta)
            = s delta - k2 delta^2 / 2 + k3 delta^3 / 6 - k4 delta^4 / 24 + ...,

    K_s the cumulant generating function of a Bernoulli(s) variable and k2 = s (1 - s),
    k3 = k2 (1 - 2 s), k4 = k2 (1 - 6 k2) its cumulants. The singularities of K_s nearest to 0
    lie at distance >= pi, and |k_n / n!| <= pi^-n for n >= 3, so stopping after degree d
    leaves at most 2 (m / pi)^(d + 1) per unit, m = max |delta|. The degree is the smallest
    of 2, 3, 4 with (m / pi)^(d + 1) <= 1e-11; larger steps are computed exactly in float64
    (with hidden inputs up to 50 in the published schedule: degree 2 for the steps of 1e-5,
    3 for those of 1e-4, exact for the 500 steps of 1e-3). Cost: a few elementwise passes
    over (n_runs, n_hidden), about a tenth of exp + log1p.
    """
    dbeta = beta_to - beta_from
    m = abs(dbeta) * max(abs(float(x.max(initial=0.0))), abs(float(x.min(initial=0.0))))
    degree = next((d for d, limit in _TAYLOR_LIMITS if m <= limit), None)
    if degree is None:
        x64 = x.astype(np.float64)
        after = np.logaddexp(0.0, beta_to * x64).sum(axis=1)
        return after - np.logaddexp(0.0, beta_from * x64).sum(axis=1)
    sx = s * x
    total = dbeta * sx.sum(axis=1).astype(np.float64)
    w = sx * x
    w -= w * s  # k2 x^2
    total -= (dbeta**2 / 2.0) * w.sum(axis=1)
    if degree >= 3:
        wx = w * x  # k2 x^3; k3 x^3 = k2 x^3 - 2 s k2 x^3
        total += (dbeta**3 / 6.0) * (wx.sum(axis=1) - 2.0 * (wx * s).sum(axis=1))
        if degree >= 4:  # k4 x^4 = k2 x^4 - 6 (k2 x^2)^2
            total -= (dbeta**4 / 24.0) * ((wx * x).sum(axis=1) - 6.0 * (w * w).sum(axis=1))
    return total


def base_rate_bias(
    data: Any,
    *,
    visible: str = "bernoulli",
    pseudo_count: float = 1.0,
    softmax_groups: Any = None,
) -> np.ndarray:
    """The visible biases a0 of the base-rate model of Salakhutdinov & Murray (2008).

    The base-rate model is the RBM without weights whose visible units match the training
    data's means, a good starting point for :class:`RBMPath`:

        Bernoulli: a0_i = log(p_i / (1 - p_i)),  p_i = (sum_n v_ni + c) / (N + 2 c);
        Gaussian:  a0_i = mean_n v_ni.

    The pseudo-count c keeps a0 finite for pixels that are always 0 or always 1 (MNIST's
    borders): with N = 60,000 and c = 1 they get a0 = -+11. The units of a softmax group g
    (K units) get the log class frequencies instead,

        a0_k = log p_k,  p_k = (sum_n v_nk + c) / (N + K c),

    so that the base model's softmax over the group matches the data.

    Parameters
    ----------
    data : array_like, shape (n_samples, n_visible)
        Training data; values in [0, 1] for Bernoulli units (grey levels count as
        probabilities).
    visible : {"bernoulli", "gaussian"}
    pseudo_count : float >= 0
        c above (Bernoulli only). 0 is allowed when no pixel is constant.
    softmax_groups : sequence, optional
        The one-of-K groups of the visible units (Bernoulli only), as for
        :class:`~energynets.models.rbm.RBM`, e.g. ``rbm.softmax_groups``.

    Returns
    -------
    ndarray, shape (n_visible,), float64

    References
    ----------
    Salakhutdinov, R. & Murray, I. (2008). On the quantitative analysis of deep belief networks.
    ICML 2008, 872-879 (the base-rate model).

    Examples
    --------
    >>> base_rate_bias([[1, 0], [1, 1], [0, 0], [1, 0]], pseudo_count=0.0)  # p = 3/4, 1/4
    array([ 1.09861229, -1.09861229])
    """
    kind = check_choice(visible, "visible", ("bernoulli", "gaussian"))
    x = as_float_array(data, "data", ndim=2, dtype=np.float64)
    groups = check_softmax_groups(softmax_groups, x.shape[1], kind)
    if kind == "gaussian":
        return x.mean(axis=0)
    c = check_float(pseudo_count, "pseudo_count", minimum=0.0)
    if x.min() < 0 or x.max() > 1:
        raise ValueError(
            f"data must lie in [0, 1] for Bernoulli visible units, got values in "
            f"[{x.min():g}, {x.max():g}]"
        )
    n = x.shape[0]
    counts = x.sum(axis=0)
    if not groups:
        p = (counts + c) / (n + 2.0 * c)
        if np.any((p <= 0) | (p >= 1)):
            raise ValueError(
                "a unit of data is always 0 or always 1, so its base-rate bias is infinite: "
                f"use pseudo_count > 0, got pseudo_count = {c:g}"
            )
        return np.log(p) - np.log1p(-p)
    free = np.ones(x.shape[1], dtype=bool)
    for g in groups:
        free[g] = False
    p = (counts[free] + c) / (n + 2.0 * c)
    if np.any((p <= 0) | (p >= 1)):
        raise ValueError(
            "a unit of data is always 0 or always 1, so its base-rate bias is infinite: "
            f"use pseudo_count > 0, got pseudo_count = {c:g}"
        )
    a0 = np.zeros(x.shape[1])
    a0[free] = np.log(p) - np.log1p(-p)
    for i, g in enumerate(groups):
        p_group = (counts[g] + c) / (n + g.size * c)
        if np.any(p_group <= 0):
            raise ValueError(
                f"a class of softmax_groups[{i}] never occurs in data, so its base-rate bias "
                f"is -inf: use pseudo_count > 0, got pseudo_count = {c:g}"
            )
        a0[g] = np.log(p_group)
    return a0


class RBMPath:
    """The annealing path of Salakhutdinov & Murray (2008) for an RBM, hidden units summed out.

    Base: the RBM with no weights and no hidden biases and visible biases a0 (the base-rate
    model); target: the RBM. The intermediate distributions over the visible units are::

        Bernoulli: f_beta(v) = exp((1 - beta) a0.v + beta a.v) prod_j (1 + exp(beta x_j(v))),
        Gaussian:  f_beta(v) = exp(-sum_i [(1 - beta)(v_i - a0_i)^2 + beta (v_i - a_i)^2]
                   / (2 sigma_i^2)) prod_j (1 + exp(beta x_j(v))),

    with x(v) = b + (v / sigma) W the hidden inputs (sigma = 1 for Bernoulli units): each is
    the marginal of the RBM with weights beta W, hidden biases beta b and visible biases
    (1 - beta) a0 + beta a (:meth:`intermediate`). So

        log Z_0 = n_hidden log 2 + sum_i softplus(a0_i)          (Bernoulli)
        log Z_0 = n_hidden log 2 + sum_i log(sqrt(2 pi) sigma_i)  (Gaussian, N(a0, sigma^2))

    and the base is sampled exactly (independent units). The transition at beta is one block
    Gibbs step v -> h -> v' of the intermediate RBM:

        h_j ~ Bernoulli(sigma(beta x_j(v))),
        v'_i ~ Bernoulli(sigma((1 - beta) a0_i + beta (a_i + (W h)_i)))           (Bernoulli)
        v'_i ~ N((1 - beta) a0_i + beta a_i + beta sigma_i (W h)_i, sigma_i^2)     (Gaussian)

    Softmax (one-of-K) groups of the model keep f_beta (the energy is the same, the states
    one-hot in each group): the base is independent softmax units, one class per group drawn
    from softmax(a0_g), its sum over a group is logsumexp_{k in g}(a0_k) instead of the
    softplus terms, so log Z_0 = n_hidden log 2 + sum_{i free} softplus(a0_i) + sum_g
    logsumexp_{k in g}(a0_k); the transition draws each group from softmax_{k in g}((1 - beta)
    a0_k + beta (a_k + (W h)_k)). :func:`base_rate_bias` gives a group the log class
    frequencies.

    and the log-weight increment between beta and beta' is

        (beta' - beta) c.v + d + sum_j [softplus(beta' x_j) - softplus(beta x_j)],

    c = a - a0 (Bernoulli) or (a - a0) / sigma^2, d = -sum (a^2 - a0^2) / (2 sigma^2)
    (Gaussian). :meth:`step` computes x = b + (v / sigma) W once for the increment and the
    hidden sample: one matrix product v W and one h W^T per temperature, plus O(n_hidden)
    elementwise work per run (the softplus differences by a cancellation-free series, see
    :func:`_softplus_increments`). Float32 models stay float32; weights are summed in float64.

    Parameters
    ----------
    rbm : RBM
        The target. Not modified; the path keeps a reference (do not train it meanwhile).
    base_visible_bias : array_like, shape (n_visible,), optional
        a0. Default: the model's own visible biases (the base is then the RBM with its
        weights and hidden biases switched off). Salakhutdinov & Murray use the base rates of
        the training data, :func:`base_rate_bias`, which usually gives a lower variance.

    References
    ----------
    Salakhutdinov, R. & Murray, I. (2008). On the quantitative analysis of deep belief
    networks. ICML 2008, 872-879.

    Examples
    --------
    >>> rbm = RBM(4, 2, rng=0)
    >>> path = RBMPath(rbm, base_visible_bias=[0.0, 0.0, 1.0, -1.0])
    >>> round(path.log_z_base, 4)  # 2 log 2 + 2 log 2 + log(1 + e) + log(1 + 1/e)
    4.3991
    """

    def __init__(self, rbm: RBM, base_visible_bias: Any = None) -> None:
        if not isinstance(rbm, RBM):
            raise TypeError(f"rbm must be an RBM, got {type(rbm).__name__}")
        dtype = rbm.dtype
        a0 = base_biases(base_visible_bias, "base_visible_bias", rbm.visible_bias, "n_visible")
        self.model = rbm
        self.base_visible_bias = a0
        self._groups = rbm.softmax_groups
        self._free = rbm.free_units
        a = rbm.visible_bias
        if rbm.visible == "bernoulli":
            self._slope = (a - a0).astype(dtype)
            self._offset = 0.0
        else:
            var = rbm.sigma.astype(np.float64) ** 2
            self._slope = ((a - a0) / rbm.sigma**2).astype(dtype)
            a64, a064 = a.astype(np.float64), a0.astype(np.float64)
            self._offset = float(-np.sum((a64**2 - a064**2) / (2.0 * var)))

    def __repr__(self) -> str:
        return f"RBMPath({self.model!r})"

    @property
    def log_z_base(self) -> float:
        """log Z_0 = n_hidden log 2 + sum_i softplus(a0_i), or + sum_i log(sqrt(2 pi) sigma_i);
        a softmax group g contributes logsumexp_{k in g}(a0_k) instead of its softplus terms."""
        m = self.model
        hidden = m.n_hidden * np.log(2.0)
        if m.visible == "bernoulli" and self._groups:
            from scipy.special import logsumexp

            a0 = self.base_visible_bias.astype(float)
            groups = sum(float(logsumexp(a0[g])) for g in self._groups)
            return float(hidden + np.sum(np.logaddexp(0.0, a0[self._free])) + groups)
        if m.visible == "bernoulli":
            return float(hidden + np.sum(np.logaddexp(0.0, self.base_visible_bias.astype(float))))
        return float(hidden + np.sum(0.5 * np.log(2.0 * np.pi) + np.log(m.sigma.astype(float))))

    def sample_base(self, n_samples: int, rng: np.random.Generator) -> np.ndarray:
        """Independent visible units: v_i ~ Bernoulli(sigma(a0_i)) or N(a0_i, sigma_i^2); one
        unit on in each softmax group g, drawn from softmax(a0_g).

        Parameters
        ----------
        n_samples : int >= 0
            Rows of the result: visible vectors (the hidden units are summed out).
        rng : numpy.random.Generator

        Returns
        -------
        ndarray, shape (n_samples, n_visible), the model's dtype.
        """
        m = self.model
        shape = (n_samples, m.n_visible)
        if m.visible == "bernoulli":
            p = _capped_sigmoid(self.base_visible_bias)
            u = rng.random(shape, dtype=m.dtype)
            if not self._groups:
                return np.less(u, p, out=u)
            v = np.less(u, p).astype(m.dtype)
            for g in self._groups:
                probs = softmax(self.base_visible_bias[None, g])
                v[:, g] = sample_one_hot(np.repeat(probs, n_samples, axis=0), u[:, g[0]])
            return v
        return self.base_visible_bias + m.sigma * rng.standard_normal(shape, dtype=m.dtype)

    def _visible_bias_at(self, beta: float) -> np.ndarray:
        """(1 - beta) a0 + beta a, the visible biases (or means) of the intermediate RBM."""
        a0, a = self.base_visible_bias, self.model.visible_bias
        dt = self.model.dtype.type
        return dt(1.0 - beta) * a0 + dt(beta) * a

    def intermediate(self, beta: float) -> RBM:
        """The RBM whose visible marginal is p_beta: weights beta W, hidden biases beta b,
        visible biases (1 - beta) a0 + beta a (for Gaussian units its free energy differs from
        -log f_beta by a constant, beta (1 - beta) sum (a - a0)^2 / (2 sigma^2)).

        Parameters
        ----------
        beta : float in [0, 1]
            0 gives the base-rate model (no weights, visible biases a0), 1 the RBM itself.

        Returns
        -------
        RBM
        """
        bt = check_float(beta, "beta", minimum=0.0, maximum=1.0)
        m = self.model
        return RBM.from_params(
            m.weights * m.dtype.type(bt),
            self._visible_bias_at(bt),
            m.hidden_bias * m.dtype.type(bt),
            visible=m.visible,
            sigma=m.sigma,
            dtype=m.dtype,
            softmax_groups=self._groups,
        )

    def log_unnormalized(self, states: np.ndarray, beta: float) -> np.ndarray:
        """log f_beta(v) (see the class docstring), shape (n_samples,), float64.

        Parameters
        ----------
        states : ndarray, shape (n_samples, n_visible)
            Visible vectors; the hidden units are summed out.
        beta : float in [0, 1]

        Returns
        -------
        ndarray of float64, shape (n_samples,)
        """
        m = self.model
        v = states.astype(np.float64)
        sigma = m.sigma.astype(np.float64)
        scaled = v if m.visible == "bernoulli" else v / sigma
        x = scaled @ m.weights.astype(np.float64) + m.hidden_bias.astype(np.float64)
        hidden = np.logaddexp(0.0, beta * x).sum(axis=1)
        a0, a = self.base_visible_bias.astype(np.float64), m.visible_bias.astype(np.float64)
        if m.visible == "bernoulli":
            return hidden + v @ ((1.0 - beta) * a0 + beta * a)
        quad = (1.0 - beta) * (v - a0) ** 2 + beta * (v - a) ** 2
        return hidden - np.sum(quad / (2.0 * sigma**2), axis=1)

    def _increment(
        self, states: np.ndarray, x: np.ndarray, s: np.ndarray, beta_from: float, beta_to: float
    ) -> np.ndarray:
        visible = (beta_to - beta_from) * ((states @ self._slope).astype(np.float64) + self._offset)
        return visible + _softplus_increments(x, s, beta_from, beta_to)

    def log_weight_increment(
        self, states: np.ndarray, beta_from: float, beta_to: float
    ) -> np.ndarray:
        """log f_beta_to(v) - log f_beta_from(v), shape (n_samples,), float64, computed
        without cancellation (see the class docstring).

        Parameters
        ----------
        states : ndarray, shape (n_samples, n_visible)
            Visible vectors, the model's dtype.
        beta_from, beta_to : float in [0, 1]
            Two neighbouring inverse temperatures (the steps of a schedule are small).

        Returns
        -------
        ndarray of float64, shape (n_samples,)
        """
        x = self.model.hidden_input(states)
        s = _capped_sigmoid(x, beta_to)
        return self._increment(states, x, s, beta_from, beta_to)

    def _gibbs_from_probabilities(
        self, s: np.ndarray, beta: float, rng: np.random.Generator
    ) -> np.ndarray:
        """h ~ Bernoulli(s), then v' ~ p_beta(v | h). ``s`` is overwritten."""
        m = self.model
        dt = m.dtype.type
        h = np.less(rng.random(s.shape, dtype=m.dtype), s, out=s)
        z = h @ m.weights.T
        if m.visible == "bernoulli" and self._groups:
            # (1 - beta) a0 + beta (a + W h): sigmoid for the free units, softmax in a group
            shift = self._visible_bias_at(beta)
            logits = [z[:, g] * dt(beta) + shift[g] for g in self._groups]
            _capped_sigmoid(z, beta, shift, out=z)
            u = rng.random(z.shape, dtype=m.dtype)
            np.less(u, z, out=z)
            for g, x in zip(self._groups, logits, strict=True):
                z[:, g] = sample_one_hot(softmax(x), u[:, g[0]])
            return z
        if m.visible == "bernoulli":
            _capped_sigmoid(z, beta, self._visible_bias_at(beta), out=z)
            return np.less(rng.random(z.shape, dtype=m.dtype), z, out=z)
        z *= dt(beta)
        z *= m.sigma
        z += self._visible_bias_at(beta)
        z += m.sigma * rng.standard_normal(z.shape, dtype=m.dtype)
        return z

    def transition(self, states: np.ndarray, beta: float, rng: np.random.Generator) -> np.ndarray:
        """One block-Gibbs step v -> h -> v' of the intermediate RBM at ``beta`` (leaves
        p_beta invariant); ``states`` is not modified.

        Parameters
        ----------
        states : ndarray, shape (n_samples, n_visible)
            Visible vectors, one per run.
        beta : float in [0, 1]
        rng : numpy.random.Generator
            Draws h, then v'.

        Returns
        -------
        ndarray, shape (n_samples, n_visible), a new array
        """
        x = self.model.hidden_input(states)
        return self._gibbs_from_probabilities(_capped_sigmoid(x, beta, out=x), beta, rng)

    def step(
        self, states: np.ndarray, beta_from: float, beta_to: float, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        """``log_weight_increment(states, beta_from, beta_to)`` and then
        ``transition(states, beta_to, rng)``, sharing x = b + (v / sigma) W and sigma(beta_to x).

        Parameters
        ----------
        states : ndarray, shape (n_samples, n_visible)
            Visible vectors at ``beta_from``'s step of the schedule.
        beta_from, beta_to : float in [0, 1]
            The step: the increment is taken from ``beta_from`` to ``beta_to``, the
            transition at ``beta_to``.
        rng : numpy.random.Generator

        Returns
        -------
        increment : ndarray, shape (n_samples,), float64
        states : ndarray, shape (n_samples, n_visible), a new array
        """
        x = self.model.hidden_input(states)
        s = _capped_sigmoid(x, beta_to)
        increment = self._increment(states, x, s, beta_from, beta_to)
        return increment, self._gibbs_from_probabilities(s, beta_to, rng)
