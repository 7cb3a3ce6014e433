"""The Lambda deployer's exceptions."""

from __future__ import annotations

from typing import Any

__all__ = [
    "BundledLambdaDeploymentError",
    "BundledLambdaError",
    "BundledLambdaPermissionError",
    "BundledLambdaValidationError",
]


class BundledLambdaError(Exception):
    """Any failure of the Lambda deployer."""


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
