"""What every framework's training step shares: config fields, channels, the step.

Training step builders read their hyperparameters from the prep step's S3 URI.

Each channel comes from the script contract: an input at
``/opt/ml/input/data/<channel>/...`` becomes the channel ``<channel>``. The
``hyperparameters_s3_uri`` input lands in the ``config`` channel as
``hyperparameters.json``, so the script reads one JSON file instead of SageMaker's
stringified hyperparameters.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from pydantic import Field, model_validator

from pipeline_steps.core.builder import JobStepBuilder
from pipeline_steps.core.errors import StepBuilderError
from pipeline_steps.core.job_config import JobConfigBase
from pipeline_steps.core.jobs import Channel, TrainingJob, image_uri, training_step_args
from pipeline_steps.core.sdk_steps import QuietTrainingStep
from pipeline_steps.sdk import CacheConfig, Join, PipelineVariable, Step, TrainingStep

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

    A framework names its training image (``image_framework``, the SDK's ``image_uris``
    name); the code bundle, the channels, the step and its outputs are the same for
    every framework and every SDK major (``pipeline_steps.core.jobs``).
    """

    image_framework: ClassVar[str]
    """The framework's name in the SDK's image table: ``xgboost``, ``pytorch``, ``sklearn``."""

    @property
    def framework(self) -> str | None:
        """The ``FRAMEWORKS`` entry whose contract this builder follows."""
        from pipeline_steps.frameworks import FRAMEWORKS

        return next((f.name for f in FRAMEWORKS.values() if f.contract == self.contract), None)

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

    def channels(self, resolved: Mapping[str, Any]) -> list[Channel]:
        """One channel per resolved contract input, named as the contract's path says."""
        return [
            Channel(self.contract.channel_name(logical), value, CONTENT_TYPES.get(logical))
            for logical, value in resolved.items()
        ]

    def image_uri(self) -> str:
        """The framework's training image for the configured version and instance type."""
        config = self.config
        return image_uri(
            self.image_framework,
            self.region,
            config.framework_version,
            config.py_version,
            _literal_instance_type(config.instance_type, self.step_name),
        )

    def _checkpoint_uri(self, step_name: str) -> Any:
        """Where checkpoints sync to; None (no checkpointing) unless a framework says so."""
        return None

    def training_job(self, step_name: str) -> TrainingJob:
        """The job this builder's step runs (uploads the code bundle if it is new)."""
        config = self.config
        output_path = config.output_path
        if output_path is None:
            output_path = f"s3://{self.code_location().bucket}/"
        return TrainingJob(
            image_uri=self.image_uri(),
            entry_point=config.script_name,
            source_uri=self.source_uri(),
            role_arn=config.role_arn,
            region=self.region,
            base_job_name=step_name.lower()[:38],
            output_path=output_path,
            instance_type=config.instance_type,
            instance_count=config.instance_count,
            volume_size=config.volume_size,
            max_run=config.max_run,
            environment=dict(config.environment),
            checkpoint_s3_uri=self._checkpoint_uri(step_name),
            use_spot_instances=config.use_spot_instances,
            max_wait=config.max_wait,
        )

    def _make_step(
        self,
        name: str,
        resolved: Mapping[str, Any],
        *,
        cache_config: CacheConfig | None,
        depends_on: list[Any] | None,
    ) -> TrainingStep:
        step_args = training_step_args(
            self.sagemaker_session, self.training_job(name), self.channels(resolved)
        )
        return QuietTrainingStep(
            name=name, step_args=step_args, cache_config=cache_config, depends_on=depends_on
        )


def _literal_instance_type(value: Any, step_name: str) -> str:
    """The instance type the image is chosen for (CPU or GPU): a literal or a default."""
    if isinstance(value, str):
        return value
    default = getattr(value, "default_value", None)
    if isinstance(default, str):
        return default
    raise StepBuilderError(
        f"step {step_name!r}: instance_type is a pipeline variable without a default, so the "
        "training image (CPU or GPU) cannot be chosen; give the parameter a default"
    )
