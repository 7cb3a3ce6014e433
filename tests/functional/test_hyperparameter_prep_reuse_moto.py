"""Functional: reuse after a 412 against moto S3 and KMS over HTTP (the shared moto server).

The issue's reproductions: a forged body of the same length with our sha256 forged as
metadata and boto3's default CRC32 checksum; an object written under KMS key A and a run
asking for key B; the same key named by ARN, key id and alias.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from lambda_code import hyperparameter_prep as hp

DOC = {"optimizer": {"lr": 0.01, "betas": [0.9, 0.999]}, "epochs": 10, "tag": "reuse"}
BODY = json.dumps(DOC, indent=2, sort_keys=True, allow_nan=False).encode()
SHA = hashlib.sha256(BODY).hexdigest()
KEY = f"hyperparameters/{SHA}/hyperparameters.json"


@pytest.fixture(scope="module")
def s3(moto_server: str) -> Any:
    return boto3.client("s3", endpoint_url=moto_server, region_name="us-east-1")


@pytest.fixture(scope="module")
def kms(moto_server: str) -> Any:
    return boto3.client("kms", endpoint_url=moto_server, region_name="us-east-1")


@pytest.fixture
def bucket(s3: Any, unique_bucket_name: str) -> str:
    s3.create_bucket(Bucket=unique_bucket_name)
    return unique_bucket_name


@pytest.fixture
def keys(kms: Any, unique_bucket_name: str) -> dict[str, dict[str, str]]:
    """Two KMS keys, each with an alias unique to this test."""
    made = {}
    for name in ("a", "b"):
        metadata = kms.create_key(Description=f"hyperparameters {name}")["KeyMetadata"]
        alias = f"alias/{unique_bucket_name}-{name}"
        kms.create_alias(AliasName=alias, TargetKeyId=metadata["KeyId"])
        made[name] = {"arn": metadata["Arn"], "id": metadata["KeyId"], "alias": alias}
    return made


@pytest.fixture(autouse=True)
def _reset_clients() -> Iterator[None]:
    hp.set_s3_client(None)
    hp.set_kms_client(None)
    yield
    hp.set_s3_client(None)
    hp.set_kms_client(None)


def invoke(s3: Any, bucket: str, kms: Any = None, **extra: Any) -> dict[str, Any]:
    event = {"hyperparameters": json.dumps(DOC), "bucket": bucket, **extra}
    return hp.lambda_handler(event, None, s3_client=s3, kms_client=kms)


def test_forged_body_with_forged_metadata_and_crc32_is_refused(s3: Any, bucket: str) -> None:
    # GIVEN the reproduction: other content of the same length at our key, our
    # sha256 forged as metadata, SSE-S3, and boto3's default checksum (CRC32, not SHA-256)
    forged = BODY.replace(b'"epochs": 10', b'"epochs": 99')
    assert len(forged) == len(BODY)
    s3.put_object(
        Bucket=bucket, Key=KEY, Body=forged, Metadata={"sha256": SHA}, ServerSideEncryption="AES256"
    )
    assert "ChecksumSHA256" not in s3.head_object(Bucket=bucket, Key=KEY, ChecksumMode="ENABLED")
    # WHEN the handler runs
    with pytest.raises(hp.ObjectMismatchError) as caught:
        invoke(s3, bucket)
    # THEN it read the object, found the bytes differ, said where, and left it as it was
    assert "bytes differ from the canonical document from byte" in str(caught.value)
    assert s3.get_object(Bucket=bucket, Key=KEY)["Body"].read() == forged


def test_same_bytes_written_by_someone_else_are_reused(s3: Any, bucket: str) -> None:
    # GIVEN exactly our bytes at our key, without SHA-256 checksum or sha256 metadata
    s3.put_object(Bucket=bucket, Key=KEY, Body=BODY, ServerSideEncryption="AES256")
    # WHEN the handler runs THEN the read proves the content and it is reused
    assert invoke(s3, bucket)["reused"] is True


def test_key_a_object_is_never_reused_under_key_b(
    s3: Any, kms: Any, bucket: str, keys: dict[str, dict[str, str]]
) -> None:
    # GIVEN the object written under key A
    first = invoke(s3, bucket, kms, kms_key_id=keys["a"]["arn"])
    assert first["reused"] is False
    stored = s3.head_object(Bucket=bucket, Key=KEY)
    # WHEN the same hyperparameters are prepared with key B, named every way
    for named in (keys["b"]["arn"], keys["b"]["id"], keys["b"]["alias"]):
        with pytest.raises(hp.ObjectMismatchError) as caught:
            invoke(s3, bucket, kms, kms_key_id=named)
        # THEN it is refused, naming both keys, and the object is untouched
        assert f"not {named} as requested" in str(caught.value)
    after = s3.head_object(Bucket=bucket, Key=KEY)
    assert (after["ETag"], after["SSEKMSKeyId"]) == (stored["ETag"], stored["SSEKMSKeyId"])


def test_same_key_named_another_way_is_reused(
    s3: Any, kms: Any, bucket: str, keys: dict[str, dict[str, str]]
) -> None:
    # GIVEN the object written under key A, named by its ARN (what real S3 reports back)
    invoke(s3, bucket, kms, kms_key_id=keys["a"]["arn"])
    # WHEN prepared again naming key A by ARN, key id and alias (resolved via DescribeKey)
    for named in (keys["a"]["arn"], keys["a"]["id"], keys["a"]["alias"]):
        # THEN it is reused every time
        assert invoke(s3, bucket, kms, kms_key_id=named)["reused"] is True


def test_default_kms_client_follows_the_endpoint_environment(
    s3: Any,
    bucket: str,
    keys: dict[str, dict[str, str]],
    moto_server: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # GIVEN no injected clients and AWS_ENDPOINT_URL pointing at moto (S3 and KMS)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server)
    event = {"hyperparameters": DOC, "bucket": bucket, "kms_key_id": keys["a"]["arn"]}
    hp.lambda_handler(event, None)
    # WHEN the alias is used next THEN the handler's own KMS client resolves it
    event["kms_key_id"] = keys["a"]["alias"]
    assert hp.lambda_handler(event, None)["reused"] is True
    assert hp.get_kms_client().meta.endpoint_url == moto_server


def test_sse_s3_object_is_not_reused_when_kms_is_asked(
    s3: Any, kms: Any, bucket: str, keys: dict[str, dict[str, str]]
) -> None:
    invoke(s3, bucket)
    with pytest.raises(hp.ObjectMismatchError, match="not aws:kms as requested"):
        invoke(s3, bucket, kms, kms_key_id=keys["a"]["alias"])
