"""HyperparameterPrepConfig: defaults and one bad-input case per rule, each naming its field."""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from pydantic import ValidationError

from pipeline_steps import HyperparameterPrepConfig
from pipeline_steps.sdk import ParameterString

ROLE = "arn:aws:iam::123456789012:role/prep-lambda"
VALID: dict[str, Any] = {"bucket": "my-bucket", "lambda_role_arn": ROLE}


def test_defaults_are_the_designs() -> None:
    """GIVEN only the required fields WHEN the config is built THEN the defaults are as designed."""
    config = HyperparameterPrepConfig(**VALID)
    assert config.key_prefix == "hyperparameters"
    assert config.function_name == "sagemaker-hyperparameter-prep"
    assert config.runtime == "python3.14"
    assert config.architecture == "arm64"
    assert (config.timeout, config.memory_size) == (60, 256)
    assert config.kms_key_id is None
    assert config.expected_bucket_owner is None
    assert config.role_account_id == "123456789012"


def test_bucket_and_prefix_may_be_pipeline_variables() -> None:
    """GIVEN parameters for bucket and prefix WHEN the config is built THEN they are accepted."""
    config = HyperparameterPrepConfig(
        bucket=ParameterString("Bucket", "b-1"),
        key_prefix=ParameterString("Prefix", "hp"),
        lambda_role_arn=ROLE,
    )
    assert isinstance(config.bucket, ParameterString)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("bucket", "My_Bucket", "bucket"),
        ("bucket", "ab", "bucket"),
        ("bucket", "192.168.0.1", "bucket"),
        ("key_prefix", "/leading", "must not start with '/'"),
        ("key_prefix", "a//b", "empty, '.' or '..'"),
        ("key_prefix", "a/../b", "empty, '.' or '..'"),
        ("key_prefix", "x" * 1000, "1024"),
        ("lambda_role_arn", "arn:aws:iam::123:role/x", "role"),
        ("lambda_role_arn", "arn:aws:iam::123456789012:user/bob", "role"),
        ("function_name", "has space", "function_name"),
        ("function_name", "sagemaker-" + "x" * 60, "function_name"),
        ("runtime", "python3.8", "deprecated"),
        ("runtime", "python3.10", "deprecated"),
        ("runtime", "nodejs20.x", "must be one of"),
        ("architecture", "x86", "arm64"),
        ("timeout", 0, "greater than or equal to 1"),
        ("timeout", 601, "less than or equal to 600"),
        ("memory_size", 127, "greater than or equal to 128"),
        ("memory_size", 10241, "less than or equal to 10240"),
        ("kms_key_id", "not-a-key", "KMS key"),
        ("expected_bucket_owner", "12345", "12-digit"),
        ("environment", {"AWS_REGION": "x"}, "reserved"),
        ("environment", {"1BAD": "x"}, "environment"),
        ("tags", {"aws:owner": "me"}, "aws:"),
        ("tags", {f"k{i}": "v" for i in range(51)}, "50"),
        ("unknown_field", 1, "Extra inputs are not permitted"),
    ],
)
def test_each_rule_names_its_field(field: str, value: Any, message: str) -> None:
    """GIVEN one bad value WHEN the config is built THEN the error names the field and the rule."""
    with pytest.raises(ValidationError) as caught:
        HyperparameterPrepConfig(**{**VALID, field: value})
    errors = caught.value.errors()
    assert [error["loc"][0] for error in errors] == [field]
    assert message in str(caught.value)


def test_deprecated_runtime_message_says_why_and_what_to_use() -> None:
    """GIVEN python3.8 WHEN the config is built THEN the message explains and suggests a runtime."""
    with pytest.raises(ValidationError) as caught:
        HyperparameterPrepConfig(**VALID, runtime="python3.8")
    text = str(caught.value)
    assert "deprecated by AWS Lambda" in text
    assert "python3.14" in text


@pytest.mark.parametrize(
    "key",
    [
        "1234abcd-12ab-34cd-56ef-1234567890ab",
        "alias/hyperparameters",
        "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "arn:aws:kms:us-east-1:123456789012:alias/hp",
        "mrk-1234567890abcdef1234567890abcdef",
    ],
)
def test_kms_key_forms_are_accepted(key: str) -> None:
    """GIVEN a key id, alias, multi-region key or ARN WHEN the config is built THEN accepted."""
    assert HyperparameterPrepConfig(**VALID, kms_key_id=key).kms_key_id == key


def test_function_name_without_sagemaker_warns_about_the_managed_policy() -> None:
    """GIVEN a name without 'sagemaker' WHEN the config is built THEN a warning explains why."""
    with pytest.warns(UserWarning, match="AmazonSageMakerPipelinesIntegrations"):
        HyperparameterPrepConfig(**VALID, function_name="hp-prep")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        HyperparameterPrepConfig(**VALID, function_name="team-SageMaker-prep")


def test_config_is_immutable() -> None:
    """GIVEN a config WHEN a field is assigned THEN it is refused (builders cache from it)."""
    config = HyperparameterPrepConfig(**VALID)
    with pytest.raises(ValidationError):
        config.timeout = 30
