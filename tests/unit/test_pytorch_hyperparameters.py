"""PyTorchHyperparameters (frameworks/pytorch.py) and the checks train.py makes of the same names.

Both read pytorch_hyperparameters.json beside the scripts (names, defaults, rules); the model
also declares the types and bounds as pydantic fields, and these tests hold the two
together. train.py is loaded with ``load_script`` (compiled in memory, with its sibling
``job_io``), so no ``__pycache__`` lands in the scripts folder.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest
from pydantic import ValidationError

from pipeline_steps.frameworks.pytorch import (
    MOMENTUM_OPTIMIZERS,
    PYTORCH_OPTIMIZERS,
    PyTorchHyperparameters,
)
from pipeline_steps.reference_scripts import load_data_file, load_script
from pipeline_steps.sdk import ParameterBoolean, ParameterFloat, ParameterInteger, ParameterString

TABLE = load_data_file("pytorch_hyperparameters.json")
RULES = TABLE["parameters"]
BOUND_KEYWORDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")


@pytest.fixture(scope="module")
def script() -> ModuleType:
    """train.py as a module, without running main()."""
    return load_script("train.py")


def _error_fields(error: ValidationError) -> list[str]:
    return [".".join(str(part) for part in item["loc"]) for item in error.errors()]


def test_defaults_construct_and_dump_without_unset_optionals() -> None:
    """GIVEN no arguments WHEN the model is built THEN it has the documented defaults and
    leaves the unset optional fields (momentum, gradient_clip_norm) out of the dump."""
    dumped = PyTorchHyperparameters().to_hyperparameters()

    assert dumped == {
        "learning_rate": 1e-3,
        "batch_size": 32,
        "epochs": 10,
        "hidden_size": 128,
        "num_layers": 2,
        "dropout": 0.1,
        "optimizer": "adam",
        "weight_decay": 0.0,
        "seed": 42,
        "use_amp": False,
    }


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("learning_rate", 0.0),
        ("learning_rate", 10.5),
        ("batch_size", 0),
        ("batch_size", 2.0),
        ("epochs", 0),
        ("epochs", "3"),
        ("hidden_size", 0),
        ("num_layers", 0),
        ("dropout", 1.0),
        ("dropout", -0.1),
        ("optimizer", "lbfgs"),
        ("weight_decay", -0.01),
        ("momentum", 1.0),
        ("gradient_clip_norm", 0.0),
        ("seed", -1),
        ("seed", 2**32),
        ("use_amp", "yes"),
        ("use_amp", 1),
    ],
)
def test_out_of_range_values_name_the_field(field: str, value: Any) -> None:
    """GIVEN a value outside a field's bounds or type WHEN validated THEN the error names it."""
    extra = {"optimizer": "sgd"} if field == "momentum" else {}
    with pytest.raises(ValidationError) as caught:
        PyTorchHyperparameters(**extra, **{field: value})
    assert field in _error_fields(caught.value)


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [("learning_rat", "learning_rate"), ("use_ampp", "use_amp"), ("batchsize", "batch_size")],
)
def test_unknown_name_is_refused_with_the_closest_known_name(name: str, suggestion: str) -> None:
    """GIVEN a misspelt hyperparameter WHEN validated THEN the error suggests the real name."""
    with pytest.raises(ValidationError, match=f"did you mean '{suggestion}'"):
        PyTorchHyperparameters(**{name: 1})


def test_unknown_name_without_a_close_match_lists_the_known_names() -> None:
    """GIVEN a name like no field WHEN validated THEN the known names are listed instead."""
    with pytest.raises(ValidationError) as caught:
        PyTorchHyperparameters(**{"warp_drive": True})
    message = str(caught.value)
    assert "did you mean" not in message
    assert "known names: batch_size, dropout, epochs" in message


@pytest.mark.parametrize("optimizer", sorted(set(PYTORCH_OPTIMIZERS) - MOMENTUM_OPTIMIZERS))
def test_momentum_is_refused_for_optimizers_without_it(optimizer: str) -> None:
    """GIVEN momentum with adam, adamw or adagrad WHEN validated THEN the fix is named."""
    with pytest.raises(ValidationError, match="set optimizer to 'rmsprop' or 'sgd'"):
        PyTorchHyperparameters(optimizer=optimizer, momentum=0.9)


@pytest.mark.parametrize("optimizer", sorted(MOMENTUM_OPTIMIZERS))
def test_momentum_is_accepted_where_torch_takes_it(optimizer: str) -> None:
    """GIVEN momentum with sgd or rmsprop WHEN validated THEN it is kept."""
    model = PyTorchHyperparameters(optimizer=optimizer, momentum=0.9)
    assert model.to_hyperparameters()["momentum"] == 0.9


