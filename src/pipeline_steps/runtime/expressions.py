"""Render the expressions of a pipeline definition the way SageMaker does at run time.

A definition (``json.loads(pipeline.definition())``, the same shape on every SDK major)
holds plain JSON plus expressions, each a one-key object:

- ``{"Get": "Parameters.<name>"}``: a pipeline parameter (default or override);
- ``{"Get": "Execution.<variable>"}``: ``PipelineName``, ``PipelineExecutionId``,
  ``PipelineExecutionArn``, ``PipelineArn``, ``StartDateTime``, ``CurrentDateTime``;
- ``{"Get": "Steps.<step>.<property path>"}``: a property of an earlier step, such as
  ``OutputParameters['name']``, ``ModelArtifacts.S3ModelArtifacts``, ``TrainingJobName``,
  ``OutputDataConfig.S3OutputPath`` or ``ProcessingOutputConfig.Outputs['name'].S3Output.S3Uri``;
  a ``['name']`` index into a list picks the item whose ``...Name`` field is ``name``;
- ``{"Std:Join": {"On": sep, "Values": [...]}}``.

Any other function (``Std:JsonGet``, conditions, ...) or ``Get`` root is refused with
``UnsupportedExpressionError`` naming it and where it is. ``check`` walks a value without
rendering it, so a whole definition is vetted before the first step runs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, cast

from pipeline_steps.core.parameter_kinds import PARAMETER_KINDS, is_value_of
from pipeline_steps.runtime.errors import ParameterError, UnsupportedExpressionError

__all__ = [
    "EXECUTION_VARIABLES",
    "Scope",
    "as_text",
    "check",
    "execution_variables",
    "is_expression",
    "lookup",
    "parse_property_reference",
    "referenced_steps",
    "render",
    "resolve_parameters",
]

EXECUTION_VARIABLES = (
    "PipelineName",
    "PipelineExecutionId",
    "PipelineExecutionArn",
    "PipelineArn",
    "StartDateTime",
    "CurrentDateTime",
)
"""The ``Execution.*`` variables SageMaker Pipelines defines."""

SUPPORTED_FUNCTIONS = ("Std:Join",)

_STEP_REFERENCE = re.compile(r"Steps\.(?P<step>[A-Za-z0-9\-_]{1,64})(?P<path>.*)", re.DOTALL)
_PATH_TOKEN = re.compile(
    r"\.(?P<attr>[A-Za-z_][A-Za-z0-9_]*)|\[(?:'(?P<sq>[^']*)'|\"(?P<dq>[^\"]*)\"|(?P<idx>\d+))\]"
)
_NAME_KEYS = ("OutputName", "InputName", "ChannelName", "MetricName", "Name")


@dataclass
class Scope:
    """What expressions can read: parameter values, execution variables, finished steps."""

    parameters: Mapping[str, Any]
    execution: Mapping[str, str]
    properties: dict[str, Mapping[str, Any]] = field(default_factory=dict)


def is_expression(value: Any) -> bool:
    """Whether ``value`` is a one-key ``Get`` or ``Std:*`` expression object."""
    if not isinstance(value, dict) or len(value) != 1:
        return False
    (key,) = value
    return key == "Get" or (isinstance(key, str) and key.startswith("Std:"))


def check(
    value: Any, where: str, *, parameters: Sequence[str], steps: Sequence[str]
) -> Iterator[str]:
    """Vet every expression in ``value``; yield the names of the steps it references."""
    if is_expression(value):
        ((key, body),) = value.items()
        if key == "Get":
            yield from _check_get(body, where, parameters, steps)
            return
        if key != "Std:Join":
            raise UnsupportedExpressionError(
                f"{where} = {_shown(value)} uses the function {key}, which the local runner "
                f"does not evaluate; it renders Get (Parameters, Execution, Steps) and "
                f"{', '.join(SUPPORTED_FUNCTIONS)}"
            )
        values = body.get("Values") if isinstance(body, dict) else None
        if not isinstance(values, list) or not isinstance(body.get("On", ""), str):
            raise UnsupportedExpressionError(
                f"{where} = {_shown(value)}: Std:Join needs a string On and a list of Values"
            )
        for index, item in enumerate(values):
            yield from check(
                item, f"{where} Std:Join Values[{index}]", parameters=parameters, steps=steps
            )
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from check(item, f"{where}.{key}", parameters=parameters, steps=steps)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from check(item, f"{where}[{index}]", parameters=parameters, steps=steps)


def _check_get(
    body: Any, where: str, parameters: Sequence[str], steps: Sequence[str]
) -> Iterator[str]:
    if not isinstance(body, str):
        raise UnsupportedExpressionError(f"{where} = {_shown({'Get': body})}: Get needs a string")
    root, _, rest = body.partition(".")
    if root == "Parameters":
        if rest not in parameters:
            raise UnsupportedExpressionError(
                f"{where} reads {body}, but the pipeline declares no parameter {rest!r} "
                f"(declared: {', '.join(parameters) or 'none'})"
            )
    elif root == "Execution":
        if rest not in EXECUTION_VARIABLES:
            raise UnsupportedExpressionError(
                f"{where} reads {body}; execution variables are "
                f"{', '.join('Execution.' + name for name in EXECUTION_VARIABLES)}"
            )
    elif root == "Steps":
        step, _ = parse_property_reference(body, where)
        if step not in steps:
            raise UnsupportedExpressionError(
                f"{where} reads {body}, but the pipeline has no step {step!r} "
                f"(steps: {', '.join(steps)})"
            )
        yield step
    else:
        raise UnsupportedExpressionError(
            f"{where} reads {body}; the local runner renders Get of Parameters.*, "
            "Execution.* and Steps.* only (property files and other roots are not supported)"
        )


def referenced_steps(value: Any) -> Iterator[str]:
    """The step names ``value`` reads through ``Steps.*`` property references."""
    if is_expression(value):
        ((key, body),) = value.items()
        if key == "Get" and isinstance(body, str) and body.startswith("Steps."):
            match = _STEP_REFERENCE.fullmatch(body)
            if match:
                yield match["step"]
        elif isinstance(body, dict):
            yield from referenced_steps(list(body.values()))
    elif isinstance(value, dict):
        for item in value.values():
            yield from referenced_steps(item)
    elif isinstance(value, list):
        for item in value:
            yield from referenced_steps(item)


def parse_property_reference(reference: str, where: str) -> tuple[str, list[str | int]]:
    """``Steps.X.A.B['n'][0]`` as ``("X", ["A", "B", "n", 0])``."""
    match = _STEP_REFERENCE.fullmatch(reference)
    if not match:
        raise UnsupportedExpressionError(f"{where} reads {reference}, which is not Steps.<name>...")
    tokens: list[str | int] = []
    path, position = match["path"], 0
    while position < len(path):
        token = _PATH_TOKEN.match(path, position)
        if token is None:
            raise UnsupportedExpressionError(
                f"{where} reads {reference}: cannot parse the property path at {path[position:]!r}"
            )
        if token["attr"] is not None:
            tokens.append(token["attr"])
        elif token["idx"] is not None:
            tokens.append(int(token["idx"]))
        else:
            tokens.append(token["sq"] if token["sq"] is not None else token["dq"])
        position = token.end()
    if not tokens:
        raise UnsupportedExpressionError(f"{where} reads {reference}: a step property is needed")
    return match["step"], tokens


def lookup(document: Any, tokens: Sequence[str | int], reference: str) -> Any:
    """Follow ``tokens`` into a step's properties document; errors name what exists."""
    current = document
    for position, token in enumerate(tokens):
        here = reference if position == len(tokens) - 1 else f"{reference} (at {token!r})"
        if _has(current, token):
            current = current[token]
        elif isinstance(current, list) and isinstance(token, str):
            matches = [item for item in current if _item_name(item) == token]
            if not matches:
                names = ", ".join(repr(_item_name(item)) for item in current) or "none"
                raise UnsupportedExpressionError(f"{here}: no item named {token!r}; items: {names}")
            current = matches[0]
        else:
            known = (
                ", ".join(sorted(current)) if isinstance(current, dict) else type(current).__name__
            )
            raise UnsupportedExpressionError(
                f"{here}: the step has no property {token!r} here; it has: {known}"
            )
    return current


