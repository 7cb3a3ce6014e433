"""The SageMaker Python SDK, whichever major is installed: the only module that imports it.

User code takes what it needs to define a pipeline from here, so one script runs on
every SDK major this library supports::

    from pipeline_steps.sdk import ParameterFloat, Pipeline, PipelineSession

The library's own modules import every SDK class from here too; nothing else in
``pipeline_steps`` names a ``sagemaker`` module.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from pipeline_steps.core.quiet import quiet_sdk

# Importing the SDK prints its v2 banner and config INFO lines, and sets up root logging
# and rich's traceback hook for the whole process: quiet_sdk drops the first and undoes
# the rest when the import is done (pipeline_steps.core.quiet).
with quiet_sdk():
    from sagemaker.inputs import TrainingInput
    from sagemaker.lambda_helper import Lambda
    from sagemaker.processing import ProcessingInput, ProcessingOutput
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
    from sagemaker.workflow.pipeline import Pipeline as _SDKPipeline
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
    "Session",
    "Step",
    "TrainingInput",
    "TrainingStep",
    "pytorch_estimator_class",
    "sdk_telemetry_off",
    "sklearn_estimator_class",
    "xgboost_estimator_class",
    "xgboost_processor_class",
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


class Pipeline(_SDKPipeline):
    """The SDK's ``Pipeline``, made without the SDK's v2 migration notice.

    It is the SDK's class in every other respect: ``definition()``, ``upsert()`` and
    ``start()`` are the SDK's own (our steps render themselves quietly,
    ``pipeline_steps.core.sdk_steps``).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        with quiet_sdk():
            super().__init__(*args, **kwargs)


def _sdk_major() -> int:
    try:
        return int(version("sagemaker").split(".", 1)[0])
    except (PackageNotFoundError, ValueError):  # pragma: no cover - sagemaker is a dependency
        return 2


SDK_MAJOR: int = _sdk_major()
"""The installed SageMaker Python SDK's major version."""


def xgboost_estimator_class() -> type:
    """``sagemaker.xgboost.XGBoost`` (imported on first use: it is slow to import)."""
    with quiet_sdk():
        from sagemaker.xgboost.estimator import XGBoost

    return XGBoost


def pytorch_estimator_class() -> type:
    """``sagemaker.pytorch.PyTorch`` (imported on first use)."""
    with quiet_sdk():
        from sagemaker.pytorch.estimator import PyTorch

    return PyTorch


def sklearn_estimator_class() -> type:
    """``sagemaker.sklearn.SKLearn`` (imported on first use)."""
    with quiet_sdk():
        from sagemaker.sklearn.estimator import SKLearn

    return SKLearn


def xgboost_processor_class() -> type:
    """``sagemaker.xgboost.XGBoostProcessor`` (imported on first use)."""
    with quiet_sdk():
        from sagemaker.xgboost.processing import XGBoostProcessor

    return XGBoostProcessor


@contextlib.contextmanager
def sdk_telemetry_off() -> Iterator[None]:
    """No SDK telemetry during the block, unless the user's SDK config opts in.

    The SDK (v2) reports usage from ``sagemaker.telemetry.telemetry_logging``: its
    ``_telemetry_emitter`` decorator (on ``EstimatorBase.fit``, ``Pipeline.create`` and
    ``Pipeline.start``) reads ``SageMaker.PythonSDK.Modules.TelemetryOptOut`` from the
    session's defaults config and, unless it is true, calls ``_send_telemetry_request``
    (an STS ``GetCallerIdentity`` and an HTTPS GET). That config key is the SDK's only
    switch, but putting it on a session makes every config lookup validate the whole
    config schema (``sagemaker.utils.get_sagemaker_config_value`` calls
    ``validate_sagemaker_config``: about 0.25 s each, some 60 per definition). So the
    block replaces the sender with nothing instead, process-wide (the command line's
    process is ours), unless the user's own config (``load_sagemaker_config``) says
    ``TelemetryOptOut: false``: that user has opted in.
    """
    with quiet_sdk():
        from sagemaker.config.config import load_sagemaker_config
        from sagemaker.telemetry import telemetry_logging

        opted_in = (
            load_sagemaker_config()
            .get("SageMaker", {})
            .get("PythonSDK", {})
            .get("Modules", {})
            .get("TelemetryOptOut")
            is False
        )
    sender = getattr(telemetry_logging, "_send_telemetry_request", None)
    if opted_in or sender is None:
        yield
        return
    telemetry_logging._send_telemetry_request = _no_telemetry
    try:
        yield
    finally:
        telemetry_logging._send_telemetry_request = sender


def _no_telemetry(*args: Any, **kwargs: Any) -> None:
    """Stands in for the SDK's telemetry sender while ``sdk_telemetry_off`` is active."""
