"""The library's script contracts and lookup by any of their names."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from pipeline_script_contracts.contract import ScriptContract
from pipeline_script_contracts.kinds import ContainerType, OutputType
from pipeline_script_contracts.listing import ContractNames

_TRAINING_INPUTS = {
    "training_data": "/opt/ml/input/data/train",
    "validation_data": "/opt/ml/input/data/validation",
    "hyperparameters_s3_uri": "/opt/ml/input/data/config/hyperparameters.json",
}
# The SageMaker training toolkit sets these; scripts fall back to the contract's paths.
_TRAINING_ENV_DEFAULTS = {
    "SM_MODEL_DIR": "/opt/ml/model",
    "SM_OUTPUT_DATA_DIR": "/opt/ml/output/data",
}
_TRAINING_OUTPUTS = {
    "model_output": "/opt/ml/model",
    "evaluation_output": "/opt/ml/output/data",
}

HYPERPARAMETER_PREP_CONTRACT = ScriptContract(
    name="hyperparameter_prep",
    entry_point="hyperparameter_prep.py",
    container_type=ContainerType.LAMBDA,
    description=(
        "Lambda step that validates the hyperparameters, writes them as canonical JSON to S3 "
        "under a content-addressed key and returns the S3 URI as a step output."
    ),
    expected_output_paths={
        "hyperparameters_s3_uri": "/opt/ml/processing/output/hyperparameters",
        "hyperparameters_sha256": "/opt/ml/processing/output/hyperparameters_sha256",
        "hyperparameters_size_bytes": "/opt/ml/processing/output/hyperparameters_size_bytes",
        "reused": "/opt/ml/processing/output/reused",
    },
    output_types={
        "hyperparameters_s3_uri": OutputType.S3_URI,
        "hyperparameters_sha256": OutputType.STRING,
        "hyperparameters_size_bytes": OutputType.INTEGER,
        "reused": OutputType.BOOLEAN,
    },
    framework_requirements={"boto3": ">=1.34"},
)
"""The bundled hyperparameter-prep Lambda. Its output paths are virtual: each output is a
LambdaStep OutputParameter (the first, ``hyperparameters_s3_uri``, is what consumers read);
the contract names all four with their types: the step builder and the local runner read
them from here."""

XGBOOST_TRAIN_CONTRACT = ScriptContract(
    name="xgboost_train",
    entry_point="train_xgb.py",
    container_type=ContainerType.TRAINING,
    description=(
        "XGBoost training script: trains on the train channel, evaluates on the optional "
        "validation channel, reads its hyperparameters from the config channel's JSON file "
        "and writes the model and evaluation data."
    ),
    expected_input_paths=_TRAINING_INPUTS,
    optional_input_names=("validation_data",),
    expected_output_paths=_TRAINING_OUTPUTS,
    optional_env_vars=_TRAINING_ENV_DEFAULTS,
    framework_requirements={"xgboost": ">=1.7"},
)
"""The XGBoost training script."""

PYTORCH_TRAIN_CONTRACT = ScriptContract(
    name="pytorch_train",
    entry_point="train.py",
    container_type=ContainerType.TRAINING,
    description=(
        "PyTorch training script: trains on the train channel, evaluates on the optional "
        "validation channel, reads its hyperparameters from the config channel's JSON file, "
        "writes the model and evaluation data and keeps checkpoints for spot-instance resumes."
    ),
    expected_input_paths=_TRAINING_INPUTS,
    optional_input_names=("validation_data",),
    expected_output_paths={**_TRAINING_OUTPUTS, "checkpoints": "/opt/ml/checkpoints"},
    # train.py keeps checkpoints where SageMaker syncs them; the variable moves them for a
    # run outside a container.
    optional_env_vars={**_TRAINING_ENV_DEFAULTS, "PIPELINE_CHECKPOINT_DIR": "/opt/ml/checkpoints"},
    framework_requirements={"torch": ">=2.0"},
)
"""The PyTorch training script."""

SKLEARN_TRAIN_CONTRACT = ScriptContract(
    name="sklearn_train",
    entry_point="train_sklearn.py",
    container_type=ContainerType.TRAINING,
    description=(
        "scikit-learn training script: trains a gradient-boosting or random-forest estimator "
        "on the train channel, evaluates it on the optional validation channel, reads its "
        "hyperparameters from the config channel's JSON file and writes the joblib model and "
        "its metrics."
    ),
    expected_input_paths=_TRAINING_INPUTS,
    optional_input_names=("validation_data",),
    expected_output_paths=_TRAINING_OUTPUTS,
    optional_env_vars=_TRAINING_ENV_DEFAULTS,
    framework_requirements={"scikit-learn": ">=1.4"},
)
"""The scikit-learn training script."""

MODEL_EVALUATION_CONTRACT = ScriptContract(
    name="model_evaluation",
    entry_point="model_evaluation.py",
    container_type=ContainerType.PROCESSING,
    description=(
        "Processing script that scores the trained XGBoost model on the evaluation CSV data "
        "and writes predictions and metrics; ID_FIELD and LABEL_FIELD name the id and label "
        "columns."
    ),
    expected_input_paths={
        "model_input": "/opt/ml/processing/input/model",
        "eval_data_input": "/opt/ml/processing/input/eval_data",
        "hyperparameters_s3_uri": "/opt/ml/processing/input/config/hyperparameters.json",
    },
    expected_output_paths={
        "eval_output": "/opt/ml/processing/output/eval",
        "metrics_output": "/opt/ml/processing/output/metrics",
    },
    accepted_outputs={"model_input": ("model_output",)},
    required_env_vars=("ID_FIELD", "LABEL_FIELD"),
    framework_requirements={"xgboost": ">=1.7"},
)
"""The model-evaluation processing script."""

_BY_CONSTANT_NAME = {
    "HYPERPARAMETER_PREP_CONTRACT": HYPERPARAMETER_PREP_CONTRACT,
    "MODEL_EVALUATION_CONTRACT": MODEL_EVALUATION_CONTRACT,
    "PYTORCH_TRAIN_CONTRACT": PYTORCH_TRAIN_CONTRACT,
    "SKLEARN_TRAIN_CONTRACT": SKLEARN_TRAIN_CONTRACT,
    "XGBOOST_TRAIN_CONTRACT": XGBOOST_TRAIN_CONTRACT,
}

CONTRACTS: Mapping[str, ScriptContract] = MappingProxyType(
    {c.name: c for c in sorted(_BY_CONSTANT_NAME.values(), key=lambda c: c.name)}
)
"""Read-only mapping of canonical contract name to contract, sorted by name."""


def _alias_key(name: str) -> str:
    return name.strip().lower().replace("-", "_")


_ALIASES: Mapping[str, ScriptContract] = MappingProxyType(
    {
        _alias_key(alias): contract
        for constant, contract in _BY_CONSTANT_NAME.items()
        for alias in (
            contract.name,
            contract.entry_point,
            contract.entry_point.removesuffix(".py"),
            constant,
        )
    }
)


def list_contracts() -> ContractNames:
    """The canonical names of the known contracts, sorted: a tuple shown as a table."""
    return ContractNames(CONTRACTS)


def get_contract(name: str) -> ScriptContract:
    """Look a contract up by canonical name, entry point (with or without ``.py``) or constant.

    Matching ignores case and surrounding whitespace and treats ``-`` like ``_``.
    """
    if not isinstance(name, str):
        raise TypeError(f"get_contract() takes a string name, not {type(name).__name__}")
    try:
        return _ALIASES[_alias_key(name)]
    except KeyError:
        known = ", ".join(f"{c.name} ({c.entry_point})" for c in CONTRACTS.values())
        raise KeyError(
            f"unknown script contract {name!r}; known contracts: {known}; "
            "each is also found by its constant name, e.g. 'XGBOOST_TRAIN_CONTRACT'"
        ) from None
