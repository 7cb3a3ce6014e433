"""ScriptContract as a value: immutability, equality and hashing, serialisation, queries."""

from __future__ import annotations

import copy
import dataclasses
import json
import pickle
from types import MappingProxyType
from typing import Any

import pytest

from pipeline_script_contracts import (
    CONTRACTS,
    HYPERPARAMETER_PREP_CONTRACT,
    MODEL_EVALUATION_CONTRACT,
    XGBOOST_TRAIN_CONTRACT,
    ContractError,
    ScriptContract,
)

ALL_CONTRACTS = list(CONTRACTS.values())
MAPPING_FIELDS = [
    "expected_input_paths",
    "expected_output_paths",
    "optional_env_vars",
    "framework_requirements",
]


def _kwargs() -> dict[str, Any]:
    return {
        "entry_point": "evaluate.py",
        "description": "evaluates",
        "container_type": "processing",
        "expected_input_paths": {"model_input": "/opt/ml/processing/input/model"},
        "expected_output_paths": {"eval_output": "/opt/ml/processing/output/eval"},
        "required_env_vars": ["ID_FIELD"],
        "optional_env_vars": {"LOG_LEVEL": "INFO"},
        "framework_requirements": {"pandas": ">=1.5"},
    }


# --- immutability ------------------------------------------------------------------


@pytest.mark.parametrize("field", [f.name for f in dataclasses.fields(ScriptContract)])
def test_assigning_or_deleting_a_field_raises_frozen_instance_error(field: str) -> None:
    """GIVEN a contract WHEN a field is assigned or deleted THEN FrozenInstanceError is raised."""
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(XGBOOST_TRAIN_CONTRACT, field, "x")
    with pytest.raises(dataclasses.FrozenInstanceError):
        delattr(XGBOOST_TRAIN_CONTRACT, field)


@pytest.mark.parametrize("field", MAPPING_FIELDS)
def test_mapping_fields_are_read_only(field: str) -> None:
    """GIVEN a contract WHEN one of its mappings is written THEN TypeError is raised."""
    mapping = getattr(XGBOOST_TRAIN_CONTRACT, field)

    assert isinstance(mapping, MappingProxyType)
    with pytest.raises(TypeError):
        mapping["new_name"] = "/opt/ml/model/new"
    with pytest.raises(TypeError):
        del mapping[next(iter(mapping), "missing")]


def test_mutating_the_callers_objects_after_construction_changes_nothing() -> None:
    """GIVEN dicts and lists passed in WHEN the caller mutates them THEN the contract is intact."""
    kwargs = _kwargs()
    contract = ScriptContract(**kwargs)
    before = contract.to_dict()

    kwargs["expected_input_paths"]["model_input"] = "/elsewhere"
    kwargs["expected_input_paths"]["extra"] = "/opt/ml/processing/input/extra"
    kwargs["expected_output_paths"].clear()
    kwargs["required_env_vars"].append("OTHER")
    kwargs["optional_env_vars"]["LOG_LEVEL"] = "DEBUG"
    kwargs["framework_requirements"]["pandas"] = "==0.1"

    assert contract.to_dict() == before


def test_lists_and_dicts_are_normalised_to_tuples_and_read_only_mappings() -> None:
    """GIVEN lists and dicts WHEN built THEN fields hold tuples and MappingProxyType."""
    contract = ScriptContract(**_kwargs())

    assert contract.required_env_vars == ("ID_FIELD",)
    assert isinstance(contract.optional_input_names, tuple)
    for field in MAPPING_FIELDS:
        assert isinstance(getattr(contract, field), MappingProxyType)


# --- equality and hashing ------------------------------------------------------------


def test_equal_contracts_compare_equal_and_hash_alike() -> None:
    """GIVEN two contracts built from equal arguments WHEN compared THEN equal, same hash."""
    first, second = ScriptContract(**_kwargs()), ScriptContract(**_kwargs())

    assert first == second
    assert hash(first) == hash(second)
    assert len({first, second, *ALL_CONTRACTS}) == 1 + len(ALL_CONTRACTS)


def test_mapping_order_does_not_affect_equality_or_hash() -> None:
    """GIVEN the same mappings in another order WHEN compared THEN equal with the same hash."""
    kwargs = _kwargs()
    kwargs["framework_requirements"] = {"pandas": ">=1.5", "numpy": ">=1.24"}
    reordered = {**kwargs, "framework_requirements": {"numpy": ">=1.24", "pandas": ">=1.5"}}

    assert ScriptContract(**kwargs) == ScriptContract(**reordered)
    assert hash(ScriptContract(**kwargs)) == hash(ScriptContract(**reordered))


@pytest.mark.parametrize(
    "change",
    [
        {"description": "other"},
        {"name": "other"},
        {"required_env_vars": ["ID_FIELD", "LABEL_FIELD"]},
        {"optional_env_vars": {"LOG_LEVEL": "DEBUG"}},
        {"expected_output_paths": {"eval_output": "/opt/ml/processing/output/other"}},
    ],
)
def test_contracts_differing_in_one_field_are_not_equal(change: dict[str, Any]) -> None:
    """GIVEN a contract and a variant WHEN compared THEN they differ."""
    assert ScriptContract(**_kwargs()) != ScriptContract(**{**_kwargs(), **change})


