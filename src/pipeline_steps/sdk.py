"""The SageMaker Python SDK, whichever major is installed (2.x or 3.x): the only module that
imports it.

User code takes what it needs to define a pipeline from here, so one script runs on
every SDK major this library supports::

    from pipeline_steps.sdk import ParameterFloat, Pipeline, PipelineSession

The library's own modules import every SDK class from here too; nothing else in
``pipeline_steps`` names a ``sagemaker`` module. Each name is imported on first use
(``import pipeline_steps.sdk`` imports no SDK module), from the module the installed
major keeps it in (``_HOMES``), inside ``quiet_sdk`` and with a region lent to boto3 for
the import only: v3's ``sagemaker.mlops`` makes AWS clients while it is imported, and
raises ``NoRegionError`` without a region.
"""

from __future__ import annotations

import contextlib
import importlib
import os
from collections.abc import Iterator
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

from pipeline_steps.core.quiet import quiet_sdk

if TYPE_CHECKING:  # v2's paths; without v2 installed, mypy treats them as Any
    from sagemaker.lambda_helper import Lambda
    from sagemaker.processing import ProcessingInput, ProcessingOutput, Processor
    from sagemaker.session import Session
    from sagemaker.workflow.entities import PipelineVariable
    from sagemaker.workflow.execution_variables import ExecutionVariable, ExecutionVariables
    from sagemaker.workflow.functions import Join
    from sagemaker.workflow.lambda_step import LambdaOutput, LambdaOutputTypeEnum, LambdaStep
    from sagemaker.workflow.parameters import (
        Parameter,
        ParameterBoolean,
        ParameterFloat,
        ParameterInteger,
        ParameterString,
        ParameterTypeEnum,
    )
    from sagemaker.workflow.pipeline import Pipeline
    from sagemaker.workflow.pipeline_context import PipelineSession
    from sagemaker.workflow.steps import CacheConfig, ProcessingStep, Step, TrainingStep

__all__ = [
    "SDK_MAJOR",
    "USER_NAMES",
    "CacheConfig",
    "ExecutionVariable",
    "ExecutionVariables",
    "Join",
    "Lambda",
    "LambdaOutput",
    "LambdaOutputTypeEnum",
    "LambdaStep",
    "Parameter",
    "ParameterBoolean",
    "ParameterFloat",
    "ParameterInteger",
    "ParameterString",
    "ParameterTypeEnum",
    "Pipeline",
    "PipelineSession",
    "PipelineVariable",
    "ProcessingInput",
    "ProcessingOutput",
    "ProcessingStep",
    "Processor",
    "Session",
    "Step",
    "TrainingStep",
    "sdk_class",
    "sdk_region",
    "sdk_telemetry_off",
]

USER_NAMES = (
    "CacheConfig",
    "ExecutionVariables",
    "Join",
    "ParameterBoolean",
    "ParameterFloat",
    "ParameterInteger",
    "ParameterString",
    "Pipeline",
    "PipelineSession",
)
"""What user code needs to define a pipeline; the rest of ``__all__`` serves the library."""


def _sdk_major() -> int:
    """The SDK's major from package metadata: importing it to ask would print v2's banner,
    and after v3's ``sagemaker.core`` is imported, probing for v2 modules raises."""
    for distribution, v3_from in (("sagemaker", 3), ("sagemaker-core", 2)):
        try:
            major = int(version(distribution).split(".", 1)[0])
        except (PackageNotFoundError, ValueError):
            continue
        return 3 if major >= v3_from else 2
    return 2  # pragma: no cover - sagemaker is a dependency


SDK_MAJOR: int = _sdk_major()
"""The installed SageMaker Python SDK's major version (2 or 3)."""

