"""Typed hyperparameter models: bounds, XGBoost objectives, pipeline parameters."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from pipeline_steps.frameworks.pytorch import PyTorchHyperparameters
from pipeline_steps.frameworks.xgboost import (
    MULTICLASS_OBJECTIVES,
    XGBOOST_OBJECTIVES,
    XGBoostHyperparameters,
)
from pipeline_steps.sdk import ParameterBoolean, ParameterFloat, ParameterInteger, ParameterString


def _error_fields(error: ValidationError) -> list[str]:
    return [".".join(str(part) for part in item["loc"]) for item in error.errors()]


def test_documented_examples_are_valid() -> None:
    """GIVEN the examples of the docstrings WHEN built THEN they validate and dump plainly."""
    xgb = XGBoostHyperparameters(
        objective="binary:logistic",
        max_depth=6,
        learning_rate=0.1,
        n_estimators=200,
        subsample=0.8,
        colsample_bytree=0.8,
    )
    multi = XGBoostHyperparameters(
        objective="multi:softprob",
        num_class=3,
        learning_rate=ParameterFloat("LearningRate", 0.05),
    )
    torch = PyTorchHyperparameters(
        learning_rate=1e-3,
        batch_size=64,
        epochs=10,
        hidden_size=256,
        dropout=0.1,
        optimizer="adamw",
        weight_decay=0.01,
    )
    assert xgb.to_hyperparameters()["max_depth"] == 6
    assert "num_class" not in xgb.to_hyperparameters()
    assert multi.to_hyperparameters()["num_class"] == 3
    assert isinstance(multi.to_hyperparameters()["learning_rate"], ParameterFloat)
    assert torch.to_hyperparameters()["optimizer"] == "adamw"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("max_depth", -1),
        ("max_depth", 65),
        ("max_depth", 6.5),
        ("max_depth", "6"),
        ("max_depth", True),
        ("learning_rate", 0.0),
        ("learning_rate", 1.5),
        ("n_estimators", 0),
        ("subsample", 0.0),
        ("subsample", 1.01),
        ("colsample_bytree", -0.1),
        ("random_state", -1),
        ("min_child_weight", -1.0),
        ("gamma", -0.5),
        ("reg_alpha", -1.0),
        ("reg_lambda", -1.0),
        ("objective", "reg:linear"),
        ("objective", "multiclass"),
        ("tree_method", "gpu_hist"),
        ("early_stopping_rounds", 0),
        ("eval_metric", ""),
    ],
)
def test_xgboost_bounds_name_the_field(field: str, value: Any) -> None:
    """GIVEN an out-of-range XGBoost value WHEN validated THEN the error names that field."""
    with pytest.raises(ValidationError) as caught:
        XGBoostHyperparameters(**{field: value})
    assert field in _error_fields(caught.value)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("learning_rate", 0.0),
        ("learning_rate", -1e-3),
        ("batch_size", 0),
        ("epochs", 0),
        ("hidden_size", 0),
        ("num_layers", 0),
        ("dropout", 1.0),
        ("dropout", -0.1),
        ("optimizer", "lbfgs"),
        ("weight_decay", -0.01),
        ("gradient_clip_norm", 0.0),
        ("seed", -1),
        ("use_amp", "yes"),
    ],
)
def test_pytorch_bounds_name_the_field(field: str, value: Any) -> None:
    """GIVEN an out-of-range PyTorch value WHEN validated THEN the error names that field."""
    with pytest.raises(ValidationError) as caught:
        PyTorchHyperparameters(**{field: value})
    assert field in _error_fields(caught.value)


def test_unknown_fields_are_refused() -> None:
    """GIVEN a misspelt field WHEN validated THEN it is refused by name, not ignored."""
    with pytest.raises(ValidationError) as caught:
        XGBoostHyperparameters(max_dept=6)  # type: ignore[call-arg]
    assert "max_dept" in _error_fields(caught.value)
    assert "extra" in str(caught.value).lower()


@pytest.mark.parametrize("objective", sorted(MULTICLASS_OBJECTIVES))
def test_num_class_required_for_multiclass_objectives(objective: str) -> None:
    """GIVEN a multi-class objective without num_class WHEN validated THEN it is asked for."""
    with pytest.raises(ValidationError, match="num_class is required"):
        XGBoostHyperparameters(objective=objective)
    assert XGBoostHyperparameters(objective=objective, num_class=4).num_class == 4


def test_num_class_refused_for_other_objectives() -> None:
    """GIVEN num_class with a binary objective WHEN validated THEN it is refused with the reason."""
    with pytest.raises(ValidationError, match="only allowed with a multi-class objective"):
        XGBoostHyperparameters(objective="binary:logistic", num_class=2)


def test_num_class_rule_follows_a_parameter_objective_default() -> None:
    """GIVEN a parameter objective WHEN its default is multi-class THEN num_class is needed."""
    objective = ParameterString("Objective", default_value="multi:softmax")
    with pytest.raises(ValidationError, match="num_class is required"):
        XGBoostHyperparameters(objective=objective)


def test_objectives_are_xgboosts_own() -> None:
    """GIVEN the objective list WHEN compared with XGBoost's THEN the common ones are present."""
    for name in ("reg:squarederror", "binary:logistic", "multi:softprob", "rank:ndcg"):
        assert name in XGBOOST_OBJECTIVES


