"""XGBoost: its hyperparameter space, training config and step builder."""

from __future__ import annotations

from pipeline_steps.frameworks.xgboost.hyperparameters import (
    MULTICLASS_OBJECTIVES,
    XGBOOST_OBJECTIVES,
    XGBoostHyperparameters,
)
from pipeline_steps.frameworks.xgboost.step import XGBoostTrainingConfig, XGBoostTrainingStepBuilder

__all__ = [
    "MULTICLASS_OBJECTIVES",
    "XGBOOST_OBJECTIVES",
    "XGBoostHyperparameters",
    "XGBoostTrainingConfig",
    "XGBoostTrainingStepBuilder",
]
