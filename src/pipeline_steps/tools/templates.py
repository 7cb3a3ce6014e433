"""The prep -> training -> evaluation pipeline the CLI builds (``definition``, ``demo``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pipeline_steps.core.errors import StepBuilderError
from pipeline_steps.core.hyperparameters import HyperparametersModel
from pipeline_steps.evaluation.step import ModelEvaluationConfig, ModelEvaluationStepBuilder
from pipeline_steps.frameworks import get_framework
from pipeline_steps.prep.config import HyperparameterPrepConfig
from pipeline_steps.prep.step import HyperparameterPrepStepBuilder
from pipeline_steps.reference_scripts import REFERENCE_SCRIPTS_DIR
from pipeline_steps.sdk import LambdaStep, Parameter, Pipeline, Session, Step

__all__ = ["TrainingPipeline", "build_training_pipeline", "hyperparameter_model"]


@dataclass(frozen=True)
class TrainingPipeline:
    """The pipeline and its steps, so callers can reach each step's outputs."""

    pipeline: Pipeline
    prep_step: LambdaStep
    training_step: Step
    evaluation_step: Step | None


def hyperparameter_model(framework: str, values: Mapping[str, Any]) -> HyperparametersModel:
    """Validate ``values`` against the framework's hyperparameter model.

    An unknown framework is a ``KeyError`` listing the known ones, never a fallback.
    """
    return get_framework(framework).hyperparameters.model_validate(dict(values))


def build_training_pipeline(
    *,
    framework: str,
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

    The evaluation step scores XGBoost models (MODEL_EVALUATION_CONTRACT runs on the
    XGBoost framework processor), so pipelines of frameworks the registry marks as not
    ``evaluated`` end with their training step.
    """
    try:
        spec = get_framework(framework)
    except KeyError as error:
        raise StepBuilderError(str(error.args[0])) from None
    scripts = source_dir or str(REFERENCE_SCRIPTS_DIR)
    # The training config first: a bad role_arn is reported as role_arn, not as the
    # lambda_role_arn it defaults.
    training_config = spec.config.model_validate(
        {"role_arn": role_arn, "source_dir": scripts, "output_path": f"s3://{bucket}/models"}
    )
    prep = HyperparameterPrepStepBuilder(
        HyperparameterPrepConfig(bucket=bucket, lambda_role_arn=lambda_role_arn or role_arn),
        sagemaker_session=sagemaker_session,
    )
    prep_step = prep.create_step(hyperparameters=hyperparameters)
    data_inputs = {"training_data": training_data or f"s3://{bucket}/data/train/"}
    if validation_data is not None:
        data_inputs["validation_data"] = validation_data
    trainer = spec.builder(training_config, sagemaker_session=sagemaker_session)
    training_step = trainer.create_step(inputs=data_inputs, dependencies=[prep_step])
    if not spec.evaluated:
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
        inputs={"eval_data_input": eval_data or f"s3://{bucket}/data/eval/"},
        dependencies=[prep_step, training_step],  # model_input <- model_output, declared
    )
    pipeline = Pipeline(
        name=pipeline_name,
        parameters=list(parameters),
        steps=[prep_step, training_step, evaluation_step],
        sagemaker_session=sagemaker_session,
    )
    return TrainingPipeline(pipeline, prep_step, training_step, evaluation_step)
