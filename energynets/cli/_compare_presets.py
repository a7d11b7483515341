"""The settings of each experiment of ``energynets compare``, per data set and mode.

:func:`presets` gives the keyword arguments of the experiment functions of
:mod:`energynets.experiments.compare`, :func:`eqprop_presets` those of
:mod:`energynets.experiments.eqprop`; ``energynets demo`` runs the quick features experiment
on the digits with them.
"""

from __future__ import annotations

from typing import Any

#: The quick recall experiment (the same on both data sets: it stores random patterns).
_QUICK_RECALL: dict[str, Any] = {
    "n_units": 64, "n_patterns": 5, "noise_levels": (0.0, 0.1, 0.2, 0.3),
    "pattern_counts": (2, 5, 10, 20), "n_epochs": 20, "n_copies": 20, "n_probes": 3,
}  # fmt: skip


#: MNIST (grey levels / 255) with the network sizes of the RBM and MLP chapters: each setting
#: of the features, pretraining and cost experiments as (quick, full).
_MNIST: dict[str, dict[str, tuple[Any, Any]]] = {
    "features": {
        "n_hidden": (200, 500), "rbm_method": ("cd", "cd"), "rbm_epochs": (3, 10),
        "rbm_learning_rate": (0.1, 0.05), "classifier_tol": (1e-4, 1e-5),
        "mlp_hidden": (200, 500), "mlp_epochs": (8, 30), "mlp_batch_size": (20, 20),
        "batch_size": (20, 20),
    },
    "pretraining": {
        "hidden": ((200, 200), (500, 500)), "n_labels": ((100, 1000), (100, 1000, 10000, None)),
        "seeds": ((0, 1), (0, 1, 2, 3, 4)), "pretrain_epochs": (2, 10),
        "pretrain_learning_rate": (0.05, 0.05), "finetune_epochs": (10, 20),
        "batch_size": (100, 100), "learning_rate": (1e-3, 1e-3),
    },
    "cost": {
        "target_accuracy": (0.9, 0.95), "n_hidden": (200, 500),
        "checkpoints": ((1, 3), (1, 2, 5, 10)), "rbm_learning_rate": (0.1, 0.05),
        "classifier_epochs": (5, 20), "classifier_learning_rate": (3e-3, 1e-3),
        "mlp_hidden": (200, 500), "mlp_epochs": (8, 20), "batch_size": (20, 20),
    },
}  # fmt: skip


def presets(dataset: str, quick: bool) -> dict[str, dict[str, Any]]:
    """The keyword arguments of each experiment function for a data set and mode.

    Parameters
    ----------
    dataset : {"digits", "mnist"}
    quick : bool
        Small versions of every experiment (seconds each on the digits).

    Returns
    -------
    dict of str to dict
        ``presets(...)["features"]`` etc., passed to the experiment functions.
    """
    if dataset == "digits":
        if quick:
            return {
                # scikit-learn's example (the defaults), the classifiers to a gradient of
                # 1e-5 and a shorter MLP
                "features": {"classifier_tol": 1e-5, "mlp_epochs": 50, "mlp_batch_size": 100},
                "pretraining": {
                    "hidden": (64,), "n_labels": (100, None), "seeds": (0, 1),
                    "pretrain_epochs": 10, "finetune_epochs": 5, "min_updates": 200,
                    "batch_size": 20,
                },
                "recall": dict(_QUICK_RECALL),
                "filters": {},
                "cost": {
                    "target_accuracy": 0.8, "n_hidden": 100, "checkpoints": (1, 10),
                    "classifier_epochs": 10, "mlp_epochs": 15, "batch_size": 20,
                },
            }  # fmt: skip
        return {
            "features": {},
            "pretraining": {"seeds": (0, 1, 2, 3, 4)},
            "recall": {},
            "filters": {},
            "cost": {},
        }
    column = 0 if quick else 1
    mnist = {
        name: {key: values[column] for key, values in settings.items()}
        for name, settings in _MNIST.items()
    }
    return {
        "features": mnist["features"],
        "pretraining": mnist["pretraining"],
        "recall": dict(_QUICK_RECALL) if quick else {},
        "filters": {},
        "cost": mnist["cost"],
    }


#: The sections ``--experiments eqprop`` adds to the report, in order.
EQPROP_SECTIONS = ("eqprop_gdu", "eqprop_backprop", "eqprop_chl")

#: The equilibrium-propagation comparison with backprop, per data set, as (quick, full): on
#: MNIST the published setting (784-500-10, Laborieux et al. 2021's reference code).
_EQPROP_BACKPROP: dict[str, dict[str, tuple[Any, Any]]] = {
    "digits": {
        "hidden": (100, 500), "n_epochs": (5, 30), "batch_size": (50, 50),
        "learning_rate": ((0.2, 0.1), (0.2, 0.1)), "mlp_learning_rate": (1.0, 1.0),
    },
    "mnist": {
        "hidden": (500, 500), "n_epochs": (3, 30), "batch_size": (50, 50),
        "learning_rate": ((0.08, 0.04), (0.08, 0.04)), "mlp_learning_rate": (1.0, 1.0),
    },
}  # fmt: skip


def eqprop_presets(dataset: str, quick: bool) -> dict[str, dict[str, Any]]:
    """The keyword arguments of the experiments of :mod:`energynets.experiments.eqprop` for a
    data set and mode (``energynets compare --experiments eqprop``).

    Parameters
    ----------
    dataset : {"digits", "mnist"}
        The data of the comparison with backprop; the other two make their own.
    quick : bool
        Small versions (seconds each on the digits).

    Returns
    -------
    dict of str to dict
        Keyed by :data:`EQPROP_SECTIONS`: the arguments of ``gdu_experiment``,
        ``backprop_experiment`` and ``chl_experiment``.
    """
    column = 0 if quick else 1
    backprop = {key: values[column] for key, values in _EQPROP_BACKPROP[dataset].items()}
    chl: dict[str, Any] = (
        {"seeds": (0, 1, 2), "n_epochs": 150, "n_free": 30, "n_nudged": 30, "check_every": 15}
        if quick
        else {}
    )
    return {"eqprop_gdu": {}, "eqprop_backprop": backprop, "eqprop_chl": chl}