def test_matching_parameters_are_accepted_and_kept() -> None:
    """GIVEN parameters of matching types WHEN validated THEN they stay as parameters."""
    model = PyTorchHyperparameters(
        learning_rate=ParameterFloat("Lr", 0.01),
        batch_size=ParameterInteger("Batch", 128),
        optimizer=ParameterString("Optimizer", "sgd"),
        use_amp=ParameterBoolean(name="Amp", default_value=False),
        momentum=0.9,
    )
    values = model.to_hyperparameters()
    assert isinstance(values["learning_rate"], ParameterFloat)
    assert values["batch_size"].name == "Batch"
    assert values["use_amp"].name == "Amp"


def test_integer_parameter_is_accepted_for_a_float_field() -> None:
    """GIVEN a ParameterInteger for a float field WHEN validated THEN it is accepted."""
    model = XGBoostHyperparameters(gamma=ParameterInteger("Gamma", 1))
    assert model.to_hyperparameters()["gamma"].name == "Gamma"


@pytest.mark.parametrize(
    ("field", "parameter", "expected"),
    [
        ("max_depth", ParameterFloat("Depth", 3.0), "Float parameter"),
        ("learning_rate", ParameterString("Lr", "0.1"), "String parameter"),
        ("objective", ParameterInteger("Objective", 1), "Integer parameter"),
    ],
)
def test_parameter_of_the_wrong_type_is_refused(field: str, parameter: Any, expected: str) -> None:
    """GIVEN a parameter whose type does not fit WHEN validated THEN the error names both types."""
    with pytest.raises(ValidationError) as caught:
        XGBoostHyperparameters(**{field: parameter})
    assert field in _error_fields(caught.value)
    assert expected in str(caught.value)


def test_parameter_default_is_checked_against_the_bounds() -> None:
    """GIVEN a parameter whose default breaks the field's bounds WHEN validated THEN refused."""
    with pytest.raises(ValidationError) as caught:
        XGBoostHyperparameters(max_depth=ParameterInteger("Depth", 100))
    assert "max_depth" in _error_fields(caught.value)
    assert "less than or equal to 64" in str(caught.value)


def test_parameter_without_default_is_accepted() -> None:
    """GIVEN a parameter with no default WHEN validated THEN it is accepted (set per execution)."""
    model = XGBoostHyperparameters(learning_rate=ParameterFloat("Lr"))
    assert model.to_hyperparameters()["learning_rate"].default_value is None


def test_assignment_is_validated() -> None:
    """GIVEN a valid model WHEN a field is assigned a bad value THEN the assignment is refused."""
    model = XGBoostHyperparameters()
    with pytest.raises(ValidationError):
        model.max_depth = -3


def test_json_schema_carries_bounds_and_docs() -> None:
    """GIVEN the model WHEN its JSON schema is made THEN bounds and descriptions are in it."""
    schema = XGBoostHyperparameters.model_json_schema()["properties"]
    assert schema["max_depth"]["maximum"] == 64
    assert "depth" in schema["max_depth"]["description"].lower()
