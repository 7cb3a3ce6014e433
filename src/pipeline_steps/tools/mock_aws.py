"""What the demo and ``definition --mock`` need to run on in-process mock AWS (moto)."""

from __future__ import annotations

import contextlib
import json
import os
from typing import Any

__all__ = [
    "MOCK_ACCOUNT",
    "MOCK_ASSUME_ROLE_POLICY",
    "MOCK_REGION",
    "create_mock_role",
    "use_fake_credentials",
]

MOCK_REGION = "us-east-1"
MOCK_ACCOUNT = "123456789012"

MOCK_ASSUME_ROLE_POLICY: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": ["lambda.amazonaws.com", "sagemaker.amazonaws.com"]},
            "Action": "sts:AssumeRole",
        }
    ],
}
"""Trust policy of the role the mock Lambda and SageMaker run as."""


def use_fake_credentials(region: str = MOCK_REGION) -> None:
    """Point boto3 at fake credentials and no profile, so nothing can reach a real account.

    Call it before the SageMaker SDK is imported: importing it builds a default session.
    """
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        os.environ.pop(name, None)
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": region,
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_EC2_METADATA_DISABLED": "true",
            "MOTO_ACCOUNT_ID": MOCK_ACCOUNT,
            # SDK v3's ModelTrainer checks its role with iam:SimulatePrincipalPolicy, which
            # the mock does not implement; the mock role is ours anyway.
            "SAGEMAKER_VALIDATE_ROLE": "false",
        }
    )


def create_mock_role(boto_session: Any, name: str) -> str:
    """Create (or find) the IAM role ``name`` in the mock and return its ARN."""
    iam = boto_session.client("iam")
    with contextlib.suppress(iam.exceptions.EntityAlreadyExistsException):
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(MOCK_ASSUME_ROLE_POLICY))
    return str(iam.get_role(RoleName=name)["Role"]["Arn"])
