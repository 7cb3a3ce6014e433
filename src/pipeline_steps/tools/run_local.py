"""``pipeline-steps run --local``: a user's pipeline module, run on this machine.

The module is loaded by ``pipeline_module``'s convention, with a ``PipelineSession``, a
role, a bucket, the region and the scripts folder injected by parameter name, on in-process
mock AWS (``--mock``, the default) or against ``--endpoint-url`` (every AWS call goes there:
a moto server, LocalStack). Then ``run_pipeline_locally`` runs it with the ``--parameter``
overrides, one progress line per step, and the per-step results are printed.

Exit codes: 0 every step succeeded; 1 a step failed (one line: the step, its exit code,
the last line its script wrote to stderr) or AWS failed; 2 bad input (the module, an
argument, an unknown or mistyped parameter, a step type or expression the local runner
does not run). Nothing prints a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from pipeline_steps.tools.aws_checks import configured_region
from pipeline_steps.tools.cli_support import (
    EXIT_OK,
    AwsFailureError,
    UsageError,
    check_bucket_option,
    create_bucket,
    one_line,
    require_credentials,
)

__all__ = ["LOCAL_BUCKET", "LOCAL_ROLE", "RUN_CONVENTION", "add_run_parser", "command_run"]

EXIT_STEP_FAILED = 1
LOCAL_BUCKET = "sagemaker-pipeline-steps-local"
LOCAL_ROLE = "sagemaker-pipeline-steps-local"
_NO_INPUT_DATA = "no S3 objects found under"
"""How the runner says a job's input prefix is empty (runtime/jobs.py)."""

RUN_CONVENTION = (
    "MODULE is a file (path/to/pipeline.py) or an importable module name (imported with the "
    "current folder on sys.path). It provides the pipeline as --call NAME, or else as exactly "
    "one of: get_pipeline(), build_pipeline(), create_pipeline() (functions returning a "
    "Pipeline) or a module-level `pipeline`. The function gets keyword arguments for the "
    "parameters it declares, by name: session / sagemaker_session / pipeline_session (a "
    "PipelineSession on the mock or endpoint), boto_session, role / role_arn / "
    "lambda_role_arn, bucket / default_bucket, region / region_name, scripts_dir / "
    "source_dir (--scripts-dir, default: the library's reference scripts); --kwargs gives "
    "any other. The README example runs as: pipeline-steps run --local "
    "examples/xgboost_pipeline.py --demo-data --parameter LearningRate=0.3"
)


def add_run_parser(commands: Any) -> None:
    """The ``run`` subcommand's arguments."""
    run = commands.add_parser(
        "run",
        help="run a pipeline module's whole pipeline on this machine (--local)",
        description="Run every step of your pipeline on this machine, as SageMaker would "
        "(run_pipeline_locally): the prep Lambda in-process, training and processing scripts "
        "in subprocesses with this Python, data through S3 on in-process mock AWS (--mock, "
        "the default) or --endpoint-url. Exit 0 when every step succeeds, 1 when a step "
        "fails (one line: the step, its exit code, its last stderr line), 2 on bad input.",
        epilog=RUN_CONVENTION,
    )
    run.add_argument("module", metavar="MODULE", help="pipeline file or module name")
    run.add_argument(
        "--local",
        action="store_true",
        help="run on this machine (required: running on SageMaker is pipeline.upsert/start)",
    )
    run.add_argument("--call", metavar="NAME", help="the function (or Pipeline) to use")
    run.add_argument(
        "--parameter",
        "-p",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a pipeline parameter (repeatable), e.g. --parameter LearningRate=0.3",
    )
    run.add_argument("--workdir", help="the jobs' local folders (default: a new temporary one)")
    run.add_argument(
        "--strict",
        action="store_true",
        help="fail a step whose script opened a path outside its script contract",
    )
    where = run.add_mutually_exclusive_group()
    where.add_argument(
        "--mock",
        action="store_true",
        help="in-process mock AWS, moto (the default)",
    )
    where.add_argument(
        "--endpoint-url",
        help="send every AWS call here instead (a moto server, LocalStack), with your credentials",
    )
    run.add_argument(
        "--bucket",
        default=LOCAL_BUCKET,
        help="bucket passed as bucket/default_bucket, created if missing (default: %(default)s)",
    )
    run.add_argument(
        "--role-arn",
        help=f"role passed as role/role_arn (default: role {LOCAL_ROLE!r}, created)",
    )
    run.add_argument("--region", help="AWS region (default: us-east-1 on the mock)")
    run.add_argument(
        "--scripts-dir", help="passed as scripts_dir/source_dir (default: reference scripts)"
    )
    run.add_argument(
        "--kwargs", metavar="JSON", help="more keyword arguments, e.g. '{\"epochs\": 2}'"
    )
    run.add_argument(
        "--upload",
        action="append",
        default=[],
        metavar="PATH=S3URI",
        help="copy a local file or folder to S3 before running (repeatable)",
    )
    run.add_argument(
        "--demo-data",
        action="store_true",
        help="upload the demo's generated data to s3://BUCKET/data/{train,validation,eval}/",
    )
    run.set_defaults(handler=command_run)


