"""Training step builders that read their hyperparameters from the prep step's S3 URI.

Each channel comes from the script contract: an input at
``/opt/ml/input/data/<channel>/...`` becomes the channel ``<channel>``. The
``hyperparameters_s3_uri`` input lands in the ``config`` channel as
``hyperparameters.json``, so the script reads one JSON file instead of SageMaker's
stringified hyperparameters.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import Field, field_validator, model_validator
from sagemaker.inputs import TrainingInput
from sagemaker.workflow.entities import PipelineVariable
from sagemaker.workflow.execution_variables import ExecutionVariables
from sagemaker.workflow.functions import Join
from sagemaker.workflow.steps import TrainingStep

from pipeline_script_contracts import PYTORCH_TRAIN_CONTRACT, XGBOOST_TRAIN_CONTRACT
from pipeline_steps.aws_identifiers import check_s3_uri
from pipeline_steps.builder_base import StepBuilderBase, dependency_steps
from pipeline_steps.job_config import JobConfigBase

if TYPE_CHECKING:
    from sagemaker.estimator import Framework
    from sagemaker.workflow.steps import CacheConfig, Step

__all__ = [
    "PyTorchTrainingConfig",
    "PyTorchTrainingStepBuilder",
    "TrainingConfigBase",
    "XGBoostTrainingConfig",
    "XGBoostTrainingStepBuilder",
]

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


class XGBoostTrainingConfig(TrainingConfigBase):
    """Settings of an XGBoost training step (``sagemaker.xgboost.XGBoost``)."""

    framework_version: str = Field("1.7-1", description="SageMaker XGBoost container version.")
    entry_point: str = Field(
        XGBOOST_TRAIN_CONTRACT.entry_point, description="Training script, relative to source_dir."
    )


class PyTorchTrainingConfig(TrainingConfigBase):
    """Settings of a PyTorch training step (``sagemaker.pytorch.PyTorch``)."""

    framework_version: str = Field("2.8", description="SageMaker PyTorch container version.")
    py_version: str = Field("py312", description="Python version of the PyTorch container.")
    entry_point: str = Field(
        PYTORCH_TRAIN_CONTRACT.entry_point, description="Training script, relative to source_dir."
    )
    checkpoint_s3_uri: str | PipelineVariable | None = Field(
        None,
        description="s3:// prefix checkpoints sync to; per execution under the session's "
        "bucket when unset.",
    )

    @field_validator("checkpoint_s3_uri")
    @classmethod
    def _check_checkpoints(cls, value: Any) -> Any:
        return check_s3_uri(value)


class _TrainingStepBuilder(StepBuilderBase[Any]):
    """Builds a TrainingStep whose channels follow the builder's contract."""

    def _estimator(self, step_name: str) -> Framework:
        raise NotImplementedError

    def _output_references(self, step: TrainingStep) -> dict[str, Any]:
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

    def create_step(
        self,
        *,
        inputs: Mapping[str, Any] | None = None,
        dependencies: Iterable[Step] = (),
        step_name: str | None = None,
        depends_on: Sequence[str | Step] | None = None,
        cache_config: CacheConfig | None = None,
    ) -> TrainingStep:
        """A TrainingStep reading the contract's channels from ``inputs`` and ``dependencies``."""
        name = self.name_for(step_name)
        deps = list(dependencies)
        resolved = self.resolve_inputs(deps, inputs, step_name=name)
        estimator = self._estimator(name)
        step_args = estimator.fit(inputs=self.training_inputs(resolved))
        step = TrainingStep(
            name=name,
            step_args=step_args,
            cache_config=cache_config,
            depends_on=dependency_steps(deps, resolved, depends_on),
        )
        self._register_outputs(step, self._output_references(step))
        return step

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


class XGBoostTrainingStepBuilder(_TrainingStepBuilder):
    """Builds an XGBoost TrainingStep fed by ``XGBOOST_TRAIN_CONTRACT``'s channels."""

    contract = XGBOOST_TRAIN_CONTRACT
    config_class = XGBoostTrainingConfig
    default_step_name: ClassVar[str] = "XGBoostTraining"

    def _estimator(self, step_name: str) -> Framework:
        from sagemaker.xgboost.estimator import XGBoost

        return XGBoost(base_job_name=step_name.lower()[:38], **self._framework_kwargs())


class PyTorchTrainingStepBuilder(_TrainingStepBuilder):
    """Builds a PyTorch TrainingStep fed by ``PYTORCH_TRAIN_CONTRACT``'s channels."""

    contract = PYTORCH_TRAIN_CONTRACT
    config_class = PyTorchTrainingConfig
    default_step_name: ClassVar[str] = "PyTorchTraining"

    def _checkpoint_uri(self, step_name: str) -> Any:
        configured = self.config.checkpoint_s3_uri
        if configured is not None:
            return configured
        bucket = self.sagemaker_session.default_bucket()  # type: ignore[no-untyped-call]
        return Join(
            on="/",
            values=[
                "s3:/",
                bucket,
                ExecutionVariables.PIPELINE_NAME,
                ExecutionVariables.PIPELINE_EXECUTION_ID,
                step_name,
                "checkpoints",
            ],
        )

    def _estimator(self, step_name: str) -> Framework:
        from sagemaker.pytorch.estimator import PyTorch

        return PyTorch(
            base_job_name=step_name.lower()[:38],
            checkpoint_s3_uri=self._checkpoint_uri(step_name),
            **self._framework_kwargs(),
        )

    def _output_references(self, step: TrainingStep) -> dict[str, Any]:
        references = super()._output_references(step)
        references["checkpoints"] = step.properties.CheckpointConfig.S3Uri
        return references
