"""Splitting hyperparameters into a static document and per-execution overrides."""

from __future__ import annotations

import pytest

from pipeline_steps.core.errors import StepBuilderError
from pipeline_steps.core.parameters import placeholder_value, split_pipeline_parameters
from pipeline_steps.sdk import (
    ExecutionVariables,
    ParameterBoolean,
    ParameterFloat,
    ParameterInteger,
    ParameterString,
)


def test_parameters_become_overrides_at_their_dotted_paths() -> None:
    """GIVEN parameters nested in dicts and lists WHEN split THEN each has its dotted path."""
    lr = ParameterFloat("Lr", 0.01)
    beta = ParameterFloat("Beta2")
    hyperparameters = {"epochs": 3, "optimizer": {"lr": lr, "betas": [0.9, beta]}}

    static, overrides = split_pipeline_parameters(hyperparameters)

    assert overrides == {"optimizer.lr": lr, "optimizer.betas.1": beta}
    assert static == {"epochs": 3, "optimizer": {"lr": 0.01, "betas": [0.9, 0.0]}}
    assert hyperparameters["optimizer"]["lr"] is lr  # the input is left alone


@pytest.mark.parametrize(
    ("parameter", "expected"),
    [
        (ParameterString("S"), ""),
        (ParameterInteger("I"), 0),
        (ParameterFloat("F"), 0.0),
        (ParameterBoolean(name="B"), False),
        (ParameterInteger("I", 7), 7),
        (ParameterString("S", "adam"), "adam"),
    ],
)
def test_placeholder_is_the_default_or_the_zero_of_the_type(
    parameter: object, expected: object
) -> None:
    """GIVEN a parameter WHEN its placeholder is made THEN it is its default or a typed zero."""
    value = placeholder_value(parameter)  # type: ignore[arg-type]
    assert value == expected
    assert type(value) is type(expected)


def test_non_parameter_pipeline_variables_are_refused_with_their_path() -> None:
    """GIVEN an execution variable inside hyperparameters WHEN split THEN the path is named."""
    with pytest.raises(StepBuilderError, match=r"hyperparameters\.tags\[0\]: ExecutionVariable"):
        split_pipeline_parameters({"tags": [ExecutionVariables.PIPELINE_EXECUTION_ID]})


@pytest.mark.parametrize("key", ["a.b", ""])
def test_keys_an_override_path_cannot_address_are_refused(key: str) -> None:
    """GIVEN a parameter below a key with a dot (or empty) WHEN split THEN the key is named."""
    with pytest.raises(StepBuilderError, match="override path cannot address"):
        split_pipeline_parameters({key: {"lr": ParameterFloat("Lr", 0.1)}})


def test_dotted_keys_without_parameters_below_are_fine() -> None:
    """GIVEN a dotted key holding only literals WHEN split THEN nothing is refused."""
    static, overrides = split_pipeline_parameters({"a.b": 1, "c": ParameterInteger("C", 2)})
    assert static == {"a.b": 1, "c": 2}
    assert list(overrides) == ["c"]
