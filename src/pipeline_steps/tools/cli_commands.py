"""The command line's commands: ``contracts``, ``prepare``, ``definition`` and ``demo``.

Each takes the parsed arguments and the output and error streams, and returns the
exit code, or raises ``UsageError`` (exit 2) or ``AwsFailureError`` (exit 1) with one line.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
from pathlib import Path
from typing import Any, TextIO

from pipeline_steps.frameworks import FRAMEWORKS
from pipeline_steps.tools.aws_checks import (
    configured_region,
    local_s3_failure,
    pipeline_name_problem,
    region_problem,
)
from pipeline_steps.tools.cli_support import (
    EXIT_OK,
    AwsFailureError,
    UsageError,
    check_bucket_option,
    check_output_folder,
    create_bucket,
    logger_level,
    one_line,
    read_json_object,
    require_credentials,
    validate_hyperparameters,
)

__all__ = ["command_contracts", "command_definition", "command_demo", "command_prepare"]


def command_contracts(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """List the contracts (a table within 100 columns) or show one, as text or JSON."""
    from pipeline_script_contracts import CONTRACTS, get_contract
    from pipeline_script_contracts.rendering import render_list_text

    if args.name:
        try:
            contract = get_contract(args.name)
        except KeyError as error:
            raise UsageError(str(error.args[0]) if error.args else str(error)) from None
        out.write(json.dumps(contract.to_dict(), indent=2) + "\n" if args.json else f"{contract}\n")
    elif args.json:
        payload = {name: contract.to_dict() for name, contract in CONTRACTS.items()}
        out.write(json.dumps(payload, indent=2) + "\n")
    else:
        out.write(render_list_text(CONTRACTS.values()) + "\n")
    return EXIT_OK


def command_prepare(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Validate and upload a hyperparameters file as the prep step would, from this machine."""
    from lambda_code import hyperparameter_prep as prep

    hyperparameters = read_json_object(args.file, "hyperparameters")
    overrides = _parse_assignments(args.set or [])
    constraints = None
    if args.framework:
        validate_hyperparameters(args.framework, hyperparameters, args.file)
        # --set values are checked by the handler against the model's field rules, as a
        # pipeline parameter's run-time value is: same constraints, same code.
        from pipeline_steps.core.hyperparameters import constraints_json

        constraints = constraints_json(FRAMEWORKS[args.framework].hyperparameters, overrides)
    event = prep.make_event(
        hyperparameters,
        args.bucket,
        key_prefix=args.key_prefix,
        kms_key_id=args.kms_key_id,
        expected_bucket_owner=args.expected_bucket_owner,
        overrides=overrides,
        constraints=constraints,
    )
    require_credentials(None, "prepare signs its S3 requests with them")
    if args.endpoint_url:
        # The handler's own client honours AWS_ENDPOINT_URL_S3: same retries, same timeouts.
        os.environ["AWS_ENDPOINT_URL_S3"] = args.endpoint_url
    prep.set_s3_client(None)
    try:
        # The handler logs one JSON line per call for CloudWatch; here the outcome is the
        # printed URI or the one-line error below, so that line would only repeat it.
        with logger_level(prep.LOGGER_NAME, logging.CRITICAL):
            result = prep.lambda_handler(event, None)
    except prep.StorageError as error:
        raise AwsFailureError(local_s3_failure(error, args.bucket, args.endpoint_url)) from None
    except prep.HyperparameterPrepError as error:
        raise UsageError(str(error)) from None
    except Exception as error:  # botocore transport/credential errors: still an AWS failure
        raise AwsFailureError(local_s3_failure(error, args.bucket, args.endpoint_url)) from None
    finally:
        prep.set_s3_client(None)  # the next call builds its client from its own environment
    if args.json:
        out.write(json.dumps(result, indent=2) + "\n")
    else:
        out.write(f"{result['hyperparameters_s3_uri']}\n")
    return EXIT_OK


def _parse_assignments(items: list[str]) -> dict[str, str]:
    overrides: dict[str, str] = {}
    for item in items:
        path, sep, value = item.partition("=")
        if not sep or not path:
            raise UsageError(f"--set {item!r} is not of the form path=value (e.g. eta=0.05)")
        overrides[path] = value
    return overrides