@dataclass(frozen=True)
class _Request:
    """The checked command line."""

    module: str
    parameters: dict[str, str]
    kwargs: dict[str, Any]
    uploads: list[tuple[Path, str]]
    region: str
    scripts_dir: str
    workdir: Path | None


def _assignments(items: Sequence[str], option: str, example: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"{option} {item!r} is not of the form {example}")
        pairs[name.strip()] = value
    return pairs


def _check(args: argparse.Namespace) -> _Request:
    from pipeline_steps.core.errors import LocalRunError
    from pipeline_steps.reference_scripts import REFERENCE_SCRIPTS_DIR
    from pipeline_steps.runtime import s3io
    from pipeline_steps.tools.aws_checks import region_problem

    if not args.local:
        raise UsageError(
            "add --local: run executes the pipeline on this machine (to run it on SageMaker, "
            "call pipeline.upsert() and pipeline.start())"
        )
    parameters = _assignments(args.parameter, "--parameter", "Name=Value (LearningRate=0.3)")
    kwargs: dict[str, Any] = {}
    if args.kwargs:
        try:
            kwargs = json.loads(args.kwargs)
        except ValueError as error:
            raise UsageError(f"--kwargs is not valid JSON: {error}") from None
        if not isinstance(kwargs, dict):
            raise UsageError("--kwargs must be a JSON object of keyword arguments")
    uploads = []
    for local, uri in _assignments(args.upload, "--upload", "PATH=s3://bucket/prefix/").items():
        if not Path(local).exists():
            raise UsageError(f"--upload {local!r}: no such file or folder")
        try:
            bucket, _ = s3io.parse_s3_uri(uri, f"--upload {local}")
        except LocalRunError as error:
            raise UsageError(str(error)) from None
        check_bucket_option(f"--upload {local}={uri}", bucket)
        uploads.append((Path(local), uri))
    check_bucket_option("--bucket", args.bucket)
    region = args.region or ("us-east-1" if not args.endpoint_url else configured_region())
    problem = region_problem(region)
    if problem:
        raise UsageError(problem)
    scripts_dir = args.scripts_dir or str(REFERENCE_SCRIPTS_DIR)
    if not Path(scripts_dir).is_dir():
        raise UsageError(f"--scripts-dir {scripts_dir!r} is not a folder")
    workdir = Path(args.workdir) if args.workdir else None
    if workdir is not None and workdir.exists() and not workdir.is_dir():
        raise UsageError(f"--workdir {args.workdir!r} is not a folder")
    return _Request(args.module, parameters, kwargs, uploads, region, scripts_dir, workdir)


def command_run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Load the module's pipeline and run it locally; see the module docstring for exits."""
    request = _check(args)
    if args.endpoint_url:
        require_credentials(
            request.region,
            f"--endpoint-url {args.endpoint_url} is called with them (any values for a moto "
            "server), or leave it out to run on in-process mock AWS",
        )
        os.environ["AWS_ENDPOINT_URL"] = args.endpoint_url
        os.environ.pop("AWS_ENDPOINT_URL_S3", None)
    else:
        # Before the SDK is imported: importing sagemaker builds a default boto session.
        from pipeline_steps.tools.mock_aws import use_fake_credentials

        use_fake_credentials(request.region)
    from pipeline_steps.sdk import sdk_telemetry_off
    from pipeline_steps.tools.pipeline_module import PipelineModuleError, imported

    with contextlib.ExitStack() as stack:
        stack.enter_context(sdk_telemetry_off())
        if not args.endpoint_url:
            from moto import mock_aws

            stack.enter_context(mock_aws())
        try:
            module = stack.enter_context(imported(request.module))
            return _run(args, request, module, out, err)
        except PipelineModuleError as error:
            raise UsageError(str(error)) from None


def _aws(what: str, error: Exception) -> AwsFailureError:
    return AwsFailureError(f"{what}: {one_line(error)}")


def _sandbox(args: argparse.Namespace, request: _Request) -> tuple[Any, Any, str, Any]:
    """``(boto session, S3 client, role ARN, PipelineSession)``, the bucket made."""
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    from pipeline_steps.sdk import PipelineSession
    from pipeline_steps.tools.mock_aws import create_mock_role

    boto_session = boto3.Session(region_name=request.region)
    s3 = boto_session.client("s3")
    try:
        _ensure_bucket(s3, args.bucket, request.region)
        if args.role_arn and args.endpoint_url:
            role_arn = str(args.role_arn)
        else:  # the mock's Lambda needs the role to exist
            name = str(args.role_arn).rsplit("/", 1)[-1] if args.role_arn else LOCAL_ROLE
            created = create_mock_role(boto_session, name)
            role_arn = str(args.role_arn or created)
    except (BotoCoreError, ClientError) as error:
        raise _aws(f"preparing bucket {args.bucket} and the role failed", error) from None
    session = PipelineSession(
        boto_session=boto_session,
        default_bucket=args.bucket,
        sagemaker_client=boto_session.client("sagemaker"),
    )
    return boto_session, s3, role_arn, session


