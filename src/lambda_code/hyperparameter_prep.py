"""Hyperparameter-prep Lambda handler: validate, serialise, upload, return the S3 URI.

This file is deployed alone and runs as the top-level module ``hyperparameter_prep``
inside AWS Lambda (handler ``hyperparameter_prep.lambda_handler``); the library also
imports it as ``lambda_code.hyperparameter_prep`` to validate hyperparameters at
pipeline build time and to run the step locally. It therefore imports only the
standard library at import time, and boto3/botocore lazily when S3 is first needed.

Event (the LambdaStep ``Arguments``)::

    hyperparameters        JSON-object text, or a dict when invoked directly (required)
    bucket                 target bucket (required)
    key_prefix             key prefix, default "hyperparameters"
    override.<dotted.path> replaces the value at an existing path, coerced to its type
    kms_key_id             SSE-KMS key (id, ARN or alias); without it SSE-S3 (AES256)
    expected_bucket_owner  12-digit account id, sent as ExpectedBucketOwner
    pipeline_name          recorded as object metadata
    pipeline_execution_id  recorded as object metadata

For the optional keys (everything but ``hyperparameters`` and ``bucket``) a missing
key, ``None`` and ``""`` all mean "not set": SageMaker sends ``""`` for a pipeline
parameter nobody filled in. Any other key is refused, so a typo such as ``key_prefx``
fails loudly instead of being ignored.

Result (the step's ``OutputParameters``)::

    {"hyperparameters_s3_uri": "s3://<bucket>/<key_prefix>/<sha256>/hyperparameters.json",
     "hyperparameters_sha256": "<sha256 of the canonical JSON>",
     "hyperparameters_size_bytes": <int>,
     "reused": <bool: the identical object was already there>}

Override coercion (the value replaces the one at the path and takes its type):

* bool stood: ``True``/``False``, or the strings ``"true"``/``"false"`` in any case;
  numbers are refused (booleans are not integers here, and vice versa).
* int stood: an int; a float with an integral value (``3.0``); a string holding an
  integral decimal number (``"3"``, ``"+3"``, ``"3.0"``, ``"1e3"``). ``"3.5"``,
  ``3.5`` and booleans are refused.
* float stood: an int or float (finite), or a string holding a decimal number
  (``"0.05"``, ``"1e-3"``); ``"nan"``, ``"inf"`` and booleans are refused.
* str stood: a string as is; an int or finite float becomes its decimal text
  (``3`` -> ``"3"``, ``0.05`` -> ``"0.05"``); booleans and null are refused.
* object/array stood: an object/array, or a string holding JSON text of that kind.
* null stood: any JSON scalar, taken as is (there is no type to coerce to).

Errors are :class:`HyperparameterPrepError` (a ``ValueError``) or one of its
subclasses; messages name the JSON path and the rule and never echo a
hyperparameter value (they end up in logs).
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import logging
import math
import os
import random
import re
import threading
import time
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from botocore.exceptions import BotoCoreError, ClientError

_S3Client = Any
"""boto3's S3 client. Left untyped on purpose: this file may import only the standard
library and boto3, so the typed stubs (mypy_boto3_s3) are not named here."""

__all__ = [
    "DEFAULT_KEY_PREFIX",
    "KNOWN_EVENT_KEYS",
    "MAX_DEPTH",
    "MAX_DOCUMENT_BYTES",
    "MAX_INT_DIGITS",
    "MAX_KEY_LENGTH",
    "MAX_OUTPUT_VALUE_CHARS",
    "MAX_S3_KEY_BYTES",
    "OBJECT_NAME",
    "OVERRIDE_PREFIX",
    "S3_CONNECT_TIMEOUT_SECONDS",
    "S3_MAX_ATTEMPTS",
    "S3_READ_TIMEOUT_SECONDS",
    "HyperparameterPrepError",
    "InvalidEventError",
    "InvalidHyperparametersError",
    "ObjectMismatchError",
    "StorageError",
    "apply_overrides",
    "get_s3_client",
    "lambda_handler",
    "object_key",
    "parse_hyperparameters",
    "serialize_hyperparameters",
    "set_s3_client",
    "upload_to_s3",
    "validate_bucket_name",
    "validate_hyperparameters",
    "validate_key_prefix",
]

# --------------------------------------------------------------------------- limits

OVERRIDE_PREFIX = "override."
"""Event keys starting with this replace a value: ``override.optimizer.lr``."""

DEFAULT_KEY_PREFIX = "hyperparameters"
"""Key prefix used when the event gives none."""

OBJECT_NAME = "hyperparameters.json"
"""Last segment of every object key."""

MAX_KEY_LENGTH = 256
"""Longest allowed hyperparameter key, in characters (the CreateTrainingJob limit)."""

MAX_DEPTH = 32
"""Deepest allowed nesting; the top-level object is level 1."""

MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
"""Largest allowed canonical document, in bytes (5 MiB)."""

MAX_S3_KEY_BYTES = 1024
"""Longest S3 object key, in UTF-8 bytes."""

MAX_OUTPUT_VALUE_CHARS = 1024
"""Longest LambdaStep output value: the returned S3 URI must fit."""

MAX_INT_DIGITS = 4300
"""Most decimal digits in an integer: Python's default int/str conversion limit, so
``json.loads`` in the training container can read every integer written here."""

MAX_METADATA_VALUE_CHARS = 1024
"""Longest ``pipeline_name``/``pipeline_execution_id`` (S3 user metadata is at most 2 KB)."""

S3_CONNECT_TIMEOUT_SECONDS = 3
"""Connect timeout of the default S3 client."""

S3_READ_TIMEOUT_SECONDS = 10
"""Read timeout of the default S3 client (S3 answers a 5 MiB PutObject in well under 1 s)."""

S3_MAX_ATTEMPTS = 6
"""Attempts (first try included) of the default S3 client, standard retry mode.

