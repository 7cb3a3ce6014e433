"""PyTorch: hyperparameters, training config and step builder (``sagemaker.pytorch.PyTorch``).

``train.py`` trains a multilayer perceptron (binary classification, one logit) on the
CSV channels of ``PYTORCH_TRAIN_CONTRACT`` and honours every field below. The fields'
defaults and the optimizers that take momentum come from ``pytorch_hyperparameters.json``,
the table beside the script that ``train.py`` checks a hyperparameters file against in
the container; the fields declare the same types and bounds (a unit test holds the two
together). Each field takes a literal or a pipeline parameter of a matching type, as in
the other framework models. A hyperparameters dict given instead of this model reaches
the script as it is; the script then refuses unknown names and bad values at start-up.

Where the script puts things (``train.py``'s docstring says the same): channels from
``SM_CHANNEL_TRAIN``, ``SM_CHANNEL_VALIDATION`` and ``SM_CHANNEL_CONFIG``
(``hyperparameters.json``), the model in ``SM_MODEL_DIR``, metrics and the loss history
in ``SM_OUTPUT_DATA_DIR``, checkpoints in ``$PIPELINE_CHECKPOINT_DIR`` (default
``/opt/ml/checkpoints``, the folder SageMaker syncs with ``checkpoint_s3_uri``).
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal, get_args

from pydantic import Field, field_validator, model_validator

from pipeline_script_contracts import PYTORCH_TRAIN_CONTRACT
from pipeline_steps.core.hyperparameters import (
    AcceptsParameter,
    HyperparametersModel,
    PBool,
    build_time_value,
    parameter_field,
)
from pipeline_steps.core.identifiers import check_s3_uri
from pipeline_steps.frameworks.training import TrainingConfigBase, TrainingStepBuilder
from pipeline_steps.frameworks.unknown_names import refuse_unknown_names
from pipeline_steps.reference_scripts import load_data_file
from pipeline_steps.sdk import (
    ExecutionVariables,
    Join,
    Parameter,
    PipelineVariable,
    Step,
)

__all__ = [
    "MOMENTUM_OPTIMIZERS",
    "PYTORCH_OPTIMIZERS",
    "PyTorchHyperparameters",
    "PyTorchTrainingConfig",
    "PyTorchTrainingStepBuilder",
]

OptimizerName = Literal["adam", "adamw", "sgd", "rmsprop", "adagrad"]

PYTORCH_OPTIMIZERS: tuple[str, ...] = get_args(OptimizerName)
"""The optimizers ``train.py`` builds (``torch.optim.Adam``, ``AdamW``, ``SGD``, ...)."""

_TABLE = load_data_file("pytorch_hyperparameters.json")

MOMENTUM_OPTIMIZERS: frozenset[str] = frozenset(_TABLE["momentum_optimizers"])
"""Optimizers whose torch class takes ``momentum``; Adam, AdamW and Adagrad have none."""


def _default(name: str) -> Any:
    """The field's default, as the data file states it."""
    return _TABLE["parameters"][name]["default"]


