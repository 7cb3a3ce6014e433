"""The README's usage block is examples/xgboost_pipeline.py, and it compiles on moto."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import pytest
from moto import mock_aws

from pipeline_steps.reference_scripts import REFERENCE_SCRIPTS_DIR
from pipeline_steps.sdk import PipelineSession

pytestmark = pytest.mark.filterwarnings("ignore:Running within a PipelineSession:UserWarning")

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
EXAMPLE = ROOT / "examples" / "xgboost_pipeline.py"
BUCKET = "readme-example"
ASSUME_ROLE = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": ["lambda.amazonaws.com", "sagemaker.amazonaws.com"]},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)


def usage_block() -> str:
    """The first python block of the README's "## Usage" section."""
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Usage\n", 1)[1].split("\n## ", 1)[0]
    match = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert match is not None, "no python block in the README's Usage section"
    return match[1]


def load_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("readme_xgboost_pipeline", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_usage_block_is_the_example_file() -> None:
    """GIVEN the README's usage section and examples/xgboost_pipeline.py
    WHEN both are stripped of surrounding whitespace
    THEN they are the same text, so the code the tests run is the code users read."""
    assert usage_block().strip() == EXAMPLE.read_text(encoding="utf-8").strip()


@pytest.fixture(scope="module")
def definition() -> dict[str, Any]:
    with mock_aws():
        boto_session = boto3.Session(region_name="us-east-1")
        role_arn = boto_session.client("iam").create_role(
            RoleName="sagemaker-readme-example", AssumeRolePolicyDocument=ASSUME_ROLE
        )["Role"]["Arn"]
        boto_session.client("s3").create_bucket(Bucket=BUCKET)
        session = PipelineSession(boto_session=boto_session, default_bucket=BUCKET)
        pipeline = load_example().build_pipeline(
            session, role_arn, BUCKET, scripts_dir=str(REFERENCE_SCRIPTS_DIR)
        )
        compiled: dict[str, Any] = json.loads(pipeline.definition())
        return compiled


def test_example_compiles_to_the_three_step_pipeline(definition: dict[str, Any]) -> None:
    """GIVEN the example's build_pipeline on moto
    WHEN its definition is rendered
    THEN it holds the prep, XGBoost training and evaluation steps and the LearningRate
    parameter, which reaches the prep step as an override."""
    assert [(step["Name"], step["Type"]) for step in definition["Steps"]] == [
        ("HyperparameterPrep", "Lambda"),
        ("XGBoostTraining", "Training"),
        ("ModelEvaluation", "Processing"),
    ]
    assert definition["Parameters"] == [
        {"Name": "LearningRate", "Type": "Float", "DefaultValue": 0.1}
    ]
    prep = definition["Steps"][0]
    assert prep["Arguments"]["override.learning_rate"] == {"Get": "Parameters.LearningRate"}


def test_example_config_channel_references_the_prep_step_as_the_readme_says(
    definition: dict[str, Any],
) -> None:
    """GIVEN the compiled example and the README's sentence about the config channel
    WHEN the training step's config channel is read
    THEN its S3Uri is the prep step's output property, exactly the JSON the README
    quotes, and the evaluation step reads the same property."""
    readme = README.read_text(encoding="utf-8")
    quoted = re.search(r"`config` channel is\s*`(\{.*?\})`", readme, re.DOTALL)
    assert quoted is not None
    reference = json.loads(quoted[1])
    assert reference == {
        "Get": "Steps.HyperparameterPrep.OutputParameters['hyperparameters_s3_uri']"
    }
    training = definition["Steps"][1]["Arguments"]
    config = next(c for c in training["InputDataConfig"] if c["ChannelName"] == "config")
    assert config["DataSource"]["S3DataSource"]["S3Uri"] == reference
    assert config["ContentType"] == "application/json"
    evaluation = definition["Steps"][2]["Arguments"]
    inputs = {item["InputName"]: item["S3Input"] for item in evaluation["ProcessingInputs"]}
    assert inputs["hyperparameters_s3_uri"]["S3Uri"] == reference
    assert inputs["model_input"]["S3Uri"] == {
        "Get": "Steps.XGBoostTraining.ModelArtifacts.S3ModelArtifacts"
    }
