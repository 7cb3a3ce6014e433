"""The AWS clients: built lazily (boto3 is imported on first use), once per container.

Both clients use standard retries, short timeouts and the library's User-Agent
suffix; tests and the local runner inject their own with :func:`set_s3_client` and
:func:`set_kms_client`. A client that cannot be built from the environment (a bad
``AWS_ENDPOINT_URL_S3``, a malformed region, an unknown ``AWS_PROFILE``) raises
ClientConfigurationError naming the settings to check, never a bare botocore error.
"""

from __future__ import annotations

import os
import threading
from typing import Any, Final

from .errors import ClientConfigurationError
from .limits import (
    S3_CONNECT_TIMEOUT_SECONDS,
    S3_MAX_ATTEMPTS,
    S3_READ_TIMEOUT_SECONDS,
    USER_AGENT_EXTRA,
)

AwsClient = Any
"""A boto3 client. Left untyped on purpose: the handler may import only the standard
library and boto3, so the typed stubs (mypy_boto3_s3) are not named here."""

_lock: Final = threading.Lock()
_clients: dict[str, AwsClient] = {}
_ENDPOINT_VARIABLES: Final = {"s3": "AWS_ENDPOINT_URL_S3", "kms": "AWS_ENDPOINT_URL_KMS"}


def endpoint_from_environment(service: str) -> str | None:
    """AWS_ENDPOINT_URL_<SERVICE>, else AWS_ENDPOINT_URL, unless configured endpoints are
    ignored. Recent botocore reads these itself; passing them explicitly keeps older
    runtimes (and anyone building the client by hand) consistent."""
    if os.environ.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "").strip().lower() == "true":
        return None
    for name in (_ENDPOINT_VARIABLES[service], "AWS_ENDPOINT_URL"):
        value = os.environ.get(name, "").strip()
        if value:
            return value
    return None


def _create_client(service: str) -> AwsClient:
    """A new client for ``service``; every failure becomes ClientConfigurationError."""
    try:
        import boto3
        from botocore.config import Config

        config = Config(
            # total_max_attempts counts the first try; botocore's max_attempts would not
            retries={"mode": "standard", "total_max_attempts": S3_MAX_ATTEMPTS},
            connect_timeout=S3_CONNECT_TIMEOUT_SECONDS,
            read_timeout=S3_READ_TIMEOUT_SECONDS,
            user_agent_extra=USER_AGENT_EXTRA,
        )
        # A session of its own reads AWS_PROFILE and the region now, not when some
        # other code first touched boto3's default session.
        session = boto3.session.Session()
        endpoint = endpoint_from_environment(service)
        if service == "kms":
            return session.client("kms", endpoint_url=endpoint, config=config)
        return session.client("s3", endpoint_url=endpoint, config=config)
    except Exception as err:  # botocore raises ValueError, ProfileNotFound, ...
        variable = _ENDPOINT_VARIABLES[service]
        raise ClientConfigurationError(
            f"cannot create the {service.upper()} client from the environment "
            f"({type(err).__name__}: {err}); check {variable} and AWS_ENDPOINT_URL (a URL "
            "such as https://host), AWS_REGION/AWS_DEFAULT_REGION (e.g. us-east-1) and "
            "AWS_PROFILE (a profile that exists)"
        ) from err


def _create_s3_client() -> AwsClient:
    return _create_client("s3")


def _create_kms_client() -> AwsClient:
    return _create_client("kms")


def _get(service: str) -> AwsClient:
    client = _clients.get(service)
    if client is None:
        with _lock:
            client = _clients.get(service)
            if client is None:
                factory = _create_s3_client if service == "s3" else _create_kms_client
                client = _clients[service] = factory()
    return client


def _set(service: str, client: AwsClient | None) -> None:
    with _lock:
        if client is None:
            _clients.pop(service, None)
        else:
            _clients[service] = client


def get_s3_client() -> AwsClient:
    """The container's S3 client: the injected one, else created once (thread-safe)."""
    return _get("s3")


def set_s3_client(client: AwsClient | None) -> None:
    """Inject the S3 client to use (tests, local runner); ``None`` drops the cached one."""
    _set("s3", client)


def get_kms_client() -> AwsClient:
    """The container's KMS client (used only to resolve a key alias on reuse)."""
    return _get("kms")


def set_kms_client(client: AwsClient | None) -> None:
    """Inject the KMS client to use; ``None`` drops the cached one."""
    _set("kms", client)
