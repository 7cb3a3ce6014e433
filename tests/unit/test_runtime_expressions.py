"""Definition expressions rendered as SageMaker renders them at run time; the rest refused."""

from __future__ import annotations

from typing import Any

import pytest

from pipeline_steps.runtime.errors import ParameterError, UnsupportedExpressionError
from pipeline_steps.runtime.expressions import (
    Scope,
    as_text,
    check,
    execution_variables,
    parse_property_reference,
    referenced_steps,
    render,
    resolve_parameters,
)

TRAINING_PROPERTIES: dict[str, Any] = {
    "TrainingJobName": "pipelines-abc-Train-123",
    "ModelArtifacts": {"S3ModelArtifacts": "s3://b/models/job/output/model.tar.gz"},
    "OutputDataConfig": {"S3OutputPath": "s3://b/models"},
    "InputDataConfig": [
        {"ChannelName": "train", "DataSource": {"S3DataSource": {"S3Uri": "s3://b/train/"}}}
    ],
}
PROCESSING_PROPERTIES: dict[str, Any] = {
    "ProcessingOutputConfig": {
        "Outputs": [
            {"OutputName": "eval_output", "S3Output": {"S3Uri": "s3://b/eval"}},
            {"OutputName": "metrics_output", "S3Output": {"S3Uri": "s3://b/metrics"}},
        ]
    }
}


@pytest.fixture
def scope() -> Scope:
    execution = execution_variables("Demo", "exec123", region="us-east-1", account="123456789012")
    return Scope(
        parameters={"LearningRate": 0.05, "Depth": 6, "Bucket": "b", "Flag": True},
        execution=execution,
        properties={
            "Prep": {"OutputParameters": {"hyperparameters_s3_uri": "s3://b/hp.json"}},
            "Train": TRAINING_PROPERTIES,
            "Evaluate": PROCESSING_PROPERTIES,
        },
    )


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("Steps.Prep.OutputParameters['hyperparameters_s3_uri']", "s3://b/hp.json"),
        ("Steps.Train.ModelArtifacts.S3ModelArtifacts", "s3://b/models/job/output/model.tar.gz"),
        ("Steps.Train.TrainingJobName", "pipelines-abc-Train-123"),
        ("Steps.Train.OutputDataConfig.S3OutputPath", "s3://b/models"),
        ("Steps.Train.InputDataConfig['train'].DataSource.S3DataSource.S3Uri", "s3://b/train/"),
        ("Steps.Train.InputDataConfig[0].DataSource.S3DataSource.S3Uri", "s3://b/train/"),
        ("Steps.Evaluate.ProcessingOutputConfig.Outputs['metrics_output'].S3Output.S3Uri",
         "s3://b/metrics"),
    ],
)  # fmt: skip
def test_step_properties_render(scope: Scope, reference: str, expected: str) -> None:
    """GIVEN a finished step's properties WHEN a Get reads one THEN its value comes back."""
    assert render({"Get": reference}, scope, "here") == expected


def test_parameters_execution_variables_and_join_render(scope: Scope) -> None:
    """GIVEN parameters, execution variables and a Join WHEN rendered THEN as SageMaker does."""
    value = {
        "lr": {"Get": "Parameters.LearningRate"},
        "flag": {"Get": "Parameters.Flag"},
        "name": {"Get": "Execution.PipelineName"},
        "uri": {
            "Std:Join": {
                "On": "/",
                "Values": [
                    "s3:/",
                    {"Get": "Parameters.Bucket"},
                    {"Get": "Execution.PipelineExecutionId"},
                    {"Get": "Parameters.Depth"},
                    {"Get": "Parameters.Flag"},
                    {"Get": "Steps.Train.TrainingJobName"},
                ],
            }
        },
        "literal": [1, {"nested": "x"}],
    }

    rendered = render(value, scope, "Arguments")

    assert rendered == {
        "lr": 0.05,
        "flag": True,
        "name": "Demo",
        "uri": "s3://b/exec123/6/true/pipelines-abc-Train-123",
        "literal": [1, {"nested": "x"}],
    }
    assert scope.execution["PipelineExecutionArn"] == (
        "arn:aws:sagemaker:us-east-1:123456789012:pipeline/demo/execution/exec123"
    )
    assert render({"Get": "Execution.CurrentDateTime"}, scope, "x").endswith("Z")


