"""The secret scanner's engine: find, judge and redact, driven by the tables in ``secrets``.

Scanning is staged so that ordinary strings cost almost nothing: every format begins
with a literal (its gate: ``AKIA``, ``-----BEGIN``, ``hf_``, ``://``, ...) and every gate
holds one of five sentinel characters (:data:`SENTINELS`). A string without any of
them (one C-speed character search each, only for the formats that fit its length)
cannot hold a secret; otherwise each candidate format is matched only where its gate
occurs, so the cost stays linear even for long or adversarial text. A detected secret
is never echoed: :func:`redact` replaces it in any text that is about to reach an error
or a log line.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import Final, NamedTuple

from .secrets import CREDENTIAL_NAMES, SECRET_FORMATS, TOKEN_WORD, SecretFormat

NAME_PLAIN: Final = 0
NAME_CREDENTIAL: Final = 1
NAME_TOKEN: Final = 2

SENTINELS: Final = "IJ:_-"
"""Characters every gate holds one of, rarest first (``-----BEGIN`` counts under ``I``)."""


class _Group(NamedTuple):
    """The formats whose gates hold one sentinel character."""

    shortest: int
    """The fewest characters any of its formats matches."""
    char: str
    probes: tuple[str, ...]
    """Short prefixes of its gates (at most four): text holding none cannot match."""
    need: str
    """A literal all of its formats' matches hold besides the gate ("" if none)."""
    gates: re.Pattern[str]
    """An alternation of the gates."""
    rules: dict[str, tuple[tuple[int, SecretFormat], ...]]
    """Gate -> (table index, rule), in table order."""


def _group(char: str) -> _Group:
    entries = [
        (gate, index, rule)
        for index, rule in enumerate(SECRET_FORMATS)
        for gate in rule.gates
        if next(c for c in SENTINELS if c in gate) == char
    ]
    rules: dict[str, tuple[tuple[int, SecretFormat], ...]] = {}
    for gate, index, rule in entries:
        rules[gate] = (*rules.get(gate, ()), (index, rule))
    gates = re.compile("|".join(re.escape(gate) for gate in sorted(rules, key=len, reverse=True)))
    probes = tuple(sorted({gate[:3] for gate in rules}))
    if len(probes) > 4:
        probes = tuple(sorted({gate[:2] for gate in rules}))
    alsos = {rule.also for _, _, rule in entries}
    need = alsos.pop() if len(alsos) == 1 else ""
    shortest = min(rule.shortest for _, _, rule in entries)
    return _Group(shortest, char, probes, need, gates, rules)


_GROUPS: Final = tuple(sorted((_group(char) for char in SENTINELS), key=lambda g: g.shortest))
"""One group per sentinel, the one with the shortest possible match first."""
_compiled: dict[str, re.Pattern[str]] = {}


def might_hold_secret(text: str) -> bool:
    """False when no format can match ``text``: a few C-speed substring searches, only
    for the formats that fit in its length."""
    length = len(text)
    for shortest, char, probes, need, _, _ in _GROUPS:
        if length < shortest:
            return False
        if char in text and need in text:
            for probe in probes:
                if probe in text:
                    return True
    return False


_CREDENTIAL_NAME_SET: Final = frozenset(row.name for row in CREDENTIAL_NAMES)
_NAME_ENDINGS: Final = frozenset(name[-2:] for name in (*_CREDENTIAL_NAME_SET, TOKEN_WORD))
_LONGEST_NAME_WORDS: Final = 4
_WORD_RE: Final = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_RANDOM_LOOKING_RE: Final = re.compile(r"[A-Za-z0-9+/=_.~-]{20,}")
_MIN_RANDOM_ENTROPY_BITS: Final = 3.5
_NUMBER_TEXT_RE: Final = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
"""A number written as text (an override arrives as text): never a credential."""