def _has(document: Any, token: str | int) -> bool:
    if isinstance(document, dict):
        return isinstance(token, str) and token in document
    return isinstance(document, list) and isinstance(token, int) and token < len(document)


def _item_name(item: Any) -> Any:
    if isinstance(item, dict):
        for key in _NAME_KEYS:
            if key in item:
                return item[key]
    return None


def render(value: Any, scope: Scope, where: str) -> Any:
    """``value`` with every expression replaced by its run-time value."""
    if is_expression(value):
        ((key, body),) = value.items()
        if key == "Get":
            return _get(body, scope, where)
        if key == "Std:Join":
            parts = [
                as_text(render(item, scope, f"{where} Std:Join Values[{index}]"))
                for index, item in enumerate(body["Values"])
            ]
            return str(body.get("On", "")).join(parts)
        raise UnsupportedExpressionError(f"{where} = {_shown(value)}: {key} is not supported")
    if isinstance(value, dict):
        return {key: render(item, scope, f"{where}.{key}") for key, item in value.items()}
    if isinstance(value, list):
        return [render(item, scope, f"{where}[{index}]") for index, item in enumerate(value)]
    return value


def _get(body: str, scope: Scope, where: str) -> Any:
    root, _, rest = body.partition(".")
    if root == "Parameters" and rest in scope.parameters:
        return scope.parameters[rest]
    if root == "Execution" and rest == "CurrentDateTime":
        return _now()
    if root == "Execution" and rest in scope.execution:
        return scope.execution[rest]
    if root == "Steps":
        step, tokens = parse_property_reference(body, where)
        if step not in scope.properties:
            raise UnsupportedExpressionError(
                f"{where} reads {body}, but step {step!r} has not run yet"
            )
        return lookup(scope.properties[step], tokens, body)
    raise UnsupportedExpressionError(f"{where} reads {body}, which the local runner cannot render")