One attempt is bounded by 3 s + 10 s. Worst case for one PutObject, every attempt
timing out and every error a throttle: 6 x 13 s plus at most 1+2+4+8+16 = 31 s of
jittered backoff, about 110 s; typical transient failures cost well under a second
of backoff (50 ms base for 5xx). Keep the function timeout above that worst case
(the LambdaStep allows 600 s)."""

_CONFLICT_ATTEMPTS = 3
"""PutObject calls made when S3 answers 409 ConditionalRequestConflict."""

KNOWN_EVENT_KEYS = (
    "hyperparameters",
    "bucket",
    "key_prefix",
    "kms_key_id",
    "expected_bucket_owner",
    "pipeline_name",
    "pipeline_execution_id",
)
"""Event keys the handler understands, besides ``override.<dotted.path>``."""

_KNOWN_EVENT_KEY_SET = frozenset(KNOWN_EVENT_KEYS)
_USER_AGENT_EXTRA = "sagemaker-pipeline-steps/hyperparameter-prep"

_LOGGER = logging.getLogger("hyperparameter_prep")
if os.environ.get("AWS_LAMBDA_FUNCTION_NAME") and _LOGGER.level == logging.NOTSET:
    # Inside Lambda the root logger may sit at WARNING (text log format): make the
    # one INFO line per invocation visible, honouring Lambda's log-level control.
    _level_name = os.environ.get("AWS_LAMBDA_LOG_LEVEL", "INFO").upper()
    _level = logging.getLevelName("DEBUG" if _level_name == "TRACE" else _level_name)
    _LOGGER.setLevel(_level if isinstance(_level, int) else logging.INFO)

# --------------------------------------------------------------------------- errors


class HyperparameterPrepError(ValueError):
    """Any failure of the hyperparameter-prep step; what callers catch."""


class InvalidHyperparametersError(HyperparameterPrepError):
    """The hyperparameters (or an override) break a rule; ``path`` and ``rule`` say which."""

    def __init__(self, path: str, rule: str) -> None:
        super().__init__(f"{path}: {rule}")
        self.path = path
        self.rule = rule

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.path, self.rule))


class InvalidEventError(HyperparameterPrepError):
    """The event itself is malformed: unknown keys, bad bucket, key prefix or option."""


class StorageError(HyperparameterPrepError):
    """S3 refused or failed the upload; the message says what to fix."""


class ObjectMismatchError(StorageError):
    """An object already at the content-addressed key is not the expected content."""


# --------------------------------------------------------------------------- paths


_PLAIN_KEY_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


def _segment(key: object) -> str:
    """Render one path segment: ``.name``, ``[3]`` or ``["odd key"]``."""
    if isinstance(key, int) and not isinstance(key, bool):
        return f"[{key}]"
    if isinstance(key, str):
        if len(key) > 64:
            shown = key[:64] + "..."
            return f".{shown}" if _PLAIN_KEY_RE.fullmatch(key) else f"[{json.dumps(shown)}]"
        return f".{key}" if _PLAIN_KEY_RE.fullmatch(key) else f"[{json.dumps(key)}]"
    return f"[{type(key).__name__} key]"


def _join_path(root: str, segments: list[object]) -> str:
    return root + "".join(_segment(s) for s in segments)


def _json_type(value: object) -> str:
    """Name a value's type the way the rules speak about it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, (list, tuple)):
        return "array"
    return type(value).__name__


# --------------------------------------------------------------------------- validation

_CREDENTIAL_NAMES = frozenset(
    {
        "password",
        "passwd",
        "secret",
        "secretkey",
        "apikey",
        "accesskey",
        "accesskeyid",
        "secretaccesskey",
        "privatekey",
        "authtoken",
        "sessiontoken",
    }
)
# A key is also refused when it ends in one of these after a separator or word
# boundary was squeezed out: ``db_password``, ``aws_secret_access_key``,
# ``openai.api_key``, ``client_secret``. ``max_tokens``, ``tokenizer``,
# ``token_dropout`` and ``secret_sauce_weight`` do not match.
_CREDENTIAL_SUFFIXES = tuple(sorted(_CREDENTIAL_NAMES))
_NON_ALNUM_RE = re.compile(r"[^0-9a-z]+")
# A leading literal lets the regex engine skip ahead fast (a leading look-behind made it
# ~50x slower); the character before a match is checked by hand instead.
_ACCESS_KEY_ID_RE = re.compile(r"A[KS]IA[A-Z0-9]{16}(?![A-Z0-9])")
_KEY_ID_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_PEM_PRIVATE_KEY_RE = re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----")
_RULE_NO_CREDENTIALS = "credentials must not be hyperparameters (rule: no credentials)"
_SURROGATE_RE = re.compile(r"[\ud800-\udfff]")
_RULE_UNICODE = (
    "holds surrogate code points, which are not valid Unicode and do not survive a JSON "
    "round trip (rule: strings are valid Unicode)"
)


class _RuleError(Exception):
    """Internal: a rule failed somewhere below; frames add path segments on the way up."""

    def __init__(self, rule: str) -> None:
        super().__init__(rule)
        self.rule = rule
        self.segments: list[object] = []


def _secret_in_text(text: str) -> str | None:
    """Say what kind of secret a string looks like, or None.

    Callers gate on ``"I" in text or "-" in text`` (one-character searches are memchr
    fast), so most strings never reach the regular expressions.
    """
    if "I" in text:
        for match in _ACCESS_KEY_ID_RE.finditer(text):
            start = match.start()
            if not start or text[start - 1] not in _KEY_ID_CHARS:
                return "looks like an AWS access key id"
    if "-----" in text and _PEM_PRIVATE_KEY_RE.search(text):
        return "looks like a PEM private key"
    return None


# Every credential name ends in one of these: only such keys pay for normalising.
_CREDENTIAL_GATE = ("rd", "wd", "et", "ey", "id", "en")


