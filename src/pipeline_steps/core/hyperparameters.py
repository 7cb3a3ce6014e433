"""Typed hyperparameter models for the frameworks the library trains with.

Every field takes a literal or a SageMaker pipeline parameter of a matching type
(``ParameterInteger``, ``ParameterFloat``, ``ParameterString``, ``ParameterBoolean``).
A parameter's default, when it has one, is checked against the field's bounds; at run
time its value reaches the prep Lambda as an ``override.<path>`` argument.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

from lambda_code.hyperparameter_prep import CONSTRAINT_KEYWORDS
from pipeline_steps.core.display import Label, changed_fields, model_table_html, value_label
from pipeline_steps.core.parameters import parameter_types_for
from pipeline_steps.sdk import Parameter

__all__ = [
    "AcceptsParameter",
    "HyperparametersModel",
    "PBool",
    "build_time_value",
    "constraints_json",
    "parameter_field",
]


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
        allowed = parameter_types_for(self.python_type)

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


def build_time_value(value: Any) -> Any:
    """A field's value as known at build time: a pipeline parameter counts as its default."""
    return value.default_value if isinstance(value, Parameter) else value


def parameter_field(python_type: type, **constraints: Any) -> AcceptsParameter:
    """A field marker: a strict ``python_type`` literal within ``constraints``, or a parameter."""
    strict_type: Any = Annotated[python_type, Field(strict=True, **constraints)]
    return AcceptsParameter(strict_type, python_type)


PBool = Annotated[bool | Parameter, parameter_field(bool)]
"""A boolean field that also takes a ``ParameterBoolean``."""


class HyperparametersModel(BaseModel):
    """Base of the typed hyperparameter models: unknown fields refused, values checked."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, frozen=False)

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        """Only the fields that differ from their defaults; parameters by name and default."""
        for name, value in changed_fields(self):
            yield name, Label(value_label(value))

    def __str__(self) -> str:
        return repr(self)

    def _repr_html_(self) -> str:
        return model_table_html(self, title=f"{type(self).__name__}: fields not at their default")

    def to_hyperparameters(self) -> dict[str, Any]:
        """The hyperparameters as a plain dict; unset optional fields are left out.

        Pipeline parameters stay in place as ``Parameter`` objects.
        """
        return {
            name: value
            for name in type(self).model_fields
            if (value := getattr(self, name)) is not None
        }

    @classmethod
    def field_constraints(cls) -> dict[str, dict[str, Any]]:
        """Each field's literal rules as a JSON Schema fragment, keyed by field name.

        Derived from the pydantic field definitions (the one source of the bounds): the
        prep step sends the fragments of parameter-bound fields as the handler's
        ``constraints``, so a value given at run time meets the same bounds.
        """
        properties = cls.model_json_schema(mode="validation").get("properties", {})
        constraints: dict[str, dict[str, Any]] = {}
        for name in cls.model_fields:
            fragment = _constraint_of(properties.get(name, {}))
            if fragment:
                constraints[name] = fragment
        return constraints


def constraints_json(model: type[HyperparametersModel], paths: Iterable[str]) -> str | None:
    """The handler's ``constraints`` for the override ``paths`` that are fields of ``model``.

    JSON text of ``{path: fragment}`` (sorted, compact), or None when no path is a
    constrained field (the event then carries no ``constraints`` key).
    """
    rules = model.field_constraints()
    chosen = {path: rules[path] for path in paths if path in rules}
    if not chosen:
        return None
    return json.dumps(chosen, sort_keys=True, separators=(",", ":"), allow_nan=False)


def _constraint_of(schema: dict[str, Any]) -> dict[str, Any]:
    """The supported keywords of one property schema; ``X | None`` drops the null branch."""
    options = schema.get("anyOf")
    if options is not None:
        concrete = [option for option in options if option.get("type") != "null"]
        if len(concrete) != 1:
            return {}
        schema = concrete[0]
    fragment: dict[str, Any] = {key: schema[key] for key in CONSTRAINT_KEYWORDS if key in schema}
    if "const" in schema:
        fragment["enum"] = [schema["const"]]
    return fragment
