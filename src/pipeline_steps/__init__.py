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
    from pipeline_steps.core.builder import StepBuilderBase, StepOutputs, outputs_of
    from pipeline_steps.deployment.reconciler import (
        BundledLambda,
        BundledLambdaDeploymentError,
        BundledLambdaError,
        BundledLambdaPermissionError,
        BundledLambdaValidationError,
    )
    from pipeline_steps.core.errors import (
        DependencyResolutionError,
        LocalRunError,
        StepBuilderError,
        UnknownOutputError,
    )
    from pipeline_steps.evaluation.step import ModelEvaluationConfig, ModelEvaluationStepBuilder
    from pipeline_steps.core.hyperparameters import (
        HyperparametersModel,
        PyTorchHyperparameters,
        XGBoostHyperparameters,
    )
    from pipeline_steps.prep.config import HyperparameterPrepConfig
    from pipeline_steps.prep.step import HyperparameterPrepStepBuilder
    from pipeline_steps.prep.local_run import run_lambda_step
    from pipeline_steps.frameworks.training import (
        PyTorchTrainingConfig,
        PyTorchTrainingStepBuilder,
        XGBoostTrainingConfig,
        XGBoostTrainingStepBuilder,
    )

_HOMES = {
    "BundledLambda": "pipeline_steps.deployment.reconciler",
    "BundledLambdaValidationError": "pipeline_steps.deployment.reconciler",
    "BundledLambdaPermissionError": "pipeline_steps.deployment.reconciler",
    "BundledLambdaError": "pipeline_steps.deployment.reconciler",
    "BundledLambdaDeploymentError": "pipeline_steps.deployment.reconciler",
    "DependencyResolutionError": "pipeline_steps.core.errors",
    "HyperparameterPrepConfig": "pipeline_steps.prep.config",
    "HyperparameterPrepStepBuilder": "pipeline_steps.prep.step",
    "HyperparametersModel": "pipeline_steps.core.hyperparameters",
    "LocalRunError": "pipeline_steps.core.errors",
    "ModelEvaluationConfig": "pipeline_steps.evaluation.step",
    "ModelEvaluationStepBuilder": "pipeline_steps.evaluation.step",
    "PyTorchHyperparameters": "pipeline_steps.core.hyperparameters",
    "PyTorchTrainingConfig": "pipeline_steps.frameworks.training",
    "PyTorchTrainingStepBuilder": "pipeline_steps.frameworks.training",
    "StepBuilderBase": "pipeline_steps.core.builder",
    "StepBuilderError": "pipeline_steps.core.errors",
    "StepOutputs": "pipeline_steps.core.builder",
    "UnknownOutputError": "pipeline_steps.core.errors",
    "XGBoostHyperparameters": "pipeline_steps.core.hyperparameters",
    "XGBoostTrainingConfig": "pipeline_steps.frameworks.training",
    "XGBoostTrainingStepBuilder": "pipeline_steps.frameworks.training",
    "outputs_of": "pipeline_steps.core.builder",
    "run_lambda_step": "pipeline_steps.prep.local_run",
}

__all__ = [
    "BundledLambda",
    "BundledLambdaDeploymentError",
    "BundledLambdaError",
    "BundledLambdaPermissionError",
    "BundledLambdaValidationError",
    "DependencyResolutionError",
    "HyperparameterPrepConfig",
    "HyperparameterPrepStepBuilder",
    "HyperparametersModel",
    "LocalRunError",
    "ModelEvaluationConfig",
    "ModelEvaluationStepBuilder",
    "PyTorchHyperparameters",
    "PyTorchTrainingConfig",
    "PyTorchTrainingStepBuilder",
    "StepBuilderBase",
    "StepBuilderError",
    "StepOutputs",
    "UnknownOutputError",
    "XGBoostHyperparameters",
    "XGBoostTrainingConfig",
    "XGBoostTrainingStepBuilder",
    "outputs_of",
    "run_lambda_step",
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
