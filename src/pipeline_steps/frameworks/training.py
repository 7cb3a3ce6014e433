"""What every framework's training step shares: config fields, channels, the step.

Training step builders read their hyperparameters from the prep step's S3 URI.

Each channel comes from the script contract: an input at
``/opt/ml/input/data/<channel>/...`` becomes the channel ``<channel>``. The
``hyperparameters_s3_uri`` input lands in the ``config`` channel as
``hyperparameters.json``, so the script reads one JSON file instead of SageMaker's
stringified hyperparameters.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from typing import Any

from pydantic import Field, model_validator

from pipeline_steps.core.builder import JobStepBuilder
from pipeline_steps.core.job_config import JobConfigBase
from pipeline_steps.core.sdk_steps import QuietTrainingStep
from pipeline_steps.sdk import (
    CacheConfig,
    Join,
    PipelineVariable,
    Step,
    TrainingInput,
    TrainingStep,
)

__all__ = ["CONTENT_TYPES", "MAX_TRAINING_SECONDS", "TrainingConfigBase", "TrainingStepBuilder"]

MAX_TRAINING_SECONDS = 28 * 24 * 3600
"""SageMaker's cap on ``MaxRuntimeInSeconds`` for a training job."""

CONTENT_TYPES: Mapping[str, str] = {"hyperparameters_s3_uri": "application/json"}
"""Content types of the inputs that have a fixed format."""


class TrainingConfigBase(JobConfigBase):
    """Settings shared by the framework training steps."""

    framework_version: str = Field(description="Framework container version.")
    py_version: str = Field("py3", description="Python version of the framework container.")
    output_path: str | PipelineVariable | None = Field(
        None, description="s3:// prefix for model artifacts; the session's bucket when unset."
    )
    max_run: int = Field(
        86400, ge=1, le=MAX_TRAINING_SECONDS, description="Maximum training seconds."
    )
    use_spot_instances: bool = Field(False, description="Train on managed spot capacity.")
    max_wait: int | None = Field(
        None,
        ge=1,
        le=MAX_TRAINING_SECONDS,
        description="Seconds to wait for spot capacity plus training; required with spot.",
    )

    @model_validator(mode="after")
    def _check_spot(self) -> TrainingConfigBase:
        if self.use_spot_instances and self.max_wait is None:
            raise ValueError("max_wait is required when use_spot_instances is true")
        if not self.use_spot_instances and self.max_wait is not None:
            raise ValueError("max_wait only applies with use_spot_instances=True")
        if self.max_wait is not None and self.max_wait < self.max_run:
            raise ValueError(
                f"max_wait ({self.max_wait}) must be at least max_run ({self.max_run})"
            )
        return self


class TrainingStepBuilder(JobStepBuilder[Any]):
    """Builds a TrainingStep whose channels follow the builder's contract.

    A framework supplies ``_estimator`` (the SDK estimator for its container); the
    channels, the step and its outputs are the same for every framework.
    """

    @property
    def framework(self) -> str | None:
        """The ``FRAMEWORKS`` entry whose contract this builder follows."""
        from pipeline_steps.frameworks import FRAMEWORKS

        return next((f.name for f in FRAMEWORKS.values() if f.contract == self.contract), None)

    @abc.abstractmethod
    def _estimator(self, step_name: str) -> Any:
        """The SDK estimator that runs this framework's container in script mode."""

    def _output_references(self, step: Step) -> dict[str, Any]:
        return {
            "model_output": step.properties.ModelArtifacts.S3ModelArtifacts,
            "evaluation_output": Join(
                on="/",
                values=[
                    step.properties.OutputDataConfig.S3OutputPath,
                    step.properties.TrainingJobName,
                    "output",
                    "output.tar.gz",
                ],
            ),
        }

    def training_inputs(self, resolved: Mapping[str, Any]) -> dict[str, TrainingInput]:
        """One ``TrainingInput`` per resolved contract input, keyed by channel name."""
        channels: dict[str, TrainingInput] = {}
        for logical, value in resolved.items():
            channel = self.contract.channel_name(logical)
            channels[channel] = TrainingInput(
                s3_data=value, content_type=CONTENT_TYPES.get(logical)
            )
        return channels

    def _make_step(
        self,
        name: str,
        resolved: Mapping[str, Any],
        *,
        cache_config: CacheConfig | None,
        depends_on: list[Any] | None,
    ) -> TrainingStep:
        step_args = self._estimator(name).fit(inputs=self.training_inputs(resolved))
        return QuietTrainingStep(
            name=name, step_args=step_args, cache_config=cache_config, depends_on=depends_on
        )

    def _framework_kwargs(self) -> dict[str, Any]:
        config = self.config
        kwargs: dict[str, Any] = {
            "entry_point": config.entry_point,
            "source_dir": config.source_dir,
            "framework_version": config.framework_version,
            "py_version": config.py_version,
            "role": config.role_arn,
            "instance_type": config.instance_type,
            "instance_count": config.instance_count,
            "volume_size": config.volume_size,
            "max_run": config.max_run,
            "use_spot_instances": config.use_spot_instances,
            "environment": dict(config.environment) or None,
            "sagemaker_session": self.sagemaker_session,
        }
        if config.output_path is not None:
            kwargs["output_path"] = config.output_path
        if config.max_wait is not None:
            kwargs["max_wait"] = config.max_wait
        return kwargs
