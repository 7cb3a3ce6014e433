"""Unit tests (pure, no S3) for the hyperparameter rules, parsing and canonical JSON."""

from __future__ import annotations

import json
import pickle
from collections import OrderedDict
from decimal import Decimal
from enum import IntEnum
from types import MappingProxyType
from typing import Any

import pytest

from lambda_code import hyperparameter_prep as hp

CANONICAL = {"indent": 2, "sort_keys": True, "allow_nan": False}


def nested(levels: int) -> dict[str, Any]:
    """A document whose containers nest ``levels`` deep (the top-level object is level 1)."""
    doc: dict[str, Any] = {}
    current = doc
    for _ in range(levels - 1):
        current["n"] = {}
        current = current["n"]
    return doc


def rule_error(doc: object) -> hp.InvalidHyperparametersError:
    with pytest.raises(hp.InvalidHyperparametersError) as caught:
        hp.validate_hyperparameters(doc)
    return caught.value


# --------------------------------------------------------------------------- canonical JSON


def test_serialise_equals_stdlib_canonical_form() -> None:
    # GIVEN a realistic nested document with unicode, floats, bools and null
    doc = {
        "optimizer": {"name": "adam", "lr": 1e-3, "betas": [0.9, 0.999], "amsgrad": False},
        "model": {"layers": [64, 32], "dropout": 0.1, "activation": None, "tag": "naïve ☃"},
        "epochs": 10,
    }
    # WHEN it is serialised
    text = hp.serialize_hyperparameters(doc)
    # THEN the text is exactly json.dumps(indent=2, sort_keys=True, allow_nan=False)
    assert text == json.dumps(doc, **CANONICAL)
    assert json.loads(text) == doc


def test_serialise_is_independent_of_key_order() -> None:
    # GIVEN two dicts with the same content in different insertion orders
    first = {"b": 1, "a": {"y": 2, "x": 3}}
    second = {"a": {"x": 3, "y": 2}, "b": 1}
    # WHEN both are serialised THEN the texts are identical
    assert hp.serialize_hyperparameters(first) == hp.serialize_hyperparameters(second)


def test_canonical_bytes_match_text_and_hash() -> None:
    # GIVEN a document large enough to span several encoder blocks
    doc = {f"k{i}": [i, i / 3, f"v{i}", None, True] for i in range(3000)}
    # WHEN the handler's internal encode+hash runs
    body, digest = hp.canonical_bytes(doc)
    # THEN body is the canonical text's bytes and the digest is its SHA-256
    import hashlib

    assert body == json.dumps(doc, **CANONICAL).encode("ascii")
    assert digest == hashlib.sha256(body).hexdigest()


def test_tuples_subclasses_and_numpy_like_floats_serialise_like_stdlib() -> None:
    # GIVEN JSON-compatible Python values json.dumps accepts: tuple, OrderedDict,
    # IntEnum and float subclasses
    class Level(IntEnum):
        HIGH = 3

    class F(float):
        pass

    doc = {"t": (1, 2), "o": OrderedDict(b=1, a=2), "e": Level.HIGH, "f": F(0.5)}
    # WHEN serialised THEN the output matches json.dumps
    assert hp.serialize_hyperparameters(doc) == json.dumps(doc, **CANONICAL)


def test_top_level_mapping_that_is_not_a_dict_is_accepted() -> None:
    # GIVEN a read-only mapping at the top level (json.dumps itself would refuse it)
    doc = MappingProxyType({"b": 1, "a": [2]})
    # WHEN serialised THEN it is written like the equivalent dict
    assert hp.serialize_hyperparameters(doc) == json.dumps(dict(doc), **CANONICAL)
    hp.validate_hyperparameters(doc)


def test_ml_names_that_merely_contain_token_or_secret_pass() -> None:
    # GIVEN ordinary ML hyperparameter names near the credential names
    doc = {
        "max_tokens": 10,
        "tokenizer": "bpe",
        "token_dropout": 0.1,
        "secret_sauce_weight": 0.5,
        "pad_token": "<pad>",
        "bos_token_id": 1,
        "key_dim": 64,
        "num_keys": 8,
        "passage_len": 512,
        "monkey": "patch",
    }
    # WHEN validated THEN nothing is refused
    hp.validate_hyperparameters(doc)


def test_depth_limit_is_inclusive() -> None:
    # GIVEN a document exactly 32 levels deep (top-level object is level 1)
    # WHEN validated THEN it passes
    hp.validate_hyperparameters(nested(hp.MAX_DEPTH))


