"""Reliability: the handler behind a fault-injecting loopback proxy in front of moto.

Most tests use the handler's own default client (built lazily from
AWS_ENDPOINT_URL_S3 = the proxy), so they exercise its real retry configuration.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ReadTimeoutError

from lambda_code import hyperparameter_prep as hp
from lambda_code.hyperparameter_prep import storage

DOC = {"optimizer": {"lr": 0.01, "betas": [0.9, 0.999]}, "epochs": 5}


@pytest.fixture
def direct(moto_server: str) -> Any:
    """A client straight to moto (bypassing the proxy), to look at what was stored."""
    return boto3.client("s3", endpoint_url=moto_server, region_name="us-east-1")


@pytest.fixture
def bucket(direct: Any, unique_bucket_name: str) -> str:
    direct.create_bucket(Bucket=unique_bucket_name)
    return unique_bucket_name


@pytest.fixture
def default_client_via_proxy(fault_proxy: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Make the handler build its default client against the proxy."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", fault_proxy.url)
    hp.set_s3_client(None)
    yield
    hp.set_s3_client(None)


def keys_in(direct: Any, bucket: str) -> list[str]:
    return [o["Key"] for o in direct.list_objects_v2(Bucket=bucket).get("Contents", [])]


def invoke(bucket: str, **kwargs: Any) -> dict[str, Any]:
    return hp.lambda_handler({"hyperparameters": json.dumps(DOC), "bucket": bucket}, None, **kwargs)


@pytest.mark.usefixtures("default_client_via_proxy")
@pytest.mark.parametrize("fault", ["500", "503", "slowdown"])
def test_transient_faults_on_first_requests_are_retried(
    fault_proxy: Any, direct: Any, bucket: str, fault: str, fast_backoff: list[float]
) -> None:
    # GIVEN the first three PutObject requests answered with a transient S3 error
    fault_proxy.fail_first(3, fault)
    # WHEN the handler runs with its default client
    result = invoke(bucket)
    # THEN the client retried through the faults and the fourth request wrote the object
    assert fault_proxy.count("PUT", faulted=True) == 3
    assert fault_proxy.count("PUT", faulted=False) == 1
    # botocore chose to retry each one, backing off as for throttling only on SlowDown
    assert fast_backoff == [1.0 if fault == "slowdown" else 0.05] * 3
    key = result["hyperparameters_s3_uri"].split("/", 3)[3]
    assert keys_in(direct, bucket) == [key]
    stored = direct.get_object(Bucket=bucket, Key=key)["Body"].read()
    assert stored == hp.serialize_hyperparameters(DOC).encode()
    assert result["reused"] is False


@pytest.mark.usefixtures("default_client_via_proxy")
def test_persistent_5xx_fails_within_bounded_time_with_real_backoff(
    fault_proxy: Any, direct: Any, bucket: str
) -> None:
    # GIVEN every PutObject answered with 503 ServiceUnavailable (real backoff: 50 ms base)
    fault_proxy.fail_always("503")
    started = time.monotonic()
    # WHEN the handler runs
    with pytest.raises(hp.StorageError) as caught:
        invoke(bucket)
    elapsed = time.monotonic() - started
    # THEN it gave up after the configured attempts, quickly, with a clear error
    assert fault_proxy.count("PUT") == hp.S3_MAX_ATTEMPTS
    assert elapsed < 30  # worst case of the real backoff is 0.05 * (1+2+4+8+16) s
    assert "transient" in str(caught.value)
    assert isinstance(caught.value.__cause__, ClientError)
    assert caught.value.__cause__.response["Error"]["Code"] == "ServiceUnavailable"
    # AND nothing was written
    assert keys_in(direct, bucket) == []


@pytest.mark.usefixtures("default_client_via_proxy")
def test_persistent_slowdown_fails_after_all_attempts(
    fault_proxy: Any, direct: Any, bucket: str, fast_backoff: list[float]
) -> None:
    # GIVEN every PutObject throttled with 503 SlowDown
    fault_proxy.fail_always("slowdown")
    # WHEN the handler runs THEN it ends in a StorageError after every attempt
    with pytest.raises(hp.StorageError, match="S3 said SlowDown"):
        invoke(bucket)
    assert fault_proxy.count("PUT") == hp.S3_MAX_ATTEMPTS
    # AND botocore backed off as for throttling (1 s base): why this test shrinks the delay
    assert fast_backoff == [1.0] * (hp.S3_MAX_ATTEMPTS - 1)
    assert keys_in(direct, bucket) == []


@pytest.mark.usefixtures("default_client_via_proxy")
def test_transient_faults_on_the_reuse_check_are_retried(
    fault_proxy: Any, direct: Any, bucket: str, fast_backoff: list[float]
) -> None:
    # GIVEN the object already exists, and the first two HEAD requests fail with 500
    first = invoke(bucket)
    fault_proxy.fail_first(2, "500", methods=("HEAD",))
    # WHEN the handler runs again
    second = invoke(bucket)
    # THEN the 412 led to a HEAD that was retried until it confirmed the object
    assert second == {**first, "reused": True}
    assert fault_proxy.count("HEAD", faulted=True) == 2
    assert fault_proxy.count("HEAD", faulted=False) == 1
    assert len(keys_in(direct, bucket)) == 1


@pytest.mark.usefixtures("default_client_via_proxy")
def test_conditional_request_conflict_is_retried_by_the_handler(
    fault_proxy: Any, direct: Any, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN the first PutObject answered 409 ConditionalRequestConflict (not a botocore retry)
    monkeypatch.setattr(storage.time, "sleep", lambda _seconds: None)
    fault_proxy.fail_first(1, "conflict")
    # WHEN the handler runs THEN its own bounded retry writes the object
    result = invoke(bucket)
    assert fault_proxy.count("PUT") == 2
    assert keys_in(direct, bucket) == [result["hyperparameters_s3_uri"].split("/", 3)[3]]


@pytest.mark.usefixtures("default_client_via_proxy")
def test_access_denied_is_not_retried(fault_proxy: Any, direct: Any, bucket: str) -> None:
    # GIVEN every PutObject answered 403 AccessDenied
    fault_proxy.fail_always("access-denied")
    # WHEN the handler runs THEN it fails at once, saying which permission is missing
    with pytest.raises(hp.StorageError) as caught:
        invoke(bucket)
    assert fault_proxy.count("PUT") == 1
    assert f"s3:PutObject on arn:aws:s3:::{bucket}/hyperparameters/*" in str(caught.value)
    assert keys_in(direct, bucket) == []


def test_hanging_s3_ends_in_error_within_bounded_time(
    fault_proxy: Any, direct: Any, bucket: str
) -> None:
    # GIVEN S3 (the proxy) never answers a PutObject, and a client with short timeouts
    fault_proxy.fail_always("hang")
    client = boto3.client(
        "s3",
        endpoint_url=fault_proxy.url,
        region_name="us-east-1",
        config=Config(
            connect_timeout=1,
            read_timeout=0.5,
            retries={"mode": "standard", "total_max_attempts": 2},
        ),
    )
    started = time.monotonic()
    # WHEN the handler runs
    with pytest.raises(hp.StorageError, match="failed before S3 answered") as caught:
        invoke(bucket, s3_client=client)
    # THEN each attempt timed out, the retry too, and the error came within bounds
    assert time.monotonic() - started < 15
    assert isinstance(caught.value.__cause__, ReadTimeoutError)
    assert fault_proxy.count("PUT") == 2
    assert keys_in(direct, bucket) == []


def test_proxy_passes_requests_through_untouched(
    fault_proxy: Any, direct: Any, bucket: str
) -> None:
    # GIVEN a proxy with no faults configured and a client pointed at it
    client = boto3.client("s3", endpoint_url=fault_proxy.url, region_name="us-east-1")
    # WHEN the handler runs twice THEN both the write and the reuse check go through it
    first = invoke(bucket, s3_client=client)
    second = invoke(bucket, s3_client=client)
    assert second == {**first, "reused": True}
    assert [(s.method, s.status) for s in fault_proxy.seen] == [
        ("PUT", 200),
        ("PUT", 412),
        ("HEAD", 200),
    ]
