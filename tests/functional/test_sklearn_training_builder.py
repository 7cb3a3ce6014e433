"""SKLearnTrainingStepBuilder on moto with a PipelineSession.

The step is rendered with ``step.to_request()`` (the CreateTrainingJob request the pipeline
definition carries), pipeline variables shown as their definition expressions.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from pydantic import ValidationError

from pipeline_script_contracts import SKLEARN_TRAIN_CONTRACT
from pipeline_steps import HyperparameterPrepConfig, HyperparameterPrepStepBuilder
from pipeline_steps.frameworks.sklearn import (
    SKLEARN_FRAMEWORK_VERSION,
    SKLearnHyperparameters,
    SKLearnTrainingConfig,
    SKLearnTrainingStepBuilder,
)
from pipeline_steps.reference_scripts import REFERENCE_SCRIPTS_DIR
from pipeline_steps.sdk import LambdaStep, ParameterInteger, PipelineSession

pytestmark = pytest.mark.filterwarnings("ignore:Running within a PipelineSession:UserWarning")

REGION = "us-east-1"
BUCKET = "sklearn-builder-tests"
ROLE_ARN = "arn:aws:iam::123456789012:role/sagemaker-training"
SCRIPTS = str(REFERENCE_SCRIPTS_DIR)
TRAIN_URI = f"s3://{BUCKET}/data/train/"
VALIDATION_URI = f"s3://{BUCKET}/data/validation/"
PREP_URI = {"Get": "Steps.HyperparameterPrep.OutputParameters['hyperparameters_s3_uri']"}


@pytest.fixture(scope="module")
def session() -> Iterator[PipelineSession]:
    with mock_aws():
        boto_session = boto3.Session(region_name=REGION)
        boto_session.client("s3").create_bucket(Bucket=BUCKET)
        yield PipelineSession(boto_session=boto_session, default_bucket=BUCKET)


def _prep_step(session: PipelineSession) -> LambdaStep:
    builder = HyperparameterPrepStepBuilder(
        HyperparameterPrepConfig(bucket=BUCKET, lambda_role_arn=ROLE_ARN),
        sagemaker_session=session,
    )
    hyperparameters = SKLearnHyperparameters(estimator="random_forest", n_estimators=200)
    return builder.create_step(hyperparameters=hyperparameters)


def _rendered(value: Any) -> Any:
    return json.loads(json.dumps(value, default=lambda v: v.expr if hasattr(v, "expr") else v.name))


def _builder(session: PipelineSession, **settings: Any) -> SKLearnTrainingStepBuilder:
    config = SKLearnTrainingConfig(role_arn=ROLE_ARN, source_dir=SCRIPTS, **settings)
    return SKLearnTrainingStepBuilder(config, sagemaker_session=session)


def test_step_runs_train_sklearn_in_the_newest_sklearn_image(session: PipelineSession) -> None:
    """GIVEN the SKLearn builder with the prep step as a dependency and train/validation URIs
    WHEN the step is built
    THEN it runs train_sklearn.py in the sagemaker-scikit-learn 1.4-2 py3 CPU image with the
    contract's channels: train, validation, and config reading the prep output as JSON."""
    step = _builder(session).create_step(
        inputs={"training_data": TRAIN_URI, "validation_data": VALIDATION_URI},
        dependencies=[_prep_step(session)],
    )
    assert step.name == "SKLearnTraining"
    arguments = _rendered(step.to_request())["Arguments"]
    image = arguments["AlgorithmSpecification"]["TrainingImage"]
    assert image.endswith(f"/sagemaker-scikit-learn:{SKLEARN_FRAMEWORK_VERSION}-cpu-py3")
    assert json.loads(arguments["HyperParameters"]["sagemaker_program"]) == "train_sklearn.py"
    assert arguments["ResourceConfig"]["InstanceCount"] == 1
    channels = {c["ChannelName"]: c for c in arguments["InputDataConfig"]}
    assert list(channels) == ["train", "validation", "config"]
    assert channels["config"]["DataSource"]["S3DataSource"]["S3Uri"] == PREP_URI
    assert channels["config"]["ContentType"] == "application/json"
    assert channels["train"]["DataSource"]["S3DataSource"]["S3Uri"] == TRAIN_URI


