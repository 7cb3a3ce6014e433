"""Run a whole pipeline on this machine, as SageMaker would, with contracts enforced.

``run_pipeline_locally(pipeline)`` reads the pipeline definition, runs the prep Lambda
in-process and each training and processing job in a subprocess with this Python, moving
data through S3 (moto or any endpoint) exactly where the definition says. Modules:
``expressions`` (Parameters, Execution, Std:Join, Steps.* properties), ``runner``
(planning, ordering, progress), ``jobs`` (training and processing emulation), ``code``
(where a job's script is: the SDK-specific part), ``environment`` (SM_* and friends),
``audit`` (the hook recording opened paths), ``contracts`` (run-time contract checks),
``lambda_step``, ``layout``, ``process``, ``s3io``, ``results``, ``errors``.
"""

from __future__ import annotations

from pipeline_steps.runtime.errors import (
    ContractViolationError,
    ParameterError,
    StepFailedError,
    UnsupportedExpressionError,
    UnsupportedStepError,
)
from pipeline_steps.runtime.results import PipelineRunResult, StepResult
from pipeline_steps.runtime.runner import run_definition, run_pipeline_locally

__all__ = [
    "ContractViolationError",
    "ParameterError",
    "PipelineRunResult",
    "StepFailedError",
    "StepResult",
    "UnsupportedExpressionError",
    "UnsupportedStepError",
    "run_definition",
    "run_pipeline_locally",
]
