"""The ``pipeline-steps`` command line.

Exit codes: 0 success; 1 an AWS failure (no credentials, an AWS_PROFILE that names no
profile, S3 or Lambda refused, no network); 2 bad input (a missing or unreadable file,
invalid JSON, a refused value, a region, pipeline name or bucket name AWS would refuse).
Every failure is one line on stderr. The SageMaker SDK's notices are silenced for the
command's duration (``pipeline_steps.core.quiet``; ``PIPELINE_STEPS_SDK_LOGS=1`` shows
them) and its telemetry is off for this process unless the user's SageMaker SDK config
sets ``TelemetryOptOut: false``.
"""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Sequence
from typing import TextIO

from pipeline_steps.frameworks import FRAMEWORKS
from pipeline_steps.tools.aws_checks import profile_problem
from pipeline_steps.tools.cli_commands import (
    command_contracts,
    command_definition,
    command_demo,
    command_prepare,
)
from pipeline_steps.tools.cli_support import (
    EXIT_AWS_FAILURE,
    EXIT_BAD_INPUT,
    AwsFailureError,
    UsageError,
    environment_restored,
)
from pipeline_steps.tools.run_local import add_run_parser

__all__ = ["build_parser", "main"]

PREPARE_CHECKS = (
    "prepare checks what the Lambda checks (a JSON object; finite numbers; no credential-like "
    "keys; size limits); add --framework to also check it against that framework's "
    "hyperparameter model, as definition always does"
)
DEFINITION_CHECKS = (
    "definition checks the file against --framework's hyperparameter model (unknown keys and "
    "out-of-range values refused) and then by the Lambda's rules, as prepare --framework does"
)


def _pipeline_shape() -> str:
    """What ``definition`` builds for each framework, from the registry's ``evaluated`` flag."""
    evaluated = [name for name, spec in FRAMEWORKS.items() if spec.evaluated]
    trained_only = [name for name, spec in FRAMEWORKS.items() if not spec.evaluated]
    text = "HyperparameterPrep -> <framework> training"
    if evaluated:
        text += f" -> model evaluation for {', '.join(evaluated)}"
    if trained_only:
        text += (
            f"; {', '.join(trained_only)} pipelines end with training (the evaluation step "
            "runs the XGBoost container, so it scores XGBoost models only)"
        )
    return text


