"""HyperparameterPrepStepBuilder on moto: arguments, outputs, deployment, overrides, policy."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

import pipeline_steps.prep.step as prep_step_module
from lambda_code import HYPERPARAMETER_PREP_PACKAGE, hyperparameter_prep
from pipeline_script_contracts import HYPERPARAMETER_PREP_CONTRACT
from pipeline_steps import (
    HyperparameterPrepConfig,
    HyperparameterPrepStepBuilder,
    StepBuilderError,
    UnknownOutputError,
    XGBoostHyperparameters,
)
from pipeline_steps.sdk import (
    ExecutionVariables,
    Join,
    LambdaStep,
    ParameterFloat,
    ParameterInteger,
    ParameterString,
    Pipeline,
    PipelineSession,
)

REGION = "us-east-1"
BUCKET = "prep-step-tests"
ASSUME_LAMBDA = json.dumps(
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
)
MUTATING_LAMBDA_CALLS = {
    "CreateFunction",
    "UpdateFunctionCode",
    "UpdateFunctionConfiguration",
    "TagResource",
    "DeleteFunction",
}


@dataclass
class Sandbox:
    """Mock AWS with a role, a bucket and a PipelineSession whose Lambda calls are counted."""

    session: PipelineSession
    role_arn: str
    s3: Any
    lambda_calls: list[str] = field(default_factory=list)

    def writes(self) -> list[str]:
        return [call for call in self.lambda_calls if call in MUTATING_LAMBDA_CALLS]

    def builder(self, **overrides: Any) -> HyperparameterPrepStepBuilder:
        values: dict[str, Any] = {"bucket": BUCKET, "lambda_role_arn": self.role_arn}
        values.update(overrides)
        return HyperparameterPrepStepBuilder(
            HyperparameterPrepConfig(**values), sagemaker_session=self.session
        )


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with mock_aws():
        boto_session = boto3.Session(region_name=REGION)
        role_arn = boto_session.client("iam").create_role(
            RoleName="prep-lambda-role", AssumeRolePolicyDocument=ASSUME_LAMBDA
        )["Role"]["Arn"]
        s3 = boto_session.client("s3")
        s3.create_bucket(Bucket=BUCKET)
        calls: list[str] = []
        boto_session.events.register(
            "before-call.lambda.*", lambda model, **_: calls.append(model.name)
        )
        session = PipelineSession(
            boto_session=boto_session,
            default_bucket=BUCKET,
            # Pipeline.upsert() would otherwise send SDK telemetry to a non-loopback host.
            sagemaker_config={
                "SchemaVersion": "1.0",
                "SageMaker": {"PythonSDK": {"Modules": {"TelemetryOptOut": True}}},
            },
        )
        yield Sandbox(session=session, role_arn=role_arn, s3=s3, lambda_calls=calls)
        hyperparameter_prep.set_s3_client(None)


def _pipeline(sandbox: Sandbox, step: LambdaStep, *parameters: Any) -> Pipeline:
    return Pipeline(
        name="PrepOnly",
        parameters=list(parameters),
        steps=[step],
        sagemaker_session=sandbox.session,
    )


def _stored_json(sandbox: Sandbox, uri: str) -> Any:
    key = uri.removeprefix(f"s3://{BUCKET}/")
    return json.loads(sandbox.s3.get_object(Bucket=BUCKET, Key=key)["Body"].read())


def test_arguments_follow_the_design(sandbox: Sandbox) -> None:
    """GIVEN a model with one parameter WHEN the step is made THEN Arguments are as designed."""
    lr = ParameterFloat(name="LearningRate", default_value=0.1)
    builder = sandbox.builder(kms_key_id="alias/hp", expected_bucket_owner="123456789012")
    step = builder.create_step(hyperparameters=XGBoostHyperparameters(learning_rate=lr))

    arguments = step.arguments
    static = json.loads(arguments["hyperparameters"])
    assert arguments["hyperparameters"] == hyperparameter_prep.serialize_hyperparameters(static)
    assert static["learning_rate"] == 0.1  # the parameter's default stands in
    assert arguments["bucket"] == BUCKET
    assert arguments["key_prefix"] == "hyperparameters"
    assert arguments["override.learning_rate"] is lr
    assert arguments["kms_key_id"] == "alias/hp"
    assert arguments["expected_bucket_owner"] == "123456789012"
    assert arguments["pipeline_name"] == ExecutionVariables.PIPELINE_NAME
    assert arguments["pipeline_execution_id"] == ExecutionVariables.PIPELINE_EXECUTION_ID


def test_optional_arguments_are_left_out_when_unset(sandbox: Sandbox) -> None:
    """GIVEN no KMS key and no owner WHEN the step is made THEN those arguments are absent."""
    step = sandbox.builder().create_step(hyperparameters={"epochs": 3})
    assert "kms_key_id" not in step.arguments
    assert "expected_bucket_owner" not in step.arguments
    assert not any(key.startswith("override.") for key in step.arguments)


def test_outputs_are_the_contracts_and_typed(sandbox: Sandbox) -> None:
    """GIVEN a prep step WHEN its outputs are listed THEN they equal the contract's, typed."""
    builder = sandbox.builder()
    step = builder.create_step(hyperparameters={"epochs": 3})

    assert [output.output_name for output in step.outputs] == list(
        HYPERPARAMETER_PREP_CONTRACT.output_names
    )
    assert {o.output_name: o.output_type.value for o in step.outputs} == {
        "hyperparameters_s3_uri": "String",
        "hyperparameters_sha256": "String",
        "hyperparameters_size_bytes": "Integer",
        "reused": "Boolean",
    }
    assert step.properties.Outputs["hyperparameters_s3_uri"].expr == {
        "Get": "Steps.HyperparameterPrep.OutputParameters['hyperparameters_s3_uri']"
    }
    outputs = builder.outputs(step)
    assert (
        outputs["hyperparameters_s3_uri"].expr
        == step.properties.Outputs["hyperparameters_s3_uri"].expr
    )
    with pytest.raises(UnknownOutputError) as caught:
        outputs["hyperparameter_uri"]
    assert str(caught.value) == (
        "unknown output 'hyperparameter_uri' of step 'HyperparameterPrep'; valid outputs: "
        "hyperparameters_s3_uri, hyperparameters_sha256, hyperparameters_size_bytes, reused"
    )


