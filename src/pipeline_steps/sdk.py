"""The SageMaker Python SDK, whichever major is installed: the only module that imports it.

User code takes what it needs to define a pipeline from here, so one script runs on
every SDK major this library supports::

    from pipeline_steps.sdk import ParameterFloat, Pipeline, PipelineSession

The library's own modules import every SDK class from here too; nothing else in
``pipeline_steps`` names a ``sagemaker`` module.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from sagemaker.inputs import TrainingInput as TrainingInput
from sagemaker.lambda_helper import Lambda as Lambda
from sagemaker.processing import ProcessingInput as ProcessingInput
from sagemaker.processing import ProcessingOutput as ProcessingOutput
from sagemaker.session import Session as Session
from sagemaker.workflow.entities import PipelineVariable as PipelineVariable
from sagemaker.workflow.execution_variables import ExecutionVariable as ExecutionVariable
from sagemaker.workflow.execution_variables import ExecutionVariables
from sagemaker.workflow.functions import Join
from sagemaker.workflow.lambda_step import LambdaOutput as LambdaOutput
from sagemaker.workflow.lambda_step import LambdaOutputTypeEnum as LambdaOutputTypeEnum
from sagemaker.workflow.lambda_step import LambdaStep as LambdaStep
from sagemaker.workflow.parameters import Parameter as Parameter
from sagemaker.workflow.parameters import (
    ParameterBoolean,
    ParameterFloat,
    ParameterInteger,
    ParameterString,
)
from sagemaker.workflow.parameters import ParameterTypeEnum as ParameterTypeEnum
from sagemaker.workflow.pipeline import Pipeline
from sagemaker.workflow.pipeline_context import PipelineSession
from sagemaker.workflow.steps import CacheConfig
from sagemaker.workflow.steps import ProcessingStep as ProcessingStep
from sagemaker.workflow.steps import Step as Step
from sagemaker.workflow.steps import TrainingStep as TrainingStep

__all__ = [
    "SDK_MAJOR",
    "CacheConfig",
    "ExecutionVariables",
    "Join",
    "ParameterBoolean",
    "ParameterFloat",
    "ParameterInteger",
    "ParameterString",
    "Pipeline",
    "PipelineSession",
]
"""What user code needs to define a pipeline. The library's modules also import the
SDK's internal classes from here (``Parameter``, ``LambdaStep``, ``TrainingStep``, ...)."""


def _sdk_major() -> int:
    try:
        return int(version("sagemaker").split(".", 1)[0])
    except (PackageNotFoundError, ValueError):  # pragma: no cover - sagemaker is a dependency
        return 2


SDK_MAJOR: int = _sdk_major()
"""The installed SageMaker Python SDK's major version."""

def xgboost_estimator_class() -> type:
    """``sagemaker.xgboost.XGBoost`` (imported on first use: it is slow to import)."""
    from sagemaker.xgboost.estimator import XGBoost

    return XGBoost  # type: ignore[no-any-return]


def pytorch_estimator_class() -> type:
    """``sagemaker.pytorch.PyTorch`` (imported on first use)."""
    from sagemaker.pytorch.estimator import PyTorch

    return PyTorch  # type: ignore[no-any-return]


def xgboost_processor_class() -> type:
    """``sagemaker.xgboost.XGBoostProcessor`` (imported on first use)."""
    from sagemaker.xgboost.processing import XGBoostProcessor

    return XGBoostProcessor  # type: ignore[no-any-return]
