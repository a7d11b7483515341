"""Centring of RBMs (Melchior, Fischer & Wiskott 2016): the same model, a better gradient.

A centred RBM (:class:`CenteredRBM`) measures the units from offsets mu (visible) and lambda
(hidden); :func:`center` and :func:`uncenter` convert between the parametrisations without
changing the distribution, and :func:`centered_gradient` turns the ordinary gradient into the
centred one. :class:`Centering` is the piece the RBM trainer applies to every update
(``fit_rbm(..., centering=True)``, Algorithm 1 of the paper).

References
----------
Melchior, J., Fischer, A. & Wiskott, L. (2016). How to center deep Boltzmann machines.
JMLR 17(99), 1-61.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from energynets._validation import as_float_array
from energynets.learning._penalties import Regularizer, Update
from energynets.metrics import RBMGradient
from energynets.models.rbm import RBM

__all__ = ["CENTERING_RATE", "CenteredRBM", "center", "centered_gradient", "uncenter"]

#: Sliding factor nu of the hidden offset lambda <- (1 - nu) lambda + nu <q>_batch under
#: centering (Melchior, Fischer & Wiskott 2016 use 0.01).
CENTERING_RATE = 0.01


class CenteredRBM(NamedTuple):
    """The parameters of a centred RBM (Melchior, Fischer & Wiskott 2016).

    Bernoulli visible units:

        E_c(v, h) = -(v - mu)^T W (h - lambda) - a_c^T (v - mu) - b_c^T (h - lambda)

    Gaussian visible units (s = v / sigma):

        E_c(v, h) = sum_i (v_i - a_c,i)^2 / (2 sigma_i^2) - (s - mu)^T W (h - lambda)
                    - b_c^T (h - lambda)

    Expanding shows an ordinary RBM with the same W and biases

        a = a_c - sigma * (W lambda),   b = b_c - W^T mu,

    and an energy lower by a constant, so the distribution is the same (:func:`center`,
    :func:`uncenter`). What changes is the gradient (:func:`centered_gradient`).

    Attributes
    ----------
    weights : ndarray, shape (n_visible, n_hidden)
    visible_bias : ndarray, shape (n_visible,)
        a_c.
    hidden_bias : ndarray, shape (n_hidden,)
        b_c.
    visible_offset : ndarray, shape (n_visible,)
        mu, in units of v / sigma (the data mean of v / sigma in training).
    hidden_offset : ndarray, shape (n_hidden,)
        lambda (a running mean of the hidden probabilities given data in training).

    References
    ----------
    Melchior, J., Fischer, A. & Wiskott, L. (2016). How to center deep Boltzmann machines. JMLR
    17(99), 1-61.

    Examples
    --------
    Centring changes the parametrisation, not the model:

    >>> from energynets.models import RBM
    >>> rbm = RBM(4, 3, rng=0, weight_scale=1.0)
    >>> centered = center(rbm, np.full(4, 0.5), np.full(3, 0.5))
    >>> back = uncenter(centered)
    >>> bool(np.allclose(back.visible_bias, rbm.visible_bias))
    True
    >>> v = np.array([[1.0, 0.0, 1.0, 1.0]])
    >>> bool(np.allclose(back.free_energy(v), rbm.free_energy(v)))
    True
    """

    weights: np.ndarray
    visible_bias: np.ndarray
    hidden_bias: np.ndarray
    visible_offset: np.ndarray
    hidden_offset: np.ndarray


def _offsets(rbm: RBM, visible_offset: Any, hidden_offset: Any) -> tuple[np.ndarray, np.ndarray]:
    mu = as_float_array(visible_offset, "visible_offset", ndim=1, dtype=rbm.dtype)
    lam = as_float_array(hidden_offset, "hidden_offset", ndim=1, dtype=rbm.dtype)
    if mu.shape != (rbm.n_visible,):
        raise ValueError(f"visible_offset must have shape ({rbm.n_visible},), got {mu.shape}")
    if lam.shape != (rbm.n_hidden,):
        raise ValueError(f"hidden_offset must have shape ({rbm.n_hidden},), got {lam.shape}")
    return mu, lam


def center(rbm: RBM, visible_offset: Any, hidden_offset: Any) -> CenteredRBM:
    """The centred parameters of ``rbm`` for offsets mu and lambda (arrays are copies).

    a_c = a + sigma * (W lambda),  b_c = b + W^T mu  (see :class:`CenteredRBM`).

    Parameters
    ----------
    rbm : RBM
    visible_offset : array_like, shape (n_visible,)
        mu, in units of v / sigma.
    hidden_offset : array_like, shape (n_hidden,)
        lambda.

    Returns
    -------
    CenteredRBM
        W (a copy), a_c, b_c and the two offsets.

    References
    ----------
    Melchior, J., Fischer, A. & Wiskott, L. (2016). How to center deep Boltzmann machines. JMLR
    17(99), 1-61.
    """
    if not isinstance(rbm, RBM):
        raise TypeError(f"rbm must be an energynets RBM, got {type(rbm).__name__}")
    mu, lam = _offsets(rbm, visible_offset, hidden_offset)
    shift = rbm.weights @ lam
    if rbm.visible == "gaussian":
        shift = shift * rbm.sigma
    return CenteredRBM(
        rbm.weights.copy(),
        rbm.visible_bias + shift,
        rbm.hidden_bias + mu @ rbm.weights,
        mu.copy(),
        lam.copy(),
    )


def uncenter(centered: CenteredRBM, visible: str = "bernoulli", sigma: Any = 1.0) -> RBM:
    """The ordinary RBM with the same distribution as a centred one.

    a = a_c - sigma * (W lambda),  b = b_c - W^T mu  (see :class:`CenteredRBM`).

    Parameters
    ----------
    centered : CenteredRBM
    visible : {"bernoulli", "gaussian"}
    sigma : float or array_like, shape (n_visible,)
        Standard deviations of Gaussian visible units.

    Returns
    -------
    RBM
        Weights W, visible bias a and hidden bias b, all copies.

    References
    ----------
    Melchior, J., Fischer, A. & Wiskott, L. (2016). How to center deep Boltzmann machines. JMLR
    17(99), 1-61.
    """
    w = as_float_array(centered.weights, "centered.weights", ndim=2)
    rbm = RBM.from_params(w, visible=visible, sigma=sigma)
    mu, lam = _offsets(rbm, centered.visible_offset, centered.hidden_offset)
    shift = rbm.weights @ lam
    if rbm.visible == "gaussian":
        shift = shift * rbm.sigma
    a_c = as_float_array(centered.visible_bias, "centered.visible_bias", ndim=1, dtype=w.dtype)
    b_c = as_float_array(centered.hidden_bias, "centered.hidden_bias", ndim=1, dtype=w.dtype)
    if a_c.shape != (rbm.n_visible,) or b_c.shape != (rbm.n_hidden,):
        raise ValueError(
            f"centered biases must have shapes ({rbm.n_visible},) and ({rbm.n_hidden},), got "
            f"{a_c.shape} and {b_c.shape}"
        )
    rbm.visible_bias = a_c - shift
    rbm.hidden_bias = b_c - mu @ rbm.weights
    return rbm


def centered_gradient(
    gradient: RBMGradient, visible_offset: Any, hidden_offset: Any, sigma: Any = 1.0
) -> RBMGradient:
    """The gradient with respect to the centred parameters, from the ordinary one.

    With a = a_c - sigma * (W lambda) and b = b_c - W^T mu (:class:`CenteredRBM`) the chain rule
    gives, for any function L of the ordinary parameters,

        dL/dW_c = dL/dW - (sigma * dL/da) lambda^T - mu (dL/db)^T,
        dL/da_c = dL/da,   dL/db_c = dL/db.

    For the log-likelihood dL/dW_c = < (s - mu)(q - lambda)^T >_data - < (s - mu)(h - lambda)^T
    >_model, the centred gradient of Melchior, Fischer & Wiskott (2016), eq. 21 and Algorithm 1.

    Parameters
    ----------
    gradient : RBMGradient
        (dL/dW, dL/da, dL/db).
    visible_offset, hidden_offset : array_like, shapes (n_visible,), (n_hidden,)
        mu (in units of v / sigma) and lambda.
    sigma : float or array_like, shape (n_visible,)
        1 for Bernoulli visible units.

    Returns
    -------
    RBMGradient

    References
    ----------
    Melchior, J., Fischer, A. & Wiskott, L. (2016). How to center deep Boltzmann machines. JMLR
    17(99), 1-61.
    """
    gw = np.asarray(gradient.weights)
    ga = np.asarray(gradient.visible_bias)
    gb = np.asarray(gradient.hidden_bias)
    mu = np.asarray(visible_offset, dtype=gw.dtype)
    lam = np.asarray(hidden_offset, dtype=gw.dtype)
    gs = ga * np.asarray(sigma, dtype=gw.dtype)
    return RBMGradient(gw - np.outer(gs, lam) - np.outer(mu, gb), ga.copy(), gb.copy())


class Centering(Regularizer):
    """The centred gradient in training (Melchior, Fischer & Wiskott 2016, Algorithm 1).

    The optimiser trains the centred parameters (:attr:`parameters`: W, a_c, b_c) with visible
    offset mu = mean of the data (in units of v / sigma) and hidden offset lambda, a running
    mean (rate :data:`CENTERING_RATE`, starting at 0.5) of <q>_data. The centred visible bias
    is shifted whenever lambda moves, so that the model is unchanged, and the model (an
    ordinary RBM) is recomputed exactly from the centred parameters after every update.

    Parameters
    ----------
    model : RBM
        The model being trained; its biases are rewritten after every update.
    data_mean : ndarray, shape (n_visible,)
        The mean of the training data, float64.
    """

    needs_positive_means = True

    def __init__(self, model: RBM, data_mean: np.ndarray) -> None:
        dt = model.dtype
        self.model = model
        self.gaussian = model.visible == "gaussian"
        self.mu = (data_mean / model.sigma if self.gaussian else data_mean).astype(dt)
        self.lam = np.full(model.n_hidden, 0.5, dtype=dt)
        centred = center(model, self.mu, self.lam)
        #: The arrays the optimiser updates: W (the model's own), a_c and b_c.
        self.parameters = [model.weights, centred.visible_bias, centred.hidden_bias]
        self.tmp_v = np.empty(model.n_visible, dt)
        self.tmp_h = np.empty(model.n_hidden, dt)
        self.outer = np.empty_like(model.weights)

    def apply(self, update: Update) -> None:
        q_positive, kernel = update.q_positive, update.kernel
        assert q_positive is not None
        sw, sb = update.steps[0], update.steps[2]
        # move lambda towards <q>_data, shifting a_c by sigma W (lambda_new - lambda) so that
        # the ordinary visible bias a = a_c - sigma W lambda (the model) is unchanged
        new_lam = (1.0 - CENTERING_RATE) * self.lam + CENTERING_RATE * q_positive
        np.matmul(self.model.weights, new_lam - self.lam, out=self.tmp_v)
        if self.gaussian:
            np.multiply(self.tmp_v, self.model.sigma, out=self.tmp_v)
        self.parameters[1] += self.tmp_v
        self.lam[...] = new_lam
        # centred gradient: g_W - (sigma g_a) lambda^T - mu g_b^T  (grad_s = sigma g_a)
        np.multiply.outer(kernel.grad_s, self.lam, out=self.outer)
        sw -= self.outer
        np.multiply.outer(self.mu, sb, out=self.outer)
        sw -= self.outer

    def after_step(self) -> None:
        # a = a_c - sigma (W lambda), b = b_c - W^T mu (CenteredRBM)
        model = self.model
        np.matmul(model.weights, self.lam, out=self.tmp_v)
        if self.gaussian:
            np.multiply(self.tmp_v, model.sigma, out=self.tmp_v)
        np.subtract(self.parameters[1], self.tmp_v, out=model.visible_bias)
        np.matmul(self.mu, model.weights, out=self.tmp_h)
        np.subtract(self.parameters[2], self.tmp_h, out=model.hidden_bias)

    def state(self) -> dict[str, np.ndarray]:
        return {
            "centred.visible_bias": self.parameters[1],
            "centred.hidden_bias": self.parameters[2],
            "centred.lambda": self.lam,
        }