def test_momentum_rule_reads_an_optimizer_parameter_default() -> None:
    """GIVEN the optimizer as a pipeline parameter WHEN momentum is set THEN its default decides,
    and a parameter without a default is left to the script's run-time check."""
    with pytest.raises(ValidationError, match="momentum is not a parameter of optimizer 'adam'"):
        PyTorchHyperparameters(optimizer=ParameterString("Optimizer", "adam"), momentum=0.9)
    PyTorchHyperparameters(optimizer=ParameterString("Optimizer", "sgd"), momentum=0.9)
    PyTorchHyperparameters(optimizer=ParameterString("Optimizer"), momentum=0.9)


def test_every_field_takes_a_pipeline_parameter_of_its_type() -> None:
    """GIVEN a parameter of the matching type for each field WHEN validated THEN it is kept."""
    model = PyTorchHyperparameters(
        learning_rate=ParameterFloat("LearningRate", 0.01),
        batch_size=ParameterInteger("BatchSize", 64),
        epochs=ParameterInteger("Epochs", 3),
        optimizer=ParameterString("Optimizer", "sgd"),
        momentum=ParameterFloat("Momentum", 0.5),
        use_amp=ParameterBoolean("UseAmp", default_value=True),
    )
    assert model.to_hyperparameters()["use_amp"].parameter_type.value == "Boolean"
    with pytest.raises(ValidationError, match="is a Float parameter"):
        PyTorchHyperparameters(epochs=ParameterFloat("Epochs", 3.0))
    with pytest.raises(ValidationError):
        PyTorchHyperparameters(dropout=ParameterFloat("Dropout", 1.5))


# ------------------------------------------- the data file, the model and train.py agree


def test_data_file_names_exactly_the_model_fields_with_the_same_defaults() -> None:
    """GIVEN pytorch_hyperparameters.json WHEN compared with the model THEN the names and
    defaults agree, and so do the optimizers (the field's Literal) and those with momentum."""
    fields = PyTorchHyperparameters.model_fields

    assert sorted(RULES) == sorted(fields)
    assert {name: rules["default"] for name, rules in RULES.items()} == {
        name: field.default for name, field in fields.items()
    }
    assert tuple(RULES["optimizer"]["enum"]) == PYTORCH_OPTIMIZERS
    assert set(TABLE["momentum_optimizers"]) == MOMENTUM_OPTIMIZERS


def _literal_schema(name: str) -> dict[str, Any]:
    """The model's JSON schema of ``name`` without the pipeline-parameter and null options."""
    schema = PyTorchHyperparameters.model_json_schema()["properties"][name]
    options = [
        option
        for option in schema.get("anyOf", [schema])
        if option.get("type") in ("integer", "number", "boolean", "string")
    ]
    assert len(options) == 1, schema
    return options[0]


@pytest.mark.parametrize("name", sorted(PyTorchHyperparameters.model_fields))
def test_data_file_rules_match_the_model_fields(name: str) -> None:
    """GIVEN a field WHEN the data file's rules and the model's JSON schema are compared
    THEN type, choices and bounds are the same, so a dict that skips the model meets the
    same rules in train.py."""
    schema = _literal_schema(name)
    rules = RULES[name]

    assert schema["type"] == rules["type"]
    assert schema.get("enum") == rules.get("enum")
    assert {k: schema[k] for k in BOUND_KEYWORDS if k in schema} == {
        k: rules[k] for k in BOUND_KEYWORDS if k in rules
    }


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"learning_rat": 0.1}, "unknown hyperparameter(s) 'learning_rat' (did you mean "),
        ({"epochs": "3"}, "hyperparameter 'epochs' is \"3\"; expected an integer in [1, 10000]"),
        ({"epochs": 2.0}, "expected an integer"),
        ({"use_amp": 1}, "hyperparameter 'use_amp' is 1; expected true or false"),
        ({"optimizer": "lbfgs"}, "expected one of adam, adamw, sgd, rmsprop, adagrad"),
        ({"dropout": 1.0}, "expected a number in [0.0, 1.0)"),
        ({"learning_rate": 0.0}, "expected a number in (0.0, 10.0]"),
        ({"gradient_clip_norm": -1.0}, "expected a number in (0.0, inf]"),
        ({"momentum": 0.9}, "'momentum' is not used by optimizer 'adam'"),
    ],
)
def test_script_refuses_what_the_model_refuses(
    script: ModuleType, given: Any, message: str
) -> None:
    """GIVEN hyperparameters that never met the model (a plain dict) WHEN train.py checks them
    THEN it refuses with one line that names the key and the rule."""
    with pytest.raises(script.ScriptError) as caught:
        script.check_hyperparameters(given)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_script_fills_defaults_and_keeps_model_output(script: ModuleType) -> None:
    """GIVEN the model's dump WHEN train.py checks it THEN every value comes through as typed."""
    dumped = PyTorchHyperparameters(
        optimizer="rmsprop", momentum=0.5, epochs=3
    ).to_hyperparameters()
    checked = script.check_hyperparameters(dumped)
    assert checked == {**dumped, "gradient_clip_norm": None}
