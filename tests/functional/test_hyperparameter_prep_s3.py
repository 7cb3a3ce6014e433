"""Functional tests: the handler against the shared moto server over HTTP on 127.0.0.1."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import math
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from lambda_code import hyperparameter_prep as hp

DOC: dict[str, Any] = {
    "optimizer": {"name": "adam", "lr": 0.001, "betas": [0.9, 0.999], "nesterov": False},
    "model": {"layers": [128, 64], "dropout": 0.1, "activation": "gelu", "tag": "naïve ☃"},
    "epochs": 10,
    "seed": None,
}


def canonical(doc: Any) -> bytes:
    return json.dumps(doc, indent=2, sort_keys=True, allow_nan=False).encode()


@pytest.fixture(scope="module")
def s3(moto_server: str) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=moto_server,
        region_name="us-east-1",
        config=Config(retries={"mode": "standard", "total_max_attempts": 2}),
    )


@pytest.fixture
def bucket(s3: Any, unique_bucket_name: str) -> str:
    s3.create_bucket(Bucket=unique_bucket_name)
    return unique_bucket_name


@pytest.fixture(autouse=True)
def _reset_client() -> Iterator[None]:
    hp.set_s3_client(None)
    yield
    hp.set_s3_client(None)


def keys_in(s3: Any, bucket: str) -> list[str]:
    listing = s3.list_objects_v2(Bucket=bucket)
    return [item["Key"] for item in listing.get("Contents", [])]


def record_operations(s3: Any) -> list[str]:
    """Record the name of every S3 operation the client calls from now on."""
    seen: list[str] = []

    def record(model: Any, **_: Any) -> None:
        seen.append(model.name)

    s3.meta.events.register("before-call.s3", record)
    return seen


def invoke(s3: Any, bucket: str, **extra: Any) -> dict[str, Any]:
    event = {"hyperparameters": json.dumps(DOC), "bucket": bucket, **extra}
    return hp.lambda_handler(event, None, s3_client=s3)


# --------------------------------------------------------------------------- round trip


def test_round_trip_stores_canonical_json_with_sse_type_and_metadata(s3: Any, bucket: str) -> None:
    # GIVEN hyperparameters and pipeline metadata
    # WHEN the handler runs against moto
    result = invoke(s3, bucket, pipeline_name="my-pipeline", pipeline_execution_id="exec-0001")
    body = canonical(DOC)
    sha = hashlib.sha256(body).hexdigest()
    key = f"hyperparameters/{sha}/hyperparameters.json"
    # THEN the outputs are right
    assert result == {
        "hyperparameters_s3_uri": f"s3://{bucket}/{key}",
        "hyperparameters_sha256": sha,
        "hyperparameters_size_bytes": len(body),
        "reused": False,
    }
    # AND the stored object is the canonical JSON with SSE, content type, metadata, checksum
    stored = s3.get_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED")
    assert stored["Body"].read() == body
    assert stored["ContentType"] == "application/json"
    assert stored["ServerSideEncryption"] == "AES256"
    assert stored["Metadata"] == {
        "sha256": sha,
        "pipeline-name": "my-pipeline",
        "pipeline-execution-id": "exec-0001",
    }
    assert stored["ChecksumSHA256"] == base64.b64encode(hashlib.sha256(body).digest()).decode()
    assert keys_in(s3, bucket) == [key]


def test_kms_key_sets_sse_kms(s3: Any, bucket: str) -> None:
    # GIVEN a KMS key id WHEN the handler runs THEN the object is SSE-KMS with that key
    result = invoke(s3, bucket, kms_key_id="alias/hyperparameters")
    key = result["hyperparameters_s3_uri"].split("/", 3)[3]
    head = s3.head_object(Bucket=bucket, Key=key)
    assert head["ServerSideEncryption"] == "aws:kms"
    assert head["SSEKMSKeyId"] == "alias/hyperparameters"


def test_second_identical_call_is_reused_and_writes_nothing(s3: Any, bucket: str) -> None:
    # GIVEN one successful upload
    first = invoke(s3, bucket)
    key = first["hyperparameters_s3_uri"].split("/", 3)[3]
    before = s3.head_object(Bucket=bucket, Key=key)
    operations = record_operations(s3)
    # WHEN the same hyperparameters are prepared again
    second = invoke(s3, bucket)
    # THEN the same URI comes back with reused=True, after a refused conditional write
    assert second == {**first, "reused": True}
    assert operations == ["PutObject", "HeadObject"]  # 412 PreconditionFailed, then confirm
    # AND nothing new was written
    after = s3.head_object(Bucket=bucket, Key=key)
    assert keys_in(s3, bucket) == [key]
    assert after["LastModified"] == before["LastModified"]
    assert after["ETag"] == before["ETag"]


def test_first_write_makes_exactly_one_request(s3: Any, bucket: str) -> None:
    # GIVEN an empty bucket WHEN the handler runs THEN it issues one PutObject and no HEAD
    operations = record_operations(s3)
    invoke(s3, bucket)
    assert operations == ["PutObject"]


def test_dict_and_text_input_give_the_same_uri(s3: Any, bucket: str) -> None:
    # GIVEN the same hyperparameters as a dict (direct call) and as JSON text (LambdaStep)
    as_dict = hp.lambda_handler({"hyperparameters": DOC, "bucket": bucket}, None, s3_client=s3)
    as_text = hp.lambda_handler(
        {"hyperparameters": json.dumps(DOC, indent=4), "bucket": bucket}, None, s3_client=s3
    )
    # THEN both resolve to one object and one URI
    assert as_text["hyperparameters_s3_uri"] == as_dict["hyperparameters_s3_uri"]
    assert as_text["reused"] is True
    assert len(keys_in(s3, bucket)) == 1


def test_overrides_land_at_their_paths_with_coerced_types(s3: Any, bucket: str) -> None:
    # GIVEN SageMaker-style string overrides of a float, an array element, an int and a bool
    result = invoke(
        s3,
        bucket,
        key_prefix="runs/hp",
        **{
            "override.optimizer.lr": "0.05",
            "override.optimizer.betas.1": "0.98",
            "override.epochs": "3",
            "override.optimizer.nesterov": "true",
            "override.model.activation": "relu",
        },
    )
    # WHEN the stored object is read
    key = result["hyperparameters_s3_uri"].split("/", 3)[3]
    stored = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    # THEN each override landed at its path with the type of the value it replaced
    assert key.startswith("runs/hp/")
    assert stored["optimizer"]["lr"] == 0.05
    assert stored["optimizer"]["betas"] == [0.9, 0.98]
    assert stored["epochs"] == 3
    assert isinstance(stored["epochs"], int)
    assert stored["optimizer"]["nesterov"] is True
    assert stored["model"]["activation"] == "relu"
    assert stored["model"]["layers"] == DOC["model"]["layers"]
    # AND the URI differs from the one without overrides
    assert result["hyperparameters_s3_uri"] != invoke(s3, bucket)["hyperparameters_s3_uri"]


def test_default_client_from_endpoint_environment(
    moto_server: str, s3: Any, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN no injected client and AWS_ENDPOINT_URL_S3 pointing at moto
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", moto_server)
    hp.set_s3_client(None)
    # WHEN the handler runs with its own client
    result = hp.lambda_handler({"hyperparameters": DOC, "bucket": bucket}, None)
    # THEN the object was written to moto through that endpoint
    assert hp.get_s3_client().meta.endpoint_url == moto_server
    assert keys_in(s3, bucket) == [result["hyperparameters_s3_uri"].split("/", 3)[3]]


def test_reuse_is_logged(s3: Any, bucket: str, caplog: pytest.LogCaptureFixture) -> None:
    # GIVEN an object already written
    invoke(s3, bucket)
    caplog.set_level(logging.INFO, logger="hyperparameter_prep")
    # WHEN the handler runs again THEN its one log line says reused
    invoke(s3, bucket)
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "hyperparameter_prep"]
    assert len(lines) == 1
    assert lines[0]["reused"] is True
    assert lines[0]["outcome"] == "ok"


# --------------------------------------------------------------------------- tampering / S3 errors


def test_tampered_object_is_refused(s3: Any, bucket: str) -> None:
    # GIVEN someone wrote other content at the content-addressed key (no sha256 metadata)
    body = canonical(DOC)
    key = f"hyperparameters/{hashlib.sha256(body).hexdigest()}/hyperparameters.json"
    s3.put_object(Bucket=bucket, Key=key, Body=b'{"epochs": 999}')
    # WHEN the handler runs
    with pytest.raises(hp.ObjectMismatchError) as caught:
        invoke(s3, bucket)
    # THEN it refuses, saying the object was tampered with and what differs, and leaves it
    assert "tampered with" in str(caught.value)
    assert f"its size is 15 bytes, not {len(body)}" in str(caught.value)
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b'{"epochs": 999}'


def test_tampered_object_with_forged_metadata_is_refused(s3: Any, bucket: str) -> None:
    # GIVEN other content of the same size at the key, with our sha256 forged as metadata
    body = canonical(DOC)
    sha = hashlib.sha256(body).hexdigest()
    key = f"hyperparameters/{sha}/hyperparameters.json"
    forged = body.replace(b'"epochs": 10', b'"epochs": 99')
    assert len(forged) == len(body)
    s3.put_object(
        Bucket=bucket, Key=key, Body=forged, Metadata={"sha256": sha}, ChecksumAlgorithm="SHA256"
    )
    # WHEN the handler runs THEN S3's own checksum gives the forgery away
    with pytest.raises(hp.ObjectMismatchError, match=r"SHA-256 checksum \(computed by S3\)"):
        invoke(s3, bucket)
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == forged


def test_missing_bucket_says_what_to_fix(s3: Any, unique_bucket_name: str) -> None:
    # GIVEN a bucket that does not exist
    # WHEN the handler runs THEN the error says so, with S3's error chained
    with pytest.raises(hp.StorageError) as caught:
        invoke(s3, unique_bucket_name)
    assert f"bucket {unique_bucket_name} does not exist" in str(caught.value)
    assert isinstance(caught.value.__cause__, ClientError)
    assert caught.value.__cause__.response["Error"]["Code"] == "NoSuchBucket"


# ------------------------------------------------------------ each rule, nothing written


def deep(levels: int) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    node = doc
    for _ in range(levels - 1):
        node["n"] = {}
        node = node["n"]
    return doc


BIG = {"blob": "x" * (hp.MAX_DOCUMENT_BYTES - len(json.dumps({"blob": ""}, indent=2)) + 1)}

BAD_EVENTS: list[tuple[str, dict[str, Any], str, str]] = [
    # (id, event changes, path or subject named, rule named)
    ("top-level-text", {"hyperparameters": "[1, 2]"}, "hyperparameters:", "top level"),
    ("top-level-dict", {"hyperparameters": 5}, "hyperparameters:", "top level"),
    ("empty-key", {"hyperparameters": {"a": {"": 1}}}, 'hyperparameters.a[""]', "keys are"),
    ("int-key", {"hyperparameters": {"a": {3: 1}}}, "hyperparameters.a[3]", "keys are"),
    ("long-key", {"hyperparameters": {"k" * 257: 1}}, "hyperparameters.kkk", "at most 256"),
    ("nan", {"hyperparameters": {"o": {"b": [0.9, math.nan]}}}, "hyperparameters.o.b[1]", "finite"),
    ("inf", {"hyperparameters": {"lr": math.inf}}, "hyperparameters.lr", "finite"),
    ("-inf", {"hyperparameters": {"lr": -math.inf}}, "hyperparameters.lr", "finite"),
    ("nan-text", {"hyperparameters": '{"lr": NaN}'}, "hyperparameters:", "finite"),
    ("inf-text", {"hyperparameters": '{"lr": [1e999]}'}, "hyperparameters.lr[0]", "finite"),
    ("bytes", {"hyperparameters": {"b": b"x"}}, "hyperparameters.b", "JSON types only"),
    ("surrogate", {"hyperparameters": '{"s": ["\\udfff"]}'}, "hyperparameters.s[0]", "Unicode"),
    ("set", {"hyperparameters": {"s": {1}}}, "hyperparameters.s", "JSON types only"),
    ("object", {"hyperparameters": {"o": object()}}, "hyperparameters.o", "JSON types only"),
    ("depth", {"hyperparameters": deep(33)}, "hyperparameters" + ".n" * 32, "max depth 32"),
    ("size", {"hyperparameters": BIG}, "hyperparameters:", "document at most 5 MiB"),
    ("huge-int", {"hyperparameters": {"seed": 10**4300}}, "hyperparameters.seed", "integer size"),
    ("dup-key", {"hyperparameters": '{"a": 1, "a": 2}'}, 'key "a"', "no duplicate keys"),
    ("bad-json", {"hyperparameters": "{oops"}, "hyperparameters: invalid JSON", "line 1"),
    ("cred-key", {"hyperparameters": {"db": {"Pass-Word": "x"}}}, "hyperparameters.db", "no cred"),
    ("cred-key2", {"hyperparameters": {"aws_secret_access_key": "x"}}, "aws_secret", "no cred"),
    (
        "akid",
        {"hyperparameters": {"k": ["AKIAIOSFODNN7EXAMPLE"]}},
        "hyperparameters.k[0]",
        "no cred",
    ),
    (
        "pem",
        {"hyperparameters": {"tls": "-----BEGIN EC PRIVATE KEY-----\nMHc"}},
        "hyperparameters.tls",
        "no credentials",
    ),
    ("bucket-upper", {"bucket": "Bad_Bucket"}, 'bucket "Bad_Bucket"', "S3 bucket naming rules"),
    ("bucket-ip", {"bucket": "10.0.0.1"}, 'bucket "10.0.0.1"', "S3 bucket naming rules"),
    ("prefix-slash", {"key_prefix": "/hp"}, 'key_prefix "/hp"', "S3 key"),
    ("prefix-dotdot", {"key_prefix": "a/../b"}, 'key_prefix "a/../b"', "S3 key"),
    ("prefix-empty-seg", {"key_prefix": "a//b"}, 'key_prefix "a//b"', "S3 key"),
    ("prefix-control", {"key_prefix": "a\tb"}, 'key_prefix "a\\tb"', "S3 key"),
    ("prefix-long", {"key_prefix": "p" * 939}, "key_prefix", "S3 key"),
    ("prefix-dot", {"key_prefix": "a/./b"}, 'key_prefix "a/./b"', "S3 key"),
    ("prefix-trailing-slash", {"key_prefix": "hp/"}, 'key_prefix "hp/"', "S3 key"),
    ("prefix-surrogate", {"key_prefix": "hp\udc80"}, "key_prefix", "S3 key"),
    (
        "override-missing",
        {"override.optimizer.momentum": "0.9"},
        "override.optimizer.momentum",
        "override paths",
    ),
    ("override-parent", {"override.epochs.x": "1"}, "override.epochs.x", "override paths"),
    ("override-type", {"override.optimizer.lr": "fast"}, "override.optimizer.lr", "override types"),
    (
        "override-bool",
        {"override.optimizer.nesterov": "1"},
        "hyperparameters.optimizer.nesterov",
        "override types",
    ),
    ("unknown-key", {"key_prefx": "x"}, "unknown key(s) 'key_prefx'", "known keys are"),
    ("owner", {"expected_bucket_owner": "me"}, "expected_bucket_owner", "12-digit"),
    *[
        (
            f"cred-{name}",
            {"hyperparameters": {"auth": {name: "x"}}},
            f"hyperparameters.auth.{name}",
            "no cred",
        )
        for name in (
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
        )
    ],
]


@pytest.mark.parametrize(
    ("changes", "subject", "rule"),
    [case[1:] for case in BAD_EVENTS],
    ids=[c[0] for c in BAD_EVENTS],
)
def test_bad_input_names_path_and_rule_and_writes_nothing(
    s3: Any, bucket: str, changes: dict[str, Any], subject: str, rule: str
) -> None:
    # GIVEN an event that breaks one rule
    event = {"hyperparameters": json.dumps(DOC), "bucket": bucket, **changes}
    operations = record_operations(s3)
    # WHEN the handler runs
    with pytest.raises(hp.HyperparameterPrepError) as caught:
        hp.lambda_handler(event, None, s3_client=s3)
    # THEN the message names the path (or subject) and the rule
    message = str(caught.value)
    assert subject in message
    assert rule in message
    assert isinstance(caught.value, ValueError)
    # AND no request reached S3 and nothing is in the bucket
    assert operations == []
    assert keys_in(s3, bucket) == []
