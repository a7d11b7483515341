"""Contrastive Hebbian learning against equilibrium propagation and backprop
(:func:`chl_experiment`).

CHL (Movellan 1991) moves the weights by the Hebbian contrast of two equilibria, the free
one and one with the output clamped to the target. That is the gradient of
E(clamped) - E(free), not of the loss, and when the clamped phase is no small perturbation of
the free one the two equilibria need not even correspond: the rule can climb the loss and
drive the network into oscillations (Baldi & Pineda 1991). EP replaces the clamped phase by a
nudge of strength beta and so follows the gradient of the loss (Scellier & Bengio 2017).

The task is the smallest where this shows in a few seconds: remember random targets for
random inputs with one network per seed, trained on the full batch by each rule from the
same initial weights; in every epoch the loss at the free fixed point (before the update),
whether the free phase still settles, and every few epochs the cosine of each rule's update
with the exact gradient (recurrent backprop).

References
----------
Movellan, J. R. (1991). Contrastive Hebbian learning in the continuous Hopfield model.
Connectionist Models, Proceedings of the 1990 Summer School, 10-17.
Baldi, P. & Pineda, F. (1991). Contrastive learning and neural oscillations. Neural
Computation 3, 526-545.
Scellier & Bengio (2017): full citation in :mod:`energynets.models.eqnet`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from energynets._validation import RNGLike, check_choice, check_int, describe_rng, rng_stream
from energynets.experiments._runs import check_bool, draw_entropy, progress_bar
from energynets.experiments.compare._shared import check_counts, check_positive, check_seeds
from energynets.experiments.eqprop._shared import cosine
from energynets.experiments.eqprop.records import RULE_NAMES, CHLResult
from energynets.learning.eqprop_gradients import chl_gradient, ep_gradient, rbp_gradient

__all__ = ["CHL_RULES", "chl_experiment"]

#: The rules of :func:`chl_experiment`, as fit_eqprop names them.
CHL_RULES = ("chl", "ep", "rbp")
#: A run whose last loss is above this many times its best "rose".
_ROSE = 1.2
#: A free phase whose last step changes a state by more than this has not settled.
_SETTLED = 1e-3


def chl_experiment(
    *,
    n_inputs: int = 10,
    n_hidden: int | Sequence[int] = 20,
    n_outputs: int = 5,
    n_samples: int = 40,
    rules: Sequence[str] = CHL_RULES,
    seeds: Sequence[int] = (0, 1, 2, 3, 4, 5),
    n_epochs: int = 300,
    learning_rate: float = 0.05,
    beta: float = 0.01,
    n_free: int = 50,
    n_nudged: int = 50,
    check_every: int = 10,
    rng: RNGLike = 0,
    progress: bool = False,
) -> CHLResult:
    """CHL, EP and backprop training the same networks on random associations.

    For every seed, ``n_samples`` inputs uniform in [0, 1]^n_inputs and targets uniform in
    [0, 1]^n_outputs are drawn, with an :class:`~energynets.models.eqnet.EnergyNetwork`
    ``[n_inputs, *n_hidden, n_outputs]`` (squared error, dt = 1); each rule trains a copy
    of it by :func:`~energynets.fit_eqprop` on the full batch with plain SGD:

    - ``"chl"``: contrastive Hebbian learning, output clamped for ``n_nudged`` steps;
    - ``"ep"``: equilibrium propagation, symmetric nudging with ``beta``;
    - ``"rbp"``: recurrent backprop at the free fixed point (``n_nudged`` terms): the
      gradient of the loss, backprop for this network.

    Parameters
    ----------
    n_inputs, n_outputs : int >= 1
    n_hidden : int or sequence of int >= 1
        Hidden layer sizes.
    n_samples : int >= 1
    rules : sequence of {"chl", "ep", "rbp"}
    seeds : sequence of int >= 0
        One task, network and run of every rule per seed.
    n_epochs : int >= 1
    learning_rate : float > 0
    beta : float > 0
        EP's nudging strength.
    n_free, n_nudged : int >= 1
        Steps of the free phase, and of the nudged or clamped phase (terms of recurrent
        backprop).
    check_every : int >= 1
        Epochs between two measurements of the cosine of each rule's update with the exact
        gradient (recurrent backprop with ``n_free`` terms), after the first epoch.
    rng : int, Generator or None
        The seeds' streams are derived from it.
    progress : bool
        A progress bar over the runs.

    Returns
    -------
    CHLResult

    References
    ----------
    Movellan (1991); Baldi & Pineda (1991): full citations in the module docstring.
    """
    sizes = [check_int(n_inputs, "n_inputs", minimum=1), *check_counts(n_hidden, "n_hidden"),
             check_int(n_outputs, "n_outputs", minimum=1)]  # fmt: skip
    chosen = tuple(dict.fromkeys(check_choice(r, "rules", CHL_RULES) for r in rules))
    if not chosen:
        raise ValueError(f"rules must name at least one of {', '.join(CHL_RULES)}")
    settings: dict[str, Any] = {
        "layer_sizes": sizes, "n_samples": check_int(n_samples, "n_samples", minimum=1),
        "rules": list(chosen), "seeds": list(check_seeds(seeds)),
        "n_epochs": check_int(n_epochs, "n_epochs", minimum=1),
        "learning_rate": check_positive(learning_rate, "learning_rate"),
        "beta": check_positive(beta, "beta"), "n_free": check_int(n_free, "n_free", minimum=1),
        "n_nudged": check_int(n_nudged, "n_nudged", minimum=1),
        "check_every": check_int(check_every, "check_every", minimum=1),
        "rng": describe_rng(rng),
    }  # fmt: skip
    show = check_bool(progress, "progress")
    entropy = draw_entropy(rng)
    result = CHLResult(settings=settings)
    total = len(settings["seeds"]) * len(chosen)
    with progress_bar(show, total, "CHL vs EP vs backprop", "run") as bar:
        for seed in settings["seeds"]:
            X, Y, net = _task(settings, entropy, seed)
            for rule in chosen:
                run, curve = _train(settings, rule, net, X, Y, seed)
                result.runs.append(run)
                result.curves[f"{RULE_NAMES[rule]} seed {seed}"] = curve
                if bar is not None:
                    bar.update(1)
    result.records = [_summarise(result, RULE_NAMES[rule]) for rule in chosen]
    return result


def _task(s: dict[str, Any], entropy: int, seed: int) -> tuple[np.ndarray, np.ndarray, Any]:
    """The random inputs, targets and initial network of one seed."""
    from energynets.models.eqnet import EnergyNetwork

    gen = rng_stream(entropy, seed, 0)
    sizes, n = s["layer_sizes"], s["n_samples"]
    X, Y = gen.random((n, sizes[0])), gen.random((n, sizes[-1]))
    return X, Y, EnergyNetwork(sizes, "squared", rng=rng_stream(entropy, seed, 1))


def _direction(s: dict[str, Any], rule: str, model: Any, X: np.ndarray, Y: np.ndarray) -> Any:
    """The update direction (weights) of a rule with the training settings."""
    if rule == "chl":
        return chl_gradient(model, X, Y, n_free=s["n_free"], n_clamped=s["n_nudged"]).weights
    if rule == "ep":
        return ep_gradient(model, X, Y, beta=s["beta"], nudging="symmetric",
                           n_free=s["n_free"], n_nudged=s["n_nudged"]).weights  # fmt: skip
    return rbp_gradient(model, X, Y, n_free=s["n_free"], n_backward=s["n_nudged"]).weights


def _train(
    s: dict[str, Any], rule: str, net: Any, X: np.ndarray, Y: np.ndarray, seed: int
) -> tuple[dict[str, Any], np.ndarray]:
    """One rule's run: its record and its curve (epoch, loss, residual, cosine)."""
    from energynets.learning.eqprop import fit_eqprop

    cosines = np.full(s["n_epochs"], np.nan)

    def check(epoch: int, model: Any, history: dict[str, list[Any]]) -> bool:
        if epoch % s["check_every"] == 0:
            exact = rbp_gradient(model, X, Y, n_free=s["n_free"], n_backward=s["n_free"])
            cosines[epoch] = cosine(_direction(s, rule, model, X, Y), exact.weights)
        return False

    _, history = fit_eqprop(
        net, X, Y, rule=rule, beta=s["beta"], nudging="symmetric", n_free=s["n_free"],
        n_nudged=s["n_nudged"], learning_rate=s["learning_rate"], n_epochs=s["n_epochs"],
        batch_size=X.shape[0], rng=seed, callbacks=[check],
    )  # fmt: skip
    # one batch per epoch: the loss of the epoch is that of the free phase before its update
    loss = np.asarray(history["loss"])
    residual = np.asarray(history["relaxation_residual"])
    run = {
        "rule": RULE_NAMES[rule], "seed": int(seed), "final_loss": float(loss[-1]),
        "best_loss": float(loss.min()), "best_epoch": int(loss.argmin()),
        "final_residual": float(residual[-1]), "min_cosine": float(np.nanmin(cosines)),
    }  # fmt: skip
    curve = np.column_stack([np.arange(1, loss.size + 1), loss, residual, cosines])
    return run, curve


def _summarise(result: CHLResult, name: str) -> dict[str, Any]:
    """One rule's record: medians and counts over its runs, cosines over all its checks."""
    mine = [r for r in result.runs if r["rule"] == name]
    final = np.array([r["final_loss"] for r in mine])
    best = np.array([r["best_loss"] for r in mine])
    checks = np.concatenate([c[:, 3] for key, c in result.curves.items()
                             if key.startswith(f"{name} seed ")])  # fmt: skip
    checks = checks[np.isfinite(checks)]
    return {
        "rule": name, "runs": len(mine), "final_loss": float(np.median(final)),
        "best_loss": float(np.median(best)), "rose": int(np.sum(final > _ROSE * best)),
        "unsettled": int(np.sum([r["final_residual"] > _SETTLED for r in mine])),
        "min_cosine": float(checks.min()), "median_cosine": float(np.median(checks)),
    }  # fmt: skip
