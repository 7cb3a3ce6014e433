"""``BundledLambda``: the SageMaker SDK's ``Lambda`` helper with its gaps fixed.

``sagemaker.lambda_helper.Lambda`` is what a ``LambdaStep`` deploys. Its ``upsert()``
tries ``CreateFunction`` first and, on the conflict an existing function causes,
uploads the code again; it never updates timeout, memory, runtime, role or
environment, and it zips the script with the file's own timestamp. Because
``LambdaStep.to_request()`` calls ``upsert()`` on every ``pipeline.definition()``
(and ``Pipeline.upsert()`` builds the definition twice for an existing pipeline),
an unchanged function costs two Lambda writes per definition.

``BundledLambda`` keeps the SDK interface (``LambdaStep`` accepts it unchanged) and
reconciles instead:

* the deployment zip holds the handler (a file or a package) alone, byte-for-byte
  deterministic, so the same handler always has the same ``CodeSha256``;
* ``upsert()`` reads the function once (``GetFunction``); it creates the function when
  absent, and otherwise writes only what differs: ``UpdateFunctionCode`` (with
  ``Architectures``) when the code hash or architecture differs,
  ``UpdateFunctionConfiguration`` when runtime, handler, role, timeout, memory,
  environment, description or log format differ, ``TagResource`` for missing tags.
  An unchanged function costs exactly one read and no write;
* it waits for ``State``/``LastUpdateStatus`` to settle around its writes and retries
  ``ResourceConflictException`` and throttling with bounded exponential backoff;
* service errors become :class:`BundledLambdaDeploymentError` whose message says
  what to fix (missing permissions, a role Lambda cannot assume, a failed update).

The validation rules live here as module constants and ``validate_*`` functions so
that the pydantic config can import them rather than repeat them.
"""

from __future__ import annotations

import base64
import hashlib
import io
import logging
import re
import stat
import time
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal, TypeVar, cast

from botocore.exceptions import ClientError
from sagemaker.lambda_helper import Lambda
from sagemaker.session import Session

import lambda_code

if TYPE_CHECKING:
    from mypy_boto3_lambda import LambdaClient

__all__ = [
    "ARCHITECTURES",
    "DEFAULT_ARCHITECTURE",
    "DEFAULT_LOG_FORMAT",
    "DEFAULT_MEMORY_SIZE",
    "DEFAULT_RETRY_POLICY",
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
    "ROLE_ARN_PATTERN",
    "SAGEMAKER_NAME_MARKERS",
    "SUPPORTED_RUNTIMES",
    "ZIP_COMPRESSION_LEVEL",
    "ZIP_DATE_TIME",
    "ZIP_FILE_MODE",
    "BundledLambda",
    "BundledLambdaDeploymentError",
    "BundledLambdaError",
    "BundledLambdaPermissionError",
    "BundledLambdaValidationError",
    "DeploymentPlan",
    "RetryPolicy",
    "build_deployment_zip",
    "code_sha256_of",
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

logger = logging.getLogger(__name__)

_T = TypeVar("_T")

# --------------------------------------------------------------------------- rules

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

DEFAULT_RUNTIME: Final = "python3.12"

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

ROLE_ARN_PATTERN: Final = re.compile(
    r"^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-/]+$"
)
"""The IAM role ARN format the Lambda API accepts for ``Role``."""

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

ZIP_DATE_TIME: Final = (1980, 1, 1, 0, 0, 0)
"""The fixed timestamp of the single zip entry (the earliest a zip can record)."""
ZIP_FILE_MODE: Final = 0o644
ZIP_COMPRESSION_LEVEL: Final = 9

_RETRYABLE_CODES: Final = frozenset({"ResourceConflictException", "TooManyRequestsException"})
_PERMISSION_CODES: Final = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "UnrecognizedClientException",
    }
)
_ROLE_NOT_ASSUMABLE = "cannot be assumed"
_LAMBDA_ACTIONS: Final = (
    "lambda:GetFunction",
    "lambda:GetFunctionConfiguration",
    "lambda:CreateFunction",
    "lambda:UpdateFunctionCode",
    "lambda:UpdateFunctionConfiguration",
    "lambda:TagResource",
    "lambda:ListTags",
)


# -------------------------------------------------------------------------- errors


