"""Pipeline parameters inside hyperparameters: the one table of parameter types, and the split.

A ``Parameter`` cannot be written into the JSON the prep step carries, so its place
holds the parameter's default (or the zero value of its type) and the parameter
itself travels as an ``override.<dotted.path>`` Lambda argument that the handler
applies at run time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pipeline_steps.core.errors import StepBuilderError
from pipeline_steps.sdk import Parameter, ParameterTypeEnum, PipelineVariable

__all__ = [
    "PARAMETER_KINDS",
    "ParameterKind",
    "is_value_of",
    "parameter_types_for",
    "placeholder_value",
    "split_pipeline_parameters",
]


@dataclass(frozen=True)
class ParameterKind:
    """What a pipeline parameter type means here: its values, zero, JSON type and fields."""

    python_types: tuple[type, ...]
    """Python types of the values a parameter of this type takes at run time."""
    zero_value: Any
    """What stands in the static document for a parameter without a default."""
    json_type: str
    """The JSON Schema ``type`` of its values (used in the handler's constraints)."""
    fills: tuple[type, ...]
    """The hyperparameter field types a parameter of this type may fill."""


PARAMETER_KINDS: Mapping[Any, ParameterKind] = {
    ParameterTypeEnum.STRING: ParameterKind((str,), "", "string", (str,)),
    ParameterTypeEnum.INTEGER: ParameterKind((int,), 0, "integer", (int, float)),
    ParameterTypeEnum.FLOAT: ParameterKind((float, int), 0.0, "number", (float,)),
    ParameterTypeEnum.BOOLEAN: ParameterKind((bool,), False, "boolean", (bool,)),
}
"""Every pipeline parameter type, keyed by ``ParameterTypeEnum``: the one table."""


def parameter_types_for(field_type: type) -> tuple[Any, ...]:
    """The parameter types (``ParameterTypeEnum``) that may fill a field of ``field_type``."""
    return tuple(kind for kind, spec in PARAMETER_KINDS.items() if field_type in spec.fills)


def is_value_of(parameter_type: Any, value: object) -> bool:
    """Whether ``value`` is a valid run-time value of a parameter of ``parameter_type``.

    Booleans are not integers here, and integers are not booleans.
    """
    expected = PARAMETER_KINDS[parameter_type].python_types
    if isinstance(value, bool):
        return bool in expected
    return isinstance(value, expected)


def placeholder_value(parameter: Parameter) -> Any:
    """The value that stands in the static document for ``parameter``."""
    if parameter.default_value is not None:
        return parameter.default_value
    return PARAMETER_KINDS[parameter.parameter_type].zero_value


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