def _check_key(key: object) -> None:
    """Check one object key; raises _RuleError (the caller adds the key as the segment)."""
    if not isinstance(key, str):
        raise _RuleError(
            f"key of type {type(key).__name__} is not a string (rule: keys are non-empty strings)"
        )
    if not key:
        raise _RuleError("empty key (rule: keys are non-empty strings)")
    if len(key) > MAX_KEY_LENGTH:
        raise _RuleError(
            f"key is {len(key)} characters long "
            f"(rule: keys are at most {MAX_KEY_LENGTH} characters)"
        )
    if not key.isascii() and _SURROGATE_RE.search(key):
        raise _RuleError(f"key {_RULE_UNICODE}")
    low = key.lower()
    if (not low[-1].isalnum() or low.endswith(_CREDENTIAL_GATE)) and _NON_ALNUM_RE.sub(
        "", low
    ).endswith(_CREDENTIAL_SUFFIXES):
        raise _RuleError(f"key is a credential name; {_RULE_NO_CREDENTIALS}")
    if (what := _secret_in_text(key)) is not None:
        raise _RuleError(f"key {what}; {_RULE_NO_CREDENTIALS}")


def _too_many_digits(value: int) -> bool:
    # 2**14284 < 10**4300, so only the rare huge integer pays for the exact test.
    return value.bit_length() > 14284 and abs(value) >= 10**MAX_INT_DIGITS


_RULE_FINITE = (
    "NaN, Infinity and numbers too large for a float are not valid JSON "
    "(rule: numbers must be finite)"
)
_RULE_DIGITS = f"integer has more than {MAX_INT_DIGITS} digits (rule: integer size)"
_RULE_TYPES = "(rule: values are JSON types only: object, array, string, number, boolean, null)"


def _check_other(value: object, depth: int, seen: set[str]) -> None:
    """The slow path for a value that is not an exact str/float/int/bool/None."""
    if isinstance(value, (dict, list, tuple)):
        _walk(value, depth, seen)
    elif isinstance(value, str):
        if not value.isascii() and _SURROGATE_RE.search(value):
            raise _RuleError(f"string value {_RULE_UNICODE}")
        what = _secret_in_text(value)
        if what is not None:
            raise _RuleError(f"string value {what}; {_RULE_NO_CREDENTIALS}")
    elif isinstance(value, bool):
        return
    elif isinstance(value, int):
        if _too_many_digits(value):
            raise _RuleError(_RULE_DIGITS)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise _RuleError(_RULE_FINITE)
    else:
        raise _RuleError(f"{type(value).__name__} is not a JSON type {_RULE_TYPES}")


def _walk(container: Any, depth: int, seen: set[str]) -> None:
    """One recursive pass over a container; leaves are checked inline for speed.

    Objects and arrays share one loop with the leaf checks inlined: a function call
    per leaf would double the cost of validating a large document. ``seen`` holds keys
    already checked, so repeated keys (lists of similar objects) are checked once.
    """
    if depth > MAX_DEPTH:
        raise _RuleError(f"nesting deeper than {MAX_DEPTH} levels (rule: max depth {MAX_DEPTH})")
    isfinite = math.isfinite
    child_depth = depth + 1
    is_dict = isinstance(container, dict)
    # One loop for objects and arrays; the checks are inlined (not a per-value call)
    # because this runs once per value of documents up to 5 MiB.
    pairs: Any = container.items() if is_dict else enumerate(container)
    for segment, value in pairs:
        kind = type(value)
        try:
            if is_dict and segment not in seen:
                _check_key(segment)
                seen.add(segment)
            if kind is str:
                if not value.isascii() and _SURROGATE_RE.search(value):
                    raise _RuleError(f"string value {_RULE_UNICODE}")
                if ("I" in value or "-" in value) and (what := _secret_in_text(value)) is not None:
                    raise _RuleError(f"string value {what}; {_RULE_NO_CREDENTIALS}")
            elif kind is float:
                if not isfinite(value):
                    raise _RuleError(_RULE_FINITE)
            elif kind is int:
                if value.bit_length() > 14284 and _too_many_digits(value):
                    raise _RuleError(_RULE_DIGITS)
            elif kind is bool or value is None:
                pass
            elif kind is dict or kind is list:
                _walk(value, child_depth, seen)
            else:
                _check_other(value, child_depth, seen)
        except _RuleError as failure:
            failure.segments.append(segment)
            raise


def _validate_structure(hyperparams: object, path: str) -> dict[str, Any]:
    """Every rule except the document size: top-level object, keys, types, depth, secrets.

    Returns the document as a dict: a top-level mapping that is not a dict is copied into
    one (json cannot write other mappings; nested ones are refused as not JSON types).
    """
    if not isinstance(hyperparams, dict):
        if not isinstance(hyperparams, Mapping):
            raise InvalidHyperparametersError(
                path, f"must be a JSON object, not {_json_type(hyperparams)} (rule: top level)"
            )
        hyperparams = dict(hyperparams)
    try:
        _walk(hyperparams, 1, set())
    except _RuleError as failure:
        failure.segments.reverse()
        raise InvalidHyperparametersError(
            _join_path(path, failure.segments), failure.rule
        ) from None
    return hyperparams


_ENCODER = json.JSONEncoder(indent=2, sort_keys=True, allow_nan=False, check_circular=False)
"""Canonical form; same output as json.dumps(h, indent=2, sort_keys=True, allow_nan=False)
(the circular check is redundant after the depth rule)."""

_BLOCK_CHUNKS = 4096


def _canonical_blocks(hyperparams: Mapping[str, Any], path: str) -> Iterator[str]:
    """Yield the canonical JSON in blocks, refusing it as soon as it passes 5 MiB.

    Joining the encoder's small chunks per block keeps peak memory near twice the
    document instead of a list of every token. Output is ASCII (``ensure_ascii``),
    so characters equal bytes.
    """
    chunks = _ENCODER.iterencode(hyperparams)
    size = 0
    while True:
        try:
            batch = list(itertools.islice(chunks, _BLOCK_CHUNKS))
        except (TypeError, ValueError, RecursionError) as err:
            # Validation refuses everything json cannot write; this is only a safety net
            # (e.g. an interpreter whose int/str digit limit is below the default).
            raise InvalidHyperparametersError(
                path, f"cannot be written as JSON ({type(err).__name__}: {err})"
            ) from err
        if not batch:
            return
        block = "".join(batch)
        del batch  # only the joined block stays alive while the caller encodes it
        size += len(block)
        if size > MAX_DOCUMENT_BYTES:
            raise InvalidHyperparametersError(
                path,
                f"canonical JSON is larger than {MAX_DOCUMENT_BYTES} bytes "
                "(rule: document at most 5 MiB)",
            )
        yield block


