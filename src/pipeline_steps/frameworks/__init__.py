"""The training frameworks, one module (or folder) each, and their registry ``FRAMEWORKS``.

A framework is a hyperparameter model, a training config and a step builder that
follows its script contract. ``FRAMEWORKS`` names them by import path, so the CLI
and templates can list and check frameworks without importing the SageMaker SDK;
``Framework.hyperparameters`` (and ``config``, ``builder``) import on first use.

Adding a framework: write ``frameworks/<name>.py`` (model, config, builder), its
script contract in ``pipeline_script_contracts.registry``, its reference script, and
one entry below. Nothing else names frameworks.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from pipeline_script_contracts import (
    PYTORCH_TRAIN_CONTRACT,
    SKLEARN_TRAIN_CONTRACT,
    XGBOOST_TRAIN_CONTRACT,
    ScriptContract,
)

if TYPE_CHECKING:
    from pipeline_steps.core.hyperparameters import HyperparametersModel
    from pipeline_steps.frameworks.training import TrainingConfigBase, TrainingStepBuilder

__all__ = ["FRAMEWORKS", "Framework", "get_framework"]


@dataclass(frozen=True)
class Framework:
    """One training framework: where its parts live and what the pipeline does with it."""

    name: str
    """The name users pick it by (``--framework xgboost``)."""
    module: str
    """The module holding its hyperparameter model, config and builder."""
    hyperparameters_class: str
    config_class: str
    builder_class: str
    contract: ScriptContract
    evaluated: bool
    """Whether the evaluation step scores its models (it runs the XGBoost container)."""

    def _load(self, attribute: str) -> Any:
        return getattr(importlib.import_module(self.module), attribute)

    @property
    def hyperparameters(self) -> type[HyperparametersModel]:
        """The typed hyperparameter model."""
        return self._load(self.hyperparameters_class)  # type: ignore[no-any-return]

    @property
    def config(self) -> type[TrainingConfigBase]:
        """The training step's config."""
        return self._load(self.config_class)  # type: ignore[no-any-return]

    @property
    def builder(self) -> type[TrainingStepBuilder]:
        """The training step's builder."""
        return self._load(self.builder_class)  # type: ignore[no-any-return]


FRAMEWORKS: Mapping[str, Framework] = MappingProxyType(
    {
        "xgboost": Framework(
            name="xgboost",
            module="pipeline_steps.frameworks.xgboost",
            hyperparameters_class="XGBoostHyperparameters",
            config_class="XGBoostTrainingConfig",
            builder_class="XGBoostTrainingStepBuilder",
            contract=XGBOOST_TRAIN_CONTRACT,
            evaluated=True,
        ),
        "pytorch": Framework(
            name="pytorch",
            module="pipeline_steps.frameworks.pytorch",
            hyperparameters_class="PyTorchHyperparameters",
            config_class="PyTorchTrainingConfig",
            builder_class="PyTorchTrainingStepBuilder",
            contract=PYTORCH_TRAIN_CONTRACT,
            evaluated=False,
        ),
        "sklearn": Framework(
            name="sklearn",
            module="pipeline_steps.frameworks.sklearn",
            hyperparameters_class="SKLearnHyperparameters",
            config_class="SKLearnTrainingConfig",
            builder_class="SKLearnTrainingStepBuilder",
            contract=SKLEARN_TRAIN_CONTRACT,
            evaluated=False,
        ),
    }
)
"""Every training framework the library builds steps for, by name."""


def get_framework(name: str) -> Framework:
    """The framework called ``name``; an unknown name is an error listing the known ones."""
    try:
        return FRAMEWORKS[name]
    except KeyError:
        raise KeyError(
            f"unknown framework {name!r}; known frameworks: {', '.join(FRAMEWORKS)}"
        ) from None
