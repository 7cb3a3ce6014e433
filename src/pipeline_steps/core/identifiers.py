"""Checks for the AWS identifiers configs carry: role ARNs, S3 URIs, instance types, env names.

Each check returns the value unchanged or raises ``ValueError`` saying what the
value should look like, so pydantic validators can use them directly.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pipeline_steps.sdk import PipelineVariable

from pipeline_steps.deployment.reconciler import ROLE_ARN_PATTERN

__all__ = [
    "check_environment",
    "check_instance_type",
    "check_role_arn",
    "check_s3_uri",
]

_INSTANCE_TYPE = re.compile(r"^(?:ml\.[a-z0-9\-]+\.[a-z0-9]+|local|local_gpu)$")
_S3_URI = re.compile(r"^s3://[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9](?:/.*)?$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def check_role_arn(value: str) -> str:
    """An IAM role ARN: ``arn:aws:iam::<12-digit account>:role/<path/name>``."""
    if not ROLE_ARN_PATTERN.fullmatch(value):
        raise ValueError(
            f"{value!r} is not an IAM role ARN; expected "
            "arn:aws:iam::<12-digit account>:role/<name>"
        )
    return value


def check_instance_type(value: Any) -> Any:
    """A SageMaker instance type such as ``ml.m5.xlarge`` (or a pipeline variable)."""
    if isinstance(value, PipelineVariable):
        return value
    if not isinstance(value, str) or not _INSTANCE_TYPE.fullmatch(value):
        raise ValueError(f"{value!r} is not a SageMaker instance type such as 'ml.m5.xlarge'")
    return value


def check_s3_uri(value: Any) -> Any:
    """An ``s3://bucket/prefix`` URI (or a pipeline variable)."""
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
