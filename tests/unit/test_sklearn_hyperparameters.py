"""SKLearnHyperparameters against the installed scikit-learn, which judges every bound.

scikit-learn 1.4.2 is the version of the default SKLearn image (1.4-2) and of the dev
extra. Each class's ``get_params()`` and ``_parameter_constraints`` are compared with the
model's tables, and a grid of probe values is offered to both the model and scikit-learn's
own parameter validation: they must agree, except where the model is deliberately stricter
(then scikit-learn's ``fit`` on tiny data must fail, or the value is a bool for a number).
"""

from __future__ import annotations

import importlib
import warnings
from typing import Any, get_args

import numpy as np
import pytest
from pydantic import ValidationError

from pipeline_steps.frameworks.sklearn import EstimatorName, SKLearnHyperparameters, TaskName
from pipeline_steps.frameworks.sklearn_space import (
    CHOICES,
    DEFAULT_ESTIMATOR,
    DEFAULT_TASK,
    ESTIMATOR_CLASSES,
    NONE_ACCEPTED,
    PARAMETERS,
    SKLEARN_SCORERS,
)
from pipeline_steps.sdk import ParameterFloat, ParameterInteger, ParameterString

sklearn = pytest.importorskip("sklearn")
ensemble = importlib.import_module("sklearn.ensemble")
param_validation = importlib.import_module("sklearn.utils._param_validation")

CLASS_OF = {name: key for key, name in ESTIMATOR_CLASSES.items()}
BOOLEAN = {"warm_start", "bootstrap", "oob_score", "early_stopping", "verbose"}
LISTS = {"categorical_features", "monotonic_cst", "interaction_cst"}
SCALAR_PROBES: list[Any] = [
    -1, 0, 1, 2, 3, 255, 256, 2**32, 0.0, 0.25, 0.5, 1.0, 1.5, True, False, None,
    "sqrt", "log2", "auto", "zero", "from_dtype", "pairwise", "no_interactions", "loss",
    "roc_auc", "balanced", "balanced_subsample", "not-an-option", {"0": 1.0, "1": 2.5},
    *sorted({c for table in CHOICES.values() for options in table.values() for c in options}),
]  # fmt: skip
LIST_PROBES: list[Any] = [[0], [1, -1], [True, False], [[0, 1], [2]], 1, "not-an-option", None]
# Values that a probe needs beside it to mean anything: quantile and alpha are read only
# with a quantile loss, and scoring only when early stopping is on.
CONTEXT = {
    ("HistGradientBoostingRegressor", "quantile"): {"loss": "quantile"},
    ("GradientBoostingRegressor", "alpha"): {"loss": "quantile"},
}
FIT_CONTEXT = {"scoring": {"early_stopping": True}}


def test_installed_scikit_learn_is_the_default_image_version() -> None:
    """GIVEN the dev environment WHEN sklearn is imported THEN it is 1.4.2, the version of the
    SageMaker 1.4-2 image that the model's tables describe (re-read them before moving)."""
    assert sklearn.__version__ == "1.4.2"


@pytest.mark.parametrize("class_name", sorted(PARAMETERS))
def test_each_class_takes_exactly_the_listed_names(class_name: str) -> None:
    """GIVEN a scikit-learn class WHEN its get_params() is read THEN PARAMETERS lists it."""
    assert PARAMETERS[class_name] == set(getattr(ensemble, class_name)().get_params())


def test_estimator_table_and_model_choices_agree() -> None:
    """GIVEN sklearn_estimators.json (which train_sklearn.py reads too) WHEN compared with the
    model THEN it maps every estimator x task the model's Literals allow to a listed class,
    and the defaults are the fields' defaults."""
    fields = SKLearnHyperparameters.model_fields

    assert set(ESTIMATOR_CLASSES) == {(e, t) for e in get_args(EstimatorName) for t in
                                      get_args(TaskName)}  # fmt: skip
    assert set(ESTIMATOR_CLASSES.values()) == set(PARAMETERS)
    assert (fields["estimator"].default, fields["task"].default) == (
        DEFAULT_ESTIMATOR,
        DEFAULT_TASK,
    )


def test_model_fields_are_every_parameter_plus_estimator_and_task() -> None:
    """GIVEN the six classes WHEN their names are pooled THEN the model has one field each."""
    pooled = set().union(*PARAMETERS.values()) | {"estimator", "task"}
    assert set(SKLearnHyperparameters.model_fields) == pooled


@pytest.mark.parametrize("class_name", sorted(PARAMETERS))
def test_none_is_accepted_exactly_where_scikit_learn_accepts_it(class_name: str) -> None:
    """GIVEN a class's constraints WHEN None is among them THEN NONE_ACCEPTED says so."""
    constraints = getattr(ensemble, class_name)._parameter_constraints
    takes_none = {
        name
        for name, options in constraints.items()
        if any(param_validation.make_constraint(o).is_satisfied_by(None) for o in options)
    }
    assert NONE_ACCEPTED[class_name] == takes_none