def _compile(pattern: str) -> re.Pattern[str]:
    compiled = _compiled.get(pattern)
    if compiled is None:
        compiled = _compiled[pattern] = re.compile(pattern, re.DOTALL)
    return compiled


def _gate_positions(group: _Group, text: str) -> list[tuple[int, str]]:
    """Where the group's gates occur: str.find for one gate, else one regex pass."""
    if len(group.rules) > 1:
        return [(match.start(), match.group()) for match in group.gates.finditer(text)]
    (gate,) = group.rules
    positions = []
    start = text.find(gate)
    while start != -1:
        positions.append((start, gate))
        start = text.find(gate, start + 1)
    return positions


def _matches(text: str) -> list[tuple[int, re.Match[str], SecretFormat]]:
    """Every accepted match, as (table index, match, rule), tried at gate positions only."""
    found = []
    length = len(text)
    for group in _GROUPS:
        if length < group.shortest:
            break
        if group.char not in text or not any(probe in text for probe in group.probes):
            continue
        for start, gate in _gate_positions(group, text):
            for index, rule in group.rules[gate]:
                if length - start < rule.shortest or rule.also not in text:
                    continue
                match = _compile(rule.pattern).match(text, start)
                if match is not None and rule.accepts(match.group()):
                    found.append((index, match, rule))
                    break
    return found


def find_secret(text: str) -> SecretFormat | None:
    """The known credential format found in ``text`` (the earliest row), or None."""
    if not might_hold_secret(text):
        return None
    found = _matches(text)
    return min(found, key=lambda item: item[0])[2] if found else None


def name_kind(key: str) -> int:
    """NAME_CREDENTIAL, NAME_TOKEN or NAME_PLAIN for a key name."""
    if key[-1:].isalpha() and key[-2:].lower() not in _NAME_ENDINGS:
        return NAME_PLAIN  # fast path: the last word cannot end a credential name
    words = _WORD_RE.findall(key)
    while words and words[-1].isdigit():
        words.pop()
    words = [word.lower() for word in words[-_LONGEST_NAME_WORDS:]]
    for count in range(1, len(words) + 1):
        if "".join(words[-count:]) in _CREDENTIAL_NAME_SET:
            return NAME_CREDENTIAL
    if words and words[-1] == TOKEN_WORD:
        return NAME_TOKEN
    return NAME_PLAIN


def looks_random(text: str) -> bool:
    """Long (20+), only base64/hex/URL-safe characters, high entropy, mixed classes."""
    if len(text) < 20 or not _RANDOM_LOOKING_RE.fullmatch(text):
        return False
    if _NUMBER_TEXT_RE.fullmatch(text):
        return False
    classes = (
        any(c.isupper() for c in text)
        + any(c.islower() for c in text)
        + any(c.isdigit() for c in text)
    )
    if classes < 2:
        return False
    total = len(text)
    entropy = -sum(n / total * math.log2(n / total) for n in Counter(text).values())
    return entropy >= _MIN_RANDOM_ENTROPY_BITS


def holds_credential(kind: int, value: object) -> bool:
    """Whether a key of this kind (see :func:`name_kind`) holding ``value`` is refused."""
    if kind == NAME_CREDENTIAL:
        if isinstance(value, str):
            return bool(value)
        if isinstance(value, (list, tuple)):
            return any(isinstance(item, str) and item for item in value)
        return False
    if kind == NAME_TOKEN and isinstance(value, str):
        return looks_random(value) or find_secret(value) is not None
    return False


def redact(text: str) -> str:
    """``text`` with every known credential format replaced by ``<redacted NAME>``."""
    if not might_hold_secret(text):
        return text
    pieces = []
    end = 0
    for _, match, rule in sorted(_matches(text), key=lambda item: item[1].start()):
        if match.start() >= end:  # overlapping matches: the first one covers it
            pieces += [text[end : match.start()], rule.replacement]
            end = match.end()
    return "".join([*pieces, text[end:]]) if pieces else text
