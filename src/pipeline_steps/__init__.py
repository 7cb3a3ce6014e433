"""SageMaker Pipelines step builders with a bundled hyperparameter-prep Lambda step.

``HyperparameterPrepStepBuilder`` makes a LambdaStep that validates hyperparameters,
writes them to S3 as canonical JSON and outputs the S3 URI; the training and
evaluation builders read that URI by logical name (``hyperparameters_s3_uri``).

Names load on first use, so ``import pipeline_steps`` (and the CLI's start-up)
does not pay for importing the SageMaker SDK until a builder is needed.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipeline_steps.builder_base import StepBuilderBase, StepOutputs, outputs_of
    from pipeline_steps.bundled_lambda import (
        BundledLambda,
        BundledLambdaDeploymentError,
        BundledLambdaError,
        BundledLambdaPermissionError,
        BundledLambdaValidationError,
    )
    from pipeline_steps.errors import (
        DependencyResolutionError,
        LocalRunError,
        StepBuilderError,
        UnknownOutputError,
    )
    from pipeline_steps.evaluation_step import ModelEvaluationConfig, ModelEvaluationStepBuilder
    from pipeline_steps.hyperparameter_models import (
        HyperparametersModel,
        PyTorchHyperparameters,
        XGBoostHyperparameters,
    )
    from pipeline_steps.hyperparameter_prep_config import HyperparameterPrepConfig
    from pipeline_steps.hyperparameter_prep_step import HyperparameterPrepStepBuilder
    from pipeline_steps.local import run_lambda_step
    from pipeline_steps.runtime import (
        ContractViolationError,
        ParameterError,
        PipelineRunResult,
        StepFailedError,
        StepResult,
        UnsupportedExpressionError,
        UnsupportedStepError,
        run_pipeline_locally,
    )
    from pipeline_steps.training_steps import (
        PyTorchTrainingConfig,
        PyTorchTrainingStepBuilder,
        XGBoostTrainingConfig,
        XGBoostTrainingStepBuilder,
    )

_HOMES = {
    "BundledLambda": "pipeline_steps.bundled_lambda",
    "BundledLambdaValidationError": "pipeline_steps.bundled_lambda",
    "BundledLambdaPermissionError": "pipeline_steps.bundled_lambda",
    "BundledLambdaError": "pipeline_steps.bundled_lambda",
    "BundledLambdaDeploymentError": "pipeline_steps.bundled_lambda",
    "ContractViolationError": "pipeline_steps.runtime",
    "DependencyResolutionError": "pipeline_steps.errors",
    "HyperparameterPrepConfig": "pipeline_steps.hyperparameter_prep_config",
    "HyperparameterPrepStepBuilder": "pipeline_steps.hyperparameter_prep_step",
    "HyperparametersModel": "pipeline_steps.hyperparameter_models",
    "LocalRunError": "pipeline_steps.errors",
    "ModelEvaluationConfig": "pipeline_steps.evaluation_step",
    "ModelEvaluationStepBuilder": "pipeline_steps.evaluation_step",
    "ParameterError": "pipeline_steps.runtime",
    "PipelineRunResult": "pipeline_steps.runtime",
    "PyTorchHyperparameters": "pipeline_steps.hyperparameter_models",
    "PyTorchTrainingConfig": "pipeline_steps.training_steps",
    "PyTorchTrainingStepBuilder": "pipeline_steps.training_steps",
    "StepBuilderBase": "pipeline_steps.builder_base",
    "StepBuilderError": "pipeline_steps.errors",
    "StepFailedError": "pipeline_steps.runtime",
    "StepOutputs": "pipeline_steps.builder_base",
    "StepResult": "pipeline_steps.runtime",
    "UnknownOutputError": "pipeline_steps.errors",
    "UnsupportedExpressionError": "pipeline_steps.runtime",
    "UnsupportedStepError": "pipeline_steps.runtime",
    "XGBoostHyperparameters": "pipeline_steps.hyperparameter_models",
    "XGBoostTrainingConfig": "pipeline_steps.training_steps",
    "XGBoostTrainingStepBuilder": "pipeline_steps.training_steps",
    "outputs_of": "pipeline_steps.builder_base",
    "run_lambda_step": "pipeline_steps.local",
    "run_pipeline_locally": "pipeline_steps.runtime",
}

__all__ = [
    "BundledLambda",
    "BundledLambdaDeploymentError",
    "BundledLambdaError",
    "BundledLambdaPermissionError",
    "BundledLambdaValidationError",
    "ContractViolationError",
    "DependencyResolutionError",
    "HyperparameterPrepConfig",
    "HyperparameterPrepStepBuilder",
    "HyperparametersModel",
    "LocalRunError",
    "ModelEvaluationConfig",
    "ModelEvaluationStepBuilder",
    "ParameterError",
    "PipelineRunResult",
    "PyTorchHyperparameters",
    "PyTorchTrainingConfig",
    "PyTorchTrainingStepBuilder",
    "StepBuilderBase",
    "StepBuilderError",
    "StepFailedError",
    "StepOutputs",
    "StepResult",
    "UnknownOutputError",
    "UnsupportedExpressionError",
    "UnsupportedStepError",
    "XGBoostHyperparameters",
    "XGBoostTrainingConfig",
    "XGBoostTrainingStepBuilder",
    "outputs_of",
    "run_lambda_step",
    "run_pipeline_locally",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'pipeline_steps' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