# --- serialisation -------------------------------------------------------------------


@pytest.mark.parametrize("contract", ALL_CONTRACTS, ids=lambda c: c.name)
def test_to_dict_round_trips_through_json(contract: ScriptContract) -> None:
    """GIVEN a contract WHEN to_dict() goes through json THEN it comes back unchanged."""
    data = contract.to_dict()
    text = json.dumps(data)

    assert json.loads(text) == data
    assert data["container_type"] == contract.container_type.value
    assert data["expected_input_paths"] == dict(contract.expected_input_paths)


@pytest.mark.parametrize("contract", ALL_CONTRACTS, ids=lambda c: c.name)
def test_from_dict_rebuilds_an_equal_contract_after_json(contract: ScriptContract) -> None:
    """GIVEN to_dict() through json WHEN from_dict() is called THEN the contract is equal."""
    rebuilt = ScriptContract.from_dict(json.loads(json.dumps(contract.to_dict())))

    assert rebuilt == contract
    assert rebuilt.input_names == contract.input_names


def test_from_dict_rejects_unknown_and_missing_keys() -> None:
    """GIVEN a dict with an unknown or a missing key WHEN from_dict() THEN ContractError."""
    data = XGBOOST_TRAIN_CONTRACT.to_dict()

    with pytest.raises(ContractError, match="unknown keys colour; allowed keys: name, "):
        ScriptContract.from_dict({**data, "colour": "blue"})
    del data["entry_point"]
    with pytest.raises(ContractError, match="missing required keys entry_point"):
        ScriptContract.from_dict(data)
    with pytest.raises(ContractError, match="expected a mapping"):
        ScriptContract.from_dict([])  # type: ignore[arg-type]


def test_from_dict_validates() -> None:
    """GIVEN a dict with a bad path WHEN from_dict() THEN the usual ContractError is raised."""
    data = MODEL_EVALUATION_CONTRACT.to_dict()
    data["expected_output_paths"]["eval_output"] = "/tmp/eval"

    with pytest.raises(ContractError, match="processing outputs must live under"):
        ScriptContract.from_dict(data)


@pytest.mark.parametrize("contract", ALL_CONTRACTS, ids=lambda c: c.name)
def test_pickle_copy_replace_and_repr_round_trip(contract: ScriptContract) -> None:
    """GIVEN a contract WHEN pickled, copied, replaced or eval(repr) THEN equal contracts."""
    assert pickle.loads(pickle.dumps(contract)) == contract
    assert copy.deepcopy(contract) == contract
    assert copy.copy(contract) == contract
    assert dataclasses.replace(contract) == contract
    namespace = {"ScriptContract": ScriptContract}
    assert eval(repr(contract), namespace) == contract

    changed = dataclasses.replace(contract, description="changed")
    assert changed.description == "changed"
    assert changed != contract


def test_replace_validates() -> None:
    """GIVEN a contract WHEN replace() sets a bad field THEN ContractError is raised."""
    with pytest.raises(ContractError, match=r"entry_point = 'a/b\.py'"):
        dataclasses.replace(XGBOOST_TRAIN_CONTRACT, entry_point="a/b.py")


# --- queries -------------------------------------------------------------------------


def test_input_and_output_names_follow_declaration_order() -> None:
    """GIVEN a contract WHEN names are read THEN they are tuples in declaration order."""
    assert XGBOOST_TRAIN_CONTRACT.input_names == (
        "training_data",
        "validation_data",
        "hyperparameters_s3_uri",
    )
    assert XGBOOST_TRAIN_CONTRACT.output_names == ("model_output", "evaluation_output")
    assert XGBOOST_TRAIN_CONTRACT.required_input_names == (
        "training_data",
        "hyperparameters_s3_uri",
    )
    assert HYPERPARAMETER_PREP_CONTRACT.input_names == ()


@pytest.mark.parametrize(
    ("logical_name", "channel"),
    [
        ("training_data", "train"),
        ("validation_data", "validation"),
        ("hyperparameters_s3_uri", "config"),
    ],
)
def test_channel_name_is_the_segment_after_data(logical_name: str, channel: str) -> None:
    """GIVEN a training input WHEN channel_name() is asked THEN it is the segment after data/."""
    assert XGBOOST_TRAIN_CONTRACT.channel_name(logical_name) == channel


def test_channel_name_of_an_unknown_input_raises_key_error_listing_inputs() -> None:
    """GIVEN an unknown logical name WHEN channel_name() THEN KeyError lists valid inputs."""
    with pytest.raises(KeyError) as raised:
        XGBOOST_TRAIN_CONTRACT.channel_name("model_output")

    message = raised.value.args[0]
    assert "'model_output'" in message
    assert "training_data, validation_data, hyperparameters_s3_uri" in message


def test_channel_name_on_a_non_training_contract_raises_contract_error() -> None:
    """GIVEN a processing contract WHEN channel_name() THEN ContractError explains why."""
    with pytest.raises(ContractError, match="channels exist only for training contracts"):
        MODEL_EVALUATION_CONTRACT.channel_name("model_input")
