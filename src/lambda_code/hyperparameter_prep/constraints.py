"""Constraints: the rules a runtime value must keep, carried with the step.

The ``constraints`` event value is JSON-object text (a mapping when invoked directly)
that maps an override's dotted path (without the ``override.`` prefix) to a JSON Schema
fragment::

    {"eta": {"type": "number", "minimum": 0, "maximum": 1},
     "objective": {"type": "string", "enum": ["binary:logistic", "reg:squarederror"]},
     "num_round": {"type": "integer", "exclusiveMinimum": 0},
     "optimizer.betas.1": {"exclusiveMaximum": 1}}

Keywords (JSON Schema semantics, draft 2020-12): ``type`` (one of, or an array of,
string, number, integer, boolean, null, object, array; an integral float is an
integer), ``enum`` (an array of JSON scalars; ``1 == 1.0``, ``true != 1``), ``minimum``,
``maximum``, ``exclusiveMinimum``, ``exclusiveMaximum`` (finite numbers; apply to
numbers only), ``minLength``, ``maxLength`` (non-negative integers, counted in
characters; apply to strings only). Anything else is refused, as is a path the event
has no override for, and bounds no value can meet.

Each constrained override is checked after coercion, in the final document; a violation
raises ConstraintViolationError naming the override, its JSON path and the keyword, and
nothing is written. :func:`check_override_constraints` is the same check for the local
runner and the CLI.
"""

from __future__ import annotations

import json
import math
from collections.abc import Collection, Mapping
from typing import Any, Final

from .document import too_many_digits
from .errors import ConstraintViolationError, InvalidConstraintsError, InvalidHyperparametersError
from .limits import CONSTRAINTS_KEY, OVERRIDE_PREFIX
from .overrides import split_override_path
from .parsing import loads
from .paths import join_path, json_type, override_key, show_text

CONSTRAINT_KEYWORDS: Final = (
    "type",
    "enum",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
)
"""The JSON Schema keywords a constraint may use."""

CONSTRAINT_TYPES: Final = ("string", "number", "integer", "boolean", "null", "object", "array")
"""The values ``type`` may take."""

_NUMBER_KEYWORDS: Final = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
_LENGTH_KEYWORDS: Final = ("minLength", "maxLength")
_RULE: Final = "(rule: constraints)"
_SHOWN_ENUM_CHARS: Final = 200

Constraints = dict[str, dict[str, Any]]


def _where(path: object) -> str:
    return f"{CONSTRAINTS_KEY}[{show_text(path) if isinstance(path, str) else repr(path)}]"


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


_PYTHON_TYPES: Final[dict[str, type | tuple[type, ...]]] = {
    "string": str,
    "boolean": bool,
    "object": dict,
    "array": (list, tuple),
}


def _is_type(value: object, name: str) -> bool:
    if name == "integer":
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer()
        )
    if name == "number":
        return _is_number(value)
    if name == "null":
        return value is None
    return isinstance(value, _PYTHON_TYPES[name])


def _json_equal(first: object, second: object) -> bool:
    """Equality as JSON sees it: 1 == 1.0, but true is not 1."""
    if isinstance(first, bool) or isinstance(second, bool):
        return type(first) is type(second) and first == second
    if _is_number(first) and _is_number(second):
        return first == second
    return type(first) is type(second) and first == second


def _check_keyword(where: str, keyword: str, value: object) -> None:
    problem = None
    if keyword == "type":
        names = value if isinstance(value, list) else [value]
        if not names or any(name not in CONSTRAINT_TYPES for name in names):
            problem = f"must be one of {', '.join(CONSTRAINT_TYPES)}, or a non-empty array of them"
        elif len(set(names)) != len(names):
            problem = "lists a type twice"
    elif keyword == "enum":
        if not isinstance(value, list) or not value:
            problem = "must be a non-empty array"
        elif not all(
            item is None
            or isinstance(item, (str, bool))
            or (_is_number(item) and _finite_number(item))
            for item in value
        ):
            problem = "items must be JSON scalars: strings, finite numbers, booleans or null"
    elif keyword in _NUMBER_KEYWORDS:
        if not _is_number(value) or not _finite_number(value):
            problem = f"must be a finite number, not {json_type(value)}"
    elif not isinstance(value, int) or isinstance(value, bool) or value < 0:
        problem = f"must be a non-negative integer, not {json_type(value)}"
    if problem is not None:
        raise InvalidConstraintsError(f"{where}: {keyword} {problem} {_RULE}")


def _finite_number(value: Any) -> bool:
    if isinstance(value, int):
        return not too_many_digits(value)
    return math.isfinite(value)


def _check_satisfiable(where: str, fragment: Mapping[str, Any]) -> None:
    low, high = fragment.get("minimum"), fragment.get("maximum")
    low_x, high_x = fragment.get("exclusiveMinimum"), fragment.get("exclusiveMaximum")
    empty = (
        (low is not None and high is not None and low > high)
        or (low_x is not None and high is not None and low_x >= high)
        or (low is not None and high_x is not None and low >= high_x)
        or (low_x is not None and high_x is not None and low_x >= high_x)
    )
    if empty:
        raise InvalidConstraintsError(f"{where}: no number meets these bounds {_RULE}")
    shortest, longest = fragment.get("minLength"), fragment.get("maxLength")
    if shortest is not None and longest is not None and shortest > longest:
        raise InvalidConstraintsError(f"{where}: minLength is above maxLength {_RULE}")


