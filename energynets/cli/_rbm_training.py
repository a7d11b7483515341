"""Training an RBM for ``energynets train-rbm`` and the demo: the scene and its pieces.

:func:`train_rbm_scene` trains an RBM with :func:`energynets.learning.contrastive.fit_rbm`,
follows its exact log-likelihood when the model is small enough to enumerate, prints what it
learned and writes the model, its filters, Gibbs samples, the learning curve and the history
(those of ``files``), the history last, all published together when the command gives a
:class:`~energynets.cli._output.Publication`. Ctrl-C keeps the model of the last completed
epoch (see :func:`energynets.cli._checkpointing.train`). The enumeration budgets are shared with
``eval-rbm`` (:func:`exact_cost`).
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import numpy as np

from energynets.cli._checkpointing import (
    OWN_KEY_PREFIX,
    Checkpointing,
    LastEpoch,
    Trained,
    describe_checkpoints,
    describe_time,
    own_entries_removed,
    train,
)
from energynets.cli._data import RBMData, rbm_streams
from energynets.cli._output import Publication, jsonable, use_agg, write_json

#: Training settings of ``energynets train-rbm`` that depend on the data set (each is the
#: default of its option). Bars-and-stripes 3 x 3: 600 epochs of PCD-1 with 50 chains reach
#: a mean log-likelihood of about -2.9 nats (optimum log(1/14) = -2.64) in about 2 s.
RBM_PRESETS: dict[str, dict[str, Any]] = {
    "bars-and-stripes": {
        "hidden": 16,
        "method": "pcd",
        "epochs": 600,
        "batch_size": 2,
        "learning_rate": 0.1,
        "momentum": 0.5,
        "schedule": "linear",
        "weight_decay": 0.0,
        "chains": 50,
    },
    "digits": {
        "hidden": 64,
        "method": "pcd",
        "epochs": 50,
        "batch_size": 20,
        "learning_rate": 0.05,
        "momentum": "hinton",
        "schedule": "linear",
        "weight_decay": 1e-4,
        "chains": None,
    },
    "mnist": {
        "hidden": 500,
        "method": "pcd",
        "epochs": 20,
        "batch_size": 100,
        "learning_rate": 0.05,
        "momentum": "hinton",
        "schedule": "linear",
        "weight_decay": 2e-4,
        "chains": None,
    },
}
RBM_PRESETS["fashion-mnist"] = RBM_PRESETS["mnist"]

#: Gibbs steps after which samples.png shows the chains (started from uniform noise).
SAMPLE_STEPS = (1, 10, 100, 1000)
#: Chains drawn in samples.png.
SAMPLE_CHAINS = 10
#: The exact log-likelihood is tracked during training when enumerating the smaller layer
#: costs at most this many elements (2**n x units of the other layer): about 0.05 s per
#: evaluation, at up to CURVE_POINTS epochs.
EXACT_CURVE_ELEMENTS = 2**20
CURVE_POINTS = 100
#: ... and measured once after training up to this many (about a second).
EXACT_FINAL_ELEMENTS = 2**26
#: ... and by ``eval-rbm --estimator auto`` up to this many (tens of seconds).
EXACT_EVAL_ELEMENTS = 2**30
#: Rows of the fixed subsets on which the exact curve is measured during training.
CURVE_ROWS = 1000


def exact_cost(rbm: Any) -> int | None:
    """2**n x n_other for enumerating the smaller layer (n <= 25), or None (too large)."""
    from energynets.metrics import MAX_ENUMERATED_UNITS

    small, other = sorted((rbm.n_visible, rbm.n_hidden))
    if small > MAX_ENUMERATED_UNITS:
        return None
    return 2**small * other


def exact_within(rbm: Any, budget: int) -> bool:
    """Whether enumerating the smaller layer of ``rbm`` costs at most ``budget`` elements."""
    cost = exact_cost(rbm)
    return cost is not None and cost <= budget


def bars_and_stripes_optimum(data: RBMData) -> float:
    """log(1 / n): the best mean log-likelihood of a set of n distinct patterns."""
    return float(-np.log(data.rows.shape[0]))


def _fixed_rows(rows: np.ndarray, n_rows: int, seq: np.random.SeedSequence) -> np.ndarray:
    """All of ``rows`` when there are at most ``n_rows``, else a fixed random subset."""
    if rows.shape[0] <= n_rows:
        return rows
    pick = np.random.default_rng(seq).choice(rows.shape[0], size=n_rows, replace=False)
    return rows[np.sort(pick)]


def _describe_training(settings: dict[str, Any], rbm_shape: tuple[int, int], data: str) -> str:
    method = settings["method"]
    how = f"{method.upper()}-{settings['k']}"
    if method != "cd":
        how += f" with {settings['chains'] or settings['batch_size']} chains"
    if method == "pt":
        how += f" at {settings['replicas'] or 10} temperatures"
    momentum = settings["momentum"]
    return (
        f"Training an RBM of {rbm_shape[0]} visible x {rbm_shape[1]} hidden units on {data}: "
        f"{how}, {settings['epochs']} epochs of batches of {settings['batch_size']}, learning "
        f"rate {settings['learning_rate']:g} ({settings['schedule']} schedule), momentum "
        f"{momentum if isinstance(momentum, str) else format(momentum, 'g')}"
        + (f", weight decay {settings['weight_decay']:g}" if settings["weight_decay"] else "")
        + (", centred" if settings["centering"] else "")
        + f", seed {settings['seed']}."
    )


class _ExactCurve:
    """The exact log-likelihood at up to CURVE_POINTS epochs, when enumeration is cheap.

    The curve is kept in the trainer's history (one entry per epoch, None where it is not
    measured), so that it is saved in the checkpoints and a resumed run has all of it.
    """

    def __init__(
        self,
        rbm: Any,
        train_rows: np.ndarray,
        valid_rows: np.ndarray | None,
        n_epochs: int,
        seq: np.random.SeedSequence,
    ) -> None:
        self.track = exact_within(rbm, EXACT_CURVE_ELEMENTS)
        steps = np.linspace(0, n_epochs - 1, min(n_epochs, CURVE_POINTS))
        self.points = set(steps.round().astype(int))
        self.train = _fixed_rows(train_rows, CURVE_ROWS, seq)
        self.valid = None if valid_rows is None else _fixed_rows(valid_rows, CURVE_ROWS, seq)
        self.keys = {"log_likelihood": OWN_KEY_PREFIX + "exact_log_likelihood"}
        if self.valid is not None:
            self.keys["log_likelihood_validation"] = (
                OWN_KEY_PREFIX + "exact_log_likelihood_validation"
            )

    def record(self, epoch: int, model: Any, history: dict[str, list[Any]]) -> None:
        """Add this epoch's entries (measured at the epochs of the curve) to ``history``."""
        from energynets import metrics

        if not self.track:
            return
        values: dict[str, float | None] = dict.fromkeys(self.keys)
        if epoch in self.points:
            log_z = metrics.rbm_log_partition(model)
            values["log_likelihood"] = metrics.log_likelihood(model, self.train, log_z)
            if self.valid is not None:
                ll_valid = metrics.log_likelihood(model, self.valid, log_z)
                values["log_likelihood_validation"] = ll_valid
        for name, key in self.keys.items():
            history.setdefault(key, []).append(values[name])

    def read(self, history: dict[str, list[Any]]) -> dict[str, list[Any]] | None:
        """The measured epochs and values from ``history``; None when not tracked."""
        if not self.track:
            return None
        column = history[self.keys["log_likelihood"]]
        measured = [k for k, v in enumerate(column) if v is not None]
        exact = {"epoch": [history["epoch"][k] for k in measured]}
        for name, key in self.keys.items():
            exact[name] = [history[key][k] for k in measured]
        return exact


