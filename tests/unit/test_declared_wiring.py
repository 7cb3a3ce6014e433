"""Declared wiring: an input takes its own name first, then the outputs its contract accepts.

The consumer is MODEL_EVALUATION_CONTRACT, whose ``model_input`` accepts
``model_output``. Producers are plain objects registered as steps of a contract, so
the rules are exercised without building SDK steps.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from pipeline_script_contracts import (
    HYPERPARAMETER_PREP_CONTRACT,
    MODEL_EVALUATION_CONTRACT,
    XGBOOST_TRAIN_CONTRACT,
    ContractError,
    ScriptContract,
)
from pipeline_steps import DependencyResolutionError
from pipeline_steps.core.outputs import contract_of, register_step
from pipeline_steps.core.resolution import resolve_inputs

EVAL_DATA = "s3://bucket/eval/"


@dataclass(eq=False)
class FakeStep:
    """Stands in for an SDK step: a name, weak-referenceable, hashable by identity."""

    name: str


def producer(name: str, contract: ScriptContract) -> FakeStep:
    step = FakeStep(name)
    register_step(step, contract, {out: f"{name}:{out}" for out in contract.output_names})
    return step


def test_model_input_takes_the_training_steps_model_output() -> None:
    """GIVEN a prep step and a training step as dependencies
    WHEN the evaluation contract's inputs are resolved
    THEN model_input comes from model_output (declared) and the config from the prep step."""
    prep = producer("Prep", HYPERPARAMETER_PREP_CONTRACT)
    train = producer("Train", XGBOOST_TRAIN_CONTRACT)

    resolved = resolve_inputs(
        MODEL_EVALUATION_CONTRACT, "Eval", [prep, train], {"eval_data_input": EVAL_DATA}
    )

    assert resolved == {
        "model_input": "Train:model_output",
        "eval_data_input": EVAL_DATA,
        "hyperparameters_s3_uri": "Prep:hyperparameters_s3_uri",
    }


def test_exact_name_wins_over_a_declared_source() -> None:
    """GIVEN one dependency offering model_input itself and another offering model_output
    WHEN inputs are resolved
    THEN the exact name is taken and the declared source is not ambiguous with it."""
    exact_contract = ScriptContract(
        name="model_packager",
        entry_point="package.py",
        description="Offers a model under the evaluation input's own name.",
        container_type="processing",
        expected_output_paths={"model_input": "/opt/ml/processing/output/model"},
    )
    exact = producer("Packager", exact_contract)
    train = producer("Train", XGBOOST_TRAIN_CONTRACT)
    prep = producer("Prep", HYPERPARAMETER_PREP_CONTRACT)

    resolved = resolve_inputs(
        MODEL_EVALUATION_CONTRACT, "Eval", [train, exact, prep], {"eval_data_input": EVAL_DATA}
    )

    assert resolved["model_input"] == "Packager:model_input"


def test_two_declared_sources_are_an_error_naming_both() -> None:
    """GIVEN two training steps offering model_output
    WHEN inputs are resolved
    THEN the error names the input, the output and both steps, and how to choose."""
    prep = producer("Prep", HYPERPARAMETER_PREP_CONTRACT)
    first = producer("TrainA", XGBOOST_TRAIN_CONTRACT)
    second = producer("TrainB", XGBOOST_TRAIN_CONTRACT)

    with pytest.raises(DependencyResolutionError) as caught:
        resolve_inputs(
            MODEL_EVALUATION_CONTRACT, "Eval", [prep, first, second], {"eval_data_input": EVAL_DATA}
        )

    message = str(caught.value)
    assert "ambiguous input 'model_input'" in message
    assert "'model_output'" in message
    assert "'TrainA'" in message
    assert "'TrainB'" in message
    assert "inputs={'model_input': ...}" in message


def test_missing_input_names_every_accepted_output() -> None:
    """GIVEN only the prep step
    WHEN inputs are resolved
    THEN the missing model_input error says which output names would have fed it."""
    prep = producer("Prep", HYPERPARAMETER_PREP_CONTRACT)

    with pytest.raises(DependencyResolutionError) as caught:
        resolve_inputs(MODEL_EVALUATION_CONTRACT, "Eval", [prep], {"eval_data_input": EVAL_DATA})

    assert "offers 'model_input' or 'model_output'" in str(caught.value)


def test_no_similarity_matching() -> None:
    """GIVEN a dependency offering 'model_outputs' (one letter off a declared source)
    WHEN inputs are resolved
    THEN it is not used: names match exactly or not at all."""
    near = ScriptContract(
        name="near_miss",
        entry_point="near.py",
        description="Offers a name close to model_output.",
        container_type="processing",
        expected_output_paths={"model_outputs": "/opt/ml/processing/output/model"},
    )
    prep = producer("Prep", HYPERPARAMETER_PREP_CONTRACT)

    with pytest.raises(DependencyResolutionError, match="missing required input 'model_input'"):
        resolve_inputs(
            MODEL_EVALUATION_CONTRACT,
            "Eval",
            [prep, producer("Near", near)],
            {"eval_data_input": EVAL_DATA},
        )


def test_registered_steps_know_their_contract() -> None:
    """GIVEN a registered step and a foreign object
    WHEN their contracts are asked for
    THEN the step's is returned and the foreign one has none."""
    train = producer("Train", XGBOOST_TRAIN_CONTRACT)

    assert contract_of(train) is XGBOOST_TRAIN_CONTRACT
    assert contract_of(FakeStep("Foreign")) is None
    assert contract_of("not a step") is None