@pytest.mark.parametrize("class_name", sorted(PARAMETERS))
def test_string_choices_and_defaults_match(class_name: str) -> None:
    """GIVEN a class's string options WHEN compared THEN CHOICES holds them, default first."""
    estimator = getattr(ensemble, class_name)
    defaults = estimator().get_params()
    for name, options in CHOICES[class_name].items():
        string_options = next(
            o for o in estimator._parameter_constraints[name]
            if isinstance(o, param_validation.StrOptions)
        )  # fmt: skip
        assert set(options) == string_options.options - string_options.deprecated, name
        if isinstance(defaults[name], str):
            assert options[0] == defaults[name], name


def test_scoring_names_are_scikit_learns() -> None:
    """GIVEN get_scorer_names() WHEN compared THEN scoring takes those names and 'loss'."""
    names = importlib.import_module("sklearn.metrics").get_scorer_names()
    assert ("loss", *names) == SKLEARN_SCORERS


def _ours(class_name: str, **values: Any) -> bool:
    estimator, task = CLASS_OF[class_name]
    try:
        SKLearnHyperparameters(estimator=estimator, task=task, **values)
    except ValidationError:
        return False
    return True


def _theirs(class_name: str, **values: Any) -> bool:
    if isinstance(values.get("class_weight"), dict):
        values["class_weight"] = {int(k): v for k, v in values["class_weight"].items()}
    try:
        getattr(ensemble, class_name)(**values)._validate_params()
    except (TypeError, ValueError):
        return False
    return True


def _fit_fails(class_name: str, **values: Any) -> bool:
    rows = np.random.default_rng(0).normal(size=(40, 3))
    labels = (rows[:, 0] > 0).astype(int)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            getattr(ensemble, class_name)(**values).fit(rows, labels)
    except (TypeError, ValueError):
        return True
    return False


def _bool_for_number(name: str, value: Any) -> bool:
    """True for a bool where a number belongs: scikit-learn takes it as 0 or 1, the model
    refuses it as a likely mistake (JSON true is not a count)."""
    if name in BOOLEAN:
        return False
    items = value if isinstance(value, list) else [value]
    return any(isinstance(item, bool) for item in items) and name != "categorical_features"


_CASES = [(c, n) for c in sorted(PARAMETERS) for n in sorted(PARAMETERS[c])]


@pytest.mark.parametrize(("class_name", "name"), _CASES, ids=[f"{c}-{n}" for c, n in _CASES])
def test_model_and_scikit_learn_agree_on_every_probe(class_name: str, name: str) -> None:
    """GIVEN a parameter of a class and a grid of values (bounds, wrong types, every option)
    WHEN the model and scikit-learn's own validation judge each value
    THEN they agree; where the model is stricter, scikit-learn fails later, in fit (tried on
    tiny data), or the value is a bool standing for a number."""
    context = CONTEXT.get((class_name, name), {})
    probes = LIST_PROBES if name in LISTS else SCALAR_PROBES
    disagreements = []
    for value in probes:
        ours = _ours(class_name, **context, **{name: value})
        theirs = _theirs(class_name, **context, **{name: value})
        if ours == theirs:
            continue
        if not ours and _bool_for_number(name, value):
            continue
        fit_context = {**context, **FIT_CONTEXT.get(name, {}), name: value}
        if not ours and _fit_fails(class_name, **fit_context):
            continue
        disagreements.append((value, "model" if ours else "scikit-learn", "accepts"))
    assert disagreements == []


# ---------------------------------------------------------------- construction and dumping


def test_all_defaults_construct_a_hist_gradient_boosting_classifier() -> None:
    """GIVEN no arguments WHEN built THEN the class is HistGradientBoostingClassifier and the
    dump holds only estimator and task: every parameter keeps scikit-learn's default."""
    model = SKLearnHyperparameters()
    assert model.estimator_class() == "HistGradientBoostingClassifier"
    assert model.to_hyperparameters() == {
        "estimator": "hist_gradient_boosting",
        "task": "classification",
    }


def test_explicit_none_is_kept_and_unset_is_left_out() -> None:
    """GIVEN max_depth=None set on purpose WHEN dumped THEN it stays (scikit-learn's "no
    limit"), while fields never set stay out and take the estimator's default."""
    model = SKLearnHyperparameters(estimator="gradient_boosting", max_depth=None, subsample=0.8)
    assert model.to_hyperparameters() == {
        "estimator": "gradient_boosting",
        "task": "classification",
        "max_depth": None,
        "subsample": 0.8,
    }


