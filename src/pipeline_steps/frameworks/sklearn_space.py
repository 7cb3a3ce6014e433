"""scikit-learn 1.4.2's ensemble estimators as data: classes, parameters, choices, narrowings.

Which class ``estimator`` and ``task`` choose is in ``sklearn_estimators.json`` beside the
reference scripts, the table ``train_sklearn.py`` reads in the container too. The rest is
read off scikit-learn 1.4.2, the version in the default SageMaker image (``1.4-2``): each
class's ``get_params()`` and ``_parameter_constraints``. ``SKLearnHyperparameters`` declares
one field per parameter name with the widest bounds any of the six classes accepts; these
tables say which class takes which name, which take ``None``, the string choices of each
class, and where one class narrows the shared bounds. The unit tests hold every table
against the installed scikit-learn, so drift fails loudly.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, get_args

from pipeline_steps.reference_scripts import load_data_file

__all__ = [
    "CHOICES",
    "DEFAULT_ESTIMATOR",
    "DEFAULT_TASK",
    "ESTIMATOR_CLASSES",
    "NONE_ACCEPTED",
    "PARAMETERS",
    "SKLEARN_SCORERS",
    "ScorerName",
    "choices_of",
    "narrowing_problem",
]

_ESTIMATORS = load_data_file("sklearn_estimators.json")

ESTIMATOR_CLASSES: Mapping[tuple[str, str], str] = {
    (estimator, task): class_name
    for estimator, tasks in _ESTIMATORS["estimators"].items()
    for task, class_name in tasks.items()
}
"""(estimator, task) -> the ``sklearn.ensemble`` class it names."""

DEFAULT_ESTIMATOR: Any = _ESTIMATORS["defaults"]["estimator"]
"""The ``estimator`` when none is given (a unit test holds it to the field's Literal)."""

DEFAULT_TASK: Any = _ESTIMATORS["defaults"]["task"]
"""The ``task`` when none is given (a unit test holds it to the field's Literal)."""

_HIST = frozenset(
    {
        "loss", "learning_rate", "max_iter", "max_leaf_nodes", "max_depth", "min_samples_leaf",
        "l2_regularization", "max_features", "max_bins", "categorical_features",
        "monotonic_cst", "interaction_cst", "warm_start", "early_stopping", "scoring",
        "validation_fraction", "n_iter_no_change", "tol", "verbose", "random_state",
    }
)  # fmt: skip
_BOOSTING = frozenset(
    {
        "loss", "learning_rate", "n_estimators", "subsample", "criterion", "min_samples_split",
        "min_samples_leaf", "min_weight_fraction_leaf", "max_depth", "min_impurity_decrease",
        "init", "random_state", "max_features", "verbose", "max_leaf_nodes", "warm_start",
        "validation_fraction", "n_iter_no_change", "tol", "ccp_alpha",
    }
)  # fmt: skip
_FOREST = frozenset(
    {
        "n_estimators", "criterion", "max_depth", "min_samples_split", "min_samples_leaf",
        "min_weight_fraction_leaf", "max_features", "max_leaf_nodes", "min_impurity_decrease",
        "bootstrap", "oob_score", "n_jobs", "random_state", "verbose", "warm_start",
        "ccp_alpha", "max_samples", "monotonic_cst",
    }
)  # fmt: skip

PARAMETERS: Mapping[str, frozenset[str]] = {
    "HistGradientBoostingClassifier": _HIST | {"class_weight"},
    "HistGradientBoostingRegressor": _HIST | {"quantile"},
    "GradientBoostingClassifier": _BOOSTING,
    "GradientBoostingRegressor": _BOOSTING | {"alpha"},
    "RandomForestClassifier": _FOREST | {"class_weight"},
    "RandomForestRegressor": _FOREST,
}
"""Class -> its parameter names (``init`` of gradient boosting only as the string 'zero')."""

_HIST_NONE = frozenset(
    {
        "max_leaf_nodes", "max_depth", "categorical_features", "monotonic_cst",
        "interaction_cst", "scoring", "validation_fraction", "random_state",
    }
)  # fmt: skip
_BOOSTING_NONE = frozenset(
    {"max_depth", "init", "random_state", "max_features", "max_leaf_nodes", "n_iter_no_change"}
)
_FOREST_NONE = frozenset(
    {
        "max_depth", "max_features", "max_leaf_nodes", "n_jobs", "random_state", "max_samples",
        "monotonic_cst",
    }
)  # fmt: skip

NONE_ACCEPTED: Mapping[str, frozenset[str]] = {
    "HistGradientBoostingClassifier": _HIST_NONE | {"class_weight"},
    "HistGradientBoostingRegressor": _HIST_NONE | {"quantile"},
    "GradientBoostingClassifier": _BOOSTING_NONE,
    "GradientBoostingRegressor": _BOOSTING_NONE,
    "RandomForestClassifier": _FOREST_NONE | {"class_weight"},
    "RandomForestRegressor": _FOREST_NONE,
}
"""Class -> the parameters it accepts as ``None`` (often meaning "no limit")."""

_BOOSTING_CRITERIA = ("friedman_mse", "squared_error")

CHOICES: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "HistGradientBoostingClassifier": {"loss": ("log_loss",), "class_weight": ("balanced",)},
    "HistGradientBoostingRegressor": {
        "loss": ("squared_error", "absolute_error", "gamma", "poisson", "quantile"),
    },
    "GradientBoostingClassifier": {
        "loss": ("log_loss", "exponential"),
        "criterion": _BOOSTING_CRITERIA,
    },
    "GradientBoostingRegressor": {
        "loss": ("squared_error", "absolute_error", "huber", "quantile"),
        "criterion": _BOOSTING_CRITERIA,
    },
    "RandomForestClassifier": {
        "criterion": ("gini", "entropy", "log_loss"),
        "class_weight": ("balanced", "balanced_subsample"),
    },
    "RandomForestRegressor": {
        "criterion": ("squared_error", "absolute_error", "friedman_mse", "poisson"),
    },
}
"""Class -> parameter -> the strings it accepts; the first is the class's default."""