def test_outputs_are_the_contracts(session: PipelineSession) -> None:
    """GIVEN a built step WHEN its outputs are read THEN they are the contract's two outputs,
    the model artifact and the job's output data, as step properties."""
    builder = _builder(session)
    step = builder.create_step(
        inputs={"training_data": TRAIN_URI}, dependencies=[_prep_step(session)]
    )
    outputs = builder.outputs(step)
    assert list(outputs) == list(SKLEARN_TRAIN_CONTRACT.output_names)
    assert _rendered(outputs["model_output"]) == {
        "Get": "Steps.SKLearnTraining.ModelArtifacts.S3ModelArtifacts"
    }
    assert "validation" not in {
        c["ChannelName"] for c in _rendered(step.to_request())["Arguments"]["InputDataConfig"]
    }


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"py_version": "py310"}, "the SKLearn images take only 'py3'"),
        ({"instance_count": 2}, "scikit-learn does not train distributed; use 1"),
        ({"instance_type": "ml.g5.xlarge"}, "the SKLearn images are CPU only"),
        ({"instance_type": "ml.p3.2xlarge"}, "the SKLearn images are CPU only"),
        ({"use_spot_instances": True}, "max_wait is required"),
        ({"entry_point": "missing.py"}, "is not a file in source_dir"),
    ],
)
def test_config_refuses_what_the_sklearn_estimator_cannot_run(
    settings: dict[str, Any], message: str
) -> None:
    """GIVEN a setting the SKLearn estimator or image cannot honour WHEN the config is built
    THEN it is refused at once, saying what works instead."""
    with pytest.raises(ValidationError, match=message):
        SKLearnTrainingConfig(role_arn=ROLE_ARN, source_dir=SCRIPTS, **settings)


def test_config_defaults_follow_the_contract() -> None:
    """GIVEN only a role and the scripts folder WHEN the config is built THEN it trains
    train_sklearn.py on one ml.m5.xlarge with the 1.4-2 image."""
    config = SKLearnTrainingConfig(role_arn=ROLE_ARN, source_dir=SCRIPTS)
    assert config.entry_point == SKLEARN_TRAIN_CONTRACT.entry_point == "train_sklearn.py"
    assert (config.framework_version, config.py_version) == ("1.4-2", "py3")
    assert (config.instance_type, config.instance_count) == ("ml.m5.xlarge", 1)


def test_prep_step_carries_an_explicit_none_and_a_pipeline_parameter(
    session: PipelineSession,
) -> None:
    """GIVEN SKLearnHyperparameters with max_depth=None on purpose and n_estimators as a
    pipeline parameter WHEN the prep step is built THEN its JSON holds null for max_depth
    (scikit-learn's "no limit"), the parameter's default in place, and an override for it;
    fields never set are absent, so the estimator keeps its own defaults."""
    builder = HyperparameterPrepStepBuilder(
        HyperparameterPrepConfig(bucket=BUCKET, lambda_role_arn=ROLE_ARN),
        sagemaker_session=session,
        step_name="SKLearnPrep",
    )
    hyperparameters = SKLearnHyperparameters(
        estimator="random_forest", max_depth=None, n_estimators=ParameterInteger("Trees", 200)
    )
    arguments = _rendered(builder.create_step(hyperparameters=hyperparameters).inputs)

    assert json.loads(arguments["hyperparameters"]) == {
        "estimator": "random_forest",
        "task": "classification",
        "max_depth": None,
        "n_estimators": 200,
    }
    assert arguments["override.n_estimators"] == {"Get": "Parameters.Trees"}