def validate_hyperparameters(hyperparams: object, *, path: str = "hyperparameters") -> None:
    """Check every rule; raise InvalidHyperparametersError naming the JSON path and rule.

    Rules: the top level is an object; keys are non-empty strings of at most 256
    characters; strings (keys and values) are valid Unicode, without surrogate code
    points; values are JSON types only (dict, list/tuple, str, int, finite float,
    bool, None; integers of at most 4300 digits); nesting at most 32 levels; no
    credential-named keys and no values that look like AWS access key ids or PEM
    private keys; the canonical document is at most 5 MiB.
    """
    for _ in _canonical_blocks(_validate_structure(hyperparams, path), path):
        pass


def serialize_hyperparameters(hyperparams: Mapping[str, Any]) -> str:
    """Validate and return the canonical JSON text.

    The text equals ``json.dumps(h, indent=2, sort_keys=True, allow_nan=False)``
    (``dict(h)`` for a top-level mapping that is not a dict).
    """
    document = _validate_structure(hyperparams, "hyperparameters")
    return "".join(_canonical_blocks(document, "hyperparameters"))


def _canonical_bytes(hyperparams: Mapping[str, Any]) -> tuple[bytes, str]:
    """Validate, serialise, encode and hash in one pass: (body, sha256 hex)."""
    document = _validate_structure(hyperparams, "hyperparameters")
    digest = hashlib.sha256()
    parts: list[bytes] = []
    for block in _canonical_blocks(document, "hyperparameters"):
        data = block.encode("ascii")
        del block
        digest.update(data)
        parts.append(data)
        del data
    # one part (most documents) is returned as is by join: no copy
    return b"".join(parts), digest.hexdigest()


# --------------------------------------------------------------------------- parsing


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _RuleError(
                    f"key {json.dumps(key[:64])} appears twice in one object "
                    "(rule: no duplicate keys)"
                )
            seen.add(key)
    return result


def _refuse_constant(name: str) -> Any:
    raise _RuleError(f"{name} is not valid JSON (rule: numbers must be finite)")


def _loads(text: str, path: str) -> Any:
    try:
        return json.loads(
            text, object_pairs_hook=_no_duplicate_keys, parse_constant=_refuse_constant
        )
    except _RuleError as failure:
        raise InvalidHyperparametersError(path, failure.rule) from None
    except json.JSONDecodeError as err:
        raise InvalidHyperparametersError(
            path, f"invalid JSON text: {err.msg} at line {err.lineno} column {err.colno}"
        ) from None
    except RecursionError:
        raise InvalidHyperparametersError(
            path, f"JSON text nests deeper than {MAX_DEPTH} levels (rule: max depth {MAX_DEPTH})"
        ) from None
    except ValueError as err:  # an integer literal beyond the int/str digit limit
        rule = _RULE_DIGITS if "digits" in str(err) else f"invalid JSON text ({err})"
        raise InvalidHyperparametersError(path, rule) from None


def parse_hyperparameters(value: object) -> dict[str, Any]:
    """Accept a dict or JSON-object text and return a dict (not yet validated).

    Text is refused when it is not valid JSON, is not an object at the top level,
    repeats a key within one object, or uses the NaN/Infinity literals.
    """
    if isinstance(value, dict):
        return value
    if isinstance(value, Mapping):
        return dict(value)
    if not isinstance(value, str):
        raise InvalidHyperparametersError(
            "hyperparameters",
            f"expected an object or JSON-object text, not {_json_type(value)} (rule: top level)",
        )
    if not value.strip():
        raise InvalidHyperparametersError(
            "hyperparameters", "empty text; expected a JSON object (rule: top level)"
        )
    parsed = _loads(value, "hyperparameters")
    if not isinstance(parsed, dict):
        raise InvalidHyperparametersError(
            "hyperparameters",
            f"JSON text must hold an object, not {_json_type(parsed)} (rule: top level)",
        )
    return parsed


# --------------------------------------------------------------------------- overrides

_INT_TEXT_RE = re.compile(r"[+-]?[0-9]+")
_NUMBER_TEXT_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_INDEX_RE = re.compile(r"0|[1-9][0-9]*")


def _coerce_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return None if _too_many_digits(value) else int(value)
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and value.is_integer() else None
    if isinstance(value, str):
        text = value.strip()
        try:
            if _INT_TEXT_RE.fullmatch(text):
                if len(text.lstrip("+-").lstrip("0")) > MAX_INT_DIGITS:
                    return None
                return int(text)
            if _NUMBER_TEXT_RE.fullmatch(text):
                from decimal import Decimal

                number = Decimal(text)  # exact: "3.0" and "1e3" are integers, "3.5" is not
                if number.is_zero():
                    return 0
                if number.adjusted() >= MAX_INT_DIGITS or number != number.to_integral_value():
                    return None
                return int(number)
        except (ArithmeticError, ValueError):  # digit limits, decimal context limits
            return None
    return None


