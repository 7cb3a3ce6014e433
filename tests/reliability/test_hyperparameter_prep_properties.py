"""Property-based tests (hypothesis): generated events, valid and invalid.

Every outcome must be either a correct upload that round-trips or a
HyperparameterPrepError - never another exception type. Where the input is simple
enough, an independent oracle (written here from the rules in the issue, not from
the handler's code) decides which of the two it must be.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import re
from decimal import Decimal
from typing import Any

import boto3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import event as label
from hypothesis import strategies as st

from lambda_code import hyperparameter_prep as hp

CANONICAL = {"indent": 2, "sort_keys": True, "allow_nan": False}
FAST = settings(max_examples=200, deadline=None, database=None)
HTTP = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# --------------------------------------------------------------------------- oracle

INVALID, VALID, UNKNOWN = "invalid", "valid", "unknown"
"""The oracle's verdicts. UNKNOWN: the issue leaves the exact line to the implementation
(a token's length, a format beyond the ones it pins down), so either outcome is fine."""

# Credential names the issue (and the rules before it) require refusing, words run
# together; and names the handler may refuse as well.
SURE_NAMES = {
    "password",
    "passwords",
    "passwd",
    "passphrase",
    "pwd",
    "secret",
    "secrets",
    "credentials",
    "apikey",
    "accesskey",
    "accesskeyid",
    "secretkey",
    "secretaccesskey",
    "privatekey",
    "authtoken",
    "sessiontoken",
}
MAYBE_NAMES = {"credential", "accesstoken", "refreshtoken", "apitoken", "bearertoken"}
# Credential formats the issue names, in forms that are certainly credentials; and the
# literals without which no format can match.
SURE_FORMATS = [
    r"(?<![A-Z0-9])(AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])",
    r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----",
    r"PuTTY-User-Key-File-[0-9]+:",
    r"(?<![A-Za-z0-9])gh[pousr]_[A-Za-z0-9]{36}(?![A-Za-z0-9])",
    r"(?<![A-Za-z0-9])xox[abprs]-[0-9]{10,}-[A-Za-z0-9-]{10,}",
    r"(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])",
    r"[a-z][a-z0-9+.-]*://[A-Za-z0-9._~-]+:[A-Za-z0-9._~-]+@[A-Za-z0-9.-]+",
]
MARKERS = [
    "AKIA",
    "ASIA",
    "-----BEGIN",
    "PuTTY-User-Key-File-",
    "hf_",
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "sk-",
    "xox",
    "AIza",
    "eyJ",
    "://",
]


def worst(*verdicts: str) -> str:
    return INVALID if INVALID in verdicts else UNKNOWN if UNKNOWN in verdicts else VALID


def has_surrogates(text: str) -> bool:
    return any(0xD800 <= ord(char) <= 0xDFFF for char in text)


def secret_verdict(text: str) -> str:
    if any(re.search(pattern, text) for pattern in SURE_FORMATS):
        return INVALID
    return UNKNOWN if any(marker in text for marker in MARKERS) else VALID


def last_words(key: str) -> list[str]:
    """Words of a key: anything but ASCII letters and digits separates, and camelCase
    humps do; trailing digits are ignored."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", key)
    spaced = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", spaced)
    words = [w.lower() for w in re.split(r"[^A-Za-z0-9]+", spaced) if w]
    while words and words[-1].rstrip("0123456789") == "":
        words.pop()
    if words:
        words[-1] = words[-1].rstrip("0123456789")
    return words


def name_verdict(key: str, value: Any) -> str:
    words = last_words(key)
    squeezed = {"".join(words[-count:]) for count in range(1, min(len(words), 4) + 1)}
    if isinstance(value, (list, tuple)):
        holds_text = any(isinstance(item, str) and item for item in value)
        return UNKNOWN if holds_text and squeezed & (SURE_NAMES | MAYBE_NAMES) else VALID
    if not isinstance(value, str) or not value:
        return VALID
    if squeezed & SURE_NAMES:
        return INVALID
    if squeezed & MAYBE_NAMES or (words and words[-1] == "token" and len(value) >= 20):
        return UNKNOWN
    return VALID


def oracle(value: Any, depth: int = 1) -> str:
    """What the rules of the issues say of this value (sizes here stay far below 5 MiB)."""
    if isinstance(value, dict):
        if depth > 32:
            return INVALID
        verdicts = []
        for key, child in value.items():
            if not isinstance(key, str) or not key or len(key) > 256 or has_surrogates(key):
                return INVALID
            verdicts += [secret_verdict(key), name_verdict(key, child), oracle(child, depth + 1)]
        return worst(*verdicts)
    if isinstance(value, (list, tuple)):
        return INVALID if depth > 32 else worst(*(oracle(child, depth + 1) for child in value))
    if value is None or isinstance(value, bool):
        return VALID
    if isinstance(value, int):
        return INVALID if abs(value) >= 10**4300 else VALID
    if isinstance(value, float):
        return VALID if math.isfinite(value) else INVALID
    if isinstance(value, str):
        return INVALID if has_surrogates(value) else secret_verdict(value)
    return INVALID


def as_json_types(value: Any) -> Any:
    """What json.loads gives back for a valid value: tuples become lists."""
    if isinstance(value, dict):
        return {k: as_json_types(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [as_json_types(v) for v in value]
    return value


# --------------------------------------------------------------------------- strategies

surrogates = st.text(st.characters(categories=["Cs"]), min_size=1, max_size=2)
valid_keys = st.one_of(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz_-.0123456789", min_size=1, max_size=12),
    st.text(min_size=1, max_size=8),  # unicode
    st.sampled_from(
        ["lr", "max_tokens", "tokenizer", "token_dropout", "secret_sauce_weight", "pad_token"]
    ),
    st.just("k" * 256),
)
invalid_keys = st.one_of(
    surrogates,
    st.sampled_from(
        ["", "password", "API-Key", "aws_secret_access_key", "sessionToken", "AKIAIOSFODNN7EXAMPLE"]
    ),
    st.integers(1, 3).map(lambda n: "k" * (256 + n)),
)
keys = st.one_of(valid_keys, valid_keys, valid_keys, valid_keys, valid_keys, invalid_keys)
valid_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(2**200), max_value=2**200),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.text(alphabet=st.characters(min_codepoint=0x80, codec="utf-8"), max_size=8),
    st.sampled_from(["naïve", "日本語", "🙂", "\x00ctl"]),
    st.sampled_from([4300, -4300]).map(lambda d: (10 ** abs(d) - 1) * (1 if d > 0 else -1)),
)
invalid_scalars = st.one_of(
    st.sampled_from([math.nan, math.inf, -math.inf]),
    st.sampled_from([4300, -5000]).map(lambda d: 10 ** abs(d) * (1 if d > 0 else -1)),
    st.sampled_from(["AKIAIOSFODNN7EXAMPLE", "x ASIAY34FZKBOKMUTVV7A y"]),
    st.just("-----BEGIN RSA PRIVATE KEY-----\nMII"),
    st.binary(max_size=3),
    st.frozensets(st.integers(), max_size=2),
    st.builds(object),
    st.just(Decimal("1.5")),
    surrogates,  # not valid Unicode: would not survive the JSON round trip
)


def containers(children: st.SearchStrategy[Any], key: st.SearchStrategy[Any]) -> Any:
    return st.one_of(
        st.lists(children, max_size=4),
        st.lists(children, max_size=3).map(tuple),
        st.dictionaries(key, children, max_size=4),
    )


# Documents that break no rule, and documents where anything may break anything.
valid_documents = st.recursive(
    valid_scalars, lambda children: containers(children, valid_keys), max_leaves=15
)
wild_documents = st.recursive(
    st.one_of(*[valid_scalars] * 6, invalid_scalars),
    lambda children: containers(children, keys),
    max_leaves=15,
)


def nested(levels: int) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    node = doc
    for _ in range(levels - 1):
        node["n"] = {}
        node = node["n"]
    return doc


def plant(doc: dict[str, Any], key: Any, value: Any, deep: bool) -> dict[str, Any]:
    """Put one (probably rule-breaking) key/value into a valid document."""
    planted = {key: value}
    return {**doc, "outer": [1, {"inner": planted}]} if deep else {**doc, **planted}


# Hypothesis also draws string constants it finds in the code (such as "passwd"), so a
# "valid" document can still hit a rule: keep only those the oracle accepts.
valid_tops = st.dictionaries(valid_keys, valid_documents, max_size=6).filter(
    lambda doc: oracle(doc) == VALID
)
top_levels = st.one_of(
    *[valid_tops] * 6,
    st.builds(plant, valid_tops, valid_keys, invalid_scalars, st.booleans()),
    st.builds(plant, valid_tops, invalid_keys, valid_scalars, st.booleans()),
    st.dictionaries(keys, wild_documents, max_size=5),
    st.integers(30, 34).map(nested),
    wild_documents,  # mostly not an object: refused at the top level
)


def leaf_paths(value: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Dotted-path-addressable paths of scalars (keys without dots, non-empty)."""
    found: list[tuple[str, ...]] = []
    if isinstance(value, dict):
        for key, child in value.items():
            if isinstance(key, str) and key and "." not in key:
                found.extend(leaf_paths(child, (*prefix, key)))
    elif isinstance(value, (list, tuple)):
        for index, child in enumerate(value):
            found.extend(leaf_paths(child, (*prefix, str(index))))
    elif prefix:
        found.append(prefix)
    return found


override_values = st.one_of(
    st.sampled_from(["true", "FALSE", "3", "3.0", "0.05", "1e3", "nan", "inf", "", "abc"]),
    st.from_regex(r"[+-]?[0-9]{1,6}(\.[0-9]{0,4})?([eE][+-]?[0-9]{1,12})?", fullmatch=True),
    st.decimals(allow_nan=False, allow_infinity=False).map(str),
    st.integers(4295, 4305).map(lambda n: "7" * n),
    st.sampled_from([10**4300, -(10**4299), 2**1024]),
    st.integers(),
    st.floats(),
    st.booleans(),
    st.none(),
    st.text(max_size=6),
)

# --------------------------------------------------------------------------- pure properties


@FAST
@given(doc=top_levels)
def test_serialise_is_canonical_or_refuses_exactly_what_the_rules_refuse(doc: Any) -> None:
    # GIVEN any generated value
    # WHEN it is serialised
    try:
        text = hp.serialize_hyperparameters(doc)
    except hp.InvalidHyperparametersError as error:
        label("refused")
        # THEN a refusal is one the rules call for, and names a path and a rule
        assert oracle(doc) != VALID or not isinstance(doc, dict), doc
        assert error.path.startswith("hyperparameters")
        assert "(rule: " in str(error)
        return
    # THEN an acceptance is valid by the rules, and the text is the stdlib canonical form
    label("accepted")
    assert isinstance(doc, dict)
    assert oracle(doc) != INVALID, doc
    assert text == json.dumps(doc, **CANONICAL)
    assert json.loads(text) == as_json_types(doc)


@FAST
@given(
    text=st.one_of(
        st.text(max_size=40),
        st.builds(lambda d: json.dumps(d, allow_nan=True), st.dictionaries(keys, valid_scalars)),
        st.sampled_from(['{"a": NaN}', '{"a":1,"a":2}', "[1]", "{", '{"a": 1e999}', "1" * 5000]),
    )
)
def test_parse_gives_an_object_or_a_prep_error(text: str) -> None:
    # GIVEN arbitrary text WHEN parsed THEN a dict or a HyperparameterPrepError, nothing else
    try:
        parsed = hp.parse_hyperparameters(text)
    except hp.InvalidHyperparametersError as error:
        assert str(error).startswith("hyperparameters")
        return
    assert isinstance(parsed, dict)


def same(first: Any, second: Any) -> bool:
    """Equal with equal types all the way down (1, 1.0 and True differ)."""
    if type(first) is not type(second):
        return False
    if isinstance(first, dict):
        return first.keys() == second.keys() and all(same(first[k], second[k]) for k in first)
    if isinstance(first, (list, tuple)):
        return len(first) == len(second) and all(map(same, first, second))
    return bool(first == second)


plain_documents = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text()),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(alphabet="abxyz_.", max_size=4), children, max_size=4),
    ),
    max_leaves=20,
)


