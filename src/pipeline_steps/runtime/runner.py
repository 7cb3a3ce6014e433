"""``run_pipeline_locally``: every step of a pipeline, in dependency order, on this machine.

The runner reads the pipeline *definition* (``json.loads(pipeline.definition())``), the
document SageMaker executes, so it behaves the same whichever SDK major built it. Before
anything runs it plans the whole execution: it checks every step type, every expression
and every parameter override, and orders the steps by their property references and
``DependsOn`` (definition order among independent steps); an unsupported step type or
expression, an unknown or mistyped parameter, or a dependency cycle fails here, naming it.

Then each step runs in turn with its arguments rendered against the parameters, the
execution variables and the properties of the steps before it: the prep Lambda in-process
(``lambda_step``), training and processing as emulated jobs in a subprocess (``jobs``).
One progress line per step goes to ``progress``. The first failure stops the run.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import string
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from pipeline_script_contracts import HYPERPARAMETER_PREP_CONTRACT, ScriptContract
from pipeline_steps.runtime import expressions
from pipeline_steps.runtime.errors import (
    LocalRunError,
    StepFailedError,
    UnsupportedStepError,
)
from pipeline_steps.runtime.jobs import JobRequest, run_processing_job, run_training_job
from pipeline_steps.runtime.lambda_step import LOCAL_ACCOUNT, run_bundled_lambda
from pipeline_steps.runtime.layout import ContainerLayout
from pipeline_steps.runtime.results import PipelineRunResult, StepResult

__all__ = ["PlannedStep", "plan", "run_definition", "run_pipeline_locally"]

SUPPORTED_STEP_TYPES = ("Lambda", "Training", "Processing")
_ACCOUNT_IN_ARN = re.compile(r"arn:[^:]+:iam::(\d{12}):")
_JOB_NAME_LIMIT = 63


@dataclass(frozen=True)
class PlannedStep:
    """One step of the definition, vetted, with the steps it waits for."""

    name: str
    step_type: str
    definition: Mapping[str, Any]
    after: tuple[str, ...]
    contract: ScriptContract | None


def run_pipeline_locally(
    pipeline: Any,
    *,
    parameters: Mapping[str, Any] | None = None,
    s3_client: Any = None,
    workdir: str | Path | None = None,
    strict: bool = False,
    progress: TextIO | bool | None = True,
) -> PipelineRunResult:
    """Run every step of ``pipeline`` on this machine, as SageMaker would run it.

    ``pipeline`` is a ``Pipeline`` built with this library's builders (either SDK major).
    ``parameters`` override parameter defaults by name (unknown names and wrong types are
    errors). ``s3_client`` is the boto3 S3 client for every read and write (default
    ``boto3.client("s3")``; pass one with ``endpoint_url`` for moto or another endpoint).
    ``workdir`` holds one folder per step standing in for the job's container (a new
    temporary folder, kept afterwards, by default). ``strict=True`` makes a path the
    script opened outside its contract fail the run instead of being reported.
    ``progress`` is the stream for one line per step (``True``: stderr; ``None``/``False``:
    silent).

    Returns a ``PipelineRunResult`` (a mapping of step name to ``StepResult``). Raises a
    ``LocalRunError``: ``ParameterError``, ``UnsupportedStepError``,
    ``UnsupportedExpressionError`` before any step runs, ``StepFailedError`` or
    ``ContractViolationError`` when a step fails (naming the step, exit code, stderr tail).
    """
    started = time.perf_counter()
    definition, contracts, name = _load(pipeline)
    loaded = time.perf_counter() - started
    return run_definition(
        definition,
        contracts=contracts,
        pipeline_name=name,
        parameters=parameters,
        s3_client=s3_client,
        workdir=workdir,
        strict=strict,
        progress=progress,
        extra_phases={"definition": loaded},
    )


def _load(pipeline: Any) -> tuple[dict[str, Any], dict[str, ScriptContract], str]:
    if isinstance(pipeline, (str, bytes)):
        return json.loads(pipeline), {}, "LocalPipeline"
    if isinstance(pipeline, Mapping):
        return dict(pipeline), {}, "LocalPipeline"
    if not callable(getattr(pipeline, "definition", None)):
        raise LocalRunError(
            f"run_pipeline_locally runs a Pipeline (or its definition), not "
            f"{type(pipeline).__name__}"
        )
    from pipeline_steps.core.outputs import contract_of

    contracts = {}
    for step in _walk(getattr(pipeline, "steps", ())):
        contract = contract_of(step)
        if contract is not None:
            contracts[str(step.name)] = contract
    return json.loads(pipeline.definition()), contracts, str(pipeline.name)


def _walk(steps: Iterable[Any]) -> Iterator[Any]:
    for step in steps:
        yield step
        for nested in ("steps", "if_steps", "else_steps"):
            yield from _walk(getattr(step, nested, None) or ())


def plan(
    definition: Mapping[str, Any], contracts: Mapping[str, ScriptContract]
) -> list[PlannedStep]:
    """The definition's steps in run order, each vetted; raises naming what cannot run."""
    steps = list(definition.get("Steps") or [])
    names = [str(step.get("Name")) for step in steps]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise LocalRunError(f"the definition repeats step name(s) {', '.join(duplicates)}")
    unsupported = [
        f"{step.get('Name')!r} ({step.get('Type')})"
        for step in steps
        if step.get("Type") not in SUPPORTED_STEP_TYPES
    ]
    if unsupported:
        raise UnsupportedStepError(
            f"cannot run step(s) {', '.join(unsupported)} locally; the local runner runs "
            f"{', '.join(SUPPORTED_STEP_TYPES)} steps (Lambda: the bundled hyperparameter-prep "
            "handler only)"
        )
    parameters = [str(item.get("Name")) for item in definition.get("Parameters") or []]
    planned: dict[str, PlannedStep] = {}
    for step, name in zip(steps, names, strict=True):
        contract = contracts.get(name)
        if step["Type"] == "Lambda" and (
            contract is None or contract.entry_point != HYPERPARAMETER_PREP_CONTRACT.entry_point
        ):
            raise UnsupportedStepError(
                f"cannot run Lambda step {name!r} ({step.get('FunctionArn')}) locally: only the "
                "bundled hyperparameter-prep handler runs in-process (build the step with "
                "HyperparameterPrepStepBuilder)"
            )
        where = f"Steps[{name!r}].Arguments"
        after = list(
            expressions.check(step.get("Arguments"), where, parameters=parameters, steps=names)
        )
        for dependency in step.get("DependsOn") or []:
            if dependency not in names:
                raise LocalRunError(f"step {name!r} DependsOn unknown step {dependency!r}")
            after.append(dependency)
        ordered = tuple(dict.fromkeys(after))
        planned[name] = PlannedStep(name, str(step["Type"]), step, ordered, contract)
    return _ordered(planned)


