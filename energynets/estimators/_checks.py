"""The checks of scikit-learn's ``check_estimator`` the estimators are expected to fail, and why.

Every one fails for a single reason: Bernoulli visible units need X in [0, 1], and the checks
feed unscaled data. ``tests/test_estimators.py`` runs the same checks with X mapped into
[0, 1] first, where they pass, but for two checks of BernoulliRBM that compare
``score_samples`` on reordered or split data: it flips one randomly drawn unit per row, as
scikit-learn's does (scikit-learn expects its own BernoulliRBM to fail them too).
"""

from __future__ import annotations

from typing import Any

__all__ = ["EXPECTED_FAILED_CHECKS", "expected_failed_checks"]


# Checks of scikit-learn's check_estimator that feed X outside [0, 1] to an estimator whose
# visible units are Bernoulli (for BernoulliRBM and DBNClassifier, each check's data are
# 3 * uniform, standardised blobs or iris; the positive_only tag only shifts them to >= 0).
_CHECKS_WITH_UNSCALED_X = (
    "check_dict_unchanged",
    "check_dont_overwrite_parameters",
    "check_estimators_dtypes",
    "check_estimators_fit_returns_self",
    "check_estimators_overwrite_params",
    "check_estimators_pickle",
    "check_f_contiguous_array_estimator",
    "check_fit2d_1feature",
    "check_fit2d_1sample",
    "check_fit2d_predict1d",
    "check_fit_check_is_fitted",
    "check_fit_idempotent",
    "check_methods_sample_order_invariance",
    "check_methods_subset_invariance",
    "check_n_features_in",
    "check_n_features_in_after_fitting",
    "check_pipeline_consistency",
    "check_readonly_memmap_input",
)

_UNIT_INTERVAL_REASON = (
    "the check's X has values outside [0, 1], which the Bernoulli visible units of {name} "
    "refuse with a ValueError naming X; the test suite runs the check on the same code with "
    "X mapped into [0, 1] first, and it passes there"
)

# BernoulliRBM.score_samples flips one randomly drawn unit per row, as scikit-learn's does:
# these two fail on valid data too, as they do for scikit-learn's BernoulliRBM
_RANDOM_SCORE_REASON = (
    " (and on data in [0, 1] too: score_samples flips one randomly drawn unit per row, as "
    "scikit-learn's BernoulliRBM does, which is expected to fail this check in scikit-learn)"
)
_RANDOM_SCORE_CHECKS = ("check_methods_sample_order_invariance", "check_methods_subset_invariance")

# {class name: {check name: reason}}, documented where users import it from
# (energynets.estimators)
EXPECTED_FAILED_CHECKS: dict[str, dict[str, str]] = {
    "BernoulliRBM": dict.fromkeys(
        (
            *_CHECKS_WITH_UNSCALED_X,
            "check_transformer_data_not_an_array",
            "check_transformer_general",
            "check_transformer_preserve_dtypes",
        ),
        _UNIT_INTERVAL_REASON.format(name="BernoulliRBM"),
    )
    | {
        check: _UNIT_INTERVAL_REASON.format(name="BernoulliRBM") + _RANDOM_SCORE_REASON
        for check in _RANDOM_SCORE_CHECKS
    },
    "DBNClassifier": dict.fromkeys(
        (
            *_CHECKS_WITH_UNSCALED_X,
            "check_classifier_data_not_an_array",
            "check_classifiers_classes",
            "check_classifiers_regression_target",
            "check_classifiers_train",
            "check_non_transformer_estimators_n_iter",
            "check_requires_y_none",
        ),
        _UNIT_INTERVAL_REASON.format(name="DBNClassifier"),
    ),
}


def expected_failed_checks(estimator: Any) -> dict[str, str]:
    """The checks ``estimator`` is expected to fail, ``{check name: reason}``.

    For :func:`sklearn.utils.estimator_checks.parametrize_with_checks` and
    :func:`~sklearn.utils.estimator_checks.check_estimator` (their
    ``expected_failed_checks`` argument); see :data:`EXPECTED_FAILED_CHECKS`.
    """
    return dict(EXPECTED_FAILED_CHECKS.get(type(estimator).__name__, {}))
