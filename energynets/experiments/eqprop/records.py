"""The records the equilibrium-propagation experiments return.

Each is a :class:`~energynets.experiments.compare.CompareResult` (records, settings, the
tables as text and Markdown with notes, one column as an array, a JSON summary), so that
``energynets compare`` writes them into its report like the other comparisons:
:class:`GDUResult` (EP against BPTT step by step, and its bias as beta -> 0),
:class:`BackpropResult` (EP against backprop on the same data and batches) and
:class:`CHLResult` (contrastive Hebbian learning against EP and backprop).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from energynets.experiments._report import (
    find_record,
    format_cells,
    markdown_report,
    markdown_table,
    text_report,
    text_table,
)
from energynets.experiments.compare.records import CompareResult

#: The names the tables and figures give the learning rules of fit_eqprop.
RULE_NAMES = {"chl": "CHL", "ep": "EP", "rbp": "backprop (RBP)", "bptt": "backprop (BPTT)"}


@dataclass
class GDUResult(CompareResult):
    """What :func:`~energynets.experiments.eqprop.gdu_experiment` measured.

    Records (one per network, quantity and layer): ``network``, ``quantity`` ("states": the
    neural increments against -dL/ds; "weights": the synaptic increments against -dL/dW),
    ``layer`` (1 the first hidden layer), ``first_step`` (the first step of the nudged phase
    at which the layer's BPTT gradient is not zero), ``largest`` (the largest absolute BPTT
    value over the steps shown) and ``max_error`` (the largest absolute value of EP's
    increment plus BPTT's gradient over the steps, over ``largest``).

    Attributes
    ----------
    records, settings
        The rows described above, and every setting of the run.
    bias_records : list of dict
        One per network and beta: ``network``, ``beta``, ``one_sided`` and ``symmetric``
        (||g_EP - g|| / ||g||, g the exact gradient of recurrent backprop).
    slopes : dict
        ``slopes[network]["one-sided" | "symmetric"]``: the fitted slope of log error
        against log beta (theory: 1 and 2).
    off_line : dict
        ``off_line[network]["one-sided" | "symmetric"]``: the largest distance of a point
        from the fitted line, in decades (near 0: a power law; the kinks of saturated units
        bend the curve).
    free_phase : dict
        ``free_phase[network]``: ``"residual"`` (the largest change of a state in one more
        free step: 0 once settled) and ``"saturated"`` (the fraction of units at 0 or 1).
    traces : dict
        ``traces[network]["ep_states" | "bptt_states" | "ep_weights" | "bptt_weights"]``:
        one array (n_shown, n_units) per layer, EP's increments and -BPTT's gradients (the
        weights flattened), for the figure.

    Examples
    --------
    >>> from energynets.experiments.eqprop import gdu_experiment
    >>> res = gdu_experiment(networks=["default"])
    >>> max(r["max_error"] for r in res.records) < 1e-4
    True
    >>> [r["first_step"] for r in res.records if r["quantity"] == "states"]
    [2, 1, 0]
    """

    bias_records: list[dict[str, Any]] = field(default_factory=list)
    slopes: dict[str, dict[str, float]] = field(default_factory=dict)
    off_line: dict[str, dict[str, float]] = field(default_factory=dict)
    free_phase: dict[str, dict[str, float]] = field(default_factory=dict)
    traces: dict[str, dict[str, list[np.ndarray]]] = field(default_factory=dict)

    EXPERIMENT = "eqprop_gdu"
    FORMATS: ClassVar[dict[str, str]] = {
        "network": "",
        "quantity": "",
        "layer": "d",
        "first_step": "d",
        "largest": ".3g",
        "max_error": ".2e",
    }
    #: The formats of the table of :attr:`bias_records`.
    BIAS_FORMATS: ClassVar[dict[str, str]] = {
        "network": "",
        "beta": ".3g",
        "one_sided": ".3e",
        "symmetric": ".3e",
    }

    def _bias_cells(self) -> list[list[str]]:
        return format_cells(self.bias_records, tuple(self.BIAS_FORMATS), self.BIAS_FORMATS)

    def notes(self) -> list[str]:
        s = self.settings
        sizes = "-".join(map(str, s["layer_sizes"]))
        lines = [
            f"random networks {sizes} (squared error, float64, dt = 1: the prototypical "
            f"setting), {s['n_samples']} random rows; free phase, nudged phases and recurrent "
            f"backprop {s['n_steps']} steps each",
            f"step by step: symmetric EP with beta = {s['step_beta']:g} against BPTT over the "
            f"first {s['n_shown']} steps of the nudged phase",
        ]
        for name, free in self.free_phase.items():
            fits = [
                f"{n} {self.slopes[name][n]:.3f} (points up to {self.off_line[name][n]:.2f} "
                "decades off the line)"
                for n in ("one-sided", "symmetric")
            ]
            lines.append(
                f"{name} network: {free['saturated']:.0%} of the units at 0 or 1, free-phase "
                f"residual {free['residual']:.1e}; fitted slopes of the error against beta: "
                f"{', '.join(fits)}; theory 1 and 2"
            )
        return lines

    def table(self) -> str:
        """The step-by-step table, the table of the error against beta, and the notes.

        Returns
        -------
        str
            Markdown.
        """
        text = markdown_table(self.COLUMNS, self._cells()) + "\n"
        return text + markdown_report(tuple(self.BIAS_FORMATS), self._bias_cells(), self.notes())

    def to_text(self) -> str:
        """Both tables aligned as plain text, the notes below, for stdout.

        Returns
        -------
        str
        """
        text = text_table(self.COLUMNS, self._cells()) + "\n"
        return text + text_report(tuple(self.BIAS_FORMATS), self._bias_cells(), self.notes())

    def summary(self) -> dict[str, Any]:
        """Name, settings, records, the errors against beta, the slopes and the free phases.

        Returns
        -------
        dict
        """
        return self._summary(
            self.EXPERIMENT, bias_records=self.bias_records, slopes=self.slopes,
            off_line=self.off_line, free_phase=self.free_phase,
        )  # fmt: skip


@dataclass
class BackpropResult(CompareResult):
    """What :func:`~energynets.experiments.eqprop.backprop_experiment` measured.

    Records (one per model and seed): ``model`` ("EP" or "backprop"), ``seed``, ``epochs``,
    ``updates`` (mini-batch updates), ``batch_order`` (a digest of the order of the rows in
    every epoch: equal digests, equal batches), ``train_error`` and ``test_error`` of the
    trained network, ``seconds_per_epoch`` (training wall time, evaluations excluded) and
    ``relaxation_residual`` (EP: the largest change of a state in the last free step over
    the last epoch; 0 once the free phase settles).

    Attributes
    ----------
    records, settings
        The rows described above, and every setting of the run.
    curves : dict of str to ndarray, shape (n_epochs, 4)
        ``curves["EP seed 0"]`` etc.: columns epoch, training error during the epoch, test
        error after it, training seconds so far.
    models : dict
        The trained networks, keyed as the curves.

    Examples
    --------
    >>> from energynets.datasets import load_digits
    >>> from energynets.experiments.eqprop import backprop_experiment
    >>> X, y = load_digits()
    >>> res = backprop_experiment(X[:200] / 16, y[:200], hidden=[16], n_epochs=2,
    ...                           batch_size=20, learning_rate=0.1, mlp_learning_rate=0.5)
    >>> res.column("model").tolist(), len(set(res.column("batch_order")))
    (['EP', 'backprop'], 1)
    """

    curves: dict[str, np.ndarray] = field(default_factory=dict)
    models: dict[str, Any] = field(default_factory=dict)

    EXPERIMENT = "eqprop_backprop"
    FORMATS: ClassVar[dict[str, str]] = {
        "model": "",
        "seed": "d",
        "epochs": "d",
        "updates": "d",
        "batch_order": "",
        "train_error": ".2%",
        "test_error": ".2%",
        "seconds_per_epoch": ".2f",
        "relaxation_residual": ".1e",
    }
    TIME_COLUMNS = ("seconds_per_epoch",)

    def test_error(self, model: str) -> float:
        """The test error of one model ("EP" or "backprop"), the mean over the seeds.

        Parameters
        ----------
        model : str

        Returns
        -------
        float
        """
        find_record(self.records, "model", model)
        return float(np.mean([r["test_error"] for r in self.records if r["model"] == model]))

    def notes(self) -> list[str]:
        s = self.settings
        sizes = "-".join(map(str, s["layer_sizes"]))
        rates = ", ".join(f"{r:g}" for r in s["learning_rates"])
        return [
            f"data: {s['data']}; {s['n_train']} training and {s['n_test']} test rows",
            f"EP: EnergyNetwork {sizes} (hard-sigmoid units in [0, 1], softmax read-out), "
            f"beta {s['beta']:g} ({s['nudging']} nudging), {s['n_free']} free and "
            f"{s['n_nudged']} nudged steps, SGD with learning rates {rates} per layer",
            f"backprop: MLP {sizes} (sigmoid hidden units, softmax output), SGD with learning "
            f"rate {s['mlp_learning_rate']:g}",
            f"both: {s['n_epochs']} epochs in mini-batches of {s['batch_size']}, the same "
            f"batches (equal batch_order digests), {s['dtype']}, seeds {s['seeds']}",
        ]


@dataclass
class CHLResult(CompareResult):
    """What :func:`~energynets.experiments.eqprop.chl_experiment` measured.

    Records (one per rule): ``rule`` ("CHL", "EP", "backprop (RBP)"), ``runs``,
    ``final_loss`` and ``best_loss`` (medians over the runs of the training loss in the last
    epoch and at its lowest; the loss of an epoch is that of its free phase, before its
    update), ``rose`` (runs whose last loss is above 1.2 times their
    best), ``unsettled`` (runs whose free phase no longer settles at the end: its last step
    still moves a state by more than 1e-3, the network oscillates), ``min_cosine`` and
    ``median_cosine`` (of the rule's update with the exact gradient, over the checks of all
    runs: 1 is the gradient, below 0 the update climbs the loss).

    Attributes
    ----------
    records, settings
        The rows described above, and every setting of the run.
    runs : list of dict
        One per rule and seed: ``rule``, ``seed``, ``final_loss``, ``best_loss``,
        ``best_epoch``, ``final_residual``, ``min_cosine``.
    curves : dict of str to ndarray, shape (n_epochs, 4)
        ``curves["CHL seed 0"]`` etc.: columns epoch, training loss (before its update),
        free-phase residual, cosine with the exact gradient after it (NaN between checks).

    Examples
    --------
    >>> from energynets.experiments.eqprop import chl_experiment
    >>> res = chl_experiment(n_samples=8, n_hidden=[6], seeds=[0], n_epochs=20, check_every=10)
    >>> res.column("rule").tolist()
    ['CHL', 'EP', 'backprop (RBP)']
    """

    runs: list[dict[str, Any]] = field(default_factory=list)
    curves: dict[str, np.ndarray] = field(default_factory=dict)

    EXPERIMENT = "eqprop_chl"
    FORMATS: ClassVar[dict[str, str]] = {
        "rule": "",
        "runs": "d",
        "final_loss": ".4f",
        "best_loss": ".4f",
        "rose": "d",
        "unsettled": "d",
        "min_cosine": ".3f",
        "median_cosine": ".3f",
    }

    def notes(self) -> list[str]:
        s = self.settings
        sizes = "-".join(map(str, s["layer_sizes"]))
        return [
            f"task: {s['n_samples']} random inputs in [0, 1]^{s['layer_sizes'][0]} to remember "
            f"with random targets in [0, 1]^{s['layer_sizes'][-1]} (squared error), one "
            f"random task and network per seed, seeds {s['seeds']}",
            f"EnergyNetwork {sizes}, dt = 1, {s['n_free']} free steps, {s['n_nudged']} "
            f"nudged / clamped steps / terms of recurrent backprop; full-batch SGD, learning "
            f"rate {s['learning_rate']:g}, {s['n_epochs']} epochs; EP symmetric with beta "
            f"{s['beta']:g}",
            f"cosines with the exact gradient (recurrent backprop, {s['n_free']} terms) every "
            f"{s['check_every']} epochs",
        ]