def _ordered(planned: dict[str, PlannedStep]) -> list[PlannedStep]:
    done: list[PlannedStep] = []
    waiting = dict(planned)
    while waiting:
        ready = [step for step in waiting.values() if all(d not in waiting for d in step.after)]
        if not ready:
            raise LocalRunError(
                f"the steps {', '.join(waiting)} depend on each other in a cycle; "
                + "; ".join(f"{s.name} waits for {', '.join(s.after)}" for s in waiting.values())
            )
        done.append(ready[0])
        del waiting[ready[0].name]
    return done


def run_definition(
    definition: Mapping[str, Any],
    *,
    contracts: Mapping[str, ScriptContract],
    pipeline_name: str = "LocalPipeline",
    parameters: Mapping[str, Any] | None = None,
    s3_client: Any = None,
    workdir: str | Path | None = None,
    strict: bool = False,
    progress: TextIO | bool | None = True,
    execution_id: str | None = None,
    extra_phases: Mapping[str, float] | None = None,
) -> PipelineRunResult:
    """``run_pipeline_locally`` for a definition document and the contracts of its steps."""
    started = time.perf_counter()
    phases = dict(extra_phases or {})
    steps = plan(definition, contracts)
    values = expressions.resolve_parameters(definition.get("Parameters") or [], parameters or {})
    phases["plan"] = time.perf_counter() - started
    stream: TextIO | None = sys.stderr if progress is True else (progress or None)
    if s3_client is None:
        import boto3

        s3_client = boto3.client("s3")
    region = str(getattr(getattr(s3_client, "meta", None), "region_name", None) or "us-east-1")
    execution_id = execution_id or "".join(
        secrets.choice(string.ascii_lowercase + string.digits) for _ in range(12)
    )
    root = Path(workdir) if workdir is not None else Path(tempfile.mkdtemp(prefix="local-run-"))
    root = root.resolve()
    root.mkdir(parents=True, exist_ok=True)
    account = _account(definition)
    scope = expressions.Scope(
        values,
        expressions.execution_variables(
            pipeline_name, execution_id, region=region, account=account
        ),
    )
    results: dict[str, StepResult] = {}
    for index, step in enumerate(steps, start=1):
        _say(stream, f"[{index}/{len(steps)}] {step.name} ({step.step_type}) ... ")
        try:
            result = _run_step(
                step,
                scope=scope,
                s3=s3_client,
                workdir=root,
                execution_id=execution_id,
                region=region,
                account=account,
                strict=strict,
            )
        except StepFailedError as error:
            error.completed = dict(results)
            code = f" (exit code {error.exit_code})" if error.exit_code is not None else ""
            _say(stream, f"FAILED{code}\n")
            raise
        except LocalRunError as error:
            _say(stream, "FAILED\n")
            if type(error) is not LocalRunError:
                raise
            raise StepFailedError(
                f"step {step.name!r} ({step.step_type}) failed: {error}",
                step_name=step.name,
                completed=results,
            ) from error
        _say(stream, result.line() + "\n")
        results[step.name] = result
        scope.properties[step.name] = result.properties
    for result in results.values():
        for phase, seconds in result.phases.items():
            phases[f"steps.{phase}"] = phases.get(f"steps.{phase}", 0.0) + seconds
    return PipelineRunResult(
        pipeline_name=pipeline_name,
        execution_id=execution_id,
        workdir=root,
        parameters=values,
        steps=results,
        seconds=time.perf_counter() - started + phases.get("definition", 0.0),
        phases=phases,
    )


