"""A pipeline parameter's run-time value meets the bounds its model field sets at build time.

The prep step carries the model's field rules as the handler's ``constraints``; the
handler checks every override against them, whoever invokes it: SageMaker, the local
runner for the step (``run_lambda_step``), or ``pipeline-steps prepare``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from lambda_code.hyperparameter_prep import ConstraintViolationError
from pipeline_steps import (
    HyperparameterPrepConfig,
    HyperparameterPrepStepBuilder,
    LocalRunError,
    PyTorchHyperparameters,
    XGBoostHyperparameters,
    run_lambda_step,
)
from pipeline_steps.sdk import ParameterFloat, ParameterInteger, ParameterString, PipelineSession
from pipeline_steps.tools.cli import main

BUCKET = "runtime-constraints"
ROLE_ARN = "arn:aws:iam::123456789012:role/sagemaker-constraints"


@pytest.fixture
def aws() -> Iterator[tuple[Any, PipelineSession]]:
    with mock_aws():
        boto_session = boto3.Session(region_name="us-east-1")
        s3 = boto_session.client("s3")
        s3.create_bucket(Bucket=BUCKET)
        yield s3, PipelineSession(boto_session=boto_session, default_bucket=BUCKET)


def prep_step(session: PipelineSession, hyperparameters: Any) -> Any:
    builder = HyperparameterPrepStepBuilder(
        HyperparameterPrepConfig(bucket=BUCKET, lambda_role_arn=ROLE_ARN),
        sagemaker_session=session,
    )
    return builder.create_step(hyperparameters=hyperparameters)


def stored_keys(s3: Any) -> list[str]:
    return [item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def test_builder_emits_constraints_for_parameter_bound_fields_only(
    aws: tuple[Any, PipelineSession],
) -> None:
    """GIVEN an XGBoost model with two parameter-bound fields and literal fields
    WHEN the prep step is built
    THEN constraints name exactly the two overridden paths, with the fields' bounds."""
    _, session = aws
    step = prep_step(
        session,
        XGBoostHyperparameters(
            objective="binary:logistic",
            learning_rate=ParameterFloat(name="LearningRate", default_value=0.1),
            max_depth=ParameterInteger(name="MaxDepth", default_value=4),
            subsample=0.8,
        ),
    )
    constraints = json.loads(step.arguments["constraints"])
    assert constraints == {
        "learning_rate": {"type": "number", "minimum": 0.0, "maximum": 1.0},
        "max_depth": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1},
    }


def test_a_dict_carries_no_constraints(aws: tuple[Any, PipelineSession]) -> None:
    """GIVEN a plain dict with a pipeline parameter WHEN built THEN no constraints key."""
    _, session = aws
    step = prep_step(session, {"eta": ParameterFloat(name="Eta", default_value=0.1)})
    assert "constraints" not in step.arguments
    assert "override.eta" in step.arguments


@pytest.mark.parametrize(
    ("model", "parameters", "rule"),
    [
        (
            XGBoostHyperparameters(
                learning_rate=ParameterFloat(name="LearningRate", default_value=0.1)
            ),
            {"LearningRate": -0.5},
            "minimum",
        ),
        (
            PyTorchHyperparameters(
                optimizer=ParameterString(name="Optimizer", default_value="sgd")
            ),
            {"Optimizer": "lbfgs"},
            "enum",
        ),
    ],
    ids=["below-minimum", "outside-enum"],
)
def test_run_time_value_outside_the_model_bounds_is_refused(
    aws: tuple[Any, PipelineSession], model: Any, parameters: dict[str, Any], rule: str
) -> None:
    """GIVEN a parameter-bound field
    WHEN the step runs with a value the field refuses
    THEN the handler refuses it naming the override path and the rule, and writes nothing."""
    s3, session = aws
    step = prep_step(session, model)

    with pytest.raises(ConstraintViolationError) as caught:
        run_lambda_step(step, parameters=parameters, s3_client=s3)

    message = str(caught.value)
    assert message.startswith("override.")
    assert f"(rule: constraint {rule})" in message
    assert stored_keys(s3) == []


def test_run_time_value_within_bounds_is_stored(aws: tuple[Any, PipelineSession]) -> None:
    """GIVEN a parameter-bound field WHEN the step runs with a valid value THEN it is stored."""
    s3, session = aws
    step = prep_step(
        session,
        XGBoostHyperparameters(
            learning_rate=ParameterFloat(name="LearningRate", default_value=0.1)
        ),
    )
    outputs = run_lambda_step(step, parameters={"LearningRate": 0.05}, s3_client=s3)
    key = outputs["hyperparameters_s3_uri"].split("/", 3)[3]
    stored = json.loads(s3.get_object(Bucket=BUCKET, Key=key)["Body"].read())
    assert stored["learning_rate"] == 0.05


def test_prepare_checks_set_values_against_the_framework_model(
    aws: tuple[Any, PipelineSession], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """GIVEN prepare --framework xgboost --set learning_rate=-0.5
    WHEN it runs
    THEN it exits 2 naming the override and the rule, and nothing is uploaded."""
    s3, _ = aws
    hp = tmp_path / "hp.json"
    hp.write_text('{"objective": "binary:logistic", "learning_rate": 0.1}')

    code = main(
        [
            *("prepare", str(hp), "--bucket", BUCKET),
            *("--framework", "xgboost", "--set", "learning_rate=-0.5"),
        ]
    )

    err = capsys.readouterr().err
    assert code == 2
    assert "override.learning_rate" in err
    assert "(rule: constraint minimum)" in err
    assert stored_keys(s3) == []


def test_a_value_json_cannot_carry_is_a_local_run_error(aws: tuple[Any, PipelineSession]) -> None:
    """GIVEN an integer parameter
    WHEN the step runs with a value of 5,001 digits (beyond Python's int/str limit)
    THEN LocalRunError names the step and why the event cannot be sent; nothing is written."""
    s3, session = aws
    step = prep_step(session, {"depth": ParameterInteger(name="Depth", default_value=3)})

    with pytest.raises(LocalRunError) as caught:
        run_lambda_step(step, parameters={"Depth": 10**5000}, s3_client=s3)

    assert "step 'HyperparameterPrep'" in str(caught.value)
    assert "cannot be sent as JSON" in str(caught.value)
    assert stored_keys(s3) == []