def test_document_just_under_size_limit_passes() -> None:
    # GIVEN a document whose canonical form is exactly 5 MiB
    overhead = len(json.dumps({"blob": ""}, **CANONICAL))
    doc = {"blob": "x" * (hp.MAX_DOCUMENT_BYTES - overhead)}
    # WHEN serialised THEN it passes and has exactly the limit's size
    assert len(hp.serialize_hyperparameters(doc)) == hp.MAX_DOCUMENT_BYTES


def test_integer_at_digit_limit_passes() -> None:
    # GIVEN an integer with exactly 4300 digits WHEN validated THEN it passes
    hp.validate_hyperparameters({"seed": 10**hp.MAX_INT_DIGITS - 1})


# --------------------------------------------------------------------------- each rule


@pytest.mark.parametrize(
    ("doc", "path", "rule"),
    [
        ({"a": float("nan")}, "hyperparameters.a", "numbers must be finite"),
        ({"a": float("inf")}, "hyperparameters.a", "numbers must be finite"),
        (
            {"optimizer": {"betas": [0.9, float("-inf")]}},
            "hyperparameters.optimizer.betas[1]",
            "numbers must be finite",
        ),
        ({"a": b"bytes"}, "hyperparameters.a", "values are JSON types only"),
        ({"a": {1, 2}}, "hyperparameters.a", "values are JSON types only"),
        ({"a": [object()]}, "hyperparameters.a[0]", "values are JSON types only"),
        ({"a": Decimal("1.5")}, "hyperparameters.a", "values are JSON types only"),
        ({"a": MappingProxyType({})}, "hyperparameters.a", "values are JSON types only"),
        ({"a": {"": 1}}, 'hyperparameters.a[""]', "keys are non-empty strings"),
        ({"a": {1: "x"}}, "hyperparameters.a[1]", "keys are non-empty strings"),
        ({"a": {None: "x"}}, "hyperparameters.a[NoneType key]", "keys are non-empty strings"),
        ({"k" * 257: 1}, "hyperparameters.", "keys are at most 256 characters"),
        ({"seed": 10**hp.MAX_INT_DIGITS}, "hyperparameters.seed", "integer size"),
        ({"seed": -(10**5000)}, "hyperparameters.seed", "integer size"),
        (nested(hp.MAX_DEPTH + 1), "hyperparameters" + ".n" * hp.MAX_DEPTH, "max depth 32"),
        ({"a": ["ok", "x\ud800"]}, "hyperparameters.a[1]", "strings are valid Unicode"),
        ({"a": {"\udc00": 1}}, 'hyperparameters.a["\\udc00"]', "strings are valid Unicode"),
        ({"a": "\ud800\udc00"}, "hyperparameters.a", "strings are valid Unicode"),
    ],
)
def test_each_rule_names_path_and_rule(doc: object, path: str, rule: str) -> None:
    # GIVEN a document that breaks exactly one rule
    # WHEN validated
    error = rule_error(doc)
    # THEN the message names the JSON path and the rule, and the error is a ValueError
    assert str(error).startswith(path)
    assert f"(rule: {rule}" in str(error)
    assert isinstance(error, hp.HyperparameterPrepError)
    assert isinstance(error, ValueError)


def test_key_of_exactly_256_characters_passes_and_257_fails() -> None:
    # GIVEN keys at and just past the limit
    hp.validate_hyperparameters({"k" * 256: 1})
    # WHEN the longer one is validated THEN the message gives the length and the limit
    error = rule_error({"outer": {"k" * 257: 1}})
    assert error.path.startswith("hyperparameters.outer.kkk")
    assert "257 characters" in error.rule


@pytest.mark.parametrize("level", ["top", "nested"])
def test_top_level_must_be_an_object(level: str) -> None:
    # GIVEN a list where the document should be an object
    # WHEN validated THEN the top-level rule is named
    error = rule_error([1, 2])
    assert str(error) == "hyperparameters: must be a JSON object, not array (rule: top level)"
    if level == "nested":
        with pytest.raises(hp.InvalidHyperparametersError, match="not string"):
            hp.validate_hyperparameters("text", path="config")


def test_oversized_document_is_refused() -> None:
    # GIVEN a document whose canonical form is one byte over 5 MiB
    overhead = len(json.dumps({"blob": ""}, **CANONICAL))
    doc = {"blob": "x" * (hp.MAX_DOCUMENT_BYTES - overhead + 1)}
    # WHEN validated (and serialised) THEN both refuse it naming the size rule
    for call in (hp.validate_hyperparameters, hp.serialize_hyperparameters):
        with pytest.raises(hp.InvalidHyperparametersError) as caught:
            call(doc)
        assert caught.value.path == "hyperparameters"
        assert "(rule: document at most 5 MiB)" in str(caught.value)