def _run_step(
    step: PlannedStep,
    *,
    scope: expressions.Scope,
    s3: Any,
    workdir: Path,
    execution_id: str,
    region: str,
    account: str,
    strict: bool,
) -> StepResult:
    definition = step.definition
    arguments = expressions.render(
        definition.get("Arguments") or {}, scope, f"Steps[{step.name!r}].Arguments"
    )
    layout = ContainerLayout.create(workdir, step.name)
    if step.step_type == "Lambda":
        assert step.contract is not None  # plan() allows Lambda steps with the prep contract only
        return run_bundled_lambda(
            step_name=step.name,
            arguments=arguments,
            output_parameters=definition.get("OutputParameters") or [],
            function_arn=str(definition.get("FunctionArn", "")),
            contract_name=step.contract.name,
            layout=layout,
            s3=s3,
        )
    job_name = job_name_for(execution_id, step.name)
    kind = "training-job" if step.step_type == "Training" else "processing-job"
    request = JobRequest(
        step_name=step.name,
        arguments=arguments,
        contract=step.contract,
        layout=layout,
        s3=s3,
        job_name=job_name,
        job_arn=f"arn:aws:sagemaker:{region}:{account}:{kind}/{job_name.lower()}",
        region=region,
        strict=strict,
    )
    if step.step_type == "Training":
        return run_training_job(request)
    return run_processing_job(request)


def job_name_for(execution_id: str, step_name: str) -> str:
    """``pipelines-<execution id>-<step>-<suffix>``, as SageMaker Pipelines names jobs.

    The suffix is derived from the execution id and the step name, so one execution's
    names are reproducible; the name fits SageMaker's 63-character job-name rule.
    """
    suffix = hashlib.sha256(f"{execution_id}/{step_name}".encode()).hexdigest()[:10]
    head = f"pipelines-{execution_id}-"
    safe = re.sub(r"[^A-Za-z0-9]+", "-", step_name).strip("-") or "step"
    room = _JOB_NAME_LIMIT - len(head) - len(suffix) - 1
    return f"{head}{safe[:room].rstrip('-')}-{suffix}"


def _account(definition: Mapping[str, Any]) -> str:
    match = _ACCOUNT_IN_ARN.search(json.dumps(definition.get("Steps") or []))
    return match[1] if match else LOCAL_ACCOUNT


def _say(stream: TextIO | None, text: str) -> None:
    if stream is not None:
        stream.write(text)
        stream.flush()
