"""Energy-based versus backprop learning, side by side, on the same data.

Each function answers one question with a fair comparison (the same rows, the same mini-batch
order, the same number of passes over the data, seeds derived from one ``rng``) and returns a
result object: ``records`` (a tidy table, one dict per row), ``settings`` (everything needed
to rerun it), :meth:`CompareResult.table` (Markdown) and :meth:`CompareResult.to_text`, plus
whatever the figures need. :mod:`energynets.plotting` draws them
(:func:`~energynets.plotting.features_figure`, ...), ``energynets compare`` runs them all and
writes a report.

1. :func:`features_experiment` - what an RBM's hidden units are worth as features: softmax
   regression on raw pixels, on the hidden probabilities p(h = 1 | v) of an RBM trained by
   contrastive divergence, and an MLP trained end to end, on the "nudged" 8 x 8 digits of
   scikit-learn's RBM-features example (:func:`nudged_digits`), where it reports
   raw 0.781 < RBM features 0.930 < MLP 0.972.
2. :func:`pretraining_experiment` - does generative pretraining help when labels are scarce?
   A deep belief network (greedy RBMs, Hinton, Osindero & Teh 2006) turned into an MLP and
   fine-tuned, against the same MLP from random weights, as the number of labels grows.
3. :func:`recall_experiment` - associative memory: a Hopfield network (one Hebbian outer
   product, no gradient) against a denoising autoencoder N-H-N trained by backprop to map
   corrupted patterns to clean ones, against noise and against the number of patterns.
4. :func:`filters_experiment` - what is learned: the RBM's receptive fields and the first
   layer of an MLP, as images, with numbers that tell them apart (spatial smoothness,
   redundancy).
5. :func:`cost_experiment` - the price: wall time and passes over the data until the
   RBM + softmax-regression pipeline and the MLP reach a given held-out accuracy.

Softmax regression here is the package's own ``MLP([n_features, n_classes])`` (no hidden
layer, softmax output, cross-entropy), trained by :func:`~energynets.fit_mlp` exactly like the
MLP, so no scikit-learn is needed and the classifiers differ only in their inputs.

References
----------
Hinton, G. E. (2002). Training products of experts by minimizing contrastive divergence.
Neural Computation 14, 1771-1800.
Hinton, G. E., Osindero, S. & Teh, Y.-W. (2006). A fast learning algorithm for deep belief
nets. Neural Computation 18, 1527-1554.
Vincent, P., Larochelle, H., Bengio, Y. & Manzagol, P.-A. (2008). Extracting and composing
robust features with denoising autoencoders. ICML 2008, 1096-1103.
Hopfield, J. J. (1982). Neural networks and physical systems with emergent collective
computational abilities. PNAS 79, 2554-2558.
scikit-learn developers. Restricted Boltzmann Machine features for digit classification
(example ``plot_rbm_logistic_classification``).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from energynets._validation import (
    RNGLike,
    as_float_array,
    check_choice,
    check_float,
    check_int,
    check_rng,
    describe_rng,
    rng_stream,
)
from energynets.experiments.sampling import (
    _format,
    _jsonable,
    _markdown_table,
    _text_table,
)

__all__ = [
    "SKLEARN_REFERENCE",
    "CompareResult",
    "CostResult",
    "FeaturesResult",
    "FiltersResult",
    "PretrainingResult",
    "RecallComparison",
    "balanced_subset",
    "cost_experiment",
    "features_experiment",
    "filter_redundancy",
    "filter_smoothness",
    "filters_experiment",
    "nudge_images",
    "nudged_digits",
    "pretraining_experiment",
    "recall_experiment",
]

#: Test accuracies of scikit-learn's example plot_rbm_logistic_classification on the nudged
#: digits (its documented output): logistic regression on raw pixels, on BernoulliRBM
#: features, and an MLPClassifier, as quoted in docs REFERENCES.
SKLEARN_REFERENCE = {"raw pixels": 0.781, "RBM features": 0.930, "MLP": 0.972}

# independent random streams of one experiment (rng_stream(entropy, key))
_SPLIT, _RBM_INIT, _RBM_FIT, _CLS_INIT, _FIT, _MLP_INIT, _PATTERNS, _PROBES = range(8)


# -- the result objects -----------------------------------------------------------------------
@dataclass
class CompareResult:
    """Records and settings of one comparison; subclasses add what their figure needs.

    Attributes
    ----------
    records : list of dict
        The tidy table: one dict per row, the keys of :attr:`COLUMNS` (times in seconds).
    settings : dict
        Every setting of the run (sizes, epochs, learning rates, seeds, the data).

    Examples
    --------
    Every experiment returns a subclass; :func:`recall_experiment` is the quickest:

    >>> res = recall_experiment(n_units=32, n_patterns=3, noise_levels=[0.1], pattern_counts=[2],
    ...                         n_epochs=2, n_copies=5, rng=0)
    >>> isinstance(res, CompareResult), sorted(res.summary())
    (True, ['experiment', 'records', 'settings'])
    >>> res.column("model").tolist()
    ['hopfield', 'autoencoder', 'hopfield', 'autoencoder']
    """

    records: list[dict[str, Any]] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)

    #: The experiment's name (the key of the report's section).
    EXPERIMENT: ClassVar[str] = ""
    #: The record keys, in table order, and the format of each cell.
    COLUMNS: ClassVar[tuple[str, ...]] = ()
    FORMATS: ClassVar[dict[str, str]] = {}
    #: Columns that are measured times (they change between runs of one seed).
    TIME_COLUMNS: ClassVar[tuple[str, ...]] = ()

    def column(self, name: str) -> np.ndarray:
        """One column of the records as an array (str, or float with None as NaN).

        Parameters
        ----------
        name : str
            One of :attr:`COLUMNS`.

        Returns
        -------
        ndarray, shape (n_records,)
        """
        check_choice(name, "name", self.COLUMNS)
        values = [r[name] for r in self.records]
        if values and isinstance(values[0], str):
            return np.array(values, dtype=str)
        return np.array([np.nan if v is None else v for v in values], dtype=np.float64)

    def _cells(self) -> list[list[str]]:
        return [
            [_format(r[c], self.FORMATS.get(c, "")) for c in self.COLUMNS] for r in self.records
        ]

    def notes(self) -> list[str]:
        """One-line remarks printed under the table (settings that matter, what to read).

        Returns
        -------
        list of str
            Empty for the base class.
        """
        return []

    def table(self) -> str:
        """The records as a Markdown table (numbers right-aligned), notes as a list below.

        Returns
        -------
        str
        """
        text = _markdown_table(self.COLUMNS, self._cells())
        lines = self.notes()
        return text + ("\n" + "".join(f"- {line}\n" for line in lines) if lines else "")

    def to_markdown(self) -> str:
        """Same as :meth:`table`.

        Returns
        -------
        str
        """
        return self.table()

    def to_text(self) -> str:
        """The records as an aligned plain-text table with the notes below, for stdout.

        Returns
        -------
        str
        """
        return _text_table(self.COLUMNS, self._cells()) + "".join(f"{n}\n" for n in self.notes())

    def summary(self) -> dict[str, Any]:
        """Experiment name, settings and records as plain values for json.dumps.

        Returns
        -------
        dict
            ``"experiment"``, ``"settings"`` and ``"records"``, of JSON types only.
        """
        return _jsonable(
            {"experiment": self.EXPERIMENT, "settings": self.settings, "records": self.records}
        )


@dataclass
class FeaturesResult(CompareResult):
    """What :func:`features_experiment` measured.

    Records (one per model): ``model`` ("raw pixels", "RBM features", "MLP"), ``inputs``
    (the classifier's input size), ``train_accuracy``, ``test_accuracy``, ``passes`` (epochs
    over the training rows, the RBM's included), ``seconds`` (training wall time).

    Attributes
    ----------
    records : list of dict
        The rows described above.
    settings : dict
        Every setting of the run.
    rbm : RBM
        The trained feature extractor.
    mlp : MLP
        The network trained end to end.
    image_shape : (int, int) or None
        (height, width) of one input image, for pictures of the weights.

    Examples
    --------
    >>> from energynets.datasets import load_digits
    >>> X, y = load_digits()
    >>> res = features_experiment(X[:300] / 16.0, y[:300], image_shape=(8, 8), n_hidden=16,
    ...                           rbm_epochs=1, classifier_epochs=1, mlp_hidden=16, rng=0)
    >>> res.column("model").tolist(), res.rbm.n_hidden, res.image_shape
    (['raw pixels', 'RBM features', 'MLP'], 16, (8, 8))
    >>> 0.0 <= res.accuracy("MLP") <= 1.0
    True
    """

    rbm: Any = None
    mlp: Any = None
    image_shape: tuple[int, int] | None = None

    EXPERIMENT: ClassVar[str] = "features"
    COLUMNS: ClassVar[tuple[str, ...]] = (
        "model", "inputs", "train_accuracy", "test_accuracy", "passes", "seconds",
    )  # fmt: skip
    FORMATS: ClassVar[dict[str, str]] = {
        "inputs": "d", "train_accuracy": ".4f", "test_accuracy": ".4f", "passes": "d",
        "seconds": ".2f",
    }  # fmt: skip
    TIME_COLUMNS: ClassVar[tuple[str, ...]] = ("seconds",)

    def accuracy(self, model: str) -> float:
        """The test accuracy of one model ("raw pixels", "RBM features" or "MLP").

        Parameters
        ----------
        model : str

        Returns
        -------
        float
        """
        names = [r["model"] for r in self.records]
        check_choice(model, "model", names)
        return float(self.records[names.index(model)]["test_accuracy"])

    def notes(self) -> list[str]:
        """One-line remarks printed under the table: the data and the settings that matter.

        Returns
        -------
        list of str
        """
        s = self.settings
        lines = [
            f"data: {s['data']}; {s['n_train']} training and {s['n_test']} test rows",
            f"RBM {s['n_inputs']}-{s['n_hidden']}: {s['rbm_method']}-1, {s['rbm_epochs']} "
            f"epochs, learning rate {s['rbm_learning_rate']:g}, batches of {s['batch_size']}; "
            f"features p(h = 1 | v)",
            f"softmax regression (raw pixels and RBM features): Adam, learning rate "
            f"{s['classifier_learning_rate']:g}, {s['classifier_epochs']} epochs; MLP "
            f"{s['n_inputs']}-{s['mlp_hidden']}-{s['n_classes']} ({s['mlp_activation']}): "
            f"Adam, learning rate {s['mlp_learning_rate']:g}, {s['mlp_epochs']} epochs; the "
            "same batches for all",
        ]
        if s.get("nudged"):
            ref = ", ".join(f"{k} {v:.3f}" for k, v in SKLEARN_REFERENCE.items())
            lines.append(f"scikit-learn's example on the same data: {ref}")
        return lines


@dataclass
class PretrainingResult(CompareResult):
    """What :func:`pretraining_experiment` measured.

    Records (one per number of labels and initialisation): ``n_labels``, ``init`` ("DBN" or
    "random"), ``mean_accuracy``, ``std_accuracy`` (over seeds, ddof=1; 0 for one seed),
    ``min_accuracy``, ``max_accuracy``, ``n_seeds``, ``seconds`` (mean fine-tuning time).

    Attributes
    ----------
    records : list of dict
        The rows described above.
    settings : dict
        Every setting of the run.
    runs : list of dict
        One per (seed, n_labels, init): ``seed``, ``n_labels``, ``init``, ``test_accuracy``,
        ``seconds``.

    Examples
    --------
    >>> from energynets.datasets import load_digits
    >>> X, y = load_digits()
    >>> res = pretraining_experiment(X[:300] / 16.0, y[:300], hidden=[16], n_labels=[50, None],
    ...                              seeds=[0], pretrain_epochs=1, finetune_epochs=1, rng=0)
    >>> [(r["n_labels"], r["init"]) for r in res.records]
    [(50, 'DBN'), (50, 'random'), (240, 'DBN'), (240, 'random')]
    >>> sorted(res.gain())
    [50, 240]
    """

    runs: list[dict[str, Any]] = field(default_factory=list)

    EXPERIMENT: ClassVar[str] = "pretraining"
    COLUMNS: ClassVar[tuple[str, ...]] = (
        "n_labels", "init", "mean_accuracy", "std_accuracy", "min_accuracy", "max_accuracy",
        "n_seeds", "seconds",
    )  # fmt: skip
    FORMATS: ClassVar[dict[str, str]] = {
        "n_labels": "d", "mean_accuracy": ".4f", "std_accuracy": ".4f", "min_accuracy": ".4f",
        "max_accuracy": ".4f", "n_seeds": "d", "seconds": ".2f",
    }  # fmt: skip
    TIME_COLUMNS: ClassVar[tuple[str, ...]] = ("seconds",)

    def gain(self) -> dict[int, float]:
        """Mean accuracy of DBN initialisation minus random initialisation, per n_labels.

        Returns
        -------
        dict of int to float
        """
        mean = {(r["n_labels"], r["init"]): r["mean_accuracy"] for r in self.records}
        return {n: mean[(n, "DBN")] - mean[(n, "random")] for n in self.settings["n_labels"]}

    def notes(self) -> list[str]:
        """One-line remarks printed under the table: the data and the settings that matter.

        Returns
        -------
        list of str
        """
        s = self.settings
        gains = ", ".join(f"{n} labels {g:+.4f}" for n, g in self.gain().items())
        return [
            f"data: {s['data']}; the DBN is pretrained on all {s['n_train']} training rows "
            f"(no labels), {s['n_test']} test rows",
            f"network {'-'.join(map(str, s['layer_sizes']))} (sigmoid): DBN {s['dbn_method']}-1, "
            f"{s['pretrain_epochs']} epochs per layer; fine-tuning and random-init training: "
            f"Adam, learning rate {s['learning_rate']:g}, {s['finetune_epochs']} epochs, "
            f"batches of {s['batch_size']}, the same labelled rows and batches",
            f"seeds {s['seeds']}; mean gain of DBN initialisation: {gains}",
        ]


@dataclass
class RecallComparison(CompareResult):
    """What :func:`recall_experiment` measured.

    Records (one per sweep point and model): ``sweep`` ("noise" or "load"), ``model``
    ("hopfield" or "autoencoder"), ``n_units``, ``n_patterns``, ``noise`` (fraction of
    flipped units in the probes), ``recalled`` (fraction of probes restored exactly),
    ``overlap`` (mean final overlap m = s . xi / N with the pattern), ``train_seconds``
    (storing the patterns / training the autoencoder) and ``recall_seconds``.

    Attributes
    ----------
    records : list of dict
        The rows described above.
    settings : dict
        Every setting of the run.

    Examples
    --------
    >>> res = recall_experiment(n_units=32, n_patterns=3, noise_levels=[0.1], pattern_counts=[2],
    ...                         n_epochs=2, n_copies=5, rng=0)
    >>> [row["recalled"] for row in res.rows("noise", "hopfield")]
    [1.0]
    """

    EXPERIMENT: ClassVar[str] = "recall"
    COLUMNS: ClassVar[tuple[str, ...]] = (
        "sweep", "model", "n_units", "n_patterns", "noise", "recalled", "overlap",
        "train_seconds", "recall_seconds",
    )  # fmt: skip
    FORMATS: ClassVar[dict[str, str]] = {
        "n_units": "d", "n_patterns": "d", "noise": ".2f", "recalled": ".3f", "overlap": ".3f",
        "train_seconds": ".4f", "recall_seconds": ".4f",
    }  # fmt: skip
    TIME_COLUMNS: ClassVar[tuple[str, ...]] = ("train_seconds", "recall_seconds")

    def rows(self, sweep: str, model: str) -> list[dict[str, Any]]:
        """The records of one sweep ("noise" or "load") and model, in sweep order.

        Parameters
        ----------
        sweep : {"noise", "load"}
        model : {"hopfield", "autoencoder"}

        Returns
        -------
        list of dict
        """
        check_choice(sweep, "sweep", ("noise", "load"))
        check_choice(model, "model", ("hopfield", "autoencoder"))
        return [r for r in self.records if r["sweep"] == sweep and r["model"] == model]

    def notes(self) -> list[str]:
        """One-line remarks printed under the table: the data and the settings that matter.

        Returns
        -------
        list of str
        """
        s = self.settings
        return [
            f"{s['n_units']} units, random unbiased patterns; noise sweep at {s['n_patterns']} "
            f"patterns, load sweep at noise {s['load_noise']:g}; {s['n_probes']} probes per "
            "pattern",
            f"Hopfield network: {s['rule']} rule, {s['dynamics']} zero-temperature dynamics "
            f"(at most {s['max_sweeps']} sweeps)",
            f"denoising autoencoder {s['n_units']}-{s['n_hidden']}-{s['n_units']} "
            f"({s['activation']} hidden, sigmoid output, binary cross-entropy): Adam, "
            f"learning rate {s['learning_rate']:g}, {s['n_epochs']} epochs on {s['n_copies']} "
            f"corrupted copies per pattern (noise {s['train_noise']}), output thresholded at "
            "1/2",
        ]


@dataclass
class FiltersResult(CompareResult):
    """What :func:`filters_experiment` measured.

    Records (one per model): ``model`` ("RBM" or "MLP"), ``n_filters``, ``mean_norm`` (mean
    Euclidean norm of a filter), ``smoothness`` (:func:`filter_smoothness`), ``redundancy``
    (:func:`filter_redundancy`), ``seconds`` (training time).

    Attributes
    ----------
    records : list of dict
        The rows described above.
    settings : dict
        Every setting of the run.
    filters : dict of str to ndarray, shape (n_inputs, n_filters)
        ``{"RBM": rbm.weights, "MLP": mlp.weights[0]}``.
    image_shape : (int, int)

    Examples
    --------
    >>> from energynets.datasets import load_digits
    >>> X, y = load_digits()
    >>> res = filters_experiment(X[:300] / 16.0, y[:300], image_shape=(8, 8), n_hidden=8,
    ...                          rbm_epochs=1, mlp_epochs=1, rng=0)
    >>> res.column("model").tolist(), res.filters["RBM"].shape
    (['RBM', 'MLP'], (64, 8))
    """

    filters: dict[str, np.ndarray] = field(default_factory=dict)
    image_shape: tuple[int, int] = (8, 8)

    EXPERIMENT: ClassVar[str] = "filters"
    COLUMNS: ClassVar[tuple[str, ...]] = (
        "model", "n_filters", "mean_norm", "smoothness", "redundancy", "seconds",
    )  # fmt: skip
    FORMATS: ClassVar[dict[str, str]] = {
        "n_filters": "d", "mean_norm": ".3f", "smoothness": ".3f", "redundancy": ".3f",
        "seconds": ".2f",
    }  # fmt: skip
    TIME_COLUMNS: ClassVar[tuple[str, ...]] = ("seconds",)

    def notes(self) -> list[str]:
        """One-line remarks printed under the table: the data and the settings that matter.

        Returns
        -------
        list of str
        """
        s = self.settings
        return [
            f"data: {s['data']}; RBM {s['rbm']}; MLP {s['mlp']}",
            "smoothness: mean correlation of the weights of neighbouring pixels (1: smooth "
            "strokes, 0: pixel noise); redundancy: mean |cosine| between two filters",
        ]


@dataclass
class CostResult(CompareResult):
    """What :func:`cost_experiment` measured.

    Records (one per pipeline): ``model`` ("RBM + softmax" or "MLP"), ``target``,
    ``reached`` (bool), ``passes`` (epochs over the training rows until the held-out accuracy
    first reached the target, RBM epochs included; None if never), ``seconds`` (training
    wall time until then, evaluations excluded; None if never), ``best_accuracy``,
    ``total_passes``.

    Attributes
    ----------
    records : list of dict
        The rows described above.
    settings : dict
        Every setting of the run.
    curves : dict of str to ndarray, shape (n_points, 3)
        Columns (passes, seconds, held-out accuracy) after each epoch of a classifier: for
        "MLP" one curve; for the pipeline one curve per RBM checkpoint, keyed
        "RBM k epochs + softmax".

    Examples
    --------
    >>> from energynets.datasets import load_digits
    >>> X, y = load_digits()
    >>> res = cost_experiment(X[:300] / 16.0, y[:300], checkpoints=[1], n_hidden=16,
    ...                       classifier_epochs=2, mlp_hidden=16, mlp_epochs=2, rng=0)
    >>> res.column("model").tolist(), sorted(res.curves)
    (['RBM + softmax', 'MLP'], ['MLP', 'RBM 1 epochs + softmax'])
    """

    curves: dict[str, np.ndarray] = field(default_factory=dict)

    EXPERIMENT: ClassVar[str] = "cost"
    COLUMNS: ClassVar[tuple[str, ...]] = (
        "model", "target", "reached", "passes", "seconds", "best_accuracy", "total_passes",
    )  # fmt: skip
    FORMATS: ClassVar[dict[str, str]] = {
        "target": ".3f", "reached": "", "passes": "d", "seconds": ".2f", "best_accuracy": ".4f",
        "total_passes": "d",
    }  # fmt: skip
    TIME_COLUMNS: ClassVar[tuple[str, ...]] = ("seconds",)

    def _cells(self) -> list[list[str]]:
        cells = super()._cells()
        k = self.COLUMNS.index("reached")
        for row, r in zip(cells, self.records, strict=True):
            row[k] = "yes" if r["reached"] else "no"
        return cells

    def notes(self) -> list[str]:
        """One-line remarks printed under the table: the data and the settings that matter.

        Returns
        -------
        list of str
        """
        s = self.settings
        return [
            f"data: {s['data']}; accuracy measured on the {s['n_test']} held-out rows after "
            "every classifier epoch",
            f"RBM {s['n_inputs']}-{s['n_hidden']} checkpoints after {s['checkpoints']} epochs, "
            f"softmax regression for up to {s['classifier_epochs']} epochs on each; MLP "
            f"{s['n_inputs']}-{s['mlp_hidden']}-{s['n_classes']} for up to {s['mlp_epochs']} "
            "epochs; one pass = one epoch over the training rows",
        ]


# -- data -------------------------------------------------------------------------------------
def nudge_images(X: Any, shape: Sequence[int]) -> np.ndarray:
    """The images and their copies shifted by one pixel up, left, right and down.

    The augmentation of scikit-learn's RBM-features example: every image is kept and four
    copies are added, moved by one pixel (the pixels moved out are lost, those moved in are 0).

    Parameters
    ----------
    X : array_like, shape (n_images, height * width)
        Not modified.
    shape : (int, int)
        (height, width) of one image.

    Returns
    -------
    ndarray of float64, shape (5 n_images, height * width)
        The originals first, then the copies shifted up, left, right and down, each block in
        the order of ``X``.

    References
    ----------
    Simard, P. Y., Steinkraus, D. & Platt, J. C. (2003). Best practices for convolutional neural
    networks applied to visual document analysis. ICDAR 2003, 958-963.

    scikit-learn developers. Restricted Boltzmann Machine features for digit classification (the
    example ``plot_rbm_logistic_classification``).

    Examples
    --------
    >>> nudge_images(np.arange(4.0).reshape(1, 4), (2, 2))
    array([[0., 1., 2., 3.],
           [2., 3., 0., 0.],
           [1., 0., 3., 0.],
           [0., 0., 0., 2.],
           [0., 0., 0., 1.]])
    """
    arr = as_float_array(X, "X", ndim=2, dtype=np.float64)
    try:
        height, width = (int(v) for v in shape)
    except (TypeError, ValueError):
        raise TypeError(f"shape must be a pair (height, width) of ints, got {shape!r}") from None
    if height < 1 or width < 1 or height * width != arr.shape[1]:
        raise ValueError(
            f"shape (height, width) must be positive with height * width = {arr.shape[1]} (the "
            f"columns of X), got {(height, width)}"
        )
    images = arr.reshape(-1, height, width)
    out = [images]
    for dy, dx in ((-1, 0), (0, -1), (0, 1), (1, 0)):  # up, left, right, down
        moved = np.zeros_like(images)
        src_y = slice(max(-dy, 0), height - max(dy, 0))
        dst_y = slice(max(dy, 0), height - max(-dy, 0))
        src_x = slice(max(-dx, 0), width - max(dx, 0))
        dst_x = slice(max(dx, 0), width - max(-dx, 0))
        moved[:, dst_y, dst_x] = images[:, src_y, src_x]
        out.append(moved)
    return np.concatenate(out).reshape(-1, height * width)


def nudged_digits() -> tuple[np.ndarray, np.ndarray]:
    """The embedded 8 x 8 digits nudged as in scikit-learn's RBM-features example.

    :func:`~energynets.datasets.load_digits` (1,797 images), each with four copies shifted
    by one pixel (:func:`nudge_images`), every column min-max scaled to [0, 1] (a column that
    is constant becomes 0).

    Returns
    -------
    X : ndarray of float64, shape (8985, 64)
    y : ndarray of int64, shape (8985,)

    References
    ----------
    Alpaydin, E. & Kaynak, C. (1998). Optical Recognition of Handwritten Digits. UCI Machine
    Learning Repository, https://doi.org/10.24432/C50P49.

    scikit-learn developers. Restricted Boltzmann Machine features for digit classification (the
    example ``plot_rbm_logistic_classification``).
    """
    from energynets.datasets import load_digits

    grey, labels = load_digits()
    X = nudge_images(grey, (8, 8))
    low, high = X.min(axis=0), X.max(axis=0)
    span = np.where(high > low, high - low, 1.0)
    X -= low
    X /= span
    return X, np.tile(labels, 5)


class _Data:
    """Training and test rows of a classification experiment, checked once."""

    def __init__(
        self,
        X: Any,
        y: Any,
        X_test: Any,
        y_test: Any,
        test_fraction: float,
        image_shape: Any,
        entropy: int,
    ) -> None:
        from energynets.models.mlp import check_labels

        self.nudged = X is None
        if X is None:
            if y is not None or X_test is not None or y_test is not None:
                raise ValueError(
                    "X is None (the nudged digits) but y, X_test or y_test was given; pass X "
                    "with them"
                )
            X, y = nudged_digits()
            image_shape = (8, 8) if image_shape is None else image_shape
            self.name = "nudged 8 x 8 digits (scikit-learn's RBM-features example)"
        else:
            self.name = "the given data"
        X = as_float_array(X, "X", ndim=2, dtype=np.float64)
        if X.min() < 0 or X.max() > 1:
            raise ValueError(
                f"X must hold values in [0, 1] (grey levels for a Bernoulli RBM), got values "
                f"in [{X.min():g}, {X.max():g}]"
            )
        if y is None:
            raise ValueError("y must be given with X (integer class labels, one per row)")
        y_arr = np.asarray(y)
        if y_arr.ndim != 1 or y_arr.shape[0] != X.shape[0]:
            raise ValueError(
                f"y must have one label per row of X ({X.shape[0]}), got shape {y_arr.shape}"
            )
        labels = check_labels(y_arr, int(y_arr.max()) + 1 if y_arr.size else 1, "y")
        if (X_test is None) != (y_test is None):
            raise ValueError("X_test and y_test must be given together")
        if X_test is None:
            frac = check_float(test_fraction, "test_fraction", minimum=0.0, maximum=1.0)
            n_test = round(frac * X.shape[0])
            if not 1 <= n_test <= X.shape[0] - 1:
                raise ValueError(
                    f"test_fraction {frac:g} of {X.shape[0]} rows leaves no test or no "
                    "training rows"
                )
            order = rng_stream(entropy, _SPLIT).permutation(X.shape[0])
            test, train = np.sort(order[:n_test]), np.sort(order[n_test:])
            self.X_train, self.y_train = X[train], labels[train]
            self.X_test, self.y_test = X[test], labels[test]
        else:
            self.X_train, self.y_train = X, labels
            Xt = as_float_array(X_test, "X_test", ndim=2, dtype=np.float64)
            if Xt.shape[1] != X.shape[1]:
                raise ValueError(
                    f"X_test must have the {X.shape[1]} columns of X, got shape {Xt.shape}"
                )
            yt = np.asarray(y_test)
            if yt.ndim != 1 or yt.shape[0] != Xt.shape[0]:
                raise ValueError(
                    f"y_test must have one label per row of X_test ({Xt.shape[0]}), got shape "
                    f"{yt.shape}"
                )
            self.X_test, self.y_test = Xt, check_labels(yt, int(yt.max()) + 1, "y_test")
        self.n_classes = int(max(self.y_train.max(), self.y_test.max())) + 1
        if self.n_classes < 2:
            raise ValueError("y must hold at least 2 classes")
        self.n_inputs = X.shape[1]
        self.image_shape: tuple[int, int] | None = None
        if image_shape is not None:
            h, w = (int(v) for v in image_shape)
            if h * w != self.n_inputs:
                raise ValueError(
                    f"image_shape must have height * width = {self.n_inputs} (the columns of "
                    f"X), got {(h, w)}"
                )
            self.image_shape = (h, w)

    def settings(self) -> dict[str, Any]:
        return {
            "data": self.name,
            "nudged": self.nudged,
            "n_train": int(self.X_train.shape[0]),
            "n_test": int(self.X_test.shape[0]),
            "n_inputs": int(self.n_inputs),
            "n_classes": self.n_classes,
        }


def _entropy(rng: RNGLike) -> int:
    return int(check_rng(rng).integers(2**63))


def _train_rbm(
    X: np.ndarray,
    n_hidden: int,
    *,
    method: str,
    n_epochs: int,
    learning_rate: float,
    batch_size: int,
    entropy: int,
    callbacks: Sequence[Any] = (),
) -> tuple[Any, float]:
    from energynets.learning.contrastive import fit_rbm
    from energynets.models.rbm import RBM

    start = time.perf_counter()
    rbm, _ = fit_rbm(
        RBM(X.shape[1], n_hidden, rng=rng_stream(entropy, _RBM_INIT)),
        X,
        method=method,
        n_epochs=n_epochs,
        batch_size=batch_size,
        learning_rate=learning_rate,
        monitor=(),
        rng=rng_stream(entropy, _RBM_FIT),
        callbacks=callbacks,
    )
    return rbm, time.perf_counter() - start


def _train_classifier(
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
    callbacks: Sequence[Any] = (),
) -> tuple[Any, dict[str, list[Any]]]:
    """A softmax network trained by Adam; the batch order comes from the same stream for every
    classifier of an experiment (the same batches when the rows are the same)."""
    from energynets.learning.backprop import fit_mlp
    from energynets.models.mlp import MLP

    init = "he" if activation in ("relu", "leaky_relu") else "xavier_uniform"
    net = MLP(sizes, activation=activation, init=init, rng=rng_stream(entropy, init_key))
    return fit_mlp(
        net,
        X,
        y,
        optimizer="adam",
        learning_rate=learning_rate,
        n_epochs=n_epochs,
        batch_size=batch_size,
        rng=rng_stream(entropy, _FIT),
        callbacks=callbacks,
    )


# -- 1. features ------------------------------------------------------------------------------
def features_experiment(
    X: Any = None,
    y: Any = None,
    *,
    X_test: Any = None,
    y_test: Any = None,
    image_shape: Sequence[int] | None = None,
    test_fraction: float = 0.2,
    n_hidden: int = 100,
    rbm_method: str = "cd",
    rbm_epochs: int = 40,
    rbm_learning_rate: float = 0.1,
    classifier_epochs: int = 20,
    classifier_learning_rate: float = 0.01,
    mlp_hidden: int = 100,
    mlp_activation: str = "relu",
    mlp_epochs: int | None = None,
    mlp_learning_rate: float = 1e-3,
    batch_size: int = 10,
    rng: RNGLike = 0,
) -> FeaturesResult:
    """Softmax regression on raw pixels vs on RBM features vs an MLP trained end to end.

    1. **raw pixels**: softmax regression p(y | x) = softmax(x W + b), i.e. ``MLP([n_inputs,
       n_classes])``, trained on the pixels;
    2. **RBM features**: an RBM (Bernoulli units) is trained without labels by CD-1 (or PCD-1)
       on the training rows, and the same softmax regression is trained on its hidden
       probabilities q = p(h = 1 | x) = sigmoid(x W + c): a linear classifier on features
       learned generatively;
    3. **MLP**: ``MLP([n_inputs, mlp_hidden, n_classes])`` trained end to end by backprop, its
       hidden layer learned for the task; by default for as many passes over the data as the
       RBM pipeline (``rbm_epochs + classifier_epochs``).

    All classifiers see the same training rows in the same mini-batches (one batch-order
    stream) and are trained by Adam on the cross-entropy. On the default data, the nudged
    digits (:func:`nudged_digits`, split at random 80/20 like scikit-learn's example), the
    example reports raw 0.781 < RBM 0.930 < MLP 0.972 (:data:`SKLEARN_REFERENCE`).

    Parameters
    ----------
    X : array_like, shape (n_samples, n_inputs), optional
        Values in [0, 1]. Default: :func:`nudged_digits`.
    y : array_like of int, shape (n_samples,)
        Class labels 0..K-1 (with X).
    X_test, y_test : array_like, shapes (n_test, n_inputs) and (n_test,), optional
        Held-out rows; default: ``test_fraction`` of the rows of X drawn with ``rng``.
    image_shape : (int, int), optional
        (height, width) of an image, kept for pictures (default (8, 8) for the digits).
    test_fraction : float in (0, 1)
    n_hidden : int >= 1
        Hidden units of the RBM.
    rbm_method : {"cd", "pcd"}
    rbm_epochs : int >= 1
    rbm_learning_rate : float > 0
    classifier_epochs : int >= 1
        Epochs of each softmax regression.
    classifier_learning_rate : float > 0
    mlp_hidden : int >= 1
    mlp_activation : str
        Hidden activation of the MLP (:data:`energynets.models.mlp.ACTIVATIONS`).
    mlp_epochs : int >= 1, optional
        Default ``rbm_epochs + classifier_epochs`` (the same passes over the data).
    mlp_learning_rate : float > 0
    batch_size : int >= 1
        Rows per mini-batch of every model (scikit-learn's example uses 10).
    rng : int, Generator or None
        Seeds the split, the initial weights and the batch order (independent streams).

    Returns
    -------
    FeaturesResult
        Records for "raw pixels", "RBM features" and "MLP", the settings, the trained ``rbm``
        and ``mlp``.

    References
    ----------
    Hinton, G. E. (2002). Training products of experts by minimizing contrastive divergence. Neural
    Computation 14, 1771-1800.

    Rumelhart, D. E., Hinton, G. E. & Williams, R. J. (1986). Learning representations by
    back-propagating errors. Nature 323, 533-536.

    scikit-learn developers. Restricted Boltzmann Machine features for digit classification (the
    example ``plot_rbm_logistic_classification``).

    Examples
    --------
    On the first 500 of the embedded digits (the default data, :func:`nudged_digits`, has
    8,985 rows):

    >>> from energynets.datasets import load_digits
    >>> X, y = load_digits()
    >>> result = features_experiment(X[:500] / 16.0, y[:500], n_hidden=16, rbm_epochs=1,
    ...                              classifier_epochs=1, batch_size=100, rng=0)
    >>> [r["model"] for r in result.records]
    ['raw pixels', 'RBM features', 'MLP']
    """
    entropy = _entropy(rng)
    data = _Data(X, y, X_test, y_test, test_fraction, image_shape, entropy)
    nh = check_int(n_hidden, "n_hidden", minimum=1)
    method = check_choice(rbm_method, "rbm_method", ("cd", "pcd"))
    r_epochs = check_int(rbm_epochs, "rbm_epochs", minimum=1)
    r_eta = check_float(rbm_learning_rate, "rbm_learning_rate", minimum=0.0, exclusive_minimum=True)
    c_epochs = check_int(classifier_epochs, "classifier_epochs", minimum=1)
    c_eta = check_float(
        classifier_learning_rate, "classifier_learning_rate", minimum=0.0, exclusive_minimum=True
    )
    m_hidden = check_int(mlp_hidden, "mlp_hidden", minimum=1)
    from energynets.models.mlp import ACTIVATIONS

    m_act = check_choice(mlp_activation, "mlp_activation", tuple(ACTIVATIONS))
    m_epochs = (
        r_epochs + c_epochs
        if mlp_epochs is None
        else check_int(mlp_epochs, "mlp_epochs", minimum=1)
    )
    m_eta = check_float(mlp_learning_rate, "mlp_learning_rate", minimum=0.0, exclusive_minimum=True)
    B = check_int(batch_size, "batch_size", minimum=1)
    k = data.n_classes
    Xtr, ytr, Xte, yte = data.X_train, data.y_train, data.X_test, data.y_test

    records = []
    # 1. raw pixels
    start = time.perf_counter()
    raw, _ = _train_classifier(
        [data.n_inputs, k], Xtr, ytr, n_epochs=c_epochs, learning_rate=c_eta, batch_size=B,
        entropy=entropy, init_key=_CLS_INIT,
    )  # fmt: skip
    seconds = time.perf_counter() - start
    records.append(_accuracy_record("raw pixels", raw, Xtr, ytr, Xte, yte, c_epochs, seconds))
    # 2. RBM features
    rbm, rbm_seconds = _train_rbm(
        Xtr, nh, method=method, n_epochs=r_epochs, learning_rate=r_eta, batch_size=B,
        entropy=entropy,
    )  # fmt: skip
    Ftr, Fte = rbm.hidden_probabilities(Xtr), rbm.hidden_probabilities(Xte)
    start = time.perf_counter()
    on_features, _ = _train_classifier(
        [nh, k], Ftr, ytr, n_epochs=c_epochs, learning_rate=c_eta, batch_size=B, entropy=entropy,
        init_key=_CLS_INIT,
    )  # fmt: skip
    seconds = rbm_seconds + time.perf_counter() - start
    records.append(
        _accuracy_record(
            "RBM features", on_features, Ftr, ytr, Fte, yte, r_epochs + c_epochs, seconds
        )
    )
    # 3. MLP end to end
    start = time.perf_counter()
    mlp, _ = _train_classifier(
        [data.n_inputs, m_hidden, k], Xtr, ytr, n_epochs=m_epochs, learning_rate=m_eta,
        batch_size=B, entropy=entropy, init_key=_MLP_INIT, activation=m_act,
    )  # fmt: skip
    seconds = time.perf_counter() - start
    records.append(_accuracy_record("MLP", mlp, Xtr, ytr, Xte, yte, m_epochs, seconds))
    settings = {
        **data.settings(),
        "n_hidden": nh,
        "rbm_method": method,
        "rbm_epochs": r_epochs,
        "rbm_learning_rate": r_eta,
        "classifier_epochs": c_epochs,
        "classifier_learning_rate": c_eta,
        "mlp_hidden": m_hidden,
        "mlp_activation": m_act,
        "mlp_epochs": m_epochs,
        "mlp_learning_rate": m_eta,
        "batch_size": B,
        "optimizer": "adam",
        "rng": describe_rng(rng),
    }
    return FeaturesResult(
        records=records, settings=settings, rbm=rbm, mlp=mlp, image_shape=data.image_shape
    )


def _accuracy_record(
    name: str,
    net: Any,
    Xtr: np.ndarray,
    ytr: np.ndarray,
    Xte: np.ndarray,
    yte: np.ndarray,
    passes: int,
    seconds: float,
) -> dict[str, Any]:
    return {
        "model": name,
        "inputs": Xtr.shape[1],
        "train_accuracy": float(np.mean(net.predict(Xtr) == ytr)),
        "test_accuracy": float(np.mean(net.predict(Xte) == yte)),
        "passes": int(passes),
        "seconds": float(seconds),
    }


# -- 2. pretraining ---------------------------------------------------------------------------
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
    from energynets.learning.backprop import fit_mlp
    from energynets.learning.dbn import fit_dbn
    from energynets.models.mlp import MLP

    entropy = _entropy(rng)
    data = _Data(X, y, X_test, y_test, test_fraction, None, entropy)
    sizes_hidden = _check_counts(hidden, "hidden")
    n_train = data.X_train.shape[0]
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
    label_counts = sorted(set(label_counts))
    seed_list = _check_counts(seeds, "seeds", minimum=0)
    method = check_choice(dbn_method, "dbn_method", ("cd", "pcd"))
    p_epochs = check_int(pretrain_epochs, "pretrain_epochs", minimum=1)
    p_eta = check_float(
        pretrain_learning_rate, "pretrain_learning_rate", minimum=0.0, exclusive_minimum=True
    )
    f_epochs = check_int(finetune_epochs, "finetune_epochs", minimum=1)
    updates = check_int(min_updates, "min_updates", minimum=0)
    eta = check_float(learning_rate, "learning_rate", minimum=0.0, exclusive_minimum=True)
    B = check_int(batch_size, "batch_size", minimum=1)
    if not isinstance(progress, bool | np.bool_):
        raise TypeError(f"progress must be True or False, got {progress!r}")
    k = data.n_classes
    layer_sizes = [data.n_inputs, *sizes_hidden, k]
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(seed_list) * (1 + len(label_counts)), desc="pretraining", unit="run")
    runs: list[dict[str, Any]] = []
    pretrain_seconds = []
    try:
        for seed in seed_list:
            start = time.perf_counter()
            dbn, _ = fit_dbn(
                [data.n_inputs, *sizes_hidden],
                data.X_train,
                method=method,
                n_epochs=p_epochs,
                batch_size=B,
                learning_rate=p_eta,
                monitor=(),
                rng=rng_stream(seed, _RBM_FIT),
            )
            pretrain_seconds.append(time.perf_counter() - start)
            if bar is not None:
                bar.update(1)
            for j, count in enumerate(label_counts):
                rows = balanced_subset(data.y_train, count, rng=rng_stream(seed, _SPLIT, j))
                Xl, yl = data.X_train[rows], data.y_train[rows]
                per_epoch = -(-count // min(B, count))
                epochs = max(f_epochs, -(-updates // per_epoch))
                nets = {
                    "DBN": dbn.to_mlp(k, rng=rng_stream(seed, _CLS_INIT, j)),
                    "random": MLP(
                        layer_sizes,
                        activation="sigmoid",
                        init="xavier_uniform",
                        rng=rng_stream(seed, _MLP_INIT, j),
                    ),
                }
                # the same output layer for both: only the hidden layers' start differs
                nets["random"].weights[-1][...] = nets["DBN"].weights[-1]
                for init, net in nets.items():
                    start = time.perf_counter()
                    trained, _ = fit_mlp(
                        net,
                        Xl,
                        yl,
                        optimizer="adam",
                        learning_rate=eta,
                        n_epochs=epochs,
                        batch_size=B,
                        rng=rng_stream(seed, _FIT, j),
                    )
                    runs.append(
                        {
                            "seed": int(seed),
                            "n_labels": int(count),
                            "init": init,
                            "epochs": int(epochs),
                            "test_accuracy": float(
                                np.mean(trained.predict(data.X_test) == data.y_test)
                            ),
                            "seconds": float(time.perf_counter() - start),
                        }
                    )
                if bar is not None:
                    bar.update(1)
    finally:
        if bar is not None:
            bar.close()
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
    settings = {
        **data.settings(),
        "layer_sizes": layer_sizes,
        "n_labels": label_counts,
        "seeds": list(seed_list),
        "dbn_method": method,
        "pretrain_epochs": p_epochs,
        "pretrain_learning_rate": p_eta,
        "pretrain_seconds": float(np.mean(pretrain_seconds)),
        "finetune_epochs": f_epochs,
        "min_updates": updates,
        "learning_rate": eta,
        "batch_size": B,
        "rng": describe_rng(rng),
    }
    return PretrainingResult(records=records, settings=settings, runs=runs)


# -- 3. associative recall --------------------------------------------------------------------
def _check_fractions(values: Any, name: str) -> tuple[float, ...]:
    arr = np.atleast_1d(as_float_array(values, name, ndim=(0, 1), dtype=np.float64))
    if arr.size == 0:
        raise ValueError(f"{name} must hold at least one value")
    if np.any(arr < 0) or np.any(arr > 1):
        raise ValueError(f"{name} must lie in [0, 1], got {arr.tolist()}")
    return tuple(float(v) for v in arr)


def _check_counts(values: Any, name: str, minimum: int = 1) -> tuple[int, ...]:
    items = [values] if isinstance(values, int | np.integer) else list(values)
    if not items:
        raise ValueError(f"{name} must hold at least one value")
    return tuple(check_int(v, f"{name}[{i}]", minimum=minimum) for i, v in enumerate(items))


def recall_experiment(
    n_units: int = 100,
    *,
    n_patterns: int = 10,
    noise_levels: Sequence[float] = (0.0, 0.05, 0.1, 0.2, 0.3, 0.4),
    pattern_counts: Sequence[int] = (2, 5, 10, 15, 20, 30, 40),
    load_noise: float = 0.1,
    n_probes: int = 5,
    rule: str = "hebbian",
    dynamics: str = "async",
    max_sweeps: int = 50,
    n_hidden: int | None = None,
    activation: str = "relu",
    n_epochs: int = 30,
    learning_rate: float = 0.01,
    batch_size: int = 50,
    n_copies: int = 50,
    train_noise: Sequence[float] | None = None,
    patterns: Any = None,
    rng: RNGLike = 0,
) -> RecallComparison:
    """Associative recall: a Hopfield network vs a denoising autoencoder trained by backprop.

    Both store the same patterns xi^mu in {-1, +1}^N and restore probes in which a fraction
    of the units is flipped (:func:`energynets.corrupt`):

    - **Hopfield network**: W from the patterns by a learning rule (Hebb: W = (1/N) sum_mu
      xi^mu xi^mu^T, one outer product, no gradient), recall by zero-temperature dynamics
      that descend the energy E(s) = -1/2 s^T W s to a fixed point;
    - **denoising autoencoder** (Vincent et al. 2008): ``MLP([N, H, N], output="sigmoid")``
      trained by backprop (binary cross-entropy, Adam) to map corrupted patterns (bits
      (s + 1) / 2, ``n_copies`` copies of each pattern at each ``train_noise`` level) to the
      clean ones; recall is one forward pass, the output thresholded at 1/2.

    Two sweeps: recall against the noise level at ``n_patterns`` patterns, and against the
    number of patterns at ``load_noise``. A probe counts as recalled when every unit is right.

    Parameters
    ----------
    n_units : int >= 2
        N.
    n_patterns : int >= 1
        Patterns stored in the noise sweep.
    noise_levels : sequence of float in [0, 1]
        Fractions of flipped units in the probes of the noise sweep.
    pattern_counts : sequence of int >= 1
        Numbers of patterns of the load sweep (the first P of one pool of patterns).
    load_noise : float in [0, 1]
        Noise of the probes of the load sweep.
    n_probes : int >= 1
        Probes per pattern at each point.
    rule : {"hebbian", "storkey", "pseudoinverse"}
    dynamics : {"async", "sync"}
    max_sweeps : int >= 1
    n_hidden : int >= 1, optional
        H, default 2 N.
    activation : str
        Hidden activation of the autoencoder.
    n_epochs, learning_rate, batch_size : training of the autoencoder
    n_copies : int >= 1
        Corrupted training copies of each pattern per training noise level.
    train_noise : sequence of float in [0, 1], optional
        Noise levels of the training copies; default the noise levels of both sweeps.
    patterns : array_like of +-1, shape (n_pool, n_units), optional
        Patterns to use instead of random ones (at least max(n_patterns, pattern_counts)
        rows; ``n_units`` is then their width).
    rng : int, Generator or None

    Returns
    -------
    RecallComparison

    References
    ----------
    Hopfield, J. J. (1982). Neural networks and physical systems with emergent collective
    computational abilities. PNAS 79, 2554-2558.

    Vincent, P., Larochelle, H., Bengio, Y. & Manzagol, P.-A. (2008). Extracting and composing
    robust features with denoising autoencoders. ICML 2008, 1096-1103.
    """
    from energynets.datasets import random_patterns
    from energynets.learning.backprop import fit_mlp
    from energynets.learning.hopfield_rules import RULES
    from energynets.models.hopfield import HopfieldNetwork
    from energynets.models.mlp import ACTIVATIONS, MLP
    from energynets.sampling.dynamics import DYNAMICS
    from energynets.states import corrupt

    p_noise = check_int(n_patterns, "n_patterns", minimum=1)
    noises = _check_fractions(noise_levels, "noise_levels")
    counts = _check_counts(pattern_counts, "pattern_counts")
    l_noise = check_float(load_noise, "load_noise", minimum=0.0, maximum=1.0)
    probes_each = check_int(n_probes, "n_probes", minimum=1)
    rule_name = check_choice(rule, "rule", tuple(RULES))
    dyn = check_choice(dynamics, "dynamics", tuple(DYNAMICS))
    sweeps = check_int(max_sweeps, "max_sweeps", minimum=1)
    act = check_choice(activation, "activation", tuple(ACTIVATIONS))
    epochs = check_int(n_epochs, "n_epochs", minimum=1)
    eta = check_float(learning_rate, "learning_rate", minimum=0.0, exclusive_minimum=True)
    B = check_int(batch_size, "batch_size", minimum=1)
    copies = check_int(n_copies, "n_copies", minimum=1)
    t_noise = (
        tuple(sorted({*noises, l_noise}))
        if train_noise is None
        else _check_fractions(train_noise, "train_noise")
    )
    entropy = _entropy(rng)
    n_pool = max(p_noise, *counts)
    if patterns is None:
        n = check_int(n_units, "n_units", minimum=2)
        pool = random_patterns(n_pool, n, rng=rng_stream(entropy, _PATTERNS))
    else:
        from energynets._validation import as_spins

        pool, _ = as_spins(patterns, "patterns", allow_1d=False)
        if pool.shape[0] < n_pool:
            raise ValueError(
                f"patterns must have shape (n_pool, n_units) with n_pool >= {n_pool} (the "
                f"largest number of patterns asked for), got shape {pool.shape}"
            )
        n = pool.shape[1]
    hidden = 2 * n if n_hidden is None else check_int(n_hidden, "n_hidden", minimum=1)

    def measure(xi: np.ndarray, noise_list: Sequence[float], sweep: str, key: int) -> list[dict]:
        rows: list[dict[str, Any]] = []
        start = time.perf_counter()
        net = HopfieldNetwork.from_patterns(xi, rule=rule_name)
        hop_train = time.perf_counter() - start
        # the autoencoder's training set: copies of every pattern at every training noise
        gen = rng_stream(entropy, _PROBES, key, 0)
        clean = np.tile(xi, (copies * len(t_noise), 1))
        noisy = np.concatenate([corrupt(np.tile(xi, (copies, 1)), f, rng=gen) for f in t_noise])
        start = time.perf_counter()
        dae, _ = fit_mlp(
            MLP(
                [n, hidden, n],
                activation=act,
                output="sigmoid",
                init="he" if act in ("relu", "leaky_relu") else "xavier_uniform",
                rng=rng_stream(entropy, _MLP_INIT, key),
            ),
            (noisy + 1.0) / 2.0,
            (clean + 1.0) / 2.0,
            optimizer="adam",
            learning_rate=eta,
            n_epochs=epochs,
            batch_size=B,
            rng=rng_stream(entropy, _FIT, key),
        )
        dae_train = time.perf_counter() - start
        targets = np.tile(xi, (probes_each, 1))
        for j, f in enumerate(noise_list):
            probes = corrupt(targets, f, rng=rng_stream(entropy, _PROBES, key, 1 + j))
            start = time.perf_counter()
            states = net.recall(
                probes, dynamics=dyn, max_sweeps=sweeps, rng=rng_stream(entropy, _FIT, key, j)
            ).states
            hop_recall = time.perf_counter() - start
            start = time.perf_counter()
            out = 2.0 * dae.predict((probes + 1.0) / 2.0) - 1.0
            dae_recall = time.perf_counter() - start
            for model, final, t_train, t_recall in (
                ("hopfield", states, hop_train, hop_recall),
                ("autoencoder", out, dae_train, dae_recall),
            ):
                rows.append(
                    {
                        "sweep": sweep,
                        "model": model,
                        "n_units": int(n),
                        "n_patterns": int(xi.shape[0]),
                        "noise": float(f),
                        "recalled": float(np.mean(np.all(final == targets, axis=1))),
                        "overlap": float(np.mean(np.sum(final * targets, axis=1) / n)),
                        "train_seconds": float(t_train),
                        "recall_seconds": float(t_recall),
                    }
                )
        return rows

    records = measure(pool[:p_noise], noises, "noise", 0)
    for i, count in enumerate(counts):
        records += measure(pool[:count], [l_noise], "load", 1 + i)
    # group: noise sweep (hopfield rows, then autoencoder rows), then load sweep likewise
    order = {("noise", "hopfield"): 0, ("noise", "autoencoder"): 1}
    order.update({("load", "hopfield"): 2, ("load", "autoencoder"): 3})
    records.sort(key=lambda r: order[(r["sweep"], r["model"])])  # stable: sweep order kept
    settings = {
        "n_units": int(n),
        "n_patterns": p_noise,
        "noise_levels": list(noises),
        "pattern_counts": list(counts),
        "load_noise": l_noise,
        "n_probes": probes_each,
        "rule": rule_name,
        "dynamics": dyn,
        "max_sweeps": sweeps,
        "n_hidden": hidden,
        "activation": act,
        "n_epochs": epochs,
        "learning_rate": eta,
        "batch_size": B,
        "n_copies": copies,
        "train_noise": list(t_noise),
        "patterns": "random unbiased" if patterns is None else "given",
        "rng": describe_rng(rng),
    }
    return RecallComparison(records=records, settings=settings)


# -- 4. filters -------------------------------------------------------------------------------
def filter_smoothness(weights: Any, shape: Sequence[int]) -> float:
    """Mean correlation between the weights of horizontally and vertically adjacent pixels.

    For each filter (a column of ``weights``, reshaped to ``shape``) the Pearson correlation
    of the pairs (w[i, j], w[i, j + 1]) and (w[i, j], w[i + 1, j]) over the image; the mean
    over filters. Smooth strokes give values near 1, independent pixel noise near 0. Filters
    that are constant are skipped (NaN if all are).

    Parameters
    ----------
    weights : array_like, shape (height * width, n_filters)
    shape : (int, int)

    Returns
    -------
    float

    Examples
    --------
    >>> ramp = np.add.outer(np.arange(4.0), np.arange(4.0)).reshape(16, 1)  # w_ij = i + j
    >>> round(filter_smoothness(ramp, (4, 4)), 6)
    1.0
    >>> noise = np.random.default_rng(0).standard_normal((64, 20))
    >>> abs(filter_smoothness(noise, (8, 8))) < 0.1
    True
    """
    w = as_float_array(weights, "weights", ndim=2, dtype=np.float64)
    h, wd = (int(v) for v in shape)
    if h * wd != w.shape[0]:
        raise ValueError(
            f"shape must have height * width = {w.shape[0]} (the rows of weights), got {(h, wd)}"
        )
    images = w.T.reshape(-1, h, wd)
    a = np.concatenate(
        [images[:, :, :-1].reshape(len(images), -1), images[:, :-1, :].reshape(len(images), -1)],
        axis=1,
    )
    b = np.concatenate(
        [images[:, :, 1:].reshape(len(images), -1), images[:, 1:, :].reshape(len(images), -1)],
        axis=1,
    )
    a = a - a.mean(axis=1, keepdims=True)
    b = b - b.mean(axis=1, keepdims=True)
    denom = np.sqrt(np.sum(a * a, axis=1) * np.sum(b * b, axis=1))
    ok = denom > 0
    if not np.any(ok):
        return float("nan")
    return float(np.mean(np.sum(a * b, axis=1)[ok] / denom[ok]))


def filter_redundancy(weights: Any) -> float:
    """Mean absolute cosine similarity between two distinct filters (columns of ``weights``).

    0: orthogonal filters, 1: the same filter repeated (up to sign and scale). NaN for fewer
    than two non-zero filters.

    Parameters
    ----------
    weights : array_like, shape (n_inputs, n_filters)

    Returns
    -------
    float

    Examples
    --------
    >>> filter_redundancy([[1.0, 0.0], [0.0, 2.0]]), filter_redundancy([[1.0, -3.0], [1.0, -3.0]])
    (0.0, 1.0)
    """
    w = as_float_array(weights, "weights", ndim=2, dtype=np.float64)
    norms = np.linalg.norm(w, axis=0)
    u = w[:, norms > 0] / norms[norms > 0]
    m = u.shape[1]
    if m < 2:
        return float("nan")
    c = np.abs(u.T @ u)
    return float((c.sum() - np.trace(c)) / (m * (m - 1)))


def filters_experiment(
    X: Any = None,
    y: Any = None,
    *,
    image_shape: Sequence[int] | None = None,
    n_hidden: int = 64,
    rbm: Any = None,
    mlp: Any = None,
    rbm_method: str = "cd",
    rbm_epochs: int = 20,
    rbm_learning_rate: float = 0.1,
    mlp_activation: str = "sigmoid",
    mlp_epochs: int = 20,
    mlp_learning_rate: float = 1e-3,
    batch_size: int = 10,
    rng: RNGLike = 0,
) -> FiltersResult:
    """What is learned: an RBM's filters next to the first-layer weights of an MLP.

    Both have ``n_hidden`` units looking at the same images: the RBM's hidden unit j through
    the column W[:, j] of its weights (learned without labels, to model the images), the MLP's
    hidden unit j through the column of its first weight matrix (learned by backprop to tell
    the classes apart). The records measure the difference: :func:`filter_smoothness`
    (generative filters are smooth strokes and blobs) and :func:`filter_redundancy`.

    Parameters
    ----------
    X, y : array_like, shapes (n_samples, n_inputs) and (n_samples,), optional
        Rows in [0, 1] and their labels; default :func:`nudged_digits` (not needed when both
        ``rbm`` and ``mlp`` are given).
    image_shape : (int, int), optional
        Needed with X or trained models (default (8, 8) for the digits).
    n_hidden : int >= 1
        Hidden units of both models (unless trained models are given).
    rbm : RBM, optional
        A trained RBM to show instead of training one (then its n_hidden is used).
    mlp : MLP, optional
        A trained MLP to show instead of training one (its first layer is drawn).
    rbm_method, rbm_epochs, rbm_learning_rate : RBM training (CD-1 by default)
    mlp_activation, mlp_epochs, mlp_learning_rate : MLP training (Adam, all rows)
    batch_size : int >= 1
    rng : int, Generator or None

    Returns
    -------
    FiltersResult

    References
    ----------
    Hinton, G. E. (2002). Training products of experts by minimizing contrastive divergence. Neural
    Computation 14, 1771-1800.

    Hinton, G. E. (2010). A practical guide to training restricted Boltzmann machines. UTML TR
    2010-003, University of Toronto.
    """
    entropy = _entropy(rng)
    both_given = rbm is not None and mlp is not None
    if X is None and not both_given:
        if y is not None:
            raise ValueError("y was given without X; pass both, or neither for the digits")
        X, y = nudged_digits()
        image_shape = (8, 8) if image_shape is None else image_shape
        name = "nudged 8 x 8 digits"
    else:
        name = "the given data" if X is not None else "the given models"
    if image_shape is None:
        raise ValueError("image_shape (height, width) must be given with X or with trained models")
    try:
        h, w = (int(v) for v in image_shape)
    except (TypeError, ValueError):
        raise TypeError(
            f"image_shape must be a pair (height, width) of ints, got {image_shape!r}"
        ) from None
    Xa = np.empty((0, h * w))
    if X is not None:
        Xa = as_float_array(X, "X", ndim=2, dtype=np.float64)
        if h * w != Xa.shape[1]:
            raise ValueError(
                f"image_shape must have height * width = {Xa.shape[1]} (the columns of X), "
                f"got {(h, w)}"
            )
    B = check_int(batch_size, "batch_size", minimum=1)
    nh = check_int(n_hidden, "n_hidden", minimum=1)
    records = []
    filters: dict[str, np.ndarray] = {}
    if rbm is None:
        method = check_choice(rbm_method, "rbm_method", ("cd", "pcd"))
        r_epochs = check_int(rbm_epochs, "rbm_epochs", minimum=1)
        r_eta = check_float(
            rbm_learning_rate, "rbm_learning_rate", minimum=0.0, exclusive_minimum=True
        )
        model, seconds = _train_rbm(
            Xa, nh, method=method, n_epochs=r_epochs, learning_rate=r_eta, batch_size=B,
            entropy=entropy,
        )  # fmt: skip
        rbm_desc = f"{h * w}-{nh}, {method}-1, {r_epochs} epochs, learning rate {r_eta:g}"
    else:
        if not hasattr(rbm, "weights") or not hasattr(rbm, "hidden_bias"):
            raise TypeError(f"rbm must be an energynets RBM, got {type(rbm).__name__}")
        model, seconds, rbm_desc = rbm, float("nan"), "given"
        if model.weights.shape[0] != h * w:
            raise ValueError(
                f"rbm must have n_visible = {h * w} (height * width), got {model.weights.shape[0]}"
            )
    filters["RBM"] = np.array(model.weights, dtype=np.float64)
    records.append(_filter_record("RBM", filters["RBM"], (h, w), seconds))
    if mlp is None:
        if y is None:
            raise ValueError("y (class labels) must be given with X to train the MLP")
        from energynets.models.mlp import ACTIVATIONS, check_labels

        labels = np.asarray(y)
        labels = check_labels(labels, int(labels.max()) + 1, "y")
        act = check_choice(mlp_activation, "mlp_activation", tuple(ACTIVATIONS))
        m_epochs = check_int(mlp_epochs, "mlp_epochs", minimum=1)
        m_eta = check_float(
            mlp_learning_rate, "mlp_learning_rate", minimum=0.0, exclusive_minimum=True
        )
        start = time.perf_counter()
        net, _ = _train_classifier(
            [h * w, nh, int(labels.max()) + 1], Xa, labels, n_epochs=m_epochs,
            learning_rate=m_eta, batch_size=B, entropy=entropy, init_key=_MLP_INIT,
            activation=act,
        )  # fmt: skip
        m_seconds = time.perf_counter() - start
        mlp_desc = f"{h * w}-{nh}-{int(labels.max()) + 1} ({act}), Adam, {m_epochs} epochs"
    else:
        if not hasattr(mlp, "weights") or not isinstance(mlp.weights, list):
            raise TypeError(f"mlp must be an energynets MLP, got {type(mlp).__name__}")
        net, m_seconds, mlp_desc = mlp, float("nan"), "given"
        if net.weights[0].shape[0] != h * w:
            raise ValueError(
                f"mlp must have {h * w} inputs (height * width), got {net.weights[0].shape[0]}"
            )
    filters["MLP"] = np.array(net.weights[0], dtype=np.float64)
    records.append(_filter_record("MLP", filters["MLP"], (h, w), m_seconds))
    settings = {
        "data": name,
        "n_rows": int(Xa.shape[0]),
        "image_shape": [h, w],
        "rbm": rbm_desc,
        "mlp": mlp_desc,
        "batch_size": B,
        "rng": describe_rng(rng),
    }
    return FiltersResult(records=records, settings=settings, filters=filters, image_shape=(h, w))


def _filter_record(
    name: str, w: np.ndarray, shape: tuple[int, int], seconds: float
) -> dict[str, Any]:
    return {
        "model": name,
        "n_filters": int(w.shape[1]),
        "mean_norm": float(np.mean(np.linalg.norm(w, axis=0))),
        "smoothness": filter_smoothness(w, shape),
        "redundancy": filter_redundancy(w),
        "seconds": None if np.isnan(seconds) else float(seconds),
    }


# -- 5. cost ----------------------------------------------------------------------------------
def cost_experiment(
    X: Any = None,
    y: Any = None,
    *,
    X_test: Any = None,
    y_test: Any = None,
    test_fraction: float = 0.2,
    target_accuracy: float = 0.85,
    n_hidden: int = 100,
    rbm_method: str = "cd",
    checkpoints: Sequence[int] = (1, 2, 5, 10, 20),
    rbm_learning_rate: float = 0.1,
    classifier_epochs: int = 20,
    classifier_learning_rate: float = 0.01,
    mlp_hidden: int = 100,
    mlp_epochs: int = 40,
    mlp_learning_rate: float = 1e-3,
    batch_size: int = 10,
    rng: RNGLike = 0,
) -> CostResult:
    """Wall time and passes over the data until a held-out accuracy is first reached.

    - **RBM + softmax**: one RBM is trained for ``max(checkpoints)`` epochs; after each
      checkpoint epoch k a softmax regression is trained on its features for up to
      ``classifier_epochs`` epochs, the held-out accuracy measured after each. A point costs
      k + e passes and the RBM's k epochs of time plus the classifier's e; the pipeline's
      cost is that of the cheapest point (in passes) that reaches the target.
    - **MLP**: trained end to end for up to ``mlp_epochs`` epochs, measured after each.

    Times are training time only (``fit_*`` history), evaluations excluded.

    Parameters
    ----------
    X, y, X_test, y_test, test_fraction
        As for :func:`features_experiment` (default: the nudged digits).
    target_accuracy : float in (0, 1]
    n_hidden, rbm_method, rbm_learning_rate : the RBM
    checkpoints : sequence of int >= 1
        RBM epochs after which the pipeline is evaluated.
    classifier_epochs, classifier_learning_rate : the softmax regressions
    mlp_hidden, mlp_epochs, mlp_learning_rate : the MLP (ReLU, Adam)
    batch_size : int >= 1
    rng : int, Generator or None

    Returns
    -------
    CostResult

    References
    ----------
    Hinton, G. E. (2002). Training products of experts by minimizing contrastive divergence. Neural
    Computation 14, 1771-1800.

    Rumelhart, D. E., Hinton, G. E. & Williams, R. J. (1986). Learning representations by
    back-propagating errors. Nature 323, 533-536.
    """
    entropy = _entropy(rng)
    data = _Data(X, y, X_test, y_test, test_fraction, None, entropy)
    target = check_float(target_accuracy, "target_accuracy", minimum=0.0, maximum=1.0)
    if target <= 0:
        raise ValueError(f"target_accuracy must be in (0, 1], got {target}")
    nh = check_int(n_hidden, "n_hidden", minimum=1)
    method = check_choice(rbm_method, "rbm_method", ("cd", "pcd"))
    marks = tuple(sorted(set(_check_counts(checkpoints, "checkpoints"))))
    r_eta = check_float(rbm_learning_rate, "rbm_learning_rate", minimum=0.0, exclusive_minimum=True)
    c_epochs = check_int(classifier_epochs, "classifier_epochs", minimum=1)
    c_eta = check_float(
        classifier_learning_rate, "classifier_learning_rate", minimum=0.0, exclusive_minimum=True
    )
    m_hidden = check_int(mlp_hidden, "mlp_hidden", minimum=1)
    m_epochs = check_int(mlp_epochs, "mlp_epochs", minimum=1)
    m_eta = check_float(mlp_learning_rate, "mlp_learning_rate", minimum=0.0, exclusive_minimum=True)
    B = check_int(batch_size, "batch_size", minimum=1)
    k = data.n_classes
    Xtr, ytr, Xte, yte = data.X_train, data.y_train, data.X_test, data.y_test

    def tracker(features: np.ndarray) -> tuple[list[float], Any]:
        accuracies: list[float] = []

        def on_epoch(epoch: int, net: Any, history: dict[str, list[Any]]) -> bool:
            accuracies.append(float(np.mean(net.predict(features) == yte)))
            return False

        return accuracies, on_epoch

    # the RBM, snapshots at the checkpoints
    snapshots: dict[int, tuple[Any, float]] = {}

    def keep(epoch: int, model: Any, history: dict[str, list[Any]]) -> bool:
        if epoch + 1 in marks:
            snapshots[epoch + 1] = (model.copy(), float(np.sum(history["time"])))
        return False

    _train_rbm(
        Xtr, nh, method=method, n_epochs=marks[-1], learning_rate=r_eta, batch_size=B,
        entropy=entropy, callbacks=[keep],
    )  # fmt: skip
    curves: dict[str, np.ndarray] = {}
    best_pipeline: tuple[int, float] | None = None
    best_acc = 0.0
    for mark in marks:
        rbm, rbm_time = snapshots[mark]
        acc, on_epoch = tracker(rbm.hidden_probabilities(Xte))
        _, hist = _train_classifier(
            [nh, k], rbm.hidden_probabilities(Xtr), ytr, n_epochs=c_epochs, learning_rate=c_eta,
            batch_size=B, entropy=entropy, init_key=_CLS_INIT, callbacks=[on_epoch],
        )  # fmt: skip
        passes = mark + np.arange(1, c_epochs + 1)
        seconds = rbm_time + np.cumsum(hist["time"])
        curves[f"RBM {mark} epochs + softmax"] = np.column_stack([passes, seconds, acc])
        best_acc = max(best_acc, max(acc))
        hit = np.flatnonzero(np.asarray(acc) >= target)
        if hit.size and (best_pipeline is None or passes[hit[0]] < best_pipeline[0]):
            best_pipeline = (int(passes[hit[0]]), float(seconds[hit[0]]))
    records = [
        {
            "model": "RBM + softmax",
            "target": target,
            "reached": best_pipeline is not None,
            "passes": None if best_pipeline is None else best_pipeline[0],
            "seconds": None if best_pipeline is None else best_pipeline[1],
            "best_accuracy": best_acc,
            "total_passes": int(marks[-1] + c_epochs),
        }
    ]
    acc, on_epoch = tracker(Xte)
    _, hist = _train_classifier(
        [data.n_inputs, m_hidden, k], Xtr, ytr, n_epochs=m_epochs, learning_rate=m_eta,
        batch_size=B, entropy=entropy, init_key=_MLP_INIT, callbacks=[on_epoch],
    )  # fmt: skip
    passes = np.arange(1, m_epochs + 1)
    seconds = np.cumsum(hist["time"])
    curves["MLP"] = np.column_stack([passes, seconds, acc])
    hit = np.flatnonzero(np.asarray(acc) >= target)
    records.append(
        {
            "model": "MLP",
            "target": target,
            "reached": bool(hit.size),
            "passes": int(passes[hit[0]]) if hit.size else None,
            "seconds": float(seconds[hit[0]]) if hit.size else None,
            "best_accuracy": float(max(acc)),
            "total_passes": m_epochs,
        }
    )
    settings = {
        **data.settings(),
        "target_accuracy": target,
        "n_hidden": nh,
        "rbm_method": method,
        "checkpoints": list(marks),
        "rbm_learning_rate": r_eta,
        "classifier_epochs": c_epochs,
        "classifier_learning_rate": c_eta,
        "mlp_hidden": m_hidden,
        "mlp_epochs": m_epochs,
        "mlp_learning_rate": m_eta,
        "batch_size": B,
        "rng": describe_rng(rng),
    }
    return CostResult(records=records, settings=settings, curves=curves)