@FAST
@given(
    data=st.data(),
    doc=st.dictionaries(st.text("abcxyz_", min_size=1, max_size=4), plain_documents, min_size=1),
)
def test_overrides_coerce_or_refuse_and_never_mutate(data: st.DataObject, doc: Any) -> None:
    # GIVEN a document, overrides at existing and at made-up paths
    paths = leaf_paths(doc)
    chosen = data.draw(st.lists(st.sampled_from(paths), max_size=3, unique=True)) if paths else []
    made_up = data.draw(st.lists(st.text(alphabet="ab.01", max_size=6), max_size=2))
    overrides = {".".join(p): data.draw(override_values) for p in chosen}
    overrides.update({p: data.draw(override_values) for p in made_up})
    snapshot = copy.deepcopy(doc)
    # WHEN they are applied
    try:
        result = hp.apply_overrides(doc, overrides)
    except hp.InvalidHyperparametersError as error:
        assert str(error).startswith(("override.", "hyperparameters"))
        result = None
    label("refused" if result is None else f"applied {len(chosen)} at real paths")
    # THEN the input is untouched
    assert same(doc, snapshot)
    if result is None:
        return
    # AND each overridden scalar kept the type it replaced (unless null stood there)
    for path in chosen:
        old: Any = snapshot
        new: Any = result
        for segment in path:
            old = old[int(segment)] if isinstance(old, list) else old[segment]
            new = new[int(segment)] if isinstance(new, list) else new[segment]
        if old is not None:
            assert type(new) is type(old)


