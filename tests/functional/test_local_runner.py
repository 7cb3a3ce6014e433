"""run_lambda_step: the prep step's Arguments rendered as SageMaker would, run in-process.

Everything runs inside moto: the prep step is built with a PipelineSession (building
a LambdaStep makes no Lambda call) and the bundled handler writes to the mocked bucket
through the client passed as ``s3_client``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from moto import mock_aws

from lambda_code import hyperparameter_prep
from pipeline_steps import (
    HyperparameterPrepConfig,
    HyperparameterPrepStepBuilder,
    LocalRunError,
    XGBoostHyperparameters,
    run_lambda_step,
)
from pipeline_steps.prep.local_run import local_execution_variables
from pipeline_steps.sdk import (
    ExecutionVariables,
    Join,
    LambdaStep,
    ParameterBoolean,
    ParameterFloat,
    ParameterInteger,
    ParameterString,
    PipelineSession,
)

REGION = "us-east-1"
BUCKET = "local-runner-tests"
ROLE_ARN = "arn:aws:iam::123456789012:role/sagemaker-local-runner"
URI = re.compile(rf"^s3://{BUCKET}/(?P<prefix>.+)/(?P<sha>[0-9a-f]{{64}})/hyperparameters\.json$")


@dataclass
class Sandbox:
    """Mock AWS with an empty bucket, an S3 client on it and a PipelineSession."""

    session: PipelineSession
    s3: Any

    def prep_step(
        self, hyperparameters: Any, *, name: str = "HyperparameterPrep", **config: Any
    ) -> LambdaStep:
        values: dict[str, Any] = {"bucket": BUCKET, "lambda_role_arn": ROLE_ARN, **config}
        builder = HyperparameterPrepStepBuilder(
            HyperparameterPrepConfig(**values), sagemaker_session=self.session, step_name=name
        )
        return builder.create_step(hyperparameters=hyperparameters)

    def stored(self, uri: str) -> tuple[dict[str, Any], dict[str, str]]:
        """The JSON document at ``uri`` and its object metadata."""
        stored = self.s3.get_object(Bucket=BUCKET, Key=uri.removeprefix(f"s3://{BUCKET}/"))
        document: dict[str, Any] = json.loads(stored["Body"].read())
        return document, stored["Metadata"]

    def object_keys(self) -> list[str]:
        listed = self.s3.list_objects_v2(Bucket=BUCKET)
        return [item["Key"] for item in listed.get("Contents", [])]


@pytest.fixture(scope="module")
def _aws() -> Iterator[Sandbox]:
    with mock_aws():
        boto_session = boto3.Session(region_name=REGION)
        s3 = boto_session.client("s3")
        s3.create_bucket(Bucket=BUCKET)
        yield Sandbox(PipelineSession(boto_session=boto_session, default_bucket=BUCKET), s3)


@pytest.fixture
def sandbox(_aws: Sandbox) -> Sandbox:
    """The module's mock AWS, with the bucket emptied before each test."""
    for key in _aws.object_keys():
        _aws.s3.delete_object(Bucket=BUCKET, Key=key)
    return _aws


def run(sandbox: Sandbox, step: LambdaStep, **kwargs: Any) -> dict[str, Any]:
    return run_lambda_step(step, s3_client=sandbox.s3, **kwargs)


def local_error(sandbox: Sandbox, step: LambdaStep, **kwargs: Any) -> str:
    """Run ``step`` expecting LocalRunError; check nothing was written; return the message."""
    with pytest.raises(LocalRunError) as caught:
        run(sandbox, step, **kwargs)
    assert sandbox.object_keys() == []
    return str(caught.value)


# ------------------------------------------------------------------ parameters


def test_parameter_override_changes_the_stored_value(sandbox: Sandbox) -> None:
    """GIVEN a ParameterFloat (default 0.1) inside the hyperparameters
    WHEN the step runs locally with LearningRate=0.05
    THEN the stored JSON holds 0.05, the other values are untouched, and the outputs
    match the stored object (URI, sha256 in the key, size)."""
    learning_rate = ParameterFloat(name="LearningRate", default_value=0.1)
    step = sandbox.prep_step(XGBoostHyperparameters(learning_rate=learning_rate, max_depth=4))
    outputs = run(sandbox, step, parameters={"LearningRate": 0.05})
    document, _ = sandbox.stored(outputs["hyperparameters_s3_uri"])
    assert document["learning_rate"] == 0.05
    assert document["max_depth"] == 4
    match = URI.match(outputs["hyperparameters_s3_uri"])
    assert match is not None
    assert match["prefix"] == "hyperparameters"
    assert match["sha"] == outputs["hyperparameters_sha256"]
    assert outputs["reused"] is False
    body = sandbox.s3.get_object(Bucket=BUCKET, Key=sandbox.object_keys()[0])["Body"].read()
    assert outputs["hyperparameters_size_bytes"] == len(body)