_WORKFLOW_V3 = "sagemaker.mlops.workflow"
_HOMES: dict[str, tuple[str | None, str | None]] = {
    # name: (v2 module, v3 module); None where that major has no such class
    "CacheConfig": ("sagemaker.workflow.steps", f"{_WORKFLOW_V3}.steps"),
    "Estimator": ("sagemaker.estimator", None),
    "ExecutionVariable": (
        "sagemaker.workflow.execution_variables",
        "sagemaker.core.workflow.execution_variables",
    ),
    "ExecutionVariables": (
        "sagemaker.workflow.execution_variables",
        "sagemaker.core.workflow.execution_variables",
    ),
    "Join": ("sagemaker.workflow.functions", "sagemaker.core.workflow.functions"),
    "Lambda": ("sagemaker.lambda_helper", "sagemaker.core.lambda_helper"),
    "LambdaOutput": ("sagemaker.workflow.lambda_step", f"{_WORKFLOW_V3}.lambda_step"),
    "LambdaOutputTypeEnum": ("sagemaker.workflow.lambda_step", f"{_WORKFLOW_V3}.lambda_step"),
    "LambdaStep": ("sagemaker.workflow.lambda_step", f"{_WORKFLOW_V3}.lambda_step"),
    "Parameter": ("sagemaker.workflow.parameters", "sagemaker.core.workflow.parameters"),
    "ParameterBoolean": ("sagemaker.workflow.parameters", "sagemaker.core.workflow.parameters"),
    "ParameterFloat": ("sagemaker.workflow.parameters", "sagemaker.core.workflow.parameters"),
    "ParameterInteger": ("sagemaker.workflow.parameters", "sagemaker.core.workflow.parameters"),
    "ParameterString": ("sagemaker.workflow.parameters", "sagemaker.core.workflow.parameters"),
    "ParameterTypeEnum": ("sagemaker.workflow.parameters", "sagemaker.core.workflow.parameters"),
    "Pipeline": ("sagemaker.workflow.pipeline", f"{_WORKFLOW_V3}.pipeline"),
    "PipelineSession": (
        "sagemaker.workflow.pipeline_context",
        "sagemaker.core.workflow.pipeline_context",
    ),
    "PipelineVariable": ("sagemaker.workflow.entities", "sagemaker.core.helper.pipeline_variable"),
    "ProcessingInput": ("sagemaker.processing", "sagemaker.core.shapes"),
    "ProcessingOutput": ("sagemaker.processing", "sagemaker.core.shapes"),
    "ProcessingS3Input": (None, "sagemaker.core.shapes"),
    "ProcessingS3Output": (None, "sagemaker.core.shapes"),
    "ProcessingStep": ("sagemaker.workflow.steps", f"{_WORKFLOW_V3}.steps"),
    "Processor": ("sagemaker.processing", "sagemaker.core.processing"),
    "Session": ("sagemaker.session", "sagemaker.core.helper.session_helper"),
    "Step": ("sagemaker.workflow.steps", f"{_WORKFLOW_V3}.steps"),
    "TrainingInput": ("sagemaker.inputs", None),
    "TrainingStep": ("sagemaker.workflow.steps", f"{_WORKFLOW_V3}.steps"),
    # v3 training: ModelTrainer and its configs (v2 uses Estimator and TrainingInput)
    "ModelTrainer": (None, "sagemaker.train.model_trainer"),
    "Compute": (None, "sagemaker.core.training.configs"),
    "InputData": (None, "sagemaker.core.training.configs"),
    "OutputDataConfig": (None, "sagemaker.core.training.configs"),
    "CheckpointConfig": (None, "sagemaker.core.training.configs"),
    "StoppingCondition": (None, "sagemaker.core.training.configs"),
    # steps and conditions the library does not build (its tests use them as foreign steps)
    "ConditionGreaterThan": ("sagemaker.workflow.conditions", "sagemaker.core.workflow.conditions"),
    "ConditionStep": ("sagemaker.workflow.condition_step", f"{_WORKFLOW_V3}.condition_step"),
    "FailStep": ("sagemaker.workflow.fail_step", f"{_WORKFLOW_V3}.fail_step"),
    # modules rather than classes
    "image_uris": ("sagemaker.image_uris", "sagemaker.core.image_uris"),
    "telemetry_logging": (
        "sagemaker.telemetry.telemetry_logging",
        "sagemaker.core.telemetry.telemetry_logging",
    ),
    "sagemaker_config": ("sagemaker.config.config", "sagemaker.core.config.config"),
}
"""Where each name lives on each major (checked against sagemaker 2.257.7 and 3.27.0)."""

_MODULES = frozenset({"image_uris", "telemetry_logging", "sagemaker_config"})