# --------------------------------------------------------------------------- constraints


def schema_types(value: Any) -> list[str]:
    """The JSON Schema types ``value`` has (an integral number is also an integer)."""
    if value is None:
        return ["null"]
    if isinstance(value, bool):
        return ["boolean"]
    if isinstance(value, int):
        return ["number", "integer"]
    if isinstance(value, float):
        return ["number", "integer"] if value.is_integer() else ["number"]
    if isinstance(value, str):
        return ["string"]
    return ["array"] if isinstance(value, (list, tuple)) else ["object"]


def satisfies(value: Any, fragment: dict[str, Any]) -> bool:
    """An independent reading of the JSON Schema keywords the issue lists."""
    if "type" in fragment:
        wanted = fragment["type"] if isinstance(fragment["type"], list) else [fragment["type"]]
        if not set(wanted) & set(schema_types(value)):
            return False
    if "enum" in fragment and not any(
        schema_types(value)[0] == schema_types(item)[0] and value == item
        for item in fragment["enum"]
    ):
        return False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        for keyword, holds in (
            ("minimum", lambda b: value >= b),
            ("maximum", lambda b: value <= b),
            ("exclusiveMinimum", lambda b: value > b),
            ("exclusiveMaximum", lambda b: value < b),
        ):
            if keyword in fragment and not holds(fragment[keyword]):
                return False
    if isinstance(value, str):
        if len(value) < fragment.get("minLength", 0):
            return False
        if len(value) > fragment.get("maxLength", len(value)):
            return False
    return True