def test_parameter_default_is_used_without_an_override(sandbox: Sandbox) -> None:
    """GIVEN a ParameterInteger (default 6) inside the hyperparameters
    WHEN the step runs locally without parameters
    THEN the stored JSON holds the default, and a second run reuses the same object."""
    depth = ParameterInteger(name="MaxDepth", default_value=6)
    step = sandbox.prep_step(XGBoostHyperparameters(max_depth=depth))
    first = run(sandbox, step)
    document, _ = sandbox.stored(first["hyperparameters_s3_uri"])
    assert document["max_depth"] == 6
    second = run(sandbox, step)
    assert second["hyperparameters_s3_uri"] == first["hyperparameters_s3_uri"]
    assert second["reused"] is True


def test_parameter_without_default_or_value_is_an_error(sandbox: Sandbox) -> None:
    """GIVEN a parameter with no default
    WHEN the step runs without a value for it
    THEN LocalRunError names the parameter and where it is used; nothing is written."""
    step = sandbox.prep_step({"eta": 0.1, "max_depth": 3, "depth": ParameterInteger(name="Depth")})
    message = local_error(sandbox, step)
    assert "needs pipeline parameter 'Depth', which has no default" in message
    assert "Arguments['override.depth']" in message
    assert "pass parameters={'Depth': ...}" in message


@pytest.mark.parametrize(
    ("parameter", "value", "kind"),
    [
        (ParameterFloat(name="P", default_value=0.1), "0.05", "Float"),
        (ParameterFloat(name="P", default_value=0.1), True, "Float"),
        (ParameterInteger(name="P", default_value=3), 3.5, "Integer"),
        (ParameterInteger(name="P", default_value=3), False, "Integer"),
        (ParameterString(name="P", default_value="a"), 7, "String"),
        (ParameterBoolean(name="P", default_value=True), "true", "Boolean"),
    ],
    ids=["float-str", "float-bool", "int-float", "int-bool", "str-int", "bool-str"],
)
def test_wrong_typed_parameter_value_is_an_error(
    sandbox: Sandbox, parameter: Any, value: Any, kind: str
) -> None:
    """GIVEN a typed pipeline parameter in the hyperparameters
    WHEN the step runs with a value of another type (bool is not a number)
    THEN LocalRunError names the parameter, its type and the value."""
    step = sandbox.prep_step({"setting": parameter})
    message = local_error(sandbox, step, parameters={"P": value})
    assert message == (
        f"pipeline parameter 'P' is a {kind} parameter; {value!r} "
        f"({type(value).__name__}) is not a valid value"
    )


def test_integer_value_is_accepted_for_a_float_parameter(sandbox: Sandbox) -> None:
    """GIVEN a ParameterFloat
    WHEN the step runs with an int value
    THEN it is accepted, as SageMaker accepts 1 for a Float parameter."""
    step = sandbox.prep_step({"eta": ParameterFloat(name="Eta", default_value=0.3)})
    outputs = run(sandbox, step, parameters={"Eta": 1})
    document, _ = sandbox.stored(outputs["hyperparameters_s3_uri"])
    assert document["eta"] == 1


def test_enum_parameter_refuses_a_value_outside_its_enum(sandbox: Sandbox) -> None:
    """GIVEN a ParameterString with enum values
    WHEN the step runs with another value
    THEN LocalRunError lists the allowed values."""
    objective = ParameterString(
        name="Objective",
        default_value="binary:logistic",
        enum_values=["binary:logistic", "reg:squarederror"],
    )
    step = sandbox.prep_step({"objective": objective})
    message = local_error(sandbox, step, parameters={"Objective": "multi:softmax"})
    assert "'Objective' must be one of ['binary:logistic', 'reg:squarederror']" in message


def test_unknown_parameter_name_is_an_error(sandbox: Sandbox) -> None:
    """GIVEN a step that uses LearningRate only
    WHEN it runs with a parameter it does not use (a typo)
    THEN LocalRunError names the unknown one and lists those the step uses."""
    step = sandbox.prep_step({"eta": ParameterFloat(name="LearningRate", default_value=0.1)})
    message = local_error(sandbox, step, parameters={"LearningRat": 0.2})
    assert message == (
        "step 'HyperparameterPrep' does not use pipeline parameter(s) LearningRat; "
        "it uses: LearningRate"
    )


