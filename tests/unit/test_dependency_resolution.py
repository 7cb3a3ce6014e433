"""StepBuilderBase.resolve_inputs, StepOutputs and dependency_steps.

Inputs are matched to dependencies' outputs by exact logical name. The consumer is
the XGBoost training builder (inputs ``training_data``, optional ``validation_data``,
``hyperparameters_s3_uri``); producers are real prep steps, built on moto (building a
LambdaStep makes no AWS call).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from pipeline_script_contracts import HYPERPARAMETER_PREP_CONTRACT
from pipeline_steps import (
    DependencyResolutionError,
    HyperparameterPrepConfig,
    HyperparameterPrepStepBuilder,
    StepBuilderError,
    StepOutputs,
    UnknownOutputError,
    XGBoostTrainingConfig,
    XGBoostTrainingStepBuilder,
    outputs_of,
)
from pipeline_steps.core.resolution import dependency_steps
from pipeline_steps.reference_scripts import REFERENCE_SCRIPTS_DIR
from pipeline_steps.sdk import FailStep, LambdaStep, ParameterString, PipelineSession

BUCKET = "dependency-tests"
ROLE_ARN = "arn:aws:iam::123456789012:role/sagemaker-deps"
TRAIN_URI = f"s3://{BUCKET}/train/"
PREP_OUTPUTS = ", ".join(HYPERPARAMETER_PREP_CONTRACT.output_names)


@pytest.fixture(scope="module")
def session() -> Iterator[PipelineSession]:
    with mock_aws():
        yield PipelineSession(boto_session=boto3.Session(region_name="us-east-1"))


@pytest.fixture
def trainer(session: PipelineSession) -> XGBoostTrainingStepBuilder:
    config = XGBoostTrainingConfig(role_arn=ROLE_ARN, source_dir=str(REFERENCE_SCRIPTS_DIR))
    return XGBoostTrainingStepBuilder(config, sagemaker_session=session)


def make_prep(session: PipelineSession, name: str = "HyperparameterPrep") -> LambdaStep:
    builder = HyperparameterPrepStepBuilder(
        HyperparameterPrepConfig(bucket=BUCKET, lambda_role_arn=ROLE_ARN),
        sagemaker_session=session,
        step_name=name,
    )
    return builder.create_step(hyperparameters={"eta": 0.1})


def error_of(trainer: XGBoostTrainingStepBuilder, **kwargs: Any) -> str:
    with pytest.raises(DependencyResolutionError) as caught:
        trainer.resolve_inputs(**kwargs)
    return str(caught.value)


# ------------------------------------------------------------------ matching


def test_dependency_output_fills_input_of_the_same_logical_name(
    trainer: XGBoostTrainingStepBuilder, session: PipelineSession
) -> None:
    """GIVEN the prep step as a dependency and an explicit training URI
    WHEN inputs are resolved
    THEN hyperparameters_s3_uri is the prep step's output property (the very object its
    outputs expose), training_data the literal, and the absent optional input is skipped."""
    prep = make_prep(session)
    resolved = trainer.resolve_inputs([prep], {"training_data": TRAIN_URI})
    assert list(resolved) == ["training_data", "hyperparameters_s3_uri"]
    assert resolved["training_data"] == TRAIN_URI
    assert resolved["hyperparameters_s3_uri"] is outputs_of(prep)["hyperparameters_s3_uri"]
    assert resolved["hyperparameters_s3_uri"].expr == {
        "Get": "Steps.HyperparameterPrep.OutputParameters['hyperparameters_s3_uri']"
    }
    assert "validation_data" not in resolved


def test_optional_input_is_used_when_given(
    trainer: XGBoostTrainingStepBuilder, session: PipelineSession
) -> None:
    """GIVEN validation_data among the explicit inputs
    WHEN inputs are resolved
    THEN it is included, in the contract's order."""
    resolved = trainer.resolve_inputs(
        [make_prep(session)],
        {"validation_data": f"s3://{BUCKET}/validation/", "training_data": TRAIN_URI},
    )
    assert list(resolved) == ["training_data", "validation_data", "hyperparameters_s3_uri"]


def test_explicit_input_wins_over_dependencies(
    trainer: XGBoostTrainingStepBuilder, session: PipelineSession
) -> None:
    """GIVEN two prep steps (which alone would be ambiguous) and an explicit URI
    WHEN inputs are resolved
    THEN the explicit value is used and no ambiguity is reported."""
    explicit = f"s3://{BUCKET}/pinned/hyperparameters.json"
    resolved = trainer.resolve_inputs(
        [make_prep(session, "PrepA"), make_prep(session, "PrepB")],
        {"training_data": TRAIN_URI, "hyperparameters_s3_uri": explicit},
    )
    assert resolved["hyperparameters_s3_uri"] == explicit


