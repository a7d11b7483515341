"""The negative phases of RBM training: where the model's particles come from.

Each is a small object with one method, ``negative(kernel, b, k) -> c``, that writes c negative
particles (visible samples and their hidden probabilities) into the kernel's negative block
(:class:`~energynets.learning._rbm_kernel.Kernel`) after the kernel loaded b positive rows;
its chain state is an explicit value (:meth:`NegativePhase.state`, checkpointed and restored
in place):

- :class:`CD`: k block-Gibbs steps started at the mini-batch itself (Hinton 2002);
- :class:`PCD`: k steps of persistent chains that continue across updates (Tieleman 2008);
- :class:`FastPCD`: PCD whose chains run on the regular weights plus fast weights that learn
  with a large rate and decay quickly (Tieleman & Hinton 2009);
- :class:`ParallelTempering`: persistent chains at a ladder of inverse temperatures with
  replica exchanges between neighbours (Desjardins et al. 2010); the exchange schedule is that
  of :func:`energynets.sampling.tempering.swap_order`.

A new negative phase is a new small class here, beside its siblings. The papers are cited in
full under :func:`energynets.fit_rbm`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from energynets.learning._rbm_kernel import Kernel, bernoulli_, sigmoid_
from energynets.models._units import sample_one_hot, softmax
from energynets.sampling.tempering import exchange_round, swap_order, swap_rates

__all__ = ["CD", "PCD", "FastPCD", "NegativePhase", "ParallelTempering"]


class NegativePhase:
    """The negative particles of each update; the base class of the negative phases.

    Parameters
    ----------
    kernel : Kernel
        The gradient kernel of the run (its negative block receives the particles).
    """

    #: Whether the kernel must allocate fast weights for this phase.
    fast_weights = False

    def __init__(self, kernel: Kernel) -> None:
        self.kernel = kernel

    def negative(self, b: int, k: int) -> int:
        """Write the negative particles of one update into the kernel; return their number."""
        raise NotImplementedError

    def state(self) -> dict[str, np.ndarray]:
        """The chain state, by name, restored in place on resume."""
        return {}

    def statistics_scale(self, step_size: float) -> float:
        """The factor the kernel's statistics carry: the step size, so that the plain update
        costs one extra pass over the weights."""
        return step_size

    def after_statistics(self, steps: Sequence[np.ndarray], step_size: float) -> None:
        """Turn the statistics into the steps (step size times the gradient) when
        :meth:`statistics_scale` left them plain."""

    def record(self, history: dict[str, list]) -> None:
        """Append this phase's own numbers to the history after an epoch."""

    def hidden_chains(self) -> np.ndarray:
        """A copy of the hidden states of the negative chains after the last update, shape
        (n_chains, n_hidden): the persistent chains' (PCD), or the samples given the last
        mini-batch that CD-k started from."""
        return self.kernel.hs[: self.kernel.C].copy()


class CD(NegativePhase):
    """CD-k: k block-Gibbs steps from a hidden sample given each row of the mini-batch."""

    last_batch = 0  # rows of the last mini-batch

    def negative(self, b: int, k: int) -> int:
        self.last_batch = b
        return self.kernel.gibbs_negative(b, k, persistent=False)

    def hidden_chains(self) -> np.ndarray:
        """The chains' last hidden samples, shape (rows of the last mini-batch, n_hidden):
        given the mini-batch itself for k = 1, given step k - 1's visible states for k > 1."""
        return self.kernel.hs[: self.last_batch].copy()


class PCD(NegativePhase):
    """PCD-k: k steps of ``n_chains`` persistent chains, started at data rows, or continued
    from given hidden states ``chains`` (shape (n_chains, n_hidden); ``start_rows`` is then
    not used)."""

    def __init__(
        self,
        kernel: Kernel,
        data: np.ndarray,
        start_rows: np.ndarray | None,
        chains: np.ndarray | None = None,
    ) -> None:
        super().__init__(kernel)
        if chains is None:
            assert start_rows is not None
            kernel.init_chains(data, start_rows)
        else:
            kernel.hs[: kernel.C] = chains

    def negative(self, b: int, k: int) -> int:
        return self.kernel.gibbs_negative(b, k, persistent=True)


