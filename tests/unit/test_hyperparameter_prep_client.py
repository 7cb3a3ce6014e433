"""Unit tests (pure, botocore Stubber) for the S3 client, PutObject shape and error mapping.

No request leaves the process: the Stubber answers every call, and a call it does not
expect fails the test.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError
from botocore.stub import Stubber

from lambda_code import hyperparameter_prep as hp
from lambda_code.hyperparameter_prep import client as client_module
from lambda_code.hyperparameter_prep import storage

BUCKET = "unit-test-bucket"
DOC = {"optimizer": {"lr": 0.001, "betas": [0.9, 0.999]}, "epochs": 10}
BODY = json.dumps(DOC, indent=2, sort_keys=True, allow_nan=False).encode()
SHA = hashlib.sha256(BODY).hexdigest()
CHECKSUM = base64.b64encode(hashlib.sha256(BODY).digest()).decode()
KEY = f"hyperparameters/{SHA}/hyperparameters.json"


@pytest.fixture(autouse=True)
def _reset_client() -> Iterator[None]:
    hp.set_s3_client(None)
    yield
    hp.set_s3_client(None)


@pytest.fixture
def client() -> Any:
    return boto3.client(
        "s3", region_name="us-east-1", config=Config(retries={"total_max_attempts": 1})
    )


def event(**extra: Any) -> dict[str, Any]:
    return {"hyperparameters": json.dumps(DOC), "bucket": BUCKET, **extra}


def put_params(**extra: Any) -> dict[str, Any]:
    params = {
        "Bucket": BUCKET,
        "Key": KEY,
        "Body": BODY,
        "ContentType": "application/json",
        "ChecksumAlgorithm": "SHA256",
        "ChecksumSHA256": CHECKSUM,
        "IfNoneMatch": "*",
        "Metadata": {"sha256": SHA},
        "ServerSideEncryption": "AES256",
    }
    params.update(extra)
    return params


def add_error(stub: Stubber, method: str, code: str, status: int, message: str = "") -> None:
    stub.add_client_error(
        method, service_error_code=code, service_message=message, http_status_code=status
    )


# --------------------------------------------------------------------------- client


def test_default_client_config(monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN no injected client and no endpoint override
    monkeypatch.delenv("AWS_ENDPOINT_URL_S3", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    # WHEN the handler's client is created
    s3 = hp.get_s3_client()
    config = s3.meta.config
    # THEN it uses standard retries with >= 5 attempts and timeouts well inside 600 s
    assert config.retries == {"mode": "standard", "total_max_attempts": hp.S3_MAX_ATTEMPTS}
    assert hp.S3_MAX_ATTEMPTS >= 5
    assert config.connect_timeout == hp.S3_CONNECT_TIMEOUT_SECONDS
    assert config.read_timeout == hp.S3_READ_TIMEOUT_SECONDS
    per_attempt = config.connect_timeout + config.read_timeout
    assert per_attempt <= 15
    throttle_backoff = sum(min(2**i, 20) for i in range(hp.S3_MAX_ATTEMPTS - 1))
    assert hp.S3_MAX_ATTEMPTS * per_attempt + throttle_backoff < 600 / 4
    assert "hyperparameter-prep" in (config.user_agent_extra or "")
    assert s3.meta.service_model.service_name == "s3"


def test_client_is_created_once_per_container(monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN many threads asking for the client at once, and a slow client factory
    created: list[object] = []

    def slow_factory() -> object:
        time.sleep(0.05)
        created.append(object())
        return created[-1]

    monkeypatch.setattr(client_module, "_create_s3_client", slow_factory)
    barrier = threading.Barrier(16)
    results: list[object] = []

    def ask() -> None:
        barrier.wait()
        results.append(hp.get_s3_client())

    threads = [threading.Thread(target=ask) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # THEN exactly one client was created and everyone got it
    assert len(created) == 1
    assert all(result is created[0] for result in results)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"AWS_ENDPOINT_URL_S3": "http://127.0.0.1:4566"}, "http://127.0.0.1:4566"),
        ({"AWS_ENDPOINT_URL": "http://127.0.0.1:5000"}, "http://127.0.0.1:5000"),
        (
            {"AWS_ENDPOINT_URL_S3": "http://127.0.0.1:1", "AWS_ENDPOINT_URL": "http://127.0.0.1:2"},
            "http://127.0.0.1:1",
        ),
        (
            {
                "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:1",
                "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true",
            },
            "https://s3.amazonaws.com",
        ),
    ],
)
def test_client_honours_endpoint_environment(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: str
) -> None:
    # GIVEN endpoint variables in the environment
    for name in ("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    # WHEN the handler's client is created THEN it points where the environment says
    assert hp.get_s3_client().meta.endpoint_url == expected
    # AND botocore on its own agrees (the explicit handling only mirrors it)
    assert boto3.client("s3", region_name="us-east-1").meta.endpoint_url == expected


def test_injected_client_is_used_and_reset(client: Any) -> None:
    # GIVEN an injected client WHEN asked THEN it is returned; after a reset a new one is built
    hp.set_s3_client(client)
    assert hp.get_s3_client() is client
    hp.set_s3_client(None)
    assert hp.get_s3_client() is not client


# --------------------------------------------------------------------------- PutObject shape


def test_put_object_request_shape(client: Any) -> None:
    # GIVEN a stub expecting exactly the PutObject parameters
    with Stubber(client) as stub:
        stub.add_response(
            "put_object",
            {},
            put_params(
                ServerSideEncryption="aws:kms",
                SSEKMSKeyId="alias/hp",
                ExpectedBucketOwner="123456789012",
                Metadata={"sha256": SHA, "pipeline-name": "p", "pipeline-execution-id": "e1"},
            ),
        )
        # WHEN the handler runs with every option
        result = hp.lambda_handler(
            event(
                kms_key_id="alias/hp",
                expected_bucket_owner="123456789012",
                pipeline_name="p",
                pipeline_execution_id="e1",
            ),
            None,
            s3_client=client,
        )
        stub.assert_no_pending_responses()
    # THEN the result has exactly the four outputs, one PutObject and no HEAD
    assert result == {
        "hyperparameters_s3_uri": f"s3://{BUCKET}/{KEY}",
        "hyperparameters_sha256": SHA,
        "hyperparameters_size_bytes": len(BODY),
        "reused": False,
    }


@pytest.mark.parametrize("empty", ["", None])
def test_empty_optional_values_mean_not_set(client: Any, empty: object) -> None:
    # GIVEN SageMaker-style empty strings (or None) for every optional key
    with Stubber(client) as stub:
        stub.add_response("put_object", {}, put_params())
        # WHEN the handler runs THEN defaults apply: AES256, default prefix, no owner/metadata
        result = hp.lambda_handler(
            event(
                key_prefix=empty,
                kms_key_id=empty,
                expected_bucket_owner=empty,
                pipeline_name=empty,
                pipeline_execution_id=empty,
            ),
            None,
            s3_client=client,
        )
        stub.assert_no_pending_responses()
    assert result["hyperparameters_s3_uri"] == f"s3://{BUCKET}/{KEY}"


# --------------------------------------------------------------------------- 409


def test_conditional_request_conflict_is_retried(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN S3 answers 409 ConditionalRequestConflict once, then accepts the write
    sleeps: list[float] = []
    monkeypatch.setattr(storage.time, "sleep", sleeps.append)
    with Stubber(client) as stub:
        add_error(stub, "put_object", "ConditionalRequestConflict", 409)
        stub.add_response("put_object", {}, put_params())
        # WHEN the handler runs THEN the second PutObject succeeds after a short pause
        result = hp.lambda_handler(event(), None, s3_client=client)
        stub.assert_no_pending_responses()
    assert result["reused"] is False
    assert len(sleeps) == 1
    assert 0 < sleeps[0] < 1


def test_persistent_conflict_gives_up_after_bounded_attempts(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN S3 answers 409 every time
    sleeps: list[float] = []
    monkeypatch.setattr(storage.time, "sleep", sleeps.append)
    with Stubber(client) as stub:
        for _ in range(3):
            add_error(stub, "put_object", "ConditionalRequestConflict", 409)
        # WHEN the handler runs THEN it stops after three attempts with a clear error
        with pytest.raises(hp.StorageError, match="concurrent writers kept conflicting"):
            hp.lambda_handler(event(), None, s3_client=client)
        stub.assert_no_pending_responses()
    assert len(sleeps) == 2
    assert sum(sleeps) < 2


# --------------------------------------------------------------------------- error mapping


@pytest.mark.parametrize(
    "case",
    [
        (
            "AccessDenied",
            403,
            "Access Denied",
            {"key_prefix": "team/hp"},
            ["the execution role needs s3:PutObject on arn:aws:s3:::unit-test-bucket/team/hp/*"],
        ),
        (
            "AccessDenied",
            403,
            "Access Denied",
            {"expected_bucket_owner": "111122223333"},
            ["s3:PutObject", "not owned by account 111122223333"],
        ),
        (
            "AccessDenied",
            403,
            "Access Denied",
            {"kms_key_id": "alias/hp"},
            ["s3:PutObject", "kms:GenerateDataKey on KMS key alias/hp"],
        ),
        (
            "AccessDenied",
            403,
            "User: arn:aws:sts::1:assumed-role/r is not authorized to perform: "
            "kms:GenerateDataKey on resource: arn:aws:kms:us-east-1:1:key/k",
            {"kms_key_id": "alias/hp"},
            ["the KMS key alias/hp cannot be used", "kms:GenerateDataKey"],
        ),
        (
            "KMS.NotFoundException",
            400,
            "Invalid keyId alias/none",
            {"kms_key_id": "alias/none"},
            ["the KMS key alias/none cannot be used", "exists, is enabled"],
        ),
        (
            "KMS.DisabledException",
            400,
            "key is disabled",
            {"kms_key_id": "alias/off"},
            ["the KMS key alias/off cannot be used"],
        ),
        (
            "NoSuchBucket",
            404,
            "The specified bucket does not exist",
            {},
            ["bucket unit-test-bucket does not exist: create it or fix the bucket argument"],
        ),
        ("PermanentRedirect", 301, "", {}, ["is in another region than the client (us-east-1)"]),
        ("ExpiredToken", 400, "", {}, ["credentials were refused"]),
        ("SlowDown", 503, "Please reduce your request rate.", {}, ["transient"]),
        ("InternalError", 500, "", {}, ["transient", "retry the pipeline execution"]),
        ("InvalidStorageClass", 400, "odd", {}, ["PutObject s3://unit-test-bucket/", "odd"]),
        (
            "NotImplemented",
            501,
            "A header you provided implies functionality that is not implemented",
            {},
            ["does not implement PutObject", "If-None-Match", "this is not transient"],
        ),
    ],
)
def test_s3_errors_say_what_to_fix(
    client: Any, case: tuple[str, int, str, dict[str, str], list[str]]
) -> None:
    code, status, message, options, expected = case
    # GIVEN S3 refuses the PutObject with this error
    with Stubber(client) as stub:
        add_error(stub, "put_object", code, status, message)
        # WHEN the handler runs
        with pytest.raises(hp.StorageError) as caught:
            hp.lambda_handler(event(**options), None, s3_client=client)
    # THEN the message says what to fix and quotes S3; the original error is chained
    text = str(caught.value)
    for fragment in expected:
        assert fragment in text
    assert f"S3 said {code}" in text
    assert isinstance(caught.value.__cause__, ClientError)
    assert isinstance(caught.value, hp.HyperparameterPrepError)


def test_501_is_never_called_transient(client: Any) -> None:
    # GIVEN an S3-compatible endpoint that does not implement conditional writes
    with Stubber(client) as stub:
        add_error(stub, "put_object", "NotImplemented", 501, "not implemented")
        # WHEN the handler runs THEN the error says the endpoint lacks a feature, not "retry"
        with pytest.raises(hp.StorageError) as caught:
            hp.lambda_handler(event(), None, s3_client=client)
    assert "transient: retry" not in str(caught.value)
    assert "not transient" in str(caught.value)


def test_head_access_denied_names_get_object(client: Any) -> None:
    # GIVEN 412 and a role that may not HeadObject
    with Stubber(client) as stub:
        add_error(stub, "put_object", "PreconditionFailed", 412)
        add_error(stub, "head_object", "403", 403)
        # WHEN the handler runs THEN the message names s3:GetObject
        with pytest.raises(hp.StorageError, match=r"needs s3:GetObject on arn:aws:s3:::"):
            hp.lambda_handler(event(), None, s3_client=client)


def test_china_partition_in_arn() -> None:
    # GIVEN a client in a China region
    s3 = boto3.client("s3", region_name="cn-north-1")
    with Stubber(s3) as stub:
        add_error(stub, "put_object", "AccessDenied", 403)
        # WHEN access is denied THEN the ARN uses the aws-cn partition
        with pytest.raises(hp.StorageError, match=r"arn:aws-cn:s3:::unit-test-bucket/"):
            hp.lambda_handler(event(), None, s3_client=s3)


def test_connection_failure_becomes_storage_error(client: Any) -> None:
    # GIVEN a transport failure before S3 answers (raised where the request is sent)
    def refuse(**_: Any) -> None:
        raise EndpointConnectionError(endpoint_url="https://s3.amazonaws.com")

    client.meta.events.register("before-send.s3.PutObject", refuse)
    # WHEN the handler runs THEN a StorageError names the network cause, chained
    with pytest.raises(hp.StorageError, match="failed before S3 answered") as caught:
        hp.lambda_handler(event(), None, s3_client=client)
    assert isinstance(caught.value.__cause__, EndpointConnectionError)
    assert "VPC endpoint or NAT" in str(caught.value)


# --------------------------------------------------------------------------- bad environment


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"AWS_ENDPOINT_URL_S3": "not a url"}, "Invalid endpoint"),
        ({"AWS_ENDPOINT_URL": "::::"}, "Invalid endpoint"),
        ({"AWS_REGION": "not a region!", "AWS_DEFAULT_REGION": "not a region!"}, "region"),
        ({"AWS_PROFILE": "no-such-profile"}, "no-such-profile"),
    ],
)
def test_bad_environment_is_a_typed_error_and_writes_nothing(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], named: str
) -> None:
    # GIVEN an environment botocore cannot build an S3 client from, and no injected client
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    # WHEN the handler runs
    with pytest.raises(hp.ClientConfigurationError) as caught:
        hp.lambda_handler(event(), None)
    # THEN it is a HyperparameterPrepError (not botocore's), naming the cause and the
    # settings to check, and it is not an S3 failure (the CLI exits 2, not 1)
    assert isinstance(caught.value, hp.HyperparameterPrepError)
    assert not isinstance(caught.value, hp.StorageError)
    assert named in str(caught.value)
    assert "AWS_ENDPOINT_URL_S3" in str(caught.value)
    assert "AWS_PROFILE" in str(caught.value)
    assert caught.value.__cause__ is not None


def test_bad_environment_fails_before_any_request(monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN a bad endpoint WHEN the handler fails THEN no client was cached (a fixed
    # environment works on the next call, as in a warm Lambda container after a redeploy)
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "not a url")
    with pytest.raises(hp.ClientConfigurationError):
        hp.get_s3_client()
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9")
    assert hp.get_s3_client().meta.endpoint_url == "http://127.0.0.1:9"


def test_kms_client_has_the_same_config_and_its_own_endpoint(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # GIVEN a KMS endpoint override and an S3 one
    monkeypatch.setenv("AWS_ENDPOINT_URL_KMS", "http://127.0.0.1:4001")
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:4002")
    hp.set_kms_client(None)
    try:
        # WHEN the KMS client is built lazily
        kms = hp.get_kms_client()
        # THEN it has the S3 client's retry, timeout and User-Agent settings, its endpoint
        config = kms.meta.config
        assert config.retries == {"mode": "standard", "total_max_attempts": hp.S3_MAX_ATTEMPTS}
        assert (config.connect_timeout, config.read_timeout) == (
            hp.S3_CONNECT_TIMEOUT_SECONDS,
            hp.S3_READ_TIMEOUT_SECONDS,
        )
        assert hp.USER_AGENT_EXTRA in (config.user_agent_extra or "")
        assert kms.meta.endpoint_url == "http://127.0.0.1:4001"
        assert kms.meta.service_model.service_name == "kms"
        assert hp.get_kms_client() is kms
    finally:
        hp.set_kms_client(None)
