"""The canonical bytes are pinned: the same document gives the same bytes on every Python.

The stored object's key is its SHA-256, so a change of a single byte (a float repr, an
escape, key order) would change every URI and break step caching. The text below was
produced by ``json.dumps(doc, indent=2, sort_keys=True, allow_nan=False)`` and checked
identical on CPython 3.10, 3.11, 3.12 and 3.13; on 3.13+ the handler encodes in one call
to the C encoder, and the test covering that path runs here by forcing it.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from lambda_code import hyperparameter_prep as hp
from lambda_code.hyperparameter_prep import document

VARIED: dict[str, Any] = {
    "ascii": "plain text",
    "unicode": "naïve ☃ 日本語 🙂",
    "escapes": 'quote " backslash \\ tab \t newline \n nul \x00 del \x7f',
    "ints": [0, -1, 2**63, -(2**64) + 1, 10**30],
    "floats": [0.1, -0.0, 1e-7, 1.5e300, 123456789.0, 2.5, 1 / 3, 5e-324],
    "bools": [True, False],
    "null": None,
    "empty": {"object": {}, "array": []},
    "nested": {"z": {"y": [1, {"x": [None]}]}, "a": "first"},
    "B_upper_sorts_before_lower": 1,
    "é_key": "non-ascii key",
}
PINNED_SHA256 = "658e000d213c1862e026f72dbf69d3fe3ba19bbca36329fe7714b67cd678c337"
PINNED = (
    "{\n"
    '  "B_upper_sorts_before_lower": 1,\n'
    '  "ascii": "plain text",\n'
    '  "bools": [\n'
    "    true,\n"
    "    false\n"
    "  ],\n"
    '  "empty": {\n'
    '    "array": [],\n'
    '    "object": {}\n'
    "  },\n"
    '  "escapes": "quote \\" backslash \\\\ tab \\t newline \\n nul \\u0000 del \\u007f",\n'
    '  "floats": [\n'
    "    0.1,\n"
    "    -0.0,\n"
    "    1e-07,\n"
    "    1.5e+300,\n"
    "    123456789.0,\n"
    "    2.5,\n"
    "    0.3333333333333333,\n"
    "    5e-324\n"
    "  ],\n"
    '  "ints": [\n'
    "    0,\n"
    "    -1,\n"
    "    9223372036854775808,\n"
    "    -18446744073709551615,\n"
    "    1000000000000000000000000000000\n"
    "  ],\n"
    '  "nested": {\n'
    '    "a": "first",\n'
    '    "z": {\n'
    '      "y": [\n'
    "        1,\n"
    "        {\n"
    '          "x": [\n'
    "            null\n"
    "          ]\n"
    "        }\n"
    "      ]\n"
    "    }\n"
    "  },\n"
    '  "null": null,\n'
    '  "unicode": "na\\u00efve \\u2603 \\u65e5\\u672c\\u8a9e \\ud83d\\ude42",\n'
    '  "\\u00e9_key": "non-ascii key"\n'
    "}"
)


@pytest.fixture(params=["streamed", "one-shot"])
def encoding_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run the test through both encoders: streamed blocks (CPython < 3.13) and one call
    (3.13+, where ``indent`` is encoded in C). Forced here, whatever this Python is."""
    monkeypatch.setattr(document, "C_INDENT_ENCODER", request.param == "one-shot")
    return str(request.param)


def test_varied_document_has_the_pinned_bytes(encoding_path: str) -> None:
    # GIVEN a document with every JSON type, escapes, astral characters, big integers,
    # float edge cases and keys that sort by code point
    # WHEN the handler encodes and hashes it
    body, digest = hp.canonical_bytes(VARIED)
    # THEN the bytes are the pinned ones, on this Python, through either encoder
    assert body.decode("ascii") == PINNED
    assert digest == PINNED_SHA256 == hashlib.sha256(PINNED.encode()).hexdigest()
    assert hp.serialize_hyperparameters(VARIED) == PINNED


def test_pinned_text_is_the_stdlib_canonical_form_here() -> None:
    # GIVEN this interpreter's json module THEN it agrees with the pin (so a Python whose
    # json changed its output would fail here, not silently change every URI)
    assert json.dumps(VARIED, indent=2, sort_keys=True, allow_nan=False) == PINNED


def test_size_limit_is_exact_on_both_paths(encoding_path: str) -> None:
    # GIVEN documents exactly at and one byte over 5 MiB
    overhead = len(json.dumps({"blob": ""}, indent=2))
    at_limit = {"blob": "x" * (hp.MAX_DOCUMENT_BYTES - overhead)}
    over = {"blob": "x" * (hp.MAX_DOCUMENT_BYTES - overhead + 1)}
    # WHEN encoded THEN the first passes at exactly the limit and the second is refused
    assert len(hp.canonical_bytes(at_limit)[0]) == hp.MAX_DOCUMENT_BYTES
    with pytest.raises(hp.InvalidHyperparametersError, match=r"document at most 5 MiB"):
        hp.canonical_bytes(over)


def test_escape_heavy_document_over_the_limit_is_refused_on_both_paths(
    encoding_path: str,
) -> None:
    # GIVEN a document whose size bound looks small but whose escapes make it large:
    # one million control characters are 6 bytes each in the canonical form
    doc = {"blob": "\x01" * 1_000_000}
    # WHEN encoded THEN the exact size check still refuses it
    with pytest.raises(hp.InvalidHyperparametersError, match=r"document at most 5 MiB"):
        hp.canonical_bytes(doc)
