"""XGBoost's hyperparameters as a typed model (``XGBoostHyperparameters``)."""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import Field, model_validator

from pipeline_steps.core.hyperparameters import (
    AcceptsParameter,
    HyperparametersModel,
    parameter_field,
)
from pipeline_steps.sdk import Parameter

__all__ = ["MULTICLASS_OBJECTIVES", "XGBOOST_OBJECTIVES", "XGBoostHyperparameters"]


XGBoostObjective = Literal[
    "binary:hinge",
    "binary:logistic",
    "binary:logitraw",
    "count:poisson",
    "multi:softmax",
    "multi:softprob",
    "rank:map",
    "rank:ndcg",
    "rank:pairwise",
    "reg:absoluteerror",
    "reg:gamma",
    "reg:logistic",
    "reg:pseudohubererror",
    "reg:quantileerror",
    "reg:squarederror",
    "reg:squaredlogerror",
    "reg:tweedie",
    "survival:aft",
    "survival:cox",
]
"""A learning objective XGBoost itself accepts (its ``objective`` parameter)."""

XGBOOST_OBJECTIVES: tuple[str, ...] = get_args(XGBoostObjective)
"""The learning objectives XGBoost itself accepts, as a tuple."""

MULTICLASS_OBJECTIVES: frozenset[str] = frozenset({"multi:softmax", "multi:softprob"})
"""Objectives that need ``num_class``."""


class XGBoostHyperparameters(HyperparametersModel):
    """Hyperparameters of an XGBoost training script (``train_xgb.py``).

    Example::

        XGBoostHyperparameters(objective="binary:logistic", max_depth=6, learning_rate=0.1,
                               n_estimators=200, subsample=0.8, colsample_bytree=0.8)
        XGBoostHyperparameters(objective="multi:softprob", num_class=3,
                               learning_rate=ParameterFloat("LearningRate", 0.05))
    """

    objective: Annotated[XGBoostObjective | Parameter, AcceptsParameter(XGBoostObjective, str)] = (
        Field("reg:squarederror", description="Learning objective, as XGBoost names it.")
    )
    max_depth: Annotated[int | Parameter, parameter_field(int, ge=0, le=64)] = Field(
        6, description="Maximum tree depth; 0 means no limit (hist/lossguide only)."
    )
    learning_rate: Annotated[float | Parameter, parameter_field(float, gt=0.0, le=1.0)] = Field(
        0.3, description="Step size shrinkage (eta), in (0, 1]."
    )
    n_estimators: Annotated[int | Parameter, parameter_field(int, ge=1, le=100_000)] = Field(
        100, description="Number of boosting rounds."
    )
    subsample: Annotated[float | Parameter, parameter_field(float, gt=0.0, le=1.0)] = Field(
        1.0, description="Fraction of rows sampled per tree, in (0, 1]."
    )
    colsample_bytree: Annotated[float | Parameter, parameter_field(float, gt=0.0, le=1.0)] = Field(
        1.0, description="Fraction of columns sampled per tree, in (0, 1]."
    )
    random_state: Annotated[int | Parameter, parameter_field(int, ge=0, le=2**31 - 1)] = Field(
        0, description="Random seed."
    )
    min_child_weight: Annotated[float | Parameter, parameter_field(float, ge=0.0)] = Field(
        1.0, description="Minimum sum of instance weight (hessian) needed in a child."
    )
    gamma: Annotated[float | Parameter, parameter_field(float, ge=0.0)] = Field(
        0.0, description="Minimum loss reduction to make a further partition (min_split_loss)."
    )
    reg_alpha: Annotated[float | Parameter, parameter_field(float, ge=0.0)] = Field(
        0.0, description="L1 regularisation on weights (alpha)."
    )
    reg_lambda: Annotated[float | Parameter, parameter_field(float, ge=0.0)] = Field(
        1.0, description="L2 regularisation on weights (lambda)."
    )
    num_class: Annotated[int | Parameter | None, parameter_field(int, ge=2, le=10_000)] = Field(
        None, description="Number of classes; required exactly when the objective is multi:*."
    )
    tree_method: Annotated[
        Literal["auto", "exact", "approx", "hist"] | Parameter | None,
        AcceptsParameter(Literal["auto", "exact", "approx", "hist"], str),
    ] = Field(None, description="Tree construction algorithm.")
    eval_metric: Annotated[
        str | Parameter | None, parameter_field(str, min_length=1, max_length=64)
    ] = Field(None, description="Evaluation metric, e.g. 'auc', 'logloss', 'rmse'.")
    early_stopping_rounds: Annotated[int | Parameter | None, parameter_field(int, ge=1)] = Field(
        None, description="Stop when the validation metric has not improved for this many rounds."
    )

    @model_validator(mode="after")
    def _num_class_matches_objective(self) -> XGBoostHyperparameters:
        objective: object = self.objective
        if isinstance(objective, Parameter):
            objective = objective.default_value
        if objective is None:
            return self
        if objective in MULTICLASS_OBJECTIVES and self.num_class is None:
            raise ValueError(
                f"num_class is required when objective is {objective!r} (a multi-class "
                "objective); set num_class to the number of classes (at least 2)"
            )
        if objective not in MULTICLASS_OBJECTIVES and self.num_class is not None:
            raise ValueError(
                f"num_class is only allowed with a multi-class objective "
                f"({', '.join(sorted(MULTICLASS_OBJECTIVES))}), not {objective!r}; "
                "remove num_class or change the objective"
            )
        return self
