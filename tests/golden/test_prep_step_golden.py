"""Golden file: the compiled definition of a one-step prep pipeline.

Parsed JSON is compared, with the account and region in the function ARN
normalised. Regenerate with ``python -m pytest tests/golden --update-golden``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import boto3
from moto import mock_aws

from pipeline_steps import (
    HyperparameterPrepConfig,
    HyperparameterPrepStepBuilder,
    XGBoostHyperparameters,
)
from pipeline_steps.sdk import SDK_MAJOR, ParameterFloat, ParameterString, Pipeline, PipelineSession

GOLDEN = Path(__file__).parent / "data" / f"prep_step_pipeline_v{SDK_MAJOR}.json"
_LAMBDA_ARN = re.compile(r"^arn:aws:lambda:[a-z0-9-]+:\d{12}:function:")


def _normalise(definition: dict[str, Any]) -> dict[str, Any]:
    for step in definition["Steps"]:
        if "FunctionArn" in step:
            step["FunctionArn"] = _LAMBDA_ARN.sub(
                "arn:aws:lambda:<region>:<account>:function:", step["FunctionArn"]
            )
    return definition


def _compile() -> dict[str, Any]:
    with mock_aws():
        boto_session = boto3.Session(region_name="us-east-1")
        role_arn = boto_session.client("iam").create_role(
            RoleName="golden-prep",
            AssumeRolePolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "lambda.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                }
            ),
        )["Role"]["Arn"]
        boto_session.client("s3").create_bucket(Bucket="golden-bucket")
        session = PipelineSession(boto_session=boto_session, default_bucket="golden-bucket")
        learning_rate = ParameterFloat(name="LearningRate", default_value=0.1)
        objective = ParameterString(name="Objective", default_value="binary:logistic")
        prep = HyperparameterPrepStepBuilder(
            HyperparameterPrepConfig(
                bucket="golden-bucket",
                key_prefix="team-a/hyperparameters",
                lambda_role_arn=role_arn,
                kms_key_id="alias/hyperparameters",
                expected_bucket_owner="123456789012",
            ),
            sagemaker_session=session,
        )
        step = prep.create_step(
            hyperparameters=XGBoostHyperparameters(
                objective=objective, max_depth=6, learning_rate=learning_rate, n_estimators=200
            )
        )
        pipeline = Pipeline(
            name="GoldenPrep",
            parameters=[learning_rate, objective],
            steps=[step],
            sagemaker_session=session,
        )
        return _normalise(json.loads(pipeline.definition()))


def test_prep_step_definition_matches_golden(update_golden: bool) -> None:
    """GIVEN a one-step prep pipeline WHEN compiled THEN it equals the pinned definition."""
    definition = _compile()
    if update_golden:
        GOLDEN.write_text(json.dumps(definition, indent=2, sort_keys=True) + "\n")
    assert definition == json.loads(GOLDEN.read_text())


def test_golden_prep_step_has_the_designed_shape() -> None:
    """GIVEN the pinned definition WHEN read THEN type, outputs and arguments are as designed."""
    step = json.loads(GOLDEN.read_text())["Steps"][0]
    assert step["Type"] == "Lambda"
    assert step["Name"] == "HyperparameterPrep"
    assert step["FunctionArn"].endswith(":function:sagemaker-hyperparameter-prep")
    assert step["OutputParameters"] == [
        {"OutputName": "hyperparameters_s3_uri", "OutputType": "String"},
        {"OutputName": "hyperparameters_sha256", "OutputType": "String"},
        {"OutputName": "hyperparameters_size_bytes", "OutputType": "Integer"},
        {"OutputName": "reused", "OutputType": "Boolean"},
    ]
    arguments = step["Arguments"]
    assert arguments["override.learning_rate"] == {"Get": "Parameters.LearningRate"}
    assert arguments["override.objective"] == {"Get": "Parameters.Objective"}
    assert arguments["pipeline_execution_id"] == {"Get": "Execution.PipelineExecutionId"}
    assert arguments["pipeline_name"] == {"Get": "Execution.PipelineName"}
    assert json.loads(arguments["hyperparameters"])["learning_rate"] == 0.1
    assert all(
        not isinstance(value, (dict, list)) or "Get" in value for value in arguments.values()
    )
