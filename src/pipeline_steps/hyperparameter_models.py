"""Typed hyperparameter models for the frameworks the library trains with.

Every field takes a literal or a SageMaker pipeline parameter of a matching type
(``ParameterInteger``, ``ParameterFloat``, ``ParameterString``, ``ParameterBoolean``).
A parameter's default, when it has one, is checked against the field's bounds; at run
time its value reaches the prep Lambda as an ``override.<path>`` argument.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema
from sagemaker.workflow.parameters import Parameter, ParameterTypeEnum

__all__ = [
    "MULTICLASS_OBJECTIVES",
    "XGBOOST_OBJECTIVES",
    "AcceptsParameter",
    "HyperparametersModel",
    "PyTorchHyperparameters",
    "XGBoostHyperparameters",
]

_PARAMETER_TYPES_FOR: dict[type, tuple[Any, ...]] = {
    bool: (ParameterTypeEnum.BOOLEAN,),
    int: (ParameterTypeEnum.INTEGER,),
    float: (ParameterTypeEnum.FLOAT, ParameterTypeEnum.INTEGER),
    str: (ParameterTypeEnum.STRING,),
}


class AcceptsParameter:
    """Field marker: accept a literal checked against ``schema_type`` or a pipeline parameter.

    ``Annotated[int | Parameter, AcceptsParameter(Annotated[int, Field(ge=1)], int)]``
    validates literals with the inner constraints and accepts a ``Parameter`` of a
    matching type whose default (if any) satisfies the same constraints.
    """

    def __init__(self, schema_type: Any, python_type: type) -> None:
        self.schema_type = schema_type
        self.python_type = python_type

    def __get_pydantic_core_schema__(
        self, source_type: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        inner = handler.generate_schema(self.schema_type)
        allowed = _PARAMETER_TYPES_FOR[self.python_type]

        def validate(value: Any, validate_inner: core_schema.ValidatorFunctionWrapHandler) -> Any:
            if not isinstance(value, Parameter):
                return validate_inner(value)
            if value.parameter_type not in allowed:
                raise PydanticCustomError(
                    "parameter_type",
                    "pipeline parameter '{name}' is a {given} parameter; this field takes "
                    "{expected}",
                    {
                        "name": value.name,
                        "given": value.parameter_type.value,
                        "expected": " or ".join(f"a {t.value} parameter" for t in allowed),
                    },
                )
            if value.default_value is not None:
                validate_inner(value.default_value)
            return value

        return core_schema.no_info_wrap_validator_function(
            validate,
            inner,
            serialization=core_schema.plain_serializer_function_ser_schema(
                _serialize_value, when_used="always"
            ),
        )

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return handler(schema)


def _serialize_value(value: Any) -> Any:
    if isinstance(value, Parameter):
        return value.expr
    return value


def _field(python_type: type, **constraints: Any) -> AcceptsParameter:
    strict_type: Any = Annotated[python_type, Field(strict=True, **constraints)]
    return AcceptsParameter(strict_type, python_type)


PBool = Annotated[bool | Parameter, _field(bool)]


class HyperparametersModel(BaseModel):
    """Base of the typed hyperparameter models: unknown fields refused, values checked."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, frozen=False)

    def to_hyperparameters(self) -> dict[str, Any]:
        """The hyperparameters as a plain dict; unset optional fields are left out.

        Pipeline parameters stay in place as ``Parameter`` objects.
        """
        return {
            name: value
            for name in type(self).model_fields
            if (value := getattr(self, name)) is not None
        }


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
    max_depth: Annotated[int | Parameter, _field(int, ge=0, le=64)] = Field(
        6, description="Maximum tree depth; 0 means no limit (hist/lossguide only)."
    )
    learning_rate: Annotated[float | Parameter, _field(float, gt=0.0, le=1.0)] = Field(
        0.3, description="Step size shrinkage (eta), in (0, 1]."
    )
    n_estimators: Annotated[int | Parameter, _field(int, ge=1, le=100_000)] = Field(
        100, description="Number of boosting rounds."
    )
    subsample: Annotated[float | Parameter, _field(float, gt=0.0, le=1.0)] = Field(
        1.0, description="Fraction of rows sampled per tree, in (0, 1]."
    )
    colsample_bytree: Annotated[float | Parameter, _field(float, gt=0.0, le=1.0)] = Field(
        1.0, description="Fraction of columns sampled per tree, in (0, 1]."
    )
    random_state: Annotated[int | Parameter, _field(int, ge=0, le=2**31 - 1)] = Field(
        0, description="Random seed."
    )
    min_child_weight: Annotated[float | Parameter, _field(float, ge=0.0)] = Field(
        1.0, description="Minimum sum of instance weight (hessian) needed in a child."
    )
    gamma: Annotated[float | Parameter, _field(float, ge=0.0)] = Field(
        0.0, description="Minimum loss reduction to make a further partition (min_split_loss)."
    )
    reg_alpha: Annotated[float | Parameter, _field(float, ge=0.0)] = Field(
        0.0, description="L1 regularisation on weights (alpha)."
    )
    reg_lambda: Annotated[float | Parameter, _field(float, ge=0.0)] = Field(
        1.0, description="L2 regularisation on weights (lambda)."
    )
    num_class: Annotated[int | Parameter | None, _field(int, ge=2, le=10_000)] = Field(
        None, description="Number of classes; required exactly when the objective is multi:*."
    )
    tree_method: Annotated[
        Literal["auto", "exact", "approx", "hist"] | Parameter | None,
        AcceptsParameter(Literal["auto", "exact", "approx", "hist"], str),
    ] = Field(None, description="Tree construction algorithm.")
    eval_metric: Annotated[str | Parameter | None, _field(str, min_length=1, max_length=64)] = (
        Field(None, description="Evaluation metric, e.g. 'auc', 'logloss', 'rmse'.")
    )
    early_stopping_rounds: Annotated[int | Parameter | None, _field(int, ge=1)] = Field(
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


OptimizerName = Literal["adam", "adamw", "sgd", "rmsprop", "adagrad"]


class PyTorchHyperparameters(HyperparametersModel):
    """Hyperparameters of a PyTorch training script (``train.py``).

    Example::

        PyTorchHyperparameters(learning_rate=1e-3, batch_size=64, epochs=10,
                               hidden_size=256, dropout=0.1, optimizer="adamw",
                               weight_decay=0.01)
    """

    learning_rate: Annotated[float | Parameter, _field(float, gt=0.0, le=10.0)] = Field(
        1e-3, description="Optimizer learning rate."
    )
    batch_size: Annotated[int | Parameter, _field(int, ge=1, le=65_536)] = Field(
        32, description="Training batch size per device."
    )
    epochs: Annotated[int | Parameter, _field(int, ge=1, le=10_000)] = Field(
        10, description="Number of passes over the training data."
    )
    hidden_size: Annotated[int | Parameter, _field(int, ge=1, le=65_536)] = Field(
        128, description="Width of the hidden layers."
    )
    num_layers: Annotated[int | Parameter, _field(int, ge=1, le=1_000)] = Field(
        2, description="Number of hidden layers."
    )
    dropout: Annotated[float | Parameter, _field(float, ge=0.0, lt=1.0)] = Field(
        0.1, description="Dropout probability, in [0, 1)."
    )
    optimizer: Annotated[OptimizerName | Parameter, AcceptsParameter(OptimizerName, str)] = Field(
        "adam", description="Optimizer: adam, adamw, sgd, rmsprop or adagrad."
    )
    weight_decay: Annotated[float | Parameter, _field(float, ge=0.0, le=1.0)] = Field(
        0.0, description="L2 weight decay."
    )
    momentum: Annotated[float | Parameter | None, _field(float, ge=0.0, lt=1.0)] = Field(
        None, description="Momentum, for sgd and rmsprop."
    )
    gradient_clip_norm: Annotated[float | Parameter | None, _field(float, gt=0.0)] = Field(
        None, description="Clip gradients to this global norm."
    )
    seed: Annotated[int | Parameter, _field(int, ge=0, le=2**32 - 1)] = Field(
        42, description="Random seed."
    )
    use_amp: PBool = Field(False, description="Use automatic mixed precision.")

    @model_validator(mode="after")
    def _momentum_needs_optimizer(self) -> PyTorchHyperparameters:
        optimizer: object = self.optimizer
        if isinstance(optimizer, Parameter):
            optimizer = optimizer.default_value
        if self.momentum is not None and optimizer in ("adam", "adamw", "adagrad"):
            raise ValueError(
                f"momentum is not used by optimizer {optimizer!r}; remove it or use sgd or rmsprop"
            )
        return self
