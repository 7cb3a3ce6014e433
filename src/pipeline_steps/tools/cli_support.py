"""What the command line's commands share: exit codes, one-line errors, scoped state."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = [
    "EXIT_AWS_FAILURE",
    "EXIT_BAD_INPUT",
    "EXIT_OK",
    "AwsFailureError",
    "UsageError",
    "check_bucket_option",
    "check_output_folder",
    "create_bucket",
    "environment_restored",
    "logger_level",
    "one_line",
    "read_json_object",
    "require_credentials",
    "validate_hyperparameters",
]

EXIT_OK = 0
EXIT_AWS_FAILURE = 1
EXIT_BAD_INPUT = 2


class UsageError(Exception):
    """Bad input from the command line: exits 2 with a one-line message."""


class AwsFailureError(Exception):
    """AWS (credentials, network, a service) failed: exits 1 with a one-line message."""


def check_bucket_option(option: str, bucket: str) -> None:
    """Refuse (exit 2) a bucket name S3 would refuse, by the handler's rule (one source)."""
    from lambda_code.hyperparameter_prep import HyperparameterPrepError, validate_bucket_name

    try:
        validate_bucket_name(bucket)
    except HyperparameterPrepError as error:
        raise UsageError(f"{option}: {error}") from None


def create_bucket(s3: Any, bucket: str, region: str) -> None:
    """Create ``bucket`` in ``region`` (outside us-east-1 S3 needs it as the location)."""
    if region == "us-east-1":
        s3.create_bucket(Bucket=bucket)
    else:
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})


def require_credentials(region: str | None, instead: str) -> None:
    """Refuse (exit 1) before anything is built when botocore finds no credentials.

    ``instead`` ends the message: what the command does with them, or how to do without.
    """
    from pipeline_steps.tools.aws_checks import NO_CREDENTIALS, credentials_source

    if credentials_source(region) is None:
        raise AwsFailureError(f"{NO_CREDENTIALS}; {instead}")


def read_json_object(path: str, what: str) -> dict[str, Any]:
    """The JSON object in ``path``, parsed by the handler's own rules (one source)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{what} file {path!r} does not exist") from None
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"cannot read {what} file {path!r}: {error}") from None
    from lambda_code.hyperparameter_prep import HyperparameterPrepError, parse_hyperparameters

    try:
        return parse_hyperparameters(text)
    except HyperparameterPrepError as error:
        raise UsageError(f"{path}: {error}") from None


def validate_hyperparameters(framework: str, values: dict[str, Any], path: str) -> Any:
    """``values`` as ``framework``'s hyperparameter model; a refusal is a one-line UsageError."""
    from pydantic import ValidationError

    from pipeline_steps.tools.templates import hyperparameter_model

    try:
        return hyperparameter_model(framework, values)
    except ValidationError as error:
        raise UsageError(f"{path}: {one_line(error)}") from None


def one_line(error: Exception) -> str:
    """The first thing wrong, on one line (a pydantic error names the field)."""
    from pydantic import ValidationError

    if isinstance(error, ValidationError):
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "hyperparameters"
        return f"{where}: {first['msg']}"
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def check_output_folder(path: str) -> None:
    """Refuse an output file whose folder does not exist, before anything is built."""
    folder = Path(path).resolve().parent
    if not folder.is_dir():
        raise UsageError(f"cannot write {path!r}: folder {str(folder)!r} does not exist")


@contextlib.contextmanager
def environment_restored() -> Iterator[None]:
    """Put ``os.environ`` back as it was: ``--mock`` and ``--endpoint-url`` set variables."""
    saved = dict(os.environ)
    try:
        yield
    finally:
        for name in [name for name in os.environ if name not in saved]:
            del os.environ[name]
        for name, value in saved.items():
            if os.environ.get(name) != value:
                os.environ[name] = value


@contextlib.contextmanager
def logger_level(name: str, level: int) -> Iterator[None]:
    """Set logger ``name``'s level for the block only."""
    logger = logging.getLogger(name)
    saved = logger.level
    logger.setLevel(level)
    try:
        yield
    finally:
        logger.setLevel(saved)
