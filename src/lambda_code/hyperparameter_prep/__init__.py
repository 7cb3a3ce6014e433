"""Hyperparameter-prep Lambda handler: validate, serialise, upload, return the S3 URI.

This package is deployed alone (zipped as the folder ``hyperparameter_prep/``) and runs
as the top-level package ``hyperparameter_prep`` inside AWS Lambda (handler
``hyperparameter_prep.lambda_handler``); the library also imports it as
``lambda_code.hyperparameter_prep`` to validate hyperparameters at pipeline build time
and to run the step locally. Its modules therefore import each other relatively, import
only the standard library at import time, and boto3/botocore lazily when AWS is first
needed.

Event (the LambdaStep ``Arguments``)::

    hyperparameters        JSON-object text, or a dict when invoked directly (required)
    bucket                 target bucket (required)
    key_prefix             key prefix, default "hyperparameters"
    override.<dotted.path> replaces the value at an existing path, coerced to its type
    constraints            JSON-object text: dotted override path -> JSON Schema fragment
    kms_key_id             SSE-KMS key (id, ARN or alias); without it SSE-S3 (AES256)
    expected_bucket_owner  12-digit account id, sent as ExpectedBucketOwner
    pipeline_name          recorded as object metadata
    pipeline_execution_id  recorded as object metadata

Result (the step's ``OutputParameters``, types in :data:`OUTPUT_TYPES`)::

    {"hyperparameters_s3_uri": "s3://<bucket>/<key_prefix>/<sha256>/hyperparameters.json",
     "hyperparameters_sha256": "<sha256 of the canonical JSON>",
     "hyperparameters_size_bytes": <int>,
     "reused": <bool: the identical object, identically encrypted, was already there>}

Modules: ``limits`` (every limit and name), ``errors``, ``secrets`` (the scanner's rule
table) and ``scanner`` (its engine), ``paths`` (how errors name places), ``document``
(the rules and the canonical bytes), ``parsing`` (strict JSON text), ``overrides`` (the
coercion table), ``constraints`` (the ``constraints`` key), ``event``, ``client`` (lazy
boto3 clients), ``kms`` (KMS key identity), ``storage`` (write, or prove reuse),
``handler``.

Errors are :class:`HyperparameterPrepError` (a ``ValueError``) or one of its
subclasses; messages name the JSON path and the rule, never echo a hyperparameter
value, and mask anything that looks like a credential.
"""

from __future__ import annotations

from .client import get_kms_client, get_s3_client, set_kms_client, set_s3_client
from .constraints import (
    CONSTRAINT_KEYWORDS,
    CONSTRAINT_TYPES,
    check_override_constraints,
    parse_constraints,
)
from .document import canonical_bytes, serialize_hyperparameters, validate_hyperparameters
from .errors import (
    ClientConfigurationError,
    ConstraintViolationError,
    HyperparameterPrepError,
    InvalidConstraintsError,
    InvalidEventError,
    InvalidHyperparametersError,
    ObjectMismatchError,
    StorageError,
)
from .event import (
    make_event,
    object_key,
    validate_account_id,
    validate_bucket_name,
    validate_key_prefix,
    validate_kms_key_id,
)
from .handler import lambda_handler
from .limits import (
    CONFLICT_ATTEMPTS,
    CONSTRAINTS_KEY,
    DEFAULT_KEY_PREFIX,
    EVENT_HYPERPARAMETERS,
    KNOWN_EVENT_KEYS,
    LOGGER_NAME,
    MAX_DEPTH,
    MAX_DOCUMENT_BYTES,
    MAX_INT_DIGITS,
    MAX_KEY_LENGTH,
    MAX_METADATA_VALUE_CHARS,
    MAX_OUTPUT_VALUE_CHARS,
    MAX_S3_KEY_BYTES,
    MAX_USER_METADATA_BYTES,
    OBJECT_NAME,
    OUTPUT_REUSED,
    OUTPUT_S3_URI,
    OUTPUT_SHA256,
    OUTPUT_SIZE_BYTES,
    OUTPUT_TYPES,
    OVERRIDE_PREFIX,
    S3_CONNECT_TIMEOUT_SECONDS,
    S3_MAX_ATTEMPTS,
    S3_READ_TIMEOUT_SECONDS,
    USER_AGENT_EXTRA,
)
from .overrides import apply_overrides
from .parsing import parse_hyperparameters

__all__ = [
    "CONFLICT_ATTEMPTS",
    "CONSTRAINTS_KEY",
    "CONSTRAINT_KEYWORDS",
    "CONSTRAINT_TYPES",
    "DEFAULT_KEY_PREFIX",
    "EVENT_HYPERPARAMETERS",
    "KNOWN_EVENT_KEYS",
    "LOGGER_NAME",
    "MAX_DEPTH",
    "MAX_DOCUMENT_BYTES",
    "MAX_INT_DIGITS",
    "MAX_KEY_LENGTH",
    "MAX_METADATA_VALUE_CHARS",
    "MAX_OUTPUT_VALUE_CHARS",
    "MAX_S3_KEY_BYTES",
    "MAX_USER_METADATA_BYTES",
    "OBJECT_NAME",
    "OUTPUT_REUSED",
    "OUTPUT_S3_URI",
    "OUTPUT_SHA256",
    "OUTPUT_SIZE_BYTES",
    "OUTPUT_TYPES",
    "OVERRIDE_PREFIX",
    "S3_CONNECT_TIMEOUT_SECONDS",
    "S3_MAX_ATTEMPTS",
    "S3_READ_TIMEOUT_SECONDS",
    "USER_AGENT_EXTRA",
    "ClientConfigurationError",
    "ConstraintViolationError",
    "HyperparameterPrepError",
    "InvalidConstraintsError",
    "InvalidEventError",
    "InvalidHyperparametersError",
    "ObjectMismatchError",
    "StorageError",
    "apply_overrides",
    "canonical_bytes",
    "check_override_constraints",
    "get_kms_client",
    "get_s3_client",
    "lambda_handler",
    "make_event",
    "object_key",
    "parse_constraints",
    "parse_hyperparameters",
    "serialize_hyperparameters",
    "set_kms_client",
    "set_s3_client",
    "validate_account_id",
    "validate_bucket_name",
    "validate_hyperparameters",
    "validate_key_prefix",
    "validate_kms_key_id",
]
