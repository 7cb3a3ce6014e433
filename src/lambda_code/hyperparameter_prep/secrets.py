"""The secret scanner: what counts as a credential, as data, one row per rule.

Three tables drive it:

* :data:`SECRET_FORMATS`: credentials in a known format (an AWS access key id, a private
  key block, a Hugging Face, GitHub, OpenAI-style, Slack or Google API key, a JWT, a URL
  with a password). Refused wherever they appear: in any string value and in key names.
* :data:`CREDENTIAL_NAMES`: credential-named keys (``db_password``, ``apiKey``,
  ``Secret.Access.Key``, ``passwords``, ``db_password2``). The name is split into words
  (on anything but letters and digits, and at camelCase humps), trailing digits are
  dropped, and the last words, run together, must spell one of the names. Such a key is
  refused only when it holds a non-empty string, or an array with one: booleans, numbers,
  null and ``""`` under ``is_secret`` or ``password_min_length`` are not credentials.
* :data:`TOKEN_WORD`: a key whose last word is ``token`` (``pad_token``, ``eos_token``:
  NLP vocabulary) is refused only when its value looks like a credential: a known
  format, or a long, high-entropy run of base64/hex-like characters. ``max_tokens`` and
  ``bos_token_id`` are never judged.

Scanning is staged so that ordinary strings cost almost nothing: every format begins
with a literal (its gate: ``AKIA``, ``-----BEGIN``, ``hf_``, ``://``, ...) and every gate
holds one of five sentinel characters (:data:`SENTINELS`). A string without any of
them (one C-speed character search each) cannot hold a secret; otherwise each
candidate format is matched only where its gate occurs, so the cost stays linear even
for long or adversarial text. Strings shorter than :data:`SHORTEST_SECRET` are not
scanned. A detected secret is never echoed:
:func:`redact` replaces it in any text that is about to reach an error or a log line.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator
from typing import Final, NamedTuple


class SecretFormat(NamedTuple):
    """One known credential format."""

    name: str
    """Short id, used in redactions: ``<redacted aws-access-key-id>``."""
    description: str
    """What the rule says a refused string looks like."""
    gates: tuple[str, ...]
    """Literals a match begins with: the pattern is tried only where one occurs."""
    pattern: str
    """The regular expression (DOTALL), matched at a gate's position (look-behinds see
    the text before it). Compiled on first use: most documents never reach it."""
    shortest: int
    """The fewest characters a match has: shorter text is not tried (tested)."""
    example: str
    """A made-up value the rule refuses (tested)."""
    character_classes: int = 0
    """How many of upper case, lower case and digits a match needs (randomness check)."""
    replacement: str = ""
    """What :func:`redact` puts in place of a match; default ``<redacted NAME>``."""

    def accepts(self, match: str) -> bool:
        """True when ``match`` (a pattern match) is a credential by this rule."""
        if not self.character_classes:
            return True
        found = (
            any(c.isupper() for c in match)
            + any(c.islower() for c in match)
            + any(c.isdigit() for c in match)
        )
        return found >= self.character_classes


def _format(
    name: str,
    description: str,
    gates: tuple[str, ...],
    pattern: str,
    example: str,
    *,
    shortest: int,
    character_classes: int = 0,
    replacement: str = "",
) -> SecretFormat:
    replacement = replacement or f"<redacted {name}>"
    return SecretFormat(
        name, description, gates, pattern, shortest, example, character_classes, replacement
    )


# The patterns for key blocks run to the END line (or the end of the text), so that a
# redaction removes the key material, not just its header.
SECRET_FORMATS: Final = (
    _format(
        "aws-access-key-id",
        "an AWS access key id",
        ("AKIA", "ASIA"),
        r"(?<![A-Z0-9])A[KS]IA[A-Z0-9]{16}(?![A-Z0-9])",
        "AKIAIOSFODNN7EXAMPLE",
        shortest=20,
    ),
    _format(
        "openssh-private-key",
        "an OpenSSH private key",
        ("-----BEGIN",),
        r"-----BEGIN OPENSSH PRIVATE KEY-----(?:.*?-----END [A-Z ]*-----|.*)",
        "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n",
        shortest=35,
    ),
    _format(
        "pgp-private-key",
        "a PGP private key block",
        ("-----BEGIN",),
        r"-----BEGIN PGP PRIVATE KEY BLOCK-----(?:.*?-----END [A-Z ]*-----|.*)",
        "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBF0EXAMPLE\n",
        shortest=37,
    ),
    _format(
        "pem-private-key",
        "a PEM private key",
        ("-----BEGIN",),
        r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----(?:.*?-----END [A-Z0-9 ]*-----|.*)",
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----",
        shortest=27,
    ),
    _format(
        "putty-private-key",
        "a PuTTY private key",
        ("PuTTY-User-Key-File-",),
        r"PuTTY-User-Key-File-[0-9]+:.*",
        "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\n",
        shortest=22,
    ),
    _format(
        "huggingface-token",
        "a Hugging Face access token",
        ("hf_",),
        r"(?<![A-Za-z0-9])hf_[A-Za-z0-9]{30,}(?![A-Za-z0-9])",
        "hf_ExampleExampleExampleExampleExampl",
        character_classes=2,
        shortest=33,
    ),
    _format(
        "github-token",
        "a GitHub token",
        ("ghp_", "gho_", "ghu_", "ghs_", "ghr_"),
        r"(?<![A-Za-z0-9])gh[pousr]_[A-Za-z0-9]{36,}(?![A-Za-z0-9])",
        "ghp_EXAMPLE0example0EXAMPLE0example0EXAM",
        shortest=40,
    ),
    _format(
        "github-fine-grained-token",
        "a GitHub fine-grained personal access token",
        ("github_pat_",),
        r"(?<![A-Za-z0-9])github_pat_[A-Za-z0-9_]{22,}",
        "github_pat_11EXAMPLE0example0EXAMPLE_example0EXAMPLE0",
        shortest=33,
    ),
    _format(
        "sk-api-key",
        "an OpenAI-style secret key (sk-...)",
        ("sk-",),
        r"(?<![A-Za-z0-9_-])sk-[A-Za-z0-9_-]*?[A-Za-z0-9]{20}",
        "sk-proj-EXAMPLE0example0EXAMPLE0example",
        character_classes=3,
        shortest=23,
    ),
    _format(
        "slack-token",
        "a Slack token",
        ("xoxa-", "xoxb-", "xoxp-", "xoxr-", "xoxs-"),
        r"(?<![A-Za-z0-9])xox[abprs]-[A-Za-z0-9-]{10,}",
        "xoxb-000000000000-0000000000000-EXAMPLEexample",
        shortest=15,
    ),
    _format(
        "google-api-key",
        "a Google API key",
        ("AIza",),
        r"(?<![A-Za-z0-9_-])AIza[A-Za-z0-9_-]{35}(?![A-Za-z0-9_-])",
        "AIzaSyEXAMPLE0example0EXAMPLE0example0E",
        shortest=39,
    ),
    _format(
        "jwt",
        "a JSON Web Token",
        ("eyJ",),
        r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{10,}",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJleGFtcGxlIn0.EXAMPLEexampleEXAMPLE0",
        shortest=28,
    ),
    _format(
        "url-credentials",
        "a URL with a password (scheme://user:password@host)",
        ("://",),
        r"(?<=[A-Za-z0-9+.-])://[^\s/?#@:]*:[^\s/?#@]+@",
        "postgresql://trainer:example-password@db.example.com:5432/features",
        replacement="://<redacted url-credentials>@",
        shortest=6,
    ),
)
"""Known credential formats, in the order they are tried (the first match names it)."""

SHORTEST_SECRET: Final = 7
"""No format matches fewer characters (``a://:b@``): shorter strings are not scanned."""

SENTINELS: Final = "IJ:_-"
"""Characters every gate holds one of, rarest first (``-----BEGIN`` counts under ``I``)."""


class _Group(NamedTuple):
    """The formats whose gates hold one sentinel character."""

    shortest: int
    """The fewest characters any of its formats matches."""
    char: str
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
    return _Group(min(rule.shortest for _, _, rule in entries), char, gates, rules)


_GROUPS: Final = tuple(sorted((_group(char) for char in SENTINELS), key=lambda g: g.shortest))
"""One group per sentinel, the one with the shortest possible match first."""
_compiled: dict[str, re.Pattern[str]] = {}


def might_hold_secret(text: str) -> bool:
    """False when no format can match ``text``: a few C-speed character searches, only
    for the formats that fit in its length."""
    length = len(text)
    for group in _GROUPS:
        if length < group.shortest:
            return False
        if group.char in text:
            return True
    return False


class CredentialName(NamedTuple):
    """A key name that says its value is a credential."""

    name: str
    """The last words of the key, lower-cased and run together."""
    example: str
    """A key that spells it (tested)."""


CREDENTIAL_NAMES: Final = (
    CredentialName("password", "db_password"),
    CredentialName("passwords", "passwords"),
    CredentialName("passwd", "passwd"),
    CredentialName("pwd", "db_pwd"),
    CredentialName("passphrase", "ssh_passphrase"),
    CredentialName("secret", "client_secret"),
    CredentialName("secrets", "secrets"),
    CredentialName("credential", "credential"),
    CredentialName("credentials", "aws_credentials"),
    CredentialName("apikey", "openai.api_key"),
    CredentialName("accesskey", "aws_secret_access_key"),
    CredentialName("accesskeyid", "accessKeyId"),
    CredentialName("secretkey", "SECRET-KEY"),
    CredentialName("privatekey", "private_key"),
    CredentialName("authtoken", "auth_token"),
    CredentialName("sessiontoken", "sessionToken"),
    CredentialName("accesstoken", "access_token"),
    CredentialName("refreshtoken", "refresh_token"),
    CredentialName("apitoken", "api_token"),
    CredentialName("bearertoken", "bearer_token"),
)
"""Credential names: refused when they hold a non-empty string (or an array with one)."""

TOKEN_WORD: Final = "token"
"""A key ending in this word is refused only when its value looks like a credential."""

NAME_PLAIN: Final = 0
NAME_CREDENTIAL: Final = 1
NAME_TOKEN: Final = 2

_CREDENTIAL_NAME_SET: Final = frozenset(row.name for row in CREDENTIAL_NAMES)
_NAME_ENDINGS: Final = frozenset(name[-2:] for name in (*_CREDENTIAL_NAME_SET, TOKEN_WORD))
_LONGEST_NAME_WORDS: Final = 4
_WORD_RE: Final = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_RANDOM_LOOKING_RE: Final = re.compile(r"[A-Za-z0-9+/=_.~-]{20,}")
_MIN_RANDOM_ENTROPY_BITS: Final = 3.5


def _compile(pattern: str) -> re.Pattern[str]:
    compiled = _compiled.get(pattern)
    if compiled is None:
        compiled = _compiled[pattern] = re.compile(pattern, re.DOTALL)
    return compiled


def _gate_positions(group: _Group, text: str) -> Iterator[tuple[int, str]]:
    """Where the group's gates occur: str.find for one gate, else one regex pass."""
    if len(group.rules) == 1:
        (gate,) = group.rules
        start = text.find(gate)
        while start != -1:
            yield start, gate
            start = text.find(gate, start + 1)
    else:
        for match in group.gates.finditer(text):
            yield match.start(), match.group()


def _matches(text: str) -> list[tuple[int, re.Match[str], SecretFormat]]:
    """Every accepted match, as (table index, match, rule), tried at gate positions only."""
    found = []
    length = len(text)
    for group in _GROUPS:
        if length < group.shortest:
            break
        if group.char not in text:
            continue
        for start, gate in _gate_positions(group, text):
            for index, rule in group.rules[gate]:
                if length - start < rule.shortest:
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
