"""The design's contracts, exactly, and looking them up by any of their names."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

import pytest

from pipeline_script_contracts import (
    CONTRACTS,
    HYPERPARAMETER_PREP_CONTRACT,
    MODEL_EVALUATION_CONTRACT,
    PYTORCH_TRAIN_CONTRACT,
    SKLEARN_TRAIN_CONTRACT,
    XGBOOST_TRAIN_CONTRACT,
    ContainerType,
    ScriptContract,
    get_contract,
    list_contracts,
)

_TRAINING_INPUTS = {
    "training_data": "/opt/ml/input/data/train",
    "validation_data": "/opt/ml/input/data/validation",
    "hyperparameters_s3_uri": "/opt/ml/input/data/config/hyperparameters.json",
}
_TRAINING_ENV = {"SM_MODEL_DIR": "/opt/ml/model", "SM_OUTPUT_DATA_DIR": "/opt/ml/output/data"}

# The design's Contracts table, plus the values the team chose (optional inputs,
# requirements, optional env vars). Dict order matters: it is declaration order.
EXPECTED: dict[str, dict[str, Any]] = {
    "HYPERPARAMETER_PREP_CONTRACT": {
        "name": "hyperparameter_prep",
        "entry_point": "hyperparameter_prep.py",
        "container_type": ContainerType.LAMBDA,
        "expected_input_paths": {},
        "expected_output_paths": {
            "hyperparameters_s3_uri": "/opt/ml/processing/output/hyperparameters",
            "hyperparameters_sha256": "/opt/ml/processing/output/hyperparameters_sha256",
            "hyperparameters_size_bytes": "/opt/ml/processing/output/hyperparameters_size_bytes",
            "reused": "/opt/ml/processing/output/reused",
        },
        "optional_input_names": (),
        "required_env_vars": (),
        "optional_env_vars": {},
        "framework_requirements": {"boto3": ">=1.34"},
    },
    "XGBOOST_TRAIN_CONTRACT": {
        "name": "xgboost_train",
        "entry_point": "train_xgb.py",
        "container_type": ContainerType.TRAINING,
        "expected_input_paths": _TRAINING_INPUTS,
        "expected_output_paths": {
            "model_output": "/opt/ml/model",
            "evaluation_output": "/opt/ml/output/data",
        },
        "optional_input_names": ("validation_data",),
        "required_env_vars": (),
        "optional_env_vars": _TRAINING_ENV,
        "framework_requirements": {"xgboost": ">=1.7"},
    },
    "PYTORCH_TRAIN_CONTRACT": {
        "name": "pytorch_train",
        "entry_point": "train.py",
        "container_type": ContainerType.TRAINING,
        "expected_input_paths": _TRAINING_INPUTS,
        "expected_output_paths": {
            "model_output": "/opt/ml/model",
            "evaluation_output": "/opt/ml/output/data",
            "checkpoints": "/opt/ml/checkpoints",
        },
        "optional_input_names": ("validation_data",),
        "required_env_vars": (),
        "optional_env_vars": {**_TRAINING_ENV, "PIPELINE_CHECKPOINT_DIR": "/opt/ml/checkpoints"},
        "framework_requirements": {"torch": ">=2.0"},
    },
    "SKLEARN_TRAIN_CONTRACT": {
        "name": "sklearn_train",
        "entry_point": "train_sklearn.py",
        "container_type": ContainerType.TRAINING,
        "expected_input_paths": _TRAINING_INPUTS,
        "expected_output_paths": {
            "model_output": "/opt/ml/model",
            "evaluation_output": "/opt/ml/output/data",
        },
        "optional_input_names": ("validation_data",),
        "required_env_vars": (),
        "optional_env_vars": _TRAINING_ENV,
        "framework_requirements": {"scikit-learn": ">=1.4"},
    },
    "MODEL_EVALUATION_CONTRACT": {
        "name": "model_evaluation",
        "entry_point": "model_evaluation.py",
        "container_type": ContainerType.PROCESSING,
        "expected_input_paths": {
            "model_input": "/opt/ml/processing/input/model",
            "eval_data_input": "/opt/ml/processing/input/eval_data",
            "hyperparameters_s3_uri": "/opt/ml/processing/input/config/hyperparameters.json",
        },
        "expected_output_paths": {
            "eval_output": "/opt/ml/processing/output/eval",
            "metrics_output": "/opt/ml/processing/output/metrics",
        },
        "optional_input_names": (),
        "required_env_vars": ("ID_FIELD", "LABEL_FIELD"),
        "optional_env_vars": {},
        "framework_requirements": {"xgboost": ">=1.7"},
    },
}

CONSTANTS: dict[str, ScriptContract] = {
    "HYPERPARAMETER_PREP_CONTRACT": HYPERPARAMETER_PREP_CONTRACT,
    "XGBOOST_TRAIN_CONTRACT": XGBOOST_TRAIN_CONTRACT,
    "PYTORCH_TRAIN_CONTRACT": PYTORCH_TRAIN_CONTRACT,
    "SKLEARN_TRAIN_CONTRACT": SKLEARN_TRAIN_CONTRACT,
    "MODEL_EVALUATION_CONTRACT": MODEL_EVALUATION_CONTRACT,
}


@pytest.mark.parametrize("constant", sorted(EXPECTED))
def test_contract_has_the_exact_design_values(constant: str) -> None:
    """GIVEN a shipped contract WHEN its fields are read THEN they are the design's values."""
    contract = CONSTANTS[constant]
    expected = EXPECTED[constant]

    for field, value in expected.items():
        actual = getattr(contract, field)
        if isinstance(value, dict):
            assert isinstance(actual, MappingProxyType), field
            assert list(actual.items()) == list(value.items()), field
        else:
            assert actual == value, field
    assert contract.description.strip()


