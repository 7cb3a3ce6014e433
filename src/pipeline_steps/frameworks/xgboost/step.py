"""The XGBoost training step: its config and builder (``sagemaker.xgboost.XGBoost``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from pydantic import Field, field_validator

from pipeline_script_contracts import XGBOOST_TRAIN_CONTRACT
from pipeline_steps.core.builder import StepBuilderBase
from pipeline_steps.frameworks.training import TrainingConfigBase, TrainingStepBuilder
from pipeline_steps.frameworks.xgboost.compatibility import check_prepared_hyperparameters
from pipeline_steps.frameworks.xgboost.parameter_space import parameter_space

__all__ = ["ChecksXGBoostImage", "XGBoostTrainingConfig", "XGBoostTrainingStepBuilder"]


class XGBoostTrainingConfig(TrainingConfigBase):
    """Settings of an XGBoost training step (``sagemaker.xgboost.XGBoost``)."""

    framework_version: str = Field(
        parameter_space().default_framework_version,
        description="SageMaker XGBoost container version (one of xgboost_parameters.json's "
        "images); hyperparameters its XGBoost lacks are refused when the step is built.",
    )
    entry_point: str = Field(
        XGBOOST_TRAIN_CONTRACT.entry_point, description="Training script, relative to source_dir."
    )

    @field_validator("framework_version")
    @classmethod
    def _check_framework_version(cls, value: str) -> str:
        parameter_space().image(value)
        return value


class ChecksXGBoostImage(StepBuilderBase[Any]):
    """For builders of steps that run an XGBoost image (training, evaluation): inputs are
    resolved as every builder resolves them, then the prep step feeding them is checked
    against the image's XGBoost version (``compatibility.check_prepared_hyperparameters``).
    """

    def resolve_inputs(
        self,
        dependencies: Iterable[Any] = (),
        inputs: Mapping[str, Any] | None = None,
        *,
        step_name: str | None = None,
    ) -> dict[str, Any]:
        """Resolve as every builder does, then refuse what the image's XGBoost lacks."""
        deps = list(dependencies)
        resolved = super().resolve_inputs(deps, inputs, step_name=step_name)
        check_prepared_hyperparameters(
            deps, resolved, self.config.framework_version, step_name or self.step_name
        )
        return resolved


class XGBoostTrainingStepBuilder(ChecksXGBoostImage, TrainingStepBuilder):
    """Builds an XGBoost TrainingStep fed by ``XGBOOST_TRAIN_CONTRACT``'s channels."""

    contract = XGBOOST_TRAIN_CONTRACT
    config_class = XGBoostTrainingConfig
    default_step_name: ClassVar[str] = "XGBoostTraining"
    image_framework: ClassVar[str] = "xgboost"