def _fit_options(
    settings: dict[str, Any],
    valid: RBMData | None,
    seq: np.random.SeedSequence,
    callbacks: list[Any],
    plan: Checkpointing | None,
) -> dict[str, Any]:
    """The keyword arguments of :func:`~energynets.learning.contrastive.fit_rbm` for the
    command's settings."""
    method = settings["method"]
    return {
        "method": method,
        "k": settings["k"],
        "n_epochs": settings["epochs"],
        "batch_size": settings["batch_size"],
        "learning_rate": settings["learning_rate"],
        "momentum": settings["momentum"],
        "weight_decay": settings["weight_decay"],
        "centering": settings["centering"],
        "n_chains": settings["chains"] if method != "cd" else None,
        "n_temperatures": settings["replicas"] or 10,
        "learning_rate_schedule": settings["schedule"],
        "dynamic_binarization": settings.get("binarize") == "dynamic",
        "validation_data": None if valid is None else valid.rows,
        "rng": np.random.default_rng(seq),
        "callbacks": callbacks,
        "progress": True,
        **({} if plan is None else plan.keyword_arguments()),
    }


def _final_exact(
    model: Any, train_data: RBMData, valid: RBMData | None, optimum: float | None
) -> dict[str, Any]:
    """The exact mean log-likelihoods of the model trained (printed), and with ``optimum``
    the probability it puts on the training patterns."""
    from scipy.special import logsumexp

    from energynets import metrics

    X = train_data.rows
    final: dict[str, Any] = {}
    log_z = metrics.rbm_log_partition(model)
    layer = "visible" if model.n_visible <= model.n_hidden else "hidden"
    n_enum = min(model.n_visible, model.n_hidden)
    final["log_partition"] = log_z
    final["log_likelihood"] = metrics.log_likelihood(model, X, log_z)
    print(
        f"Exact mean log-likelihood (log Z = {log_z:.4f}, enumerating the {n_enum} {layer} units):"
    )
    print(f"  training    {final['log_likelihood']:9.4f} nats ({X.shape[0]} rows)")
    if valid is not None:
        final["log_likelihood_validation"] = metrics.log_likelihood(model, valid.rows, log_z)
        print(
            f"  validation  {final['log_likelihood_validation']:9.4f} nats "
            f"({valid.rows.shape[0]} rows)"
        )
    if optimum is not None:
        mass = float(np.exp(logsumexp(-model.free_energy(X).astype(np.float64)) - log_z))
        final["probability_of_the_data"] = mass
        print(
            f"  optimum     {optimum:9.4f} nats (log 1/{X.shape[0]}: each pattern equally "
            "likely, nothing else)"
        )
        print(f"The model puts {mass:.1%} of its probability on the {X.shape[0]} patterns.")
    return final


