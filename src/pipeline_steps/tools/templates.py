"""The prep -> training -> evaluation pipeline the CLI builds (``definition``, ``demo``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from pipeline_steps.sdk import LambdaStep
from pipeline_steps.sdk import Parameter
from pipeline_steps.sdk import Pipeline

from pipeline_steps.core.identifiers import check_role_arn
from pipeline_steps.core.errors import StepBuilderError
from pipeline_steps.evaluation.step import ModelEvaluationConfig, ModelEvaluationStepBuilder
from pipeline_steps.core.hyperparameters import (
    HyperparametersModel,
    PyTorchHyperparameters,
    XGBoostHyperparameters,
)
from pipeline_steps.prep.config import HyperparameterPrepConfig
from pipeline_steps.prep.step import HyperparameterPrepStepBuilder
from pipeline_steps.reference_scripts import REFERENCE_SCRIPTS_DIR
from pipeline_steps.frameworks.training import (
    PyTorchTrainingConfig,
    PyTorchTrainingStepBuilder,
    XGBoostTrainingConfig,
    XGBoostTrainingStepBuilder,
)

if TYPE_CHECKING:
    from pipeline_steps.sdk import Session
    from pipeline_steps.sdk import Step

__all__ = ["Framework", "TrainingPipeline", "build_training_pipeline", "hyperparameter_model"]

Framework = Literal["xgboost", "pytorch"]


@dataclass(frozen=True)
class TrainingPipeline:
    """The pipeline and its steps, so callers can reach each step's outputs."""

    pipeline: Pipeline
    prep_step: LambdaStep
    training_step: Step
    evaluation_step: Step | None


def hyperparameter_model(framework: Framework, values: Mapping[str, Any]) -> HyperparametersModel:
    """Validate ``values`` against the framework's hyperparameter model."""
    model = XGBoostHyperparameters if framework == "xgboost" else PyTorchHyperparameters
    return model.model_validate(dict(values))


def build_training_pipeline(
    *,
    framework: Framework,
    hyperparameters: HyperparametersModel | Mapping[str, Any],
    role_arn: str,
    bucket: str,
    sagemaker_session: Session,
    pipeline_name: str = "HyperparameterPrepPipeline",
    lambda_role_arn: str | None = None,
    parameters: Sequence[Parameter] = (),
    training_data: str | None = None,
    validation_data: str | None = None,
    eval_data: str | None = None,
    source_dir: str | None = None,
) -> TrainingPipeline:
    """HyperparameterPrep -> <framework> training [-> model evaluation], wired by logical name.

    The evaluation step scores an XGBoost model (MODEL_EVALUATION_CONTRACT runs on the
    XGBoost framework processor), so a PyTorch pipeline ends with its training step.
    """
    try:
        check_role_arn(role_arn)
    except ValueError as error:
        raise StepBuilderError(f"role_arn: {error}") from None
    scripts = source_dir or str(REFERENCE_SCRIPTS_DIR)
    prep = HyperparameterPrepStepBuilder(
        HyperparameterPrepConfig(bucket=bucket, lambda_role_arn=lambda_role_arn or role_arn),
        sagemaker_session=sagemaker_session,
    )
    prep_step = prep.create_step(hyperparameters=hyperparameters)
    data_inputs = {"training_data": training_data or f"s3://{bucket}/data/train/"}
    if validation_data is not None:
        data_inputs["validation_data"] = validation_data
    trainer: XGBoostTrainingStepBuilder | PyTorchTrainingStepBuilder
    if framework == "xgboost":
        trainer = XGBoostTrainingStepBuilder(
            XGBoostTrainingConfig(
                role_arn=role_arn, source_dir=scripts, output_path=f"s3://{bucket}/models"
            ),
            sagemaker_session=sagemaker_session,
        )
    else:
        trainer = PyTorchTrainingStepBuilder(
            PyTorchTrainingConfig(
                role_arn=role_arn, source_dir=scripts, output_path=f"s3://{bucket}/models"
            ),
            sagemaker_session=sagemaker_session,
        )
    training_step = trainer.create_step(inputs=data_inputs, dependencies=[prep_step])
    if framework != "xgboost":
        pipeline = Pipeline(
            name=pipeline_name,
            parameters=list(parameters),
            steps=[prep_step, training_step],
            sagemaker_session=sagemaker_session,
        )
        return TrainingPipeline(pipeline, prep_step, training_step, None)
    evaluator = ModelEvaluationStepBuilder(
        ModelEvaluationConfig(
            role_arn=role_arn,
            source_dir=scripts,
            environment={"ID_FIELD": "id", "LABEL_FIELD": "label"},
            output_path=f"s3://{bucket}/evaluation",
        ),
        sagemaker_session=sagemaker_session,
    )
    evaluation_step = evaluator.create_step(
        inputs={
            "model_input": trainer.outputs(training_step)["model_output"],
            "eval_data_input": eval_data or f"s3://{bucket}/data/eval/",
        },
        dependencies=[prep_step],
    )
    pipeline = Pipeline(
        name=pipeline_name,
        parameters=list(parameters),
        steps=[prep_step, training_step, evaluation_step],
        sagemaker_session=sagemaker_session,
    )
    return TrainingPipeline(pipeline, prep_step, training_step, evaluation_step)
