"""Unit tests for the ``constraints`` event key: the document's own rules, each keyword,
and the handler refusing a violating override before any S3 request."""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.stub import Stubber

from lambda_code import hyperparameter_prep as hp

DOC: dict[str, Any] = {
    "eta": 0.3,
    "max_depth": 6,
    "objective": "binary:logistic",
    "subsample": 1.0,
    "name": "run",
    "nullable": None,
    "optimizer": {"betas": [0.9, 0.999]},
    "flag": False,
}
CONSTRAINTS: dict[str, Any] = {
    "eta": {"type": "number", "minimum": 0, "maximum": 1},
    "max_depth": {"type": "integer", "minimum": 0, "maximum": 30},
    "objective": {"type": "string", "enum": ["binary:logistic", "reg:squarederror"]},
    "subsample": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
    "name": {"type": "string", "minLength": 1, "maxLength": 8},
    "nullable": {"type": ["integer", "null"], "minimum": 1},
    "optimizer.betas.1": {"exclusiveMinimum": 0, "exclusiveMaximum": 1},
    "flag": {"type": "boolean"},
}


# --------------------------------------------------------------------------- the document


def test_valid_constraints_parse_from_text_and_mapping() -> None:
    parsed = hp.parse_constraints(json.dumps(CONSTRAINTS), override_paths=set(CONSTRAINTS))
    assert parsed == CONSTRAINTS
    assert hp.parse_constraints(CONSTRAINTS) == CONSTRAINTS
    assert hp.parse_constraints("") == hp.parse_constraints(None) == {}
    assert set(hp.CONSTRAINT_KEYWORDS) == {
        "type",
        "enum",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "minLength",
        "maxLength",
    }


@pytest.mark.parametrize(
    ("constraints", "named"),
    [
        ("{oops", "constraints: invalid JSON text"),
        ('{"eta": {"minimum": NaN}}', "NaN is not valid JSON"),
        ('{"eta": {}, "eta": {}}', 'key "eta" appears twice'),
        ("[1]", "must hold an object, not array"),
        (5, "must be JSON-object text, not integer"),
        ({"eta": 0.5}, 'constraints["eta"]: must be an object of JSON Schema keywords'),
        ({"eta": {"pattern": "x"}}, 'constraints["eta"]: unknown keyword "pattern"; supported'),
        ({"eta": {"type": "float"}}, "type must be one of string, number, integer"),
        ({"eta": {"type": []}}, "type must be one of"),
        ({"eta": {"type": ["number", "number"]}}, "lists a type twice"),
        ({"eta": {"enum": []}}, "enum must be a non-empty array"),
        ({"eta": {"enum": "a"}}, "enum must be a non-empty array"),
        ({"eta": {"enum": [{"a": 1}]}}, "items must be JSON scalars"),
        ({"eta": {"enum": [math.nan]}}, "items must be JSON scalars"),
        ({"eta": {"minimum": "0"}}, "minimum must be a finite number, not string"),
        ({"eta": {"maximum": True}}, "maximum must be a finite number, not boolean"),
        ({"eta": {"exclusiveMinimum": math.inf}}, "exclusiveMinimum must be a finite number"),
        ({"eta": {"exclusiveMaximum": 10**5000}}, "exclusiveMaximum must be a finite number"),
        ({"name": {"minLength": -1}}, "minLength must be a non-negative integer"),
        ({"name": {"maxLength": 1.5}}, "maxLength must be a non-negative integer"),
        ({"name": {"maxLength": False}}, "maxLength must be a non-negative integer"),
        ({"eta": {"minimum": 2, "maximum": 1}}, "no number meets these bounds"),
        ({"eta": {"exclusiveMinimum": 1, "maximum": 1}}, "no number meets these bounds"),
        ({"eta": {"minimum": 1, "exclusiveMaximum": 1}}, "no number meets these bounds"),
        ({"name": {"minLength": 3, "maxLength": 2}}, "minLength is above maxLength"),
        ({"": {}}, "an override needs a dotted path"),
        ({"a..b": {}}, "empty segment in the dotted path"),
        ({"gamma": {"minimum": 0}}, "constrains override.gamma, which the event does not set"),
        ({"override.eta": {}}, "give the path without the override. prefix"),
    ],
)
def test_bad_constraints_documents_are_refused_clearly(constraints: object, named: str) -> None:
    # GIVEN a constraints document that breaks one of its own rules
    # WHEN parsed for an event that overrides eta and name
    with pytest.raises(hp.InvalidConstraintsError) as caught:
        hp.parse_constraints(constraints, override_paths={"eta", "name", "a..b", ""})
    # THEN the error names the place and what is wrong; it is a bad event, not bad data
    assert named in str(caught.value)
    assert str(caught.value).startswith("constraints")
    assert isinstance(caught.value, hp.InvalidEventError)


# --------------------------------------------------------------------------- each keyword


