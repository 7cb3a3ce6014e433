"""Pipeline parameters inside hyperparameters: the one table of parameter types, and the split.

A ``Parameter`` cannot be written into the JSON the prep step carries, so its place
holds the parameter's default (or the zero value of its type) and the parameter
itself travels as an ``override.<dotted.path>`` Lambda argument that the handler
applies at run time.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pipeline_steps.core.errors import StepBuilderError
from pipeline_steps.core.parameter_kinds import PARAMETER_KINDS
from pipeline_steps.sdk import Parameter, ParameterTypeEnum, PipelineVariable

__all__ = [
    "parameter_types_for",
    "placeholder_value",
    "split_pipeline_parameters",
]


def parameter_types_for(field_type: type) -> tuple[Any, ...]:
    """The parameter types (``ParameterTypeEnum``) that may fill a field of ``field_type``."""
    # Iterated, not called: the SDK's ParameterTypeEnum("Integer") returns its first member.
    return tuple(
        member for member in ParameterTypeEnum if field_type in PARAMETER_KINDS[member.value].fills
    )


def placeholder_value(parameter: Parameter) -> Any:
    """The value that stands in the static document for ``parameter``."""
    if parameter.default_value is not None:
        return parameter.default_value
    return PARAMETER_KINDS[parameter.parameter_type.value].zero_value


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
