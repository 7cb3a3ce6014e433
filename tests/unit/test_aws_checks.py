"""The CLI's AWS rules come from botocore's data, and S3 failures are worded for this machine."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError

from lambda_code.hyperparameter_prep import StorageError
from pipeline_steps.tools import aws_checks
from pipeline_steps.tools.aws_checks import (
    NO_CREDENTIALS,
    local_s3_failure,
    pipeline_name_problem,
    profile_problem,
    region_problem,
    sagemaker_regions,
)


@pytest.mark.parametrize(
    ("name", "accepted"),
    [
        ("a", True),
        ("HyperparameterPrepPipeline", True),
        ("my--pipeline-2", True),
        ("a" * 256, True),
        ("a" * 257, False),
        ("", False),
        ("bad name!", False),
        ("-leading", False),
        ("trailing-", False),
        ("under_score", False),
    ],
)
def test_pipeline_names_follow_the_sagemaker_service_model(name: str, accepted: bool) -> None:
    """GIVEN botocore's PipelineName shape (1-256, [a-zA-Z0-9](-*[a-zA-Z0-9]){0,255})
    WHEN a name is checked
    THEN it is accepted exactly when SageMaker would accept it, and a refusal quotes the rule."""
    problem = pipeline_name_problem(name)
    assert (problem is None) == accepted
    if problem:
        assert "[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}" in problem


def test_regions_are_botocores_sagemaker_regions_in_every_partition() -> None:
    """GIVEN botocore's endpoint data
    WHEN regions are checked
    THEN commercial, China and GovCloud SageMaker regions pass and made-up ones do not."""
    for region in ("us-east-1", "eu-west-1", "cn-north-1", "us-gov-west-1"):
        assert region in sagemaker_regions()
        assert region_problem(region) is None
    for region in ("mars-1", "us-east-99", "US-EAST-1", ""):
        problem = region_problem(region)
        assert problem is not None
        assert "botocore" in problem


def storage_error(cause: Exception) -> StorageError:
    try:
        raise StorageError("PutObject s3://b/k failed: the execution role ... VPC") from cause
    except StorageError as error:
        return error


def client_error(code: str, message: str = "") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, "PutObject")


def test_the_rules_are_what_a_botocore_session_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    """GIVEN AWS_PROFILE naming a profile no config file holds (a botocore session
    would refuse to read anything)
    WHEN the region list and the pipeline-name rule are read
    THEN they are exactly what a session with a valid configuration reads, and an unknown
    profile is worded with the fix."""
    import botocore.session
    from botocore.exceptions import ProfileNotFound

    session = botocore.session.Session()
    expected = {
        region
        for partition in session.get_available_partitions()
        for region in session.get_available_regions("sagemaker", partition_name=partition)
    }
    shape = session.get_service_model("sagemaker").shape_for("PipelineName").metadata
    for cached in (aws_checks._loader, aws_checks._sagemaker_model, aws_checks._pipeline_name_rule):
        cached.cache_clear()  # read afresh, under the unknown profile
    sagemaker_regions.cache_clear()
    monkeypatch.setenv("AWS_PROFILE", "pipeline-steps-no-such-profile")

    assert sagemaker_regions() == expected
    assert pipeline_name_problem("a" * (shape["max"] + 1)) is not None
    assert shape["pattern"] in str(pipeline_name_problem("-x"))
    problem = profile_problem(ProfileNotFound(profile="pipeline-steps-no-such-profile"))
    assert problem is not None
    assert "AWS_PROFILE" in problem
    assert profile_problem(ValueError("x")) is None


@pytest.mark.parametrize(
    ("cause", "fragment"),
    [
        (NoCredentialsError(), NO_CREDENTIALS),
        (EndpointConnectionError(endpoint_url="http://x"), "could not reach S3 at http://e"),
        (client_error("AccessDenied"), "credentials on this machine need s3:PutObject"),
        (client_error("ExpiredToken"), "refused this machine's AWS credentials"),
        (client_error("KMS.NotFoundException"), "could not use the KMS key"),
    ],
    ids=["no-credentials", "unreachable", "access-denied", "expired", "kms"],
)
def test_s3_failures_are_worded_for_this_machine(cause: Exception, fragment: str) -> None:
    """GIVEN the handler's StorageError (worded for Lambda: execution role, VPC) caused by a
    botocore error
    WHEN prepare words it for the shell
    THEN it speaks of this machine's credentials, network or endpoint, never the role/VPC."""
    text = local_s3_failure(storage_error(cause), "b", "http://e")
    assert fragment in text
    assert "execution role" not in text
    assert "VPC" not in text


def test_failures_that_are_the_same_everywhere_keep_the_handlers_words() -> None:
    """GIVEN a missing bucket WHEN worded THEN the handler's own message is kept."""
    error = storage_error(client_error("NoSuchBucket"))
    assert local_s3_failure(error, "b", None) == str(error)