def satisfied_fragment(value: Any) -> st.SearchStrategy[dict[str, Any]]:
    """A constraint that ``value`` meets (what a step builder derives from a typed model)."""
    options: list[st.SearchStrategy[dict[str, Any]]] = [
        st.sampled_from(schema_types(value)).map(lambda t: {"type": t}),
        st.just({"enum": [value, "other-choice"]}) if not isinstance(value, list) else st.just({}),
    ]
    if isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) < 1e300:
        # (bounds next to a 4,300-digit value would pass the digit limit themselves)
        options.append(
            st.tuples(st.integers(0, 5), st.integers(0, 5)).map(
                lambda d: {"minimum": math.floor(value) - d[0], "maximum": math.ceil(value) + d[1]}
            )
        )
        options.append(st.just({"exclusiveMinimum": math.floor(value) - 1}))
    if isinstance(value, str):
        options.append(st.just({"minLength": len(value), "maxLength": len(value) + 3}))
    return st.one_of(options)


finite_numbers = st.one_of(
    st.integers(-1000, 1000), st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
)
fragments = st.fixed_dictionaries(
    {},
    optional={
        "type": st.one_of(
            st.sampled_from(list(hp.CONSTRAINT_TYPES)),
            st.lists(
                st.sampled_from(list(hp.CONSTRAINT_TYPES)), min_size=1, max_size=3, unique=True
            ),
        ),
        "enum": st.lists(
            st.one_of(st.none(), st.booleans(), finite_numbers, st.text(max_size=3)),
            min_size=1,
            max_size=4,
        ),
        "minimum": finite_numbers,
        "maximum": finite_numbers,
        "exclusiveMinimum": finite_numbers,
        "exclusiveMaximum": finite_numbers,
        "minLength": st.integers(0, 5),
        "maxLength": st.integers(0, 5),
    },
)


