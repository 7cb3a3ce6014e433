"""Reliability: many concurrent invocations against the shared moto server."""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from lambda_code import hyperparameter_prep as hp

THREADS = 40
VARIANTS = 4  # distinct hyperparameter sets; THREADS // VARIANTS threads share each


def variant(number: int) -> dict[str, Any]:
    return {
        "optimizer": {"name": "adam", "lr": 0.001 * (number + 1), "betas": [0.9, 0.999]},
        "epochs": 10 + number,
        "tags": ["concurrency", f"variant-{number}"],
    }


@pytest.fixture
def direct(moto_server: str) -> Any:
    return boto3.client("s3", endpoint_url=moto_server, region_name="us-east-1")


@pytest.fixture
def default_client_via_moto(moto_server: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", moto_server)
    hp.set_s3_client(None)
    yield
    hp.set_s3_client(None)


@pytest.mark.usefixtures("default_client_via_moto")
def test_concurrent_invocations_all_succeed_and_identical_input_shares_one_object(
    direct: Any, unique_bucket_name: str
) -> None:
    # GIVEN 40 threads released at once, 10 per hyperparameter set, half sending dicts and
    # half JSON text, all sharing the handler's lazily created default client
    direct.create_bucket(Bucket=unique_bucket_name)
    barrier = threading.Barrier(THREADS)
    results: dict[int, list[dict[str, Any]]] = defaultdict(list)
    clients: set[int] = set()
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(index: int) -> None:
        number = index % VARIANTS
        doc = variant(number)
        hyperparameters: object = doc if index % 2 else json.dumps(doc)
        event = {"hyperparameters": hyperparameters, "bucket": unique_bucket_name}
        try:
            barrier.wait(timeout=30)
            result = hp.lambda_handler(event, None)
            with lock:
                results[number].append(result)
                clients.add(id(hp.get_s3_client()))
        except BaseException as error:  # collected and asserted below
            with lock:
                errors.append(error)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    # WHEN they all invoke the handler
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    # THEN every invocation succeeded through one shared client
    assert errors == []
    assert sum(len(r) for r in results.values()) == THREADS
    assert len(clients) == 1
    # AND each hyperparameter set has exactly one URI, sha256 and stored object
    stored_keys = sorted(
        o["Key"] for o in direct.list_objects_v2(Bucket=unique_bucket_name)["Contents"]
    )
    assert len(stored_keys) == VARIANTS
    for number, group in results.items():
        uris = {r["hyperparameters_s3_uri"] for r in group}
        assert len(uris) == 1
        assert len({r["hyperparameters_sha256"] for r in group}) == 1
        assert any(not r["reused"] for r in group)  # someone wrote it
        key = uris.pop().split("/", 3)[3]
        assert key in stored_keys
        body = direct.get_object(Bucket=unique_bucket_name, Key=key)["Body"].read()
        assert json.loads(body) == variant(number)
    # AND different hyperparameters got different URIs
    assert len({group[0]["hyperparameters_s3_uri"] for group in results.values()}) == VARIANTS