class FastPCD(PCD):
    """PCD whose chains run on W + W_fast (and biases likewise), where
    W_fast <- fast_decay W_fast + fast_learning_rate g (the plain gradient g, without weight
    decay, sparsity or momentum), as Tieleman & Hinton (2009) propose.

    Parameters
    ----------
    kernel : Kernel
        Made with ``fast_weights=True`` (it adds the fast weights to the negative phase's
        parameters).
    data, start_rows, chains
        The chains start at ``data[start_rows]``, or at the hidden states ``chains``.
    learning_rate : float >= 0
        Of the fast weights.
    decay : float in [0, 1]
        Factor applied to the fast weights at every update.
    """

    fast_weights = True

    def __init__(
        self,
        kernel: Kernel,
        data: np.ndarray,
        start_rows: np.ndarray | None,
        learning_rate: float,
        decay: float,
        chains: np.ndarray | None = None,
    ) -> None:
        super().__init__(kernel, data, start_rows, chains)
        assert kernel.fast is not None
        self.fast = kernel.fast
        self.learning_rate = learning_rate
        self.decay = decay

    def state(self) -> dict[str, np.ndarray]:
        return {f"kernel.fast.{i}": a for i, a in enumerate(self.fast)}

    def statistics_scale(self, step_size: float) -> float:
        return 1.0  # the fast weights learn from the plain gradient

    def after_statistics(self, steps: Sequence[np.ndarray], step_size: float) -> None:
        for fast_param, g in zip(self.fast, steps, strict=True):
            fast_param *= self.decay
            fast_param += self.learning_rate * g
        for g in steps:
            g *= step_size


class ParallelTempering(NegativePhase):
    """Replica-exchange negative phase for RBMs (parallel tempering, Desjardins et al. 2010).

    Each of the C chains has R replicas at inverse temperatures evenly spaced in [0, 1]; each
    update runs k rounds of a Gibbs sweep of every replica followed by replica exchanges, and
    the beta = 1 replicas are the negative particles. The exchanges compare the replicas'
    tempered free energies (the hidden units summed out), see :class:`Replicas`.

    Parameters
    ----------
    kernel : Kernel
    n_temperatures : int >= 2
        R.
    data, start_rows
        Every replica starts at a data row (``start_rows`` has R C entries).
    """

    def __init__(
        self, kernel: Kernel, n_temperatures: int, data: np.ndarray, start_rows: np.ndarray
    ) -> None:
        super().__init__(kernel)
        self.replicas = Replicas(kernel, np.linspace(0.0, 1.0, n_temperatures))
        self.replicas.init_chains(data, start_rows)

    def negative(self, b: int, k: int) -> int:
        return self.replicas.negative(k)

    def state(self) -> dict[str, np.ndarray]:
        names = ("v", "x", "q", "hs", "temperature_of", "attempts", "accepts")
        return {f"tempering.{name}": getattr(self.replicas, name) for name in names}

    def record(self, history: dict[str, list]) -> None:
        history.setdefault("swap_rate", []).append(float(np.mean(self.replicas.swap_rates())))

    def hidden_chains(self) -> np.ndarray:
        """The hidden states of the beta = 1 replicas, shape (n_chains, n_hidden)."""
        return self.replicas.hs[self.replicas.cold_rows()].copy()


