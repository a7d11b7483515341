"""Equilibrium-propagation benchmarks: one relaxation step, and an epoch of ``fit_eqprop``.

Step (float32, a batch of 50, softmax read-out, dt = 1, beta = 0.5): one nudged step of all
relaxed layers,

    s_l <- rho(s_{l-1} W_l + b_l + s_{l+1} W_{l+1}^T - beta dC/ds_l),
    -dC/ds_L = (y - softmax(s_L W_out + b_out)) W_out^T,

of a 784-500-500-10 and of a 784-500-10 network, from the states after 5 free steps (the
input's field x W_1 + b_1 computed beforehand: the relaxation computes it once per batch).
Ours: :meth:`energynets.models.eqnet.Relaxation.step` into preallocated states. Peer: PyTorch
(CPU), the same step written plainly on tensors (``@``, ``torch.softmax``, ``clamp``), with as
many threads as numpy's BLAS. Floor: the matrix products the step needs, into preallocated
outputs: s_1 W_2, s_2 W_2^T, s_2 W_out, (y - p) W_out^T for 784-500-500-10; s_1 W_out and
(y - p) W_out^T for 784-500-10 (whose one relaxed layer gets no product in its field). Target:
each step within 1.5x the floor. A job does 20 (784-500-500-10) or 200 (784-500-10) steps from
the same states; times are per step. Each implementation's new states are checked against
the step computed in float64 (to 1e-4).

Epoch (float32, MNIST): ``fit_eqprop(EnergyNetwork([784, 500, 10], "softmax",
dtype=np.float32), X, y, batch_size=50, learning_rate=[0.08, 0.04], beta=0.5,
nudging="random", n_free=30, n_nudged=10, n_epochs=1)`` on the 60000 training images as
float32 grey levels in [0, 1] (the settings of Laborieux et al.'s published command lines).
Peer: the same algorithm written plainly in PyTorch (CPU, no autograd): for each batch the
input's field once, 30 free steps from zero states, 10 nudged steps with the sign of beta
drawn for the batch, the Hebbian differences of the relaxed layer (the input's as one
product, x^T (s_free - s_nudged), as energynets does) and the read-out's gradient at the free
states, SGD with the two learning rates; from the same initial parameters, with
the same batch order and signs of beta (drawn from the same generator as ``fit_eqprop``).
Before timing, the first batches are computed by both and their free and nudged states and
parameter updates compared (to 1e-4), and after one epoch both must classify the first 2000
training images with at least 80% accuracy and agree on 97% of them. Floor: the matrix
products of the epoch as energynets does them, per batch x W_1 and x^T (s_nudged - s_free)
(50 x 784 x 500 each) and the 23 small products of the read-out (10 nudged steps, the
output and its gradient). Target: at most 0.7x PyTorch's time. ``--quick`` uses 6000 images.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from benchmarks.runner import OURS, Case, Job, Target, blas_threads
from energynets.datasets import load_mnist
from energynets.learning.eqprop import fit_eqprop
from energynets.models import eqnet
from energynets.models.eqnet import EnergyNetwork

GEMM = "gemm"
TORCH = "pytorch"
BATCH = 50
BETA = 0.5
N_FREE, N_NUDGED = 30, 10
LEARNING_RATES = (0.08, 0.04)
EPOCH_SIZES = (784, 500, 10)


def _torch() -> Any:
    import torch

    torch.set_num_threads(blas_threads())
    return torch


# -- PyTorch, written plainly ------------------------------------------------------------------
class TorchEP:
    """The layered network of :class:`EnergyNetwork` (softmax read-out, dt = 1) and its
    training by equilibrium propagation, written plainly in PyTorch (no autograd)."""

    def __init__(self, net: EnergyNetwork) -> None:
        self.torch = _torch()
        self.weights = [self.torch.from_numpy(w.copy()) for w in net.weights]
        self.biases = [self.torch.from_numpy(b.copy()) for b in net.biases]

    def step(self, bottom: Any, states: list, beta: float = 0.0, targets: Any = None) -> list:
        """rho of the fields of every relaxed layer, nudged on the last one when beta != 0."""
        w, b, n = self.weights, self.biases, len(states)
        new = []
        for i in range(n):
            a = bottom if i == 0 else states[i - 1] @ w[i] + b[i]
            if i + 1 < n:
                a = a + states[i + 1] @ w[i + 1].T
            if i + 1 == n and beta != 0.0:
                p = self.torch.softmax(states[-1] @ w[-1] + b[-1], dim=1)
                a = a + beta * ((targets - p) @ w[-1].T)
            new.append(a.clamp(0.0, 1.0))
        return new

    def relax(self, bottom: Any, states: list, n_steps: int, beta: float = 0.0,
              targets: Any = None) -> list:  # fmt: skip
        for _ in range(n_steps):
            states = self.step(bottom, states, beta, targets)
        return states

    def phases(self, x: Any, targets: Any, beta: float) -> tuple[list, list]:
        """The free states (from zero) and the nudged states (from the free ones)."""
        bottom = x @ self.weights[0] + self.biases[0]
        zero = [self.torch.zeros(x.shape[0], w.shape[1]) for w in self.weights[:-1]]
        free = self.relax(bottom, zero, N_FREE)
        return free, self.relax(bottom, free, N_NUDGED, beta, targets)

    def updates(self, x: Any, targets: Any, beta: float) -> tuple[list, list, list]:
        """The descent directions of the weights and biases (EP's Hebbian differences for
        the relaxed layers, the read-out's gradient at the free states), and the states."""
        free, nudged = self.phases(x, targets, beta)
        n = x.shape[0]
        gw, gb, below_free, below_nudged = [], [], x, x
        for i, (s0, s1) in enumerate(zip(free, nudged, strict=True)):
            if i == 0:  # the input is the same in both phases: one product
                gw.append(x.T @ (s0 - s1) / (n * beta))
            else:
                gw.append((below_free.T @ s0 - below_nudged.T @ s1) / (n * beta))
            gb.append((s0 - s1).sum(dim=0) / (n * beta))
            below_free, below_nudged = s0, s1
        error = (self.torch.softmax(free[-1] @ self.weights[-1] + self.biases[-1], dim=1)
                 - targets) / n  # fmt: skip
        return [*gw, free[-1].T @ error], [*gb, error.sum(dim=0)], [free, nudged]

    def train_batch(self, x: Any, targets: Any, beta: float) -> None:
        gw, gb, _ = self.updates(x, targets, beta)
        for w, b, g, h, rate in zip(self.weights, self.biases, gw, gb, LEARNING_RATES,
                                    strict=True):  # fmt: skip
            w -= rate * g
            b -= rate * h


# -- one step ----------------------------------------------------------------------------------
@dataclass
class StepInputs:
    net: EnergyNetwork
    x: np.ndarray  # (50, 784) float32 in [0, 1]
    targets: np.ndarray  # (50, 10) one-hot
    states: list[np.ndarray]  # after 5 free steps
    expected: list[np.ndarray]  # the nudged step in float64
    n_steps: int


def _step_setup(sizes: tuple[int, ...], n_steps: int) -> Any:
    def setup(quick: bool) -> StepInputs:
        gen = np.random.default_rng(0)
        net = EnergyNetwork(list(sizes), "softmax", rng=0, dtype=np.float32)
        # MNIST-like inputs: about 20% of the pixels lit
        x = gen.random((BATCH, sizes[0])) * (gen.random((BATCH, sizes[0])) < 0.2)
        x = x.astype(np.float32)
        targets = net.check_targets(gen.integers(0, sizes[-1], BATCH), BATCH)
        states = net.relax(x, 5)
        return StepInputs(net, x, targets, states, _exact_step(net, x, states, targets),
                          2 if quick else n_steps)  # fmt: skip

    return setup


def _exact_step(net: EnergyNetwork, x: np.ndarray, states: list, targets: np.ndarray) -> list:
    """The nudged step in float64, plainly."""
    w = [a.astype(np.float64) for a in net.weights]
    b = [a.astype(np.float64) for a in net.biases]
    s = [a.astype(np.float64) for a in states]
    n, new = len(s), []
    for i in range(n):
        a = (x @ w[0] if i == 0 else s[i - 1] @ w[i]) + b[i]
        if i + 1 < n:
            a += s[i + 1] @ w[i + 1].T
        if i + 1 == n:
            logits = s[-1] @ w[-1] + b[-1]
            p = np.exp(logits - logits.max(axis=1, keepdims=True))
            p /= p.sum(axis=1, keepdims=True)
            a += BETA * (targets - p) @ w[-1].T
        new.append(np.clip(a, 0.0, 1.0))
    return new


def _step_ours(inputs: StepInputs) -> Job:
    net, x, states, targets = inputs.net, inputs.x, inputs.states, inputs.targets
    out = [np.empty_like(s) for s in states]
    if hasattr(eqnet, "Relaxation"):
        relaxation = eqnet.Relaxation(net, x)

        def run() -> list[np.ndarray]:
            for _ in range(inputs.n_steps):
                relaxation.step(states, out, BETA, targets)
            return out

        note = "Relaxation(net, x).step(states, out, beta, targets)"
    else:  # energynets before the relaxation's buffers (for python -m benchmarks.revisions)
        bottom = x @ net.weights[0] + net.biases[0]

        def run() -> list[np.ndarray]:
            for _ in range(inputs.n_steps):
                new = net.step(x, states, 1.0, BETA, targets, bottom)
            return new

        note = "EnergyNetwork.step(x, states, 1.0, beta, targets, bottom)"
    return Job(run, n_items=inputs.n_steps, note=note)


def _step_torch(inputs: StepInputs) -> Job:
    peer = TorchEP(inputs.net)
    torch = peer.torch
    x, targets = torch.from_numpy(inputs.x), torch.from_numpy(inputs.targets)
    states = [torch.from_numpy(s) for s in inputs.states]
    bottom = x @ peer.weights[0] + peer.biases[0]

    def run() -> list[np.ndarray]:
        with torch.no_grad():
            for _ in range(inputs.n_steps):
                new = peer.step(bottom, states, BETA, targets)
        return [s.numpy() for s in new]

    return Job(run, n_items=inputs.n_steps,
               note=f"torch {torch.__version__}, {torch.get_num_threads()} thread(s)")  # fmt: skip


def _step_gemm(inputs: StepInputs) -> Job:
    net, states = inputs.net, inputs.states
    w, n = net.weights, len(states)
    pairs = []  # (a, b, out) of every product of the step
    for i in range(n):
        if i > 0:
            pairs.append((states[i - 1], w[i], np.empty_like(states[i])))
        if i + 1 < n:
            pairs.append((states[i + 1], w[i + 1].T, np.empty_like(states[i])))
    pairs.append((states[-1], w[-1], np.empty_like(inputs.targets)))
    pairs.append((inputs.targets, w[-1].T, np.empty_like(states[-1])))

    def run() -> None:
        for _ in range(inputs.n_steps):
            for a, b, out in pairs:
                np.matmul(a, b, out=out)

    return Job(run, n_items=inputs.n_steps, note=f"{len(pairs)} float32 products per step")


def _step_check(name: str, result: Any, inputs: StepInputs) -> None:
    if name == GEMM:
        return
    assert len(result) == len(inputs.expected), f"{name}: {len(result)} layers"
    for i, (got, want) in enumerate(zip(result, inputs.expected, strict=True)):
        assert got.dtype == np.float32, f"{name}: layer {i + 1} is {got.dtype}"
        error = float(np.max(np.abs(got - want)))
        assert error < 1e-4, f"{name}: layer {i + 1} differs from float64 by {error:.2g}"


def _step_case(sizes: tuple[int, ...], n_steps: int) -> Case:
    shape = "-".join(map(str, sizes))
    return Case(
        name=f"eqprop-step-{shape}",
        description=f"One nudged relaxation step of a {shape} network (softmax read-out, "
        f"dt = 1, beta = 0.5), batch 50, float32, input's field precomputed; time per step.",
        setup=_step_setup(sizes, n_steps),
        ours=_step_ours,
        peers={TORCH: _step_torch},
        floor=(GEMM, _step_gemm),
        unit="per step",
        check=_step_check,
        targets=(Target(GEMM, 1 / 1.5, "within 1.5x the matrix products of the step"),),
    )


# -- an epoch ----------------------------------------------------------------------------------
@dataclass
class EpochInputs:
    X: np.ndarray  # (n, 784) float32 grey levels in [0, 1]
    y: np.ndarray  # (n,) int64 labels
    seen: dict[str, Any] = field(default_factory=dict)  # ours' trained parameters, for the check


def _epoch_setup(quick: bool) -> EpochInputs:
    images, labels = load_mnist("train")
    n = 6000 if quick else images.shape[0]
    X = (images[:n] / np.float32(255.0)).astype(np.float32)
    return EpochInputs(X, np.asarray(labels[:n], dtype=np.int64))


def _initial_network() -> EnergyNetwork:
    return EnergyNetwork(list(EPOCH_SIZES), "softmax", rng=0, dtype=np.float32)


def _epoch_ours(inputs: EpochInputs) -> Job:
    X, y = inputs.X, inputs.y

    def run() -> tuple[list, list]:
        net, _ = fit_eqprop(
            _initial_network(), X, y, batch_size=BATCH, learning_rate=list(LEARNING_RATES),
            beta=BETA, nudging="random", n_free=N_FREE, n_nudged=N_NUDGED, n_epochs=1, rng=0,
        )  # fmt: skip
        return net.weights, net.biases

    return Job(run, note="fit_eqprop(EnergyNetwork([784, 500, 10], 'softmax', dtype=float32), "
               "X, y, n_epochs=1)")  # fmt: skip


def _check_first_batches(inputs: EpochInputs, n_batches: int = 3) -> None:
    """The peer's free and nudged states and updates equal energynets' (to 1e-4)."""
    from energynets.learning.eqprop_gradients import ep_gradient

    net = _initial_network()
    peer = TorchEP(net)
    torch = peer.torch
    for k in range(n_batches):
        xb, yb = inputs.X[k * BATCH : (k + 1) * BATCH], inputs.y[k * BATCH : (k + 1) * BATCH]
        targets = net.check_targets(yb, BATCH)
        sign = 1.0 if np.random.default_rng(k).random() < 0.5 else -1.0  # ep_gradient's draw
        ours = ep_gradient(net, xb, yb, beta=BETA, nudging="random", n_free=N_FREE,
                           n_nudged=N_NUDGED, rng=k)  # fmt: skip
        with torch.no_grad():
            gw, gb, (free, nudged) = peer.updates(
                torch.from_numpy(xb), torch.from_numpy(targets), sign * BETA
            )
        free_ours = net.relax(xb, N_FREE)
        nudged_ours = net.relax(xb, N_NUDGED, states=free_ours, beta=sign * BETA, y=yb)
        pairs = [(free_ours, free), (nudged_ours, nudged), (ours.weights, gw), (ours.biases, gb)]
        for i, (a, b) in enumerate(p for arrays in pairs for p in zip(*arrays, strict=True)):
            error = float(np.max(np.abs(a - b.numpy())))
            assert error < 1e-4, f"batch {k}: array {i} of the peer differs by {error:.2g}"


def _epoch_torch(inputs: EpochInputs) -> Job:
    _check_first_batches(inputs)
    torch = _torch()
    X = torch.from_numpy(inputs.X)
    T = torch.nn.functional.one_hot(torch.from_numpy(inputs.y), EPOCH_SIZES[-1]).float()
    n = X.shape[0]

    def run() -> tuple[list, list]:
        peer = TorchEP(_initial_network())
        gen = np.random.default_rng(0)  # fit_eqprop's draws: the order, then one sign a batch
        order = torch.from_numpy(gen.permutation(n))
        with torch.no_grad():
            for start in range(0, n, BATCH):
                index = order[start : start + BATCH]
                beta = BETA if gen.random() < 0.5 else -BETA
                peer.train_batch(X[index], T[index], beta)
        return [w.numpy() for w in peer.weights], [b.numpy() for b in peer.biases]

    return Job(run, note=f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), "
               "tensors without autograd")  # fmt: skip


