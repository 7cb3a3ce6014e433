"""The ``pipeline-steps`` command line.

Exit codes: 0 success; 1 an AWS/S3 failure; 2 bad input (a missing or unreadable
file, invalid JSON, a refused value), reported as one line on stderr.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from pipeline_steps.frameworks import FRAMEWORKS

__all__ = ["main"]

EXIT_OK = 0
EXIT_AWS_FAILURE = 1
EXIT_BAD_INPUT = 2


class _UsageError(Exception):
    """Bad input from the command line: exits 2 with a one-line message."""


def _quiet_sagemaker() -> None:
    """Keep the SDK's v2 deprecation banner and config INFO lines out of the output."""
    os.environ.setdefault("SAGEMAKER_SUPPRESS_V2_WARNING", "1")
    # Configure the root logger first: an SDK module calls logging.basicConfig(level=INFO)
    # on import, which is then a no-op instead of turning on every library's INFO lines.
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    for name in ("sagemaker", "sagemaker.config", "botocore.credentials"):
        logging.getLogger(name).setLevel(logging.WARNING)
    # "Popping out 'TrainingJobName' from the pipeline definition": expected, not actionable.
    logging.getLogger("sagemaker.workflow.utilities").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", module=r"sagemaker(\..*)?")
    warnings.filterwarnings("ignore", message=r".*SageMaker Python SDK v2.*")


def _read_json_object(path: str, what: str) -> dict[str, Any]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise _UsageError(f"{what} file {path!r} does not exist") from None
    except (OSError, UnicodeDecodeError) as error:
        raise _UsageError(f"cannot read {what} file {path!r}: {error}") from None
    from lambda_code.hyperparameter_prep import HyperparameterPrepError, parse_hyperparameters

    try:
        return parse_hyperparameters(text)
    except HyperparameterPrepError as error:
        raise _UsageError(f"{path}: {error}") from None


def _parse_assignments(items: Sequence[str]) -> dict[str, str]:
    overrides: dict[str, str] = {}
    for item in items:
        path, sep, value = item.partition("=")
        if not sep or not path:
            raise _UsageError(f"--set {item!r} is not of the form path=value (e.g. eta=0.05)")
        overrides[path] = value
    return overrides