class BundledLambdaError(Exception):
    """Base class of this module's errors."""


class BundledLambdaValidationError(BundledLambdaError, ValueError):
    """A constructor argument breaks a rule; ``field`` names the argument."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.rule = message

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.field, self.rule))


class BundledLambdaDeploymentError(BundledLambdaError, RuntimeError):
    """Creating or updating the function failed; the message says what to fix.

    ``operation`` is the Lambda API operation and ``error_code`` the service's error
    code (``None`` for failures this module detects itself, such as a timeout); the
    ``botocore`` error, if any, is chained as ``__cause__``.
    """

    def __init__(
        self,
        message: str,
        *,
        function_name: str,
        operation: str | None = None,
        error_code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.function_name = function_name
        self.operation = operation
        self.error_code = error_code

    def __reduce__(self) -> tuple[Any, ...]:
        keywords = {
            "function_name": self.function_name,
            "operation": self.operation,
            "error_code": self.error_code,
        }
        return (_rebuild_deployment_error, (type(self), str(self), keywords))


class BundledLambdaPermissionError(BundledLambdaDeploymentError):
    """The caller may not perform a Lambda (or ``iam:PassRole``) action."""


def _rebuild_deployment_error(
    cls: type[BundledLambdaDeploymentError], message: str, keywords: dict[str, Any]
) -> BundledLambdaDeploymentError:
    return cls(message, **keywords)


# ----------------------------------------------------------------------- validators


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
    """Return ``value`` if it looks like an IAM role ARN, else raise."""
    if not isinstance(value, str) or not ROLE_ARN_PATTERN.fullmatch(value):
        raise BundledLambdaValidationError(
            field_name,
            "must be an IAM role ARN such as 'arn:aws:iam::123456789012:role/my-lambda-role' "
            f"{_describe(value)}",
        )
    return value


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


# ------------------------------------------------------------------------------ zip


def _zip_entries(path: Path) -> list[tuple[str, Path]]:
    """(name in the zip, file) pairs: the file alone, or a package's ``.py`` files."""
    if not path.is_dir():
        return [(path.name, path)]
    files = [
        file
        for file in path.rglob("*.py")
        if file.is_file() and "__pycache__" not in file.relative_to(path).parts
    ]
    return sorted((f"{path.name}/{file.relative_to(path).as_posix()}", file) for file in files)


