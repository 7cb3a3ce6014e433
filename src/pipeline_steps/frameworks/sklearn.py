"""scikit-learn: the hyperparameter space, training config and step builder.

``SKLearnHyperparameters`` is the parameter space of scikit-learn's gradient-boosting and
random-forest estimators, as scikit-learn 1.4.2 defines it: that is the version in the
default training image, ``sagemaker-scikit-learn:1.4-2-cpu-py3`` (Python 3.10), which is
the newest SKLearn training image sagemaker 2.257.7 knows (``image_uri_config/sklearn.json``).
``estimator`` and ``task`` pick the class, e.g. ``random_forest`` + ``regression`` ->
``RandomForestRegressor``; every other field has scikit-learn's name and bounds. A field
left unset takes the estimator's own default; a field set to ``None`` explicitly means
scikit-learn's ``None`` (``max_depth=None``: no depth limit) where the estimator accepts it.

``SKLearnTrainingStepBuilder`` runs ``train_sklearn.py`` in that image through
``sagemaker.sklearn.estimator.SKLearn`` (script mode), with the channels of
``SKLEARN_TRAIN_CONTRACT``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BeforeValidator, Field, field_validator, model_validator

from pipeline_script_contracts import SKLEARN_TRAIN_CONTRACT
from pipeline_steps.core.hyperparameters import (
    AcceptsParameter,
    HyperparametersModel,
    build_time_value,
)
from pipeline_steps.frameworks.sklearn_space import (
    DEFAULT_ESTIMATOR,
    DEFAULT_TASK,
    ESTIMATOR_CLASSES,
    NONE_ACCEPTED,
    PARAMETERS,
    ScorerName,
    choices_of,
    narrowing_problem,
)
from pipeline_steps.frameworks.training import TrainingConfigBase, TrainingStepBuilder
from pipeline_steps.frameworks.unknown_names import refuse_unknown_names
from pipeline_steps.sdk import Parameter

__all__ = [
    "SKLEARN_FRAMEWORK_VERSION",
    "SKLearnHyperparameters",
    "SKLearnTrainingConfig",
    "SKLearnTrainingStepBuilder",
]

SKLEARN_FRAMEWORK_VERSION = "1.4-2"
"""Newest SKLearn training image in sagemaker 2.257.7's image_uri_config/sklearn.json."""

EstimatorName = Literal["hist_gradient_boosting", "gradient_boosting", "random_forest"]
TaskName = Literal["classification", "regression"]
LossName = Literal[
    "absolute_error", "exponential", "gamma", "huber", "log_loss", "poisson", "quantile",
    "squared_error",
]  # fmt: skip
CriterionName = Literal[
    "absolute_error", "entropy", "friedman_mse", "gini", "log_loss", "poisson", "squared_error"
]


