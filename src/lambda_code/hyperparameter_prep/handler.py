"""``lambda_handler``: check the event, build the canonical document, write it, answer.

Logs one JSON line per invocation (never a hyperparameter value; names and errors
pass through the secret redaction).
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Mapping
from typing import Any, Final

from .client import AwsClient, get_s3_client
from .constraints import check_parsed_constraints
from .document import canonical_bytes
from .errors import InvalidEventError, InvalidHyperparametersError
from .event import object_key, parse_event
from .limits import (
    LOGGER_NAME,
    MAX_OUTPUT_VALUE_CHARS,
    OUTPUT_REUSED,
    OUTPUT_S3_URI,
    OUTPUT_SHA256,
    OUTPUT_SIZE_BYTES,
)
from .overrides import apply_overrides
from .parsing import parse_hyperparameters
from .scanner import redact
from .storage import put_or_reuse

_LOGGER: Final = logging.getLogger(LOGGER_NAME)
if os.environ.get("AWS_LAMBDA_FUNCTION_NAME") and _LOGGER.level == logging.NOTSET:
    # Inside Lambda the root logger may sit at WARNING (text log format): make the
    # one INFO line per invocation visible, honouring Lambda's log-level control.
    _level_name = os.environ.get("AWS_LAMBDA_LOG_LEVEL", "INFO").upper()
    _level = logging.getLevelName("DEBUG" if _level_name == "TRACE" else _level_name)
    _LOGGER.setLevel(_level if isinstance(_level, int) else logging.INFO)


def _log(fields: dict[str, Any], started: float, *, failed: bool) -> None:
    fields["duration_ms"] = round((time.perf_counter() - started) * 1000, 3)
    line = json.dumps(fields, sort_keys=False, default=str)
    if failed:
        _LOGGER.error(line)
    else:
        _LOGGER.info(line)


def _redact_error(err: Exception) -> None:
    """Last line of defence: no credential in an error message leaves the handler."""
    text = str(err)
    if redact(text) == text:
        return
    if isinstance(err, InvalidHyperparametersError):
        err.path, err.rule = redact(err.path), redact(err.rule)
        err.args = (f"{err.path}: {err.rule}",)
    else:
        err.args = (redact(text),)


def lambda_handler(
    event: Mapping[str, Any],
    context: object,
    *,
    s3_client: AwsClient | None = None,
    kms_client: AwsClient | None = None,
) -> dict[str, Any]:
    """Validate, serialise and upload the hyperparameters; return the step outputs.

    Returns exactly ``hyperparameters_s3_uri``, ``hyperparameters_sha256``,
    ``hyperparameters_size_bytes`` and ``reused``. Raises HyperparameterPrepError
    (nothing written) on bad input, StorageError when S3 fails, ObjectMismatchError when
    the object at the key is not the document, ClientConfigurationError when a client
    cannot be built. ``s3_client``/``kms_client`` replace the container's clients.
    """
    started = time.perf_counter()
    fields: dict[str, Any] = {
        "message": LOGGER_NAME,
        "request_id": getattr(context, "aws_request_id", None),
    }
    try:
        if isinstance(event, Mapping) and isinstance(event.get("bucket"), str):
            fields["bucket"] = redact(event["bucket"][:100])
        parsed = parse_event(event)
        fields["pipeline_name"] = parsed.metadata.get("pipeline-name")
        fields["pipeline_execution_id"] = parsed.metadata.get("pipeline-execution-id")
        fields["overrides"] = sorted(redact(path) for path in parsed.overrides)
        hyperparams = parse_hyperparameters(parsed.hyperparameters)
        if parsed.overrides:
            hyperparams = apply_overrides(hyperparams, parsed.overrides)
        check_parsed_constraints(hyperparams, parsed.constraints)
        body, sha256_hex = canonical_bytes(hyperparams)
        key = object_key(parsed.key_prefix, sha256_hex)
        uri = f"s3://{parsed.bucket}/{key}"
        if len(uri) > MAX_OUTPUT_VALUE_CHARS:
            raise InvalidEventError(
                f"key_prefix: the S3 URI would be {len(uri)} characters; LambdaStep output "
                f"values are at most {MAX_OUTPUT_VALUE_CHARS}: shorten the key prefix"
            )
        fields.update(key=redact(key), sha256=sha256_hex, size_bytes=len(body))
        reused = put_or_reuse(
            body,
            sha256_hex,
            client=s3_client if s3_client is not None else get_s3_client(),
            bucket=parsed.bucket,
            key=key,
            kms_key_id=parsed.kms_key_id,
            expected_bucket_owner=parsed.expected_bucket_owner,
            metadata=parsed.metadata,
            kms_client=kms_client,
        )
    except Exception as err:
        _redact_error(err)
        fields.update(outcome="error", error_type=type(err).__name__, error=str(err))
        _log(fields, started, failed=True)
        raise
    fields.update(outcome="ok", reused=reused)
    _log(fields, started, failed=False)
    return {
        OUTPUT_S3_URI: uri,
        OUTPUT_SHA256: sha256_hex,
        OUTPUT_SIZE_BYTES: len(body),
        OUTPUT_REUSED: reused,
    }