CREDENTIAL_KEYS = [
    "password",
    "passwd",
    "secret",
    "secret_key",
    "api_key",
    "apikey",
    "access_key",
    "access_key_id",
    "secret_access_key",
    "private_key",
    "auth_token",
    "session_token",
    # case and separator insensitive
    "PASSWORD",
    "Api-Key",
    "apiKey",
    "Secret.Access.Key",
    "AUTH TOKEN",
    "session__token",
    # a credential name at the end of a longer name
    "db_password",
    "aws_secret_access_key",
    "openai.api_key",
    "client_secret",
]


@pytest.mark.parametrize("key", CREDENTIAL_KEYS)
def test_credential_key_names_are_refused(key: str) -> None:
    # GIVEN a credential-named key nested in the document
    # WHEN validated
    error = rule_error({"db": {key: "hunter2"}})
    # THEN the path names the key, the rule is "no credentials", the value is not echoed
    assert error.path.startswith("hyperparameters.db")
    assert key[:10] in error.path
    assert "(rule: no credentials)" in str(error)
    assert "hunter2" not in str(error)


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("AKIAIOSFODNN7EXAMPLE", "AWS access key id"),
        ("ASIAY34FZKBOKMUTVV7A", "AWS access key id"),
        ("export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE;", "AWS access key id"),
        ("-----BEGIN RSA PRIVATE KEY-----\nMIIEow...\n-----END RSA PRIVATE KEY-----", "PEM"),
        ("-----BEGIN PRIVATE KEY-----\nabc", "PEM"),
        ("-----BEGIN OPENSSH PRIVATE KEY-----", "OpenSSH"),
    ],
)
def test_secret_looking_values_are_refused(value: str, kind: str) -> None:
    # GIVEN a value that looks like a credential, inside an array
    # WHEN validated
    error = rule_error({"cfg": {"items": ["ok", value]}})
    # THEN the path points at it, the rule is named, and the value is not echoed
    assert error.path == "hyperparameters.cfg.items[1]"
    assert kind in error.rule
    assert "(rule: no credentials)" in error.rule
    assert value[:20] not in str(error)


@pytest.mark.parametrize(
    "value",
    ["AKIA", "akiaiosfodnn7example", "XAKIAIOSFODNN7EXAMPLE", "ASIA-PACIFIC", "BEGIN PRIVATE"],
)
def test_near_miss_secret_values_pass(value: str) -> None:
    # GIVEN strings that resemble but are not credentials WHEN validated THEN they pass
    hp.validate_hyperparameters({"v": value})


def test_secret_looking_key_is_refused_and_masked() -> None:
    # GIVEN an access key id used as a key WHEN validated THEN it is refused
    error = rule_error({"cfg": {"AKIAIOSFODNN7EXAMPLE": 1}})
    assert "(rule: no credentials)" in str(error)
    # AND the path locates it without echoing it
    assert error.path == 'hyperparameters.cfg["<redacted aws-access-key-id>"]'
    assert "AKIAIOSFODNN7EXAMPLE" not in str(error)


def test_cycles_are_caught_by_the_depth_rule() -> None:
    # GIVEN a self-referencing document
    doc: dict[str, Any] = {"a": []}
    doc["a"].append(doc)
    # WHEN validated THEN the depth rule refuses it (no RecursionError)
    assert "max depth" in rule_error(doc).rule


def test_odd_keys_are_quoted_in_paths() -> None:
    # GIVEN a failing value under keys that are not identifiers
    error = rule_error({"learning-rate": {"a.b c": [float("nan")]}})
    # THEN the path quotes the odd key and keeps the plain one readable
    assert error.path == 'hyperparameters.learning-rate["a.b c"][0]'


def test_custom_root_path_is_used() -> None:
    # GIVEN the builder's own root name WHEN validation fails THEN the path starts with it
    with pytest.raises(hp.InvalidHyperparametersError, match=r"^config\.x: "):
        hp.validate_hyperparameters({"x": float("nan")}, path="config")


def test_errors_pickle_with_path_and_rule() -> None:
    # GIVEN a rule error WHEN pickled and restored THEN message, path and rule survive
    error = rule_error({"x": float("nan")})
    restored = pickle.loads(pickle.dumps(error))
    assert (str(restored), restored.path, restored.rule) == (str(error), error.path, error.rule)


