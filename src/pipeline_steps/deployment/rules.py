"""The rules a Lambda function's settings must obey, as constants and ``validate_*`` functions.

The pydantic config of the prep step imports these rather than repeating them. Each
validator returns the value (normalised) or raises ``BundledLambdaValidationError``
naming the field and the rule.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Final

from pipeline_steps.core.identifiers import check_role_arn
from pipeline_steps.deployment.errors import BundledLambdaValidationError

__all__ = [
    "ARCHITECTURES",
    "DEFAULT_ARCHITECTURE",
    "DEFAULT_LOG_FORMAT",
    "DEFAULT_MEMORY_SIZE",
    "DEFAULT_RUNTIME",
    "DEFAULT_TIMEOUT",
    "DEPRECATED_RUNTIMES",
    "FUNCTION_NAME_PATTERN",
    "LOG_FORMATS",
    "MAX_MEMORY_SIZE",
    "MAX_TIMEOUT",
    "MIN_MEMORY_SIZE",
    "MIN_TIMEOUT",
    "RESERVED_ENVIRONMENT_VARIABLES",
    "SAGEMAKER_NAME_MARKERS",
    "SUPPORTED_RUNTIMES",
    "validate_architecture",
    "validate_description",
    "validate_environment",
    "validate_function_name",
    "validate_handler",
    "validate_log_format",
    "validate_memory_size",
    "validate_role_arn",
    "validate_runtime",
    "validate_script",
    "validate_tags",
    "validate_timeout",
]

FUNCTION_NAME_PATTERN: Final = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
"""Lambda function names: 1 to 64 letters, digits, ``-`` and ``_``."""

SUPPORTED_RUNTIMES: Final = ("python3.11", "python3.12", "python3.13", "python3.14")
"""Python runtimes AWS Lambda currently supports for new functions and updates."""

DEPRECATED_RUNTIMES: Final = (
    "python2.7",
    "python3.6",
    "python3.7",
    "python3.8",
    "python3.9",
    "python3.10",
)
"""Python runtimes AWS Lambda has deprecated (no patches; create/update is blocked).

python3.10 reached its Lambda deprecation date on 2026-10-31."""

DEFAULT_RUNTIME: Final = "python3.14"
"""python3.14 runs ``json`` indented encoding in C (gh-95382): the canonical form costs
about a fifth of what it does on 3.12, and the bytes are the same on every runtime."""

ARCHITECTURES: Final = ("arm64", "x86_64")
DEFAULT_ARCHITECTURE: Final = "arm64"

MIN_TIMEOUT: Final = 1
MAX_TIMEOUT: Final = 600
"""A SageMaker Pipelines LambdaStep waits at most 600 s (Lambda itself allows 900)."""
DEFAULT_TIMEOUT: Final = 60

MIN_MEMORY_SIZE: Final = 128
MAX_MEMORY_SIZE: Final = 10240
DEFAULT_MEMORY_SIZE: Final = 256

LOG_FORMATS: Final = ("JSON", "Text")
DEFAULT_LOG_FORMAT: Final = "JSON"

HANDLER_PATTERN: Final = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$")
"""``<module>.<function>``; the module is the script's file name without ``.py``."""

ENVIRONMENT_VARIABLE_PATTERN: Final = re.compile(r"^[a-zA-Z][a-zA-Z0-9_]+$")
MAX_ENVIRONMENT_BYTES: Final = 4096
RESERVED_ENVIRONMENT_VARIABLES: Final = frozenset(
    {
        "_HANDLER",
        "_X_AMZN_TRACE_ID",
        "AWS_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_DEFAULT_REGION",
        "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_LAMBDA_RUNTIME_API",
        "AWS_REGION",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "LAMBDA_RUNTIME_DIR",
        "LAMBDA_TASK_ROOT",
    }
)
"""Environment variable names the Lambda runtime sets and refuses in configuration."""

MAX_TAGS: Final = 50
MAX_DESCRIPTION_LENGTH: Final = 256

