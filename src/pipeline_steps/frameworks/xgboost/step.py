"""The XGBoost training step: its config and builder (``sagemaker.xgboost.XGBoost``)."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field

from pipeline_script_contracts import XGBOOST_TRAIN_CONTRACT
from pipeline_steps.frameworks.training import TrainingConfigBase, TrainingStepBuilder
from pipeline_steps.sdk import xgboost_estimator_class

__all__ = ["XGBoostTrainingConfig", "XGBoostTrainingStepBuilder"]


class XGBoostTrainingConfig(TrainingConfigBase):
    """Settings of an XGBoost training step (``sagemaker.xgboost.XGBoost``)."""

    framework_version: str = Field("1.7-1", description="SageMaker XGBoost container version.")
    entry_point: str = Field(
        XGBOOST_TRAIN_CONTRACT.entry_point, description="Training script, relative to source_dir."
    )


class XGBoostTrainingStepBuilder(TrainingStepBuilder):
    """Builds an XGBoost TrainingStep fed by ``XGBOOST_TRAIN_CONTRACT``'s channels."""

    contract = XGBOOST_TRAIN_CONTRACT
    config_class = XGBoostTrainingConfig
    default_step_name: ClassVar[str] = "XGBoostTraining"

    def _estimator(self, step_name: str) -> Any:
        estimator = xgboost_estimator_class()
        return estimator(base_job_name=step_name.lower()[:38], **self._framework_kwargs())