def build_deployment_zip(script: str | Path) -> bytes:
    """Zip ``script`` alone, deterministically: same content, same bytes.

    ``script`` is a file (one entry named after it) or a package folder (its ``.py``
    files under ``<folder name>/``, sorted; nothing else, no ``__pycache__``). Every
    entry is dated 1980-01-01 00:00:00, recorded as a Unix regular file with mode 0644,
    deflated at level 9, with no comment and no extra fields. (Deflate output is fixed
    for a given zlib; every CPython build of the same zlib gives the same bytes.)
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, file in _zip_entries(Path(script)):
            info = zipfile.ZipInfo(filename=name, date_time=ZIP_DATE_TIME)
            info.create_system = 3  # Unix, so external_attr carries the permission bits
            info.external_attr = (stat.S_IFREG | ZIP_FILE_MODE) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, file.read_bytes(), compresslevel=ZIP_COMPRESSION_LEVEL)
    return buffer.getvalue()


def code_sha256_of(zip_bytes: bytes) -> str:
    """The ``CodeSha256`` Lambda reports for a zip: base64 of its SHA-256 digest."""
    return base64.b64encode(hashlib.sha256(zip_bytes).digest()).decode("ascii")


# ------------------------------------------------------------------------ policies


@dataclass(frozen=True)
class RetryPolicy:
    """Bounds for retrying conflicts/throttling and for waiting on function state.

    A retryable call is attempted at most ``max_attempts`` times, sleeping
    ``min(base_delay * 2**n, max_delay)`` seconds before retry ``n + 1`` (defaults:
    0.5, 1, 2, 4, 8 s: at most 15.5 s of sleep). Waiting for ``State`` /
    ``LastUpdateStatus`` polls every ``poll_interval`` seconds for at most
    ``wait_timeout`` seconds of sleep.
    """

    max_attempts: int = 6
    base_delay: float = 0.5
    max_delay: float = 8.0
    poll_interval: float = 1.0
    wait_timeout: float = 300.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise BundledLambdaValidationError("retry_policy", "max_attempts must be at least 1")
        if min(self.base_delay, self.max_delay, self.poll_interval, self.wait_timeout) < 0:
            raise BundledLambdaValidationError("retry_policy", "delays must not be negative")

    def delay(self, retry: int) -> float:
        """Seconds to sleep before retry number ``retry`` (0-based)."""
        return float(min(self.base_delay * 2**retry, self.max_delay))


DEFAULT_RETRY_POLICY: Final = RetryPolicy()


@dataclass(frozen=True)
class DeploymentPlan:
    """What ``upsert()`` would do, computed from one read of the deployed function.

    ``action`` is ``"create"`` when the function is absent, ``"update"`` when some
    write is needed and ``"none"`` when the deployed function already matches.
    """

    action: Literal["create", "update", "none"]
    update_code: bool = False
    code_reasons: tuple[str, ...] = ()
    configuration_changes: Mapping[str, Any] = field(default_factory=dict)
    tag_changes: Mapping[str, str] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        """Whether any write (create or update) is needed."""
        return self.action != "none"


# --------------------------------------------------------------------- the helper


class BundledLambda(Lambda):
    """A ``sagemaker.lambda_helper.Lambda`` that deploys one handler file idempotently.

    Use it wherever the SDK expects a ``Lambda``, typically
    ``LambdaStep(name=..., lambda_func=BundledLambda(...))``. Each
    ``pipeline.definition()`` then costs one ``GetFunction`` when nothing changed.

    ``function_arn`` stays ``None`` so that ``LambdaStep`` keeps calling
    :meth:`upsert` (which reconciles); :meth:`update` reconciles too, so a caller that
    sets ``function_arn`` gets the same behaviour except that a missing function is
    an error rather than created.

    Args:
        function_name: the Lambda function name (1 to 64 letters, digits, ``-``,
            ``_``). With the managed policy AmazonSageMakerPipelinesIntegrations it
            must contain ``sagemaker``.
        execution_role_arn: the role the function runs as.
        script: the handler's ``.py`` file or package folder; it is deployed alone.
        handler: ``<script stem>.<function>``.
        runtime, architecture, timeout, memory_size, environment, tags, description,
        log_format: the function's settings (see the module constants for the rules).
        session: the SageMaker session whose boto session makes the Lambda client
            (a default ``Session`` if omitted, as in the SDK).
        lambda_client: a boto3 Lambda client to use instead (tests inject one);
            otherwise ``session.lambda_client`` or one client made once from the
            session.
        retry_policy: retry and wait bounds.
        sleep: the sleep function used between retries and polls (injectable).
    """

    def __init__(
        self,
        function_name: str,
        execution_role_arn: str,
        *,
        script: str | Path = lambda_code.HYPERPARAMETER_PREP_PACKAGE,
        handler: str = lambda_code.HYPERPARAMETER_PREP_HANDLER,
        runtime: str = DEFAULT_RUNTIME,
        architecture: str = DEFAULT_ARCHITECTURE,
        timeout: int = DEFAULT_TIMEOUT,
        memory_size: int = DEFAULT_MEMORY_SIZE,
        environment: Mapping[str, str] | None = None,
        tags: Mapping[str, str] | None = None,
        description: str | None = None,
        session: Session | None = None,
        log_format: Literal["JSON", "Text"] = DEFAULT_LOG_FORMAT,
        lambda_client: LambdaClient | None = None,
        retry_policy: RetryPolicy = DEFAULT_RETRY_POLICY,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        # Every rule is checked before anything is built (no Session, no client).
        name = validate_function_name(function_name)
        role = validate_role_arn(execution_role_arn)
        script_path = validate_script(script)
        handler_name = validate_handler(handler, script_path)
        runtime_name = validate_runtime(runtime)
        architecture_name = validate_architecture(architecture)
        timeout_seconds = validate_timeout(timeout)
        memory_mb = validate_memory_size(memory_size)
        variables = validate_environment(environment)
        tag_map = validate_tags(tags)
        description_text = validate_description(description)
        log_format_name = validate_log_format(log_format)
        super().__init__(
            function_name=name,
            execution_role_arn=role,
            script=str(script_path),
            handler=handler_name,
            # As the SDK does, but typed: a default Session when none is given.
            session=session if session is not None else Session(),
            timeout=timeout_seconds,
            memory_size=memory_mb,
            runtime=runtime_name,
            # The SDK passes ``environment`` straight to CreateFunction as ``Environment``.
            environment={"Variables": dict(variables)},
        )
        self.architecture: str = architecture_name
        self.environment_variables: dict[str, str] = variables
        self.tags: dict[str, str] = tag_map
        self.description: str | None = description_text
        self.log_format: str = log_format_name
        self.retry_policy = retry_policy
        self._sleep = sleep
        self._lambda_client: LambdaClient | None = lambda_client
        self._zip_bytes: bytes | None = None
        self._code_sha256: str | None = None

    # -------------------------------------------------------------- code package

    @property
    def script_path(self) -> Path:
        """The handler file that is deployed."""
        return Path(self.script)

    def zip_bytes(self) -> bytes:
        """The deterministic deployment zip (built on first use, then cached)."""
        if self._zip_bytes is None:
            self._zip_bytes = build_deployment_zip(self.script_path)
        return self._zip_bytes

    @property
    def code_sha256(self) -> str:
        """The ``CodeSha256`` Lambda reports once this zip is deployed."""
        if self._code_sha256 is None:
            self._code_sha256 = code_sha256_of(self.zip_bytes())
        return self._code_sha256

    # -------------------------------------------------------------------- client

    @property
    def lambda_client(self) -> LambdaClient:
        """The Lambda client: injected, the session's, or one made once and cached."""
        if self._lambda_client is None:
            client = getattr(self.session, "lambda_client", None)
            if client is None:
                client = self.session.boto_session.client(
                    "lambda", region_name=self.session.boto_region_name
                )
            self._lambda_client = cast("LambdaClient", client)
        return self._lambda_client

    # ------------------------------------------------------------ public actions

    def upsert(self) -> dict[str, Any]:
        """Create the function, or bring the deployed one in line; return its configuration.

        One ``GetFunction``; then ``CreateFunction`` if absent, else only the writes
        :meth:`plan` lists. Returns the function configuration (``FunctionArn`` and
        the rest), like the SDK's ``upsert()``.
        """
        current = self._get_function()
        if current is None:
            return self._create(on_conflict="reconcile")
        return self._reconcile(current)

    def create(self) -> dict[str, Any]:
        """Create the function from the deterministic zip and wait until it is Active.

        Raises :class:`BundledLambdaDeploymentError` if it already exists.
        """
        return self._create(on_conflict="raise")

    def update(self) -> dict[str, Any]:
        """Bring an existing function in line with this object; never creates it.

        The SDK's ``update()`` re-uploads the code unconditionally; this one performs
        the same minimal reconciliation as :meth:`upsert` (one read, writes only
        what differs). ``LambdaStep`` calls it when ``function_arn`` is set.
        """
        current = self._get_function()
        if current is None:
            raise BundledLambdaDeploymentError(
                f"Lambda function {self._identifier!r} does not exist, so it cannot be "
                "updated; call upsert() (or create()) to create it.",
                function_name=self.function_name,
                operation="GetFunction",
                error_code="ResourceNotFoundException",
            )
        return self._reconcile(current)

    def plan(self) -> DeploymentPlan:
        """What :meth:`upsert` would change, from one ``GetFunction``; writes nothing."""
        current = self._get_function()
        if current is None:
            return DeploymentPlan(action="create")
        return self._plan(current["Configuration"], current)

    def delete(self) -> dict[str, Any]:
        """Delete the function (through the cached client)."""
        client = self.lambda_client
        response = self._call(
            "DeleteFunction", lambda: client.delete_function(FunctionName=self._identifier)
        )
        return dict(response)

    def invoke(self) -> dict[str, Any]:
        """Invoke the function synchronously with an empty event, as the SDK does."""
        client = self.lambda_client
        response = self._call(
            "Invoke",
            lambda: client.invoke(FunctionName=self._identifier, InvocationType="RequestResponse"),
        )
        return dict(response)

    # ------------------------------------------------------------- desired state

    @property
    def _identifier(self) -> str:
        return self.function_name or self.function_arn

    def _logging_config(self) -> dict[str, Any]:
        return {"LogFormat": self.log_format}

    def _create_request(self) -> dict[str, Any]:
        request: dict[str, Any] = {
            "FunctionName": self.function_name,
            "Runtime": self.runtime,
            "Role": self.execution_role_arn,
            "Handler": self.handler,
            "Code": {"ZipFile": self.zip_bytes()},
            "Timeout": self.timeout,
            "MemorySize": self.memory_size,
            "Environment": {"Variables": dict(self.environment_variables)},
            "Architectures": [self.architecture],
            "LoggingConfig": self._logging_config(),
            "PackageType": "Zip",
            "Publish": False,
        }
        if self.description is not None:
            request["Description"] = self.description
        if self.tags:
            request["Tags"] = dict(self.tags)
        return request

    def _plan(
        self, config: Mapping[str, Any], function: Mapping[str, Any] | None = None
    ) -> DeploymentPlan:
        """Compare a deployed configuration (and tags, if known) with this object."""
        code_reasons: list[str] = []
        if config.get("CodeSha256") != self.code_sha256:
            code_reasons.append("CodeSha256")
        if list(config.get("Architectures") or ["x86_64"]) != [self.architecture]:
            code_reasons.append("Architectures")

        changes: dict[str, Any] = {}
        if config.get("Runtime") != self.runtime:
            changes["Runtime"] = self.runtime
        if config.get("Handler") != self.handler:
            changes["Handler"] = self.handler
        if config.get("Role") != self.execution_role_arn:
            changes["Role"] = self.execution_role_arn
        if config.get("Timeout") != self.timeout:
            changes["Timeout"] = self.timeout
        if config.get("MemorySize") != self.memory_size:
            changes["MemorySize"] = self.memory_size
        deployed_variables = (config.get("Environment") or {}).get("Variables") or {}
        if dict(deployed_variables) != self.environment_variables:
            changes["Environment"] = {"Variables": dict(self.environment_variables)}
        if self.description is not None and config.get("Description", "") != self.description:
            changes["Description"] = self.description
        # Compared only when the service reports it (Lambda does; moto does not).
        deployed_format = (config.get("LoggingConfig") or {}).get("LogFormat")
        if deployed_format is not None and deployed_format != self.log_format:
            changes["LoggingConfig"] = self._logging_config()

        tag_changes: dict[str, str] = {}
        # GetFunction returns Tags only to callers allowed lambda:ListTags; without
        # them, tags cannot be compared and are left as they are.
        if function is not None and "Tags" in function and "TagsError" not in function:
            deployed_tags = function["Tags"] or {}
            tag_changes = {k: v for k, v in self.tags.items() if deployed_tags.get(k) != v}

        action: Literal["update", "none"] = (
            "update" if code_reasons or changes or tag_changes else "none"
        )
        return DeploymentPlan(
            action=action,
            update_code=bool(code_reasons),
            code_reasons=tuple(code_reasons),
            configuration_changes=changes,
            tag_changes=tag_changes,
        )

    # ---------------------------------------------------------------- mechanics

    def _get_function(self) -> dict[str, Any] | None:
        client = self.lambda_client
        try:
            response = self._call(
                "GetFunction", lambda: client.get_function(FunctionName=self._identifier)
            )
        except BundledLambdaDeploymentError as error:
            if error.error_code == "ResourceNotFoundException":
                return None
            raise
        return dict(response)

    def _create(self, *, on_conflict: Literal["raise", "reconcile"]) -> dict[str, Any]:
        client = self.lambda_client
        request = self._create_request()
        try:
            response = self._call(
                "CreateFunction",
                lambda: client.create_function(**request),
                retry_conflicts=False,
            )
        except BundledLambdaDeploymentError as error:
            if error.error_code != "ResourceConflictException":
                raise
            if on_conflict == "raise":
                raise BundledLambdaDeploymentError(
                    f"Lambda function {self.function_name!r} already exists; use upsert() or "
                    "update() to bring it in line.",
                    function_name=self.function_name,
                    operation="CreateFunction",
                    error_code=error.error_code,
                ) from error.__cause__
            # Created by someone else between our GetFunction and CreateFunction.
            logger.info("Lambda function %s appeared concurrently; reconciling", self._identifier)
            current = self._get_function()
            if current is None:
                raise
            return self._reconcile(current)
        logger.info("Created Lambda function %s", self.function_name)
        return self._wait_until_settled(_strip_metadata(response), after="CreateFunction")

    def _reconcile(self, function: Mapping[str, Any]) -> dict[str, Any]:
        config: dict[str, Any] = dict(function["Configuration"])
        package_type = config.get("PackageType", "Zip")
        if package_type != "Zip":
            raise BundledLambdaDeploymentError(
                f"Lambda function {self._identifier!r} is a {package_type} package; "
                "BundledLambda deploys zip packages only. Delete it or choose another "
                "function_name.",
                function_name=self.function_name,
            )
        plan = self._plan(config, function)
        if not plan.changed:
            logger.debug("Lambda function %s is up to date", self._identifier)
            return config

        if _is_busy(config):
            # Someone else's update is running: let it settle, then re-plan against
            # what it left behind (tags are unaffected by code/config updates).
            config = self._wait_until_settled(config, after=None)
            plan = self._plan(config, function)

        client = self.lambda_client
        name = self._identifier
        if plan.update_code:
            logger.info(
                "Updating code of Lambda function %s (%s differ)",
                name,
                ", ".join(plan.code_reasons),
            )
            zip_file = self.zip_bytes()
            architectures: list[Literal["arm64", "x86_64"]] = [
                cast(Literal["arm64", "x86_64"], self.architecture)
            ]
            response = self._call(
                "UpdateFunctionCode",
                lambda: client.update_function_code(
                    FunctionName=name, ZipFile=zip_file, Architectures=architectures
                ),
            )
            config = self._wait_until_settled(_strip_metadata(response), after="UpdateFunctionCode")
        if plan.configuration_changes:
            changes = dict(plan.configuration_changes)
            logger.info(
                "Updating configuration of Lambda function %s (%s)", name, ", ".join(changes)
            )
            response = self._call(
                "UpdateFunctionConfiguration",
                lambda: client.update_function_configuration(FunctionName=name, **changes),
            )
            config = self._wait_until_settled(
                _strip_metadata(response), after="UpdateFunctionConfiguration"
            )
        if plan.tag_changes:
            tags = dict(plan.tag_changes)
            arn = str(config["FunctionArn"])
            logger.info("Tagging Lambda function %s (%s)", name, ", ".join(tags))
            self._call("TagResource", lambda: client.tag_resource(Resource=arn, Tags=tags))
        return config

    def _wait_until_settled(self, config: dict[str, Any], *, after: str | None) -> dict[str, Any]:
        """Poll until the function is neither Pending nor InProgress.

        ``after`` names our own write just made: a ``Failed`` state is then an error
        carrying the service's reason. Before our writes (``after=None``) a Failed
        status left by an earlier update is only logged, since our update may fix it.
        """
        waited = 0.0
        client = self.lambda_client
        while True:
            if after is not None:
                self._raise_if_failed(config, after)
            if not _is_busy(config):
                if after is None and "Failed" in (
                    config.get("State"),
                    config.get("LastUpdateStatus"),
                ):
                    logger.warning(
                        "Lambda function %s reports a failed earlier update: %s",
                        self._identifier,
                        config.get("LastUpdateStatusReason") or config.get("StateReason"),
                    )
                return config
            if waited >= self.retry_policy.wait_timeout:
                raise BundledLambdaDeploymentError(
                    f"Lambda function {self._identifier!r} was still "
                    f"State={config.get('State')!r}, "
                    f"LastUpdateStatus={config.get('LastUpdateStatus')!r} after "
                    f"{waited:.0f} s of waiting"
                    + (f" following {after}" if after else "")
                    + "; check the function in the Lambda console and retry.",
                    function_name=self.function_name,
                    operation=after,
                )
            self._sleep(self.retry_policy.poll_interval)
            waited += self.retry_policy.poll_interval
            response = self._call(
                "GetFunctionConfiguration",
                lambda: client.get_function_configuration(FunctionName=self._identifier),
            )
            config = _strip_metadata(response)

    def _raise_if_failed(self, config: Mapping[str, Any], operation: str) -> None:
        if config.get("State") == "Failed":
            reason = f"{config.get('StateReasonCode', '?')}: {config.get('StateReason', '')}"
            raise BundledLambdaDeploymentError(
                f"Lambda function {self._identifier!r} entered State Failed after "
                f"{operation} ({reason}).",
                function_name=self.function_name,
                operation=operation,
                error_code=str(config.get("StateReasonCode")),
            )
        if config.get("LastUpdateStatus") == "Failed":
            code = config.get("LastUpdateStatusReasonCode", "?")
            reason = config.get("LastUpdateStatusReason", "")
            raise BundledLambdaDeploymentError(
                f"{operation} of Lambda function {self._identifier!r} failed: "
                f"LastUpdateStatus Failed ({code}: {reason}).",
                function_name=self.function_name,
                operation=operation,
                error_code=str(code),
            )

    def _call(self, operation: str, call: Callable[[], _T], *, retry_conflicts: bool = True) -> _T:
        """Run one Lambda API call; retry conflicts/throttling; translate errors."""
        policy = self.retry_policy
        attempt = 0
        while True:
            attempt += 1
            try:
                return call()
            except ClientError as error:
                code, message = _error_code_and_message(error)
                retryable = code == "TooManyRequestsException" or (
                    retry_conflicts and code == "ResourceConflictException"
                )
                retryable = retryable or (
                    code == "InvalidParameterValueException" and _ROLE_NOT_ASSUMABLE in message
                )
                if not retryable or attempt >= policy.max_attempts:
                    raise self._translate(operation, error, attempt if retryable else 1) from error
                delay = policy.delay(attempt - 1)
                logger.info(
                    "%s on Lambda function %s: %s; retry %d of %d in %.1f s",
                    operation,
                    self._identifier,
                    code,
                    attempt,
                    policy.max_attempts - 1,
                    delay,
                )
                self._sleep(delay)

    def _translate(
        self, operation: str, error: ClientError, attempts: int
    ) -> BundledLambdaDeploymentError:
        code, message = _error_code_and_message(error)
        name = self._identifier
        kwargs: dict[str, Any] = {
            "function_name": self.function_name,
            "operation": operation,
            "error_code": code,
        }
        if code in _PERMISSION_CODES:
            hint = (
                f"The identity that builds the pipeline definition deploys this function, so "
                f"it needs {', '.join(_LAMBDA_ACTIONS)} on function {name!r}, and "
                f"iam:PassRole on {self.execution_role_arn} (for lambda.amazonaws.com)."
            )
            if not any(marker in name for marker in SAGEMAKER_NAME_MARKERS):
                suggestion = f"sagemaker-{name}"[:64]
                hint += (
                    " The AWS managed policy AmazonSageMakerPipelinesIntegrations only allows "
                    f"functions whose names contain 'sagemaker'; {name!r} does not, so rename "
                    f"it (e.g. {suggestion!r}) or grant these actions explicitly."
                )
            return BundledLambdaPermissionError(
                f"{operation} on Lambda function {name!r} was denied ({code}: {message}). {hint}",
                **kwargs,
            )
        if code == "InvalidParameterValueException" and _ROLE_NOT_ASSUMABLE in message:
            return BundledLambdaDeploymentError(
                f"{operation} on Lambda function {name!r} failed: execution_role_arn "
                f"{self.execution_role_arn} cannot be assumed by Lambda ({message}). Check that "
                "the role exists and that its trust policy lets the service principal "
                "lambda.amazonaws.com call sts:AssumeRole; a role created moments ago can take "
                f"a few seconds to propagate (gave up after {attempts} attempt(s)).",
                **kwargs,
            )
        if code in _RETRYABLE_CODES and attempts > 1:
            return BundledLambdaDeploymentError(
                f"{operation} on Lambda function {name!r} still failed with {code} after "
                f"{attempts} attempts ({message}): another update of the function is in "
                "progress or Lambda is throttling; wait for it to finish and retry.",
                **kwargs,
            )
        return BundledLambdaDeploymentError(
            f"{operation} on Lambda function {name!r} failed ({code}: {message}).", **kwargs
        )


def _error_code_and_message(error: ClientError) -> tuple[str, str]:
    details = error.response.get("Error", {})
    return str(details.get("Code", "")), str(details.get("Message", ""))


def _is_busy(config: Mapping[str, Any]) -> bool:
    return config.get("State") == "Pending" or config.get("LastUpdateStatus") == "InProgress"


def _strip_metadata(response: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}