def test_exception_hierarchy() -> None:
    # GIVEN the exception classes THEN every one is a HyperparameterPrepError (a ValueError)
    for cls in (
        hp.InvalidHyperparametersError,
        hp.InvalidEventError,
        hp.StorageError,
        hp.ObjectMismatchError,
    ):
        assert issubclass(cls, hp.HyperparameterPrepError)
        assert cls.__doc__ and "\n" not in cls.__doc__.strip()
    assert issubclass(hp.HyperparameterPrepError, ValueError)


# --------------------------------------------------------------------------- parsing


def test_parse_accepts_dict_and_text_equally() -> None:
    # GIVEN the same hyperparameters as a dict and as JSON text
    doc = {"lr": 0.1, "layers": [1, 2], "name": "x"}
    # WHEN parsed THEN both give the same dict
    assert hp.parse_hyperparameters(doc) == hp.parse_hyperparameters(json.dumps(doc)) == doc


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a": NaN}', "hyperparameters: NaN is not valid JSON (rule: numbers must be finite)"),
        ('{"a": [Infinity]}', "hyperparameters: Infinity is not valid JSON"),
        ('{"a": -Infinity}', "hyperparameters: -Infinity is not valid JSON"),
        ('{"a": 1, "a": 2}', 'hyperparameters: key "a" appears twice in one object'),
        ('{"o": {"k": 1, "k": 1}}', "(rule: no duplicate keys)"),
        ("[1, 2]", "hyperparameters: JSON text must hold an object, not array (rule: top level)"),
        ('"text"', "not string (rule: top level)"),
        ("null", "not null (rule: top level)"),
        ("{bad json", "hyperparameters: invalid JSON text: Expecting property name"),
        ('{"a": 1} trailing', "invalid JSON text: Extra data at line 1 column 10"),
        ("", "hyperparameters: empty text; expected a JSON object (rule: top level)"),
        ("   ", "empty text"),
        ("[" * 100_000 + "]" * 100_000, "nests deeper than 32 levels (rule: max depth 32)"),
        ('{"a": 1' + "0" * 5000 + "}", "(rule: integer size)"),
    ],
)
def test_parse_refuses_bad_text(text: str, expected: str) -> None:
    # GIVEN bad JSON text WHEN parsed THEN the message says what is wrong
    with pytest.raises(hp.InvalidHyperparametersError) as caught:
        hp.parse_hyperparameters(text)
    assert expected in str(caught.value)


@pytest.mark.parametrize("value", [None, 3, [1], b'{"a": 1}', 1.5])
def test_parse_refuses_other_types(value: object) -> None:
    # GIVEN a value that is neither a dict nor text WHEN parsed THEN it is refused
    with pytest.raises(hp.InvalidHyperparametersError, match=r"\(rule: top level\)"):
        hp.parse_hyperparameters(value)


def test_parse_huge_float_literal_becomes_a_validation_error() -> None:
    # GIVEN text with a number too large for a float (json gives inf)
    parsed = hp.parse_hyperparameters('{"x": [1e999]}')
    # WHEN validated THEN the finite-number rule names the path
    assert rule_error(parsed).path == "hyperparameters.x[0]"


def test_parse_converts_other_mappings() -> None:
    # GIVEN a read-only mapping WHEN parsed THEN a plain dict comes back
    parsed = hp.parse_hyperparameters(MappingProxyType({"a": 1}))
    assert type(parsed) is dict
    assert parsed == {"a": 1}


def test_escaped_surrogate_pair_in_text_is_one_valid_character() -> None:
    # GIVEN JSON text escaping an astral character as a surrogate pair, and a lone one
    pair = hp.parse_hyperparameters('{"emoji": "\\ud83d\\ude42"}')
    lone = hp.parse_hyperparameters('{"bad": "\\ud83d"}')
    # WHEN validated THEN the pair is one valid character and the lone half is refused
    hp.validate_hyperparameters(pair)
    assert pair == {"emoji": "\U0001f642"}
    assert rule_error(lone).path == "hyperparameters.bad"


def test_encoder_failure_is_still_a_prep_error() -> None:
    # GIVEN an interpreter whose int/str digit limit is below the rule's 4,300 digits
    import sys

    old_limit = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(640)
    try:
        # WHEN a 1,000-digit integer (valid by the rules) is serialised
        with pytest.raises(hp.InvalidHyperparametersError) as caught:
            hp.serialize_hyperparameters({"seed": 10**999})
    finally:
        sys.set_int_max_str_digits(old_limit)
    # THEN the failure is a HyperparameterPrepError that says why, never a bare ValueError
    assert "cannot be written as JSON" in str(caught.value)
