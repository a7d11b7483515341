"""The RBM page: train a restricted Boltzmann machine in the background and watch it learn.

A training run is :func:`energynets.learning.contrastive.fit_rbm` (CD-k or persistent CD) on
bars-and-stripes (:func:`energynets.datasets.bars_and_stripes`, every pattern of an n x n
grid) or on the embedded 8 x 8 digits (:func:`energynets.datasets.load_digits`, binarized at
half the grey range), in a :class:`~energynets.web._jobs.Job` of the tab's session. After the
last epoch, and after any epoch that ends :data:`~energynets.web._limits.SNAPSHOT_SECONDS` or
more after the previous snapshot, its callback publishes a snapshot: a point of the monitored
curve (the exact mean log-likelihood of the training patterns when the model's smaller layer
has at most 16 units, the states of that layer being enumerated; the reconstruction error
otherwise), the filters (each hidden unit's weights as a picture) and the state of the
"daydreaming" chains: block-Gibbs chains (:meth:`energynets.models.rbm.RBM.sample`) that
started from noise and go on, a few steps per snapshot, under the model as it is trained.
After training, ``daydream`` runs the chains further on the trained model.

Everything random comes from the request's seed: the initial weights, the batches, the
chains. The actions (``POST /api/rbm/<action>``, every body with its ``session``):

``train``     dataset, side, hidden, method, k, learning_rate, epochs, batch_size, chains,
steps, seed -> a job started (the previous one of this tab is cancelled)
``progress``  (no fields) -> the job's report: status, progress, epoch, curve, filters, samples
``cancel``    (no fields) -> the report of the job, told to stop
``daydream``  steps -> the chains after ``steps`` more Gibbs steps on the trained model
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from energynets.datasets import bars_and_stripes, binarize, load_digits
from energynets.learning.contrastive import fit_rbm
from energynets.metrics import log_likelihood, rbm_log_partition, reconstruction_error
from energynets.models.rbm import RBM
from energynets.web import _limits as limits
from energynets.web._fields import ApiError, choice, integer, number
from energynets.web._hopfield import to_bits
from energynets.web._jobs import JOB_ACTIONS, Job, JobState, finite
from energynets.web._page import Action, Page

__all__ = ["PAGE", "RbmState", "dataset", "grey_levels", "monitor"]

DATASETS = ("bars", "digits")
METHODS = ("cd", "pcd")
#: The exact log-likelihood is monitored when the smaller layer has at most this many units
#: (2**16 states enumerated for each point of the curve), the reconstruction error otherwise.
MAX_EXACT_UNITS = 16


def monitor(n_visible: int, n_hidden: int) -> str:
    """The curve monitored while training an RBM of this size (see the module notes)."""
    if min(n_visible, n_hidden) <= MAX_EXACT_UNITS:
        return "log_likelihood"
    return "reconstruction_error"


def measure(name: str, model: RBM, data: np.ndarray) -> float | None:
    """The monitored quantity ``name`` of ``model`` on ``data`` (None if not finite)."""
    if name == "log_likelihood":
        return finite(log_likelihood(model, data, rbm_log_partition(model)))
    return finite(reconstruction_error(model, data))


def dataset(name: str, side: int) -> tuple[np.ndarray, tuple[int, int]]:
    """The training rows (bits, float64) and the picture shape of data set ``name``."""
    if name == "bars":
        return bars_and_stripes(side), (side, side)
    pixels, _ = load_digits()
    return binarize(pixels, threshold=0.5, maximum=16.0), (8, 8)


def grey_levels(rows: np.ndarray, scale: float) -> list[list[int]]:
    """Rows of values in [-scale, scale] as grey levels 0-255 (0 black = -scale); a value that
    is not finite (a run that diverged) is drawn grey."""
    if not (math.isfinite(scale) and scale > 0):
        scale = 1.0
    values = np.nan_to_num(rows, nan=0.0, posinf=scale, neginf=-scale)
    levels = np.clip(np.rint(127.5 + 127.5 * values / scale), 0, 255)
    return levels.astype(np.int64).tolist()


class RbmState(JobState):
    """One tab's RBM page: its job, the latest model and the daydreaming chains."""

    def __init__(self) -> None:
        super().__init__()
        self.model: RBM | None = None
        self.chains: np.ndarray | None = None
        self.rng = np.random.default_rng(0)
        self.shape = (0, 0)