def _command_contracts(args: argparse.Namespace, out: TextIO) -> int:
    from pipeline_script_contracts import CONTRACTS, get_contract

    if args.name:
        try:
            contract = get_contract(args.name)
        except KeyError as error:
            raise _UsageError(str(error.args[0]) if error.args else str(error)) from None
        out.write(json.dumps(contract.to_dict(), indent=2) + "\n" if args.json else f"{contract}\n")
        return EXIT_OK
    if args.json:
        payload = {name: contract.to_dict() for name, contract in CONTRACTS.items()}
        out.write(json.dumps(payload, indent=2) + "\n")
        return EXIT_OK
    rows = [("NAME", "CONTAINER", "ENTRY POINT", "INPUTS", "OUTPUTS")]
    for name, contract in CONTRACTS.items():
        rows.append(
            (
                name,
                str(contract.container_type.value),
                contract.entry_point,
                ", ".join(contract.input_names) or "-",
                ", ".join(contract.output_names) or "-",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        out.write("  ".join([*cells, row[-1]]).rstrip() + "\n")
    return EXIT_OK


def _command_prepare(args: argparse.Namespace, out: TextIO) -> int:
    from lambda_code import hyperparameter_prep as prep

    hyperparameters = _read_json_object(args.file, "hyperparameters")
    event: dict[str, Any] = {"hyperparameters": hyperparameters, "bucket": args.bucket}
    if args.key_prefix is not None:
        event["key_prefix"] = args.key_prefix
    if args.kms_key_id is not None:
        event["kms_key_id"] = args.kms_key_id
    if args.expected_bucket_owner is not None:
        event["expected_bucket_owner"] = args.expected_bucket_owner
    for path, value in _parse_assignments(args.set or []).items():
        event[f"{prep.OVERRIDE_PREFIX}{path}"] = value
    # The handler logs one JSON line per call for CloudWatch; here the outcome is the
    # printed URI or the one-line error below, so that line would only repeat it.
    logging.getLogger("hyperparameter_prep").setLevel(logging.CRITICAL)
    if args.endpoint_url:
        # The handler's own client honours AWS_ENDPOINT_URL_S3: same retries, same timeouts.
        os.environ["AWS_ENDPOINT_URL_S3"] = args.endpoint_url
        prep.set_s3_client(None)
    try:
        result = prep.lambda_handler(event, None)
    except prep.HyperparameterPrepError as error:
        if isinstance(error, prep.StorageError):
            sys.stderr.write(f"pipeline-steps prepare: {error}\n")
            return EXIT_AWS_FAILURE
        raise _UsageError(str(error)) from None
    except Exception as error:  # botocore transport/credential errors: still an AWS failure
        sys.stderr.write(f"pipeline-steps prepare: S3 request failed: {error}\n")
        return EXIT_AWS_FAILURE
    if args.json:
        out.write(json.dumps(result, indent=2) + "\n")
    else:
        out.write(f"{result['hyperparameters_s3_uri']}\n")
    return EXIT_OK


def _command_definition(args: argparse.Namespace, out: TextIO) -> int:
    values = _read_json_object(args.hyperparameters, "hyperparameters")
    if args.output:
        _check_output_folder(args.output)
    if args.mock:
        # Before the SDK is imported: importing sagemaker builds a default boto session,
        # which would otherwise resolve the caller's real credentials (or probe EC2 IMDS).
        from pipeline_steps.tools.mock_aws import use_fake_credentials

        use_fake_credentials()
    from pydantic import ValidationError

    from pipeline_steps.tools.templates import build_training_pipeline, hyperparameter_model

    try:
        hyperparameters = hyperparameter_model(args.framework, values)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "hyperparameters"
        raise _UsageError(f"{args.hyperparameters}: {where}: {first['msg']}") from None
    if args.mock:
        from moto import mock_aws

        with mock_aws():
            return _write_definition(args, hyperparameters, out, build_training_pipeline)
    return _write_definition(args, hyperparameters, out, build_training_pipeline)


def _write_definition(
    args: argparse.Namespace, hyperparameters: Any, out: TextIO, build: Any
) -> int:
    import boto3
    from pydantic import ValidationError

    from pipeline_steps.core.errors import StepBuilderError
    from pipeline_steps.sdk import PipelineSession
    from pipeline_steps.tools.mermaid import pipeline_to_mermaid

    boto_session = boto3.Session(region_name=args.region)
    if args.mock:
        s3 = boto_session.client("s3")
        if args.region == "us-east-1":
            s3.create_bucket(Bucket=args.bucket)
        else:  # S3 refuses a bucket without a location outside us-east-1
            s3.create_bucket(
                Bucket=args.bucket,
                CreateBucketConfiguration={"LocationConstraint": args.region},
            )
    session = PipelineSession(boto_session=boto_session, default_bucket=args.bucket)
    try:
        built = build(
            framework=args.framework,
            hyperparameters=hyperparameters,
            role_arn=args.role_arn,
            bucket=args.bucket,
            sagemaker_session=session,
            pipeline_name=args.pipeline_name,
            lambda_role_arn=args.lambda_role_arn,
        )
    except (ValidationError, StepBuilderError) as error:
        raise _UsageError(_one_line(error)) from None
    if args.mock:
        _mock_lambda_role(boto_session, args.lambda_role_arn or args.role_arn)
    definition = json.loads(built.pipeline.definition())
    text = json.dumps(definition, indent=2, sort_keys=True) + "\n"
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        out.write(text)
    if args.mermaid:
        out.write(pipeline_to_mermaid(definition) + "\n")
    return EXIT_OK


def _mock_lambda_role(boto_session: Any, role_arn: str) -> None:
    """Create the role in the mock so the mock Lambda accepts it."""
    from pipeline_steps.tools.mock_aws import create_mock_role

    create_mock_role(boto_session, role_arn.rsplit("/", 1)[-1])


def _one_line(error: Exception) -> str:
    from pydantic import ValidationError

    if isinstance(error, ValidationError):
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        return f"{where}: {first['msg']}"
    return str(error).splitlines()[0]


def _check_output_folder(path: str) -> None:
    folder = Path(path).resolve().parent
    if not folder.is_dir():
        raise _UsageError(f"cannot write {path!r}: folder {str(folder)!r} does not exist")


def _command_demo(args: argparse.Namespace, out: TextIO) -> int:
    _check_output_folder(args.output)
    from pipeline_steps.tools.demo import run_demo

    return run_demo(Path(args.output), out)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``pipeline-steps``."""
    parser = argparse.ArgumentParser(
        prog="pipeline-steps",
        description="SageMaker Pipelines step builders with a bundled hyperparameter-prep Lambda.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser(
        "demo",
        help="run prep -> XGBoost training -> evaluation on in-process mock AWS",
        description="Build the three-step pipeline on in-process mock AWS (no account needed), "
        "deploy the bundled Lambda to the mock, write the definition, run the prep step "
        "locally with a parameter override and print what happened.",
    )
    demo.add_argument(
        "--output",
        default="pipeline-definition.json",
        help="where to write the pipeline definition (default: %(default)s)",
    )
    demo.set_defaults(handler=_command_demo)

    contracts = commands.add_parser(
        "contracts",
        help="list the script contracts or show one",
        description="List the script contracts, or show one by name, entry point or constant.",
    )
    contracts.add_argument("name", nargs="?", help="e.g. xgboost_train, train_xgb.py")
    contracts.add_argument("--json", action="store_true", help="print JSON")
    contracts.set_defaults(handler=_command_contracts)

    prepare = commands.add_parser(
        "prepare",
        help="validate a hyperparameters file and upload it as the prep step would",
        description="Run the bundled handler's code path locally against any S3 endpoint and "
        "print the S3 URI. Exit 2 on bad input, 1 on an S3 failure.",
    )
    prepare.add_argument("file", help="JSON file holding a hyperparameters object")
    prepare.add_argument("--bucket", required=True, help="target S3 bucket")
    prepare.add_argument("--key-prefix", help="key prefix (default: hyperparameters)")
    prepare.add_argument("--kms-key-id", help="SSE-KMS key; SSE-S3 (AES256) without it")
    prepare.add_argument("--expected-bucket-owner", help="account id that must own the bucket")
    prepare.add_argument("--endpoint-url", help="S3 endpoint, e.g. http://127.0.0.1:5000")
    prepare.add_argument(
        "--set",
        action="append",
        metavar="PATH=VALUE",
        help="override the value at a dotted path (repeatable), e.g. --set optimizer.lr=0.01",
    )
    prepare.add_argument("--json", action="store_true", help="print the whole result as JSON")
    prepare.set_defaults(handler=_command_prepare)

    definition = commands.add_parser(
        "definition",
        help="compile the prep -> training -> evaluation pipeline definition",
        description="Compile the three-step pipeline for a hyperparameters file. Rendering a "
        "definition deploys the bundled Lambda; use --mock to do it on in-process mock AWS.",
    )
    definition.add_argument("--hyperparameters", required=True, help="JSON hyperparameters file")
    definition.add_argument("--framework", required=True, choices=list(FRAMEWORKS))
    definition.add_argument("--role-arn", required=True, help="SageMaker execution role ARN")
    definition.add_argument("--lambda-role-arn", help="Lambda execution role (default: --role-arn)")
    definition.add_argument("--bucket", required=True, help="bucket for hyperparameters and code")
    definition.add_argument("--pipeline-name", default="HyperparameterPrepPipeline")
    definition.add_argument("--region", default=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"))
    definition.add_argument("--output", help="write the definition here instead of stdout")
    definition.add_argument("--mermaid", action="store_true", help="also print the DAG as Mermaid")
    definition.add_argument("--mock", action="store_true", help="use in-process mock AWS (moto)")
    definition.set_defaults(handler=_command_definition)
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run the command line; returns the exit code."""
    _quiet_sagemaker()
    parser = build_parser()
    args = parser.parse_args(argv)
    stream = out or sys.stdout
    try:
        code: int = args.handler(args, stream)
    except _UsageError as error:
        sys.stderr.write(f"pipeline-steps {args.command}: {error}\n")
        return EXIT_BAD_INPUT
    except BaseException:
        # Importing the SDK installs rich's traceback hook, which prints to stdout (into a
        # definition piped to a file); an unexpected error's traceback belongs on stderr.
        sys.excepthook = sys.__excepthook__
        raise
    return code
