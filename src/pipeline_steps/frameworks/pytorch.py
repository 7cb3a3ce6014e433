"""PyTorch: the hyperparameters of the reference training script ``train.py``.

``train.py`` trains a multilayer perceptron (binary classification, one logit) on the
CSV channels of ``PYTORCH_TRAIN_CONTRACT`` and honours every field below. Each field
takes a literal or a pipeline parameter of a matching type, as in the other framework
models. A hyperparameters dict given instead of this model reaches the script as it
is; the script then refuses unknown names at start-up.

Where the script puts things (``train.py``'s docstring says the same): channels from
``SM_CHANNEL_TRAIN``, ``SM_CHANNEL_VALIDATION`` and ``SM_CHANNEL_CONFIG``
(``hyperparameters.json``), the model in ``SM_MODEL_DIR``, metrics and the loss history
in ``SM_OUTPUT_DATA_DIR``, checkpoints in ``$PIPELINE_CHECKPOINT_DIR`` (default
``/opt/ml/checkpoints``, the folder SageMaker syncs with ``checkpoint_s3_uri``).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from pydantic import Field, model_validator
from sagemaker.workflow.parameters import Parameter

from pipeline_steps.frameworks.unknown_names import refuse_unknown_names
from pipeline_steps.hyperparameter_models import AcceptsParameter, HyperparametersModel, _field

__all__ = ["MOMENTUM_OPTIMIZERS", "PYTORCH_OPTIMIZERS", "PyTorchHyperparameters"]

OptimizerName = Literal["adam", "adamw", "sgd", "rmsprop", "adagrad"]

PYTORCH_OPTIMIZERS: tuple[str, ...] = get_args(OptimizerName)
"""The optimizers ``train.py`` builds (``torch.optim.Adam``, ``AdamW``, ``SGD``, ...)."""

MOMENTUM_OPTIMIZERS: frozenset[str] = frozenset({"sgd", "rmsprop"})
"""Optimizers whose torch class takes ``momentum``; Adam, AdamW and Adagrad have none."""


def _known(value: Any) -> Any:
    """A field's value as known at build time: a pipeline parameter counts as its default."""
    return value.default_value if isinstance(value, Parameter) else value


class PyTorchHyperparameters(HyperparametersModel):
    """Hyperparameters of the PyTorch training script (``train.py``).

    Example::

        PyTorchHyperparameters(learning_rate=1e-3, batch_size=64, epochs=10,
                               hidden_size=256, dropout=0.1, optimizer="adamw",
                               weight_decay=0.01)
        PyTorchHyperparameters(optimizer="sgd", momentum=0.9, gradient_clip_norm=1.0,
                               use_amp=True)
    """

    learning_rate: Annotated[float | Parameter, _field(float, gt=0.0, le=10.0)] = Field(
        1e-3, description="Optimizer learning rate (lr)."
    )
    batch_size: Annotated[int | Parameter, _field(int, ge=1, le=65_536)] = Field(
        32, description="Rows per optimizer step; the last batch of an epoch may be smaller."
    )
    epochs: Annotated[int | Parameter, _field(int, ge=1, le=10_000)] = Field(
        10,
        description="Total passes over the training data; a resumed job trains only the "
        "epochs its checkpoint has not done yet.",
    )
    hidden_size: Annotated[int | Parameter, _field(int, ge=1, le=65_536)] = Field(
        128, description="Width of each hidden layer."
    )
    num_layers: Annotated[int | Parameter, _field(int, ge=1, le=1_000)] = Field(
        2, description="Number of hidden layers (Linear, ReLU, Dropout each)."
    )
    dropout: Annotated[float | Parameter, _field(float, ge=0.0, lt=1.0)] = Field(
        0.1, description="Dropout probability after each hidden layer, in [0, 1)."
    )
    optimizer: Annotated[OptimizerName | Parameter, AcceptsParameter(OptimizerName, str)] = Field(
        "adam", description="Optimizer: adam, adamw, sgd, rmsprop or adagrad (torch.optim)."
    )
    weight_decay: Annotated[float | Parameter, _field(float, ge=0.0, le=1.0)] = Field(
        0.0, description="Weight decay passed to the optimizer (decoupled for adamw)."
    )
    momentum: Annotated[float | Parameter | None, _field(float, ge=0.0, lt=1.0)] = Field(
        None, description="Momentum, for sgd and rmsprop only; unset means 0."
    )
    gradient_clip_norm: Annotated[float | Parameter | None, _field(float, gt=0.0)] = Field(
        None, description="Clip the gradients' global L2 norm to this value; unset: no clipping."
    )
    seed: Annotated[int | Parameter, _field(int, ge=0, le=2**32 - 1)] = Field(
        42, description="Seed of weight initialisation, shuffling and dropout."
    )
    use_amp: Annotated[bool | Parameter, _field(bool)] = Field(
        False,
        description="Automatic mixed precision: torch.autocast with bfloat16 on CPU, float16 "
        "with a GradScaler on CUDA.",
    )

    @model_validator(mode="before")
    @classmethod
    def _refuse_unknown_names(cls, data: Any) -> Any:
        return refuse_unknown_names(cls, data)

    @model_validator(mode="after")
    def _momentum_needs_optimizer(self) -> PyTorchHyperparameters:
        optimizer = _known(self.optimizer)
        if self.momentum is not None and optimizer not in (None, *MOMENTUM_OPTIMIZERS):
            raise ValueError(
                f"momentum is not a parameter of optimizer {optimizer!r} (torch.optim "
                f"takes it only for {' and '.join(sorted(MOMENTUM_OPTIMIZERS))}); remove "
                "momentum or set optimizer to 'sgd' or 'rmsprop'"
            )
        return self
