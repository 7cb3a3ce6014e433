"""XGBoost builders and the framework version: default image, and what an older one lacks.

The training and evaluation steps read their hyperparameters from the prep step, so a
step built for framework_version 1.7-1 checks the prep step's document (a typed model's
or a dict stored as given, with its pipeline parameters) against XGBoost 1.7.4.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from moto import mock_aws
from pydantic import ValidationError

from pipeline_steps import (
    HyperparameterPrepConfig,
    HyperparameterPrepStepBuilder,
    ModelEvaluationConfig,
    ModelEvaluationStepBuilder,
    StepBuilderError,
    XGBoostTrainingConfig,
    XGBoostTrainingStepBuilder,
)
from pipeline_steps.frameworks.xgboost.hyperparameters import XGBoostHyperparameters
from pipeline_steps.reference_scripts import REFERENCE_SCRIPTS_DIR
from pipeline_steps.sdk import LambdaStep, ParameterString, PipelineSession

pytestmark = pytest.mark.filterwarnings("ignore:Running within a PipelineSession:UserWarning")

BUCKET = "xgboost-version-tests"
ROLE_ARN = "arn:aws:iam::123456789012:role/sagemaker-training"
TRAIN_URI = f"s3://{BUCKET}/data/train/"
EVAL_URI = f"s3://{BUCKET}/data/eval/"


@dataclass
class Sandbox:
    """Mock AWS with a bucket and a PipelineSession."""

    session: PipelineSession

    def prep_step(self, hyperparameters: Any) -> LambdaStep:
        builder = HyperparameterPrepStepBuilder(
            HyperparameterPrepConfig(bucket=BUCKET, lambda_role_arn=ROLE_ARN),
            sagemaker_session=self.session,
        )
        return builder.create_step(hyperparameters=hyperparameters)

    def trainer(self, **settings: Any) -> XGBoostTrainingStepBuilder:
        config = XGBoostTrainingConfig(
            role_arn=ROLE_ARN, source_dir=str(REFERENCE_SCRIPTS_DIR), **settings
        )
        return XGBoostTrainingStepBuilder(config, sagemaker_session=self.session)

    def evaluator(self, **settings: Any) -> ModelEvaluationStepBuilder:
        config = ModelEvaluationConfig(
            role_arn=ROLE_ARN,
            source_dir=str(REFERENCE_SCRIPTS_DIR),
            environment={"ID_FIELD": "id", "LABEL_FIELD": "label"},
            **settings,
        )
        return ModelEvaluationStepBuilder(config, sagemaker_session=self.session)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with mock_aws():
        boto_session = boto3.Session(region_name="us-east-1")
        boto_session.client("s3").create_bucket(Bucket=BUCKET)
        yield Sandbox(PipelineSession(boto_session=boto_session, default_bucket=BUCKET))


def test_default_framework_version_is_the_newest_image() -> None:
    """GIVEN no framework_version WHEN the configs are built THEN both use 3.0-5."""
    assert (
        XGBoostTrainingConfig(
            role_arn=ROLE_ARN, source_dir=str(REFERENCE_SCRIPTS_DIR)
        ).framework_version
        == "3.0-5"
    )
    evaluation = ModelEvaluationConfig(
        role_arn=ROLE_ARN,
        source_dir=str(REFERENCE_SCRIPTS_DIR),
        environment={"ID_FIELD": "id", "LABEL_FIELD": "label"},
    )
    assert evaluation.framework_version == "3.0-5"


@pytest.mark.parametrize("version", ["1.5-1", "3.0", "latest"])
def test_a_framework_version_without_an_entry_is_refused(version: str) -> None:
    """GIVEN a version the scripts are not checked against WHEN configured THEN refused,
    listing the versions that are."""
    with pytest.raises(ValidationError, match=r"use one of: 1\.7-1, 3\.0-5"):
        XGBoostTrainingConfig(
            role_arn=ROLE_ARN, source_dir=str(REFERENCE_SCRIPTS_DIR), framework_version=version
        )


@pytest.mark.parametrize(
    ("hyperparameters", "named"),
    [
        (
            XGBoostHyperparameters(objective="reg:quantileerror", quantile_alpha=0.5),
            "quantile_alpha",
        ),
        (
            {"objective": "reg:quantileerror", "quantile_alpha": 0.5},
            "objective='reg:quantileerror'",
        ),
        ({"device": "cpu", "eta": 0.1}, "device (XGBoost 2.0.0)"),
        ({"max_depth": 0}, "tree_method 'auto' means 'exact'"),
        (
            {
                "eval_metric": ParameterString("Metric", default_value="quantile"),
                "quantile_alpha": 0.5,
                "objective": "reg:quantileerror",
            },
            "eval_metric 'quantile' (XGBoost 2.0.0)",
        ),
    ],
)
def test_a_1_7_training_step_refuses_what_xgboost_1_7_lacks(
    sandbox: Sandbox, hyperparameters: Any, named: str
) -> None:
    """GIVEN prep hyperparameters valid for 3.0-5 (a model, or a dict stored as given)
    WHEN a training step for framework_version 1.7-1 is built on them
    THEN it is refused at build time, naming what XGBoost 1.7.4 lacks; the same
    hyperparameters build for 3.0-5."""
    prep = sandbox.prep_step(hyperparameters)
    with pytest.raises(StepBuilderError, match=r"framework_version 1\.7-1") as caught:
        sandbox.trainer(framework_version="1.7-1").create_step(
            inputs={"training_data": TRAIN_URI}, dependencies=[prep]
        )
    assert named in str(caught.value)
    assert "HyperparameterPrep" in str(caught.value)
    sandbox.trainer().create_step(inputs={"training_data": TRAIN_URI}, dependencies=[prep])


def test_a_1_7_step_builds_with_what_xgboost_1_7_has(sandbox: Sandbox) -> None:
    """GIVEN hyperparameters XGBoost 1.7 has, aliases and names of a custom script included
    WHEN a 1.7-1 training step is built THEN it builds (unknown names are the script's)."""
    prep = sandbox.prep_step({"eta": 0.1, "max_depth": 0, "tree_method": "hist", "my_flag": 1})
    step = sandbox.trainer(framework_version="1.7-1").create_step(
        inputs={"training_data": TRAIN_URI}, dependencies=[prep]
    )
    assert step.name == "XGBoostTraining"


def test_a_parameter_without_a_default_is_left_to_run_time(sandbox: Sandbox) -> None:
    """GIVEN an objective given as a pipeline parameter without a default
    WHEN a 1.7-1 step is built THEN the value cannot be judged yet and is not refused."""
    prep = sandbox.prep_step({"objective": ParameterString("Objective"), "eta": 0.1})
    sandbox.trainer(framework_version="1.7-1").create_step(
        inputs={"training_data": TRAIN_URI}, dependencies=[prep]
    )


def test_an_explicit_hyperparameters_uri_is_not_checked(sandbox: Sandbox) -> None:
    """GIVEN the hyperparameters as an explicit S3 URI (no prep step to read)
    WHEN a 1.7-1 step is built THEN it builds: nothing can be read at build time."""
    sandbox.trainer(framework_version="1.7-1").create_step(
        inputs={
            "training_data": TRAIN_URI,
            "hyperparameters_s3_uri": f"s3://{BUCKET}/hyperparameters/h.json",
        }
    )


def test_a_1_7_evaluation_step_refuses_an_objective_xgboost_1_7_lacks(sandbox: Sandbox) -> None:
    """GIVEN a quantile model's hyperparameters WHEN a 1.7-1 evaluation step is built on
    them THEN refused: XGBoost 1.7.4 cannot load a reg:quantileerror model."""
    prep = sandbox.prep_step({"objective": "reg:quantileerror", "quantile_alpha": 0.5})
    with pytest.raises(StepBuilderError, match="objective='reg:quantileerror'"):
        sandbox.evaluator(framework_version="1.7-1").create_step(
            inputs={"model_input": f"s3://{BUCKET}/model.tar.gz", "eval_data_input": EVAL_URI},
            dependencies=[prep],
        )