def test_step_name_defaults_and_overrides(sandbox: Sandbox) -> None:
    """GIVEN builders WHEN a name is given or not THEN the default or the checked name applies."""
    assert sandbox.builder().create_step(hyperparameters={"a": 1}).name == "HyperparameterPrep"
    assert sandbox.builder().create_step(hyperparameters={"a": 1}, step_name="Prep-2").name == (
        "Prep-2"
    )
    for bad in ("", "has space", "x" * 65, "dots.not.allowed"):
        with pytest.raises(StepBuilderError, match=r"step_name .* is invalid"):
            sandbox.builder().create_step(hyperparameters={"a": 1}, step_name=bad)


@pytest.mark.parametrize(
    ("hyperparameters", "message"),
    [
        ({"db": {"password": "x"}}, "hyperparameters.db.password"),
        ({"rate": float("nan")}, "hyperparameters.rate"),
        ({"ids": {1, 2}}, "hyperparameters.ids"),
        ({"k" * 257: 1}, "256"),
    ],
)
def test_dict_hyperparameters_are_checked_with_the_handlers_rules(
    sandbox: Sandbox, hyperparameters: dict[str, Any], message: str
) -> None:
    """GIVEN a dict the handler would refuse WHEN the step is built THEN it fails at build time."""
    with pytest.raises(StepBuilderError, match="invalid hyperparameters") as caught:
        sandbox.builder().create_step(hyperparameters=hyperparameters)
    assert message in str(caught.value)


def test_non_mapping_hyperparameters_are_refused(sandbox: Sandbox) -> None:
    """GIVEN a list as hyperparameters WHEN the step is built THEN the error says what fits."""
    with pytest.raises(StepBuilderError, match="must be a hyperparameter model"):
        sandbox.builder().create_step(hyperparameters=[1, 2])  # type: ignore[arg-type]


