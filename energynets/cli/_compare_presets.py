"""The settings of each experiment of ``energynets compare``, per data set and mode.

:func:`presets` gives the keyword arguments of the experiment functions of
:mod:`energynets.experiments.compare`; ``energynets demo`` runs the quick features experiment
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
        "n_hidden": (200, 500), "rbm_epochs": (3, 10), "rbm_learning_rate": (0.1, 0.05),
        "classifier_epochs": (5, 20), "classifier_learning_rate": (3e-3, 1e-3),
        "mlp_hidden": (200, 500), "mlp_epochs": (8, 30), "batch_size": (20, 20),
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
                "features": {
                    "n_hidden": 100, "rbm_epochs": 10, "classifier_epochs": 10, "batch_size": 20,
                    "rbm_learning_rate": 0.1, "mlp_epochs": 20,
                },
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