class PyTorchHyperparameters(HyperparametersModel):
    """Hyperparameters of the PyTorch training script (``train.py``).

    Example::

        PyTorchHyperparameters(learning_rate=1e-3, batch_size=64, epochs=10,
                               hidden_size=256, dropout=0.1, optimizer="adamw",
                               weight_decay=0.01)
        PyTorchHyperparameters(optimizer="sgd", momentum=0.9, gradient_clip_norm=1.0,
                               use_amp=True)
    """

    learning_rate: Annotated[float | Parameter, parameter_field(float, gt=0.0, le=10.0)] = Field(
        _default("learning_rate"), description="Optimizer learning rate (lr)."
    )
    batch_size: Annotated[int | Parameter, parameter_field(int, ge=1, le=65_536)] = Field(
        _default("batch_size"),
        description="Rows per optimizer step; the last batch of an epoch may be smaller.",
    )
    epochs: Annotated[int | Parameter, parameter_field(int, ge=1, le=10_000)] = Field(
        _default("epochs"),
        description="Total passes over the training data; a resumed job trains only the "
        "epochs its checkpoint has not done yet.",
    )
    hidden_size: Annotated[int | Parameter, parameter_field(int, ge=1, le=65_536)] = Field(
        _default("hidden_size"), description="Width of each hidden layer."
    )
    num_layers: Annotated[int | Parameter, parameter_field(int, ge=1, le=1_000)] = Field(
        _default("num_layers"), description="Number of hidden layers (Linear, ReLU, Dropout each)."
    )
    dropout: Annotated[float | Parameter, parameter_field(float, ge=0.0, lt=1.0)] = Field(
        _default("dropout"), description="Dropout probability after each hidden layer, in [0, 1)."
    )
    optimizer: Annotated[OptimizerName | Parameter, AcceptsParameter(OptimizerName, str)] = Field(
        _default("optimizer"),
        description=f"Optimizer (torch.optim): {', '.join(PYTORCH_OPTIMIZERS)}.",
    )
    weight_decay: Annotated[float | Parameter, parameter_field(float, ge=0.0, le=1.0)] = Field(
        _default("weight_decay"),
        description="Weight decay passed to the optimizer (decoupled for adamw).",
    )
    momentum: Annotated[float | Parameter | None, parameter_field(float, ge=0.0, lt=1.0)] = Field(
        _default("momentum"),
        description=f"Momentum, for {' and '.join(sorted(MOMENTUM_OPTIMIZERS))} only; unset: 0.",
    )
    gradient_clip_norm: Annotated[float | Parameter | None, parameter_field(float, gt=0.0)] = Field(
        _default("gradient_clip_norm"),
        description="Clip the gradients' global L2 norm to this value; unset: no clipping.",
    )
    seed: Annotated[int | Parameter, parameter_field(int, ge=0, le=2**32 - 1)] = Field(
        _default("seed"), description="Seed of weight initialisation, shuffling and dropout."
    )
    use_amp: PBool = Field(
        _default("use_amp"),
        description="Automatic mixed precision: torch.autocast with bfloat16 on CPU, float16 "
        "with a GradScaler on CUDA.",
    )

    @model_validator(mode="before")
    @classmethod
    def _refuse_unknown_names(cls, data: Any) -> Any:
        return refuse_unknown_names(cls, data)

    @model_validator(mode="after")
    def _momentum_needs_optimizer(self) -> PyTorchHyperparameters:
        optimizer = build_time_value(self.optimizer)
        if self.momentum is not None and optimizer not in (None, *MOMENTUM_OPTIMIZERS):
            takers = sorted(MOMENTUM_OPTIMIZERS)
            raise ValueError(
                f"momentum is not a parameter of optimizer {optimizer!r} (torch.optim "
                f"takes it only for {' and '.join(takers)}); remove momentum or set "
                f"optimizer to {' or '.join(map(repr, takers))}"
            )
        return self


class PyTorchTrainingConfig(TrainingConfigBase):
    """Settings of a PyTorch training step (``sagemaker.pytorch.PyTorch``)."""

    framework_version: str = Field(
        "2.8",
        description="SageMaker PyTorch container version; 2.8 is the newest PyTorch training "
        "image sagemaker 2.257.7 knows (image_uri_config/pytorch.json).",
    )
    py_version: str = Field("py312", description="Python version of the PyTorch 2.8 image.")
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
    image_framework: ClassVar[str] = "pytorch"
    default_step_name: ClassVar[str] = "PyTorchTraining"

    def _checkpoint_uri(self, step_name: str) -> Any:
        configured = self.config.checkpoint_s3_uri
        if configured is not None:
            return configured
        bucket = self.sagemaker_session.default_bucket()  # type: ignore[no-untyped-call, unused-ignore]
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

    def _output_references(self, step: Step) -> dict[str, Any]:
        references = super()._output_references(step)
        references["checkpoints"] = step.properties.CheckpointConfig.S3Uri
        return references