def test_pipeline_variable_is_accepted_as_an_input(trainer: XGBoostTrainingStepBuilder) -> None:
    """GIVEN pipeline parameters as input values
    WHEN inputs are resolved without dependencies
    THEN they are passed through untouched."""
    train = ParameterString(name="TrainUri", default_value=TRAIN_URI)
    config = ParameterString(name="ConfigUri")
    resolved = trainer.resolve_inputs(
        (), {"training_data": train, "hyperparameters_s3_uri": config}
    )
    assert resolved == {"training_data": train, "hyperparameters_s3_uri": config}


# ------------------------------------------------------------------ errors


def test_missing_required_input_without_dependencies(
    trainer: XGBoostTrainingStepBuilder,
) -> None:
    """GIVEN no inputs and no dependencies
    WHEN inputs are resolved
    THEN the first required input is reported missing, saying no dependencies were given
    and how to supply it."""
    message = error_of(trainer)
    assert "missing required input 'training_data' for step 'XGBoostTraining'" in message
    assert "no dependencies were given" in message
    assert "pass inputs={'training_data': 's3://...'}" in message


def test_missing_required_input_lists_what_each_dependency_offers(
    trainer: XGBoostTrainingStepBuilder, session: PipelineSession
) -> None:
    """GIVEN a prep step and a step not made by a builder, but no training data
    WHEN inputs are resolved
    THEN the error names training_data, what the prep step offers, and that the
    other step offers nothing."""
    message = error_of(
        trainer, dependencies=[make_prep(session), FailStep(name="Stop")], inputs=None
    )
    assert "missing required input 'training_data'" in message
    assert f"'HyperparameterPrep' offers {PREP_OUTPUTS}" in message
    assert "'Stop' offers nothing" in message


def test_non_library_dependency_cannot_supply_an_input(
    trainer: XGBoostTrainingStepBuilder,
) -> None:
    """GIVEN only a step not made by a builder as a dependency
    WHEN the hyperparameters input is needed
    THEN it is reported missing: a foreign step's outputs have no logical names."""
    message = error_of(
        trainer, dependencies=[FailStep(name="Stop")], inputs={"training_data": TRAIN_URI}
    )
    assert "missing required input 'hyperparameters_s3_uri'" in message
    assert "'Stop' offers nothing" in message


def test_unknown_input_name_lists_the_valid_ones(
    trainer: XGBoostTrainingStepBuilder, session: PipelineSession
) -> None:
    """GIVEN an input name that is not in the contract (a near miss)
    WHEN inputs are resolved
    THEN it is refused by name with the contract's input names; no fuzzy matching."""
    message = error_of(trainer, dependencies=[make_prep(session)], inputs={"train_data": TRAIN_URI})
    assert message == (
        "unknown input 'train_data' for step 'XGBoostTraining'; valid inputs: "
        "training_data, validation_data, hyperparameters_s3_uri"
    )


def test_ambiguous_input_names_every_offering_dependency(
    trainer: XGBoostTrainingStepBuilder, session: PipelineSession
) -> None:
    """GIVEN two prep steps that both offer hyperparameters_s3_uri
    WHEN inputs are resolved
    THEN the error names the input, both steps, and how to choose one."""
    message = error_of(
        trainer,
        dependencies=[make_prep(session, "PrepA"), make_prep(session, "PrepB")],
        inputs={"training_data": TRAIN_URI},
    )
    assert "ambiguous input 'hyperparameters_s3_uri' for step 'XGBoostTraining'" in message
    assert "offered by 'PrepA', 'PrepB'" in message
    assert "pass inputs={'hyperparameters_s3_uri': ...} to choose one" in message


def test_error_names_the_step_name_being_built(
    trainer: XGBoostTrainingStepBuilder,
) -> None:
    """GIVEN a step name passed to resolve_inputs
    WHEN an input is missing
    THEN the error names that step, not the builder's default."""
    message = error_of(trainer, step_name="TrainChallenger")
    assert "for step 'TrainChallenger'" in message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/data/train", "an input URI must look like s3://bucket/prefix"),
        ("https://bucket.s3.amazonaws.com/train/", "an input URI must look like s3://"),
        ("s3://", "an input URI must look like s3://bucket/prefix"),
        ("s3:///train/", "an input URI must look like s3://bucket/prefix"),
        (42, "(int); an input must be an s3:// URI string or a pipeline variable"),
        (None, "(NoneType); an input must be an s3:// URI string or a pipeline variable"),
    ],
    ids=["local-path", "https", "scheme-only", "no-bucket", "int", "none"],
)
def test_non_s3_input_values_are_refused(
    trainer: XGBoostTrainingStepBuilder, value: Any, expected: str
) -> None:
    """GIVEN an input value that is not an s3:// URI or a pipeline variable
    WHEN inputs are resolved
    THEN it is refused naming the input, the step and the value."""
    with pytest.raises(DependencyResolutionError) as caught:
        trainer.resolve_inputs((), {"training_data": value})
    message = str(caught.value)
    assert message.startswith(f"input 'training_data' of step 'XGBoostTraining' is {value!r}")
    assert expected in message