def bounds_meetable(fragment: dict[str, Any]) -> bool:
    low, high = fragment.get("minimum"), fragment.get("maximum")
    low_x, high_x = fragment.get("exclusiveMinimum"), fragment.get("exclusiveMaximum")
    return not (
        (low is not None and high is not None and low > high)
        or (low_x is not None and high is not None and low_x >= high)
        or (low is not None and high_x is not None and low >= high_x)
        or (low_x is not None and high_x is not None and low_x >= high_x)
        or fragment.get("minLength", 0) > fragment.get("maxLength", 10**9)
    )


@FAST
@given(
    value=st.one_of(st.none(), st.booleans(), finite_numbers, st.text(max_size=6)),
    fragment=fragments,
    as_text=st.booleans(),
)
def test_constraint_check_agrees_with_an_independent_reading(
    value: Any, fragment: dict[str, Any], as_text: bool
) -> None:
    # GIVEN any value and any constraint built from the supported keywords
    constraints: Any = {"x": fragment}
    if as_text:
        constraints = json.dumps(constraints)
    # WHEN the handler's pure check runs
    try:
        hp.check_override_constraints({"x": value}, constraints, override_paths={"x"})
    except hp.InvalidConstraintsError:
        # THEN a refused document is one whose bounds no number meets
        label("constraints refused")
        assert not bounds_meetable(fragment)
        return
    except hp.ConstraintViolationError as error:
        label("violation")
        assert bounds_meetable(fragment)
        assert not satisfies(value, fragment), (value, fragment)
        assert error.path == "override.x (hyperparameters.x)"
        return
    label("satisfied")
    assert bounds_meetable(fragment)
    assert satisfies(value, fragment), (value, fragment)


# --------------------------------------------------------------------------- over HTTP


@pytest.fixture(scope="module")
def s3(moto_server: str) -> Any:
    return boto3.client("s3", endpoint_url=moto_server, region_name="us-east-1")


