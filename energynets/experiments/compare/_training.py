"""How the comparisons train their models, seeded from one experiment's streams.

:func:`train_rbm` trains an RBM by contrastive divergence and :func:`train_classifier` a
softmax network by Adam; the batch order of every classifier of an experiment comes from one
stream, so classifiers see the same mini-batches when their rows are the same.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from energynets._validation import rng_stream
from energynets.experiments.compare._shared import Stream


def default_init(activation: str) -> str:
    """The initialisation that suits a hidden activation: He for ReLUs, else Glorot."""
    return "he" if activation in ("relu", "leaky_relu") else "xavier_uniform"


def train_rbm(
    X: np.ndarray,
    n_hidden: int,
    *,
    method: str,
    n_epochs: int,
    learning_rate: float,
    batch_size: int,
    entropy: int,
    init_visible_bias: str | None = "data",
    callbacks: Sequence[Any] = (),
) -> tuple[Any, float]:
    """An RBM trained on ``X`` by ``method`` (CD-1 or PCD-1), and the seconds it took; the
    visible bias starts from the data (``init_visible_bias="data"``) or at 0 (None)."""
    from energynets.learning.contrastive import fit_rbm
    from energynets.models.rbm import RBM

    start = time.perf_counter()
    rbm, _ = fit_rbm(
        RBM(X.shape[1], n_hidden, rng=rng_stream(entropy, Stream.RBM_INIT)),
        X,
        method=method,
        n_epochs=n_epochs,
        batch_size=batch_size,
        learning_rate=learning_rate,
        monitor=(),
        init_visible_bias=init_visible_bias,
        rng=rng_stream(entropy, Stream.RBM_FIT),
        callbacks=callbacks,
    )
    return rbm, time.perf_counter() - start


def train_classifier(
    sizes: Sequence[int],
    X: np.ndarray,
    y: np.ndarray,
    *,
    n_epochs: int,
    learning_rate: float,
    batch_size: int,
    entropy: int,
    init_key: int,
    activation: str = "relu",
    weight_decay: float = 0.0,
    callbacks: Sequence[Any] = (),
) -> tuple[Any, dict[str, list[Any]]]:
    """A softmax network trained by Adam (with L2 ``weight_decay`` on the weights); the batch
    order comes from the same stream for every classifier of an experiment (the same batches
    when the rows are the same)."""
    from energynets.learning.backprop import fit_mlp
    from energynets.models.mlp import MLP

    init = default_init(activation)
    net = MLP(sizes, activation=activation, init=init, rng=rng_stream(entropy, init_key))
    return fit_mlp(
        net,
        X,
        y,
        optimizer="adam",
        learning_rate=learning_rate,
        n_epochs=n_epochs,
        batch_size=batch_size,
        weight_decay=weight_decay,
        rng=rng_stream(entropy, Stream.FIT),
        callbacks=callbacks,
    )