def _epoch_gemm(inputs: EpochInputs) -> Job:
    n_batches = -(-inputs.X.shape[0] // BATCH)
    g = np.random.default_rng(0)
    n_in, n_hidden, n_out = EPOCH_SIZES
    x = g.random((BATCH, n_in), dtype=np.float32)
    w1 = g.random((n_in, n_hidden), dtype=np.float32)
    w2 = g.random((n_hidden, n_out), dtype=np.float32)
    s = g.random((BATCH, n_hidden), dtype=np.float32)
    e = g.random((BATCH, n_out), dtype=np.float32)
    hidden, stats = np.empty_like(s), np.empty_like(w1)
    logits, readout = np.empty_like(e), np.empty_like(w2)

    def run() -> None:
        for _ in range(n_batches):
            np.matmul(x, w1, out=hidden)
            np.matmul(x.T, s, out=stats)
            for _ in range(N_NUDGED + 1):
                np.matmul(s, w2, out=logits)
                np.matmul(e, w2.T, out=hidden)
            np.matmul(s.T, e, out=readout)

    return Job(run, note=f"{n_batches} x (2 products 50 x 784 x 500 and 23 small ones)")


def _epoch_check(name: str, result: Any, inputs: EpochInputs) -> None:
    if name == GEMM:
        return
    weights, biases = result
    net = EnergyNetwork.from_params(weights, biases, "softmax", dtype=np.float32)
    X, y = inputs.X[:2000], inputs.y[:2000]
    predicted = net.predict(X, N_FREE)
    accuracy = float(np.mean(predicted == y))
    # one epoch of EP on MNIST reaches about 95% on the training images (about 84% quick)
    assert accuracy > 0.8, f"{name}: training accuracy {accuracy:.3f} after one epoch"
    if name == OURS:
        inputs.seen[OURS] = predicted
    elif OURS in inputs.seen:
        agree = float(np.mean(predicted == inputs.seen[OURS]))
        assert agree > 0.97, f"{name}: agrees with energynets on {agree:.3f} of the images"


EPOCH = Case(
    name="eqprop-ep-mnist-f32",
    description="One epoch of equilibrium propagation on MNIST (60000 x 784 grey levels), "
    "784-500-10 softmax read-out, batch 50, n_free 30, n_nudged 10, random-sign beta 0.5, "
    "SGD, float32; time per epoch. --quick: 6000 images.",
    setup=_epoch_setup,
    ours=_epoch_ours,
    peers={TORCH: _epoch_torch},
    floor=(GEMM, _epoch_gemm),
    unit="per epoch",
    check=_epoch_check,
    targets=(Target(TORCH, 1 / 0.7, "at most 0.7x the time of the same algorithm in PyTorch"),),
)

CASES = [_step_case((784, 500, 500, 10), 20), _step_case((784, 500, 10), 200), EPOCH]