SAGEMAKER_NAME_MARKERS: Final = ("sagemaker", "sageMaker", "SageMaker")
"""Substrings the managed policy AmazonSageMakerPipelinesIntegrations matches in
function ARNs (``function:*sagemaker*`` and its spellings); ARN matching is
case-sensitive."""


def _describe(value: object) -> str:
    return f"(got {value!r})"


def validate_function_name(value: object, field_name: str = "function_name") -> str:
    """Return ``value`` if it is a valid Lambda function name, else raise."""
    if not isinstance(value, str) or not FUNCTION_NAME_PATTERN.fullmatch(value):
        raise BundledLambdaValidationError(
            field_name,
            "must be 1 to 64 characters of letters, digits, '-' and '_' "
            f"(the Lambda function name rule) {_describe(value)}",
        )
    return value


def validate_role_arn(value: object, field_name: str = "execution_role_arn") -> str:
    """Return ``value`` if it is an IAM role ARN (``core.identifiers``' rule), else raise."""
    try:
        return check_role_arn(value)
    except ValueError as error:
        raise BundledLambdaValidationError(field_name, str(error)) from None


def validate_runtime(value: object, field_name: str = "runtime") -> str:
    """Return ``value`` if it is a supported Python runtime; deprecated ones are refused."""
    supported = ", ".join(SUPPORTED_RUNTIMES)
    if value in DEPRECATED_RUNTIMES:
        raise BundledLambdaValidationError(
            field_name,
            f"{value!r} is deprecated by AWS Lambda (no security patches, and Lambda blocks "
            f"creating or updating functions on it); use one of {supported} "
            f"(the default is {DEFAULT_RUNTIME!r})",
        )
    if value not in SUPPORTED_RUNTIMES:
        raise BundledLambdaValidationError(
            field_name,
            f"must be one of {supported}; the bundled handler is Python {_describe(value)}",
        )
    return value


def validate_architecture(value: object, field_name: str = "architecture") -> str:
    """Return ``value`` if it is ``arm64`` or ``x86_64``, else raise."""
    if value not in ARCHITECTURES:
        raise BundledLambdaValidationError(
            field_name, f"must be one of {', '.join(ARCHITECTURES)} {_describe(value)}"
        )
    return value