@pytest.mark.parametrize(
    ("accepted", "rule"),
    [
        ({"no_such_input": ("model_output",)}, "accepted outputs are declared per input"),
        ({"model_input": ("model_input",)}, "an input always accepts its own name"),
        ({"model_input": ("ModelOutput",)}, "an output logical name must be a snake_case"),
        ({"model_input": ("a", "a")}, "accepted output names must not repeat"),
        ({"model_input": "model_output"}, "must be a sequence of strings"),
    ],
)
def test_accepted_outputs_rules(accepted: dict[str, object], rule: str) -> None:
    """GIVEN an invalid accepted_outputs declaration
    WHEN the contract is built
    THEN ContractError names the field and the rule."""
    with pytest.raises(ContractError) as caught:
        ScriptContract(
            name="evaluation_like",
            entry_point="evaluate.py",
            description="Scores a model.",
            container_type="processing",
            expected_input_paths={"model_input": "/opt/ml/processing/input/model"},
            accepted_outputs=accepted,  # type: ignore[arg-type]
        )
    message = str(caught.value)
    assert "accepted_outputs" in message
    assert rule in message


@pytest.mark.parametrize(
    ("kind", "types", "rule"),
    [
        ("processing", {"out": "String"}, "processing outputs are folders uploaded to S3"),
        ("lambda", {"out": "Text"}, "an output type must be one of"),
        ("lambda", {"other": "String"}, "output types must name declared outputs"),
    ],
)
def test_output_type_rules(kind: str, types: dict[str, str], rule: str) -> None:
    """GIVEN an invalid output_types declaration
    WHEN the contract is built
    THEN ContractError names the field and the rule."""
    with pytest.raises(ContractError) as caught:
        ScriptContract(
            name="typed",
            entry_point="typed.py",
            description="Declares typed outputs.",
            container_type=kind,
            expected_output_paths={"out": "/opt/ml/processing/output/out"},
            output_types=types,
        )
    message = str(caught.value)
    assert "output_types" in message
    assert rule in message


def test_contract_round_trips_types_and_accepted_outputs() -> None:
    """GIVEN the evaluation and prep contracts
    WHEN they go through to_dict/from_dict
    THEN the declared wiring and the output types survive."""
    for contract in (MODEL_EVALUATION_CONTRACT, HYPERPARAMETER_PREP_CONTRACT):
        again = ScriptContract.from_dict(contract.to_dict())
        assert again == contract
        assert again.accepted_outputs == contract.accepted_outputs
        assert again.output_types == contract.output_types
