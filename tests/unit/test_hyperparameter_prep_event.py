"""Unit tests (pure) for event handling, bucket/key rules and the per-invocation log line.

S3 is a botocore Stubber: a bad event must fail before any request, so the stubs
below queue no response for those cases and any S3 call would fail the test.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.stub import Stubber

from lambda_code import hyperparameter_prep as hp

BUCKET = "unit-test-bucket"
DOC = {"optimizer": {"lr": 0.001, "name": "adam-secret-sauce"}, "epochs": 10}


@pytest.fixture
def stubbed() -> Iterator[tuple[Any, Stubber]]:
    client = boto3.client(
        "s3", region_name="us-east-1", config=Config(retries={"total_max_attempts": 1})
    )
    with Stubber(client) as stub:
        yield client, stub
        stub.assert_no_pending_responses()


def event(**extra: Any) -> dict[str, Any]:
    return {"hyperparameters": json.dumps(DOC), "bucket": BUCKET, **extra}


def refused(client: Any, bad_event: Any) -> hp.HyperparameterPrepError:
    with pytest.raises(hp.HyperparameterPrepError) as caught:
        hp.lambda_handler(bad_event, None, s3_client=client)
    return caught.value


# --------------------------------------------------------------------------- event shape


def test_unknown_key_is_refused_listing_the_known_keys(stubbed: Any) -> None:
    # GIVEN a typo in an optional key
    client, _ = stubbed
    # WHEN the handler runs THEN it refuses, naming the typo and every known key
    error = refused(client, event(key_prefx="team"))
    assert isinstance(error, hp.InvalidEventError)
    assert "unknown key(s) 'key_prefx'" in str(error)
    for known in hp.KNOWN_EVENT_KEYS:
        assert known in str(error)
    assert "override.<dotted.path>" in str(error)


def test_non_string_event_key_is_refused(stubbed: Any) -> None:
    client, _ = stubbed
    # GIVEN an integer key WHEN the handler runs THEN it is reported as unknown
    assert "unknown key(s) 1" in str(refused(client, {**event(), 1: "x"}))


@pytest.mark.parametrize("missing", ["hyperparameters", "bucket"])
def test_required_keys(stubbed: Any, missing: str) -> None:
    client, _ = stubbed
    # GIVEN an event without a required key WHEN the handler runs THEN it says which
    bad = event()
    del bad[missing]
    assert f"the {missing} key is required" in str(refused(client, bad))


@pytest.mark.parametrize("bad_event", [None, [1], "text"])
def test_event_must_be_an_object(stubbed: Any, bad_event: Any) -> None:
    client, _ = stubbed
    assert "event: must be an object" in str(refused(client, bad_event))


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"kms_key_id": 5}, "kms_key_id: must be a string, not integer"),
        ({"kms_key_id": " alias/x"}, "kms_key_id: must be printable ASCII"),
        ({"expected_bucket_owner": 123456789012}, "must be a string, not integer"),
        ({"expected_bucket_owner": "12345"}, "12-digit AWS account id"),
        ({"pipeline_name": "naïve"}, "pipeline_name: must be printable ASCII"),
        ({"pipeline_execution_id": "x" * 1025}, "at most 1024 characters"),
        ({"key_prefix": 7}, "key_prefix: must be a string, not integer"),
        ({"bucket": None}, "bucket: must be a string, not null"),
        ({"hyperparameters": None}, "expected an object or JSON-object text, not null"),
    ],
)
def test_bad_option_types(stubbed: Any, options: dict[str, Any], expected: str) -> None:
    client, _ = stubbed
    # GIVEN an option of the wrong type or shape WHEN the handler runs THEN it is refused
    assert expected in str(refused(client, event(**options)))


# --------------------------------------------------------------------------- bucket / key


@pytest.mark.parametrize(
    ("bucket", "problem"),
    [
        ("ab", "is 2 characters long"),
        ("a" * 64, "is 64 characters long"),
        ("My-Bucket", "lowercase letters"),
        ("my_bucket", "lowercase letters"),
        ("-bucket", "begin and end with a letter or digit"),
        ("bucket-", "begin and end with a letter or digit"),
        ("my..bucket", "two adjacent periods"),
        ("192.168.5.4", "IP address"),
        ("xn--bucket", "reserved prefix"),
        ("sthree-bucket", "reserved prefix"),
        ("amzn-s3-demo-bucket", "reserved prefix"),
        ("bucket-s3alias", "reserved suffix"),
        ("bucket--ol-s3", "reserved suffix"),
        ("bucket.mrap", "reserved suffix"),
        ("bucket--table-s3", "reserved suffix"),
        ("bucket--x-s3", "not a directory bucket name"),
    ],
)
def test_bucket_naming_rules(bucket: str, problem: str) -> None:
    # GIVEN a bucket name that breaks one naming rule
    # WHEN validated THEN the message names the bucket and the rule
    with pytest.raises(hp.InvalidEventError) as caught:
        hp.validate_bucket_name(bucket)
    assert problem in str(caught.value)
    assert "(rule: S3 bucket naming rules)" in str(caught.value)
    assert json.dumps(bucket) in str(caught.value)


@pytest.mark.parametrize(
    "bucket", ["abc", "a" * 63, "my.bucket.name", "b-1.x", "my-base--use1-az4--x-s3"]
)
def test_valid_bucket_names(bucket: str) -> None:
    hp.validate_bucket_name(bucket)


@pytest.mark.parametrize(
    ("prefix", "problem"),
    [
        ("/hp", "must not start with '/'"),
        ("hp/", "no trailing '/'"),
        ("a//b", "empty, '.' or '..' segments"),
        ("a/./b", "empty, '.' or '..' segments"),
        ("a/../b", "empty, '.' or '..' segments"),
        ("..", "empty, '.' or '..' segments"),
        ("a\nb", "control characters"),
        ("a\x00b", "control characters"),
        ("a\x7fb", "control characters"),
        ("a\x85b", "control characters"),
        ("bad\ud800", "lone surrogate"),
        ("p" * 939, "is 939 UTF-8 bytes"),
        ("é" * 470, "is 940 UTF-8 bytes"),
    ],
)
def test_key_prefix_rules(prefix: str, problem: str) -> None:
    # GIVEN a key prefix that breaks one rule
    # WHEN validated THEN the message names the prefix rule
    with pytest.raises(hp.InvalidEventError) as caught:
        hp.validate_key_prefix(prefix)
    assert problem in str(caught.value)
    assert str(caught.value).startswith("key_prefix ")
    assert "(rule: S3 key)" in str(caught.value)


def test_longest_key_prefix_fits_1024_bytes() -> None:
    # GIVEN the longest allowed prefix
    prefix = "p" * (hp.MAX_S3_KEY_BYTES - 86)
    hp.validate_key_prefix(prefix)
    # WHEN the key is built THEN it is exactly 1,024 bytes
    assert len(hp.object_key(prefix, "a" * 64).encode()) == hp.MAX_S3_KEY_BYTES


def test_object_key_layout() -> None:
    # GIVEN a prefix and a sha256 WHEN the key is built
    # THEN it is <prefix>/<sha>/hyperparameters.json
    assert hp.object_key("team/hp", "0" * 64) == f"team/hp/{'0' * 64}/hyperparameters.json"
    with pytest.raises(hp.HyperparameterPrepError, match="64 lowercase hexadecimal"):
        hp.object_key("team/hp", "ABC")


def test_uri_longer_than_a_lambda_output_is_refused(stubbed: Any) -> None:
    client, _ = stubbed
    # GIVEN a long bucket and a prefix whose key fits 1,024 bytes but whose URI does not
    bad = event(bucket="b" * 63, key_prefix="p" * 900)
    # WHEN the handler runs THEN it refuses before writing, naming the output limit
    error = refused(client, bad)
    assert "LambdaStep output values are at most 1024" in str(error)


# --------------------------------------------------------------------------- logging


def log_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "hyperparameter_prep"]


def test_one_json_log_line_on_success_without_values(
    stubbed: Any, caplog: pytest.LogCaptureFixture
) -> None:
    # GIVEN a successful upload, a Lambda context and an override
    client, stub = stubbed
    stub.add_response("put_object", {})

    class Context:
        aws_request_id = "req-123"

    caplog.set_level(logging.INFO, logger="hyperparameter_prep")
    # WHEN the handler runs
    result = hp.lambda_handler(
        event(**{"override.optimizer.lr": "0.0421"}, pipeline_name="pipe"),
        Context(),
        s3_client=client,
    )
    # THEN exactly one JSON line with the audit fields is logged at INFO
    records = [r for r in caplog.records if r.name == "hyperparameter_prep"]
    assert len(records) == 1
    assert records[0].levelno == logging.INFO
    line = log_lines(caplog)[0]
    assert line["outcome"] == "ok"
    assert line["bucket"] == BUCKET
    assert line["key"] == result["hyperparameters_s3_uri"].split("/", 3)[3]
    assert line["sha256"] == result["hyperparameters_sha256"]
    assert line["size_bytes"] == result["hyperparameters_size_bytes"]
    assert line["reused"] is False
    assert line["duration_ms"] >= 0
    assert line["request_id"] == "req-123"
    assert line["pipeline_name"] == "pipe"
    assert line["overrides"] == ["optimizer.lr"]
    # AND no hyperparameter value appears in it
    text = records[0].getMessage()
    for value in ("0.0421", "0.001", "adam-secret-sauce", '"epochs": 10'):
        assert value not in text


def test_one_json_log_line_on_failure_without_values(
    stubbed: Any, caplog: pytest.LogCaptureFixture
) -> None:
    # GIVEN an override that cannot be coerced
    client, _ = stubbed
    caplog.set_level(logging.INFO, logger="hyperparameter_prep")
    # WHEN the handler fails
    with pytest.raises(hp.InvalidHyperparametersError):
        hp.lambda_handler(
            event(**{"override.optimizer.lr": "not-a-number-secret"}), None, s3_client=client
        )
    # THEN exactly one ERROR line carries the error class and message, never the values
    records = [r for r in caplog.records if r.name == "hyperparameter_prep"]
    assert len(records) == 1
    assert records[0].levelno == logging.ERROR
    line = log_lines(caplog)[0]
    assert line["outcome"] == "error"
    assert line["error_type"] == "InvalidHyperparametersError"
    assert "override.optimizer.lr" in line["error"]
    assert "duration_ms" in line
    text = records[0].getMessage()
    assert "not-a-number-secret" not in text
    assert "adam-secret-sauce" not in text


def test_storage_failure_is_logged_with_the_key(
    stubbed: Any, caplog: pytest.LogCaptureFixture
) -> None:
    # GIVEN S3 denies access
    client, stub = stubbed
    stub.add_client_error("put_object", "AccessDenied", "Access Denied", 403)
    caplog.set_level(logging.INFO, logger="hyperparameter_prep")
    # WHEN the handler fails THEN the line names the key and sha256 it tried
    with pytest.raises(hp.StorageError):
        hp.lambda_handler(event(), None, s3_client=client)
    line = log_lines(caplog)[0]
    assert line["error_type"] == "StorageError"
    assert line["key"].startswith("hyperparameters/")
    assert len(line["sha256"]) == 64


# --------------------------------------------------------------------------- shared rules


@pytest.mark.parametrize(
    "key",
    [
        "1234abcd-12ab-34cd-56ef-1234567890ab",
        "mrk-1234abcd12ab34cd56ef1234567890ab",
        "alias/hyperparameters",
        "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "arn:aws-us-gov:kms:us-gov-west-1:123456789012:alias/hp",
    ],
)
def test_kms_key_forms_s3_accepts(key: str) -> None:
    assert hp.validate_kms_key_id(key) == key


@pytest.mark.parametrize(
    "key", ["hp-key", "alias/", "arn:aws:kms:us-east-1:12345:key/x", "arn:aws:s3:::bucket", 5]
)
def test_other_kms_key_forms_are_refused_before_any_request(stubbed: Any, key: object) -> None:
    client, _ = stubbed
    with pytest.raises(hp.InvalidEventError, match="kms_key_id: must be a KMS key id"):
        hp.validate_kms_key_id(key)
    if isinstance(key, str):
        assert "kms_key_id" in str(refused(client, event(kms_key_id=key)))


@pytest.mark.parametrize("owner", ["١٢٣٤٥٦٧٨٩٠١٢", "12345678901", "1234567890123", "12345678901x"])
def test_account_id_is_twelve_ascii_digits(stubbed: Any, owner: str) -> None:
    # GIVEN an account id that is not 12 ASCII digits (Arabic-Indic digits included)
    client, _ = stubbed
    with pytest.raises(hp.InvalidEventError, match="12-digit AWS account id"):
        hp.validate_account_id(owner)
    assert "expected_bucket_owner" in str(refused(client, event(expected_bucket_owner=owner)))
    assert hp.validate_account_id("123456789012") == "123456789012"
