"""The FRAMEWORKS registry is the one list of frameworks: CLI, templates and README follow it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline_script_contracts import ContainerType
from pipeline_steps import FRAMEWORKS, HyperparametersModel, StepBuilderError
from pipeline_steps.core.hyperparameters import HyperparametersModel as BaseModelClass
from pipeline_steps.frameworks import get_framework
from pipeline_steps.frameworks.training import TrainingConfigBase, TrainingStepBuilder
from pipeline_steps.tools.cli import build_parser
from pipeline_steps.tools.templates import build_training_pipeline, hyperparameter_model

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.mark.parametrize("name", list(FRAMEWORKS))
def test_each_framework_resolves_to_its_parts(name: str) -> None:
    """GIVEN a registry entry
    WHEN its parts are loaded
    THEN they are a hyperparameter model, a training config and a builder of its contract."""
    framework = FRAMEWORKS[name]
    assert framework.name == name
    assert issubclass(framework.hyperparameters, HyperparametersModel)
    assert framework.hyperparameters is not BaseModelClass
    assert issubclass(framework.config, TrainingConfigBase)
    assert issubclass(framework.builder, TrainingStepBuilder)
    assert framework.builder.contract is framework.contract
    assert framework.builder.config_class is framework.config
    assert framework.contract.container_type is ContainerType.TRAINING
    # every model is constructible with its defaults
    framework.hyperparameters()


def test_cli_framework_choices_are_the_registry() -> None:
    """GIVEN the CLI parser
    WHEN the definition command's --framework choices are read
    THEN they are exactly the registry's names."""
    parser = build_parser()
    subparsers = next(a for a in parser._actions if a.dest == "command")
    definition = subparsers.choices["definition"]  # type: ignore[index]
    framework = next(a for a in definition._actions if a.dest == "framework")
    assert list(framework.choices) == list(FRAMEWORKS)


@pytest.mark.parametrize("name", list(FRAMEWORKS))
def test_readme_documents_every_framework(name: str) -> None:
    """GIVEN the README
    WHEN it is searched for the framework
    THEN the definition command is shown with it."""
    text = README.read_text(encoding="utf-8")
    assert re.search(rf"--framework {name}\b", text), f"README never shows --framework {name}"


def test_unknown_framework_is_an_error_never_a_fallback() -> None:
    """GIVEN a framework name the registry lacks
    WHEN a model or a pipeline is asked for
    THEN the error lists the known frameworks (no silent PyTorch fallback)."""
    with pytest.raises(KeyError) as caught:
        get_framework("tensorflow")
    assert "known frameworks: " + ", ".join(FRAMEWORKS) in str(caught.value)
    with pytest.raises(KeyError, match="unknown framework 'tensorflow'"):
        hyperparameter_model("tensorflow", {})
    with pytest.raises(StepBuilderError, match="unknown framework 'tensorflow'"):
        build_training_pipeline(
            framework="tensorflow",
            hyperparameters={},
            role_arn="arn:aws:iam::123456789012:role/r",
            bucket="bucket",
            sagemaker_session=None,  # type: ignore[arg-type]
        )
