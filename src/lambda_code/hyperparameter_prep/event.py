"""The event: its keys, their rules, and the S3 names it leads to.

For the optional keys (everything but ``hyperparameters`` and ``bucket``) a missing
key, ``None`` and ``""`` all mean "not set": SageMaker sends ``""`` for a pipeline
parameter nobody filled in. Any other key is refused, so a typo such as ``key_prefx``
fails loudly instead of being ignored.

S3 user metadata (``pipeline-name``, ``pipeline-execution-id`` and the ``sha256`` of
the content) is limited by S3 to 2 KB. Values that would pass it are refused, not
cut: a truncated audit trail is a wrong one, and SageMaker's own values (a pipeline
name of at most 256 characters, a 12-character execution id) are far below the limit.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final, NamedTuple

from .constraints import Constraints, parse_constraints
from .errors import HyperparameterPrepError, InvalidEventError
from .limits import (
    CONSTRAINTS_KEY,
    DEFAULT_KEY_PREFIX,
    EVENT_BUCKET,
    EVENT_EXPECTED_BUCKET_OWNER,
    EVENT_HYPERPARAMETERS,
    EVENT_KEY_PREFIX,
    EVENT_KMS_KEY_ID,
    EVENT_PIPELINE_EXECUTION_ID,
    EVENT_PIPELINE_NAME,
    KNOWN_EVENT_KEYS,
    MAX_METADATA_VALUE_CHARS,
    MAX_S3_KEY_BYTES,
    MAX_USER_METADATA_BYTES,
    OBJECT_NAME,
    OVERRIDE_PREFIX,
)
from .paths import json_type, show_text
from .scanner import redact

_BUCKET_RE: Final = re.compile(r"[a-z0-9][a-z0-9.-]*[a-z0-9]")
_DIRECTORY_BUCKET_RE: Final = re.compile(r"[a-z0-9][a-z0-9-]*--[a-z0-9-]+-az[0-9]+--x-s3")
_IP_ADDRESS_RE: Final = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+")
_RESERVED_BUCKET_PREFIXES: Final = ("xn--", "sthree-", "amzn-s3-demo-")
_RESERVED_BUCKET_SUFFIXES: Final = ("-s3alias", "--ol-s3", ".mrap", "--table-s3")
_CONTROL_RE: Final = re.compile(r"[\x00-\x1f\x7f-\x9f]")
SHA256_RE: Final = re.compile(r"[0-9a-f]{64}")
ACCOUNT_ID_RE: Final = re.compile(r"[0-9]{12}")
_PRINTABLE_ASCII_RE: Final = re.compile(r"[\x20-\x7e]*")
KMS_KEY_ID_RE: Final = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    r"|mrk-[0-9a-f]{32}"
    r"|alias/[A-Za-z0-9/_-]{1,250}"
    r"|arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:(?:key/[A-Za-z0-9-]+|alias/[A-Za-z0-9/_-]+)"
)
"""A KMS key as S3 accepts it: key id, multi-Region key id, alias name, key or alias ARN."""
_KEY_SUFFIX_BYTES: Final = 1 + 64 + 1 + len(OBJECT_NAME)
_METADATA_KEY_PREFIX: Final = "x-amz-meta-"
_KNOWN_EVENT_KEY_SET: Final = frozenset(KNOWN_EVENT_KEYS)


def validate_bucket_name(bucket: object) -> None:
    """Check the S3 bucket naming rules (general purpose, or directory bucket names)."""
    if not isinstance(bucket, str):
        raise InvalidEventError(f"bucket: must be a string, not {json_type(bucket)}")
    problem = None
    if not 3 <= len(bucket) <= 63:
        problem = f"is {len(bucket)} characters long; bucket names have 3 to 63"
    elif not _BUCKET_RE.fullmatch(bucket):
        problem = (
            "may hold only lowercase letters, digits, '.' and '-', "
            "and must begin and end with a letter or digit"
        )
    elif ".." in bucket:
        problem = "must not contain two adjacent periods"
    elif _IP_ADDRESS_RE.fullmatch(bucket):
        problem = "must not be formatted as an IP address"
    elif bucket.startswith(_RESERVED_BUCKET_PREFIXES):
        problem = f"must not start with a reserved prefix {_RESERVED_BUCKET_PREFIXES}"
    elif bucket.endswith(_RESERVED_BUCKET_SUFFIXES):
        problem = f"must not end with a reserved suffix {_RESERVED_BUCKET_SUFFIXES}"
    elif bucket.endswith("--x-s3") and not _DIRECTORY_BUCKET_RE.fullmatch(bucket):
        problem = "ends with --x-s3 but is not a directory bucket name (base--zone-id--x-s3)"
    if problem is not None:
        shown = show_text(bucket, 80)
        raise InvalidEventError(f"bucket {shown}: {problem} (rule: S3 bucket naming rules)")


def check_key_path(value: object, what: str, limit: int) -> str:
    """Shared rules for a key prefix or a whole key; returns the value as str."""
    if not isinstance(value, str):
        raise InvalidEventError(f"{what}: must be a string, not {json_type(value)}")
    problem = None
    if not value:
        problem = "must not be empty"
    elif value.startswith("/"):
        problem = "must not start with '/'"
    elif _CONTROL_RE.search(value):
        problem = "must not contain control characters"
    elif any(seg in ("", ".", "..") for seg in value.split("/")):
        problem = "must not contain empty, '.' or '..' segments (no '//' and no trailing '/')"
    else:
        try:
            size = len(value.encode("utf-8"))
        except UnicodeEncodeError:
            problem = "is not valid Unicode text (lone surrogate)"
        else:
            if size > limit:
                problem = (
                    f"is {size} UTF-8 bytes; the whole S3 key must fit {MAX_S3_KEY_BYTES} bytes, "
                    f"so this may have at most {limit}"
                )
    if problem is not None:
        raise InvalidEventError(f"{what} {show_text(value, 80)}: {problem} (rule: S3 key)")
    return value


def validate_key_prefix(prefix: object) -> None:
    """Check a key prefix: no leading '/', no empty/'.'/'..' segments, no control
    characters, and ``<prefix>/<sha256>/hyperparameters.json`` fits 1,024 UTF-8 bytes."""
    check_key_path(prefix, "key_prefix", MAX_S3_KEY_BYTES - _KEY_SUFFIX_BYTES)


def object_key(key_prefix: str, sha256_hex: str) -> str:
    """The content-addressed key: ``<key_prefix>/<sha256>/hyperparameters.json``."""
    validate_key_prefix(key_prefix)
    if not isinstance(sha256_hex, str) or not SHA256_RE.fullmatch(sha256_hex):
        raise HyperparameterPrepError("sha256_hex: must be 64 lowercase hexadecimal characters")
    return f"{key_prefix}/{sha256_hex}/{OBJECT_NAME}"


def validate_kms_key_id(value: object) -> str:
    """Return ``value`` if it names a KMS key the way S3 accepts it, else raise."""
    if not isinstance(value, str) or not KMS_KEY_ID_RE.fullmatch(value):
        raise InvalidEventError(
            "kms_key_id: must be a KMS key id, multi-Region key id (mrk-...), alias name "
            "(alias/...), or key or alias ARN"
            + (f", not {json_type(value)}" if not isinstance(value, str) else "")
        )
    return value


def validate_account_id(value: object, field: str = "expected_bucket_owner") -> str:
    """Return ``value`` if it is a 12-digit AWS account id (ASCII digits, as a string)."""
    if not isinstance(value, str) or not ACCOUNT_ID_RE.fullmatch(value):
        raise InvalidEventError(f"{field}: must be a 12-digit AWS account id (as a string)")
    return value


def optional_string(event: Mapping[str, Any], name: str, limit: int = 2048) -> str | None:
    """An optional printable-ASCII string option; missing, None and "" mean not set."""
    value = event.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InvalidEventError(f"{name}: must be a string, not {json_type(value)}")
    if len(value) > limit or not _PRINTABLE_ASCII_RE.fullmatch(value) or value != value.strip():
        raise InvalidEventError(
            f"{name}: must be printable ASCII without surrounding spaces, "
            f"at most {limit} characters"
        )
    return value


def metadata_size(metadata: Mapping[str, str]) -> int:
    """User metadata size as counted here: UTF-8 bytes of ``x-amz-meta-<key>`` and values."""
    return sum(
        len(f"{_METADATA_KEY_PREFIX}{key}".encode()) + len(value.encode())
        for key, value in metadata.items()
    )


class Event(NamedTuple):
    """A checked event (the hyperparameters themselves are parsed later)."""

    hyperparameters: object
    bucket: str
    key_prefix: str
    kms_key_id: str | None
    expected_bucket_owner: str | None
    metadata: dict[str, str]
    overrides: dict[str, object]
    constraints: Constraints


def _split_keys(event: Mapping[Any, Any]) -> dict[str, object]:
    """Refuse unknown keys; return the overrides keyed by path (prefix removed)."""
    overrides: dict[str, object] = {}
    unknown: list[str] = []
    for name, value in event.items():
        if isinstance(name, str) and name.startswith(OVERRIDE_PREFIX):
            overrides[name[len(OVERRIDE_PREFIX) :]] = value
        elif name not in _KNOWN_EVENT_KEY_SET:
            unknown.append(redact(repr(name)))
    if unknown:
        raise InvalidEventError(
            f"event: unknown key(s) {', '.join(sorted(unknown))}; known keys are "
            f"{', '.join(KNOWN_EVENT_KEYS)} and {OVERRIDE_PREFIX}<dotted.path>"
        )
    return overrides


def parse_event(event: object) -> Event:
    """Check the event's shape and options (not the hyperparameters); raise on the first
    problem."""
    if not isinstance(event, Mapping):
        raise InvalidEventError(f"event: must be an object, not {json_type(event)}")
    overrides = _split_keys(event)
    for required in (EVENT_HYPERPARAMETERS, EVENT_BUCKET):
        if required not in event:
            raise InvalidEventError(f"event: the {required} key is required")
    bucket = event[EVENT_BUCKET]
    validate_bucket_name(bucket)
    key_prefix = event.get(EVENT_KEY_PREFIX)
    if key_prefix is None or key_prefix == "":
        key_prefix = DEFAULT_KEY_PREFIX
    validate_key_prefix(key_prefix)
    kms_key_id = optional_string(event, EVENT_KMS_KEY_ID)
    if kms_key_id is not None:
        validate_kms_key_id(kms_key_id)
    owner = optional_string(event, EVENT_EXPECTED_BUCKET_OWNER)
    if owner is not None:
        validate_account_id(owner)
    metadata: dict[str, str] = {}
    for name in (EVENT_PIPELINE_NAME, EVENT_PIPELINE_EXECUTION_ID):
        value = optional_string(event, name, MAX_METADATA_VALUE_CHARS)
        if value is not None:
            metadata[name.replace("_", "-")] = value
    total = metadata_size({**metadata, "sha256": "0" * 64})
    if total > MAX_USER_METADATA_BYTES:
        raise InvalidEventError(
            f"pipeline_name, pipeline_execution_id: S3 user metadata is limited to "
            f"{MAX_USER_METADATA_BYTES} bytes, and these would make it {total} (keys with "
            "their x-amz-meta- prefix, and the content's sha256); shorten them "
            "(rule: S3 user metadata)"
        )
    constraints = parse_constraints(event.get(CONSTRAINTS_KEY), override_paths=set(overrides))
    return Event(
        hyperparameters=event[EVENT_HYPERPARAMETERS],
        bucket=bucket,
        key_prefix=key_prefix,
        kms_key_id=kms_key_id,
        expected_bucket_owner=owner,
        metadata=metadata,
        overrides=overrides,
        constraints=constraints,
    )


def make_event(
    hyperparameters: object,
    bucket: object,
    *,
    key_prefix: object = None,
    kms_key_id: object = None,
    expected_bucket_owner: object = None,
    pipeline_name: object = None,
    pipeline_execution_id: object = None,
    overrides: Mapping[str, object] | None = None,
    constraints: object = None,
) -> dict[str, object]:
    """An event for this handler: the one place outside ``parse_event`` that names its keys.

    Values are passed through unchecked (the step builder passes pipeline variables);
    optional ones left as None are left out. ``overrides`` is keyed by dotted path.
    """
    event: dict[str, object] = {EVENT_HYPERPARAMETERS: hyperparameters, EVENT_BUCKET: bucket}
    optional = {
        EVENT_KEY_PREFIX: key_prefix,
        EVENT_KMS_KEY_ID: kms_key_id,
        EVENT_EXPECTED_BUCKET_OWNER: expected_bucket_owner,
    }
    event.update({key: value for key, value in optional.items() if value is not None})
    for path, value in (overrides or {}).items():
        event[f"{OVERRIDE_PREFIX}{path}"] = value
    if constraints is not None:
        event[CONSTRAINTS_KEY] = constraints
    metadata = {
        EVENT_PIPELINE_NAME: pipeline_name,
        EVENT_PIPELINE_EXECUTION_ID: pipeline_execution_id,
    }
    event.update({key: value for key, value in metadata.items() if value is not None})
    return event
