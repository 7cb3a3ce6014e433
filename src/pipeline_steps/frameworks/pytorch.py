"""PyTorch: hyperparameters, training config and step builder (``sagemaker.pytorch.PyTorch``)."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, field_validator, model_validator

from pipeline_script_contracts import PYTORCH_TRAIN_CONTRACT
from pipeline_steps.core.hyperparameters import (
    AcceptsParameter,
    HyperparametersModel,
    PBool,
    parameter_field,
)
from pipeline_steps.core.identifiers import check_s3_uri
from pipeline_steps.frameworks.training import TrainingConfigBase, TrainingStepBuilder
from pipeline_steps.sdk import (
    ExecutionVariables,
    Join,
    Parameter,
    PipelineVariable,
    Step,
    pytorch_estimator_class,
)

__all__ = ["PyTorchHyperparameters", "PyTorchTrainingConfig", "PyTorchTrainingStepBuilder"]


OptimizerName = Literal["adam", "adamw", "sgd", "rmsprop", "adagrad"]


class PyTorchHyperparameters(HyperparametersModel):
    """Hyperparameters of a PyTorch training script (``train.py``).

    Example::

        PyTorchHyperparameters(learning_rate=1e-3, batch_size=64, epochs=10,
                               hidden_size=256, dropout=0.1, optimizer="adamw",
                               weight_decay=0.01)
    """

    learning_rate: Annotated[float | Parameter, parameter_field(float, gt=0.0, le=10.0)] = Field(
        1e-3, description="Optimizer learning rate."
    )
    batch_size: Annotated[int | Parameter, parameter_field(int, ge=1, le=65_536)] = Field(
        32, description="Training batch size per device."
    )
    epochs: Annotated[int | Parameter, parameter_field(int, ge=1, le=10_000)] = Field(
        10, description="Number of passes over the training data."
    )
    hidden_size: Annotated[int | Parameter, parameter_field(int, ge=1, le=65_536)] = Field(
        128, description="Width of the hidden layers."
    )
    num_layers: Annotated[int | Parameter, parameter_field(int, ge=1, le=1_000)] = Field(
        2, description="Number of hidden layers."
    )
    dropout: Annotated[float | Parameter, parameter_field(float, ge=0.0, lt=1.0)] = Field(
        0.1, description="Dropout probability, in [0, 1)."
    )
    optimizer: Annotated[OptimizerName | Parameter, AcceptsParameter(OptimizerName, str)] = Field(
        "adam", description="Optimizer: adam, adamw, sgd, rmsprop or adagrad."
    )
    weight_decay: Annotated[float | Parameter, parameter_field(float, ge=0.0, le=1.0)] = Field(
        0.0, description="L2 weight decay."
    )
    momentum: Annotated[float | Parameter | None, parameter_field(float, ge=0.0, lt=1.0)] = Field(
        None, description="Momentum, for sgd and rmsprop."
    )
    gradient_clip_norm: Annotated[float | Parameter | None, parameter_field(float, gt=0.0)] = Field(
        None, description="Clip gradients to this global norm."
    )
    seed: Annotated[int | Parameter, parameter_field(int, ge=0, le=2**32 - 1)] = Field(
        42, description="Random seed."
    )
    use_amp: PBool = Field(False, description="Use automatic mixed precision.")

    @model_validator(mode="after")
    def _momentum_needs_optimizer(self) -> PyTorchHyperparameters:
        optimizer: object = self.optimizer
        if isinstance(optimizer, Parameter):
            optimizer = optimizer.default_value
        if self.momentum is not None and optimizer in ("adam", "adamw", "adagrad"):
            raise ValueError(
                f"momentum is not used by optimizer {optimizer!r}; remove it or use sgd or rmsprop"
            )
        return self


class PyTorchTrainingConfig(TrainingConfigBase):
    """Settings of a PyTorch training step (``sagemaker.pytorch.PyTorch``)."""

    framework_version: str = Field("2.3", description="SageMaker PyTorch container version.")
    py_version: str = Field("py311", description="Python version of the PyTorch container.")
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


class PyTorchTrainingStepBuilder(TrainingStepBuilder):
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

    def _estimator(self, step_name: str) -> Any:
        estimator = pytorch_estimator_class()
        return estimator(
            base_job_name=step_name.lower()[:38],
            checkpoint_s3_uri=self._checkpoint_uri(step_name),
            **self._framework_kwargs(),
        )

    def _output_references(self, step: Step) -> dict[str, Any]:
        references = super()._output_references(step)
        references["checkpoints"] = step.properties.CheckpointConfig.S3Uri
        return references