ScorerName = Literal[
    "loss", "accuracy", "adjusted_mutual_info_score", "adjusted_rand_score",
    "average_precision", "balanced_accuracy", "completeness_score", "explained_variance",
    "f1", "f1_macro", "f1_micro", "f1_samples", "f1_weighted", "fowlkes_mallows_score",
    "homogeneity_score", "jaccard", "jaccard_macro", "jaccard_micro", "jaccard_samples",
    "jaccard_weighted", "matthews_corrcoef", "max_error", "mutual_info_score",
    "neg_brier_score", "neg_log_loss", "neg_mean_absolute_error",
    "neg_mean_absolute_percentage_error", "neg_mean_gamma_deviance",
    "neg_mean_poisson_deviance", "neg_mean_squared_error", "neg_mean_squared_log_error",
    "neg_median_absolute_error", "neg_negative_likelihood_ratio",
    "neg_root_mean_squared_error", "neg_root_mean_squared_log_error",
    "normalized_mutual_info_score", "positive_likelihood_ratio", "precision",
    "precision_macro", "precision_micro", "precision_samples", "precision_weighted", "r2",
    "rand_score", "recall", "recall_macro", "recall_micro", "recall_samples",
    "recall_weighted", "roc_auc", "roc_auc_ovo", "roc_auc_ovo_weighted", "roc_auc_ovr",
    "roc_auc_ovr_weighted", "top_k_accuracy", "v_measure_score",
]  # fmt: skip
"""``scoring`` of the histogram estimators: 'loss' or a name of ``get_scorer_names()``."""

SKLEARN_SCORERS: tuple[str, ...] = get_args(ScorerName)
"""The ``scoring`` names, as a tuple."""


def choices_of(class_name: str, parameter: str) -> tuple[str, ...]:
    """The strings ``class_name`` accepts for ``parameter`` (its default first)."""
    return CHOICES[class_name].get(parameter, ())


def narrowing_problem(class_name: str, parameter: str, value: Any) -> str | None:
    """Why ``class_name`` refuses ``value``, which the field's wider bounds let through."""
    choices = choices_of(class_name, parameter)
    if choices and isinstance(value, str) and value not in choices:
        return "choose one of " + ", ".join(repr(choice) for choice in choices)
    if class_name.startswith("HistGradientBoosting"):
        if parameter == "learning_rate" and value == 0:
            return "the learning rate must be greater than 0"
        if parameter == "min_samples_leaf" and isinstance(value, float):
            return "it takes a count of rows (an integer >= 1), not a fraction"
        if parameter == "max_features" and not isinstance(value, float):
            return "it takes the fraction of features per split, a float in (0, 1]"
    if (
        class_name.startswith("GradientBoosting")
        and parameter == "validation_fraction"
        and isinstance(value, int)
    ):
        return "it takes a fraction of the training rows, a float in (0, 1)"
    return None
