"""Unit tests (botocore Stubber) for the reuse proof after a 412: content and encryption.

The Stubber plays objects moto cannot: one without a SHA-256 checksum, a composite
checksum, an SSE-KMS object reported by key ARN while the event names an alias, HEAD
answering 404 after every 412. Every request the handler makes must be queued here, so
the tests also prove what it does not do (no GET when S3's checksum decides, no
DescribeKey when ids compare, nothing written or deleted on a mismatch).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.response import StreamingBody
from botocore.stub import Stubber

from lambda_code import hyperparameter_prep as hp
from lambda_code.hyperparameter_prep import storage

BUCKET = "unit-test-bucket"
DOC = {"optimizer": {"lr": 0.001, "betas": [0.9, 0.999]}, "epochs": 10}
BODY = json.dumps(DOC, indent=2, sort_keys=True, allow_nan=False).encode()
SHA = hashlib.sha256(BODY).hexdigest()
CHECKSUM = base64.b64encode(hashlib.sha256(BODY).digest()).decode()
KEY = f"hyperparameters/{SHA}/hyperparameters.json"
ETAG = '"0123456789abcdef0123456789abcdef"'
KEY_A_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
KEY_B_ID = "9999abcd-12ab-34cd-56ef-1234567890ab"
KEY_A = f"arn:aws:kms:us-east-1:123456789012:key/{KEY_A_ID}"
KEY_B = f"arn:aws:kms:us-east-1:123456789012:key/{KEY_B_ID}"


@pytest.fixture
def s3() -> Iterator[tuple[Any, Stubber]]:
    client = boto3.client(
        "s3", region_name="us-east-1", config=Config(retries={"total_max_attempts": 1})
    )
    with Stubber(client) as stub:
        yield client, stub
        stub.assert_no_pending_responses()


@pytest.fixture
def kms() -> Iterator[tuple[Any, Stubber]]:
    client = boto3.client(
        "kms", region_name="us-east-1", config=Config(retries={"total_max_attempts": 1})
    )
    with Stubber(client) as stub:
        yield client, stub
        stub.assert_no_pending_responses()


@pytest.fixture(autouse=True)
def _no_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(storage.time, "sleep", lambda _seconds: None)


def event(**extra: Any) -> dict[str, Any]:
    return {"hyperparameters": json.dumps(DOC), "bucket": BUCKET, **extra}


def head(**extra: Any) -> dict[str, Any]:
    """An object S3 reports after a 412: by default exactly what the handler writes."""
    response = {
        "ContentLength": len(BODY),
        "ETag": ETAG,
        "ChecksumSHA256": CHECKSUM,
        "ChecksumType": "FULL_OBJECT",
        "ServerSideEncryption": "AES256",
        "Metadata": {"sha256": SHA},
    }
    response.update(extra)
    return {k: v for k, v in response.items() if v is not None}


def queue_412(stub: Stubber, head_response: dict[str, Any], **head_params: Any) -> None:
    stub.add_client_error("put_object", "PreconditionFailed", "", 412)
    expected = {"Bucket": BUCKET, "Key": KEY, "ChecksumMode": "ENABLED", **head_params}
    stub.add_response("head_object", head_response, expected)


def queue_get(stub: Stubber, data: bytes, **params: Any) -> None:
    stub.add_response(
        "get_object",
        {"Body": StreamingBody(io.BytesIO(data), len(data)), "ContentLength": len(data)},
        {"Bucket": BUCKET, "Key": KEY, "IfMatch": ETAG, **params},
    )


def run(s3_client: Any, kms_client: Any = None, **options: Any) -> dict[str, Any]:
    return hp.lambda_handler(event(**options), None, s3_client=s3_client, kms_client=kms_client)


# --------------------------------------------------------------------------- content


def test_s3_full_object_sha256_proves_the_content_without_a_read(s3: Any) -> None:
    # GIVEN 412 and an object whose S3-computed SHA-256 is ours (and no sha256 metadata)
    client, stub = s3
    queue_412(stub, head(Metadata={}))
    # WHEN the handler runs THEN it reuses it with no GetObject: metadata is not needed
    assert run(client)["reused"] is True


def test_forged_metadata_without_sha256_checksum_is_caught_by_reading(s3: Any) -> None:
    # GIVEN the issue's reproduction: same length, our sha256 forged as metadata, boto3's
    # default CRC32 checksum instead of SHA-256
    client, stub = s3
    forged = BODY.replace(b'"epochs": 10', b'"epochs": 99')
    assert len(forged) == len(BODY)
    queue_412(stub, head(ChecksumSHA256=None, ChecksumType=None, ChecksumCRC32="AAAAAA=="))
    queue_get(stub, forged)
    # WHEN the handler runs THEN the bytes are compared and the forgery refused, by offset
    with pytest.raises(hp.ObjectMismatchError) as caught:
        run(client)
    offset = next(i for i, (a, b) in enumerate(zip(forged, BODY, strict=True)) if a != b)
    assert f"differ from the canonical document from byte {offset}" in str(caught.value)
    assert "left as it is" in str(caught.value)  # and no write or delete was queued


def test_object_without_checksum_is_reused_when_its_bytes_are_equal(s3: Any) -> None:
    # GIVEN 412 and an object without any checksum, holding exactly our bytes
    client, stub = s3
    queue_412(stub, head(ChecksumSHA256=None, ChecksumType=None, Metadata={}))
    queue_get(stub, BODY)
    # WHEN the handler runs THEN the read proves it and it is reused
    assert run(client)["reused"] is True


def test_composite_checksum_proves_nothing_so_the_object_is_read(s3: Any) -> None:
    # GIVEN a multipart object: its SHA-256 is a checksum of part checksums
    client, stub = s3
    queue_412(stub, head(ChecksumSHA256=f"{CHECKSUM[:-1]}A-3", ChecksumType="COMPOSITE"))
    queue_get(stub, BODY)
    # WHEN the handler runs THEN it reads and compares (and reuses equal bytes)
    assert run(client)["reused"] is True


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"ContentLength": len(BODY) + 1}, f"its size is {len(BODY) + 1} bytes, not {len(BODY)}"),
        (
            {"ChecksumSHA256": base64.b64encode(b"x" * 32).decode()},
            "its SHA-256 checksum (computed by S3) is different",
        ),
    ],
)
def test_head_level_difference_is_a_mismatch_without_a_read(
    s3: Any, changes: dict[str, Any], named: str
) -> None:
    # GIVEN 412 and an object whose size or S3 checksum differs (our sha256 as metadata)
    client, stub = s3
    queue_412(stub, head(**changes))
    # WHEN the handler runs THEN it refuses, naming what differs, without reading
    with pytest.raises(hp.ObjectMismatchError) as caught:
        run(client)
    assert named in str(caught.value)
    assert "tampered with" in str(caught.value)


def test_expected_bucket_owner_is_sent_on_head_and_get(s3: Any) -> None:
    client, stub = s3
    owner = {"ExpectedBucketOwner": "123456789012"}
    stub.add_client_error("put_object", "PreconditionFailed", "", 412)
    stub.add_response(
        "head_object",
        head(ChecksumSHA256=None, ChecksumType=None),
        {"Bucket": BUCKET, "Key": KEY, "ChecksumMode": "ENABLED", **owner},
    )
    queue_get(stub, BODY, **owner)
    assert run(client, expected_bucket_owner="123456789012")["reused"] is True


# --------------------------------------------------------------------------- vanishing objects


def test_412_then_head_404_three_times_says_what_happened(s3: Any) -> None:
    # GIVEN every write answered 412 and every HEAD after it 404 (deleted as fast as seen)
    client, stub = s3
    for _ in range(hp.CONFLICT_ATTEMPTS):
        stub.add_client_error("put_object", "PreconditionFailed", "", 412)
        stub.add_client_error("head_object", "404", "", 404)
    # WHEN the handler runs THEN it stops after the bounded rounds and explains the race
    with pytest.raises(hp.StorageError) as caught:
        run(client)
    text = str(caught.value)
    assert f"gave up after {hp.CONFLICT_ATTEMPTS} attempts" in text
    assert "412 Precondition Failed, then gone" in text
    assert "deletes or rewrites objects under this prefix" in text
    assert not isinstance(caught.value, hp.ObjectMismatchError)


def test_object_deleted_between_412_and_head_is_written_again(s3: Any) -> None:
    client, stub = s3
    stub.add_client_error("put_object", "PreconditionFailed", "", 412)
    stub.add_client_error("head_object", "404", "", 404)
    stub.add_response("put_object", {})
    assert run(client)["reused"] is False


def test_object_replaced_during_the_read_is_written_again(s3: Any) -> None:
    # GIVEN 412, a HEAD without checksum, then GetObject IfMatch fails: replaced meanwhile
    client, stub = s3
    queue_412(stub, head(ChecksumSHA256=None, ChecksumType=None))
    stub.add_client_error("get_object", "PreconditionFailed", "", 412)
    stub.add_response("put_object", {})
    # WHEN the handler runs THEN it starts over, and this time its write lands
    assert run(client)["reused"] is False


def test_get_access_denied_names_get_object(s3: Any) -> None:
    client, stub = s3
    queue_412(stub, head(ChecksumSHA256=None, ChecksumType=None))
    stub.add_client_error("get_object", "AccessDenied", "Access Denied", 403)
    with pytest.raises(hp.StorageError, match="needs s3:GetObject on arn:aws:s3:::"):
        run(client)


# --------------------------------------------------------------------------- encryption


def test_without_kms_key_an_sse_kms_object_is_not_reused(s3: Any) -> None:
    client, stub = s3
    queue_412(stub, head(ServerSideEncryption="aws:kms", SSEKMSKeyId=KEY_A))
    with pytest.raises(hp.ObjectMismatchError) as caught:
        run(client)
    assert f"encrypted with aws:kms (KMS key {KEY_A})" in str(caught.value)
    assert "requires AES256 (SSE-S3)" in str(caught.value)


def test_kms_requested_but_object_is_sse_s3(s3: Any) -> None:
    client, stub = s3
    queue_412(stub, head(ServerSideEncryption="AES256"))
    with pytest.raises(hp.ObjectMismatchError, match="not aws:kms as requested"):
        run(client, kms_key_id=KEY_A)


@pytest.mark.parametrize("requested", [KEY_A, KEY_A_ID], ids=["key-arn", "key-id"])
def test_same_key_by_arn_or_id_is_reused_without_describe_key(
    s3: Any, kms: Any, requested: str
) -> None:
    # GIVEN S3 reports key A by ARN, and the event names key A by ARN or by key id
    client, stub = s3
    queue_412(stub, head(ServerSideEncryption="aws:kms", SSEKMSKeyId=KEY_A))
    # WHEN the handler runs THEN it reuses the object and never asks KMS (no stub queued)
    assert run(client, kms[0], kms_key_id=requested)["reused"] is True


@pytest.mark.parametrize(
    "requested",
    ["alias/hyperparameters", "arn:aws:kms:us-east-1:123456789012:alias/hyperparameters"],
    ids=["alias-name", "alias-arn"],
)
def test_alias_of_the_same_key_is_resolved_and_reused(s3: Any, kms: Any, requested: str) -> None:
    # GIVEN S3 reports key A's ARN, and the event names key A by an alias
    client, stub = s3
    kms_client, kms_stub = kms
    queue_412(stub, head(ServerSideEncryption="aws:kms", SSEKMSKeyId=KEY_A))
    kms_stub.add_response(
        "describe_key", {"KeyMetadata": {"KeyId": KEY_A_ID, "Arn": KEY_A}}, {"KeyId": requested}
    )
    # WHEN the handler runs THEN DescribeKey resolves the alias to key A: reused
    assert run(client, kms_client, kms_key_id=requested)["reused"] is True


@pytest.mark.parametrize(
    ("requested", "describe"), [(KEY_B, None), (KEY_B_ID, None), ("alias/other", KEY_B)]
)
def test_key_a_object_is_never_reused_for_key_b(
    s3: Any, kms: Any, requested: str, describe: str | None
) -> None:
    # GIVEN an object written under key A, and a run asking for key B (however named)
    client, stub = s3
    kms_client, kms_stub = kms
    queue_412(stub, head(ServerSideEncryption="aws:kms", SSEKMSKeyId=KEY_A))
    if describe is not None:
        kms_stub.add_response(
            "describe_key",
            {"KeyMetadata": {"KeyId": KEY_B_ID, "Arn": describe}},
            {"KeyId": requested},
        )
    # WHEN the handler runs THEN it refuses, naming both keys, and writes nothing
    with pytest.raises(hp.ObjectMismatchError) as caught:
        run(client, kms_client, kms_key_id=requested)
    assert f"encrypted with KMS key {KEY_A}, not {requested} as requested" in str(caught.value)


def test_describe_key_denied_says_which_permission(s3: Any, kms: Any) -> None:
    client, stub = s3
    kms_client, kms_stub = kms
    queue_412(stub, head(ServerSideEncryption="aws:kms", SSEKMSKeyId=KEY_A))
    kms_stub.add_client_error("describe_key", "AccessDeniedException", "denied", 400)
    with pytest.raises(hp.StorageError) as caught:
        run(client, kms_client, kms_key_id="alias/hp")
    assert "kms:DescribeKey on alias/hp was denied" in str(caught.value)
    assert not isinstance(caught.value, hp.ObjectMismatchError)


def test_content_is_checked_even_when_encryption_also_differs(s3: Any) -> None:
    # GIVEN an object of another size AND another encryption
    client, stub = s3
    queue_412(stub, head(ContentLength=3, ServerSideEncryption="aws:kms", SSEKMSKeyId=KEY_A))
    # WHEN the handler runs THEN both differences are named
    with pytest.raises(hp.ObjectMismatchError) as caught:
        run(client)
    assert "its size is 3 bytes" in str(caught.value)
    assert "requires AES256" in str(caught.value)