@HTTP
@given(data=st.data(), doc=top_levels)
def test_generated_events_upload_correctly_or_raise_prep_error(
    s3: Any, unique_bucket_name: str, data: st.DataObject, doc: Any
) -> None:
    form = data.draw(st.sampled_from(["dict"] * 4 + ["text"] * 4 + ["garbage"]))
    bucket_choice = data.draw(st.sampled_from(["real"] * 8 + ["missing", "random"]))
    prefix = data.draw(
        st.one_of(
            *[st.none()] * 3,
            st.just(""),
            *[st.sampled_from(["hp", "team/runs/hp", "ünï/cødé"])] * 3,
            st.sampled_from(["/bad", "a//b", "x/../y", "tab\there"]),
            st.text(max_size=12),
        )
    )
    with_overrides = data.draw(st.sampled_from([False, False, True]))
    unknown_key = data.draw(st.sampled_from([None] * 9 + ["key_prefx"]))
    # GIVEN a generated event: dict, JSON text (NaN literals included) or garbage text,
    # a real, missing or random bucket, a key prefix, overrides and maybe a typo'd key
    if not _bucket_exists(s3, unique_bucket_name):
        s3.create_bucket(Bucket=unique_bucket_name)
    hyperparameters: Any = doc
    if form == "text":
        try:
            hyperparameters = json.dumps(doc, allow_nan=True)
        except (TypeError, ValueError):
            hyperparameters = data.draw(st.text(max_size=30))
    elif form == "garbage":
        hyperparameters = data.draw(st.text(max_size=30))
    bucket = {
        "real": unique_bucket_name,
        "missing": f"{unique_bucket_name}-missing",
        "random": data.draw(st.text(max_size=70)),
    }[bucket_choice]
    event: dict[str, Any] = {"hyperparameters": hyperparameters, "bucket": bucket}
    if prefix is not None:
        event["key_prefix"] = prefix
    overrides: dict[str, Any] = {}
    if with_overrides and isinstance(doc, dict):
        paths = leaf_paths(doc)
        if paths:
            for path in data.draw(st.lists(st.sampled_from(paths), max_size=2, unique=True)):
                overrides[".".join(path)] = data.draw(override_values)
        event.update({f"override.{p}": v for p, v in overrides.items()})
    constrained = data.draw(st.sampled_from([False, False, True]))
    if constrained:
        targets = list(overrides) or ["made.up"]
        event["constraints"] = json.dumps(
            {path: data.draw(fragments) for path in data.draw(st.lists(st.sampled_from(targets)))}
        )
    if unknown_key:
        event[unknown_key] = "x"
    # WHEN the handler runs
    try:
        result = hp.lambda_handler(event, None, s3_client=s3)
    except hp.HyperparameterPrepError as error:
        label(f"refused: {type(error).__name__} {str(error).rpartition('(rule: ')[2][:25]}")
        # THEN a refusal never hits a simple event that the rules accept
        simple = (
            form == "dict"
            and bucket_choice == "real"
            and not overrides
            and not constrained
            and not unknown_key
            and prefix in (None, "", "hp", "team/runs/hp", "ünï/cødé")
        )
        assert not (simple and isinstance(doc, dict) and oracle(doc) == VALID), event
        return
    # THEN a success is a correct, content-addressed upload that round-trips
    label(f"uploaded ({form}, reused={result['reused']}, overrides={bool(overrides)})")
    assert set(result) == {
        "hyperparameters_s3_uri",
        "hyperparameters_sha256",
        "hyperparameters_size_bytes",
        "reused",
    }
    assert bucket_choice == "real"
    assert not unknown_key
    key = result["hyperparameters_s3_uri"].removeprefix(f"s3://{bucket}/")
    expected_prefix = prefix or "hp-default-marker"
    if expected_prefix == "hp-default-marker":
        expected_prefix = hp.DEFAULT_KEY_PREFIX
    assert key == f"{expected_prefix}/{result['hyperparameters_sha256']}/hyperparameters.json"
    stored = s3.get_object(Bucket=bucket, Key=key)
    body = stored["Body"].read()
    assert hashlib.sha256(body).hexdigest() == result["hyperparameters_sha256"]
    assert len(body) == result["hyperparameters_size_bytes"]
    assert stored["Metadata"]["sha256"] == result["hyperparameters_sha256"]
    reloaded = json.loads(body)
    assert json.dumps(reloaded, **CANONICAL).encode() == body  # canonical fixed point
    if form == "dict" and not overrides:
        assert oracle(doc) != INVALID
        assert body == json.dumps(doc, **CANONICAL).encode()
        assert reloaded == as_json_types(doc)


