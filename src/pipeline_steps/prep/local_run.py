"""Run a Lambda step on this machine, as SageMaker Pipelines would run it.

SageMaker's local mode refuses Lambda steps ("Step type Lambda is not supported in
local mode"). ``run_lambda_step`` fills that gap for the bundled handler: it renders
the step's Arguments the way the service does at run time (parameters, execution
variables, ``Std:Join``), calls the handler in-process and checks its answer against
the step's OutputParameters.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from lambda_code import HYPERPARAMETER_PREP_HANDLER, hyperparameter_prep
from lambda_code.hyperparameter_prep import MAX_OUTPUT_VALUE_CHARS
from pipeline_script_contracts import OutputType
from pipeline_steps.core.errors import LocalRunError
from pipeline_steps.core.outputs import contract_of
from pipeline_steps.core.parameter_kinds import is_value_of
from pipeline_steps.runtime.lambda_step import (
    LOCAL_ACCOUNT,
    LOCAL_REGION,
    LocalLambdaContext,
    wire_payload,
)
from pipeline_steps.sdk import ExecutionVariable, Join, LambdaStep, Parameter

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

__all__ = ["LocalLambdaContext", "local_execution_variables", "run_lambda_step"]


def local_execution_variables(
    execution: Mapping[str, Any] | None = None,
) -> dict[str, str]:
    """Values for ``Execution.*`` variables: local ones, overridden by ``execution``."""
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    name = "LocalPipeline"
    execution_id = secrets.token_hex(6)
    given = {_execution_key(key): value for key, value in (execution or {}).items()}
    name = str(given.get("PipelineName", name))
    execution_id = str(given.get("PipelineExecutionId", execution_id))
    pipeline_arn = f"arn:aws:sagemaker:{LOCAL_REGION}:{LOCAL_ACCOUNT}:pipeline/{name.lower()}"
    values = {
        "PipelineName": name,
        "PipelineExecutionId": execution_id,
        "PipelineArn": pipeline_arn,
        "PipelineExecutionArn": f"{pipeline_arn}/execution/{execution_id}",
        "StartDateTime": now,
        "CurrentDateTime": now,
    }
    unknown = set(given) - set(values)
    if unknown:
        raise LocalRunError(
            f"unknown execution variable(s) {', '.join(sorted(unknown))}; a Lambda step can read "
            f"{', '.join(sorted(values))}"
        )
    values.update({key: str(value) for key, value in given.items()})
    return values


def _execution_key(key: str) -> str:
    return key.removeprefix("Execution.")


def run_lambda_step(
    step: LambdaStep,
    *,
    parameters: Mapping[str, Any] | None = None,
    execution: Mapping[str, Any] | None = None,
    s3_client: S3Client | None = None,
) -> dict[str, Any]:
    """Render ``step``'s Arguments, run the bundled handler on them and return its outputs.

    ``parameters`` override pipeline parameter defaults, by parameter name. ``execution``
    sets ``Execution.*`` variables (``PipelineName``, ``PipelineExecutionId``, ...).
    """
    if not isinstance(step, LambdaStep):
        raise LocalRunError(f"run_lambda_step runs LambdaSteps, not {type(step).__name__}")
    handler = getattr(step.lambda_func, "handler", None)
    if handler != HYPERPARAMETER_PREP_HANDLER:
        raise LocalRunError(
            f"step {step.name!r} runs handler {handler!r}; only the bundled "
            f"{HYPERPARAMETER_PREP_HANDLER} can run locally"
        )
    renderer = _Renderer(step, parameters or {}, local_execution_variables(execution))
    arguments: dict[str, Any] = step.arguments  # type: ignore[assignment, unused-ignore]
    event = {key: renderer.render(value, f"Arguments[{key!r}]") for key, value in arguments.items()}
    renderer.check_unused_parameters()
    payload = wire_payload(step.name, event)
    context = LocalLambdaContext(
        function_name=str(getattr(step.lambda_func, "function_name", None) or "local-function"),
        memory_limit_in_mb=int(getattr(step.lambda_func, "memory_size", None) or 128),
        timeout_s=int(getattr(step.lambda_func, "timeout", None) or 120),
    )
    result = hyperparameter_prep.lambda_handler(json.loads(payload), context, s3_client=s3_client)
    return _check_outputs(step, result)


class _Renderer:
    """Evaluates the pipeline expressions a Lambda step's Arguments may hold."""

    def __init__(
        self, step: LambdaStep, parameters: Mapping[str, Any], execution: Mapping[str, str]
    ) -> None:
        self._step = step
        self._parameters = dict(parameters)
        self._execution = execution
        self._seen_parameters: set[str] = set()

    def render(self, value: Any, where: str) -> Any:
        if isinstance(value, Parameter):
            return self._parameter(value, where)
        if isinstance(value, ExecutionVariable):
            return self._execution_variable(value, where)
        if isinstance(value, Join):
            parts = [
                _join_text(self.render(item, f"{where} Std:Join value {index}"))
                for index, item in enumerate(value.values)
            ]
            return value.on.join(parts)
        if value is None or isinstance(value, (str, int, float, bool)):
            return value
        expr = getattr(value, "expr", None)
        shown = json.dumps(expr) if expr is not None else repr(value)
        raise LocalRunError(
            f"step {self._step.name!r}: cannot render {where} = {shown} locally; the local "
            "runner evaluates literals, pipeline parameters, Execution variables and Std:Join"
        )

    def _parameter(self, parameter: Parameter, where: str) -> Any:
        name = parameter.name
        self._seen_parameters.add(name)
        if name in self._parameters:
            value = self._parameters[name]
        elif parameter.default_value is not None:
            value = parameter.default_value
        else:
            raise LocalRunError(
                f"step {self._step.name!r}: {where} needs pipeline parameter {name!r}, which has "
                "no default; pass parameters={" + repr(name) + ": ...}"
            )
        if not is_value_of(parameter.parameter_type.value, value):
            raise LocalRunError(
                f"pipeline parameter {name!r} is a {parameter.parameter_type.value} parameter; "
                f"{value!r} ({type(value).__name__}) is not a valid value"
            )
        enum_values = getattr(parameter, "enum_values", None)
        if enum_values and value not in enum_values:
            raise LocalRunError(
                f"pipeline parameter {name!r} must be one of {enum_values}, not {value!r}"
            )
        return value

    def _execution_variable(self, variable: ExecutionVariable, where: str) -> str:
        try:
            return self._execution[variable.name]
        except KeyError:
            raise LocalRunError(
                f"step {self._step.name!r}: cannot render {where} = Execution.{variable.name} in a "
                f"Lambda step; available: {', '.join(f'Execution.{k}' for k in self._execution)}"
            ) from None

    def check_unused_parameters(self) -> None:
        unused = set(self._parameters) - self._seen_parameters
        if unused:
            used = ", ".join(sorted(self._seen_parameters)) or "none"
            raise LocalRunError(
                f"step {self._step.name!r} does not use pipeline parameter(s) "
                f"{', '.join(sorted(unused))}; it uses: {used}"
            )


def _join_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _check_outputs(step: LambdaStep, result: Mapping[str, Any]) -> dict[str, Any]:
    contract = contract_of(step)
    outputs: dict[str, Any] = {}
    for output in step.outputs:
        name = output.output_name
        if name not in result:
            raise LocalRunError(
                f"step {step.name!r}: the handler returned no {name!r}; it returned "
                f"{', '.join(sorted(result))}"
            )
        value = result[name]
        declared = OutputType(output.output_type.value)
        if contract is not None and name in contract.output_types:
            declared = contract.output_types[name]
        if not declared.accepts(value):
            raise LocalRunError(
                f"step {step.name!r}: output {name!r} is declared {declared.value} but "
                f"the handler returned {value!r} ({type(value).__name__})"
            )
        if len(str(value)) > MAX_OUTPUT_VALUE_CHARS:
            raise LocalRunError(
                f"step {step.name!r}: output {name!r} is {len(str(value))} characters; "
                f"LambdaStep outputs hold at most {MAX_OUTPUT_VALUE_CHARS}"
            )
        outputs[name] = value
    return outputs
