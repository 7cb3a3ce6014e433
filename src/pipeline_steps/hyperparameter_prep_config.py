"""`HyperparameterPrepConfig`: how the prep step's Lambda is deployed and where it writes."""

from __future__ import annotations

import re
import warnings
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sagemaker.workflow.entities import PipelineVariable

from lambda_code.hyperparameter_prep import (
    DEFAULT_KEY_PREFIX,
    validate_bucket_name,
    validate_key_prefix,
)
from pipeline_steps.aws_identifiers import check_role_arn
from pipeline_steps.bundled_lambda import (
    DEPRECATED_RUNTIMES,
    FUNCTION_NAME_PATTERN,
    SUPPORTED_RUNTIMES,
)

__all__ = ["DEFAULT_FUNCTION_NAME", "HyperparameterPrepConfig"]

DEFAULT_FUNCTION_NAME = "sagemaker-hyperparameter-prep"
"""Contains ``sagemaker``, so ``AmazonSageMakerPipelinesIntegrations`` may create and invoke it."""

_ACCOUNT_ID = re.compile(r"^\d{12}$")
_KMS_KEY = re.compile(
    r"^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    r"|mrk-[0-9a-f]{32}"
    r"|alias/[A-Za-z0-9/_\-]{1,250}"
    r"|arn:aws[a-z\-]*:kms:[a-z0-9\-]+:\d{12}:(?:key/[A-Za-z0-9\-]+|alias/[A-Za-z0-9/_\-]+))$"
)
_ENV_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_RESERVED_ENV = frozenset(
    {
        "_HANDLER",
        "_X_AMZN_TRACE_ID",
        "AWS_DEFAULT_REGION",
        "AWS_REGION",
        "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_RUNTIME_API",
        "LAMBDA_TASK_ROOT",
        "LAMBDA_RUNTIME_DIR",
    }
)


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
    runtime: str = Field("python3.12", description="Lambda Python runtime.")
    architecture: Literal["arm64", "x86_64"] = Field(
        "arm64", description="Lambda instruction set architecture."
    )
    timeout: int = Field(60, ge=1, le=600, description="Function timeout in seconds (1..600).")
    memory_size: int = Field(
        256, ge=128, le=10240, description="Function memory in MB (128..10240)."
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
        if not FUNCTION_NAME_PATTERN.fullmatch(value):
            raise ValueError(
                f"{value!r} is not a Lambda function name: 1 to 64 letters, digits, '-' or '_'"
            )
        if "sagemaker" not in value.lower():
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
        if value in DEPRECATED_RUNTIMES:
            raise ValueError(
                f"{value!r} is deprecated by AWS Lambda (no security patches, and creating "
                f"functions with it is being blocked); use one of {', '.join(SUPPORTED_RUNTIMES)}"
            )
        if value not in SUPPORTED_RUNTIMES:
            raise ValueError(
                f"{value!r} is not a supported Python runtime; use one of "
                f"{', '.join(SUPPORTED_RUNTIMES)}"
            )
        return value

    @field_validator("kms_key_id")
    @classmethod
    def _check_kms_key(cls, value: str | None) -> str | None:
        if value is not None and not _KMS_KEY.fullmatch(value):
            raise ValueError(
                f"{value!r} is not a KMS key id, alias (alias/<name>) or key/alias ARN"
            )
        return value

    @field_validator("expected_bucket_owner")
    @classmethod
    def _check_owner(cls, value: str | None) -> str | None:
        if value is not None and not _ACCOUNT_ID.fullmatch(value):
            raise ValueError(f"{value!r} is not a 12-digit AWS account id")
        return value

    @field_validator("environment")
    @classmethod
    def _check_environment(cls, value: dict[str, str]) -> dict[str, str]:
        for name in value:
            if not _ENV_NAME.fullmatch(name):
                raise ValueError(
                    f"environment variable name {name!r} is invalid: a letter, then letters, "
                    "digits or '_'"
                )
            if name in _RESERVED_ENV:
                raise ValueError(
                    f"environment variable {name!r} is reserved by AWS Lambda and cannot be set"
                )
        if sum(len(k) + len(v) for k, v in value.items()) > 4096:
            raise ValueError("environment variables exceed Lambda's 4 KB total size")
        return value

    @field_validator("tags")
    @classmethod
    def _check_tags(cls, value: dict[str, str]) -> dict[str, str]:
        if len(value) > 50:
            raise ValueError(f"{len(value)} tags given; Lambda allows at most 50")
        for key, tag_value in value.items():
            if not 1 <= len(key) <= 128 or key.lower().startswith("aws:"):
                raise ValueError(
                    f"tag key {key!r} is invalid: 1 to 128 characters, not starting with 'aws:'"
                )
            if len(tag_value) > 256:
                raise ValueError(f"tag {key!r} has a value longer than 256 characters")
        return value

    @property
    def role_account_id(self) -> str:
        """The account id in ``lambda_role_arn``."""
        return self.lambda_role_arn.split(":")[4]

    @property
    def role_partition(self) -> str:
        """The partition (``aws``, ``aws-cn``, ...) in ``lambda_role_arn``."""
        return self.lambda_role_arn.split(":")[1]