def test_first_definition_creates_then_unchanged_definitions_only_read(sandbox: Sandbox) -> None:
    """GIVEN a new pipeline WHEN defined twice and upserted twice THEN only the first one writes."""
    step = sandbox.builder().create_step(hyperparameters=XGBoostHyperparameters())
    pipeline = _pipeline(sandbox, step)

    definition = json.loads(pipeline.definition())
    assert sandbox.writes() == ["CreateFunction"]
    assert definition["Steps"][0]["FunctionArn"].endswith(":function:sagemaker-hyperparameter-prep")

    sandbox.lambda_calls.clear()
    pipeline.definition()
    assert sandbox.lambda_calls == ["GetFunction"]

    sandbox.lambda_calls.clear()
    pipeline.upsert(role_arn=sandbox.role_arn)
    pipeline.upsert(role_arn=sandbox.role_arn)
    assert sandbox.writes() == []
    assert set(sandbox.lambda_calls) == {"GetFunction"}

    config = sandbox.session.boto_session.client("lambda").get_function_configuration(
        FunctionName="sagemaker-hyperparameter-prep"
    )
    assert config["Runtime"] == "python3.14"
    assert config["Architectures"] == ["arm64"]
    assert config["Handler"] == "hyperparameter_prep.lambda_handler"


def test_new_timeout_updates_configuration_only(sandbox: Sandbox) -> None:
    """GIVEN a deployed function WHEN the timeout changes THEN only the configuration is updated."""
    _pipeline(sandbox, sandbox.builder().create_step(hyperparameters={"a": 1})).definition()
    sandbox.lambda_calls.clear()

    step = sandbox.builder(timeout=300).create_step(hyperparameters={"a": 1})
    _pipeline(sandbox, step).definition()

    assert sandbox.writes() == ["UpdateFunctionConfiguration"]
    lambda_client = sandbox.session.boto_session.client("lambda")
    configuration = lambda_client.get_function_configuration(
        FunctionName="sagemaker-hyperparameter-prep"
    )
    assert configuration["Timeout"] == 300