def _final_monitored(
    history: dict[str, list[Any]], settings: dict[str, Any], model_file: Path | None
) -> dict[str, Any]:
    """The monitored quantities of the last epoch (printed), and how to measure the
    log-likelihood of ``model_file`` with eval-rbm."""
    final: dict[str, Any] = {}
    for key in ("pseudo_likelihood", "reconstruction_error", "free_energy_gap"):
        if history.get(key):
            final[key] = history[key][-1]
    parts = [
        f"{name} {final[key]:.4f}"
        for key, name in (
            ("pseudo_likelihood", "pseudo-log-likelihood"),
            ("reconstruction_error", "reconstruction error"),
            ("free_energy_gap", "free-energy gap (validation - training)"),
        )
        if key in final
    ]
    if parts:
        print("After the last epoch (on a fixed subset of the rows): " + "; ".join(parts) + ".")
    if model_file is not None:
        print(
            "For the log-likelihood (AIS and reverse AIS): energynets eval-rbm "
            f"{model_file} --dataset {settings['dataset']}"
            + (f" --limit {settings['limit']}" if settings["limit"] else "")
            + (f" --seed {settings['seed']}" if settings["seed"] else "")
        )
    return final


def _filters_figure(model: Any, shape: tuple[int, int], name: str) -> Any:
    """filters.png: the receptive fields of the hidden units."""
    from matplotlib.figure import Figure

    from energynets import plotting

    ax = plotting.rbm_filters(
        model.weights, shape, title=f"receptive fields of the hidden units, {name}"
    )
    figure = ax.get_figure()
    assert isinstance(figure, Figure)  # a new figure of its own
    return figure


