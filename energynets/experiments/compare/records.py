"""The records the comparisons of :mod:`energynets.experiments.compare` return.

:class:`CompareResult` holds a tidy table (``records``, one dict per row) and the
``settings`` of the run, and prints them: a Markdown table (:meth:`CompareResult.table`), an
aligned plain-text table (:meth:`CompareResult.to_text`), the notes under either, one column
as an array and the JSON-ready :meth:`CompareResult.summary`. Each experiment's result is a
subclass that names its columns and formats, writes its notes and adds what its figure
needs: :class:`FeaturesResult` (with :data:`SKLEARN_REFERENCE`), :class:`PretrainingResult`,
:class:`RecallComparison`, :class:`FiltersResult` and :class:`CostResult`. All of them are
public, and imported from :mod:`energynets.experiments.compare`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from energynets._validation import check_choice
from energynets.experiments._report import Records, TableReport, find_record, record_column


@dataclass
class CompareResult(Records, TableReport):
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

    >>> from energynets.experiments.compare import recall_experiment
    >>> res = recall_experiment(n_units=32, n_patterns=3, noise_levels=[0.1], pattern_counts=[2],
    ...                         n_epochs=2, n_copies=5, rng=0)
    >>> isinstance(res, CompareResult), sorted(res.summary())
    (True, ['experiment', 'records', 'settings'])
    >>> res.column("model").tolist()
    ['hopfield', 'autoencoder', 'hopfield', 'autoencoder']
    """

    #: The experiment's name (the key of the report's section).
    EXPERIMENT: ClassVar[str] = ""
    #: The record keys, in table order, and the format of each cell (empty for text): a
    #: subclass writes its FORMATS, and COLUMNS are their keys.
    COLUMNS: ClassVar[tuple[str, ...]] = ()
    FORMATS: ClassVar[dict[str, str]] = {}
    #: Columns that are measured times (they change between runs of one seed).
    TIME_COLUMNS: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.COLUMNS = cls._CELLS = tuple(cls.FORMATS)
        cls._FORMATS = cls.FORMATS

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
        return record_column(self.records, name, self.COLUMNS)

    def _notes(self) -> list[str]:
        return self.notes()

    def notes(self) -> list[str]:
        """One-line remarks printed under the table: the data and the settings that matter.

        Each experiment writes its own; the base class has none.

        Returns
        -------
        list of str
        """
        return []

    def table(self) -> str:
        """The records as a Markdown table (numbers right-aligned), notes as a list below.

        Returns
        -------
        str
        """
        return super().to_markdown()

    def to_markdown(self) -> str:
        """Same as :meth:`table`.

        Returns
        -------
        str
        """
        return self.table()

    def summary(self) -> dict[str, Any]:
        """Experiment name, settings and records as plain values for json.dumps.

        Returns
        -------
        dict
            ``"experiment"``, ``"settings"`` and ``"records"``, of JSON types only.
        """
        return self._summary(self.EXPERIMENT)


#: Test accuracies of scikit-learn's example plot_rbm_logistic_classification on the nudged
#: digits (its documented output): logistic regression on raw pixels (C = 100), on
#: BernoulliRBM features (C = 6000), and an MLPClassifier with its defaults, as quoted in docs
#: REFERENCES.
SKLEARN_REFERENCE = {"raw pixels": 0.781, "RBM features": 0.930, "MLP": 0.972}


