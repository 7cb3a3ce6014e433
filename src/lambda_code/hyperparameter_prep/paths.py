"""How errors name a place in the document: ``hyperparameters.optimizer.betas[1]``.

Every name shown here passes through :func:`~.secrets.redact`, so a credential used as
a key (or typed into an override path) is never echoed.
"""

from __future__ import annotations

import json
import re
from typing import Final

from .limits import OVERRIDE_PREFIX
from .scanner import redact

_PLAIN_KEY_RE: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_SHOWN_KEY_CHARS: Final = 64
_SHOWN_OVERRIDE_CHARS: Final = 200


def segment(key: object) -> str:
    """Render one path segment: ``.name``, ``[3]`` or ``["odd key"]``."""
    if isinstance(key, int) and not isinstance(key, bool):
        return f"[{key}]"
    if isinstance(key, str):
        shown = redact(key)
        plain = shown == key and _PLAIN_KEY_RE.fullmatch(key) is not None
        if len(shown) > _SHOWN_KEY_CHARS:
            shown = shown[:_SHOWN_KEY_CHARS] + "..."
        return f".{shown}" if plain else f"[{json.dumps(shown)}]"
    return f"[{type(key).__name__} key]"


def join_path(root: str, segments: list[object]) -> str:
    """``root`` followed by the rendered segments."""
    return root + "".join(segment(s) for s in segments)


def show_text(text: str, limit: int = _SHOWN_KEY_CHARS) -> str:
    """A user-supplied name, redacted, cut at ``limit`` characters and JSON-quoted."""
    shown = redact(text)
    return json.dumps(shown[:limit] + ("..." if len(shown) > limit else ""))


def override_key(path: object) -> str:
    """The event key of an override, as errors show it: ``override.<path>``, redacted and
    cut after 200 characters."""
    shown = redact(path) if isinstance(path, str) else str(path)
    if len(shown) > _SHOWN_OVERRIDE_CHARS:
        shown = f"{shown[:_SHOWN_OVERRIDE_CHARS]}... ({len(shown)} characters)"
    return f"{OVERRIDE_PREFIX}{shown}"


def json_type(value: object) -> str:
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