def _parse_document(value: object) -> Mapping[Any, Any]:
    if isinstance(value, Mapping):
        return value
    if not isinstance(value, str):
        raise InvalidConstraintsError(
            f"{CONSTRAINTS_KEY}: must be JSON-object text, not {json_type(value)} {_RULE}"
        )
    try:
        parsed = loads(value, CONSTRAINTS_KEY)
    except InvalidHyperparametersError as err:
        raise InvalidConstraintsError(str(err)) from None
    if not isinstance(parsed, dict):
        raise InvalidConstraintsError(
            f"{CONSTRAINTS_KEY}: JSON text must hold an object, not {json_type(parsed)} {_RULE}"
        )
    return parsed


def parse_constraints(
    value: object, *, override_paths: Collection[str] | None = None
) -> Constraints:
    """Validate a constraints document and return it as ``{path: fragment}``.

    ``value`` is JSON-object text or a mapping; ``None`` and ``""`` mean no constraints.
    With ``override_paths``, every constrained path must be one of them. Raises
    InvalidConstraintsError naming the path and what is wrong.
    """
    if value is None or value == "":
        return {}
    result: Constraints = {}
    for path, fragment in _parse_document(value).items():
        where = _where(path)
        try:
            split_override_path(path)
        except InvalidHyperparametersError as err:
            raise InvalidConstraintsError(f"{where}: {err.rule}") from None
        if override_paths is not None and path not in override_paths:
            hint = (
                f"; give the path without the {OVERRIDE_PREFIX} prefix"
                if path.startswith(OVERRIDE_PREFIX)
                else ""
            )
            raise InvalidConstraintsError(
                f"{where}: constrains {override_key(path)}, which the event does not "
                f"set{hint} {_RULE}"
            )
        if not isinstance(fragment, Mapping):
            raise InvalidConstraintsError(
                f"{where}: must be an object of JSON Schema keywords, not "
                f"{json_type(fragment)} {_RULE}"
            )
        for keyword, setting in fragment.items():
            if keyword not in CONSTRAINT_KEYWORDS:
                raise InvalidConstraintsError(
                    f"{where}: unknown keyword {show_text(str(keyword))}; supported: "
                    f"{', '.join(CONSTRAINT_KEYWORDS)} {_RULE}"
                )
            _check_keyword(where, keyword, setting)
        _check_satisfiable(where, fragment)
        result[path] = dict(fragment)
    return result


_BOUNDS: Final = (
    ("minimum", "is below the minimum"),
    ("maximum", "is above the maximum"),
    ("exclusiveMinimum", "must be greater than"),
    ("exclusiveMaximum", "must be less than"),
)


def _within(keyword: str, value: Any, bound: Any) -> bool:
    if keyword == "minimum":
        return bool(value >= bound)
    if keyword == "maximum":
        return bool(value <= bound)
    if keyword == "exclusiveMinimum":
        return bool(value > bound)
    return bool(value < bound)


def _violation(value: object, fragment: Mapping[str, Any]) -> tuple[str, str] | None:
    """(keyword, what is wrong) for the first keyword ``value`` breaks, or None."""
    wanted = fragment.get("type")
    if wanted is not None:
        names = wanted if isinstance(wanted, list) else [wanted]
        if not any(_is_type(value, name) for name in names):
            return "type", f"is {json_type(value)}, not {' or '.join(names)}"
    enum = fragment.get("enum")
    if enum is not None and not any(_json_equal(value, item) for item in enum):
        shown = json.dumps(enum)
        if len(shown) > _SHOWN_ENUM_CHARS:
            shown = shown[:_SHOWN_ENUM_CHARS] + "..."
        return "enum", f"is not one of {shown}"
    if _is_number(value):
        number: Any = value
        for keyword, text in _BOUNDS:
            bound = fragment.get(keyword)
            if bound is not None and not _within(keyword, number, bound):
                return keyword, f"{text} {bound}"
    if isinstance(value, str):
        shortest, longest = fragment.get("minLength"), fragment.get("maxLength")
        if shortest is not None and len(value) < shortest:
            return "minLength", f"is {len(value)} characters long; the minimum is {shortest}"
        if longest is not None and len(value) > longest:
            return "maxLength", f"is {len(value)} characters long; the maximum is {longest}"
    return None


def check_parsed_constraints(hyperparameters: Mapping[str, Any], constraints: Constraints) -> None:
    """Check already-parsed constraints (see :func:`check_override_constraints`)."""
    for path, fragment in constraints.items():
        node: Any = hyperparameters
        walked: list[object] = []
        for segment in split_override_path(path):
            step: object = segment
            if isinstance(node, (list, tuple)) and segment.isdigit() and len(segment) < 20:
                step = int(segment)
            try:
                node = node[step]
            except (KeyError, IndexError, TypeError):
                raise InvalidConstraintsError(
                    f"{_where(path)}: the hyperparameters have no value at "
                    f"{join_path('hyperparameters', [*walked, step])} {_RULE}"
                ) from None
            walked.append(step)
        found = _violation(node, fragment)
        if found is not None:
            keyword, problem = found
            raise ConstraintViolationError(
                f"{override_key(path)} ({join_path('hyperparameters', walked)})",
                f"{problem} (rule: constraint {keyword})",
            )


def check_override_constraints(
    hyperparameters: Mapping[str, Any],
    constraints: object,
    *,
    override_paths: Collection[str] | None = None,
) -> None:
    """Check the values at the constrained paths of ``hyperparameters`` (overrides applied).

    ``constraints`` is the ``constraints`` event value (JSON-object text or a mapping),
    validated here as the handler does (with ``override_paths``, each constrained path
    must be one of them). Raises ConstraintViolationError (override, JSON path and
    keyword named; the value is never echoed) or InvalidConstraintsError. Pure: no I/O,
    nothing mutated. The handler, the local runner and the CLI all run this code.
    """
    parsed = parse_constraints(constraints, override_paths=override_paths)
    check_parsed_constraints(hyperparameters, parsed)