def _coerce_float(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        try:
            number = float(value)
        except OverflowError:
            return None
        return number if math.isfinite(number) else None
    if isinstance(value, str):
        text = value.strip()
        if _NUMBER_TEXT_RE.fullmatch(text):
            number = float(text)
            return number if math.isfinite(number) else None
    return None


def _coerce_str(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        try:
            return None if _too_many_digits(value) else str(int(value))
        except ValueError:  # the interpreter's int/str digit limit was lowered
            return None
    if isinstance(value, float):
        return repr(float(value)) if math.isfinite(value) else None
    return None


def _coerce(value: object, current: object, where: str) -> object:
    """Coerce an override value to the type of the value it replaces."""
    result: object = None
    if current is None:
        if value is None or isinstance(value, (str, bool, int, float)):
            return value
    elif isinstance(current, bool):
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
    elif isinstance(current, int):
        result = _coerce_int(value)
    elif isinstance(current, float):
        result = _coerce_float(value)
    elif isinstance(current, str):
        result = _coerce_str(value)
    elif isinstance(current, (dict, list, tuple)):
        wanted = dict if isinstance(current, dict) else (list, tuple)
        if isinstance(value, wanted):
            return value
        if isinstance(value, str):
            try:
                parsed = _loads(value, where)
            except InvalidHyperparametersError:
                parsed = None  # not JSON text: reported below as a type mismatch
            if isinstance(parsed, wanted):
                return parsed
    if result is not None:
        return result
    raise InvalidHyperparametersError(
        where,
        f"cannot coerce the override value ({_json_type(value)}) to "
        f"{_json_type(current)}, the type of the value it replaces (rule: override types)",
    )


def _split_override_path(path: object) -> list[str]:
    if not isinstance(path, str) or not path:
        raise InvalidHyperparametersError(
            f"{OVERRIDE_PREFIX}{path}",
            "an override needs a dotted path such as optimizer.lr (rule: override paths)",
        )
    segments = path.split(".")
    if any(not s for s in segments):
        raise InvalidHyperparametersError(
            f"{OVERRIDE_PREFIX}{path}",
            "empty segment in the dotted path (rule: override paths)",
        )
    return segments


def apply_overrides(
    hyperparams: Mapping[str, Any], overrides: Mapping[str, object]
) -> dict[str, Any]:
    """Return a new dict with each override's value placed at its dotted path.

    ``overrides`` is keyed by the path without the ``override.`` prefix: ``optimizer.lr``;
    a segment that indexes an array is a decimal index: ``optimizer.betas.1``. Only an
    existing value may be replaced; the new value is coerced to its type (see the
    module docstring). Overlapping paths (``a`` and ``a.b``) are refused. The input is
    never mutated: containers along each override path are copied, untouched subtrees
    are shared with the input.
    """
    if not isinstance(hyperparams, Mapping):
        raise InvalidHyperparametersError(
            "hyperparameters",
            f"must be a JSON object, not {_json_type(hyperparams)} (rule: top level)",
        )
    result: dict[str, Any] = dict(hyperparams)
    split = {path: _split_override_path(path) for path in overrides}
    ordered = sorted(split.items(), key=lambda item: item[1])
    for (first, first_segments), (second, second_segments) in itertools.pairwise(ordered):
        if second_segments[: len(first_segments)] == first_segments:
            raise InvalidHyperparametersError(
                f"{OVERRIDE_PREFIX}{second}",
                f"overlaps {OVERRIDE_PREFIX}{first}; "
                "give one value per path (rule: override paths)",
            )
    for path, segments in split.items():
        event_key = f"{OVERRIDE_PREFIX}{path}"
        parent: Any = result
        walked: list[object] = []
        for position, segment in enumerate(segments):
            here = _join_path("hyperparameters", walked)
            step: object
            if isinstance(parent, dict):
                if segment not in parent:
                    raise InvalidHyperparametersError(
                        f"{event_key} ({here})",
                        f"has no key {json.dumps(segment[:64])}; an override may only replace "
                        "an existing value (rule: override paths)",
                    )
                step = segment
            elif isinstance(parent, list):
                if not _INDEX_RE.fullmatch(segment):
                    raise InvalidHyperparametersError(
                        f"{event_key} ({here})",
                        f"is an array; {json.dumps(segment[:64])} is not an index "
                        "(rule: override paths)",
                    )
                index = int(segment)
                if index >= len(parent):
                    raise InvalidHyperparametersError(
                        f"{event_key} ({here})",
                        f"has {len(parent)} items; index {index} is out of range "
                        "(rule: override paths)",
                    )
                step = index
            else:
                raise InvalidHyperparametersError(
                    f"{event_key} ({here})",
                    f"is {_json_type(parent)}, not an object or array, so it has no "
                    f"{json.dumps(segment[:64])} (rule: override paths)",
                )
            walked.append(step)
            if position == len(segments) - 1:
                where = f"{event_key} ({_join_path('hyperparameters', walked)})"
                parent[step] = _coerce(overrides[path], parent[step], where)
            else:
                child = parent[step]
                # copy on write: never touch the caller's containers
                if isinstance(child, dict):
                    child = dict(child)
                elif isinstance(child, (list, tuple)):
                    child = list(child)
                parent[step] = child
                parent = child
    return result


# --------------------------------------------------------------------------- bucket/key

_BUCKET_RE = re.compile(r"[a-z0-9][a-z0-9.-]*[a-z0-9]")
_DIRECTORY_BUCKET_RE = re.compile(r"[a-z0-9][a-z0-9-]*--[a-z0-9-]+-az[0-9]+--x-s3")
_IP_ADDRESS_RE = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+")
_RESERVED_BUCKET_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_RESERVED_BUCKET_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--table-s3")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_SHA256_RE = re.compile(r"[0-9a-f]{64}")
_ACCOUNT_ID_RE = re.compile(r"[0-9]{12}")
_PRINTABLE_ASCII_RE = re.compile(r"[\x20-\x7e]*")
_KEY_SUFFIX_BYTES = 1 + 64 + 1 + len(OBJECT_NAME)


def validate_bucket_name(bucket: object) -> None:
    """Check the S3 bucket naming rules (general purpose, or directory bucket names)."""
    if not isinstance(bucket, str):
        raise InvalidEventError(f"bucket: must be a string, not {_json_type(bucket)}")
    shown = json.dumps(bucket[:80])
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
        raise InvalidEventError(f"bucket {shown}: {problem} (rule: S3 bucket naming rules)")


def _check_key_path(value: object, what: str, limit: int) -> str:
    """Shared rules for a key prefix or a whole key; returns the value as str."""
    if not isinstance(value, str):
        raise InvalidEventError(f"{what}: must be a string, not {_json_type(value)}")
    shown = json.dumps(value[:80])
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
        raise InvalidEventError(f"{what} {shown}: {problem} (rule: S3 key)")
    return value


def validate_key_prefix(prefix: object) -> None:
    """Check a key prefix: no leading '/', no empty/'.'/'..' segments, no control
    characters, and ``<prefix>/<sha256>/hyperparameters.json`` fits 1,024 UTF-8 bytes."""
    _check_key_path(prefix, "key_prefix", MAX_S3_KEY_BYTES - _KEY_SUFFIX_BYTES)


def object_key(key_prefix: str, sha256_hex: str) -> str:
    """The content-addressed key: ``<key_prefix>/<sha256>/hyperparameters.json``."""
    validate_key_prefix(key_prefix)
    if not isinstance(sha256_hex, str) or not _SHA256_RE.fullmatch(sha256_hex):
        raise HyperparameterPrepError("sha256_hex: must be 64 lowercase hexadecimal characters")
    return f"{key_prefix}/{sha256_hex}/{OBJECT_NAME}"


# --------------------------------------------------------------------------- S3 client

_client_lock = threading.Lock()
_s3_client: _S3Client | None = None


def _endpoint_from_environment() -> str | None:
    """AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL, unless configured endpoints are ignored.

    Recent botocore reads these itself; passing them explicitly keeps older runtimes
    (and anyone building the client by hand) consistent.
    """
    if os.environ.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "").strip().lower() == "true":
        return None
    for name in ("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"):
        value = os.environ.get(name, "").strip()
        if value:
            return value
    return None


def _create_s3_client() -> _S3Client:
    import boto3
    from botocore.config import Config

    config = Config(
        # total_max_attempts counts the first try; botocore's max_attempts would not
        retries={"mode": "standard", "total_max_attempts": S3_MAX_ATTEMPTS},
        connect_timeout=S3_CONNECT_TIMEOUT_SECONDS,
        read_timeout=S3_READ_TIMEOUT_SECONDS,
        user_agent_extra=_USER_AGENT_EXTRA,
    )
    return boto3.client("s3", endpoint_url=_endpoint_from_environment(), config=config)


def get_s3_client() -> _S3Client:
    """The container's S3 client: the injected one, else created once (thread-safe)."""
    global _s3_client  # noqa: PLW0603 - one client per Lambda container, by design
    client = _s3_client
    if client is None:
        with _client_lock:
            if _s3_client is None:
                _s3_client = _create_s3_client()
            client = _s3_client
    return client


def set_s3_client(client: _S3Client | None) -> None:
    """Inject the S3 client to use (tests, local runner); ``None`` drops the cached one."""
    global _s3_client  # noqa: PLW0603
    with _client_lock:
        _s3_client = client


# --------------------------------------------------------------------------- upload


def _partition(client: _S3Client) -> str:
    region = client.meta.region_name or ""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def _resource_for(key: str) -> str:
    """The key pattern the role must be allowed to write: ``<prefix>/*``."""
    parts = key.split("/")
    if len(parts) >= 3 and parts[-1] == OBJECT_NAME and _SHA256_RE.fullmatch(parts[-2]):
        return "/".join(parts[:-2]) + "/*"
    return "/".join(parts[:-1]) + "/*" if len(parts) > 1 else key


def _storage_error(
    err: ClientError | BotoCoreError,
    *,
    client: _S3Client,
    operation: str,
    bucket: str,
    key: str,
    kms_key_id: str | None,
    expected_bucket_owner: str | None,
) -> StorageError:
    """Turn an S3/botocore failure into a StorageError that says what to fix."""
    from botocore.exceptions import ClientError

    uri = f"s3://{bucket}/{key}"
    arn = f"arn:{_partition(client)}:s3:::{bucket}/{_resource_for(key)}"
    if not isinstance(err, ClientError):
        return StorageError(
            f"{operation} {uri} failed before S3 answered ({type(err).__name__}: {err}); check "
            "network access to S3 from the function (VPC endpoint or NAT), the endpoint "
            "and the credentials of the execution role"
        )
    error = err.response.get("Error", {})
    code = str(error.get("Code", "Unknown"))
    message = str(error.get("Message", "")).strip()
    status = err.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    said = f"S3 said {code}" + (f": {message}" if message else "") + f" (HTTP {status})"
    kms_said = "kms" in message.lower() or code.upper().startswith("KMS")
    action = "s3:PutObject" if operation == "PutObject" else "s3:GetObject"
    if code.upper().startswith("KMS") or (kms_said and code in ("AccessDenied", "403")):
        key_name = kms_key_id or "the bucket's default KMS key"
        hint = (
            f"the KMS key {key_name} cannot be used for {uri}: check that it exists, is "
            "enabled, is in the bucket's region, and that the execution role is allowed "
            "kms:GenerateDataKey (and kms:Decrypt for readers) by its key policy"
        )
    elif code in ("AccessDenied", "403", "Forbidden", "AllAccessDisabled"):
        hint = f"access denied to {uri}: the execution role needs {action} on {arn}"
        if operation != "PutObject":
            hint += " (an object already at the key is checked with HeadObject)"
        if kms_key_id:
            hint += f", and kms:GenerateDataKey on KMS key {kms_key_id}"
        if expected_bucket_owner:
            hint += (
                f"; or bucket {bucket} is not owned by account {expected_bucket_owner} "
                "(expected_bucket_owner)"
            )
    elif code == "NoSuchBucket":
        hint = f"bucket {bucket} does not exist: create it or fix the bucket argument"
    elif code in ("PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraint"):
        hint = (
            f"bucket {bucket} is in another region than the client "
            f"({client.meta.region_name}); use a bucket in the pipeline's region"
        )
    elif code in ("InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "TokenRefresh"):
        hint = "the execution role's credentials were refused; check the function's role"
    elif code in ("SlowDown", "ServiceUnavailable", "InternalError", "RequestTimeout") or (
        isinstance(status, int) and status >= 500
    ):
        hint = (
            f"S3 kept failing for {uri} after the client's retries; this is transient: "
            "retry the pipeline execution"
        )
    elif code == "ConditionalRequestConflict":
        hint = f"concurrent writers kept conflicting on {uri}; retry the pipeline execution"
    elif code in ("InvalidArgument", "InvalidRequest") and kms_key_id:
        hint = f"S3 refused the request for {uri}; check kms_key_id {kms_key_id}"
    else:
        hint = f"{operation} {uri} failed"
    return StorageError(f"{hint}. {said}")


def _client_error_code(err: ClientError) -> str:
    return str(err.response.get("Error", {}).get("Code", ""))


def _put_or_reuse(
    body: bytes,
    bucket: str,
    key: str,
    sha256_hex: str,
    *,
    s3_client: _S3Client | None = None,
    kms_key_id: str | None = None,
    expected_bucket_owner: str | None = None,
    metadata: Mapping[str, str] | None = None,
) -> tuple[str, bool]:
    """PutObject if absent; on 412 confirm the existing object. Returns (uri, reused)."""
    from botocore.exceptions import BotoCoreError, ClientError

    client = s3_client if s3_client is not None else get_s3_client()
    uri = f"s3://{bucket}/{key}"
    checksum = base64.b64encode(bytes.fromhex(sha256_hex)).decode("ascii")
    params: dict[str, Any] = {
        "Bucket": bucket,
        "Key": key,
        "Body": body,
        "ContentType": "application/json",
        "ChecksumAlgorithm": "SHA256",
        "ChecksumSHA256": checksum,
        "IfNoneMatch": "*",
        "Metadata": {**(metadata or {}), "sha256": sha256_hex},
    }
    if kms_key_id:
        params["ServerSideEncryption"] = "aws:kms"
        params["SSEKMSKeyId"] = kms_key_id
    else:
        params["ServerSideEncryption"] = "AES256"
    if expected_bucket_owner:
        params["ExpectedBucketOwner"] = expected_bucket_owner

    def failure(err: ClientError | BotoCoreError, operation: str) -> StorageError:
        return _storage_error(
            err,
            client=client,
            operation=operation,
            bucket=bucket,
            key=key,
            kms_key_id=kms_key_id,
            expected_bucket_owner=expected_bucket_owner,
        )

    last_error: ClientError | None = None
    for attempt in range(_CONFLICT_ATTEMPTS):
        if attempt:
            time.sleep(random.uniform(0.05, 0.2) * 2**attempt)  # jittered, bounded
        try:
            client.put_object(**params)
        except ClientError as err:
            code = _client_error_code(err)
            if code == "ConditionalRequestConflict":
                last_error = err
                continue
            if code != "PreconditionFailed":
                raise failure(err, "PutObject") from err
        except BotoCoreError as err:
            raise failure(err, "PutObject") from err
        else:
            return uri, False
        # 412: something is at the key already; it must be this very content.
        head_params: dict[str, Any] = {"Bucket": bucket, "Key": key, "ChecksumMode": "ENABLED"}
        if expected_bucket_owner:
            head_params["ExpectedBucketOwner"] = expected_bucket_owner
        try:
            head = client.head_object(**head_params)
        except ClientError as err:
            if _client_error_code(err) in ("404", "NoSuchKey", "NotFound"):
                last_error = err  # deleted since the 412: write it again
                continue
            raise failure(err, "HeadObject") from err
        except BotoCoreError as err:
            raise failure(err, "HeadObject") from err
        _confirm_existing(head, uri=uri, sha256_hex=sha256_hex, checksum=checksum, size=len(body))
        if kms_key_id and head.get("ServerSideEncryption") != "aws:kms":
            raise ObjectMismatchError(
                f"{uri} already exists with the same content but is encrypted with "
                f"{head.get('ServerSideEncryption') or 'no SSE'}, not aws:kms as requested; "
                "re-encrypt it with the KMS key (or delete it) and rerun"
            )
        return uri, True
    if last_error is None:  # pragma: no cover - the loop always runs
        raise StorageError(f"PutObject {uri} failed")
    raise failure(last_error, "PutObject") from last_error


def _confirm_existing(
    head: Mapping[str, Any], *, uri: str, sha256_hex: str, checksum: str, size: int
) -> None:
    stored = head.get("Metadata", {}).get("sha256")
    problems = []
    if stored != sha256_hex:
        problems.append("its sha256 metadata is " + ("missing" if stored is None else "different"))
    if head.get("ContentLength") != size:
        problems.append(f"its size is {head.get('ContentLength')} bytes, not {size}")
    stored_checksum = head.get("ChecksumSHA256")
    if stored_checksum and "-" not in stored_checksum and stored_checksum != checksum:
        problems.append("its SHA-256 checksum is different")
    if problems:
        raise ObjectMismatchError(
            f"{uri} already exists but is not the expected content ({'; '.join(problems)}): "
            "the object was tampered with or written by something else; investigate, "
            "delete it and rerun"
        )


_METADATA_KEY_RE = re.compile(r"[a-z0-9][a-z0-9-]*")


def _check_metadata(metadata: Mapping[str, str] | None) -> dict[str, str]:
    result: dict[str, str] = {}
    for name, value in (metadata or {}).items():
        if not isinstance(name, str) or not _METADATA_KEY_RE.fullmatch(name) or name == "sha256":
            raise HyperparameterPrepError(
                f"metadata: key {name!r} must be lowercase letters, digits and '-', "
                "and not 'sha256' (set from the content)"
            )
        if not isinstance(value, str) or not _PRINTABLE_ASCII_RE.fullmatch(value):
            raise HyperparameterPrepError(f"metadata {name}: value must be printable ASCII text")
        result[name] = value
    if sum(len(k) + len(v) for k, v in result.items()) + 6 + 64 > 2048:
        raise HyperparameterPrepError("metadata: S3 user metadata is limited to 2 KB")
    return result


def upload_to_s3(
    content: str,
    bucket: str,
    key: str,
    *,
    s3_client: _S3Client | None = None,
    kms_key_id: str | None = None,
    expected_bucket_owner: str | None = None,
    sha256_hex: str | None = None,
    metadata: Mapping[str, str] | None = None,
) -> str:
    """Write ``content`` (UTF-8) to ``s3://bucket/key`` unless it is already there.

    PutObject with ``IfNoneMatch="*"``, ``ContentType: application/json``, a SHA-256
    checksum, SSE (``aws:kms`` with ``kms_key_id``, else ``AES256``),
    ``ExpectedBucketOwner`` when given, and metadata ``sha256`` plus ``metadata``.
    A 412 means an object is at the key: its sha256 metadata, size and checksum must
    match or ObjectMismatchError is raised. A 409 conflict is retried. ``sha256_hex``,
    when given, must be the content's SHA-256. Returns ``s3://bucket/key``.
    """
    if not isinstance(content, str):
        raise HyperparameterPrepError(f"content: must be a string, not {_json_type(content)}")
    validate_bucket_name(bucket)
    _check_key_path(key, "key", MAX_S3_KEY_BYTES)
    extra = _check_metadata(metadata)
    body = content.encode("utf-8")
    actual = hashlib.sha256(body).hexdigest()
    if sha256_hex is not None and sha256_hex != actual:
        raise HyperparameterPrepError("sha256_hex: does not match the content's SHA-256")
    kms = _optional_string({"kms_key_id": kms_key_id}, "kms_key_id")
    owner = _optional_account({"expected_bucket_owner": expected_bucket_owner})
    uri, _ = _put_or_reuse(
        body,
        bucket,
        key,
        actual,
        s3_client=s3_client,
        kms_key_id=kms,
        expected_bucket_owner=owner,
        metadata=extra,
    )
    return uri


# --------------------------------------------------------------------------- handler


def _optional_string(event: Mapping[str, Any], name: str, limit: int = 2048) -> str | None:
    value = event.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InvalidEventError(f"{name}: must be a string, not {_json_type(value)}")
    if len(value) > limit or not _PRINTABLE_ASCII_RE.fullmatch(value) or value != value.strip():
        raise InvalidEventError(
            f"{name}: must be printable ASCII without surrounding spaces, "
            f"at most {limit} characters"
        )
    return value


def _optional_account(event: Mapping[str, Any]) -> str | None:
    value = _optional_string(event, "expected_bucket_owner")
    if value is not None and not _ACCOUNT_ID_RE.fullmatch(value):
        raise InvalidEventError(
            "expected_bucket_owner: must be a 12-digit AWS account id (as a string)"
        )
    return value


def _check_event_keys(event: Mapping[str, Any]) -> dict[str, object]:
    """Refuse unknown keys; return the overrides keyed by path (prefix removed)."""
    overrides: dict[str, object] = {}
    unknown: list[str] = []
    for name, value in event.items():
        if isinstance(name, str) and name.startswith(OVERRIDE_PREFIX):
            overrides[name[len(OVERRIDE_PREFIX) :]] = value
        elif name not in _KNOWN_EVENT_KEY_SET:
            unknown.append(repr(name))
    if unknown:
        raise InvalidEventError(
            f"event: unknown key(s) {', '.join(sorted(unknown))}; known keys are "
            f"{', '.join(KNOWN_EVENT_KEYS)} and {OVERRIDE_PREFIX}<dotted.path>"
        )
    return overrides


def _log(fields: dict[str, Any], started: float, *, failed: bool) -> None:
    fields["duration_ms"] = round((time.perf_counter() - started) * 1000, 3)
    line = json.dumps(fields, sort_keys=False, default=str)
    if failed:
        _LOGGER.error(line)
    else:
        _LOGGER.info(line)


def lambda_handler(
    event: Mapping[str, Any], context: object, *, s3_client: _S3Client | None = None
) -> dict[str, Any]:
    """Validate, serialise and upload the hyperparameters; return the step outputs.

    Returns exactly ``hyperparameters_s3_uri``, ``hyperparameters_sha256``,
    ``hyperparameters_size_bytes`` and ``reused``. Raises HyperparameterPrepError
    (nothing written) on bad input, or its StorageError subclass when S3 fails.
    Logs one JSON line (never hyperparameter values).
    """
    started = time.perf_counter()
    fields: dict[str, Any] = {
        "message": "hyperparameter_prep",
        "request_id": getattr(context, "aws_request_id", None),
    }
    try:
        if not isinstance(event, Mapping):
            raise InvalidEventError(f"event: must be an object, not {_json_type(event)}")
        overrides = _check_event_keys(event)
        if "hyperparameters" not in event:
            raise InvalidEventError("event: the hyperparameters key is required")
        if "bucket" not in event:
            raise InvalidEventError("event: the bucket key is required")
        bucket = event["bucket"]
        fields["bucket"] = bucket[:100] if isinstance(bucket, str) else None
        validate_bucket_name(bucket)
        key_prefix = event.get("key_prefix")
        if key_prefix is None or key_prefix == "":
            key_prefix = DEFAULT_KEY_PREFIX
        validate_key_prefix(key_prefix)
        kms_key_id = _optional_string(event, "kms_key_id")
        expected_bucket_owner = _optional_account(event)
        metadata = {}
        for name in ("pipeline_name", "pipeline_execution_id"):
            value = _optional_string(event, name, MAX_METADATA_VALUE_CHARS)
            fields[name] = value
            if value is not None:
                metadata[name.replace("_", "-")] = value
        fields["overrides"] = sorted(overrides)

        hyperparams = parse_hyperparameters(event["hyperparameters"])
        if overrides:
            hyperparams = apply_overrides(hyperparams, overrides)
        body, sha256_hex = _canonical_bytes(hyperparams)
        key = object_key(key_prefix, sha256_hex)
        uri = f"s3://{bucket}/{key}"
        if len(uri) > MAX_OUTPUT_VALUE_CHARS:
            raise InvalidEventError(
                f"key_prefix: the S3 URI would be {len(uri)} characters; LambdaStep output "
                f"values are at most {MAX_OUTPUT_VALUE_CHARS}: shorten the key prefix"
            )
        fields.update(key=key, sha256=sha256_hex, size_bytes=len(body))
        uri, reused = _put_or_reuse(
            body,
            bucket,
            key,
            sha256_hex,
            s3_client=s3_client,
            kms_key_id=kms_key_id,
            expected_bucket_owner=expected_bucket_owner,
            metadata=metadata,
        )
    except Exception as err:
        fields.update(outcome="error", error_type=type(err).__name__, error=str(err))
        _log(fields, started, failed=True)
        raise
    fields.update(outcome="ok", reused=reused)
    _log(fields, started, failed=False)
    return {
        "hyperparameters_s3_uri": uri,
        "hyperparameters_sha256": sha256_hex,
        "hyperparameters_size_bytes": len(body),
        "reused": reused,
    }
