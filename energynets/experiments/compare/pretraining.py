"""Does generative pretraining help when labels are scarce? (:func:`pretraining_experiment`).

A deep belief network pretrained greedily on all the training rows without their labels
(Hinton, Osindero & Teh 2006), turned into an MLP and fine-tuned on a class-balanced subset
of labelled rows (:func:`balanced_subset`), against the same MLP from random weights, as the
number of labels grows.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from energynets._validation import (
    RNGLike,
    check_choice,
    check_int,
    check_rng,
    describe_rng,
    rng_stream,
)
from energynets.experiments._runs import draw_entropy, progress_bar
from energynets.experiments.compare._shared import (
    Data,
    Stream,
    check_counts,
    check_positive,
    check_seeds,
)
from energynets.experiments.compare.records import PretrainingResult

__all__ = ["balanced_subset", "pretraining_experiment"]


def balanced_subset(labels: Any, n: int, rng: RNGLike = 0) -> np.ndarray:
    """Indices of ``n`` rows with the classes as balanced as possible, drawn at random.

    The rows are shuffled; each row's rank among the rows of its class is noted, and the
    ``n`` rows of lowest rank are kept (ties in shuffled order), so every class gets
    floor(n / K) or one more row while it has rows left.

    Parameters
    ----------
    labels : array_like of int, shape (n_samples,)
    n : int, 1 <= n <= n_samples
    rng : int, Generator or None

    Returns
    -------
    ndarray of int64, shape (n,), sorted
    """
    y = np.asarray(labels)
    if y.dtype.kind not in "iubf":
        raise TypeError(f"labels must be an array of class labels (integers), got dtype {y.dtype}")
    if y.ndim != 1:
        raise ValueError(f"labels must be 1-D, got shape {y.shape}")
    if y.dtype.kind == "f" and not (np.isfinite(y).all() and np.all(y == np.round(y))):
        raise ValueError("labels must be whole numbers (class labels), got other values")
    count = check_int(n, "n", minimum=1)
    if count > y.shape[0]:
        raise ValueError(f"n must be at most the number of labels ({y.shape[0]}), got {count}")
    order = check_rng(rng).permutation(y.shape[0])
    shuffled = y[order]
    rank = np.empty(y.shape[0], dtype=np.int64)
    for c in np.unique(shuffled):
        where = np.flatnonzero(shuffled == c)
        rank[where] = np.arange(where.size)
    keep = np.lexsort((np.arange(y.shape[0]), rank))[:count]
    return np.sort(order[keep]).astype(np.int64)


def pretraining_experiment(
    X: Any = None,
    y: Any = None,
    *,
    X_test: Any = None,
    y_test: Any = None,
    test_fraction: float = 0.2,
    hidden: Sequence[int] = (100, 100),
    n_labels: Sequence[int | None] = (100, 1000, None),
    seeds: Sequence[int] = (0, 1, 2),
    dbn_method: str = "cd",
    pretrain_epochs: int = 10,
    pretrain_learning_rate: float = 0.05,
    finetune_epochs: int = 30,
    min_updates: int = 300,
    learning_rate: float = 3e-3,
    batch_size: int = 10,
    rng: RNGLike = 0,
    progress: bool = False,
) -> PretrainingResult:
    """DBN-initialised vs randomly initialised MLP of the same shape, as labels get scarce.

    For every seed a deep belief network ``[n_inputs, *hidden]`` is pretrained greedily
    (:func:`~energynets.fit_dbn`, CD-1) on *all* the training rows, without their
    labels; then for every number of labels n a class-balanced subset of n labelled rows is
    drawn (:func:`balanced_subset`) and two networks ``[n_inputs, *hidden, n_classes]`` with
    sigmoid hidden units are trained on it by backprop (Adam, cross-entropy), with the same
    batches and the same number of epochs:

    - **DBN**: :meth:`DBN.to_mlp` (the RBMs' weights and hidden biases, a fresh output
      layer), fine-tuned (Hinton, Osindero & Teh 2006; Hinton & Salakhutdinov 2006);
    - **random**: Glorot-uniform weights, zero biases (the output layer drawn as the DBN's).

    The test accuracy is averaged over the seeds (mean, standard deviation, range). With few
    labels the unlabelled rows are where pretraining helps; with all of them the two
    initialisations should end close.

    Parameters
    ----------
    X, y, X_test, y_test, test_fraction
        As for :func:`features_experiment` (default: the nudged digits).
    hidden : sequence of int >= 1
        Hidden layer sizes (at least one).
    n_labels : sequence of int or None
        Numbers of labelled training rows; None means all of them.
    seeds : sequence of int >= 0
        One independent run per seed (pretraining, subsets, initial weights, batches).
    dbn_method : {"cd", "pcd"}
    pretrain_epochs : int >= 1
        Epochs of each RBM of the DBN.
    pretrain_learning_rate : float > 0
    finetune_epochs : int >= 1
        Epochs over the labelled rows of both networks ...
    min_updates : int >= 0
        ... raised, when the labelled rows are few, so that a run makes at least this many
        mini-batch updates: epochs = max(finetune_epochs, ceil(min_updates / batches per
        epoch)).
    learning_rate : float > 0
        Adam's step size for both networks.
    batch_size : int >= 1
        Of the pretraining and of the supervised training.
    rng : int, Generator or None
        The train/test split (when X_test is not given); the runs use ``seeds``.
    progress : bool
        A progress bar over the runs.

    Returns
    -------
    PretrainingResult
        Records per (n_labels, init), the per-seed ``runs`` and the settings.

    References
    ----------
    Hinton, G. E., Osindero, S. & Teh, Y.-W. (2006). A fast learning algorithm for deep belief nets.
    Neural Computation 18, 1527-1554.

    Hinton, G. E. & Salakhutdinov, R. R. (2006). Reducing the dimensionality of data with neural
    networks. Science 313, 504-507.
    """
    entropy = draw_entropy(rng)
    data = Data(X, y, X_test, y_test, test_fraction, None, entropy)
    sizes_hidden = check_counts(hidden, "hidden")
    label_counts = _check_label_counts(n_labels, data.X_train.shape[0])
    seed_list = check_seeds(seeds)
    method = check_choice(dbn_method, "dbn_method", ("cd", "pcd"))
    p_epochs = check_int(pretrain_epochs, "pretrain_epochs", minimum=1)
    p_eta = check_positive(pretrain_learning_rate, "pretrain_learning_rate")
    f_epochs = check_int(finetune_epochs, "finetune_epochs", minimum=1)
    updates = check_int(min_updates, "min_updates", minimum=0)
    eta = check_positive(learning_rate, "learning_rate")
    B = check_int(batch_size, "batch_size", minimum=1)
    if not isinstance(progress, bool | np.bool_):
        raise TypeError(f"progress must be True or False, got {progress!r}")
    settings = {
        **data.settings(),
        "layer_sizes": [data.n_inputs, *sizes_hidden, data.n_classes],
        "n_labels": label_counts,
        "seeds": list(seed_list),
        "dbn_method": method,
        "pretrain_epochs": p_epochs,
        "pretrain_learning_rate": p_eta,
        "pretrain_seconds": float("nan"),  # measured below
        "finetune_epochs": f_epochs,
        "min_updates": updates,
        "learning_rate": eta,
        "batch_size": B,
        "rng": describe_rng(rng),
    }
    runs: list[dict[str, Any]] = []
    pretrain_seconds = []
    total = len(seed_list) * (1 + len(label_counts))
    with progress_bar(progress, total, "pretraining", "run") as bar:
        for seed in seed_list:
            dbn, seconds = _pretrain(data, settings, seed)
            pretrain_seconds.append(seconds)
            if bar is not None:
                bar.update(1)
            for j, count in enumerate(label_counts):
                runs += _finetune(data, settings, dbn, seed, j, count)
                if bar is not None:
                    bar.update(1)
    settings["pretrain_seconds"] = float(np.mean(pretrain_seconds))
    return PretrainingResult(records=_records(runs, label_counts), settings=settings, runs=runs)


def _check_label_counts(n_labels: Any, n_train: int) -> list[int]:
    """The numbers of labelled rows asked for (None: all ``n_train``), sorted, repeats dropped."""
    label_counts: list[int] = []
    for i, v in enumerate(list(n_labels)):
        count = n_train if v is None else check_int(v, f"n_labels[{i}]", minimum=1)
        if count > n_train:
            raise ValueError(
                f"n_labels[{i}] must be at most the {n_train} training rows (or None for all), "
                f"got {count}"
            )
        label_counts.append(count)
    if not label_counts:
        raise ValueError("n_labels must hold at least one number of labels")
    return sorted(set(label_counts))


def _pretrain(data: Data, s: dict[str, Any], seed: int) -> tuple[Any, float]:
    """The DBN of one seed, pretrained on all training rows without labels, and its seconds."""
    from energynets.learning.dbn import fit_dbn

    start = time.perf_counter()
    dbn, _ = fit_dbn(
        s["layer_sizes"][:-1],
        data.X_train,
        method=s["dbn_method"],
        n_epochs=s["pretrain_epochs"],
        batch_size=s["batch_size"],
        learning_rate=s["pretrain_learning_rate"],
        monitor=(),
        rng=rng_stream(seed, Stream.RBM_FIT),
    )
    return dbn, time.perf_counter() - start


def _finetune(
    data: Data, s: dict[str, Any], dbn: Any, seed: int, j: int, count: int
) -> list[dict[str, Any]]:
    """The runs of one seed and number of labels: the DBN fine-tuned, the same network from
    random weights, trained on the same ``count`` labelled rows and batches."""
    from energynets.learning.backprop import fit_mlp
    from energynets.models.mlp import MLP

    B = s["batch_size"]
    rows = balanced_subset(data.y_train, count, rng=rng_stream(seed, Stream.SPLIT, j))
    Xl, yl = data.X_train[rows], data.y_train[rows]
    per_epoch = -(-count // min(B, count))
    epochs = max(s["finetune_epochs"], -(-s["min_updates"] // per_epoch))
    nets = {
        "DBN": dbn.to_mlp(data.n_classes, rng=rng_stream(seed, Stream.CLS_INIT, j)),
        "random": MLP(
            s["layer_sizes"],
            activation="sigmoid",
            init="xavier_uniform",
            rng=rng_stream(seed, Stream.MLP_INIT, j),
        ),
    }
    # the same output layer for both: only the hidden layers' start differs
    nets["random"].weights[-1][...] = nets["DBN"].weights[-1]
    runs = []
    for init, net in nets.items():
        start = time.perf_counter()
        trained, _ = fit_mlp(
            net,
            Xl,
            yl,
            optimizer="adam",
            learning_rate=s["learning_rate"],
            n_epochs=epochs,
            batch_size=B,
            rng=rng_stream(seed, Stream.FIT, j),
        )
        runs.append(
            {
                "seed": int(seed),
                "n_labels": int(count),
                "init": init,
                "epochs": int(epochs),
                "test_accuracy": float(np.mean(trained.predict(data.X_test) == data.y_test)),
                "seconds": float(time.perf_counter() - start),
            }
        )
    return runs


def _records(runs: list[dict[str, Any]], label_counts: list[int]) -> list[dict[str, Any]]:
    """Per number of labels and initialisation: the accuracy over the seeds."""
    records = []
    for count in label_counts:
        for init in ("DBN", "random"):
            acc = np.array(
                [r["test_accuracy"] for r in runs if r["n_labels"] == count and r["init"] == init]
            )
            secs = [r["seconds"] for r in runs if r["n_labels"] == count and r["init"] == init]
            records.append(
                {
                    "n_labels": int(count),
                    "init": init,
                    "mean_accuracy": float(acc.mean()),
                    "std_accuracy": float(acc.std(ddof=1)) if acc.size > 1 else 0.0,
                    "min_accuracy": float(acc.min()),
                    "max_accuracy": float(acc.max()),
                    "n_seeds": int(acc.size),
                    "seconds": float(np.mean(secs)),
                }
            )
    return records