@contextlib.contextmanager
def _import_guard() -> Iterator[None]:
    """Quiet, with a region lent to boto3's default session while the SDK is imported.

    v3's ``sagemaker.mlops`` creates boto3 clients at import time (and raises
    ``NoRegionError`` without a region); the clients it makes then are never used. The
    previous default session is put back afterwards; nothing else changes.
    """
    import boto3

    saved = boto3.DEFAULT_SESSION
    if boto3.session.Session().region_name is None:
        boto3.DEFAULT_SESSION = boto3.session.Session(region_name="us-east-1")
    try:
        with quiet_sdk():
            yield
    finally:
        boto3.DEFAULT_SESSION = saved


def sdk_class(name: str) -> Any:
    """The SDK object called ``name`` on the installed major (imported on first use)."""
    cached = globals().get(name)
    if cached is not None and name in _HOMES:
        return cached
    try:
        v2_home, v3_home = _HOMES[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    home = v3_home if SDK_MAJOR >= 3 else v2_home
    if home is None:
        raise AttributeError(
            f"{name} does not exist in SageMaker Python SDK v{SDK_MAJOR}; the library uses "
            "it only on the other major"
        )
    with _import_guard():
        module = importlib.import_module(home)
    value: Any = module if name in _MODULES else getattr(module, name)
    if name == "Pipeline":
        value = _quiet_pipeline_class(value)
    globals()[name] = value
    return value


def __getattr__(name: str) -> Any:
    return sdk_class(name)


def _quiet_pipeline_class(sdk_pipeline: type) -> type:
    class Pipeline(sdk_pipeline):  # type: ignore[misc]
        """The SDK's ``Pipeline``, made without the SDK's notices on the console.

        It is the SDK's class in every other respect: ``definition()``, ``upsert()`` and
        ``start()`` are the SDK's own (our steps render themselves quietly,
        ``pipeline_steps.core.sdk_steps``).
        """

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            with quiet_sdk():
                super().__init__(*args, **kwargs)

    Pipeline.__module__ = __name__
    Pipeline.__qualname__ = "Pipeline"
    return Pipeline


@contextlib.contextmanager
def sdk_region(region: str) -> Iterator[None]:
    """``AWS_DEFAULT_REGION`` set to ``region`` for the block, if no region is configured.

    v3's ``ProcessingStep`` makes a throw-away ``LocalSession`` when it is constructed (to
    name the local client's method it accepts step arguments from), and that session
    refuses to exist without a default region, although the step then uses the session
    it was given. The variable is put back as it was afterwards.
    """
    import boto3

    if boto3.session.Session().region_name is not None:
        yield
        return
    os.environ["AWS_DEFAULT_REGION"] = region
    try:
        yield
    finally:
        os.environ.pop("AWS_DEFAULT_REGION", None)


@contextlib.contextmanager
def sdk_telemetry_off() -> Iterator[None]:
    """No SDK telemetry during the block, unless the user's SDK config opts in.

    Both majors report usage from ``telemetry_logging`` (v2 ``sagemaker.telemetry``, v3
    ``sagemaker.core.telemetry``): its ``_telemetry_emitter`` decorator (v2 on
    ``EstimatorBase.fit``, v3 on ``ModelTrainer.train``; both on ``Pipeline.create`` and
    ``Pipeline.start``) reads ``SageMaker.PythonSDK.Modules.TelemetryOptOut`` from the
    session's defaults config and, unless it is true, calls ``_send_telemetry_request``
    (an STS ``GetCallerIdentity`` and an HTTPS GET). That config key is the SDK's only
    switch, but putting it on a session makes every config lookup validate the whole
    config schema (about 0.25 s each, some 60 per definition on v2). So the block
    replaces the sender with nothing instead, process-wide (the command line's process
    is ours), unless the user's own config (``load_sagemaker_config``) says
    ``TelemetryOptOut: false``: that user has opted in.
    """
    telemetry = sdk_class("telemetry_logging")
    with quiet_sdk():
        opted_in = (
            sdk_class("sagemaker_config")
            .load_sagemaker_config()
            .get("SageMaker", {})
            .get("PythonSDK", {})
            .get("Modules", {})
            .get("TelemetryOptOut")
            is False
        )
    sender = getattr(telemetry, "_send_telemetry_request", None)
    if opted_in or sender is None:
        yield
        return
    telemetry._send_telemetry_request = _no_telemetry
    try:
        yield
    finally:
        telemetry._send_telemetry_request = sender


def _no_telemetry(*args: Any, **kwargs: Any) -> None:
    """Stands in for the SDK's telemetry sender while ``sdk_telemetry_off`` is active."""
