"""The design's contracts, exactly, and looking them up by any of their names."""

from __future__ import annotations

from types import MappingProxyType

import pytest

from lambda_code.hyperparameter_prep import OBJECT_NAME, OUTPUT_TYPES
from pipeline_script_contracts import (
    CONTRACTS,
    HYPERPARAMETER_PREP_CONTRACT,
    MODEL_EVALUATION_CONTRACT,
    PYTORCH_TRAIN_CONTRACT,
    SKLEARN_TRAIN_CONTRACT,
    XGBOOST_TRAIN_CONTRACT,
    ContainerType,
    OutputType,
    ScriptContract,
    get_contract,
    list_contracts,
)

CONSTANTS: dict[str, ScriptContract] = {
    "HYPERPARAMETER_PREP_CONTRACT": HYPERPARAMETER_PREP_CONTRACT,
    "XGBOOST_TRAIN_CONTRACT": XGBOOST_TRAIN_CONTRACT,
    "PYTORCH_TRAIN_CONTRACT": PYTORCH_TRAIN_CONTRACT,
    "SKLEARN_TRAIN_CONTRACT": SKLEARN_TRAIN_CONTRACT,
    "MODEL_EVALUATION_CONTRACT": MODEL_EVALUATION_CONTRACT,
}

# The design's contract table (design.md, "Contracts"): what each script is called and
# where it runs. The paths follow from the rules tested below, not from a second copy.
DESIGN = {
    "HYPERPARAMETER_PREP_CONTRACT": ("hyperparameter_prep", "hyperparameter_prep.py", "lambda"),
    "XGBOOST_TRAIN_CONTRACT": ("xgboost_train", "train_xgb.py", "training"),
    "PYTORCH_TRAIN_CONTRACT": ("pytorch_train", "train.py", "training"),
    "SKLEARN_TRAIN_CONTRACT": ("sklearn_train", "train_sklearn.py", "training"),
    "MODEL_EVALUATION_CONTRACT": ("model_evaluation", "model_evaluation.py", "processing"),
}
TRAINING = [c for c in CONSTANTS.values() if c.container_type is ContainerType.TRAINING]


@pytest.mark.parametrize("constant", sorted(DESIGN))
def test_contract_is_the_design_tables_row(constant: str) -> None:
    """GIVEN a shipped contract WHEN its name, entry point and container are read
    THEN they are the design table's, and its mappings are read-only."""
    contract = CONSTANTS[constant]
    assert (contract.name, contract.entry_point, contract.container_type.value) == DESIGN[constant]
    assert contract.description.strip()
    for mapping in (contract.expected_input_paths, contract.expected_output_paths):
        assert isinstance(mapping, MappingProxyType)


@pytest.mark.parametrize("contract", TRAINING, ids=lambda c: c.name)
def test_training_contracts_read_three_channels_and_write_the_model(
    contract: ScriptContract,
) -> None:
    """GIVEN a training contract
    WHEN its inputs and outputs are read
    THEN it reads train, the optional validation and config channels (the prep step's
    object at config/<the handler's object name>) and writes model_output to the model
    folder and evaluation_output to the output data folder, whose SM_* variables it
    defaults to the contract's own paths."""
    assert {name: contract.channel_name(name) for name in contract.input_names} == {
        "training_data": "train",
        "validation_data": "validation",
        "hyperparameters_s3_uri": "config",
    }
    assert contract.optional_input_names == ("validation_data",)
    config = contract.expected_input_paths["hyperparameters_s3_uri"]
    assert config == f"/opt/ml/input/data/config/{OBJECT_NAME}"
    assert contract.expected_output_paths["model_output"] == "/opt/ml/model"
    assert contract.expected_output_paths["evaluation_output"] == "/opt/ml/output/data"
    assert contract.optional_env_vars["SM_MODEL_DIR"] == "/opt/ml/model"
    assert contract.optional_env_vars["SM_OUTPUT_DATA_DIR"] == "/opt/ml/output/data"
    assert contract.framework_requirements


def test_prep_contract_outputs_are_the_handlers_results() -> None:
    """GIVEN the bundled handler's result names and types (it ships alone, so it keeps its
    own copy) WHEN compared with the prep contract's outputs THEN they are the same, in the
    same order, and the S3 URI travels as a String output parameter."""
    contract = HYPERPARAMETER_PREP_CONTRACT
    assert contract.output_names == tuple(OUTPUT_TYPES)
    assert {n: t.lambda_output_type for n, t in contract.output_types.items()} == dict(OUTPUT_TYPES)
    assert contract.output_types["hyperparameters_s3_uri"] is OutputType.S3_URI


def test_evaluation_takes_a_training_model_by_declaration() -> None:
    """GIVEN the evaluation contract WHEN its wiring is read THEN model_input accepts the
    model_output every training contract offers, and it needs the id and label columns."""
    assert MODEL_EVALUATION_CONTRACT.sources_for("model_input") == ("model_input", "model_output")
    assert all("model_output" in c.output_names for c in TRAINING)
    assert MODEL_EVALUATION_CONTRACT.required_env_vars == ("ID_FIELD", "LABEL_FIELD")


def test_every_framework_has_its_training_contract_registered() -> None:
    """GIVEN the FRAMEWORKS registry WHEN each framework's contract is looked up by name
    THEN it is the registered training contract."""
    from pipeline_steps.frameworks import FRAMEWORKS

    for framework in FRAMEWORKS.values():
        assert get_contract(framework.contract.name) is framework.contract
        assert framework.contract in TRAINING


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