def _ensure_bucket(s3: Any, bucket: str, region: str) -> None:
    from botocore.exceptions import ClientError

    try:
        s3.head_bucket(Bucket=bucket)
        return
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") not in ("404", "NoSuchBucket"):
            raise
    create_bucket(s3, bucket, region)


def _run(args: argparse.Namespace, request: _Request, module: Any, out: TextIO, err: TextIO) -> int:
    from pipeline_steps.tools.pipeline_module import Injectables, load_pipeline

    boto_session, s3, role_arn, session = _sandbox(args, request)
    given = Injectables(
        session=session,
        boto_session=boto_session,
        role_arn=role_arn,
        bucket=args.bucket,
        region=request.region,
        scripts_dir=request.scripts_dir,
    )
    pipeline = load_pipeline(
        module, request.module, call=args.call, given=given, kwargs=request.kwargs
    )
    parameters = typed_parameters(request.parameters, getattr(pipeline, "parameters", None) or [])
    _upload(s3, args, request, out)
    return _execute(pipeline, parameters, s3, args, request, streams=(out, err))


def typed_parameters(given: Mapping[str, str], declared: Sequence[Any]) -> dict[str, Any]:
    """``--parameter`` texts as values of the types the pipeline declares.

    An undeclared name stays text: the runner refuses it, listing the declared ones.
    """
    kinds = {str(p.name): str(getattr(p.parameter_type, "value", "String")) for p in declared}
    values: dict[str, Any] = {}
    for name, text in given.items():
        kind = kinds.get(name, "String")
        values[name] = _typed(name, text, kind)
    return values


def _typed(name: str, text: str, kind: str) -> Any:
    article = "an" if kind[:1] in "AEIOU" else "a"
    problem = f"--parameter {name}={text}: {name} is {article} {kind} parameter"
    if kind == "Integer":
        try:
            return int(text)
        except ValueError:
            raise UsageError(f"{problem}; give a whole number") from None
    if kind == "Float":
        try:
            number = float(text)
        except ValueError:
            raise UsageError(f"{problem}; give a number") from None
        if not math.isfinite(number):
            raise UsageError(f"{problem}; give a finite number")
        return number
    if kind == "Boolean":
        lowered = text.strip().lower()
        if lowered not in ("true", "false"):
            raise UsageError(f"{problem}; give true or false")
        return lowered == "true"
    return text


def _upload(s3: Any, args: argparse.Namespace, request: _Request, out: TextIO) -> None:
    from botocore.exceptions import BotoCoreError, ClientError

    from pipeline_steps.core.errors import LocalRunError
    from pipeline_steps.runtime import s3io

    try:
        if args.demo_data:
            from pipeline_steps.tools.demo_data import upload_demo_data

            data = upload_demo_data(s3, args.bucket)
            shown = ", ".join(f"{split} {uri}" for split, uri in data.uris(args.bucket).items())
            out.write(f"uploaded the demo data: {shown}\n")
        for local, uri in request.uploads:
            if local.is_dir():
                count = len(s3io.upload_directory(s3, local, uri, where="--upload"))
            else:
                s3io.upload_file(s3, local, uri, where="--upload")
                count = 1
            out.write(f"uploaded {local} to {uri} ({count} file{'s' if count != 1 else ''})\n")
    except LocalRunError as error:
        raise UsageError(one_line(error)) from None
    except (BotoCoreError, ClientError) as error:
        raise _aws("uploading failed", error) from None


def _execute(
    pipeline: Any,
    parameters: dict[str, Any],
    s3: Any,
    args: argparse.Namespace,
    request: _Request,
    *,
    streams: tuple[TextIO, TextIO],
) -> int:
    from botocore.exceptions import BotoCoreError, ClientError

    from pipeline_steps.core.errors import LocalRunError
    from pipeline_steps.deployment.errors import BundledLambdaError
    from pipeline_steps.runtime import StepFailedError, run_pipeline_locally
    from pipeline_steps.tools.local_report import print_step_results, step_failure_line

    out, err = streams
    try:
        result = run_pipeline_locally(
            pipeline,
            parameters=parameters,
            s3_client=s3,
            workdir=request.workdir,
            strict=args.strict,
            progress=out,
        )
    except StepFailedError as error:
        hint = ""
        if not args.endpoint_url and _NO_INPUT_DATA in str(error):
            hint = " (the mock S3 starts empty: put data there with --upload or --demo-data)"
        err.write(f"pipeline-steps run: {step_failure_line(error)}{hint}\n")
        return EXIT_STEP_FAILED
    except LocalRunError as error:
        raise UsageError(one_line(error)) from None
    except (BotoCoreError, ClientError, BundledLambdaError) as error:
        raise _aws("rendering the definition failed", error) from None
    except Exception as error:  # the user's pipeline objects, rendered by the SDK
        raise UsageError(
            f"rendering the pipeline definition failed: {type(error).__name__}: {one_line(error)}"
        ) from None
    print_step_results(result, out, s3)
    return EXIT_OK