# ------------------------------------------------------------------ execution variables


def test_execution_variables_reach_the_object_metadata(sandbox: Sandbox) -> None:
    """GIVEN PipelineName and PipelineExecutionId in ``execution`` (with or without the
    Execution. prefix)
    WHEN the step runs
    THEN the stored object's metadata records them."""
    step = sandbox.prep_step({"eta": 0.1})
    outputs = run(
        sandbox,
        step,
        execution={"PipelineName": "NightlyTraining", "Execution.PipelineExecutionId": "x1y2"},
    )
    _, metadata = sandbox.stored(outputs["hyperparameters_s3_uri"])
    assert metadata["pipeline-name"] == "NightlyTraining"
    assert metadata["pipeline-execution-id"] == "x1y2"


def test_local_execution_values_are_used_when_none_are_given(sandbox: Sandbox) -> None:
    """GIVEN no ``execution``
    WHEN the step runs
    THEN the metadata holds the local pipeline name and a fresh 12-hex execution id."""
    step = sandbox.prep_step({"eta": 0.1})
    _, metadata = sandbox.stored(run(sandbox, step)["hyperparameters_s3_uri"])
    assert metadata["pipeline-name"] == "LocalPipeline"
    assert re.fullmatch(r"[0-9a-f]{12}", metadata["pipeline-execution-id"])


def test_unknown_execution_variable_is_an_error() -> None:
    """GIVEN an execution variable SageMaker does not define
    WHEN the local values are built
    THEN LocalRunError names it and lists those a Lambda step can read."""
    with pytest.raises(LocalRunError) as caught:
        local_execution_variables({"PipelineRunId": "1"})
    message = str(caught.value)
    assert message.startswith("unknown execution variable(s) PipelineRunId;")
    assert "PipelineExecutionId" in message
    assert "PipelineName" in message


# ------------------------------------------------------------------ Std:Join


def test_join_of_literals_execution_variables_and_a_parameter_in_key_prefix(
    sandbox: Sandbox,
) -> None:
    """GIVEN key_prefix = Join("/", ["runs", PipelineName, PipelineExecutionId, Team])
    WHEN the step runs with Team overridden and execution values given
    THEN the object lands under the rendered prefix runs/<name>/<id>/<team>/."""
    team = ParameterString(name="Team", default_value="ranking")
    key_prefix = Join(
        on="/",
        values=[
            "runs",
            ExecutionVariables.PIPELINE_NAME,
            ExecutionVariables.PIPELINE_EXECUTION_ID,
            team,
        ],
    )
    step = sandbox.prep_step({"eta": 0.1}, key_prefix=key_prefix)
    outputs = run(
        sandbox,
        step,
        parameters={"Team": "search"},
        execution={"PipelineName": "Nightly", "PipelineExecutionId": "exec42"},
    )
    match = URI.match(outputs["hyperparameters_s3_uri"])
    assert match is not None
    assert match["prefix"] == "runs/Nightly/exec42/search"
    assert sandbox.object_keys() == [
        f"runs/Nightly/exec42/search/{outputs['hyperparameters_sha256']}/hyperparameters.json"
    ]


def test_nested_join_with_numbers_and_default_parameter(sandbox: Sandbox) -> None:
    """GIVEN a Join inside a Join holding an integer literal and a parameter default
    WHEN the step runs without overrides
    THEN each value is rendered as text and joined with its own separator."""
    version = ParameterInteger(name="Version", default_value=3)
    key_prefix = Join(on="/", values=["models", Join(on="-", values=["v", version, 2024])])
    step = sandbox.prep_step({"eta": 0.1}, key_prefix=key_prefix)
    match = URI.match(run(sandbox, step)["hyperparameters_s3_uri"])
    assert match is not None
    assert match["prefix"] == "models/v-3-2024"


def test_step_property_in_key_prefix_is_an_unsupported_expression(sandbox: Sandbox) -> None:
    """GIVEN key_prefix joined with another step's output property
    WHEN the step runs locally
    THEN LocalRunError names the argument, its position in the Join and the expression,
    and nothing is written."""
    other = sandbox.prep_step({"eta": 0.2}, name="OtherPrep")
    key_prefix = Join(on="/", values=["runs", other.properties.Outputs["hyperparameters_sha256"]])
    step = sandbox.prep_step({"eta": 0.1}, key_prefix=key_prefix)
    message = local_error(sandbox, step)
    assert message.startswith(
        "step 'HyperparameterPrep': cannot render Arguments['key_prefix'] Std:Join value 1 = "
    )
    assert "Steps.OtherPrep.OutputParameters['hyperparameters_sha256']" in message
    assert "literals, pipeline parameters, Execution variables and Std:Join" in message