def test_fields_take_pipeline_parameters_of_matching_types() -> None:
    """GIVEN pipeline parameters WHEN validated THEN they are kept and their defaults judged."""
    model = SKLearnHyperparameters(
        estimator="random_forest",
        n_estimators=ParameterInteger("Trees", 50),
        max_features=ParameterFloat("MaxFeatures", 0.5),
        criterion=ParameterString("Criterion", "entropy"),
    )
    assert model.to_hyperparameters()["n_estimators"].name == "Trees"
    with pytest.raises(ValidationError, match="choose one of 'gini', 'entropy', 'log_loss'"):
        SKLearnHyperparameters(
            estimator="random_forest", criterion=ParameterString("Criterion", "friedman_mse")
        )
    with pytest.raises(ValidationError, match="is a String parameter"):
        SKLearnHyperparameters(max_iter=ParameterString("Iterations", "10"))


def test_an_estimator_parameter_without_default_defers_the_class_checks() -> None:
    """GIVEN estimator as a parameter with no default WHEN validated THEN class-specific rules
    wait for run time (the script and scikit-learn check them there)."""
    model = SKLearnHyperparameters(estimator=ParameterString("Estimator"), max_iter=10)
    assert model.estimator_class() is None


# ---------------------------------------------------------------- refusals that say the fix


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"max_dept": 3}, "unknown hyperparameter 'max_dept' (did you mean 'max_depth'?)"),
        ({"n_estimator": 3}, "did you mean 'n_estimators'?"),
        ({"estimator": "xgboost"}, "Input should be 'hist_gradient_boosting'"),
        (
            {"estimator": "random_forest", "max_iter": 10},
            "max_iter is not a parameter of RandomForestClassifier (estimator='random_forest', "
            "task='classification'), which names that n_estimators: use it",
        ),
        ({"n_estimators": 10}, "HistGradientBoostingClassifier (estimator="),
        (
            {"estimator": "random_forest", "l2_regularization": 1.0},
            "it belongs to HistGradientBoostingClassifier, HistGradientBoostingRegressor: "
            "remove it or change estimator/task",
        ),
        ({"learning_rate": None}, "leave learning_rate unset for its default"),
        ({"loss": "squared_error"}, "choose one of 'log_loss'"),
        ({"task": "regression", "loss": "quantile"}, "set quantile, e.g. quantile=0.5"),
        ({"task": "regression", "quantile": 0.9}, "set loss='quantile' or remove quantile"),
        (
            {"estimator": "gradient_boosting", "task": "regression", "alpha": 0.9},
            "alpha only applies with loss='huber' or loss='quantile'",
        ),
        (
            {"estimator": "random_forest", "bootstrap": False, "oob_score": True},
            "oob_score needs bootstrap=True",
        ),
        (
            {"estimator": "random_forest", "bootstrap": False, "max_samples": 0.5},
            "max_samples needs bootstrap=True",
        ),
        (
            {"categorical_features": [True, False], "monotonic_cst": [1, 0]},
            "categorical features cannot have monotonic constraints (features [0])",
        ),
        ({"estimator": "random_forest", "n_jobs": 0}, "n_jobs=0 has no meaning"),
        (
            {"estimator": "random_forest", "n_jobs": ParameterInteger("Jobs", 0)},
            "n_jobs=0 has no meaning",
        ),
        ({"max_features": 2}, "a float in (0, 1]"),
        ({"min_samples_leaf": 0.1}, "an integer >= 1"),
        ({"estimator": "gradient_boosting", "validation_fraction": 5}, "a float in (0, 1)"),
        ({"estimator": "random_forest", "min_samples_split": 1}, "greater than or equal to 2"),
        ({"class_weight": {"yes": 1.0}}, "class_weight"),
        ({"class_weight": "balanced_subsample"}, "choose one of 'balanced'"),
    ],
)
def test_invalid_models_are_refused_at_build_time(values: dict[str, Any], message: str) -> None:
    """GIVEN hyperparameters scikit-learn would refuse (or fail on) WHEN the model is built
    THEN it is refused with a message that names the rule and the fix."""
    with pytest.raises(ValidationError) as caught:
        SKLearnHyperparameters(**values)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    "values",
    [
        {"task": "regression", "loss": "quantile", "quantile": 0.5},
        {"estimator": "gradient_boosting", "task": "regression", "loss": "huber", "alpha": 0.8},
        {"estimator": "random_forest", "bootstrap": True, "oob_score": True, "max_samples": 0.5},
        {"categorical_features": [1], "monotonic_cst": [1, 0]},
        {"estimator": "random_forest", "min_samples_split": 1.0, "max_features": None},
        {"estimator": "random_forest", "class_weight": "balanced_subsample"},
        {"class_weight": {"0": 1.0, "1": 3.0}, "interaction_cst": [[0, 1], [2]]},
    ],
)
def test_the_fixed_versions_are_accepted(values: dict[str, Any]) -> None:
    """GIVEN the refused combinations after the fix the message names WHEN built THEN valid."""
    SKLearnHyperparameters(**values)
