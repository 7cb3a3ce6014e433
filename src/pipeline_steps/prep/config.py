"""`HyperparameterPrepConfig`: how the prep step's Lambda is deployed and where it writes."""

from __future__ import annotations

import warnings
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from lambda_code.hyperparameter_prep import (
    DEFAULT_KEY_PREFIX,
    validate_bucket_name,
    validate_key_prefix,
)
from pipeline_steps.core.identifiers import check_account_id, check_kms_key_id, check_role_arn
from pipeline_steps.deployment.rules import (
    DEFAULT_ARCHITECTURE,
    DEFAULT_MEMORY_SIZE,
    DEFAULT_RUNTIME,
    DEFAULT_TIMEOUT,
    MAX_MEMORY_SIZE,
    MAX_TIMEOUT,
    MIN_MEMORY_SIZE,
    MIN_TIMEOUT,
    SAGEMAKER_NAME_MARKERS,
    validate_environment,
    validate_function_name,
    validate_runtime,
    validate_tags,
)
from pipeline_steps.sdk import PipelineVariable

__all__ = ["DEFAULT_FUNCTION_NAME", "HyperparameterPrepConfig"]

DEFAULT_FUNCTION_NAME = "sagemaker-hyperparameter-prep"
"""Contains ``sagemaker``, so ``AmazonSageMakerPipelinesIntegrations`` may create and invoke it."""


class HyperparameterPrepConfig(BaseModel):
    """Deployment and storage settings of the hyperparameter-prep Lambda step."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True, frozen=True)

    bucket: str | PipelineVariable = Field(
        description="S3 bucket the hyperparameters are written to; may be a pipeline parameter."
    )
    key_prefix: str | PipelineVariable = Field(
        DEFAULT_KEY_PREFIX,
        description="Key prefix under the bucket; may be a pipeline variable (e.g. a Join).",
    )
    lambda_role_arn: str = Field(
        description="IAM role the Lambda function runs as (see lambda_execution_policy())."
    )
    function_name: str = Field(
        DEFAULT_FUNCTION_NAME,
        description="Lambda function name: letters, digits, '-' and '_', at most 64 characters.",
    )
    runtime: str = Field(DEFAULT_RUNTIME, description="Lambda Python runtime.")
    architecture: Literal["arm64", "x86_64"] = Field(
        DEFAULT_ARCHITECTURE, description="Lambda instruction set architecture."
    )
    timeout: int = Field(
        DEFAULT_TIMEOUT,
        ge=MIN_TIMEOUT,
        le=MAX_TIMEOUT,
        description="Function timeout in seconds (1..600).",
    )
    memory_size: int = Field(
        DEFAULT_MEMORY_SIZE,
        ge=MIN_MEMORY_SIZE,
        le=MAX_MEMORY_SIZE,
        description="Function memory in MB (128..10240).",
    )
    kms_key_id: str | None = Field(
        None, description="KMS key (id, alias or ARN) for SSE-KMS; without it SSE-S3 (AES256)."
    )
    expected_bucket_owner: str | None = Field(
        None, description="12-digit account id that must own the bucket."
    )
    environment: dict[str, str] = Field(
        default_factory=dict, description="Extra environment variables of the function."
    )
    tags: dict[str, str] = Field(default_factory=dict, description="Tags of the function.")

    @field_validator("bucket")
    @classmethod
    def _check_bucket(cls, value: Any) -> Any:
        if isinstance(value, str):
            validate_bucket_name(value)  # HyperparameterPrepError is a ValueError
        return value

    @field_validator("key_prefix")
    @classmethod
    def _check_key_prefix(cls, value: Any) -> Any:
        if isinstance(value, str):
            validate_key_prefix(value)
        return value

    @field_validator("lambda_role_arn")
    @classmethod
    def _check_role(cls, value: str) -> str:
        return check_role_arn(value)

    @field_validator("function_name")
    @classmethod
    def _check_function_name(cls, value: str) -> str:
        validate_function_name(value)
        if not any(marker in value for marker in SAGEMAKER_NAME_MARKERS):
            warnings.warn(
                f"function_name {value!r} does not contain 'sagemaker': the managed policy "
                "AmazonSageMakerPipelinesIntegrations only lets pipelines create and invoke "
                "functions whose names contain 'sagemaker', so the pipeline role needs its own "
                "lambda:CreateFunction/InvokeFunction permission for this name",
                UserWarning,
                stacklevel=2,
            )
        return value

    @field_validator("runtime")
    @classmethod
    def _check_runtime(cls, value: str) -> str:
        return validate_runtime(value)

    @field_validator("kms_key_id")
    @classmethod
    def _check_kms_key(cls, value: str | None) -> str | None:
        return None if value is None else check_kms_key_id(value)

    @field_validator("expected_bucket_owner")
    @classmethod
    def _check_owner(cls, value: str | None) -> str | None:
        return None if value is None else check_account_id(value)

    @field_validator("environment")
    @classmethod
    def _check_environment(cls, value: dict[str, str]) -> dict[str, str]:
        return validate_environment(value)

    @field_validator("tags")
    @classmethod
    def _check_tags(cls, value: dict[str, str]) -> dict[str, str]:
        return validate_tags(value)

    @property
    def role_account_id(self) -> str:
        """The account id in ``lambda_role_arn``."""
        return self.lambda_role_arn.split(":")[4]

    @property
    def role_partition(self) -> str:
        """The partition (``aws``, ``aws-cn``, ...) in ``lambda_role_arn``."""
        return self.lambda_role_arn.split(":")[1]
