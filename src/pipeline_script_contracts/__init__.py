"""Script contracts: what each pipeline script expects of its container.

A ``ScriptContract`` names a script's inputs and outputs by logical name and maps
them to container paths; step builders wire steps together by those names. This
package imports only the standard library, so it is quick to import in a notebook.
"""

from __future__ import annotations

from pipeline_script_contracts.contract import ScriptContract
from pipeline_script_contracts.kinds import ContainerType, ContractError, OutputType
from pipeline_script_contracts.listing import ContractNames
from pipeline_script_contracts.registry import (
    CONTRACTS,
    HYPERPARAMETER_PREP_CONTRACT,
    MODEL_EVALUATION_CONTRACT,
    PYTORCH_TRAIN_CONTRACT,
    SKLEARN_TRAIN_CONTRACT,
    XGBOOST_TRAIN_CONTRACT,
    get_contract,
    list_contracts,
)

__all__ = [
    "CONTRACTS",
    "HYPERPARAMETER_PREP_CONTRACT",
    "MODEL_EVALUATION_CONTRACT",
    "PYTORCH_TRAIN_CONTRACT",
    "SKLEARN_TRAIN_CONTRACT",
    "XGBOOST_TRAIN_CONTRACT",
    "ContainerType",
    "ContractError",
    "ContractNames",
    "OutputType",
    "ScriptContract",
    "get_contract",
    "list_contracts",
]
