"""Turn hyperparameters that hold pipeline parameters into a static document plus overrides.

A ``Parameter`` cannot be written into the JSON the step carries, so its place holds
the parameter's default (or the zero value of its type) and the parameter itself
travels as an ``override.<dotted.path>`` Lambda argument that the handler applies at
run time.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pipeline_steps.sdk import PipelineVariable
from pipeline_steps.sdk import Parameter, ParameterTypeEnum

from pipeline_steps.core.errors import StepBuilderError

__all__ = ["placeholder_value", "split_pipeline_parameters"]

_ZERO_VALUES: dict[Any, Any] = {
    ParameterTypeEnum.STRING: "",
    ParameterTypeEnum.INTEGER: 0,
    ParameterTypeEnum.FLOAT: 0.0,
    ParameterTypeEnum.BOOLEAN: False,
}


def placeholder_value(parameter: Parameter) -> Any:
    """The value that stands in the static document for ``parameter``."""
    if parameter.default_value is not None:
        return parameter.default_value
    return _ZERO_VALUES[parameter.parameter_type]


def split_pipeline_parameters(
    hyperparameters: Mapping[str, Any], *, root: str = "hyperparameters"
) -> tuple[dict[str, Any], dict[str, Parameter]]:
    """Split ``hyperparameters`` into a static document and ``{dotted_path: Parameter}``."""
    overrides: dict[str, Parameter] = {}
    static = _walk(hyperparameters, [], root, overrides)
    return static, overrides


def _walk(value: Any, segments: list[str], where: str, overrides: dict[str, Parameter]) -> Any:
    if isinstance(value, Parameter):
        _check_addressable(segments, where)
        overrides[".".join(segments)] = value
        return placeholder_value(value)
    if isinstance(value, PipelineVariable):
        raise StepBuilderError(
            f"{where}: {type(value).__name__} is not supported inside hyperparameters; only "
            "pipeline parameters (ParameterString, ParameterInteger, ParameterFloat, "
            "ParameterBoolean) can vary per execution"
        )
    if isinstance(value, Mapping):
        return {
            key: _walk(item, [*segments, str(key)], f"{where}.{key}", overrides)
            for key, item in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [
            _walk(item, [*segments, str(index)], f"{where}[{index}]", overrides)
            for index, item in enumerate(value)
        ]
    return value


def _check_addressable(segments: list[str], where: str) -> None:
    for segment in segments:
        if "." in segment or segment == "":
            raise StepBuilderError(
                f"{where}: a pipeline parameter sits below the key {segment!r}, which an "
                "override path cannot address (keys on the way to a parameter must be "
                "non-empty and contain no '.'); rename the key"
            )