def _pictures(state: RbmState) -> dict[str, Any]:
    """The filters (hidden units' weights, one grey scale for all) and the chains' states."""
    assert state.model is not None and state.chains is not None
    weights = state.model.weights.T
    return {
        "shape": list(state.shape),
        "filters": grey_levels(weights, float(np.nanmax(np.abs(weights)))),
        "samples": [to_bits(row * 2 - 1) for row in state.chains],
    }


def _training(state: RbmState, values: dict[str, Any]) -> Any:
    """The work of a training job (the values are the request's, checked)."""
    data, state.shape = dataset(values["dataset"], values["side"])
    monitored = monitor(data.shape[1], values["hidden"])
    n_epochs, steps = values["epochs"], values["steps"]
    seed = values["seed"]
    state.rng = np.random.default_rng([seed, 1])  # the chains' stream, apart from training's
    model = RBM(data.shape[1], values["hidden"], rng=seed)
    state.model = model.copy()
    state.chains = model.sample(values["chains"], n_steps=0, rng=state.rng)
    curve: dict[str, list[Any]] = {"epoch": [], monitored: []}
    last = {"time": -np.inf}

    def work(job: Job) -> None:
        def callback(epoch: int, rbm: RBM, history: dict[str, list[Any]]) -> bool:
            final = epoch + 1 == n_epochs or job.stopping
            if final or job.elapsed() - last["time"] >= limits.SNAPSHOT_SECONDS:
                last["time"] = job.elapsed()
                curve["epoch"].append(epoch + 1)
                curve[monitored].append(measure(monitored, rbm, data))
                state.model = rbm.copy()
                state.chains = state.model.sample(init=state.chains, n_steps=steps, rng=state.rng)
                snapshot = {"epoch": epoch + 1, "epochs": n_epochs, "monitor": monitored}
                snapshot.update(curve={k: list(v) for k, v in curve.items()}, **_pictures(state))
                job.publish((epoch + 1) / n_epochs, snapshot)
            return job.stopping

        fit_rbm(
            model, data, method=values["method"], k=values["k"], n_epochs=n_epochs,
            batch_size=values["batch_size"], learning_rate=values["learning_rate"],
            rng=seed, callbacks=[callback],
        )  # fmt: skip

    return work


def train(state: RbmState, values: dict[str, Any]) -> dict[str, Any]:
    """Start a training job (cancelling this tab's previous one)."""
    return state.restart(_training(state, values))


def daydream(state: RbmState, values: dict[str, Any]) -> dict[str, Any]:
    """Run the chains ``steps`` more Gibbs steps on the latest model."""
    if state.current().running:
        raise ApiError(409, "the model is still training; daydream when it has stopped")
    assert state.model is not None and state.chains is not None
    state.chains = state.model.sample(init=state.chains, n_steps=values["steps"], rng=state.rng)
    return _pictures(state)


STEPS = integer(1, limits.MAX_DAYDREAM_STEPS, default=10)
PAGE = Page(
    name="rbm",
    title="Restricted Boltzmann machine",
    html="rbm.html",
    new_state=RbmState,
    actions={
        "train": Action(
            {
                "dataset": choice(DATASETS, default="bars"),
                "side": integer(2, 6, default=4),
                "hidden": integer(1, limits.MAX_HIDDEN, default=8),
                "method": choice(METHODS, default="cd"),
                "k": integer(1, 25, default=1),
                "learning_rate": number(1e-4, 1.0, default=0.1),
                "epochs": integer(1, limits.MAX_EPOCHS, default=1000),
                "batch_size": integer(1, 2000, default=5),
                "chains": integer(1, limits.MAX_CHAINS, default=16),
                "steps": STEPS,
                "seed": integer(0, limits.MAX_SEED, default=0),
            },
            train,
        ),
        **JOB_ACTIONS,
        "daydream": Action({"steps": STEPS}, daydream),
    },
)
