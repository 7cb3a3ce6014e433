"""Pipeline parameter types: what each means here, in one table that needs no SDK.

Keyed by the type's name in a pipeline definition (``"String"``, ``"Integer"``,
``"Float"``, ``"Boolean"``), which is also the value of the SDK's ``ParameterTypeEnum``,
so the builders (SDK objects) and the local runner (definition JSON) share it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["PARAMETER_KINDS", "ParameterKind", "is_value_of"]


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


PARAMETER_KINDS: Mapping[str, ParameterKind] = {
    "String": ParameterKind((str,), "", "string", (str,)),
    "Integer": ParameterKind((int,), 0, "integer", (int, float)),
    "Float": ParameterKind((float, int), 0.0, "number", (float,)),
    "Boolean": ParameterKind((bool,), False, "boolean", (bool,)),
}
"""Every pipeline parameter type, keyed by its name in a definition (``"Type"``, which is
also the value of the SDK's ``ParameterTypeEnum``): the one table."""


def is_value_of(type_name: str, value: object) -> bool:
    """Whether ``value`` is a valid run-time value of a parameter of type ``type_name``.

    Booleans are not integers here, and integers are not booleans.
    """
    expected = PARAMETER_KINDS[type_name].python_types
    if isinstance(value, bool):
        return bool in expected
    return isinstance(value, expected)
