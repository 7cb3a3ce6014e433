"""Unit tests (pure) for apply_overrides: paths, type coercion, immutability."""

from __future__ import annotations

import copy
import math
from typing import Any

import pytest

from lambda_code import hyperparameter_prep as hp


def base() -> dict[str, Any]:
    return {
        "optimizer": {"name": "adam", "lr": 0.001, "betas": [0.9, 0.999], "nesterov": False},
        "epochs": 10,
        "tag": "baseline",
        "note": None,
        "schedule": {"steps": [10, 20]},
        "layers": [{"units": 64}, {"units": 32}],
        "1": "a key that looks like an index",
    }


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        # float stood
        ("optimizer.lr", "0.05", 0.05),
        ("optimizer.lr", " 1e-3 ", 0.001),
        ("optimizer.lr", ".5", 0.5),
        ("optimizer.lr", 3, 3.0),
        ("optimizer.lr", 0.2, 0.2),
        ("optimizer.betas.1", "0.99", 0.99),
        # int stood
        ("epochs", "3", 3),
        ("epochs", "+3", 3),
        ("epochs", "3.0", 3),
        ("epochs", "1e3", 1000),
        ("epochs", "-12", -12),
        ("epochs", 7, 7),
        ("epochs", 4.0, 4),
        ("epochs", "123456789012345678901234567890", 123456789012345678901234567890),
        ("epochs", "9" * 4300, int("9" * 4300)),
        ("epochs", "0e99999999", 0),
        ("epochs", "1.000", 1),
        # bool stood
        ("optimizer.nesterov", "true", True),
        ("optimizer.nesterov", "TRUE", True),
        ("optimizer.nesterov", "False", False),
        ("optimizer.nesterov", True, True),
        # str stood
        ("tag", "new", "new"),
        ("tag", "", ""),
        ("tag", 3, "3"),
        ("tag", 0.05, "0.05"),
        ("optimizer.name", "sgd", "sgd"),
        # null stood: any scalar as is
        ("note", "text", "text"),
        ("note", 1.5, 1.5),
        ("note", None, None),
        # containers: same kind or JSON text of that kind
        ("schedule.steps", "[1, 2, 3]", [1, 2, 3]),
        ("schedule.steps", [5], [5]),
        ("schedule", '{"steps": [7]}', {"steps": [7]}),
        # list element inside an object inside a list
        ("layers.1.units", "128", 128),
        # a numeric segment on an object is a key
        ("1", "x", "x"),
    ],
)
def test_override_is_coerced_to_the_type_it_replaces(
    path: str, value: object, expected: object
) -> None:
    # GIVEN hyperparameters and one override
    # WHEN applied
    result = hp.apply_overrides(base(), {path: value})
    # THEN the value at the path is the coerced value, of the expected type
    node: Any = result
    for segment in path.split("."):
        node = node[int(segment)] if isinstance(node, list) else node[segment]
    assert node == expected
    assert type(node) is type(expected)


@pytest.mark.parametrize(
    ("path", "value", "from_type", "to_type"),
    [
        ("optimizer.lr", "abc", "string", "float"),
        ("optimizer.lr", "nan", "string", "float"),
        ("optimizer.lr", "inf", "string", "float"),
        ("optimizer.lr", "1e999", "string", "float"),
        ("optimizer.lr", "1_000.5", "string", "float"),
        ("optimizer.lr", True, "boolean", "float"),
        ("optimizer.lr", None, "null", "float"),
        ("optimizer.lr", 10**400, "integer", "float"),
        ("epochs", "3.5", "string", "integer"),
        ("epochs", 3.5, "float", "integer"),
        ("epochs", "0x10", "string", "integer"),
        ("epochs", "", "string", "integer"),
        ("epochs", True, "boolean", "integer"),
        ("epochs", float("nan"), "float", "integer"),
        ("epochs", "1e99999", "string", "integer"),
        ("epochs", "1" * 4301, "string", "integer"),
        ("epochs", "1e-99999999999", "string", "integer"),
        ("epochs", "123456789e-3", "string", "integer"),
        ("optimizer.nesterov", 1, "integer", "boolean"),
        ("optimizer.nesterov", "yes", "string", "boolean"),
        ("optimizer.nesterov", "1", "string", "boolean"),
        ("tag", True, "boolean", "string"),
        ("tag", None, "null", "string"),
        ("tag", float("inf"), "float", "string"),
        ("schedule.steps", "{}", "string", "array"),
        ("schedule.steps", "not json", "string", "array"),
        ("schedule", 5, "integer", "object"),
        ("note", [1], "array", "null"),
    ],
)
def test_uncoercible_value_names_path_and_both_types(
    path: str, value: object, from_type: str, to_type: str
) -> None:
    # GIVEN an override value that cannot take the type of the value it replaces
    # WHEN applied
    with pytest.raises(hp.InvalidHyperparametersError) as caught:
        hp.apply_overrides(base(), {path: value})
    message = str(caught.value)
    # THEN the message names the event key, the JSON path and both types
    assert message.startswith(f"override.{path} (hyperparameters.")
    assert f"({from_type}) to {to_type}" in message
    assert "(rule: override" in message


