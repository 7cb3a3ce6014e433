"""`JobConfigBase`: the settings every SageMaker job step shares, checked once.

Training and processing configs both name a role, an instance type and count, a
script with its folder, a volume and an environment; the rules for them live here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from pipeline_steps.core.identifiers import (
    check_environment,
    check_instance_type,
    check_role_arn,
    check_s3_uri,
)
from pipeline_steps.sdk import PipelineVariable

__all__ = ["JobConfigBase"]


class JobConfigBase(BaseModel):
    """Role, instances, script and environment of a SageMaker training or processing job."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True, frozen=True)

    role_arn: str = Field(description="IAM role the job runs as.")
    instance_type: str | PipelineVariable = Field("ml.m5.xlarge", description="Instance type.")
    instance_count: int = Field(1, ge=1, le=100, description="Number of instances.")
    entry_point: str = Field(description="Script, relative to source_dir.")
    source_dir: str | None = Field(
        None, description="Local directory (or s3:// tar.gz) holding the entry point."
    )
    code_location: str | None = Field(
        None,
        description="s3://bucket/prefix the job's code bundle is uploaded under (content-"
        "addressed); the session's default bucket, prefix pipeline-steps/code, when unset.",
    )
    volume_size: int = Field(30, ge=1, le=16384, description="EBS volume size in GB.")
    environment: dict[str, str] = Field(
        default_factory=dict, description="Environment variables of the container."
    )

    @field_validator("role_arn")
    @classmethod
    def _check_role(cls, value: str) -> str:
        return check_role_arn(value)

    @field_validator("instance_type")
    @classmethod
    def _check_instance(cls, value: Any) -> Any:
        return check_instance_type(value)

    @field_validator("code_location")
    @classmethod
    def _check_code_location(cls, value: str | None) -> str | None:
        if value is not None and (not isinstance(value, str) or value.endswith(".tar.gz")):
            raise ValueError(f"{value!r} is not an S3 prefix such as 's3://bucket/code'")
        return check_s3_uri(value)  # type: ignore[no-any-return]

    @property
    def script_name(self) -> str:
        """The entry point as the container runs it: relative to the unpacked bundle."""
        return self.entry_point if self.source_dir is not None else Path(self.entry_point).name

    @field_validator("output_path", check_fields=False)
    @classmethod
    def _check_output(cls, value: Any) -> Any:
        return check_s3_uri(value)

    @field_validator("environment")
    @classmethod
    def _check_env(cls, value: dict[str, str]) -> dict[str, str]:
        check_environment(value)
        return value

    @field_validator("entry_point")
    @classmethod
    def _check_entry_point(cls, value: str) -> str:
        if not value.endswith(".py") or value.startswith("/") or ".." in Path(value).parts:
            raise ValueError(f"{value!r} is not a script path: a relative path to a .py file")
        return value

    @field_validator("source_dir")
    @classmethod
    def _check_source_dir(cls, value: str | None) -> str | None:
        if value is None or value.startswith("s3://"):
            return value
        if not Path(value).is_dir():
            raise ValueError(f"source_dir {value!r} is not a directory (or an s3:// URI)")
        return value

    @model_validator(mode="after")
    def _check_script_exists(self) -> JobConfigBase:
        """Refuse a missing script now rather than when the SDK uploads it at definition()."""
        if self.source_dir is None:
            if not Path(self.entry_point).is_file():
                raise ValueError(
                    f"entry_point {self.entry_point!r} does not exist; set source_dir to the "
                    "folder holding it"
                )
        elif (
            not self.source_dir.startswith("s3://")
            and not (Path(self.source_dir) / self.entry_point).is_file()
        ):
            raise ValueError(
                f"entry_point {self.entry_point!r} is not a file in source_dir {self.source_dir!r}"
            )
        return self