def as_text(value: Any) -> str:
    """A rendered value as the text SageMaker puts in a string field or a Join."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return repr(value)
    return json.dumps(value, sort_keys=True)


def resolve_parameters(
    declared: Sequence[Mapping[str, Any]], overrides: Mapping[str, Any]
) -> dict[str, Any]:
    """Parameter values: each default, replaced by ``overrides``; every value type-checked."""
    kinds = {str(item["Name"]): str(item.get("Type", "String")) for item in declared}
    unknown = sorted(str(name) for name in overrides if name not in kinds)
    if unknown:
        known = ", ".join(f"{name} ({kind})" for name, kind in kinds.items()) or "none"
        raise ParameterError(
            f"unknown pipeline parameter(s) {', '.join(unknown)}; the pipeline declares: {known}"
        )
    values: dict[str, Any] = {}
    for item in declared:
        name, kind = str(item["Name"]), kinds[str(item["Name"])]
        if name in overrides:
            value, origin = overrides[name], "override"
        elif item.get("DefaultValue") is not None:
            value, origin = item["DefaultValue"], "default"
        else:
            raise ParameterError(
                f"pipeline parameter {name!r} ({kind}) has no default value; "
                f"pass parameters={{{name!r}: ...}}"
            )
        if kind not in PARAMETER_KINDS:
            raise ParameterError(f"pipeline parameter {name!r} has unknown type {kind!r}")
        if not is_value_of(kind, value):
            raise ParameterError(
                f"pipeline parameter {name!r} is a {kind} parameter; its {origin} {value!r} "
                f"({type(value).__name__}) is not a {kind}"
            )
        if kind == "Float":
            value = float(cast(float, value))
        allowed = item.get("EnumValues")
        if allowed and value not in allowed:
            raise ParameterError(
                f"pipeline parameter {name!r} must be one of {allowed}; its {origin} is {value!r}"
            )
        values[name] = value
    return values


def execution_variables(
    pipeline_name: str, execution_id: str, *, region: str, account: str
) -> dict[str, str]:
    """``Execution.*`` values for a local execution (``CurrentDateTime`` is read when used)."""
    pipeline_arn = f"arn:aws:sagemaker:{region}:{account}:pipeline/{pipeline_name.lower()}"
    return {
        "PipelineName": pipeline_name,
        "PipelineExecutionId": execution_id,
        "PipelineExecutionArn": f"{pipeline_arn}/execution/{execution_id}",
        "PipelineArn": pipeline_arn,
        "StartDateTime": _now(),
    }


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _shown(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= 200 else text[:197] + "..."