def test_uncoercible_message_does_not_echo_the_value() -> None:
    # GIVEN a string override that could be sensitive
    with pytest.raises(hp.InvalidHyperparametersError) as caught:
        hp.apply_overrides(base(), {"epochs": "my-private-value"})
    # THEN the value is not in the message
    assert "my-private-value" not in str(caught.value)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("optimizer.momentum", 'hyperparameters.optimizer): has no key "momentum"'),
        ("missing", 'hyperparameters): has no key "missing"'),
        ("optimizer.lr.x", "hyperparameters.optimizer.lr): is float, not an object or array"),
        ("tag.0", "hyperparameters.tag): is string, not an object or array"),
        ("optimizer.betas.2", "hyperparameters.optimizer.betas): has 2 items; index 2"),
        ("optimizer.betas.-1", 'hyperparameters.optimizer.betas): is an array; "-1" is not'),
        ("optimizer.betas.01", 'is an array; "01" is not an index'),
        ("optimizer.betas.x", 'is an array; "x" is not an index'),
        ("optimizer..lr", "empty segment in the dotted path"),
        ("optimizer.", "empty segment in the dotted path"),
        ("", "an override needs a dotted path"),
    ],
)
def test_bad_override_paths_are_refused(path: str, expected: str) -> None:
    # GIVEN an override whose path does not reach an existing value
    # WHEN applied THEN the error names the path and the rule
    with pytest.raises(hp.InvalidHyperparametersError) as caught:
        hp.apply_overrides(base(), {path: 1})
    assert caught.value.path.startswith(f"override.{path}")
    assert expected in str(caught.value)
    assert "(rule: override paths)" in str(caught.value)


def test_overlapping_overrides_are_refused() -> None:
    # GIVEN overrides of a container and of a value inside it
    with pytest.raises(hp.InvalidHyperparametersError, match=r"overlaps override\.optimizer;"):
        hp.apply_overrides(base(), {"optimizer.lr": "0.1", "optimizer": "{}"})


def test_input_is_never_mutated_and_result_is_new() -> None:
    # GIVEN hyperparameters and a deep copy of them
    original = base()
    snapshot = copy.deepcopy(original)
    # WHEN several nested overrides are applied
    result = hp.apply_overrides(
        original, {"optimizer.lr": "0.5", "optimizer.betas.0": "0.8", "layers.0.units": 1}
    )
    # THEN the input is unchanged and the result carries the new values
    assert original == snapshot
    assert result is not original
    assert result["optimizer"]["lr"] == 0.5
    assert result["optimizer"]["betas"] == [0.8, 0.999]
    assert result["layers"][0]["units"] == 1
    assert result["layers"][1] is original["layers"][1]  # untouched subtrees are shared


def test_no_overrides_returns_an_equal_new_dict() -> None:
    # GIVEN no overrides WHEN applied THEN an equal but distinct dict comes back
    original = base()
    result = hp.apply_overrides(original, {})
    assert result == original
    assert result is not original


def test_tuple_along_the_path_is_copied_to_a_list() -> None:
    # GIVEN a tuple in the document (json writes tuples as arrays)
    original = {"betas": (0.9, 0.99)}
    # WHEN an element is overridden THEN the result holds a list and the tuple is intact
    result = hp.apply_overrides(original, {"betas.0": "0.5"})
    assert result == {"betas": [0.5, 0.99]}
    assert original == {"betas": (0.9, 0.99)}


def test_non_mapping_hyperparameters_are_refused() -> None:
    # GIVEN a list instead of an object WHEN overrides are applied THEN it is refused
    with pytest.raises(hp.InvalidHyperparametersError, match="must be a JSON object"):
        hp.apply_overrides([1], {"0": 2})  # type: ignore[arg-type]


def test_coerced_float_is_finite() -> None:
    # GIVEN the largest finite float as text WHEN coerced THEN it stays finite
    result = hp.apply_overrides({"x": 1.0}, {"x": "1.7976931348623157e308"})
    assert math.isfinite(result["x"])