def test_bare_step_property_as_key_prefix_is_named(sandbox: Sandbox) -> None:
    """GIVEN key_prefix that is another step's property itself
    WHEN the step runs locally
    THEN the error shows the property's Get expression."""
    other = sandbox.prep_step({"eta": 0.2}, name="OtherPrep")
    step = sandbox.prep_step(
        {"eta": 0.1}, key_prefix=other.properties.Outputs["hyperparameters_sha256"]
    )
    message = local_error(sandbox, step)
    assert (
        "cannot render Arguments['key_prefix'] = {\"Get\": "
        "\"Steps.OtherPrep.OutputParameters['hyperparameters_sha256']\"}"
    ) in message


# ------------------------------------------------------------------ outputs and step kind


def _fake_handler(result: Mapping[str, Any]) -> Any:
    def handler(event: Any, context: Any, *, s3_client: Any = None) -> dict[str, Any]:
        return dict(result)

    return handler


VALID_RESULT = {
    "hyperparameters_s3_uri": f"s3://{BUCKET}/h/{'0' * 64}/hyperparameters.json",
    "hyperparameters_sha256": "0" * 64,
    "hyperparameters_size_bytes": 10,
    "reused": False,
}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {"hyperparameters_size_bytes": "10"},
            "output 'hyperparameters_size_bytes' is declared Integer but the handler "
            "returned '10' (str)",
        ),
        (
            {"hyperparameters_size_bytes": True},
            "output 'hyperparameters_size_bytes' is declared Integer but the handler "
            "returned True (bool)",
        ),
        ({"reused": 0}, "output 'reused' is declared Boolean but the handler returned 0 (int)"),
        (
            {"hyperparameters_s3_uri": "s3://x/" + "k" * 1020},
            "output 'hyperparameters_s3_uri' is 1027 characters; LambdaStep outputs hold "
            "at most 1024",
        ),
    ],
    ids=["int-as-str", "int-as-bool", "bool-as-int", "too-long"],
)
def test_handler_outputs_are_checked_against_output_parameters(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, change: dict[str, Any], expected: str
) -> None:
    """GIVEN a handler whose answer breaks the step's OutputParameters
    WHEN the step runs locally
    THEN LocalRunError names the output, its declared type or limit, and the value."""
    monkeypatch.setattr(hyperparameter_prep, "lambda_handler", _fake_handler(VALID_RESULT | change))
    step = sandbox.prep_step({"eta": 0.1})
    with pytest.raises(LocalRunError) as caught:
        run(sandbox, step)
    assert str(caught.value) == f"step 'HyperparameterPrep': {expected}"


def test_missing_handler_output_is_named(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    """GIVEN a handler that leaves out a declared output
    WHEN the step runs locally
    THEN LocalRunError names the missing output and what was returned."""
    partial = {key: value for key, value in VALID_RESULT.items() if key != "reused"}
    monkeypatch.setattr(hyperparameter_prep, "lambda_handler", _fake_handler(partial))
    with pytest.raises(LocalRunError, match="the handler returned no 'reused'; it returned"):
        run(sandbox, sandbox.prep_step({"eta": 0.1}))


def test_valid_handler_answer_is_returned_with_declared_outputs_only(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN a handler that answers every declared output plus an extra key
    WHEN the step runs locally
    THEN exactly the declared outputs come back, in the step's order."""
    monkeypatch.setattr(
        hyperparameter_prep, "lambda_handler", _fake_handler(VALID_RESULT | {"extra": 1})
    )
    outputs = run(sandbox, sandbox.prep_step({"eta": 0.1}))
    assert outputs == VALID_RESULT
    assert list(outputs) == list(VALID_RESULT)


def test_only_lambda_steps_running_the_bundled_handler_run_locally(sandbox: Sandbox) -> None:
    """GIVEN a step that is not a LambdaStep, and a LambdaStep with another handler
    WHEN either is run locally
    THEN LocalRunError says what the runner can run."""
    from pipeline_steps.sdk import FailStep, Lambda

    with pytest.raises(LocalRunError, match="runs LambdaSteps, not FailStep"):
        run_lambda_step(FailStep(name="Stop"))  # type: ignore[arg-type]
    foreign = LambdaStep(
        name="Other",
        lambda_func=Lambda(
            function_arn="arn:aws:lambda:us-east-1:123456789012:function:other",
            handler="other.handler",
            session=sandbox.session,
        ),
        inputs={},
    )
    with pytest.raises(LocalRunError, match=r"runs handler 'other\.handler'; only the bundled"):
        run_lambda_step(foreign)
