"""Prep -> XGBoost training -> evaluation, wired by logical name."""

from pipeline_steps import (
    HyperparameterPrepConfig,
    HyperparameterPrepStepBuilder,
    ModelEvaluationConfig,
    ModelEvaluationStepBuilder,
    XGBoostHyperparameters,
    XGBoostTrainingConfig,
    XGBoostTrainingStepBuilder,
)
from pipeline_steps.sdk import ParameterFloat, Pipeline


def build_pipeline(session, role_arn: str, bucket: str, scripts_dir: str) -> Pipeline:
    learning_rate = ParameterFloat(name="LearningRate", default_value=0.1)

    prep = HyperparameterPrepStepBuilder(
        HyperparameterPrepConfig(bucket=bucket, lambda_role_arn=role_arn),
        sagemaker_session=session,
    )
    prep_step = prep.create_step(
        hyperparameters=XGBoostHyperparameters(
            objective="binary:logistic",
            max_depth=6,
            learning_rate=learning_rate,  # varies per execution, no redefinition
            n_estimators=200,
        )
    )

    trainer = XGBoostTrainingStepBuilder(
        XGBoostTrainingConfig(role_arn=role_arn, source_dir=scripts_dir),
        sagemaker_session=session,
    )
    train_step = trainer.create_step(
        inputs={"training_data": f"s3://{bucket}/data/train/"},
        dependencies=[prep_step],  # supplies hyperparameters_s3_uri -> the "config" channel
    )

    evaluator = ModelEvaluationStepBuilder(
        ModelEvaluationConfig(
            role_arn=role_arn,
            source_dir=scripts_dir,
            environment={"ID_FIELD": "id", "LABEL_FIELD": "label"},
        ),
        sagemaker_session=session,
    )
    eval_step = evaluator.create_step(
        inputs={"eval_data_input": f"s3://{bucket}/data/eval/"},
        # model_input <- the training step's model_output (declared by the contract)
        dependencies=[prep_step, train_step],
    )

    return Pipeline(
        name="XGBoostWithHyperparameterPrep",
        parameters=[learning_rate],
        steps=[prep_step, train_step, eval_step],
        sagemaker_session=session,
    )