# ------------------------------------------------------------------ StepOutputs


def test_step_outputs_is_a_read_only_mapping_in_contract_order(
    session: PipelineSession,
) -> None:
    """GIVEN a prep step's outputs
    WHEN they are read as a mapping
    THEN they hold the contract's output names in order, and cannot be assigned."""
    outputs = outputs_of(make_prep(session))
    assert isinstance(outputs, StepOutputs)
    assert outputs.step_name == "HyperparameterPrep"
    assert list(outputs) == list(HYPERPARAMETER_PREP_CONTRACT.output_names)
    assert len(outputs) == 4
    assert "hyperparameters_s3_uri" in outputs
    assert not hasattr(outputs, "__setitem__")
    assert repr(outputs).startswith("StepOutputs(step='HyperparameterPrep', names=[")


def test_unknown_output_lists_valid_outputs(session: PipelineSession) -> None:
    """GIVEN a prep step's outputs
    WHEN an output name it does not have is read
    THEN UnknownOutputError (a KeyError) names it and lists the valid outputs, and
    Mapping.get / `in` treat it as absent."""
    outputs = outputs_of(make_prep(session))
    with pytest.raises(UnknownOutputError) as caught:
        outputs["x"]
    assert str(caught.value) == (
        f"unknown output 'x' of step 'HyperparameterPrep'; valid outputs: {PREP_OUTPUTS}"
    )
    assert isinstance(caught.value, KeyError)
    assert outputs.get("x") is None
    assert "x" not in outputs


def test_empty_step_outputs_say_none() -> None:
    """GIVEN a StepOutputs with no outputs
    WHEN any name is read
    THEN the error says there are none."""
    with pytest.raises(UnknownOutputError, match=r"valid outputs: \(none\)$"):
        StepOutputs("Empty", {})["anything"]


def test_outputs_of_a_foreign_step_explains_how_to_pass_values() -> None:
    """GIVEN a step not made by a builder
    WHEN its outputs are asked for
    THEN StepBuilderError names it and points to explicit inputs."""
    with pytest.raises(StepBuilderError, match=r"'Stop' was not made by a pipeline_steps builder"):
        outputs_of(FailStep(name="Stop"))


# ------------------------------------------------------------------ dependency_steps


def test_consumed_dependency_is_left_to_the_property_reference(
    trainer: XGBoostTrainingStepBuilder, session: PipelineSession
) -> None:
    """GIVEN a prep step whose output was resolved into an input
    WHEN depends_on is computed
    THEN it is None: the property reference already orders the steps."""
    prep = make_prep(session)
    resolved = trainer.resolve_inputs([prep], {"training_data": TRAIN_URI})
    assert dependency_steps([prep], resolved) is None


def test_dependency_that_feeds_nothing_still_runs_first(session: PipelineSession) -> None:
    """GIVEN a prep step none of whose outputs is used, and a foreign step
    WHEN depends_on is computed
    THEN both are listed, in the order given."""
    prep = make_prep(session)
    stop = FailStep(name="Stop")
    assert dependency_steps([prep, stop], {"training_data": TRAIN_URI}) == [prep, stop]


def test_explicit_depends_on_is_kept_and_not_duplicated(session: PipelineSession) -> None:
    """GIVEN depends_on that already names a step which is also an unused dependency
    WHEN depends_on is computed
    THEN the caller's entries come first, and the step appears once."""
    prep = make_prep(session)
    other = make_prep(session, "OtherPrep")
    result = dependency_steps([prep, other], {}, depends_on=["Upstream", prep])
    assert result == ["Upstream", prep, other]


def test_only_the_consumed_one_of_two_dependencies_is_dropped(
    trainer: XGBoostTrainingStepBuilder, session: PipelineSession
) -> None:
    """GIVEN two prep steps where an explicit input picks PrepB's output
    WHEN inputs are resolved and depends_on computed
    THEN PrepB is ordered by the reference and PrepA, which feeds nothing, by depends_on."""
    prep_a = make_prep(session, "PrepA")
    prep_b = make_prep(session, "PrepB")
    resolved = trainer.resolve_inputs(
        [prep_a, prep_b],
        {
            "training_data": TRAIN_URI,
            "hyperparameters_s3_uri": outputs_of(prep_b)["hyperparameters_s3_uri"],
        },
    )
    assert dependency_steps([prep_a, prep_b], resolved) == [prep_a]