def test_changed_handler_updates_code_only(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN a deployed function WHEN the handler source changes THEN only the code is updated."""
    _pipeline(sandbox, sandbox.builder().create_step(hyperparameters={"a": 1})).definition()
    sandbox.lambda_calls.clear()

    changed = tmp_path / "hyperparameter_prep"
    shutil.copytree(HYPERPARAMETER_PREP_PACKAGE, changed)
    with (changed / "handler.py").open("a") as source:
        source.write("\n# changed\n")
    monkeypatch.setattr(prep_step_module, "HYPERPARAMETER_PREP_PACKAGE", changed)
    _pipeline(sandbox, sandbox.builder().create_step(hyperparameters={"a": 1})).definition()

    assert sandbox.writes() == ["UpdateFunctionCode"]
    function = sandbox.session.boto_session.client("lambda").get_function(
        FunctionName="sagemaker-hyperparameter-prep"
    )
    changed_sha = sandbox.builder().lambda_function.code_sha256
    monkeypatch.undo()
    assert function["Configuration"]["CodeSha256"] == changed_sha
    assert changed_sha != sandbox.builder().lambda_function.code_sha256


def test_parameter_override_reaches_the_stored_json(sandbox: Sandbox) -> None:
    """GIVEN a ParameterFloat in the hyperparameters WHEN the handler gets SageMaker's event
    THEN the stored JSON holds the execution's value, not the default."""
    lr = ParameterFloat(name="LearningRate", default_value=0.1)
    depth = ParameterInteger(name="MaxDepth", default_value=6)
    step = sandbox.builder().create_step(
        hyperparameters=XGBoostHyperparameters(learning_rate=lr, max_depth=depth)
    )
    definition = json.loads(_pipeline(sandbox, step, lr, depth).definition())
    arguments = definition["Steps"][0]["Arguments"]
    assert arguments["override.learning_rate"] == {"Get": "Parameters.LearningRate"}

    # What SageMaker sends: every {"Get": ...} replaced by its run-time value.
    runtime = {
        "Parameters.LearningRate": 0.05,
        "Parameters.MaxDepth": "8",
        "Execution.PipelineName": "PrepOnly",
        "Execution.PipelineExecutionId": "exec123",
    }
    event = {
        key: runtime[value["Get"]] if isinstance(value, dict) else value
        for key, value in arguments.items()
    }
    result = hyperparameter_prep.lambda_handler(event, None, s3_client=sandbox.s3)

    stored = _stored_json(sandbox, result["hyperparameters_s3_uri"])
    assert stored["learning_rate"] == 0.05
    assert stored["max_depth"] == 8
    assert stored["n_estimators"] == 100
    head = sandbox.s3.head_object(
        Bucket=BUCKET, Key=result["hyperparameters_s3_uri"].removeprefix(f"s3://{BUCKET}/")
    )
    assert head["Metadata"]["pipeline-execution-id"] == "exec123"


def test_lambda_execution_policy_is_least_privilege(sandbox: Sandbox) -> None:
    """GIVEN a config with a KMS key WHEN the policy is made THEN it names only what is needed."""
    key_arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    policy = sandbox.builder(key_prefix="team/hp", kms_key_id=key_arn).lambda_execution_policy()
    statements = {statement["Sid"]: statement for statement in policy["Statement"]}

    assert statements["WriteHyperparameters"]["Action"] == ["s3:PutObject"]
    assert statements["WriteHyperparameters"]["Resource"] == f"arn:aws:s3:::{BUCKET}/team/hp/*"
    assert statements["ConfirmReusedHyperparameters"]["Action"] == ["s3:GetObject"]
    assert statements["ConfirmReusedHyperparameters"]["Resource"] == (
        f"arn:aws:s3:::{BUCKET}/team/hp/*"
    )
    assert statements["EncryptHyperparameters"]["Resource"] == key_arn
    assert set(statements["EncryptHyperparameters"]["Action"]) == {
        "kms:GenerateDataKey",
        "kms:Decrypt",
        "kms:DescribeKey",  # the reuse check resolves an alias to the key S3 reports
    }
    assert statements["WriteOwnLogs"]["Resource"] == [
        "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/sagemaker-hyperparameter-prep",
        "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/sagemaker-hyperparameter-prep:*",
    ]
    every_action = {action for s in policy["Statement"] for action in s["Action"]}
    assert not any(action.endswith("*") for action in every_action)
    assert "s3:ListBucket" not in every_action


def test_policy_without_kms_has_no_kms_statement(sandbox: Sandbox) -> None:
    """GIVEN no KMS key WHEN the policy is made THEN there is no KMS permission at all."""
    policy = sandbox.builder().lambda_execution_policy()
    assert not any(s["Sid"] == "EncryptHyperparameters" for s in policy["Statement"])


def test_policy_for_a_joined_prefix_covers_its_literal_head(sandbox: Sandbox) -> None:
    """GIVEN a key_prefix joined with the execution id WHEN the policy is made THEN the literal
    head of the prefix bounds the resource."""
    prefix = Join(on="/", values=["hp", ExecutionVariables.PIPELINE_EXECUTION_ID])
    policy = sandbox.builder(key_prefix=prefix).lambda_execution_policy()
    assert policy["Statement"][0]["Resource"] == f"arn:aws:s3:::{BUCKET}/hp/*"


def test_policy_needs_a_nameable_bucket(sandbox: Sandbox) -> None:
    """GIVEN a bucket parameter without default WHEN the policy is made THEN it says why not."""
    builder = sandbox.builder(bucket=ParameterString("Bucket"))
    with pytest.raises(StepBuilderError, match="bucket is a pipeline variable without a default"):
        builder.lambda_execution_policy()


def test_oversized_hyperparameters_are_refused_before_the_definition_limit(
    sandbox: Sandbox,
) -> None:
    """GIVEN hyperparameters too big for a definition WHEN the step is built THEN refused."""
    huge = {"vocabulary": [f"token{i:06d}" for i in range(80_000)]}
    with pytest.raises(StepBuilderError, match="1,048,576"):
        sandbox.builder().create_step(hyperparameters=huge)
