"""The SageMaker Python SDK, whichever major is installed: the only module that imports it.

User code takes what it needs to define a pipeline from here, so one script runs on
every SDK major this library supports::

    from pipeline_steps.sdk import ParameterFloat, Pipeline, PipelineSession

The library's own modules import every SDK class from here too; nothing else in
``pipeline_steps`` names a ``sagemaker`` module.
"""

from __future__ import annotations

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
    "sdk_config_without_telemetry",
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


def xgboost_processor_class() -> type:
    """``sagemaker.xgboost.XGBoostProcessor`` (imported on first use)."""
    with quiet_sdk():
        from sagemaker.xgboost.processing import XGBoostProcessor

    return XGBoostProcessor


def sdk_config_without_telemetry() -> dict[str, Any]:
    """The SDK defaults config the SDK would load, with its telemetry off unless it says so.

    For ``PipelineSession(sagemaker_config=...)``: the SDK reads
    ``SageMaker.PythonSDK.Modules.TelemetryOptOut`` from the session's config before
    each telemetry call (``sagemaker.telemetry.telemetry_logging._telemetry_emitter``
    via ``resolve_value_from_config``), so a config saying ``TelemetryOptOut: true``
    stops the call for that session only. A user whose own config sets
    ``TelemetryOptOut: false`` has opted in, and keeps telemetry.
    """
    with quiet_sdk():
        from sagemaker.config.config import load_sagemaker_config

        config: dict[str, Any] = load_sagemaker_config()
    config.setdefault("SchemaVersion", "1.0")
    sagemaker = config.setdefault("SageMaker", {})
    modules = sagemaker.setdefault("PythonSDK", {}).setdefault("Modules", {})
    modules.setdefault("TelemetryOptOut", True)
    return config