@dataclass
class FeaturesResult(CompareResult):
    """What :func:`features_experiment` measured.

    Records (one per model): ``model`` ("raw pixels", "RBM features", "MLP"), ``inputs`` (the
    classifier's input size), ``train_accuracy``, ``test_accuracy``, ``passes`` (passes over
    the training rows: the RBM's epochs, L-BFGS's evaluations of the objective, the MLP's
    epochs), ``seconds`` (training wall time), ``classifier`` (what was trained on the
    inputs, e.g. "softmax regression, L-BFGS, C = 6000").

    Attributes
    ----------
    records, settings
        The rows described above, and every setting of the run.
    rbm : RBM
        The trained feature extractor.
    mlp : MLP
        The network trained end to end.
    image_shape : (int, int) or None
        (height, width) of one input image, for pictures of the weights.

    Examples
    --------
    >>> from energynets.datasets import load_digits
    >>> from energynets.experiments.compare import features_experiment
    >>> X, y = load_digits()
    >>> res = features_experiment(X[:300] / 16.0, y[:300], image_shape=(8, 8), n_hidden=16,
    ...                           rbm_epochs=1, mlp_hidden=16, mlp_epochs=2, rng=0)
    >>> res.column("model").tolist(), res.rbm.n_hidden, res.image_shape
    (['raw pixels', 'RBM features', 'MLP'], 16, (8, 8))
    >>> res.column("classifier").tolist()[0]
    'softmax regression, L-BFGS, C = 100'
    >>> 0.0 <= res.accuracy("MLP") <= 1.0
    True
    """

    rbm: Any = None
    mlp: Any = None
    image_shape: tuple[int, int] | None = None

    EXPERIMENT = "features"
    FORMATS: ClassVar[dict[str, str]] = {
        "model": "",
        "inputs": "d",
        "train_accuracy": ".4f",
        "test_accuracy": ".4f",
        "passes": "d",
        "seconds": ".2f",
        "classifier": "",
    }
    TIME_COLUMNS = ("seconds",)

    def accuracy(self, model: str) -> float:
        """The test accuracy of one model ("raw pixels", "RBM features" or "MLP").

        Parameters
        ----------
        model : str

        Returns
        -------
        float
        """
        return float(find_record(self.records, "model", model)["test_accuracy"])

    def notes(self) -> list[str]:
        s = self.settings
        split = "the test rows given" if s["split"] == "given" else f"split {s['split']}"
        lines = [
            f"data: {s['data']}; {s['n_train']} training and {s['n_test']} test rows ({split})",
            f"RBM {s['n_inputs']}-{s['n_hidden']}: {s['rbm_method']}-1, {s['rbm_epochs']} "
            f"epochs, learning rate {s['rbm_learning_rate']:g}, batches of {s['batch_size']}; "
            f"features p(h = 1 | v)",
            f"softmax regression on raw pixels (C = {s['raw_C']:g}) and on RBM features "
            f"(C = {s['features_C']:g}): the multinomial log-loss plus ||W||^2 / (2C), "
            f"minimised by L-BFGS until no gradient component exceeds {s['classifier_tol']:g} "
            "(scikit-learn's LogisticRegression objective)",
            f"MLP {s['n_inputs']}-{s['mlp_hidden']}-{s['n_classes']} ({s['mlp_activation']}): "
            f"Adam, learning rate {s['mlp_learning_rate']:g}, {s['mlp_epochs']} epochs of "
            f"batches of {s['mlp_batch_size']}, alpha {s['mlp_alpha']:g}",
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
    records, settings
        The rows described above, and every setting of the run.
    runs : list of dict
        One per (seed, n_labels, init): ``seed``, ``n_labels``, ``init``, ``test_accuracy``,
        ``seconds``.

    Examples
    --------
    >>> from energynets.datasets import load_digits
    >>> from energynets.experiments.compare import pretraining_experiment
    >>> X, y = load_digits()
    >>> res = pretraining_experiment(X[:300] / 16.0, y[:300], hidden=[16], n_labels=[50, None],
    ...                              seeds=[0], pretrain_epochs=1, finetune_epochs=1, rng=0)
    >>> [(r["n_labels"], r["init"]) for r in res.records]
    [(50, 'DBN'), (50, 'random'), (240, 'DBN'), (240, 'random')]
    >>> sorted(res.gain())
    [50, 240]
    """

    runs: list[dict[str, Any]] = field(default_factory=list)

    EXPERIMENT = "pretraining"
    FORMATS: ClassVar[dict[str, str]] = {
        "n_labels": "d",
        "init": "",
        "mean_accuracy": ".4f",
        "std_accuracy": ".4f",
        "min_accuracy": ".4f",
        "max_accuracy": ".4f",
        "n_seeds": "d",
        "seconds": ".2f",
    }
    TIME_COLUMNS = ("seconds",)

    def gain(self) -> dict[int, float]:
        """Mean accuracy of DBN initialisation minus random initialisation, per n_labels.

        Returns
        -------
        dict of int to float
        """
        mean = {(r["n_labels"], r["init"]): r["mean_accuracy"] for r in self.records}
        return {n: mean[(n, "DBN")] - mean[(n, "random")] for n in self.settings["n_labels"]}

    def notes(self) -> list[str]:
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
    records, settings
        The rows described above, and every setting of the run.

    Examples
    --------
    >>> from energynets.experiments.compare import recall_experiment
    >>> res = recall_experiment(n_units=32, n_patterns=3, noise_levels=[0.1], pattern_counts=[2],
    ...                         n_epochs=2, n_copies=5, rng=0)
    >>> [row["recalled"] for row in res.rows("noise", "hopfield")]
    [1.0]
    """

    EXPERIMENT = "recall"
    FORMATS: ClassVar[dict[str, str]] = {
        "sweep": "",
        "model": "",
        "n_units": "d",
        "n_patterns": "d",
        "noise": ".2f",
        "recalled": ".3f",
        "overlap": ".3f",
        "train_seconds": ".4f",
        "recall_seconds": ".4f",
    }
    TIME_COLUMNS = ("train_seconds", "recall_seconds")

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
    records, settings
        The rows described above, and every setting of the run.
    filters : dict of str to ndarray, shape (n_inputs, n_filters)
        ``{"RBM": rbm.weights, "MLP": mlp.weights[0]}``.
    image_shape : (int, int)

    Examples
    --------
    >>> from energynets.datasets import load_digits
    >>> from energynets.experiments.compare import filters_experiment
    >>> X, y = load_digits()
    >>> res = filters_experiment(X[:300] / 16.0, y[:300], image_shape=(8, 8), n_hidden=8,
    ...                          rbm_epochs=1, mlp_epochs=1, rng=0)
    >>> res.column("model").tolist(), res.filters["RBM"].shape
    (['RBM', 'MLP'], (64, 8))
    """

    filters: dict[str, np.ndarray] = field(default_factory=dict)
    image_shape: tuple[int, int] = (8, 8)

    EXPERIMENT = "filters"
    FORMATS: ClassVar[dict[str, str]] = {
        "model": "",
        "n_filters": "d",
        "mean_norm": ".3f",
        "smoothness": ".3f",
        "redundancy": ".3f",
        "seconds": ".2f",
    }
    TIME_COLUMNS = ("seconds",)

    def notes(self) -> list[str]:
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
    records, settings
        The rows described above, and every setting of the run.
    curves : dict of str to ndarray, shape (n_points, 3)
        Columns (passes, seconds, held-out accuracy) after each epoch of a classifier: for
        "MLP" one curve; for the pipeline one curve per RBM checkpoint, keyed
        "RBM k epochs + softmax".

    Examples
    --------
    >>> from energynets.datasets import load_digits
    >>> from energynets.experiments.compare import cost_experiment
    >>> X, y = load_digits()
    >>> res = cost_experiment(X[:300] / 16.0, y[:300], checkpoints=[1], n_hidden=16,
    ...                       classifier_epochs=2, mlp_hidden=16, mlp_epochs=2, rng=0)
    >>> res.column("model").tolist(), sorted(res.curves)
    (['RBM + softmax', 'MLP'], ['MLP', 'RBM 1 epochs + softmax'])
    """

    curves: dict[str, np.ndarray] = field(default_factory=dict)

    EXPERIMENT = "cost"
    FORMATS: ClassVar[dict[str, str]] = {
        "model": "",
        "target": ".3f",
        "reached": "",
        "passes": "d",
        "seconds": ".2f",
        "best_accuracy": ".4f",
        "total_passes": "d",
    }
    TIME_COLUMNS = ("seconds",)

    def _cells(self) -> list[list[str]]:
        cells = super()._cells()
        k = self.COLUMNS.index("reached")
        for row, r in zip(cells, self.records, strict=True):
            row[k] = "yes" if r["reached"] else "no"
        return cells

    def notes(self) -> list[str]:
        s = self.settings
        return [
            f"data: {s['data']}; accuracy measured on the {s['n_test']} held-out rows after "
            "every classifier epoch",
            f"RBM {s['n_inputs']}-{s['n_hidden']} checkpoints after {s['checkpoints']} epochs, "
            f"softmax regression for up to {s['classifier_epochs']} epochs on each; MLP "
            f"{s['n_inputs']}-{s['mlp_hidden']}-{s['n_classes']} for up to {s['mlp_epochs']} "
            "epochs; one pass = one epoch over the training rows",
        ]