def _version() -> str:
    import pipeline_steps

    return str(pipeline_steps.__version__)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``pipeline-steps``."""
    parser = argparse.ArgumentParser(
        prog="pipeline-steps",
        description="SageMaker Pipelines step builders with a bundled hyperparameter-prep Lambda.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser(
        "demo",
        help="run prep -> XGBoost training -> evaluation on in-process mock AWS",
        description="Build the three-step pipeline on in-process mock AWS (no account needed), "
        "deploy the bundled Lambda to the mock, write the definition, upload a small generated "
        "data set to the mock bucket, run the whole pipeline on this machine with a parameter "
        "override (real XGBoost; without it, only the prep step) and print the progress, the "
        "stored hyperparameters, the model archive's location and the evaluation metrics.",
    )
    demo.add_argument(
        "--output",
        default="pipeline-definition.json",
        help="where to write the pipeline definition (default: %(default)s)",
    )
    demo.add_argument(
        "--workdir",
        help="keep the jobs' local folders here (default: a temporary folder, removed)",
    )
    demo.set_defaults(handler=command_demo)

    contracts = commands.add_parser(
        "contracts",
        help="list the script contracts or show one",
        description="List the script contracts, or show one by name, entry point or constant.",
    )
    contracts.add_argument("name", nargs="?", help="e.g. xgboost_train, train_xgb.py")
    contracts.add_argument("--json", action="store_true", help="print JSON")
    contracts.set_defaults(handler=command_contracts)

    prepare = commands.add_parser(
        "prepare",
        help="validate a hyperparameters file and upload it as the prep step would",
        description="Run the bundled handler's code path on this machine, with this machine's "
        "AWS credentials, against S3 or any S3 endpoint, and print the S3 URI. Exit 2 on bad "
        f"input, 1 on an AWS failure. {PREPARE_CHECKS}.",
    )
    prepare.add_argument("file", help="JSON file holding a hyperparameters object")
    prepare.add_argument("--bucket", required=True, help="target S3 bucket")
    prepare.add_argument("--key-prefix", help="key prefix (default: hyperparameters)")
    prepare.add_argument("--kms-key-id", help="SSE-KMS key; SSE-S3 (AES256) without it")
    prepare.add_argument("--expected-bucket-owner", help="account id that must own the bucket")
    prepare.add_argument("--endpoint-url", help="S3 endpoint, e.g. http://127.0.0.1:5000")
    prepare.add_argument(
        "--framework",
        choices=list(FRAMEWORKS),
        help="also check the file against this framework's hyperparameter model",
    )
    prepare.add_argument(
        "--set",
        action="append",
        metavar="PATH=VALUE",
        help="override the value at a dotted path (repeatable), e.g. --set optimizer.lr=0.01",
    )
    prepare.add_argument("--json", action="store_true", help="print the whole result as JSON")
    prepare.set_defaults(handler=command_prepare)

    definition = commands.add_parser(
        "definition",
        help="compile the pipeline definition for a framework",
        description=f"Compile {_pipeline_shape()}. Rendering a definition deploys the bundled "
        "Lambda, so it needs AWS credentials; --mock does it all on in-process mock AWS.",
        epilog=f"{DEFINITION_CHECKS}. The JSON definition goes to stdout, or to --output; "
        "with --mermaid the Mermaid DAG goes to stdout when the definition goes to --output, "
        "else to stderr, so stdout is always one JSON document. The SageMaker SDK's telemetry "
        "is off unless your SageMaker SDK config sets TelemetryOptOut: false.",
    )
    definition.add_argument("--hyperparameters", required=True, help="JSON hyperparameters file")
    definition.add_argument("--framework", required=True, choices=list(FRAMEWORKS))
    definition.add_argument("--role-arn", required=True, help="SageMaker execution role ARN")
    definition.add_argument("--lambda-role-arn", help="Lambda execution role (default: --role-arn)")
    definition.add_argument("--bucket", required=True, help="bucket for hyperparameters and code")
    definition.add_argument(
        "--pipeline-name",
        default="HyperparameterPrepPipeline",
        help="SageMaker pipeline name: letters, digits and hyphens (default: %(default)s)",
    )
    definition.add_argument(
        "--region", help="AWS region (default: your AWS configuration's, else us-east-1)"
    )
    definition.add_argument("--output", help="write the definition here instead of stdout")
    definition.add_argument(
        "--mermaid",
        action="store_true",
        help="also print the DAG as Mermaid (stdout with --output, else stderr)",
    )
    definition.add_argument("--mock", action="store_true", help="use in-process mock AWS (moto)")
    definition.set_defaults(handler=command_definition)
    add_run_parser(commands)
    return parser


def main(
    argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """Run the command line; returns the exit code.

    Everything the command changes for its duration is put back afterwards (the
    environment it sets for mock AWS or an S3 endpoint, logging, warning filters), so
    it can be called in-process with ``argv``. Called without ``argv`` (the console
    script, ``python -m pipeline_steps``), the command is the process's last act, so its
    objects are frozen out of the garbage collector's reach afterwards: the collections
    during interpreter shutdown would otherwise walk the SDK's, moto's and botocore's
    hundreds of thousands of objects (over a second after ``demo``; see
    benchmarks/bench_demo.py). Finalisers, ``atexit`` handlers and stream flushing still run.
    """
    code = _run_command(argv, out, err)
    if argv is None:
        gc.freeze()
    return code


def _run_command(argv: Sequence[str] | None, out: TextIO | None, err: TextIO | None) -> int:
    from pipeline_steps.core.quiet import quiet_sdk, sdk_stdout_to

    stream = out or sys.stdout
    errors = err or sys.stderr
    args = build_parser().parse_args(argv)
    try:
        with quiet_sdk(), sdk_stdout_to(errors), environment_restored():
            code: int = args.handler(args, stream, errors)
    except UsageError as error:
        errors.write(f"pipeline-steps {args.command}: {error}\n")
        return EXIT_BAD_INPUT
    except AwsFailureError as error:
        errors.write(f"pipeline-steps {args.command}: {error}\n")
        return EXIT_AWS_FAILURE
    except Exception as error:
        problem = profile_problem(error)
        if problem is None:
            raise
        errors.write(f"pipeline-steps {args.command}: {problem}\n")
        return EXIT_AWS_FAILURE
    return code
