"""Unit tests (pure) for the secret scanner: one test per table row, a must-accept corpus,
the key-name rules, and masking in errors and in the log line."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.stub import Stubber

from lambda_code import hyperparameter_prep as hp
from lambda_code.hyperparameter_prep.scanner import (
    NAME_CREDENTIAL,
    NAME_PLAIN,
    NAME_TOKEN,
    find_secret,
    name_kind,
    redact,
)
from lambda_code.hyperparameter_prep.secrets import (
    CREDENTIAL_NAMES,
    SECRET_FORMATS,
    SHORTEST_SECRET,
    SecretFormat,
)


def refusal(doc: object) -> hp.InvalidHyperparametersError:
    with pytest.raises(hp.InvalidHyperparametersError) as caught:
        hp.validate_hyperparameters(doc)
    return caught.value


# --------------------------------------------------------------------------- known formats


@pytest.mark.parametrize("rule", SECRET_FORMATS, ids=[rule.name for rule in SECRET_FORMATS])
def test_each_format_row_refuses_its_example_without_echoing_it(rule: SecretFormat) -> None:
    # GIVEN the row's example, alone and inside a longer string, as a nested value
    assert any(gate in rule.example for gate in rule.gates)
    for value in (rule.example, f"token: {rule.example} (from the wiki)"):
        # WHEN validated
        error = refusal({"cfg": {"items": ["ok", value]}})
        # THEN the path points at it, the row's description is the reason, nothing is echoed
        assert error.path == "hyperparameters.cfg.items[1]"
        assert f"looks like {rule.description}" in error.rule
        assert "(rule: no credentials)" in error.rule
        assert rule.example[:12] not in str(error)
    # AND the scanner names this row first, and redaction removes the whole secret
    assert find_secret(rule.example) == rule
    secret = re.compile(rule.pattern, re.DOTALL).search(rule.example)
    assert secret is not None
    redacted = redact(f"x {rule.example} y")
    assert rule.replacement in redacted
    assert f"<redacted {rule.name}>" in rule.replacement
    assert secret.group() not in redacted


@pytest.mark.parametrize("rule", SECRET_FORMATS, ids=[rule.name for rule in SECRET_FORMATS])
def test_each_format_row_is_refused_as_a_key_and_masked(rule: SecretFormat) -> None:
    # GIVEN the row's example used as a key name (cut to the 256-character key limit)
    key = rule.example[:256]
    # WHEN validated THEN refused, and the path masks the key instead of echoing it
    error = refusal({"cfg": {key: 1}})
    assert f"looks like {rule.description}" in error.rule
    assert error.path.startswith('hyperparameters.cfg["')
    assert f"<redacted {rule.name}>" in error.path
    secret = re.compile(rule.pattern, re.DOTALL).search(key)
    assert secret is not None
    assert secret.group()[3:] not in str(error)


def test_shortest_secret_bound_holds() -> None:
    # GIVEN the shortest string any format matches (a URL with an empty user)
    assert find_secret("a://:b@") is not None
    assert len("a://:b@") == SHORTEST_SECRET
    # THEN every example is at least that long
    assert all(len(rule.example) >= SHORTEST_SECRET for rule in SECRET_FORMATS)


MUST_ACCEPT: dict[str, Any] = {
    # NLP special tokens and vocabulary
    "pad_token": "[PAD]",
    "eos_token": "</s>",
    "bos_token": "<s>",
    "unk_token": "<unk>",
    "mask_token": "<mask>",
    "cls_token": "[CLS]",
    "sep_token": "<|endoftext|>",
    "special_token": "<|reserved_special_token_250|>",
    "additional_special_tokens": ["<|im_start|>", "<|im_end|>", "<|eot_id|>"],
    "token": "[CLS]",
    # a number written as text under a *_token name (found by hypothesis): not random
    "temperature_token": "1.3407807929942596e+154",
    "max_tokens": 4096,
    "max_new_tokens": 512,
    "bos_token_id": 1,
    "use_auth_token": True,
    "tokenizer": "sentencepiece",
    "token_dropout": 0.1,
    # booleans, numbers, null and "" under credential-named keys
    "is_secret": False,
    "password": "",
    "api_key": None,
    "secret": 0,
    "passwords": [],
    "password_min_length": 8,
    "num_secret_layers": 2,
    "secret_sauce_weight": 0.5,
    # hashes and identifiers
    "data_sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "git_commit": "9fceb02d0ae598e95dc970b74767f19372d61af8",
    "md5": "d41d8cd98f00b204e9800998ecf8427e",
    "run_id": "3f1c2a9e-5b7d-4c2e-9a1f-0e8b7c6d5a4f",
    # S3 and Secrets Manager references (names and ARNs, not secrets)
    "train_uri": "s3://my-bucket/train/part-0000.csv",
    "checkpoint": "s3://bucket/path/with:colon@2x/model.tar.gz",
    "secret_arn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf",
    "secret_name": "prod/training/db",
    "kms_key": "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "private_key_path": "/opt/ml/input/data/keys/tls.pem",
    "credentials_profile": "default",
    # model ids, URLs without passwords, names near the formats
    "model_id": "meta-llama/Llama-3.1-8B-Instruct",
    "tiny_model": "hf_internal_testing/tiny-random-bert",
    "hub": "https://huggingface.co/bert-base-uncased",
    "db": "postgresql://trainer@db.example.com:5432/features",
    "endpoint": "https://example.com:8443/path?x=1",
    "repo": "git@github.com:org/repo.git",
    "estimator": "sk-learn",
    "task": "task-specific-finetuning-with-a-long-name",
    "family": "sk-my-model-name-version-2",
    "header_note": "-----BEGIN PUBLIC KEY-----",
    "aws_region_note": "ASIA-PACIFIC",
    "akia_lower": "akiaiosfodnn7example",
}


def test_must_accept_corpus_passes() -> None:
    # GIVEN ML hyperparameters that look near the rules WHEN validated THEN none is refused
    hp.validate_hyperparameters(MUST_ACCEPT)
    hp.validate_hyperparameters({"nested": [MUST_ACCEPT, {"deeper": MUST_ACCEPT}]})


# --------------------------------------------------------------------------- credential names


@pytest.mark.parametrize("row", CREDENTIAL_NAMES, ids=[row.name for row in CREDENTIAL_NAMES])
def test_each_credential_name_row(row: Any) -> None:
    # GIVEN the row's example key, and variants: trailing digits, camelCase, other separators
    words = row.example
    variants = [words, f"{words}2", f"{words}_01", f"db.{words}", f"my-{words}"]
    for key in variants:
        assert name_kind(key) == NAME_CREDENTIAL, key
        # WHEN it holds a non-empty string (or an array with one) THEN it is refused, named
        for value in ("hunter2", ["", "hunter2"]):
            error = refusal({"db": {key: value}})
            assert error.path == f"hyperparameters.db.{key}" or key in error.path
            assert "credential name" in error.rule
            assert "hunter2" not in str(error)
        # AND booleans, numbers, null, "" and empty arrays are not credentials
        for harmless in (True, False, 0, 1.5, None, "", [], [1, 2]):
            hp.validate_hyperparameters({"db": {key: harmless}})


@pytest.mark.parametrize(
    "key",
    [
        "PASSWORD",
        "Pass-Word",
        "apiKey",
        "APIKey",
        "Secret.Access.Key",
        "AUTH TOKEN",
        "session__token",
        "db_password2",
        "passphrase",
        "pwd",
        "secrets",
        "credentials",
        "clientSecret",
    ],
)
def test_name_is_judged_by_its_last_words(key: str) -> None:
    assert name_kind(key) == NAME_CREDENTIAL


@pytest.mark.parametrize(
    "key",
    [
        "max_tokens",
        "tokenizer",
        "token_dropout",
        "secret_sauce_weight",
        "bos_token_id",
        "private_key_path",
        "secret_arn",
        "password_min_length",
        "keyword",
        "monkey",
        "passage_len",
        "mypassword",  # one word: not judged by a squeezed suffix
    ],
)
def test_names_that_only_contain_a_credential_word_are_plain(key: str) -> None:
    assert name_kind(key) == NAME_PLAIN


@pytest.mark.parametrize("key", ["pad_token", "eos_token", "token", "hub_token", "HFToken"])
def test_token_names_are_judged_by_their_value(key: str) -> None:
    # GIVEN a key ending in "token" (NLP vocabulary)
    assert name_kind(key) == NAME_TOKEN
    # THEN special tokens pass
    for value in ("[PAD]", "</s>", "<|endoftext|>", "<|reserved_special_token_250|>", ""):
        hp.validate_hyperparameters({key: value})
    # AND a long random-looking value, or a known format, is refused without being echoed
    for value in ("Zq8xV2mP9rT4kL7wB3nY6cF1hJ5sD0gA", "xoxp-1234567890-abcdefghij"):
        error = refusal({key: value})
        assert "(rule: no credentials)" in error.rule
        assert value[:10] not in str(error)


# --------------------------------------------------------------------------- masking


def test_redact_leaves_ordinary_text_alone() -> None:
    text = "override.optimizer.lr (hyperparameters.optimizer.lr): s3://bucket/key"
    assert redact(text) == text


@pytest.fixture
def stubbed_client() -> Any:
    client = boto3.client(
        "s3", region_name="us-east-1", config=Config(retries={"total_max_attempts": 1})
    )
    with Stubber(client) as stub:
        yield client
        stub.assert_no_pending_responses()


SECRET = "ghp_EXAMPLE0example0EXAMPLE0example0EXAM"


@pytest.mark.parametrize(
    "changes",
    [
        {f"override.{SECRET}": "1"},
        {f"override.cfg.{SECRET}": "1"},
        {SECRET: "x"},
        {"bucket": SECRET.lower()[:40]},
        {"hyperparameters": {"cfg": {SECRET: 1}}},
        {"hyperparameters": json.dumps({"a": 1, SECRET: 2, "z": {SECRET: 3}})},
        {"hyperparameters": f'{{"{SECRET}": 1, "{SECRET}": 2}}'},
        {"constraints": json.dumps({SECRET: {"minimum": 0}})},
    ],
)
def test_secrets_in_names_are_never_echoed_in_errors_or_the_log_line(
    stubbed_client: Any, caplog: pytest.LogCaptureFixture, changes: dict[str, Any]
) -> None:
    # GIVEN an event with a credential where a name goes (override path, event key, key)
    event = {"hyperparameters": {"cfg": {"lr": 0.1}, "a": 1}, "bucket": "unit-test-bucket"}
    event.update(changes)
    caplog.set_level(logging.INFO, logger="hyperparameter_prep")
    # WHEN the handler refuses it (no S3 request: the stub has no responses)
    with pytest.raises(hp.HyperparameterPrepError) as caught:
        hp.lambda_handler(event, None, s3_client=stubbed_client)
    # THEN neither the error nor the log line holds the secret (not even lower-cased)
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name == "hyperparameter_prep")
    for text in (str(caught.value), logged, repr(caught.value.args)):
        assert SECRET[4:20].lower() not in text.lower()
    assert "<redacted github-token>" in str(caught.value)


@pytest.mark.parametrize("rule", SECRET_FORMATS, ids=[rule.name for rule in SECRET_FORMATS])
def test_each_row_declares_its_shortest_match_truthfully(rule: SecretFormat) -> None:
    # GIVEN the regular-expression parser's own minimum width of the row's pattern
    try:
        from re import _parser as sre_parse  # type: ignore[attr-defined]
    except ImportError:  # Python 3.10
        import sre_parse
    shortest = sre_parse.parse(rule.pattern).getwidth()[0]
    # THEN the declared bound (used to skip short strings) never exceeds it, and every
    # pattern begins with one of its gates (it is tried only where a gate occurs)
    assert rule.shortest <= shortest
    match = re.compile(rule.pattern, re.DOTALL).search(rule.example)
    assert match is not None
    assert any(rule.example.startswith(gate, match.start()) for gate in rule.gates)
