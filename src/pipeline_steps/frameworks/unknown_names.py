"""Refuse unknown hyperparameter names, suggesting the closest known name.

pydantic's ``extra="forbid"`` already refuses an unknown field, but only says "Extra inputs
are not permitted". A misspelt hyperparameter deserves the name that was meant, so the
framework models run :func:`refuse_unknown_names` before their fields are validated.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel

__all__ = ["closest_name", "refuse_unknown_names", "unknown_names_message"]


def closest_name(name: str, known: Iterable[str]) -> str | None:
    """The known name ``name`` most likely misspells (difflib's ratio >= 0.6), or None."""
    matches = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
    return matches[0] if matches else None


def unknown_names_message(unknown: Iterable[str], known: Iterable[str], owner: str) -> str:
    """One sentence naming each unknown name, with the closest known name where one exists."""
    known_names = sorted(known)
    parts = []
    for name in unknown:
        suggestion = closest_name(name, known_names)
        hint = f" (did you mean {suggestion!r}?)" if suggestion else ""
        parts.append(f"{name!r}{hint}")
    noun = "hyperparameter" if len(parts) == 1 else "hyperparameters"
    return f"unknown {noun} {', '.join(parts)} for {owner}; known names: {', '.join(known_names)}"


def refuse_unknown_names(model: type[BaseModel], data: Any) -> Any:
    """``data`` unchanged when every key names a field of ``model``; else raise ValueError."""
    if not isinstance(data, Mapping):
        return data
    known = set(model.model_fields)
    unknown = [str(key) for key in data if key not in known]
    if unknown:
        raise ValueError(unknown_names_message(unknown, known, model.__name__))
    return data
