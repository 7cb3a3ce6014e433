"""The AWS identifiers configs carry, each checked by one rule: ARNs, accounts, keys, URIs.

Each ``check_*`` returns the value unchanged or raises ``ValueError`` saying what the
value should look like, so pydantic validators and the Lambda deployer use the same
function (the deployer turns the ``ValueError`` into its own validation error). The
account-id and KMS-key rules are the bundled handler's own, which checks its event
with them at run time.
Patterns use ``[0-9]``, never ``\\d``: Python's ``\\d`` also matches other scripts' digits.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from lambda_code.hyperparameter_prep import validate_account_id, validate_kms_key_id
from pipeline_steps.sdk import PipelineVariable

__all__ = [
    "ROLE_ARN_PATTERN",
    "check_account_id",
    "check_environment",
    "check_instance_type",
    "check_kms_key_id",
    "check_role_arn",
    "check_s3_uri",
]

ROLE_ARN_PATTERN: Final = re.compile(
    r"^arn:aws[a-zA-Z-]*:iam::[0-9]{12}:role/?[a-zA-Z_0-9+=,.@\-/]+$"
)
"""An IAM role ARN, as the Lambda and SageMaker APIs accept it for ``Role``/``RoleArn``."""

_INSTANCE_TYPE = re.compile(r"^(?:ml\.[a-z0-9\-]+\.[a-z0-9]+|local|local_gpu)$")
_S3_URI = re.compile(r"^s3://[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9](?:/.*)?$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def check_role_arn(value: object) -> str:
    """An IAM role ARN: ``arn:aws:iam::<12-digit account>:role/<path/name>``."""
    if not isinstance(value, str) or not ROLE_ARN_PATTERN.fullmatch(value):
        raise ValueError(
            f"{value!r} is not an IAM role ARN; expected "
            "arn:aws:iam::<12-digit account>:role/<name>, e.g. "
            "'arn:aws:iam::123456789012:role/my-role'"
        )
    return value


def check_account_id(value: object) -> str:
    """A 12-digit AWS account id: the bundled handler's rule (it checks the event too)."""
    try:
        return validate_account_id(value, field="account id")
    except ValueError:
        raise ValueError(f"{value!r} is not a 12-digit AWS account id (ASCII digits 0-9)") from None


def check_kms_key_id(value: object) -> str:
    """A KMS key id, alias (``alias/<name>``) or key/alias ARN: the bundled handler's rule."""
    try:
        return validate_kms_key_id(value)
    except ValueError:
        raise ValueError(
            f"{value!r} is not a KMS key id, multi-Region key id (mrk-...), alias "
            "(alias/<name>) or key/alias ARN"
        ) from None


def check_instance_type(value: Any) -> Any:
    """A SageMaker instance type such as ``ml.m5.xlarge`` (or a pipeline variable)."""
    if isinstance(value, PipelineVariable):
        return value
    if not isinstance(value, str) or not _INSTANCE_TYPE.fullmatch(value):
        raise ValueError(f"{value!r} is not a SageMaker instance type such as 'ml.m5.xlarge'")
    return value


def check_s3_uri(value: Any) -> Any:
    """An ``s3://bucket/prefix`` URI (or a pipeline variable, or None)."""
    if value is None or isinstance(value, PipelineVariable):
        return value
    if not isinstance(value, str) or not _S3_URI.fullmatch(value):
        raise ValueError(f"{value!r} is not an S3 URI such as 's3://bucket/prefix'")
    return value


def check_environment(value: Mapping[str, Any]) -> Mapping[str, Any]:
    """Environment variable names: a letter or '_', then letters, digits or '_'."""
    for name in value:
        if not _ENV_NAME.fullmatch(name):
            raise ValueError(
                f"environment variable name {name!r} is invalid: a letter or '_', then letters, "
                "digits or '_'"
            )
    return value
