"""Parsing JSON text: the event's ``hyperparameters`` and the JSON an override may hold.

Stricter than ``json.loads``: a key repeated within one object, the ``NaN``/``Infinity``
literals and nesting deeper than the depth rule are refused, naming the rule.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .document import RULE_DIGITS
from .errors import InvalidHyperparametersError, RuleError
from .limits import MAX_DEPTH
from .paths import json_type, show_text


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise RuleError(
                    f"key {show_text(key)} appears twice in one object (rule: no duplicate keys)"
                )
            seen.add(key)
    return result


def _refuse_constant(name: str) -> Any:
    raise RuleError(f"{name} is not valid JSON (rule: numbers must be finite)")


def loads(text: str, path: str) -> Any:
    """``json.loads`` that refuses duplicate keys, NaN/Infinity and too-deep nesting."""
    try:
        return json.loads(
            text, object_pairs_hook=_no_duplicate_keys, parse_constant=_refuse_constant
        )
    except RuleError as failure:
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
        rule = RULE_DIGITS if "digits" in str(err) else f"invalid JSON text ({err})"
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
            f"expected an object or JSON-object text, not {json_type(value)} (rule: top level)",
        )
    if not value.strip():
        raise InvalidHyperparametersError(
            "hyperparameters", "empty text; expected a JSON object (rule: top level)"
        )
    parsed = loads(value, "hyperparameters")
    if not isinstance(parsed, dict):
        raise InvalidHyperparametersError(
            "hyperparameters",
            f"JSON text must hold an object, not {json_type(parsed)} (rule: top level)",
        )
    return parsed
