"""SageMaker Pipelines step builders with a bundled hyperparameter-prep Lambda step.

``HyperparameterPrepStepBuilder`` makes a LambdaStep that validates hyperparameters,
writes them to S3 as canonical JSON and outputs the S3 URI; the training and
evaluation builders read that URI by logical name (``hyperparameters_s3_uri``).

The package is organised by feature: ``core`` (what every builder shares), ``prep``
(the Lambda step), ``frameworks`` (one module per training framework and the
``FRAMEWORKS`` registry), ``evaluation``, ``deployment`` (the bundled Lambda's
deployer), ``tools`` (CLI, demo, templates) and ``sdk`` (the SageMaker SDK adapter).

Names load on first use, so ``import pipeline_steps`` (and the CLI's start-up)
does not pay for importing the SageMaker SDK until a builder is needed.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipeline_steps.core.builder import StepBuilderBase
    from pipeline_steps.core.errors import (
        DependencyResolutionError,
        LocalRunError,
        StepBuilderError,
        UnknownOutputError,
    )
    from pipeline_steps.core.hyperparameters import HyperparametersModel
    from pipeline_steps.core.outputs import StepOutputs, outputs_of
    from pipeline_steps.core.quiet import set_sdk_verbosity
    from pipeline_steps.deployment.errors import (
        BundledLambdaDeploymentError,
        BundledLambdaError,
        BundledLambdaPermissionError,
        BundledLambdaValidationError,
    )
    from pipeline_steps.deployment.reconciler import BundledLambda
    from pipeline_steps.evaluation.step import ModelEvaluationConfig, ModelEvaluationStepBuilder
    from pipeline_steps.frameworks import FRAMEWORKS, Framework
    from pipeline_steps.frameworks.pytorch import (
        PyTorchHyperparameters,
        PyTorchTrainingConfig,
        PyTorchTrainingStepBuilder,
    )
    from pipeline_steps.frameworks.sklearn import (
        SKLearnHyperparameters,
        SKLearnTrainingConfig,
        SKLearnTrainingStepBuilder,
    )
    from pipeline_steps.frameworks.xgboost import (
        XGBoostHyperparameters,
        XGBoostTrainingConfig,
        XGBoostTrainingStepBuilder,
    )
    from pipeline_steps.prep.config import HyperparameterPrepConfig
    from pipeline_steps.prep.local_run import run_lambda_step
    from pipeline_steps.prep.step import HyperparameterPrepStepBuilder
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
    from pipeline_steps.tools.describe import describe

_HOMES = {
    "FRAMEWORKS": "pipeline_steps.frameworks",
    "BundledLambda": "pipeline_steps.deployment.reconciler",
    "BundledLambdaDeploymentError": "pipeline_steps.deployment.errors",
    "BundledLambdaError": "pipeline_steps.deployment.errors",
    "BundledLambdaPermissionError": "pipeline_steps.deployment.errors",
    "BundledLambdaValidationError": "pipeline_steps.deployment.errors",
    "ContractViolationError": "pipeline_steps.runtime",
    "DependencyResolutionError": "pipeline_steps.core.errors",
    "Framework": "pipeline_steps.frameworks",
    "HyperparameterPrepConfig": "pipeline_steps.prep.config",
    "HyperparameterPrepStepBuilder": "pipeline_steps.prep.step",
    "HyperparametersModel": "pipeline_steps.core.hyperparameters",
    "LocalRunError": "pipeline_steps.core.errors",
    "ModelEvaluationConfig": "pipeline_steps.evaluation.step",
    "ModelEvaluationStepBuilder": "pipeline_steps.evaluation.step",
    "ParameterError": "pipeline_steps.runtime",
    "PipelineRunResult": "pipeline_steps.runtime",
    "PyTorchHyperparameters": "pipeline_steps.frameworks.pytorch",
    "PyTorchTrainingConfig": "pipeline_steps.frameworks.pytorch",
    "PyTorchTrainingStepBuilder": "pipeline_steps.frameworks.pytorch",
    "SKLearnHyperparameters": "pipeline_steps.frameworks.sklearn",
    "SKLearnTrainingConfig": "pipeline_steps.frameworks.sklearn",
    "SKLearnTrainingStepBuilder": "pipeline_steps.frameworks.sklearn",
    "StepBuilderBase": "pipeline_steps.core.builder",
    "StepBuilderError": "pipeline_steps.core.errors",
    "StepFailedError": "pipeline_steps.runtime",
    "StepOutputs": "pipeline_steps.core.outputs",
    "StepResult": "pipeline_steps.runtime",
    "UnknownOutputError": "pipeline_steps.core.errors",
    "UnsupportedExpressionError": "pipeline_steps.runtime",
    "UnsupportedStepError": "pipeline_steps.runtime",
    "XGBoostHyperparameters": "pipeline_steps.frameworks.xgboost",
    "XGBoostTrainingConfig": "pipeline_steps.frameworks.xgboost",
    "XGBoostTrainingStepBuilder": "pipeline_steps.frameworks.xgboost",
    "describe": "pipeline_steps.tools.describe",
    "outputs_of": "pipeline_steps.core.outputs",
    "run_lambda_step": "pipeline_steps.prep.local_run",
    "run_pipeline_locally": "pipeline_steps.runtime",
    "set_sdk_verbosity": "pipeline_steps.core.quiet",
}
"""Each public name and the module that defines it: the one list of the public API, kept in
``__all__`` order (constants, classes, functions; each alphabetical)."""

__all__ = list(_HOMES)

_DISTRIBUTION = "sagemaker-pipeline-steps"
"""The name the library is installed under (``pip install sagemaker-pipeline-steps``)."""


def __getattr__(name: str) -> Any:
    if name == "__version__":
        return _version()
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'pipeline_steps' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def _version() -> str:
    """The installed distribution's version: pyproject.toml's ``version``, the one source."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(_DISTRIBUTION)
    except PackageNotFoundError:  # pragma: no cover - running from a tree never installed
        return "0+unknown"


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