def test_shared_hyperparameters_input_has_one_logical_name_everywhere() -> None:
    """GIVEN the producer and consumers WHEN compared THEN they share hyperparameters_s3_uri."""
    assert HYPERPARAMETER_PREP_CONTRACT.output_names[0] == "hyperparameters_s3_uri"
    for consumer in (
        XGBOOST_TRAIN_CONTRACT,
        PYTORCH_TRAIN_CONTRACT,
        SKLEARN_TRAIN_CONTRACT,
        MODEL_EVALUATION_CONTRACT,
    ):
        assert "hyperparameters_s3_uri" in consumer.input_names


def test_list_contracts_returns_the_sorted_canonical_names() -> None:
    """GIVEN the registry WHEN list_contracts() is called THEN it returns a sorted tuple."""
    names = list_contracts()

    assert names == (
        "hyperparameter_prep",
        "model_evaluation",
        "pytorch_train",
        "sklearn_train",
        "xgboost_train",
    )
    assert isinstance(names, tuple)


def test_contracts_mapping_is_read_only_and_keyed_by_name() -> None:
    """GIVEN CONTRACTS WHEN read or written THEN it maps names to contracts and refuses writes."""
    assert tuple(CONTRACTS) == list_contracts()
    assert all(CONTRACTS[name].name == name for name in CONTRACTS)
    with pytest.raises(TypeError):
        CONTRACTS["other"] = XGBOOST_TRAIN_CONTRACT  # type: ignore[index]


_ALIASES = [
    (alias, constant)
    for constant, contract in CONSTANTS.items()
    for alias in (
        contract.name,
        contract.entry_point,
        contract.entry_point.removesuffix(".py"),
        constant,
        constant.lower(),
        contract.name.upper(),
        contract.name.replace("_", "-"),
        f"  {contract.entry_point}  ",
    )
]


@pytest.mark.parametrize(("alias", "constant"), _ALIASES)
def test_get_contract_accepts_every_alias(alias: str, constant: str) -> None:
    """GIVEN any alias of a contract WHEN looked up THEN that very contract comes back."""
    assert get_contract(alias) is CONSTANTS[constant]


@pytest.mark.parametrize("name", ["", "xgboost", "train_xgb.json", "SCRIPT_CONTRACT", "evaluate"])
def test_get_contract_unknown_name_raises_key_error_listing_known_names(name: str) -> None:
    """GIVEN an unknown name WHEN looked up THEN KeyError names it and lists the known names."""
    with pytest.raises(KeyError) as raised:
        get_contract(name)

    message = raised.value.args[0]
    assert repr(name) in message
    for known in list_contracts():
        assert known in message
    for contract in CONSTANTS.values():
        assert contract.entry_point in message


def test_get_contract_refuses_a_non_string() -> None:
    """GIVEN a non-string WHEN looked up THEN TypeError says a string is needed."""
    with pytest.raises(TypeError, match="string"):
        get_contract(XGBOOST_TRAIN_CONTRACT)  # type: ignore[arg-type]
