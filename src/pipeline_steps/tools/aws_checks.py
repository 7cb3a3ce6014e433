"""The command line's checks against AWS's own rules, and its words for an S3 failure.

Every rule is read from botocore's data, never retyped:

* pipeline names: the ``PipelineName`` shape of the SageMaker service model
  (``botocore/data/sagemaker/<version>/service-2.json``: 1 to 256 characters,
  pattern ``[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}``);
* regions: the regions botocore's endpoint data (``botocore/data/endpoints.json``) lists
  for SageMaker's endpoint prefix in every partition, as
  ``botocore.session.Session.get_available_regions`` reads them (without a session, which
  would need the user's profile to exist);
* credentials: botocore's own provider chain (environment, profiles, SSO, container
  and instance metadata), resolved before anything is built.
"""

from __future__ import annotations

import functools
import re
from typing import Any

__all__ = [
    "NO_CREDENTIALS",
    "configured_region",
    "credentials_source",
    "local_s3_failure",
    "pipeline_name_problem",
    "profile_problem",
    "region_problem",
    "sagemaker_regions",
]

NO_CREDENTIALS = (
    "no AWS credentials found (botocore looked in the environment, the shared config and "
    "credentials files, SSO and instance metadata); run 'aws configure' or 'aws sso login', "
    "or export AWS_PROFILE or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
)
"""What to say when botocore's credential chain finds nothing."""


@functools.lru_cache(maxsize=1)
def _loader() -> Any:
    # botocore's data files through a loader of their own: a Session would read the
    # user's profile first, and fail these static checks when AWS_PROFILE is unknown.
    import botocore.loaders

    return botocore.loaders.create_loader()


@functools.lru_cache(maxsize=1)
def _sagemaker_model() -> Any:
    import botocore.model

    return botocore.model.ServiceModel(_loader().load_service_model("sagemaker", "service-2"))


@functools.lru_cache(maxsize=1)
def _pipeline_name_rule() -> tuple[re.Pattern[str], int, int]:
    metadata = _sagemaker_model().shape_for("PipelineName").metadata
    return re.compile(metadata["pattern"]), int(metadata["min"]), int(metadata["max"])


@functools.lru_cache(maxsize=1)
def sagemaker_regions() -> frozenset[str]:
    """Every region botocore's endpoint data lists for SageMaker, in every partition."""
    import botocore.regions

    resolver = botocore.regions.EndpointResolver(_loader().load_data("endpoints"))
    prefix = _sagemaker_model().endpoint_prefix
    return frozenset(
        region
        for partition in resolver.get_available_partitions()
        for region in resolver.get_available_endpoints(prefix, partition_name=partition)
    )


def pipeline_name_problem(name: str) -> str | None:
    """Why SageMaker would refuse ``name`` as a pipeline name, or None."""
    pattern, shortest, longest = _pipeline_name_rule()
    if not shortest <= len(name) <= longest or not pattern.fullmatch(name):
        return (
            f"--pipeline-name {name!r} is not a SageMaker pipeline name: {shortest} to "
            f"{longest} letters, digits and hyphens, starting and ending with a letter or "
            f"digit (pattern {pattern.pattern})"
        )
    return None


def region_problem(region: str) -> str | None:
    """Why ``region`` is not a SageMaker region botocore knows, or None."""
    if region in sagemaker_regions():
        return None
    import botocore

    return (
        f"--region {region!r} is not a region where SageMaker is available (per botocore "
        f"{botocore.__version__}'s endpoint data), e.g. us-east-1 or eu-west-1; if the region "
        "is new, upgrade botocore"
    )


def configured_region() -> str:
    """The region boto3 resolves on this machine (environment, profile), else us-east-1.

    A named profile that does not exist raises ``botocore.exceptions.ProfileNotFound``.
    """
    import boto3

    return boto3.Session().region_name or "us-east-1"


def profile_problem(error: BaseException) -> str | None:
    """What to say when ``error`` is botocore's refusal of a named profile, else None.

    ``AWS_PROFILE`` naming a profile no config file holds fails every boto3 session, and
    with it importing the SageMaker SDK, which builds one: one rule, one message.
    """
    from botocore.exceptions import ProfileNotFound

    if not isinstance(error, ProfileNotFound):
        return None
    return (
        f"{error}: AWS_PROFILE (or AWS_DEFAULT_PROFILE) names a profile that is not in the "
        "AWS config or credentials files; set it to one 'aws configure list-profiles' shows, "
        "or unset it"
    )


def credentials_source(region: str | None = None) -> str | None:
    """Where botocore finds credentials (e.g. ``env``, ``sso``), or None when there are none.

    A named profile that does not exist raises ``botocore.exceptions.ProfileNotFound``.
    """
    import boto3

    credentials = boto3.Session(region_name=region).get_credentials()
    if credentials is None:
        return None
    return str(getattr(credentials, "method", "") or "unknown")


def local_s3_failure(error: BaseException, bucket: str, endpoint: str | None) -> str:
    """An S3 failure of ``prepare`` in terms of this machine: credentials, endpoint, network.

    The handler words its errors for Lambda (the execution role, the VPC); run from a
    shell, the same failure is about the caller's credentials and connection. Failures
    that are the same everywhere (no such bucket, wrong region) keep the handler's words.
    """
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

    cause = error.__cause__ or error
    where = f"S3 at {endpoint}" if endpoint else "S3"
    if isinstance(cause, NoCredentialsError):
        return NO_CREDENTIALS
    if isinstance(cause, BotoCoreError):
        return (
            f"could not reach {where} from this machine ({type(cause).__name__}: {cause}); "
            "check the network connection, proxy settings (HTTPS_PROXY) and --endpoint-url"
        )
    if not isinstance(cause, ClientError):
        return str(error)
    code = str(cause.response.get("Error", {}).get("Code", ""))
    message = str(cause.response.get("Error", {}).get("Message", "")).lower()
    if code in ("InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "TokenRefresh"):
        return (
            f"{where} refused this machine's AWS credentials ({code}); refresh them "
            "('aws sso login', 'aws configure') or pick another AWS_PROFILE"
        )
    if code.upper().startswith("KMS") or "kms" in message:
        return (
            f"{where} could not use the KMS key for bucket {bucket} ({code}); the credentials "
            "on this machine need kms:GenerateDataKey on it, and the key must be in the "
            "bucket's region"
        )
    if code in ("AccessDenied", "403", "Forbidden", "AllAccessDisabled"):
        return (
            f"{where} denied {cause.operation_name} in bucket {bucket} ({code}); the "
            "credentials on this machine need s3:PutObject and s3:GetObject there "
            "(check them with 'aws sts get-caller-identity')"
        )
    return str(error)