def _samples_figure(model: Any, train_data: RBMData, name: str, seq: Any) -> Any:
    """samples.png: SAMPLE_CHAINS Gibbs chains from noise after SAMPLE_STEPS steps, next to
    training rows."""
    from energynets import plotting

    X = train_data.rows
    gen = np.random.default_rng(seq)
    v = None
    records = []
    for previous, step in zip((0, *SAMPLE_STEPS), SAMPLE_STEPS, strict=False):
        if v is None:
            v = model.sample(SAMPLE_CHAINS, n_steps=step, rng=gen)
        else:
            v = model.sample(n_steps=step - previous, rng=gen, init=v)
        records.append(v)
    show = X[np.linspace(0, X.shape[0] - 1, min(X.shape[0], SAMPLE_CHAINS)).astype(int)]
    return plotting.rbm_samples_figure(
        np.stack(records),
        train_data.shape,
        steps=SAMPLE_STEPS,
        data=show,
        title=f"{SAMPLE_CHAINS} Gibbs chains from noise, and training data ({name})",
    )


def _curve_figure(
    history: dict[str, list[Any]],
    exact: dict[str, list[Any]] | None,
    optimum: float | None,
    title: str,
) -> Any:
    """learning_curve.png: the exact log-likelihood (when tracked) or the pseudo-likelihood,
    then the reconstruction error, then the free energies when there are validation data."""
    from matplotlib.figure import Figure

    from energynets import plotting

    panels: list[tuple[dict[str, list[Any]], str]] = []
    if exact is not None:
        panels.append((exact, "log_likelihood"))
    elif "pseudo_likelihood" in history:
        panels.append((history, "pseudo_likelihood"))
    if "reconstruction_error" in history:
        panels.append((history, "reconstruction_error"))
    if exact is None and "free_energy_validation" in history:
        panels.append((history, "free_energy"))
    fig = Figure(figsize=(4.2 * len(panels) + 0.4, 3.5), layout="constrained")
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, (series, quantity) in zip(axes, panels, strict=True):
        best = optimum if quantity == "log_likelihood" else None
        label = "optimum log(1 / n_patterns)"
        plotting.learning_curve(series, quantity, ax, optimum=best, optimum_label=label)
    axes[0].set_title(
        "exact, by enumeration" if exact is not None else "on a fixed subset of the rows",
        fontsize="small",
    )
    fig.suptitle(title, fontsize="medium")
    return fig


def _write_files(
    folder: Path,
    files: dict[str, str],
    model: Any,
    train_data: RBMData,
    curves: tuple[dict[str, list[Any]], dict[str, list[Any]] | None, float | None],
    seq: np.random.SeedSequence,
) -> list[Path]:
    """The model and the pictures of ``files`` (``curves``: the history, the exact curve and
    the optimum, for the learning curve)."""
    from energynets import io, plotting

    written: list[Path] = []
    if "model" in files:
        io.save(model, folder / files["model"])
        written.append(folder / files["model"])
    name = train_data.name.split(" (")[0]
    if "filters" in files:
        fig = _filters_figure(model, train_data.shape, name)
        written.append(plotting.save_figure(fig, folder / files["filters"]))
    if "samples" in files:
        fig = _samples_figure(model, train_data, name, seq)
        written.append(plotting.save_figure(fig, folder / files["samples"]))
    if "curve" in files:
        fig = _curve_figure(*curves, f"training an RBM on {name}")
        written.append(plotting.save_figure(fig, folder / files["curve"]))
    return written