def _not_an_int(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        raise ValueError("an integer here is a count; write a fraction as a float, e.g. 1.0")
    return value


def _count(low: int) -> Any:
    return Annotated[int, Field(strict=True, ge=low)]


def _fraction(*, le: float | None = None, lt: float | None = None) -> Any:
    """A float in (0, le] or (0, lt); an int is refused, not read as a fraction."""
    return Annotated[float, BeforeValidator(_not_an_int), Field(strict=True, gt=0.0, le=le, lt=lt)]


def _either(schema: Any, python_type: type) -> AcceptsParameter:
    """A literal matching ``schema``, an explicit None, or a ``python_type`` parameter."""
    return AcceptsParameter(schema | None, python_type)


def _opt(python_type: type, **constraints: Any) -> AcceptsParameter:
    """Like ``_field`` (strict, bounded), and an explicit None is kept for the estimator."""
    return _either(Annotated[python_type, Field(strict=True, **constraints)], python_type)


_ClassLabel = Annotated[str, Field(pattern=r"^-?[0-9]+$")]
_Weight = Annotated[float, Field(strict=True, ge=0.0, allow_inf_nan=False)]
_Index = Annotated[int, Field(strict=True, ge=0)]
_Flag = Annotated[bool, Field(strict=True)]
_Direction = Annotated[int, Field(strict=True, ge=-1, le=1)]


class SKLearnHyperparameters(HyperparametersModel):
    """Hyperparameters of ``train_sklearn.py``: one scikit-learn 1.4 ensemble estimator.

    Every field but ``estimator`` and ``task`` is the parameter of the same name of the
    chosen class (see scikit-learn 1.4's documentation of that class); setting one the class
    does not have is refused, naming the classes that have it.

    Example::

        SKLearnHyperparameters()  # HistGradientBoostingClassifier with its defaults
        SKLearnHyperparameters(estimator="random_forest", task="regression",
                               n_estimators=300, max_features=0.5, min_samples_leaf=2)
        SKLearnHyperparameters(estimator="gradient_boosting", learning_rate=0.05,
                               n_estimators=ParameterInteger("Trees", 200), subsample=0.8)
    """

    estimator: Annotated[EstimatorName | Parameter, AcceptsParameter(EstimatorName, str)] = Field(
        DEFAULT_ESTIMATOR,
        description="hist_gradient_boosting, gradient_boosting or random_forest.",
    )
    task: Annotated[TaskName | Parameter, AcceptsParameter(TaskName, str)] = Field(
        DEFAULT_TASK, description="classification (integer labels) or regression."
    )
    loss: Annotated[LossName | Parameter | None, _either(LossName, str)] = None
    learning_rate: Annotated[float | Parameter | None, _opt(float, ge=0.0)] = None
    max_iter: Annotated[int | Parameter | None, _opt(int, ge=1)] = None
    n_estimators: Annotated[int | Parameter | None, _opt(int, ge=1)] = None
    max_leaf_nodes: Annotated[int | Parameter | None, _opt(int, ge=2)] = None
    max_depth: Annotated[int | Parameter | None, _opt(int, ge=1)] = None
    min_samples_leaf: Annotated[
        int | float | Parameter | None, _either(_count(1) | _fraction(lt=1.0), float)
    ] = None
    min_samples_split: Annotated[
        int | float | Parameter | None, _either(_count(2) | _fraction(le=1.0), float)
    ] = None
    min_weight_fraction_leaf: Annotated[float | Parameter | None, _opt(float, ge=0, le=0.5)] = None
    min_impurity_decrease: Annotated[float | Parameter | None, _opt(float, ge=0.0)] = None
    l2_regularization: Annotated[float | Parameter | None, _opt(float, ge=0.0)] = None
    max_features: Annotated[
        int | float | Literal["sqrt", "log2"] | Parameter | None,
        _either(_count(1) | _fraction(le=1.0) | Literal["sqrt", "log2"], float),
    ] = None
    max_bins: Annotated[int | Parameter | None, _opt(int, ge=2, le=255)] = None
    categorical_features: list[_Index] | list[_Flag] | Literal["from_dtype"] | None = Field(
        None, description="Indices (0 = first feature) or a boolean mask of categorical columns."
    )
    monotonic_cst: list[_Direction] | None = Field(
        None, description="One of -1, 0, 1 per feature: decreasing, none, increasing."
    )
    interaction_cst: Literal["pairwise", "no_interactions"] | list[list[_Index]] | None = Field(
        None, description="Groups of feature indices allowed to interact."
    )
    warm_start: Annotated[bool | Parameter | None, _opt(bool)] = None
    early_stopping: Annotated[
        bool | Literal["auto"] | Parameter | None,
        _either(_Flag | Literal["auto"], bool),
    ] = None
    scoring: Annotated[ScorerName | Parameter | None, _either(ScorerName, str)] = None
    validation_fraction: Annotated[
        int | float | Parameter | None, _either(_count(1) | _fraction(lt=1.0), float)
    ] = None
    n_iter_no_change: Annotated[int | Parameter | None, _opt(int, ge=1)] = None
    tol: Annotated[float | Parameter | None, _opt(float, ge=0.0)] = None
    verbose: Annotated[int | bool | Parameter | None, _either(_count(0) | _Flag, int)] = None
    random_state: Annotated[int | Parameter | None, _opt(int, ge=0, le=2**32 - 1)] = None
    class_weight: Annotated[
        Literal["balanced", "balanced_subsample"] | dict[str, float] | Parameter | None,
        _either(Literal["balanced", "balanced_subsample"] | dict[_ClassLabel, _Weight], str),
    ] = Field(None, description="'balanced', or integer class label (as text) -> weight.")
    quantile: Annotated[float | Parameter | None, _opt(float, ge=0.0, le=1.0)] = None
    alpha: Annotated[float | Parameter | None, _opt(float, gt=0.0, lt=1.0)] = None
    subsample: Annotated[float | Parameter | None, _opt(float, gt=0.0, le=1.0)] = None
    criterion: Annotated[CriterionName | Parameter | None, _either(CriterionName, str)] = None
    init: Annotated[Literal["zero"] | Parameter | None, _either(Literal["zero"], str)] = None
    ccp_alpha: Annotated[float | Parameter | None, _opt(float, ge=0.0)] = None
    bootstrap: Annotated[bool | Parameter | None, _opt(bool)] = None
    oob_score: Annotated[bool | Parameter | None, _opt(bool)] = None
    n_jobs: Annotated[int | Parameter | None, _opt(int)] = Field(
        None, description="Parallel jobs (-1: every core); 0 has no meaning."
    )
    max_samples: Annotated[
        int | float | Parameter | None, _either(_count(1) | _fraction(le=1.0), float)
    ] = None

    @model_validator(mode="before")
    @classmethod
    def _refuse_unknown_names(cls, data: Any) -> Any:
        return refuse_unknown_names(cls, data)

    def given(self) -> dict[str, Any]:
        """The estimator's parameters that were set: not None, or None on purpose."""
        return {
            name: getattr(self, name)
            for name in type(self).model_fields
            if name not in ("estimator", "task")
            and (getattr(self, name) is not None or name in self.model_fields_set)
        }

    def to_hyperparameters(self) -> dict[str, Any]:
        """``estimator``, ``task`` and every parameter set (an explicit None stays, as null)."""
        return {"estimator": self.estimator, "task": self.task, **self.given()}

    def estimator_class(self) -> str | None:
        """The scikit-learn class name, or None while estimator or task is an unset parameter."""
        key = (build_time_value(self.estimator), build_time_value(self.task))
        return ESTIMATOR_CLASSES.get(key)

    @model_validator(mode="after")
    def _fit_the_estimator(self) -> SKLearnHyperparameters:
        class_name = self.estimator_class()
        if class_name is None:
            return self
        given = {
            name: build_time_value(value)
            for name, value in self.given().items()
            if not (isinstance(value, Parameter) and value.default_value is None)
        }
        estimator, task = build_time_value(self.estimator), build_time_value(self.task)
        where = f"{class_name} (estimator={estimator!r}, task={task!r})"
        for name, value in given.items():
            if name not in PARAMETERS[class_name]:
                raise ValueError(_not_a_parameter(name, class_name, where))
            if value is None:
                if name not in NONE_ACCEPTED[class_name]:
                    raise ValueError(
                        f"{name}=None is not accepted by {where}; leave {name} unset for its "
                        "default"
                    )
                continue
            problem = narrowing_problem(class_name, name, value)
            if problem:
                raise ValueError(f"{name}={value!r} is refused by {where}: {problem}")
        _check_rules(class_name, given)
        return self


_EQUIVALENTS = {"max_iter": "n_estimators", "n_estimators": "max_iter", "quantile": "alpha"}
_EQUIVALENTS["alpha"] = "quantile"


def _not_a_parameter(name: str, class_name: str, where: str) -> str:
    equivalent = _EQUIVALENTS.get(name)
    if equivalent in PARAMETERS[class_name]:
        return f"{name} is not a parameter of {where}, which names that {equivalent}: use it"
    owners = [cls for cls, names in PARAMETERS.items() if name in names]
    return (
        f"{name} is not a parameter of {where}; it belongs to {', '.join(owners)}: remove it "
        "or change estimator/task"
    )


def _check_rules(class_name: str, given: Mapping[str, Any]) -> None:
    """scikit-learn's own rules between parameters (and n_jobs != 0, which joblib refuses
    only in fit), checked before any job runs."""
    if given.get("n_jobs") == 0:
        raise ValueError("n_jobs=0 has no meaning (joblib refuses it); use 1, -1 or leave it")
    loss = given.get("loss") or next(iter(choices_of(class_name, "loss")), None)
    if class_name == "HistGradientBoostingRegressor":
        if loss == "quantile" and given.get("quantile") is None:
            raise ValueError(
                "loss='quantile' needs quantile (the quantile to predict, in [0, 1]); set "
                "quantile, e.g. quantile=0.5 for the median"
            )
        if loss != "quantile" and given.get("quantile") is not None:
            raise ValueError(
                f"quantile only applies with loss='quantile' (loss is {loss!r}); set "
                "loss='quantile' or remove quantile"
            )
    if (
        class_name == "GradientBoostingRegressor"
        and given.get("alpha") is not None
        and loss not in ("huber", "quantile")
    ):
        raise ValueError(
            f"alpha only applies with loss='huber' or loss='quantile' (loss is {loss!r}); "
            "set one of those losses or remove alpha"
        )
    if class_name.startswith("RandomForest") and given.get("bootstrap") is False:
        for name in ("oob_score", "max_samples"):
            if given.get(name) not in (None, False):
                raise ValueError(
                    f"{name} needs bootstrap=True (without bootstrap sampling every tree sees "
                    f"every row); set bootstrap=True or remove {name}"
                )
    _check_categorical_monotonic(given)


def _check_categorical_monotonic(given: Mapping[str, Any]) -> None:
    categorical = given.get("categorical_features")
    monotonic = given.get("monotonic_cst")
    if not isinstance(categorical, list) or not monotonic:
        return
    indices = (
        {i for i, flag in enumerate(categorical) if flag}
        if all(isinstance(item, bool) for item in categorical)
        else set(categorical)
    )
    clash = sorted(i for i in indices if i < len(monotonic) and monotonic[i] != 0)
    if clash:
        raise ValueError(
            f"categorical features cannot have monotonic constraints (features {clash}); set "
            "their monotonic_cst entries to 0 or drop them from categorical_features"
        )


class SKLearnTrainingConfig(TrainingConfigBase):
    """Settings of a scikit-learn training step (``sagemaker.sklearn.estimator.SKLearn``).

    scikit-learn trains on one CPU instance: the SKLearn images are CPU only and the SDK
    refuses ``instance_count`` other than 1 and ``py_version`` other than ``py3``.
    """

    framework_version: str = Field(
        SKLEARN_FRAMEWORK_VERSION,
        description="SageMaker scikit-learn container version (1.4-2: scikit-learn 1.4.2).",
    )
    py_version: str = Field("py3", description="The SKLearn images have only py3.")
    entry_point: str = Field(
        SKLEARN_TRAIN_CONTRACT.entry_point, description="Training script, relative to source_dir."
    )

    @field_validator("py_version")
    @classmethod
    def _only_py3(cls, value: str) -> str:
        if value != "py3":
            raise ValueError(f"py_version {value!r}: the SKLearn images take only 'py3'")
        return value

    @field_validator("instance_count")
    @classmethod
    def _one_instance(cls, value: int) -> int:
        if value != 1:
            raise ValueError(
                f"instance_count={value}: scikit-learn does not train distributed; use 1"
            )
        return value

    @field_validator("instance_type")
    @classmethod
    def _cpu_only(cls, value: Any) -> Any:
        if isinstance(value, str) and re.match(r"ml\.(p|g)\d", value):
            raise ValueError(
                f"instance_type {value!r} is a GPU instance; the SKLearn images are CPU only "
                "(e.g. ml.m5.xlarge)"
            )
        return value


class SKLearnTrainingStepBuilder(TrainingStepBuilder):
    """Builds a scikit-learn TrainingStep fed by ``SKLEARN_TRAIN_CONTRACT``'s channels."""

    contract = SKLEARN_TRAIN_CONTRACT
    config_class = SKLearnTrainingConfig
    default_step_name: ClassVar[str] = "SKLearnTraining"
    image_framework: ClassVar[str] = "sklearn"
