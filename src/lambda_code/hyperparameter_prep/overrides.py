"""Overrides: runtime values placed at dotted paths, coerced to the type they replace.

Coercion (the value replaces the one at the path and takes its type):

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

Cost is linear: each container on an override path is copied at most once, however
many overrides go through it, so N overrides under one wide object cost O(width + N).
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Mapping
from typing import Any, Final

from .document import RULE_DIGITS, too_many_digits
from .errors import InvalidHyperparametersError, RuleError
from .limits import MAX_INT_DIGITS
from .parsing import loads
from .paths import join_path, json_type, override_key, show_text

_INT_TEXT_RE: Final = re.compile(r"[+-]?[0-9]+")
_NUMBER_TEXT_RE: Final = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_INDEX_RE: Final = re.compile(r"0|[1-9][0-9]*")


def _coerce_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return int(value)
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
                from decimal import Decimal  # lazily: most overrides never get here

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
            return str(int(value))
        except ValueError:  # the interpreter's int/str digit limit was lowered
            return None
    if isinstance(value, float):
        return repr(float(value)) if math.isfinite(value) else None
    return None


def _coerce(value: object, current: object) -> object:
    """Coerce an override value to the type of the value it replaces; RuleError if not."""
    if isinstance(value, int) and not isinstance(value, bool) and too_many_digits(value):
        raise RuleError(f"override value: {RULE_DIGITS}")
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
                parsed = loads(value, "")
            except InvalidHyperparametersError:
                parsed = None  # not JSON text: reported below as a type mismatch
            if isinstance(parsed, wanted):
                return parsed
    if result is not None:
        return result
    raise RuleError(
        f"cannot coerce the override value ({json_type(value)}) to "
        f"{json_type(current)}, the type of the value it replaces (rule: override types)"
    )


def split_override_path(path: object) -> list[str]:
    """The segments of a dotted override path; refuses empty paths and empty segments."""
    if not isinstance(path, str) or not path:
        raise InvalidHyperparametersError(
            override_key(path),
            "an override needs a dotted path such as optimizer.lr (rule: override paths)",
        )
    segments = path.split(".")
    if any(not s for s in segments):
        raise InvalidHyperparametersError(
            override_key(path), "empty segment in the dotted path (rule: override paths)"
        )
    return segments


def _step(parent: object, segment: str, path: str, walked: list[object]) -> object:
    """The key or index ``segment`` names in ``parent``; refuses what does not exist."""
    if isinstance(parent, dict):
        if segment not in parent:
            raise InvalidHyperparametersError(
                f"{override_key(path)} ({join_path('hyperparameters', walked)})",
                f"has no key {show_text(segment)}; an override may only replace "
                "an existing value (rule: override paths)",
            )
        return segment
    if isinstance(parent, list):
        if not _INDEX_RE.fullmatch(segment):
            raise InvalidHyperparametersError(
                f"{override_key(path)} ({join_path('hyperparameters', walked)})",
                f"is an array; {show_text(segment)} is not an index (rule: override paths)",
            )
        # compare lengths first: int() of a 4,301-digit index would raise ValueError
        if len(segment) > len(str(len(parent))) or int(segment) >= len(parent):
            shown = segment if len(segment) <= 20 else f"{segment[:20]}... ({len(segment)} digits)"
            raise InvalidHyperparametersError(
                f"{override_key(path)} ({join_path('hyperparameters', walked)})",
                f"has {len(parent)} items; index {shown} is out of range (rule: override paths)",
            )
        return int(segment)
    raise InvalidHyperparametersError(
        f"{override_key(path)} ({join_path('hyperparameters', walked)})",
        f"is {json_type(parent)}, not an object or array, so it has no "
        f"{show_text(segment)} (rule: override paths)",
    )


def apply_overrides(
    hyperparams: Mapping[str, Any], overrides: Mapping[str, object]
) -> dict[str, Any]:
    """Return a new dict with each override's value placed at its dotted path.

    ``overrides`` is keyed by the path without the ``override.`` prefix: ``optimizer.lr``;
    a segment that indexes an array is a decimal index: ``optimizer.betas.1``. Only an
    existing value may be replaced; the new value is coerced to its type (see the
    module docstring). Overlapping paths (``a`` and ``a.b``) are refused. The input is
    never mutated: containers along override paths are copied (each at most once),
    untouched subtrees are shared with the input.
    """
    if not isinstance(hyperparams, Mapping):
        raise InvalidHyperparametersError(
            "hyperparameters",
            f"must be a JSON object, not {json_type(hyperparams)} (rule: top level)",
        )
    result: dict[str, Any] = dict(hyperparams)
    split = {path: split_override_path(path) for path in overrides}
    ordered = sorted(split.items(), key=lambda item: item[1])
    for (first, first_segments), (second, second_segments) in itertools.pairwise(ordered):
        if second_segments[: len(first_segments)] == first_segments:
            raise InvalidHyperparametersError(
                override_key(second),
                f"overlaps {override_key(first)}; give one value per path (rule: override paths)",
            )
    owned = {id(result)}  # containers that are copies made here: safe to write into
    for path, segments in split.items():
        parent: Any = result
        walked: list[object] = []
        last = len(segments) - 1
        for position, segment in enumerate(segments):
            step = _step(parent, segment, path, walked)
            walked.append(step)
            if position == last:
                try:
                    parent[step] = _coerce(overrides[path], parent[step])
                except RuleError as failure:
                    where = f"{override_key(path)} ({join_path('hyperparameters', walked)})"
                    raise InvalidHyperparametersError(where, failure.rule) from None
                break
            child = parent[step]
            if id(child) not in owned and isinstance(child, (dict, list, tuple)):
                child = dict(child) if isinstance(child, dict) else list(child)
                parent[step] = child
                owned.add(id(child))
            parent = child
    return result