def _validate_int_range(value: object, field_name: str, low: int, high: int, rule: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise BundledLambdaValidationError(
            field_name, f"must be an integer from {low} to {high} {rule} {_describe(value)}"
        )
    return value


def validate_timeout(value: object, field_name: str = "timeout") -> int:
    """Return ``value`` if it is an integer number of seconds in 1..600, else raise."""
    return _validate_int_range(
        value,
        field_name,
        MIN_TIMEOUT,
        MAX_TIMEOUT,
        "seconds (a SageMaker Pipelines LambdaStep times out after 600 s, "
        "although Lambda itself allows 900)",
    )


def validate_memory_size(value: object, field_name: str = "memory_size") -> int:
    """Return ``value`` if it is an integer number of MB in 128..10240, else raise."""
    return _validate_int_range(
        value, field_name, MIN_MEMORY_SIZE, MAX_MEMORY_SIZE, "MB (the Lambda memory range)"
    )


def validate_log_format(value: object, field_name: str = "log_format") -> str:
    """Return ``value`` if it is a Lambda log format (``JSON`` or ``Text``), else raise."""
    if value not in LOG_FORMATS:
        raise BundledLambdaValidationError(
            field_name, f"must be one of {', '.join(LOG_FORMATS)} {_describe(value)}"
        )
    return value


def validate_script(value: object, field_name: str = "script") -> Path:
    """Return the script as an absolute ``Path`` if it is an existing ``.py`` file or a
    package folder (an identifier holding ``__init__.py``)."""
    if not isinstance(value, (str, Path)) or not str(value):
        raise BundledLambdaValidationError(
            field_name,
            f"must be the path of the handler's .py file or package folder {_describe(value)}",
        )
    path = Path(value)
    if path.is_dir():
        if not path.name.isidentifier() or not (path / "__init__.py").is_file():
            raise BundledLambdaValidationError(
                field_name,
                "a package folder must be named like a module and hold __init__.py "
                f"{_describe(str(path))}",
            )
        return path.resolve()
    if path.suffix != ".py":
        raise BundledLambdaValidationError(
            field_name, f"must be a Python source file ending in '.py' {_describe(str(path))}"
        )
    if not path.is_file():
        raise BundledLambdaValidationError(
            field_name, f"no such file: the handler script must exist {_describe(str(path))}"
        )
    return path.resolve()


def validate_handler(value: object, script: Path, field_name: str = "handler") -> str:
    """Return ``value`` if it is ``<script stem>.<function>``, else raise.

    The deployment zip holds the script alone, so the handler's module must be the
    script's file name without ``.py`` or Lambda fails at import time.
    """
    if not isinstance(value, str) or not HANDLER_PATTERN.fullmatch(value):
        raise BundledLambdaValidationError(
            field_name,
            f"must be '<module>.<function>', e.g. '{script.stem}.lambda_handler' "
            f"{_describe(value)}",
        )
    module = value.split(".", 1)[0]
    if module != script.stem:
        raise BundledLambdaValidationError(
            field_name,
            f"names module {module!r} but the deployment zip holds only {script.name!r}, "
            f"so Lambda could not import it; use '{script.stem}.<function>' {_describe(value)}",
        )
    return value


def validate_environment(value: object, field_name: str = "environment") -> dict[str, str]:
    """Return the environment variables as a dict if they obey Lambda's rules, else raise."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise BundledLambdaValidationError(
            field_name, f"must be a mapping of variable names to strings {_describe(value)}"
        )
    result: dict[str, str] = {}
    for key, item in value.items():
        if not isinstance(key, str) or not ENVIRONMENT_VARIABLE_PATTERN.fullmatch(key):
            raise BundledLambdaValidationError(
                field_name,
                "variable names must start with a letter and contain only letters, digits "
                f"and '_' (at least 2 characters) {_describe(key)}",
            )
        if key in RESERVED_ENVIRONMENT_VARIABLES:
            raise BundledLambdaValidationError(
                field_name, f"{key!r} is reserved by the Lambda runtime and cannot be set"
            )
        if not isinstance(item, str):
            raise BundledLambdaValidationError(
                field_name, f"the value of {key!r} must be a string {_describe(item)}"
            )
        result[key] = item
    size = sum(len(k.encode()) + len(v.encode()) for k, v in result.items())
    if size > MAX_ENVIRONMENT_BYTES:
        raise BundledLambdaValidationError(
            field_name,
            f"names and values total {size} bytes; Lambda allows at most {MAX_ENVIRONMENT_BYTES}",
        )
    return result


def validate_tags(value: object, field_name: str = "tags") -> dict[str, str]:
    """Return the tags as a dict if they obey Lambda's tag rules, else raise."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise BundledLambdaValidationError(
            field_name, f"must be a mapping of tag keys to strings {_describe(value)}"
        )
    if len(value) > MAX_TAGS:
        raise BundledLambdaValidationError(
            field_name, f"at most {MAX_TAGS} tags are allowed (got {len(value)})"
        )
    result: dict[str, str] = {}
    for key, item in value.items():
        if not isinstance(key, str) or not 1 <= len(key) <= 128 or key.startswith("aws:"):
            raise BundledLambdaValidationError(
                field_name,
                "tag keys must be 1 to 128 characters and must not start with 'aws:' "
                f"{_describe(key)}",
            )
        if not isinstance(item, str) or len(item) > 256:
            raise BundledLambdaValidationError(
                field_name,
                f"the value of tag {key!r} must be a string of at most 256 characters "
                f"{_describe(item)}",
            )
        result[key] = item
    return result


def validate_description(value: object, field_name: str = "description") -> str | None:
    """Return ``value`` if it is ``None`` or a string of at most 256 characters."""
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > MAX_DESCRIPTION_LENGTH:
        raise BundledLambdaValidationError(
            field_name,
            f"must be a string of at most {MAX_DESCRIPTION_LENGTH} characters {_describe(value)}",
        )
    return value
