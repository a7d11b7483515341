"""Dense associative memory and modern Hopfield retrieval throughput, against the GEMM floor.

Cases (N = 100 units, P = 10000 random patterns, probes with 10% of their bits flipped):

- ``dense-exponential-sync``: :class:`energynets.DenseAssociativeMemory` with F(z) = exp(z)
  (Demircigil et al. 2017), synchronous updates until nothing moves (one update retrieves,
  one more confirms the fixed point), float64;
- ``dense-polynomial-async``: F(z) = z^10 (Krotov & Hopfield 2016), asynchronous sweeps until
  convergence (exact single-unit dynamics: the sequential part is the point), float64;
- ``dense-modern-retrieve``: :class:`energynets.ModernHopfield`, beta = 1, one update
  xi <- X^T softmax(beta X xi) (Ramsauer et al. 2020), float32;
- ``dense-modern-mnist``: the 60000 MNIST training images, scaled to unit length, as the
  patterns; one update of 500 of them with 25% of their pixels set to 0, beta = 300 (at
  beta = 1 every query falls to the global average of the images; at 30 most are metastable;
  at 300 one update retrieves 98% of them), float32. Registered only when
  the MNIST files are in ``$ENERGYNETS_DATA`` (or the cache); otherwise the case is absent
  and the module says so in its ``SKIPPED`` list.

Floor ("gemm"): the matrix products one update needs, timed on arrays of the same sizes and
dtype: the overlaps S X^T (B x N by N x P) and the product of the per-pattern weights with
the patterns, (B x P) by (P x N): 4 B N P flops, no elementwise work. The dense recall does
more than one update's products: it computes the overlaps again to confirm the fixed point.
The modern retrieval is timed bare, ``retrieve(n_steps=1, details=False)``: the final scores
that the energy and the fixed-point type need (a third product) are not computed.

Peer: a plain PyTorch (CPU) implementation of the modern update,
``torch.softmax(beta * Q @ X.T, 1) @ X``, which is what the ``hflayers`` package (Ramsauer et
al.'s reference implementation, not on PyPI) computes in its Hopfield layer; skipped when
torch is missing. No peer on PyPI implements dense associative memories with exact
asynchronous dynamics.

Every case checks its result before timing: each probe is retrieved exactly (dense), or each
retrieved state is its stored pattern within 1e-4 (modern), or has the query's source as its nearest
pattern (MNIST, at least 95%).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import numpy as np

import energynets as en
from benchmarks.runner import OURS, Case, Job, Target, blas_threads

GEMM = "gemm"
TORCH = "pytorch"
_FLIP = 0.1
SKIPPED: list[str] = []


@dataclass(frozen=True)
class Inputs:
    patterns: np.ndarray  # (P, N)
    probes: np.ndarray  # (B, N)
    targets: np.ndarray  # (B,): the pattern each probe came from
    beta: float = 1.0  # the modern network's inverse temperature


def _random_inputs(quick: bool, dtype: Any = np.float64) -> Inputs:
    n_patterns, n_probes = (2000, 100) if quick else (10000, 1000)
    patterns = en.datasets.random_patterns(n_patterns, 100, rng=0)
    targets = np.random.default_rng(1).choice(n_patterns, n_probes, replace=False)
    probes = en.corrupt(patterns[targets], _FLIP, rng=2)
    return Inputs(patterns.astype(dtype), probes.astype(dtype), targets)


def _gemm_floor(inputs: Inputs) -> Job:
    x = inputs.patterns
    q = inputs.probes
    scores = np.empty((q.shape[0], x.shape[0]), dtype=x.dtype)
    out = np.empty_like(q)
    xt = x.T

    def run() -> None:
        np.matmul(q, xt, out=scores)
        np.matmul(scores, x, out=out)

    return Job(run, n_items=q.shape[0], note="S X^T and (B x P) X: 4 B N P flops")


def _dense_check(name: str, result: Any, inputs: Inputs) -> None:
    if name == GEMM:
        return
    want = inputs.patterns[inputs.targets]
    wrong = int(np.count_nonzero(np.any(result != want, axis=1)))
    assert wrong == 0, f"{name}: {wrong} of {len(want)} probes not retrieved exactly"


def _dense_job(interaction: str, degree: int, dynamics: str) -> Any:
    def prepare(inputs: Inputs) -> Job:
        model = en.DenseAssociativeMemory(inputs.patterns, interaction, degree)
        probes = inputs.probes
        return Job(
            lambda: model.recall(probes, dynamics=dynamics, rng=0).states,
            n_items=len(probes),
            note=f"recall(dynamics={dynamics!r}) on {len(probes)} probes",
        )

    return prepare


DENSE_SYNC = Case(
    name="dense-exponential-sync",
    description="DenseAssociativeMemory, F = exp: N = 100, P = 10000, 1000 probes (10% flipped), "
    "synchronous updates to the fixed point, float64; time per probe. --quick: P = 2000, 100.",
    setup=_random_inputs,
    ours=_dense_job("exponential", 2, "sync"),
    floor=(GEMM, _gemm_floor),
    unit="per probe",
    check=_dense_check,
    targets=(Target(GEMM, 1 / 6, "within 6x of one update's GEMMs (ours: two updates, exp)"),),
)

DENSE_ASYNC = Case(
    name="dense-polynomial-async",
    description="DenseAssociativeMemory, F = z^10: N = 100, P = 10000, 1000 probes (10% "
    "flipped), asynchronous sweeps to the fixed point, float64; time per probe. --quick: "
    "P = 2000, 100 probes.",
    setup=_random_inputs,
    ours=_dense_job("polynomial", 10, "async"),
    floor=(GEMM, _gemm_floor),
    unit="per probe",
    check=_dense_check,
    targets=(Target(GEMM, 1 / 30, "within 30x of one update's GEMMs (sequential sweeps)"),),
)


# -- modern Hopfield -----------------------------------------------------------------------------
def _modern_ours(inputs: Inputs) -> Job:
    net = en.ModernHopfield(inputs.patterns, beta=inputs.beta, dtype=inputs.patterns.dtype)
    probes = inputs.probes
    return Job(
        lambda: net.retrieve(probes, n_steps=1, details=False),
        n_items=len(probes),
        note=f"retrieve(n_steps=1, details=False) on {len(probes)} queries",
    )


def _modern_torch(inputs: Inputs) -> Job:
    import torch

    torch.set_num_threads(blas_threads())
    x = torch.from_numpy(inputs.patterns)
    q = torch.from_numpy(inputs.probes)
    beta = inputs.beta

    def run() -> np.ndarray:
        with torch.no_grad():
            return (torch.softmax(beta * (q @ x.T), dim=1) @ x).numpy()

    return Job(
        run,
        n_items=q.shape[0],
        note=f"torch {torch.__version__}, {torch.get_num_threads()} thread(s): softmax(QX^T) X",
    )


def _modern_check(name: str, result: Any, inputs: Inputs) -> None:
    if name == GEMM:
        return
    states = result.states if name == OURS else result
    want = inputs.patterns[inputs.targets]
    err = float(np.max(np.abs(states - want)))
    assert err < 1e-4, f"{name}: retrieved states differ from the patterns by up to {err:.3g}"


MODERN = Case(
    name="dense-modern-retrieve",
    description="ModernHopfield, beta = 1: N = 100, P = 10000 random +-1 patterns, 1000 "
    "queries (10% flipped), one update, float32; time per query. --quick: P = 2000, 100.",
    setup=lambda quick: _random_inputs(quick, np.float32),
    ours=_modern_ours,
    peers={TORCH: _modern_torch},
    floor=(GEMM, _gemm_floor),
    unit="per query",
    check=_modern_check,
    targets=(
        Target(GEMM, 1 / 6, "within 6x of one update's GEMMs (ours: 2 products, 1 exp)"),
        Target(TORCH, 1 / 2.5, "within 2.5x of PyTorch's bare update (both without energy)"),
    ),
)


def _mnist_available() -> bool:
    try:
        from energynets.datasets import cache_dir
    except ImportError:
        return False
    homes = [os.environ.get("ENERGYNETS_DATA"), str(cache_dir())]
    return any(
        h and os.path.isfile(os.path.join(h, "mnist", "train-images-idx3-ubyte.gz")) for h in homes
    )


def _mnist_setup(quick: bool) -> Inputs:
    x, _ = en.datasets.load_mnist("train", download=False)
    patterns = x.astype(np.float32)
    patterns /= np.linalg.norm(patterns, axis=1, keepdims=True)
    n_probes = 100 if quick else 500
    if quick:
        patterns = patterns[:10000]
    targets = np.random.default_rng(0).choice(patterns.shape[0], n_probes, replace=False)
    probes = patterns[targets].copy()
    mask = np.random.default_rng(1).random(probes.shape) < 0.25
    probes[mask] = 0.0
    return Inputs(patterns, probes, targets, beta=300.0)


def _mnist_check(name: str, result: Any, inputs: Inputs) -> None:
    if name == GEMM:
        return
    states = result.states if name == OURS else result
    # the stored image closest in angle to the retrieved state (all have unit length) is the
    # one the query was made from
    nearest = np.argmax(states @ inputs.patterns.T, axis=1)
    rate = float(np.mean(nearest == inputs.targets))
    assert rate >= 0.95, f"{name}: only {rate:.1%} of the queries retrieved their image"


MODERN_MNIST = Case(
    name="dense-modern-mnist",
    description="ModernHopfield, beta = 300: the 60000 MNIST training images (unit length, "
    "N = 784) as patterns, 500 of them with 25% of their pixels zeroed as queries, one "
    "update, float32; time per query. --quick: 10000 patterns, 100 queries.",
    setup=_mnist_setup,
    ours=_modern_ours,
    peers={TORCH: _modern_torch},
    floor=(GEMM, _gemm_floor),
    unit="per query",
    check=_mnist_check,
    targets=(
        Target(GEMM, 1 / 2.5, "within 2.5x of one update's GEMMs (ours: 2 products, bare)"),
        Target(TORCH, 1 / 1.2, "within 1.2x of PyTorch's bare update (issue 20)"),
    ),
)

CASES = [DENSE_SYNC, DENSE_ASYNC, MODERN]
if _mnist_available():
    CASES.append(MODERN_MNIST)
else:
    SKIPPED.append("dense-modern-mnist: the MNIST files are not in $ENERGYNETS_DATA or the cache")
