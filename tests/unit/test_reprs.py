"""How builders, hyperparameter models and the contract list show themselves."""

from __future__ import annotations

import json
import pickle
import re

import pytest

from pipeline_script_contracts import CONTRACTS, ContractNames, list_contracts
from pipeline_steps import (
    FRAMEWORKS,
    HyperparameterPrepConfig,
    HyperparameterPrepStepBuilder,
    ModelEvaluationConfig,
    ModelEvaluationStepBuilder,
    XGBoostHyperparameters,
)
from pipeline_steps.reference_scripts import REFERENCE_SCRIPTS_DIR
from pipeline_steps.sdk import ParameterFloat, ParameterInteger

ROLE = "arn:aws:iam::123456789012:role/sagemaker-reprs"


def test_model_repr_shows_non_default_fields_and_parameters() -> None:
    """GIVEN a model with a literal at its default, two changed literals and parameters
    WHEN repr'd
    THEN only the changed fields appear, in field order, parameters as
    'Name (parameter, default x)' (or '(parameter)' without a default)."""
    model = XGBoostHyperparameters(
        objective="reg:squarederror",  # the default
        max_depth=6,
        learning_rate=ParameterFloat(name="LearningRate", default_value=0.1),
        n_estimators=200,
        early_stopping_rounds=ParameterInteger(name="Patience"),
    )
    assert repr(model) == (
        "XGBoostHyperparameters(n_estimators=200, early_stopping_rounds=Patience (parameter), "
        "learning_rate=LearningRate (parameter, default 0.1), max_depth=6)"
    )
    assert str(model) == repr(model)
    assert repr(XGBoostHyperparameters()) == "XGBoostHyperparameters()"


@pytest.mark.parametrize("name", list(FRAMEWORKS))
def test_every_frameworks_default_model_reprs_short(name: str) -> None:
    """GIVEN each registry framework's model at its defaults WHEN repr'd THEN 'Class()'."""
    model_class = FRAMEWORKS[name].hyperparameters
    assert repr(model_class()) == f"{model_class.__name__}()"


def test_model_html_is_an_escaped_table_of_the_changed_fields() -> None:
    """GIVEN a model with a parameter whose name holds HTML and a changed literal
    WHEN rendered for a notebook
    THEN it is a table with field, value, default, description; values escaped; the
    fields at their defaults are named below it."""
    model = XGBoostHyperparameters(
        learning_rate=ParameterFloat(name="<b>LR</b>", default_value=0.1),
        eval_metric="auc",
    )
    html = model._repr_html_()
    assert "<th>field</th><th>value</th><th>default</th><th>description</th>" in html
    assert (
        "<td><code>learning_rate</code></td><td>&lt;b&gt;LR&lt;/b&gt; (parameter, default 0.1)</td>"
        in html
    )
    assert "<b>LR</b>" not in html
    assert re.search(r"At their defaults: n_estimators, early_stopping_rounds, ", html)


def builders() -> list[object]:
    scripts = str(REFERENCE_SCRIPTS_DIR)
    made: list[object] = [
        HyperparameterPrepStepBuilder(
            HyperparameterPrepConfig(bucket="repr-bucket", lambda_role_arn=ROLE)
        ),
        ModelEvaluationStepBuilder(
            ModelEvaluationConfig(
                role_arn=ROLE,
                source_dir=scripts,
                environment={"ID_FIELD": "id", "LABEL_FIELD": "label"},
            )
        ),
    ]
    for spec in FRAMEWORKS.values():
        made.append(
            spec.builder(spec.config.model_validate({"role_arn": ROLE, "source_dir": scripts}))
        )
    return made


@pytest.mark.parametrize("builder", builders(), ids=lambda b: type(b).__name__)
def test_builder_repr_names_step_framework_and_key_settings(builder: object) -> None:
    """GIVEN each builder
    WHEN repr'd
    THEN it names its step, its framework (training and evaluation builders) and its
    key settings, and no memory address."""
    text = repr(builder)
    assert text.startswith(f"{type(builder).__name__}(step_name='{builder.step_name}'")  # type: ignore[attr-defined]
    assert " at 0x" not in text
    framework = builder.framework  # type: ignore[attr-defined]
    if isinstance(builder, HyperparameterPrepStepBuilder):
        assert framework is None
        assert "bucket='repr-bucket'" in text
        assert "runtime='python3" in text
    else:
        assert f"framework='{framework}'" in text
        assert "instance_type='ml." in text
        assert f"role_arn='{ROLE}'" in text
    html = builder._repr_html_()  # type: ignore[attr-defined]
    assert html.startswith("<div>")
    assert builder.contract.entry_point in html  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", list(FRAMEWORKS))
def test_training_builders_name_their_registry_framework(name: str) -> None:
    """GIVEN a framework's builder WHEN asked its framework THEN it is the registry name."""
    spec = FRAMEWORKS[name]
    builder = spec.builder(
        spec.config.model_validate({"role_arn": ROLE, "source_dir": str(REFERENCE_SCRIPTS_DIR)})
    )
    assert builder.framework == name


def test_list_contracts_is_still_the_tuple_of_names() -> None:
    """GIVEN list_contracts()
    WHEN used as the tuple it always was
    THEN equality, hashing, indexing, slicing, JSON and pickling behave as a tuple's."""
    names = list_contracts()
    plain = tuple(CONTRACTS)
    assert isinstance(names, tuple)
    assert isinstance(names, ContractNames)
    assert names == plain
    assert hash(names) == hash(plain)
    assert names[0] == plain[0]
    assert names[1:] == plain[1:]
    assert list(names) == list(plain)
    assert json.dumps(names) == json.dumps(plain)
    assert pickle.loads(pickle.dumps(names)) == names
    assert "xgboost_train" in names


def test_list_contracts_shows_a_table_of_the_contracts() -> None:
    """GIVEN list_contracts()
    WHEN shown as text and HTML
    THEN the text fits 100 columns and names every contract's entry point, container,
    inputs and outputs; the HTML is a five-column table with a row per contract."""
    names = list_contracts()
    text = repr(names)
    assert str(names) == text
    assert max(len(line) for line in text.splitlines()) <= 100
    html = names._repr_html_()
    assert html.count("<tr>") == len(CONTRACTS) + 1
    for header in ("name", "entry point", "container", "inputs", "outputs"):
        assert f"<th>{header}</th>" in html
    for contract in CONTRACTS.values():
        assert contract.entry_point in text
        assert f"<code>{contract.entry_point}</code>" in html
        for logical in (*contract.input_names, *contract.output_names):
            assert logical in text
            assert f"<code>{logical}</code>" in html
