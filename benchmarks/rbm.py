"""RBM benchmarks: one epoch of CD-1 on MNIST, and the full AIS protocol on a 500-hidden model.

CD-1 (float32): one epoch over the 60000 MNIST training images, 784 -> 500, batch 100, grey
levels in [0, 1] as float32 (``datasets.load_mnist`` / 255). Ours: ``fit_rbm(RBM(784, 500,
dtype=np.float32), X, method="cd", n_epochs=1, monitor=())``. Peer: scikit-learn's
``BernoulliRBM(n_components=500, batch_size=100, n_iter=1)`` on the same float32 array; it
trains with PCD-1 (persistent chains, one per batch row), which costs the same five matrix
products per batch as CD-1. Floor: float32 GEMMs with the same number of floating-point
operations as an epoch of CD-1, 10 * N * 784 * 500 (three products for the conditionals, two
for the weight statistics), done as N / 6000 * 5 products (6000 x 784) @ (784 x 500); the ratio
floor / ours is the fraction of the GEMM FLOP rate that training achieves. Targets: at least
1.5x faster than scikit-learn, at least 50% of the GEMM rate.

AIS (float32): ``ais(rbm, n_runs=100)`` with the default schedule of Salakhutdinov & Murray
(2008): 14500 inverse temperatures, 100 runs, base rates from the model's visible biases, on a
784 -> 500 model trained for one epoch of CD-1 on 6000 MNIST images (the weights hardly matter
for the time). There is no peer on PyPI; the floor is the two (100 x 784) @ (784 x 500) float32
products per temperature that every implementation needs. Target: under 60 s.

MNIST is read from ``ENERGYNETS_DATA`` (or the data cache): the cases are skipped with a clear
message when the files are missing. ``--quick`` uses 6000 images and 1000 temperatures.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from benchmarks.runner import OURS, SECONDS, Case, Job, Target
from energynets.datasets import load_mnist
from energynets.learning.contrastive import fit_rbm
from energynets.models.rbm import RBM
from energynets.sampling.ais import AISResult, ais

GEMM = "gemm"
SKLEARN = "scikit-learn"
N_VISIBLE, N_HIDDEN, BATCH = 784, 500, 100
_GEMM_ROWS = 6000


@dataclass(frozen=True)
class CDInputs:
    data: np.ndarray  # (n, 784) float32 grey levels in [0, 1]


def _mnist_float32(n_rows: int | None) -> np.ndarray:
    images, _ = load_mnist("train")
    x = images if n_rows is None else images[:n_rows]
    return (x / np.float32(255.0)).astype(np.float32)


def _cd_setup(quick: bool) -> CDInputs:
    return CDInputs(_mnist_float32(6000 if quick else None))


def _cd_ours(inputs: CDInputs) -> Job:
    data = inputs.data

    def run() -> np.ndarray:
        model = RBM(N_VISIBLE, N_HIDDEN, dtype=np.float32, rng=0)
        trained, _ = fit_rbm(
            model, data, method="cd", k=1, n_epochs=1, batch_size=BATCH,
            learning_rate=0.01, monitor=(), rng=0,
        )  # fmt: skip
        return trained.weights

    return Job(run, note="fit_rbm(RBM(784, 500, dtype=float32), X, method='cd', n_epochs=1)")


def _cd_sklearn(inputs: CDInputs) -> Job:
    from sklearn import __version__
    from sklearn.neural_network import BernoulliRBM

    data = inputs.data

    def run() -> np.ndarray:
        model = BernoulliRBM(
            n_components=N_HIDDEN, batch_size=BATCH, n_iter=1, learning_rate=0.01,
            random_state=0,
        )  # fmt: skip
        return model.fit(data).components_.T

    return Job(run, note=f"scikit-learn {__version__}: BernoulliRBM(500, batch_size=100).fit(X)")


def _cd_gemm(inputs: CDInputs) -> Job:
    n = inputs.data.shape[0]
    n_products = 5 * n // _GEMM_ROWS  # 2 * 6000 * 784 * 500 flops each: 10 n 784 500 in all
    g = np.random.default_rng(0)
    a = g.random((_GEMM_ROWS, N_VISIBLE), dtype=np.float32)
    w = g.random((N_VISIBLE, N_HIDDEN), dtype=np.float32)
    out = np.empty((_GEMM_ROWS, N_HIDDEN), dtype=np.float32)

    def run() -> np.ndarray:
        for _ in range(n_products):
            np.matmul(a, w, out=out)
        return w

    return Job(run, note=f"{n_products} float32 products (6000 x 784) @ (784 x 500)")


def _cd_check(name: str, result: Any, inputs: CDInputs) -> None:
    w = np.asarray(result)
    assert w.shape == (N_VISIBLE, N_HIDDEN), f"{name}: weights of shape {w.shape}"
    assert w.dtype == np.float32, f"{name}: weights of dtype {w.dtype}, want float32"
    assert np.all(np.isfinite(w)), f"{name}: weights are not finite"
    if name == OURS:  # training moved the weights away from their start
        start = RBM(N_VISIBLE, N_HIDDEN, dtype=np.float32, rng=0).weights
        moved = float(np.abs(w - start).mean())
        assert moved > 1e-4, f"{name}: the weights moved by {moved:.2g} on average"


CD1 = Case(
    name="rbm-cd1-mnist-f32",
    description="One epoch of CD-1 on MNIST (60000 x 784 grey levels) -> 500 hidden, batch 100, "
    "float32; time per epoch. --quick: 6000 images.",
    setup=_cd_setup,
    ours=_cd_ours,
    peers={SKLEARN: _cd_sklearn},
    floor=(GEMM, _cd_gemm),
    unit="per epoch",
    check=_cd_check,
    targets=(
        Target(SKLEARN, 1.5, "at least 1.5x faster than scikit-learn's BernoulliRBM"),
        Target(GEMM, 0.5, "effective FLOP rate (10 N 784 500 per epoch) >= 50% of GEMM"),
    ),
)


# -- AIS --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AISInputs:
    rbm: RBM
    n_betas: int | None  # None: the default schedule (14500 temperatures)
    n_runs: int


def _ais_setup(quick: bool) -> AISInputs:
    data = (_mnist_float32(6000) > 0.5).astype(np.float32)
    rbm, _ = fit_rbm(
        RBM(N_VISIBLE, N_HIDDEN, dtype=np.float32, rng=0), data, n_epochs=1, batch_size=BATCH,
        learning_rate=0.05, monitor=(), rng=0,
    )  # fmt: skip
    return AISInputs(rbm, 1000 if quick else None, 100)


def _ais_ours(inputs: AISInputs) -> Job:
    rbm, n_betas, n_runs = inputs.rbm, inputs.n_betas, inputs.n_runs
    schedule = "Salakhutdinov & Murray schedule" if n_betas is None else f"{n_betas} betas"
    return Job(
        lambda: ais(rbm, n_runs=n_runs, n_betas=n_betas, rng=0),
        note=f"ais(rbm, n_runs={n_runs}), {schedule}",
    )


def _ais_gemm(inputs: AISInputs) -> Job:
    n_steps = 14500 if inputs.n_betas is None else inputs.n_betas
    w = inputs.rbm.weights
    g = np.random.default_rng(0)
    v = (g.random((inputs.n_runs, N_VISIBLE)) < 0.5).astype(np.float32)
    h = (g.random((inputs.n_runs, N_HIDDEN)) < 0.5).astype(np.float32)
    x_hidden = np.empty_like(h)
    x_visible = np.empty_like(v)

    def run() -> np.ndarray:  # fixed 0/1 inputs, so the products never overflow
        for _ in range(n_steps):
            np.matmul(v, w, out=x_hidden)
            np.matmul(h, w.T, out=x_visible)
        return x_visible

    return Job(run, note=f"{2 * n_steps} float32 products (100 x 784) @ (784 x 500) and back")


def _ais_check(name: str, result: Any, inputs: AISInputs) -> None:
    if name == GEMM:
        return
    assert isinstance(result, AISResult), f"{name}: returned {type(result).__name__}"
    assert np.isfinite(result.log_z), f"{name}: log Z = {result.log_z}"
    assert result.log_z_low <= result.log_z <= result.log_z_high, f"{name}: {result}"
    # log Z >= log of one term: Z >= exp(-F(0)) = prod_j (1 + e^{b_j})
    lower = float(np.logaddexp(0, inputs.rbm.hidden_bias.astype(np.float64)).sum())
    assert result.log_z > lower, f"{name}: log Z {result.log_z:.2f} below the bound {lower:.2f}"


AIS = Case(
    name="rbm-ais-mnist-500",
    description="AIS estimate of log Z for a 784 -> 500 RBM, float32, 100 runs, the "
    "Salakhutdinov & Murray schedule (14500 temperatures); time per estimate. "
    "--quick: 1000 temperatures.",
    setup=_ais_setup,
    ours=_ais_ours,
    floor=(GEMM, _ais_gemm),
    unit="per estimate",
    check=_ais_check,
    targets=(Target(SECONDS, 60.0, "the full AIS protocol in under 60 s"),),
    max_repeat=3,
)

CASES = [CD1, AIS]