def applied(overrides: dict[str, object]) -> dict[str, Any]:
    return hp.apply_overrides(DOC, overrides)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"eta": "-0.5"},
            "override.eta (hyperparameters.eta): is below the minimum 0 (rule: constraint minimum)",
        ),
        ({"eta": 1.5}, "is above the maximum 1 (rule: constraint maximum)"),
        ({"max_depth": "31"}, "is above the maximum 30 (rule: constraint maximum)"),
        ({"subsample": "0"}, "must be greater than 0 (rule: constraint exclusiveMinimum)"),
        (
            {"optimizer.betas.1": "1.0"},
            "override.optimizer.betas.1 (hyperparameters.optimizer.betas[1]): must be less "
            "than 1 (rule: constraint exclusiveMaximum)",
        ),
        ({"objective": "multi:softmax"}, 'is not one of ["binary:logistic", "reg:squarederror"]'),
        ({"name": ""}, "is 0 characters long; the minimum is 1 (rule: constraint minLength)"),
        ({"name": "much-too-long"}, "is 13 characters long; the maximum is 8"),
        ({"nullable": "x"}, "is string, not integer or null (rule: constraint type)"),
        ({"nullable": 2.5}, "is float, not integer or null (rule: constraint type)"),
        ({"nullable": 0}, "is below the minimum 1"),
    ],
)
def test_violations_name_the_override_its_path_and_the_keyword(
    overrides: dict[str, object], message: str
) -> None:
    # GIVEN overrides applied (coerced) to the document
    document = applied(overrides)
    snapshot = copy.deepcopy(document)
    # WHEN the constraints are checked
    with pytest.raises(hp.ConstraintViolationError) as caught:
        hp.check_override_constraints(document, CONSTRAINTS, override_paths=set(CONSTRAINTS))
    # THEN the message names the override, its JSON path and the rule; nothing mutated
    assert message in str(caught.value)
    assert isinstance(caught.value, hp.InvalidHyperparametersError)
    assert document == snapshot


@pytest.mark.parametrize(
    "overrides",
    [
        {"eta": "0"},
        {"eta": 1},
        {"max_depth": "30"},
        {"subsample": "1e-9"},
        {"objective": "reg:squarederror"},
        {"name": "x"},
        {"nullable": None},
        {"nullable": 3},
        {"nullable": 3.0},  # an integral float is an integer (JSON Schema)
        {"flag": "true"},
        {"optimizer.betas.1": "0.5"},
    ],
)
def test_values_within_bounds_pass(overrides: dict[str, object]) -> None:
    hp.check_override_constraints(applied(overrides), CONSTRAINTS)


@pytest.mark.parametrize(
    ("value", "fragment", "ok"),
    [
        (1, {"enum": [1.0]}, True),
        (True, {"enum": [1]}, False),
        (1, {"enum": [True]}, False),
        (None, {"enum": [None]}, True),
        ("a", {"minimum": 5}, True),  # numeric keywords apply to numbers only
        (3, {"maxLength": 0}, True),  # length keywords apply to strings only
        (True, {"minimum": 5}, True),  # a boolean is not a number
        (True, {"type": "integer"}, False),
        ([1], {"type": "array"}, True),
        ({"a": 1}, {"type": "object"}, True),
        ("☃☃", {"maxLength": 2}, True),  # characters, not bytes
    ],
)
def test_json_schema_semantics(value: object, fragment: dict[str, Any], ok: bool) -> None:
    document = {"x": value}
    if ok:
        hp.check_override_constraints(document, {"x": fragment})
    else:
        with pytest.raises(hp.ConstraintViolationError):
            hp.check_override_constraints(document, {"x": fragment})


def test_constraint_for_a_missing_value_is_refused() -> None:
    with pytest.raises(hp.InvalidConstraintsError, match=r"have no value at hyperparameters\.nope"):
        hp.check_override_constraints(DOC, {"nope": {}})


# --------------------------------------------------------------------------- in the handler


@pytest.fixture
def stubbed() -> Iterator[tuple[Any, Stubber]]:
    client = boto3.client(
        "s3", region_name="us-east-1", config=Config(retries={"total_max_attempts": 1})
    )
    with Stubber(client) as stub:
        yield client, stub
        stub.assert_no_pending_responses()


def event(**extra: Any) -> dict[str, Any]:
    return {
        "hyperparameters": json.dumps(DOC),
        "bucket": "unit-test-bucket",
        "constraints": json.dumps({"eta": CONSTRAINTS["eta"]}),
        "override.eta": "0.1",
        **extra,
    }


def test_learning_rate_below_its_bound_is_refused_before_any_write(stubbed: Any) -> None:
    # GIVEN the reproduction: LearningRate=-0.5 through a pipeline parameter
    client, _ = stubbed
    # WHEN the handler runs (the stub answers no request: any S3 call fails the test)
    with pytest.raises(hp.ConstraintViolationError) as caught:
        hp.lambda_handler(event(**{"override.eta": "-0.5"}), None, s3_client=client)
    # THEN the error names the override and the rule, never the value
    assert "override.eta (hyperparameters.eta): is below the minimum 0" in str(caught.value)
    assert "-0.5" not in str(caught.value)


def test_value_within_bounds_is_written(stubbed: Any) -> None:
    client, stub = stubbed
    stub.add_response("put_object", {})
    result = hp.lambda_handler(event(), None, s3_client=client)
    assert result["reused"] is False


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"constraints": json.dumps({"max_depth": {"maximum": 3}})}, "which the event does not"),
        ({"constraints": "{bad"}, "constraints: invalid JSON text"),
        ({"constraints": json.dumps({"eta": {"maxItems": 3}})}, 'unknown keyword "maxItems"'),
    ],
)
def test_bad_constraints_fail_the_event_before_any_write(
    stubbed: Any, changes: dict[str, Any], error: str
) -> None:
    client, _ = stubbed
    with pytest.raises(hp.InvalidConstraintsError, match=error):
        hp.lambda_handler(event(**changes), None, s3_client=client)


@pytest.mark.parametrize("empty", ["", None])
def test_empty_constraints_mean_none(stubbed: Any, empty: object) -> None:
    client, stub = stubbed
    stub.add_response("put_object", {})
    hp.lambda_handler(event(constraints=empty, **{"override.eta": "7"}), None, s3_client=client)


def test_constraints_key_is_known() -> None:
    assert hp.CONSTRAINTS_KEY in hp.KNOWN_EVENT_KEYS
