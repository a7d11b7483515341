"""The EP page: equilibrium propagation against backprop, learning curves side by side.

A run trains two networks of the same shape ``[64, hidden, 10]`` on the embedded 8 x 8 digits
(:func:`energynets.datasets.load_digits`, pixels scaled to [0, 1], a random fifth held out
for testing), in a :class:`~energynets.web._jobs.Job` of the tab's session:

- an energy network (:class:`energynets.models.eqnet.EnergyNetwork`, softmax read-out) by
  equilibrium propagation, :func:`energynets.learning.eqprop.fit_eqprop` (plain SGD, beta with
  a random sign, ``n_free`` free and ``n_nudged`` nudged relaxation steps: the settings of
  Laborieux et al. 2021);
- a multilayer perceptron (:class:`energynets.models.mlp.MLP`, sigmoid hidden units, softmax
  output, Glorot-uniform weights) by backprop, :func:`energynets.learning.backprop.fit_mlp`
  (plain SGD),

one epoch of each in turn, so that their curves grow together. After each pair of epochs the
job publishes both curves: the training loss and the test error of each network, and the
seconds each has spent. This is the page's view of
:func:`energynets.experiments.eqprop.backprop_experiment`, which runs the same comparison
in full (several seeds, the same batches for both) for the record.

The actions (``POST /api/eqprop/<action>``, every body with its ``session``):

``train``     hidden, epochs, batch_size, ep_learning_rate, bp_learning_rate, beta, n_free,
n_nudged, seed -> a job started (the previous one of this tab is cancelled)
``progress``  (no fields) -> the job's report: status, progress, epoch, curves
``cancel``    (no fields) -> the report of the job, told to stop
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from energynets.datasets import load_digits
from energynets.learning.backprop import fit_mlp
from energynets.learning.eqprop import fit_eqprop
from energynets.models.eqnet import EnergyNetwork
from energynets.models.mlp import MLP
from energynets.web import _limits as limits
from energynets.web._fields import integer, number
from energynets.web._jobs import JOB_ACTIONS, Job, JobState, finite
from energynets.web._page import Action, Page

__all__ = ["PAGE", "EqPropState", "digits_split"]

#: The curves of each network, per epoch.
CURVES = ("loss", "test_error", "seconds")
DTYPE = np.float32


def digits_split(seed: int) -> tuple[np.ndarray, ...]:
    """(X_train, y_train, X_test, y_test): the digits, pixels in [0, 1], a random fifth
    (drawn from ``seed``) held out."""
    pixels, labels = load_digits()
    order = np.random.default_rng([seed, 2]).permutation(labels.size)
    n_test = labels.size // 5
    test, train = order[:n_test], order[n_test:]
    X = (pixels / 16.0).astype(DTYPE)
    return X[train], labels[train], X[test], labels[test]


class EqPropState(JobState):
    """One tab's EP page: its job."""


def _networks(values: dict[str, Any]) -> tuple[EnergyNetwork, MLP]:
    sizes = [64, values["hidden"], 10]
    seed = values["seed"]
    energy = EnergyNetwork(sizes, "softmax", rng=seed, dtype=DTYPE)
    mlp = MLP(sizes, activation="sigmoid", output="softmax", init="xavier_uniform", rng=seed,
              dtype=DTYPE)  # fmt: skip
    return energy, mlp


def _training(values: dict[str, Any]) -> Any:
    """The work of a training job (the values are the request's, checked)."""
    X, y, X_test, y_test = digits_split(values["seed"])
    n_epochs, batch = values["epochs"], values["batch_size"]
    ep_gen = np.random.default_rng([values["seed"], 3])  # batches and signs of beta
    bp_gen = np.random.default_rng([values["seed"], 3])  # the same first draws: batches
    curves: dict[str, dict[str, list[Any]]] = {
        side: {name: [] for name in CURVES} for side in ("ep", "backprop")
    }

    def record(side: str, history: dict[str, list[Any]], seconds: float) -> None:
        curve = curves[side]
        curve["loss"].append(finite(history["loss"][-1]))
        curve["test_error"].append(1.0 - float(history["validation_accuracy"][-1]))
        curve["seconds"].append(seconds + (curve["seconds"][-1] if curve["seconds"] else 0.0))

    def work(job: Job) -> None:
        energy, mlp = _networks(values)
        for epoch in range(n_epochs):
            start = time.perf_counter()
            energy, history = fit_eqprop(
                energy, X, y, beta=values["beta"], n_free=values["n_free"],
                n_nudged=values["n_nudged"], learning_rate=values["ep_learning_rate"],
                n_epochs=1, batch_size=batch, validation_data=(X_test, y_test), rng=ep_gen,
            )  # fmt: skip
            record("ep", history, time.perf_counter() - start)
            start = time.perf_counter()
            mlp, history = fit_mlp(
                mlp, X, y, optimizer="sgd", learning_rate=values["bp_learning_rate"],
                n_epochs=1, batch_size=batch, validation_data=(X_test, y_test), rng=bp_gen,
            )  # fmt: skip
            record("backprop", history, time.perf_counter() - start)
            shown = {side: {name: list(c) for name, c in v.items()} for side, v in curves.items()}
            snapshot = {"epoch": epoch + 1, "epochs": n_epochs, "n_train": int(y.size),
                        "n_test": int(y_test.size), "curves": shown}  # fmt: skip
            job.publish((epoch + 1) / n_epochs, snapshot)
            if job.stopping:
                return

    return work


def train(state: EqPropState, values: dict[str, Any]) -> dict[str, Any]:
    """Start a training job (cancelling this tab's previous one)."""
    return state.restart(_training(values))


PAGE = Page(
    name="eqprop",
    title="Equilibrium propagation and backprop",
    html="eqprop.html",
    new_state=EqPropState,
    actions={
        "train": Action(
            {
                "hidden": integer(1, limits.MAX_EQPROP_HIDDEN, default=64),
                "epochs": integer(1, 200, default=30),
                "batch_size": integer(1, 1437, default=32),
                "ep_learning_rate": number(1e-4, 2.0, default=0.08),
                "bp_learning_rate": number(1e-4, 10.0, default=1.0),
                "beta": number(0.01, 2.0, default=0.5),
                "n_free": integer(1, 100, default=30),
                "n_nudged": integer(1, 100, default=10),
                "seed": integer(0, limits.MAX_SEED, default=0),
            },
            train,
        ),
        **JOB_ACTIONS,
    },
)
