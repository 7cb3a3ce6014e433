"""The environment a training or processing job's script sees, as the SageMaker toolkit sets it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline_script_contracts.implementation_check import TRAINING_ENV_VARS
from pipeline_steps.runtime.environment import (
    processing_environment,
    split_hyperparameters,
    training_setup,
    user_arguments,
)
from pipeline_steps.runtime.layout import ContainerLayout

ARGUMENTS = {
    "AlgorithmSpecification": {"TrainingInputMode": "File"},
    "HyperParameters": {
        "sagemaker_program": '"train_xgb.py"',
        "sagemaker_submit_directory": '"s3://b/code/sourcedir.tar.gz"',
        "sagemaker_region": '"eu-west-1"',
        "epochs": "3",
        "optimizer": "adam",
        "layers": "[1, 2]",
    },
    "InputDataConfig": [
        {"ChannelName": "train", "DataSource": {"S3DataSource": {"S3Uri": "s3://b/t/"}}},
        {
            "ChannelName": "config",
            "ContentType": "application/json",
            "DataSource": {"S3DataSource": {"S3Uri": "s3://b/c/hp.json"}},
        },
    ],
    "ResourceConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1},
    "Environment": {"MY_SETTING": "on"},
}


@pytest.fixture
def layout(tmp_path: Path) -> ContainerLayout:
    return ContainerLayout.create(tmp_path, "Train")


def test_training_environment_follows_the_toolkit(
    layout: ContainerLayout, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN a training job's arguments WHEN its environment is built THEN channels, model and
    output folders are local stand-ins for /opt/ml, hyperparameters are decoded into SM_HPS
    and SM_HP_<NAME>, the step's Environment is kept, and inherited SM_* values are not."""
    monkeypatch.setenv("SM_CHANNEL_STALE", "/somewhere")
    monkeypatch.setenv("PIPELINE_PROCESSING_ROOT", "/elsewhere")

    setup = training_setup(
        layout=layout,
        arguments=ARGUMENTS,
        job_name="pipelines-x-Train-1",
        job_arn="arn:aws:sagemaker:eu-west-1:1:training-job/pipelines-x-train-1",
        region="us-east-1",
        program="train_xgb.py",
        module_dir="s3://b/code/sourcedir.tar.gz",
    )
    env = setup.environment

    assert env["SM_CHANNEL_TRAIN"] == str(layout.root / "opt/ml/input/data/train")
    assert env["SM_CHANNEL_CONFIG"] == str(layout.root / "opt/ml/input/data/config")
    assert json.loads(env["SM_CHANNELS"]) == ["config", "train"]
    assert env["SM_MODEL_DIR"] == str(layout.root / "opt/ml/model")
    assert env["SM_OUTPUT_DATA_DIR"] == str(layout.root / "opt/ml/output/data")
    assert json.loads(env["SM_HPS"]) == {"epochs": 3, "layers": [1, 2], "optimizer": "adam"}
    assert (env["SM_HP_EPOCHS"], env["SM_HP_OPTIMIZER"], env["SM_HP_LAYERS"]) == (
        "3",
        "adam",
        "[1,2]",
    )
    assert json.loads(env["SM_HOSTS"]) == ["algo-1"]
    assert env["SM_CURRENT_HOST"] == env["CURRENT_HOST"] == "algo-1"
    assert env["SM_CURRENT_INSTANCE_TYPE"] == "ml.m5.xlarge"
    assert int(env["SM_NUM_CPUS"]) >= 1
    assert env["SM_USER_ENTRY_POINT"] == "train_xgb.py"
    assert env["SM_MODULE_NAME"] == "train_xgb"
    assert env["SAGEMAKER_REGION"] == "eu-west-1"
    assert env["TRAINING_JOB_NAME"] == "pipelines-x-Train-1"
    assert env["MY_SETTING"] == "on"
    assert "SM_CHANNEL_STALE" not in env
    assert "PIPELINE_PROCESSING_ROOT" not in env
    assert json.loads(env["SM_TRAINING_ENV"])["hyperparameters"]["epochs"] == 3
    assert setup.arguments == ["--epochs", "3", "--layers", "[1, 2]", "--optimizer", "adam"]
    assert (
        setup.config_files["/opt/ml/input/config/hyperparameters.json"]
        == (ARGUMENTS["HyperParameters"])
    )
    assert setup.config_files["/opt/ml/input/config/inputdataconfig.json"]["config"] == {
        "ContentType": "application/json",
        "RecordWrapperType": "None",
        "S3DistributionType": "FullyReplicated",
        "TrainingInputMode": "File",
    }


def test_every_toolkit_variable_set_is_one_the_static_check_allows(
    layout: ContainerLayout,
) -> None:
    """GIVEN the training environment WHEN its SM_* names are compared with the static check's
    list THEN they are the same set (channels and hyperparameters aside): one rule for both."""
    setup = training_setup(
        layout=layout,
        arguments=ARGUMENTS,
        job_name="j",
        job_arn="a",
        region="r",
        program="p.py",
        module_dir="m",
    )
    set_here = {
        name
        for name in setup.environment
        if name.startswith("SM_") and not name.startswith(("SM_CHANNEL_", "SM_HP_"))
    }
    set_here |= {"CURRENT_HOST", "SAGEMAKER_BASE_DIR", "SAGEMAKER_JOB_NAME", "SAGEMAKER_REGION"}
    set_here |= {"TRAINING_JOB_NAME", "TRAINING_JOB_ARN"}

    assert set_here <= set(TRAINING_ENV_VARS)
    assert set(TRAINING_ENV_VARS) - set_here == {"SAGEMAKER_PROGRAM", "SAGEMAKER_SUBMIT_DIRECTORY"}


def test_processing_environment_adds_only_the_processing_root(layout: ContainerLayout) -> None:
    """GIVEN a processing job WHEN its environment is built THEN it has the step's Environment
    and PIPELINE_PROCESSING_ROOT (the folder standing in for '/'), and no SM_* variables."""
    environment, files = processing_environment(
        layout=layout,
        arguments={"Environment": {"ID_FIELD": "id"}},
        job_name="pipelines-x-Eval-1",
        job_arn="arn",
    )

    assert environment["ID_FIELD"] == "id"
    assert environment["PIPELINE_PROCESSING_ROOT"] == str(layout.root / "opt/ml/processing")
    assert not [name for name in environment if name.startswith("SM_")]
    assert files["/opt/ml/config/processingjobconfig.json"]["ProcessingJobName"] == (
        "pipelines-x-Eval-1"
    )
    assert files["/opt/ml/config/resourceconfig.json"] == {
        "current_host": "algo-1",
        "hosts": ["algo-1"],
    }


def test_hyperparameters_split_and_become_arguments() -> None:
    """GIVEN raw hyperparameter strings WHEN split THEN sagemaker_* go to the toolkit, the
    rest are JSON-decoded where they parse and become sorted --name value arguments."""
    user, toolkit = split_hyperparameters(
        {"sagemaker_program": '"t.py"', "lr": "0.1", "name": "plain text", "d": '{"a": 1}'}
    )

    assert toolkit == {"sagemaker_program": "t.py"}
    assert user == {"lr": 0.1, "name": "plain text", "d": {"a": 1}}
    assert user_arguments(user) == ["-d", "a=1", "--lr", "0.1", "--name", "plain text"]