def _train(
    train_data: RBMData,
    valid: RBMData | None,
    settings: dict[str, Any],
    streams: dict[str, np.random.SeedSequence],
    plan: Checkpointing | None,
) -> tuple[Trained, dict[str, list[Any]] | None]:
    """Make the RBM, say how it is trained, train it; the result and the exact curve."""
    import scipy.special  # noqa: F401  # loaded before the clock starts: the curve uses it

    from energynets.learning import contrastive
    from energynets.models.rbm import RBM

    X = train_data.rows
    init = np.random.default_rng(streams["init"])
    rbm = RBM(X.shape[1], settings["hidden"], rng=init, dtype=X.dtype)
    print(_describe_training(settings, (rbm.n_visible, rbm.n_hidden), train_data.name))
    if valid is not None:
        print(f"Validation data: {valid.name}.")
    describe_checkpoints(plan)
    n_epochs = settings["epochs"]
    valid_rows = None if valid is None else valid.rows
    curve = _ExactCurve(rbm, X, valid_rows, n_epochs, streams["monitor"])
    last = LastEpoch(plan)

    def on_epoch(epoch: int, model: RBM, history: dict[str, list[Any]]) -> bool:
        curve.record(epoch, model, history)
        return last(epoch, model, history)

    options = _fit_options(settings, valid, streams["fit"], [on_epoch], plan)

    def fit() -> tuple[Any, dict[str, list[Any]]]:
        data = X if train_data.grey is None else train_data.grey  # grey: --binarize dynamic
        return contrastive.fit_rbm(rbm, data, **options)  # an attribute: the tests patch it

    trained = train(fit, last, n_epochs, "--learning-rate (or --momentum, --weight-decay)")
    print(describe_time(len(trained.history["epoch"]), trained.seconds, plan))
    return trained, curve.read(trained.history)


def _summary(
    settings: dict[str, Any],
    train_data: RBMData,
    valid: RBMData | None,
    model: Any,
    files: dict[str, str],
    trained: Trained,
    plan: Checkpointing | None,
) -> dict[str, Any]:
    """history.json up to its "checkpoint" entry (the results follow)."""
    return {
        "command": "train-rbm",
        "settings": settings,
        "data": {
            "training": train_data.name,
            "validation": None if valid is None else valid.name,
            "image_shape": list(train_data.shape),
        },
        "model": {
            "n_visible": model.n_visible,
            "n_hidden": model.n_hidden,
            "dtype": str(model.dtype),
            "file": files.get("model"),
        },
        "epochs_completed": len(trained.history["epoch"]),
        "interrupted": trained.interrupted,
        "seconds": trained.seconds,
        "checkpoint": None if plan is None else plan.summary(),
    }


def train_rbm_scene(
    folder: Path,
    train_data: RBMData,
    valid: RBMData | None,
    settings: dict[str, Any],
    files: dict[str, str],
    *,
    optimum: float | None = None,
    plan: Checkpointing | None = None,
    publish: Publication | None = None,
) -> tuple[list[Path], dict[str, Any]]:
    """Train an RBM, print what it learned and write ``files`` (model, filters, samples,
    curve, history: the names of those to write).

    Ctrl-C during the training keeps the model and history of the last completed epoch and
    writes the files from them (the summary then says ``interrupted``); with no epoch
    completed it re-raises, and nothing is written. Either way it says where the checkpoint
    is and how to resume (``plan``: the checkpoint options). Every file is written
    atomically, the history last; with ``publish`` they are written into its staging folder
    and published together (all of them or none), the paths returned those in ``folder``.
    """
    use_agg()
    streams = rbm_streams(settings["seed"])
    trained, exact = _train(train_data, valid, settings, streams, plan)
    model = trained.model
    history = own_entries_removed(trained.history)

    # what it learned
    if exact_within(model, EXACT_FINAL_ELEMENTS):
        final = _final_exact(model, train_data, valid, optimum)
    else:
        model_file = folder / files["model"] if "model" in files else None
        final = _final_monitored(history, settings, model_file)

    # the files, the history last
    curves = (history, exact, optimum)
    with publish if publish is not None else contextlib.nullcontext(folder) as target:
        written = _write_files(target, files, model, train_data, curves, streams["sample"])
        summary = _summary(settings, train_data, valid, model, files, trained, plan)
        summary.update(optimum_log_likelihood=optimum, final=final, history=history, exact=exact)
        if "history" in files:
            written.append(write_json(jsonable(summary), target / files["history"]))
        if publish is not None:
            written = publish.publish(written)
    return written, summary
