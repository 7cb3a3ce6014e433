"""The hyperparameter document: the rules, and the canonical JSON bytes.

Canonical form: ``json.dumps(h, indent=2, sort_keys=True, allow_nan=False)``, ASCII.

Validation is one recursive pass that also adds up a lower bound of the canonical size
(brackets, indentation, keys, string lengths, a few bytes per number). It stops as soon
as that bound passes 5 MiB, so a caller's structure with shared references (``node =
[node, node]`` thirty levels deep: 2**30 leaves) is refused after visiting about as many
values as a 5 MiB document holds, never walked in full. The exact size is then checked
while encoding: streamed in blocks (pure-Python encoder, stops at the limit), or on
CPython 3.13+ in one call to the C encoder, which handles ``indent`` there (gh-95382)
and is several times faster; its output is at most a small multiple of the bound
already checked. Both give the same bytes.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import json.encoder
import math
import re
import sys
from collections.abc import Iterator, Mapping
from typing import Any, Final

from .errors import DocumentTooLargeError, InvalidHyperparametersError, RuleError
from .limits import MAX_DEPTH, MAX_DOCUMENT_BYTES, MAX_INT_DIGITS, MAX_KEY_LENGTH
from .paths import join_path, json_type
from .scanner import (
    NAME_CREDENTIAL,
    find_secret,
    holds_credential,
    might_hold_secret,
    name_kind,
)
from .secrets import SHORTEST_SECRET

NO_CREDENTIALS: Final = "credentials must not be hyperparameters (rule: no credentials)"
RULE_FINITE: Final = (
    "NaN, Infinity and numbers too large for a float are not valid JSON "
    "(rule: numbers must be finite)"
)
RULE_DIGITS: Final = f"integer has more than {MAX_INT_DIGITS} digits (rule: integer size)"
RULE_SIZE: Final = (
    f"canonical JSON is larger than {MAX_DOCUMENT_BYTES} bytes (rule: document at most 5 MiB)"
)
_RULE_TYPES: Final = (
    "(rule: values are JSON types only: object, array, string, number, boolean, null)"
)
_RULE_UNICODE: Final = (
    "holds surrogate code points, which are not valid Unicode and do not survive a JSON "
    "round trip (rule: strings are valid Unicode)"
)
_SURROGATE_RE: Final = re.compile(r"[\ud800-\udfff]")
_ENCODER: Final = json.JSONEncoder(indent=2, sort_keys=True, allow_nan=False, check_circular=False)
"""Canonical form (the circular check is redundant after the depth rule)."""

C_INDENT_ENCODER: Final = (
    sys.version_info >= (3, 13) and getattr(json.encoder, "c_make_encoder", None) is not None
)
"""True where ``JSONEncoder.encode`` runs ``indent`` in C: the whole document is encoded
in one call instead of streamed through the pure-Python encoder."""

_BLOCK_CHUNKS: Final = 4096


def too_many_digits(value: int) -> bool:
    """True for an integer with more than MAX_INT_DIGITS decimal digits."""
    # 2**14284 < 10**4300, so only the rare huge integer pays for the exact test.
    return value.bit_length() > 14284 and abs(value) >= 10**MAX_INT_DIGITS


def _check_key(key: object) -> None:
    """Check one object key (the credential-name rule is judged with the value)."""
    if not isinstance(key, str):
        raise RuleError(
            f"key of type {type(key).__name__} is not a string (rule: keys are non-empty strings)"
        )
    if not key:
        raise RuleError("empty key (rule: keys are non-empty strings)")
    if len(key) > MAX_KEY_LENGTH:
        raise RuleError(
            f"key is {len(key)} characters long "
            f"(rule: keys are at most {MAX_KEY_LENGTH} characters)"
        )
    if not key.isascii() and _SURROGATE_RE.search(key):
        raise RuleError(f"key {_RULE_UNICODE}")
    secret = find_secret(key)
    if secret is not None:
        raise RuleError(f"key looks like {secret.description}; {NO_CREDENTIALS}")


def _check_name(key: str, value: object, kinds: dict[str, int]) -> None:
    """The credential-name rule, for a key holding text or an array (kinds: a cache)."""
    kind = kinds.get(key)
    if kind is None:
        kind = kinds[key] = name_kind(key)
    if kind and holds_credential(kind, value):
        if kind == NAME_CREDENTIAL:
            raise RuleError(
                f"key is a credential name and holds a non-empty string; {NO_CREDENTIALS}"
            )
        raise RuleError(
            "key names a token and its value looks like a credential (a known format, or "
            f"long and random); {NO_CREDENTIALS}"
        )


def _string_rule(value: str) -> None:
    if not value.isascii() and _SURROGATE_RE.search(value):
        raise RuleError(f"string value {_RULE_UNICODE}")
    if len(value) > MAX_DOCUMENT_BYTES:
        raise DocumentTooLargeError
    secret = find_secret(value)
    if secret is not None:
        raise RuleError(f"string value looks like {secret.description}; {NO_CREDENTIALS}")


class _Seen:
    """What one validation pass remembers: keys already checked, names already judged."""

    __slots__ = ("keys", "kinds")

    def __init__(self) -> None:
        self.keys: set[object] = set()
        self.kinds: dict[str, int] = {}


def _check_other(value: object, depth: int, seen: _Seen) -> int:
    """The slow path for a value that is not an exact str/float/int/bool/None/dict/list.

    Returns its size beyond the one character the caller already counted."""
    if isinstance(value, (dict, list, tuple)):
        return _walk(value, depth, seen)
    if isinstance(value, str):
        _string_rule(value)
        return len(value) + 1
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        if too_many_digits(value):
            raise RuleError(RULE_DIGITS)
        return 0
    if isinstance(value, float):
        if not math.isfinite(value):
            raise RuleError(RULE_FINITE)
        return 0
    raise RuleError(f"{type(value).__name__} is not a JSON type {_RULE_TYPES}")


def _walk(container: Any, depth: int, seen: _Seen) -> int:
    """Check a container; return a lower bound of its canonical size in bytes.

    Objects and arrays share one loop with the leaf checks inlined: a function call per
    leaf would double the cost of validating a large document. ``seen`` caches each
    key's check (lists of similar objects repeat keys). Raises DocumentTooLargeError as
    soon as the bound passes the limit, so shared references cannot make this exponential.
    """
    if depth > MAX_DEPTH:
        raise RuleError(f"nesting deeper than {MAX_DEPTH} levels (rule: max depth {MAX_DEPTH})")
    is_dict = isinstance(container, dict)
    # Every item costs at least a newline, its indentation, a separator and one character
    # of value; an object's item also its key's quotes and ": ". Only the variable parts
    # (key and string lengths, nested containers) are added up in the loop below.
    size = len(container) * (2 * depth + 3 + 4 * is_dict) + 2
    if size > MAX_DOCUMENT_BYTES:
        raise DocumentTooLargeError
    isfinite = math.isfinite
    keys = seen.keys
    kinds = seen.kinds
    child_depth = depth + 1
    pairs: Any = container.items() if is_dict else enumerate(container)
    for segment, value in pairs:
        kind = type(value)
        try:
            if is_dict:
                if segment not in keys:
                    _check_key(segment)
                    keys.add(segment)
                size += len(segment)
            if kind is str:
                length = len(value)
                if length >= SHORTEST_SECRET:  # shorter ones fit in the per-item bound
                    size += length + 1
                    if might_hold_secret(value):
                        _string_rule(value)
                if not value.isascii() and _SURROGATE_RE.search(value):
                    raise RuleError(f"string value {_RULE_UNICODE}")
                if is_dict and length and kinds.get(segment) != 0:  # 0: a plain name
                    _check_name(segment, value, kinds)
            elif kind is float:
                if not isfinite(value):
                    raise RuleError(RULE_FINITE)
            elif kind is int:
                if value.bit_length() > 14284 and too_many_digits(value):
                    raise RuleError(RULE_DIGITS)
            elif kind is bool or value is None:
                pass
            elif kind is dict or kind is list:
                if is_dict and kind is list:
                    _check_name(segment, value, kinds)
                size += _walk(value, child_depth, seen)
                if size > MAX_DOCUMENT_BYTES:
                    raise DocumentTooLargeError
            else:
                if is_dict and isinstance(value, (str, list, tuple)):
                    _check_name(segment, value, kinds)
                size += _check_other(value, child_depth, seen)
        except RuleError as failure:
            failure.segments.append(segment)
            raise
    if size > MAX_DOCUMENT_BYTES:
        raise DocumentTooLargeError
    return size


def _validate_structure(hyperparams: object, path: str) -> dict[str, Any]:
    """Every rule but the exact size: top level, keys, types, depth, secrets, size bound.

    Returns the document as a dict: a top-level mapping that is not a dict is copied into
    one (json cannot write other mappings; nested ones are refused as not JSON types).
    """
    if not isinstance(hyperparams, dict):
        if not isinstance(hyperparams, Mapping):
            raise InvalidHyperparametersError(
                path, f"must be a JSON object, not {json_type(hyperparams)} (rule: top level)"
            )
        hyperparams = dict(hyperparams)
    try:
        _walk(hyperparams, 1, _Seen())
    except RuleError as failure:
        failure.segments.reverse()
        raise InvalidHyperparametersError(join_path(path, failure.segments), failure.rule) from None
    except DocumentTooLargeError:
        raise InvalidHyperparametersError(path, RULE_SIZE) from None
    return hyperparams


def _encoder_failure(path: str, err: Exception) -> InvalidHyperparametersError:
    # Validation refuses everything json cannot write; this is only a safety net
    # (e.g. an interpreter whose int/str digit limit is below the default).
    return InvalidHyperparametersError(
        path, f"cannot be written as JSON ({type(err).__name__}: {err})"
    )


def _canonical_blocks(document: Mapping[str, Any], path: str) -> Iterator[str]:
    """Yield the canonical JSON in blocks, refusing it as soon as it passes 5 MiB.

    Output is ASCII (``ensure_ascii``), so characters equal bytes.
    """
    if C_INDENT_ENCODER:
        try:
            text = _ENCODER.encode(document)
        except (TypeError, ValueError, RecursionError) as err:
            raise _encoder_failure(path, err) from err
        if len(text) > MAX_DOCUMENT_BYTES:
            raise InvalidHyperparametersError(path, RULE_SIZE)
        yield text
        return
    chunks = _ENCODER.iterencode(document)
    size = 0
    while True:
        try:
            batch = list(itertools.islice(chunks, _BLOCK_CHUNKS))
        except (TypeError, ValueError, RecursionError) as err:
            raise _encoder_failure(path, err) from err
        if not batch:
            return
        block = "".join(batch)
        del batch  # only the joined block stays alive while the caller encodes it
        size += len(block)
        if size > MAX_DOCUMENT_BYTES:
            raise InvalidHyperparametersError(path, RULE_SIZE)
        yield block


def validate_hyperparameters(hyperparams: object, *, path: str = "hyperparameters") -> None:
    """Check every rule; raise InvalidHyperparametersError naming the JSON path and rule.

    Rules: the top level is an object; keys are non-empty strings of at most 256
    characters; strings (keys and values) are valid Unicode, without surrogate code
    points; values are JSON types only (dict, list/tuple, str, int, finite float,
    bool, None; integers of at most 4300 digits); nesting at most 32 levels; no
    credentials (see the secrets module: known formats anywhere, credential-named keys
    holding text); the canonical document is at most 5 MiB.
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


def canonical_bytes(hyperparams: Mapping[str, Any]) -> tuple[bytes, str]:
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
