"""The secret scanner's rules, as data: one row per rule (the engine is ``scanner``).

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

Each row carries an example the tests feed back to it. Adding a format is adding a row:
a name, a description, the literal(s) a match begins with, the pattern, the fewest
characters it can match and an example.
"""

from __future__ import annotations

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
    also: str = ""
    """A literal every match holds besides its gate (a cheap pre-filter), if any."""

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
    also: str = "",
) -> SecretFormat:
    replacement = replacement or f"<redacted {name}>"
    return SecretFormat(
        name, description, gates, pattern, shortest, example, character_classes, replacement, also
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
        also=".",
    ),
    _format(
        "url-credentials",
        "a URL with a password (scheme://user:password@host)",
        ("://",),
        r"(?<=[A-Za-z0-9+.-])://[^\s/?#@:]*:[^\s/?#@]+@",
        "postgresql://trainer:example-password@db.example.com:5432/features",
        replacement="://<redacted url-credentials>@",
        also="@",
        shortest=6,
    ),
)
"""Known credential formats, in the order they are tried (the first match names it)."""

SHORTEST_SECRET: Final = 7
"""No format matches fewer characters (``a://:b@``): shorter strings are not scanned."""


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
