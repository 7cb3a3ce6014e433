"""Lambda API errors translated into deployment errors whose message says what to fix."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from pipeline_steps.deployment.errors import (
    BundledLambdaDeploymentError,
    BundledLambdaPermissionError,
)
from pipeline_steps.deployment.rules import SAGEMAKER_NAME_MARKERS

if TYPE_CHECKING:
    from botocore.exceptions import ClientError

__all__ = [
    "RETRYABLE_CODES",
    "ROLE_NOT_ASSUMABLE",
    "error_code_and_message",
    "raise_if_failed",
    "translate_client_error",
]

RETRYABLE_CODES: Final = frozenset({"ResourceConflictException", "TooManyRequestsException"})
_PERMISSION_CODES: Final = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "UnrecognizedClientException",
    }
)
ROLE_NOT_ASSUMABLE: Final = "cannot be assumed"
_LAMBDA_ACTIONS: Final = (
    "lambda:GetFunction",
    "lambda:GetFunctionConfiguration",
    "lambda:CreateFunction",
    "lambda:UpdateFunctionCode",
    "lambda:UpdateFunctionConfiguration",
    "lambda:TagResource",
    "lambda:ListTags",
)


def error_code_and_message(error: ClientError) -> tuple[str, str]:
    """The service error code and message of a botocore ``ClientError``."""
    details = error.response.get("Error", {})
    return str(details.get("Code", "")), str(details.get("Message", ""))


def translate_client_error(
    error: ClientError,
    *,
    operation: str,
    attempts: int,
    function_name: str,
    identifier: str,
    execution_role_arn: str,
) -> BundledLambdaDeploymentError:
    """A Lambda API error as a deployment error whose message says what to fix."""
    code, message = error_code_and_message(error)
    name = identifier
    kwargs: dict[str, Any] = {
        "function_name": function_name,
        "operation": operation,
        "error_code": code,
    }
    if code in _PERMISSION_CODES:
        hint = (
            f"The identity that builds the pipeline definition deploys this function, so "
            f"it needs {', '.join(_LAMBDA_ACTIONS)} on function {name!r}, and "
            f"iam:PassRole on {execution_role_arn} (for lambda.amazonaws.com)."
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
    if code == "InvalidParameterValueException" and ROLE_NOT_ASSUMABLE in message:
        return BundledLambdaDeploymentError(
            f"{operation} on Lambda function {name!r} failed: execution_role_arn "
            f"{execution_role_arn} cannot be assumed by Lambda ({message}). Check that "
            "the role exists and that its trust policy lets the service principal "
            "lambda.amazonaws.com call sts:AssumeRole; a role created moments ago can take "
            f"a few seconds to propagate (gave up after {attempts} attempt(s)).",
            **kwargs,
        )
    if code in RETRYABLE_CODES and attempts > 1:
        return BundledLambdaDeploymentError(
            f"{operation} on Lambda function {name!r} still failed with {code} after "
            f"{attempts} attempts ({message}): another update of the function is in "
            "progress or Lambda is throttling; wait for it to finish and retry.",
            **kwargs,
        )
    return BundledLambdaDeploymentError(
        f"{operation} on Lambda function {name!r} failed ({code}: {message}).", **kwargs
    )


def raise_if_failed(
    config: Mapping[str, Any], operation: str, *, identifier: str, function_name: str
) -> None:
    """Raise if the function's State or LastUpdateStatus says our ``operation`` failed."""
    if config.get("State") == "Failed":
        reason = f"{config.get('StateReasonCode', '?')}: {config.get('StateReason', '')}"
        raise BundledLambdaDeploymentError(
            f"Lambda function {identifier!r} entered State Failed after {operation} ({reason}).",
            function_name=function_name,
            operation=operation,
            error_code=str(config.get("StateReasonCode")),
        )
    if config.get("LastUpdateStatus") == "Failed":
        code = config.get("LastUpdateStatusReasonCode", "?")
        reason = config.get("LastUpdateStatusReason", "")
        raise BundledLambdaDeploymentError(
            f"{operation} of Lambda function {identifier!r} failed: "
            f"LastUpdateStatus Failed ({code}: {reason}).",
            function_name=function_name,
            operation=operation,
            error_code=str(code),
        )