class Replicas:
    """The replicas of :class:`ParallelTempering` and their sweeps and exchanges.

    Each of the C chains has R replicas at inverse temperatures beta_1 < ... < beta_R = 1. The
    tempered model at beta has weights beta W and hidden bias beta b; its visible bias is
    beta a for Bernoulli units (a softmax group is sampled from softmax_k(beta (a_k +
    (W h)_k))), and a unchanged for Gaussian units (whose tempered visible
    conditional is N(a / sigma + beta W h, 1) in units of s = v / sigma). Its free energy is

        F_beta(v) = T(beta, v) - sum_j softplus(beta x_j),   x = s W + b,

    with T = -beta a.v (Bernoulli) or sum_i (v_i - a_i)^2 / (2 sigma_i^2) (Gaussian). After each
    Gibbs sweep of all replicas, neighbouring temperatures i, j = i + 1 exchange replicas with
    probability min(1, exp(F_i(v_i) + F_j(v_j) - F_i(v_j) - F_j(v_i))), first for the pairs
    (0, 1), (2, 3), ... then (1, 2), (3, 4), ..., which leaves the product of the tempered
    distributions invariant. Temperatures move between stored replicas, not states in memory.
    """

    def __init__(self, kernel: Kernel, betas: np.ndarray) -> None:
        rbm = kernel.rbm
        dt = rbm.dtype
        self.kernel = kernel
        self.betas = betas.astype(dt)
        self.R = betas.size
        C = kernel.C
        self.v = np.zeros((self.R * C, rbm.n_visible), dt)  # replica r of chain c: row r C + c
        self.x = np.empty((self.R * C, rbm.n_hidden), dt)
        self.q = np.empty((self.R * C, rbm.n_hidden), dt)
        self.hs = np.empty((self.R * C, rbm.n_hidden), dt)
        self.uniform_h = np.empty((self.R * C, rbm.n_hidden), dt)
        self.uniform_v = np.empty((self.R * C, rbm.n_visible), dt)
        self.noise = np.empty((self.R * C, rbm.n_visible), dt)
        # temperature_of[r, c]: index into betas of stored replica r of chain c
        self.temperature_of = np.repeat(np.arange(self.R)[:, None], C, axis=1)
        self.attempts = np.zeros(self.R - 1, dtype=np.int64)
        self.accepts = np.zeros(self.R - 1, dtype=np.int64)

    def init_chains(self, data: np.ndarray, index: np.ndarray) -> None:
        """Start every replica at a data row (``index`` has R * C entries)."""
        self.kernel.load_rows(data, index, self.v)

    def _row_betas(self) -> np.ndarray:
        return self.betas[self.temperature_of].reshape(-1, 1)

    def _inputs(self) -> None:
        k = self.kernel
        np.matmul(self.v, k.neg_w, out=self.x)
        self.x += k.neg_b

    def _sweep(self) -> None:
        """One block-Gibbs sweep of every replica at its own temperature; x <- s W + b."""
        k = self.kernel
        beta = self._row_betas()
        np.multiply(self.x, beta, out=self.q)
        sigmoid_(self.q)
        bernoulli_(self.q, self.uniform_h, self.hs, k.gen)
        np.matmul(self.hs, k.neg_w.T, out=self.v)
        if k.gaussian:
            self.v *= beta
            self.v += k.neg_a
            k.gen.standard_normal(out=self.noise, dtype=self.noise.dtype)
            self.v += self.noise
        else:
            self.v += k.neg_a
            self.v *= beta
            # softmax groups: p(v_g = e_k | h) = softmax_k(beta (a_k + (W h)_k)), drawn with
            # the uniform of the group's first unit after every unit was sampled as a bit
            logits = [self.v[:, g] for g in k.groups]  # fancy indexing: copies
            sigmoid_(self.v)
            bernoulli_(self.v, self.uniform_v, self.v, k.gen)
            for g, z in zip(k.groups, logits, strict=True):
                self.v[:, g] = sample_one_hot(softmax(z), self.uniform_v[:, g[0]])
        self._inputs()

    def _exchange(self) -> None:
        """One round of replica exchanges between neighbouring temperatures
        (:func:`energynets.sampling.tempering.exchange_round`), accepted with probability
        min(1, exp(F_i(v_a) + F_j(v_b) - F_i(v_b) - F_j(v_a))) for the replicas a at beta_i
        and b at beta_j = beta_{i + 1}."""
        k = self.kernel
        C = k.C
        x = self.x.reshape(self.R, C, -1)
        linear = None if k.gaussian else (self.v @ k.neg_a).reshape(self.R, C).astype(np.float64)
        betas = self.betas.astype(np.float64)
        chains = np.arange(C)

        def log_ratio(i: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
            bi, bj = betas[i], betas[i + 1]
            xa = x[a, chains].astype(np.float64)  # (C, n_hidden)
            xb = x[b, chains].astype(np.float64)
            ratio = (
                np.logaddexp(0.0, bi * xb).sum(axis=1)
                + np.logaddexp(0.0, bj * xa).sum(axis=1)
                - np.logaddexp(0.0, bi * xa).sum(axis=1)
                - np.logaddexp(0.0, bj * xb).sum(axis=1)
            )
            if linear is not None:
                ratio += (bj - bi) * (linear[a, chains] - linear[b, chains])
            return ratio

        order = swap_order(self.R)  # (0, 1), (2, 3), ... then (1, 2), (3, 4), ...
        uniforms = k.gen.random((order.size, C), dtype=self.v.dtype)
        slot = np.argsort(self.temperature_of, axis=0)  # slot[t, c]: the replica at t
        accepted = exchange_round(slot, order, log_ratio, uniforms)
        np.add.at(self.attempts, order, C)
        np.add.at(self.accepts, order, accepted.sum(axis=1))
        np.put_along_axis(
            self.temperature_of, slot, np.arange(self.R)[:, None].repeat(C, axis=1), axis=0
        )

    def negative(self, n_steps: int) -> int:
        """Run n_steps sweep-and-exchange rounds; copy the beta = 1 replicas (and their hidden
        probabilities at beta = 1) into the kernel's negative block. Returns C."""
        k = self.kernel
        C = k.C
        self._inputs()
        for _ in range(n_steps):
            self._sweep()
            self._exchange()
        cold = self.cold_rows()
        neg_v = k.v[k.P : k.P + C]
        neg_q = k.h[k.B : k.B + C]
        np.take(self.v, cold, axis=0, out=neg_v)
        np.take(self.x, cold, axis=0, out=neg_q)
        sigmoid_(neg_q)
        return C

    def cold_rows(self) -> np.ndarray:
        """The rows of the beta = 1 replicas, one per chain."""
        C = self.kernel.C
        return np.argmax(self.temperature_of == self.R - 1, axis=0) * C + np.arange(C)

    def swap_rates(self) -> np.ndarray:
        return swap_rates(self.attempts, self.accepts)
