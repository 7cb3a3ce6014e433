"""The least-privilege IAM policy of the prep function's execution role."""

from __future__ import annotations

from typing import Any

from pipeline_steps.core.errors import StepBuilderError
from pipeline_steps.prep.config import HyperparameterPrepConfig
from pipeline_steps.sdk import Join, Parameter, PipelineVariable

__all__ = ["lambda_execution_policy"]


def lambda_execution_policy(config: HyperparameterPrepConfig, region: str) -> dict[str, Any]:
    """The least-privilege IAM policy document for the prep function's execution role.

    ``region`` is the function's region (``*`` when unknown).
    """
    partition = config.role_partition
    account = config.role_account_id
    bucket = _literal(config.bucket, "bucket")
    statements: list[dict[str, Any]] = [
        {
            "Sid": "WriteHyperparameters",
            "Effect": "Allow",
            "Action": ["s3:PutObject"],
            "Resource": f"arn:{partition}:s3:::{bucket}/{_prefix_pattern(config.key_prefix)}",
        },
        {
            "Sid": "ConfirmReusedHyperparameters",
            "Effect": "Allow",
            "Action": ["s3:GetObject"],
            "Resource": f"arn:{partition}:s3:::{bucket}/{_prefix_pattern(config.key_prefix)}",
        },
    ]
    if config.kms_key_id is not None:
        statements.append(_kms_statement(config.kms_key_id, partition, region, account))
    log_group = f"arn:{partition}:logs:{region}:{account}:log-group:/aws/lambda/"
    statements.append(
        {
            "Sid": "WriteOwnLogs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": [
                f"{log_group}{config.function_name}",
                f"{log_group}{config.function_name}:*",
            ],
        }
    )
    return {"Version": "2012-10-17", "Statement": statements}


def _literal(value: str | PipelineVariable, field: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, Parameter) and isinstance(value.default_value, str):
        return value.default_value
    raise StepBuilderError(
        f"{field} is a pipeline variable without a default, so the policy cannot name it; "
        "give the parameter a default or write the policy for the bucket yourself"
    )


def _prefix_pattern(key_prefix: str | PipelineVariable) -> str:
    """The object pattern the function may write: exact prefix, or its literal head."""
    if isinstance(key_prefix, str):
        return f"{key_prefix}/*"
    if isinstance(key_prefix, Join):
        head: list[str] = []
        for value in key_prefix.values:
            if not isinstance(value, str):
                break
            head.append(value)
        literal = key_prefix.on.join(head)
        return f"{literal}{key_prefix.on}*" if head else "*"
    if isinstance(key_prefix, Parameter) and isinstance(key_prefix.default_value, str):
        return "*"
    return "*"


def _kms_statement(kms_key_id: str, partition: str, region: str, account: str) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Sid": "EncryptHyperparameters",
        "Effect": "Allow",
        "Action": ["kms:GenerateDataKey", "kms:Decrypt", "kms:DescribeKey"],
    }
    if kms_key_id.startswith("arn:") and ":key/" in kms_key_id:
        statement["Resource"] = kms_key_id
    elif kms_key_id.startswith("arn:") or kms_key_id.startswith("alias/"):
        alias = kms_key_id.split(":", 5)[-1] if kms_key_id.startswith("arn:") else kms_key_id
        statement["Resource"] = f"arn:{partition}:kms:{region}:{account}:key/*"
        statement["Condition"] = {"ForAnyValue:StringEquals": {"kms:ResourceAliases": alias}}
    else:
        statement["Resource"] = f"arn:{partition}:kms:{region}:{account}:key/{kms_key_id}"
    return statement