def test_unknown_property_names_what_the_step_has(scope: Scope) -> None:
    """GIVEN a property the step does not have WHEN rendered THEN the error lists what it has."""
    with pytest.raises(UnsupportedExpressionError, match=r"no property 'Nope'.*ModelArtifacts"):
        render({"Get": "Steps.Train.Nope"}, scope, "here")
    with pytest.raises(UnsupportedExpressionError, match=r"no item named 'x'.*'eval_output'"):
        render(
            {"Get": "Steps.Evaluate.ProcessingOutputConfig.Outputs['x'].S3Output.S3Uri"},
            scope,
            "here",
        )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"Std:JsonGet": {"PropertyFile": "x", "Path": "a"}}, r"Std:JsonGet"),
        ({"Std:Concat": ["a"]}, r"Std:Concat"),
        ({"Get": "Parameters.Missing"}, r"no parameter 'Missing'"),
        ({"Get": "Execution.Nope"}, r"Execution\.Nope"),
        ({"Get": "Steps.Ghost.TrainingJobName"}, r"no step 'Ghost'"),
        ({"Get": "PropertyFiles.x"}, r"PropertyFiles\.x"),
        ({"Std:Join": {"On": "/", "Values": "oops"}}, r"Std:Join needs"),
    ],
)
def test_unsupported_expressions_are_named_with_their_location(
    value: dict[str, Any], message: str
) -> None:
    """GIVEN an expression the runner does not render WHEN vetted THEN the error names it
    and where it is."""
    with pytest.raises(UnsupportedExpressionError, match=message) as caught:
        list(check({"Arg": [value]}, "Steps['S'].Arguments", parameters=["P"], steps=["Train"]))
    assert "Steps['S'].Arguments.Arg[0]" in str(caught.value)


def test_check_and_referenced_steps_find_every_step_reference() -> None:
    """GIVEN arguments reading two steps, one inside a Join WHEN vetted THEN both are found."""
    arguments = {
        "a": {"Get": "Steps.Prep.OutputParameters['x']"},
        "b": {"Std:Join": {"On": "", "Values": [{"Get": "Steps.Train.TrainingJobName"}]}},
    }

    assert list(check(arguments, "w", parameters=[], steps=["Prep", "Train"])) == ["Prep", "Train"]
    assert list(referenced_steps(arguments)) == ["Prep", "Train"]


def test_property_reference_parsing() -> None:
    """GIVEN a property path with attributes, quoted and numeric indexes WHEN parsed THEN
    each token comes back in order."""
    assert parse_property_reference("Steps.My-Step_1.A.B['n.1'][2][\"q\"]", "w") == (
        "My-Step_1",
        ["A", "B", "n.1", 2, "q"],
    )
    with pytest.raises(UnsupportedExpressionError, match="cannot parse"):
        parse_property_reference("Steps.X.A[", "w")


def test_parameter_overrides_replace_defaults_and_are_type_checked() -> None:
    """GIVEN declared parameters WHEN overridden THEN defaults are replaced, ints widen to
    Float, and unknown names, wrong types, missing defaults and enum misses are refused."""
    declared = [
        {"Name": "LearningRate", "Type": "Float", "DefaultValue": 0.1},
        {"Name": "Depth", "Type": "Integer", "DefaultValue": 6},
        {"Name": "Mode", "Type": "String", "DefaultValue": "a", "EnumValues": ["a", "b"]},
        {"Name": "Flag", "Type": "Boolean", "DefaultValue": False},
    ]

    assert resolve_parameters(declared, {"LearningRate": 1, "Mode": "b"}) == {
        "LearningRate": 1.0,
        "Depth": 6,
        "Mode": "b",
        "Flag": False,
    }
    with pytest.raises(ParameterError, match=r"unknown pipeline parameter\(s\) Nope.*Depth"):
        resolve_parameters(declared, {"Nope": 1})
    with pytest.raises(ParameterError, match=r"'Depth' is a Integer parameter.*'6' \(str\)"):
        resolve_parameters(declared, {"Depth": "6"})
    with pytest.raises(ParameterError, match=r"'Depth'.*True \(bool\)"):
        resolve_parameters(declared, {"Depth": True})
    with pytest.raises(ParameterError, match=r"'Mode' must be one of"):
        resolve_parameters(declared, {"Mode": "c"})
    with pytest.raises(ParameterError, match=r"'Bucket' \(String\) has no default"):
        resolve_parameters([{"Name": "Bucket", "Type": "String"}], {})


def test_as_text_formats_like_a_join() -> None:
    """GIVEN rendered values WHEN turned into text THEN booleans are lower case, None empty."""
    assert [as_text(v) for v in (True, None, 3, 0.5, "s", {"a": 1})] == [
        "true",
        "",
        "3",
        "0.5",
        "s",
        '{"a": 1}',
    ]