def _bucket_exists(s3: Any, bucket: str) -> bool:
    return any(b["Name"] == bucket for b in s3.list_buckets().get("Buckets", []))


def coercible(old: Any) -> st.SearchStrategy[tuple[Any, Any]]:
    """(override value, value expected in the document) pairs for the value ``old``.

    Written from the coercion table in the handler's docstring, independently of its code.
    """
    finite = st.floats(allow_nan=False, allow_infinity=False)
    if old is None:
        return valid_scalars.map(lambda v: (v, v))
    if isinstance(old, bool):
        return st.sampled_from([("true", True), ("FALSE", False), (True, True), (False, False)])
    if isinstance(old, int):
        return st.integers().flatmap(
            lambda i: st.sampled_from(
                [(i, i), (str(i), i), (f"{i}.0", i), (f"+{i}" if i >= 0 else str(i), i)]
                + ([(float(i), i)] if abs(i) < 2**53 else [])
            )
        )
    if isinstance(old, float):
        return st.one_of(
            finite.flatmap(lambda f: st.sampled_from([(f, f), (repr(f), f)])),
            st.integers(-(10**6), 10**6).map(lambda i: (i, float(i))),
        )
    return st.one_of(
        st.text(max_size=8).map(lambda t: (t, t)),
        st.integers().map(lambda i: (i, str(i))),
        finite.map(lambda f: (f, repr(f))),
    )


def put_at(doc: Any, path: tuple[str, ...], value: Any) -> None:
    node = doc
    for segment in path[:-1]:
        node = node[int(segment)] if isinstance(node, list) else node[segment]
    last = path[-1]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value


@HTTP
@given(data=st.data(), doc=valid_tops)
def test_valid_events_always_upload_and_round_trip(
    s3: Any, unique_bucket_name: str, data: st.DataObject, doc: dict[str, Any]
) -> None:
    # GIVEN a document that breaks no rule, as a dict or as JSON text, with coercible
    # overrides at existing paths, a valid key prefix and an existing bucket
    if not _bucket_exists(s3, unique_bucket_name):
        s3.create_bucket(Bucket=unique_bucket_name)
    expected = as_json_types(doc)
    event: dict[str, Any] = {
        "hyperparameters": data.draw(st.sampled_from([doc, json.dumps(doc)])),
        "bucket": unique_bucket_name,
        "key_prefix": data.draw(st.sampled_from(["", "hp", "team/runs/hp", "ünï/cødé"])),
        "pipeline_name": data.draw(st.sampled_from(["", "my-pipeline"])),
    }
    paths = leaf_paths(doc)
    chosen = data.draw(st.lists(st.sampled_from(paths), max_size=3, unique=True)) if paths else []
    constraints: dict[str, Any] = {}
    for path in chosen:
        old: Any = expected
        for segment in path:
            old = old[int(segment)] if isinstance(old, list) else old[segment]
        value, coerced = data.draw(coercible(old))
        event[f"override.{'.'.join(path)}"] = value
        put_at(expected, path, coerced)
        if data.draw(st.booleans()):
            constraints[".".join(path)] = data.draw(satisfied_fragment(coerced))
    if constraints:
        event["constraints"] = json.dumps(constraints)
    label(f"{len(chosen)} overrides, {len(constraints)} constrained")
    # WHEN the handler runs
    result = hp.lambda_handler(event, None, s3_client=s3)
    # THEN it uploaded exactly the expected document, canonically, where the URI says
    prefix = event["key_prefix"] or hp.DEFAULT_KEY_PREFIX
    key = f"{prefix}/{result['hyperparameters_sha256']}/hyperparameters.json"
    assert result["hyperparameters_s3_uri"] == f"s3://{unique_bucket_name}/{key}"
    body = s3.get_object(Bucket=unique_bucket_name, Key=key)["Body"].read()
    assert body == json.dumps(expected, **CANONICAL).encode()
    assert same(json.loads(body), expected)
    assert hashlib.sha256(body).hexdigest() == result["hyperparameters_sha256"]
    assert len(body) == result["hyperparameters_size_bytes"]