def command_definition(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Compile the framework's pipeline; checks run before anything is built or called."""
    region = args.region or configured_region()
    problem = region_problem(region) or pipeline_name_problem(args.pipeline_name)
    if problem:
        raise UsageError(problem)
    check_bucket_option("--bucket", args.bucket)
    values = read_json_object(args.hyperparameters, "hyperparameters")
    if args.output:
        check_output_folder(args.output)
    if args.mock:
        # Before the SDK is imported: importing sagemaker builds a default boto session,
        # which would otherwise resolve the caller's real credentials (or probe EC2 IMDS).
        from pipeline_steps.tools.mock_aws import use_fake_credentials

        use_fake_credentials(region)
    else:
        require_credentials(region, "or add --mock to build on in-process mock AWS")
    hyperparameters = validate_hyperparameters(args.framework, values, args.hyperparameters)
    from pipeline_steps.sdk import sdk_telemetry_off

    with contextlib.ExitStack() as stack:
        stack.enter_context(sdk_telemetry_off())
        if args.mock:
            from moto import mock_aws

            stack.enter_context(mock_aws())
        return _write_definition(args, region, hyperparameters, out, err)


def _write_definition(
    args: argparse.Namespace, region: str, hyperparameters: Any, out: TextIO, err: TextIO
) -> int:
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError
    from pydantic import ValidationError

    from pipeline_steps.core.errors import StepBuilderError
    from pipeline_steps.deployment.errors import BundledLambdaError
    from pipeline_steps.sdk import PipelineSession
    from pipeline_steps.tools.mermaid import pipeline_to_mermaid
    from pipeline_steps.tools.templates import build_training_pipeline

    boto_session = boto3.Session(region_name=region)
    if args.mock:
        create_bucket(boto_session.client("s3"), args.bucket, region)
    session = PipelineSession(boto_session=boto_session, default_bucket=args.bucket)
    try:
        built = build_training_pipeline(
            framework=args.framework,
            hyperparameters=hyperparameters,
            role_arn=args.role_arn,
            bucket=args.bucket,
            sagemaker_session=session,
            pipeline_name=args.pipeline_name,
            lambda_role_arn=args.lambda_role_arn,
        )
    except (ValidationError, StepBuilderError) as error:
        raise UsageError(one_line(error)) from None
    except (BotoCoreError, ClientError) as error:  # the job code bundles are uploaded here
        raise AwsFailureError(_aws_failure("uploading the jobs' code failed", error)) from None
    if args.mock:  # after the build checked the ARN: the mock Lambda needs the role to exist
        from pipeline_steps.tools.mock_aws import create_mock_role

        create_mock_role(boto_session, (args.lambda_role_arn or args.role_arn).rsplit("/", 1)[-1])
    try:
        definition = json.loads(built.pipeline.definition())
    except (BotoCoreError, ClientError, BundledLambdaError) as error:
        raise AwsFailureError(_aws_failure("rendering the definition failed", error)) from None
    text = json.dumps(definition, indent=2, sort_keys=True) + "\n"
    mermaid = pipeline_to_mermaid(definition) + "\n" if args.mermaid else ""
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        out.write(mermaid)
    else:
        out.write(text)
        err.write(mermaid)  # stdout stays one JSON document
    return EXIT_OK


def command_demo(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """The whole pipeline on in-process mock AWS."""
    check_output_folder(args.output)
    workdir = Path(args.workdir) if args.workdir else None
    if workdir is not None and workdir.exists() and not workdir.is_dir():
        raise UsageError(f"--workdir {args.workdir!r} is not a folder")
    from pipeline_steps.tools.mock_aws import use_fake_credentials

    use_fake_credentials()  # before the SDK is imported: it builds a default session
    from pipeline_steps.sdk import sdk_telemetry_off
    from pipeline_steps.tools.demo import run_demo

    with sdk_telemetry_off():
        return run_demo(Path(args.output), out, err=err, workdir=workdir)


def _aws_failure(what: str, error: Exception) -> str:
    """One line: what failed, the AWS error, and what to check when it is the network."""
    from botocore.exceptions import ConnectionError as BotoConnectionError

    from pipeline_steps.deployment.errors import BundledLambdaError

    cause = error.__cause__ if isinstance(error, BundledLambdaError) else error
    hint = ""
    if isinstance(cause, BotoConnectionError):
        hint = "; check this machine's network connection and proxy settings (HTTPS_PROXY)"
    return f"{what}: {one_line(error)}{hint}"
