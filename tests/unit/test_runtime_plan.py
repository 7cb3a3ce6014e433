"""Planning a local run: step order, and everything that cannot run refused before it starts."""

from __future__ import annotations

import re
from typing import Any

import pytest

from pipeline_script_contracts import HYPERPARAMETER_PREP_CONTRACT, XGBOOST_TRAIN_CONTRACT
from pipeline_steps import LocalRunError
from pipeline_steps.runtime import (
    ParameterError,
    UnsupportedExpressionError,
    UnsupportedStepError,
    run_definition,
)
from pipeline_steps.runtime.runner import job_name_for, plan

PREP_URI = {"Get": "Steps.Prep.OutputParameters['hyperparameters_s3_uri']"}


def _step(name: str, kind: str = "Training", **fields: Any) -> dict[str, Any]:
    return {"Name": name, "Type": kind, "Arguments": fields.pop("Arguments", {}), **fields}


def _definition(*steps: dict[str, Any], parameters: list[Any] | None = None) -> dict[str, Any]:
    return {"Version": "2020-12-01", "Parameters": parameters or [], "Steps": list(steps)}


def test_steps_run_after_the_steps_they_read_and_depend_on() -> None:
    """GIVEN steps listed out of order, ordered by a property reference and by DependsOn
    WHEN planned THEN each runs after what it waits for; independent steps keep their order."""
    definition = _definition(
        _step("Evaluate", "Processing", Arguments={"m": {"Get": "Steps.Train.TrainingJobName"}}),
        _step("Train", Arguments={"Config": PREP_URI}),
        _step("Report", "Processing", DependsOn=["Evaluate"]),
        _step("Prep", "Lambda", FunctionArn="arn:aws:lambda:us-east-1:1:function:f"),
        _step("Other", "Processing"),
    )

    order = plan(definition, {"Prep": HYPERPARAMETER_PREP_CONTRACT})

    assert [step.name for step in order] == ["Prep", "Train", "Evaluate", "Report", "Other"]
    assert {step.name: step.after for step in order}["Report"] == ("Evaluate",)


def test_a_dependency_cycle_is_named() -> None:
    """GIVEN two steps that read each other WHEN planned THEN the cycle is named."""
    definition = _definition(
        _step("A", Arguments={"x": {"Get": "Steps.B.TrainingJobName"}}),
        _step("B", Arguments={"x": {"Get": "Steps.A.TrainingJobName"}}),
    )

    with pytest.raises(LocalRunError, match=r"A, B depend on each other in a cycle"):
        plan(definition, {})


def test_unsupported_step_types_are_all_named_before_anything_runs() -> None:
    """GIVEN Condition and Transform steps WHEN the definition is run THEN one error names
    both, with their types, and no S3 client is ever needed."""
    definition = _definition(
        _step("Train"),
        _step("CheckAccuracy", "Condition"),
        _step("BatchScore", "Transform"),
    )

    with pytest.raises(UnsupportedStepError) as caught:
        run_definition(definition, contracts={}, progress=None)

    assert "'CheckAccuracy' (Condition)" in str(caught.value)
    assert "'BatchScore' (Transform)" in str(caught.value)


def test_a_lambda_step_runs_only_with_the_bundled_handler() -> None:
    """GIVEN a Lambda step that no prep builder made WHEN planned THEN it is refused by name."""
    definition = _definition(_step("Notify", "Lambda", FunctionArn="arn:aws:lambda:r:1:function:n"))

    with pytest.raises(UnsupportedStepError, match=r"Lambda step 'Notify'.*bundled"):
        plan(definition, {"Notify": XGBOOST_TRAIN_CONTRACT})


def test_unsupported_expressions_and_bad_overrides_fail_before_anything_runs() -> None:
    """GIVEN a JsonGet, or a bad parameter override WHEN run THEN planning refuses it."""
    uses_json_get = _definition(
        _step("Train", Arguments={"x": {"Std:JsonGet": {"PropertyFile": "p", "Path": "a"}}})
    )
    with pytest.raises(UnsupportedExpressionError, match=r"Steps\['Train'\]\.Arguments\.x"):
        run_definition(uses_json_get, contracts={}, progress=None)

    declared = _definition(
        _step("Train"), parameters=[{"Name": "Depth", "Type": "Integer", "DefaultValue": 3}]
    )
    with pytest.raises(ParameterError, match="Depth"):
        run_definition(declared, contracts={}, parameters={"Depth": 2.5}, progress=None)
    with pytest.raises(ParameterError, match="Nope"):
        run_definition(declared, contracts={}, parameters={"Nope": 1}, progress=None)


def test_unknown_depends_on_and_duplicate_names_are_refused() -> None:
    """GIVEN a DependsOn on a missing step, or two steps of one name WHEN planned THEN refused."""
    with pytest.raises(LocalRunError, match=r"DependsOn unknown step 'Ghost'"):
        plan(_definition(_step("A", DependsOn=["Ghost"])), {})
    with pytest.raises(LocalRunError, match=r"repeats step name\(s\) A"):
        plan(_definition(_step("A"), _step("A")), {})


def test_job_names_look_like_sagemaker_pipelines_job_names() -> None:
    """GIVEN an execution id and step names WHEN job names are made THEN they follow
    pipelines-<execution id>-<step>-<suffix>, are stable per execution and fit 63 characters."""
    name = job_name_for("abc123def456", "XGBoostTraining")

    assert re.fullmatch(r"pipelines-abc123def456-XGBoostTraining-[0-9a-f]{10}", name)
    assert job_name_for("abc123def456", "XGBoostTraining") == name
    assert job_name_for("other0000000", "XGBoostTraining") != name
    long = job_name_for("abc123def456", "Step_with_underscores_" + "x" * 60)
    assert len(long) <= 63
    assert re.fullmatch(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}", long)
