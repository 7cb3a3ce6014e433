"""Every limit, name and setting of the handler, in one place.

The library imports these (step builder, local runner, CLI) instead of retyping them.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

LOGGER_NAME: Final = "hyperparameter_prep"
"""Name of the logger that gets one JSON line per invocation."""

# --------------------------------------------------------------------------- event

OVERRIDE_PREFIX: Final = "override."
"""Event keys starting with this replace a value: ``override.optimizer.lr``."""

EVENT_HYPERPARAMETERS: Final = "hyperparameters"
"""Event key of the hyperparameters (JSON-object text, or a mapping when invoked directly)."""
EVENT_BUCKET: Final = "bucket"
EVENT_KEY_PREFIX: Final = "key_prefix"
EVENT_KMS_KEY_ID: Final = "kms_key_id"
EVENT_EXPECTED_BUCKET_OWNER: Final = "expected_bucket_owner"
EVENT_PIPELINE_NAME: Final = "pipeline_name"
EVENT_PIPELINE_EXECUTION_ID: Final = "pipeline_execution_id"

CONSTRAINTS_KEY: Final = "constraints"
"""Event key of the override constraints (JSON-object text: dotted path -> schema fragment)."""

KNOWN_EVENT_KEYS: Final = (
    EVENT_HYPERPARAMETERS,
    EVENT_BUCKET,
    EVENT_KEY_PREFIX,
    EVENT_KMS_KEY_ID,
    EVENT_EXPECTED_BUCKET_OWNER,
    EVENT_PIPELINE_NAME,
    EVENT_PIPELINE_EXECUTION_ID,
    CONSTRAINTS_KEY,
)
"""Event keys the handler understands, besides ``override.<dotted.path>``."""

DEFAULT_KEY_PREFIX: Final = "hyperparameters"
"""Key prefix used when the event gives none."""

OBJECT_NAME: Final = "hyperparameters.json"
"""Last segment of every object key."""

# --------------------------------------------------------------------------- result

OUTPUT_S3_URI: Final = "hyperparameters_s3_uri"
OUTPUT_SHA256: Final = "hyperparameters_sha256"
OUTPUT_SIZE_BYTES: Final = "hyperparameters_size_bytes"
OUTPUT_REUSED: Final = "reused"

OUTPUT_TYPES: Final = MappingProxyType(
    {
        OUTPUT_S3_URI: "String",
        OUTPUT_SHA256: "String",
        OUTPUT_SIZE_BYTES: "Integer",
        OUTPUT_REUSED: "Boolean",
    }
)
"""The result's keys, in order, with their LambdaStep output types."""

# --------------------------------------------------------------------------- document

MAX_KEY_LENGTH: Final = 256
"""Longest allowed hyperparameter key, in characters (the CreateTrainingJob limit)."""

MAX_DEPTH: Final = 32
"""Deepest allowed nesting; the top-level object is level 1."""

MAX_DOCUMENT_BYTES: Final = 5 * 1024 * 1024
"""Largest allowed canonical document, in bytes (5 MiB)."""

MAX_INT_DIGITS: Final = 4300
"""Most decimal digits in an integer: Python's default int/str conversion limit, so
``json.loads`` in the training container can read every integer written here."""

# --------------------------------------------------------------------------- S3

MAX_S3_KEY_BYTES: Final = 1024
"""Longest S3 object key, in UTF-8 bytes."""

MAX_OUTPUT_VALUE_CHARS: Final = 1024
"""Longest LambdaStep output value: the returned S3 URI must fit."""

MAX_METADATA_VALUE_CHARS: Final = 1024
"""Longest ``pipeline_name``/``pipeline_execution_id`` value."""

MAX_USER_METADATA_BYTES: Final = 2048
"""S3's limit on user metadata: keys and values, UTF-8 bytes, added up. Counted here with
the ``x-amz-meta-`` prefix of each key, which is at or above what S3 counts."""

S3_CONNECT_TIMEOUT_SECONDS: Final = 3
"""Connect timeout of the default S3 (and KMS) client."""

S3_READ_TIMEOUT_SECONDS: Final = 10
"""Read timeout of the default S3 (and KMS) client (S3 answers a 5 MiB PutObject in well
under 1 s)."""

S3_MAX_ATTEMPTS: Final = 6
"""Attempts (first try included) of the default S3 (and KMS) client, standard retry mode.

One attempt is bounded by 3 s + 10 s. Worst case for one PutObject, every attempt
timing out and every error a throttle: 6 x 13 s plus at most 1+2+4+8+16 = 31 s of
jittered backoff, about 110 s; typical transient failures cost well under a second
of backoff (50 ms base for 5xx). Keep the function timeout above that worst case
(the LambdaStep allows 600 s)."""

CONFLICT_ATTEMPTS: Final = 3
"""PutObject rounds when S3 answers 409 ConditionalRequestConflict, or when the object
behind a 412 is gone (or replaced) before it could be checked."""

USER_AGENT_EXTRA: Final = "sagemaker-pipeline-steps/hyperparameter-prep"
"""Appended to the clients' User-Agent, so requests can be told apart in CloudTrail."""
